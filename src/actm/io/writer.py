"""Writing output made a piece at a time, the writing beside the making.

A large report (hundreds of megabytes of JSON) is rendered a piece at a time; writing each
piece costs the kernel's copy into the page cache, which a system call does without holding
Python's interpreter lock. :func:`write_pieces` gathers the pieces into blocks and writes them
in a thread, so that copy overlaps the rendering of the next pieces. The bytes written, and
their order, are those of the pieces.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from typing import BinaryIO

__all__ = ["BLOCK_BYTES", "write_pieces"]

BLOCK_BYTES = 1 << 20
"""Pieces are gathered into blocks of about this size before they are written."""

_QUEUED = 8
"""Blocks made and not written yet, at most (bounds the memory the overlap takes)."""


def write_pieces(fh: BinaryIO, pieces: Iterable[bytes]) -> None:
    """Write ``pieces`` to ``fh`` in order. An error of the writing (a full disk) is raised
    here, once the pieces made so far are dropped; an error of the making stops the writing
    and is raised as it is."""
    blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
    failed: list[BaseException] = []

    def drain() -> None:
        while (block := blocks.get()) is not None:
            if failed:
                continue  # keep taking blocks, so the maker never waits on a full queue
            try:
                fh.write(block)
            except BaseException as exc:  # raised in the caller's thread below
                failed.append(exc)

    writer = threading.Thread(target=drain, name="actm-writer", daemon=True)
    writer.start()
    try:
        gathered: list[bytes] = []
        size = 0
        for piece in pieces:
            gathered.append(piece)
            size += len(piece)
            if size >= BLOCK_BYTES:
                blocks.put(b"".join(gathered))
                gathered, size = [], 0
                if failed:
                    break
        if gathered and not failed:
            blocks.put(b"".join(gathered))
    finally:
        blocks.put(None)
        writer.join()
    if failed:
        raise failed[0]
