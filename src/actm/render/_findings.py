"""What every human-facing report says about a threat's findings, in words: the route it
shows and how many others close it, the entry points that must cooperate, accepted risk with
its justifications, and groups of threats that differ only in the asset they hit.

Everything here reads the Result alone, so the text, Markdown, HTML, SARIF and CSV outputs
say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from actm.render._common import count, triage_text
from actm.results.model import Result, RootCauseGroup, Threat

__all__ = [
    "AssetGroup",
    "accepted_text",
    "asset_groups",
    "cooperation_text",
    "findings_rows",
    "root_cause_text",
    "route_text",
    "shared_root_causes",
]


def route_text(t: Threat) -> str:
    """'from external-user (internet, 3 steps); 2 other routes'; '' without routes."""
    if not t.routes:
        return ""
    r = t.routes[0]
    out = f"from {r.adversary} ({r.reach}, {count(r.steps, 'step')})"
    if len(t.routes) > 1:
        out += f"; {count(len(t.routes) - 1, 'other route')}"
    return out


def cooperation_text(t: Threat) -> str:
    """'needs insider and external-user together'; '' when one entry point closes it."""
    return f"needs {' and '.join(t.cooperation)} together" if t.cooperation else ""


def accepted_text(t: Threat) -> str:
    """'vendor-labels: the label audit ...; other: why'; '' when the threat is not accepted."""
    if t.accepted is None:
        return ""
    pairs = zip(t.accepted.assumptions, t.accepted.justifications, strict=True)
    return "; ".join(f"{a}: {j}" for a, j in pairs)


def root_cause_text(g: RootCauseGroup) -> str:
    """'external-user: attack prompt-injection on assistant.inputs'."""
    c = g.root_cause
    return f"{c.entry}: {c.kind.replace('_', ' ')} {c.weakness} on {c.where}"


def findings_rows(t: Threat) -> list[tuple[str, str]]:
    """Accepted risk, adversaries, the route shown (and how many others), cooperation, what it
    rests on, its root cause and what it enables, as (term, text) rows."""
    rows: list[tuple[str, str]] = []
    if t.accepted is not None:
        rows.append(("accepted risk", accepted_text(t)))
    if t.adversaries:
        rows.append(("adversaries", ", ".join(t.adversaries)))
    for name, text in (("route shown", route_text(t)), ("cooperation", cooperation_text(t))):
        if text:
            rows.append((name, text))
    if t.rests_on:
        rows.append(("rests on (gone without them)", ", ".join(t.rests_on)))
    if t.root_cause is not None:
        rows.append(("root cause", t.root_cause.id))
    if t.enables:
        priority = f" (priority {t.priority})" if t.priority != t.severity.level else ""
        rows.append(("enables", ", ".join(t.enables) + priority))
    return rows


def shared_root_causes(result: Result) -> list[RootCauseGroup]:
    """The root causes of more than one threat, highest priority first (the Result's order):
    fixing one removes several threats at once."""
    return [g for g in result.root_causes if len(g.threats) > 1]


@dataclass(frozen=True, slots=True)
class AssetGroup:
    """Threats that differ only in the asset they hit: same attack, severity, route shape,
    cooperation, acceptance, triage and hypothesis. ``first`` stands for all of them."""

    threats: tuple[Threat, ...]

    @property
    def first(self) -> Threat:
        return self.threats[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.threats)

    @property
    def assets(self) -> tuple[str, ...]:
        """What tells the threats apart, one entry per threat: the asset each hits, or where
        two hit the same asset, the bound elements not common to all of them."""
        hit = tuple(t.severity.asset for t in self.threats)
        if len(set(hit)) == len(hit):
            return hit
        common = set.intersection(*({b.element for b in t.bindings} for t in self.threats))
        return tuple(
            " + ".join(b.element for b in t.bindings if b.element not in common) or t.id
            for t in self.threats
        )


def _shape(t: Threat) -> tuple[object, ...]:
    route = (t.routes[0].adversary, t.routes[0].reach, t.routes[0].steps) if t.routes else None
    return (
        t.attack,
        t.severity.level,
        t.severity.score,
        route,
        len(t.routes),
        t.cooperation,
        t.accepted is not None,
        triage_text(t.triage) if t.triage is not None else None,
        t.hypothetical,
    )


def asset_groups(threats: tuple[Threat, ...] | list[Threat]) -> list[AssetGroup]:
    """The threats grouped by everything but the asset, in the order of each group's first
    threat (the Result's order: severity, then id); a threat alone is a group of one."""
    groups: dict[tuple[object, ...], list[Threat]] = {}
    for t in threats:
        groups.setdefault(_shape(t), []).append(t)
    return [AssetGroup(tuple(g)) for g in groups.values()]
