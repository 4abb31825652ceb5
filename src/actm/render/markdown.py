"""Markdown report: summary, threats with chains and triage, threats the controls mitigate,
stale triage, team views, assumptions, capabilities."""

from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import Environment

from actm.render._common import (
    by_team,
    count,
    reached_capabilities,
    recorded_facts,
    template_env,
    triage_status,
    untriaged,
)
from actm.render._findings import asset_groups
from actm.results.model import Result, TriageInfo
from actm.terms import CLASSES, SEVERITIES_WORST_FIRST

__all__ = ["render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")


def md(text: object) -> str:
    """Escape user-supplied text for Markdown (tables included): nothing it holds is markup."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)


def code(text: object) -> str:
    """Inline code span that survives backticks in the text."""
    s = str(text).replace("\n", " ")
    fence = "`"
    while fence in s:
        fence += "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def triage_line(info: TriageInfo) -> str:
    """The decision in Markdown: status, owner, day, ticket and justification (the caller marks
    an expired one)."""
    out = info.status.replace("_", " ")
    if info.owner:
        out += f" by {md(info.owner)}"
    if info.expires:
        out += f" {'expired' if info.expired else 'until'} {info.expires}"
    if info.ticket:
        out += f" ({md(info.ticket)})"
    return f"{out}: {md(info.justification)}"


def triage_badge(info: TriageInfo) -> str:
    """The status for a table cell: '*(accepted)*', or '**(EXPIRED accepted)**'."""
    status = triage_status(info)
    return f"**({status})**" if info.expired else f"*({status})*"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return template_env(
        autoescape=False,
        filters={
            "md": md,
            "code": code,
            "count": count,
            "triage_line": triage_line,
            "triage_badge": triage_badge,
            "recorded_facts": recorded_facts,
        },
    )


def render_markdown(result: Result) -> str:
    reached = reached_capabilities(result)
    text = (
        _env()
        .get_template("report.md.j2")
        .render(
            r=result,
            groups=asset_groups(result.threats),
            untriaged=untriaged(result),
            teams=by_team(result),
            team_titles=result.team_titles,
            reached=reached,
            classes=CLASSES,
            levels=SEVERITIES_WORST_FIRST,
        )
    )
    return re.sub(r"\n{3,}", "\n\n", text)
