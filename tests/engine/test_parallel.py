"""Jobs started in worker processes while the caller works on: results in job order."""

from __future__ import annotations

import os
import sys
import time
import types

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
