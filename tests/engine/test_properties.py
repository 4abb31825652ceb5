"""Properties of the engine that must hold for every model (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import actm
from actm.knowledge.attacks import builtin_knowledge
from actm.render.json import render_json
from strategies import additions, brought_back, build, controls, system_models

KB = builtin_knowledge()
SETTINGS = settings()


def _analyze(b: Any) -> Any:
    model = b.build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    return actm.analyze(model, knowledge=KB)


def threat_scores(b: Any) -> dict[str, float]:
    return {t.id: t.severity.score for t in _analyze(b).threats}


def threat_ids(b: Any) -> set[str]:
    return set(threat_scores(b))


@SETTINGS
@given(data=st.data(), spec=system_models())
def test_more_vulnerabilities_adversaries_or_assumptions_never_remove_a_threat(
    data: st.DataObject, spec: dict[str, Any]
) -> None:
    before = threat_ids(build(spec))
    extra = data.draw(additions(spec))
    after = threat_ids(build(spec, extra))
    assert before <= after, f"adding {extra} removed {sorted(before - after)}"


@SETTINGS
@given(data=st.data(), spec=system_models())
def test_a_control_never_adds_a_threat_or_raises_a_severity(
    data: st.DataObject, spec: dict[str, Any]
) -> None:
    before_result = _analyze(build(spec))
    before = {t.id: t.severity.score for t in before_result.threats}
    extra = data.draw(controls(spec))
    after = threat_scores(build(spec, extra))
    # the two documented exceptions (docs/noise-rules.md): a threat the `foothold` rule
    # dropped, or a persuasion the agent's own code execution said, comes back when the
    # control takes that foothold or code execution away
    added = sorted(set(after) - set(before) - brought_back(before_result, set(after)))
    assert not added, f"adding {extra} added {added}"
    raised = {i: (before[i], s) for i, s in after.items() if i in before and s > before[i]}
    assert not raised, f"adding {extra} raised severities {raised}"


@settings()
@given(spec=system_models())
def test_the_same_model_gives_byte_identical_json(spec: dict[str, Any]) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    first = render_json(actm.analyze(model, knowledge=KB))
    again = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    assert render_json(actm.analyze(again, knowledge=KB)) == first


def _brute_force_tolerance(model: Any, aid: str, threshold: str) -> str:
    """Tolerance by definition: a full closure per capability level, no shortcuts."""
    from actm.engine.analysis import _severity_level
    from actm.engine.closure import Closure
    from actm.engine.compiled import compile_model
    from actm.engine.severity import level_rank

    c = compile_model(model, KB)
    a = next(x for x in model.assumptions if x.id == aid)
    cls = c.vocab.capability_class[a.capability] if a.capability else "integrity"
    levels = sorted(
        (i for i in range(len(c.caps)) if c.cap_class[i] == cls),
        key=lambda i: -c.vocab.capability_rank[c.caps[i]],
    )
    base = Closure(c)
    base.run({aid: None})
    before = {(m.rule, m.binding) for m in base.matcher.matches}
    tolerance = "none"
    for cap in levels:
        cl = Closure(c)
        cl.run({aid: cap})
        new = [m for m in cl.matcher.matches if (m.rule, m.binding) not in before]
        if any(level_rank(_severity_level(cl, m)) >= level_rank(threshold) for m in new):
            break
        tolerance = c.caps[cap]
    return tolerance


@settings()
@given(spec=system_models(), threshold=st.sampled_from(["low", "medium"]))
def test_assumption_tolerance_matches_a_brute_force_search(
    spec: dict[str, Any], threshold: str
) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    result = actm.analyze(model, knowledge=KB, tolerance_severity=threshold)
    for report in result.assumptions:
        assert report.tolerance == _brute_force_tolerance(model, report.id, threshold), report.id


# A public agent whose weights a vendor may change (a justified assumption) steers its own
# code-running tool onto the node it is trained on: the weights read there are an accepted
# risk. A write-access weakness on that node adds a route that is not accepted; both routes go
# through the code execution on the node, so the theft restates that foothold whether or not
# the weakness is declared. Found by the monotonicity property (more evidence never removes a
# threat): the foothold rule used to spare accepted threats only, so the weakness turned the
# accepted theft into a dropped one.
_BARE_LLM: dict[str, Any] = {
    "deployed_on": [],
    "exposes": ["outputs"],
    "exposure": "public",
    "features": [],
    "identity": None,
    "kind": "llm",
    "owner": None,
    "tools": [],
    "trained_on": [],
}
_ACCEPTED_FOOTHOLD = {
    "calls": [
        ("owner", ("us",), {"first_party": True}),
        ("owner", ("vendor",), {}),
        ("node", ("n0",), {"kind": "service", "owner": None, "pipeline": "development"}),
        (
            "asset",
            ("a0",),
            {
                "criticality": {"confidentiality": "low", "integrity": "low"},
                "resides": [],
                "type": "credential",
                "untrusted_sources": [],
            },
        ),
        (
            "asset",
            ("a1",),
            {
                "criticality": {"confidentiality": "low", "integrity": "low"},
                "resides": [],
                "type": "credential",
                "untrusted_sources": [],
            },
        ),
        (
            "tool",
            ("t0",),
            {
                "constrained": False,
                "egress": [],
                "execute": [],
                "human_approval": False,
                "read": [],
                "sandbox": False,
                "untrusted_results": [],
                "write": [],
            },
        ),
        (
            "tool",
            ("t1",),
            {
                "constrained": False,
                "egress": [],
                "execute": ["n0"],
                "human_approval": True,
                "read": [],
                "sandbox": False,
                "untrusted_results": [],
                "write": [],
            },
        ),
        (
            "asset",
            ("cred0",),
            {
                "grants_access": [],
                "resides": [{"mode": "stored", "node": "n0"}],
                "type": "credential",
            },
        ),
        (
            "model",
            ("m0",),
            {**_BARE_LLM, "tools": ["t1"], "trained_on": ["n0"]},
        ),
        *(("model", (f"m{i}",), dict(_BARE_LLM)) for i in (1, 2, 3)),
        (
            "assumption",
            ("as0",),
            {
                "asset": "m0.model_parameters",
                "capability": "contribute",
                "producer": "vendor",
                "status": "justified",
            },
        ),
    ],
    "nodes": ["n0"],
    "assets": ["a0", "a1"],
    "tools": ["t0", "t1"],
    "models": ["m0", "m1", "m2", "m3"],
}


def test_a_declared_weakness_never_removes_a_threat_that_restates_a_foothold() -> None:
    extra = [("vulnerability", ("extra-v",), {"cls": "write_access", "node": "n0"})]
    before = threat_ids(build(_ACCEPTED_FOOTHOLD))
    after = threat_ids(build(_ACCEPTED_FOOTHOLD, extra))
    assert before <= after
    assert "model-weight-theft@m0" not in after
