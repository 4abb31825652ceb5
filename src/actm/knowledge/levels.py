"""The severity levels of a threat, lowest first: the bands ``vocabulary/severity.yaml`` names.

They sit here, below the engine, so that the engine (which rates threats) and the renderers
(which sort and count them, and may not import the engine) read the same tuple.
"""

from __future__ import annotations

__all__ = ["LEVELS", "level_rank"]

LEVELS = ("info", "low", "medium", "high", "critical")


def level_rank(level: str) -> int:
    """0 for ``info`` up to 4 for ``critical``."""
    return LEVELS.index(level)
