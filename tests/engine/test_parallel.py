"""Jobs started in worker processes while the caller works on: results in job order."""

from __future__ import annotations

import os
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from actm.engine import parallel


def _pid() -> int:
    return os.getpid()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_one_job_started_gets_a_worker_of_its_own() -> None:
    results = parallel.start_all([_pid], 2)
    assert results() != [os.getpid()]


def test_started_jobs_give_their_results_in_job_order() -> None:
    jobs = [lambda i=i: i * i for i in range(5)]
    results = parallel.start_all(jobs, 2)
    here = sum(range(1000))  # the caller works meanwhile
    assert (here, results()) == (499500, [0, 1, 4, 9, 16])


def test_no_job_started_gives_no_result() -> None:
    assert parallel.start_all([], 2)() == []


def _slow_pid() -> int:
    time.sleep(0.1)
    return os.getpid()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_batch_started_while_another_runs_leaves_its_jobs_to_its_workers() -> None:
    """The residual run's route reruns run while its needs and tolerance search start: the
    second batch's workers must not take the first batch's jobs (its shared job counter must
    stay its own until its workers are done), or the first batch's jobs end up run here."""
    first = parallel.start_all([_slow_pid] * 5, 1)
    time.sleep(0.15)  # the first worker is at its second job
    second = parallel.start_all([_pid] * 5, 1)
    assert os.getpid() not in second()
    assert os.getpid() not in first()


def _blocked_job() -> bytes:
    return b"x" * (1 << 20)  # more than a pipe holds: the worker waits for a reader


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_cancelled_workers_are_stopped_and_their_pipes_closed() -> None:
    started = parallel.start_all([_blocked_job], 1)
    assert isinstance(started, parallel.Pending)
    procs = list(started._procs)
    parallel.cancel(started)
    assert all(not p.is_alive() for p in procs)
    assert all(conn.closed for conn in started._pipes)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_workers_never_asked_are_stopped_when_dropped() -> None:
    started = parallel.start_all([_blocked_job], 1)
    assert isinstance(started, parallel.Pending)
    procs = list(started._procs)
    del started
    assert all(not p.is_alive() for p in procs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_refused_fork_runs_the_jobs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    started = parallel.start_all([_pid, _pid], 2)
    assert started() == [os.getpid(), os.getpid()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_failure_beside_the_worker_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """decode_all's own share fails: the worker decoding the rest is stopped, not left
    blocked on its pipe until the process ends."""
    from actm.engine import decoding

    seen: list[parallel.Pending] = []
    real = parallel.start_all

    def start_all(jobs: list[object], n: int | None = None) -> object:
        started = real([_blocked_job], n)  # type: ignore[list-item]
        assert isinstance(started, parallel.Pending)
        seen.append(started)
        return started

    def fail(*_args: object) -> object:
        raise RuntimeError("decoding failed here")

    monkeypatch.setattr(parallel, "start_all", start_all)
    monkeypatch.setattr(decoding, "_decoded", fail)

    out = types.SimpleNamespace(matches=list(range(10)))
    with pytest.raises(RuntimeError, match="decoding failed"):
        decoding.decode_all(out, aside=0.5)  # type: ignore[arg-type]
    assert seen and all(not p.is_alive() for p in seen[0]._procs or [])
    assert not seen[0]._procs


def _sigterm_is_default() -> bool:
    import signal

    return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_worker_keeps_sigterms_default_whatever_handler_its_parent_has() -> None:
    """A report being written installs a SIGTERM handler in the parent (cli/common.py): a
    worker forked then must still die at once on the SIGTERM that cancels it, never run the
    parent's handler and block sending to a parent no longer reading."""
    import signal

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        assert parallel.start_all([_sigterm_is_default], 1)() == [True]
    finally:
        signal.signal(signal.SIGTERM, previous)


def _mark(path: str) -> str:
    with open(path, "w", encoding="utf-8") as f:
        f.write("done")
    return path


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_worker_goes_on_to_its_next_job_before_its_large_result_is_read(tmp_path: Path) -> None:
    """A result larger than a pipe holds must not hold its worker until this process reads
    it: the early route reruns' worker would idle while the run goes on (engine/runs.py)."""
    marker = tmp_path / "second-job-ran"
    started = parallel.start_all([_blocked_job, lambda: _mark(str(marker))], 1)
    # nothing is read until the second job has run: a worker blocked on its pipe never
    # gets there (a liveness check with a generous bound, not a timing)
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists()
    assert started() == [b"x" * (1 << 20), str(marker)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_results_go_through_the_pipe_without_a_result_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "_spool", lambda: None)
    jobs = [_blocked_job, lambda: {"a": [1, 2]}]
    assert parallel.start_all(jobs, 2)() == [b"x" * (1 << 20), {"a": [1, 2]}]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_results_go_through_the_pipe_when_the_result_file_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(fd: int, data: bytes, offset: int) -> bool:
        return False

    monkeypatch.setattr(parallel, "_pwrite", full)  # the forked workers inherit it
    jobs = [_blocked_job, lambda: (3, "three")]
    assert parallel.start_all(jobs, 2)() == [b"x" * (1 << 20), (3, "three")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_result_files_are_closed_once_the_results_are_read_or_cancelled() -> None:
    # the first batch of a process opens multiprocessing's shared-memory heap, which stays
    parallel.start_all([_pid], 1)()
    before = _fds()
    assert parallel.start_all([_blocked_job] * 3, 2)() == [b"x" * (1 << 20)] * 3
    assert _fds() == before
    started = parallel.start_all([_blocked_job] * 3, 2)
    parallel.cancel(started)
    assert _fds() == before


def test_a_result_file_written_in_parts_is_read_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    with open(tmp_path / "spool", "w+b") as f:
        assert parallel._pwrite(f.fileno(), data, 10)
        assert parallel._pread(f.fileno(), len(data), 10) == data
        with pytest.raises(OSError, match="ended early"):
            parallel._pread(f.fileno(), len(data) + 1, 10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_result_that_cannot_be_read_back_is_run_here_and_nothing_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading a worker's result file fails once: that job runs here, and the worker's later
    results (a large one through the pipe, the file being full) still arrive: its pipe is
    still read, so it never blocks writing to it."""
    failed: list[int] = []
    real = parallel._pread

    def once(fd: int, size: int, offset: int) -> bytes:
        if not failed:
            failed.append(offset)
            raise OSError(5, "Input/output error")
        return real(fd, size, offset)

    written: list[int] = []
    real_write = parallel._pwrite

    def first_only(fd: int, data: bytes, offset: int) -> bool:  # runs in the worker
        if written:
            return False  # the file is full from the second result on
        written.append(1)
        return real_write(fd, data, offset)

    monkeypatch.setattr(parallel, "_pread", once)
    monkeypatch.setattr(parallel, "_pwrite", first_only)
    jobs = [_pid, _blocked_job, _blocked_job]
    started = parallel.start_all(jobs, 1)
    got: list[list[object]] = []
    waiter = threading.Thread(target=lambda: got.append(started()), daemon=True)
    waiter.start()
    waiter.join(120)  # a liveness bound, not a timing: a blocked worker never ends
    if not got:
        parallel.cancel(started)
    assert got, "the worker blocked on its pipe"
    results = got[0]
    assert failed == [0]
    assert results[0] == os.getpid()  # run here
    assert results[1:] == [b"x" * (1 << 20)] * 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_a_result_file_that_does_not_unpickle_is_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_pread", lambda fd, size, offset: b"not a pickle")
    assert parallel.start_all([_pid, _pid], 1)() == [os.getpid(), os.getpid()]
