"""``actm diagram``: the infrastructure, the asset lineage or one threat's chain as a diagram.

DOT and Mermaid are text written by actm; SVG and PNG are drawn by Graphviz (the ``graphviz``
Python package and the ``dot`` program), looked for before anything else runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from actm.cli.common import (
    DebugOpt,
    DiagramFormat,
    FileArg,
    KnowledgeOpt,
    OutputOpt,
    analyse,
    emit,
    guard,
    limits,
    pick,
)
from actm.render.formats import DIAGRAM_FORMATS


def diagram(
    file: FileArg,
    view: Annotated[
        str,
        typer.Option(
            "--view",
            help="infrastructure (zones, nodes, residency, egress); lineage (how assets derive "
            "from and feed each other); threat:ID (one threat's chain).",
            metavar="VIEW",
        ),
    ] = "infrastructure",
    fmt: Annotated[
        DiagramFormat,
        typer.Option("--format", "-f", help="dot and mermaid are text; svg and png need Graphviz."),
    ] = "dot",
    output: OutputOpt = None,
    knowledge: KnowledgeOpt = None,
    no_controls: Annotated[
        bool,
        typer.Option("--no-controls", help="Ignore the model's controls (inherent threats)."),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Draw the infrastructure, the asset lineage or one threat's chain (DOT, Mermaid, SVG, PNG).

    Only the threat view runs the analysis; the others draw the model as written.
    """
    from actm.render.diagram import DiagramView, parse_view
    from actm.render.interface import RenderOptions

    with guard(debug):
        name, _ = parse_view(view)
        # say how to install Graphviz before spending time on the analysis
        renderer = pick(DIAGRAM_FORMATS, str(fmt), output)
        reading = limits()
        if name == "threat":
            result = analyse(
                file,
                knowledge=knowledge,
                triage=None,
                today=None,
                limits=reading,
                controls=not no_controls,
            )
            shown = DiagramView(result.graph, view, result)
        else:
            from actm.api import load_knowledge, load_model
            from actm.results.graph import system_graph

            kb = load_knowledge(knowledge or [])
            shown = DiagramView(system_graph(load_model(file, knowledge=kb, limits=reading)), view)
        emit(renderer, shown, RenderOptions(), output)
