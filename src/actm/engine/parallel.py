"""Independent reruns of one analysis, in parallel worker processes where that pays.

:func:`run_all` takes jobs (functions of no argument) and returns their results in the order of
the jobs, whatever the workers do: the result never depends on scheduling. On Linux, with more
than one worker allowed and more than one job, the workers are forked from this process, so
they inherit the model, the knowledge base and the compiled tables as they are (nothing is
pickled but the results); each takes the next job not taken yet, until none is left. Elsewhere,
or for one job, the jobs run here, one after the other. A worker that fails or dies leaves its
jobs to be run here, so an error surfaces as it would without workers.

The number of workers is the CPUs this process may use, or ``ACTM_WORKERS`` (1 runs everything
in this process).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar, cast

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
    for _ in range(n):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_work, args=(jobs, counter, send), daemon=True)
        try:
            proc.start()
        except OSError:  # no fork now (EAGAIN, ENOMEM): the workers started do every job
            receive.close()
            send.close()
            break
        send.close()
        pipes.append(receive)
        procs.append(proc)
    if not procs:
        return lambda: [job() for job in jobs]
    return Pending(jobs, counter, pipes, procs)


class Pending:
    """Jobs running in worker processes: called, their results in the order of the jobs (the
    ones no worker sent run here); :meth:`cancel` stops the workers instead."""

    def __init__(
        self,
        jobs: Sequence[Callable[[], Any]],
        counter: Any,
        pipes: list[Connection],
        procs: list[Any],
    ) -> None:
        self._jobs = jobs
        # the workers' shared job counter lives in memory this process hands out: were it
        # freed while they run, the next batch's counter would take that memory, and its
        # workers would take this batch's jobs (left to be run here). Kept until they are done.
        self._held: list[Any] = [counter]
        self._pipes = pipes
        self._procs = procs
        self._owner = os.getpid()  # a forked child holds a copy of this object: not its workers

    def __call__(self) -> list[Any]:
        found: dict[int, Any] = {}
        open_pipes = list(self._pipes)
        while open_pipes:
            for conn in wait(open_pipes):
                assert isinstance(conn, Connection)
                try:
                    index, value = conn.recv()
                except (EOFError, OSError):
                    index = _DONE
                if index == _DONE:
                    open_pipes.remove(conn)
                    conn.close()
                else:
                    found[index] = value
        for proc in self._procs:
            proc.join()
        self._procs = []
        self._held.clear()
        return [found[i] if i in found else job() for i, job in enumerate(self._jobs)]

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


def _work(jobs: Sequence[Callable[[], Any]], counter: Any, conn: Connection) -> None:
    """A worker: take the next job until none is left, sending each result as it comes.
    SIGTERM (how :meth:`Pending.cancel` stops it) ends it at once, whatever handler the
    parent had when it forked: a worker that caught it would block sending to a parent no
    longer reading."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        while True:
            with counter.get_lock():
                index = counter.value
                counter.value += 1
            if index >= len(jobs):
                break
            conn.send((index, jobs[index]()))
    except BaseException:
        pass
    finally:
        try:
            conn.send((_DONE, None))
        finally:
            conn.close()
