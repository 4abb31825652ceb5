"""What the report is scored and split by: severity factors and bands (severity.yaml) and the
team views (teams.yaml)."""

from __future__ import annotations

from actm.errors import Diagnostic
from actm.knowledge.rules import ChainWording, build_rules
from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import LEVELS, Severity, Team
from actm.terms import GATES, REACHES

__all__ = ["build_severity", "build_teams", "build_wording"]


def build_severity(b: Builder) -> Severity:
    sev = b.merged
    crit = {k: float(v) for k, (v, _) in sev.table("severity.yaml:criticality").items()}
    strength: dict[str, float] = {}
    for k, (v, origin) in sev.table("severity.yaml:strength").items():
        b.check_cap(k, origin, "severity strength")
        strength[k] = float(v)
    for c in b.capabilities:
        if c not in strength:
            b.missing(f"severity.yaml strength lacks capability {c!r}")
    for lvl in LEVELS:
        if lvl not in crit:
            b.missing(f"severity.yaml criticality lacks {lvl!r}")
    persistence = {k: float(v) for k, (v, _) in sev.table("severity.yaml:persistence").items()}
    likelihood = {k: float(v) for k, (v, _) in sev.table("severity.yaml:likelihood").items()}
    bands_entry = sev.singles.get("severity.yaml:bands")
    bands = tuple((x.severity, x.min) for x in (bands_entry[0] if bands_entry else []) or [])
    default_crit_entry = sev.singles.get("severity.yaml:default_criticality")
    default_crit = str(default_crit_entry[0]) if default_crit_entry else "medium"
    if not bands:
        b.missing("severity.yaml must define bands")
    elif [x[1] for x in bands] != sorted((x[1] for x in bands), reverse=True):
        b.errors.append(
            Diagnostic(
                "bad-bands",
                "severity bands must be listed from highest to lowest",
                bands_entry[1].location() if bands_entry else None,
            )
        )
    reach, hypothetical, approval, assumptions, length = _route(b)
    return Severity(
        crit,
        default_crit,
        strength,
        persistence,
        likelihood,
        bands,
        reach,
        hypothetical,
        approval,
        assumptions,
        length,
    )


def _route(
    b: Builder,
) -> tuple[dict[str, float], float, dict[str, float], float, tuple[int, float, float]]:
    """The factors of the route a threat closes by: reach, hypothesis, approval gates,
    unjustified assumptions and length."""
    sev = b.merged
    reach = {k: float(v) for k, (v, _) in sev.table("severity.yaml:reach").items()}
    approval = {k: float(v) for k, (v, _) in sev.table("severity.yaml:approval").items()}
    for r in REACHES:
        if r not in reach:
            b.missing(f"severity.yaml reach lacks {r!r}")
    for g in GATES:
        if g not in approval:
            b.missing(f"severity.yaml approval lacks {g!r}")
    singles: dict[str, float] = {}
    for name in ("hypothetical", "assumptions", "length.free_steps", "length.per_step"):
        entry = sev.singles.get(f"severity.yaml:{name}")
        if entry is None:
            b.missing(f"severity.yaml must define {name}")
            singles[name] = 1.0
        else:
            singles[name] = float(entry[0])
    floor = sev.singles.get("severity.yaml:length.floor")
    return (
        {r: reach[r] for r in REACHES if r in reach},
        singles["hypothetical"],
        {g: approval[g] for g in GATES if g in approval},
        singles["assumptions"],
        (
            int(singles["length.free_steps"]),
            singles["length.per_step"],
            float(floor[0]) if floor is not None else 0.0,
        ),
    )


def build_wording(b: Builder) -> ChainWording:
    """rules.yaml: each derivation rule's wording and team views."""
    mark = b.merged.singles.get("rules.yaml:persistent_mark")
    wording, errors = build_rules(
        b.merged.values("rules.yaml:rules"),
        mark[0] if mark else None,
        b.merged.table("teams.yaml:teams"),
    )
    b.errors.extend(errors)
    return wording


def build_teams(b: Builder, wording: ChainWording) -> tuple[Team, ...]:
    """teams.yaml: the team views; their rules come from rules.yaml."""
    teams = []
    for tm, origin in b.merged.values("teams.yaml:teams"):
        for t in tm.asset_types:
            b.check_type(t, origin, f"team {tm.id}")
        members = wording.team_rules(tm.id)
        teams.append(Team(tm.id, tm.title, tm.description, members, frozenset(tm.asset_types)))
    return tuple(teams)
