"""diff_results, exactly: which threats are new, resolved or changed, in what order, what the
gate counts as worse, and the assumption and crossing changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import actm
from actm.results.diff import AssumptionChange, Change, Diff, ThreatRef, diff_results
from actm.results.model import AssumptionReport, Crossing, Result, Threat, TriageInfo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base() -> Result:
    return actm.analyze(actm.load_model(ROOT / "examples" / "customer-support-rag.yaml"))


def _triage(status: str, expired: bool = False) -> TriageInfo:
    return TriageInfo(
        "*",
        status,
        "why",
        None,
        None,
        None,
        expired,
        not expired
        and status
        in {
            "accepted",
            "mitigated",
        },
    )


def _threat(
    template: Threat,
    tid: str,
    level: str,
    score: float,
    chain: str = "chain",
    triage: TriageInfo | None = None,
    title: str = "",
) -> Threat:
    severity = replace(template.severity, level=level, score=score)
    return replace(
        template,
        id=tid,
        title=title or f"title of {tid}",
        severity=severity,
        chain_text=chain,
        triage=triage,
    )


def _assumption(
    template: AssumptionReport, aid: str, capability: str, status: str
) -> AssumptionReport:
    return replace(template, id=aid, capability=capability, status=status)


X_OLD = Crossing("app", "internet", "feeds", "kb-retrieval")
X_KEPT = Crossing("app", "internet", "tool_egress", "send_email")
X_NEW_B = Crossing("app", "partner", "tool_egress", "send_email")
X_NEW_A = Crossing("app", "backup", "tool_egress", "send_email")
X_NEW_C = Crossing("app", "backup", "feeds", "kb-retrieval")


@pytest.fixture(scope="module")
def sides(base: Result) -> tuple[Result, Result]:
    t = base.threats[0]
    a = base.assumptions[0]
    accepted = _triage("accepted")
    old = replace(
        base,
        system=replace(base.system, id="old-system"),
        threats=(
            _threat(t, "same", "high", 7.0),
            _threat(t, "score", "high", 7.0),
            _threat(t, "level", "medium", 6.0),
            _threat(t, "chain", "low", 3.0, chain="before"),
            _threat(t, "rose", "medium", 5.0),
            _threat(t, "rose-low", "low", 2.0),
            _threat(t, "fell", "critical", 9.0),
            _threat(t, "rose-settled", "medium", 5.0),
            _threat(t, "gone-low", "low", 2.0, triage=accepted),
            _threat(t, "gone-medium", "medium", 5.0),
        ),
        assumptions=(
            _assumption(a, "a-both", "none", "justified"),
            _assumption(a, "a-capability", "none", "justified"),
            _assumption(a, "a-gone", "inspect", "unjustified"),
            _assumption(a, "a-same", "none", "justified"),
            _assumption(a, "a-status", "none", "justified"),
        ),
        crossings=(X_OLD, X_KEPT),
        triage_unmatched=(),
    )
    new = replace(
        base,
        system=replace(base.system, id="new-system"),
        threats=(
            _threat(t, "same", "high", 7.0),
            _threat(t, "score", "high", 7.5, title="new title"),
            _threat(t, "level", "high", 6.0),
            _threat(t, "chain", "low", 3.0, chain="after"),
            _threat(t, "rose", "high", 7.0),
            _threat(t, "rose-low", "medium", 4.0),
            _threat(t, "fell", "high", 8.0),
            _threat(t, "rose-settled", "critical", 9.5, triage=accepted),
            _threat(t, "new-high-b", "high", 7.0),
            _threat(t, "new-high-a", "high", 7.0),
            _threat(t, "new-high-top", "high", 8.9),
            _threat(t, "new-critical", "critical", 9.0),
            _threat(t, "new-settled", "critical", 9.9, triage=accepted),
            _threat(t, "new-expired", "high", 7.0, triage=_triage("accepted", expired=True)),
            _threat(t, "new-medium", "medium", 6.9),
        ),
        assumptions=(
            _assumption(a, "a-both", "inspect", "unjustified"),
            _assumption(a, "a-capability", "inspect", "justified"),
            _assumption(a, "a-new", "make_limited_changes", "justified"),
            _assumption(a, "a-same", "none", "justified"),
            _assumption(a, "a-status", "none", "unjustified"),
        ),
        crossings=(X_NEW_B, X_KEPT, X_NEW_C, X_NEW_A),
    )
    return old, new


@pytest.fixture
def diff(sides: tuple[Result, Result]) -> Diff:
    # made again for each test (it is quick): mutmut runs, for a mutant, only the tests seen to
    # call the mutated function, and a module-wide fixture calls it in the first test alone
    return diff_results(*sides)


def test_systems_and_unmatched_triage_come_from_each_side(
    sides: tuple[Result, Result], diff: Diff
) -> None:
    assert (diff.old_system, diff.new_system) == ("old-system", "new-system")
    assert diff.triage_unmatched == sides[1].triage_unmatched
    assert diff_results(sides[1], sides[0]).triage_unmatched == ()


def test_new_threats_most_severe_first_then_by_score_then_id(diff: Diff) -> None:
    assert [(r.id, r.severity, r.score) for r in diff.new_threats] == [
        ("new-settled", "critical", 9.9),
        ("new-critical", "critical", 9.0),
        ("new-high-top", "high", 8.9),
        ("new-expired", "high", 7.0),
        ("new-high-a", "high", 7.0),
        ("new-high-b", "high", 7.0),
        ("new-medium", "medium", 6.9),
    ]
    assert diff.new_threats[0] == ThreatRef(
        "new-settled", "title of new-settled", "critical", 9.9, "chain", _triage("accepted")
    )


def test_resolved_threats_keep_what_they_were(diff: Diff) -> None:
    assert diff.resolved_threats == (
        ThreatRef("gone-medium", "title of gone-medium", "medium", 5.0, "chain", None),
        ThreatRef("gone-low", "title of gone-low", "low", 2.0, "chain", _triage("accepted")),
    )


def test_changed_threats_exactly_most_severe_now_first(diff: Diff) -> None:
    assert diff.changed_threats == (
        Change(
            "rose-settled",
            "title of rose-settled",
            "medium",
            "critical",
            5.0,
            9.5,
            False,
            "chain",
            "chain",
            _triage("accepted"),
        ),
        Change("fell", "title of fell", "critical", "high", 9.0, 8.0, False, "chain", "chain"),
        Change("score", "new title", "high", "high", 7.0, 7.5, False, "chain", "chain"),
        Change("rose", "title of rose", "medium", "high", 5.0, 7.0, False, "chain", "chain"),
        Change("level", "title of level", "medium", "high", 6.0, 6.0, False, "chain", "chain"),
        Change("rose-low", "title of rose-low", "low", "medium", 2.0, 4.0, False, "chain", "chain"),
        Change("chain", "title of chain", "low", "low", 3.0, 3.0, True, "before", "after"),
    )
    assert [c.settled for c in diff.changed_threats] == [True, *[False] * 6]


def test_what_the_gate_counts_as_worse(diff: Diff) -> None:
    # new at or above the level, or rose to it; settled ones and ones that fell are left out
    assert diff.worsened_at_or_above("high") == [
        "level",
        "new-critical",
        "new-expired",
        "new-high-a",
        "new-high-b",
        "new-high-top",
        "rose",
    ]
    assert diff.worsened_at_or_above("critical") == ["new-critical"]
    assert diff.worsened_at_or_above("medium") == [
        "level",
        "new-critical",
        "new-expired",
        "new-high-a",
        "new-high-b",
        "new-high-top",
        "new-medium",
        "rose",
        "rose-low",
    ]


def test_assumption_changes_exactly(diff: Diff) -> None:
    assert diff.assumptions == (
        AssumptionChange("a-both", "capability", "none", "inspect"),
        AssumptionChange("a-both", "status", "justified", "unjustified"),
        AssumptionChange("a-capability", "capability", "none", "inspect"),
        AssumptionChange("a-gone", "removed", "inspect (unjustified)", None),
        AssumptionChange("a-new", "new", None, "make_limited_changes (justified)"),
        AssumptionChange("a-status", "status", "justified", "unjustified"),
    )


def test_crossings_new_and_removed_in_order(diff: Diff) -> None:
    assert diff.new_crossings == (X_NEW_C, X_NEW_A, X_NEW_B)
    assert diff.removed_crossings == (X_OLD,)
