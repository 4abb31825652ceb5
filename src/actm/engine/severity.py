"""Severity of a threat: a documented function of what it hits and how badly.

``score = 10 x criticality x strength x persistence x likelihood``, rounded to one decimal and
banded (docs/severity.md). Every factor is data in ``vocabulary/severity.yaml``:

* criticality: the impacted asset's criticality for the class the attack hits;
* strength: the strongest capability of that class the threat reaches on that asset;
* persistence: for integrity, whether that change persists;
* likelihood: the attack pattern's likelihood.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from actm.engine.compiled import Compiled
from actm.engine.facts import FactStore
from actm.engine.matching import Match
from actm.terms import LEVELS, level_rank

__all__ = ["LEVELS", "Assessment", "assess", "level_rank"]


@dataclass(frozen=True, slots=True)
class Assessment:
    level: str
    score: float
    asset: str
    """The impacted asset (or component) id."""
    asset_id: str
    """The impacted asset's id (without component)."""
    cls: str
    criticality: str
    capability: str | None
    persistent: bool
    likelihood: str
    factors: tuple[tuple[str, float], ...]
    elsewhere: bool = False
    """The capability rated is held by another derivation than the one the chain shows."""


def impact_targets(c: Compiled, match: Match) -> tuple[int, list[int]]:
    """The impacted asset and its targets (whole asset, and the component if named)."""
    rule = c.rules[match.rule]
    impact = rule.attack.impact
    assert impact is not None
    binding = dict(zip(rule.attack.variables, match.full_binding, strict=True))
    owner = binding[impact.var]
    if impact.asset_type is None:
        a = c.asset_index[owner]
    else:
        a = c.owner_type_asset[(owner, impact.asset_type)]
    if impact.component is not None:
        ct = c.comp_target.get((a, impact.component))
        if ct is not None:
            return a, [ct, *c.whole_targets(a)]
        return a, list(c.whole_targets(a))
    return a, [*c.whole_targets(a), *c.asset_comp_targets[a]]


def assess(c: Compiled, store: FactStore, match: Match, proof_keys: Iterable[int]) -> Assessment:
    """The threat's severity: the worst over the classes its attack breaks."""
    impact = c.rules[match.rule].attack.impact
    assert impact is not None
    keys = [k for k in proof_keys if k >= 0]
    best: Assessment | None = None
    for cls in impact.classes:
        a = _assess_class(c, store, match, keys, cls)
        if best is None or a.score > best.score:
            best = a
    assert best is not None
    return best


def _assess_class(
    c: Compiled, store: FactStore, match: Match, proof_keys: list[int], cls: str
) -> Assessment:
    rule = c.rules[match.rule]
    attack = rule.attack
    sev = c.vocab.severity
    a, targets = impact_targets(c, match)
    tset = set(targets)
    best: tuple[int, int, int] | None = None  # (rank, not persistent, cap)

    elsewhere = False

    def consider(key: int, other: bool = False) -> None:
        nonlocal best, elsewhere
        f = store.decode(key)
        if f.target not in tset or c.cap_class[f.capability] != cls:
            return
        cand = (
            c.vocab.capability_rank[c.caps[f.capability]],
            0 if f.persistent else 1,
            f.capability,
        )
        if best is None or cand < best:
            best = cand
            elsewhere = other

    for t, cap, persistent, _pipe in match.effects:
        if t in tset and c.cap_class[cap] == cls:
            cand = (c.vocab.capability_rank[c.caps[cap]], 0 if persistent else 1, cap)
            if best is None or cand < best:
                best = cand
    proof_set = set(proof_keys)
    # What the attack requires on the impacted asset counts as well: the strongest fact there
    # that meets one of those requirements, whichever derivation the chain happens to show.
    # Intermediate facts of the chain do not count: which ones the chain passes through depends
    # on the order facts were found, and rating by them would let a control that cuts one path
    # raise the score. Effects and facts only shrink as controls are added, so this does not.
    impact = attack.impact
    assert impact is not None
    atype = c.asset_type[a]
    for pos, req in enumerate(rule.requires):
        if req.var != impact.var or req.capability is None or atype not in req.asset_types:
            continue
        mask = rule.masks[pos]
        want_pipe = -1 if req.pipeline is None else (0 if req.pipeline == "development" else 1)
        comps = req.components if req.components is not None else (None,)
        allowed = {c.type_comp_id.get((atype, comp)) for comp in comps}
        for t in targets:
            if c.target_type_comp[t] not in allowed:
                continue
            for k in store.by_target.get(t, ()):
                g = store.decode(k)
                if (
                    (mask >> g.capability) & 1
                    and (g.persistent or not req.persistent)
                    and (want_pipe < 0 or g.pipeline == want_pipe)
                ):
                    consider(k, k not in proof_set)
    asset = c.model.asset(c.asset_ids[a])
    crit = asset.criticality.get(cls, sev.default_criticality)
    crit_f = sev.criticality.get(crit, 0.5)
    if best is None:
        cap_name = None
        strength = 0.0
        persistent = False
    else:
        cap_name = c.caps[best[2]]
        strength = sev.strength.get(cap_name, 0.0)
        persistent = best[1] == 0
    pers_f = 1.0
    if cls == "integrity":
        pers_f = sev.persistence.get("persistent" if persistent else "transient", 1.0)
    lik_f = sev.likelihood.get(attack.likelihood, 1.0)
    score = round(10.0 * crit_f * strength * pers_f * lik_f + 1e-9, 1)
    level = "info"
    for name, bound in sev.bands:
        if score >= bound:
            level = name
            break
    target_name = c.target_name[targets[0]]
    return Assessment(
        level=level,
        score=score,
        asset=target_name,
        asset_id=c.asset_ids[a],
        cls=cls,
        criticality=crit,
        capability=cap_name,
        persistent=persistent,
        likelihood=attack.likelihood,
        factors=(
            ("criticality", crit_f),
            ("strength", strength),
            ("persistence", pers_f),
            ("likelihood", lik_f),
        ),
        elsewhere=elsewhere,
    )
