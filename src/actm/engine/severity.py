"""Severity of a threat: a documented function of what it hits, how badly, and by what route.

``score = 10 x criticality x strength x persistence x likelihood'``, rounded to one decimal and
banded (docs/severity.md), with
``likelihood' = min(1, likelihood x path x assumptions x length)``. Every factor is data in
``vocabulary/severity.yaml``:

* criticality: the impacted asset's criticality for the class the attack hits;
* strength: the strongest capability of that class the threat reaches on that asset;
* persistence: for integrity, whether that change persists;
* likelihood: the attack pattern's likelihood;
* path: how likely the most likely route is (engine/costs.py: reach, hypotheses, approvals);
* assumptions: per unjustified assumption the threat needs (does not close without);
* length: of the shortest chain of one entry point (a threat that needs several entry points
  together gets the floor).

Each route factor says what the threat *needs*: a more realistic route, a chain without the
assumption, a shorter chain of some entry point would each give a higher factor. Adding a
control only takes derivations away, so none of them can rise: a control never raises a score.

A threat whose most likely route needs a justified assumption is accepted risk: path 0, score
0, level info. A threat that breaks only the confidentiality of an asset whose confidentiality
does not matter (criticality ``none``, or a public asset) is *moot*: not reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from actm.engine.compiled import Compiled
from actm.engine.costs import ACCEPTED, factor
from actm.engine.facts import FactStore
from actm.engine.matching import Match
from actm.knowledge.vocabulary import Severity
from actm.records import quick_init
from actm.terms import LEVELS, level_rank

__all__ = ["LEVELS", "Assessment", "Path", "accepted", "assess", "length_factor", "level_rank"]


@dataclass(frozen=True, slots=True)
class Path:
    """What a threat's routes do to its likelihood, beyond the most likely route's cost (which
    the match carries)."""

    steps: int | None = None
    """Steps of the shortest chain of one entry point; None when entry points must cooperate
    (or when the routes were not computed: then length does not count)."""
    cooperation: bool = False
    unjustified: int = 0
    """Unjustified assumptions the threat needs."""


@quick_init
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
    accepted: bool = False
    """Its most likely route needs a justified assumption: accepted risk, level info."""
    moot: bool = False
    """It breaks only a protection of the asset that does not matter (not reported)."""


def length_factor(sev: Severity, steps: int | None, cooperation: bool) -> float:
    """The factor of a threat's shortest single-entry chain of ``steps`` steps: 1 up to the
    free steps, then per step down to the floor; the floor when it needs cooperation."""
    free, per_step, floor = sev.length
    if cooperation:
        return floor
    if steps is None or steps <= free:
        return 1.0
    return max(floor, per_step ** (steps - free))


def accepted(match: Match) -> bool:
    """Whether the threat's most likely route needs a justified assumption (accepted risk)."""
    return match.cost >= ACCEPTED


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


def assess(
    c: Compiled,
    store: FactStore,
    match: Match,
    proof_keys: Iterable[int],
    path: Path | None = None,
    *,
    route: bool = True,
) -> Assessment:
    """The threat's severity: the worst over the classes its attack breaks that matter for the
    impacted asset. Without ``path``, only the most likely route's cost counts of the route
    (what the control reruns compare); with ``route`` false, not even that: the impact alone
    (what the tolerance search rates, whoever would exploit the supplier's capability)."""
    impact = c.rules[match.rule].attack.impact
    assert impact is not None
    keys = [k for k in proof_keys if k >= 0]
    a, targets = impact_targets(c, match)
    asset = c.model.asset(c.asset_ids[a])
    sev = c.vocab.severity
    classes = [
        cls
        for cls in impact.classes
        if cls != "confidentiality" or asset.criticality.get(cls, sev.default_criticality) != "none"
    ]
    best: Assessment | None = None
    for cls in classes or impact.classes:
        held = _held(c, store, match, keys, a, targets, cls)
        x = _rate(c, match, a, targets, cls, held, path or Path(), route)
        if best is None or x.score > best.score:
            best = x
    assert best is not None
    if not classes:
        return _replace_moot(best)
    return best


def _replace_moot(a: Assessment) -> Assessment:
    return Assessment(
        a.level,
        a.score,
        a.asset,
        a.asset_id,
        a.cls,
        a.criticality,
        a.capability,
        a.persistent,
        a.likelihood,
        a.factors,
        a.elsewhere,
        a.accepted,
        True,
    )


@dataclass(frozen=True, slots=True)
class _Held:
    """A capability of the impacted class the threat reaches on the impacted asset."""

    cap: int
    persistent: bool
    cost: int
    """Of the cheapest route that closes the threat with it."""
    elsewhere: bool
    """Held by a derivation the shown chain does not go through."""


def _held(
    c: Compiled,
    store: FactStore,
    match: Match,
    proof_keys: list[int],
    a: int,
    targets: list[int],
    cls: str,
) -> list[_Held]:
    """The capabilities of class ``cls`` the threat reaches on the impacted asset.

    What the attack yields there counts (at the cost of the threat's route), and what it
    requires there: each fact on the asset that meets one of those requirements, whichever
    derivation the chain happens to show, at the cost of the route that closes the threat with
    it (its own, or the threat's if that is higher). Intermediate facts of the chain do not
    count: which ones the chain passes through depends on the order facts were found, and
    rating by them would let a control that cuts one path raise the score. Effects and facts
    only shrink, and costs only grow, as controls are added, so this does not."""
    rule = c.rules[match.rule]
    tset = set(targets)
    out = [
        _Held(cap, persistent, match.cost, False)
        for t, cap, persistent, _pipe in match.effects
        if t in tset and c.cap_class[cap] == cls
    ]
    proof_set = set(proof_keys)
    impact = rule.attack.impact
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
                    and c.cap_class[g.capability] == cls
                ):
                    cost = max(store.cost(k), match.cost)
                    out.append(_Held(g.capability, g.persistent, cost, k not in proof_set))
    return out


def _rate(
    c: Compiled,
    match: Match,
    a: int,
    targets: list[int],
    cls: str,
    held: list[_Held],
    path: Path,
    route: bool,
) -> Assessment:
    """The score and level of one class: the best over what the threat holds there, each at
    the cost of its route (the strongest capability first among equal scores)."""
    attack = c.rules[match.rule].attack
    sev = c.vocab.severity
    crit = c.model.asset(c.asset_ids[a]).criticality.get(cls, sev.default_criticality)
    # threats of one attack, class and criticality that hold alike rate alike: rated once
    rates: dict[tuple[object, ...], _Rated] = c.caches.setdefault("severity_rates", {})
    key = (match.rule, cls, crit, match.cost, path, route, *held)
    rated = rates.get(key)
    if rated is None:
        rated = rates[key] = _rated(c, match, cls, crit, held, path, route)
    level, score, best, factors = rated
    return Assessment(
        level=level,
        score=score,
        asset=c.target_name[targets[0]],
        asset_id=c.asset_ids[a],
        cls=cls,
        criticality=crit,
        capability=None if best is None else c.caps[best.cap],
        persistent=best is not None and best.persistent,
        likelihood=attack.likelihood,
        factors=factors,
        elsewhere=best is not None and best.elsewhere,
        accepted=route and accepted(match),
    )


_Rated = tuple[str, float, "_Held | None", tuple[tuple[str, float], ...]]
"""A class's level, score, the capability held that rates it, and the factors."""


def _rated(
    c: Compiled,
    match: Match,
    cls: str,
    crit: str,
    held: list[_Held],
    path: Path,
    route: bool,
) -> _Rated:
    attack = c.rules[match.rule].attack
    sev = c.vocab.severity
    rank = c.vocab.capability_rank
    crit_f = sev.criticality.get(crit, 0.5)
    lik_f = sev.likelihood.get(attack.likelihood, 1.0)
    assumptions_f = round(sev.assumptions**path.unjustified, 4)
    length_f = round(length_factor(sev, path.steps, path.cooperation), 4)

    def rated(h: _Held | None) -> tuple[float, tuple[tuple[str, float], ...]]:
        strength = 0.0 if h is None else sev.strength.get(c.caps[h.cap], 0.0)
        pers_f = _persistence(sev, cls, h)
        path_f = round(factor(match.cost if h is None else h.cost), 4) if route else 1.0
        likelihood = min(1.0, lik_f * path_f * assumptions_f * length_f)
        score = round(10.0 * crit_f * strength * pers_f * likelihood + 1e-9, 1)
        factors = (
            ("criticality", crit_f),
            ("strength", strength),
            ("persistence", pers_f),
            ("likelihood", lik_f),
            ("path", path_f),
            ("assumptions", assumptions_f),
            ("length", length_f),
        )
        return score, factors

    def strength_order(h: _Held) -> tuple[int, int, int]:
        return (-rank[c.caps[h.cap]], 0 if h.persistent else -1, -h.cap)

    best: _Held | None = None
    score, factors = rated(None)
    for h in held:
        x, f = rated(h)
        if best is None or (x, strength_order(h)) > (score, strength_order(best)):
            best, score, factors = h, x, f
    level = "info"
    for name, bound in sev.bands:
        if score >= bound:
            level = name
            break
    return level, score, best, factors


def _persistence(sev: Severity, cls: str, h: _Held | None) -> float:
    if cls != "integrity":
        return 1.0
    return sev.persistence.get("persistent" if h is not None and h.persistent else "transient", 1.0)
