"""SVG and PNG drawn from DOT text by Graphviz: the ``graphviz`` Python package (the extra
``actm[diagram]``) and the ``dot`` program, both looked for only when asked for."""

from __future__ import annotations

import shutil
from typing import Any

from actm.errors import UsageError
from actm.render.interface import MissingExtra

__all__ = ["check_graphviz", "draw", "graphviz_available"]

PIP_HINT = "install the Python package with `pip install 'actm[diagram]'`"
DOT_HINT = (
    "install the Graphviz programs with `apt-get install graphviz` (Debian, Ubuntu) or "
    "`brew install graphviz` (macOS)"
)
ELSEWHERE = "; or write --format dot and draw it elsewhere"


def _dot_missing() -> str:
    return f"the Graphviz program `dot` is not installed: {DOT_HINT}{ELSEWHERE}"


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        both = f" and {DOT_HINT.removeprefix('install ')}" if shutil.which("dot") is None else ""
        raise MissingExtra(f"SVG and PNG need Graphviz: {PIP_HINT}{both}{ELSEWHERE}") from None
    return graphviz


def check_graphviz() -> None:
    """Raise :class:`~actm.render.interface.MissingExtra` when SVG and PNG cannot be drawn: the
    package, then the ``dot`` program (without the pip hint when the package is there)."""
    _graphviz()
    if shutil.which("dot") is None:
        raise MissingExtra(_dot_missing())


def graphviz_available() -> bool:
    """Whether SVG and PNG can be drawn here: the graphviz package and the dot program."""
    try:
        check_graphviz()
    except MissingExtra:
        return False
    return True


def draw(dot: str, fmt: str) -> bytes:
    """Render DOT text to ``svg`` or ``png`` bytes with Graphviz."""
    graphviz = _graphviz()
    try:
        data: bytes = graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise MissingExtra(_dot_missing()) from None
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace").strip() if exc.stderr else ""
        raise UsageError(f"Graphviz failed to draw the diagram: {stderr or exc}") from None
    return data
