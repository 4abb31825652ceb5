"""The fixpoint: seed the facts the model declares, then propagate until nothing new appears.

Seeds come from adversary entry points, outside content, third-party nodes, vulnerabilities,
AI weaknesses and assumptions (METHOD.md section 3). Derivations wait in buckets by cost and the
loop takes the cheapest first, first in first out within a cost (:class:`FactStore`), so the
first derivation of each fact is a cheapest one. A closure counts cost one of two ways:

* by how likely a route is (the default): a seed costs what its entry point's reach costs
  (:mod:`actm.engine.costs`), a human approval on the way adds its cost, and seeds of justified
  assumptions come last. The chain each fact keeps is then its most realistic one: an outside
  adversary's before an insider's before an operator's, and one resting on justified
  assumptions only when nothing else derives it;
* by length (``lengths=True``): every seed costs nothing and every step but the bookkeeping
  between a component and its asset costs one, so each fact keeps a shortest derivation.

Termination: facts are drawn from a finite set (targets x capabilities x persistence x
pipeline, plus node x vulnerability class), a fact is added at most once, and rules only add.
So the loop ends after at most that many steps, whatever the model: the closure is monotone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from actm.engine.compiled import Compiled
from actm.engine.costs import costs, seed_cost
from actm.engine.facts import FactStore, step_costs
from actm.engine.matching import Matcher
from actm.engine.propagation import Propagator
from actm.engine.seeds import Seed, assumption_seed, seeds_of

__all__ = ["Closure", "Observer", "Seed", "prepare"]  # Seed: re-exported from engine.seeds

Observer = Callable[[str, int, int], None]
"""Progress callback: (stage, done, total); total is 0 when unknown."""


class Closure:
    """The capability closure of one compiled model."""

    def __init__(
        self,
        c: Compiled,
        observer: Observer | None = None,
        *,
        lengths: bool = False,
        footholds: bool = True,
        attacks: bool = True,
        blocked: frozenset[int] = frozenset(),
        tools_run: bool = True,
    ) -> None:
        """``footholds=False``: no code execution is derived through a tool or a credential;
        ``blocked``: none on these nodes (engine/footholds.py asks what closes without the
        foothold on one node); ``tools_run=False``: no tool runs code anywhere (a closure from
        one foothold alone);
        ``attacks=False``: nothing a model makes of its inputs, neither the outputs they derive
        nor a conditional AI weakness nor an attack pattern (engine/footholds.py)."""
        self.c = c
        self.observer = observer
        self.lengths = lengths
        self.store = FactStore(
            ncap=len(c.caps),
            nclass=max(1, len(c.vclass_ids)),
            stronger_mask=c.stronger_mask,
            target_tc=c.target_type_comp,
            steps=step_costs() if lengths else (),
        )
        self.costs = costs(c)
        self.matcher = Matcher(c, self.store, self.costs.gates)
        self.propagator = Propagator(
            c,
            self.store,
            self.matcher,
            self.costs.gates,
            footholds=footholds,
            attacks=attacks,
            blocked=blocked,
            tools_run=tools_run,
        )
        self.base_seeds, self.assumption_seeds = seeds_of(c)
        self.posited_from = -1
        """Index of the first fact found once the posited weaknesses were added (-1: none)."""

    def run(self, assumption_levels: Mapping[str, int | None] | None = None) -> None:
        """Seed everything (assumptions at their declared level unless overridden) and saturate.

        ``assumption_levels`` maps an assumption id to the capability (index) to assume instead,
        or None to leave the assumption out.
        """
        levels = assumption_levels or {}
        self.apply(s for s in self.base_seeds if not s.hypothetical)
        for aid, seeds in self.assumption_seeds.items():
            if aid in levels:
                cap = levels[aid]
                if cap is None:
                    continue
                seeds = [assumption_seed(self.c, aid, cap)]
            self.apply(seeds)
        self.saturate()
        self.posit(self.base_seeds)

    def posit(self, seeds: Iterable[Seed]) -> None:
        """Posited weaknesses last: when hypotheses posit any, let them meet static conditions
        and add the hypothetical ones of ``seeds``; every fact (and threat) found from here on
        needs one. The closure has followed everything else already."""
        if self.has_posited:
            self.admit_posited()
            self.apply(s for s in seeds if s.hypothetical)
            self.saturate()

    @property
    def has_posited(self) -> bool:
        """Whether hypotheses posit a weakness in this model."""
        return any(v.hypothetical for v in self.c.extra_vulns.values())

    def admit_posited(self) -> None:
        """Let the posited weaknesses meet static conditions (``node_vulnerability``,
        ``exposed_by``) from here on, and offer the facts found so far to the matcher again:
        an entry gated by a posited parser bug may now join facts known before."""
        self.posited_from = len(self.store.keys)
        self.matcher.admit_posited(0 if self.lengths else self.costs.hypothetical)
        on_fact = self.matcher.on_fact
        ncap = self.store.ncap
        for key in self.store.keys[: self.posited_from]:
            if key >= 0:
                tc = key >> 2
                on_fact(key, tc // ncap, tc % ncap, bool((key >> 1) & 1), key & 1)

    def admit_footholds(self) -> None:
        """Derive code execution through tools and credentials from here on and from what is
        known (a closure built with ``footholds=False``); :meth:`saturate` to propagate it."""
        self.propagator.admit_footholds()

    def seed_cost(self, seed: Seed) -> int:
        """What ``seed`` costs in this closure (nothing when it counts length)."""
        return 0 if self.lengths else seed_cost(self.c, self.costs, seed)

    def apply(self, seeds: Iterable[Seed]) -> None:
        store = self.store
        for s in seeds:
            cost = self.seed_cost(s)
            if s.node >= 0:
                self.propagator.grant_residents(s.node, s.vclass, (), s.via, s.only, cost)
            else:
                store.add(s.target, s.cap, s.persistent, s.pipe, s.rule, s.via, (), cost)

    def saturate(self) -> None:
        store = self.store
        take = store.next
        fire = self.propagator.fire
        observer = self.observer
        done = 0
        while (key := take()) is not None:
            fire(key)
            done += 1
            if observer is not None and done % 5000 == 0:
                observer("closure", done, 0)
        if observer is not None:
            observer("closure", done, done)

    def mark(self) -> tuple[tuple[int, int], tuple[int, int, int, int], int]:
        return self.store.mark(), self.matcher.mark(), self.propagator.mark()

    def rollback(self, mark: tuple[tuple[int, int], tuple[int, int, int, int], int]) -> None:
        self.store.rollback(mark[0])
        self.matcher.rollback(mark[1])
        self.propagator.rollback(mark[2])


def prepare(c: Compiled) -> None:
    """Build what every closure of ``c`` shares and keeps on it (its view of the system, its
    costs, its seeds), as the first closure would: before worker processes are forked from
    this one, so that they inherit it instead of each building it. The join tables are built
    by each closure as it meets facts."""
    Closure(c)
