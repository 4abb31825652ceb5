"""CSV of the threats, one row each, for importing into issue trackers and spreadsheets.

Lists inside a cell are joined with ``"; "``; references are ``framework:id`` pairs
(``atlas:AML.T0051; owasp_llm:LLM01``). Rows come in the result's order (severity, then id).
Lines end with ``\\n``. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` so a spreadsheet shows it as text instead of running it as a
formula (CSV injection).
"""

from __future__ import annotations

import csv
import io

from actm.render._common import triage_status
from actm.results.model import Result, Threat

__all__ = ["COLUMNS", "render_csv"]

COLUMNS = (
    "id",
    "fingerprint",
    "severity",
    "score",
    "attack",
    "title",
    "assets",
    "pipelines",
    "teams",
    "triage_status",
    "triage_owner",
    "triage_ticket",
    "references",
    "chain",
    "suggested_controls",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def _row(t: Threat) -> list[str]:
    info = t.triage
    refs = "; ".join(f"{fw}:{ref}" for fw in sorted(t.references) for ref in t.references[fw])
    return [
        t.id,
        t.fingerprint,
        t.severity.level,
        f"{t.severity.score:.1f}",
        t.attack,
        t.title,
        "; ".join(t.assets),
        "; ".join(t.pipelines),
        "; ".join(t.teams),
        triage_status(info) if info is not None else "untriaged",
        (info.owner or "") if info is not None else "",
        (info.ticket or "") if info is not None else "",
        refs,
        t.chain_text,
        "; ".join(t.suggested_controls),
    ]


def render_csv(result: Result) -> str:
    """A header row, then one row per threat."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in result.threats:
        writer.writerow([_cell(c) for c in _row(t)])
    return buf.getvalue()
