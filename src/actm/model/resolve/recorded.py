"""Threats recorded in other tools: kept as written, the element each is on checked."""

from __future__ import annotations

from actm.model.resolve.context import Context
from actm.model.resolve.refs import ref
from actm.model.system import RecordedThreat

__all__ = ["ON", "build_recorded"]

ON = ("nodes", "relations", "assets", "zones", "models", "tools")
"""The sections whose elements a recorded threat can be on."""


def build_recorded(ctx: Context) -> tuple[RecordedThreat, ...]:
    out = []
    for t, origin in ctx.items("recorded_threats"):
        ref(ctx, t.on, ON, origin, "on", what="recorded threat's element")
        out.append(
            RecordedThreat(
                id=t.id,
                title=t.title,
                description=t.description,
                category=t.category,
                severity=t.severity,
                likelihood=t.likelihood,
                status=t.status,
                mitigations=tuple(t.mitigations),
                on=t.on,
                derived=t.derived,
                origin=(t.origin.format, t.origin.id) if t.origin is not None else None,
            )
        )
    return tuple(out)
