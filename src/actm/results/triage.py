"""Triage as code: decisions about threats, keyed by threat id (wildcards allowed).

A decision applies to every threat whose id matches its pattern (``fnmatch`` syntax:
``*``, ``?``, ``[...]``); when several match, the most specific wins (no wildcard before
wildcards, then the longest pattern, then the first written). A decision with an ``expires`` day
in the past no longer holds: the threat counts as open again. Decisions that match no threat are
reported, so stale triage does not pile up unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from actm.model.system import TriageEntry

__all__ = ["OPEN_STATUSES", "Decision", "match_triage", "settled"]

OPEN_STATUSES = frozenset({"open", "in_progress"})
"""Statuses that leave a threat to be dealt with (for `actm check`)."""


@dataclass(frozen=True, slots=True)
class Decision:
    entry: int
    """Index of the triage entry in the model."""
    pattern: str
    status: str
    justification: str
    owner: str | None
    ticket: str | None
    expires: date | None
    expired: bool


def _specificity(entry: TriageEntry) -> tuple[int, int]:
    wild = any(ch in entry.pattern for ch in "*?[")
    return (0 if wild else 1, len(entry.pattern))


def match_triage(
    threat_ids: Sequence[str], entries: Sequence[TriageEntry], today: date
) -> tuple[dict[str, Decision], list[int]]:
    """The decision for each threat id that has one, and the entries that matched nothing."""
    decisions: dict[str, Decision] = {}
    used: set[int] = set()
    order = sorted(range(len(entries)), key=lambda i: (*(-x for x in _specificity(entries[i])), i))
    for tid in threat_ids:
        for i in order:
            e = entries[i]
            if fnmatchcase(tid, e.pattern):
                used.add(i)
                decisions[tid] = Decision(
                    i,
                    e.pattern,
                    e.status,
                    e.justification,
                    e.owner,
                    e.ticket,
                    e.expires,
                    e.expires is not None and e.expires < today,
                )
                break
    # an entry shadowed by a more specific one still counts as used if it matches something
    for i, e in enumerate(entries):
        if i not in used and any(fnmatchcase(tid, e.pattern) for tid in threat_ids):
            used.add(i)
    return decisions, [i for i in range(len(entries)) if i not in used]


def settled(decision: Decision | None) -> bool:
    """Whether a threat needs no more action: triaged, in force, and not left open."""
    return decision is not None and not decision.expired and decision.status not in OPEN_STATUSES
