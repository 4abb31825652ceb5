"""The system graph: elements, edges, parents, and which of them a threat's chain touches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import actm
from actm.results.graph import (
    GraphEdge,
    GraphElement,
    chain_elements,
    chain_index,
    system_graph,
)

ROOT = Path(__file__).resolve().parents[2]
MODEL = """
actm: 1
system: {id: g, name: Graph test, owner: acme}
owners:
  - {id: acme, first_party: true}
  - {id: vendor}
zones:
  - {id: app, trust: high, owner: acme}
  - {id: outside, trust: untrusted}
nodes:
  - {id: api, kind: service, zone: app}
  - {id: db, kind: database, zone: app}
  - {id: cache, kind: database, zone: app}
  - {id: llm-host, kind: third_party_api, zone: outside, owner: vendor}
models:
  - id: bot
    kind: agent
    exposure: public
    deployed_on: [llm-host]
    tools: [lookup, mail]
assets:
  - id: records
    type: personal_data
    name: Customer records
    criticality: {confidentiality: critical}
    resides: [{node: db}, {node: cache, mode: processed}]
  - id: docs
    type: document_store
    untrusted_sources: [forum]
    resides: [{node: cache, mode: processed}, {node: api, mode: processed}]
relations:
  - {id: retrieval, kind: feeds, from: docs, to: bot.inputs.retrieved_context}
tools:
  - {id: lookup, node: api, permissions: {read: [records]}}
  - {id: mail, node: api, permissions: {egress: [internet]}}
vulnerabilities:
  - {id: old-db, class: code_execution, node: db, cve: CVE-2024-0001}
"""


def _result() -> actm.Result:
    model = actm.load_model_text(MODEL)
    return actm.analyze(model, today=date(2026, 1, 1))


def test_elements_parents_and_sorting() -> None:
    graph = _result().graph
    by_id = {e.id: e for e in graph.elements}
    kinds = ("zone", "node", "model", "asset", "tool", "adversary", "external")
    assert list(graph.elements) == sorted(graph.elements, key=lambda e: (kinds.index(e.kind), e.id))
    assert [e.id for e in graph.elements if e.kind != "asset"] == [
        "app",
        "outside",
        "api",
        "cache",
        "db",
        "llm-host",
        "bot",
        "lookup",
        "mail",
        "content-author",
        "external-user",
        "third-party",
        "external:internet",
    ]
    # stored beats processed; among processed, the first node by id
    assert by_id["records"] == GraphElement(
        "records", "asset", "personal_data", "Customer records", "db", "app", "deployment", None
    )
    assert by_id["docs"].parent == "api"
    assert by_id["db"] == GraphElement(
        "db", "node", "database", "db", "app", "app", "deployment", "acme", None, ("old-db",)
    )
    assert by_id["bot"].parent == "llm-host"
    assert by_id["bot.inputs"].model == "bot"
    assert by_id["bot.inputs"].zone == "outside"
    assert by_id["bot.dataset"].parent is None  # resides nowhere
    assert by_id["lookup"].parent == "api"
    assert "lookup" not in {e.id for e in graph.elements if e.kind == "asset"}
    assert by_id["external:internet"].label == "internet"


def test_edges_merge_and_are_unique() -> None:
    graph = _result().graph
    ids = [e.id for e in graph.edges]
    assert ids == sorted(set(ids))
    by_id = {e.id: e for e in graph.edges}
    assert by_id["resides:records->cache"] == GraphEdge(
        "resides:records->cache", "resides", "records", "cache", "processed"
    )
    assert by_id["feeds:docs->bot.inputs"] == GraphEdge(
        "feeds:docs->bot.inputs",
        "feeds",
        "docs",
        "bot.inputs",
        "into retrieved_context",
        ("retrieval",),
    )
    for eid in (
        "deployed_on:bot->llm-host",
        "uses_tool:bot->lookup",
        "reads:lookup->records",
        "runs_on:mail->api",
        "egress:mail->external:internet",
        "reaches:external-user->bot.inputs",
        "reaches:content-author->docs",
        "reaches:third-party->llm-host",
        "derives:bot.inputs->bot.outputs",
    ):
        assert eid in by_id, eid
    for e in graph.edges:
        assert e.id == f"{e.kind}:{e.source}->{e.target}"


def test_graph_does_not_depend_on_declaration_order() -> None:
    a = system_graph(actm.load_model_text(MODEL))
    lines = MODEL.splitlines()
    i = lines.index("  - {id: api, kind: service, zone: app}")
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    b = system_graph(actm.load_model_text("\n".join(lines)))
    assert a == b


def test_chain_elements_of_the_exfiltration_threat() -> None:
    result = _result()
    threat = next(t for t in result.threats if t.id == "tool-data-exfiltration@bot@records")
    touched = chain_elements(result.graph, threat)
    assert len(touched) == len(threat.chain)
    assert chain_elements(result.graph, threat, chain_index(result.graph)) == touched
    steps = {s.text: ids for s, ids in zip(threat.chain, touched, strict=True)}
    assert steps["external-user holds make_arbitrary_changes on bot.inputs.user_input"] == (
        "bot.inputs",
        "external-user",
        "reaches:external-user->bot.inputs",
    )
    assert steps["direct-prompt-injection: influence on bot.outputs"] == (
        "bot.outputs",
        "derives:bot.inputs->bot.outputs",
    )
    assert steps["bot calls tool lookup: influence on lookup.inputs"] == (
        "lookup",
        "uses_tool:bot->lookup",
    )
    assert steps["tool-data-exfiltration: inspect on records"] == (
        "records",
        "reads:lookup->records",
    )
    # the exfiltration route: the step through the sending tool also shows where it sends to
    assert steps["bot calls tool mail: influence on mail.inputs"] == (
        "mail",
        "egress:mail->external:internet",
        "uses_tool:bot->mail",
    )
    drawn = {x for ids in touched for x in ids}
    assert "egress:mail->external:internet" in drawn


def test_exfiltration_chains_draw_their_route_in_the_example() -> None:
    result = actm.analyze(
        actm.load_model(ROOT / "examples" / "customer-support-rag.yaml"), today=date(2026, 1, 1)
    )
    threat = next(t for t in result.threats if t.attack == "tool-data-exfiltration")
    drawn = {x for ids in chain_elements(result.graph, threat) for x in ids}
    assert "egress:send_email->internet" in drawn
    # a tool without egress adds none
    disclosure = next(t for t in result.threats if t.attack == "tool-data-disclosure")
    drawn = {x for ids in chain_elements(result.graph, disclosure) for x in ids}
    assert not any(x.startswith("egress:") for x in drawn)


def test_chain_elements_map_vulnerabilities_and_credentials_to_nodes() -> None:
    model = actm.load_model(ROOT / "examples" / "credential-theft.yaml")
    result = actm.analyze(model, today=date(2026, 1, 1))
    threat = next(t for t in result.threats if t.id == "model-weights-tampering@fraud-scorer")
    touched = chain_elements(result.graph, threat)
    assert [s.via for s in threat.chain[:2]] == [
        ("compromised-ci-action",),
        ("registry-push-token",),
    ]
    assert touched[0] == (
        "registry-push-token",
        "ci-runner",
        "resides:registry-push-token->ci-runner",
    )
    assert touched[1][:3] == (
        "model-registry",
        "registry-push-token",
        "grants_access:registry-push-token->model-registry",
    )
