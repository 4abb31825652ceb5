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

from dataclasses import dataclass, field

from actm.engine.compiled import Compiled, Rule
from actm.engine.facts import FactStore
from actm.engine.facts import Rule as How
from actm.knowledge.attacks import Requirement, Where
from actm.model.system import Tool

__all__ = ["Match", "Matcher"]

LEVEL_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


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


@dataclass
class _OwnerInfo:
    sort: str
    kind: str = ""
    exposure: str = ""
    features: frozenset[str] = frozenset()
    exposes: frozenset[str] = frozenset()
    tool_permissions: frozenset[str] = frozenset()
    has_tools: bool = False
    third_party: bool = False
    owner_third_party: bool = False
    hosted_third_party: bool = False
    stored: bool = False
    node_kinds: frozenset[str] = frozenset()
    human_approval: bool = False
    sandbox: bool = False
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    executes_on: set[str] = field(default_factory=set)
    tools: set[str] = field(default_factory=set)
    nodes: frozenset[str] = frozenset()
    authorises: set[str] = field(default_factory=set)
    """For credentials: the tools whose calls they authorise."""


class Matcher:
    """Joins attack requirements against the fact store as facts arrive."""

    def __init__(self, c: Compiled, store: FactStore) -> None:
        self.c = c
        self.store = store
        self.fired: dict[tuple[int, tuple[str, ...]], int] = {}
        self.matches: list[Match] = []
        self.suppressed: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        """Bindings a control breaks for one asset: (rule, binding) -> premises."""
        self.info = self._owner_info()
        self.feeds: set[tuple[str, str]] = set()
        for r in c.model.relations:
            if r.kind == "feeds" and r.id not in c.blocked:
                src = c.asset_owner[c.asset_index[r.source]]
                dst = c.asset_owner[c.asset_index[r.target]]
                self.feeds.add((src, dst))

    # -- system facts used by where-conditions -------------------------------------------------

    def _owner_info(self) -> dict[str, _OwnerInfo]:
        c = self.c
        m = c.model
        third = {n.id for n in m.nodes if m.is_third_party(n.owner)}
        node_kind = {n.id: n.kind for n in m.nodes}
        out: dict[str, _OwnerInfo] = {}
        tools = {t.id: t for t in m.tools}
        for model in m.models:
            usable = [tools[t] for t in model.tools if t in tools and t not in c.blocked]
            perms = set()
            for t in usable:
                if t.read and f"{t.id}.read" not in c.blocked:
                    perms.add("read")
                if t.write and f"{t.id}.write" not in c.blocked:
                    perms.add("write")
                if t.execute and f"{t.id}.execute" not in c.blocked:
                    perms.add("execute")
                if t.egress and f"{t.id}.egress" not in c.blocked:
                    perms.add("egress")
            owner_tp = m.is_third_party(model.owner)
            hosted_tp = any(n in third for n in model.deployed_on)
            info = _OwnerInfo(
                sort="model",
                kind=model.kind,
                exposure=model.exposure,
                features=model.features,
                exposes=frozenset(model.exposes),
                tool_permissions=frozenset(perms),
                has_tools=bool(usable),
                third_party=owner_tp or hosted_tp,
                owner_third_party=owner_tp,
                hosted_third_party=hosted_tp,
                tools={t.id for t in usable},
            )
            for t in usable:
                self._tool_reach(info, t)
            out[model.id] = info
        for a in m.assets:
            if a.category == "ai":
                continue
            tool = tools.get(a.tool) if a.tool else None
            owner_tp = m.is_third_party(a.owner)
            hosted_tp = any(r.node in third for r in a.resides)
            info = _OwnerInfo(
                sort="asset",
                kind=a.type,
                third_party=owner_tp or hosted_tp,
                owner_third_party=owner_tp,
                hosted_third_party=hosted_tp,
                stored=any(r.mode == "stored" for r in a.resides) or not a.resides,
                node_kinds=frozenset(node_kind[r.node] for r in a.resides if r.node in node_kind),
                human_approval=bool(tool and tool.human_approval),
                sandbox=bool(tool and tool.sandbox),
                nodes=frozenset(r.node for r in a.resides),
            )
            if tool is not None:
                perms = {
                    p
                    for p, present in (
                        ("read", tool.read),
                        ("write", tool.write),
                        ("execute", tool.execute),
                        ("egress", tool.external_egress),
                    )
                    if present and f"{tool.id}.{p}" not in c.blocked
                }
                info.tool_permissions = frozenset(perms)
            if tool is not None and tool.id not in c.blocked:
                self._tool_reach(info, tool)
            out[a.id] = info
        for ct, tis in c.cred_tools.items():
            cred = out.get(c.asset_ids[c.target_asset[ct]])
            if cred is not None:
                cred.authorises |= {c.tool_ids[ti] for ti in tis}
        return out

    def _tool_reach(self, info: _OwnerInfo, tool: Tool) -> None:
        c = self.c
        if f"{tool.id}.read" not in c.blocked:
            info.reads |= {c.asset_owner[c.asset_index[a]] for a, _ in tool.read}
        if f"{tool.id}.write" not in c.blocked:
            info.writes |= {c.asset_owner[c.asset_index[a]] for a, _ in tool.write}
        if f"{tool.id}.execute" not in c.blocked:
            info.executes_on |= set(tool.execute)

    def _static_ok(self, where: Where, owner: str, asset: int) -> bool:
        info = self.info.get(owner)
        if info is None:
            return False
        if where.kind is not None and info.kind not in where.kind:
            return False
        if where.exposure is not None and info.exposure not in where.exposure:
            return False
        if where.features is not None and not where.features <= info.features:
            return False
        if where.lacks_features is not None and where.lacks_features & info.features:
            return False
        if where.exposes is not None and not where.exposes <= info.exposes:
            return False
        if where.has_tools is not None and info.has_tools != where.has_tools:
            return False
        if where.tool_permission is not None and not where.tool_permission & info.tool_permissions:
            return False
        if where.third_party is not None and info.third_party != where.third_party:
            return False
        if (
            where.owner_third_party is not None
            and info.owner_third_party != where.owner_third_party
        ):
            return False
        if (
            where.hosted_by_third_party is not None
            and info.hosted_third_party != where.hosted_by_third_party
        ):
            return False
        if where.stored is not None and info.stored != where.stored:
            return False
        if where.node_kind is not None and not where.node_kind & info.node_kinds:
            return False
        if where.human_approval is not None and info.human_approval != where.human_approval:
            return False
        if where.sandbox is not None and info.sandbox != where.sandbox:
            return False
        if where.min_criticality is not None:
            crit = self.c.model.asset(self.c.asset_ids[asset]).criticality
            for cls, level in where.min_criticality.items():
                if LEVEL_RANK[crit.get(cls, "medium")] < LEVEL_RANK[level]:
                    return False
        return True

    def _relations_ok(self, rule: Rule, binding: dict[str, str]) -> bool:
        for req in rule.requires:
            w = req.where
            if not w.other_vars():
                continue
            me = binding[req.var]
            if w.differs_from is not None and binding.get(w.differs_from) == me:
                return False
            if w.read_by is not None:
                other = self.info.get(binding[w.read_by])
                if other is None or me not in other.reads:
                    return False
            if w.written_by is not None:
                other = self.info.get(binding[w.written_by])
                if other is None or me not in other.writes:
                    return False
            if w.executed_by is not None:
                other = self.info.get(binding[w.executed_by])
                mine = self.info.get(me)
                if other is None or mine is None or not (mine.nodes & other.executes_on):
                    return False
            if w.authorises is not None and binding[w.authorises] not in (
                self.info[me].authorises if me in self.info else set()
            ):
                return False
            if w.used_by is not None:
                other = self.info.get(binding[w.used_by])
                if other is None or me not in other.tools:
                    return False
            if w.feeds is not None and (me, binding[w.feeds]) not in self.feeds:
                return False
            if w.fed_by is not None and (binding[w.fed_by], me) not in self.feeds:
                return False
            if w.related_to is not None:
                o = binding[w.related_to]
                if (me, o) not in self.feeds and (o, me) not in self.feeds:
                    return False
        return True

    # -- joining ----------------------------------------------------------------------------------

    def _satisfy(self, req: Requirement, mask: int, owner: str) -> tuple[int, int]:
        """A fact satisfying ``req`` on ``owner``'s asset: (fact key, asset) or (-1, -1).

        A structural requirement (no capability) is met by the asset existing: (-1, asset).
        """
        c = self.c
        holds = self.store.holds
        for at in req.asset_types:
            a = c.owner_type_asset.get((owner, at))
            if a is None:
                continue
            if req.capability is None:
                if req.components is None or any((a, x) in c.comp_target for x in req.components):
                    return -1, a
                continue
            if req.components is None:
                for whole in c.whole_targets(a):
                    k = holds(whole, mask, req.persistent)
                    if k >= 0 and (req.pipeline is None or self._pipe_ok(k, req.pipeline)):
                        return k, a
                continue
            for comp in req.components:
                t = c.comp_target.get((a, comp))
                if t is None:
                    continue
                k = holds(t, mask, req.persistent)
                if k >= 0 and (req.pipeline is None or self._pipe_ok(k, req.pipeline)):
                    return k, a
        return -1, -1

    @staticmethod
    def _pipe_ok(key: int, pipeline: str) -> bool:
        return (key & 1) == (0 if pipeline == "development" else 1)

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
        owner = c.asset_owner[c.target_asset[t]]
        asset = c.target_asset[t]
        for ri, pos in entries:
            rule = c.rules[ri]
            if not (rule.masks[pos] >> cap) & 1:
                continue
            req = rule.requires[pos]
            if req.persistent and not persistent:
                continue
            if req.pipeline is not None and pipe != (0 if req.pipeline == "development" else 1):
                continue
            if not self._static_ok(req.where, owner, asset):
                continue
            premises: list[int] = [-1] * len(rule.requires)
            premises[pos] = key
            self._join(rule, 0, pos, {req.var: owner}, premises)

    def _join(
        self, rule: Rule, j: int, skip: int, binding: dict[str, str], premises: list[int]
    ) -> None:
        n = len(rule.requires)
        while j < n and j == skip:
            j += 1
        if j == n:
            self._complete(rule, binding, premises)
            return
        req = rule.requires[j]
        mask = rule.masks[j]
        bound = binding.get(req.var)
        owners = [bound] if bound is not None else self._candidates(req)
        for owner in owners:
            k, asset = self._satisfy(req, mask, owner)
            if asset < 0 or not self._static_ok(req.where, owner, asset):
                continue
            premises[j] = k
            if bound is None:
                binding[req.var] = owner
                self._join(rule, j + 1, skip, binding, premises)
                del binding[req.var]
            else:
                self._join(rule, j + 1, skip, binding, premises)
        premises[j] = -1

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
        facts = [p for p in prem if p >= 0]
        pipe = facts[0] & 1 if facts else 1
        premise_facts = tuple(facts)
        yields: list[int] = []
        for y in rule.yields:
            t = self._yield_target(y.var, y.asset_type, y.component, binding)
            if t < 0:
                continue
            cap = c.cap_index[y.capability]
            k = self.store.add(t, cap, y.persistent, pipe, how, rule.index, premise_facts)
            if k < 0:
                k = self.store.holds(t, c.stronger_mask[cap], y.persistent)
            if k >= 0:
                yields.append(k)
        if rule.final and attack.kind == "attack":
            effects = []
            for step in attack.steps:
                for y in step.yields:
                    t = self._yield_target(y.var, y.asset_type, y.component, binding)
                    if t >= 0:
                        effects.append((t, c.cap_index[y.capability], y.persistent, pipe))
            full = tuple(binding.get(v, "") for v in attack.variables)
            self.matches.append(Match(rule.index, key, full, prem, tuple(yields), tuple(effects)))

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
