"""CSV of the threats, one row each, for importing into issue trackers and spreadsheets.

Lists inside a cell are joined with ``"; "``; references are ``framework:id`` pairs
(``atlas:AML.T0051; owasp_llm:LLM01``). Rows come in the result's order (severity, then id).
``summary`` (the title and the asset hit, unique within the file) and ``description`` (the
attack's description and the numbered chain) are ready-made issue title and body for trackers.
Lines end with ``\\n``. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` so a spreadsheet shows it as text instead of running it as a
formula (CSV injection). ``accepted`` holds an accepted risk's justified assumptions with
their justifications (empty when the threat is not accepted), ``routes`` how many entry points
close the threat on their own, ``route`` the one shown, ``cooperation`` the entry points that
must work together when none does alone, ``root_cause`` the entry point and first weakness.
"""

from __future__ import annotations

import csv
import io

from actm.render._common import triage_status
from actm.render._findings import accepted_text, route_text
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
    "summary",
    "description",
    "likelihood",
    "assumptions",
    "vulnerabilities",
    "adversaries",
    "hypothetical",
    "accepted",
    "routes",
    "route",
    "cooperation",
    "root_cause",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def _summary(t: Threat) -> str:
    """The title and the first asset the threat hits: ``<title> on <asset>``."""
    return f"{t.title} on {t.assets[0]}" if t.assets else t.title


def _summaries(threats: tuple[Threat, ...] | list[Threat]) -> dict[str, str]:
    """Threat id -> summary; where two threats would share one, both name their bindings."""
    base = {t.id: _summary(t) for t in threats}
    seen: dict[str, int] = {}
    for s in base.values():
        seen[s] = seen.get(s, 0) + 1
    out: dict[str, str] = {}
    for t in threats:
        s = base[t.id]
        if seen[s] > 1:
            s += " (" + ", ".join(b.element for b in t.bindings) + ")"
            if not t.bindings or s in out.values():
                s = f"{base[t.id]} ({t.id})"
        out[t.id] = s
    return out


def _description(t: Threat) -> str:
    steps = [s for s in t.chain if not s.structural]
    chain = "\n".join(f"{i}. {s.text}" for i, s in enumerate(steps, 1))
    return f"{t.description}\n\nChain:\n{chain}" if chain else t.description


def _row(t: Threat, summary: str) -> list[str]:
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
        summary,
        _description(t),
        t.likelihood,
        "; ".join(t.assumptions),
        "; ".join(t.vulnerabilities),
        "; ".join(t.adversaries),
        "yes" if t.hypothetical else "no",
        accepted_text(t),
        str(len(t.routes)),
        route_text(t),
        "; ".join(t.cooperation),
        t.root_cause.id if t.root_cause is not None else "",
    ]


def render_csv(result: Result) -> str:
    """A header row, then one row per threat."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    summaries = _summaries(result.threats)
    for t in result.threats:
        writer.writerow([_cell(c) for c in _row(t, summaries[t.id])])
    return buf.getvalue()
