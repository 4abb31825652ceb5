"""``actm diagram``: the infrastructure, the asset lineage or one threat's chain as a diagram.

DOT and Mermaid are text written by actm; SVG and PNG are drawn by Graphviz (the ``graphviz``
Python package and the ``dot`` program), imported only when asked for. The command is
registered in :mod:`actm.cli.main`; the helpers it shares with the other commands are imported
from there when it runs.
"""

from __future__ import annotations

import re
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from actm.errors import UsageError

__all__ = ["DiagramFormat", "diagram", "draw", "graphviz_available", "mermaid_warnings"]

PIP_HINT = "install the Python package with `pip install 'actm[diagram]'`"
DOT_HINT = (
    "install the Graphviz programs with `apt-get install graphviz` (Debian, Ubuntu) or "
    "`brew install graphviz` (macOS)"
)
ELSEWHERE = "; or write --format dot and draw it elsewhere"
MERMAID_MAX_EDGES = 500
"""Mermaid's default ``maxEdges``: a diagram with more edges is refused by Mermaid."""
MERMAID_MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize`` in characters."""
_MERMAID_EDGE = re.compile(r"^\s*\S+ (?:-->|==>|-\.-)", re.M)


class DiagramFormat(StrEnum):
    dot = "dot"
    mermaid = "mermaid"
    svg = "svg"
    png = "png"


def _dot_missing() -> str:
    return f"the Graphviz program `dot` is not installed: {DOT_HINT}{ELSEWHERE}"


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        both = f" and {DOT_HINT.removeprefix('install ')}" if shutil.which("dot") is None else ""
        raise UsageError(f"SVG and PNG need Graphviz: {PIP_HINT}{both}{ELSEWHERE}") from None
    return graphviz


def _check_graphviz() -> None:
    """Fail now, before any analysis, when SVG or PNG cannot be drawn: the package, then the
    ``dot`` program (without the pip hint when the package is there)."""
    _graphviz()
    if shutil.which("dot") is None:
        raise UsageError(_dot_missing())


def mermaid_warnings(text: str) -> list[str]:
    """Why Mermaid with its default settings would refuse to draw ``text``, if it would."""
    out = []
    edges = len(_MERMAID_EDGE.findall(text))
    if edges > MERMAID_MAX_EDGES:
        out.append(
            f"the Mermaid diagram has {edges:,} edges, more than Mermaid draws by default "
            f"(maxEdges {MERMAID_MAX_EDGES}); raise maxEdges where you render it, or use "
            "--format dot or svg"
        )
    if len(text) > MERMAID_MAX_TEXT:
        out.append(
            f"the Mermaid diagram is {len(text):,} characters, more than Mermaid accepts by "
            f"default (maxTextSize {MERMAID_MAX_TEXT:,}); raise maxTextSize where you render "
            "it, or use --format dot or svg"
        )
    return out


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
        raise UsageError(_dot_missing()) from None
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
            _check_graphviz()  # say how to install it before spending time on the analysis
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
            text = render_mermaid(graph, view, result)
            for warning in mermaid_warnings(text):
                typer.echo(f"warning: {warning}", err=True)
            _write(text, output)
            return
        dot = render_dot(graph, view, result)
        if binary:
            _write_bytes(draw(dot, fmt.value), output, fmt.value)
        else:
            _write(dot, output)
