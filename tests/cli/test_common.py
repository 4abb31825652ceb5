"""What the commands share: picking a renderer from a table, writing what it makes."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actm.cli.common import choices, emit, pick
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

    def render(self, value: str, options: RenderOptions) -> bytes:
        return value.encode("ascii")


class _Noted(Renderer[str]):
    name = "noted"
    description = "text with a warning about it"

    def render(self, value: str, options: RenderOptions) -> str:
        return value + "\n"

    def warnings(self, output: str | bytes) -> list[str]:
        return [f"{len(output)} characters"]


class _Streamed(Renderer[str]):
    name = "streamed"
    description = "text a piece at a time"
    streams = True

    def render(self, value: str, options: RenderOptions) -> str:
        raise AssertionError("a streaming renderer is written through chunks()")

    def chunks(self, value: str, options: RenderOptions) -> Iterator[bytes]:
        yield from (part.encode("utf-8") for part in value.split(" "))


class _Needs(Renderer[str]):
    name = "needs"
    description = "needs a package that is not there"
    extra = "needs"
    requires = ("actm_no_such_package",)

    def render(self, value: str, options: RenderOptions) -> str:
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
