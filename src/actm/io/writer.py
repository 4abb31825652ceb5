"""Writing output made a piece at a time, the writing beside the making.

A large report (hundreds of megabytes of JSON) is rendered a piece at a time; writing each
piece costs the kernel's copy into the page cache, which a system call does without holding
Python's interpreter lock. :func:`write_pieces` gathers the pieces into blocks and writes them
in a thread, so that copy overlaps the rendering of the next pieces. The bytes written, and
their order, are those of the pieces.

A piece may also be a :class:`Spooled` range of a file (what a forked child made:
:mod:`actm.io.forked`): the thread copies it into the output with ``sendfile``, in the kernel,
so its bytes never pass through this process.

For a file that is to be flushed to disk once written (``sync``), a third thread asks the
kernel to write what has been written so far back to disk every :data:`SYNC_BYTES`, so the
disk's writing overlaps the rendering too and the caller's final ``fsync`` has only the tail
left to wait for (0.1 s of a 228 MB report otherwise spent after the last piece).
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterable
from typing import BinaryIO

__all__ = ["BLOCK_BYTES", "SYNC_BYTES", "Spooled", "write_pieces"]

BLOCK_BYTES = 1 << 20
"""Pieces are gathered into blocks of about this size before they are written."""

SYNC_BYTES = 16 << 20
"""With ``sync``, written data is flushed to disk each time about this much more is written."""

_QUEUED = 8
"""Blocks made and not written yet, at most (bounds the memory the overlap takes)."""


class Spooled:
    """The first ``size`` bytes of an open file, written as they are (:func:`write_pieces`);
    the file is this piece's, closed once it is written or dropped."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file = file
        self.size = size

    def write_to(self, fh: BinaryIO) -> None:
        """Append the bytes to ``fh``: copied by the kernel where it can (``sendfile``),
        else read and written a block at a time."""
        fh.flush()
        done = 0
        try:
            out, src = fh.fileno(), self.file.fileno()
            while done < self.size:
                sent = os.sendfile(out, src, done, self.size - done)
                if sent == 0:
                    break
                done += sent
        except (OSError, ValueError, AttributeError):
            # no descriptor (an in-memory file) or none sendfile takes: copy what is left
            # (io.UnsupportedOperation is an OSError and a ValueError)
            pass
        self.file.seek(done)
        while done < self.size:
            block = self.file.read(min(BLOCK_BYTES, self.size - done))
            if not block:
                raise OSError(f"spooled output ended after {done} of {self.size} bytes")
            fh.write(block)
            done += len(block)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def write_pieces(fh: BinaryIO, pieces: Iterable[bytes | Spooled], *, sync: bool = False) -> None:
    """Write ``pieces`` to ``fh`` in order. An error of the writing (a full disk) is raised
    here, once the pieces made so far are dropped; an error of the making stops the writing
    and is raised as it is. With ``sync`` (a regular file the caller flushes to disk once
    written), what is written is flushed to disk as the writing goes (:data:`SYNC_BYTES`);
    an error of that flush is raised as a writing error is, never left for the caller's own
    ``fsync``, which may no longer see it."""
    blocks: queue.Queue[bytes | Spooled | None] = queue.Queue(maxsize=_QUEUED)
    failed: list[BaseException] = []
    syncing = _Syncer(fh.fileno(), failed) if sync else None

    def drain() -> None:
        written = 0
        while (block := blocks.get()) is not None:
            try:
                if failed:
                    continue  # keep taking blocks, so the maker never waits on a full queue
                if isinstance(block, Spooled):
                    block.write_to(fh)
                    written += block.size
                else:
                    fh.write(block)
                    written += len(block)
                if syncing is not None and written >= SYNC_BYTES:
                    fh.flush()
                    syncing.ask()
                    written = 0
            except BaseException as exc:  # raised in the caller's thread below
                failed.append(exc)
            finally:
                if isinstance(block, Spooled):
                    block.close()

    writer = threading.Thread(target=drain, name="actm-writer", daemon=True)
    writer.start()
    try:
        gathered: list[bytes] = []
        size = 0
        for piece in pieces:
            if isinstance(piece, Spooled):
                if gathered:  # what goes before it first
                    blocks.put(b"".join(gathered))
                    gathered, size = [], 0
                blocks.put(piece)
            else:
                gathered.append(piece)
                size += len(piece)
                if size < BLOCK_BYTES:
                    continue
                blocks.put(b"".join(gathered))
                gathered, size = [], 0
            if failed:
                break
        if gathered and not failed:
            blocks.put(b"".join(gathered))
    finally:
        blocks.put(None)
        writer.join()
        if syncing is not None:
            syncing.stop()
    if failed:
        raise failed[0]


def _sync(fd: int) -> None:
    """Flush a file's written data to disk: ``fdatasync`` where the system has it (Linux),
    else ``fsync`` (macOS and Windows have no ``os.fdatasync``)."""
    sync: Callable[[int], None] = getattr(os, "fdatasync", None) or os.fsync
    sync(fd)


class _Syncer:
    """A thread that flushes a file's written data to disk (``fdatasync``) each time it is
    asked to, until stopped; an error is added to ``failed``."""

    def __init__(self, fd: int, failed: list[BaseException]) -> None:
        self._fd = fd
        self._failed = failed
        self._asked = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, name="actm-sync", daemon=True)
        self._thread.start()

    def ask(self) -> None:
        self._asked.set()

    def stop(self) -> None:
        self._done = True
        self._asked.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            self._asked.clear()
            if self._done:
                return
            try:
                _sync(self._fd)
            except BaseException as exc:  # raised in the caller's thread like a failed write
                self._failed.append(exc)
                return
