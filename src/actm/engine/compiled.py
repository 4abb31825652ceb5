"""The system model and knowledge base compiled into integer-indexed tables for the engine.

Assets and their components become *targets* (small ints); capabilities become ints whose
implication is a bitmask test. Relations, tools, credentials and vulnerabilities become
adjacency lists keyed by target or node, built once, so that the fixpoint only does lookups.
Controls are applied here, each effect of the registry (:mod:`actm.knowledge.effects`) by its
hook in :mod:`actm.engine.controls`: a removed vulnerability, a blocked relation or tool
permission, a switched-off adversary or source, and a broken attack simply do not enter the
tables.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actm.engine.canonical import canonical, kept, memo
from actm.engine.controls import CONTROL_HOOKS, HOOKED, patches_only
from actm.engine.derived import build_derived, tool_deletes
from actm.knowledge.attacks import AttackPattern, KnowledgeBase, Requirement, Yield
from actm.knowledge.effects import EFFECTS
from actm.knowledge.vocabulary import Vocabulary
from actm.model.system import Asset, Control, SystemModel, Tool, Vulnerability

__all__ = ["Compiled", "Rule", "compile_model"]

DEV, DEPLOY = 0, 1


def pipe_index(name: str) -> int:
    return DEV if name == "development" else DEPLOY


@dataclass(frozen=True, slots=True)
class Rule:
    """One attack step as a join: the requirements of steps 1..j and the yields of step j."""

    index: int
    attack: AttackPattern
    step: int
    final: bool
    requires: tuple[Requirement, ...]
    yields: tuple[Yield, ...]
    masks: tuple[int, ...]
    """Per requirement: bitmask of capabilities that satisfy it."""
    blocked_assets: frozenset[str]
    """Owner keys (model or asset ids) a control protects against this attack."""


@dataclass
class Compiled:
    vocab: Vocabulary
    model: SystemModel
    kb: KnowledgeBase
    # capabilities
    caps: tuple[str, ...] = ()
    cap_index: dict[str, int] = field(default_factory=dict)
    cap_class: list[str] = field(default_factory=list)
    implied_mask: list[int] = field(default_factory=list)
    stronger_mask: list[int] = field(default_factory=list)
    integrity: list[bool] = field(default_factory=list)
    # assets and targets
    asset_ids: list[str] = field(default_factory=list)
    asset_index: dict[str, int] = field(default_factory=dict)
    asset_type: list[str] = field(default_factory=list)
    asset_owner: list[str] = field(default_factory=list)
    """Binding key of each asset: its model for AI assets, else itself."""
    asset_persists: list[bool] = field(default_factory=list)
    """Whether writes through a tool persist (the asset is stored somewhere)."""
    target_name: list[str] = field(default_factory=list)
    target_asset: list[int] = field(default_factory=list)
    target_comp: list[str | None] = field(default_factory=list)
    asset_target: list[int] = field(default_factory=list)
    partial_target: list[int] = field(default_factory=list)
    """Per asset: the target for capabilities over *a part* of it (lifted from a component),
    or -1 for assets without components. Such capabilities act like the asset's own everywhere
    except that they do not flow back down to the other components."""
    is_partial: list[bool] = field(default_factory=list)
    comp_target: dict[tuple[int, str], int] = field(default_factory=dict)
    asset_comp_targets: list[list[int]] = field(default_factory=list)
    owner_type_asset: dict[tuple[str, str], int] = field(default_factory=dict)
    type_comp_id: dict[tuple[str, str | None], int] = field(default_factory=dict)
    target_type_comp: list[int] = field(default_factory=list)
    targets_by_type_comp: dict[int, list[int]] = field(default_factory=dict)
    # nodes and vulnerability classes
    node_ids: list[str] = field(default_factory=list)
    node_index: dict[str, int] = field(default_factory=dict)
    node_pipe: list[int] = field(default_factory=list)
    node_assets: list[list[tuple[int, str, bool]]] = field(default_factory=list)
    vclass_ids: list[str] = field(default_factory=list)
    vclass_index: dict[str, int] = field(default_factory=dict)
    # propagation adjacency: target -> [(dest target, persistent, pipeline or -1, relation id)]
    derives_out: dict[int, list[tuple[int, bool, int, str, str]]] = field(default_factory=dict)
    """Source target -> [(dest, persistent, pipeline, relation id, process id)]."""
    feeds_out: dict[int, list[tuple[int, bool, int, str]]] = field(default_factory=dict)
    feeds_back: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    part_of_out: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # agency
    tool_ids: list[str] = field(default_factory=list)
    tool_inputs: list[int] = field(default_factory=list)
    tool_results: list[int] = field(default_factory=list)
    tool_definition: list[int] = field(default_factory=list)
    tool_of_inputs: dict[int, int] = field(default_factory=dict)
    tool_of_results: dict[int, int] = field(default_factory=dict)
    tool_of_definition: dict[int, int] = field(default_factory=dict)
    tool_writes: list[list[tuple[int, bool]]] = field(default_factory=list)
    tool_reads: list[list[int]] = field(default_factory=list)
    tool_exec: list[list[tuple[int, int]]] = field(default_factory=list)
    """(node, vulnerability class) each tool's execution creates."""
    tool_egress: list[bool] = field(default_factory=list)
    tool_gated: list[bool] = field(default_factory=list)
    """A human approves each call: influence on tool calls does not reach the tool."""
    tool_users: list[list[str]] = field(default_factory=list)
    tool_constrained: list[bool] = field(default_factory=list)
    calls_of: dict[int, list[int]] = field(default_factory=dict)
    """Target of a model's outputs.tool_calls -> tools it drives."""
    model_tool_results: dict[str, int] = field(default_factory=dict)
    model_tool_defs: dict[str, int] = field(default_factory=dict)
    model_tools: dict[str, list[int]] = field(default_factory=dict)
    readers_of: dict[int, list[int]] = field(default_factory=dict)
    """Target -> tools that read it."""
    results_back: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """A model's inputs.tool_results target -> (what its tools read, tool id): reading the
    results reads part of what the tools returned."""
    cred_tools: dict[int, list[int]] = field(default_factory=dict)
    """Credential target -> tools whose calls it authorises."""
    cred_nodes: dict[int, list[int]] = field(default_factory=dict)
    cred_grants: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    """Credential target -> (read, write or delete; target) its ``grants`` name."""
    cred_exec: dict[int, list[int]] = field(default_factory=dict)
    """Credential target -> nodes its ``grants`` let it run code on."""
    tool_deletes: list[list[int]] = field(default_factory=list)
    contains_out: dict[int, list[int]] = field(default_factory=dict)
    """Target of an asset (whole or part) -> targets of the assets it ``contains``."""
    package_nodes: dict[int, list[int]] = field(default_factory=dict)
    """Target of a package -> the nodes its code runs on."""
    extra_vulns: dict[str, Vulnerability] = field(default_factory=dict)
    """Weaknesses the engine derives (``authentication: none``) or posits (hypotheses), by id."""
    # conditional AI vulnerability rules: target -> [(cap mask, yields, vuln id)]
    ai_rules: dict[int, list[tuple[int, tuple[tuple[int, int, bool, int], ...], str]]] = field(
        default_factory=dict
    )
    # attack rules
    rules: list[Rule] = field(default_factory=list)
    rule_index: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    """type_comp id -> [(rule index, requirement position)]."""
    broken_attacks: dict[str, list[str]] = field(default_factory=dict)
    """Attack id -> controls that break it everywhere."""
    broken_from: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)
    """Attack id -> (first step broken, owner key or None for everywhere) of the other
    breaks."""
    # controls in force
    in_force: frozenset[str] = frozenset()
    """The implemented controls whose effects these tables hold."""
    removed_vulns: dict[str, str] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)
    """Blocked element -> the control blocking it."""
    justified_by: dict[str, list[str]] = field(default_factory=dict)
    weakened: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Edge (relation id or tool.permission) -> [(strongest capability passing, control)]."""
    approved: dict[str, str] = field(default_factory=dict)
    """Tool -> the control that puts it behind human approval."""
    sandboxed: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)
    """Model asset no longer returned to callers -> the control."""
    narrowed: dict[str, str] = field(default_factory=dict)
    """Credential restricted to what its tools use -> the control."""
    edge_limit: dict[str, int] = field(default_factory=dict)
    """Edge -> index of the strongest capability that passes it (from weakens)."""
    caches: dict[str, Any] = field(default_factory=dict)
    """Structures derived from the tables above, built once and shared by every closure."""
    shared: Compiled | None = None
    """The model compiled with every implemented control in force, without the caches of its
    runs: for that run itself and for a rerun that shares its tables (:func:`compile_model`),
    what no patched vulnerability changes (the seeds but the vulnerabilities') is kept there."""

    def target_of(self, owner: str, asset_type: str, component: str | None) -> int:
        a = self.owner_type_asset.get((owner, asset_type))
        if a is None:
            return -1
        if component is None:
            return self.asset_target[a]
        return self.comp_target.get((a, component), -1)

    def whole_targets(self, asset: int) -> tuple[int, ...]:
        """The asset's own target and, if it has components, its partial target."""
        pt = self.partial_target[asset]
        return (self.asset_target[asset],) if pt < 0 else (self.asset_target[asset], pt)

    def residents(self, node: str) -> tuple[str, ...]:
        """The ids of the assets residing on ``node``, in the model's order, once each."""
        ni = self.node_index.get(node)
        if ni is None:
            return ()
        return tuple(dict.fromkeys(self.asset_ids[ai] for ai, _mode, _w in self.node_assets[ni]))

    def target_of_ref(self, asset_id: str, component: str | None) -> int:
        a = self.asset_index.get(asset_id)
        if a is None:
            return -1
        if component is None:
            return self.asset_target[a]
        return self.comp_target.get((a, component), -1)


def _controls_in_force(
    controls: Sequence[Control], exclude: frozenset[str] = frozenset()
) -> list[Control]:
    return [c for c in controls if c.status == "implemented" and c.id not in exclude]


def _persists(asset: Asset) -> bool:
    if not asset.resides:
        return True
    return any(r.mode == "stored" or (r.mode == "processed" and r.writes) for r in asset.resides)


def compile_model(
    model: SystemModel,
    kb: KnowledgeBase,
    *,
    apply_controls: bool = True,
    exclude_controls: frozenset[str] = frozenset(),
) -> Compiled:
    """Build the engine's tables for ``model``; ``apply_controls=False`` gives the inherent view.

    ``exclude_controls`` leaves those implemented controls out (what the analysis would be
    without them: the counterfactual runs that attribute mitigations); the model is unchanged.
    The tables are built from the model in canonical order (:mod:`actm.engine.canonical`), so
    that what the engine derives does not depend on the order of keys and list entries.
    """
    forced = _controls_in_force(model.controls, exclude_controls) if apply_controls else []
    in_force = frozenset(ctl.id for ctl in forced)
    shared = apply_controls and bool(exclude_controls)
    base: Compiled | None = kept(model, _IN_FORCE, on=kb) if shared else None
    left_out = base.in_force - in_force if base is not None else frozenset()
    if base is not None and in_force < base.in_force and patches_only(model, left_out, _UNCOMPILED):
        return _patched(base, forced)
    c = Compiled(vocab=kb.vocabulary, model=canonical(model), kb=kb)
    _indexed(c)
    # controls in force: each effect changes the tables its hook names, before they are read
    _apply(c, forced)
    _relations(c)
    _tools(c)
    _model_tools(c)
    build_derived(c)
    _ai_rules(c)
    _share_with_parts(c)
    _attack_rules(c)
    if apply_controls and in_force and len(in_force) == len(_controls_in_force(model.controls)):
        # (the tables of every compile of one model and knowledge base are the same)
        c.shared = memo(model, _IN_FORCE, lambda: _stripped(c), on=kb)
    return c


def _apply(c: Compiled, forced: Sequence[Control]) -> None:
    """Record the effects of the controls ``forced`` in the tables of their hooks."""
    c.in_force = frozenset(ctl.id for ctl in forced)
    for ctl in forced:
        for effect in EFFECTS.values():
            values = effect.values(ctl)
            if values:
                CONTROL_HOOKS[effect.name](c, ctl.id, values)


_IN_FORCE = "compiled-controls-in-force"
"""Memo key of the model compiled with every implemented control in force (its
:attr:`Compiled.shared`)."""

_UNCOMPILED = frozenset({"weakens", "justifies"})
"""Control effects only their hooks' tables hold: no table built after the hooks reads them
(the propagation reads the edge limits, the costs and the reader the justifications)."""


def _stripped(c: Compiled) -> Compiled:
    """``c`` without the caches its runs fill."""
    out = copy.copy(c)
    out.caches = {}
    return out


def _patched(base: Compiled, forced: Sequence[Control]) -> Compiled:
    """The model compiled with only the controls ``forced`` in force, when the controls of
    ``base`` left out only remove conventional vulnerabilities or have effects no table but
    their hooks' holds (:data:`_UNCOMPILED`): the tables built after the hooks read a removed
    vulnerability only if it is an AI weakness, so they are those of ``base``; the hooks'
    own tables are recorded again."""
    c = _stripped(base)
    c.shared = base
    for name in HOOKED:
        setattr(c, name, {})
    _apply(c, forced)
    return c


_INDEX_FIELDS = (
    *("caps", "cap_index", "cap_class", "implied_mask", "stronger_mask", "integrity"),
    *("asset_ids", "asset_index", "asset_type", "asset_owner", "asset_persists"),
    *("target_name", "target_asset", "target_comp", "asset_target", "partial_target"),
    *("is_partial", "comp_target", "asset_comp_targets", "owner_type_asset", "type_comp_id"),
    *("target_type_comp", "targets_by_type_comp", "node_ids", "node_index", "node_pipe"),
    *("node_assets", "vclass_ids", "vclass_index"),
)
"""The tables of capabilities, targets and nodes: built before any control applies, so the
same for every run of one model and vocabulary."""


def _indexed(c: Compiled) -> None:
    """Index the capabilities, targets and nodes of ``c``, once per model and vocabulary: the
    runs of one analysis (the counterfactual reruns too) share these tables and never change
    them."""

    def build() -> dict[str, Any]:
        _capabilities(c)
        _targets(c)
        _nodes(c)
        return {name: getattr(c, name) for name in _INDEX_FIELDS}

    for name, value in memo(c.model, "compiled-index", build, on=c.vocab).items():
        setattr(c, name, value)


def _capabilities(c: Compiled) -> None:
    vocab = c.vocab
    c.caps = vocab.capabilities
    c.cap_index = {name: i for i, name in enumerate(c.caps)}
    c.cap_class = [vocab.capability_class[x] for x in c.caps]
    c.integrity = [cl == "integrity" for cl in c.cap_class]
    for name in c.caps:
        c.implied_mask.append(sum(1 << c.cap_index[x] for x in vocab.implied[name]))
    for i in range(len(c.caps)):
        c.stronger_mask.append(
            sum(1 << j for j in range(len(c.caps)) if (c.implied_mask[j] >> i) & 1)
        )


def _targets(c: Compiled) -> None:
    """Assets, and a target for each asset, its part (if it has components) and component."""

    def type_comp(t: str, comp: str | None) -> int:
        key = (t, comp)
        tc = c.type_comp_id.get(key)
        if tc is None:
            tc = len(c.type_comp_id)
            c.type_comp_id[key] = tc
        return tc

    def target(name: str, asset: int, comp: str | None, tc: int, partial: bool) -> int:
        t = len(c.target_name)
        c.target_name.append(name)
        c.target_asset.append(asset)
        c.target_comp.append(comp)
        c.target_type_comp.append(tc)
        c.is_partial.append(partial)
        return t

    for a in c.model.assets:
        ai = len(c.asset_ids)
        c.asset_ids.append(a.id)
        c.asset_index[a.id] = ai
        c.asset_type.append(a.type)
        owner = a.model if a.model is not None else a.id
        c.asset_owner.append(owner)
        c.owner_type_asset[(owner, a.type)] = ai
        c.asset_persists.append(_persists(a))
        c.asset_target.append(target(a.id, ai, None, type_comp(a.type, None), False))
        if a.components:
            c.partial_target.append(target(a.id, ai, None, type_comp(a.type, None), True))
        else:
            c.partial_target.append(-1)
        comps: list[int] = []
        for comp in a.components:
            ct = target(f"{a.id}.{comp}", ai, comp, type_comp(a.type, comp), False)
            c.comp_target[(ai, comp)] = ct
            comps.append(ct)
        c.asset_comp_targets.append(comps)
    for t, tc in enumerate(c.target_type_comp):
        c.targets_by_type_comp.setdefault(tc, []).append(t)


def _nodes(c: Compiled) -> None:
    for n in c.model.nodes:
        c.node_index[n.id] = len(c.node_ids)
        c.node_ids.append(n.id)
        c.node_pipe.append(pipe_index(n.pipeline))
        c.node_assets.append([])
    for a in c.model.assets:
        ai = c.asset_index[a.id]
        for res in a.resides:
            ni = c.node_index.get(res.node)
            if ni is not None:
                c.node_assets[ni].append((ai, res.mode, res.writes))
    c.vclass_ids = sorted(c.vocab.vulnerability_classes)
    c.vclass_index = {v: i for i, v in enumerate(c.vclass_ids)}


def _relations(c: Compiled) -> None:
    tgt = c.target_of_ref
    for rel in c.model.relations:
        if rel.id in c.blocked:
            continue
        src = tgt(rel.source, rel.source_component)
        dst = tgt(rel.target, rel.target_component)
        if src < 0 or dst < 0:
            continue
        if rel.kind == "derives":
            c.derives_out.setdefault(src, []).append(
                (dst, rel.persistent, pipe_index(rel.pipeline), rel.id, rel.process or "")
            )
        elif rel.kind == "feeds":
            c.feeds_out.setdefault(src, []).append(
                (dst, rel.persistent, pipe_index(rel.pipeline), rel.id)
            )
            c.feeds_back.setdefault(dst, []).append((src, rel.id))
        else:
            c.part_of_out.setdefault(src, []).append((dst, rel.id))


def _tools(c: Compiled) -> None:
    identity_of: dict[str, str] = {m.id: m.identity for m in c.model.models if m.identity}
    for ti, tool in enumerate(c.model.tools):
        c.tool_ids.append(tool.id)
        ai = c.asset_index[tool.id]
        t_in = c.comp_target[(ai, "inputs")]
        t_res = c.comp_target[(ai, "results")]
        t_def = c.comp_target[(ai, "definition")]
        c.tool_inputs.append(t_in)
        c.tool_results.append(t_res)
        c.tool_definition.append(t_def)
        c.tool_of_inputs[t_in] = ti
        c.tool_of_results[t_res] = ti
        c.tool_of_definition[t_def] = ti
        _tool_reach(c, ti, tool)
        blocked_tool = tool.id in c.blocked
        c.tool_egress.append(tool.external_egress and f"{tool.id}.egress" not in c.blocked)
        c.tool_gated.append(tool.human_approval or tool.id in c.approved or blocked_tool)
        users = [u for u in tool.users if not blocked_tool]
        c.tool_users.append(users)
        c.tool_constrained.append(tool.constrained)
        for u in users:
            c.model_tools.setdefault(u, []).append(ti)
        creds = {tool.credential} if tool.credential and not blocked_tool else set()
        if not blocked_tool:
            creds |= {identity_of[u] for u in tool.users if u in identity_of}
        for cred in sorted(creds):
            ct = c.target_of_ref(cred, None)
            if ct >= 0:
                c.cred_tools.setdefault(ct, []).append(ti)


def _tool_reach(c: Compiled, ti: int, tool: Tool) -> None:
    """What tool ``ti`` writes, reads and runs code on, for its permissions not blocked."""

    def allowed(perm: str) -> bool:
        return f"{tool.id}.{perm}" not in c.blocked

    writes = []
    if allowed("write"):
        for aid, wcomp in tool.write:
            t = c.target_of_ref(aid, wcomp)
            if t >= 0:
                writes.append((t, c.asset_persists[c.asset_index[aid]]))
    c.tool_writes.append(writes)
    reads = []
    if allowed("read"):
        for aid, rcomp in tool.read:
            t = c.target_of_ref(aid, rcomp)
            if t >= 0:
                reads.append(t)
                c.readers_of.setdefault(t, []).append(ti)
    c.tool_reads.append(reads)
    c.tool_deletes.append(tool_deletes(c, tool))
    execs = []
    if allowed("execute"):
        agency = c.vocab.agency
        sandboxed = tool.sandbox or tool.id in c.sandboxed
        cls = c.vclass_index.get(agency.execute_sandboxed if sandboxed else agency.execute, -1)
        for nid in tool.execute:
            ni = c.node_index.get(nid)
            if ni is not None and cls >= 0:
                execs.append((ni, cls))
    c.tool_exec.append(execs)


def _model_tools(c: Compiled) -> None:
    """Per model, how its tools' results and calls connect to its inputs and outputs; per
    credential, the nodes it opens."""
    tgt = c.target_of_ref
    for m in c.model.models:
        outputs = m.assets.get("outputs")
        inputs = m.assets.get("inputs")
        if inputs is not None:
            rt = tgt(inputs, "tool_results")
            if rt >= 0:
                back = [
                    (x, c.tool_ids[ti])
                    for ti in c.model_tools.get(m.id, ())
                    for x in c.tool_reads[ti]
                ]
                if back:
                    c.results_back[rt] = back
        if outputs is not None:
            t_calls = tgt(outputs, "tool_calls")
            if t_calls >= 0:
                c.calls_of[t_calls] = list(c.model_tools.get(m.id, []))
        if inputs is not None:
            c.model_tool_results[m.id] = tgt(inputs, "tool_results")
            c.model_tool_defs[m.id] = tgt(inputs, "tool_definitions")
    for a in c.model.assets:
        if a.grants_access and a.id not in c.narrowed:
            ct = c.asset_target[c.asset_index[a.id]]
            c.cred_nodes[ct] = [c.node_index[n] for n in a.grants_access if n in c.node_index]


def _ai_rules(c: Compiled) -> None:
    """The conditional grants of the AI vulnerabilities in force."""
    for v in c.model.vulnerabilities:
        if v.kind != "ai" or v.id in c.removed_vulns:
            continue
        vc = c.vocab.vulnerability_classes[v.vclass]
        vowner, self_target = _ai_vuln_owner(c, v.model, v.asset, v.component)
        for vrule in vc.rules:
            if vrule.requires is None:
                continue
            req_t = _rel_target(
                c, vowner, self_target, vrule.requires.asset, vrule.requires.component
            )
            if req_t < 0:
                continue
            ylds = []
            for y in vrule.yields:
                yt = _rel_target(c, vowner, self_target, y.asset, y.component)
                if yt >= 0:
                    ypipe = type_pipeline(c, yt)
                    ylds.append((yt, c.cap_index[y.capability], y.persistent, ypipe))
            if ylds:
                mask = c.stronger_mask[c.cap_index[vrule.requires.capability]]
                c.ai_rules.setdefault(req_t, []).append((mask, tuple(ylds), v.id))


def _share_with_parts(c: Compiled) -> None:
    """What holds for the whole asset as a source holds for a part of it too."""
    for ai in range(len(c.asset_ids)):
        whole, part = c.asset_target[ai], c.partial_target[ai]
        if part < 0:
            continue
        tables: tuple[dict[int, list[Any]], ...] = (
            c.derives_out,
            c.feeds_out,
            c.part_of_out,
            c.readers_of,
            c.cred_tools,
            c.cred_nodes,
            c.ai_rules,
            c.cred_grants,
            c.cred_exec,
            c.contains_out,
        )
        for table in tables:
            if whole in table:
                table[part] = table[whole]


def _attack_rules(c: Compiled) -> None:
    """One rule per attack step not broken everywhere, indexed by what can trigger it."""
    for pattern in c.kb.sorted():
        if pattern.id in c.broken_attacks:
            continue
        reqs: list[Requirement] = []
        for si, step in enumerate(pattern.steps):
            reqs.extend(step.requires)
            cuts = [key for first, key in c.broken_from.get(pattern.id, ()) if first <= si]
            if None in cuts:
                break  # this step and the ones after it are broken everywhere
            masks = tuple(
                c.stronger_mask[c.cap_index[r.capability]] if r.capability is not None else 0
                for r in reqs
            )
            rule = Rule(
                index=len(c.rules),
                attack=pattern,
                step=si,
                final=si == len(pattern.steps) - 1,
                requires=tuple(reqs),
                yields=step.yields,
                masks=masks,
                blocked_assets=frozenset(k for k in cuts if k is not None),
            )
            c.rules.append(rule)
            for pos, req in enumerate(rule.requires):
                if req.capability is None:
                    continue  # structural: never the trigger
                slots: Sequence[str | None] = req.components if req.components else (None,)
                for at in req.asset_types:
                    for slot in slots:
                        tcid = c.type_comp_id.get((at, slot))
                        if tcid is not None:
                            c.rule_index.setdefault(tcid, []).append((rule.index, pos))


def _ai_vuln_owner(
    c: Compiled, model_id: str | None, asset_id: str | None, component: str | None
) -> tuple[str | None, int]:
    if model_id is not None:
        return model_id, -1
    assert asset_id is not None
    ai = c.asset_index[asset_id]
    owner = c.asset_owner[ai]
    t = c.asset_target[ai] if component is None else c.comp_target.get((ai, component), -1)
    return owner, t


def _rel_target(
    c: Compiled, owner: str | None, self_target: int, asset: str, comp: str | None
) -> int:
    if asset == "self":
        if self_target < 0:
            return -1
        if comp is None:
            return self_target
        return c.comp_target.get((c.target_asset[self_target], comp), -1)
    if owner is None:
        return -1
    return c.target_of(owner, asset, comp)


def ai_vuln_seeds(c: Compiled) -> list[tuple[int, int, bool, int, str]]:
    """Unconditional grants of AI vulnerabilities: (target, cap, persistent, pipeline, vuln id)."""
    out = []
    for v in c.model.vulnerabilities:
        if v.kind != "ai" or v.id in c.removed_vulns:
            continue
        vc = c.vocab.vulnerability_classes[v.vclass]
        owner, self_target = _ai_vuln_owner(c, v.model, v.asset, v.component)
        for rule in vc.rules:
            if rule.requires is not None:
                continue
            for y in rule.yields:
                yt = _rel_target(c, owner, self_target, y.asset, y.component)
                if yt >= 0:
                    atype = c.asset_type[c.target_asset[yt]]
                    pipe = pipe_index(c.vocab.asset_types[atype].pipeline)
                    out.append((yt, c.cap_index[y.capability], y.persistent, pipe, v.id))
    return out


def type_pipeline(c: Compiled, target: int) -> int:
    return pipe_index(c.vocab.asset_types[c.asset_type[c.target_asset[target]]].pipeline)


def owners_mapping(c: Compiled) -> Mapping[str, list[int]]:
    """Owner key -> its assets."""
    out: dict[str, list[int]] = {}
    for ai, owner in enumerate(c.asset_owner):
        out.setdefault(owner, []).append(ai)
    return out
