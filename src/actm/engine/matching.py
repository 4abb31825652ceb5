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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from time import perf_counter
from typing import NamedTuple, cast

from actm.engine.compiled import Compiled, Rule, type_pipeline
from actm.engine.derived import HYPOTHESIS_PREFIX
from actm.engine.facts import FactStore
from actm.engine.facts import Rule as How
from actm.engine.joins import Level, Shape, plan_of, shape_of
from actm.engine.provenance import proof, seeds_in
from actm.engine.view import EngineView
from actm.knowledge.attacks import Requirement, Where, Yield
from actm.records import quick_init

__all__ = ["Match", "Matcher"]

_UNKNOWN = object()


@quick_init
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
    hypothetical: bool = False
    """Found once the closure had added the weaknesses hypotheses posit: it needs one, as a
    premise or to meet a static condition (``node_vulnerability``, ``exposed_by``)."""


class _Entry(NamedTuple):
    """A requirement a fact may meet, with what joining from it needs."""

    rule: Rule
    pos: int
    req: Requirement
    pipe: int
    """The pipeline index it asks for, or -1 for any."""
    shape: Shape
    plan: tuple[Level, ...]
    """How the rule's other requirements are bound (:func:`~actm.engine.joins.plan_of`)."""
    trigger: int | None
    """The witness component of its variable (None for a key variable)."""
    on_itself: bool
    """A relational condition links its variable to itself (checked once it is bound)."""


_Yield = tuple[str, str | None, str | None, int, bool]
"""A yield as (variable, asset type, component, capability index, persistent)."""


class _Shared:
    """What the joins work out from the compiled model alone, shared by its closures."""

    def __init__(self) -> None:
        self.shapes: dict[int, Shape] = {}
        self.narrowed: dict[tuple[int, int, tuple[str | None, ...]], object] = {}
        self.narrowed_posited: dict[tuple[int, int, tuple[str | None, ...]], object] = {}
        self.entries: dict[tuple[int, int], list[_Entry]] = {}
        self.yields: dict[int, tuple[tuple[_Yield, ...], tuple[_Yield, ...] | None]] = {}
        """Rule -> what its step yields and, for an attack's last step, what all its steps do."""
        self.traits: dict[int, tuple[bool, int]] = {}
        """Target -> whether a change to it can persist, and its pipeline."""
        self.possible: dict[int, bool] = {}
        """Rule -> whether the model has a target for each of its requirements (one it lacks
        is never met, so no join of the rule ever completes: :func:`_possible`)."""


class Matcher:
    """Joins attack requirements against the fact store as facts arrive."""

    def __init__(self, c: Compiled, store: FactStore, gates: Mapping[int, int]) -> None:
        self.c = c
        self.store = store
        self.gates = gates
        """Target of a tool's inputs -> what getting past the tool's human approval costs."""
        self.fired: dict[tuple[int, tuple[str, ...]], int] = {}
        self.elapsed = 0.0
        """Seconds spent joining attack requirements (the rest of the closure is propagation)."""
        self.matches: list[Match] = []
        self.suppressed: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        """Bindings a control breaks for one asset: (rule, binding) -> premises."""
        self.view = EngineView.of(c)
        # what depends on the compiled model alone is shared by all its closures
        shared: _Shared | None = c.caches.get("matcher")
        if shared is None:
            shared = c.caches["matcher"] = _Shared()
        self._shared = shared
        self._shapes = shared.shapes
        self._narrowed_cache = shared.narrowed
        self._static = self.view.answers
        self._entries = shared.entries
        self.witnessed: dict[tuple[int, int, tuple[str, ...]], int] = {}
        """Witness components solved with no blocked element: (rule, component, bindings of
        its interface) -> the fact (its number in :attr:`generation`) whose processing solved
        it."""
        self.generation = 0
        """How many facts the matcher has been offered. A witness found while the current fact
        is processed may be that very fact, offered at another requirement of the rule: the
        earlier facts of the other components never saw it, so it settles nothing yet."""
        self.steps = 0
        """Candidate bindings the joins have tried: the matcher's work, which grows with the
        facts and threats, not with their product (tests/engine/test_hubs.py)."""
        self.posited = False
        """Whether the posited weaknesses count: every match found from then on needs one."""
        self._posited_cost = 0

    def admit_posited(self, cost: int) -> None:
        """Count the weaknesses hypotheses posit in the static conditions from here on, and
        mark every match found from here on hypothetical; a match whose static conditions
        hold only by a posited weakness costs ``cost`` more (the ``hypothetical`` likelihood
        factor), and so does what it yields. The caller offers the facts known so far again:
        a requirement they could not meet before may hold now."""
        self.posited = True
        self._posited_cost = cost
        self.view = EngineView.of(self.c, posited=True)
        self._static = self.view.answers
        self._narrowed_cache = self._shared.narrowed_posited
        self.witnessed.clear()  # pruning by earlier witnesses assumed the stricter conditions

    def _posited_extra(self, premise_facts: tuple[int, ...]) -> int:
        """What a match that needs a posited weakness for a condition costs on top of its
        costliest premise: the ``hypothetical`` factor once on every path, so nothing on a
        premise that already rests on a posited weakness (its cost has the factor)."""
        store = self.store
        hyp = self._posited_cost
        if not premise_facts:
            return hyp
        charged = max(
            store.cost(k) + (0 if self._rests_on_posited(k) else hyp) for k in premise_facts
        )
        return charged - store.cost_of(premise_facts)

    def _rests_on_posited(self, key: int) -> bool:
        """Whether the derivation ``key`` keeps rests on a weakness a hypothesis posits."""
        return any(
            str(via).startswith(HYPOTHESIS_PREFIX)
            for _, via in seeds_in(self.store, proof(self.store, (key,)))
        )

    def _leans_on_posited(self, rule: Rule, binding: dict[str, str], premises: list[int]) -> bool:
        """Whether a static condition of the complete ``binding`` holds only because of a
        posited weakness (checked against the view without them)."""
        c = self.c
        certain = EngineView.of(c)
        cache = certain.answers
        for pos, req in enumerate(rule.requires):
            if not req.where.static:
                continue
            owner = binding[req.var]
            k = premises[pos]
            if k >= 0:
                asset = c.target_asset[self.store.decode(k).target]
            else:
                asset = self._satisfy(req, rule.masks[pos], owner)[1]
            context = (id(req.where), owner, asset)
            ok = cache.get(context)
            if ok is None:
                ok = cache[context] = _static_check(certain, req.where, owner, asset)
            if not ok:
                return True
        return False

    # -- where-conditions -------------------------------------------------------------------------

    def static_ok(self, where: Where, owner: str, asset: int) -> bool:
        """Whether ``owner`` (with ``asset`` the one the requirement bound) meets the static
        conditions of ``where``. They depend on the system alone: each answer is kept on the
        view, for every closure of the compiled model (and a rerun's view made from the run's
        keeps those that stay the same there: engine/view.py ``_answers_kept``)."""
        if not where.static:
            return owner in self.view.info
        context = (id(where), owner, asset)
        found = self._static.get(context)
        if found is None:
            found = self._static[context] = _static_check(self.view, where, owner, asset)
        return found

    def component_ok(self, where: Where, owner: str, component: str | None) -> bool:
        """Whether the fact on ``component`` of ``owner``'s asset (None: the whole asset)
        meets the component conditions of ``where``."""
        info = self.view.info.get(owner)
        return info is not None and all(
            cond.holds(value, info, self.view, component) for cond, value in where.component
        )

    def _along(
        self, where: Where, owner: str, component: str | None, binding: Mapping[str, str]
    ) -> bool:
        """Whether the per-component relations of ``where`` hold between the fact on
        ``component`` of ``owner`` and the variables bound so far (one not bound yet is left
        to the complete binding)."""
        for cond, other in where.along:
            them = binding.get(other)
            if them is not None and not cond.holds_on(self.view, owner, them, component):
                return False
        return True

    def _along_ok(
        self, rule: Rule, binding: dict[str, str], premises: list[int], trigger: int
    ) -> list[int] | None:
        """The premises with every per-component relation holding on the component of the
        fact that meets its requirement, in the complete ``binding``, or None. A premise
        chosen while the variable a relation names was not bound yet may sit on a component
        the relation rules out; another component of the same asset may then meet it (the
        new fact's own premise, at ``trigger``, stays: other facts start joins of their own)."""
        c = self.c
        out = premises
        for pos, req in enumerate(rule.requires):
            if req.where.along and premises[pos] >= 0:
                t = self.store.decode(premises[pos]).target
                if self._along(req.where, binding[req.var], c.target_comp[t], binding):
                    continue
                if pos == trigger:
                    return None
                k, _asset = self._satisfy(req, rule.masks[pos], binding[req.var], binding)
                if k < 0:
                    return None
                if out is premises:
                    out = list(premises)
                out[pos] = k
        return out

    def _relations_ok(self, shape: Shape, binding: dict[str, str], var: str) -> bool:
        """Whether the conditions between ``var`` (just bound) and the variables bound before
        it hold; a condition naming a variable not bound yet is left for later (so this prunes
        partial bindings too, and a complete binding has had every condition checked)."""
        touching = shape.touching[var]
        if not touching:
            return True
        view = self.view
        for me, cond, other in touching:
            a = binding.get(me)
            b = binding.get(other)
            if a is not None and b is not None and not cond.holds(view, a, b):
                return False
        return True

    # -- joining ----------------------------------------------------------------------------------

    def _satisfy(
        self,
        req: Requirement,
        mask: int,
        owner: str,
        binding: Mapping[str, str] | None = None,
    ) -> tuple[int, int]:
        """A fact satisfying ``req`` on ``owner``'s asset: (fact key, asset) or (-1, -1);
        with ``binding``, only on a component its per-component relations allow.

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
                if req.where.component and not self.component_ok(req.where, owner, None):
                    continue
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
                if req.where.component and not self.component_ok(req.where, owner, comp):
                    continue
                if binding is not None and not self._along(req.where, owner, comp, binding):
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
        tc = c.target_type_comp[t]
        entries = self._entries.get((tc, cap))
        if entries is None:
            entries = self._entries[(tc, cap)] = self._entries_of(tc, cap)
        if not entries:
            return
        started = perf_counter()
        self.generation += 1
        try:
            self._on_fact(entries, key, t, cap, persistent, pipe)
        finally:
            self.elapsed += perf_counter() - started

    def _entries_of(self, tc: int, cap: int) -> list[_Entry]:
        """The requirements a fact of capability ``cap`` on a target of type and component
        ``tc`` may meet, in the order of the rule index, with what the join needs of each."""
        c = self.c
        possible = self._shared.possible
        out = []
        for ri, pos in c.rule_index.get(tc, ()):
            rule = c.rules[ri]
            if not (rule.masks[pos] >> cap) & 1:
                continue
            can = possible.get(ri)
            if can is None:
                can = possible[ri] = _possible(c, rule)
            if not can:
                continue  # a requirement no asset of the model can meet: it never matches
            req = rule.requires[pos]
            shape = self._shape(rule)
            var = req.var
            out.append(
                _Entry(
                    rule,
                    pos,
                    req,
                    self.pipe_of(req),
                    shape,
                    plan_of(rule, shape, pos),
                    shape.component.get(var),
                    any(me == var and other == var for me, _, other in shape.touching[var]),
                )
            )
        return out

    def _on_fact(
        self,
        entries: list[_Entry],
        key: int,
        t: int,
        cap: int,
        persistent: bool,
        pipe: int,
    ) -> None:
        c = self.c
        asset = c.target_asset[t]
        owner = c.asset_owner[asset]
        partial = c.is_partial[t]
        for entry in entries:
            rule, pos, req, want_pipe, shape, _, _, on_itself = entry
            if req.persistent and not persistent:
                continue
            if req.whole and partial:
                continue
            if want_pipe >= 0 and pipe != want_pipe:
                continue
            if not self.static_ok(req.where, owner, asset):
                continue
            if req.where.component and not self.component_ok(req.where, owner, c.target_comp[t]):
                continue
            binding = {req.var: owner}
            if on_itself and not self._relations_ok(shape, binding, req.var):
                continue  # a condition of the variable on itself
            premises: list[int] = [-1] * len(rule.requires)
            premises[pos] = key
            self._extend(entry, 0, binding, premises)

    def _shape(self, rule: Rule) -> Shape:
        shape = self._shapes.get(rule.index)
        if shape is None:
            shape = self._shapes[rule.index] = shape_of(rule)
        return shape

    def _extend(
        self, entry: _Entry, level: int, binding: dict[str, str], premises: list[int]
    ) -> None:
        """Bind the requirements left at ``level`` of the entry's plan: most constrained
        first, key variables before witnesses; once the key is bound, the first witness that
        completes it is enough.

        At the level where the interface of the new fact's witness component (its
        ``trigger``) is bound, a component that already had a witness for those bindings
        makes the new fact add nothing there.
        """
        rule, shape, plan = entry.rule, entry.shape, entry.plan
        if level == len(plan):
            met = self._along_ok(rule, binding, premises, entry.pos)
            if met is not None:
                self._complete(rule, shape, binding, met)
            return
        step = plan[level]
        settled = None
        if step.keyed:
            settled = (rule.index, tuple([binding.get(v, "") for v in shape.key_vars]))
            if settled in self.fired:
                return  # this threat is already known; other witnesses add nothing
        if step.face:
            assert entry.trigger is not None
            face = shape.interface_of(entry.trigger, binding)
            solved = self.witnessed.get((rule.index, entry.trigger, face or ()))
            if solved is not None and solved < self.generation:
                return  # an earlier fact was a witness there, and every fact since saw it
        best = step.pos
        req = rule.requires[best]
        mask = rule.masks[best]
        owners: list[str] | None = None
        if step.bound:
            owners = [binding[req.var]]
        elif step.narrowed:
            owners = self._narrowed(rule, shape, best, binding)
        if owners is None:
            owners = self._candidates(req)
        deeper = level + 1
        for owner in owners:
            self.steps += 1
            k, asset = self._satisfy(req, mask, owner, binding if req.where.along else None)
            if asset < 0 or not self.static_ok(req.where, owner, asset):
                continue
            premises[best] = k
            if not step.bound:
                binding[req.var] = owner
                if self._relations_ok(shape, binding, req.var):  # prune once two are bound
                    self._extend(entry, deeper, binding, premises)
                del binding[req.var]
            else:
                self._extend(entry, deeper, binding, premises)
            if settled is not None and settled in self.fired:
                break  # a witness completed the key: the others would add nothing
        premises[best] = -1

    def _narrowed(
        self, rule: Rule, shape: Shape, pos: int, binding: dict[str, str]
    ) -> list[str] | None:
        """The candidates for requirement ``pos`` through relations with bound variables,
        without those its static conditions rule out; None when no relation narrows them.
        Both depend on the system alone, so each is computed once per bound neighbours."""
        req = rule.requires[pos]
        context = (rule.index, pos, tuple([binding.get(v) for v in shape.neighbours[req.var]]))
        found = self._narrowed_cache.get(context, _UNKNOWN)
        if found is _UNKNOWN:
            related = self._related(rule, req.var, binding)
            found = None if related is None else [o for o in related if self._may_meet(req, o)]
            self._narrowed_cache[context] = found
        return cast("list[str] | None", found)

    def _may_meet(self, req: Requirement, owner: str) -> bool:
        """Whether ``owner`` has an asset of the requirement's types that meets its static
        conditions (the join still checks the one it binds)."""
        c = self.c
        for at in req.asset_types:
            a = c.owner_type_asset.get((owner, at))
            if a is not None and self.static_ok(req.where, owner, a):
                return True
        return False

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

    def _complete(
        self, rule: Rule, shape: Shape, binding: dict[str, str], premises: list[int]
    ) -> None:
        attack = rule.attack
        key = tuple([binding.get(v, "") for v in attack.key_vars])
        fired_key = (rule.index, key)
        if fired_key in self.fired:
            return
        prem = tuple(premises)
        if rule.blocked_assets and rule.blocked_assets.intersection(binding.values()):
            self.suppressed.setdefault(fired_key, prem)
            return
        self.fired[fired_key] = len(self.matches)
        for comp in range(len(shape.interface)):
            face = shape.interface_of(comp, binding)
            self.witnessed.setdefault((rule.index, comp, face or ()), self.generation)
        how = How.ATTACK if attack.kind == "attack" else How.CONVERSION
        premise_facts = tuple([p for p in prem if p >= 0])
        extra = 0
        if self._posited_cost and self._leans_on_posited(rule, binding, premises):
            extra = self._posited_extra(premise_facts)
        own, every = self._yielded(rule)
        yields: list[int] = []
        store, gates, stronger = self.store, self.gates, self.c.stronger_mask
        resolved = self._resolve(own, binding)
        for t, cap, pers, pipe in resolved:
            k = store.add(
                t, cap, pers, pipe, how, rule.index, premise_facts, gates.get(t, 0) + extra
            )
            if k < 0:
                k = store.holds(t, stronger[cap], pers)
            if k >= 0:
                yields.append(k)
        if every is not None:
            effects = tuple(resolved if every is own else self._resolve(every, binding))
            full = tuple([binding.get(v, "") for v in attack.variables])
            cost = store.cost_of(premise_facts) + extra
            self.matches.append(
                Match(rule.index, key, full, prem, tuple(yields), effects, cost, self.posited)
            )

    def _yielded(self, rule: Rule) -> tuple[tuple[_Yield, ...], tuple[_Yield, ...] | None]:
        """What the rule's step yields and, for the last step of an attack, what every step of
        the attack yields (the threat's effects)."""
        found = self._shared.yields.get(rule.index)
        if found is None:
            cap_index = self.c.cap_index

            def specs(ys: Iterable[Yield]) -> tuple[_Yield, ...]:
                return tuple(
                    (y.var, y.asset_type, y.component, cap_index[y.capability], y.persistent)
                    for y in ys
                )

            attack = rule.attack
            final = rule.final and attack.kind == "attack"
            own = specs(rule.yields)
            every = specs(y for step in attack.steps for y in step.yields) if final else None
            if every == own:
                every = own  # one step: the threat's effects are what the step yields
            found = self._shared.yields[rule.index] = (own, every)
        return found

    def _resolve(
        self, specs: tuple[_Yield, ...], binding: dict[str, str]
    ) -> list[tuple[int, int, bool, int]]:
        """The yields ``specs`` on the assets ``binding`` names, as (target, capability,
        persistent, pipeline); those on an asset the binding lacks are left out."""
        out = []
        traits = self._shared.traits
        for var, asset_type, component, cap, persistent in specs:
            t = self._yield_target(var, asset_type, component, binding)
            if t < 0:
                continue
            trait = traits.get(t)
            if trait is None:
                trait = traits[t] = (self._can_persist(t), type_pipeline(self.c, t))
            out.append((t, cap, persistent and trait[0], trait[1]))
        return out

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

    def mark(self) -> tuple[int, int, int, int]:
        return len(self.fired), len(self.matches), len(self.suppressed), len(self.witnessed)

    def rollback(self, mark: tuple[int, int, int, int]) -> None:
        fired, matches, suppressed, witnessed = mark
        while len(self.fired) > fired:
            self.fired.popitem()
        del self.matches[matches:]
        while len(self.suppressed) > suppressed:
            self.suppressed.popitem()
        while len(self.witnessed) > witnessed:
            self.witnessed.popitem()


def _possible(c: Compiled, rule: Rule) -> bool:
    """Whether every requirement of ``rule`` names a target the model has: an asset of one of
    its types, with one of its components when it names some (:meth:`Matcher._satisfy` and
    :meth:`Matcher._candidates` look no further than those targets, so a requirement without
    one is never met, whatever the facts and conditions)."""
    present = c.type_comp_id
    for req in rule.requires:
        comps = req.components if req.components else (None,)  # as rule_index reads them
        if not any((at, comp) in present for at in req.asset_types for comp in comps):
            return False
    return True


def _static_check(view: EngineView, where: Where, owner: str, asset: int) -> bool:
    info = view.info.get(owner)
    if info is None:
        return False
    for cond, value in where.static:  # noqa: SIM110 - a hot loop: all() and a generator cost 2x
        if not cond.holds(value, info, view, asset):
            return False
    return True
