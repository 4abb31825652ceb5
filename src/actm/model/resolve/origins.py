"""Where elements were written, and the model files merged into one."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actm.errors import SourceLocation
from actm.io.yaml import YamlDocument
from actm.model.schema import SECTIONS, ModelFile

__all__ = ["Origin", "SourceFile", "merge_files", "relative_files"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an element was written: a document and the path to it inside the document."""

    doc: YamlDocument | None
    path: tuple[str | int, ...]

    def at(self, *sub: str | int, key: bool = False) -> SourceLocation | None:
        if self.doc is None:
            return None
        return self.doc.locate(self.path + sub, key=key)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One validated model file and the document it came from (None for the builder)."""

    file: ModelFile
    doc: YamlDocument | None
    indices: Mapping[str, Sequence[int]] | None = None
    """For sections whose schema-invalid elements were left out: the index in the document of
    each element kept, so that locations stay right."""


def merge_files(files: Sequence[SourceFile]) -> tuple[ModelFile, dict[str, list[Origin]]]:
    """Concatenate the sections of several files; origins[section][i] locates element i."""
    origins: dict[str, list[Origin]] = {s: [] for s in SECTIONS}
    merged: dict[str, list[Any]] = {s: [] for s in SECTIONS}
    for sf in files:
        for section in SECTIONS:
            items = getattr(sf.file, section)
            where = sf.indices.get(section) if sf.indices else None
            for i, item in enumerate(items):
                merged[section].append(item)
                origins[section].append(Origin(sf.doc, (section, where[i] if where else i)))
    root = files[0].file
    default_adv = root.default_adversaries
    fields: dict[str, Any] = {
        "actm": 1,
        "system": root.system,
        "include": [],
        "default_adversaries": default_adv,
        "analysis": root.analysis,
        **merged,
    }
    combined = ModelFile.model_construct(**fields)
    return combined, origins


def relative_files(paths: Sequence[str]) -> tuple[str, ...]:
    """The root file's name and the included files relative to its directory, so that a result
    does not depend on the directory actm was run from."""
    if not paths:
        return ()
    base = os.path.dirname(os.path.abspath(paths[0]))
    return tuple(os.path.relpath(os.path.abspath(p), base).replace(os.sep, "/") for p in paths)


def root_dir(files: Sequence[SourceFile]) -> str | None:
    """The directory of the root file, or None when it was not read from disk."""
    if not files or files[0].doc is None or files[0].doc.path.startswith("<"):
        return None
    return os.path.dirname(os.path.abspath(files[0].doc.path))
