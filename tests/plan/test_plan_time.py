"""The planner's time limit bounds the whole plan, on a fake clock: every analysis "takes" a
fixed number of seconds, so what the planner does with its time is exact and repeatable."""

from __future__ import annotations

import importlib
import itertools
from pathlib import Path
from typing import Any

import pytest

import actm
import actm.plan
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.plan import make_plan
from actm.plan.hitting import CLOCK_EVERY, solve

SEARCH = importlib.import_module("actm.plan.search")  # ``actm.plan.search`` is also a function
CORES = importlib.import_module("actm.plan.cores")
EXAMPLE = Path(__file__).parents[2] / "examples" / "coding-assistant.yaml"


class FakeClock:
    """Seconds that pass only when an analysis runs."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return builtin_knowledge()


def _slow_analyses(monkeypatch: pytest.MonkeyPatch, clock: FakeClock, seconds: float) -> None:
    """Every analysis the planner runs advances ``clock`` by ``seconds``."""
    real = CORES.run_threats

    def slow(*args: Any, **kwargs: Any) -> Any:
        clock.now += seconds
        return real(*args, **kwargs)

    monkeypatch.setattr(CORES, "run_threats", slow)
    monkeypatch.setattr(actm.plan, "run_threats", slow)


@pytest.mark.parametrize(
    ("seconds", "runs", "rounds", "end", "cost"),
    [(5.0, 11, 3, 60.0, 42.0), (25.0, 2, 1, 75.0, 47.0)],
    ids=["fast-analyses", "analyses-of-40-percent"],
)
def test_the_search_stops_in_time_and_reports_its_plan_and_gap(
    kb: KnowledgeBase,
    monkeypatch: pytest.MonkeyPatch,
    seconds: float,
    runs: int,
    rounds: int,
    end: float,
    cost: float,
) -> None:
    """coding-assistant at ``high`` takes 12 exact rounds (25 analyses) with the branch and
    bound. With 60 s and analyses of 5 s, the exact search stops after 3 rounds, when another
    would eat into the time kept to finish (three analyses, more than a quarter of the limit);
    the plan is completed greedily, then with every candidate of the survivors' cores when two
    analyses no longer fit, and ends on the limit: no time is left to prune or credit by
    runs. With analyses of 25 s the base analysis and the first round's take 50 s: the plan,
    which must be completed to remove every target, passes the limit by the one analysis that
    checks it."""
    model = actm.load_model(EXAMPLE, knowledge=kb)
    exact = make_plan(model, kb, target="high", solver=solve)
    assert (exact.method, exact.iterations, exact.engine_runs) == ("exact", 12, 25)
    clock = FakeClock()
    _slow_analyses(monkeypatch, clock, seconds)
    # the branch and bound reads the real clock, but every hitting set here takes it under 20
    # nodes, fewer than it explores between two looks (CLOCK_EVERY): its answers do not vary
    plan = make_plan(model, kb, target="high", solver=solve, time_limit=60.0, clock=clock)
    assert (plan.method, plan.limit) == ("heuristic", "time")
    assert (plan.engine_runs, plan.iterations) == (runs, rounds)
    assert clock.now == end  # the base analysis, then each of the plan's
    assert (plan.cost, plan.lower_bound, exact.cost) == (cost, 2.0, 4.0)
    assert plan.gap == pytest.approx(plan.cost - plan.lower_bound)
    # the plan's own analysis (run, or kept from the completion) finds no target left
    assert plan.unremovable == exact.unremovable == ()


def test_the_branch_and_bound_stops_at_its_time_limit() -> None:
    """Every 3 of 20 candidates is a core: 373 nodes to prove the optimum. With no time at all
    the search stops at its first look at the clock and returns its best set, not proved, with
    the packing bound of the root."""
    cores = [frozenset(c) for c in itertools.combinations(range(20), 3)]
    costs = [1.0 + i % 3 for i in range(20)]
    full = solve(cores, costs, budget=10**6)
    cut = solve(cores, costs, budget=10**6, time_limit=0.0)
    assert (full.optimal, full.nodes, full.cost, full.lower_bound) == (True, 373, 33.0, 33.0)
    assert (cut.optimal, cut.nodes, cut.cost, cut.lower_bound) == (False, CLOCK_EVERY, 33.0, 12.0)


def test_pruning_cut_short_by_the_time_limit_says_time(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One exact round (``limit: rounds``), then completion, pruning and swapping, analyses of
    5 s: with 90 s the pruning tries every control it may drop and the swapping every
    replacement it finds; with 60 s the time limit stops the swapping, and with 45 s the
    pruning, first, so the plan depends on the clock and says ``time``, not ``rounds``."""
    model = actm.load_model(EXAMPLE, knowledge=kb)

    def plan(limit: float) -> Any:
        clock = FakeClock()
        with monkeypatch.context() as m:
            _slow_analyses(m, clock, 5.0)
            return make_plan(
                model,
                kb,
                target="high",
                solver=solve,
                time_limit=limit,
                clock=clock,
                exact_rounds=1,
            )

    roomy, swapping, hurried = plan(90.0), plan(60.0), plan(45.0)
    assert (roomy.limit, roomy.engine_runs) == ("rounds", 17)
    assert (swapping.limit, swapping.engine_runs) == ("time", 11)
    assert (hurried.limit, hurried.engine_runs) == ("time", 8)
