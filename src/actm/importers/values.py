"""JSON values of the type a format expects, whatever the file holds.

A foreign file may hold a number, a boolean, an object or a list where its format has a list or
a string. Importers read such a value as absent, as they read a missing key: the draft leaves
it out, and nothing it holds is guessed. These helpers are the one place that decides this, so
that no importer iterates a number or puts an object in a set (an internal error, exit 3).

What is left out that way is not left out silently: while :func:`counting_skipped` is active
(the import of one file: :meth:`~actm.importers.interface.Importer.draft`), each value of
another type (null aside, which a format means as absent) is counted by what was expected and
what was found, and the draft gets a note of those kinds (:func:`skipped_note`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "as_dict",
    "as_list",
    "as_str",
    "counting_skipped",
    "dicts",
    "is_dict",
    "skip",
    "skipped_note",
    "strings",
]

Skipped = Counter[tuple[str, str]]
"""(what the format has there, what the file holds) -> how many values were read as absent."""

_SKIPPED: ContextVar[Skipped | None] = ContextVar("actm_importer_skipped", default=None)


@contextmanager
def counting_skipped() -> Iterator[Skipped]:
    """Count the values the helpers below read as absent for their type, until the block ends."""
    found: Skipped = Counter()
    token = _SKIPPED.set(found)
    try:
        yield found
    finally:
        _SKIPPED.reset(token)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "another value"


def skip(expected: str, value: Any) -> None:
    """Count ``value`` as read as absent where ``expected`` belongs (null is not counted)."""
    found = _SKIPPED.get()
    if found is not None and value is not None:
        found[(expected, _json_type(value))] += 1


def skipped_note(found: Skipped) -> str | None:
    """The note for the values ``found`` read as absent, or None when there were none. It
    names the kinds, not a count: an importer may read one value at two places."""
    if not found:
        return None
    kinds = "; ".join(f"{got} where {expected} belongs" for expected, got in sorted(found))
    return (
        f"values of another type than the format has there were read as absent ({kinds}): "
        "what they hold is not in the draft; check the file against its format"
    )


def as_list(value: Any) -> list[Any]:
    """A JSON array's items; none for anything else (absent, null, a wrong type)."""
    if isinstance(value, list):
        return value
    skip("a list", value)
    return []


def as_dict(value: Any) -> Mapping[str, Any]:
    """A JSON object; an empty one for anything else."""
    if isinstance(value, dict):
        return value
    skip("an object", value)
    return {}


def as_str(value: Any) -> str | None:
    """A JSON string; None for anything else."""
    if isinstance(value, str):
        return value
    skip("a string", value)
    return None


def strings(value: Any) -> list[str]:
    """The strings of a JSON array (other items skipped); none when it is not an array."""
    return [v for v in as_list(value) if as_str(v) is not None]


def dicts(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON array (other items skipped); none when it is not an array."""
    return [v for v in as_list(value) if is_dict(v)]


def is_dict(value: Any) -> bool:
    """Whether ``value`` is a JSON object (another value is counted as read as absent)."""
    if isinstance(value, dict):
        return True
    skip("an object", value)
    return False
