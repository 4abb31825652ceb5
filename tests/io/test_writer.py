"""Writing pieces beside their making: same bytes, same order, errors where they belong."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from actm.io.writer import BLOCK_BYTES, Spooled, write_pieces


def _pieces(n: int, size: int) -> Iterator[bytes]:
    for i in range(n):
        yield bytes([i % 251]) * size


def test_the_bytes_are_those_of_the_pieces_in_order() -> None:
    fh = io.BytesIO()
    write_pieces(fh, _pieces(300, 10_000))  # about three blocks, the last one short
    assert fh.getvalue() == b"".join(_pieces(300, 10_000))


def test_no_pieces_write_nothing() -> None:
    fh = io.BytesIO()
    write_pieces(fh, iter(()))
    assert fh.getvalue() == b""


class _Full(io.BytesIO):
    """A file whose second write fails as a full disk does."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, b: object) -> int:
        self.writes += 1
        if self.writes == 2:
            raise OSError(28, "No space left on device")
        return super().write(b)  # type: ignore[arg-type]


def test_a_failed_write_is_raised_and_the_maker_stops() -> None:
    made = []

    def pieces() -> Iterator[bytes]:
        for i in range(100):
            made.append(i)
            yield b"x" * BLOCK_BYTES

    fh = _Full()
    with pytest.raises(OSError, match="No space left"):
        write_pieces(fh, pieces())
    assert fh.getvalue() == b"x" * BLOCK_BYTES
    assert len(made) < 100


def test_an_error_of_the_making_is_raised_as_it_is() -> None:
    def pieces() -> Iterator[bytes]:
        yield b"a" * (BLOCK_BYTES + 1)
        raise ValueError("renderer failed")

    fh = io.BytesIO()
    with pytest.raises(ValueError, match="renderer failed"):
        write_pieces(fh, pieces())
    assert fh.getvalue() == b"a" * (BLOCK_BYTES + 1)


def _spooled(data: bytes, tmp_path: Path) -> Spooled:
    fh = (tmp_path / "spool").open("w+b")
    fh.write(data + b"not part of the piece")
    fh.flush()
    return Spooled(fh, len(data))


def test_a_spooled_range_is_copied_in_its_place(tmp_path: Path) -> None:
    middle = bytes(range(256)) * 9000  # more than a block
    spooled = _spooled(middle, tmp_path)
    with (tmp_path / "out").open("wb") as fh:  # a real file: copied by the kernel
        write_pieces(fh, [b"before", b"-", spooled, b"after"])
    assert (tmp_path / "out").read_bytes() == b"before-" + middle + b"after"
    assert spooled.file.closed


def test_a_spooled_range_goes_to_a_file_without_a_descriptor(tmp_path: Path) -> None:
    spooled = _spooled(b"x" * (BLOCK_BYTES + 5), tmp_path)
    fh = io.BytesIO()
    write_pieces(fh, [b"a", spooled, b"z"])
    assert fh.getvalue() == b"a" + b"x" * (BLOCK_BYTES + 5) + b"z"
    assert spooled.file.closed


def test_a_spooled_range_whose_copy_fails_is_closed(tmp_path: Path) -> None:
    spooled = _spooled(b"y" * 10, tmp_path)
    fh = _Full()  # its second write (the range's) fails
    with pytest.raises(OSError, match="No space left"):
        write_pieces(fh, [b"x" * BLOCK_BYTES, spooled])
    assert fh.getvalue() == b"x" * BLOCK_BYTES
    assert spooled.file.closed


def test_synced_as_written_the_bytes_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import actm.io.writer as writer

    synced: list[int] = []
    real = os.fdatasync

    def fdatasync(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(writer, "SYNC_BYTES", 4 * BLOCK_BYTES)
    monkeypatch.setattr(writer.os, "fdatasync", fdatasync)
    path = tmp_path / "out.bin"
    with path.open("wb") as fh:
        write_pieces(fh, _pieces(2000, 10_000), sync=True)  # about 19 blocks
    assert path.read_bytes() == b"".join(_pieces(2000, 10_000))
    assert 1 <= len(synced) <= 4


def test_a_failed_sync_is_raised_and_the_maker_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import actm.io.writer as writer

    made = []

    def pieces() -> Iterator[bytes]:
        for i in range(200):
            made.append(i)
            yield b"x" * BLOCK_BYTES

    def fdatasync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer, "SYNC_BYTES", 2 * BLOCK_BYTES)
    monkeypatch.setattr(writer.os, "fdatasync", fdatasync)
    with (tmp_path / "out.bin").open("wb") as fh, pytest.raises(OSError, match="Input/output"):
        write_pieces(fh, pieces(), sync=True)
    assert len(made) < 200


def test_without_fdatasync_the_file_is_synced_with_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows have no ``os.fdatasync``: the syncing thread uses ``fsync`` there
    instead of dying with an AttributeError (the report is still written whole)."""
    import actm.io.writer as writer

    synced: list[int] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(writer, "SYNC_BYTES", 4 * BLOCK_BYTES)
    monkeypatch.delattr(writer.os, "fdatasync")
    monkeypatch.setattr(writer.os, "fsync", fsync)
    path = tmp_path / "out.bin"
    with path.open("wb") as fh:
        write_pieces(fh, _pieces(2000, 10_000), sync=True)
    assert path.read_bytes() == b"".join(_pieces(2000, 10_000))
    assert synced


def test_any_failure_of_the_sync_is_raised_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only an OSError: whatever stops the syncing thread is raised to the caller."""
    import actm.io.writer as writer

    def fdatasync(fd: int) -> None:
        raise ValueError("sync broke")

    monkeypatch.setattr(writer, "SYNC_BYTES", 2 * BLOCK_BYTES)
    monkeypatch.setattr(writer.os, "fdatasync", fdatasync)
    pieces = (b"x" * BLOCK_BYTES for _ in range(50))
    with (tmp_path / "out.bin").open("wb") as fh, pytest.raises(ValueError, match="sync broke"):
        write_pieces(fh, pieces, sync=True)
