"""The vocabulary: asset types, capabilities, propagation tables and vulnerability classes.

All of it is data in ``knowledge/data/vocabulary/*.yaml``; this package validates those files
(and any override directories given with ``--knowledge``) and builds one frozen
:class:`Vocabulary` with the lookups the model loader and the engine need. A bad entry raises
:class:`~actm.errors.KnowledgeError` naming the file and line: the run stops (exit 3).

Overrides: a directory passed as ``--knowledge DIR`` may hold ``DIR/vocabulary/<file>.yaml``
with the same layout as the built-in file. Entries with an ``id`` replace the built-in entry of
that id or add a new one; table keys replace the built-in key.

Modules: :mod:`.schema` (what each file may contain), :mod:`.layers` (reading and layering the
files), :mod:`.frozen` (the values built), :mod:`.build` (the build, one builder per table, in
:mod:`.capabilities`, :mod:`.assets`, :mod:`.relations`, :mod:`.propagation`, :mod:`.threats`
and :mod:`.reporting`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from actm.knowledge.files import builtin_dir, knowledge_files
from actm.knowledge.vocabulary.frozen import (
    LEVELS,
    PIPELINES,
    RESIDENCY_MODES,
    AdversaryDef,
    Agency,
    AssetTypeInfo,
    Grant,
    ModelKindInfo,
    PatternSpec,
    ProcessInfo,
    Severity,
    Team,
    TypeSpec,
    Vocabulary,
    VulnClass,
    VulnRule,
)

__all__ = [
    "LEVELS",
    "PIPELINES",
    "RESIDENCY_MODES",
    "AdversaryDef",
    "Agency",
    "AssetTypeInfo",
    "Grant",
    "ModelKindInfo",
    "PatternSpec",
    "ProcessInfo",
    "Severity",
    "Team",
    "TypeSpec",
    "Vocabulary",
    "VulnClass",
    "VulnRule",
    "builtin_dir",
    "builtin_vocabulary",
    "knowledge_files",
    "load_vocabulary",
]

_builtin_dir = builtin_dir  # the name the attack loader imports


def load_vocabulary(extra_dirs: Sequence[str | Path] = ()) -> Vocabulary:
    """The built-in vocabulary, with overrides from each ``DIR/vocabulary`` in ``extra_dirs``."""
    if not extra_dirs:
        return builtin_vocabulary()
    return _build(tuple(Path(d) for d in extra_dirs))


def _build(extra_dirs: tuple[Path, ...]) -> Vocabulary:
    """The vocabulary read from the files. The builder and the file schema are imported here:
    a command that reads no knowledge never needs them."""
    from actm.knowledge.vocabulary.build import build
    from actm.knowledge.vocabulary.layers import read_layers

    return build(read_layers(extra_dirs))


@lru_cache(maxsize=1)
def builtin_vocabulary() -> Vocabulary:
    """The vocabulary shipped with actm (read once per process; it is immutable)."""
    return _build(())
