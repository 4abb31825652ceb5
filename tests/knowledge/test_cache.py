"""The per-user cache of the built-in knowledge base (actm/knowledge/cache.py): a run reads it
instead of the files when it was built from the same files and code, rebuilds when any of them
changed, and falls back silently when the cache cannot be read or written."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from actm.errors import KnowledgeError
from actm.knowledge import cache
from actm.knowledge.attacks import load as attacks_load
from actm.knowledge.attacks.load import builtin_knowledge
from actm.knowledge.conditions import CONDITIONS
from actm.knowledge.vocabulary import builtin_dir

DATA = builtin_dir()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory; the loader reads the cache afresh on every call."""
    monkeypatch.delenv("ACTM_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(attacks_load, "cached_knowledge", cache.cached_knowledge.__wrapped__)
    return tmp_path / "cache" / "actm"


def _build() -> object:
    return builtin_knowledge.__wrapped__()  # type: ignore[attr-defined]


def test_the_first_run_stores_the_knowledge_base_and_the_next_reads_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _build()
    (stored,) = home.glob("knowledge-*.pickle")
    assert built == builtin_knowledge()

    def fail(*args: object) -> None:
        raise AssertionError("read the files although the cache holds them")

    monkeypatch.setattr(attacks_load, "_load_kb", fail)
    assert _build() == built
    assert list(home.glob("knowledge-*.pickle")) == [stored]


def test_conditions_come_back_as_the_registry_s_instances() -> None:
    for name, condition in CONDITIONS.items():
        assert pickle.loads(pickle.dumps(condition)) is condition, name


def test_a_changed_data_file_changes_the_key(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    assert cache.cache_key(copy) == cache.cache_key(DATA)
    attack = sorted((copy / "attacks").iterdir())[0]
    attack.write_text(attack.read_text() + "\n# edited\n")
    assert cache.cache_key(copy) != cache.cache_key(DATA)


def test_a_broken_built_in_file_is_reported_on_every_run(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build()  # a good cache exists
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    attack = sorted((copy / "attacks").iterdir())[0]
    attack.write_text(attack.read_text().replace("id:", "idd:", 1))
    monkeypatch.setattr(attacks_load, "_builtin_dir", lambda: copy)
    for _ in range(2):
        with pytest.raises(KnowledgeError) as exc:
            _build()
        assert f"<actm>/knowledge/data/attacks/{attack.name}:" in str(exc.value)
    assert len(list(home.glob("knowledge-*.pickle"))) == 1


def test_an_unwritable_cache_directory_is_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _build() == builtin_knowledge()
    assert list(tmp_path.glob("**/knowledge-*")) == []


def test_a_corrupt_or_foreign_cache_file_is_ignored_and_replaced(home: Path) -> None:
    built = _build()
    (stored,) = home.glob("knowledge-*.pickle")
    for junk in (b"not a pickle", pickle.dumps(("another key", built)), pickle.dumps(42)):
        stored.write_bytes(junk)
        assert _build() == built
        assert pickle.loads(stored.read_bytes())[0] == cache.cache_key(DATA)


def test_actm_no_cache_turns_it_off(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTM_NO_CACHE", "1")
    assert cache.cache_dir() is None
    _build()
    assert not home.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_file_others_may_write_is_not_read(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _build()
    (stored,) = home.glob("knowledge-*.pickle")
    stored.chmod(0o666)
    read: list[object] = []
    monkeypatch.setattr(cache.pickle, "load", read.append)
    assert _build() == built
    assert read == []
