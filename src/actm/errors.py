"""Errors and diagnostics shared by every layer of actm.

Every problem actm reports about its input is a :class:`Diagnostic`: a message, the place in a
file it concerns (``path:line:col``), a hint saying how to fix it, and a short stable code that
tests and tools can rely on. Exceptions carry diagnostics; the CLI turns them into messages and
exit codes in one place.

The exception tree::

    ActmError                      base of everything actm raises on purpose
    ├── ModelError                 the user's system model is broken       (exit 2)
    ├── UsageError                 bad command-line usage or arguments     (exit 2)
    ├── KnowledgeError             a vocabulary or knowledge entry is bad  (exit 3)
    └── InternalError              a fault inside actm itself              (exit 3)

``ModelError`` and ``KnowledgeError`` collect every diagnostic found, so a user sees all problems
of a file at once rather than one per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "ActmError",
    "Diagnostic",
    "InternalError",
    "KnowledgeError",
    "ModelError",
    "SourceLocation",
    "UsageError",
    "one_line",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# every character str.splitlines() breaks a line at, and tab
_BREAKS = (*range(0x09, 0x0E), 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)
_LINE_BREAKS = {c: f"\\u{c:04x}" for c in _BREAKS}


def one_line(text: str) -> str:
    """``text`` with its line breaks (and tabs) spelled out as JSON spells them (``\\u000a``).

    For a file name, or a message that quotes one, on a line of output: a file named
    ``x\\n::error file=a::y`` must not start a line of its own, which would forge a diagnostic
    or a CI workflow command. The other control characters are spelled out where messages are
    shown (:func:`actm.io.visible.visible`, which keeps line feeds for multi-line text)."""
    return text.translate(_LINE_BREAKS)


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A position in a source file; line and column are 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in an input file."""

    code: str
    message: str
    location: SourceLocation | None = None
    hint: str | None = None
    severity: str = "error"
    """``error``, or ``warning`` for a likely modelling slip that does not stop the model from
    loading (``actm validate`` prints it; ``--strict`` makes it an error)."""

    def format(self) -> str:
        """Render as ``path:line:col: message`` followed by an indented hint line."""
        where = f"{one_line(str(self.location))}: " if self.location is not None else ""
        text = f"{where}{self.severity}[{self.code}]: {one_line(self.message)}"
        if self.hint:  # a hint may name a file too (a hostile repository's file names)
            text += f"\n    hint: {one_line(self.hint)}"
        return text

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        if loc is None:
            return ("", 0, 0, self.code, self.message)
        return (loc.path, loc.line, loc.column, self.code, self.message)


class ActmError(Exception):
    """Base class of every error actm raises deliberately."""

    exit_code: int = EXIT_INTERNAL

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is not None:
            return one_line(f"{self.location}: {self.message}")
        return one_line(self.message)


class _DiagnosticsError(ActmError):
    def __init__(self, diagnostics: Iterable[Diagnostic], summary: str | None = None) -> None:
        diags = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        if not diags:
            raise ValueError("an error needs at least one diagnostic")
        first = diags[0]
        super().__init__(summary or first.message, first.location)
        self.diagnostics = diags

    def __str__(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


class ModelError(_DiagnosticsError):
    """The system model (a user's YAML file or builder input) is invalid."""

    exit_code = EXIT_USAGE


class KnowledgeError(_DiagnosticsError):
    """A vocabulary table or knowledge-base entry is invalid; analysis cannot be trusted."""

    exit_code = EXIT_INTERNAL


class UsageError(ActmError):
    """The command line or API was called with arguments that cannot work."""

    exit_code = EXIT_USAGE


class InternalError(ActmError):
    """An invariant inside actm was broken; this is a bug in actm."""

    exit_code = EXIT_INTERNAL
