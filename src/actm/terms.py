"""Terms of the domain that every layer shares: the ground floor, importing nothing of actm.

Only what more than one layer needs to agree on lives here, so that a renderer can order
severities without importing the engine that computes them.
"""

from __future__ import annotations

__all__ = ["LEVELS", "level_rank"]

LEVELS = ("info", "low", "medium", "high", "critical")
"""Severity levels of a threat, lowest first."""


def level_rank(level: str) -> int:
    """The position of ``level`` in :data:`LEVELS` (0 for info, 4 for critical).

    Raises ValueError for a name that is not a level.
    """
    return LEVELS.index(level)
