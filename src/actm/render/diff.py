"""What changed between two analyses, for a terminal, a pull-request comment, or a program."""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap

from rich.text import Text

from actm.io.visible import visible
from actm.render._common import console as make_console
from actm.render._common import count, severity_arrow, unmatched_text
from actm.render.markdown import code, md
from actm.render.text import COLOURS
from actm.results.diff import Diff, ThreatRef, TriageChange
from actm.results.model import Crossing, TriageInfo

__all__ = ["render_diff_json", "render_diff_markdown", "render_diff_text"]

ARROW_STYLE = {"↑": "bold red", "↓": "green", "=": ""}


def _triage(info: TriageInfo | None) -> str:
    """A threat's triage decision in a few words: 'accepted until 2027-01-01', 'false
    positive', 'accepted until 2026-03-31, expired'; '' when it has none."""
    if info is None:
        return ""
    out = info.status.replace("_", " ")
    if info.expires:
        out += f" until {info.expires}"
    return f"{out}, expired" if info.expired else out


def _triage_change(tc: TriageChange) -> str:
    """'accepted until 2027-01-01 (added)', 'accepted until 2026-03-31, expired (expired)',
    'in progress -> mitigated (status)', 'accepted by alice (removed)'."""
    old, new = _triage(tc.old), _triage(tc.new)
    if tc.change in ("status", "updated") and old != new:
        return f"{old} -> {new} ({tc.change})"
    if tc.change == "updated" and tc.old is not None and tc.new is not None:
        return f"{new}, {_updated(tc.old, tc.new)} ({tc.change})"
    return f"{new or old} ({tc.change})"


def _updated(old: TriageInfo, new: TriageInfo) -> str:
    """Which of owner, ticket and justification changed, in words."""
    fields = [f for f in ("owner", "ticket", "justification") if getattr(old, f) != getattr(new, f)]
    return " and ".join(fields) + " changed" if fields else "pattern changed"


def _settled_new(diff: Diff) -> str:
    """' (2 hypothetical, 1 settled by triage)': how many of the new threats need a posited
    weakness and how many triage settles, those that there are; '' when neither."""
    hypothetical = sum(1 for t in diff.new_threats if t.hypothetical)
    settled = sum(1 for t in diff.new_threats if t.settled)
    parts = [f"{hypothetical} hypothetical"] if hypothetical else []
    parts += [f"{settled} settled by triage"] if settled else []
    return f" ({', '.join(parts)})" if parts else ""


def _headline(diff: Diff) -> str:
    """'Threats: 2 new, 1 resolved, 1 changed.', or 'No change in threats.'"""
    n_new, n_res, n_chg = (
        len(diff.new_threats),
        len(diff.resolved_threats),
        len(diff.changed_threats),
    )
    if not (n_new or n_res or n_chg):
        return "No change in threats."
    return f"Threats: {n_new} new{_settled_new(diff)}, {n_res} resolved, {n_chg} changed."


def _systems(diff: Diff) -> str:
    if diff.old_system == diff.new_system:
        return diff.new_system
    return f"{diff.old_system} -> {diff.new_system}"


def _crossing(x: Crossing) -> str:
    return f"{x.source_zone} -> {x.target_zone}: {x.kind.replace('_', ' ')} via {x.via}"


def render_diff_text(diff: Diff, *, color: bool = False, width: int = 100) -> str:
    """A plain-text (or coloured) list of the changes; deterministic for a given width.

    Long lines wrap under their text, not under the margin; no line is wider than ``width``.
    """
    buf = io.StringIO()
    console = make_console(buf, width=width, color=color)

    def emit(head: str, body: str, style: str = "", indent: int | None = None) -> None:
        hang = " " * (len(head) if indent is None else indent)
        for line in textwrap.wrap(
            visible(body),
            width=width,
            initial_indent=head,
            subsequent_indent=hang,
            break_on_hyphens=False,
        ):
            console.print(Text(line, style=style))

    def chain(label: str, text: str, style: str = "") -> None:
        for i, step in enumerate(text.split(" -> ")):
            emit(f"      {label} " if i == 0 else "        -> ", step, style)

    def named(tid: str, info: TriageInfo | None, hypothetical: bool) -> str:
        """The id, then in brackets its triage decision when it has one and 'hypothetical' when
        it needs a posited weakness (as ``actm check`` gives its reason)."""
        said = [s for s in (_triage(info), "hypothetical" if hypothetical else "") if s]
        return f"{tid} ({', '.join(said)})" if said else tid

    console.print(Text(visible(f"actm diff: {_systems(diff)}"), style="bold"))
    console.print(Text(_headline(diff)))
    if diff.new_threats:
        console.print(Text(f"new threats ({len(diff.new_threats)}):", style="bold"))
        for t in diff.new_threats:
            emit(
                "  + ",
                f"{t.severity} {t.score} {named(t.id, t.triage, t.hypothetical)}: {t.title}",
                COLOURS.get(t.severity, ""),
            )
    if diff.resolved_threats:
        console.print(Text(f"resolved threats ({len(diff.resolved_threats)}):", style="bold"))
        for t in diff.resolved_threats:
            emit(
                "  - ",
                f"{t.severity} {t.score} {named(t.id, t.triage, t.hypothetical)}: {t.title}",
                "dim",
            )
    if diff.changed_threats:
        console.print(Text(f"changed threats ({len(diff.changed_threats)}):", style="bold"))
        for c in diff.changed_threats:
            arrow = severity_arrow(c.old_severity, c.new_severity, c.old_score, c.new_score)
            if arrow == "=":
                what = f"{c.new_severity} {c.new_score}, unchanged"
            else:
                what = f"{c.old_severity} {c.old_score} -> {c.new_severity} {c.new_score} {arrow}"
            if c.chain_changed:
                what += "; chain changed"
            if c.real_now:
                what += "; no longer hypothetical"
            elif c.hypothetical and not c.old_hypothetical:
                what += "; now hypothetical"
            emit("  ~ ", f"{named(c.id, c.triage, c.hypothetical)}: {what}", ARROW_STYLE[arrow])
            if c.chain_changed:
                chain("was:", c.old_chain, "dim")
                chain("now:", c.new_chain)
    if diff.assumptions:
        console.print(Text(f"assumptions ({len(diff.assumptions)}):", style="bold"))
        for a in diff.assumptions:
            if a.change == "new":
                emit("  + ", f"{a.id}: {a.new}")
            elif a.change == "removed":
                emit("  - ", f"{a.id}: {a.old}")
            else:
                emit("  ~ ", f"{a.id}: {a.change} {a.old} -> {a.new}")
    if diff.new_crossings or diff.removed_crossings:
        n = len(diff.new_crossings) + len(diff.removed_crossings)
        console.print(Text(f"trust-zone crossings ({n}):", style="bold"))
        for x in diff.new_crossings:
            emit("  + ", _crossing(x), "yellow")
        for x in diff.removed_crossings:
            emit("  - ", _crossing(x))
    if diff.triage_changes:
        console.print(Text(f"triage changes ({len(diff.triage_changes)}):", style="bold"))
        for tc in diff.triage_changes:
            emit("  * ", f"{tc.id}: {_triage_change(tc)}")
    if diff.triage_unmatched:
        n = len(diff.triage_unmatched)
        console.print(Text(f"triage entries matching no threat in NEW ({n}):", style="yellow"))
        for u in diff.triage_unmatched:
            emit("  ? ", unmatched_text(u))
    return buf.getvalue()


def render_diff_markdown(diff: Diff) -> str:
    """A Markdown summary of the changes, ready to post as a pull-request comment."""
    out = [
        *_md_summary(diff),
        *_md_threats("New threats", diff.new_threats),
        *_md_threats("Resolved threats", diff.resolved_threats),
        *_md_changed(diff),
        *_md_assumptions(diff),
        *_md_crossings(diff),
        *_md_triage(diff),
        *_md_unmatched(diff),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def _md_summary(diff: Diff) -> list[str]:
    """The heading, the counts of threat changes (by direction of severity) and of the other
    changes, and a blank line."""
    out: list[str] = [f"## actm: threat model changes in {code(_systems(diff))}", ""]
    head = _headline(diff)
    if diff.new_threats or diff.resolved_threats or diff.changed_threats:
        arrows = [
            severity_arrow(c.old_severity, c.new_severity, c.old_score, c.new_score)
            for c in diff.changed_threats
        ]
        head = (
            f"**{count(len(diff.new_threats), 'new threat')}**{_settled_new(diff)}, "
            f"{len(diff.resolved_threats)} resolved, "
            f"{len(diff.changed_threats)} changed "
            f"({arrows.count('↑')} more severe, {arrows.count('↓')} less severe)."
        )
    out.append(head)
    extra = []
    if diff.assumptions:
        extra.append(count(len(diff.assumptions), "assumption change"))
    if diff.new_crossings:
        extra.append(count(len(diff.new_crossings), "new trust-zone crossing"))
    if diff.removed_crossings:
        extra.append(count(len(diff.removed_crossings), "removed trust-zone crossing"))
    if diff.triage_changes:
        extra.append(count(len(diff.triage_changes), "triage change"))
    if extra:
        out.append(", ".join(extra).capitalize() + ".")
    out.append("")
    return out


def _badge(info: TriageInfo | None, hypothetical: bool = False) -> str:
    """What follows a threat's title: ' *(hypothetical)*' when it needs a posited weakness (as
    the Markdown report marks it), then the triage decision, ' *(accepted until 2027-01-01)*',
    in bold when it has expired."""
    out = " *(hypothetical)*" if hypothetical else ""
    status = _triage(info)
    if not status or info is None:
        return out
    return out + (f" **({md(status)})**" if info.expired else f" *({md(status)})*")


def _md_table(title: str, columns: tuple[str, ...], rows: list[str]) -> list[str]:
    """A section: a heading, then a table of ``columns`` with ``rows`` (each a whole table
    line), then a blank line."""
    return [
        f"### {title}",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *rows,
        "",
    ]


def _md_threats(title: str, refs: tuple[ThreatRef, ...]) -> list[str]:
    """A section with a table of new or resolved threats; nothing when there are none."""
    if not refs:
        return []
    rows = [
        f"| {t.severity} ({t.score}) | {md(t.title)}{_badge(t.triage, t.hypothetical)} "
        f"| {code(t.id)} |"
        for t in refs
    ]
    return _md_table(title, ("severity", "threat", "id"), rows)


def _md_changed(diff: Diff) -> list[str]:
    """The changed threats: a table of their severities, then their changed chains folded
    away."""
    if not diff.changed_threats:
        return []
    rows = []
    for c in diff.changed_threats:
        arrow = severity_arrow(c.old_severity, c.new_severity, c.old_score, c.new_score)
        if arrow == "=":
            severity = f"{c.new_severity} ({c.new_score}), unchanged"
        else:
            severity = (
                f"{arrow} {c.old_severity} ({c.old_score}) → {c.new_severity} ({c.new_score})"
            )
        if c.real_now:
            severity += ", no longer hypothetical"
        elif c.hypothetical and not c.old_hypothetical:
            severity += ", now hypothetical"
        rows.append(
            f"| {severity} | {md(c.title)}{_badge(c.triage, c.hypothetical)} | {code(c.id)} "
            f"| {'changed' if c.chain_changed else 'same'} |"
        )
    out = _md_table("Changed threats", ("severity", "threat", "id", "chain"), rows)
    chains = [c for c in diff.changed_threats if c.chain_changed]
    if chains:
        out.extend(["<details><summary>Changed chains</summary>", ""])
        for c in chains:
            out.extend(
                [
                    f"- {code(c.id)}",
                    f"  - before: {md(c.old_chain)}",
                    f"  - after: {md(c.new_chain)}",
                ]
            )
        out.extend(["", "</details>", ""])
    return out


def _md_assumptions(diff: Diff) -> list[str]:
    """A table of the assumptions whose outcome changed."""
    if not diff.assumptions:
        return []
    rows = [
        f"| {code(a.id)} | {a.change} | {md(a.old) if a.old else ''} "
        f"| {md(a.new) if a.new else ''} |"
        for a in diff.assumptions
    ]
    return _md_table("Assumptions", ("assumption", "change", "before", "after"), rows)


def _md_crossings(diff: Diff) -> list[str]:
    """A table of the trust-zone crossings added, then of those removed."""
    if not (diff.new_crossings or diff.removed_crossings):
        return []
    rows = [
        f"| {sign} | {code(x.source_zone)} | {code(x.target_zone)} "
        f"| {x.kind.replace('_', ' ')} | {code(x.via)} |"
        for sign, xs in (("new", diff.new_crossings), ("removed", diff.removed_crossings))
        for x in xs
    ]
    return _md_table("Trust-zone crossings", ("change", "from", "to", "kind", "via"), rows)


def _md_triage(diff: Diff) -> list[str]:
    """A table of the threats whose triage decision changed."""
    if not diff.triage_changes:
        return []
    rows = [f"| {code(tc.id)} | {md(_triage_change(tc))} |" for tc in diff.triage_changes]
    return _md_table("Triage changes", ("threat", "decision"), rows)


def _md_unmatched(diff: Diff) -> list[str]:
    """The triage entries of the new model that match no threat."""
    if not diff.triage_unmatched:
        return []
    out = ["### Triage entries matching no threat", ""]
    out.extend(f"- {md(unmatched_text(u))}" for u in diff.triage_unmatched)
    out.append("")
    return out


def render_diff_json(diff: Diff) -> str:
    """The diff as JSON: sorted keys, two-space indent, a final newline; byte-deterministic."""
    data = dataclasses.asdict(diff)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
