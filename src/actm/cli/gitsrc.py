"""``git:REV:PATH`` arguments: a model file as it was at a revision, with the files it includes.

REV is checked (it may not start with ``-``, so git never reads it as an option) and resolved
once to a commit id with ``git rev-parse --verify --end-of-options``; everything after that
names objects by that id, so no text from the command line or the model reaches git's options.
PATH is relative to the current directory, as on the command line.

The root file and, recursively, every file its ``include:`` lists name are looked up in that
commit (``git cat-file --batch-check``, which also says the object's size) and only then read,
so a file over ``--max-file-bytes`` is refused without being read. The files are written under
a temporary directory at the same relative places, so that the normal loader reads them exactly
as it would a checkout. Includes are resolved inside the revision only: one that is absolute,
leaves the repository, or names a directory is refused here, located at the ``include:`` entry,
before the loader could look for it on the live file system. Problems the loader finds later
are reported at ``git:REV:PATH:line:col`` (:meth:`Checkout.shown_error`), never at the
temporary directory.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from actm.errors import Diagnostic, ModelError, SourceLocation, UsageError
from actm.io.yaml import Limits, YamlDocument, YamlProblem, parse_yaml, too_large

__all__ = ["Checkout", "is_git_spec", "materialize"]

PREFIX = "git:"
MAX_FILES = 256

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_WHAT = {"tree": "a directory", "other": "not a file (a submodule?)"}
_OUTSIDE_HINT = (
    "a model read from git:REV:PATH includes files of that revision only: name a file inside "
    "the repository, relative to the including file"
)


def is_git_spec(arg: str) -> bool:
    return arg.startswith(PREFIX)


def _git(*args: str, stdin: bytes | None = None) -> bytes:
    """Run git with ``args`` (never text from the user in an option's place)."""
    try:
        done = subprocess.run(["git", *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git:REV:PATH needs git, which is not installed") from None
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {msg[0] if msg else 'failed'}")
    return done.stdout


def _parse(spec: str) -> tuple[str, str]:
    """REV and PATH of ``spec``, refused when git could take them for something else."""
    rev, sep, path = spec[len(PREFIX) :].partition(":")
    if not sep or not rev or not path:
        raise UsageError(
            f"{spec!r}: write git:REV:PATH, e.g. git:main:models/bot.yaml or git:HEAD~1:bot.yaml"
        )
    if rev.startswith("-"):
        raise UsageError(
            f"{spec!r}: a revision may not start with '-' (git would read it as an option); "
            "name such a branch in full, e.g. git:refs/heads/-x:PATH"
        )
    if _CONTROL.search(spec):
        raise UsageError(f"{spec!r}: REV and PATH may not hold control characters")
    if _is_absolute(path):
        raise UsageError(
            f"{spec!r}: PATH is relative to the current directory, as for files "
            "(e.g. git:HEAD:models/bot.yaml)"
        )
    return rev, path


def _is_absolute(name: str) -> bool:
    return posixpath.isabs(name) or ntpath.isabs(name) or bool(ntpath.splitdrive(name)[0])


def _commit(spec: str, rev: str) -> str:
    """The id of the commit REV names."""
    try:
        out = _git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except UsageError:
        raise UsageError(
            f"{spec!r}: {rev!r} names no commit in this repository "
            "(a branch, tag or commit id, e.g. main, v1.2 or HEAD~1)"
        ) from None
    oid = out.decode("ascii", "replace").strip()
    if not _OBJECT_ID.fullmatch(oid):  # pragma: no cover - git prints one id or fails
        raise UsageError(f"{spec!r}: git rev-parse gave {oid!r}, not a commit id")
    return oid


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a path names in the commit: a blob (its id and size), a tree, or nothing usable."""

    kind: str
    """blob, tree, missing (or a broken link), outside (a link out of the repository), other."""
    oid: str = ""
    size: int = 0
    target: str = ""
    """Where an ``outside`` link points."""


def _lookup(commit: str, rel: str) -> _Entry:
    """What ``rel`` (relative to the repository's top) is in ``commit``, following links that
    stay inside it. The name goes to git on its standard input, never on the command line."""
    if rel in ("", "."):
        return _Entry("tree")
    out = _git("cat-file", "--batch-check", "--follow-symlinks", stdin=f"{commit}:{rel}\n".encode())
    first, _, rest = out.decode("utf-8", "replace").partition("\n")
    words = first.split(" ")
    if words[0] == "symlink":
        return _Entry("outside", target=rest.strip())
    if words[-1] == "missing" or words[0] in ("dangling", "loop", "notdir"):
        return _Entry("missing")
    if len(words) == 3 and _OBJECT_ID.fullmatch(words[0]) and words[2].isdigit():
        kind = words[1] if words[1] in ("blob", "tree") else "other"  # a submodule's commit
        return _Entry(kind, words[0], int(words[2]))
    return _Entry("other")  # pragma: no cover - git prints one of the above


@dataclass(frozen=True, slots=True)
class Checkout:
    """A model read from a revision: where its files were written, and how to name them."""

    rev: str
    """REV as the user wrote it (messages name files ``git:REV:FILE``)."""
    into: Path
    """The temporary directory; it stands for the repository's top level."""
    prefix: str
    """The current directory relative to the repository's top level ('' or 'models/')."""
    root: Path
    """The root model file, under ``into``."""
    commit: str = ""
    """The commit id REV named when the files were read."""

    def name(self, rel: str) -> str:
        """``git:REV:FILE`` for ``rel``, relative to the repository's top (``FILE`` relative
        to the current directory, as the user wrote PATH)."""
        here = self.prefix.rstrip("/") or "."
        return f"{PREFIX}{self.rev}:{posixpath.relpath(rel, here)}"

    def shown(self, path: str) -> str | None:
        """``git:REV:FILE`` for a file under ``into``; None for a path elsewhere."""
        top = os.path.abspath(self.into)
        full = os.path.abspath(path)
        if os.path.commonpath([top, full]) != top:
            return None
        return self.name(os.path.relpath(full, top).replace(os.sep, "/"))

    def _text(self, text: str) -> str:
        """``text`` with every path under ``into`` it mentions named as ``git:REV:FILE``."""
        top = re.escape(os.path.abspath(self.into))
        # a file below it, up to a space, quote or punctuation (not a sentence's full stop)
        pattern = re.compile(top + r"[/\\][^\s'\",;:()]*[^\s'\",;:().]")
        return pattern.sub(lambda m: self.shown(m.group(0)) or m.group(0), text)

    def _location(self, loc: SourceLocation | None) -> SourceLocation | None:
        if loc is None:
            return None
        shown = self.shown(loc.path)
        return loc if shown is None else SourceLocation(shown, loc.line, loc.column)

    def shown_error(self, exc: ModelError) -> ModelError:
        """The same error with its places (and paths in messages and hints) at
        ``git:REV:FILE``, keeping line and column."""
        diags = [
            Diagnostic(
                d.code,
                self._text(d.message),
                self._location(d.location),
                self._text(d.hint) if d.hint else d.hint,
            )
            for d in exc.diagnostics
        ]
        return ModelError(diags)


def materialize(spec: str, into: Path, limits: Limits | None = None) -> Checkout:
    """Write the model named by ``spec`` (``git:REV:PATH``) and its includes under ``into``;
    returns the checkout (the root file's path there is ``.root``).

    Raises :class:`UsageError` when REV or PATH cannot be used, and :class:`ModelError` (at
    ``git:REV:FILE:line:col``) for a file over ``limits.max_file_bytes`` or an include that
    leaves the revision or names a directory.
    """
    limits = limits or Limits()
    rev, path = _parse(spec)
    prefix = _git("rev-parse", "--show-prefix").decode().strip()
    root = posixpath.normpath(posixpath.join(prefix, path.replace("\\", "/")))
    if root == ".." or root.startswith("../"):
        raise UsageError(f"{spec!r}: {path} is outside the git repository")
    checkout = Checkout(rev, into, prefix, into / root, _commit(spec, rev))
    entry = _lookup(checkout.commit, root)
    if entry.kind == "outside":
        raise UsageError(f"{spec!r}: {path} is a link to {entry.target!r}, outside the repository")
    if entry.kind in _WHAT:
        raise UsageError(f"{spec!r}: {path} is {_WHAT[entry.kind]} in {rev}, not a model file")
    if entry.kind == "missing":
        raise UsageError(
            f"{spec!r}: {path} does not exist in {rev} "
            "(in git:REV:PATH, PATH is relative to the current directory, as for files)"
        )
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    pending: list[tuple[str, _Entry]] = [(root, entry)]
    while pending:
        rel, entry = pending.pop()
        if rel in seen:
            continue
        if len(seen) >= MAX_FILES:
            raise UsageError(f"{spec!r}: more than {MAX_FILES} files are included")
        seen.add(rel)
        doc = _write(checkout, rel, entry, limits, problems)
        if doc is not None:
            pending.extend(reversed(_includes(checkout, rel, doc, problems)))
    if problems:
        raise ModelError(problems)
    return checkout


def _write(
    checkout: Checkout, rel: str, entry: _Entry, limits: Limits, problems: list[Diagnostic]
) -> YamlDocument | None:
    """Read the blob of ``rel`` (unless it is over the limit) and write it under ``into``;
    its parsed document, or None when the loader will report why it cannot be read."""
    if entry.size > limits.max_file_bytes:
        problems.append(too_large(checkout.name(rel), entry.size, limits.max_file_bytes))
        return None
    data = _git("cat-file", "blob", entry.oid)
    target = checkout.into / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    try:
        return parse_yaml(data, checkout.name(rel), limits)
    except YamlProblem:
        return None  # the loader reports it


def _includes(
    checkout: Checkout, rel: str, doc: YamlDocument, problems: list[Diagnostic]
) -> list[tuple[str, _Entry]]:
    """The files ``doc`` (the file ``rel``) includes that exist in the revision. Includes that
    leave it or name a directory are added to ``problems``; missing ones the loader reports."""
    includes = doc.data.get("include") if isinstance(doc.data, dict) else None
    if not isinstance(includes, list):
        return []
    out: list[tuple[str, _Entry]] = []
    here = posixpath.dirname(rel)
    for i, name in enumerate(includes):
        if not isinstance(name, str):
            continue
        target = posixpath.normpath(posixpath.join(here, name.replace("\\", "/")))
        if _is_absolute(name) or target == ".." or target.startswith("../"):
            entry = _Entry("outside")
        elif _CONTROL.search(name):
            continue  # no such file: the loader reports it
        else:
            entry = _lookup(checkout.commit, target)
        if entry.kind == "blob":
            out.append((target, entry))
        elif entry.kind == "outside":
            link = f" is a link to {entry.target!r}," if entry.target else " is"
            problems.append(
                Diagnostic(
                    "include-outside-repository",
                    f"included file {name!r}{link} outside the repository",
                    doc.locate(("include", i)),
                    _OUTSIDE_HINT,
                )
            )
        elif entry.kind != "missing":
            problems.append(
                Diagnostic(
                    "include-not-a-file",
                    f"included path {name!r} is {_WHAT[entry.kind]} in {checkout.rev}",
                    doc.locate(("include", i)),
                    "include: names YAML files; list the files of a directory one by one",
                )
            )
    return out
