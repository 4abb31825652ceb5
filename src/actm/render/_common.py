"""Wording and machinery shared by the renderers."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from rich.console import Console

from actm.errors import one_line
from actm.results.model import (
    CapabilityRow,
    RecordedThreat,
    Result,
    Threat,
    TriageInfo,
    UnmatchedTriage,
)
from actm.terms import LEVELS, level_rank

__all__ = [
    "LEVELS",
    "by_team",
    "count",
    "hypothetical_note",
    "reached_capabilities",
    "recorded_facts",
    "severity_arrow",
    "template_env",
    "triage_status",
    "triage_text",
    "untriaged",
]


def hypothetical_note(threat: Threat) -> str:
    """'Hypothetical: it needs a weakness a hypothesis posits (hypothesis:<rule>@<node>).' for
    a threat that needs one (with the ids its vulnerabilities name, when they name any);
    '' for the others."""
    if not threat.hypothetical:
        return ""
    posited = f" ({', '.join(threat.posited)})" if threat.posited else ""
    return f"Hypothetical: it needs a weakness a hypothesis posits{posited}."


def recorded_facts(threat: RecordedThreat) -> str:
    """What a recorded threat's record says besides its title, in words: ``Tampering; severity
    high; open; on db; threat-dragon id 1f0e...``."""
    facts = [
        threat.category,
        threat.severity and f"severity {threat.severity}",
        threat.status.replace("_", " "),
        threat.on and f"on {threat.on}",
        threat.derived and f"actm threat {threat.derived}",
        threat.origin and f"{threat.origin[0]} id {threat.origin[1]}",
    ]
    return "; ".join(f for f in facts if f)


def by_team(result: Result) -> dict[str, list[Threat]]:
    """The threats of each team view (a threat can be in several), every team of the
    vocabulary first, in its order (``Result.team_titles``)."""
    teams: dict[str, list[Threat]] = {t: [] for t in result.team_titles}
    for threat in result.threats:
        for team in threat.teams:
            teams.setdefault(team, []).append(threat)
    return teams


def triage_status(info: TriageInfo) -> str:
    """The decision's status in words: 'accepted', 'false positive', 'EXPIRED accepted'."""
    status = info.status.replace("_", " ")
    return f"EXPIRED {status}" if info.expired else status


def triage_text(info: TriageInfo) -> str:
    """One line for a triage decision, e.g. 'accepted by alice until 2026-12-31: why'.

    An expired decision says so first: it no longer holds and the threat counts as open.
    """
    head = info.status.replace("_", " ")
    if info.owner:
        head += f" by {info.owner}"
    if info.expires:
        head += f" {'expired' if info.expired else 'until'} {info.expires}"
    if info.ticket:
        head += f" ({info.ticket})"
    if info.expired:
        head = f"EXPIRED, counts as open: {head}"
    return f"{head}: {info.justification}"


def unmatched_text(u: UnmatchedTriage) -> str:
    """A triage entry that matches no threat: its pattern, status, place and the closest id."""
    where = f" ({u.location})" if u.location else ""
    near = f"; did you mean {u.did_you_mean!r}?" if u.did_you_mean else ""
    return one_line(f"{u.pattern}: {u.status.replace('_', ' ')}{where}{near}")


def template_env(*, autoescape: bool, filters: dict[str, Callable[..., Any]]) -> Environment:
    """A Jinja environment over ``render/templates``: undefined names are errors, block tags
    leave no blank lines; ``autoescape`` for HTML templates."""
    env = Environment(
        loader=PackageLoader("actm.render", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters)
    return env


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 tool', '3 tools'."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def reached_capabilities(result: Result) -> list[CapabilityRow]:
    """The rows of the capability matrix where some capability reaches the asset."""
    return [
        row
        for row in result.capabilities
        if any(v is not None for v in (*row.development.values(), *row.deployment.values()))
    ]


def severity_arrow(old_level: str, new_level: str, old_score: float, new_score: float) -> str:
    """'↑' when the threat got worse, '↓' when it got better, '=' otherwise."""
    old = (level_rank(old_level), old_score)
    new = (level_rank(new_level), new_score)
    return "↑" if new > old else "↓" if new < old else "="


def untriaged(result: Result) -> int:
    """Threats without a settled triage decision, for the summary: 0 (not shown) when the model
    makes no triage decisions at all, where every threat is untriaged and saying so is noise."""
    uses_triage = bool(result.triage_unmatched) or any(t.triage for t in result.threats)
    return result.summary.get("untriaged", 0) if uses_triage else 0


def console(buf: io.StringIO, *, width: int, color: bool) -> Console:
    """A rich console writing to ``buf``: fixed width, no soft wrap, colour only when asked,
    so that the same result always gives the same bytes; no markup or emoji codes, so that a
    string printed is shown as it is. Text printed with colour must be made visible first
    (:func:`actm.io.visible.visible`): the renderer's output keeps colour sequences."""
    return Console(
        file=buf,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=False,
        markup=False,  # a string printed is never read as [style] markup
        emoji=False,  # nor :name: as an emoji
    )
