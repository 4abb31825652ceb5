"""``actm kb list``, ``actm kb show`` and ``actm kb coverage``: browse the knowledge base."""

from __future__ import annotations

from typing import Annotated

import typer

from actm.cli.common import CoverageFormat, KbListFormat, KnowledgeOpt, emit, guard, pick
from actm.render.formats import COVERAGE_FORMATS, KB_LIST_FORMATS, KB_SHOW_FORMATS

kb_app = typer.Typer(help="Browse the attack knowledge base.", no_args_is_help=True)

FrameworkOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--framework",
        help="A framework id such as atlas, owasp_llm or saif (repeatable).",
        show_default=False,
        metavar="F",
    ),
]


@kb_app.command("list")
def kb_list(
    knowledge: KnowledgeOpt = None,
    fmt: Annotated[KbListFormat, typer.Option("--format", "-f", help="Output format.")] = "text",
    framework: FrameworkOpt = None,
) -> None:
    """List the attack patterns and conversions of the knowledge base.

    With --framework, only the entries that cover an item of one of those frameworks (through
    their own references or a mapping file).
    """
    from actm.api import load_knowledge
    from actm.knowledge.coverage import select_frameworks
    from actm.render.interface import RenderOptions
    from actm.render.kb import KbListing

    with guard():
        renderer = pick(KB_LIST_FORMATS, str(fmt), None)
        kb = load_knowledge(knowledge or [])
        entries = kb.sorted()
        if framework:
            wanted = select_frameworks(kb, framework)
            entries = [e for e in entries if any(f in kb.covers(e.id) for f in wanted)]
        emit(renderer, KbListing(kb, tuple(entries)), RenderOptions(), None)


@kb_app.command("coverage")
def kb_coverage(
    framework: FrameworkOpt = None,
    fmt: Annotated[CoverageFormat, typer.Option("--format", "-f", help="Output format.")] = "text",
    summary: Annotated[
        bool, typer.Option("--summary", help="Only the table of counts, not the items.")
    ] = False,
    knowledge: KnowledgeOpt = None,
) -> None:
    """How much of each reference framework the knowledge base covers.

    For each framework (all, or those given with --framework): the items covered, with the
    entries that cover each, the items not covered, and the count and percentage.
    """
    from actm.api import load_knowledge
    from actm.knowledge.coverage import coverage
    from actm.render.interface import RenderOptions

    with guard():
        renderer = pick(COVERAGE_FORMATS, str(fmt), None)
        kb = load_knowledge(knowledge or [])
        reports = coverage(kb, framework or [])
        emit(renderer, reports, RenderOptions(summary=summary), None)


@kb_app.command("show")
def kb_show(
    attack_id: Annotated[str, typer.Argument(help="Entry id.", show_default=False, metavar="ID")],
    knowledge: KnowledgeOpt = None,
) -> None:
    """Show one knowledge-base entry: steps, impact, references."""
    from actm.api import load_knowledge
    from actm.errors import UsageError
    from actm.io.diagnose import did_you_mean
    from actm.render.interface import RenderOptions
    from actm.render.kb import KbEntry

    with guard():
        kb = load_knowledge(knowledge or [])
        entry = kb.attacks.get(attack_id)
        if entry is None:
            close = did_you_mean(attack_id, kb.attacks, what="entries") or ""
            hint = close if close.startswith("did you mean") else "run `actm kb list` for the ids"
            raise UsageError(f"no knowledge-base entry {attack_id!r}; {hint}")
        emit(KB_SHOW_FORMATS["text"], KbEntry(kb, entry), RenderOptions(), None)
