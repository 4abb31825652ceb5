"""Why an attack is out of scope: the first requirement nothing grants (METHOD.md section 5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from actm.engine.closure import Closure
from actm.engine.compiled import Compiled
from actm.knowledge.attacks import AttackPattern, Requirement

__all__ = ["Unmet", "out_of_scope"]


@dataclass(frozen=True, slots=True)
class Unmet:
    attack: str
    step: str | None
    requirement: str | None
    reason: str
    """no_asset, not_granted, conditions_not_met, not_bound_consistently or broken_by_control."""
    detail: str


def _describe(req: Requirement) -> str:
    if req.capability is None:
        what = "/".join(req.asset_types)
        return f"a {what} asset" + (
            " related as the pattern demands" if req.where.relational else ""
        )
    comps = f".{'/'.join(req.components)}" if req.components else ""
    pers = " (persistent)" if req.persistent else ""
    where = f" in the {req.pipeline} pipeline" if req.pipeline else ""
    return f"{req.capability}{pers} on {'/'.join(req.asset_types)}{comps}{where}"


def _conditions(req: Requirement) -> str:
    static = [(cond.name, cond.describe(value)) for cond, value in req.where.static]
    static += [(cond.name, cond.describe(value)) for cond, value in req.where.component]
    return "; ".join(f"{name.replace('_', ' ')}: {text}" for name, text in static)


@dataclass(frozen=True, slots=True)
class _Probe:
    """What the closure holds for one requirement: whether it is met, whether any asset of
    its types exists (``exists``) and meets its static conditions (``fits``), and whether it
    is granted on an asset that does not meet them (``reached_on``, that asset's owner)."""

    met: bool
    exists: bool = False
    fits: bool = False
    granted_elsewhere: bool = False
    reached_on: str = ""


def _targets(c: Compiled, req: Requirement) -> Iterator[int]:
    """The targets (assets and components) of the requirement's asset types and components;
    whole assets only, when it demands them."""
    comps = req.components if req.components is not None else (None,)
    for at in req.asset_types:
        for comp in comps:
            tc = c.type_comp_id.get((at, comp))
            if tc is None:
                continue
            for t in c.targets_by_type_comp.get(tc, ()):
                if not (req.whole and c.is_partial[t]):
                    yield t


def _probe(cl: Closure, req: Requirement) -> _Probe:
    """Look for a target that meets ``req``: one meeting its static conditions, and holding
    its capability (if it names one) in the closure; else, what came closest."""
    c, matcher = cl.c, cl.matcher
    mask = c.stronger_mask[c.cap_index[req.capability]] if req.capability else 0
    exists = fits = granted_elsewhere = False
    reached_on = ""
    for t in _targets(c, req):
        exists = True
        owner = c.asset_owner[c.target_asset[t]]
        ok = matcher.static_ok(req.where, owner, c.target_asset[t]) and (
            matcher.component_ok(req.where, owner, c.target_comp[t])
        )
        fits = fits or ok
        if req.capability is not None:
            if cl.store.holds(t, mask, req.persistent, matcher.pipe_of(req)) < 0:
                continue
            if not ok and not granted_elsewhere:
                granted_elsewhere, reached_on = True, owner
        if ok:
            return _Probe(True)
    return _Probe(False, exists, fits, granted_elsewhere, reached_on)


def _unmet(pattern: AttackPattern, step: str, req: Requirement, probe: _Probe) -> Unmet:
    """Why ``req`` of ``step`` is not met, from what came closest: no asset of its kind, one
    granted but not meeting the conditions, none meeting them, or nothing granting it."""
    what = "/".join(req.asset_types) + ("." + "/".join(req.components) if req.components else "")
    described = _describe(req)
    if not probe.exists:
        return Unmet(pattern.id, step, described, "no_asset", f"the model has no {what} asset")
    conditions = _conditions(req)
    if probe.granted_elsewhere:
        return Unmet(
            pattern.id,
            step,
            described,
            "conditions_not_met",
            f"{described} is reached on {probe.reached_on}, which does not meet the "
            f"pattern's conditions ({conditions})",
        )
    if not probe.fits:
        return Unmet(
            pattern.id,
            step,
            described,
            "no_asset",
            f"no {what} asset meets the pattern's conditions ({conditions})",
        )
    return Unmet(
        pattern.id,
        step,
        described,
        "not_granted",
        f"nothing evidenced or assumed grants {described}",
    )


def _first_unmet(cl: Closure, pattern: AttackPattern) -> Unmet:
    """The first requirement of ``pattern`` that nothing meets; when each is met somewhere,
    the first relational one (else the last), as never bound consistently."""
    for step in pattern.steps:
        for req in step.requires:
            probe = _probe(cl, req)
            if not probe.met:
                return _unmet(pattern, step.id, req, probe)
    first = next(
        ((s, r) for s in pattern.steps for r in s.requires if r.where.relational),
        (pattern.steps[-1], pattern.steps[-1].requires[-1]),
    )
    return Unmet(
        pattern.id,
        first[0].id,
        _describe(first[1]),
        "not_bound_consistently",
        "each requirement is met somewhere, but never on assets bound consistently "
        "(the same model, or related as the pattern demands)",
    )


def out_of_scope(cl: Closure) -> list[Unmet]:
    """One entry per attack pattern (not conversion) that closes nowhere, sorted by id."""
    c = cl.c
    matched = {c.rules[m.rule].attack.id for m in cl.matcher.matches}
    suppressed: dict[str, list[str]] = {}
    for (ri, binding), _prem in cl.matcher.suppressed.items():
        rule = c.rules[ri]
        if rule.final:
            suppressed.setdefault(rule.attack.id, []).append("@".join(binding))
    out: list[Unmet] = []
    for pattern in c.kb.sorted():
        if pattern.kind != "attack" or pattern.id in matched:
            continue
        if pattern.id in c.broken_attacks:
            ctl = ", ".join(sorted(c.broken_attacks[pattern.id]))
            out.append(
                Unmet(
                    pattern.id,
                    None,
                    None,
                    "broken_by_control",
                    f"broken everywhere by control {ctl}",
                )
            )
            continue
        if pattern.id in suppressed:
            where = ", ".join(sorted(suppressed[pattern.id]))
            out.append(
                Unmet(
                    pattern.id,
                    None,
                    None,
                    "broken_by_control",
                    f"would close on {where}, but a control breaks it there",
                )
            )
            continue
        out.append(_first_unmet(cl, pattern))
    return out
