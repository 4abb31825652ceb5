"""A libyaml syntax error as a located diagnostic with a hint for the usual mistakes."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from actm.errors import Diagnostic, SourceLocation
from actm.io.yaml.limits import YamlProblem
from actm.io.yaml.nodes import location

__all__ = ["syntax_problem"]

_HINTS = (
    ("mapping values are not allowed", "a value containing ': ' must be quoted"),
    ("could not find expected ':'", "each key needs a ':' after it; check the line above"),
    ("did not find expected key", "check the indentation of this line against the lines above"),
    ("did not find expected ','", "a flow list [a, b] or mapping {a: b} is not closed"),
    ("found undefined alias", "define the anchor (&name) before using the alias (*name)"),
    (
        "found unexpected ':'",
        "inside [...] or {...}, a value containing ':' (a URL, a time) must be quoted",
    ),
    ("found character '@'", "values starting with @ or ` must be quoted"),
    ("found unexpected end of stream", "a quoted string or a flow collection is not closed"),
)
_TAB_HINT = "indent with spaces; YAML does not allow tab characters in indentation"


def _line_text(text: str, line: int) -> str:
    """Line ``line`` (0-based) of ``text``."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _tab_column(text: str, mark: Any, problem: str) -> int | None:
    """0-based column of the indentation tab that caused a syntax error, if a tab did."""
    line = _line_text(text, int(mark.line))
    indent = len(line) - len(line.lstrip(" \t"))
    tab = line.find("\t", 0, indent)
    if tab >= 0 and int(mark.column) <= indent:
        return tab
    if "tab character" in problem:
        return int(mark.column)
    return None


_YAML_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _clamp(text: str, loc: SourceLocation) -> SourceLocation:
    """``loc``, or the end of the last line if it lies past it.

    At the end of a file that does not end with a line break, libyaml reports errors on the
    line after the last one.
    """
    breaks = _YAML_BREAK_RE.findall(text)
    if loc.line <= len(breaks):
        return loc
    last = text[text.rfind(breaks[-1]) + len(breaks[-1]) :] if breaks else text
    if loc.line == len(breaks) + 1 and loc.column <= len(last) + 1:
        return loc
    return replace(loc, line=len(breaks) + 1, column=len(last) + 1)


def syntax_problem(exc: Exception, path: str, text: str = "") -> YamlProblem:
    problem = str(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    context = getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    loc = location(path, mark) if mark is not None else SourceLocation(path, 1, 1)
    if text:
        loc = _clamp(text, loc)
    if mark is not None:
        tab = _tab_column(text, mark, problem)
        if tab is not None:
            return YamlProblem(
                [
                    Diagnostic(
                        "tab-indent",
                        "a tab character is used for indentation",
                        SourceLocation(path, loc.line, tab + 1),
                        _TAB_HINT,
                    )
                ]
            )
    if "another document" in problem:
        return YamlProblem(
            [
                Diagnostic(
                    "multiple-documents",
                    "the file holds more than one YAML document",
                    loc,
                    "a model file holds one YAML document; remove the extra '---', or split "
                    "the documents into files and join them with include:",
                )
            ]
        )
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    hint = "fix the YAML syntax at this place"
    words = f"{problem} {context or ''}"
    for needle, h in _HINTS:
        if needle in words:
            hint = h
            break
    return YamlProblem([Diagnostic("yaml-syntax", message, loc, hint)])
