"""``actm diff``: what changed between two versions of a model (files or ``git:REV:PATH``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from actm.cli.common import (
    DebugOpt,
    DiffFormat,
    HypothesesOpt,
    KnowledgeOpt,
    Level,
    MaxAliasOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    MaxElementsOpt,
    OutputOpt,
    TodayOpt,
    analyse,
    count,
    emit,
    err,
    guard,
    limits,
    pick,
)
from actm.render.formats import DIFF_FORMATS

if TYPE_CHECKING:
    from actm.io.yaml import Limits
    from actm.results.model import Result


def _side(
    arg: str,
    tmp: Path,
    *,
    knowledge: list[Path] | None,
    triage: list[Path] | None,
    today: str | None,
    reading: Limits,
    hypotheses: bool = False,
) -> Result:
    """The analysis of one side: a file, or a model checked out of git into ``tmp``."""
    from actm.cli.gitsrc import is_git_spec, materialize
    from actm.errors import ModelError

    checkout = materialize(arg, tmp, reading) if is_git_spec(arg) else None
    path = checkout.root if checkout is not None else Path(arg)
    try:
        # the same triage files on both sides: a decision shows on OLD's threats too
        return analyse(
            path,
            knowledge=knowledge,
            triage=triage,
            today=today,
            limits=reading,
            progress=False,
            hypotheses=hypotheses,
        )
    except ModelError as exc:
        if checkout is None:
            raise
        # at git:REV:PATH:line:col, not in the temporary directory about to vanish
        raise checkout.shown_error(exc) from None


def diff(
    old: Annotated[
        str,
        typer.Argument(
            help="The earlier model: a file, or git:REV:PATH.", show_default=False, metavar="OLD"
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            help="The later model: a file, or git:REV:PATH.", show_default=False, metavar="NEW"
        ),
    ],
    fail_on_new: Annotated[
        Level | None,
        typer.Option(
            "--fail-on-new",
            help="Exit 1 when a threat at or above this severity is new or rose to it, and "
            "triage (in NEW) does not settle it.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = "text",
    output: OutputOpt = None,
    knowledge: KnowledgeOpt = None,
    triage: Annotated[
        list[Path] | None,
        typer.Option(
            "--triage",
            help="A triage file (actm: 1, triage: [...]) added to the decisions of both models "
            "(repeatable).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    today: TodayOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    hypotheses: HypothesesOpt = False,
    ignore_hypothetical: Annotated[
        bool,
        typer.Option(
            "--ignore-hypothetical",
            help="Threats that need a posited weakness (--hypotheses) do not fail --fail-on-new.",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """What changed between two versions of a model: threats, assumptions, crossings."""
    import tempfile

    from actm.errors import UsageError
    from actm.render.interface import RenderOptions
    from actm.results.diff import diff_results
    from actm.results.gate import exit_code

    worse: list[str] = []
    with guard(debug), tempfile.TemporaryDirectory(prefix="actm-diff-") as tmp:
        if ignore_hypothetical and fail_on_new is None:
            raise UsageError(
                "--ignore-hypothetical needs --fail-on-new: it leaves threats out of that gate"
            )
        renderer = pick(DIFF_FORMATS, str(fmt), output)
        reading = limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        old_result, new_result = [
            _side(
                arg,
                Path(tmp) / str(n),
                knowledge=knowledge,
                triage=triage,
                today=today,
                reading=reading,
                hypotheses=hypotheses,
            )
            for n, arg in enumerate((old, new))
        ]
        changes = diff_results(old_result, new_result)
        emit(renderer, changes, RenderOptions(), output)
        if fail_on_new is not None:
            level = str(fail_on_new)
            worse = changes.worsened_at_or_above(level, ignore_hypothetical=ignore_hypothetical)
            if worse:
                err(
                    f"actm diff: {count(len(worse), 'threats')} at or above "
                    f"{fail_on_new} new or worse: {', '.join(worse)}"
                )
            ignored = len(set(changes.worsened_at_or_above(level)) - set(worse))
            if ignored:
                err(
                    f"note: {count(ignored, 'hypothetical threats')} at or above "
                    f"{fail_on_new} left out (--ignore-hypothetical)"
                )
    raise typer.Exit(exit_code(worse))
