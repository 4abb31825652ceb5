"""The planner reasons about the threats a user sees: a route the noise rules discard is not
one it has to break (found by ``test_plan_matches_brute_force``, shrunk)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from actm.engine.runs import threats as run_threats
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.model.system import SystemModel
from actm.plan import make_plan
from actm.plan.candidates import Candidate, candidates_for
from actm.results.build import build_threats
from strategies import build

THREAT = "model-reverse-engineering@a3"
HARDENING = "model-hardening:scraped"

# model m0's dataset is scraped (an AI weakness an insider uses to reach a3 through m0's
# tool); a3 also resides on n1, which the third party ``vendor`` operates
SPEC: dict[str, Any] = {
    "calls": [
        ("owner", ("us",), {"first_party": True}),
        ("owner", ("vendor",), {}),
        ("node", ("n0",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n1",), {"kind": "service", "pipeline": "development", "owner": "vendor"}),
        ("node", ("n2",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n3",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n4",), {"kind": "service", "pipeline": "development", "owner": None}),
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
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a3",),
            {
                "type": "model_artifact",
                "resides": [{"node": "n0", "mode": "stored"}, {"node": "n1", "mode": "stored"}],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a4",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "tool",
            ("t0",),
            {
                "read": [],
                "write": ["a0"],
                "execute": ["n0"],
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
                "read": [],
                "write": ["a0"],
                "execute": ["n0"],
                "egress": [],
                "constrained": False,
                "human_approval": True,
                "sandbox": False,
                "untrusted_results": [],
            },
        ),
        (
            "model",
            ("m0",),
            {
                "kind": "llm",
                "exposure": "internal",
                "exposes": ["outputs", "output_details"],
                "deployed_on": [],
                "trained_on": [],
                "tools": ["t1"],
                "features": [],
                "owner": None,
                "identity": None,
            },
        ),
        ("vulnerability", ("scraped",), {"cls": "unvetted_data", "asset": "m0.dataset"}),
    ],
    "nodes": ["n0", "n1", "n2", "n3", "n4"],
    "assets": ["a0", "a1", "a2", "a3", "a4"],
    "tools": ["t0", "t1"],
    "models": ["m0"],
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return builtin_knowledge()


@pytest.fixture(scope="module")
def model() -> SystemModel:
    return build(SPEC).build()


@pytest.fixture(scope="module")
def cands(model: SystemModel, kb: KnowledgeBase) -> list[Candidate]:
    base = build_threats(run_threats(model, kb))
    return candidates_for(model, kb.controls, list(base))


def _with(model: SystemModel, chosen: list[Candidate]) -> SystemModel:
    return replace(model, controls=model.controls + tuple(c.control for c in chosen))


def _reported(model: SystemModel, kb: KnowledgeBase, chosen: list[Candidate]) -> set[str]:
    return {t.id for t in build_threats(run_threats(_with(model, chosen), kb))}


def _pick(cands: list[Candidate], cid: str) -> Candidate:
    return next(c for c in cands if c.id == cid)


def test_the_shown_chain_is_the_owners_route(model: SystemModel, kb: KnowledgeBase) -> None:
    readout = run_threats(model, kb)
    (t,) = [t for t in build_threats(readout) if t.id == THREAT]
    assert [r.adversary for r in t.routes] == ["insider", "operator:vendor"]
    assert t.chain_text == "vendor operates n1: inspect on a3"
    assert THREAT in readout.noise_chains


def test_hardening_leaves_only_the_discarded_route(
    model: SystemModel, kb: KnowledgeBase, cands: list[Candidate]
) -> None:
    readout = run_threats(_with(model, [_pick(cands, HARDENING)]), kb)
    assert (THREAT, "operator_holds") in readout.dropped
    assert THREAT not in {t.id for t in readout.threats}


def test_the_planner_removes_it(
    model: SystemModel, kb: KnowledgeBase, cands: list[Candidate]
) -> None:
    hardening = replace(_pick(cands, HARDENING), cost=1.0)
    plan = make_plan(model, kb, target="low", candidates=[hardening])
    assert plan.method == "exact"
    assert plan.cost == 1.0
    assert plan.unremovable == ()
    (ctl,) = plan.controls
    assert ctl.id == HARDENING
    assert THREAT in ctl.removes


def test_adding_controls_never_brings_a_threat_back(
    model: SystemModel, kb: KnowledgeBase, cands: list[Candidate]
) -> None:
    """The monotonicity the planner's cores rest on, with the noise rules: what a set of
    controls removes stays removed when more are added (introduced threats aside)."""
    hardening = _pick(cands, HARDENING)
    base = _reported(model, kb, [])
    removed = base - _reported(model, kb, [hardening])
    assert THREAT in removed
    for extra in cands:
        if extra.id == HARDENING:
            continue
        assert not removed & _reported(model, kb, [hardening, extra]), extra.id
