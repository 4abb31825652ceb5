"""Routes: which entry points close each threat on their own, and their shortest chains.

Every seed belongs to an entry point (engine/seeds.py; conditions to whoever reaches their model,
engine/costs.py). A threat's *route* from an entry point is its shortest chain in the closure of
that entry point's seeds alone, with the conditions: one closure per entry point, counting
length (:class:`~actm.engine.closure.Closure` with ``lengths=True``), independent of each other,
so that the orchestrator (engine/runs.py) can run them in parallel. A threat no entry point
closes alone needs several to cooperate.

A threat that closes from the conditions alone gets its route from the entry point those
conditions are attributed to; other entry points add nothing to it and get no route.

Seeds of justified assumptions form entry points of their own: a route through one is accepted
risk. Above :data:`MAX_ENTRY_POINTS` entry points, those of one reach (and justification) are
grouped into one, so the work stays bounded; each such route names its members.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from actm.engine.chain import Route, chain_text, step_elements
from actm.engine.closure import Closure
from actm.engine.compiled import Compiled
from actm.engine.costs import costs, entry_of
from actm.engine.facts import Rule
from actm.engine.provenance import proof, seeds_in
from actm.engine.reader import Reader
from actm.engine.seeds import CONDITION, Seed, seeds_of
from actm.engine.wording import Wording
from actm.terms import REACHES

__all__ = [
    "MAX_ENTRY_POINTS",
    "EntryPoint",
    "all_seeds",
    "entry_points",
    "route_order",
    "run_entry",
]

MAX_ENTRY_POINTS = 16
"""Up to this many entry points, each gets a closure of its own; above, one per reach."""


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """Seeds that start routes together: one adversary's, or (grouped) one reach's."""

    id: str
    reach: str
    justified: bool
    """Its seeds are justified assumptions' (accepted risk)."""
    members: tuple[str, ...] = ()
    """The entry points grouped in it (empty when it is one)."""


def all_seeds(c: Compiled) -> list[Seed]:
    """Every seed of the model as declared: the fixed ones and each assumption's."""
    base, per_assumption = seeds_of(c)
    return [*base, *(s for aid in sorted(per_assumption) for s in per_assumption[aid])]


def _is_justified(c: Compiled, seed: Seed) -> bool:
    return seed.rule in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS) and (
        str(seed.via) in costs(c).justified
    )


def entry_points(c: Compiled) -> tuple[list[tuple[EntryPoint, list[Seed]]], list[Seed], bool]:
    """(each entry point with its seeds, in a canonical order; the conditions; whether entry
    points were grouped by reach because there were more than :data:`MAX_ENTRY_POINTS`)."""
    by_entry: dict[tuple[str, str, bool], list[Seed]] = {}
    conditions: list[Seed] = []
    for s in all_seeds(c):
        if s.entry == CONDITION:
            conditions.append(s)
            continue
        by_entry.setdefault((s.entry, s.reach, _is_justified(c, s)), []).append(s)
    keys = sorted(by_entry, key=lambda k: (k[2], REACHES.index(k[1]), k[0]))
    if len(keys) <= MAX_ENTRY_POINTS:
        return [(EntryPoint(k[0], k[1], k[2]), by_entry[k]) for k in keys], conditions, False
    grouped: dict[tuple[str, bool], list[tuple[str, str, bool]]] = {}
    for k in keys:
        grouped.setdefault((k[1], k[2]), []).append(k)
    out = []
    for (reach, justified), members in grouped.items():
        names = tuple(sorted({m[0] for m in members}))
        label = f"{reach} entry points ({len(names)})"
        seeds = [s for m in members for s in by_entry[m]]
        out.append((EntryPoint(label, reach, justified, names), seeds))
    return out, conditions, True


def run_entry(
    c: Compiled,
    wording: Wording,
    entry: EntryPoint | None,
    seeds: Sequence[Seed],
    wanted: Container[str] | None = None,
    elements: bool = False,
) -> tuple[dict[str, Route], dict[str, frozenset[str]], frozenset[str]]:
    """The routes one entry point's seeds (with the conditions, which ``seeds`` includes) give:
    threat id -> route (only for the threat ids ``wanted`` holds, when given: the closure is
    the same, only those are read). ``entry`` None: the conditions alone, each threat's route
    attributed to the entry point its conditions belong to. With ``elements``, also threat id
    -> the model elements its route's chain goes through, named as controls name them
    (:func:`~actm.engine.chain.step_elements`); else that mapping is empty. Last, the threats
    this closure finds only once the posited weaknesses of hypotheses are added (as the run
    does, after everything else): their routes need one, so they are no routes of a threat the
    run finds without one (:func:`~actm.engine.attribution.assemble` drops them)."""
    cl = Closure(c, lengths=True)
    cl.apply(s for s in seeds if not s.hypothetical)
    cl.saturate()
    cl.posit(seeds)  # posited weaknesses last, as in the run: what closes before needs none
    reader = Reader(c, cl.store, wording)
    justified = costs(c).justified
    out: dict[str, Route] = {}
    through: dict[str, frozenset[str]] = {}
    late: set[str] = set()
    for m in cl.matcher.matches:
        attack = c.rules[m.rule].attack.id
        tid = "@".join((attack, *m.binding))
        if wanted is not None and tid not in wanted:
            continue
        if m.hypothetical:
            late.add(tid)
        keys = proof(cl.store, [k for k in m.premises if k >= 0])
        used = [str(via) for how, via in seeds_in(cl.store, keys) if how in _ASSUMPTION_RULES]
        ep = _attributed(c, cl, keys) if entry is None else entry
        steps = reader.chain(keys) + reader.effects(m, keys, len(keys))
        out[tid] = Route(
            ep.id,
            ep.reach,
            m.cost + 1,
            tuple(sorted({a for a in used if a not in justified})),
            tuple(sorted({a for a in used if a in justified})),
            chain_text(steps),
            ep.members,
        )
        if elements:
            through[tid] = frozenset(e for step in steps for e in step_elements(step))
    return out, through, frozenset(late)


_ASSUMPTION_RULES = (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS)


def _attributed(c: Compiled, cl: Closure, keys: Iterable[int]) -> EntryPoint:
    """The entry point of the conditions a chain uses: the most realistic one."""
    found: list[tuple[str, str]] = []
    for how, via in seeds_in(cl.store, keys):
        if how == Rule.AI_WEAKNESS:
            found.append(entry_of(c, Seed(-1, -1, False, 0, how, via)))
    entry, reach = min(found, key=lambda e: (REACHES.index(e[1]), e[0]), default=_INSIDER)
    return EntryPoint(entry, reach, False)


_INSIDER = ("insider", "insider")


def route_order(route: Route) -> tuple[bool, int, int, int, str]:
    """Most realistic first: not accepted, widest reach, fewest unjustified assumptions, fewest
    steps, then by name."""
    return (
        route.accepted,
        REACHES.index(route.reach),
        len(route.unjustified_assumptions),
        route.steps,
        route.adversary,
    )


def collect(
    per_entry: Sequence[Mapping[str, Route]], by_conditions: Mapping[str, Route]
) -> dict[str, tuple[Route, ...]]:
    """Threat id -> its routes, most realistic first. A threat the conditions close alone
    keeps the route of the entry point they are attributed to, and those of other entry points
    only where they are shorter (so they use the entry point's own seeds): the shortest route
    over all entry points is then the shortest of any closure, which adding a control can only
    lengthen."""
    out: dict[str, list[Route]] = {}
    for routes in per_entry:
        for tid, r in routes.items():
            attributed = by_conditions.get(tid)
            if (
                attributed is not None
                and r.adversary != attributed.adversary
                and r.steps >= attributed.steps
            ):
                continue
            out.setdefault(tid, []).append(r)
    for tid, r in by_conditions.items():
        mine = out.setdefault(tid, [])
        if not any(x.adversary == r.adversary for x in mine):
            mine.append(r)
    return {tid: tuple(sorted(rs, key=route_order)) for tid, rs in sorted(out.items())}
