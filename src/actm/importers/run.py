"""Importing files: detect each one's format, read it, join the drafts, write the model.

:func:`draft_files` reads files into one draft, fitted to this actm's model format;
:func:`import_files` turns that into a new model's text or adds it into an existing model.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from actm.errors import ModelError
from actm.importers.draft import Draft, merge
from actm.importers.emit import Existing, Merged, merge_into, render
from actm.importers.fit import fit
from actm.importers.formats import detect, importer
from actm.importers.interface import Importer, ImportOptions, read_json, refuse
from actm.importers.link import link
from actm.importers.mcp.registry import Catalogue
from actm.importers.values import as_str, dicts
from actm.io.yaml import Limits, YamlProblem, parse_yaml, read_yaml_file
from actm.model.loader import read_files
from actm.model.schema import SECTIONS

__all__ = ["Imported", "choose", "draft_files", "import_files", "load_catalogue"]


@dataclass(frozen=True, slots=True)
class Imported:
    """The model text an import made, the draft it came from, and what a merge did."""

    text: str
    draft: Draft
    merged: Merged | None = None
    """What was added to the existing model (``into``), else None."""


def _shown(path: Path) -> str:
    return os.path.normpath(str(path))


def choose(path: Path, shown: str, format: str | None) -> Importer:
    """The importer for ``path``: the one ``format`` names, else the one detection finds."""
    if format is not None:
        return importer(format)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise refuse(shown, "no such file", "check the path") from None
    except (OSError, ValueError) as exc:  # a name too long, a link loop, a NUL
        reason = getattr(exc, "strerror", None) or str(exc)
        raise refuse(shown, f"cannot read it: {reason}", "check the path") from None
    if stat.S_ISDIR(mode):
        raise refuse(shown, "it is a directory", "to draft a model of a repository: actm discover")
    if not stat.S_ISREG(mode):
        raise refuse(
            shown,
            "it is not a regular file (a pipe, socket or device)",
            "save the input to a file and pass that",
        )
    found = detect(path)
    if found is None:
        raise refuse(
            shown,
            "actm does not recognise its format",
            "name the format with --format (actm import --help lists them)",
        )
    if len(found.importers) > 1:
        names = " or ".join(i.name for i in found.importers)
        raise refuse(shown, f"it could be {names}", "name the format with --format")
    return found.importers[0]


def load_catalogue(path: str | os.PathLike[str], limits: Limits) -> Catalogue:
    """The MCP servers of a registry dump or server.json file, to look entries up in."""
    shown = _shown(Path(path))
    doc = read_json(Path(path), shown, limits)
    catalogue = Catalogue.of(shown, doc.data)
    if not catalogue.size:
        raise refuse(
            shown,
            "it holds no MCP registry entries",
            "pass the registry's seed dump, a server.json, or a list of them",
        )
    return catalogue


def draft_files(
    paths: Sequence[str | os.PathLike[str]], options: ImportOptions, format: str | None = None
) -> Draft:
    """One draft of every file, in the order given, fitted to this actm's model format."""
    drafts: list[Draft] = []
    problems: list[ModelError] = []
    for p in paths:
        path = Path(p)
        shown = _shown(path)
        try:
            drafts.append(choose(path, shown, format).draft(path, shown, options))
        except ModelError as exc:
            problems.append(exc)
    if problems:
        raise ModelError([d for p in problems for d in p.diagnostics])
    return fit(link(merge(drafts, options.reserved)))


def _existing(root: Path, limits: Limits) -> Existing:
    files, diags, _ = read_files(root, limits)
    if not files:
        raise ModelError(diags)
    ids: dict[str, str] = {}
    relations: set[tuple[str, ...]] = set()
    first_party: str | None = None
    for f in files:
        data = f.doc.data if f.doc is not None else {}
        system = data.get("system")
        if isinstance(system, dict) and isinstance(system.get("owner"), str):
            first_party = first_party or system["owner"]
        for section in SECTIONS:
            for item in dicts(data.get(section)):
                if isinstance(item.get("id"), str):
                    ids.setdefault(item["id"], section)
                if section == "owners" and item.get("first_party") is True:
                    first_party = first_party or as_str(item.get("id"))
                if section == "relations":
                    ends = (str(item.get("kind")), str(item.get("from")), str(item.get("to")))
                    relations.add(("relations", *ends))
    return Existing(ids, frozenset(relations), first_party)


def import_files(
    paths: Sequence[str | os.PathLike[str]],
    options: ImportOptions,
    *,
    format: str | None = None,
    into: str | os.PathLike[str] | None = None,
) -> Imported:
    """The model drafted from ``paths``: a new model's text, or the text of the model ``into``
    with the drafted elements it lacks added."""
    draft = draft_files(paths, options, format)
    if into is None:
        return Imported(render(draft), draft)
    root = Path(into)
    shown = _shown(root)
    try:
        doc = read_yaml_file(root, options.limits, shown=shown)
        with root.open("rb") as fh:
            bom = fh.read(3) == b"\xef\xbb\xbf"
    except YamlProblem as exc:
        raise ModelError(exc.diagnostics) from None
    if not isinstance(doc.data, dict) or "actm" not in doc.data:
        raise refuse(shown, "--into needs an actm model", "pass a model file (actm: 1, ...)")
    merged = merge_into(doc, draft, _existing(root, options.limits), bom=bom)
    _still_yaml(merged.text, shown, options.limits)
    return Imported(merged.text, draft, merged)


def _still_yaml(text: str, shown: str, limits: Limits) -> None:
    """Refuse, before anything is written, a merge whose text would no longer parse: the
    user's file must never be left broken (a YAML construct the merge does not know)."""
    try:
        parse_yaml(text, shown, limits)
    except YamlProblem as exc:
        broken = [d for d in exc.diagnostics if d.code == "yaml-syntax"]
        if broken:
            raise refuse(
                shown,
                f"adding the drafted elements would break its YAML ({broken[0].message})",
                "the file is left as it was: import to a new file with -o and copy the "
                "elements over",
            ) from None
