"""Why an attack is out of scope: the first requirement nothing grants (METHOD.md section 5)."""

from __future__ import annotations

from dataclasses import dataclass

from actm.engine.closure import Closure
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
    return "; ".join(
        f"{cond.name.replace('_', ' ')}: {cond.describe(value)}" for cond, value in req.where.static
    )


def _first_unmet(cl: Closure, pattern: AttackPattern) -> Unmet:
    c = cl.c
    matcher = cl.matcher
    store = cl.store
    for step in pattern.steps:
        for req in step.requires:
            mask = c.stronger_mask[c.cap_index[req.capability]] if req.capability else 0
            comps = req.components if req.components is not None else (None,)
            exists = fits = granted_elsewhere = False
            reached_on = ""
            met = False
            for at in req.asset_types:
                for comp in comps:
                    tc = c.type_comp_id.get((at, comp))
                    if tc is None:
                        continue
                    for t in c.targets_by_type_comp.get(tc, ()):
                        if req.whole and c.is_partial[t]:
                            continue
                        exists = True
                        owner = c.asset_owner[c.target_asset[t]]
                        ok = matcher.static_ok(req.where, owner, c.target_asset[t])
                        fits = fits or ok
                        if req.capability is None:
                            met = met or ok
                            continue
                        k = store.holds(t, mask, req.persistent, matcher.pipe_of(req))
                        if k < 0:
                            continue
                        if ok:
                            met = True
                        elif not granted_elsewhere:
                            granted_elsewhere, reached_on = True, owner
                        if met:
                            break
                    if met:
                        break
                if met:
                    break
            if met:
                continue
            what = "/".join(req.asset_types) + (
                "." + "/".join(req.components) if req.components else ""
            )
            conditions = _conditions(req)
            if not exists:
                return Unmet(
                    pattern.id,
                    step.id,
                    _describe(req),
                    "no_asset",
                    f"the model has no {what} asset",
                )
            if granted_elsewhere:
                return Unmet(
                    pattern.id,
                    step.id,
                    _describe(req),
                    "conditions_not_met",
                    f"{_describe(req)} is reached on {reached_on}, which does not meet the "
                    f"pattern's conditions ({conditions})",
                )
            if not fits:
                return Unmet(
                    pattern.id,
                    step.id,
                    _describe(req),
                    "no_asset",
                    f"no {what} asset meets the pattern's conditions ({conditions})",
                )
            return Unmet(
                pattern.id,
                step.id,
                _describe(req),
                "not_granted",
                f"nothing evidenced or assumed grants {_describe(req)}",
            )
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
