"""rules.yaml against the engine's rules: an entry per rule both ways, overlays, and broken
entries that stop the run with their location."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.main import app
from actm.engine.facts import Rule
from actm.engine.wording import FIELDS, Wording, check
from actm.errors import KnowledgeError
from actm.knowledge.vocabulary import builtin_vocabulary

ROOT = Path(__file__).resolve().parents[2]

MODEL = """
actm: 1
system: {id: kb-test}
models:
  - {id: bot, kind: llm, exposure: public}
"""


def overlay(root: Path, text: str) -> Path:
    path = root / "vocabulary" / "rules.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def threats(root: Path, model: str = MODEL) -> dict[str, actm.results.model.Threat]:  # type: ignore[name-defined]
    kb = actm.load_knowledge([root])
    result = actm.analyze(actm.load_model_text(model, knowledge=kb), knowledge=kb)
    return {t.id: t for t in result.threats}


def test_every_rule_has_an_entry_and_every_entry_names_a_rule() -> None:
    wording = builtin_vocabulary().wording
    assert sorted(wording.rules) == sorted(r.name.lower() for r in Rule)
    assert sorted(FIELDS) == list(Rule)
    assert check(wording) == []


def test_a_rule_without_an_entry_stops_the_analysis() -> None:
    wording = builtin_vocabulary().wording
    rules = {k: v for k, v in wording.rules.items() if k != "feeds_back"}
    with pytest.raises(KnowledgeError) as err:
        Wording(replace(wording, rules=rules))
    assert [(d.code, d.message, d.location) for d in err.value.diagnostics] == [
        ("missing-rule", "rules.yaml has no entry for the engine's rule 'feeds_back'", None)
    ]


def test_an_entry_that_names_no_rule_stops_the_analysis_at_its_line(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules:\n  - id: feed_back\n    teams: []\n    text: x\n")
    with pytest.raises(KnowledgeError) as err:
        threats(tmp_path)
    (diag,) = err.value.diagnostics
    assert (diag.code, diag.message, diag.hint) == (
        "unknown-rule",
        "rules.yaml: the engine has no rule 'feed_back'",
        "did you mean 'feeds_back'?",
    )
    assert (diag.location and (diag.location.path, diag.location.line)) == (str(path), 2)


def test_an_overlay_moves_a_rule_to_another_team(tmp_path: Path) -> None:
    overlay(
        tmp_path,
        """
        rules:
          - id: public_user
            teams: [infrastructure, ml]
            text: "{adversary} holds {capability} on {target}{persistent}"
        """,
    )
    kb = actm.load_knowledge([tmp_path])
    assert {t.id: "public_user" in t.rules for t in kb.vocabulary.teams} == {
        "infrastructure": True,
        "ml": True,
        "product": False,
    }
    # bot.inputs and bot.outputs are product asset types: the view stays, two are added
    assert threats(tmp_path)["resource-exhaustion@bot"].teams == ("infrastructure", "ml", "product")


@pytest.mark.parametrize(
    ("entry", "code", "message", "hint", "line"),
    [
        (
            "  - id: feeds\n    teams: [product]\n    text: 'feeds {targte}: {capability}'\n",
            "bad-template",
            "rule feeds text: unknown placeholder {targte}",
            "did you mean 'target'?",
            4,
        ),
        (
            "  - id: feeds\n    teams: [product]\n    text: feeds {target\n",
            "bad-template",
            "rule feeds text: expected '}' before end of string in 'feeds {target'",
            "write {{ or }} for a literal brace",
            4,
        ),
        (
            "  - id: feeds\n    teams: [product]\n    text: feeds {target!r}\n",
            "bad-template",
            "rule feeds text: {target} has a conversion or format",
            "write just {name}",
            4,
        ),
        (
            "  - id: feeds\n    teams: [product]\n    text: x\n    variants: {tool: y}\n",
            "unknown-variant",
            "rule feeds: the engine picks no variant 'tool'",
            "it has none: use text",
            5,
        ),
        (
            "  - id: residency\n    teams: [infrastructure]\n    text: '{node}'\n",
            "missing-variant",
            "rule residency lacks the variant 'declared'",
            "add variants: {declared: ...}",
            2,
        ),
    ],
)
def test_a_broken_entry_stops_the_analysis_with_its_location(
    tmp_path: Path, entry: str, code: str, message: str, hint: str, line: int
) -> None:
    path = overlay(tmp_path, "rules:\n" + entry)
    with pytest.raises(KnowledgeError) as err:
        threats(tmp_path)
    assert [(d.code, d.message, d.hint) for d in err.value.diagnostics] == [(code, message, hint)]
    location = err.value.diagnostics[0].location
    assert location is not None
    assert (location.path, location.line) == (str(path), line)


def test_cli_exit_3_on_a_broken_rules_entry(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules:\n  - id: feeds\n    teams: [product]\n    text: '{targte}'\n")
    model = tmp_path / "model.yaml"
    model.write_text(MODEL, encoding="utf-8")
    res = CliRunner().invoke(app, ["analyze", str(model), "--knowledge", str(tmp_path)])
    assert res.exit_code == 3
    assert f"{path}:4:11: error[bad-template]: rule feeds text: unknown placeholder" in res.output
    assert "Traceback" not in res.output
