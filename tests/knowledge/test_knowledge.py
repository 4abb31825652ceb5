"""The vocabulary and knowledge base: loaded, validated, extensible with --knowledge."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.engine.facts import Rule
from actm.errors import KnowledgeError
from actm.knowledge.attacks import builtin_knowledge, load_knowledge
from actm.knowledge.vocabulary import RULE_NAMES, builtin_vocabulary, load_vocabulary

MODEL = """
actm: 1
system: {id: kb-test}
models:
  - {id: bot, kind: llm, exposure: public}
"""

NEW_ATTACK = """
id: greeting-hijack
title: Greeting hijack
description: >
  A test pattern: whoever can type into a public language model changes how it greets people,
  which the team treats as a brand risk.
likelihood: high
steps:
  - id: type
    requires:
      - {var: m, asset: inputs, component: user_input, capability: make_arbitrary_changes}
    yields:
      - {var: m, asset: outputs, component: text, capability: make_limited_changes}
impact: {var: m, asset: outputs, class: integrity}
references:
  owasp_llm: [LLM01]
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_rule_names_in_the_vocabulary_match_the_engine() -> None:
    assert tuple(r.name.lower() for r in Rule) == RULE_NAMES


def test_builtin_vocabulary_is_consistent() -> None:
    v = builtin_vocabulary()
    assert v.capabilities[:4] == ("inspect", "partially_inspect", "indirectly_inspect", "monitor")
    assert v.implied["make_arbitrary_changes"] == {
        "make_arbitrary_changes",
        "make_limited_changes",
        "contribute",
        "influence",
    }
    assert v.stronger_or_equal("contribute") == {
        "contribute",
        "make_limited_changes",
        "make_arbitrary_changes",
    }
    assert {"stored", "processed", "transmitted"} >= set(v.vulnerability_classes["rce"].grants)


def test_builtin_knowledge_entries_are_named_after_their_files() -> None:
    kb = builtin_knowledge()
    for entry in kb.attacks.values():
        assert Path(entry.source).stem == entry.id


def test_an_extra_directory_adds_an_attack(tmp_path: Path) -> None:
    write(tmp_path, "attacks/greeting-hijack.yaml", NEW_ATTACK)
    kb = load_knowledge([tmp_path])
    assert "greeting-hijack" in kb.attacks
    model = actm.load_model_text(MODEL, knowledge=kb)
    ids = {t.id for t in actm.analyze(model, knowledge=kb).threats}
    assert "greeting-hijack@bot" in ids
    assert "greeting-hijack@bot" not in {t.id for t in actm.analyze(model).threats}


def test_an_extra_directory_overrides_an_attack(tmp_path: Path) -> None:
    text = NEW_ATTACK.replace("id: greeting-hijack", "id: direct-prompt-injection")
    write(tmp_path, "attacks/direct-prompt-injection.yaml", text)
    kb = load_knowledge([tmp_path])
    assert kb.attacks["direct-prompt-injection"].title == "Greeting hijack"


def test_an_extra_directory_overrides_a_vocabulary_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        "vocabulary/severity.yaml",
        """
        likelihood:
          high: 0.5
    """,
    )
    vocab = load_vocabulary([tmp_path])
    assert vocab.severity.likelihood["high"] == 0.5
    assert vocab.severity.likelihood["low"] == 0.6  # untouched keys stay


@pytest.mark.parametrize(
    ("rel", "text", "code", "line"),
    [
        (
            "attacks/broken.yaml",
            NEW_ATTACK.replace("id: greeting-hijack", "id: broken").replace(
                "capability: make_arbitrary_changes", "capability: make_arbitary_changes"
            ),
            "unknown-capability",
            10,
        ),
        ("attacks/other-name.yaml", NEW_ATTACK, "id-not-file-name", 1),
        (
            "attacks/greeting-hijack.yaml",
            NEW_ATTACK.replace("likelihood: high", "likelyhood: high"),
            "unknown-key",
            6,
        ),
        (
            "vocabulary/propagation.yaml",
            "dependency:\n  influence: inflence\n",
            "unknown-capability",
            2,
        ),
        ("vocabulary/colours.yaml", "red: 1\n", "unknown-vocabulary-file", 1),
        (
            "vocabulary/capabilities.yaml",
            "implies:\n  - [influence, make_arbitrary_changes]\n",
            "implication-against-order",
            2,
        ),
    ],
)
def test_a_broken_entry_stops_the_run_with_file_and_line(
    tmp_path: Path, rel: str, text: str, code: str, line: int
) -> None:
    path = write(tmp_path, rel, text)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([tmp_path])
    diag = next(d for d in err.value.diagnostics if d.code == code)
    assert diag.location is not None
    assert diag.location.path == str(path)
    assert diag.location.line == line


def test_cli_exit_3_on_a_broken_knowledge_entry(tmp_path: Path) -> None:
    write(tmp_path, "attacks/broken.yaml", "id: broken\ntitle: x\n")
    model = write(tmp_path, "model.yaml", MODEL)
    res = CliRunner().invoke(app, ["analyze", str(model), "--knowledge", str(tmp_path)])
    assert res.exit_code == 3
    assert "broken.yaml" in res.output
    assert "Traceback" not in res.output


def test_an_unknown_subdirectory_is_an_error_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "atacks").mkdir()
    (tmp_path / "tests").mkdir()  # fixture models beside the entries are expected
    (tmp_path / ".git").mkdir()  # hidden directories are not the user's knowledge
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([tmp_path])
    problems = exc.value.diagnostics
    assert [p.message for p in problems] == [
        f"unknown knowledge subdirectory {tmp_path / 'atacks'}: its files would be ignored"
    ]
    assert problems[0].hint is not None and problems[0].hint == "did you mean 'attacks'?"
