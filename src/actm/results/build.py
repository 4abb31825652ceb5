"""From the engine's decoded runs to the readable, frozen :class:`Result`.

The engine hands over readable values (:mod:`actm.engine.output`, :mod:`actm.engine.runs`);
this module only assembles them: threat records with their team views and locations, sorted by
severity, the capability matrix, the assumption and out-of-scope reports, the credit of each
control, triage and the summary.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import replace
from datetime import date

from actm._version import __version__
from actm.engine.chain import chain_text
from actm.engine.output import Assessment, Finding, Readout, threat_id
from actm.engine.runs import Analysis, ControlRuns
from actm.engine.verdict import DROPS
from actm.model.system import SystemModel
from actm.results.causes import root_cause_groups
from actm.results.crossings import crossings
from actm.results.details import declared_vulnerabilities, element_details, team_titles
from actm.results.graph import system_graph
from actm.results.mitigation import Effects, duplicated, inert
from actm.results.model import (
    RESULT_FORMAT_VERSION,
    AcceptedRisk,
    AssumptionReport,
    Binding,
    CapabilityCell,
    CapabilityRow,
    DroppedThreat,
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
from actm.results.triage import closest_threats, match_triage, settled
from actm.terms import LEVELS, level_rank

__all__ = ["build_result", "build_threats", "chain_text", "fingerprint", "screen", "threat_id"]


def fingerprint(ident: str) -> str:
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]


def _severity_info(a: Assessment, f: Finding | None = None) -> SeverityInfo:
    factors = dict(a.factors)
    cap = a.capability or "nothing"
    pers = ""
    if a.cls == "integrity":
        pers = ", persistent" if a.persistent else ", transient"
    explanation = (
        f"{a.criticality} {a.cls} criticality of {a.asset} ({factors['criticality']}) x "
        f"{cap}{pers}{' (by a stronger path than the chain shows)' if a.elsewhere else ''} "
        f"({factors['strength']} x {factors['persistence']}) x "
        f"likelihood {_likelihood_text(a, factors, f)} x 10 = {a.score} -> {a.level}"
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


def _likelihood_text(a: Assessment, factors: dict[str, float], f: Finding | None) -> str:
    """The likelihood part of the explanation: the pattern's, then each route factor that is
    not 1 with what it stands for."""
    parts = [f"{a.likelihood} {factors['likelihood']}"]
    if a.accepted:
        why = ", ".join(f.accepted_by) if f is not None and f.accepted_by else "justified"
        parts.append(f"accepted risk (rests on {why}) 0")
    elif factors.get("path", 1.0) != 1.0:
        route = f.routes[0] if f is not None and f.routes else None
        where = f"{route.reach} reach, " if route is not None else ""
        parts.append(f"route ({where}approvals, hypotheses) {factors['path']}")
    if factors.get("assumptions", 1.0) != 1.0 and f is not None:
        parts.append(f"needs {', '.join(f.unjustified)} (unjustified) {factors['assumptions']}")
    if factors.get("length", 1.0) != 1.0 and f is not None:
        if f.cooperation:
            parts.append(f"needs {' and '.join(f.cooperation)} together {factors['length']}")
        else:
            steps = min((r.steps for r in f.routes if not r.accepted), default=0)
            parts.append(f"{steps} steps {factors['length']}")
    if len(parts) == 1:
        return parts[0]
    return "(" + " x ".join(parts) + ")"


class _Threats:
    """Turns the decoded threats of one run into :class:`Threat` records."""

    def __init__(self, run: Readout) -> None:
        self.run = run
        self.teams = run.kb.vocabulary.teams
        justified = {a for a, controls in run.justified_by.items() if controls}
        self.unjustified = {
            a.id for a in run.model.assumptions if a.status == "unjustified"
        } - justified
        """Assumptions declared unjustified that no implemented control justifies."""
        self._shown: dict[str, str] = {}
        self._located: dict[str, Location | None] = {}
        """Element -> where it is declared (elements recur across threats: worked out once)."""
        self._bindings: dict[tuple[str, str], Binding] = {}
        # many threats share their rules, asset types and citations: each worked out once
        # (the references' mapping is shared by those threats; nothing changes it)
        self._teams: dict[tuple[frozenset[str], frozenset[str]], tuple[str, ...]] = {}
        self._references: dict[tuple[str, tuple[int, ...]], dict[str, tuple[str, ...]]] = {}

    def threat(self, f: Finding) -> Threat:
        attack = f.pattern
        steps = f.chain
        rules = frozenset(s.rule for s in steps)
        teams = self._teams.get((rules, f.asset_types))
        if teams is None:
            teams = self._teams[(rules, f.asset_types)] = tuple(
                sorted(t.id for t in self.teams if t.rules & rules or t.asset_types & f.asset_types)
            )
        references = self._references.get((attack.id, f.cited))
        if references is None:
            references = self._references[(attack.id, f.cited)] = attack.cited(f.cited)
        threat = Threat(
            id=f.id,
            fingerprint=fingerprint(f.id),
            attack=attack.id,
            title=attack.title,
            description=attack.description,
            severity=_severity_info(f.severity, f),
            assets=f.assets,
            bindings=tuple(self._binding(b) for b in f.bindings),
            chain=steps,
            chain_text=chain_text(steps),
            references=references,
            unjustified_assumptions=self.unjustified_of(f),
            assumptions=f.assumptions,
            adversaries=f.adversaries,
            vulnerabilities=f.vulnerabilities,
            pipelines=tuple(sorted({s.pipeline for s in steps})),
            teams=teams,
            likelihood=attack.likelihood,
            maturity=attack.maturity,
            suggested_controls=attack.controls,
            locations=self._locations(f),
            routes=f.routes,
            cooperation=f.cooperation,
            rests_on=f.rests_on,
            accepted=self.accepted(f),
            root_cause=f.root_cause,
            enables=f.enables,
            enabled_by=f.enabled_by,
            priority=f.priority,
            hypothetical=f.hypothetical,
        )
        return threat

    def _binding(self, b: tuple[str, str]) -> Binding:
        found = self._bindings.get(b)
        if found is None:
            found = self._bindings[b] = Binding(*b)
        return found

    def _locations(self, f: Finding) -> tuple[Location, ...]:
        """Where the threat's elements are declared, relative to the root model file's
        directory (each element's location worked out once: a hub has 40,000 threats)."""
        out: list[Location] = []
        seen: set[str] = set()
        order = [f.severity.asset_id, *f.assets, *(o for _v, o in f.bindings), *f.vulnerabilities]
        for element in order:
            if element in seen:
                continue
            seen.add(element)
            if element in self._located:
                loc = self._located[element]
            else:
                loc = self._located[element] = self._location(element)
            if loc is not None:
                out.append(loc)
        return tuple(out)

    def _location(self, element: str) -> Location | None:
        model = self.run.model
        loc = model.locations.get(element)
        if loc is None:
            return None
        path = self._shown.get(loc.path)
        if path is None:
            path = self._shown[loc.path] = _shown_path(model, loc.path)
        return Location(path, loc.line, loc.column, element)

    def unjustified_of(self, f: Finding) -> tuple[str, ...]:
        """The unjustified assumptions a threat rests on (counterfactually, when the run was
        attributed; else those its chain uses)."""
        if self.run.attribution.computed:
            return f.unjustified
        return tuple(a for a in f.assumptions if a in self.unjustified)

    def accepted(self, f: Finding) -> AcceptedRisk | None:
        if not f.severity.accepted:
            return None
        declared = {a.id: a for a in self.run.model.assumptions}
        why = []
        for aid in f.accepted_by:
            a = declared.get(aid)
            controls = self.run.justified_by.get(aid, ())
            if a is not None and a.justification:
                why.append(a.justification)
            elif controls:
                why.append("justified by " + ", ".join(sorted(controls)))
            else:
                why.append("declared justified")
        return AcceptedRisk(f.accepted_by, tuple(why))

    def all(self) -> list[Threat]:
        """Every threat of the run, most severe first."""
        threats = [self.threat(f) for f in self.run.threats]
        threats.sort(key=lambda t: (-level_rank(t.severity.level), -t.severity.score, t.id))
        return threats


def _shown_path(model: SystemModel, path: str) -> str:
    """A model file's path relative to the root model file's directory."""
    if model.root_dir is not None and not path.startswith("<"):
        return os.path.relpath(os.path.abspath(path), model.root_dir).replace(os.sep, "/")
    return path


def _matrix(run: Readout) -> tuple[CapabilityRow, ...]:
    classes = run.kb.vocabulary.classes
    rows = []
    for r in run.capabilities:
        development: dict[str, CapabilityCell | None] = dict.fromkeys(classes)
        deployment: dict[str, CapabilityCell | None] = dict.fromkeys(classes)
        for cell in r.cells:
            cells = development if cell.pipeline == "development" else deployment
            cells[cell.capability_class] = CapabilityCell(cell.capability, cell.persistent)
        rows.append(CapabilityRow(r.asset, r.type, r.model, development, deployment))
    return tuple(rows)


def _assumption_reports(run: Readout) -> tuple[AssumptionReport, ...]:
    rank = run.kb.vocabulary.capability_rank
    reports = []
    for a in sorted(run.model.assumptions, key=lambda x: x.id):
        outcome = run.assumptions.get(a.id)
        controls = sorted(run.justified_by.get(a.id, ()))
        status = "justified" if controls else a.status
        tolerance = outcome.tolerance if outcome else None
        exceeds = False
        if tolerance is not None and a.capability is not None:
            exceeds = tolerance == "none" or rank[a.capability] < rank[tolerance]
        reports.append(
            AssumptionReport(
                id=a.id,
                producer=a.producer,
                asset=a.asset + (f".{a.component}" if a.component else ""),
                capability=a.capability or "none",
                status=status,
                declared_status=a.status,
                justification=a.justification,
                justified_by=tuple(controls),
                dependent_threats=outcome.dependent if outcome else (),
                tolerance=tolerance,
                tolerance_severity=outcome.threshold if outcome else "high",
                exceeds_tolerance=exceeds,
            )
        )
    return tuple(reports)


def _out_of_scope(run: Readout) -> tuple[OutOfScope, ...]:
    out = []
    for u in run.out_of_scope:
        attack = run.kb.attacks[u.attack]
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


def _effects(
    residual: Readout, inherent: Readout
) -> tuple[list[Threat], dict[str, dict[str, list[str]]]]:
    """The inherent threats the controls change, most severe first, and for each id how each
    implemented control acts on its chain."""
    threats = _Threats(inherent).all()
    by_id = {t.id: t for t in threats}
    index = Effects(residual)
    return threats, {tid: index.on(t) for tid, t in by_id.items()}


def screen(residual: Readout, inherent: Readout) -> tuple[frozenset[str], frozenset[str]]:
    """For :func:`actm.engine.runs.analyse`: the implemented controls to remove one at a time,
    and those whose removal alone changes nothing by construction (not removed alone).

    Removed alone: those acting on the chain shown for an inherent threat the controls change,
    or on the chain of one of its routes (``attribution.elements``): removing such a control
    may bring the threat back by that route. Not removed alone: the inert controls (those
    justifying only assumptions the model declares justified included), and the
    duplicated ones acting on a shown chain (they are credited by touch). A duplicated control
    acting on a route only stays with the controls the bisection removes together, as one
    acting on no route does."""
    implemented = [ctl for ctl in residual.model.controls if ctl.status == "implemented"]
    index = Effects(residual)
    routes = inherent.attribution.elements
    on_chain: set[str] = set()
    on_route: set[str] = set()
    for t in _Threats(inherent).all():
        on_chain.update(index.on(t))
        on_route |= index.acting_on(routes.get(t.id, ()))
    duplicates = duplicated(implemented)
    declared = {a.id for a in residual.model.assumptions if a.status == "justified"}
    skip = (duplicates & on_chain) | inert(implemented, declared)
    return frozenset(on_chain | (on_route - duplicates)), skip


def _controls_view(
    residual: Readout, kept: list[Threat], runs: ControlRuns
) -> tuple[tuple[MitigatedThreat, ...], tuple[LoweredThreat, ...], tuple[str, ...], str]:
    """The inherent and residual views side by side: threats removed, threats lowered, the
    implemented controls with no effect and the attribution mode."""
    implemented = [ctl for ctl in residual.model.controls if ctl.status == "implemented"]
    diff = runs.differences
    inherent, effects = _effects(residual, runs.inherent)
    kept_by_id = {t.id: t for t in kept}
    found = runs.credit
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
            runs.attribution,
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
    return tuple(mitigated), tuple(lowered), idle, runs.attribution


def _apply_triage(
    model: SystemModel, threats: list[Threat], today: date
) -> tuple[list[Threat], tuple[UnmatchedTriage, ...]]:
    entries = model.triage
    if not entries:
        return threats, ()
    ids = [t.id for t in threats]
    decisions, unused = match_triage(ids, entries, today)
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
    closest = closest_threats([entries[i].pattern for i in unused], ids)
    unmatched = tuple(
        UnmatchedTriage(
            entries[i].pattern,
            entries[i].status,
            str(loc) if (loc := model.locations.get(f"triage[{i}]")) else None,
            near,
        )
        for i, near in zip(unused, closest, strict=True)
    )
    return out, unmatched


def build_threats(run: Readout, *, today: date | None = None) -> tuple[Threat, ...]:
    """The threats of :func:`build_result`, with their triage, and nothing else (for callers
    such as the planner that run the engine many times and read only the threats)."""
    threats = _Threats(run).all()
    return tuple(_apply_triage(run.model, threats, today or date.today())[0])


def _settled(t: Threat) -> bool:
    return t.triage is not None and t.triage.settled


def build_result(analysis: Analysis, *, today: date | None = None) -> Result:
    """Assemble the frozen result of an analysis (:func:`actm.engine.runs.analyse`).

    With the controls' runs, threats the inherent view has that the residual one lacks are
    reported as mitigated, threats it rates higher as lowered, each with the controls credited
    (counterfactually, or by what each control touches above
    :data:`~actm.engine.runs.MAX_COUNTERFACTUAL` implemented controls). ``today`` decides which
    triage decisions have expired (default: the current date).
    """
    run = analysis.residual
    model = run.model
    residual = _Threats(run).all()
    threats, unmatched = _apply_triage(model, residual, today or date.today())
    # what needs no credit first: the reruns that credit the controls may still be running
    # (engine/runs.py starts them in worker processes)
    reports = _assumption_reports(run)
    out_of_scope = _out_of_scope(run)
    matrix = _matrix(run)
    causes = root_cause_groups(threats)
    graph = system_graph(model)
    details = element_details(model)
    mitigated: tuple[MitigatedThreat, ...] = ()
    lowered: tuple[LoweredThreat, ...] = ()
    idle: tuple[str, ...] = ()
    attribution = "none"
    if analysis.controls is not None:
        mitigated, lowered, idle, attribution = _controls_view(run, residual, analysis.controls)
    by_level = dict.fromkeys(reversed(LEVELS), 0)
    for t in threats:
        by_level[t.severity.level] += 1
    dropped = Counter(rule for _tid, rule in run.dropped)
    summary = {
        "threats": len(threats),
        **{f"severity_{k}": v for k, v in by_level.items()},
        "accepted": sum(1 for t in threats if t.accepted is not None),
        "cooperation": sum(1 for t in threats if t.cooperation),
        "mitigated": len(mitigated),
        "lowered": len(lowered),
        "controls_without_effect": len(idle),
        "untriaged": sum(1 for t in threats if t.accepted is None and not _settled(t)),
        "triage_unmatched": len(unmatched),
        "out_of_scope": len(run.out_of_scope),
        "unjustified_threats": sum(1 for t in threats if t.unjustified_assumptions),
        "assumptions": len(model.assumptions),
        "assumptions_exceeding_tolerance": sum(1 for r in reports if r.exceeds_tolerance),
        **{rule: dropped.get(rule, 0) for rule in DROPS},
        "hypothetical": sum(1 for t in threats if t.hypothetical),
        "facts": run.facts,
    }
    return Result(
        format="actm-result",
        format_version=RESULT_FORMAT_VERSION,
        tool={"name": "actm", "version": __version__},
        system=SystemSummary(model.system.id, model.system.name, model.files, model.summary()),
        summary=summary,
        threats=tuple(threats),
        out_of_scope=out_of_scope,
        capabilities=matrix,
        assumptions=reports,
        knowledge={
            "attacks": sum(1 for p in run.kb.attacks.values() if p.kind == "attack"),
            "conversions": sum(1 for p in run.kb.attacks.values() if p.kind == "conversion"),
        },
        timings=dict(analysis.timings),
        mitigated=mitigated,
        lowered=lowered,
        controls_without_effect=idle,
        control_attribution=attribution,
        triage_unmatched=unmatched,
        root_causes=causes,
        dropped=tuple(DroppedThreat(tid, rule) for tid, rule in run.dropped),
        assumption_attribution=run.attribution.assumption_attribution,
        route_attribution="reach" if run.attribution.grouped else "entry_point",
        crossings=crossings(model),
        graph=graph,
        vulnerabilities=declared_vulnerabilities(model),
        team_titles=team_titles(run.kb.vocabulary),
        details=details,
        recorded_threats=model.recorded_threats,
    )
