"""Wording shared by the text and Markdown renderers."""

from __future__ import annotations

import io

from rich.console import Console

from actm.results.model import Result, TriageInfo

__all__ = ["LEVELS", "severity_arrow", "triage_status", "triage_text", "untriaged"]

LEVELS = ("info", "low", "medium", "high", "critical")
"""Severity levels, weakest first."""


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


def severity_arrow(old_level: str, new_level: str, old_score: float, new_score: float) -> str:
    """'↑' when the threat got worse, '↓' when it got better, '=' otherwise."""
    old = (LEVELS.index(old_level), old_score)
    new = (LEVELS.index(new_level), new_score)
    return "↑" if new > old else "↓" if new < old else "="


def untriaged(result: Result) -> int:
    """Threats without a settled triage decision, for the summary: 0 (not shown) when the model
    makes no triage decisions at all, where every threat is untriaged and saying so is noise."""
    uses_triage = bool(result.triage_unmatched) or any(t.triage for t in result.threats)
    return result.summary.get("untriaged", 0) if uses_triage else 0


def console(buf: io.StringIO, *, width: int, color: bool) -> Console:
    """A rich console writing to ``buf``: fixed width, no soft wrap, colour only when asked,
    so that the same result always gives the same bytes."""
    return Console(
        file=buf,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=False,
    )
