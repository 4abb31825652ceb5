"""Independent reruns of one analysis, in parallel worker processes where that pays.

:func:`run_all` takes jobs (functions of no argument) and returns their results in the order of
the jobs, whatever the workers do: the result never depends on scheduling. On Linux, with more
than one worker allowed and more than one job, the workers are forked from this process, so
they inherit the model, the knowledge base and the compiled tables as they are (nothing is
pickled but the results); each takes the next job not taken yet, until none is left. Elsewhere,
or for one job, the jobs run here, one after the other. A worker that fails or dies leaves its
jobs to be run here, so an error surfaces as it would without workers.

A worker writes each result into an unnamed temporary file of its own and sends only where it
lies through its pipe: a result sent through the pipe itself would hold the worker until this
process reads it (a pipe holds 64 KB), and this process reads only once it waits for the
results. So a worker never waits on this process to go on with its jobs, or to end (one whose
parent was killed ended only with the machine). Workers keep this process's priority: at a lower
one they yielded to it, but also to any other busy process of the session, and starved (an
analysis took 3 to 6 times as long beside a busy loop: docs/performance.md).

The number of workers is the CPUs this process may use, or ``ACTM_WORKERS`` (1 runs everything
in this process).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import IO, Any, TypeVar, cast

from actm.io.forked import workers

__all__ = ["Pending", "beside", "cancel", "run_all", "start_all", "workers"]

_DONE = -1

A = TypeVar("A")
H = TypeVar("H")


def run_all(jobs: Sequence[Callable[[], Any]], n: int | None = None) -> list[Any]:
    """Each job's result, in the order of ``jobs``; with up to ``n`` workers (default
    :func:`workers`)."""
    n = min(workers() if n is None else n, len(jobs))
    if n <= 1 or not sys.platform.startswith("linux"):
        return [job() for job in jobs]
    return start_all(jobs, n)()


def start_all(jobs: Sequence[Callable[[], Any]], n: int | None = None) -> Callable[[], list[Any]]:
    """Start ``jobs`` in up to ``n`` worker processes (default :func:`workers`) and return how
    to wait for their results, in the order of ``jobs``: the caller goes on working meanwhile,
    so even one job gets a worker. Where workers cannot be forked (not Linux, or the system
    refuses a fork), the jobs run here when their results are asked for. A caller that will
    not ask (its own work failed) calls :meth:`Pending.cancel`; a :class:`Pending` dropped
    without being asked cancels itself, so no worker waits on a full pipe for a reader."""
    n = min(workers() if n is None else n, len(jobs))
    if n < 1 or not sys.platform.startswith("linux"):
        return lambda: [job() for job in jobs]
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("i", 0)
    pipes: list[Connection] = []
    procs: list[Any] = []
    spools: dict[Connection, IO[bytes] | None] = {}
    for _ in range(n):
        receive, send = ctx.Pipe(duplex=False)
        spool = _spool()
        proc = ctx.Process(target=_work, args=(jobs, counter, send, spool), daemon=True)
        try:
            proc.start()
        except OSError:  # no fork now (EAGAIN, ENOMEM): the workers started do every job
            receive.close()
            send.close()
            if spool is not None:
                spool.close()
            break
        send.close()
        pipes.append(receive)
        procs.append(proc)
        spools[receive] = spool
    if not procs:
        return lambda: [job() for job in jobs]
    return Pending(jobs, counter, pipes, procs, spools)


def _spool() -> IO[bytes] | None:
    """An unnamed temporary file for one worker's results, or None (no room, no descriptor
    left: its results go through its pipe)."""
    try:
        return tempfile.TemporaryFile()  # closed by Pending once read
    except OSError:
        return None


class Pending:
    """Jobs running in worker processes: called, their results in the order of the jobs (the
    ones no worker sent run here); :meth:`cancel` stops the workers instead."""

    def __init__(
        self,
        jobs: Sequence[Callable[[], Any]],
        counter: Any,
        pipes: list[Connection],
        procs: list[Any],
        spools: dict[Connection, IO[bytes] | None] | None = None,
    ) -> None:
        self._jobs = jobs
        # the workers' shared job counter lives in memory this process hands out: were it
        # freed while they run, the next batch's counter would take that memory, and its
        # workers would take this batch's jobs (left to be run here). Kept until they are done.
        self._held: list[Any] = [counter]
        self._pipes = pipes
        self._procs = procs
        self._spools = spools or {}
        """Each worker's pipe -> the file it writes its results into (None: into the pipe)."""
        self._owner = os.getpid()  # a forked child holds a copy of this object: not its workers

    def __call__(self) -> list[Any]:
        found: dict[int, Any] = {}
        open_pipes = list(self._pipes)
        while open_pipes:
            for conn in wait(open_pipes):
                assert isinstance(conn, Connection)
                try:
                    index, offset, data = conn.recv()
                except (EOFError, OSError):
                    index = _DONE
                if index == _DONE:
                    open_pipes.remove(conn)
                    conn.close()
                    continue
                # a result that cannot be read back (an I/O error on the file, bytes that do
                # not unpickle) is run here, where a fault of the job itself surfaces; the pipe
                # stays open, so the worker never blocks on it with a reader gone
                with contextlib.suppress(Exception):
                    found[index] = self._read(conn, offset, data)
        for proc in self._procs:
            proc.join()
        self._procs = []
        self._held.clear()
        self._close_spools()
        return [found[i] if i in found else job() for i, job in enumerate(self._jobs)]

    def _read(self, conn: Connection, offset: int, data: Any) -> Any:
        """A result a worker sent: ``data`` is its pickle when ``offset`` is negative (it came
        through the pipe), else its length in the worker's file, at ``offset``."""
        if offset < 0:
            return pickle.loads(data)
        spool = self._spools[conn]
        assert spool is not None
        return pickle.loads(_pread(spool.fileno(), data, offset))

    def _close_spools(self) -> None:
        for spool in self._spools.values():
            if spool is not None:
                spool.close()
        self._spools = {}

    def cancel(self) -> None:
        """Stop the workers and close their pipes; their results are not wanted."""
        for proc in self._procs:
            proc.terminate()
        for proc in self._procs:
            proc.join()
        for conn in self._pipes:
            conn.close()
        self._procs = []
        self._held.clear()
        self._close_spools()

    def __del__(self) -> None:
        if self._procs and os.getpid() == self._owner:  # never asked: no one reads them
            self.cancel()


def beside(aside: Callable[[], A], here: Callable[[], H]) -> tuple[H, Callable[[], A]]:
    """Run ``aside`` in a worker process (:func:`start_all`) while ``here`` runs in this one:
    ``here``'s result, and how to wait for ``aside``'s. Should ``here`` fail, the worker is
    stopped before the error goes on (no one would read what it sends)."""
    later = start_all([aside], 1)
    try:
        first = here()
    except BaseException:
        cancel(later)
        raise

    def rest() -> A:
        (value,) = later()
        return cast(A, value)

    return first, rest


def cancel(waiter: Callable[[], list[Any]]) -> None:
    """Stop the workers of what :func:`start_all` returned, if it started any (the caller's
    own work failed and it will not ask for their results)."""
    if isinstance(waiter, Pending):
        waiter.cancel()


def _work(
    jobs: Sequence[Callable[[], Any]], counter: Any, conn: Connection, spool: IO[bytes] | None
) -> None:
    """A worker: take the next job until none is left, writing each result as it comes into
    ``spool`` (where it lies goes through the pipe; the result itself when there is no spool
    or it is full). SIGTERM (how :meth:`Pending.cancel` stops it) ends it at once, whatever
    handler the parent had when it forked: a worker that caught it would block sending to a
    parent no longer reading."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    end = 0
    try:
        while True:
            with counter.get_lock():
                index = counter.value
                counter.value += 1
            if index >= len(jobs):
                break
            data = pickle.dumps(jobs[index](), protocol=pickle.HIGHEST_PROTOCOL)
            if spool is not None and _pwrite(spool.fileno(), data, end):
                conn.send((index, end, len(data)))
                end += len(data)
            else:
                conn.send((index, -1, data))
    except BaseException:
        pass
    finally:
        try:
            conn.send((_DONE, 0, None))
        finally:
            conn.close()


def _pwrite(fd: int, data: bytes, offset: int) -> bool:
    """Write all of ``data`` at ``offset``; False when the file takes no more (disk full)."""
    view = memoryview(data)
    done = 0
    with contextlib.suppress(OSError):
        while done < len(view):
            wrote = os.pwrite(fd, view[done:], offset + done)
            if wrote <= 0:
                return False
            done += wrote
        return True
    return False


def _pread(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset`` (a worker wrote them there; raises OSError should the file
    end first)."""
    parts: list[bytes] = []
    left = size
    while left:
        part = os.pread(fd, left, offset + size - left)
        if not part:
            raise OSError("a worker's result file ended early")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
