"""How likely a route is, as integer costs the closure orders derivations by.

A route's likelihood factor (docs/severity.md) multiplies, along each branch of its chain, the
factor of the entry point the branch starts from (its reach, times the hypothesis factor when
it exploits a posited weakness) and of every human approval the branch passes; the least
likely branch is the route's. In costs, ``-log(factor)``, that is: a branch costs what its seed
and its gates cost, and a derivation costs its costliest premise plus its own gate. Costs are
integers (:data:`UNIT` of ``-log``) so that the closure can keep one bucket per cost
(:class:`~actm.engine.facts.FactStore`); every factor is at most 1, so no cost is negative and
the first derivation of each fact is a most likely one.

Seeds of a justified assumption cost :data:`ACCEPTED`: whatever needs one is found after
everything else, and a threat whose cheapest route costs that much closes only through
justified assumptions (accepted risk).

Which entry point a seed belongs to is the seed's own (engine/seeds.py), except for the
*conditions* (AI weaknesses that grant by themselves): they are attributed to whoever reaches
the model they are on (:func:`entry_of`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from actm.engine.compiled import Compiled
from actm.engine.facts import Rule
from actm.engine.seeds import CONDITION, Seed
from actm.model.system import Model

__all__ = [
    "ACCEPTED",
    "UNIT",
    "Costs",
    "costs",
    "entry_of",
    "factor",
    "seed_cost",
    "to_cost",
]

UNIT = 1e-4
"""One unit of cost, in ``-log`` of a likelihood factor."""

ACCEPTED = 10**9
"""The cost of a seed of a justified assumption (any route through one costs at least this)."""

UNJUSTIFIED = 1
"""What a seed of an unjustified assumption costs beyond its reach: among routes of one reach,
the closure shows one through a node's operator before one through an unjustified
assumption."""


def to_cost(f: float) -> int:
    """The cost of a likelihood factor ``f`` (0 < f <= 1)."""
    return max(0, round(-math.log(f) / UNIT))


def factor(cost: int) -> float:
    """The likelihood factor of a route that costs ``cost`` (0 for an accepted one)."""
    if cost >= ACCEPTED:
        return 0.0
    return math.exp(-cost * UNIT)


@dataclass(frozen=True)
class Costs:
    """The costs of one compiled model's seeds and gates."""

    reach: dict[str, int]
    hypothetical: int
    gates: dict[int, int]
    """Target of a tool's inputs -> what passing its human approval costs."""
    gate_names: dict[int, str]
    """Target of a tool's inputs -> its gate (every_call, once_per_session)."""
    justified: frozenset[str]
    """Assumptions justified, as declared or by a control in force."""


def costs(c: Compiled) -> Costs:
    """The costs of ``c`` (built once, kept in ``c.caches``)."""
    cached: Costs | None = c.caches.get("costs")
    if cached is not None:
        return cached
    sev = c.vocab.severity
    gates: dict[int, int] = {}
    names: dict[int, str] = {}
    for ti, tool in enumerate(c.model.tools):
        gate = _gate(c, tool.id, tool.human_approval, tool.approval)
        if gate:
            gates[c.tool_inputs[ti]] = to_cost(sev.approval[gate])
            names[c.tool_inputs[ti]] = gate
    justified = frozenset(
        a.id for a in c.model.assumptions if a.status == "justified" or c.justified_by.get(a.id)
    )
    out = Costs(
        {r: to_cost(f) for r, f in sev.reach.items()},
        to_cost(sev.hypothetical),
        gates,
        names,
        justified,
    )
    c.caches["costs"] = out
    return out


def _gate(c: Compiled, tool: str, human_approval: bool, approval: str) -> str:
    """The human approval a call to ``tool`` passes ('' for none): approval of every call
    (declared or a control's), or once per session (the session's first call only)."""
    if human_approval or tool in c.approved:
        return "every_call"
    if approval == "once_per_session":
        return approval
    return ""


def entry_of(c: Compiled, seed: Seed) -> tuple[str, str]:
    """The entry point a seed belongs to, and its reach. A condition goes to whoever reaches
    the model it is on: the external user of a public model, else an insider."""
    if seed.entry != CONDITION:
        return seed.entry, seed.reach
    model = _condition_model(c, str(seed.via))
    if model is not None and model.exposure == "public":
        return "external-user", "internet"
    return "insider", "insider"


def _condition_model(c: Compiled, vuln: str) -> Model | None:
    found: dict[str, Model | None] | None = c.caches.get("condition_models")
    if found is None:
        models = {m.id: m for m in c.model.models}
        found = {}
        for v in c.model.vulnerabilities:
            owner = v.model
            if owner is None and v.asset is not None and v.asset in c.asset_index:
                owner = c.asset_owner[c.asset_index[v.asset]]
            found[v.id] = models.get(owner) if owner is not None else None
        c.caches["condition_models"] = found
    return found.get(vuln)


def seed_cost(c: Compiled, k: Costs, seed: Seed) -> int:
    """What ``seed`` costs: its entry point's reach (and the ``hypothetical`` factor for a
    posited weakness), or :data:`ACCEPTED` for a justified assumption's."""
    if seed.rule in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
        if str(seed.via) in k.justified:
            return ACCEPTED
        return k.reach[seed.reach] + UNJUSTIFIED
    _entry, reach = entry_of(c, seed)
    return k.reach[reach] + (k.hypothetical if seed.hypothetical else 0)
