"""A heuristic plan's controls swapped for one cheaper candidate that does their work."""

from __future__ import annotations

import importlib
import json
from collections import Counter

import pytest

import actm
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.plan import make_plan
from actm.terms import level_rank
from hub_models import tool_hub

SEARCH = importlib.import_module("actm.plan.search")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return builtin_knowledge()


def test_the_swap_that_saves_most_replaces_the_controls_whose_every_core_holds_it() -> None:
    # plan {0, 1, 2}; candidate 3 is in every core of 0 and of 1, candidate 4 in those of 2
    cores = [frozenset({0, 3}), frozenset({1, 3, 5}), frozenset({0, 1, 3}), frozenset({2, 4})]
    costs = [2.0, 2.0, 5.0, 3.0, 1.0, 0.5]
    plan = frozenset({0, 1, 2})
    # 3 saves 2 + 2 - 3 = 1, 4 saves 5 - 1 = 4: the larger saving first
    assert SEARCH._cheapest_swap(cores, plan, costs, set()) == (4, frozenset({2}))
    tried = {frozenset({0, 1, 4})}
    assert SEARCH._cheapest_swap(cores, plan, costs, tried) == (3, frozenset({0, 1}))
    # 5 is in one core of 1 only; a swap that saves nothing is none
    assert SEARCH._cheapest_swap(cores, plan, costs, tried | {frozenset({2, 3})}) is None
    assert SEARCH._cheapest_swap(cores, plan, [2.0, 2.0, 5.0, 9.0, 9.0, 0.5], set()) is None


def _left(text: str, controls: list[dict[str, object]], kb: KnowledgeBase) -> list[str]:
    """The threats at or above low left once ``controls`` are implemented in the model."""
    lines = [text, "controls:"]
    lines += [f"  - {json.dumps({**c, 'status': 'implemented'})}" for c in controls]
    result = actm.analyze(actm.load_model_text("\n".join(lines) + "\n", knowledge=kb))
    return [t.id for t in result.threats if level_rank(t.severity.level) >= level_rank("low")]


def test_a_hub_plan_takes_one_approval_per_tool_instead_of_a_scope_per_permission(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six tools that read and write their own data: the search, stopped after three rounds,
    completes its plan with the controls each step's survivors ask for, a read scope and a
    write limit per tool (5 each). A human approval on the tool (3) does the work of both;
    the swap finds it, tool by tool, and the plan still takes every target out, each of its
    controls needed."""
    text = tool_hub(6, 2, 0)
    model = actm.load_model_text(text, knowledge=kb)
    swapped = make_plan(model, kb, target="low", time_limit=None, exact_rounds=3)
    with monkeypatch.context() as m:
        m.setattr(SEARCH, "MAX_FAILED_SWAPS", 0)  # no swap
        completed = make_plan(model, kb, target="low", time_limit=None, exact_rounds=3)
    assert (swapped.method, swapped.limit) == (completed.method, completed.limit)
    assert (swapped.method, swapped.limit) == ("heuristic", "rounds")
    kinds = Counter(c.template for c in completed.controls)
    assert kinds["data-access-scoping"] == kinds["least-privilege-write"] == 6
    assert Counter(c.template for c in swapped.controls)["human-approval"] == 6
    assert {c.id for c in swapped.controls if c.template == "human-approval"} == {
        f"human-approval:t{i}" for i in range(6)
    }
    assert swapped.cost == completed.cost - 6 * 2
    assert swapped.lower_bound <= swapped.cost
    assert swapped.gap == pytest.approx(swapped.cost - swapped.lower_bound)
    assert swapped.unremovable == ()
    planned = [dict(p.model_yaml) for p in swapped.controls]
    assert _left(text, planned, kb) == []
    for p in swapped.controls:  # pruned again after the swaps: each control is needed
        assert _left(text, [dict(q.model_yaml) for q in swapped.controls if q.id != p.id], kb)
