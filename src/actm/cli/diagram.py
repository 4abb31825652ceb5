"""``actm diagram``: the infrastructure, the asset lineage or one threat's chain as a diagram.

DOT and Mermaid are text written by actm; SVG and PNG are drawn by Graphviz (the ``graphviz``
Python package and the ``dot`` program), imported only when asked for. The command is
registered in :mod:`actm.cli.main`; the helpers it shares with the other commands are imported
from there when it runs.
"""

from __future__ import annotations

import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from actm.errors import UsageError

__all__ = ["DiagramFormat", "diagram", "draw", "graphviz_available"]

INSTALL_HINT = (
    "install the Python package with `pip install 'actm[diagram]'` and the Graphviz programs "
    "with `apt-get install graphviz` (Debian, Ubuntu) or `brew install graphviz` (macOS); "
    "or write --format dot and draw it elsewhere"
)


class DiagramFormat(StrEnum):
    dot = "dot"
    mermaid = "mermaid"
    svg = "svg"
    png = "png"


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise UsageError(f"SVG and PNG need Graphviz: {INSTALL_HINT}") from None
    return graphviz


def graphviz_available() -> bool:
    """Whether SVG and PNG can be drawn here: the graphviz package and the dot program."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def draw(dot: str, fmt: str) -> bytes:
    """Render DOT text to ``svg`` or ``png`` bytes with Graphviz."""
    graphviz = _graphviz()
    try:
        data: bytes = graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise UsageError(f"the Graphviz program `dot` is not installed: {INSTALL_HINT}") from None
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace").strip() if exc.stderr else ""
        raise UsageError(f"Graphviz failed to draw the diagram: {stderr or exc}") from None
    return data


def _write_bytes(data: bytes, output: Path | None, fmt: str) -> None:
    if output is None or str(output) == "-":
        if fmt == "png" and sys.stdout.isatty():
            raise UsageError("PNG is binary: write it to a file with --output FILE.png")
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if output.is_dir():
        raise UsageError(f"--output {output} is a directory")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def diagram(
    file: Annotated[
        Path, typer.Argument(help="The model file.", show_default=False, metavar="FILE")
    ],
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
    ] = DiagramFormat.dot,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    knowledge: Annotated[
        list[Path] | None,
        typer.Option(
            "--knowledge",
            "-k",
            help="Directory with extra or overriding vocabulary/, attacks/, controls/, "
            "frameworks/ and mappings/ files (repeatable).",
            show_default=False,
            metavar="DIR",
        ),
    ] = None,
    no_controls: Annotated[
        bool,
        typer.Option("--no-controls", help="Ignore the model's controls (inherent threats)."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Draw the infrastructure, the asset lineage or one threat's chain (DOT, Mermaid, SVG, PNG).

    Only the threat view runs the analysis; the others draw the model as written.
    """
    from actm.cli.main import _guard, _limits, _run, _write

    with _guard(debug):
        from actm.render.diagram import parse_view, render_dot, render_mermaid

        name, _ = parse_view(view)
        binary = fmt in (DiagramFormat.svg, DiagramFormat.png)
        if binary:
            _graphviz()  # say how to install it before spending time on the analysis
        limits = _limits(None, None, None)
        if name == "threat":
            _, result = _run(
                file,
                knowledge=knowledge,
                triage=None,
                today=None,
                limits=limits,
                controls=not no_controls,
            )
            graph = result.graph
        else:
            from actm.api import load_knowledge, load_model
            from actm.results.graph import system_graph

            kb = load_knowledge(knowledge or [])
            graph = system_graph(load_model(file, knowledge=kb, limits=limits))
            result = None
        if fmt is DiagramFormat.mermaid:
            _write(render_mermaid(graph, view, result), output)
            return
        dot = render_dot(graph, view, result)
        if binary:
            _write_bytes(draw(dot, fmt.value), output, fmt.value)
        else:
            _write(dot, output)
