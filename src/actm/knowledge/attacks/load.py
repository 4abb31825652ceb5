"""Loading the knowledge base: the built-in data, then each ``--knowledge`` directory's
``attacks/``, ``frameworks/``, ``mappings/`` and ``controls/`` files, layered by id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from actm.errors import Diagnostic, KnowledgeError, SourceLocation
from actm.io.diagnose import did_you_mean
from actm.knowledge.attacks.patterns import AttackPattern, KnowledgeBase
from actm.knowledge.frameworks import Framework
from actm.knowledge.vocabulary import (
    Vocabulary,
    _builtin_dir,
    builtin_vocabulary,
    knowledge_files,
    load_vocabulary,
)

__all__ = ["KNOWLEDGE_SUBDIRS", "builtin_knowledge", "load_knowledge"]


def _load_dir(
    files: Sequence[tuple[Path, str]],
    vocab: Vocabulary,
    frameworks: Mapping[str, Framework],
    out: dict[str, AttackPattern],
    locations: dict[str, SourceLocation],
    errors: list[Diagnostic],
    *,
    override: bool,
) -> None:
    from actm.knowledge.attacks.compile import compile_attack
    from actm.knowledge.attacks.schema import _AttackIn
    from actm.knowledge.files import read_distinct

    layer = read_distinct(
        files, _AttackIn, errors, ident=lambda e: e.id, code="duplicate-attack", what="attack id"
    )
    for doc, entry in layer:
        pattern, cdiags = compile_attack(entry, doc, vocab, frameworks)
        if pattern is None:
            errors.extend(cdiags)
            continue
        if entry.id in out and not override:  # pragma: no cover - read_distinct drops repeats
            continue
        out[entry.id] = pattern
        locations[entry.id] = doc.locate(("id",))


def load_knowledge(
    extra_dirs: Sequence[str | Path] = (), vocabulary: Vocabulary | None = None
) -> KnowledgeBase:
    """The built-in knowledge base plus each extra directory's ``attacks/``, ``frameworks/``
    and ``mappings/`` files.

    An extra entry or framework with the id of a built-in one replaces it; mappings add up.
    """
    if not extra_dirs and vocabulary is None:
        return builtin_knowledge()
    vocab = vocabulary or load_vocabulary(extra_dirs)
    return _load_kb(tuple(Path(d) for d in extra_dirs), vocab)


@lru_cache(maxsize=1)
def builtin_knowledge() -> KnowledgeBase:
    """The knowledge base shipped with actm (read once per process; immutable)."""
    return _load_kb((), builtin_vocabulary())


def _layers(extra: Sequence[Path], sub: str) -> list[list[tuple[Path, str]]]:
    """The ``sub/*.yaml`` files of the built-in data, then of each existing extra directory."""
    base = _builtin_dir()
    out = [[(p, f"<actm>/knowledge/data/{sub}/{p.name}") for p in knowledge_files(base, sub)]]
    out += [[(p, str(p)) for p in knowledge_files(d, sub)] for d in extra if d.is_dir()]
    return out


KNOWLEDGE_SUBDIRS = ("attacks", "controls", "frameworks", "mappings", "tests", "vocabulary")
"""What a knowledge directory may hold (``tests/`` for the entries' fixture models)."""


def _unknown_subdirs(d: Path) -> list[Path]:
    return sorted(
        p
        for p in d.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in KNOWLEDGE_SUBDIRS
    )


def _unknown_subdir(sub: Path) -> Diagnostic:
    return Diagnostic(
        "knowledge-dir",
        f"unknown knowledge subdirectory {sub}: its files would be ignored",
        None,
        did_you_mean(sub.name, KNOWLEDGE_SUBDIRS, what="subdirectories"),
    )


def _chain_attack_errors(
    attacks: Mapping[str, AttackPattern], locations: Mapping[str, SourceLocation]
) -> list[Diagnostic]:
    """A ``chain`` condition of ``references_when`` that names an attack no entry defines."""
    from actm.knowledge.attacks.references import unknown_chain_attacks

    return [
        Diagnostic(
            "unknown-attack",
            f"{a.id}: references_when[{i}].when.{key} names no knowledge-base entry {name!r}",
            locations.get(a.id),
            did_you_mean(name, attacks, what="entries"),
        )
        for a in attacks.values()
        for i, key, name in unknown_chain_attacks(a.citations, attacks)
    ]


def _load_kb(extra: tuple[Path, ...], vocab: Vocabulary) -> KnowledgeBase:
    # the readers, file schemas and compiler are imported here: a command that reads no
    # knowledge (actm --version, actm schema) never needs them
    from actm.knowledge.controls import load_control_catalog
    from actm.knowledge.frameworks import load_frameworks, load_mappings

    out: dict[str, AttackPattern] = {}
    locations: dict[str, SourceLocation] = {}
    errors: list[Diagnostic] = [
        Diagnostic(
            "knowledge-dir",
            f"knowledge directory {d} does not exist",
            None,
            "pass a directory holding vocabulary/, attacks/, controls/, frameworks/ "
            "and/or mappings/",
        )
        for d in extra
        if not d.is_dir()
    ]
    errors += [_unknown_subdir(sub) for d in extra if d.is_dir() for sub in _unknown_subdirs(d)]
    frameworks, framework_layer, fw_errors = load_frameworks(_layers(extra, "frameworks"))
    if fw_errors or errors:
        # entries cannot be checked against a broken registry: report the registry first
        raise KnowledgeError(errors + fw_errors)
    attack_layers = _layers(extra, "attacks")
    for n, files in enumerate(attack_layers):
        _load_dir(files, vocab, frameworks, out, locations, errors, override=n > 0)
    errors += _chain_attack_errors(out, locations)
    mappings, map_errors = load_mappings(
        _layers(extra, "mappings"), frameworks, framework_layer, out
    )
    errors += map_errors
    controls = load_control_catalog(_layers(extra, "controls"), vocab.capabilities, errors)
    if errors:
        raise KnowledgeError(errors)
    if not out:
        raise KnowledgeError([Diagnostic("empty-knowledge", "the knowledge base has no entries")])
    return KnowledgeBase(out, vocab, locations, frameworks, mappings, controls)
