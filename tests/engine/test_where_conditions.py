"""The ``where`` conditions and requirement options that agentic entries rely on.

Each test loads a small probe pattern from a temporary knowledge directory and checks on which
bindings it closes, so the condition is tested apart from any built-in entry.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import actm
from actm.errors import KnowledgeError
from actm.knowledge.attacks import load_knowledge

PROBE = """
id: probe
title: Probe pattern
description: >
  A pattern used only by this test to find out where a where-condition lets a requirement bind.
likelihood: high
key: {key}
steps:
  - id: probe
    requires:
{requires}
impact: {impact}
references:
  owasp_llm: [LLM01]
"""


def probe(tmp_path: Path, requires: str, key: str, impact: str, model: str) -> list[str]:
    """Threat ids of the probe pattern in ``model``."""
    body = textwrap.indent(textwrap.dedent(requires).strip(), " " * 6)
    text = PROBE.format(requires=body, key=key, impact=impact)
    (tmp_path / "attacks").mkdir(exist_ok=True)
    (tmp_path / "attacks" / "probe.yaml").write_text(text.lstrip(), encoding="utf-8")
    kb = load_knowledge([tmp_path])
    result = actm.analyze(actm.load_model_text(textwrap.dedent(model), knowledge=kb), knowledge=kb)
    return sorted(t.id for t in result.threats if t.attack == "probe")


# -- whole: true ---------------------------------------------------------------------------


def _whole_model(vulnerability: str, credential: bool) -> str:
    cred = "credential: token, " if credential else ""
    return f"""
    actm: 1
    system: {{id: w}}
    nodes:
      - {{id: mcp, kind: mcp_server}}
      - {{id: box, kind: host}}
    models:
      - {{id: bot, kind: agent, tools: [lookup]}}
    assets:
      - {{id: token, type: credential, resides: [{{node: box}}]}}
    tools:
      - {{id: lookup, {cred}node: mcp}}
    vulnerabilities:
      - {{id: v1, class: {vulnerability}, node: box}}
      - {{id: v2, class: {vulnerability}, node: mcp}}
    controls:
      - {{id: off, removes: [v2]}}
    """


@pytest.mark.parametrize(
    ("whole", "vulnerability", "credential", "expected"),
    [
        # a stolen credential drives the tool's inputs: make_limited_changes on a *part* of it
        (False, "read_access", True, ["probe@lookup"]),
        (True, "read_access", True, []),
        # a vulnerability on the tool's own node reaches the tool as a whole
        (True, "rce", False, []),  # removed by a control: nothing
    ],
)
def test_whole_refuses_capabilities_lifted_from_a_component(
    tmp_path: Path, whole: bool, vulnerability: str, credential: bool, expected: list[str]
) -> None:
    requires = f"""
    - {{var: t, asset: tool, capability: make_limited_changes, whole: {str(whole).lower()}}}
    """
    model = _whole_model(vulnerability, credential)
    assert probe(tmp_path, requires, "[t]", "{var: t, class: integrity}", model) == expected


def test_whole_accepts_a_grant_on_the_whole_asset(tmp_path: Path) -> None:
    requires = "- {var: t, asset: tool, capability: make_limited_changes, whole: true}"
    model = _whole_model("rce", False).replace("removes: [v2]", "removes: [v1]")
    assert probe(tmp_path, requires, "[t]", "{var: t, class: integrity}", model) == ["probe@lookup"]


# -- node_vulnerability and node_kind ----------------------------------------------------------

NODES = """
actm: 1
system: {id: n}
nodes:
  - {id: mcp, kind: mcp_server}
  - {id: ui, kind: browser}
  - {id: api, kind: service}
models:
  - id: bot
    kind: agent
    tools: [open, shut]
    deployed_on: [api]
    assets:
      outputs: {resides: [{node: ui, mode: processed}]}
  - {id: other, kind: llm, deployed_on: [api]}
assets:
  - {id: a1, type: data, resides: [{node: mcp}]}
  - {id: a2, type: data, resides: [{node: mcp}]}
tools:
  - {id: open, node: mcp}
  - {id: shut, node: api}
vulnerabilities:
  - {id: no-auth, class: missing_authentication, node: mcp, assets: [open, a1]}
"""


NO_AUTH = """
- var: x
  asset: [tool, data]
  capability: partially_inspect
  where: {node_vulnerability: [missing_authentication]}
"""


def test_node_vulnerability_follows_residency_and_the_assets_filter(tmp_path: Path) -> None:
    # open and a1 are reached; a2 sits on the same node but the vulnerability names other assets
    assert probe(tmp_path, NO_AUTH, "[x]", "{var: x, class: confidentiality}", NODES) == [
        "probe@a1",
        "probe@open",
    ]


def test_node_vulnerability_ignores_a_removed_vulnerability(tmp_path: Path) -> None:
    model = NODES + "controls:\n  - {id: fixed, removes: [no-auth]}\n"
    assert probe(tmp_path, NO_AUTH, "[x]", "{var: x, class: confidentiality}", model) == []


def test_node_kind_on_a_model_reads_where_that_asset_resides(tmp_path: Path) -> None:
    requires = """
    - {var: m, asset: outputs, capability: influence, where: {node_kind: [browser]}}
    """
    model = NODES + (
        "adversaries:\n  - id: insider\n    holds:\n"
        "      - {asset: bot.outputs, capability: influence}\n"
        "      - {asset: other.outputs, capability: influence}\n"
    )
    impact = "{var: m, asset: outputs, class: integrity}"
    # bot's outputs are rendered in a browser; other's outputs stay on the service
    assert probe(tmp_path, requires, "[m]", impact, model) == ["probe@bot"]


# -- relations to another variable -------------------------------------------------------------

RELATED = """
actm: 1
system: {id: r}
nodes:
  - {id: laptop, kind: workstation}
  - {id: srv, kind: host}
models:
  - id: bot
    kind: agent
    tools: [read_a, write_b]
    assets:
      outputs: {resides: [{node: laptop, mode: processed}]}
  - {id: peer, kind: agent, tools: [read_c]}
assets:
  - {id: cfg, type: configuration}
  - {id: key, type: credential, part_of: cfg, resides: [{node: laptop}]}
  - {id: loose, type: credential, resides: [{node: srv}]}
  - {id: answers, type: data}
  - {id: questions, type: data}
  - {id: a, type: data}
  - {id: b, type: data}
  - {id: c, type: data}
  - {id: corpus, type: document_store}
relations:
  - {kind: derives, from: bot.outputs, to: answers, process: feedback}
  - {kind: derives, from: bot.inputs, to: questions, process: feedback}
  - {kind: feeds, from: corpus, to: bot.inputs.retrieved_context}
tools:
  - {id: read_a, permissions: {read: [a]}}
  - {id: write_b, permissions: {write: [b]}}
  - {id: read_c, permissions: {read: [c]}}
adversaries:
  - id: insider
    holds:
      - {asset: bot.outputs, capability: influence}
      - {asset: peer.outputs, capability: influence}
"""


@pytest.mark.parametrize(
    ("condition", "types", "expected"),
    [
        # derives from the model's outputs, not from its inputs
        ("derived_from: m", "[data]", ["probe@bot@answers"]),
        # declared part of another asset (bound by a second requirement)
        ("part_of: y", "[credential]", ["probe@bot@key"]),
        # resides where the model's assets reside
        ("shares_node_with: m", "[credential, data]", ["probe@bot@key"]),
        # enters the model's context: read by one of its tools, or fed into its inputs
        ("read_into: m", "[data, document_store]", ["probe@bot@a", "probe@bot@corpus"]),
    ],
)
def test_relations_to_another_variable(
    tmp_path: Path, condition: str, types: str, expected: list[str]
) -> None:
    requires = f"""
    - {{var: m, asset: outputs, capability: influence, where: {{kind: [agent]}}}}
    - {{var: y, asset: configuration}}
    - {{var: x, asset: {types}, where: {{{condition}}}}}
    """
    model = RELATED.replace("  - {id: peer, kind: agent, tools: [read_c]}\n", "")
    model = model.replace("      - {asset: peer.outputs, capability: influence}\n", "")
    model = model.replace("  - {id: read_c, permissions: {read: [c]}}\n", "")
    found = probe(tmp_path, requires, "[m, x]", "{var: m, asset: outputs, class: integrity}", model)
    assert found == expected


def test_not_used_by(tmp_path: Path) -> None:
    requires = """
    - {var: m, asset: outputs, capability: influence, where: {kind: [agent]}}
    - {var: t, asset: tool, component: inputs, where: {not_used_by: m}}
    """
    found = probe(
        tmp_path, requires, "[m, t]", "{var: m, asset: outputs, class: integrity}", RELATED
    )
    # each agent pairs with the tools the other one holds
    assert found == ["probe@bot@read_c", "probe@peer@read_a", "probe@peer@write_b"]
    # blocking one of bot's tools does not make it a tool bot lacks: controls never add threats
    blocked = RELATED + "controls:\n  - {id: off, blocks: [read_a]}\n"
    again = probe(
        tmp_path, requires, "[m, t]", "{var: m, asset: outputs, class: integrity}", blocked
    )
    assert again == found  # in particular, no probe@bot@read_a


@pytest.mark.parametrize(
    ("requires", "code"),
    [
        (
            "- {var: t, asset: tool, capability: influence, where: {node_vulnerability: [rcee]}}",
            "unknown-vulnerability-class",
        ),
        (
            "- {var: t, asset: tool, component: inputs, capability: influence, whole: true}",
            "whole-with-component",
        ),
        (
            "- {var: t, asset: tool, capability: influence}\n"
            "- {var: u, asset: tool, capability: influence, where: {not_used_by: t}}",
            "wrong-variable",
        ),
    ],
)
def test_bad_conditions_are_refused(tmp_path: Path, requires: str, code: str) -> None:
    with pytest.raises(KnowledgeError) as err:
        probe(tmp_path, requires, "[t]", "{var: t, class: integrity}", "actm: 1\nsystem: {id: x}\n")
    assert code in {d.code for d in err.value.diagnostics}
