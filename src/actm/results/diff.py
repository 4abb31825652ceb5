"""What changed between two analyses: threats, assumptions, trust-zone crossings."""

from __future__ import annotations

from dataclasses import dataclass

from actm.engine.severity import LEVELS
from actm.results.model import AssumptionReport, Crossing, Result, Threat

__all__ = ["Change", "Diff", "diff_results"]


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


@dataclass(frozen=True, slots=True)
class ThreatRef:
    id: str
    title: str
    severity: str
    score: float
    chain_text: str


@dataclass(frozen=True, slots=True)
class AssumptionChange:
    id: str
    change: str
    """new, removed, capability, status."""
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Diff:
    old_system: str
    new_system: str
    new_threats: tuple[ThreatRef, ...]
    resolved_threats: tuple[ThreatRef, ...]
    changed_threats: tuple[Change, ...]
    assumptions: tuple[AssumptionChange, ...]
    new_crossings: tuple[Crossing, ...]
    removed_crossings: tuple[Crossing, ...]

    def worsened_at_or_above(self, level: str) -> list[str]:
        """Ids of new threats at or above ``level``, and of threats that rose to it."""
        floor = LEVELS.index(level)
        out = [t.id for t in self.new_threats if LEVELS.index(t.severity) >= floor]
        out += [
            c.id
            for c in self.changed_threats
            if LEVELS.index(c.new_severity) >= floor
            and LEVELS.index(c.new_severity) > LEVELS.index(c.old_severity)
        ]
        return sorted(out)


def _ref(t: Threat) -> ThreatRef:
    return ThreatRef(t.id, t.title, t.severity.level, t.severity.score, t.chain_text)


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


def diff_results(old: Result, new: Result) -> Diff:
    """Compare two results by stable threat id."""
    before = {t.id: t for t in old.threats}
    after = {t.id: t for t in new.threats}
    changed = []
    for tid in sorted(set(before) & set(after)):
        a, b = before[tid], after[tid]
        if (a.severity.level, a.severity.score, a.chain_text) != (
            b.severity.level,
            b.severity.score,
            b.chain_text,
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
                )
            )
    old_x, new_x = set(old.crossings), set(new.crossings)

    def order(x: Crossing) -> tuple[str, str, str, str]:
        return (x.source_zone, x.target_zone, x.kind, x.via)

    return Diff(
        old_system=old.system.id,
        new_system=new.system.id,
        new_threats=tuple(_ref(after[i]) for i in sorted(set(after) - set(before))),
        resolved_threats=tuple(_ref(before[i]) for i in sorted(set(before) - set(after))),
        changed_threats=tuple(changed),
        assumptions=_assumption_changes(old.assumptions, new.assumptions),
        new_crossings=tuple(sorted(new_x - old_x, key=order)),
        removed_crossings=tuple(sorted(old_x - new_x, key=order)),
    )
