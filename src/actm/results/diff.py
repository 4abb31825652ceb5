"""What changed between two analyses: threats, assumptions, trust-zone crossings."""

from __future__ import annotations

from dataclasses import dataclass

from actm.results.model import (
    AssumptionReport,
    Crossing,
    Result,
    Threat,
    TriageInfo,
    UnmatchedTriage,
)
from actm.terms import LEVELS

__all__ = ["AssumptionChange", "Change", "Diff", "ThreatRef", "TriageChange", "diff_results"]


@dataclass(frozen=True, slots=True)
class Change:
    """A threat in both analyses whose severity or chain differs."""

    id: str
    title: str
    old_severity: str
    new_severity: str
    old_score: float
    new_score: float
    chain_changed: bool
    old_chain: str
    new_chain: str
    triage: TriageInfo | None = None
    """The triage decision on the threat in the new analysis, if any."""
    hypothetical: bool = False
    """In the new analysis it needs a weakness a hypothesis posits (see
    :attr:`~actm.results.model.Threat.hypothetical`)."""
    old_hypothetical: bool = False
    """In the old analysis it needed one."""

    @property
    def real_now(self) -> bool:
        """It needed a posited weakness and no longer does: to a gate that leaves hypothetical
        threats out, it is new."""
        return self.old_hypothetical and not self.hypothetical

    @property
    def settled(self) -> bool:
        """Settled by triage in the new analysis (a decision in force, not open or expired)."""
        return self.triage is not None and self.triage.settled


@dataclass(frozen=True, slots=True)
class ThreatRef:
    id: str
    title: str
    severity: str
    score: float
    chain_text: str
    triage: TriageInfo | None = None
    """The triage decision on the threat in the analysis it comes from (the new one for a new
    threat, the old one for a resolved threat), if any."""
    hypothetical: bool = False
    """It needs a weakness a hypothesis posits, in the analysis it comes from (see
    :attr:`~actm.results.model.Threat.hypothetical`)."""

    @property
    def settled(self) -> bool:
        """Settled by triage: a decision in force, not open, in progress or expired."""
        return self.triage is not None and self.triage.settled


@dataclass(frozen=True, slots=True)
class AssumptionChange:
    id: str
    change: str
    """new, removed, capability, status."""
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class TriageChange:
    """A threat in both analyses whose triage decision changed."""

    id: str
    change: str
    """``added`` (a decision where there was none: a new acceptance, a false positive),
    ``removed`` (the entry is gone), ``expired`` (its day has passed since OLD), ``status`` (the
    status changed) or ``updated`` (the same status, with another date, owner, ticket or
    justification)."""
    old: TriageInfo | None
    new: TriageInfo | None


@dataclass(frozen=True)
class Diff:
    old_system: str
    new_system: str
    new_threats: tuple[ThreatRef, ...]
    """Most severe first, then by id."""
    resolved_threats: tuple[ThreatRef, ...]
    """Most severe (as they were) first, then by id."""
    changed_threats: tuple[Change, ...]
    """Most severe (as they are now) first, then by id."""
    assumptions: tuple[AssumptionChange, ...]
    new_crossings: tuple[Crossing, ...]
    removed_crossings: tuple[Crossing, ...]
    triage_unmatched: tuple[UnmatchedTriage, ...] = ()
    """Triage entries that match no threat of the new analysis (stale or mistyped ids)."""
    triage_changes: tuple[TriageChange, ...] = ()
    """Threats in both analyses whose triage decision changed, by id."""

    def worsened_at_or_above(self, level: str, *, ignore_hypothetical: bool = False) -> list[str]:
        """Ids, sorted, of new threats at or above ``level`` and of threats that rose to it,
        leaving out those that triage settles in the new analysis (an accepted, mitigated,
        false-positive or not-applicable decision that has not expired); with
        ``ignore_hypothetical``, those that need a posited weakness too, and a threat at or
        above ``level`` that needed one and no longer does counts as new."""
        floor = LEVELS.index(level)
        out = [
            t.id
            for t in self.new_threats
            if LEVELS.index(t.severity) >= floor
            and not t.settled
            and not (ignore_hypothetical and t.hypothetical)
        ]
        out += [
            c.id
            for c in self.changed_threats
            if LEVELS.index(c.new_severity) >= floor
            and (
                LEVELS.index(c.new_severity) > LEVELS.index(c.old_severity)
                or (ignore_hypothetical and c.real_now)
            )
            and not c.settled
            and not (ignore_hypothetical and c.hypothetical)
        ]
        return sorted(out)


def _ref(t: Threat) -> ThreatRef:
    return ThreatRef(
        t.id, t.title, t.severity.level, t.severity.score, t.chain_text, t.triage, t.hypothetical
    )


def _worst_first(level: str, score: float, tid: str) -> tuple[int, float, str]:
    return (-LEVELS.index(level), -score, tid)


def _assumption_changes(
    old: tuple[AssumptionReport, ...], new: tuple[AssumptionReport, ...]
) -> tuple[AssumptionChange, ...]:
    before = {a.id: a for a in old}
    after = {a.id: a for a in new}
    out = []
    for aid in sorted(set(before) | set(after)):
        a, b = before.get(aid), after.get(aid)
        if a is None and b is not None:
            out.append(AssumptionChange(aid, "new", None, f"{b.capability} ({b.status})"))
        elif b is None and a is not None:
            out.append(AssumptionChange(aid, "removed", f"{a.capability} ({a.status})", None))
        elif a is not None and b is not None:
            if a.capability != b.capability:
                out.append(AssumptionChange(aid, "capability", a.capability, b.capability))
            if a.status != b.status:
                out.append(AssumptionChange(aid, "status", a.status, b.status))
    return tuple(out)


def _triage_change(tid: str, a: TriageInfo | None, b: TriageInfo | None) -> TriageChange | None:
    """How the triage decision on threat ``tid`` changed from ``a`` to ``b``, if it did."""
    if a == b:
        return None
    if a is None or b is None:
        return TriageChange(tid, "added" if a is None else "removed", a, b)
    if a.status != b.status:
        return TriageChange(tid, "status", a, b)
    if b.expired and not a.expired:
        return TriageChange(tid, "expired", a, b)
    return TriageChange(tid, "updated", a, b)


def _triage_changes(before: dict[str, Threat], after: dict[str, Threat]) -> list[TriageChange]:
    out = []
    for tid in sorted(set(before) & set(after)):
        change = _triage_change(tid, before[tid].triage, after[tid].triage)
        if change is not None:
            out.append(change)
    return out


def diff_results(old: Result, new: Result) -> Diff:
    """Compare two results by stable threat id."""
    before = {t.id: t for t in old.threats}
    after = {t.id: t for t in new.threats}
    changed = []
    for tid in sorted(set(before) & set(after)):
        a, b = before[tid], after[tid]
        if (a.severity.level, a.severity.score, a.chain_text, a.hypothetical) != (
            b.severity.level,
            b.severity.score,
            b.chain_text,
            b.hypothetical,
        ):
            changed.append(
                Change(
                    tid,
                    b.title,
                    a.severity.level,
                    b.severity.level,
                    a.severity.score,
                    b.severity.score,
                    a.chain_text != b.chain_text,
                    a.chain_text,
                    b.chain_text,
                    b.triage,
                    b.hypothetical,
                    a.hypothetical,
                )
            )
    changed.sort(key=lambda c: _worst_first(c.new_severity, c.new_score, c.id))
    old_x, new_x = set(old.crossings), set(new.crossings)

    def order(x: Crossing) -> tuple[str, str, str, str]:
        return (x.source_zone, x.target_zone, x.kind, x.via)

    def refs(threats: list[Threat]) -> tuple[ThreatRef, ...]:
        items = sorted(
            threats, key=lambda t: _worst_first(t.severity.level, t.severity.score, t.id)
        )
        return tuple(_ref(t) for t in items)

    return Diff(
        old_system=old.system.id,
        new_system=new.system.id,
        new_threats=refs([t for i, t in after.items() if i not in before]),
        resolved_threats=refs([t for i, t in before.items() if i not in after]),
        changed_threats=tuple(changed),
        assumptions=_assumption_changes(old.assumptions, new.assumptions),
        new_crossings=tuple(sorted(new_x - old_x, key=order)),
        removed_crossings=tuple(sorted(old_x - new_x, key=order)),
        triage_unmatched=new.triage_unmatched,
        triage_changes=tuple(_triage_changes(before, after)),
    )
