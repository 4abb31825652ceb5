"""The planner's search: its bounds, and the rounds over the cores of its survivors.

:func:`search` runs the implicit hitting-set rounds over the cores that
:class:`~actm.plan.cores.Cores` extracts from the targets surviving each plan (and, for a
heuristic plan, completes, prunes and improves it) within :class:`Bounds`; the method and its
guarantees are described in :mod:`actm.plan`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic

from actm.errors import InternalError
from actm.plan.cores import Clock, Cores, Oracle
from actm.plan.hitting import Solution, greedy
from actm.results.model import Threat

__all__ = ["Bounds", "Outcome", "search", "solve_within"]


@dataclass(frozen=True, slots=True)
class Bounds:
    """Where the search stops being exact: a wall-clock time limit and a cap on the cores kept
    (each round's hitting set is solved over all of them).

    The limit bounds the whole plan. The exact search stops while there is still time to
    finish (:meth:`reached`: :data:`FINISH` of the limit, or :data:`RESERVE_RUNS` of the slowest
    analysis so far, whichever is more); completing, pruning, bounding and crediting the plan
    then start an optional analysis only while one as slow as the slowest so far still ends
    within the limit (:meth:`finishing_late`), and give the hitting-set solver only the time
    left. An analysis under way is never interrupted, and a plan is always completed until it
    removes every removable target, so the limit can be passed by about one analysis."""

    start: float | None = None
    """The :attr:`clock` instant the limit counts from; None: no time limit."""
    limit: float = 0.0
    """Seconds the plan may take from :attr:`start`."""
    max_cores: int | None = None
    """The distinct cores kept; None: no cap."""
    clock: Clock = monotonic
    max_members: int | None = None
    """The candidates the distinct cores hold, all together (:attr:`Cores.members`, what they
    cost in memory); None: no cap."""

    @classmethod
    def of(
        cls, time_limit: float | None, max_cores: int | None, clock: Clock = monotonic
    ) -> Bounds:
        """The bounds of a plan: ``max_cores`` caps the cores and, times
        :data:`MEMBERS_PER_CORE`, the candidates they hold."""
        members = None if max_cores is None else max_cores * MEMBERS_PER_CORE
        start = None if time_limit is None else clock()
        return cls(start, time_limit or 0.0, max_cores, clock, members)

    def left(self) -> float | None:
        """Seconds left before the limit (negative past it); None: no time limit."""
        if self.start is None:
            return None
        return self.start + self.limit - self.clock()

    def reserve(self, oracle: Oracle) -> float:
        """The time kept for finishing the plan once the exact search stops."""
        return max(FINISH * self.limit, RESERVE_RUNS * oracle.slowest)

    def search_time(self, oracle: Oracle) -> float | None:
        """Seconds the exact search may still take (None: no limit)."""
        left = self.left()
        return None if left is None else left - self.reserve(oracle)

    def finishing_late(self, oracle: Oracle, runs: int = 1) -> bool:
        """Whether ``runs`` analyses as slow as the slowest so far would end past the limit."""
        left = self.left()
        return left is not None and left < runs * oracle.slowest

    def reached(self, cores: Cores) -> str | None:
        """Why the exact search must stop now (``time``: another round, of up to
        :data:`ROUND_RUNS` analyses, would eat into the time to finish; ``cores``), else
        None."""
        oracle = cores.oracle
        search_time = self.search_time(oracle)
        if search_time is not None and search_time <= ROUND_RUNS * oracle.slowest:
            return "time"
        return "cores" if self.over_cap(cores) else None

    def over_cap(self, cores: Cores) -> bool:
        """Whether the cores kept have reached their cap (in number, or in the candidates
        they hold): past it, the cores a step finds are used but not kept."""
        if self.max_cores is not None and len(cores.cores) >= self.max_cores:
            return True
        return self.max_members is not None and cores.members >= self.max_members

    def passed(self, cores: Cores) -> bool:
        """Whether the plan is past its time limit, or the cores past their cap: the first
        round's extraction, which takes every target, stops there (the plan is then completed
        from the cores of the round's survivors, :func:`_augment`)."""
        left = self.left()
        return (left is not None and left <= 0) or self.over_cap(cores)


MEMBERS_PER_CORE = 100
"""Candidates per core, on average, that the cap on cores allows them to hold all together
(:attr:`Bounds.max_members`): the default 10,000 cores may hold a million candidates, some
50 MB. A hub's cores hold a candidate for each of its thousand tools."""

FINISH = 0.25
"""The share of the time limit kept for completing, pruning, bounding and crediting the plan
once the exact search stops: a plan stopped by time still removes every removable target."""

ROUND_RUNS = 2
"""Analyses one exact round may take: the plan's, and the one its survivors' cores take. A
round whose cores are grown by group takes one per group, and asks :meth:`Bounds.reached`
before each: a group grown too late gives its cores outside the round's set."""

RESERVE_RUNS = 3
"""Analyses kept for finishing the plan (completing it takes one or two), when more than
:data:`FINISH` of the limit."""


def solve_within(
    solve: Callable[..., Solution],
    cores: Sequence[frozenset[int]],
    costs: Sequence[float],
    budget: int,
    seconds: float | None,
) -> Solution:
    """``solve`` the hitting set of ``cores`` within its node ``budget`` and, unless
    ``seconds`` is None, that many seconds (never less than a millisecond: the solvers return
    their greedy set and packing bound when they have no time)."""
    if seconds is None:
        return solve(cores, costs, budget=budget)
    return solve(cores, costs, budget=budget, time_limit=max(seconds, 1e-3))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the search found: the plan (candidate indices), why it is heuristic (None when
    exact), the best lower bound on its cost, and the number of rounds."""

    chosen: frozenset[int]
    limit: str | None
    lower: float
    iterations: int


def search(
    cores: Cores,
    solve: Callable[..., Solution],
    costs: Sequence[float],
    *,
    budget: int,
    exact_rounds: int,
    max_prune_runs: int,
    bounds: Bounds | None = None,
) -> Outcome:
    """Run the rounds from the cores already in ``cores`` until no target survives the plan;
    a heuristic plan is then pruned and bounded below by the optimum over every core.

    Past ``bounds`` (the time for the exact search, the cap on cores) the rounds stop as past
    ``exact_rounds`` do, and the completion and pruning hurry: see :func:`_augment` and
    :func:`_prune`. Each round's solver gets only the time the exact search has left, and the
    final bound the time the plan has left."""
    bounds = bounds or Bounds()
    chosen: frozenset[int] = frozenset()
    limit: str | None = None
    lower = 0.0
    """The best lower bound found since the last threat turned out unremovable."""
    iterations = 0
    while True:
        iterations += 1
        live = cores.live()
        sol = solve_within(solve, live, costs, budget, bounds.search_time(cores.oracle))
        chosen = sol.chosen
        if not sol.optimal and limit is None:
            limit = "time" if bounds.reached(cores) == "time" else "budget"
        lower = max(lower, sol.lower_bound)
        left = cores.left(chosen)
        if not left:
            break
        known = len(cores.unremovable)
        stop = bounds.reached(cores) or ("rounds" if iterations >= exact_rounds else None)
        if stop is not None:
            limit = stop
            chosen = _augment(cores, chosen, costs, bounds)
        else:
            _next_cores(cores, left, chosen, set(live), known, bounds)
        if len(cores.unremovable) > known:
            # threats now known to be unremovable no longer constrain the plan: bounds found
            # while they did may not hold for what remains
            lower = 0.0
        if stop is not None:
            break

    if limit is not None:
        chosen, hurried = _improve(cores, chosen, costs, max_prune_runs, bounds)
        if hurried:
            # the time limit cut the pruning short: the plan depends on it, whatever stopped
            # the exact search
            limit = "time"
        # every core is met by every valid plan: the optimum over them bounds the plan's cost;
        # half the time left for it, the other half for crediting the plan's controls
        remaining = bounds.left()
        seconds = None if remaining is None else remaining / 2
        lower = max(lower, solve_within(solve, cores.live(), costs, budget, seconds).lower_bound)
    return Outcome(chosen, limit, lower, iterations)


def _next_cores(
    cores: Cores,
    left: Sequence[Threat],
    chosen: frozenset[int],
    live_before: set[frozenset[int]],
    known: int,
    bounds: Bounds,
) -> None:
    """Extract the cores of the survivors ``left`` of an exact round, grown group by group
    while the exact search has time (:meth:`Cores.extract_grouped`); each must add a core the
    plan misses or turn out unremovable."""
    cores.extract_grouped(left, chosen, late=lambda: bounds.reached(cores) is not None)
    if len(cores.unremovable) == known and set(cores.live()) <= live_before:
        # each survivor adds a core the plan misses; never loop, never return a wrong plan
        raise InternalError("the planner made no progress on " + ", ".join(t.id for t in left))


def _augment(
    cores: Cores, chosen: frozenset[int], costs: Sequence[float], bounds: Bounds
) -> frozenset[int]:
    """Complete ``chosen`` into a plan that removes every target not found unremovable.

    The cores the survivors give are disjoint from ``chosen``, so a greedy hitting set of them
    adds at least one control per step and the loop ends. Late (:meth:`Bounds.finishing_late`)
    a step takes the cores without growing them first (:meth:`Cores.extract`) and adds every
    candidate of them, which usually ends it at once. Its analyses are not optional: a
    completed plan removes every removable target.
    """
    while True:
        left = cores.left(chosen)
        if not left:
            return chosen
        # a greedy step takes up to two analyses (growing the cores, checking the plan)
        late = bounds.finishing_late(cores.oracle, ROUND_RUNS)
        # past the cap on cores, a step's cores are used but not kept: memory stays bounded
        keep = not bounds.over_cap(cores)
        # the survivors share their cores: each distinct core once, with the targets giving it
        found = Counter(cores.extract(left, chosen, grow=not late, keep=keep))
        if late:
            chosen = chosen.union(*found)
        else:
            chosen |= greedy(list(found), costs, list(found.values()))


def _prune(
    cores: Cores, chosen: frozenset[int], costs: Sequence[float], max_runs: int, bounds: Bounds
) -> tuple[frozenset[int], bool]:
    """Drop controls the plan can do without, most expensive first, within ``max_runs`` engine
    runs and the time to finish. A control that is the plan's only member of a core stays
    without a run: every valid plan meets every core. The plan, and whether the time limit
    stopped the pruning before it had tried every control it may drop."""
    live = cores.live()
    sole = _sole(live, chosen)
    runs = 0
    for i in sorted(chosen, key=lambda i: (-costs[i], i)):
        if i in sole:
            continue
        if runs >= max_runs:
            break
        if bounds.finishing_late(cores.oracle):
            return chosen, True
        runs += 1
        trial = chosen - {i}
        if not cores.left(trial):
            chosen = trial
            sole = _sole(live, chosen)
    return chosen, False


def _improve(
    cores: Cores, chosen: frozenset[int], costs: Sequence[float], max_runs: int, bounds: Bounds
) -> tuple[frozenset[int], bool]:
    """A heuristic plan pruned (:func:`_prune`), its controls swapped for cheaper candidates
    (:func:`_swap`) and, when that changed it, pruned again: a candidate that took over several
    controls' work may leave others idle. Each step within ``max_runs`` analyses and the time
    to finish; the plan, and whether the time limit cut a step short."""
    chosen, hurried = _prune(cores, chosen, costs, max_runs, bounds)
    if hurried:
        return chosen, True
    swapped, hurried = _swap(cores, chosen, costs, max_runs, bounds)
    if swapped == chosen or hurried:
        return swapped, hurried
    return _prune(cores, swapped, costs, max_runs, bounds)


MAX_FAILED_SWAPS = 3
"""Candidates in a row whose swap fails (the analysis finds a target surviving it, even with
the replaced controls the survivors' cores name put back) before the plan is kept as it is."""


def _swap(
    cores: Cores, chosen: frozenset[int], costs: Sequence[float], max_runs: int, bounds: Bounds
) -> tuple[frozenset[int], bool]:
    """Replace controls of a heuristic plan by one cheaper candidate, within ``max_runs``
    engine runs and the time to finish: the plan and whether the time limit stopped the
    swapping before it had tried every replacement it found.

    The completion adds the controls the cores of each step's survivors ask for, and the
    pruning only drops controls, so a candidate that would do the work of several of the
    plan's controls at once (an approval step on a tool, rather than a scope on each of its
    permissions) is missed. A candidate may replace the controls each of whose known cores
    holds it (every core the plan meets stays met), and does when that costs less and an
    analysis shows no target surviving the plan so changed. When targets survive, their
    cores are taken as a round's are (grown first, so they name the controls on the
    survivors' own chains; kept unless past the cap on cores), and the replaced controls
    those cores hold are put back for a second trial: the first, weak cores (every control
    near a chain) let a candidate seem to replace controls on other chains too. Candidates
    are tried by what they save, most first, found again after every trial; after
    :data:`MAX_FAILED_SWAPS` candidates in a row that save nothing, the plan is kept (their
    analyses are the crediting's too)."""
    oracle = cores.oracle
    start = oracle.runs
    tried: set[frozenset[int]] = set()
    failed = 0
    while oracle.runs - start < max_runs and failed < MAX_FAILED_SWAPS:
        found = _cheapest_swap(cores.live(), chosen, costs, tried)
        if found is None:
            return chosen, False
        cand, gone = found
        failed += 1
        while gone:
            trial = (chosen - gone) | {cand}
            if trial in tried or sum(costs[m] for m in gone) <= costs[cand]:
                break
            late = bounds.finishing_late(oracle)
            if late or oracle.runs - start >= max_runs:
                return chosen, late
            tried.add(trial)
            left = cores.left(trial)
            if not left:
                chosen = trial
                failed = 0
                break
            late = bounds.finishing_late(oracle) or oracle.runs - start >= max_runs
            # past the cap on cores they are used, not kept, as in the completion
            keep = not bounds.over_cap(cores)
            learnt = cores.extract(left, trial, grow=not late, keep=keep)
            gone = gone - frozenset().union(*learnt)
    return chosen, False


def _cheapest_swap(
    live: Sequence[frozenset[int]],
    chosen: frozenset[int],
    costs: Sequence[float],
    tried: set[frozenset[int]],
) -> tuple[int, frozenset[int]] | None:
    """The candidate outside the plan ``chosen`` that can replace controls of it saving the
    most (ties to the lower index), and those controls, whose plan is not ``tried``; None
    when no swap saves anything. A candidate can replace the controls of the plan each of
    whose known cores holds it: every core the plan meets stays met (:func:`_swap`)."""
    holding: dict[int, list[int]] = {}
    for i, core in enumerate(live):
        for m in core & chosen:
            holding.setdefault(m, []).append(i)
    # controls held by the same cores can be replaced by the same candidates: intersected
    # once per such group, from its smallest core, stopping once nothing is left (a hub's
    # cores hold thousands of candidates, often all in the plan)
    grouped: dict[tuple[int, ...], list[int]] = {}
    for m in sorted(holding):
        grouped.setdefault(tuple(holding[m]), []).append(m)
    replaced: dict[int, set[int]] = {}
    for where, members in grouped.items():
        found = live[min(where, key=lambda i: (len(live[i]), i))] - chosen
        for i in where:
            if not found:
                break
            found = found & live[i]
        for cand in found:
            replaced.setdefault(cand, set()).update(members)
    best: tuple[float, int, frozenset[int]] | None = None
    for cand in sorted(replaced):
        gone = frozenset(replaced[cand])
        saving = sum(costs[m] for m in gone) - costs[cand]
        if saving <= 0 or (best is not None and saving <= best[0]):
            continue
        if (chosen - gone) | {cand} not in tried:
            best = (saving, cand, gone)
    return None if best is None else (best[1], best[2])


def _sole(live: Sequence[frozenset[int]], chosen: frozenset[int]) -> set[int]:
    """The members of ``chosen`` that are its only member of some core of ``live``: a plan
    without one misses that core (asked once per plan, not once per control and core)."""
    out: set[int] = set()
    for core in live:
        met = core & chosen
        if len(met) == 1:
            out |= met
    return out
