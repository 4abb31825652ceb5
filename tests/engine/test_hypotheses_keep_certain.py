"""Turning hypotheses on never changes a threat the run finds without a posited weakness: its
score, routes, rests-on and chain are those of the run with hypotheses off. Hypotheses only add
threats, marked hypothetical. (The route and needs reruns once admitted the posited weaknesses
from the start, so a certain threat could be attributed a route through one and lose an
assumption that route avoids: its score rose.)"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import actm
from actm.knowledge.attacks import builtin_knowledge
from actm.model.system import SystemModel
from strategies import build, system_models

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    [*(ROOT / "examples").glob("*.yaml"), *(ROOT / "examples/atlas-case-studies").glob("*.yaml")]
)
KB = builtin_knowledge()

Seen = tuple[float, tuple[tuple[str, int, tuple[str, ...]], ...], tuple[str, ...], str]


def _threats(model: SystemModel) -> dict[str, tuple[bool, Seen]]:
    """Threat id -> (hypothetical, (score, routes, rests-on, chain))."""
    return {
        t.id: (
            t.hypothetical,
            (
                t.severity.score,
                tuple((r.adversary, r.steps, tuple(r.unjustified_assumptions)) for r in t.routes),
                tuple(t.rests_on),
                t.chain_text,
            ),
        )
        for t in actm.analyze(model, knowledge=KB).threats
    }


def _changed(model: SystemModel) -> dict[str, tuple[Seen | None, Seen]]:
    """The threats that are not hypothetical with hypotheses on and are not as they are with
    hypotheses off: id -> (off, on)."""
    off = {tid: seen for tid, (_hyp, seen) in _threats(model).items()}
    on = _threats(replace(model, hypotheses=True))
    return {
        tid: (off.get(tid), seen)
        for tid, (hyp, seen) in on.items()
        if not hyp and off.get(tid) != seen
    }


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_hypotheses_leave_every_certain_threat_of_an_example_as_it_was(path: Path) -> None:
    assert _changed(actm.load_model(path, knowledge=KB)) == {}


@settings(max_examples=15, deadline=None)
@given(spec=system_models())
def test_hypotheses_leave_every_certain_threat_of_a_generated_model_as_it_was(
    spec: dict[str, Any],
) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    assert _changed(model) == {}


def test_a_route_through_a_posited_weakness_does_not_lift_a_certain_threat() -> None:
    """With hypotheses on, an internet attacker could change search_docs's definition in one
    step through a posited weakness, without the docs vendor's definitions being trusted; the
    threat is certain (the vendor reaches it), so it keeps the vendor's route, rests on that
    assumption and scores 1.3, as with hypotheses off (it was 1.6)."""
    model = actm.load_model(ROOT / "examples" / "coding-assistant.yaml", knowledge=KB)
    result = actm.analyze(replace(model, hypotheses=True), knowledge=KB)
    threat = next(t for t in result.threats if t.id == "tool-rug-pull@search_docs")
    assert not threat.hypothetical
    assert threat.severity.score == 1.3
    assert threat.rests_on == ("docs-mcp-definitions",)
    assert [(r.adversary, r.steps, r.unjustified_assumptions) for r in threat.routes] == [
        ("supplier:docs-vendor", 1, ("docs-mcp-definitions",))
    ]
