"""Which candidates may cut a threat, with the work shared between threats.

A threat's reach, every element a control could act on to remove it, is its chain's own
elements (:func:`actm.results.mitigation.threat_elements`) plus what surrounds every *owner*
its attack may have bound: a bound agent's tools, the relations of an asset, the
vulnerabilities of a node. On a hub (one agent with a thousand tools) every threat
binds the same agent, so walking that agent for each threat, and building for each a set of
the thousands of candidates around it, made the planner quadratic in time and memory.

:class:`Touching` splits the reach: each owner's part is walked once and kept as the set of
candidates acting on it, and a threat's candidates are the union of its owners' parts with the
few of its own chain. Unions of the same sets are made once and every set is kept once
(interned), so threats that share their candidates share one set: the planner's cores then
hold that set once, however many targets give it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from actm.model.system import SystemModel
from actm.plan.candidates import Candidate
from actm.results.mitigation import threat_elements
from actm.results.model import Threat
from actm.terms import TOOL_PERMISSIONS

__all__ = ["EMPTY", "Inner", "Touching"]

EMPTY: frozenset[int] = frozenset()
"""No candidate."""

SMALL = 64
"""Parts of a union this small are checked against the union so far each time; larger ones
once per pair of sets (the check costs their size)."""

Inner = Mapping[str, frozenset[str] | None]
""":func:`actm.plan.candidates.inner_attacks` of a threat."""


class Touching:
    """The candidates that may cut a threat (:meth:`Candidate.touches` of the threat's reach),
    through indexes of the model and of the candidates built once."""

    def __init__(self, model: SystemModel, cands: Sequence[Candidate]) -> None:
        self.cands = cands
        self.everything = frozenset(range(len(cands)))
        self.work = 0
        """Members of the candidate sets built so far (by unions and lookups): what the tests
        of hubs count, as a measure of the time and memory the planner spends on reaches."""
        self._tool_ids = {t.id for t in model.tools}
        self._models = {m.id: m for m in model.models}
        self._relations: dict[str, list[str]] = {}
        """Owner -> the relations with an end on it."""
        for rel in model.relations:
            for end in {rel.source.partition(".")[0], rel.target.partition(".")[0]}:
                self._relations.setdefault(end, []).append(rel.id)
        self._nodes: dict[str, set[str]] = {}
        """Owner -> the nodes its assets (an asset's own id, or its model) reside on."""
        for a in model.assets:
            for key in {a.id} if a.model is None else {a.id, a.model}:
                self._nodes.setdefault(key, set()).update(r.node for r in a.resides)
        self._vulns: dict[tuple[str, str], list[str]] = {}
        """("node", "model" or "asset", its id) -> the vulnerabilities on it."""
        for v in model.vulnerabilities:
            for kind, where in (("node", v.node), ("model", v.model), ("asset", v.asset)):
                if where is not None:
                    self._vulns.setdefault((kind, where), []).append(v.id)
        self._by_element: dict[str, list[int]] = {}
        """Element -> the candidates acting on it."""
        self._by_attack: dict[str, list[int]] = {}
        """Attack -> the candidates that break it (somewhere)."""
        for i, c in enumerate(cands):
            for e in c.elements:
                self._by_element.setdefault(e, []).append(i)
            cuts = {a for a, _x in c.control.breaks} | {a for a, _s, _x in c.control.break_steps}
            for attack in cuts:
                self._by_attack.setdefault(attack, []).append(i)
        self._parts: dict[str, frozenset[int]] = {}
        """Owner -> the candidates acting on what surrounds it (its part of a reach)."""
        self._sets: dict[frozenset[int], frozenset[int]] = {}
        """Every set of candidates built, kept once."""
        self._joins: dict[tuple[frozenset[int], frozenset[int]], frozenset[int]] = {}
        """(a set, one that is not part of it) -> their union."""

    # what a threat reaches --------------------------------------------------------------

    @staticmethod
    def owners(threat: Threat) -> tuple[set[str], set[str]]:
        """The elements ``threat``'s attack binds (and its assets' owners), and the owners of
        those and of every element its chain reaches: each may have been bound (attack steps
        inside the chain record the attack, not what it bound)."""
        bound = {b.element for b in threat.bindings} | {a.partition(".")[0] for a in threat.assets}
        owners = {e.partition(".")[0] for e in bound}
        owners |= {s.target.partition(".")[0] for s in threat.chain}
        return bound, owners

    def own_part(self, threat: Threat, bound: Iterable[str]) -> set[str]:
        """The elements of ``threat``'s reach that are its own: its chain's elements (a tool
        with its permissions) and the vulnerabilities of the assets it binds."""
        out = set(threat_elements(threat))
        for e in list(out):
            if e in self._tool_ids:
                out.update(f"{e}.{p}" for p in TOOL_PERMISSIONS)
        for e in bound:
            out.update(self._vulns.get(("asset", e), ()))
        return out

    def owner_part(self, owner: str) -> set[str]:
        """The elements of a reach that surround ``owner``: a tool's permissions, the relations
        with an end on it, a model's tools and exposed assets, and the vulnerabilities of the
        model and of the nodes it and its assets are on."""
        out: set[str] = set()
        if owner in self._tool_ids:
            out.add(owner)
            out.update(f"{owner}.{p}" for p in TOOL_PERMISSIONS)
        out.update(self._relations.get(owner, ()))
        nodes = set(self._nodes.get(owner, ()))
        m = self._models.get(owner)
        if m is not None:
            for t in m.tools:
                out.add(t)
                out.update(f"{t}.{p}" for p in TOOL_PERMISSIONS)
            out.update(f"{m.id}.{e}" for e in m.exposes)
            nodes.update(m.deployed_on + m.trained_on + m.stored_on)
        out.update(self._vulns.get(("model", owner), ()))
        for n in nodes:
            out.update(self._vulns.get(("node", n), ()))
        return out

    def reach(self, threat: Threat) -> frozenset[str]:
        """The reach of ``threat``, made of its parts (for the tests that check the parts
        against the reach by its definition)."""
        bound, owners = self.owners(threat)
        out = self.own_part(threat, bound)
        for o in owners:
            out |= self.owner_part(o)
        return frozenset(out)

    # the candidates acting on it --------------------------------------------------------

    def near(self, threat: Threat, inner: Inner) -> frozenset[int]:
        """The candidates that may cut ``threat`` anywhere on its reach (one set shared by the
        threats with the same candidates)."""
        bound, owners = self.owners(threat)
        parts = [self._part(o) for o in sorted(owners)]
        parts.append(self._acting(self.own_part(threat, bound)))
        parts.append(self._cutting(threat, inner))
        return self._union(parts)

    def direct(self, threat: Threat, inner: Inner) -> frozenset[int]:
        """The candidates that act on an element of ``threat``'s own chain or break its
        attacks (a subset of :meth:`near`)."""
        return self._union([self._acting(threat_elements(threat)), self._cutting(threat, inner)])

    def _part(self, owner: str) -> frozenset[int]:
        part = self._parts.get(owner)
        if part is None:
            part = self._parts[owner] = self._acting(self.owner_part(owner))
        return part

    def _acting(self, elements: Iterable[str]) -> frozenset[int]:
        """The candidates acting on one of ``elements``."""
        found = frozenset(i for e in elements for i in self._by_element.get(e, ()))
        self.work += len(found)
        return self._sets.setdefault(found, found)

    def _cutting(self, threat: Threat, inner: Inner) -> frozenset[int]:
        """The candidates that break ``threat``'s attack, or an attack inside its chain, where
        it may have bound (the breaks of :meth:`Candidate.touches`)."""
        cands = self.cands
        found = {
            i
            for attack in {threat.attack, *inner}
            for i in self._by_attack.get(attack, ())
            if cands[i].touches(threat, EMPTY_ELEMENTS, inner)
        }
        return frozenset(found) if found else EMPTY

    def _union(self, parts: list[frozenset[int]]) -> frozenset[int]:
        """The union of ``parts``, each union of two sets made once: the largest first, then
        each part it does not hold already."""
        acc = EMPTY
        for p in sorted(parts, key=len, reverse=True):
            if not p or p is acc:
                continue
            if not acc:
                acc = p
                continue
            if len(p) <= SMALL and p <= acc:
                continue
            key = (acc, p)
            joined = self._joins.get(key)
            if joined is None:
                # a large part (another agent's, say) is compared with ``acc`` once
                union = acc if p <= acc else acc | p
                self.work += len(p) + (0 if union is acc else len(union))
                joined = self._joins[key] = self._sets.setdefault(union, union)
            acc = joined
        return acc


EMPTY_ELEMENTS: frozenset[str] = frozenset()
