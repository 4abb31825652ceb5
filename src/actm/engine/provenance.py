"""Reading proofs off the recorded derivations.

Every fact keeps one derivation (rule, via, premises). The proof of a set of facts is the
premise graph below them; :func:`proof` lists it premises first, each fact once, so it reads as
a chain from what the model declares to the impact.
"""

from __future__ import annotations

from collections.abc import Iterable

from actm.engine.facts import SEEDS, FactStore, Rule

__all__ = ["proof", "seeds_in"]


def proof(store: FactStore, roots: Iterable[int]) -> list[int]:
    """Facts below ``roots`` (included), each after its premises; deterministic."""
    order: list[int] = []
    seen: set[int] = set()
    for root in roots:
        if root in seen or root not in store.index:
            continue
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            key, done = stack.pop()
            if done:
                order.append(key)
                continue
            if key in seen:
                continue
            seen.add(key)
            stack.append((key, True))
            _, _, premises = store.derivation(key)
            for p in reversed(premises):
                if p not in seen:
                    stack.append((p, False))
    return order


def seeds_in(store: FactStore, keys: Iterable[int]) -> list[tuple[Rule, object]]:
    """The declared elements (rule, via) a proof rests on, in proof order."""
    out: list[tuple[Rule, object]] = []
    for k in keys:
        rule, via, premises = store.derivation(k)
        if (
            rule in SEEDS
            or (rule == Rule.RESIDENCY and not premises)
            or (rule == Rule.AI_WEAKNESS and not premises)
        ):
            out.append((Rule(rule), via))
    return out
