"""A per-user cache of the built-in knowledge base, so that a run does not parse and compile
the 137 files shipped with actm again (about 0.15 s of every command's start-up).

The built-in data is trusted package data: the cache holds the compiled
:class:`~actm.knowledge.attacks.KnowledgeBase` pickled, in the user's cache directory
(``$XDG_CACHE_HOME/actm``, ``~/.cache/actm``; ``~/Library/Caches/actm`` on macOS,
``%LOCALAPPDATA%\\actm\\Cache`` on Windows). Its key is a digest of the actm version, the
Python version, the content of every file under ``knowledge/data`` and the size and time of
every source file of the package, so an edited file (data or code) is never served stale.
Only a knowledge base built without error is stored: a broken built-in file is read and
reported (exit 3, file:line:col) on every run. A cache file is only read when it belongs to the
user and no one else may write it (unpickling runs code). Anything wrong with the cache (no home, a
read-only or full disk, a corrupt or foreign file) falls back silently to reading the files.
``ACTM_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from actm._version import __version__

if TYPE_CHECKING:
    from actm.knowledge.attacks.patterns import KnowledgeBase

__all__ = ["cache_dir", "cache_key", "cached_knowledge", "store_knowledge"]

_PREFIX = "knowledge-"
_SUFFIX = ".pickle"
_KEEP = 4
"""How many caches (of different keys) the directory keeps."""
_PACKAGE = Path(__file__).resolve().parent.parent


def cache_dir() -> Path | None:
    """The directory actm caches in, or None when caching is off or there is no home."""
    if os.environ.get("ACTM_NO_CACHE"):
        return None
    try:
        if sys.platform == "win32":  # pragma: no cover - not run on Windows here
            local = os.environ.get("LOCALAPPDATA")
            return Path(local) / "actm" / "Cache" if local else None
        if sys.platform == "darwin":  # pragma: no cover - not run on macOS here
            return Path.home() / "Library" / "Caches" / "actm"
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
        return base / "actm"
    except (OSError, RuntimeError):  # no home directory
        return None


def _digest_tree(h: hashlib._Hash, root: Path, rel: str, data: bool) -> None:
    """Add every file under ``root`` to ``h``: the content of a data file, the size and time
    of a source file."""
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = f"{rel}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _digest_tree(h, Path(entry.path), name, data)
        elif data:
            with open(entry.path, "rb") as f:
                h.update(f"{name}\0".encode() + hashlib.sha256(f.read()).digest())
        elif entry.name.endswith(".py"):
            st = entry.stat()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())


def cache_key(data_dir: Path) -> str:
    """The digest naming the cache of the knowledge base built from ``data_dir``."""
    h = hashlib.sha256(f"{__version__}\0{sys.version}\0{pickle.HIGHEST_PROTOCOL}\n".encode())
    _digest_tree(h, data_dir, "data", True)
    _digest_tree(h, _PACKAGE, "actm", False)
    return h.hexdigest()


def _path(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key[:32]}{_SUFFIX}"


def _private(st: os.stat_result) -> bool:
    """Whether a cache file is the user's own and writable by no one else: unpickling runs
    code, so a file another user could have written is not read."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: the profile is private
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@lru_cache(maxsize=1)
def cached_knowledge(data_dir: Path) -> tuple[str, KnowledgeBase | None]:
    """The cache key of ``data_dir`` and the knowledge base cached under it, if any (read once
    per process)."""
    try:
        key = cache_key(data_dir)
    except OSError:
        return "", None
    directory = cache_dir()
    if directory is None:
        return key, None
    try:
        with open(_path(directory, key), "rb") as f:
            if not _private(os.fstat(f.fileno())):
                return key, None
            stored = pickle.load(f)
    except Exception:  # absent, unreadable or corrupt: read the files instead
        return key, None
    from actm.knowledge.attacks.patterns import KnowledgeBase

    if (
        isinstance(stored, tuple)
        and len(stored) == 2
        and stored[0] == key
        and isinstance(stored[1], KnowledgeBase)
    ):
        return key, stored[1]
    return key, None


def store_knowledge(key: str, kb: KnowledgeBase) -> None:
    """Cache ``kb`` under ``key``, keeping the newest caches of other keys; silently nothing when
    the cache directory cannot be written."""
    directory = cache_dir()
    if directory is None or not key:
        return
    target = _path(directory, key)
    tmp: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=_PREFIX, suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, kb), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        tmp = None
        # keep a few (installs and checkouts of other versions share the directory)
        others = sorted(
            (p for p in directory.glob(f"{_PREFIX}*{_SUFFIX}") if p != target),
            key=lambda p: p.stat().st_mtime_ns,
        )
        for old in others[: max(0, len(others) - _KEEP + 1)]:
            old.unlink(missing_ok=True)
    except Exception:  # a cache that cannot be written is no cache
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
