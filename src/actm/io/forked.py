"""Pieces of output made in a forked child process while this one makes the pieces before them.

A large report is rendered a piece at a time (:mod:`actm.io.writer`), one core busy and the
other idle once the analysis is done. :func:`ahead` forks a child that makes the pieces of the
*later* part of an output now, into an unnamed temporary file, while this process makes and
writes the earlier part; the child's pieces are then read back one by one, so the caller sees
the same pieces in the same order as if it had made them itself. Nothing is pickled: the child
inherits what it renders as it is. Where no child can be forked (not Linux, one worker allowed,
a fork that fails) or the child fails, the later pieces are made here when asked for, so the
output never depends on whether or how the work was shared.

A caller that only writes the pieces out need not read them back: :meth:`Later.spooled` hands
the child's pieces over as one :class:`~actm.io.writer.Spooled` range of its file, which the
writer copies into the output in the kernel (:mod:`actm.io.writer`). The child writes its
pieces one after the other, then their lengths, their count and an end mark, so the file is
both the bytes of the pieces and the list of them.

:func:`workers` says how many processes may work at once: ``ACTM_WORKERS``, else the CPUs this
process may use (the engine's reruns read it too).
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from actm.errors import UsageError
from actm.io.writer import Spooled

__all__ = ["Later", "ahead", "workers"]

_LENGTH = struct.Struct("<Q")
"""A piece's length, and the count of pieces, in the temporary file."""
_DONE = b"\xffactm-done\xff"
"""Written by the child after its last piece: the parent reads the file back only when this
ends it, so a child that stopped early (killed, out of disk) never yields part of its pieces,
whether or not its exit status could be read."""


MAX_WORKERS = 1024
"""The most worker processes ``ACTM_WORKERS`` may ask for."""


def workers() -> int:
    """How many worker processes to use: ``ACTM_WORKERS``, else the CPUs available.

    Raises :class:`~actm.errors.UsageError` naming the variable when it is set (not blank)
    but not a whole number from 1 to :data:`MAX_WORKERS` (underscores allowed, as in the
    ``ACTM_MAX_*`` limits): a typo is an error, not a silent fall back to every CPU. It is read
    where worker processes may start (an analysis, a long JSON rendering), so a command that
    starts none, or ``--help``, runs whatever it says; the CLI's guard turns the error into
    exit 2.
    """
    raw = os.environ.get("ACTM_WORKERS")
    if raw is not None and raw.strip():
        text = raw.strip().replace("_", "")
        if not (text.isascii() and text.isdigit() and len(text) <= 18) or not (
            1 <= int(text) <= MAX_WORKERS
        ):
            raise UsageError(
                f"ACTM_WORKERS={raw!r}: expected a whole number from 1 to {MAX_WORKERS} "
                "(1 runs everything in one process); unset it to use every CPU available"
            )
        return int(text)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Later:
    """Pieces being made in a forked child (or to be made here): iterate once, in order;
    :meth:`close` (also when iterating stops early) stops the child and drops its file."""

    def __init__(self, make: Callable[[], Iterable[bytes]]) -> None:
        self._make = make
        self._pid = 0
        self._spool: BinaryIO | None = None
        if workers() <= 1 or not sys.platform.startswith("linux"):
            return
        try:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the child, closed by close()
        except OSError:  # no room or no descriptor left: the pieces are made here
            return
        try:
            pid = os.fork()
        except OSError:
            spool.close()
            return
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            _child(make, spool)
        self._pid, self._spool = pid, spool

    def __iter__(self) -> Iterator[bytes]:
        try:
            lengths = self._wait()
            if lengths is None:
                yield from self._make()
                return
            assert self._spool is not None
            self._spool.seek(0)
            read = self._spool.read
            for size in lengths:
                yield read(size)
        finally:
            self.close()

    def spooled(self) -> Iterator[bytes | Spooled]:
        """The pieces as :meth:`__iter__` gives them, except that those the child made come
        as one range of its file (which the :class:`Spooled` then owns and closes), to be
        copied as they are: the bytes are the same, never read back into this process."""
        try:
            lengths = self._wait()
            if lengths is None:
                yield from self._make()
                return
            spool, self._spool = self._spool, None
            assert spool is not None
            piece = Spooled(spool, sum(lengths))
            try:
                yield piece
            except BaseException:  # not taken (the writing stopped): the file is dropped here
                piece.close()
                raise
        finally:
            self.close()

    def _wait(self) -> list[int] | None:
        """Wait for the child; the lengths of the pieces it made, in order, or None when the
        pieces are to be made here (no child, or one that did not finish: killed, disk full,
        whatever its status says)."""
        if not self._pid:
            return None
        # the host program may have reaped it already (SIGCHLD ignored, a child watcher)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        self._pid = 0
        spool = self._spool
        assert spool is not None
        trailer = _LENGTH.size + len(_DONE)
        end = spool.seek(0, os.SEEK_END) - trailer
        if end < 0 or spool.seek(end) != end:
            return None
        tail = spool.read()
        if tail[_LENGTH.size :] != _DONE:
            return None
        (count,) = _LENGTH.unpack(tail[: _LENGTH.size])
        table = end - count * _LENGTH.size
        if table < 0:
            return None
        spool.seek(table)
        lengths = list(struct.unpack(f"<{count}Q", spool.read(count * _LENGTH.size)))
        return lengths if sum(lengths) == table else None

    def close(self) -> None:
        if self._pid:  # not waited for: stop the child
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            self._pid = 0
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def ahead(make: Callable[[], Iterable[bytes]]) -> Later:
    """Start making ``make()``'s pieces in a forked child now, while the caller makes what
    goes before them; iterate the result for them, in order (read back from the child, or
    made here where no child could make them)."""
    return Later(make)


def _child(make: Callable[[], Iterable[bytes]], spool: BinaryIO) -> None:
    """In the child: write every piece, then their lengths, their count and the end mark, then
    leave at once (no exit handlers, no flushing of the parent's buffers)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        lengths: list[int] = []
        for piece in make():
            spool.write(piece)
            lengths.append(len(piece))
        spool.write(struct.pack(f"<{len(lengths)}Q", *lengths))
        spool.write(_LENGTH.pack(len(lengths)))
        spool.write(_DONE)
        spool.flush()
        status = 0
    finally:
        os._exit(status)
