"""Which conditional references (``references_when``) a threat's binding and shown chain show.

An entry's conditional citations (:class:`~actm.knowledge.attacks.Citation`) read the bound
elements through the system view and the shown chain as :class:`StepTraits`: what rule derived
each step, on what type of asset and component, from which vulnerability class, adversary or
attack. This module reads those traits off the engine's facts; the results layer turns the
indices of the citations that hold into references (:meth:`AttackPattern.cited`).
"""

from __future__ import annotations

from collections.abc import Sequence

from actm.engine.compiled import Compiled
from actm.engine.facts import SEEDS, FactStore, Rule
from actm.engine.seeds import seeds_of
from actm.engine.view import EngineView
from actm.knowledge.attacks import AttackPattern, Citation, StepTraits
from actm.model.system import Vulnerability

__all__ = ["Citer"]


class Citer:
    """Evaluates the conditional citations of one run's threats (facts read once each)."""

    def __init__(self, c: Compiled, store: FactStore, names: Sequence[str]) -> None:
        self.c = c
        self.store = store
        self.names = names
        self.vulns: dict[str, Vulnerability] = {v.id: v for v in c.model.vulnerabilities} | dict(
            c.extra_vulns
        )
        self._traits: dict[int, StepTraits] = {}
        self._interned: dict[StepTraits, StepTraits] = {}
        """Equal traits share one object, so a chain's shape is the ids of its steps'."""
        self._shown: dict[tuple[object, ...], tuple[int, ...]] = {}
        """(attack id, ids of the steps' traits) -> the citations whose chain conditions hold."""
        self._reach: dict[tuple[int, str], str] | None = None
        self._reads: dict[tuple[str, int], tuple[str, ...]] = {}
        """(attack id, citation) -> the variables its ``where`` conditions read."""
        self._bound: dict[tuple[object, ...], bool] = {}
        """(attack id, citation, the bindings of the variables its conditions read) -> whether
        its ``where`` conditions hold: they read the system alone, and threats that differ
        only in other variables (a hub's tools, one agent) ask the same."""

    def reach(self, rule: int, via: object) -> str | None:
        """The reach of the seed that ``rule`` and ``via`` start from (as the seeds say)."""
        if self._reach is None:
            base, per_assumption = seeds_of(self.c)
            seeds = [*base, *(s for ss in per_assumption.values() for s in ss)]
            self._reach = {(s.rule, _key(s.via)): s.reach for s in seeds if s.reach}
        return self._reach.get((rule, _key(via)))

    def cited(
        self,
        attack: AttackPattern,
        full_binding: Sequence[str],
        keys: Sequence[int],
        effects: Sequence[tuple[int, int, bool, int]],
    ) -> tuple[int, ...]:
        """Indices of ``attack``'s citations that hold for the threat bound to
        ``full_binding`` (in variable order) whose chain is ``keys`` plus ``effects``."""
        if not attack.citations:
            return ()
        read = self._traits
        steps = [read[k] if k in read else self.traits(k) for k in keys]
        steps += [self._effect(attack.id, *effect) for effect in effects]
        # many threats show chains of the same traits: the chain conditions are read once
        shape = (attack.id, *map(id, steps))
        shown = self._shown.get(shape)
        if shown is None:
            shown = self._shown[shape] = tuple(
                i for i, cite in enumerate(attack.citations) if cite.shown(steps)
            )
        if not shown:
            return ()
        binding = dict(zip(attack.variables, full_binding, strict=True))
        view = EngineView.of(self.c)

        def asset_of(var: str) -> int:
            return self._asset_of(attack, var, binding.get(var, ""))

        known = self._bound
        out = []
        for i in shown:
            cite = attack.citations[i]
            reads = self._reads.get((attack.id, i))
            if reads is None:
                reads = self._reads[(attack.id, i)] = _read_by(cite)
            context = (attack.id, i, *[binding.get(v, "") for v in reads])
            holds = known.get(context)
            if holds is None:
                holds = known[context] = cite.bound(binding, view, asset_of)
            if holds:
                out.append(i)
        return tuple(out)

    def _asset_of(self, attack: AttackPattern, var: str, owner: str) -> int:
        """The asset a requirement on ``var`` bound: the asset itself, or for a model the
        model's asset of the type its first requirement names; -1 if none."""
        c = self.c
        if attack.var_sort.get(var) != "model":
            return c.asset_index.get(owner, -1)
        for req in attack.requirements():
            if req.var != var:
                continue
            for atype in req.asset_types:
                a = c.owner_type_asset.get((owner, atype))
                if a is not None:
                    return a
        return -1

    def _effect(
        self, attack: str, target: int, capability: int, persistent: bool, _pipe: int
    ) -> StepTraits:
        c = self.c
        a = c.target_asset[target]
        traits = StepTraits(
            "attack",
            c.asset_type[a],
            c.target_comp[target],
            None,
            None,
            attack,
            persistent,
            None,
            c.caps[capability],
        )
        return self._interned.setdefault(traits, traits)

    def traits(self, key: int) -> StepTraits:
        """The traits of the step that derived fact ``key`` (one object for equal traits)."""
        found = self._traits.get(key)
        if found is None:
            traits = self._read(key)
            found = self._traits[key] = self._interned.setdefault(traits, traits)
        return found

    def _read(self, key: int) -> StepTraits:
        c = self.c
        store = self.store
        rule, via, premises = store.derivation(key)
        name = self.names[rule]
        if key < 0:
            _node, vc = store.decode_node(key)
            reach = self.reach(rule, via) if rule == Rule.VULNERABILITY else None
            return StepTraits(name, None, None, c.vclass_ids[vc], None, None, False, reach)
        f = store.decode(key)
        a = c.target_asset[f.target]
        vclass: str | None = None
        adversary: str | None = None
        attack: str | None = None
        reach = self.reach(rule, via) if rule in SEEDS else None
        if rule == Rule.AI_WEAKNESS or (rule == Rule.RESIDENCY and not premises):
            vclass = self.vulns[str(via)].vclass  # a declared, derived or posited vulnerability
            if rule == Rule.RESIDENCY:
                # a weakness granting over the node's residents, or one that gives only the
                # interface of a service (``derived.interface_calls``), seeded fact by fact
                reach = self.reach(Rule.VULNERABILITY, via) or self.reach(rule, via)
        elif rule == Rule.RESIDENCY:
            vclass = str(via)  # a class made active on the node by a tool or credential
        elif rule in (Rule.ADVERSARY, Rule.PUBLIC_USER):
            adversary = str(via)
        elif rule in (Rule.OUTSIDE_CONTENT, Rule.THIRD_PARTY, Rule.NETWORK, Rule.PHYSICAL):
            assert isinstance(via, tuple)
            adversary = str(via[0])
        elif rule in (Rule.ATTACK, Rule.CONVERSION):
            assert isinstance(via, int)
            attack = c.rules[via].attack.id
        comp = c.target_comp[f.target]
        cap = c.caps[f.capability]
        return StepTraits(
            name, c.asset_type[a], comp, vclass, adversary, attack, f.persistent, reach, cap
        )


def _read_by(cite: Citation) -> tuple[str, ...]:
    """The variables whose bindings the ``where`` conditions of ``cite`` read, in order."""
    return tuple(v for var, where in cite.where for v in (var, *where.other_vars()))


def _key(via: object) -> str:
    """A seed's ``via`` as a dictionary key (a tuple for outside content and operators)."""
    return repr(via)
