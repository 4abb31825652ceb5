"""Finding and reading knowledge files: list a directory, read one file within bounds, check it
against its schema, collecting problems.

A knowledge directory (``--knowledge DIR``) may come from anywhere, so its files are read like
model files (:func:`~actm.io.yaml.read_yaml_file`): the size and the kind of file are checked
with ``stat`` before the file is opened, so a huge file is refused without being read and a
pipe or device is refused without being waited on. Such files are listed, not skipped, so that
each one is reported (a located :class:`~actm.errors.KnowledgeError`, like any other broken
knowledge file) instead of silently leaving its entries out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from actm.errors import Diagnostic, KnowledgeError, SourceLocation
from actm.io.diagnose import validate_document
from actm.io.yaml import Limits, YamlDocument, YamlProblem, read_yaml_file

__all__ = [
    "KNOWLEDGE_LIMITS",
    "builtin_dir",
    "knowledge_files",
    "read_distinct",
    "read_knowledge_doc",
    "read_knowledge_file",
]

M = TypeVar("M", bound=BaseModel)

KNOWLEDGE_LIMITS = Limits()
"""The bounds every knowledge file is read with (the defaults: 32 MiB a file, ...)."""

_HINTS = {
    "file-too-large": f"knowledge files are read up to {KNOWLEDGE_LIMITS.max_file_bytes:,} bytes "
    "each: split it, one entry per file",
    "file-unreadable": "a knowledge directory holds regular YAML files: remove it or replace it "
    "with a file",
    "file-not-found": "a knowledge directory holds regular YAML files: remove the broken link",
    "empty-file": "a knowledge file holds one entry or table: see docs/writing-knowledge.md, or "
    "remove the file",
}


def builtin_dir() -> Path:
    """The ``data`` directory shipped inside the package."""
    # what importlib.resources.files("actm.knowledge") gives for an installed package, without
    # importing importlib.resources at every start
    return Path(__file__).parent / "data"


def knowledge_files(root: Path, sub: str) -> list[Path]:
    """Sorted ``*.yaml`` and ``*.yml`` entries (in any case) directly in ``root/sub``.

    Pipes, devices, directories and broken links with those names are listed too: reading them
    reports them. A ``root/sub`` that exists but is no directory (a file, a pipe, a broken link
    or a loop of links) raises :class:`~actm.errors.KnowledgeError`: its entries would
    otherwise be left out without a word.
    """
    d = root / sub
    if not d.is_dir():
        if os.path.lexists(d):
            raise KnowledgeError(
                [
                    Diagnostic(
                        "knowledge-unreadable",
                        f"{d} is not a directory",
                        SourceLocation(str(d)),
                        f"a knowledge directory's {sub}/ holds its YAML files: make it a "
                        "directory, or remove it",
                    )
                ]
            )
        return []
    return sorted(p for p in d.iterdir() if p.suffix.lower() in (".yaml", ".yml"))


def read_knowledge_doc(path: Path, shown: str) -> YamlDocument:
    """The parsed file at ``path``, named ``shown`` in messages; raises
    :class:`~actm.io.yaml.YamlProblem` with every diagnostic located in that file."""
    try:
        return read_yaml_file(path, KNOWLEDGE_LIMITS, shown=shown)
    except YamlProblem as exc:
        raise YamlProblem([_for_knowledge(d, shown) for d in exc.diagnostics]) from None


def _for_knowledge(d: Diagnostic, shown: str) -> Diagnostic:
    """A reading problem of a knowledge file: located at the file, with a hint that fits."""
    if d.code not in _HINTS:
        return d
    code = d.code if d.code in ("file-too-large", "empty-file") else "knowledge-unreadable"
    return replace(d, code=code, location=d.location or SourceLocation(shown), hint=_HINTS[d.code])


def read_knowledge_file(
    path: Path, shown: str, schema: type[M], errors: list[Diagnostic]
) -> tuple[YamlDocument, M] | None:
    """The document at ``path`` (named ``shown`` in messages) and its validated content, or
    None with the problems appended to ``errors``."""
    try:
        doc = read_knowledge_doc(path, shown)
    except YamlProblem as exc:
        errors.extend(exc.diagnostics)
        return None
    spec, problems = validate_document(schema, doc)
    if spec is None:
        errors.extend(problems)
        return None
    return doc, spec


def read_distinct(
    files: Iterable[tuple[Path, str]],
    schema: type[M],
    errors: list[Diagnostic],
    *,
    ident: Callable[[M], str],
    code: str,
    what: str,
) -> Iterator[tuple[YamlDocument, M]]:
    """The documents of one layer's ``(path, shown name)`` files and their validated content,
    in order. A file whose entry has the ``ident`` of one read earlier in the layer is skipped
    with a ``code`` diagnostic ("``what`` 'x' is defined twice (also in ...)"); unreadable or
    invalid files are skipped with their problems. Everything is appended to ``errors``."""
    seen_here: dict[str, str] = {}
    for path, shown in files:
        read = read_knowledge_file(path, shown, schema, errors)
        if read is None:
            continue
        doc, spec = read
        key = ident(spec)
        if key in seen_here:
            errors.append(
                Diagnostic(
                    code,
                    f"{what} {key!r} is defined twice (also in {seen_here[key]})",
                    doc.locate(("id",)),
                )
            )
            continue
        seen_here[key] = shown
        yield doc, spec
