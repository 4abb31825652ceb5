"""``actm analyze``: analyse a model and write the report in any format of the table."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from actm.cli.common import (
    DebugOpt,
    FileArg,
    Format,
    HypothesesOpt,
    KnowledgeOpt,
    Level,
    MaxAliasOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    MaxElementsOpt,
    OutputOpt,
    TodayOpt,
    TriageOpt,
    analyse,
    emit,
    guard,
    limits,
    pick,
    read_sources,
    sarif_base,
)
from actm.lifetime import leave
from actm.render.formats import FORMATS


def analyze(
    file: FileArg,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = "text",
    output: OutputOpt = None,
    knowledge: KnowledgeOpt = None,
    triage: TriageOpt = None,
    today: TodayOpt = None,
    no_controls: Annotated[
        bool, typer.Option("--no-controls", help="Ignore the model's controls (inherent view).")
    ] = False,
    tolerance_severity: Annotated[
        Level, typer.Option(help="Severity that an assumption's tolerance must keep out.")
    ] = "high",
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the text summary.")
    ] = None,
    hypotheses: HypothesesOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyse a model: threats with chains, out-of-scope attacks, capabilities, assumptions."""
    from actm.render.interface import RenderOptions

    with guard(debug):
        renderer = pick(FORMATS, str(fmt), output)
        result = analyse(
            file,
            knowledge=knowledge,
            triage=triage,
            today=today,
            limits=limits(max_file_bytes, max_depth, max_alias_expansion, max_elements),
            controls=not no_controls,
            tolerance_severity=str(tolerance_severity),
            hypotheses=hypotheses,
        )
        if color is None:
            color = (
                output is None
                and sys.stdout is not None
                and sys.stdout.isatty()
                and "NO_COLOR" not in os.environ
            )
        options = RenderOptions(
            color=color,
            sarif_base=sarif_base(file),
            sources=read_sources(result, file) if renderer.uses_sources else None,
        )
        emit(renderer, result, options, output)
        leave(result)
