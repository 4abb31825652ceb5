"""The fixpoint: seed the facts the model declares, then propagate until nothing new appears.

Seeds come from adversary entry points, outside content, third-party nodes, vulnerabilities,
AI weaknesses and assumptions (METHOD.md section 3). The loop takes facts off a FIFO queue, so
facts are found in breadth-first order and the first derivation of each is a shortest one.

Termination: facts are drawn from a finite set (targets x capabilities x persistence x
pipeline, plus node x vulnerability class), a fact is added at most once, and rules only add.
So the loop ends after at most that many steps, whatever the model: the closure is monotone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from actm.engine.compiled import Compiled
from actm.engine.facts import FactStore
from actm.engine.matching import Matcher
from actm.engine.propagation import Propagator
from actm.engine.seeds import Seed, assumption_seed, build_seeds

__all__ = ["Closure", "Observer", "Seed"]  # Seed: re-exported from engine.seeds

Observer = Callable[[str, int, int], None]
"""Progress callback: (stage, done, total); total is 0 when unknown."""


class Closure:
    """The capability closure of one compiled model."""

    def __init__(self, c: Compiled, observer: Observer | None = None) -> None:
        self.c = c
        self.observer = observer
        self.store = FactStore(
            ncap=len(c.caps),
            nclass=max(1, len(c.vclass_ids)),
            stronger_mask=c.stronger_mask,
            target_tc=c.target_type_comp,
        )
        self.matcher = Matcher(c, self.store)
        self.propagator = Propagator(c, self.store, self.matcher)
        seeds: tuple[list[Seed], dict[str, list[Seed]]] | None = c.caches.get("seeds")
        if seeds is None:
            seeds = c.caches["seeds"] = build_seeds(c)
        self.base_seeds, self.assumption_seeds = seeds
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
        # posited weaknesses last: every fact (and threat) found from here on needs one
        posited = [s for s in self.base_seeds if s.hypothetical]
        if posited:
            self.posited_from = len(self.store.keys)
            self.apply(posited)
            self.saturate()

    def apply(self, seeds: Iterable[Seed]) -> None:
        store = self.store
        for s in seeds:
            if s.node >= 0:
                self.propagator.grant_residents(s.node, s.vclass, (), s.via, s.only)
            else:
                store.add(s.target, s.cap, s.persistent, s.pipe, s.rule, s.via, ())

    def saturate(self) -> None:
        store = self.store
        queue = store.queue
        fire = self.propagator.fire
        observer = self.observer
        done = 0
        while queue:
            fire(queue.popleft())
            done += 1
            if observer is not None and done % 5000 == 0:
                observer("closure", done, 0)
        if observer is not None:
            observer("closure", done, done)

    def mark(self) -> tuple[tuple[int, int], tuple[int, int, int]]:
        return self.store.mark(), self.matcher.mark()

    def rollback(self, mark: tuple[tuple[int, int], tuple[int, int, int]]) -> None:
        self.store.rollback(mark[0])
        self.matcher.rollback(mark[1])
