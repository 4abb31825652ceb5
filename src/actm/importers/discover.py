"""``actm discover DIR``: draft one model from everything a repository holds that actm reads.

The walk visits the directory tree in name order (so the draft is the same on every run),
skips the directories of the ``skip_directories`` table (``.git``, ``node_modules``, virtual
environments: any directory holding ``pyvenv.cfg``) and stops after ``max_files`` files. Each
file is offered to the importer table: one that an importer recognises with confidence is
imported, one it cannot read is reported with the reason; dependency files
(:mod:`actm.importers.dependencies`) add the ML and agent libraries and base images they name.
The drafts are joined into one (:func:`~actm.importers.draft.merge`), tools joined to their
server (:mod:`actm.importers.link`) and fitted to the model format.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from actm.errors import ModelError, UsageError
from actm.importers.common import ground
from actm.importers.data import table
from actm.importers.dependencies import dependency_file, draft_requirements, requirements
from actm.importers.draft import Draft, DraftBuilder, merge, slug
from actm.importers.fit import fit
from actm.importers.formats import detect, head_of
from actm.importers.interface import Confidence, ImportOptions
from actm.importers.link import link
from actm.importers.names import MAX_FILES
from actm.importers.values import counting_skipped, skipped_note
from actm.io.files import FileProblem, Reading, decode_utf8, is_dir, is_file, read_limited

__all__ = ["Discovery", "discover"]

_READING = Reading(
    what="text",
    pass_hint="pass a file",
    stream_hint="pass a regular file",
    binary_hint="pass a text file",
    too_large_hint="raise the limit with --max-file-bytes",
)


@dataclass(frozen=True, slots=True)
class Discovery:
    """What a walk found: the joined draft, the files it placed and those it could not."""

    draft: Draft
    found: tuple[tuple[str, str], ...]
    """(file, format) of each file imported."""
    dependencies: tuple[str, ...]
    """A line per ML or agent library and base image the dependency files name."""
    unplaced: tuple[tuple[str, str], ...]
    """(file, why) of each file that looked relevant but could not be used."""
    visited: int
    """How many files the walk looked at."""
    truncated: bool
    """The walk stopped at ``max_files``."""


def _skip(directory: Path, name: str, skipped: frozenset[str]) -> bool:
    return name in skipped or is_file(directory / name / "pyvenv.cfg")


def _files(root: Path, max_files: int) -> Iterator[Path]:
    skipped = frozenset(table("discover")["skip_directories"])
    for here, dirs, files in os.walk(root, followlinks=False):
        base = Path(here)
        dirs[:] = sorted(d for d in dirs if not _skip(base, d, skipped))
        for name in sorted(files):
            path = base / name
            if path.is_symlink() or not is_file(path):
                continue
            yield path
            max_files -= 1
            if max_files <= 0:
                return


def _dependencies(path: Path, shown: str, options: ImportOptions) -> tuple[Draft, list[str]]:
    raw = read_limited(path, options.limits.max_file_bytes, shown, _READING)
    text = decode_utf8(raw, shown, _READING)
    builder = DraftBuilder(shown, "dependencies", options.reserved)
    with counting_skipped() as skipped:
        found = requirements(path, text, shown, options.limits)
    lines = draft_requirements(builder, found)
    note = skipped_note(skipped)
    if note is not None and lines:  # a file nothing is drafted from is not in the draft
        builder.note("unplaced", note)
    return builder.build(), lines


def _base(root: Path, options: ImportOptions) -> Draft:
    """The system (the repository) and your organisation, which the drafts join."""
    name = root.resolve().name or "repository"
    builder = DraftBuilder(".", "discover", options.reserved)
    ground(
        builder,
        slug(name, "repository"),
        name,
        ("internal", "Your network", "network"),
        "say what the system is for",
    )
    return builder.build()


def discover(root: Path, options: ImportOptions, max_files: int = MAX_FILES) -> Discovery:
    """Walk ``root`` and draft one model of what it holds."""
    if not is_dir(root):
        raise UsageError(f"{root} is not a directory")
    drafts: list[Draft] = []
    found: list[tuple[str, str]] = []
    deps: list[str] = []
    unplaced: list[tuple[str, str]] = []
    visited = 0
    for path in _files(root, max_files):
        visited += 1
        shown = path.relative_to(root).as_posix()
        try:
            if dependency_file(path):
                draft, lines = _dependencies(path, shown, options)
                if lines:
                    drafts.append(draft)
                    deps += lines
                continue
            head = head_of(path)
            match = detect(path, head) if head is not None else None
            if match is None:
                continue
            names = " or ".join(i.name for i in match.importers)
            if match.confidence < Confidence.LIKELY or len(match.importers) > 1:
                unplaced.append((shown, f"might be {names}; import it with --format"))
                continue
            drafts.append(match.importers[0].draft(path, shown, options))
            found.append((shown, match.importers[0].name))
        except ModelError as exc:
            unplaced.append((shown, exc.diagnostics[0].message))
        except (FileProblem, ValueError) as exc:
            unplaced.append((shown, str(exc)))
    if not drafts:
        raise UsageError(
            f"found nothing in {root} to draft a model from ({visited} files looked at); "
            "actm import --help lists the formats it reads"
        )
    draft = fit(link(merge([_base(root, options), *drafts], options.reserved)))
    return Discovery(
        draft, tuple(found), tuple(deps), tuple(unplaced), visited, visited >= max_files
    )
