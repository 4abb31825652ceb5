"""The registry of control effects: what a control can do, in one table.

A control in a model file (``controls:``) lists its effects under keys named after them
(``removes: [v1]``, ``weakens: [{edge, to}]``); a catalog template (:mod:`.controls`) names
one effect. Each effect is one class here, with:

* ``name``: the key in a model's ``controls:`` entry and the catalog's ``effect:``;
* ``targets``: the kinds of element it applies to (``tool``, ``relation``, ...);
* its value shape, through :meth:`Effect.values` (read from a resolved control) and
  :meth:`Effect.fields` (back into one);
* the hooks that read it: planning identity (:meth:`Effect.key`, :meth:`Effect.moot`), credit
  (:meth:`Effect.element`, :meth:`Effect.touches`, :meth:`Effect.reason`), proposal
  (:meth:`Effect.propose`) and the model-file form of a planned control (:meth:`Effect.to_model`).

How an effect changes the engine's tables is the engine's business: ``actm.engine.compiled``
registers one hook per effect name, checked against :data:`EFFECTS` when it is imported.
Resolved controls are read by attribute name, so this layer does not import the model.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

__all__ = [
    "ACTING",
    "EFFECTS",
    "Effect",
    "EffectKey",
    "check_hooks",
    "effect_keys",
    "in_force",
]

V = TypeVar("V")

EffectKey = tuple[str, ...]
"""One thing a control does to one element: ``("blocks", "send_email.egress")``,
``("weakens", "r1", "influence")``, ``("breaks", attack, asset or "")`` (from the first step),
``("breaks", attack, asset or "", step)`` (from that step on)."""


class Effect(ABC, Generic[V]):
    """One kind of effect; by default its values are element ids."""

    name: ClassVar[str]
    targets: ClassVar[frozenset[str]]
    """Kinds of element it applies to."""
    doc: ClassVar[str]
    acts: ClassVar[bool] = True
    """Whether it changes what the engine finds (a justification only relabels assumptions)."""
    needs_capability: ClassVar[bool] = False
    """A catalog template of this effect names a capability (``up_to``)."""

    def values(self, control: object) -> tuple[V, ...]:
        """What a resolved control does of this kind, read from its attribute ``name``."""
        found: tuple[V, ...] = tuple(getattr(control, self.name))
        return found

    def fields(self, values: Sequence[V]) -> dict[str, tuple[Any, ...]]:
        """The attributes of a resolved control that hold ``values``."""
        return {self.name: tuple(values)}

    def key(self, value: V) -> EffectKey:
        return (self.name, str(value))

    def moot(self, key: EffectKey, present: AbstractSet[EffectKey]) -> bool:
        """Whether other effects in ``present`` make ``key`` (one of this kind) pointless."""
        return False

    def element(self, value: V) -> str | None:
        """The model element the value names, as chains name it; None when it names none."""
        return str(value)

    def touches(self, value: V) -> frozenset[str]:
        """Every model element it acts on, as chains name them (the planner's touch test)."""
        found = self.element(value)
        return frozenset() if found is None else frozenset({found})

    def reason(self, value: V) -> str:
        """What it does, as mitigation credit says it."""
        return f"{self.name} {value}"

    def propose(self, value: Any, target: str, up_to: str | None) -> tuple[V, str] | None:
        """The value and text of a candidate that applies this effect to ``value`` (an element
        of kind ``target``, as the planner enumerates it), or None when it cannot."""
        return value, self.reason(value)

    def to_model(self, values: Sequence[V]) -> object:
        """``values`` as a model file writes them under ``name``."""
        return list(values)


class Removes(Effect[str]):
    name = "removes"
    targets = frozenset({"vulnerability"})
    doc = "vulnerability ids whose grants it removes"

    def reason(self, value: str) -> str:
        return f"removes vulnerability {value}"


class Blocks(Effect[str]):
    name = "blocks"
    targets = frozenset({"tool", "tool_permission", "relation", "source", "adversary"})
    doc = "propagation edges it blocks: relations, tools, tool permissions, adversaries, sources"

    def reason(self, value: str) -> str:
        return f"blocks {value}"

    def propose(self, value: Any, target: str, up_to: str | None) -> tuple[str, str]:
        if target == "tool":
            return value, f"removes tool {value}"
        if target == "source":
            return value, f"stops content from {value.removeprefix('source:')}"
        return value, self.reason(value)


class Approves(Effect[str]):
    name = "approves"
    targets = frozenset({"tool"})
    doc = "tools it puts behind human approval of each call"

    def touches(self, value: str) -> frozenset[str]:
        return frozenset({value, f"{value}.write", f"{value}.execute", f"{value}.egress"})

    def reason(self, value: str) -> str:
        return f"puts tool {value} behind human approval"


class Sandboxes(Effect[str]):
    name = "sandboxes"
    targets = frozenset({"tool"})
    doc = "tools whose code execution it confines to a sandbox"

    def touches(self, value: str) -> frozenset[str]:
        return frozenset({value, f"{value}.execute"})

    def reason(self, value: str) -> str:
        return f"sandboxes the code tool {value} runs"


class Hides(Effect[str]):
    name = "hides"
    targets = frozenset({"model_asset"})
    doc = "model assets it stops returning to callers"

    def reason(self, value: str) -> str:
        return f"stops returning {value} to callers"


class Weakens(Effect[tuple[str, str]]):
    """(edge, the strongest capability that still passes it)."""

    name = "weakens"
    targets = frozenset({"tool_permission", "relation"})
    doc = "edges it lets through only up to a capability"
    needs_capability = True

    def key(self, value: tuple[str, str]) -> EffectKey:
        return (self.name, *value)

    def moot(self, key: EffectKey, present: AbstractSet[EffectKey]) -> bool:
        return ("blocks", key[1]) in present  # a blocked edge needs no weakening

    def element(self, value: tuple[str, str]) -> str:
        return value[0]

    def reason(self, value: tuple[str, str]) -> str:
        return f"lets {value[0]} pass only up to {value[1]}"

    def propose(
        self, value: Any, target: str, up_to: str | None
    ) -> tuple[tuple[str, str], str] | None:
        if up_to is None:
            return None
        weakened = (str(value), up_to)
        return weakened, self.reason(weakened)

    def to_model(self, values: Sequence[tuple[str, str]]) -> object:
        return [{"edge": e, "to": cap} for e, cap in values]


class Narrows(Effect[str]):
    name = "narrows"
    targets = frozenset({"credential"})
    doc = "credentials it restricts to what the tools acting under them use (a narrower scope)"

    def reason(self, value: str) -> str:
        return f"narrows credential {value} to what its tools use"


class Justifies(Effect[str]):
    name = "justifies"
    targets = frozenset({"assumption"})
    doc = "assumption ids it justifies with evidence"
    acts = False

    def element(self, value: str) -> None:
        return None  # it acts on no chain element: it relabels the assumption

    def reason(self, value: str) -> str:
        return f"justifies assumption {value}"


Cut = tuple[str, str | None, str | None]
"""(attack, asset or None for everywhere, step or None for the first)."""


class _Cuts(Protocol):
    """How a resolved control keeps its breaks."""

    @property
    def breaks(self) -> tuple[tuple[str, str | None], ...]:
        """(attack, asset or None)."""

    @property
    def break_steps(self) -> tuple[tuple[str, str, str | None], ...]:
        """(attack, step, asset or None)."""


class Breaks(Effect[Cut]):
    """An attack broken everywhere or where it binds an asset, from its first step or a later
    one. A resolved control keeps the two forms apart (``breaks``, ``break_steps``)."""

    name = "breaks"
    targets = frozenset({"threat"})
    doc = "attack patterns it breaks, optionally where they bind an asset or from a step on"

    def values(self, control: object) -> tuple[Cut, ...]:
        c = cast(_Cuts, control)
        return tuple((a, asset, None) for a, asset in c.breaks) + tuple(
            (a, asset, step) for a, step, asset in c.break_steps
        )

    def fields(self, values: Sequence[Cut]) -> dict[str, tuple[Any, ...]]:
        return {
            "breaks": tuple((a, asset) for a, asset, step in values if step is None),
            "break_steps": tuple((a, step, asset) for a, asset, step in values if step is not None),
        }

    def key(self, value: Cut) -> EffectKey:
        attack, asset, step = value
        return (self.name, attack, asset or "") + ((step,) if step is not None else ())

    def moot(self, key: EffectKey, present: AbstractSet[EffectKey]) -> bool:
        # broken everywhere, or from the first step on where this breaks it from a later one
        return (self.name, key[1], "") in present or (self.name, *key[1:3]) in present

    def element(self, value: Cut) -> None:
        return None  # it acts on an attack, not on a chain element

    def reason(self, value: Cut) -> str:
        attack, asset, step = value
        where = "" if asset is None else f" where it binds {asset}"
        return f"breaks {attack}{where}" + ("" if step is None else f" from step {step}")

    def propose(self, value: Any, target: str, up_to: str | None) -> tuple[Cut, str]:
        attack, asset = value
        cut: Cut = (attack, asset, None)
        return cut, self.reason(cut)

    def to_model(self, values: Sequence[Cut]) -> object:
        out: list[dict[str, str]] = []
        for attack, asset, step in values:
            entry = {"attack": attack}
            if step is not None:
                entry["step"] = step
            if asset is not None:
                entry["asset"] = asset
            out.append(entry)
        return out


EFFECTS: Mapping[str, Effect[Any]] = {
    e.name: e
    for e in (
        Removes(),
        Blocks(),
        Approves(),
        Sandboxes(),
        Hides(),
        Weakens(),
        Narrows(),
        Justifies(),
        Breaks(),
    )
}
"""Effect name -> its effect, in the order a planned control is written out."""

ACTING: tuple[Effect[Any], ...] = tuple(e for e in EFFECTS.values() if e.acts)
"""The effects that change what the engine finds."""


def effect_keys(control: object) -> frozenset[EffectKey]:
    """What ``control`` does that the engine sees, one key per effect and element.

    Two controls that act on the same element need not do the same thing: approving a tool's
    calls is not blocking its egress, and breaking an attack from one step on is not breaking
    it from another.
    """
    return frozenset(e.key(v) for e in ACTING for v in e.values(control))


def in_force(key: EffectKey, present: AbstractSet[EffectKey]) -> bool:
    """Whether ``present`` (the effects of other controls) already has ``key`` or makes it moot:
    a blocked edge needs no weakening, and an attack broken from its first step (on that asset,
    or everywhere) needs no further break."""
    return key in present or EFFECTS[key[0]].moot(key, present)


def check_hooks(where: str, hooks: Collection[str]) -> None:
    """Fail loudly when a table of per-effect hooks (in another layer) lacks an effect of the
    registry or names one it does not have."""
    missing = sorted(set(EFFECTS) - set(hooks))
    extra = sorted(set(hooks) - set(EFFECTS))
    if missing or extra:
        raise LookupError(f"{where}: no hook for effects {missing}; unknown effects {extra}")
