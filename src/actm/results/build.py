"""From the engine's integer facts to the readable, frozen :class:`Result`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Container, Sequence
from dataclasses import replace
from datetime import date
from time import perf_counter

from actm._version import __version__
from actm.engine.analysis import EngineOutput
from actm.engine.compiled import PIPELINES, Compiled
from actm.engine.facts import STRUCTURAL, FactStore, Rule
from actm.engine.matching import Match
from actm.engine.provenance import seeds_in
from actm.engine.scope import Unmet
from actm.engine.severity import LEVELS, Assessment, level_rank
from actm.results.crossings import crossings
from actm.results.details import declared_vulnerabilities, team_titles
from actm.results.graph import system_graph
from actm.results.mitigation import (
    MAX_COUNTERFACTUAL,
    Counterfactual,
    Effects,
    counterfactual,
    differences,
    duplicated,
    inert,
)
from actm.results.model import (
    RESULT_FORMAT_VERSION,
    AssumptionReport,
    Binding,
    CapabilityCell,
    CapabilityRow,
    ChainStep,
    Location,
    LoweredThreat,
    MitigatedThreat,
    OutOfScope,
    Result,
    SeverityInfo,
    SystemSummary,
    Threat,
    TriageInfo,
    UnmatchedTriage,
)
from actm.results.triage import match_triage, settled

__all__ = ["Rerun", "build_result", "build_threats", "fingerprint", "threat_id", "threat_scores"]


def threat_id(attack: str, binding: Sequence[str]) -> str:
    """The stable id of a threat: its attack and bound elements, never positions."""
    return "@".join((attack, *binding))


def fingerprint(ident: str) -> str:
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]


class _Explainer:
    """Turns derivations into chain steps with one-line explanations."""

    def __init__(self, c: Compiled, store: FactStore) -> None:
        self.c = c
        self.store = store
        self.model = c.model
        self.vulns = {v.id: v for v in c.model.vulnerabilities}
        self.assumptions = {a.id: a for a in c.model.assumptions}
        self.relations = {r.id: r for r in c.model.relations}

    def owner_of(self, key: int) -> str:
        f = self.store.decode(key)
        return self.c.asset_owner[self.c.target_asset[f.target]]

    def step(self, index: int, key: int, positions: dict[int, int]) -> ChainStep:
        c = self.c
        rule, via, premises = self.store.derivation(key)
        prem_idx = tuple(positions[p] for p in premises if p in positions)
        rname = Rule(rule).name.lower()
        if key < 0:
            node, vclass = self.store.decode_node(key)
            node_id = c.node_ids[node]
            cls = c.vclass_ids[vclass]
            if rule == Rule.TOOL_EXECUTE:
                text = f"tool {via} runs code on {node_id}: {cls}"
            elif rule == Rule.CREDENTIAL_NODE:
                text = f"{via} opens {node_id}: {cls}"
            else:
                text = f"{node_id}: {cls}"
            return ChainStep(
                index,
                rname,
                node_id,
                None,
                cls,
                False,
                PIPELINES[c.node_pipe[node]],
                _vias(via),
                prem_idx,
                False,
                text,
            )
        f = self.store.decode(key)
        name = c.target_name[f.target]
        cap = c.caps[f.capability]
        pers = " (persistent)" if f.persistent else ""
        text = self._text(Rule(rule), via, premises, name, cap, pers)
        return ChainStep(
            index,
            rname,
            name,
            cap,
            None,
            f.persistent,
            PIPELINES[f.pipeline],
            _vias(via),
            prem_idx,
            rule in STRUCTURAL,
            text,
        )

    def _text(
        self, rule: Rule, via: object, premises: tuple[int, ...], name: str, cap: str, pers: str
    ) -> str:
        c = self.c
        what = f"{cap} on {name}{pers}"
        if rule == Rule.ADVERSARY:
            return f"adversary {via} holds {what}"
        if rule == Rule.PUBLIC_USER:
            return f"{via} holds {what}"
        if rule == Rule.OUTSIDE_CONTENT:
            assert isinstance(via, tuple)
            return f"author of outside content ({via[1]}) holds {what}"
        if rule == Rule.THIRD_PARTY:
            assert isinstance(via, tuple)
            return f"{via[1]} operates {via[2]}: {what}"
        if rule == Rule.ASSUMPTION:
            a = self.assumptions[str(via)]
            status = "justified" if self.c.justified_by.get(a.id) else a.status
            return f"assumption {a.id} ({status}): {a.producer} holds {what}"
        if rule == Rule.ASSUMPTION_SENDS:
            a = self.assumptions[str(via)]
            return f"assumption {a.id}: {name} is sent to {a.producer}: {cap}"
        if rule == Rule.RESIDENCY:
            if not premises:
                v = self.vulns[str(via)]
                return f"{v.node}: {v.vclass} ({v.id}) grants {what}"
            node, _ = self.store.decode_node(premises[0])
            return f"{c.node_ids[node]}: {via} grants {what}"
        if rule == Rule.AI_WEAKNESS:
            v = self.vulns[str(via)]
            return f"{v.id} ({v.vclass}): {what}"
        if rule == Rule.COMPONENT_UP:
            return f"part of the asset: {what}"
        if rule == Rule.COMPONENT_DOWN:
            return f"covers its components: {what}"
        if rule == Rule.DEPENDENCY:
            r = self.relations.get(str(via))
            proc = r.process if r is not None else "derives"
            src = r.source if r is not None else "?"
            return f"{proc} {src} -> {what}"
        if rule == Rule.FEEDS:
            return f"feeds {name}: {cap}{pers}"
        if rule == Rule.FEEDS_BACK:
            r = self.relations.get(str(via))
            if r is None:
                return f"tool {via} returned part of {name} into the context: {cap}"
            into = f"{r.target}.{r.target_component}" if r.target_component else r.target
            return f"what flows into {into} comes from {name}: {cap}"
        if rule == Rule.PART_OF:
            return f"part of {name}: {cap}{pers}"
        if rule == Rule.TOOL_CALL:
            caller = self.owner_of(premises[0]) if premises and premises[0] >= 0 else "?"
            return f"{caller} calls tool {via}: {what}"
        if rule == Rule.TOOL_WRITE:
            return f"tool {via} (write) -> {what}"
        if rule == Rule.TOOL_EXFILTRATE:
            assert isinstance(via, tuple)
            reader, egress = via
            if reader == egress:
                return f"tool {egress} (read, egress) -> {what}"
            return f"tool {reader} (read) and tool {egress} (egress) -> {what}"
        if rule == Rule.TOOL_RESULTS:
            return f"tool {via} returns it into {name}: {cap}"
        if rule == Rule.TOOL_DEFINITION:
            return f"definition of tool {via} enters {name}: {cap}"
        if rule == Rule.CREDENTIAL_TOOL:
            return f"calls tool {via} with its credential: {what}"
        if rule in (Rule.ATTACK, Rule.CONVERSION):
            assert isinstance(via, int)
            attack = c.rules[via].attack
            return f"{attack.id}: {what}"
        return what  # pragma: no cover - every rule is handled above


def _vias(via: object) -> tuple[str, ...]:
    if via is None:
        return ()
    if isinstance(via, tuple):
        return tuple(str(v) for v in via)
    return (str(via),)


def _chain(ex: _Explainer, c: Compiled, keys: Sequence[int]) -> tuple[ChainStep, ...]:
    positions: dict[int, int] = {}
    steps: list[ChainStep] = []
    for k in keys:
        positions[k] = len(steps)
        step = ex.step(len(steps), k, positions)
        if step.rule in ("attack", "conversion"):
            # name the attack, not the rule index
            rule_index = ex.store.derivation(k)[1]
            assert isinstance(rule_index, int)
            step = ChainStep(
                step.index,
                step.rule,
                step.target,
                step.capability,
                step.vulnerability_class,
                step.persistent,
                step.pipeline,
                (c.rules[rule_index].attack.id,),
                step.premises,
                step.structural,
                step.text,
            )
        steps.append(step)
    return tuple(steps)


def _effect_steps(c: Compiled, m: Match, keys: Sequence[int], start: int) -> tuple[ChainStep, ...]:
    """What the attack itself yields, as the last steps of its chain."""
    attack = c.rules[m.rule].attack
    positions = {k: i for i, k in enumerate(keys)}
    premises = tuple(sorted({positions[p] for p in m.premises if p in positions}))
    out: list[ChainStep] = []
    seen: set[tuple[int, int, bool]] = set()
    for t, cap, persistent, pipe in m.effects:
        if (t, cap, persistent) in seen:
            continue
        seen.add((t, cap, persistent))
        name = c.target_name[t]
        pers = " (persistent)" if persistent else ""
        out.append(
            ChainStep(
                start + len(out),
                "attack",
                name,
                c.caps[cap],
                None,
                persistent,
                PIPELINES[pipe],
                (attack.id,),
                premises,
                False,
                f"{attack.id}: {c.caps[cap]} on {name}{pers}",
            )
        )
    return tuple(out)


def chain_text(steps: Sequence[ChainStep]) -> str:
    return " -> ".join(s.text for s in steps if not s.structural)


def _severity_info(a: Assessment) -> SeverityInfo:
    factors = dict(a.factors)
    cap = a.capability or "nothing"
    pers = ""
    if a.cls == "integrity":
        pers = ", persistent" if a.persistent else ", transient"
    explanation = (
        f"{a.criticality} {a.cls} criticality of {a.asset} ({factors['criticality']}) x "
        f"{cap}{pers}{' (by a stronger path than the chain shows)' if a.elsewhere else ''} "
        f"({factors['strength']} x {factors['persistence']}) x "
        f"{a.likelihood} likelihood ({factors['likelihood']}) x 10 = {a.score} -> {a.level}"
    )
    return SeverityInfo(
        a.level,
        a.score,
        a.asset,
        a.cls,
        a.criticality,
        a.capability,
        a.persistent,
        a.likelihood,
        factors,
        explanation,
    )


def _threat(
    out: EngineOutput,
    ex: _Explainer,
    m: Match,
    keys: list[int],
    a: Assessment,
    justified_by: dict[str, list[str]],
) -> Threat:
    c = out.compiled
    store = out.closure.store
    rule = c.rules[m.rule]
    attack = rule.attack
    ident = threat_id(attack.id, m.binding)
    steps = _chain(ex, c, keys) + _effect_steps(c, m, keys, len(keys))
    adversaries: set[str] = set()
    vulns: set[str] = set()
    assumptions: set[str] = set()
    for how, via in seeds_in(store, keys):
        if how in (Rule.ADVERSARY, Rule.PUBLIC_USER):
            adversaries.add(str(via))
        elif how in (Rule.OUTSIDE_CONTENT, Rule.THIRD_PARTY):
            assert isinstance(via, tuple)
            adversaries.add(str(via[0]))
        elif how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
            assumptions.add(str(via))
        else:
            vulns.add(str(via))
    for k in keys:
        if k < 0:
            continue
        code, via, _ = store.derivation(k)
        if code == Rule.AI_WEAKNESS:
            vulns.add(str(via))
    declared = {x.id: x for x in c.model.assumptions}
    unjustified = sorted(
        x for x in assumptions if declared[x].status == "unjustified" and not justified_by.get(x)
    )
    bound_assets: set[str] = set()
    asset_types: set[str] = set()
    for var, owner in zip(attack.variables, m.full_binding, strict=True):
        if not owner:
            continue
        if attack.var_sort.get(var) == "asset":
            bound_assets.add(owner)
            asset_types.add(c.asset_type[c.asset_index[owner]])
    impact_asset = a.asset_id
    for k in keys:
        if k >= 0:
            asset_types.add(c.asset_type[c.target_asset[store.decode(k).target]])
    rule_names = {s.rule for s in steps}
    teams = sorted(
        t.id for t in c.vocab.teams if t.rules & rule_names or t.asset_types & asset_types
    )
    pipelines = sorted({s.pipeline for s in steps})
    return Threat(
        id=ident,
        fingerprint=fingerprint(ident),
        attack=attack.id,
        title=attack.title,
        description=attack.description,
        severity=_severity_info(a),
        assets=tuple(sorted(bound_assets | {impact_asset})),
        bindings=tuple(
            Binding(v, o) for v, o in zip(attack.variables, m.full_binding, strict=True)
        ),
        chain=steps,
        chain_text=chain_text(steps),
        references={k: tuple(v) for k, v in attack.references.items() if v},
        unjustified_assumptions=tuple(unjustified),
        assumptions=tuple(sorted(assumptions)),
        adversaries=tuple(sorted(adversaries)),
        vulnerabilities=tuple(sorted(vulns)),
        pipelines=tuple(pipelines),
        teams=tuple(teams),
        likelihood=attack.likelihood,
        maturity=attack.maturity,
        suggested_controls=attack.controls,
    )


def _matrix(c: Compiled, store: FactStore) -> tuple[CapabilityRow, ...]:
    rows: list[CapabilityRow] = []
    classes = c.vocab.classes
    rank = c.vocab.capability_rank
    for ai, asset_id in enumerate(c.asset_ids):
        best: dict[tuple[int, str], tuple[int, int, int]] = {}
        keys = [k for t in c.whole_targets(ai) for k in store.by_target.get(t, ())]
        for k in keys:
            f = store.decode(k)
            cls = c.cap_class[f.capability]
            cand = (rank[c.caps[f.capability]], 0 if f.persistent else 1, f.capability)
            cur = best.get((f.pipeline, cls))
            if cur is None or cand < cur:
                best[(f.pipeline, cls)] = cand

        def cells(
            pipe: int, best: dict[tuple[int, str], tuple[int, int, int]] = best
        ) -> dict[str, CapabilityCell | None]:
            out: dict[str, CapabilityCell | None] = {}
            for cls in classes:
                b = best.get((pipe, cls))
                out[cls] = None if b is None else CapabilityCell(c.caps[b[2]], b[1] == 0)
            return out

        asset = c.model.asset(asset_id)
        rows.append(CapabilityRow(asset_id, asset.type, asset.model, cells(0), cells(1)))
    rows.sort(key=lambda r: r.asset)
    return tuple(rows)


def _assumption_reports(
    out: EngineOutput, threats_by_index: dict[int, str], justified_by: dict[str, list[str]]
) -> tuple[AssumptionReport, ...]:
    c = out.compiled
    reports = []
    for a in sorted(c.model.assumptions, key=lambda x: x.id):
        outcome = out.assumptions.get(a.id)
        controls = sorted(justified_by.get(a.id, []))
        status = "justified" if controls else a.status
        declared_cap = a.capability or "none"
        tolerance = outcome.tolerance if outcome else None
        exceeds = False
        if tolerance is not None and a.capability is not None:
            if tolerance == "none":
                exceeds = True
            else:
                exceeds = c.vocab.capability_rank[a.capability] < c.vocab.capability_rank[tolerance]
        dependent = sorted(threats_by_index[i] for i in (outcome.dependent if outcome else ()))
        asset = a.asset + (f".{a.component}" if a.component else "")
        reports.append(
            AssumptionReport(
                id=a.id,
                producer=a.producer,
                asset=asset,
                capability=declared_cap,
                status=status,
                declared_status=a.status,
                justification=a.justification,
                justified_by=tuple(controls),
                dependent_threats=tuple(dependent),
                tolerance=tolerance,
                tolerance_severity=outcome.threshold if outcome else "high",
                exceeds_tolerance=exceeds,
            )
        )
    return tuple(reports)


def _out_of_scope(c: Compiled, unmet: Sequence[Unmet]) -> tuple[OutOfScope, ...]:
    out = []
    for u in unmet:
        attack = c.kb.attacks[u.attack]
        out.append(
            OutOfScope(
                attack=u.attack,
                title=attack.title,
                step=u.step,
                requirement=u.requirement,
                reason=u.reason,
                detail=u.detail,
                references={k: tuple(v) for k, v in attack.references.items() if v},
            )
        )
    return tuple(sorted(out, key=lambda o: o.attack))


def _threats(
    out: EngineOutput, only: Container[str] | None = None
) -> tuple[list[Threat], dict[int, str]]:
    """The threats of a run (only those with an id in ``only``, if given), most severe first."""
    c = out.compiled
    ex = _Explainer(c, out.closure.store)
    threats: list[Threat] = []
    ids: dict[int, str] = {}
    for i, (m, keys, a) in enumerate(zip(out.matches, out.proofs, out.assessments, strict=True)):
        if only is not None and threat_id(c.rules[m.rule].attack.id, m.binding) not in only:
            continue
        t = _threat(out, ex, m, keys, a, c.justified_by)
        t = replace(t, locations=_locations(c, t, a.asset_id))
        ids[i] = t.id
        threats.append(t)
    threats.sort(key=lambda t: (-level_rank(t.severity.level), -t.severity.score, t.id))
    return threats, ids


def _locations(c: Compiled, threat: Threat, impact: str) -> tuple[Location, ...]:
    """Where the threat's elements are declared, relative to the root model file's directory."""
    model = c.model
    out: list[Location] = []
    seen: set[str] = set()
    order = [impact, *threat.assets, *(b.element for b in threat.bindings), *threat.vulnerabilities]
    for element in order:
        if element in seen:
            continue
        seen.add(element)
        loc = model.locations.get(element)
        if loc is None:
            continue
        path = loc.path
        if model.root_dir is not None and not path.startswith("<"):
            path = os.path.relpath(os.path.abspath(path), model.root_dir).replace(os.sep, "/")
        out.append(Location(path, loc.line, loc.column, element))
    return tuple(out)


Rerun = Callable[[frozenset[str], Callable[[str, tuple[str, ...]], bool]], EngineOutput]
"""Analyses the model again without the given implemented controls, keeping only the threats
whose attack id and binding the second argument accepts (``run_engine``'s ``select``)."""


def threat_scores(out: EngineOutput) -> dict[str, float]:
    """Threat id -> severity score for one engine run, without building chains."""
    c = out.compiled
    scores: dict[str, float] = {}
    for m, a in zip(out.matches, out.assessments, strict=True):
        tid = threat_id(c.rules[m.rule].attack.id, m.binding)
        scores[tid] = max(a.score, scores.get(tid, -1.0))
    return scores


def _scores(threats: Sequence[Threat]) -> dict[str, float]:
    out: dict[str, float] = {}
    for t in threats:
        out[t.id] = max(t.severity.score, out.get(t.id, -1.0))
    return out


def _credit(
    necessary: frozenset[str],
    jointly: frozenset[str],
    effects: dict[str, list[str]],
    mode: str,
    removed: bool,
) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(controls credited, reasons, attribution) for one removed or lowered threat."""
    touch = tuple(effects)
    touch_reasons = tuple(r for ctl in touch for r in effects[ctl])
    if mode == "touch":
        return touch, touch_reasons, "touch"
    back = "the threat is back" if removed else "its severity is higher"
    if necessary:
        ctls = tuple(sorted(necessary))
        reasons = [
            r
            for ctl in ctls
            for r in effects.get(ctl, [f"{ctl}: without it {back} (by a path the chain omits)"])
        ]
        if len(ctls) > 1:
            reasons.append(
                f"{ctls[0]} together with {', '.join(ctls[1:])}: without any one of them {back}"
            )
        return ctls, tuple(reasons), "counterfactual"
    undo = "does not bring it back" if removed else "does not raise it"
    group = tuple(sorted(jointly))
    ctls = touch or group
    if len(ctls) > 1:
        note = f"redundant: any of {', '.join(ctls)} (removing one alone {undo})"
    else:
        note = f"redundant: removing any one control alone {undo}"
    if group and group != ctls:
        note += f"; without {', '.join(group)} together {back}"
    return ctls, (*touch_reasons, note), "redundant"


def _controls_view(
    residual: Compiled, kept: list[Threat], inherent_run: EngineOutput, rerun: Rerun | None
) -> tuple[tuple[MitigatedThreat, ...], tuple[LoweredThreat, ...], tuple[str, ...], str, int]:
    """The inherent and residual views side by side: threats removed, threats lowered, the
    implemented controls with no effect, the attribution mode and the engine runs it took."""
    implemented = [ctl for ctl in residual.model.controls if ctl.status == "implemented"]
    if not implemented:
        return (), (), (), "none", 0
    diff = differences(_scores(kept), threat_scores(inherent_run))
    inherent = _threats(inherent_run, diff)[0]  # chains only for what the controls change
    by_id = {t.id: t for t in inherent}
    kept_by_id = {t.id: t for t in kept}
    index = Effects(residual)
    effects = {tid: index.on(by_id[tid]) for tid in diff}
    mode = "counterfactual" if rerun and len(implemented) <= MAX_COUNTERFACTUAL else "touch"
    found = Counterfactual({}, {}, 0)
    if mode == "counterfactual" and diff:
        assert rerun is not None
        touching = {ctl for tid in diff for ctl in effects[tid]}

        def wanted(attack: str, binding: tuple[str, ...]) -> bool:
            return threat_id(attack, binding) in diff

        found = counterfactual(
            [ctl.id for ctl in implemented],
            diff,
            lambda without: threat_scores(rerun(without, wanted)),
            alone=touching,
            skip=(duplicated(implemented) & touching) | inert(implemented),
        )
    mitigated: list[MitigatedThreat] = []
    lowered: list[LoweredThreat] = []
    effective: set[str] = set()
    for t in inherent:
        if t.id not in diff:
            continue
        removed = t.id not in kept_by_id
        ctls, reasons, how = _credit(
            found.necessary.get(t.id, frozenset()),
            found.jointly.get(t.id, frozenset()),
            effects[t.id],
            mode,
            removed,
        )
        effective |= set(ctls)
        if removed:
            mitigated.append(
                MitigatedThreat(
                    id=t.id,
                    attack=t.attack,
                    title=t.title,
                    severity=t.severity,
                    assets=t.assets,
                    mitigated_by=ctls,
                    reasons=reasons,
                    chain_text=t.chain_text,
                    attribution=how,
                )
            )
        else:
            lowered.append(
                LoweredThreat(
                    id=t.id,
                    attack=t.attack,
                    title=t.title,
                    inherent=t.severity,
                    residual=kept_by_id[t.id].severity,
                    assets=t.assets,
                    lowered_by=ctls,
                    reasons=reasons,
                    attribution=how,
                )
            )
    # justifying an unjustified assumption a threat rests on is an effect too
    declared = {a.id: a.status for a in residual.model.assumptions}
    rests = {a for t in kept for a in t.assumptions if declared.get(a) == "unjustified"}
    effective |= {ctl.id for ctl in implemented if rests.intersection(ctl.justifies)}
    idle = tuple(sorted({ctl.id for ctl in implemented} - effective))
    return tuple(mitigated), tuple(lowered), idle, mode, found.runs


def _apply_triage(
    c: Compiled, threats: list[Threat], today: date
) -> tuple[list[Threat], tuple[UnmatchedTriage, ...]]:
    entries = c.model.triage
    if not entries:
        return threats, ()
    decisions, unused = match_triage([t.id for t in threats], entries, today)
    out = []
    for t in threats:
        d = decisions.get(t.id)
        if d is not None:
            info = TriageInfo(
                pattern=d.pattern,
                status=d.status,
                justification=d.justification,
                owner=d.owner,
                ticket=d.ticket,
                expires=d.expires.isoformat() if d.expires else None,
                expired=d.expired,
                settled=settled(d),
            )
            t = replace(t, triage=info)
        out.append(t)
    unmatched = tuple(
        UnmatchedTriage(
            entries[i].pattern,
            entries[i].status,
            str(loc) if (loc := c.model.locations.get(f"triage[{i}]")) else None,
        )
        for i in unused
    )
    return out, unmatched


def build_threats(out: EngineOutput, *, today: date | None = None) -> tuple[Threat, ...]:
    """The threats of :func:`build_result`, with their triage, and nothing else (for callers
    such as the planner that run the engine many times and read only the threats)."""
    threats, _ids = _threats(out)
    return tuple(_apply_triage(out.compiled, threats, today or date.today())[0])


def build_result(
    out: EngineOutput,
    inherent: EngineOutput | None = None,
    *,
    today: date | None = None,
    rerun: Rerun | None = None,
) -> Result:
    """Assemble the frozen result of one engine run.

    ``inherent`` is the same model analysed without its controls: threats it has that ``out``
    lacks are reported as mitigated, threats it rates higher as lowered, each with the controls
    credited. ``rerun`` analyses the model without some implemented controls; given, and with at
    most :data:`~actm.results.mitigation.MAX_COUNTERFACTUAL` implemented controls, the credit is
    counterfactual, otherwise by what each control touches. ``today`` decides which triage
    decisions have expired (default: the current date).
    """
    c = out.compiled
    store = out.closure.store
    justified_by = c.justified_by
    threats, ids = _threats(out)
    mitigated: tuple[MitigatedThreat, ...] = ()
    lowered: tuple[LoweredThreat, ...] = ()
    idle: tuple[str, ...] = ()
    attribution = "none"
    timings = dict(out.timings)
    if inherent is not None:
        t0 = perf_counter()
        mitigated, lowered, idle, attribution, runs = _controls_view(c, threats, inherent, rerun)
        timings["counterfactual"] = perf_counter() - t0
        timings["counterfactual_runs"] = float(runs)
    threats, unmatched = _apply_triage(c, threats, today or date.today())
    by_level = dict.fromkeys(reversed(LEVELS), 0)
    for t in threats:
        by_level[t.severity.level] += 1
    summary = {
        "threats": len(threats),
        **{f"severity_{k}": v for k, v in by_level.items()},
        "mitigated": len(mitigated),
        "lowered": len(lowered),
        "controls_without_effect": len(idle),
        "untriaged": sum(1 for t in threats if t.triage is None or not t.triage.settled),
        "triage_unmatched": len(unmatched),
        "out_of_scope": len(out.out_of_scope),
        "unjustified_threats": sum(1 for t in threats if t.unjustified_assumptions),
        "assumptions": len(c.model.assumptions),
        "assumptions_exceeding_tolerance": 0,
        "facts": len(store.keys),
    }
    reports = _assumption_reports(out, ids, justified_by)
    summary["assumptions_exceeding_tolerance"] = sum(1 for r in reports if r.exceeds_tolerance)
    system = c.model.system
    return Result(
        format="actm-result",
        format_version=RESULT_FORMAT_VERSION,
        tool={"name": "actm", "version": __version__},
        system=SystemSummary(system.id, system.name, c.model.files, c.model.summary()),
        summary=summary,
        threats=tuple(threats),
        out_of_scope=_out_of_scope(c, out.out_of_scope),
        capabilities=_matrix(c, store),
        assumptions=reports,
        knowledge={
            "attacks": sum(1 for p in c.kb.attacks.values() if p.kind == "attack"),
            "conversions": sum(1 for p in c.kb.attacks.values() if p.kind == "conversion"),
        },
        timings=timings,
        mitigated=mitigated,
        lowered=lowered,
        controls_without_effect=idle,
        control_attribution=attribution,
        triage_unmatched=unmatched,
        crossings=crossings(c.model),
        graph=system_graph(c.model),
        vulnerabilities=declared_vulnerabilities(c.model),
        team_titles=team_titles(c.vocab),
    )


def explain(out: EngineOutput, target: str, capability: str) -> tuple[ChainStep, ...] | None:
    """The chain behind a capability on ``target`` (an asset or ``asset.component`` id).

    Returns the chain of the first fact found (a shortest derivation) that gives ``capability``
    or a stronger capability of its class, or None if the adversary does not reach it.
    """
    c = out.compiled
    store = out.closure.store
    try:
        t = c.target_name.index(target)
        cap = c.cap_index[capability]
    except (ValueError, KeyError):
        return None
    key = store.holds(t, c.stronger_mask[cap], False)
    if key < 0:
        return None
    from actm.engine.provenance import proof

    return _chain(_Explainer(c, store), c, proof(store, [key]))
