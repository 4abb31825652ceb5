"""Markdown report: summary, threats with chains, team views, assumptions, capabilities."""

from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from actm.results.model import Result, Threat

__all__ = ["render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")

TEAM_TITLES = {
    "infrastructure": "Infrastructure and platform team",
    "ml": "ML engineering team",
    "product": "Product and application team",
}


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


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 tool', '3 tools'."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("actm.render", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["code"] = code
    env.filters["count"] = count
    return env


def _by_team(result: Result) -> dict[str, list[Threat]]:
    teams: dict[str, list[Threat]] = {t: [] for t in TEAM_TITLES}
    for threat in result.threats:
        for team in threat.teams:
            teams.setdefault(team, []).append(threat)
    return teams


def render_markdown(result: Result) -> str:
    reached = [
        row
        for row in result.capabilities
        if any(v is not None for v in (*row.development.values(), *row.deployment.values()))
    ]
    text = (
        _env()
        .get_template("report.md.j2")
        .render(
            r=result,
            teams=_by_team(result),
            team_titles=TEAM_TITLES,
            reached=reached,
            classes=("confidentiality", "integrity", "availability"),
        )
    )
    return re.sub(r"\n{3,}", "\n\n", text)
