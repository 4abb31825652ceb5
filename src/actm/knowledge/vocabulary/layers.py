"""Reading the vocabulary files and layering overlays on the built-in ones.

The built-in files are read first, then each ``DIR/vocabulary/<file>.yaml`` of every
``--knowledge DIR`` in order. Entries with an ``id`` replace the entry of that id or add one;
table keys replace the key; any other section replaces the section. What results is a
:class:`Merged`: every entry with the document and path it came from, for located errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from actm.errors import Diagnostic, KnowledgeError, SourceLocation
from actm.io.diagnose import did_you_mean, validate_document
from actm.io.yaml import YamlDocument, YamlProblem
from actm.knowledge.files import builtin_dir, knowledge_files, read_knowledge_doc
from actm.knowledge.vocabulary.schema import FILES, NESTED_SECTIONS

__all__ = ["EntryOrigin", "Merged", "builtin_dir", "knowledge_files", "read_layers"]


@dataclass
class EntryOrigin:
    """Where one vocabulary entry was written."""

    doc: YamlDocument
    path: tuple[str | int, ...]

    def location(self) -> SourceLocation:
        return self.doc.locate(self.path)


@dataclass
class Merged:
    """Entries by section and id (or key), with where each came from.

    Sections are named ``<file>:<section>`` (``propagation.yaml:dependency``), or
    ``<file>:<section>.<key>`` for the keys of a nested section (``propagation.yaml:agency.call``).
    """

    entries: dict[str, dict[str, tuple[Any, EntryOrigin]]] = field(default_factory=dict)
    singles: dict[str, tuple[Any, EntryOrigin]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def put(self, section: str, key: str, value: Any, origin: EntryOrigin) -> None:
        self.entries.setdefault(section, {})[key] = (value, origin)

    def values(self, section: str) -> list[tuple[Any, EntryOrigin]]:
        return list(self.entries.get(section, {}).values())

    def table(self, section: str) -> dict[str, tuple[Any, EntryOrigin]]:
        return self.entries.get(section, {})


def read_layers(extra: tuple[Path, ...]) -> Merged:
    """The built-in files with each directory of ``extra`` laid over them, in order."""
    merged = Merged()
    errors: list[Diagnostic] = []
    base = builtin_dir() / "vocabulary"
    for name in FILES:
        doc = _read(base / name, f"<actm>/knowledge/data/vocabulary/{name}")
        _absorb(merged, name, doc, errors)
    for d in extra:
        if not d.is_dir():
            raise KnowledgeError(
                [
                    Diagnostic(
                        "knowledge-dir",
                        f"knowledge directory {d} does not exist",
                        None,
                        "pass a directory holding vocabulary/ and/or attacks/",
                    )
                ]
            )
        for path in knowledge_files(d, "vocabulary"):
            if path.name not in FILES:
                errors.append(
                    Diagnostic(
                        "unknown-vocabulary-file",
                        f"{path.name} is not a vocabulary file",
                        SourceLocation(str(path), 1, 1),
                        did_you_mean(path.name, FILES, what="file names"),
                    )
                )
                continue
            _absorb(merged, path.name, _read(path, str(path)), errors)
    if errors:
        raise KnowledgeError(errors)
    return merged


def _read(path: Path, shown: str) -> YamlDocument:
    try:
        return read_knowledge_doc(path, shown)
    except YamlProblem as exc:
        raise KnowledgeError(exc.diagnostics) from None


def _absorb(merged: Merged, name: str, doc: YamlDocument, errors: list[Diagnostic]) -> None:
    cls = FILES[name]
    parsed, diags = validate_document(cls, doc)
    if parsed is None:
        errors.extend(diags)
        return
    merged.sources.append(doc.path)
    for section in cls.model_fields:
        if section not in (doc.data or {}):
            continue
        value = getattr(parsed, section)
        key_name = cls.model_fields[section].alias or section
        if isinstance(value, list) and value and hasattr(value[0], "id"):
            for i, entry in enumerate(value):
                merged.put(f"{name}:{section}", entry.id, entry, EntryOrigin(doc, (key_name, i)))
        elif isinstance(value, dict):
            for k, v in value.items():
                merged.put(f"{name}:{section}", str(k), v, EntryOrigin(doc, (key_name, k)))
        elif isinstance(value, BaseModel) and section in NESTED_SECTIONS:
            _absorb_nested(merged, f"{name}:{section}", value, doc, section)
        else:
            merged.singles[f"{name}:{section}"] = (value, EntryOrigin(doc, (key_name,)))


def _absorb_nested(
    merged: Merged, prefix: str, value: BaseModel, doc: YamlDocument, section: str
) -> None:
    for sub in type(value).model_fields:
        if sub not in (doc.data.get(section) or {}):
            continue
        subval = getattr(value, sub)
        if isinstance(subval, dict):
            for k, v in subval.items():
                merged.put(f"{prefix}.{sub}", str(k), v, EntryOrigin(doc, (section, sub, k)))
        else:
            merged.singles[f"{prefix}.{sub}"] = (subval, EntryOrigin(doc, (section, sub)))
