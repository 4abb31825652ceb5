"""Pieces made ahead in a forked child: the same pieces in the same order as made here."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from actm.errors import UsageError
from actm.io.forked import Later, ahead, workers
from actm.io.writer import Spooled

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")


def _pieces(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield b"" if i % 7 == 0 else bytes([i % 251]) * (i * 37 % 5000)


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTM_WORKERS", "2")


def test_workers_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTM_WORKERS", "3")
    assert workers() == 3
    monkeypatch.setenv("ACTM_WORKERS", " 1_024 ")
    assert workers() == 1024
    monkeypatch.setenv("ACTM_WORKERS", "")  # blank: as if unset
    assert workers() >= 1
    for bad in ("none", "0", "1025", "12345", "²"):
        monkeypatch.setenv("ACTM_WORKERS", bad)
        with pytest.raises(UsageError, match="ACTM_WORKERS="):
            workers()


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_a_child_makes_the_same_pieces_in_order() -> None:
    later = ahead(lambda: _pieces(500))
    assert later._pid > 0  # really forked
    assert list(later) == list(_pieces(500))
    assert later._pid == 0 and later._spool is None


def test_one_worker_makes_them_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTM_WORKERS", "1")
    later = ahead(lambda: _pieces(50))
    assert later._pid == 0
    assert list(later) == list(_pieces(50))


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_a_failing_child_leaves_the_pieces_to_be_made_here() -> None:
    parent = os.getpid()

    def make() -> Iterator[bytes]:
        yield b"first"
        if os.getpid() != parent:
            raise RuntimeError("only the child fails")
        yield b"second"

    assert list(ahead(make)) == [b"first", b"second"]


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_stopping_early_stops_the_child() -> None:
    later = Later(lambda: _pieces(100_000))
    pid = later._pid
    later.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no child left behind
    assert later._spool is None


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_a_child_killed_midway_leaves_the_pieces_to_be_made_here() -> None:
    parent = os.getpid()

    def make() -> Iterator[bytes]:
        yield b"first"
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        yield b"second"

    assert list(ahead(make)) == [b"first", b"second"]


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_a_child_the_host_program_reaps_still_gives_its_pieces() -> None:
    later = ahead(lambda: _pieces(300))
    assert later._pid > 0
    os.waitpid(later._pid, 0)  # a host's child watcher got there first
    assert list(later) == list(_pieces(300))


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_no_temporary_file_means_the_pieces_are_made_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    later = ahead(lambda: _pieces(40))
    assert later._pid == 0
    assert list(later) == list(_pieces(40))


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_spooled_hands_the_childs_pieces_over_as_one_range_of_its_file() -> None:
    later = ahead(lambda: _pieces(500))
    (piece,) = list(later.spooled())
    assert isinstance(piece, Spooled)
    expected = b"".join(_pieces(500))
    assert piece.size == len(expected)
    piece.file.seek(0)
    assert piece.file.read(piece.size) == expected
    assert later._spool is None  # the file is the piece's now
    piece.close()
    assert piece.file.closed


def test_spooled_without_a_child_gives_the_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTM_WORKERS", "1")
    assert list(ahead(lambda: _pieces(50)).spooled()) == list(_pieces(50))


@needs_fork
@pytest.mark.usefixtures("two_workers")
def test_spooled_from_a_failing_child_gives_the_pieces_made_here() -> None:
    parent = os.getpid()

    def make() -> Iterator[bytes]:
        yield b"first"
        if os.getpid() != parent:
            os._exit(0)  # left without its end mark, whatever its status says
        yield b"second"

    assert list(ahead(make).spooled()) == [b"first", b"second"]


def test_an_analysis_through_the_api_refuses_a_bad_worker_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import actm

    kb = actm.load_knowledge()
    example = Path(__file__).resolve().parents[2] / "examples" / "coding-assistant.yaml"
    model = actm.load_model(example, knowledge=kb)
    monkeypatch.setenv("ACTM_WORKERS", "many")
    with pytest.raises(UsageError, match="ACTM_WORKERS='many'"):
        actm.analyze(model, knowledge=kb)
