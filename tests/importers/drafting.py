"""Helpers of the importer tests: the fixtures directory, drafting a file, reading a draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from actm.importers.draft import Draft, thawed
from actm.importers.formats import importer
from actm.importers.interface import ImportOptions

FIXTURES = Path(__file__).parent / "fixtures"


def read(format: str, path: Path, options: ImportOptions | None = None) -> Draft:
    """The draft one importer reads from ``path`` (shown relative to the fixtures)."""
    shown = str(path.relative_to(FIXTURES)) if path.is_relative_to(FIXTURES) else path.name
    return importer(format).read(path, shown, options or ImportOptions())


def element(draft: Draft, section: str, ident: str) -> dict[str, Any]:
    """The fields of one element, as plain values (fails when it is absent)."""
    for e in draft.section(section):
        if e.id == ident:
            return dict(thawed(e.fields))
    raise AssertionError(f"{section}/{ident} not drafted; there are {ids(draft, section)}")


def ids(draft: Draft, section: str) -> list[str]:
    return [e.id for e in draft.section(section)]


def reviews(draft: Draft, ident: str) -> list[str]:
    """The keys of the review questions of element ``ident``."""
    found = next(e for e in (draft.system, *draft.elements) if e is not None and e.id == ident)
    return [r.key for r in found.review]
