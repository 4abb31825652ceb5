"""Each threat's priority (engine/links.py ``_priorities``): the worst level among itself and
what it enables, directly or not; a threat that enables nothing is its own level at once."""

from __future__ import annotations

import random
from collections.abc import Mapping

from actm.engine.links import _priorities
from actm.terms import LEVELS, level_rank


def _walked(levels: Mapping[str, str], enables: Mapping[str, set[str]]) -> dict[str, str]:
    """The walk that pushes every threat it meets, those enabling nothing too (what
    ``_priorities`` did before it took them at once): the same answers, cycles included."""
    priority: dict[str, str] = {}
    active: set[str] = set()
    for start in sorted(levels):
        if start in priority:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(enables.get(start, ())))]
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
                else:
                    active.add(nxt)
                    best[nxt] = levels[nxt]
                    stack.append((nxt, sorted(enables.get(nxt, ()))))
                    continue
                if level_rank(found) > level_rank(best[tid]):
                    best[tid] = found
                continue
            stack.pop()
            active.discard(tid)
            priority[tid] = best[tid]
            if stack:
                parent = stack[-1][0]
                if level_rank(best[tid]) > level_rank(best[parent]):
                    best[parent] = best[tid]
    return priority


def _reached(tid: str, enables: Mapping[str, set[str]]) -> set[str]:
    seen = {tid}
    todo = [tid]
    while todo:
        for nxt in enables.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _graph(rnd: random.Random, acyclic: bool) -> tuple[dict[str, str], dict[str, set[str]]]:
    n = rnd.randint(1, 12)
    ids = [f"t{i:02d}" for i in range(n)]
    levels = {t: rnd.choice(LEVELS) for t in ids}
    enables: dict[str, set[str]] = {}
    for _ in range(rnd.randint(0, 3 * n)):
        a, b = rnd.sample(ids, 2) if n > 1 else (ids[0], ids[0])
        if a != b and (not acyclic or a < b):
            enables.setdefault(a, set()).add(b)
    return levels, enables


def test_without_cycles_the_worst_level_reached() -> None:
    rnd = random.Random(7)
    for _ in range(2000):
        levels, enables = _graph(rnd, acyclic=True)
        found = _priorities(levels, enables)
        for tid in levels:
            worst = max((levels[t] for t in _reached(tid, enables)), key=level_rank)
            assert found[tid] == worst


def test_the_same_as_walking_every_threat_cycles_included() -> None:
    rnd = random.Random(11)
    for _ in range(5000):
        levels, enables = _graph(rnd, acyclic=False)
        assert _priorities(levels, enables) == _walked(levels, enables)
