"""Threats grouped by root cause: "fix this, and these threats go".

Each threat's root cause (engine/links.py) is the entry point of its shown chain and the first
weakness on it. Threats that share one go together when it is fixed; a group's priority is the
worst severity among its threats and what they enable, so that a low-scoring injection that
opens the way to a critical chain is listed as critical.
"""

from __future__ import annotations

from collections.abc import Sequence

from actm.results.model import RootCauseGroup, Threat
from actm.terms import level_rank

__all__ = ["root_cause_groups"]


def root_cause_groups(threats: Sequence[Threat]) -> tuple[RootCauseGroup, ...]:
    """The root causes of ``threats`` (accepted risk left out), highest priority first, then the
    most threats, then by id; each group's threats in the order of ``threats``."""
    groups: dict[str, list[Threat]] = {}
    for t in threats:
        if t.root_cause is not None and t.accepted is None:
            groups.setdefault(t.root_cause.id, []).append(t)
    out = []
    for members in groups.values():
        cause = members[0].root_cause
        assert cause is not None
        priority = max((t.priority for t in members), key=level_rank)
        worst = max((t.severity.level for t in members), key=level_rank)
        out.append(RootCauseGroup(cause, tuple(t.id for t in members), priority, worst))
    out.sort(key=lambda g: (-level_rank(g.priority), -len(g.threats), g.root_cause.id))
    return tuple(out)
