"""The planner's oracle and its cores: the engine run with candidates in force, and the sets of
candidates a surviving target's chain says any plan that removes it must hold.

:class:`Oracle` runs the engine with a set of candidates in force and reports the surviving
threats. :class:`Cores` keeps the cores found so far and the targets known to be unremovable,
and extracts new cores from the targets that survive a plan (:mod:`actm.plan.search` runs the
rounds over them; the method and its guarantees are described in :mod:`actm.plan`).
"""

from __future__ import annotations

import gc
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from time import monotonic

from actm.engine.runs import threats as run_threats
from actm.engine.severity import level_rank
from actm.knowledge.attacks import KnowledgeBase
from actm.model.system import SystemModel
from actm.plan.candidates import Candidate, inner_attacks
from actm.plan.touching import Inner, Touching
from actm.results.build import build_threats
from actm.results.model import Threat

__all__ = [
    "COMMON_SHARE",
    "MAX_GROUPS",
    "Clock",
    "Cores",
    "Oracle",
    "targets_left",
]

MINUS_PLANS = 2
"""Plans whose differences :meth:`Cores.add` keeps: a round takes its cores outside its plan
and outside the plan grown from it."""

GARBAGE_OBJECTS = 500_000
"""Objects allocated since the last collection past which the oracle collects reference
cycles after an analysis, when the collector is off: some 120 MB of an analysis's leftovers
(50,000 objects, 12 MB an analysis of a hub of 400 tools). Collecting after every analysis
took a fifth of the time of small ones."""

MAX_MEMO = 16
"""Analyses the oracle keeps besides the one with no candidate in force: a round needs two,
and each holds every threat with its chain, so keeping them all grew without bound."""

MAX_MEMO_THREATS = 10_000
"""Threats the analyses the oracle keeps may hold, all together: fewer than :data:`MAX_MEMO`
analyses of a large model (a hub of a thousand tools has 7,500 threats, some 60 MB an
analysis). The latest two are kept whatever their size: a round needs them."""


Clock = Callable[[], float]
"""Seconds from an arbitrary origin that never go back (:func:`time.monotonic`; tests pass a
fake one)."""


COMMON_SHARE = 4
"""A candidate on the chains of more than one target in this many links no targets into one
group (:meth:`Cores.groups`): it is near every chain anyway."""

MAX_GROUPS = 32
"""Groups whose cores grow each by itself, at most: one analysis each per round."""


class Oracle:
    """Runs the engine with a set of candidates in force and reports the surviving threats."""

    def __init__(
        self,
        model: SystemModel,
        kb: KnowledgeBase,
        cands: Sequence[Candidate],
        today: date | None,
        base: dict[str, Threat],
        *,
        base_noise: frozenset[str] = frozenset(),
        clock: Clock = monotonic,
        slowest: float = 0.0,
    ) -> None:
        """``base`` is the analysis with no candidate in force, already run by the caller
        (in ``slowest`` seconds of ``clock``), and ``base_noise`` its ``noise_chains``."""
        self.model = model
        self.kb = kb
        self.cands = cands
        self.today = today
        self.runs = 0
        self.base = base
        self.base_noise = base_noise
        self.clock = clock
        self.slowest = slowest
        """Seconds of the slowest analysis so far: what the next one is expected to take."""
        self._memo: OrderedDict[frozenset[int], tuple[dict[str, Threat], frozenset[str]]] = (
            OrderedDict()
        )
        """The latest :data:`MAX_MEMO` analyses, least recently used first."""
        self._held = 0
        """The threats they hold, all together."""

    def threats(self, chosen: frozenset[int]) -> dict[str, Threat]:
        """The threats, by id, with the candidates ``chosen`` in force (memoised)."""
        return self._analysis(chosen)[0]

    def noise_chains(self, chosen: frozenset[int]) -> frozenset[str]:
        """Ids of the threats, with ``chosen`` in force, whose shown chain is a route the noise
        rules discard (``Readout.noise_chains``): breaking that chain is not what removes them."""
        return self._analysis(chosen)[1]

    def _analysis(self, chosen: frozenset[int]) -> tuple[dict[str, Threat], frozenset[str]]:
        if not chosen:
            return self.base, self.base_noise
        hit = self._memo.get(chosen)
        if hit is not None:
            self._memo.move_to_end(chosen)
            return hit
        extra = tuple(self.cands[i].control for i in sorted(chosen))
        m = replace(self.model, controls=self.model.controls + extra) if extra else self.model
        self.runs += 1
        started = self.clock()
        readout = run_threats(m, self.kb)
        threats = build_threats(readout, today=self.today)
        out = ({t.id: t for t in threats}, frozenset(readout.noise_chains))
        del readout
        if not gc.isenabled() and gc.get_count()[0] > GARBAGE_OBJECTS:
            # an analysis leaves reference cycles behind; with the collector off (``actm``
            # turns it off for its one analysis), a plan's many analyses piled them up: 12 MB
            # each on a hub of 400 tools, a gigabyte over a plan of a thousand tools
            gc.collect()
        self.slowest = max(self.slowest, self.clock() - started)
        self._memo[chosen] = out
        self._held += len(threats)
        while len(self._memo) > 2 and (len(self._memo) > MAX_MEMO or self._held > MAX_MEMO_THREATS):
            self._held -= len(self._memo.popitem(last=False)[1][0])
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
    found unremovable.

    A core is kept once however many targets give it (on a hub, thousands of targets share a
    few cores of thousands of candidates each): :attr:`members` counts the candidates the
    distinct cores hold, what they cost in memory."""

    def __init__(self, oracle: Oracle, floor: int, targets: Sequence[str]) -> None:
        self.oracle = oracle
        self.floor = floor
        self.targets = targets
        self.cores: dict[frozenset[int], set[str]] = {}
        """Core -> the target threats whose chains gave it."""
        self.members = 0
        """The candidates the cores hold, all together."""
        self.unremovable: set[str] = set()
        self.touch = Touching(oracle.model, oracle.cands)
        """Which candidates may cut a threat (indexes, and the sets shared between threats)."""
        self._keys: dict[frozenset[int], frozenset[int]] = {}
        """Each core -> itself: the one copy kept."""
        self._minus: dict[frozenset[int], dict[frozenset[int], frozenset[int]]] = {}
        """Plan -> (candidates touching a chain -> those outside the plan): the sets are
        shared between threats, so their differences are too."""

    def left(self, chosen: frozenset[int]) -> list[Threat]:
        """The targets not known to be unremovable that survive ``chosen``."""
        return targets_left(self.oracle.threats(chosen), self.floor, self.unremovable, self.targets)

    def live(self) -> list[frozenset[int]]:
        """The cores that still constrain a plan: those given by a target not unremovable."""
        return [core for core, owners in self.cores.items() if not owners <= self.unremovable]

    def add(
        self, t: Threat, chosen: frozenset[int], inner: Inner | None = None, *, keep: bool = True
    ) -> frozenset[int] | None:
        """Record the core of ``t``'s chain (alive with ``chosen`` in force) and return it (every
        candidate outside ``chosen`` when that chain is a route the noise rules discard);
        None when no candidate outside ``chosen`` can cut it: then no plan removes ``t`` (see
        the module documentation of :mod:`actm.plan`) and it is recorded as unremovable.
        ``inner`` is :func:`inner_attacks` of ``t``, when already known; without ``keep`` the
        core is returned but not recorded."""
        oracle = self.oracle
        if t.id in oracle.noise_chains(chosen):
            # its shown chain is a route the noise rules discard: breaking its other routes,
            # whose elements the result does not give, removes it. Any plan that does must
            # hold a candidate outside ``chosen``, which it survives.
            core = self._outside(self.touch.everything, chosen)
        else:
            inner = inner_attacks(t, oracle.kb) if inner is None else inner
            core = self._outside(self.touch.near(t, inner), chosen)
        if not core:
            self.unremovable.add(t.id)
            return None
        if not keep:
            return core
        core = self._keys.setdefault(core, core)
        owners = self.cores.get(core)
        if owners is None:
            self.members += len(core)
            owners = self.cores[core] = set()
        owners.add(t.id)
        return core

    def _outside(self, near: frozenset[int], chosen: frozenset[int]) -> frozenset[int]:
        """``near`` less ``chosen``, made once per shared set and plan (for the latest
        :data:`MINUS_PLANS` plans), and kept once among the cores."""
        if near.isdisjoint(chosen):
            return near
        minus = self._minus.pop(chosen, None)
        if minus is None:
            minus = {}
            if len(self._minus) >= MINUS_PLANS:
                del self._minus[next(iter(self._minus))]
        self._minus[chosen] = minus  # the latest last
        out = minus.get(near)
        if out is None:
            out = near - chosen
            self.touch.work += len(out)
            out = minus[near] = self._keys.get(out, out)
        return out

    def _indirect(
        self, left: Sequence[Threat], chosen: frozenset[int], inner: Mapping[str, Inner]
    ) -> frozenset[int]:
        """The candidates outside ``chosen`` that may touch a chain of ``left`` but act on none
        of those chains' own elements."""
        near: dict[int, frozenset[int]] = {}
        direct: set[int] = set()
        for t in left:
            wide = self.touch.near(t, inner[t.id])
            near.setdefault(id(wide), wide)
            # the chain's own candidates are among those of its reach
            direct.update(self.touch.direct(t, inner[t.id]))
        touching = frozenset().union(*near.values()) if near else frozenset()
        self.touch.work += len(touching)
        return touching - chosen - direct

    def groups(
        self, left: Sequence[Threat], inner: Mapping[str, Inner], most: int | None = None
    ) -> list[list[Threat]]:
        """``left`` in groups of targets whose chains hold the same candidates of their own:
        two targets are in one group when a candidate acts on both their chains, leaving out
        the candidates on the chains of more than one target in :data:`COMMON_SHARE` (an
        agent's own controls, on every chain of a hub). Each group grows its cores by itself
        (:meth:`extract_grouped`); past ``most`` groups (default :data:`MAX_GROUPS`), they are
        dealt out into that many, in the order of their first target's id."""
        directs = {t.id: self.touch.direct(t, inner[t.id]) for t in left}
        count: Counter[int] = Counter()
        for t in left:
            count.update(directs[t.id])
        common = {c for c, n in count.items() if n * COMMON_SHARE > len(left)}
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        first: dict[int, str] = {}
        for t in left:
            mine = root(t.id)
            for c in sorted(directs[t.id] - common):
                theirs = root(first.setdefault(c, t.id))
                if theirs != mine:
                    parent[theirs] = mine
        found: dict[str, list[Threat]] = {}
        for t in left:
            found.setdefault(root(t.id), []).append(t)
        out = sorted(found.values(), key=lambda g: g[0].id)
        most = MAX_GROUPS if most is None else most
        if len(out) <= most:
            return out
        dealt: list[list[Threat]] = [[] for _ in range(most)]
        for i, group in enumerate(out):
            dealt[i % most].extend(group)
        return dealt

    def extract_grouped(
        self,
        left: Sequence[Threat],
        chosen: frozenset[int],
        *,
        late: Callable[[], bool],
        stop: Callable[[], bool] | None = None,
    ) -> list[frozenset[int]]:
        """The cores of ``left`` (:meth:`extract`), grown with every target together when
        that puts any candidate in force; when it puts none, of each of :meth:`groups` of
        ``left`` in turn, each grown by itself (one analysis each) until ``late`` says there
        is no time for another: then the others give their cores outside ``chosen``. Grown
        with every target together, the candidates near one target's chain but on another's
        stay out of force, so on a hub (every target near every tool, every tool on some
        target's chain) nothing is put in force and no core grows; grown by group, a
        target's core holds what acts on its own group's chains."""
        inner = {t.id: inner_attacks(t, self.oracle.kb) for t in left}
        if late():
            return self.extract(left, chosen, grow=False, stop=stop, inner=inner)
        indirect = self._indirect(left, chosen, inner)
        if indirect:
            # growing them all together puts something in force: one analysis, as the round
            # always took
            return self.extract(left, chosen, stop=stop, inner=inner, indirect=indirect)
        found: list[frozenset[int]] = []
        for group in self.groups(left, inner):
            if stop is not None and stop():
                break
            found += self.extract(group, chosen, grow=not late(), stop=stop, inner=inner)
        return found

    def extract(
        self,
        left: Sequence[Threat],
        chosen: frozenset[int],
        *,
        grow: bool = True,
        stop: Callable[[], bool] | None = None,
        keep: bool = True,
        inner: Mapping[str, Inner] | None = None,
        indirect: frozenset[int] | None = None,
    ) -> list[frozenset[int]]:
        """The cores of the targets ``left``, alive with ``chosen`` in force: one each, outside
        ``chosen``, unless the target is found unremovable.

        A core is valid for any set of candidates a target survives, not only for ``chosen``,
        and the smaller the more the set holds (see :mod:`actm.plan`). So every candidate that
        may touch one of their chains but acts on none of their chains' own elements is put in
        force too (one engine run): a target that survives that as well gives its smaller core
        outside the larger set; the others their core outside ``chosen``. Without ``grow``
        (no time for that run) each gives its core outside ``chosen``.

        ``stop`` is asked before each target (and before growing): once it says so, the
        targets not reached yet give no core (a round's survivors give theirs later), so
        that the first round, which takes every target, keeps to the time limit and the cap
        on cores. Without ``keep`` the cores are returned but not recorded (:meth:`add`).
        ``inner`` (:func:`inner_attacks` of each target) and ``indirect`` (what growing puts
        in force) are taken as given when the caller worked them out already.
        """
        if inner is None:
            inner = {t.id: inner_attacks(t, self.oracle.kb) for t in left}
        if grow and stop is not None and stop():
            grow = False
        if grow and indirect is None:
            indirect = self._indirect(left, chosen, inner)
        grown = chosen | indirect if grow and indirect is not None else chosen
        again: dict[str, Threat] = {}
        if grown != chosen:
            ids = [t.id for t in left]
            survivors = targets_left(self.oracle.threats(grown), self.floor, set(), ids)
            again = {t.id: t for t in survivors}
        found = []
        for t in left:
            if stop is not None and stop():
                break
            if t.id in again:
                core = self.add(again[t.id], grown, keep=keep)
            else:
                core = self.add(t, chosen, inner[t.id], keep=keep)
            if core is not None:
                found.append(core)
        return found
