"""Terminal summary: counts, a table of threats, and the chains of the most severe ones."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from actm.results.model import Result

__all__ = ["render_text"]

COLOURS = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def render_text(result: Result, *, color: bool = False, width: int = 100, chains: int = 5) -> str:
    """A plain-text (or coloured) summary; deterministic for a given width."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=False,
    )
    s = result.summary
    name = result.system.name or result.system.id
    console.print(Text(f"actm {result.tool['version']}: {name}", style="bold"))
    counts = ", ".join(
        f"{s['severity_' + lvl]} {lvl}" for lvl in ("critical", "high", "medium", "low", "info")
    )
    console.print(f"threats in scope: {s['threats']} ({counts})")
    console.print(f"attack patterns out of scope: {s['out_of_scope']}")
    if s["unjustified_threats"]:
        console.print(
            Text(
                f"threats resting on unjustified assumptions: {s['unjustified_threats']}",
                style="yellow",
            )
        )
    if result.threats:
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column("severity", no_wrap=True)
        table.add_column("threat (id)", overflow="fold")
        for t in result.threats:
            cell = Text(t.title)
            cell.append("\n" + t.id, style="dim")
            table.add_row(
                Text(f"{t.severity.level} {t.severity.score}", style=COLOURS[t.severity.level]),
                cell,
            )
        console.print(table)
        shown = [t for t in result.threats if t.severity.level in ("critical", "high")][:chains]
        if not shown:
            shown = list(result.threats[:1])
        for t in shown:
            console.print(Text(f"{t.severity.level}: {t.id}", style=COLOURS[t.severity.level]))
            for step in (x for x in t.chain if not x.structural):
                console.print(Text(f"  -> {step.text}"))
    exceeded = [a for a in result.assumptions if a.exceeds_tolerance]
    for a in exceeded:
        console.print(
            Text(
                f"assumption {a.id}: assumes {a.capability} from {a.producer} on {a.asset}, "
                f"tolerance is {a.tolerance} ({len(a.dependent_threats)} dependent threats)",
                style="yellow",
            )
        )
    return buf.getvalue()
