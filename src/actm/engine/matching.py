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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from time import perf_counter

from actm.engine.compiled import Compiled, Rule, type_pipeline
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


class _CoLocated(Mapping[str, frozenset[str]]):
    """owner -> the owners with an asset on one of its nodes, computed when first asked.

    Built for every owner at once, this is quadratic in the owners of a shared node (a vendor
    API that serves every unit's models): 290 MB at 50,000 assets, for one attack's condition.
    """

    def __init__(
        self, owner_nodes: Mapping[str, frozenset[str]], on_node: Mapping[str, set[str]]
    ) -> None:
        self._owner_nodes = owner_nodes
        self._on_node = on_node
        self._known: dict[str, frozenset[str]] = {}

    def __getitem__(self, owner: str) -> frozenset[str]:
        found = self._known.get(owner)
        if found is None:
            nodes = self._owner_nodes[owner]
            found = frozenset().union(*(self._on_node[n] for n in nodes))
            self._known[owner] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._owner_nodes)

    def __len__(self) -> int:
        return len(self._owner_nodes)


@dataclass(frozen=True)
class _Structure:
    """Where assets reside and how they derive from each other, for ``where`` conditions."""

    asset_nodes: tuple[frozenset[str], ...]
    """Per asset index: the nodes it resides on (a tool's asset: the node it runs on)."""
    owner_nodes: Mapping[str, frozenset[str]]
    """Per binding (model or asset): the nodes any of its assets resides on."""
    node_kind: Mapping[str, str]
    node_vulns: Mapping[tuple[str, str], frozenset[str]]
    """(node, asset id) -> classes of the declared vulnerabilities in force that reach it."""
    asset_ids: tuple[str, ...]
    derived: frozenset[tuple[str, str]]
    """(source binding, target binding) of every ``derives`` relation not blocked whose source
    is a conventional asset or a model's outputs."""
    parts: frozenset[tuple[str, str]]
    """(part, whole) of every ``part_of`` relation not blocked."""
    declared_tools: Mapping[str, frozenset[str]]
    """Per model: the tools the model file gives it, whatever controls do to them. A condition
    on what a model was *not* given must not flip when a control blocks one of its tools, or a
    control could add a threat."""

    @staticmethod
    def build(c: Compiled) -> _Structure:
        m = c.model
        asset_nodes = []
        owner_nodes: dict[str, set[str]] = {}
        for ai, aid in enumerate(c.asset_ids):
            nodes = frozenset(r.node for r in m.asset(aid).resides)
            asset_nodes.append(nodes)
            owner_nodes.setdefault(c.asset_owner[ai], set()).update(nodes)
        on_node: dict[str, list[int]] = {}
        for ai, nodes in enumerate(asset_nodes):
            for n in nodes:
                on_node.setdefault(n, []).append(ai)
        vulns: dict[tuple[str, str], set[str]] = {}
        for v in m.vulnerabilities:
            if v.node is None or v.id in c.removed_vulns:
                continue
            for ai in on_node.get(v.node, ()):
                aid = c.asset_ids[ai]
                if v.assets is None or aid in v.assets:
                    vulns.setdefault((v.node, aid), set()).add(v.vclass)
        derived: set[tuple[str, str]] = set()
        parts: set[tuple[str, str]] = set()
        for r in m.relations:
            if r.id in c.blocked or r.kind == "feeds":
                continue
            si = c.asset_index[r.source]
            src = c.asset_owner[si]
            dst = c.asset_owner[c.asset_index[r.target]]
            if src == dst:
                continue
            if r.kind == "part_of":
                parts.add((src, dst))
            elif c.vocab.category(c.asset_type[si]) != "ai" or c.asset_type[si] == "outputs":
                # what a model says, not what it reads, is what gets recorded from it
                derived.add((src, dst))
        return _Structure(
            asset_nodes=tuple(asset_nodes),
            owner_nodes={k: frozenset(v) for k, v in owner_nodes.items()},
            node_kind={n.id: n.kind for n in m.nodes},
            node_vulns={k: frozenset(v) for k, v in vulns.items()},
            asset_ids=tuple(c.asset_ids),
            derived=frozenset(derived),
            parts=frozenset(parts),
            declared_tools={x.id: frozenset(x.tools) for x in m.models},
        )

    def kinds_of(self, asset: int) -> frozenset[str]:
        """Kinds of the nodes ``asset`` resides on."""
        return frozenset(self.node_kind[n] for n in self.asset_nodes[asset] if n in self.node_kind)

    def vulns_of(self, asset: int) -> frozenset[str]:
        """Classes of the node vulnerabilities in force that reach ``asset``."""
        aid = self.asset_ids[asset]
        out: set[str] = set()
        for n in self.asset_nodes[asset]:
            out |= self.node_vulns.get((n, aid), frozenset())
        return frozenset(out)


class Matcher:
    """Joins attack requirements against the fact store as facts arrive."""

    def __init__(self, c: Compiled, store: FactStore) -> None:
        self.c = c
        self.store = store
        self.fired: dict[tuple[int, tuple[str, ...]], int] = {}
        self._relational_cache: dict[int, tuple[Requirement, ...]] = {}
        self.elapsed = 0.0
        """Seconds spent joining attack requirements (the rest of the closure is propagation)."""
        self.matches: list[Match] = []
        self.suppressed: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        """Bindings a control breaks for one asset: (rule, binding) -> premises."""
        self.info: dict[str, _OwnerInfo]
        self.feeds: set[tuple[str, str]]
        self.assets_on_node: dict[str, set[str]]
        self.reverse: dict[str, dict[str, set[str]]]
        self.structure = c.caches.get("matcher_structure") or _Structure.build(c)
        c.caches["matcher_structure"] = self.structure
        shared = c.caches.get("matcher")
        if shared is not None:
            self.info, self.feeds, self.assets_on_node, self.reverse = shared
            return
        self.info = self._owner_info()
        self.feeds = set()
        for r in c.model.relations:
            if r.kind == "feeds" and r.id not in c.blocked:
                src = c.asset_owner[c.asset_index[r.source]]
                dst = c.asset_owner[c.asset_index[r.target]]
                self.feeds.add((src, dst))
        self.assets_on_node = {}
        for a in c.model.assets:
            for res in a.resides:
                self.assets_on_node.setdefault(res.node, set()).add(
                    c.asset_owner[c.asset_index[a.id]]
                )
        self.reverse = self._reverse_relations()
        # the system's structure does not change between runs on the same compiled model
        c.caches["matcher"] = (self.info, self.feeds, self.assets_on_node, self.reverse)

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
                exposes=frozenset(e for e in model.exposes if f"{model.id}.{e}" not in c.hidden),
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
                human_approval=bool(tool and (tool.human_approval or tool.id in c.approved)),
                sandbox=bool(tool and (tool.sandbox or tool.id in c.sandboxed)),
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

    def _reverse_relations(self) -> dict[str, dict[str, set[str]]]:
        """Owner -> the owners related to it, for each relation read backwards."""
        rev: dict[str, dict[str, set[str]]] = {
            name: {}
            for name in (
                "readers",
                "writers",
                "executors",
                "users",
                "authorised_by",
                "feeds",
                "fed_by",
                "related",
            )
        }
        for owner, info in sorted(self.info.items()):
            for x in info.reads:
                rev["readers"].setdefault(x, set()).add(owner)
            for x in info.writes:
                rev["writers"].setdefault(x, set()).add(owner)
            for node in info.executes_on:
                for x in self.assets_on_node.get(node, ()):
                    rev["executors"].setdefault(x, set()).add(owner)
            if info.sort == "model":
                for t in info.tools:
                    rev["users"].setdefault(t, set()).add(owner)
            for t in info.authorises:
                rev["authorised_by"].setdefault(t, set()).add(owner)
        for src, dst in self.feeds:
            rev["feeds"].setdefault(dst, set()).add(src)  # owners that feed dst
            rev["fed_by"].setdefault(src, set()).add(dst)  # owners that src feeds
            rev["related"].setdefault(src, set()).add(dst)
            rev["related"].setdefault(dst, set()).add(src)
        return rev

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
        if where.node_kind is not None:
            # a model's own asset resides where the model file puts it (deployed_on, resides)
            kinds = info.node_kinds if info.sort == "asset" else self.structure.kinds_of(asset)
            if not where.node_kind & kinds:
                return False
        if where.node_vulnerability is not None and not (
            where.node_vulnerability & self.structure.vulns_of(asset)
        ):
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

    def _relational(self, rule: Rule) -> tuple[Requirement, ...]:
        """The requirements of ``rule`` whose conditions relate two variables (cached)."""
        cached = self._relational_cache.get(rule.index)
        if cached is None:
            cached = tuple(r for r in rule.requires if r.where.other_vars())
            self._relational_cache[rule.index] = cached
        return cached

    def _relations_ok(self, rule: Rule, binding: dict[str, str]) -> bool:
        """Whether the conditions between bound variables hold; a condition naming a variable
        not bound yet is left for later (so this prunes partial bindings too)."""
        for req in self._relational(rule):
            w = req.where
            me = binding.get(req.var)
            if me is None:
                continue

            def other(var: str | None) -> str | None:
                return None if var is None else binding.get(var)

            if w.differs_from is not None and binding.get(w.differs_from) == me:
                return False
            if (o := other(w.read_by)) is not None:
                info = self.info.get(o)
                if info is None or me not in info.reads:
                    return False
            if (o := other(w.written_by)) is not None:
                info = self.info.get(o)
                if info is None or me not in info.writes:
                    return False
            if (o := other(w.executed_by)) is not None:
                info = self.info.get(o)
                mine = self.info.get(me)
                if info is None or mine is None or not (mine.nodes & info.executes_on):
                    return False
            if (o := other(w.authorises)) is not None and o not in (
                self.info[me].authorises if me in self.info else set()
            ):
                return False
            if (o := other(w.used_by)) is not None:
                info = self.info.get(o)
                if info is None or me not in info.tools:
                    return False
            if (o := other(w.feeds)) is not None and (me, o) not in self.feeds:
                return False
            if (o := other(w.fed_by)) is not None and (o, me) not in self.feeds:
                return False
            if (o := other(w.related_to)) is not None and (
                (me, o) not in self.feeds and (o, me) not in self.feeds
            ):
                return False
            st = self.structure
            if (o := other(w.derived_from)) is not None and (o, me) not in st.derived:
                return False
            if (o := other(w.part_of)) is not None and (me, o) not in st.parts:
                return False
            if (o := other(w.not_used_by)) is not None:
                declared = st.declared_tools.get(o)
                if declared is None or me in declared:
                    return False
            if (o := other(w.read_into)) is not None:
                info = self.info.get(o)
                if (me, o) not in self.feeds and (info is None or me not in info.reads):
                    return False
            if (o := other(w.shares_node_with)) is not None and not (
                st.owner_nodes.get(me, frozenset()) & st.owner_nodes.get(o, frozenset())
            ):
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
            if not self._static_ok(req.where, owner, asset):
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
            if asset < 0 or not self._static_ok(req.where, owner, asset):
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

        def narrow(items: set[str] | frozenset[str]) -> None:
            nonlocal found
            found = set(items) if found is None else found & items

        empty: frozenset[str] = frozenset()
        for req in rule.requires:
            w = req.where
            if req.var == var:
                for other, forward in (
                    (w.read_by, "reads"),
                    (w.written_by, "writes"),
                    (w.executed_by, "executes"),
                    (w.used_by, "tools"),
                    (w.feeds, "feeds"),
                    (w.fed_by, "fed_by"),
                    (w.related_to, "related"),
                    (w.authorises, "authorised_by"),
                ):
                    if other is not None and other in binding:
                        narrow(self._rel(forward, binding[other]) or empty)
                for other, table in (
                    (w.derived_from, "derived_out"),
                    (w.part_of, "parts_of"),
                    (w.read_into, "read_into"),
                    (w.shares_node_with, "co_located"),
                ):
                    if other is not None and other in binding:
                        narrow(self._structural(table).get(binding[other], empty))
            elif req.var in binding:
                me = binding[req.var]
                for other, backward in (
                    (w.read_by, "readers"),
                    (w.written_by, "writers"),
                    (w.executed_by, "executors"),
                    (w.used_by, "users"),
                    (w.feeds, "fed_by"),
                    (w.fed_by, "feeds"),
                    (w.related_to, "related"),
                    (w.authorises, "authorises"),
                ):
                    if other == var:
                        narrow(self._rel(backward, me) or empty)
                for other, table in (
                    (w.derived_from, "derived_in"),
                    (w.part_of, "wholes_of"),
                    (w.read_into, "reads_into"),
                    (w.shares_node_with, "co_located"),
                ):
                    if other == var:
                        narrow(self._structural(table).get(me, empty))
        return None if found is None else sorted(found)

    def _structural(self, name: str) -> Mapping[str, frozenset[str]]:
        """Indexes of the structural conditions, both ways, built once per compiled model:
        derived_out[src] / derived_in[dst], parts_of[whole] / wholes_of[part],
        read_into[model] (what enters its context) / reads_into[x] (the models x enters),
        co_located[owner] (owners with an asset on one of its nodes)."""
        tables: dict[str, Mapping[str, frozenset[str]]] | None = self.c.caches.get("structural")
        if tables is None:
            st = self.structure

            def index(pairs: object) -> dict[str, frozenset[str]]:
                out: dict[str, set[str]] = {}
                for a, b in pairs:  # type: ignore[attr-defined]
                    out.setdefault(a, set()).add(b)
                return {k: frozenset(v) for k, v in out.items()}

            into: set[tuple[str, str]] = {(dst, src) for src, dst in self.feeds}
            for owner, info in self.info.items():
                into.update((owner, x) for x in info.reads)
            on_node: dict[str, set[str]] = {}
            for owner, nodes in st.owner_nodes.items():
                for n in nodes:
                    on_node.setdefault(n, set()).add(owner)
            tables = {
                "derived_out": index(st.derived),
                "derived_in": index((b, a) for a, b in st.derived),
                "parts_of": index((whole, part) for part, whole in st.parts),
                "wholes_of": index(st.parts),
                "read_into": index(into),
                "reads_into": index((x, m) for m, x in into),
                "co_located": _CoLocated(st.owner_nodes, on_node),
            }
            self.c.caches["structural"] = tables
        return tables[name]

    def _rel(self, relation: str, owner: str) -> set[str] | frozenset[str] | None:
        info = self.info.get(owner)
        if relation == "reads":
            return info.reads if info else None
        if relation == "writes":
            return info.writes if info else None
        if relation == "tools":
            return info.tools if info else None
        if relation == "authorises":
            return info.authorises if info else None
        if relation == "executes":
            if info is None:
                return None
            out: set[str] = set()
            for node in sorted(info.executes_on):
                out |= self.assets_on_node.get(node, set())
            return out
        table = self.reverse.get(relation)
        return table.get(owner, set()) if table is not None else None

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
            k = self.store.add(t, cap, pers, type_pipeline(c, t), how, rule.index, premise_facts)
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
            self.matches.append(Match(rule.index, key, full, prem, tuple(yields), tuple(effects)))

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
