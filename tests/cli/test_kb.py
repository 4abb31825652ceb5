"""`actm kb list`, `kb show` and `kb coverage`, with the built-in and a small custom knowledge."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

runner = CliRunner()

FRAMEWORK = """
id: demo
title: Demo threat list
version: "1"
items:
  - {id: D1, name: Greetings}
  - {id: D2, name: Farewells}
  - {id: D3, name: Small talk}
"""

MAPPING = """
framework: demo
mappings:
  - item: D2
    attacks: [greeting-hijack, direct-prompt-injection]
"""

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
  demo: {type: [D1]}
  owasp_llm: {type: [LLM01]}
"""


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    for rel, text in (
        ("frameworks/demo.yaml", FRAMEWORK),
        ("mappings/demo.yaml", MAPPING),
        ("attacks/greeting-hijack.yaml", ENTRY),
    ):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def run(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def test_coverage_text_for_a_custom_framework(kdir: Path) -> None:
    assert run("kb", "coverage", "--framework", "demo", "-k", str(kdir)) == (
        "framework  title               covered  items  percent\n"
        "demo       Demo threat list 1        2      3    66.7%\n"
        "\n"
        "demo: Demo threat list 1\n"
        "  2 of 3 items covered (66.7%)\n"
        "  covered:\n"
        "    D1  Greetings  <- greeting-hijack\n"
        "    D2  Farewells  <- direct-prompt-injection, greeting-hijack\n"
        "  not covered:\n"
        "    D3  Small talk\n"
    )


def test_coverage_json_for_a_custom_framework(kdir: Path) -> None:
    out = run("kb", "coverage", "--framework", "demo", "-k", str(kdir), "-f", "json")
    assert json.loads(out) == {
        "frameworks": [
            {
                "id": "demo",
                "title": "Demo threat list",
                "version": "1",
                "url": None,
                "open": False,
                "items": 3,
                "covered": 2,
                "percent": 66.7,
                "covered_items": [
                    {"id": "D1", "name": "Greetings", "attacks": ["greeting-hijack"]},
                    {
                        "id": "D2",
                        "name": "Farewells",
                        "attacks": ["direct-prompt-injection", "greeting-hijack"],
                    },
                ],
                "not_covered_items": [{"id": "D3", "name": "Small talk"}],
            }
        ]
    }


def test_coverage_summary_lists_every_framework_sorted(kdir: Path) -> None:
    out = run("kb", "coverage", "--summary", "-k", str(kdir))
    ids = [line.split()[0] for line in out.splitlines()[1:]]
    assert ids == [
        "atlas",
        "cosai",
        "cwe",
        "demo",
        "nist_ai_100_2",
        "owasp_agentic",
        "owasp_asi",
        "owasp_llm",
        "saif",
        "stride",
    ]
    cwe = next(line for line in out.splitlines() if line.startswith("cwe "))
    assert cwe.endswith("-        -")  # open: no item count, no percentage


def test_coverage_of_the_builtin_knowledge_is_consistent_and_stable() -> None:
    first = run("kb", "coverage", "-f", "json")
    assert run("kb", "coverage", "-f", "json") == first
    data = json.loads(first)
    assert [f["id"] for f in data["frameworks"]] == sorted(f["id"] for f in data["frameworks"])
    for fw in data["frameworks"]:
        covered = {i["id"] for i in fw["covered_items"]}
        missing = {i["id"] for i in fw["not_covered_items"]}
        assert not covered & missing
        assert all(
            i["attacks"] == sorted(i["attacks"]) and i["attacks"] for i in fw["covered_items"]
        )
        if fw["open"]:
            assert fw["items"] is None and fw["percent"] is None and not missing
        else:
            assert fw["items"] == len(covered) + len(missing)
            assert fw["percent"] == round(100 * len(covered) / fw["items"], 1)
    saif = next(f for f in data["frameworks"] if f["id"] == "saif")
    pij = next(i for i in saif["covered_items"] if i["id"] == "PIJ")
    assert pij["name"] == "Prompt Injection"
    assert "direct-prompt-injection" in pij["attacks"]


def test_coverage_of_an_unknown_framework_is_a_usage_error() -> None:
    res = runner.invoke(app, ["kb", "coverage", "--framework", "owasp_lm"])
    assert res.exit_code == 2
    assert "no framework 'owasp_lm'; did you mean 'owasp_llm'?" in res.output


def test_list_filters_by_framework(kdir: Path) -> None:
    out = run("kb", "list", "--framework", "demo", "-k", str(kdir))
    assert [line.split()[0] for line in out.splitlines()] == [
        "direct-prompt-injection",
        "greeting-hijack",
    ]
    # SAIF is covered through its mapping file only
    saif = run("kb", "list", "--framework", "saif").split()
    assert "model-weight-theft" in saif and "evaluation-manipulation" not in saif
    data = json.loads(run("kb", "list", "--framework", "saif", "-f", "json"))
    theft = next(e for e in data if e["id"] == "model-weight-theft")
    assert theft["mapped"] == {"saif": ["MXF"]}
    assert "saif" not in theft["references"]


def test_show_prints_reference_names_steps_and_marks_mappings(kdir: Path) -> None:
    out = run("kb", "show", "indirect-prompt-injection")
    assert re.search(r"^  atlas +AML\.T0051\.001 +Indirect +\(plant\)$", out, re.M)
    assert re.search(r"^  owasp_llm +LLM01 +Prompt Injection +\(plant\)$", out, re.M)
    assert re.search(r"^  saif +PIJ +Prompt Injection +\(mapped\)$", out, re.M)
    # a conditional reference, under the condition that shows it
    memory = out.index("references when the chain has a step: component memory:\n")
    assert re.match(
        r"  atlas +AML\.T0080 +AI Agent Context Poisoning +\(route\)\n"
        r"  atlas +AML\.T0080\.000 +Memory +\(route\)\n",
        out[memory:].split("\n", 1)[1],
    )
    out = run("kb", "show", "greeting-hijack", "-k", str(kdir))
    assert re.search(
        r"^references:\n  demo +D1 +Greetings +\(type\)\n"
        r"  owasp_llm +LLM01 +Prompt Injection +\(type\)\n  demo +D2 +Farewells +\(mapped\)\n",
        out,
        re.M,
    )


def test_a_bad_reference_stops_every_kb_command_with_exit_3(kdir: Path) -> None:
    path = kdir / "attacks" / "greeting-hijack.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[D1]", "[D4]"), encoding="utf-8")
    for args in (["kb", "coverage"], ["kb", "list"], ["kb", "show", "greeting-hijack"]):
        res = runner.invoke(app, [*args, "-k", str(kdir)])
        assert res.exit_code == 3
        assert f"{path}:14:" in res.output
        assert "error[unknown-reference]: greeting-hijack: 'D4' is not an item of" in res.output
        assert "valid demo ids: D1, D2, D3" in res.output
