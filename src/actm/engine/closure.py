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
from dataclasses import dataclass

from actm.engine.compiled import Compiled, ai_vuln_seeds, pipe_index, type_pipeline
from actm.engine.facts import FactStore, Rule
from actm.engine.matching import Matcher
from actm.engine.propagation import Propagator

__all__ = ["Closure", "Observer", "Seed"]

Observer = Callable[[str, int, int], None]
"""Progress callback: (stage, done, total); total is 0 when unknown."""


@dataclass(frozen=True, slots=True)
class Seed:
    """A fact the model declares, or a declared vulnerability on a node (``node >= 0``)."""

    target: int
    cap: int
    persistent: bool
    pipe: int
    rule: int
    via: object
    node: int = -1
    vclass: int = -1
    only: frozenset[int] | None = None


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

    def run(self, assumption_levels: Mapping[str, int | None] | None = None) -> None:
        """Seed everything (assumptions at their declared level unless overridden) and saturate.

        ``assumption_levels`` maps an assumption id to the capability (index) to assume instead,
        or None to leave the assumption out.
        """
        levels = assumption_levels or {}
        self.apply(self.base_seeds)
        for aid, seeds in self.assumption_seeds.items():
            if aid in levels:
                cap = levels[aid]
                if cap is None:
                    continue
                seeds = [assumption_seed(self.c, aid, cap)]
            self.apply(seeds)
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


def assumption_seed(c: Compiled, aid: str, cap: int) -> Seed:
    """The seed of assumption ``aid`` as if it assumed capability ``cap``."""
    a = next(x for x in c.model.assumptions if x.id == aid)
    t = c.target_of_ref(a.asset, a.component)
    return Seed(
        t, cap, a.persistent and c.integrity[cap], pipe_index(a.pipeline), Rule.ASSUMPTION, aid
    )


def build_seeds(c: Compiled) -> tuple[list[Seed], dict[str, list[Seed]]]:
    """The declared facts: (seeds that never change, assumption id -> its capability seeds)."""
    model = c.model
    vocab = c.vocab
    ci = c.cap_index
    base: list[Seed] = []
    blocked = c.blocked

    def target(owner: str, atype: str, comp: str | None) -> int:
        return c.target_of(owner, atype, comp)

    def add(t: int, cap: str, persistent: bool, pipe: int, rule: int, via: object) -> None:
        if t < 0:
            return
        k = ci[cap]
        base.append(Seed(t, k, persistent and c.integrity[k], pipe, rule, via))

    for adv in model.adversaries:
        if adv.id in blocked:
            continue
        d = vocab.adversaries.get(adv.id) if adv.builtin else None
        if d is not None and d.entry == "public_models":
            reach = set(adv.reaches) if adv.reaches is not None else None
            for m in model.models:
                if reach is not None:
                    if m.id not in reach:
                        continue
                elif m.exposure != "public":
                    continue
                for g in d.grants:
                    if g.asset == "exposed":
                        for exp in m.exposes:
                            if f"{m.id}.{exp}" in c.hidden:
                                continue
                            add(
                                target(m.id, exp, None),
                                g.capability,
                                g.persistent,
                                1,
                                Rule.PUBLIC_USER,
                                adv.id,
                            )
                    else:
                        add(
                            target(m.id, g.asset, g.component),
                            g.capability,
                            g.persistent,
                            1,
                            Rule.PUBLIC_USER,
                            adv.id,
                        )
        elif d is not None and d.entry == "untrusted_content":
            for a in model.assets:
                ai = c.asset_index[a.id]
                pipe = type_pipeline(c, c.asset_target[ai])
                live = [s for s in a.untrusted_sources if f"source:{s}" not in blocked]
                for g in d.grants:
                    if live:
                        add(
                            c.asset_target[ai],
                            g.capability,
                            g.persistent,
                            pipe,
                            Rule.OUTSIDE_CONTENT,
                            (adv.id, live[0]),
                        )
                    for comp, sources in sorted(a.component_sources.items()):
                        live_c = [s for s in sources if f"source:{s}" not in blocked]
                        if live_c:
                            add(
                                c.comp_target.get((ai, comp), -1),
                                g.capability,
                                g.persistent,
                                pipe,
                                Rule.OUTSIDE_CONTENT,
                                (adv.id, live_c[0]),
                            )
        elif d is not None and d.entry == "third_party_nodes":
            for n in model.nodes:
                if not model.is_third_party(n.owner):
                    continue
                ni = c.node_index[n.id]
                for asset, _mode, _writes in c.node_assets[ni]:
                    for g in d.grants:
                        add(
                            c.asset_target[asset],
                            g.capability,
                            g.persistent,
                            c.node_pipe[ni],
                            Rule.THIRD_PARTY,
                            (adv.id, n.owner, n.id),
                        )
        for h in adv.holds:
            add(
                c.target_of_ref(h.asset, h.component),
                h.capability,
                h.persistent,
                pipe_index(h.pipeline),
                Rule.ADVERSARY,
                adv.id,
            )

    for v in model.vulnerabilities:
        if v.id in c.removed_vulns or v.kind != "conventional" or v.node is None:
            continue
        ni = c.node_index[v.node]
        only = frozenset(c.asset_index[a] for a in v.assets) if v.assets is not None else None
        base.append(
            Seed(
                -1,
                -1,
                False,
                c.node_pipe[ni],
                Rule.VULNERABILITY,
                v.id,
                node=ni,
                vclass=c.vclass_index[v.vclass],
                only=only,
            )
        )
    for t, cap, persistent, pipe, vid in ai_vuln_seeds(c):
        base.append(Seed(t, cap, persistent and c.integrity[cap], pipe, Rule.AI_WEAKNESS, vid))

    per_assumption: dict[str, list[Seed]] = {}
    for asm in model.assumptions:
        seeds: list[Seed] = []
        t = c.target_of_ref(asm.asset, asm.component)
        if asm.capability is not None and t >= 0:
            k = ci[asm.capability]
            seeds.append(
                Seed(
                    t,
                    k,
                    asm.persistent and c.integrity[k],
                    pipe_index(asm.pipeline),
                    Rule.ASSUMPTION,
                    asm.id,
                )
            )
        per_assumption[asm.id] = seeds
        for aid, sent in asm.sends:
            st = c.target_of_ref(aid, sent)
            if st >= 0:
                pipe = type_pipeline(c, st)
                base.append(Seed(st, ci["inspect"], False, pipe, Rule.ASSUMPTION_SENDS, asm.id))
    return base, per_assumption
