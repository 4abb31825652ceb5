"""The framework registry and mapping files: loaded, validated, extensible.

The ATLAS, CoSAI and SAIF tables are generated from the published data by
docs/gen_reference_ids.py; tests/knowledge/test_references.py checks them against it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from actm.errors import KnowledgeError
from actm.knowledge.attacks import AttackPattern, builtin_knowledge, load_knowledge
from actm.knowledge.coverage import coverage

KB = builtin_knowledge()
ENTRIES = KB.sorted()

ENTRY = """
id: greeting-hijack
title: Greeting hijack
description: >
  A test pattern: whoever can type into a public language model changes how it greets people,
  which the team treats as a brand risk.
steps:
  - id: type
    requires:
      - {var: m, asset: inputs, component: user_input, capability: make_arbitrary_changes}
    yields:
      - {var: m, asset: outputs, component: text, capability: make_limited_changes}
impact: {var: m, asset: outputs, class: integrity}
references:
  owasp_llm: {type: [LLM01]}
  atlas: {type: [AML.T0051.000]}
"""

DEMO = """
id: demo
title: Demo threat list
version: "1"
items:
  - {id: D1, name: Greetings}
  - {id: D2, name: Farewells}
  - {id: D3, name: Small talk}
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problem(tmp_path: Path, code: str) -> tuple[str, int, str | None]:
    """Load tmp_path as a knowledge directory; (file, line, hint) of the diagnostic ``code``."""
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([tmp_path])
    diag = next((d for d in err.value.diagnostics if d.code == code), None)
    assert diag is not None, str(err.value)
    assert diag.location is not None
    return diag.location.path, diag.location.line, diag.hint


# -- the built-in registry ---------------------------------------------------------------------


def test_the_builtin_registry_has_every_framework() -> None:
    assert sorted(KB.frameworks) == [
        "atlas",
        "cosai",
        "cwe",
        "nist_ai_100_2",
        "owasp_agentic",
        "owasp_asi",
        "owasp_llm",
        "saif",
        "stride",
    ]
    sizes = {k: len(f.items) for k, f in KB.frameworks.items()}
    assert sizes == {
        "atlas": 170,
        "cosai": 36,
        "cwe": 0,
        "nist_ai_100_2": 14,
        "owasp_agentic": 15,
        "owasp_asi": 10,
        "owasp_llm": 10,
        "saif": 15,
        "stride": 6,
    }
    assert [f.id for f in KB.frameworks.values() if f.open] == ["cwe"]
    assert KB.frameworks["atlas"].version == "5.6.0"


def test_owasp_and_nist_items_are_the_published_lists() -> None:
    llm = KB.frameworks["owasp_llm"]
    assert [i.id for i in llm.items] == [f"LLM{n:02d}" for n in range(1, 11)]
    assert llm.name_of("LLM01") == "Prompt Injection"
    assert llm.name_of("LLM10") == "Unbounded Consumption"
    asi = KB.frameworks["owasp_asi"]
    assert [i.id for i in asi.items] == [f"ASI{n:02d}" for n in range(1, 11)]
    assert asi.name_of("ASI01") == "Agent Goal Hijack"
    assert asi.name_of("ASI10") == "Rogue Agents"
    agentic = KB.frameworks["owasp_agentic"]
    assert [i.id for i in agentic.items] == [f"T{n}" for n in range(1, 16)]
    assert agentic.name_of("T1") == "Memory Poisoning"
    assert agentic.name_of("T15") == "Human Manipulation"
    assert [i.id for i in KB.frameworks["nist_ai_100_2"].items] == [
        "evasion",
        "availability_poisoning",
        "targeted_poisoning",
        "backdoor_poisoning",
        "model_poisoning",
        "data_reconstruction",
        "membership_inference",
        "property_inference",
        "model_extraction",
        "supply_chain",
        "direct_prompt_injection",
        "indirect_prompt_injection",
        "misuse",
        "agent_security",
    ]
    assert [i.id for i in KB.frameworks["stride"].items] == [
        "spoofing",
        "tampering",
        "repudiation",
        "information_disclosure",
        "denial_of_service",
        "elevation_of_privilege",
    ]


def test_an_open_framework_accepts_ids_by_pattern() -> None:
    cwe = KB.frameworks["cwe"]
    assert cwe.admits("CWE-79")
    assert not cwe.admits("CWE-")
    assert not cwe.admits("79")


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_every_reference_names_a_registry_item(entry: AttackPattern) -> None:
    for fw, ids in entry.references.items():
        framework = KB.frameworks[fw]
        for ident in ids:
            assert framework.admits(ident), f"{fw}: {ident}"
            if not framework.open:
                assert framework.name_of(ident)


def test_the_saif_mapping_ties_risks_to_entries_without_touching_them() -> None:
    assert not any("saif" in e.references for e in ENTRIES)
    saif = KB.covering("saif")
    assert {
        "direct-prompt-injection",
        "indirect-prompt-injection",
        "rag-poisoning",
        "system-prompt-eviction",
    } <= set(saif["PIJ"])
    assert "model-weight-theft" in saif["MXF"]
    assert KB.covers("model-weight-theft")["saif"] == ("MXF",)
    assert set(KB.mappings) == {"saif"}


def test_covering_merges_own_references_and_mappings_in_framework_order() -> None:
    llm = KB.covering("owasp_llm")
    order = [i.id for i in KB.frameworks["owasp_llm"].items]
    assert list(llm) == [i for i in order if i in llm]
    assert "direct-prompt-injection" in llm["LLM01"]
    cwe = list(KB.covering("cwe"))
    assert cwe.index("CWE-77") < cwe.index("CWE-200")  # numbers sort by value


# -- errors ------------------------------------------------------------------------------------


def test_an_unknown_reference_id_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "attacks/greeting-hijack.yaml", ENTRY.replace("LLM01", "PI"))
    assert problem(tmp_path, "unknown-reference") == (
        str(path),
        14,
        "valid owasp_llm ids: LLM01, LLM02, LLM03, LLM04, LLM05, LLM06, LLM07, LLM08, LLM09, LLM10",
    )


def test_a_near_miss_in_a_long_framework_gets_a_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path, "attacks/greeting-hijack.yaml", ENTRY.replace("AML.T0051.000", "AML.TO051.000")
    )
    assert problem(tmp_path, "unknown-reference") == (
        str(path),
        15,
        "did you mean 'AML.T0051.000'?",
    )


def test_an_unknown_framework_in_references_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "attacks/greeting-hijack.yaml", ENTRY.replace("atlas:", "atlass:"))
    assert problem(tmp_path, "unknown-framework") == (str(path), 15, "did you mean 'atlas'?")


def test_an_open_framework_checks_the_form_of_an_id(tmp_path: Path) -> None:
    text = ENTRY + "  cwe: {type: [CWE-79, XSS]}\n"
    path = write(tmp_path, "attacks/greeting-hijack.yaml", text)
    file, line, hint = problem(tmp_path, "unknown-reference")
    assert (file, line) == (str(path), 16)
    assert hint is not None and "must match" in hint


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (DEMO.replace("id: demo", "id: other"), "id-not-file-name", 1),
        (DEMO.replace("version:", "edition:"), "unknown-key", 3),
        (DEMO.replace("id: D3", "id: D1"), "duplicate-item", 7),
        (DEMO.split("items:", maxsplit=1)[0] + "items: []\n", "empty-framework", 4),
        (DEMO.replace('version: "1"', "version: 1"), "wrong-type", 3),
        (DEMO.replace('version: "1"\n', 'version: "1"\nopen: true\npattern: "D("\n'), None, 5),
    ],
)
def test_a_broken_framework_file_stops_the_run_with_file_and_line(
    tmp_path: Path, text: str, code: str | None, line: int
) -> None:
    path = write(tmp_path, "frameworks/demo.yaml", text)
    got = problem(tmp_path, code or "invalid-pattern")
    assert got[:2] == (str(path), line)


OPEN_DEMO = """
id: demo
title: Demo open list
version: "1"
open: true
pattern: '^(a+)+$'
items: []
"""


def test_a_catastrophic_pattern_is_matched_in_linear_time(tmp_path: Path) -> None:
    """``^(a+)+$`` backtracks exponentially in Python's re (a minute for three 30-character
    ids); it is compiled with RE2, whose matching is linear."""
    write(tmp_path, "frameworks/demo.yaml", OPEN_DEMO)
    kb = load_knowledge([tmp_path])
    demo = kb.frameworks["demo"]
    assert type(demo.matcher).__module__ == "re2"  # before any matching: not Python's re
    assert [demo.admits("a" * 30 + c) for c in ("b", "!", "a")] == [False, False, True]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(a)\1$", "invalid escape sequence: \\1"),
        ("^(?=a)a$", "invalid perl operator: (?="),
        ("^a{2000}$", "invalid repetition size: {2000}"),
    ],
)
def test_a_pattern_the_linear_engine_cannot_run_is_refused_where_it_is_written(
    tmp_path: Path, pattern: str, reason: str
) -> None:
    path = write(tmp_path, "frameworks/demo.yaml", OPEN_DEMO.replace("^(a+)+$", pattern))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([tmp_path])
    (diag,) = err.value.diagnostics
    assert diag.code == "invalid-pattern"
    assert diag.location is not None
    assert (diag.location.path, diag.location.line) == (str(path), 5)
    assert diag.message == (
        f"framework demo: pattern is not a regular expression actm can use: {reason}"
    )
    assert diag.hint == (
        "patterns use RE2 syntax, matched in linear time: no backreferences (\\1) and no "
        "look-around ((?=...), (?!...), (?<=...))"
    )


MAPPING = """
framework: demo
mappings:
  - item: D1
    attacks: [greeting-hijack]
  - item: D2
    attacks: [greeting-hijack, direct-prompt-injection]
"""


def _mapping(old: str, new: str) -> str:
    return MAPPING.replace(old, new)


@pytest.mark.parametrize(
    ("rel", "text", "code", "line"),
    [
        ("mappings/demo.yaml", _mapping("item: D2", "item: D9"), "unknown-item", 5),
        ("mappings/demo.yaml", _mapping("[greeting-hijack]", "[greeting]"), "unknown-attack", 4),
        ("mappings/demo.yaml", _mapping("item: D2", "item: D1"), "duplicate-item", 5),
        ("mappings/demo.yaml", _mapping("attacks: [greeting-hijack]", "to: []"), "unknown-key", 4),
        ("mappings/other.yaml", MAPPING, "id-not-file-name", 1),
        ("mappings/demo.yaml", _mapping("work: demo", "work: dmeo"), "unknown-framework", 1),
        ("mappings/demo.yaml", "framework: demo\nmappings: []\n", "invalid-value", 2),
    ],
)
def test_a_broken_mapping_file_stops_the_run_with_file_and_line(
    tmp_path: Path, rel: str, text: str, code: str, line: int
) -> None:
    write(tmp_path, "frameworks/demo.yaml", DEMO)
    write(tmp_path, "attacks/greeting-hijack.yaml", ENTRY)
    path = write(tmp_path, rel, text)
    assert problem(tmp_path, code)[:2] == (str(path), line)


# -- extending ---------------------------------------------------------------------------------


def test_a_knowledge_directory_adds_a_framework_and_mappings(tmp_path: Path) -> None:
    write(tmp_path, "frameworks/demo.yaml", DEMO)
    write(tmp_path, "attacks/greeting-hijack.yaml", ENTRY + "  demo: {type: [D3]}\n")
    write(tmp_path, "mappings/demo.yaml", MAPPING)
    write(
        tmp_path,
        "mappings/saif.yaml",
        "framework: saif\nmappings:\n  - {item: PIJ, attacks: [greeting-hijack]}\n",
    )
    kb = load_knowledge([tmp_path])
    assert kb.covering("demo") == {
        "D1": ("greeting-hijack",),
        "D2": ("direct-prompt-injection", "greeting-hijack"),
        "D3": ("greeting-hijack",),
    }
    assert kb.covers("greeting-hijack")["demo"] == ("D3", "D1", "D2")
    # a mapping in a knowledge directory adds to the built-in one
    assert set(kb.covering("saif")["PIJ"]) == set(KB.covering("saif")["PIJ"]) | {"greeting-hijack"}
    (demo,) = coverage(kb, ["demo"])
    assert (len(demo.covered), demo.total, demo.percent) == (3, 3, 100.0)
    assert "demo" not in KB.frameworks  # the built-in knowledge base is untouched
    assert kb.frameworks["demo"].items[0].name == "Greetings"


def test_a_framework_with_the_same_id_replaces_the_builtin_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        "frameworks/saif.yaml",
        "id: saif\ntitle: SAIF, our cut\nversion: '0'\nitems:\n  - {id: PI, name: Injection}\n",
    )
    write(
        tmp_path,
        "mappings/saif.yaml",
        "framework: saif\nmappings:\n  - {item: PI, attacks: [direct-prompt-injection]}\n",
    )
    kb = load_knowledge([tmp_path])
    assert kb.frameworks["saif"].title == "SAIF, our cut"
    # the built-in mapping was written for the built-in list of risks: it no longer applies
    assert kb.covering("saif") == {"PI": ("direct-prompt-injection",)}


def test_replacing_a_framework_checks_the_builtin_entries_against_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        "frameworks/owasp_llm.yaml",
        "id: owasp_llm\ntitle: Only one\nversion: '1'\n"
        "items:\n  - {id: LLM01, name: Prompt Injection}\n",
    )
    file, _, _ = problem(tmp_path, "unknown-reference")
    assert file.startswith("<actm>/knowledge/data/attacks/")
