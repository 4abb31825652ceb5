"""Which control stopped which chain: inherent threats the controls take out of scope or lower.

A threat is *mitigated* when it closes without the model's controls (the inherent view) but not
with them (the residual view); it is *lowered* when it closes in both but scores less with them.

Attribution is counterfactual: a control is credited with a threat when the analysis with every
implemented control *but that one* brings the threat back (or raises its score again). The
engine makes those runs (:mod:`actm.engine.runs`): one per control acting on a changed threat's
chain or on one of its routes (:class:`Effects` says which), and one for all the others together
(split in halves only while a run shows a change); controls that change nothing alone by
construction (:func:`inert`, :func:`duplicated`) need no run. When no single control's removal
brings a threat back, the controls are redundant, and those that *touch* the threat's inherent
chain are credited (they act on an element the chain goes through: a relation, a tool or tool
permission, a vulnerability, an adversary or outside source, an exposed asset, or the attack
itself). Above
:data:`~actm.engine.runs.MAX_COUNTERFACTUAL` implemented controls the engine runs would cost
too much, and every threat is attributed by touch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

from actm.engine.chain import step_elements
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.effects import ACTING, EFFECTS, effect_keys, in_force
from actm.model.resolve import TOOL_PERMISSIONS
from actm.model.system import Control, SystemModel
from actm.results.model import Threat

__all__ = [
    "Effects",
    "control_elements",
    "duplicated",
    "inert",
    "step_elements",
    "threat_elements",
]

BREAKS = EFFECTS["breaks"]
JUSTIFIES = EFFECTS["justifies"]


class Analysed(Protocol):
    """What :class:`Effects` reads of a residual run: its model and knowledge base."""

    @property
    def model(self) -> SystemModel: ...

    @property
    def kb(self) -> KnowledgeBase: ...


def _control_effects(controls: Iterable[Control]) -> list[tuple[str, str, str]]:
    """(element, control, how) for every effect of ``controls`` that names a chain element
    (all but their breaks, which act on attacks), and for every assumption they justify (a
    chain through a justified assumption is accepted risk: the step names the assumption)."""
    out: list[tuple[str, str, str]] = []
    for ctl in controls:
        for effect in ACTING:
            for value in effect.values(ctl):
                element = effect.element(value)
                if element is not None:
                    out.append((element, ctl.id, effect.reason(value)))
        for aid in JUSTIFIES.values(ctl):
            out.append((aid, ctl.id, JUSTIFIES.reason(aid)))
    return out


def _in_force(c: Analysed) -> list[Control]:
    return [ctl for ctl in c.model.controls if ctl.status == "implemented"]


def inert(controls: Sequence[Control], justified: Collection[str] = ()) -> frozenset[str]:
    """The controls that do nothing the engine sees: removing any of them, alone or together,
    changes no threat. Justifying an assumption is not nothing (what rests on it only is
    accepted risk), unless it is among the assumptions the model declares ``justified``: the
    engine reads an assumption as justified when it is declared so or a control in force
    justifies it (engine/costs.py), so such a control changes no seed's cost."""
    return frozenset(
        ctl.id
        for ctl in controls
        if not effect_keys(ctl) and all(a in justified for a in JUSTIFIES.values(ctl))
    )


def duplicated(controls: Sequence[Control]) -> frozenset[str]:
    """The controls each of whose effects another of ``controls`` has too (or makes moot: a
    blocked edge needs no weakening, an attack broken everywhere no further break). Without one
    of them alone the engine's tables, and so the analysis, are the same."""
    keys = {ctl.id: effect_keys(ctl) for ctl in controls}
    out: set[str] = set()
    for ctl in controls:
        others: set[tuple[str, ...]] = set()
        for other in controls:
            if other.id != ctl.id:
                others |= keys[other.id]

        if keys[ctl.id] and all(in_force(k, others) for k in keys[ctl.id]):
            out.add(ctl.id)
    return frozenset(out)


def _bound(threat: Threat) -> set[str]:
    return {b.element for b in threat.bindings} | set(threat.assets)


class Effects:
    """The effects of the controls in force in ``residual``, indexed by what they act on."""

    def __init__(self, residual: Analysed) -> None:
        self.kb = residual.kb
        self.by_element: dict[str, list[tuple[str, str]]] = {}
        for element, ctl, how in _control_effects(_in_force(residual)):
            self.by_element.setdefault(element, []).append((ctl, how))
        self.breaking: dict[str, list[Control]] = {}
        """Attack id -> controls that break it (everywhere, on an asset, or from a step on)."""
        for control in _in_force(residual):
            for attack in sorted({a for a, _asset, _step in BREAKS.values(control)}):
                self.breaking.setdefault(attack, []).append(control)

    def _breaks(self, threat: Threat) -> list[tuple[str, str]]:
        """(control, how) for the controls that break ``threat``'s attack, everywhere or on one
        of its assets, naming the attack step they break it from and where."""
        out: list[tuple[str, str]] = []
        bound = _bound(threat)
        attack = self.kb.attacks.get(threat.attack)
        steps = [s.id for s in attack.steps] if attack is not None else []

        def applies(asset: str | None) -> bool:
            return asset is None or asset in bound or asset.split(".")[0] in bound

        def where(asset: str | None) -> str:
            if asset is None:
                return f"on {threat.severity.asset} (everywhere)"
            return f"on {asset}"

        for ctl in self.breaking.get(threat.attack, ()):
            for attack_id, asset, step in BREAKS.values(ctl):
                if attack_id != threat.attack or not applies(asset):
                    continue
                if step is None:
                    out.append((ctl.id, f"breaks {attack_id} {where(asset)}"))
                else:
                    n = steps.index(step) + 1 if step in steps else 0
                    out.append((ctl.id, f"breaks step {n} ({step}) of {attack_id} {where(asset)}"))
        return out

    def acting_on(self, elements: Iterable[str]) -> set[str]:
        """The controls that act on any of ``elements`` (their breaks aside)."""
        return {ctl for element in elements for ctl, _how in self.by_element.get(element, ())}

    def on(self, threat: Threat) -> dict[str, list[str]]:
        """Control -> how it acts on ``threat``'s (inherent) chain: touch-based, sorted by
        control, each reason starting with the control's id."""
        out: dict[str, set[str]] = {}
        for ctl, how in self._breaks(threat):
            out.setdefault(ctl, set()).add(f"{ctl} {how}")
        for step in threat.chain:
            for element in sorted(step_elements(step)):
                for ctl, how in self.by_element.get(element, ()):
                    what = f"{step.capability} on {step.target}" if step.capability else step.target
                    out.setdefault(ctl, set()).add(
                        f"{ctl} {how} (chain step {step.index + 1}: {what})"
                    )
        # what the attack itself binds: a tool it relies on, with its permissions
        bound = {b.element for b in threat.bindings}
        bound |= {f"{e}.{p}" for e in list(bound) for p in TOOL_PERMISSIONS}
        on_chain = set(out)
        for element in sorted(bound):
            for ctl, how in self.by_element.get(element, ()):
                if ctl not in on_chain:
                    out.setdefault(ctl, set()).add(f"{ctl} {how} (bound by {threat.attack})")
        return {ctl: sorted(reasons) for ctl, reasons in sorted(out.items())}


def threat_elements(threat: Threat) -> frozenset[str]:
    """Every model element a control could act on to break ``threat``'s chain.

    Deliberately generous (every step's elements and target, the bound elements with their
    permissions, the adversaries): the planner uses it to decide which controls *may* remove a
    threat, and an element too many only costs it an engine run, while one too few would make it
    miss the optimum.
    """
    out: set[str] = set(threat.adversaries) | set(threat.vulnerabilities)
    for step in threat.chain:
        out |= step_elements(step)
        out.add(step.target)
    bound = {b.element for b in threat.bindings}
    out |= bound
    out |= {f"{e}.{p}" for e in bound for p in TOOL_PERMISSIONS}
    return frozenset(out)


def control_elements(ctl: Control) -> frozenset[str]:
    """The model elements a control acts on (its breaks aside), named as chains name them."""
    return frozenset(x for e in ACTING for value in e.values(ctl) for x in e.touches(value))
