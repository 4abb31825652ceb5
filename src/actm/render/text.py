"""Terminal summary: counts, a table of threats with their route and triage (threats that differ
only in the asset on one row), accepted risk, root causes, the chains of the most severe ones,
the threats the controls take out of scope, triage entries that match no threat, and the threats
recorded in other tools (apart: actm does not analyse them)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from actm.io.visible import visible
from actm.render._common import console as make_console
from actm.render._common import (
    count,
    recorded_facts,
    triage_status,
    triage_text,
    unmatched_text,
    untriaged,
)
from actm.render._findings import (
    AssetGroup,
    accepted_text,
    asset_groups,
    cooperation_text,
    root_cause_text,
    route_text,
    shared_root_causes,
)
from actm.results.model import Result
from actm.terms import SEVERITIES_WORST_FIRST

__all__ = ["render_text"]

_ATTRIBUTION = {"counterfactual": "", "redundant": " (redundant)", "touch": ""}

COLOURS = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def render_text(
    result: Result, *, color: bool = False, width: int = 100, chains: int = 5, rows: int = 100
) -> str:
    """A plain-text (or coloured) summary; deterministic for a given width.

    The threat table shows the ``rows`` worst threats (the rest are counted: the Markdown and
    JSON outputs list them all), and the ``chains`` worst chains.
    """
    buf = io.StringIO()
    console = make_console(buf, width=width, color=color)
    _counts_section(console, result)
    if result.threats:
        _threats_section(console, result, rows)
        _findings_section(console, result)
        _chains_section(console, result, chains)
    for a in result.assumptions:
        if a.exceeds_tolerance:
            console.print(
                Text(
                    visible(
                        f"assumption {a.id}: assumes {a.capability} from {a.producer} on "
                        f"{a.asset}, tolerance is {a.tolerance} "
                        f"({len(a.dependent_threats)} dependent threats)"
                    ),
                    style="yellow",
                )
            )
    _controls_section(console, result)
    if result.triage_unmatched:
        console.print(Text("triage entries matching no threat:", style="yellow"))
        for u in result.triage_unmatched:
            console.print(Text(visible(f"  {unmatched_text(u)}")))
    if result.recorded_threats:
        heading = "threats recorded in other tools (not analysed, not in the counts):"
        console.print(Text(heading, style="bold"))
        for r in result.recorded_threats:
            console.print(Text(visible(f"  {r.id}: {r.title} ({recorded_facts(r)})")))
    return buf.getvalue()


def _counts_section(console: Console, result: Result) -> None:
    """The system's name, then the counts: threats by severity, out of scope, mitigated and
    lowered, and the warnings (controls without effect, unmatched triage, unjustified
    assumptions)."""
    s = result.summary
    name = result.system.name or result.system.id
    console.print(Text(visible(f"actm {result.tool['version']}: {name}"), style="bold"))
    counts = ", ".join(f"{s['severity_' + lvl]} {lvl}" for lvl in SEVERITIES_WORST_FIRST)
    n_open = untriaged(result)
    console.print(
        f"threats in scope: {s['threats']} ({counts})" + (f", {n_open} untriaged" if n_open else "")
    )
    console.print(f"attack patterns out of scope: {s['out_of_scope']}")
    if s.get("mitigated"):
        console.print(f"threats mitigated by controls: {s['mitigated']}")
    if s.get("lowered"):
        console.print(f"threats lowered in severity by controls: {s['lowered']}")
    warnings = (
        ("controls_without_effect", "implemented controls without effect"),
        ("triage_unmatched", "triage entries matching no threat"),
        ("unjustified_threats", "threats resting on unjustified assumptions"),
        ("hypothetical", "hypothetical threats (need a weakness a hypothesis posits)"),
    )
    for key, label in warnings:
        if s.get(key):
            console.print(Text(f"{label}: {s[key]}", style="yellow"))


def _threats_section(console: Console, result: Result, rows: int) -> None:
    """A table of the ``rows`` worst threats with their route and triage, threats that differ
    only in the asset on one row; the rest counted."""
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("threat (id)", overflow="fold")
    groups = asset_groups(result.threats)[:rows]
    for g in groups:
        t = g.first
        table.add_row(
            Text(f"{t.severity.level} {t.severity.score}", style=COLOURS[t.severity.level]),
            _threat_cell(g),
        )
    console.print(table)
    shown = sum(len(g.threats) for g in groups)
    if len(result.threats) > shown:
        console.print(
            f"... and {len(result.threats) - shown} more threats "
            "(all of them: --format markdown, json or html)"
        )


def _threat_cell(g: AssetGroup) -> Text:
    """The title, the id (or the ids and assets of a group), route, cooperation, acceptance,
    hypothesis and triage of one row."""
    t = g.first
    cell = Text(visible(t.title))
    if len(g.threats) > 1:
        cell.append(visible(f"\non {', '.join(g.assets)}"))
    for i in g.ids:
        cell.append("\n" + i, style="dim")
    for line in (route_text(t), cooperation_text(t)):
        if line:
            cell.append("\n" + visible(line))
    if t.accepted is not None:
        cell.append("\naccepted risk: " + visible(accepted_text(t)), style="green")
    if t.hypothetical:
        cell.append("\nhypothetical", style="yellow")
    if t.triage is not None:
        cell.append(
            "\ntriage: " + visible(triage_text(t.triage)),
            style="bold yellow" if t.triage.expired else "green",
        )
    return cell


def _findings_section(console: Console, result: Result) -> None:
    """Accepted risk apart, with its justifications, then the root causes of more than one
    threat: fixing one removes them all."""
    accepted = [t for t in result.threats if t.accepted is not None]
    if accepted:
        console.print(Text("accepted risk (closes only through justified assumptions):", "bold"))
        for t in accepted:
            console.print(Text(visible(f"  {t.id}: {accepted_text(t)}")))
    causes = shared_root_causes(result)
    if causes:
        console.print(Text("root causes (fix this: the threats go):", style="bold"))
        for c in causes:
            console.print(Text(visible(f"  {c.priority}: {root_cause_text(c)}")))
            fix = f"    fix this: {count(len(c.threats), 'threat')} go: {', '.join(c.threats)}"
            console.print(Text(visible(fix)))


def _chains_section(console: Console, result: Result, chains: int) -> None:
    """The chains of the ``chains`` worst critical or high threats (else of the worst one),
    without their structural steps."""
    shown = [t for t in result.threats if t.severity.level in ("critical", "high")][:chains]
    if not shown:
        shown = list(result.threats[:1])
    for t in shown:
        status = f" ({triage_status(t.triage)})" if t.triage is not None else ""
        console.print(Text(f"{t.severity.level}: {t.id}{status}", style=COLOURS[t.severity.level]))
        for step in (x for x in t.chain if not x.structural):
            console.print(Text(visible(f"  -> {step.text}")))


def _controls_section(console: Console, result: Result) -> None:
    """Threats the controls remove or lower, which controls, and controls without effect."""
    if result.mitigated:
        console.print(Text("mitigated by controls (severity without them):", style="bold"))
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column("would be", no_wrap=True)
        table.add_column("threat (id), controls and how", overflow="fold")
        for m in result.mitigated:
            cell = Text(visible(m.title))
            cell.append("\n" + m.id, style="dim")
            by = ", ".join(m.mitigated_by) or "the controls together"
            cell.append(f"\nmitigated by {by}{_ATTRIBUTION[m.attribution]}", style="green")
            for reason in m.reasons:
                cell.append("\n  " + visible(reason))
            table.add_row(Text(f"{m.severity.level} {m.severity.score}"), cell)
        console.print(table)
    if result.lowered:
        console.print(Text("lowered by controls (severity without them -> with them):", "bold"))
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column("severity", no_wrap=True)
        table.add_column("threat (id), controls and how", overflow="fold")
        for low in result.lowered:
            cell = Text(visible(low.title))
            cell.append("\n" + low.id, style="dim")
            by = ", ".join(low.lowered_by) or "the controls together"
            cell.append(f"\nlowered by {by}{_ATTRIBUTION[low.attribution]}", style="green")
            for reason in low.reasons:
                cell.append("\n  " + visible(reason))
            i, r = low.inherent, low.residual
            table.add_row(Text(f"{i.level} {i.score}\n-> {r.level} {r.score}"), cell)
        console.print(table)
    if result.controls_without_effect:
        console.print(
            Text(
                "implemented controls without effect (remove no threat, lower no severity): "
                + ", ".join(result.controls_without_effect),
                style="yellow",
            )
        )
    if result.control_attribution == "touch" and (result.mitigated or result.lowered):
        console.print(
            Text(
                "more than 32 implemented controls: each is credited by what it acts on in the "
                "threats' chains, not by analysing the model without it",
                style="dim",
            )
        )
