"""What each control effect does to the engine's tables: one hook per effect of the registry.

:data:`CONTROL_HOOKS` maps every effect of :data:`actm.knowledge.effects.EFFECTS` to a function
that records one control's values of that effect in a :class:`~actm.engine.compiled.Compiled`
(:func:`~actm.engine.compiled.compile_model` calls it once the assets and nodes are indexed,
before any table that an effect changes is built). Importing this module fails if a hook is
missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from actm.knowledge.effects import EFFECTS, check_hooks

if TYPE_CHECKING:
    from actm.engine.compiled import Compiled
    from actm.model.system import SystemModel

__all__ = ["CONTROL_HOOKS", "HOOKED", "Hook", "patches_only"]

Hook = Callable[["Compiled", str, tuple[Any, ...]], None]
"""(compiled model, control id, the control's values of one effect) -> None."""


def _first(table: Callable[[Compiled], dict[str, str]]) -> Hook:
    """A hook recording, for each element, the first control in force that names it."""

    def hook(c: Compiled, ctl: str, elements: tuple[str, ...]) -> None:
        found = table(c)
        for e in elements:
            found.setdefault(e, ctl)

    return hook


def _justifies(c: Compiled, ctl: str, assumptions: tuple[str, ...]) -> None:
    for aid in assumptions:
        c.justified_by.setdefault(aid, []).append(ctl)


def _weakens(c: Compiled, ctl: str, edges: tuple[tuple[str, str], ...]) -> None:
    for edge, cap in edges:
        limits = c.weakened.setdefault(edge, [])
        limits.append((cap, ctl))
        # several controls on one edge: the strictest wins (the capability implying least)
        caps = [c.cap_index[x] for x, _ in limits]
        c.edge_limit[edge] = min(caps, key=lambda x: bin(c.implied_mask[x]).count("1"))


def _breaks(c: Compiled, ctl: str, cuts: tuple[tuple[str, str | None, str | None], ...]) -> None:
    for attack_id, asset, step_id in cuts:
        where = None
        if asset is not None:
            bi = c.asset_index.get(asset)
            where = c.asset_owner[bi] if bi is not None else asset  # a model id binds itself
        if step_id is None:
            if where is None:
                c.broken_attacks.setdefault(attack_id, []).append(ctl)
            else:
                c.broken_from.setdefault(attack_id, []).append((0, where))
            continue
        attack = c.kb.attacks.get(attack_id)
        steps = [st.id for st in attack.steps] if attack is not None else []
        if step_id in steps:  # the loader reports unknown steps; never crash on one here
            c.broken_from.setdefault(attack_id, []).append((steps.index(step_id), where))


CONTROL_HOOKS: Mapping[str, Hook] = {
    "removes": _first(lambda c: c.removed_vulns),
    "blocks": _first(lambda c: c.blocked),
    "justifies": _justifies,
    "weakens": _weakens,
    "approves": _first(lambda c: c.approved),
    "sandboxes": _first(lambda c: c.sandboxed),
    "hides": _first(lambda c: c.hidden),
    "narrows": _first(lambda c: c.narrowed),
    "breaks": _breaks,
}
"""Effect name -> how it changes the tables of a compiled model (control id, its values)."""
check_hooks("actm.engine.compiled.CONTROL_HOOKS", CONTROL_HOOKS)
check_hooks("actm.engine.controls.CONTROL_HOOKS", CONTROL_HOOKS)

HOOKED = (
    *("removed_vulns", "blocked", "justified_by", "weakened", "approved", "sandboxed"),
    *("hidden", "narrowed", "edge_limit", "broken_attacks", "broken_from"),
)
"""The tables the control hooks (engine/controls.py) write."""


def patches_only(model: SystemModel, left_out: AbstractSet[str], unread: AbstractSet[str]) -> bool:
    """Whether each control of ``left_out`` does nothing but remove conventional
    vulnerabilities of ``model`` or have effects of ``unread`` (an AI weakness, a blocked
    element, an approval, a sandbox, a hidden output or a narrowed credential would change
    other tables)."""
    ai = {v.id for v in model.vulnerabilities if v.kind == "ai"}
    for ctl in model.controls:
        if ctl.id not in left_out:
            continue
        for effect in EFFECTS.values():
            values = effect.values(ctl)
            if not values or effect.name in unread:
                continue
            if effect.name != "removes" or ai.intersection(values):
                return False
    return True
