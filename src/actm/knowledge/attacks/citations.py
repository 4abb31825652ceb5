"""What a threat cites: framework references, each performed by a named step of its entry.

An entry's ``references`` are what its steps always perform; its ``references_when`` are what
a threat cites only when its binding or its shown chain shows more (an injection that arrives
through a browsing tool is also a drive-by compromise; a chain that starts with a stolen token
also uses valid accounts). Every reference names the step that performs it:

* one of the entry's step ids;
* ``impact``: the harm the threat does to its impact asset (the impact techniques of ATLAS);
* ``route``: a step of the shown chain before the entry's own steps (only in a conditional
  citation whose ``chain`` condition shows that step).

A conditional citation holds when its ``where`` conditions (the registry's, on the bound
variables) hold and some step of the shown chain matches ``chain`` and none matches
``no_chain``. The engine decodes which citations hold for each threat
(:mod:`actm.engine.output`); the results layer assembles the references
(:meth:`AttackPattern.cited <actm.knowledge.attacks.patterns.AttackPattern.cited>`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from actm.knowledge.conditions import SystemView, Where

__all__ = [
    "IMPACT_STEP",
    "PSEUDO_STEPS",
    "ROUTE_STEP",
    "ChainPattern",
    "Citation",
    "Reference",
    "StepTraits",
    "group_references",
]

IMPACT_STEP = "impact"
"""The step name of a reference the threat's impact performs."""
ROUTE_STEP = "route"
"""The step name of a reference a step of the shown chain before the entry's own performs."""
PSEUDO_STEPS = (IMPACT_STEP, ROUTE_STEP)


@dataclass(frozen=True, slots=True)
class Reference:
    """One framework item an entry cites, and the step that performs it."""

    framework: str
    id: str
    step: str


def group_references(refs: Iterable[Reference]) -> dict[str, tuple[str, ...]]:
    """Framework id -> item ids, in the order first cited, without repeats."""
    out: dict[str, dict[str, None]] = {}
    for r in refs:
        out.setdefault(r.framework, {})[r.id] = None
    return {fw: tuple(ids) for fw, ids in out.items()}


@dataclass(frozen=True, slots=True)
class StepTraits:
    """What one step of a threat's shown chain is, as the ``chain`` conditions read it."""

    rule: str
    """The derivation rule (``outside_content``, ``residency``, ``tool_call``, ``attack``...)."""
    asset_type: str | None
    """The type of the asset the step is on (None for a vulnerability active on a node)."""
    component: str | None
    vulnerability_class: str | None
    """The class of the vulnerability or AI weakness the step comes from, if any."""
    adversary: str | None
    """The adversary whose starting capability the step is (for the rules that seed one)."""
    attack: str | None
    """The attack or conversion that derived the step."""
    persistent: bool
    reach: str | None = None
    """How far the adversary of a starting step reaches (``internet``, ``authenticated``,
    ``insider``, ``operator``); None for a step derived from others or a condition."""
    capability: str | None = None
    """The capability the step derives (None for a vulnerability active on a node)."""


@dataclass(frozen=True, slots=True)
class ChainPattern:
    """A step of a shown chain: each field that is not None must hold on the one step."""

    rules: frozenset[str] | None = None
    asset_types: frozenset[str] | None = None
    components: frozenset[str] | None = None
    vulnerability_classes: frozenset[str] | None = None
    adversaries: frozenset[str] | None = None
    attacks: frozenset[str] | None = None
    persistent: bool | None = None
    reaches: frozenset[str] | None = None
    capabilities: frozenset[str] | None = None

    def matches(self, step: StepTraits) -> bool:
        checks: tuple[tuple[frozenset[str] | None, str | None], ...] = (
            (self.rules, step.rule),
            (self.asset_types, step.asset_type),
            (self.components, step.component),
            (self.vulnerability_classes, step.vulnerability_class),
            (self.adversaries, step.adversary),
            (self.attacks, step.attack),
            (self.reaches, step.reach),
            (self.capabilities, step.capability),
        )
        if any(want is not None and have not in want for want, have in checks):
            return False
        return self.persistent is None or step.persistent == self.persistent

    def describe(self) -> str:
        """``rule outside_content, component memory``."""
        parts = [
            f"{name} {'/'.join(sorted(values))}"
            for name, values in (
                ("rule", self.rules),
                ("asset type", self.asset_types),
                ("component", self.components),
                ("vulnerability class", self.vulnerability_classes),
                ("adversary", self.adversaries),
                ("attack", self.attacks),
                ("reach", self.reaches),
                ("capability", self.capabilities),
            )
            if values is not None
        ]
        if self.persistent is not None:
            parts.append("persistent" if self.persistent else "not persistent")
        return ", ".join(parts) or "any step"


AssetOf = Callable[[str], int]
"""Variable -> the engine's handle of the asset its requirement bound (for the conditions that
read one: node kinds, node vulnerabilities, criticality)."""


@dataclass(frozen=True, slots=True)
class Citation:
    """References a threat cites when its binding or shown chain shows them."""

    where: tuple[tuple[str, Where], ...]
    """(variable, conditions on its binding), in the order the entry writes them."""
    chain: ChainPattern | None
    no_chain: ChainPattern | None
    adds: tuple[Reference, ...]

    def holds(
        self,
        binding: Mapping[str, str],
        steps: Sequence[StepTraits],
        view: SystemView,
        asset_of: AssetOf,
    ) -> bool:
        """Whether the threat with ``binding`` (variable -> element, "" when unbound) and the
        shown chain ``steps`` meets every condition."""
        return self.shown(steps) and self.bound(binding, view, asset_of)

    def shown(self, steps: Sequence[StepTraits]) -> bool:
        """Whether the shown chain ``steps`` meets the ``chain`` and ``no_chain`` conditions."""
        if self.chain is not None and not any(self.chain.matches(s) for s in steps):
            return False
        return self.no_chain is None or not any(self.no_chain.matches(s) for s in steps)

    def bound(self, binding: Mapping[str, str], view: SystemView, asset_of: AssetOf) -> bool:
        """Whether the threat with ``binding`` meets the ``where`` conditions."""
        for var, where in self.where:
            me = binding.get(var, "")
            info = view.owner(me) if me else None
            if info is None:
                return False
            asset = asset_of(var)
            if not all(cond.holds(value, info, view, asset) for cond, value in where.static):
                return False
            for cond, other in where.relational:
                them = binding.get(other, "")
                if not them or not cond.holds(view, me, them):
                    return False
        return True

    def describe(self) -> str:
        """The conditions in words, for ``kb show``."""
        parts = [
            f"{var} {cond.name} {cond.describe(value)}"
            for var, where in self.where
            for cond, value in where.static
        ]
        parts += [
            f"{var} {cond.name} {other}"
            for var, where in self.where
            for cond, other in where.relational
        ]
        if self.chain is not None:
            parts.append(f"the chain has a step: {self.chain.describe()}")
        if self.no_chain is not None:
            parts.append(f"no step of the chain: {self.no_chain.describe()}")
        return "; ".join(parts)
