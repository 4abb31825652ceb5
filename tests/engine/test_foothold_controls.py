"""A control never makes a threat the foothold rule dropped appear (engine/footholds.py).

Found by the property test of test_properties.py: a model whose agent runs code on a training
node (tool t0) and, sandboxed, on the node serving another model (tool t1). Code on the
training node reaches that model's weights only through the agent and t1; the replication of
that model was dropped as a restatement of the training node's foothold, and blocking t1 made
it appear. A closure from one foothold alone now runs no tool's code anywhere (what code on
one node gives by itself), and a threat restates a node's foothold only when it does not close
without that very foothold.
"""

from __future__ import annotations

from typing import Any

import actm
from actm.knowledge.attacks import builtin_knowledge
from strategies import build

KB = builtin_knowledge()

SPEC: dict[str, Any] = {
    "calls": [
        ("owner", ("us",), {"first_party": True}),
        ("owner", ("vendor",), {}),
        ("node", ("n0",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n1",), {"kind": "service", "pipeline": "deployment", "owner": None}),
        ("node", ("n2",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n3",), {"kind": "service", "pipeline": "development", "owner": None}),
        (
            "asset",
            ("a0",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a1",),
            {
                "type": "credential",
                "resides": [{"node": "n0", "mode": "stored"}],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a2",),
            {
                "type": "credential",
                "resides": [{"node": "n0", "mode": "stored"}],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a3",),
            {
                "type": "credential",
                "resides": [{"node": "n0", "mode": "stored"}],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "tool",
            ("t0",),
            {
                "read": ["a0"],
                "write": ["a0", "a1"],
                "execute": ["n1"],
                "egress": [],
                "constrained": False,
                "human_approval": False,
                "sandbox": False,
                "untrusted_results": [],
            },
        ),
        (
            "tool",
            ("t1",),
            {
                "read": ["a0"],
                "write": ["a0"],
                "execute": ["n2"],
                "egress": [],
                "constrained": True,
                "human_approval": False,
                "sandbox": True,
                "untrusted_results": [],
            },
        ),
        (
            "tool",
            ("t2",),
            {
                "read": ["a0", "a1"],
                "write": [],
                "execute": [],
                "egress": [],
                "constrained": False,
                "human_approval": False,
                "sandbox": True,
                "untrusted_results": [],
            },
        ),
        (
            "model",
            ("m0",),
            {
                "kind": "embedding",
                "exposure": "public",
                "exposes": ["outputs"],
                "deployed_on": [],
                "trained_on": [],
                "tools": [],
                "features": ["context_compression", "streaming"],
                "owner": None,
                "identity": None,
            },
        ),
        (
            "model",
            ("m1",),
            {
                "kind": "llm",
                "exposure": "public",
                "exposes": ["outputs"],
                "deployed_on": ["n0"],
                "trained_on": ["n1"],
                "tools": ["t0", "t1", "t2"],
                "features": [],
                "owner": None,
                "identity": None,
            },
        ),
        (
            "model",
            ("m2",),
            {
                "kind": "classifier",
                "exposure": "public",
                "exposes": ["outputs"],
                "deployed_on": ["n2"],
                "trained_on": ["n1"],
                "tools": [],
                "features": ["rate_limited", "streaming"],
                "owner": None,
                "identity": None,
            },
        ),
        (
            "model",
            ("m3",),
            {
                "kind": "embedding",
                "exposure": "public",
                "exposes": ["outputs"],
                "deployed_on": ["n3"],
                "trained_on": [],
                "tools": [],
                "features": ["long_term_memory"],
                "owner": "vendor",
                "identity": None,
            },
        ),
        ("relation", ("feeds", "a0", "m1.inputs.retrieved_context"), {}),
        ("relation", ("feeds", "a1", "m1.inputs.retrieved_context"), {}),
        ("relation", ("feeds", "a2", "m1.inputs.retrieved_context"), {}),
        ("vulnerability", ("v0",), {"cls": "insecure_deserialization", "node": "n3"}),
        ("vulnerability", ("v1",), {"cls": "cleartext_transport", "node": "n1"}),
        ("vulnerability", ("v2",), {"cls": "write_access", "node": "n1"}),
        ("vulnerability", ("scraped",), {"cls": "unvetted_data", "asset": "m0.dataset"}),
        (
            "assumption",
            ("as0",),
            {
                "producer": "vendor",
                "asset": "m1.model_parameters",
                "capability": "make_limited_changes",
                "status": "unjustified",
            },
        ),
    ],
    "nodes": ["n0", "n1", "n2", "n3"],
    "assets": ["a0", "a1", "a2", "a3"],
    "tools": ["t0", "t1", "t2"],
    "models": ["m0", "m1", "m2", "m3"],
}


def _result(extra: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> Any:
    model = build(SPEC, extra).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    return actm.analyze(model, knowledge=KB)


def test_blocking_a_tool_adds_no_threat_the_foothold_rule_had_dropped() -> None:
    before = _result([])
    after = _result([("control", ("extra-control",), {"blocks": ["t1"]})])
    ids_before = {t.id for t in before.threats}
    ids_after = {t.id for t in after.threats}
    assert ids_after <= ids_before, sorted(ids_after - ids_before)
    # the replication of m2 closes through the training node's foothold, which does not give
    # m2's weights by itself: it is a threat of its own, before and after
    assert "model-replication@m2" in ids_before
    assert "model-replication@m2" in ids_after
    assert sorted(ids_before - ids_after) == [
        "insecure-integrated-component@m2",
        "model-weight-theft@m2",
    ]
