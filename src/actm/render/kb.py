"""The knowledge base as ``actm kb list``, ``actm kb show`` and ``actm kb coverage`` print it."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actm.knowledge.attacks import AttackPattern, KnowledgeBase
    from actm.knowledge.coverage import FrameworkCoverage

__all__ = [
    "KbEntry",
    "KbListing",
    "coverage_data",
    "render_coverage_json",
    "render_coverage_text",
    "render_kb_list_json",
    "render_kb_list_text",
    "render_kb_show_text",
]

WIDTH = 100
"""Lines of the coverage report wrap the entry lists at this width (when the names leave room)."""


@dataclass(frozen=True)
class KbListing:
    """Entries of a knowledge base to list (all, or those covering some frameworks)."""

    kb: KnowledgeBase
    entries: tuple[AttackPattern, ...]
    """Sorted by id."""


@dataclass(frozen=True)
class KbEntry:
    """One entry of a knowledge base to show."""

    kb: KnowledgeBase
    entry: AttackPattern


def render_kb_list_text(listing: KbListing) -> str:
    """One line per entry: the id, the title, and ``[conversion]`` for conversions."""
    width = max((len(e.id) for e in listing.entries), default=0)
    return "".join(
        f"{e.id:<{width}}  {e.title}{'' if e.kind == 'attack' else ' [conversion]'}\n"
        for e in listing.entries
    )


def render_kb_list_json(listing: KbListing) -> str:
    """A list of entries: id, kind, title, likelihood, own references and mapped items."""
    kb = listing.kb
    data = [
        {
            "id": e.id,
            "kind": e.kind,
            "title": e.title,
            "likelihood": e.likelihood,
            "references": {k: list(v) for k, v in e.references.items() if v},
            "references_when": [
                {"when": c.describe(), "add": {k: list(v) for k, v in e.cited([i]).items()}}
                for i, c in enumerate(e.citations)
            ],
            "mapped": {k: list(v) for k, v in kb.covers(e.id).items() if k not in e.references},
        }
        for e in listing.entries
    ]
    return json.dumps(data, indent=2) + "\n"


def render_kb_show_text(shown: KbEntry) -> str:
    """The entry's heading, description, steps, impact, references, controls and source."""
    kb, entry = shown.kb, shown.entry
    lines = [
        f"{entry.id}: {entry.title} ({entry.kind}, likelihood {entry.likelihood}, "
        f"{entry.maturity.replace('_', ' ')})",
        "",
        entry.description,
        "",
    ]
    for step in entry.steps:
        lines.append(f"step {step.id}:")
        lines += [f"  requires {r.describe()}" for r in step.requires]
        for y in step.yields:
            what = y.asset_type or "(the bound asset)"
            comp = f".{y.component}" if y.component else ""
            pers = " (persistent)" if y.persistent else ""
            lines.append(f"  yields   {y.capability}{pers} on {y.var}:{what}{comp}")
    if entry.impact is not None:
        i = entry.impact
        lines.append(
            f"impact: {'/'.join(i.classes)} of {i.var}"
            + (f":{i.asset_type}" if i.asset_type else "")
        )
    lines += _reference_lines(kb, entry)
    if entry.controls:
        lines.append("controls: " + ", ".join(entry.controls))
    lines.append(f"source: {entry.source}")
    return "".join(line + "\n" for line in lines)


def _reference_lines(kb: KnowledgeBase, entry: AttackPattern) -> list[str]:
    """The fixed references with the step performing each, the mapped items, then each
    conditional citation with its condition."""

    def name(fw: str, item: str) -> str:
        return (kb.frameworks[fw].name_of(item) if fw in kb.frameworks else None) or ""

    rows = [(r.framework, r.id, name(r.framework, r.id), f"({r.step})") for r in entry.cites]
    own = {(r.framework, r.id) for r in entry.every_reference()}
    rows += [
        (fw, item, name(fw, item), "(mapped)")
        for fw, items in kb.covers(entry.id).items()
        for item in items
        if (fw, item) not in own
    ]
    conditional = [
        (
            c.describe(),
            [(r.framework, r.id, name(r.framework, r.id), f"({r.step})") for r in c.adds],
        )
        for c in entry.citations
    ]
    every = rows + [row for _, adds in conditional for row in adds]
    if not every:
        return []
    fw_w = max(len(r[0]) for r in every)
    id_w = max(len(r[1]) for r in every)
    nm_w = max(len(r[2]) for r in every)

    def line(indent: str, row: tuple[str, str, str, str]) -> str:
        fw, item, nm, how = row
        return f"{indent}{fw:<{fw_w}}  {item:<{id_w}}  {nm:<{nm_w}}  {how}".rstrip()

    lines = ["references:"] if rows else []
    lines += [line("  ", row) for row in rows]
    for when, adds in conditional:
        lines.append(f"references when {when}:")
        lines += [line("  ", row) for row in adds]
    return lines


def coverage_data(report: FrameworkCoverage) -> dict[str, Any]:
    """One framework's coverage as JSON-compatible data."""
    fw = report.framework
    return {
        "id": fw.id,
        "title": fw.title,
        "version": fw.version,
        "url": fw.url,
        "open": fw.open,
        "items": report.total,
        "covered": len(report.covered),
        "percent": report.percent,
        "covered_items": [
            {"id": c.id, "name": c.name, "attacks": list(c.attacks)} for c in report.covered
        ],
        "not_covered_items": [{"id": i.id, "name": i.name} for i in report.not_covered],
    }


def render_coverage_json(reports: Sequence[FrameworkCoverage]) -> str:
    """``{"frameworks": [...]}``, one object per framework (:func:`coverage_data`)."""
    data = {"frameworks": [coverage_data(r) for r in reports]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_coverage_text(reports: Sequence[FrameworkCoverage], *, summary: bool = False) -> str:
    """A table of counts, then (unless ``summary``) each framework's items covered, with the
    entries that cover each, and not covered."""
    rows = [("framework", "title", "covered", "items", "percent")]
    for r in reports:
        rows.append(
            (
                r.framework.id,
                r.framework.label(),
                str(len(r.covered)),
                "-" if r.total is None else str(r.total),
                "-" if r.percent is None else f"{r.percent:.1f}%",
            )
        )
    w = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}  {d:>{w[3]}}  {e:>{w[4]}}".rstrip()
        for a, b, c, d, e in rows
    ]
    if not summary:
        for r in reports:
            lines += _framework_lines(r)
    return "\n".join(lines) + "\n"


def _framework_lines(r: FrameworkCoverage) -> list[str]:
    fw = r.framework
    lines = ["", f"{fw.id}: {fw.label()}" + (f" <{fw.url}>" if fw.url else "")]
    if r.total is None:
        lines.append(f"  {len(r.covered)} ids referenced (open framework: any id is valid)")
    else:
        lines.append(f"  {len(r.covered)} of {r.total} items covered ({r.percent:.1f}%)")
    ids = [c.id for c in r.covered] + [i.id for i in r.not_covered]
    iw = max((len(i) for i in ids), default=0)
    if r.covered:
        lines.append("  covered:")
        nw = max(len(c.name or "") for c in r.covered)
        for c in r.covered:
            name = f"  {c.name or '':<{nw}}" if nw else ""
            prefix = f"    {c.id:<{iw}}{name}  <- "
            wrapped = textwrap.wrap(
                ", ".join(c.attacks),
                max(WIDTH - len(prefix), 40),
                break_long_words=False,
                break_on_hyphens=False,
            )
            lines.append(prefix + wrapped[0])
            lines += [" " * len(prefix) + w for w in wrapped[1:]]
    if r.not_covered:
        lines.append("  not covered:")
        lines += [f"    {i.id:<{iw}}  {i.name}" for i in r.not_covered]
    return lines
