"""The capability table (capabilities.yaml): classes, capabilities strongest first, and the
implication relation closed transitively."""

from __future__ import annotations

from dataclasses import dataclass

from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.layers import EntryOrigin

__all__ = ["CapabilityTable", "build_capabilities"]


@dataclass(frozen=True)
class CapabilityTable:
    classes: tuple[str, ...]
    capabilities: tuple[str, ...]
    capability_class: dict[str, str]
    capability_rank: dict[str, int]
    implied: dict[str, frozenset[str]]


def build_capabilities(b: Builder) -> CapabilityTable:
    """Read the classes and the implication pairs; record the capabilities in ``b`` so that
    later tables can check names against them."""
    classes: list[str] = []
    caps: list[str] = []
    cap_class: dict[str, str] = {}
    cap_rank: dict[str, int] = {}
    for cls, origin in b.merged.values("capabilities.yaml:classes"):
        classes.append(cls.id)
        for rank, cap in enumerate(cls.capabilities):
            if cap.id in cap_class:
                b.bad(origin, "duplicate-capability", f"capability {cap.id!r} is defined twice")
                continue
            caps.append(cap.id)
            cap_class[cap.id] = cls.id
            cap_rank[cap.id] = rank
    b.capabilities = tuple(caps)
    b.capability_class = cap_class
    direct: dict[str, set[str]] = {c: {c} for c in caps}
    implies_entry = b.merged.singles.get("capabilities.yaml:implies")
    if implies_entry is not None:
        pairs, origin = implies_entry
        for strong, weak in pairs:
            if _check_pair(b, strong, weak, origin, cap_rank):
                direct[strong].add(weak)
    implied = _closure(caps, direct)
    if implies_entry is not None:
        for c in caps:
            for d in implied[c]:
                if d != c and c in implied[d]:
                    b.bad(implies_entry[1], "implication-cycle", f"{c} and {d} imply each other")
    return CapabilityTable(tuple(classes), tuple(caps), cap_class, cap_rank, implied)


def _check_pair(
    b: Builder, strong: str, weak: str, origin: EntryOrigin, cap_rank: dict[str, int]
) -> bool:
    """Report what is wrong with ``strong`` implies ``weak``; True when both exist (the pair
    then counts, even if reported, so that one mistake is reported once)."""
    cap_class = b.capability_class
    for c in (strong, weak):
        if c not in cap_class:
            b.bad(
                origin,
                "unknown-capability",
                f"implies names unknown capability {c!r}",
                did_you_mean(c, b.capabilities),
            )
    if strong not in cap_class or weak not in cap_class:
        return False
    if cap_class[strong] != cap_class[weak]:
        b.bad(
            origin,
            "cross-class-implication",
            f"{strong} and {weak} are in different classes; implication stays within a class",
        )
    elif cap_rank[strong] >= cap_rank[weak]:
        b.bad(
            origin,
            "implication-against-order",
            f"{strong} cannot imply {weak}: the class lists {weak} as at least as strong",
            "capabilities are listed strongest first; an implication goes from a "
            "stronger one to a weaker one",
        )
    return True


def _closure(caps: list[str], direct: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Each capability with everything it implies, directly or through others."""
    implied: dict[str, frozenset[str]] = {}
    for c in caps:
        seen = {c}
        stack = [c]
        while stack:
            x = stack.pop()
            for y in direct.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        implied[c] = frozenset(seen)
    return implied
