"""A heuristic plan's controls swapped for one cheaper candidate that does their work."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import actm
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.plan import make_plan
from actm.terms import level_rank
from hub_models import tool_hub

SEARCH = importlib.import_module("actm.plan.search")
CORES = importlib.import_module("actm.plan.cores")


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
    # equal savings go to the lower index; nothing outside the plan: no swap
    tie = [frozenset({0, 3, 4})]
    assert SEARCH._cheapest_swap(tie, frozenset({0}), [5.0, 0, 0, 1.0, 1.0], set()) == (
        3,
        frozenset({0}),
    )
    assert SEARCH._cheapest_swap(tie, frozenset({0, 3, 4}), [5.0, 0, 0, 1.0, 1.0], set()) is None
    # a swap that saves nothing is not tried
    assert SEARCH._cheapest_swap(tie, frozenset({0}), [1.0, 0, 0, 1.0, 1.0], set()) is None


class _Oracle:
    def __init__(self) -> None:
        self.runs = 0
        self.slowest = 0.0


class _Cores:
    """Cores whose analyses a table gives: each plan tried -> the cores its survivors give
    (none: no target survives it). An analysis is counted once per plan (the real oracle
    keeps its latest analyses), a grown extraction once more."""

    def __init__(self, live: Sequence[frozenset[int]], fails: dict[frozenset[int], Any]):
        self.oracle = _Oracle()
        self.cores: dict[frozenset[int], set[str]] = {core: {"t"} for core in live}
        self.members = 0
        self.fails = fails
        self.asked: list[frozenset[int]] = []

    def live(self) -> list[frozenset[int]]:
        return list(self.cores)

    def left(self, chosen: frozenset[int]) -> list[str]:
        if chosen not in self.asked:
            self.oracle.runs += 1
        self.asked.append(chosen)
        return ["t"] if chosen in self.fails else []

    def extract(
        self, left: list[str], chosen: frozenset[int], *, grow: bool, keep: bool
    ) -> list[frozenset[int]]:
        self.oracle.runs += int(grow)
        learnt: list[frozenset[int]] = self.fails[chosen]
        if keep:
            for core in learnt:
                self.cores.setdefault(core, {"t"})
        return learnt


def test_a_failed_swap_puts_back_the_controls_the_survivors_cores_hold() -> None:
    # plan {0, 1}: candidate 2 is in every core of both (saves 3 + 3 - 2). Without them the
    # analysis finds a survivor whose core holds 1: 1 goes back, and {1, 2} saves 1
    live = [frozenset({0, 2, 3}), frozenset({1, 2, 3})]
    costs = [3.0, 3.0, 2.0, 5.0, 1.0]
    cores = _Cores(live, {frozenset({2}): [frozenset({1, 4})]})
    plan, hurried = SEARCH._swap(cores, frozenset({0, 1}), costs, 50, SEARCH.Bounds())
    assert (plan, hurried) == (frozenset({1, 2}), False)
    assert cores.asked == [frozenset({2}), frozenset({1, 2})]
    assert cores.oracle.runs == 3  # two plans and the grown extraction
    assert frozenset({1, 4}) in cores.cores  # what the failure taught is kept
    # put back, the rest saves nothing: not tried
    cores = _Cores(live, {frozenset({2}): [frozenset({1, 4})]})
    dear = [2.0, 3.0, 2.0, 5.0, 1.0]
    assert SEARCH._swap(cores, frozenset({0, 1}), dear, 50, SEARCH.Bounds()) == (
        frozenset({0, 1}),
        False,
    )
    assert cores.asked == [frozenset({2})]
    # within one analysis: the first try only, the plan kept
    cores = _Cores(live, {frozenset({2}): [frozenset({1, 4})]})
    assert SEARCH._swap(cores, frozenset({0, 1}), costs, 1, SEARCH.Bounds()) == (
        frozenset({0, 1}),
        False,
    )


def test_a_swap_that_fails_is_not_tried_again_and_three_failures_end_the_swapping() -> None:
    # every candidate's swap fails and teaches nothing: each plan is tried once, and the
    # swapping stops after three candidates (their analyses are the crediting's too)
    live = [frozenset({0, 2, 3, 4, 5})]
    costs = [9.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    trials = [frozenset({c}) for c in (2, 3, 4, 5)]
    cores = _Cores(live, {t: [] for t in trials})
    assert SEARCH._swap(cores, frozenset({0}), costs, 50, SEARCH.Bounds()) == (
        frozenset({0}),
        False,
    )
    assert cores.asked == trials[:3]


def test_a_changed_plan_is_pruned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2 replaces 0 and 1. 5 was the plan's only member of a core that 2 also meets: kept by
    # the first pruning, dropped by the second
    live = [frozenset(c) for c in ({0, 2}, {1, 2}, {5, 2, 7}, {5, 8}, {8, 9})]
    cores = _Cores(live, {})
    costs = [3.0, 3.0, 2.0, 0, 0, 1.0, 0, 4.0, 1.0, 5.0]
    pruned: list[frozenset[int]] = []
    real = SEARCH._prune

    def prune(c: Any, chosen: frozenset[int], *args: Any) -> Any:
        pruned.append(chosen)
        return real(c, chosen, *args)

    monkeypatch.setattr(SEARCH, "_prune", prune)
    plan, hurried = SEARCH._improve(cores, frozenset({0, 1, 5, 8}), costs, 50, SEARCH.Bounds())
    assert (plan, hurried) == (frozenset({2, 8}), False)
    assert pruned == [frozenset({0, 1, 5, 8}), frozenset({2, 5, 8})]


def test_past_the_cap_on_cores_a_swap_keeps_no_core_even_in_the_time_to_finish(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the time kept to finish the plan, ``Bounds.reached`` says ``time`` before it looks
    at the cap: the completion and the swapping keep cores by the cap alone."""
    model = actm.load_model(
        Path(__file__).parents[2] / "examples" / "customer-support-rag.yaml", knowledge=kb
    )
    seen: list[tuple[int, int]] = []
    real = SEARCH._swap

    def swap(cores: Any, *args: Any) -> Any:
        before = len(cores.cores)
        found = real(cores, *args)
        seen.append((before, len(cores.cores)))
        return found

    monkeypatch.setattr(SEARCH, "_swap", swap)
    ticks = iter([0.0])

    def clock() -> float:
        return next(ticks, 80.0)  # the plan starts at 0, then every look is at 80 s of 100

    plan = make_plan(
        model, kb, target="low", time_limit=100.0, exact_rounds=1, max_cores=2, clock=clock
    )
    assert plan.method == "heuristic"
    assert seen and all(after == before for before, after in seen)
    assert all(before <= 2 for before, _after in seen)


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
    # the targets grow their cores together, as when a big hub has more tools than groups
    monkeypatch.setattr(CORES, "MAX_GROUPS", 1)
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
