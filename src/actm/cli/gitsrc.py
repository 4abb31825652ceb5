"""``git:REV:PATH`` arguments: a model file as it was at a revision, with the files it includes.

The root file and, recursively, every file its ``include:`` lists name are read with
``git show REV:./PATH`` (paths relative to the current directory, as on the command line) and
written under a temporary directory at the same relative places, so that the normal loader reads
them exactly as it would a checkout.
"""

from __future__ import annotations

import posixpath
import subprocess
from pathlib import Path

from actm.errors import UsageError
from actm.yamlio import YamlProblem, parse_yaml

__all__ = ["is_git_spec", "materialize"]

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
        raise UsageError(f"git {' '.join(args)}: {msg[0] if msg else 'failed'}")
    return done.stdout


def materialize(spec: str, into: Path) -> Path:
    """Write the model named by ``spec`` (``git:REV:PATH``) and its includes under ``into``;
    returns the root file's path there."""
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
    return into / root
