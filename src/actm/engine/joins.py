"""How the variables of one attack rule hang together: what the matcher's join plans with.

A threat is identified by its *key* variables (``key:`` in the attack file); every other
variable is a *witness*: some element must exist for it, but which one does not change the
threat. Witnesses linked to each other by relational ``where`` conditions form a component;
different components are linked only through key variables (the component's *interface*).
Once the key variables are bound, each component is solved on its own, and one solution is
enough. That is what keeps the join linear in a hub: an agent with a thousand tools, where the
exfiltration pattern needs a reading tool and a sending tool as witnesses, tries the sending
tools once per agent rather than once per tool that reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from actm.engine.compiled import Rule
from actm.knowledge.conditions.base import RelationalCondition

__all__ = ["Level", "Shape", "plan_of", "shape_of"]


@dataclass(frozen=True, slots=True)
class Shape:
    """The variables of one rule, for the join."""

    keys: tuple[str, ...]
    """The rule's key variables (those of the attack's key that its requirements bind)."""
    key_vars: tuple[str, ...]
    """The attack's key variables, in its order: a threat's key is their bindings ('' for one
    this rule does not bind)."""
    neighbours: Mapping[str, tuple[str, ...]]
    """Variable -> the variables its relational conditions link it to, either way (sorted)."""
    component: Mapping[str, int]
    """Witness variable -> its component."""
    interface: tuple[tuple[str, ...], ...]
    """Component -> the key variables linked to it (sorted)."""
    touching: Mapping[str, tuple[tuple[str, RelationalCondition, str], ...]]
    """Variable -> the relational conditions that name it, as (variable the condition is
    written on, condition, the other variable), in the order of the requirements."""

    def key_of(self, binding: Mapping[str, str]) -> tuple[str, ...] | None:
        """The threat's key once every key variable is bound, else None."""
        for v in self.keys:
            if v not in binding:
                return None
        return tuple(binding.get(v, "") for v in self.key_vars)

    def interface_of(self, comp: int, binding: Mapping[str, str]) -> tuple[str, ...] | None:
        """The bindings of the component's interface once they are all bound, else None."""
        out = []
        for v in self.interface[comp]:
            bound = binding.get(v)
            if bound is None:
                return None
            out.append(bound)
        return tuple(out)


def shape_of(rule: Rule) -> Shape:
    """The shape of ``rule``: its key variables, links and witness components."""
    variables = sorted({r.var for r in rule.requires})
    links: dict[str, set[str]] = {v: set() for v in variables}
    touching: dict[str, list[tuple[str, RelationalCondition, str]]] = {v: [] for v in variables}
    for req in rule.requires:
        for cond, other in req.where.relational:
            if other in links:
                touching[req.var].append((req.var, cond, other))
                if other != req.var:
                    touching[other].append((req.var, cond, other))
                    links[req.var].add(other)
                    links[other].add(req.var)
    keys = tuple(v for v in rule.attack.key_vars if v in links)
    component: dict[str, int] = {}
    interfaces: list[tuple[str, ...]] = []
    for start in variables:
        if start in keys or start in component:
            continue
        comp, todo, touches = len(interfaces), [start], set()
        component[start] = comp
        while todo:
            for other in links[todo.pop()]:
                if other in keys:
                    touches.add(other)
                elif other not in component:
                    component[other] = comp
                    todo.append(other)
        interfaces.append(tuple(sorted(touches)))
    return Shape(
        keys=keys,
        key_vars=rule.attack.key_vars,
        neighbours={v: tuple(sorted(links[v])) for v in variables},
        component=component,
        interface=tuple(interfaces),
        touching={v: tuple(t) for v, t in touching.items()},
    )


class Level(NamedTuple):
    """One level of a join: the requirement it binds, and what is known of the binding there."""

    pos: int
    """The requirement bound at this level."""
    bound: bool
    """Its variable is bound already (the level only finds the fact that meets it)."""
    narrowed: bool
    """Its candidates come through relations with variables bound before it."""
    keyed: bool
    """Every key variable is bound before it: the threat's key is known here."""
    face: bool
    """The interface of the new fact's witness component is first bound here."""


def plan_of(rule: Rule, shape: Shape, pos: int) -> tuple[Level, ...]:
    """The order in which a join started by a fact meeting requirement ``pos`` binds the rule's
    other requirements: one whose variable is bound, else one reachable through a relation,
    else any; key variables first among equals, then the rule's order.

    Which variables are bound at each level depends on the rule and ``pos`` alone, and so does
    whether a relation narrows a requirement's candidates (a condition narrows by its class,
    :meth:`~actm.knowledge.conditions.base.RelationalCondition.forward`), so the whole order is
    worked out once per requirement instead of at each level of each join."""
    bound = {rule.requires[pos].var}
    remaining = [i for i in range(len(rule.requires)) if i != pos]
    trigger = shape.component.get(rule.requires[pos].var)
    levels = []
    while remaining:
        keyed = all(v in bound for v in shape.keys)
        face = trigger is not None and all(v in bound for v in shape.interface[trigger])
        if face:
            trigger = None
        best, narrowed = remaining[0], False
        best_score = (3, 1)
        for p in remaining:
            var = rule.requires[p].var
            if var in bound:
                best, narrowed = p, False
                break
            narrows = _narrows(rule, var, bound)
            score = (1 if narrows else 2, 0 if var in shape.keys else 1)
            if score < best_score:
                best, best_score, narrowed = p, score, narrows
        var = rule.requires[best].var
        levels.append(Level(best, var in bound, narrowed, keyed, face))
        bound.add(var)
        remaining.remove(best)
    return tuple(levels)


def _narrows(rule: Rule, var: str, bound: set[str]) -> bool:
    """Whether a relation with a variable of ``bound`` narrows the candidates of ``var``."""
    for req in rule.requires:
        if req.var == var:
            if any(o in bound and _forward(c) for c, o in req.where.relational):
                return True
        elif req.var in bound and any(o == var and _backward(c) for c, o in req.where.relational):
            return True
    return False


def _forward(cond: RelationalCondition) -> bool:
    return type(cond).forward is not RelationalCondition.forward


def _backward(cond: RelationalCondition) -> bool:
    return type(cond).backward is not RelationalCondition.backward
