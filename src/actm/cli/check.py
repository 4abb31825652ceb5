"""``actm check``: the CI gate; exit 1 when threats at or above ``--fail-on`` are not settled."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from actm.cli.common import (
    CheckFormat,
    DebugOpt,
    FileArg,
    HypothesesOpt,
    KnowledgeOpt,
    Level,
    MaxAliasOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    MaxElementsOpt,
    TodayOpt,
    TriageOpt,
    analyse,
    emit,
    guard,
    limits,
    output_path,
    pick,
    sarif_base,
)
from actm.errors import EXIT_OK
from actm.render.formats import CHECK_FORMATS, FORMATS


def check(
    file: FileArg,
    fail_on: Annotated[
        Level,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an untriaged (or expired) threat at or above this severity exists.",
        ),
    ] = "high",
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format", "-f", help="text; json; github (workflow annotations, then the summary)."
        ),
    ] = "text",
    sarif: Annotated[
        Path | None,
        typer.Option(
            "--sarif", help="Also write SARIF to this file.", metavar="FILE", parser=output_path
        ),
    ] = None,
    knowledge: KnowledgeOpt = None,
    triage: TriageOpt = None,
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
            help="Threats that need a posited weakness (--hypotheses) do not fail the gate.",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """CI gate: exit 1 when threats at or above --fail-on are not triaged, else 0."""
    from actm.render.interface import RenderOptions
    from actm.results.gate import gate

    code = EXIT_OK
    with guard(debug):
        renderer = pick(CHECK_FORMATS, str(fmt), None)
        result = analyse(
            file,
            knowledge=knowledge,
            triage=triage,
            today=today,
            limits=limits(max_file_bytes, max_depth, max_alias_expansion, max_elements),
            progress=False,
            hypotheses=hypotheses,
        )
        options = RenderOptions(model_path=str(file), sarif_base=sarif_base(file))
        if sarif is not None:
            emit(FORMATS["sarif"], result, options, sarif)
        decision = gate(result, str(fail_on), ignore_hypothetical=ignore_hypothetical)
        emit(renderer, decision, options, None)
        code = decision.exit_code
    raise typer.Exit(code)
