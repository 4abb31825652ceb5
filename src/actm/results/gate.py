"""The CI gate: which threats fail ``--fail-on``, and the exit code that says so.

A threat fails the gate when its severity is at or above the chosen level and triage has not
settled it (no decision, a decision that is ``open`` or ``in_progress``, or one that has
expired). With ``ignore_hypothetical``, threats that need a posited weakness do not fail it.
``actm check`` renders the :class:`Gate` and exits with :attr:`Gate.exit_code`;
``actm diff --fail-on-new`` exits with :func:`exit_code` of the threats that got worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from dataclasses import dataclass

from actm.errors import EXIT_FINDINGS, EXIT_OK
from actm.results.model import Result, Threat
from actm.terms import level_rank

__all__ = ["Gate", "exit_code", "failing_threats", "gate"]


@dataclass(frozen=True, slots=True)
class Gate:
    """The gate's decision on one analysis."""

    result: Result
    fail_on: str
    """The severity that fails the gate: critical, high, medium, low or info."""
    failing: tuple[Threat, ...]
    """The threats at or above ``fail_on`` that triage does not settle, in the result's order."""
    ignored_hypothetical: int = 0
    """Hypothetical threats at or above ``fail_on`` left out of the gate."""

    @property
    def passed(self) -> bool:
        return not self.failing

    @property
    def exit_code(self) -> int:
        return exit_code(self.failing)


def failing_threats(threats: Iterable[Threat], fail_on: str) -> tuple[Threat, ...]:
    """The threats at or above ``fail_on`` without a settled triage decision, in their order."""
    floor = level_rank(fail_on)
    return tuple(
        t
        for t in threats
        if level_rank(t.severity.level) >= floor and not (t.triage and t.triage.settled)
    )


def gate(result: Result, fail_on: str, *, ignore_hypothetical: bool = False) -> Gate:
    """The gate's decision on ``result`` at ``fail_on``; with ``ignore_hypothetical``, threats
    that need a posited weakness are left out."""
    failing = failing_threats(result.threats, fail_on)
    if not ignore_hypothetical:
        return Gate(result, fail_on, failing)
    kept = tuple(t for t in failing if not t.hypothetical)
    return Gate(result, fail_on, kept, len(failing) - len(kept))


def exit_code(failing: Sized) -> int:
    """1 (findings) when anything fails the gate, else 0."""
    return EXIT_FINDINGS if len(failing) else EXIT_OK
