"""Attack matching: does an attack pattern close, with its variables bound consistently?

Each attack step is compiled into a :class:`~actm.engine.compiled.Rule` whose requirements are
those of steps 1..j. When a new fact arrives, the matcher looks up the requirements it could
satisfy (indexed by asset type and component), binds that requirement's variable to the fact's
model or asset, and joins the other requirements against the facts already known. Variables
bound twice must agree; ``where`` conditions are checked against the system model. A complete
binding fires the step's yields (new facts, so attacks chain into attacks) and, for the last
step of an attack, records a threat. Each (rule, binding) fires once; the first time is found
in breadth-first order, so its premises give a shortest chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from time import perf_counter

from actm.engine.compiled import Compiled, Rule, type_pipeline
from actm.engine.facts import FactStore
from actm.engine.facts import Rule as How
from actm.engine.view import EngineView
from actm.knowledge.attacks import Requirement, Where

__all__ = ["Match", "Matcher"]


@dataclass(frozen=True, slots=True)
class Match:
    """A complete binding of an attack's final step: a threat."""

    rule: int
    binding: tuple[str, ...]
    """Bound elements of the attack's key variables: the threat's identity."""
    full_binding: tuple[str, ...]
    """Bound elements of all its variables (key and witnesses), in variable order."""
    premises: tuple[int, ...]
    """Per requirement: the fact that met it, or -1 for a structural requirement."""
    yields: tuple[int, ...]
    """Facts in the store that the yields of every step produced or were subsumed by."""
    effects: tuple[tuple[int, int, bool, int], ...]
    """What the attack's steps yield, as (target, capability, persistent, pipeline), whether or
    not the store already knew something as strong."""
    cost: int = 0
    """The cost of its costliest premise: of the route it closes by (engine/costs.py)."""


class Matcher:
    """Joins attack requirements against the fact store as facts arrive."""

    def __init__(self, c: Compiled, store: FactStore, gates: Mapping[int, int]) -> None:
        self.c = c
        self.store = store
        self.gates = gates
        """Target of a tool's inputs -> what getting past the tool's human approval costs."""
        self.fired: dict[tuple[int, tuple[str, ...]], int] = {}
        self._relational_cache: dict[int, tuple[Requirement, ...]] = {}
        self.elapsed = 0.0
        """Seconds spent joining attack requirements (the rest of the closure is propagation)."""
        self.matches: list[Match] = []
        self.suppressed: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        """Bindings a control breaks for one asset: (rule, binding) -> premises."""
        self.view = EngineView.of(c)

    # -- where-conditions -------------------------------------------------------------------------

    def static_ok(self, where: Where, owner: str, asset: int) -> bool:
        """Whether ``owner`` (with ``asset`` the one the requirement bound) meets the static
        conditions of ``where``."""
        view = self.view
        info = view.info.get(owner)
        if info is None:
            return False
        for cond, value in where.static:  # noqa: SIM110 - a hot loop: all() and a generator cost 2x
            if not cond.holds(value, info, view, asset):
                return False
        return True

    def _relational(self, rule: Rule) -> tuple[Requirement, ...]:
        """The requirements of ``rule`` whose conditions relate two variables (cached)."""
        cached = self._relational_cache.get(rule.index)
        if cached is None:
            cached = tuple(r for r in rule.requires if r.where.relational)
            self._relational_cache[rule.index] = cached
        return cached

    def _relations_ok(self, rule: Rule, binding: dict[str, str]) -> bool:
        """Whether the conditions between bound variables hold; a condition naming a variable
        not bound yet is left for later (so this prunes partial bindings too)."""
        view = self.view
        for req in self._relational(rule):
            me = binding.get(req.var)
            if me is None:
                continue
            for cond, var in req.where.relational:
                other = binding.get(var)
                if other is not None and not cond.holds(view, me, other):
                    return False
        return True

    # -- joining ----------------------------------------------------------------------------------

    def _satisfy(self, req: Requirement, mask: int, owner: str) -> tuple[int, int]:
        """A fact satisfying ``req`` on ``owner``'s asset: (fact key, asset) or (-1, -1).

        A structural requirement (no capability) is met by the asset existing: (-1, asset).
        """
        c = self.c
        holds = self.store.holds
        pipe = -1 if req.pipeline is None else (0 if req.pipeline == "development" else 1)
        for at in req.asset_types:
            a = c.owner_type_asset.get((owner, at))
            if a is None:
                continue
            if req.capability is None:
                if req.components is None or any((a, x) in c.comp_target for x in req.components):
                    return -1, a
                continue
            if req.components is None:
                wholes = (c.asset_target[a],) if req.whole else c.whole_targets(a)
                for whole in wholes:
                    k = holds(whole, mask, req.persistent, pipe)
                    if k >= 0:
                        return k, a
                continue
            for comp in req.components:
                t = c.comp_target.get((a, comp))
                if t is None:
                    continue
                k = holds(t, mask, req.persistent, pipe)
                if k >= 0:
                    return k, a
        return -1, -1

    @staticmethod
    def pipe_of(req: Requirement) -> int:
        """The pipeline index a requirement asks for, or -1 for any."""
        return -1 if req.pipeline is None else (0 if req.pipeline == "development" else 1)

    def _candidates(self, req: Requirement) -> list[str]:
        c = self.c
        seen: dict[str, None] = {}
        comps = req.components if req.components is not None else (None,)
        pool = c.targets_by_type_comp if req.capability is None else self.store.tc_targets
        for at in req.asset_types:
            for comp in comps:
                tc = c.type_comp_id.get((at, comp))
                if tc is None:
                    continue
                for t in pool.get(tc, ()):
                    seen.setdefault(c.asset_owner[c.target_asset[t]], None)
        return list(seen)

    def on_fact(self, key: int, t: int, cap: int, persistent: bool, pipe: int) -> None:
        c = self.c
        entries = c.rule_index.get(c.target_type_comp[t])
        if not entries:
            return
        started = perf_counter()
        try:
            self._on_fact(entries, key, t, cap, persistent, pipe)
        finally:
            self.elapsed += perf_counter() - started

    def _on_fact(
        self,
        entries: list[tuple[int, int]],
        key: int,
        t: int,
        cap: int,
        persistent: bool,
        pipe: int,
    ) -> None:
        c = self.c
        owner = c.asset_owner[c.target_asset[t]]
        asset = c.target_asset[t]
        for ri, pos in entries:
            rule = c.rules[ri]
            if not (rule.masks[pos] >> cap) & 1:
                continue
            req = rule.requires[pos]
            if req.persistent and not persistent:
                continue
            if req.whole and c.is_partial[t]:
                continue
            if req.pipeline is not None and pipe != (0 if req.pipeline == "development" else 1):
                continue
            if not self.static_ok(req.where, owner, asset):
                continue
            premises: list[int] = [-1] * len(rule.requires)
            premises[pos] = key
            self._join(rule, 0, pos, {req.var: owner}, premises)

    def _join(
        self, rule: Rule, j: int, skip: int, binding: dict[str, str], premises: list[int]
    ) -> None:
        remaining = [i for i in range(len(rule.requires)) if i != skip]
        self._extend(rule, remaining, binding, premises)

    def _extend(
        self, rule: Rule, remaining: list[int], binding: dict[str, str], premises: list[int]
    ) -> None:
        """Bind the remaining requirements, most constrained first."""
        if not remaining:
            self._complete(rule, binding, premises)
            return
        attack = rule.attack
        if all(v in binding for v in attack.key_vars) and (
            (rule.index, tuple(binding[v] for v in attack.key_vars)) in self.fired
        ):
            return  # this threat is already known; other witnesses add nothing
        # pick the next requirement: bound variable, then one reachable through a relation
        best = remaining[0]
        best_score = 3
        best_cands: list[str] | None = None
        for pos in remaining:
            var = rule.requires[pos].var
            if var in binding:
                best, best_score, best_cands = pos, 0, None
                break
            cands = self._related(rule, var, binding)
            score = 1 if cands is not None else 2
            if score < best_score:
                best, best_score, best_cands = pos, score, cands
        rest = [i for i in remaining if i != best]
        req = rule.requires[best]
        mask = rule.masks[best]
        bound = binding.get(req.var)
        if bound is not None:
            owners = [bound]
        elif best_cands is not None:
            owners = best_cands
        else:
            owners = self._candidates(req)
        for owner in owners:
            k, asset = self._satisfy(req, mask, owner)
            if asset < 0 or not self.static_ok(req.where, owner, asset):
                continue
            premises[best] = k
            if bound is None:
                binding[req.var] = owner
                if self._relations_ok(rule, binding):  # prune as soon as two are bound
                    self._extend(rule, rest, binding, premises)
                del binding[req.var]
            else:
                self._extend(rule, rest, binding, premises)
        premises[best] = -1

    def _related(self, rule: Rule, var: str, binding: dict[str, str]) -> list[str] | None:
        """Candidates for unbound ``var`` through relations with bound variables, or None."""
        found: set[str] | None = None
        view = self.view
        for req in rule.requires:
            if req.var == var:  # var's own conditions, towards variables already bound
                for cond, other in req.where.relational:
                    if other in binding:
                        items = cond.forward(view, binding[other])
                        if items is not None:
                            found = set(items) if found is None else found & items
            elif req.var in binding:  # a bound variable's conditions that name var
                me = binding[req.var]
                for cond, other in req.where.relational:
                    if other == var:
                        items = cond.backward(view, me)
                        if items is not None:
                            found = set(items) if found is None else found & items
        return None if found is None else sorted(found)

    def _complete(self, rule: Rule, binding: dict[str, str], premises: list[int]) -> None:
        if not self._relations_ok(rule, binding):
            return
        attack = rule.attack
        key = tuple(binding.get(v, "") for v in attack.key_vars)
        fired_key = (rule.index, key)
        if fired_key in self.fired:
            return
        prem = tuple(premises)
        if rule.blocked_assets and rule.blocked_assets.intersection(binding.values()):
            self.suppressed.setdefault(fired_key, prem)
            return
        self.fired[fired_key] = len(self.matches)
        c = self.c
        how = How.ATTACK if attack.kind == "attack" else How.CONVERSION
        premise_facts = tuple(p for p in prem if p >= 0)
        yields: list[int] = []
        for y in rule.yields:
            t = self._yield_target(y.var, y.asset_type, y.component, binding)
            if t < 0:
                continue
            cap = c.cap_index[y.capability]
            pers = y.persistent and self._can_persist(t)
            gate = self.gates.get(t, 0)
            k = self.store.add(
                t, cap, pers, type_pipeline(c, t), how, rule.index, premise_facts, gate
            )
            if k < 0:
                k = self.store.holds(t, c.stronger_mask[cap], pers)
            if k >= 0:
                yields.append(k)
        if rule.final and attack.kind == "attack":
            effects = []
            for step in attack.steps:
                for y in step.yields:
                    t = self._yield_target(y.var, y.asset_type, y.component, binding)
                    if t >= 0:
                        pers = y.persistent and self._can_persist(t)
                        effects.append((t, c.cap_index[y.capability], pers, type_pipeline(c, t)))
            full = tuple(binding.get(v, "") for v in attack.variables)
            cost = self.store.cost_of(premise_facts)
            self.matches.append(
                Match(rule.index, key, full, prem, tuple(yields), tuple(effects), cost)
            )

    def _can_persist(self, target: int) -> bool:
        """Whether a change an attack makes to ``target`` can persist (METHOD.md section 3).

        A conventional asset or tool keeps a change only where it is stored or written back;
        a change to a model's own assets (a backdoor in weights, a poisoned dataset) is part
        of what the pattern states.
        """
        a = self.c.target_asset[target]
        return self.c.vocab.category(self.c.asset_type[a]) == "ai" or self.c.asset_persists[a]

    def _yield_target(
        self, var: str, asset_type: str | None, component: str | None, binding: dict[str, str]
    ) -> int:
        owner = binding.get(var)
        if owner is None:
            return -1
        if asset_type is None:
            a = self.c.asset_index.get(owner)
            return -1 if a is None else self.c.asset_target[a]
        return self.c.target_of(owner, asset_type, component)

    # -- rollback ---------------------------------------------------------------------------------

    def mark(self) -> tuple[int, int, int]:
        return len(self.fired), len(self.matches), len(self.suppressed)

    def rollback(self, mark: tuple[int, int, int]) -> None:
        fired, matches, suppressed = mark
        while len(self.fired) > fired:
            self.fired.popitem()
        del self.matches[matches:]
        while len(self.suppressed) > suppressed:
            self.suppressed.popitem()
