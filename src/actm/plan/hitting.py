"""Minimum-cost hitting sets: the combinatorial core of mitigation planning.

A *core* is a set of candidate controls at least one of which any valid plan must contain (the
controls that touch a chain the plan has to cut). The planner needs the cheapest set of
candidates that meets every core. That is weighted set cover, NP-hard in general, so:

* :func:`solve` runs a depth-first branch and bound (branch on the unmet core with the fewest
  candidates, bound by a packing of disjoint cores) within a node budget and an optional time
  limit. Within them the answer is optimal; past either, the best set found so far is
  returned with ``optimal=False``.
* :func:`solve_milp` hands the same problem to the HiGHS mixed-integer solver through SciPy
  (``pip install "actm[plan]"``): exact in milliseconds on instances with hundreds of candidates
  and cores, where the branch and bound would run out of budget. :func:`best_solver` picks it
  when SciPy is installed.
* :func:`greedy` is the classic cost-per-newly-met-core greedy, used as the first upper bound.
* :func:`packing_bound` is a lower bound: cores that share no candidate each need their own
  control, so the sum of their cheapest members bounds every hitting set from below.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from time import monotonic

__all__ = ["Solution", "best_solver", "greedy", "packing_bound", "solve", "solve_milp"]


MAX_BUDGET = 2**31 - 1
"""The most search nodes a round may take: HiGHS reads its node limit as a 32-bit integer."""

CLOCK_EVERY = 256
"""Nodes :func:`solve` explores between two looks at the clock (under a time limit)."""


@dataclass(frozen=True, slots=True)
class Solution:
    chosen: frozenset[int]
    cost: float
    optimal: bool
    lower_bound: float
    nodes: int


def _cost(chosen: frozenset[int] | set[int], costs: Sequence[float]) -> float:
    return sum(costs[i] for i in chosen)


def greedy(
    cores: Sequence[frozenset[int]],
    costs: Sequence[float],
    weights: Sequence[int] | None = None,
) -> frozenset[int]:
    """A hitting set by repeatedly taking the candidate with the least cost per unmet core.

    Ties go to the lower index, so the result is deterministic. Redundant picks are dropped
    afterwards (most expensive first). ``weights`` counts each core that many times (a core
    many targets give, passed once).
    """
    unmet = [i for i, core in enumerate(cores) if core]
    chosen: set[int] = set()
    while unmet:
        count: dict[int, int] = {}
        for ci in unmet:
            w = 1 if weights is None else weights[ci]
            for k in cores[ci]:
                count[k] = count.get(k, 0) + w
        best = min(count, key=lambda k: (costs[k] / count[k], k))
        chosen.add(best)
        unmet = [ci for ci in unmet if best not in cores[ci]]
    for k in sorted(chosen, key=lambda k: (-costs[k], k)):
        rest = chosen - {k}
        if all(core & rest for core in cores if core):
            chosen = rest
    return frozenset(chosen)


def packing_bound(cores: Sequence[frozenset[int]], costs: Sequence[float]) -> float:
    """A lower bound on any hitting set: the cheapest members of pairwise disjoint cores.

    Cores are packed greedily, those with the most expensive cheapest member first.
    """
    order = sorted(
        (c for c in cores if c), key=lambda c: (-min(costs[k] for k in c), len(c), sorted(c))
    )
    used: set[int] = set()
    total = 0.0
    for core in order:
        if used.isdisjoint(core):
            used |= core
            total += min(costs[k] for k in core)
    return total


def solve(
    cores: Sequence[frozenset[int]],
    costs: Sequence[float],
    *,
    budget: int = 200_000,
    time_limit: float | None = None,
) -> Solution:
    """The cheapest hitting set of ``cores`` (optimal unless the node ``budget`` or the
    ``time_limit``, in seconds, runs out: the clock is read every :data:`CLOCK_EVERY` nodes).

    Empty cores are ignored (nothing can meet them; the caller reports them).
    """
    live = sorted({c for c in cores if c}, key=lambda c: (len(c), sorted(c)))
    root_bound = packing_bound(live, costs)
    best = greedy(live, costs)
    best_cost = _cost(best, costs)
    nodes = 0
    exhausted = False
    eps = 1e-9
    deadline = None if time_limit is None else monotonic() + time_limit

    def bound(unmet: list[frozenset[int]], banned: frozenset[int]) -> float:
        # disjoint packing over what is still allowed
        used: set[int] = set()
        total = 0.0
        for core in sorted(
            unmet,
            key=lambda c: -min((costs[k] for k in c if k not in banned), default=0.0),
        ):
            allowed = core - banned
            if used.isdisjoint(allowed):
                used |= allowed
                total += min(costs[k] for k in allowed)
        return total

    def search(
        chosen: frozenset[int], spent: float, unmet: list[frozenset[int]], banned: frozenset[int]
    ) -> None:
        nonlocal best, best_cost, nodes, exhausted
        nodes += 1
        if nodes > budget or (
            deadline is not None and nodes % CLOCK_EVERY == 0 and monotonic() > deadline
        ):
            exhausted = True
            return
        if not unmet:
            if spent < best_cost - eps or (
                abs(spent - best_cost) <= eps and sorted(chosen) < sorted(best)
            ):
                best, best_cost = chosen, spent
            return
        if any(not (core - banned) for core in unmet):
            return  # some core can no longer be met
        if spent + bound(unmet, banned) > best_cost + eps:
            return
        core = min(unmet, key=lambda c: (len(c - banned), sorted(c)))
        options = sorted(core - banned, key=lambda k: (costs[k], k))
        ban = banned
        for k in options:
            rest = [c for c in unmet if k not in c]
            search(chosen | {k}, spent + costs[k], rest, ban)
            if exhausted:
                return
            ban = ban | {k}  # later branches do without k: each set is visited once

    search(frozenset(), 0.0, live, frozenset())
    optimal = not exhausted
    lower = best_cost if optimal else min(best_cost, root_bound)
    return Solution(best, best_cost, optimal, lower, nodes)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 while HiGHS runs: some of its builds print debugging lines
    straight to it, which would corrupt ``actm plan -f json``."""
    if sys.stdout is not None:
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded interpreters): nothing to protect
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def solve_milp(
    cores: Sequence[frozenset[int]],
    costs: Sequence[float],
    *,
    budget: int = 200_000,
    time_limit: float | None = None,
) -> Solution:
    """The cheapest hitting set by integer programming (HiGHS via SciPy).

    ``budget`` bounds the branch-and-bound nodes and ``time_limit`` its seconds (HiGHS's own
    limits); past either the best set found is returned with
    ``optimal=False`` and HiGHS's dual bound as ``lower_bound``. Candidates outside every core
    are fixed to 0; the gap tolerance is 0, so an optimal answer is exactly optimal.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix

    live = sorted({c for c in cores if c}, key=lambda c: (len(c), sorted(c)))
    if not live:
        return Solution(frozenset(), 0.0, True, 0.0, 0)
    used = sorted(set().union(*live))
    col = {k: j for j, k in enumerate(used)}
    rows, cols = [], []
    for i, core in enumerate(live):
        for k in core:
            rows.append(i)
            cols.append(col[k])
    matrix = csr_matrix(
        (np.ones(len(rows)), (np.array(rows), np.array(cols))), shape=(len(live), len(used))
    )
    # HiGHS is deterministic: the same cores give the same choice among equal-cost optima
    c = np.array([costs[k] for k in used], dtype=float)
    options: dict[str, object] = {
        "node_limit": min(budget, MAX_BUDGET),
        "mip_rel_gap": 0.0,
        "presolve": True,
    }
    if time_limit is not None:
        options["time_limit"] = time_limit
    with _quiet_stdout():
        res = milp(
            c,
            integrality=np.ones(len(used)),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(matrix, lb=np.ones(len(live)), ub=np.inf),
            options=options,
        )
    if res.x is None:  # no feasible point within the budget: fall back to the greedy set
        chosen = greedy(live, costs)
        return Solution(chosen, _cost(chosen, costs), False, packing_bound(live, costs), budget)
    chosen = frozenset(used[j] for j, v in enumerate(res.x) if v > 0.5)
    cost = _cost(chosen, costs)
    optimal = res.status == 0
    bound = cost if optimal else float(getattr(res, "mip_dual_bound", 0.0) or 0.0)
    bound = max(bound, packing_bound(live, costs)) if not optimal else bound
    return Solution(chosen, cost, optimal, min(bound, cost), int(getattr(res, "mip_node_count", 0)))


def best_solver() -> Callable[..., Solution]:
    """:func:`solve_milp` when SciPy is installed, else :func:`solve`."""
    try:
        import scipy.optimize  # noqa: F401
    except ImportError:
        return solve
    return solve_milp
