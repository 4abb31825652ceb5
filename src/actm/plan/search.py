"""The planner's search: the engine as an oracle, the cores its survivors give, and the rounds.

:class:`Oracle` runs the engine with a set of candidates in force. :class:`Cores` keeps the
cores found so far and the targets known to be unremovable, and extracts new cores from the
targets that survive a plan. :func:`search` runs the implicit hitting-set rounds (and, for a
heuristic plan, completes and prunes it); the method and its guarantees are described in
:mod:`actm.plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from actm.engine.runs import threats as run_threats
from actm.engine.severity import level_rank
from actm.errors import InternalError
from actm.knowledge.attacks import KnowledgeBase
from actm.model.system import SystemModel
from actm.plan.candidates import Candidate, inner_attacks, reach
from actm.plan.hitting import Solution, greedy
from actm.results.build import build_threats
from actm.results.mitigation import threat_elements
from actm.results.model import Threat

__all__ = ["Cores", "Oracle", "Outcome", "search", "targets_left"]


class Oracle:
    """Runs the engine with a set of candidates in force and reports the surviving threats."""

    def __init__(
        self,
        model: SystemModel,
        kb: KnowledgeBase,
        cands: Sequence[Candidate],
        today: date | None,
        base: dict[str, Threat],
    ) -> None:
        """``base`` is the analysis with no candidate in force, already run by the caller."""
        self.model = model
        self.kb = kb
        self.cands = cands
        self.today = today
        self.runs = 0
        self._memo: dict[frozenset[int], dict[str, Threat]] = {frozenset(): base}

    def threats(self, chosen: frozenset[int]) -> dict[str, Threat]:
        """The threats, by id, with the candidates ``chosen`` in force (memoised)."""
        hit = self._memo.get(chosen)
        if hit is not None:
            return hit
        extra = tuple(self.cands[i].control for i in sorted(chosen))
        m = replace(self.model, controls=self.model.controls + extra) if extra else self.model
        self.runs += 1
        threats = build_threats(run_threats(m, self.kb), today=self.today)
        out = {t.id: t for t in threats}
        self._memo[chosen] = out
        return out


def targets_left(
    threats: Mapping[str, Threat], floor: int, skip: set[str], targets: Sequence[str]
) -> list[Threat]:
    """The ``targets`` (except ``skip``) still in ``threats`` at or above ``floor``, by id."""
    wanted = set(targets) - skip
    return [
        threats[i]
        for i in sorted(threats)
        if i in wanted and level_rank(threats[i].severity.level) >= floor
    ]


class Cores:
    """The cores found so far, each with the targets whose chains gave it, and the targets
    found unremovable."""

    def __init__(self, oracle: Oracle, floor: int, targets: Sequence[str]) -> None:
        self.oracle = oracle
        self.floor = floor
        self.targets = targets
        self.cores: dict[frozenset[int], set[str]] = {}
        """Core -> the target threats whose chains gave it."""
        self.unremovable: set[str] = set()

    def left(self, chosen: frozenset[int]) -> list[Threat]:
        """The targets not known to be unremovable that survive ``chosen``."""
        return targets_left(self.oracle.threats(chosen), self.floor, self.unremovable, self.targets)

    def live(self) -> list[frozenset[int]]:
        """The cores that still constrain a plan: those given by a target not unremovable."""
        return [core for core, owners in self.cores.items() if not owners <= self.unremovable]

    def add(self, t: Threat, chosen: frozenset[int]) -> frozenset[int] | None:
        """Record the core of ``t``'s chain (alive with ``chosen`` in force) and return it;
        None when no candidate outside ``chosen`` can cut it: then no plan removes ``t`` (see
        the module documentation of :mod:`actm.plan`) and it is recorded as unremovable."""
        oracle = self.oracle
        elements = reach(t, oracle.model)
        inner = inner_attacks(t, oracle.kb)
        core = (
            frozenset(i for i, c in enumerate(oracle.cands) if c.touches(t, elements, inner))
            - chosen
        )
        if not core:
            self.unremovable.add(t.id)
            return None
        self.cores.setdefault(core, set()).add(t.id)
        return core

    def _indirect(self, left: Sequence[Threat], chosen: frozenset[int]) -> frozenset[int]:
        """The candidates outside ``chosen`` that may touch a chain of ``left`` but act on none
        of those chains' own elements."""
        oracle = self.oracle
        touching: set[int] = set()
        direct: set[int] = set()
        for t in left:
            elements = reach(t, oracle.model)
            own = threat_elements(t)
            inner = inner_attacks(t, oracle.kb)
            for i, c in enumerate(oracle.cands):
                if i not in chosen and c.touches(t, elements, inner):
                    touching.add(i)
                    if c.touches(t, own, inner):
                        direct.add(i)
        return frozenset(touching - direct)

    def extract(self, left: Sequence[Threat], chosen: frozenset[int]) -> list[frozenset[int]]:
        """The cores of the targets ``left``, alive with ``chosen`` in force: one each, outside
        ``chosen``, unless the target is found unremovable.

        A core is valid for any set of candidates a target survives, not only for ``chosen``,
        and the smaller the more the set holds (see :mod:`actm.plan`). So every candidate that
        may touch one of their chains but acts on none of their chains' own elements is put in
        force too (one engine run): a target that survives that as well gives its smaller core
        outside the larger set; the others their core outside ``chosen``.
        """
        grown = chosen | self._indirect(left, chosen)
        again: dict[str, Threat] = {}
        if grown != chosen:
            ids = [t.id for t in left]
            survivors = targets_left(self.oracle.threats(grown), self.floor, set(), ids)
            again = {t.id: t for t in survivors}
        found = []
        for t in left:
            core = self.add(again[t.id], grown) if t.id in again else self.add(t, chosen)
            if core is not None:
                found.append(core)
        return found


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
) -> Outcome:
    """Run the rounds from the cores already in ``cores`` until no target survives the plan;
    a heuristic plan is then pruned and bounded below by the optimum over every core."""
    chosen: frozenset[int] = frozenset()
    limit: str | None = None
    lower = 0.0
    """The best lower bound found since the last threat turned out unremovable."""
    iterations = 0
    while True:
        iterations += 1
        live = cores.live()
        sol = solve(live, costs, budget=budget)
        chosen = sol.chosen
        if not sol.optimal and limit is None:
            limit = "budget"
        lower = max(lower, sol.lower_bound)
        left = cores.left(chosen)
        if not left:
            break
        known = len(cores.unremovable)
        if iterations >= exact_rounds:
            limit = "rounds"
            chosen = _augment(cores, chosen, costs)
        else:
            _next_cores(cores, left, chosen, set(live), known)
        if len(cores.unremovable) > known:
            # threats now known to be unremovable no longer constrain the plan: bounds found
            # while they did may not hold for what remains
            lower = 0.0
        if limit == "rounds":
            break

    if limit is not None:
        chosen = _prune(cores, chosen, costs, max_prune_runs)
        # every core is met by every valid plan: the optimum over them bounds the plan's cost
        lower = max(lower, solve(cores.live(), costs, budget=budget).lower_bound)
    return Outcome(chosen, limit, lower, iterations)


def _next_cores(
    cores: Cores,
    left: Sequence[Threat],
    chosen: frozenset[int],
    live_before: set[frozenset[int]],
    known: int,
) -> None:
    """Extract the cores of the survivors ``left`` of an exact round; each must add a core the
    plan misses or turn out unremovable."""
    cores.extract(left, chosen)
    if len(cores.unremovable) == known and set(cores.live()) <= live_before:
        # each survivor adds a core the plan misses; never loop, never return a wrong plan
        raise InternalError("the planner made no progress on " + ", ".join(t.id for t in left))


def _augment(cores: Cores, chosen: frozenset[int], costs: Sequence[float]) -> frozenset[int]:
    """Complete ``chosen`` into a plan that removes every target not found unremovable.

    The cores the survivors give are disjoint from ``chosen``, so a greedy hitting set of them
    adds at least one control per step and the loop ends.
    """
    while True:
        left = cores.left(chosen)
        if not left:
            return chosen
        chosen = chosen | greedy(cores.extract(left, chosen), costs)


def _prune(
    cores: Cores, chosen: frozenset[int], costs: Sequence[float], max_runs: int
) -> frozenset[int]:
    """Drop controls the plan can do without, most expensive first, within ``max_runs`` engine
    runs. A control that is the plan's only member of a core stays without a run: every valid
    plan meets every core."""
    live = cores.live()
    runs = 0
    for i in sorted(chosen, key=lambda i: (-costs[i], i)):
        trial = chosen - {i}
        if any(i in core and not core & trial for core in live):
            continue
        if runs >= max_runs:
            break
        runs += 1
        if not cores.left(trial):
            chosen = trial
    return chosen
