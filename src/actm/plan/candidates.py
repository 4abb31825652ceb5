"""Candidate controls for a model: catalog templates applied to its elements, and its own
planned controls."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from actm.knowledge.attacks import AttackPattern, KnowledgeBase
from actm.knowledge.controls import ControlTemplate
from actm.knowledge.effects import ACTING, EFFECTS, effect_keys, in_force
from actm.model.system import Control, SystemModel, Tool
from actm.results.mitigation import control_elements
from actm.results.model import Threat

__all__ = [
    "ELEMENTS",
    "Candidate",
    "candidates_for",
    "in_force",
    "inner_attacks",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    template: str | None
    name: str
    effect: str
    cost: float
    control: Control
    """The control as the engine applies it (status implemented)."""
    elements: frozenset[str]
    """Model elements it acts on (see :func:`actm.results.mitigation.control_elements`)."""

    def touches(
        self,
        threat: Threat,
        elements: frozenset[str],
        inner: Mapping[str, frozenset[str] | None] | None = None,
    ) -> bool:
        """Whether it may cut ``threat`` (whose chain goes through ``elements``).

        ``inner`` is :func:`inner_attacks` of the threat (computed, without a knowledge base,
        when not given).
        """
        if not self.elements.isdisjoint(elements):
            return True
        cuts = [*self.control.breaks, *((a, x) for a, _s, x in self.control.break_steps)]
        if not cuts:
            return False
        if inner is None:
            inner = inner_attacks(threat)
        bound = {b.element for b in threat.bindings} | set(threat.assets)
        for attack, asset in cuts:
            owner = None if asset is None else asset.partition(".")[0]
            if attack in inner:
                where = inner[attack]
                if owner is None or where is None or owner in where:
                    return True  # an attack step inside the chain, where it may have bound
            if attack == threat.attack and (owner is None or asset in bound or owner in bound):
                return True  # the threat's own attack, where it binds
        return False


def inner_attacks(
    threat: Threat, kb: KnowledgeBase | None = None
) -> dict[str, frozenset[str] | None]:
    """The attacks (and conversions) of the steps inside ``threat``'s chain (not its own last
    steps, what its attack yields), each with the models and assets it may have bound there:
    None for anywhere.

    A control breaking an attack on an asset stops the instances that bind that asset's owner
    (:mod:`actm.engine.compiled`). A chain step does not record its instance's binding, but an
    attack whose every variable has a capability requirement (by the step that first names it)
    binds exactly the owners of the facts it required (the step's premises) and of what it
    yields (the step's target). With ``kb`` those attacks get these owners; any other (a
    variable bound only structurally, or no ``kb``) may have bound anything.
    """
    chain = threat.chain
    end = len(chain)
    if chain:
        last = chain[-1]
        while (
            end > 0
            and chain[end - 1].rule == "attack"
            and chain[end - 1].via == (threat.attack,)
            and chain[end - 1].premises == last.premises
        ):
            end -= 1
    out: dict[str, set[str] | None] = {}
    for step in chain[:end]:
        if step.rule not in ("attack", "conversion") or not step.via:
            continue
        attack = step.via[0]
        pattern = kb.attacks.get(attack) if kb is not None else None
        tight = pattern is not None and bool(step.premises) and _all_required(pattern)
        where = out.get(attack, set())
        if not tight or where is None:
            out[attack] = None
            continue
        where.add(step.target.partition(".")[0])
        where.update(chain[p].target.partition(".")[0] for p in step.premises)
        out[attack] = where
    return {a: None if w is None else frozenset(w) for a, w in out.items()}


def _all_required(pattern: AttackPattern) -> bool:
    """Whether every variable of ``pattern`` has a capability requirement by the first step
    that names it (so that whatever a step binds, one of its premises is on it)."""
    seen: set[str] = set()
    required: set[str] = set()
    for step in pattern.steps:
        seen.update(r.var for r in step.requires)
        required.update(r.var for r in step.requires if r.capability is not None)
        if not seen <= required:
            return False
    return required >= set(pattern.variables)


def _control(
    cid: str,
    effects: Mapping[str, Sequence[Any]],
    *,
    name: str | None = None,
    kind: str | None = None,
    cost: float | None = None,
) -> Control:
    """An implemented control with ``effects`` (effect name -> its values)."""
    blank = Control(
        id=cid,
        name=name,
        description=None,
        kind=kind,
        status="implemented",
        removes=(),
        blocks=(),
        justifies=(),
        breaks=(),
        cost=cost,
        evidence=(),
    )
    changes: dict[str, Any] = {}
    for effect_name, values in effects.items():
        changes.update(EFFECTS[effect_name].fields(values))
    return replace(blank, **changes)


def _permissions(tool: Tool) -> set[str]:
    out: set[str] = set()
    if tool.read:
        out.add("read")
    if tool.write:
        out.add("write")
    if tool.execute:
        out.add("execute")
    if tool.egress or tool.external_egress:
        out.add("egress")
    if tool.delete:
        out.add("delete")
    return out


def _named_countermeasures(
    threats: Sequence[Threat], catalog_ids: set[str]
) -> Callable[[ControlTemplate, str, Control], Control]:
    """Names a ``threat`` template's candidate (an attack-specific countermeasure) after the
    controls its attack's knowledge names (its ``controls:``): the first one the catalog does
    not already propose as a control of its own (else the first), the others as alternatives.
    So a plan says "rate limiting" where it would say "a countermeasure specific to this
    attack"; the control's id and kind name it too. Other candidates, and a template that is
    itself one of the controls named, are returned as they are.
    """
    suggested = {t.attack: t.suggested_controls for t in threats if t.suggested_controls}

    def named(t: ControlTemplate, element: str, ctl: Control) -> Control:
        attack, _at, where = element.partition("@")
        names = suggested.get(attack, ())
        if t.on != "threat" or not names or t.id in names:
            return ctl  # not attack-specific, or already one of the controls named
        first = next((n for n in names if n not in catalog_ids), names[0])
        others = [_spoken(n) for n in names if n != first]
        name = f"{_spoken(first).capitalize()} against {attack} at {where}"
        if others:
            name += f" (or {', '.join(others)})"
        return replace(ctl, id=_slug(f"{first}-{element}"), name=name, kind=first)

    return named


def _spoken(control_id: str) -> str:
    """A control id as words: ``rate-limiting`` -> ``rate limiting``."""
    return control_id.replace("-", " ").replace("_", " ")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:120] or "x"


Element = tuple[str, object, frozenset[str]]
"""An element a template may apply to: (its id in candidate ids, the value the effect's
proposal takes, the effects the model file already gives it itself)."""


def _tools(t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]) -> Iterator[Element]:
    for tool in model.tools:
        if t.accepts("permissions", _permissions(tool)):
            native = {"approves"} if tool.human_approval else set()
            native |= {"sandboxes"} if tool.sandbox else set()
            yield tool.id, tool.id, frozenset(native)


def _tool_permissions(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    for tool in model.tools:
        for perm in sorted(_permissions(tool)):
            if t.accepts("permissions", [perm]):
                edge = f"{tool.id}.{perm}"
                yield edge, edge, frozenset()


def _relations(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    types = {a.id: a.type for a in model.assets}
    for rel in model.relations:
        if rel.implicit or not t.accepts("kinds", [rel.kind]):
            continue
        if not t.accepts("processes", [rel.process or ""]):
            continue
        target_type = types.get(rel.target) or rel.target.partition(".")[2]
        if t.accepts("target_types", [target_type]):
            yield rel.id, rel.id, frozenset()


def _sources(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    sources: set[str] = set()
    for a in model.assets:
        sources.update(a.untrusted_sources)
        for srcs in a.component_sources.values():
            sources.update(srcs)
    for s in sorted(sources):
        yield f"source:{s}", f"source:{s}", frozenset()


def _model_assets(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    for m in model.models:
        for exp in m.exposes:
            if t.accepts("types", [exp]):
                yield f"{m.id}.{exp}", f"{m.id}.{exp}", frozenset()


def _vulnerabilities(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    for v in model.vulnerabilities:
        if t.accepts("kinds", [v.kind]) and t.accepts("classes", [v.vclass]):
            yield v.id, v.id, frozenset()


def _credentials(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    """Credentials that open more than the tools acting under them use."""
    for a in model.assets:
        if a.grants and model.beyond_use(a.id):
            yield a.id, a.id, frozenset()


def _threats(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> Iterator[Element]:
    """Where each threat of an accepted attack binds its first variable (once per place)."""
    seen: set[tuple[str, str]] = set()
    for th in threats:
        if not th.bindings or not t.accepts("attacks", [th.attack]):
            continue
        key = (th.attack, th.bindings[0].element)
        if key not in seen:
            seen.add(key)
            yield f"{th.attack}@{key[1]}", key, frozenset()


Elements = Callable[[ControlTemplate, SystemModel, Iterable[Threat]], Iterator[Element]]

ELEMENTS: Mapping[str, Elements] = {
    "tool": _tools,
    "tool_permission": _tool_permissions,
    "relation": _relations,
    "source": _sources,
    "model_asset": _model_assets,
    "vulnerability": _vulnerabilities,
    "credential": _credentials,
    "threat": _threats,
}
"""What a catalog template's ``on`` names -> the elements of that kind in a model."""


def _apply(
    t: ControlTemplate, model: SystemModel, threats: Iterable[Threat]
) -> list[tuple[str, str, Control]]:
    """(element, effect text, control) for every element ``t`` applies to in ``model``."""
    effect = EFFECTS[t.effect]
    out: list[tuple[str, str, Control]] = []
    for element, value, native in ELEMENTS[t.on](t, model, threats):
        proposed = None if effect.name in native else effect.propose(value, t.on, t.up_to)
        if proposed is None:
            continue
        what, text = proposed
        control = _control(
            _slug(f"{t.id}-{element}"), {effect.name: [what]}, name=t.name, kind=t.id, cost=t.cost
        )
        out.append((element, text, control))
    return out


def candidates_for(
    model: SystemModel,
    catalog: Sequence[ControlTemplate],
    threats: Sequence[Threat],
    *,
    costs: Mapping[str, float] | None = None,
    use_catalog: bool = True,
) -> list[Candidate]:
    """Every candidate control for ``model``, sorted by id.

    ``threats`` are the threats the ``threat`` templates (attack-specific countermeasures) may
    break; ``costs`` overrides catalog costs by template id. Planned controls declared in the
    model are candidates with their own cost (1 when none is given).
    """
    costs = costs or {}
    out: dict[str, Candidate] = {}
    implemented = {e for c in model.controls if c.status == "implemented" for e in effect_keys(c)}
    if use_catalog:
        named = _named_countermeasures(threats, {t.id for t in catalog})
        for t in catalog:
            for element, text, applied in _apply(t, model, threats):
                if all(in_force(e, implemented) for e in effect_keys(applied)):
                    continue  # an implemented control already does this to this element
                cost = float(costs.get(t.id, t.cost))
                ctl = named(t, element, applied)
                out[f"{t.id}:{element}"] = Candidate(
                    id=f"{t.id}:{element}",
                    template=t.id,
                    name=ctl.name or t.name,
                    effect=text,
                    cost=cost,
                    control=ctl,
                    elements=control_elements(ctl),
                )
    for c in model.controls:
        if c.status != "planned":
            continue
        acting = {e.name: e.values(c) for e in ACTING}
        ctl = _control(c.id, acting, name=c.name, kind=c.kind, cost=c.cost)
        out[c.id] = Candidate(
            id=c.id,
            template=None,
            name=c.name or c.id,
            effect=f"planned control {c.id}",
            cost=c.cost if c.cost is not None else 1.0,
            control=ctl,
            elements=control_elements(ctl),
        )
    return [out[k] for k in sorted(out)]
