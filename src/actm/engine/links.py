"""How threats build on each other: root causes, what each threat enables, and priorities.

A threat *enables* another when the other's shown chain uses what the first one's attack
yields (a step derived by the same attack from premises the first one's match holds). A
threat's *root cause* is the entry point of its shown chain and the first weakness on it: the
first attack or conversion step, declared vulnerability or AI weakness. Fixing a root cause
removes every threat that has it; a root cause is worth fixing at the priority of the worst
threat its threats lead to, which is why each threat's ``priority`` is the worst severity
among itself and everything it enables, directly or not (its own severity stays its own).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from actm.engine.chain import ChainStep, RootCause
from actm.engine.compiled import Compiled
from actm.engine.facts import FactStore, Rule
from actm.engine.matching import Match
from actm.model.system import SystemModel
from actm.records import quick_init
from actm.terms import LEVELS, level_rank

__all__ = ["Enabling", "Linked", "Links", "enabling", "links", "root_cause"]


@quick_init
@dataclass(frozen=True, slots=True)
class Linked:
    """One reported threat, as :func:`links` reads it."""

    id: str
    match: Match
    proof: Sequence[int]
    level: str


@dataclass(frozen=True)
class Links:
    enables: Mapping[str, tuple[str, ...]]
    enabled_by: Mapping[str, tuple[str, ...]]
    priority: Mapping[str, str]


Enabling = tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]]]
"""What :func:`enabling` finds: threat id -> the threats it enables, and -> those enabling it."""


def links(
    c: Compiled, store: FactStore, threats: Sequence[Linked], found: Enabling | None = None
) -> Links:
    """Which of ``threats`` enable which, and each one's priority. ``found``: what
    :func:`enabling` finds for these threats, worked out already (in a worker)."""
    enables, enabled_by = enabling(c, store, threats) if found is None else found
    levels = {t.id: t.level for t in threats}
    priority = _priorities(levels, enables)
    return Links(enables, enabled_by, {k: priority.get(k, LEVELS[0]) for k in sorted(levels)})


def enabling(c: Compiled, store: FactStore, threats: Sequence[Linked]) -> Enabling:
    """Which of ``threats`` enable which (their levels are not read), sorted by id."""
    by_attack: dict[str, list[tuple[str, frozenset[int]]]] = {}
    by_premise: dict[tuple[str, int], list[tuple[str, frozenset[int]]]] = {}
    """(attack, a premise of a match) -> the threats of that attack whose match holds it."""
    for t in threats:
        attack = c.rules[t.match.rule].attack.id
        held = frozenset(p for p in t.match.premises if p >= 0)
        by_attack.setdefault(attack, []).append((t.id, held))
        for p in held:
            by_premise.setdefault((attack, p), []).append((t.id, held))
    enables: dict[str, set[str]] = {}
    enabled_by: dict[str, set[str]] = {}
    # the threats whose match holds every premise of a step an attack derived, per step (the
    # proofs share their first steps: a hub's 30,000 threats pass through a handful)
    sourced: dict[int, list[str]] = {}
    for t in threats:
        for k in t.proof:
            sources = sourced.get(k)
            if sources is None:
                sources = sourced[k] = _sources(c, store, k, by_attack, by_premise)
            for source in sources:
                if source != t.id:
                    enables.setdefault(source, set()).add(t.id)
                    enabled_by.setdefault(t.id, set()).add(source)
    return (
        {k: tuple(sorted(v)) for k, v in sorted(enables.items())},
        {k: tuple(sorted(v)) for k, v in sorted(enabled_by.items())},
    )


def _sources(
    c: Compiled,
    store: FactStore,
    k: int,
    by_attack: Mapping[str, list[tuple[str, frozenset[int]]]],
    by_premise: Mapping[tuple[str, int], list[tuple[str, frozenset[int]]]],
) -> list[str]:
    """The threats whose match holds every premise of fact ``k`` when an attack derived it (a
    source holds every premise of the step: look among those holding one of them)."""
    if k < 0:
        return []
    rule, via, premises = store.derivation(k)
    if rule != Rule.ATTACK or not isinstance(via, int):
        return []
    attack = c.rules[via].attack.id
    used = set(premises)
    sources = by_premise.get((attack, min(used)), ()) if used else by_attack.get(attack, ())
    return [source for source, held in sources if used <= held]


def _priorities(
    levels: Mapping[str, str], enables: Mapping[str, Collection[str]]
) -> dict[str, str]:
    """Each threat's worst level among itself and what it enables, directly or not (a depth
    first walk; a threat met again on the way, in the rare cycle, adds nothing)."""
    rank = {level: level_rank(level) for level in set(levels.values())}
    priority: dict[str, str] = {}
    active: set[str] = set()
    for start in sorted(levels):
        if start in priority:
            continue
        if start not in enables:  # most threats enable nothing: their own level
            priority[start] = levels[start]
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(enables[start]))]
        active.add(start)
        best = {start: levels[start]}
        while stack:
            tid, todo = stack[-1]
            if todo:
                nxt = todo.pop()
                if nxt in priority:
                    found = priority[nxt]
                elif nxt in active:
                    continue
                elif nxt not in enables:  # it enables nothing: its own level, walked at once
                    found = priority[nxt] = levels[nxt]
                else:
                    active.add(nxt)
                    best[nxt] = levels[nxt]
                    stack.append((nxt, sorted(enables[nxt])))
                    continue
                if rank[found] > rank[best[tid]]:
                    best[tid] = found
                continue
            stack.pop()
            active.discard(tid)
            priority[tid] = best[tid]
            if stack:
                parent = stack[-1][0]
                if rank[best[tid]] > rank[best[parent]]:
                    best[parent] = best[tid]
    return priority


_KINDS = {"attack": "attack", "conversion": "conversion", "ai_weakness": "ai_weakness"}


def root_cause(model: SystemModel, entry: str, chain: Sequence[ChainStep]) -> RootCause | None:
    """The root cause of a threat whose shown chain is ``chain``, starting at ``entry``."""
    for step in chain:
        if step.rule in _KINDS and step.via:
            kind = _KINDS[step.rule]
            where = step.target
            v = model.vulnerability(step.via[0]) if kind == "ai_weakness" else None
            if v is not None:
                where = v.model or v.asset or step.target
            return RootCause(entry, kind, step.via[0], where)
        if step.rule == "residency" and not step.premises and step.via:
            declared = model.vulnerability(step.via[0])
            node = declared.node if declared is not None and declared.node else step.target
            return RootCause(entry, "vulnerability", step.via[0], node)
    return None
