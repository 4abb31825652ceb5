"""Triage as code: decisions about threats, keyed by threat id (wildcards allowed).

A decision applies to every threat whose id matches its pattern (``fnmatch`` syntax:
``*``, ``?``, ``[...]``); when several match, the most specific wins (no wildcard before
wildcards, then the longest pattern, then the first written). A decision with an ``expires`` day
in the past no longer holds: the threat counts as open again. Decisions that match no threat are
reported, so stale triage does not pile up unnoticed, each with the threat id it was most
likely meant to name (:func:`closest_threats`).
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from actm.model.system import TriageEntry

__all__ = ["OPEN_STATUSES", "Decision", "closest_threats", "match_triage", "settled"]

_WILDCARDS = "*?["
_ATTACK_CUTOFF = 0.8
"""How like an attack id the attack part of a pattern must be (difflib's ratio)."""

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
    wild = any(ch in entry.pattern for ch in _WILDCARDS)
    return (not wild, len(entry.pattern))


def match_triage(
    threat_ids: Sequence[str], entries: Sequence[TriageEntry], today: date
) -> tuple[dict[str, Decision], list[int]]:
    """The decision for each threat id that has one, and the entries that matched nothing."""
    decisions: dict[str, Decision] = {}
    order = sorted(range(len(entries)), key=lambda i: (*(-x for x in _specificity(entries[i])), i))
    for tid in threat_ids:
        for i in order:
            e = entries[i]
            if fnmatchcase(tid, e.pattern):
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
    # an entry is used if it matches a threat, even one a more specific entry decides
    used = {i for i, e in enumerate(entries) if any(fnmatchcase(t, e.pattern) for t in threat_ids)}
    return decisions, [i for i in range(len(entries)) if i not in used]


def settled(decision: Decision | None) -> bool:
    """Whether a threat needs no more action: triaged, in force, and not left open."""
    return decision is not None and not decision.expired and decision.status not in OPEN_STATUSES


def closest_threats(patterns: Sequence[str], threat_ids: Sequence[str]) -> list[str | None]:
    """For each pattern that matched nothing, the threat id (or the pattern) it most likely
    meant, or None.

    A threat id starts with its attack's id (``attack@binding...``), so the attack part of the
    pattern (before the first ``@``) is matched first, against the attacks of this result, then
    the whole pattern against that attack's threats only: the work per pattern is bounded by the
    number of attacks plus the threats of one attack, not by all threats. A pattern whose
    attack part is a wildcard, or like no attack, gets None. A pattern with a wildcard after
    its attack part gets the pattern with the attack corrected, when that matches a threat.
    """
    by_attack: dict[str, list[str]] = {}
    for tid in sorted(threat_ids):
        by_attack.setdefault(tid.partition("@")[0], []).append(tid)
    indexes: dict[str, _Threats] = {}
    return [_closest(pattern, by_attack, indexes) for pattern in patterns]


SHORTLIST = 64
"""The threats of an attack a pattern is compared with letter by letter (difflib), at most.
Comparing with every threat of the attack cost a large model (10,000 threats of one attack)
half a second per pattern that matched nothing."""

NEAR_PARTS = 8
"""At each binding place, the values taken as near a pattern's part that matches none there."""


class _Threats:
    """The threat ids of one attack, sorted, indexed by each binding part at its place."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = ids
        self.at: list[dict[str, list[int]]] = []
        for i, tid in enumerate(ids):
            for place, part in enumerate(tid.split("@")[1:]):
                if place == len(self.at):
                    self.at.append({})
                self.at[place].setdefault(part, []).append(i)
        self._values: list[list[str]] = [sorted(values) for values in self.at]

    def longest_start(self, pattern: str) -> str:
        """The id sharing the longest start with ``pattern`` (the first in order among those
        sharing as much): in sorted ids, the longest start is shared with a neighbour of the
        place ``pattern`` would take, and the first id with that start is found the same way."""
        ids = self.ids
        i = bisect.bisect_left(ids, pattern)
        longest = max(len(_common_start(ids[j], pattern)) for j in (i - 1, i) if 0 <= j < len(ids))
        return ids[bisect.bisect_left(ids, pattern[:longest])]

    def shortlist(self, pattern: str) -> list[str]:
        """At most :data:`SHORTLIST` ids, those with the most binding places near the
        pattern's: a place is near where the id's part there is the pattern's, or, when no id
        has the pattern's part there, one of the :data:`NEAR_PARTS` values closest to it by
        their letters (a typo or a rename in one part leaves the others to find the id); then
        those around the place the pattern takes in order."""
        ids = self.ids
        if len(ids) <= SHORTLIST:
            return list(ids)
        near: Counter[int] = Counter()
        for place, part in enumerate(pattern.split("@")[1 : len(self.at) + 1]):
            values = self.at[place]
            if part in values:
                near.update(values[part])
                continue
            for value in difflib.get_close_matches(part, self._values[place], n=NEAR_PARTS):
                near.update(values[value])
        picked = heapq.nsmallest(SHORTLIST, near, key=lambda i: (-near[i], i))
        if len(picked) < SHORTLIST:
            i = bisect.bisect_left(ids, pattern)
            room = SHORTLIST - len(picked)
            picked += range(max(0, i - room // 2), min(len(ids), i + room - room // 2))
        return [ids[j] for j in sorted(set(picked))]


def _common_start(a: str, b: str) -> str:
    return os.path.commonprefix([a, b])  # noqa: RUF071 - ids, not paths


def _closest(
    pattern: str, by_attack: Mapping[str, Sequence[str]], indexes: dict[str, _Threats]
) -> str | None:
    head, at, tail = pattern.partition("@")
    if any(ch in head for ch in _WILDCARDS):
        return None
    if head in by_attack:
        attack = head
    else:
        # attack ids share words ("model-", "-injection"): only a near miss counts
        close = difflib.get_close_matches(head, list(by_attack), n=1, cutoff=_ATTACK_CUTOFF)
        if not close:
            return None
        attack = close[0]
    ids = by_attack[attack]
    if any(ch in tail for ch in _WILDCARDS):
        fixed = f"{attack}{at}{tail}"
        if any(fnmatchcase(tid, fixed) for tid in ids):
            return fixed
    if attack not in indexes:
        indexes[attack] = _Threats(ids)
    threats = indexes[attack]
    close = difflib.get_close_matches(pattern, threats.shortlist(pattern), n=1, cutoff=0.6)
    if close:
        return close[0]
    # nothing close by its letters: the id sharing the longest start with the pattern
    return threats.longest_start(pattern)
