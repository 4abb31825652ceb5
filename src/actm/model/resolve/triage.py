"""Triage entries: kept as written (their ids are patterns over threat ids), with locations."""

from __future__ import annotations

from actm.model.resolve.context import Context
from actm.model.system import TriageEntry

__all__ = ["build_triage"]


def build_triage(ctx: Context) -> tuple[TriageEntry, ...]:
    out = []
    for i, (t, origin) in enumerate(ctx.items("triage")):
        out.append(TriageEntry(t.id, t.status, t.justification, t.owner, t.ticket, t.expires))
        loc = origin.at("id")
        if loc is not None:
            ctx.locations[f"triage[{i}]"] = loc
    return tuple(out)
