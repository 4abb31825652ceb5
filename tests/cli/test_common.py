"""What the commands share: picking a renderer from a table, writing what it makes."""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actm.cli.common import choices, emit, pick, write
from actm.errors import UsageError
from actm.render.formats import FORMATS
from actm.render.interface import MissingExtra, Renderer, RenderOptions


class _Terminal(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()

    def isatty(self) -> bool:
        return True


class _Png(Renderer[str]):
    name = "png"
    description = "bytes"
    binary = True

    def make(self, value: str, options: RenderOptions) -> bytes:
        return value.encode("ascii")


class _Noted(Renderer[str]):
    name = "noted"
    description = "text with a warning about it"

    def make(self, value: str, options: RenderOptions) -> str:
        return value + "\n"

    def warnings(self, output: str | bytes) -> list[str]:
        return [f"{len(output)} characters"]


class _Streamed(Renderer[str]):
    name = "streamed"
    description = "text a piece at a time"
    streams = True

    def make(self, value: str, options: RenderOptions) -> str:
        raise AssertionError("a streaming renderer is written through pieces()")

    def pieces(self, value: str, options: RenderOptions) -> Iterator[bytes]:
        yield from (part.encode("utf-8") for part in value.split(" "))


class _Needs(Renderer[str]):
    name = "needs"
    description = "needs a package that is not there"
    extra = "needs"
    requires = ("actm_no_such_package",)

    def make(self, value: str, options: RenderOptions) -> str:
        raise AssertionError("never rendered")


def test_binary_output_is_refused_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    table = {"png": _Png()}
    monkeypatch.setattr(sys, "stdout", _Terminal())
    for output in (None, Path("-")):
        with pytest.raises(
            UsageError, match=r"^--format png writes a binary file: add --output FILE\.png$"
        ):
            pick(table, "png", output)
    assert pick(table, "png", tmp_path / "x.png") is table["png"]
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # a pipe: fine
    assert pick(table, "png", None) is table["png"]


def test_a_missing_package_is_found_when_the_renderer_is_picked() -> None:
    expected = "--format needs needs the actm_no_such_package package: pip install 'actm[needs]'"
    with pytest.raises(MissingExtra) as caught:
        pick({"needs": _Needs()}, "needs", None)
    assert str(caught.value) == expected


def test_emit_writes_warnings_first_then_the_output(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    emit(_Noted(), "abc", RenderOptions(), None)
    out, err = capsysbinary.readouterr()
    assert (out, err) == (b"abc\n", b"warning: 4 characters\n")


def test_emit_writes_a_streaming_renderer_piece_by_piece(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.txt"
    emit(_Streamed(), "a b c", RenderOptions(), target)
    assert target.read_bytes() == b"abc"


def test_choices_are_the_table_names_in_order() -> None:
    fmt = choices("Format", FORMATS)
    assert [m.value for m in fmt] == [
        "text",
        "markdown",
        "json",
        "sarif",
        "csv",
        "stix",
        "otm",
        "threat-dragon",
        "html",
        "pdf",
    ]
    assert fmt("json") == "json" and FORMATS[fmt("json")] is FORMATS["json"]


# -- writing a file all or nothing ------------------------------------------------------------


class _Breaks(Renderer[str]):
    """Streams one piece, then fails the way it is told to."""

    name = "breaks"
    description = "fails half-way"
    streams = True

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def make(self, value: str, options: RenderOptions) -> str:
        raise AssertionError("a streaming renderer is written through pieces()")

    def pieces(self, value: str, options: RenderOptions) -> Iterator[bytes]:
        yield b'{"half": '
        raise self.error


@pytest.mark.parametrize(
    "error", [RuntimeError("renderer bug"), KeyboardInterrupt()], ids=["error", "ctrl-c"]
)
def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(
    tmp_path: Path, error: BaseException
) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b'{"previous": true}\n')
    with pytest.raises(type(error)):
        emit(_Breaks(error), "x", RenderOptions(), target)
    assert target.read_bytes() == b'{"previous": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    fresh, kept = tmp_path / "new.txt", tmp_path / "kept.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o600)
    umask = os.umask(0o027)
    try:
        write("new\n", fresh)
        write("replaced\n", kept)
    finally:
        os.umask(umask)
    assert (fresh.read_bytes(), stat.S_IMODE(fresh.stat().st_mode)) == (b"new\n", 0o640)
    assert (kept.read_bytes(), stat.S_IMODE(kept.stat().st_mode)) == (b"replaced\n", 0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "new.txt"]


def test_a_link_is_written_through_and_a_device_in_place(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write("through the link\n", link)
    assert link.is_symlink() and real.read_bytes() == b"through the link\n"
    write("discarded\n", Path(os.devnull))
    assert Path(os.devnull).is_char_device()


_WRITER = """
import sys
from pathlib import Path
from actm.cli.common import write
n = int(sys.argv[2])
write([(sys.argv[3] * 1000 + "\\n").encode()] * n, Path(sys.argv[1]))
"""


def test_concurrent_writers_leave_one_complete_file(tmp_path: Path) -> None:
    """Two processes writing 4 MB each to one path: the file is one of the two outputs, whole."""
    target = tmp_path / "out.txt"
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(target), "4000", letter])
        for letter in "ab"
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    data = target.read_bytes()
    assert data in {(c * 1000 + "\n").encode() * 4000 for c in "ab"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


_KILLED = """
import sys, time
from pathlib import Path
from actm.cli.common import write
def pieces():
    yield b"half of a report"
    print("writing", flush=True)
    time.sleep(60)
    yield b"never"
write(pieces(), Path(sys.argv[1]))
"""


def test_a_killed_writer_leaves_the_previous_file(tmp_path: Path) -> None:
    """kill -9 half-way: the previous report is still there, whole (only a temporary file
    beside it, which nothing could remove, is left)."""
    target = tmp_path / "report.md"
    target.write_bytes(b"# previous report\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    proc.kill()
    proc.wait(timeout=60)
    assert target.read_bytes() == b"# previous report\n"
    left = sorted(p.name for p in tmp_path.iterdir() if p != target)
    assert len(left) == 1 and left[0].startswith(".report.md.") and left[0].endswith(".tmp")


def test_a_terminated_writer_leaves_the_previous_file_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    """SIGTERM half-way (kill, timeout, a cancelled CI job): the previous report is still
    there, the temporary file is removed, and the exit status says SIGTERM (128 + 15)."""
    target = tmp_path / "report.md"
    target.write_bytes(b"# previous report\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert target.read_bytes() == b"# previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_writing_puts_the_sigterm_handler_back(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    write("x\n", tmp_path / "x.txt")
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_command_leaves_what_it_built_out_of_the_collection_at_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the interpreter's last collection would walk (and free) the cycles an analysis leaves:
    # main() freezes them once the command is done, whatever its exit
    import gc

    from actm.cli.app import main

    monkeypatch.setattr(sys, "argv", ["actm", "--version"])
    was_enabled = gc.isenabled()
    gc.unfreeze()  # whatever other tests' commands froze
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def test_what_a_command_leaves_is_held_to_the_exit_only_within_to_exit() -> None:
    import gc
    import weakref

    from actm.lifetime import leave, to_exit

    class Value:
        pass

    was_enabled = gc.isenabled()
    try:
        gc.disable()  # as main() runs a command
        with to_exit():
            value = Value()
            ref = weakref.ref(value)
            leave(value)
            del value
            assert ref() is not None  # not freed when the function holding it returns
        gc.collect()
        assert ref() is not None  # left to the end of the process...
        with to_exit():
            assert ref() is None  # ...or to the next command, which frees it first
        value = Value()
        ref = weakref.ref(value)
        leave(value)  # outside to_exit (a program calling the library): not held
        del value
        assert ref() is None
    finally:
        if was_enabled:
            gc.enable()
