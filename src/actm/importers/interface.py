"""The importer plugin interface: one class per foreign format, one table of them.

An :class:`Importer` recognises its format from a file's name and first bytes
(:meth:`Importer.detect`) and reads a file of it into a :class:`~actm.importers.draft.Draft`
(:meth:`Importer.read`). Reading never guesses a decision the input does not make: what a person
has to decide is a :class:`~actm.importers.draft.Review` on the element. A file that cannot be
read is refused with a :class:`~actm.errors.ModelError` whose one diagnostic names the file, the
place and the reason (:func:`refuse`).

:mod:`actm.importers.formats` lists the importers; ``actm import --format`` takes its choices
from that table and detection asks each importer in turn.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from actm.errors import Diagnostic, ModelError, SourceLocation
from actm.importers.draft import Draft, Note, Origin
from actm.importers.values import counting_skipped, skipped_note
from actm.io.json import JsonDocument, JsonProblem, read_json_file
from actm.io.yaml import Limits, YamlDocument, YamlProblem, read_yaml_file
from actm.knowledge.vocabulary import Vocabulary, builtin_vocabulary

if TYPE_CHECKING:
    from actm.importers.mcp.registry import Catalogue

__all__ = [
    "HEAD_BYTES",
    "Confidence",
    "ImportOptions",
    "Importer",
    "json_like",
    "read_json",
    "read_yaml",
    "refuse",
]

HEAD_BYTES = 64 * 1024
"""How much of a file detection reads."""


class Confidence(IntEnum):
    """How sure an importer is that a file is of its format."""

    POSSIBLE = 1
    """The name or a common key fits; another format may fit as well."""
    LIKELY = 2
    """Keys that only this format uses."""
    CERTAIN = 3
    """The format names itself (a ``$schema``, a format field, a file name it owns)."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What every importer may read besides the file."""

    limits: Limits = field(default_factory=Limits)
    vocabulary: Vocabulary = field(default_factory=builtin_vocabulary)
    """The vocabulary the model will be read with (asset types, node kinds)."""
    catalogue: Catalogue | None = None
    """MCP servers to look configuration entries up in (``--catalogue``), or None."""

    @property
    def reserved(self) -> frozenset[str]:
        """Ids a draft may not use: the built-in adversaries'."""
        return frozenset(self.vocabulary.adversaries)


class Importer(ABC):
    """One foreign format actm drafts models from."""

    name: ClassVar[str]
    """The format name, as ``--format`` takes it."""
    description: ClassVar[str]
    """What the files are, completing "FILE looks like ..." (starts with an article)."""

    @abstractmethod
    def detect(self, path: Path, head: bytes) -> Confidence | None:
        """How sure this importer is that ``path`` is of its format, from its name and its
        first :data:`HEAD_BYTES` bytes (``head``, possibly cut in the middle); None when it
        is not. Never raises."""

    @abstractmethod
    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        """The draft of the model the file describes. ``shown`` names the file in the draft's
        origins and in messages. Raises :class:`~actm.errors.ModelError` for a file it cannot
        read (:func:`refuse`)."""

    def draft(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        """:meth:`read`, with a note of the values it read as absent for being of another
        type than the format has there (importers/values.py): what the draft leaves out of
        the file is said, never dropped silently."""
        with counting_skipped() as skipped:
            found = self.read(path, shown, options)
        text = skipped_note(skipped)
        if text is None:
            return found
        return replace(found, notes=(*found.notes, Note("unplaced", text, Origin(shown))))


_JSON_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:[\[{]|//|/\*)")


def json_like(head: bytes) -> bool:
    """Whether a file's first bytes can start JSON (or JSON with comments): detection of a
    JSON format asks this first, so that source code quoting its keys is not taken for it."""
    return _JSON_START.match(head) is not None


def refuse(shown: str, reason: str, hint: str, where: SourceLocation | None = None) -> ModelError:
    """The error for a file an importer cannot read: one diagnostic naming the file."""
    return ModelError(
        [
            Diagnostic(
                "cannot-import",
                f"cannot import {shown}: {reason}",
                where or SourceLocation(shown, 1, 1),
                hint,
            )
        ]
    )


def read_json(
    path: Path, shown: str, limits: Limits, *, jsonc: bool = False, preamble: bool = False
) -> JsonDocument:
    """The JSON of ``path`` within ``limits``; a :class:`~actm.errors.ModelError` otherwise."""
    try:
        return read_json_file(path, limits, shown=shown, jsonc=jsonc, preamble=preamble)
    except JsonProblem as exc:
        raise ModelError(exc.diagnostics) from None


def read_yaml(path: Path, shown: str, limits: Limits) -> YamlDocument:
    """The YAML of ``path`` within ``limits``; a :class:`~actm.errors.ModelError` otherwise."""
    try:
        return read_yaml_file(path, limits, shown=shown)
    except YamlProblem as exc:
        raise ModelError(exc.diagnostics) from None
