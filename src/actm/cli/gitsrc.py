"""``git:REV:PATH`` arguments: a model file as it was at a revision, with the files it includes.

The root file and, recursively, every file its ``include:`` lists name are read with
``git show REV:./PATH`` (paths relative to the current directory, as on the command line) and
written under a temporary directory at the same relative places, so that the normal loader reads
them exactly as it would a checkout. Problems the loader finds there are reported at
``git:REV:PATH:line:col`` (:meth:`Checkout.shown_error`), never at the temporary directory.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from actm.errors import Diagnostic, ModelError, SourceLocation, UsageError
from actm.io.yaml import YamlProblem, parse_yaml

__all__ = ["Checkout", "is_git_spec", "materialize"]

PREFIX = "git:"
MAX_FILES = 256


def is_git_spec(arg: str) -> bool:
    return arg.startswith(PREFIX)


def _git(*args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git:REV:PATH needs git, which is not installed") from None
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        text = msg[0] if msg else "failed"
        if "does not exist in" in text:
            text += " (in git:REV:PATH, PATH is relative to the current directory, as for files)"
        raise UsageError(f"git {' '.join(args)}: {text}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class Checkout:
    """A model read from a revision: where its files were written, and how to name them."""

    rev: str
    into: Path
    """The temporary directory; it stands for the repository's top level."""
    prefix: str
    """The current directory relative to the repository's top level ('' or 'models/')."""
    root: Path
    """The root model file, under ``into``."""

    def shown(self, path: str) -> str | None:
        """``git:REV:FILE`` for a file under ``into`` (``FILE`` relative to the current
        directory, as the user wrote PATH); None for a path elsewhere."""
        top = os.path.abspath(self.into)
        full = os.path.abspath(path)
        if os.path.commonpath([top, full]) != top:
            return None
        in_repo = os.path.relpath(full, top).replace(os.sep, "/")
        here = self.prefix.rstrip("/") or "."
        return f"{PREFIX}{self.rev}:{posixpath.relpath(in_repo, here)}"

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


def materialize(spec: str, into: Path) -> Checkout:
    """Write the model named by ``spec`` (``git:REV:PATH``) and its includes under ``into``;
    returns the checkout (the root file's path there is ``.root``)."""
    rev, sep, path = spec[len(PREFIX) :].partition(":")
    if not sep or not rev or not path:
        raise UsageError(
            f"{spec!r}: write git:REV:PATH, e.g. git:main:models/bot.yaml or git:HEAD~1:bot.yaml"
        )
    prefix = _git("rev-parse", "--show-prefix").decode().strip()
    root = posixpath.normpath(posixpath.join(prefix, path.replace("\\", "/")))
    if root.startswith("../"):
        raise UsageError(f"{spec!r}: {path} is outside the git repository")
    seen: set[str] = set()
    pending = [root]
    while pending:
        rel = pending.pop()
        if rel in seen or rel.startswith("../"):
            continue
        if len(seen) >= MAX_FILES:
            raise UsageError(f"{spec!r}: more than {MAX_FILES} files are included")
        seen.add(rel)
        try:
            data = _git("show", f"{rev}:{rel}")
        except UsageError:
            if rel == root:
                raise
            continue  # a missing include: the loader reports it where it is named
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        try:
            doc = parse_yaml(data, f"{spec}")
        except YamlProblem:
            continue  # the loader reports it
        includes = doc.data.get("include") if isinstance(doc.data, dict) else None
        if isinstance(includes, list):
            here = posixpath.dirname(rel)
            for inc in includes:
                if isinstance(inc, str):
                    pending.append(posixpath.normpath(posixpath.join(here, inc)))
    return Checkout(rev, into, prefix, into / root)
