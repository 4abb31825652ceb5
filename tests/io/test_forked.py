"""Pieces made ahead in a forked child: the same pieces in the same order as made here."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from actm.io.forked import Later, ahead, workers

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
    monkeypatch.setenv("ACTM_WORKERS", "none")
    assert workers() >= 1


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
