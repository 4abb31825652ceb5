"""Reading input files defensively: the bytes of a file within a size limit, and their text.

Both readers of structured input (:mod:`actm.io.yaml` and :mod:`actm.io.json`) start here. The
size and the kind of file are checked with ``stat`` before the file is opened, so a huge file
is never read and a pipe is never waited on; the text must be UTF-8 (a byte-order mark is
dropped), and a file holding NUL bytes is refused as binary. Every refusal is a
:class:`~actm.errors.Diagnostic` naming the place, in a :class:`FileProblem`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from actm.errors import Diagnostic, SourceLocation

__all__ = ["FileProblem", "Reading", "decode_utf8", "is_dir", "is_file", "read_limited"]


def _mode(path: str | os.PathLike[str]) -> int:
    """``path``'s mode (through links); 0 when the system cannot say. In Python 3.11
    ``Path.is_dir()`` raises for a name too long or a NUL, which is a plain no."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return 0


def is_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a directory (through links); False when the system cannot say."""
    return stat.S_ISDIR(_mode(path))


def is_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file (through links); False when the system cannot say."""
    return stat.S_ISREG(_mode(path))


class FileProblem(Exception):
    """The file could not be read; carries the diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the messages call the file and how they say to fix a refusal."""

    what: str
    """The kind of content expected, as in "not YAML"."""
    pass_hint: str
    """The hint for a directory ("pass a YAML file")."""
    stream_hint: str
    """The hint for a pipe, socket or device."""
    binary_hint: str
    """The hint for a file holding NUL bytes."""
    too_large_hint: str
    """The hint for a file over the size limit."""


def _unreadable(message: str, hint: str) -> FileProblem:
    return FileProblem([Diagnostic("file-unreadable", message, None, hint)])


def too_large(shown: str, size: int, limit: int, hint: str) -> Diagnostic:
    """The diagnostic for a file of ``size`` bytes over ``limit``, at its first line."""
    return Diagnostic(
        "file-too-large",
        f"file is {size:,} bytes, over the limit of {limit:,}",
        SourceLocation(shown, 1, 1),
        hint,
    )


def read_limited(
    path: str | os.PathLike[str], max_bytes: int, shown: str, reading: Reading
) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes``; raises
    :class:`FileProblem`. ``shown`` names the file in messages."""
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise FileProblem(
            [Diagnostic("file-not-found", f"no such file: {shown}", None, "check the path")]
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _unreadable(
            f"cannot read {shown}: {getattr(exc, 'strerror', None) or exc}",
            "check that the file exists and that you may read it",
        ) from None
    if p.is_dir():
        raise _unreadable(f"{shown} is a directory", reading.pass_hint)
    if not stat.S_ISREG(info.st_mode):
        # a pipe or a device may block forever or never end
        raise _unreadable(
            f"{shown} is not a regular file (a pipe, socket or device)", reading.stream_hint
        )
    if info.st_size > max_bytes:
        raise FileProblem([too_large(shown, info.st_size, max_bytes, reading.too_large_hint)])
    try:
        # bounded: a file that grows while it is read may pass the size check above
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _unreadable(
            f"cannot read {shown}: {exc.strerror or exc}",
            "check that the file exists and that you may read it",
        ) from None
    if len(raw) > max_bytes:
        raise FileProblem(
            [
                Diagnostic(
                    "file-too-large",
                    f"file is larger than the limit of {max_bytes:,} bytes",
                    SourceLocation(shown, 1, 1),
                    reading.too_large_hint,
                )
            ]
        )
    return raw


def byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """Line and column (in characters) of byte ``index`` of ``raw``."""
    start = raw.rfind(b"\n", 0, index) + 1
    if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
        start = 3  # the BOM is not part of the text
    col = len(raw[start:index].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, index) + 1, col


def decode_utf8(raw: bytes, path: str, reading: Reading) -> str:
    """``raw`` as text, without a byte-order mark; raises :class:`FileProblem` for UTF-16,
    binary content or bytes that are not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(
            [
                Diagnostic(
                    "not-utf8",
                    "file is UTF-16 encoded; actm reads UTF-8 only",
                    SourceLocation(path, 1, 1),
                    "save the file as UTF-8",
                )
            ]
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = byte_position(raw, nul)
        raise FileProblem(
            [
                Diagnostic(
                    "binary-file",
                    f"file contains NUL bytes; it looks like a binary file, not {reading.what}",
                    SourceLocation(path, line, col),
                    reading.binary_hint,
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = byte_position(raw, exc.start)
        raise FileProblem(
            [
                Diagnostic(
                    "not-utf8",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    SourceLocation(path, line, col),
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")
