"""JSON values of the type a format expects, whatever the file holds.

A foreign file may hold a number, a boolean, an object or a list where its format has a list or
a string. Importers read such a value as absent, as they read a missing key: the draft leaves
it out, and nothing it holds is guessed. These helpers are the one place that decides this, so
that no importer iterates a number or puts an object in a set (an internal error, exit 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["as_dict", "as_list", "as_str", "dicts", "strings"]


def as_list(value: Any) -> list[Any]:
    """A JSON array's items; none for anything else (absent, null, a wrong type)."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> Mapping[str, Any]:
    """A JSON object; an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str | None:
    """A JSON string; None for anything else."""
    return value if isinstance(value, str) else None


def strings(value: Any) -> list[str]:
    """The strings of a JSON array (other items skipped); none when it is not an array."""
    return [v for v in as_list(value) if isinstance(v, str)]


def dicts(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON array (other items skipped); none when it is not an array."""
    return [v for v in as_list(value) if isinstance(v, dict)]
