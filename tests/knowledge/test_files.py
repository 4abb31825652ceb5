"""Files in a knowledge directory are checked before they are read: a huge file is refused
unread, a pipe or a device is refused without waiting on it, and each is a located error."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from actm.cli.app import app
from actm.errors import Diagnostic, KnowledgeError, SourceLocation
from actm.knowledge.attacks import load_knowledge
from actm.knowledge.files import KNOWLEDGE_LIMITS, knowledge_files

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs os.mkfifo")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file opened through pathlib (read_bytes and read_text open through it too)."""
    seen: list[str] = []
    real = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    return seen


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail instead of blocking for ever if a pipe were opened for reading."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(*_: object) -> None:
        raise AssertionError("blocked on a pipe")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def problems(root: Path) -> list[Diagnostic]:
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([root])
    return list(err.value.diagnostics)


def refused(path: Path, code: str, message: str, hint: str) -> list[Diagnostic]:
    """The one diagnostic expected for ``path``: located at the file itself."""
    return [Diagnostic(code, message, SourceLocation(str(path), 1, 1), hint)]


def test_a_huge_sparse_file_is_refused_without_being_opened(
    tmp_path: Path, opened: list[str]
) -> None:
    huge = tmp_path / "attacks" / "huge.yaml"
    huge.parent.mkdir()
    with huge.open("wb") as fh:
        fh.truncate(1_200_000_000)  # sparse: 1.2 GB that take no disk space
    opened.clear()
    assert problems(tmp_path) == refused(
        huge,
        "file-too-large",
        f"file is 1,200,000,000 bytes, over the limit of {KNOWLEDGE_LIMITS.max_file_bytes:,}",
        "knowledge files are read up to 33,554,432 bytes each: split it, one entry per file",
    )
    assert str(huge) not in opened


@posix_only
@pytest.mark.usefixtures("no_hang")
@pytest.mark.parametrize("sub", ["attacks", "frameworks", "mappings", "controls", "vocabulary"])
def test_a_pipe_in_a_knowledge_directory_is_reported_not_skipped(tmp_path: Path, sub: str) -> None:
    name = "capabilities.yaml" if sub == "vocabulary" else "pipe.yaml"
    pipe = tmp_path / sub / name
    pipe.parent.mkdir()
    os.mkfifo(pipe)
    assert problems(tmp_path) == refused(
        pipe,
        "knowledge-unreadable",
        f"{pipe} is not a regular file (a pipe, socket or device)",
        "a knowledge directory holds regular YAML files: remove it or replace it with a file",
    )


@posix_only
def test_a_broken_link_and_a_directory_named_like_a_file_are_reported(tmp_path: Path) -> None:
    attacks = tmp_path / "attacks"
    attacks.mkdir()
    (attacks / "folder.yaml").mkdir()
    os.symlink(tmp_path / "gone.yaml", attacks / "link.yaml")
    assert knowledge_files(tmp_path, "attacks") == [attacks / "folder.yaml", attacks / "link.yaml"]
    folder, link = problems(tmp_path)
    assert (folder.code, folder.location, folder.hint) == (
        "knowledge-unreadable",
        SourceLocation(str(attacks / "folder.yaml"), 1, 1),
        "a knowledge directory holds regular YAML files: remove it or replace it with a file",
    )
    assert (link.code, link.location, link.hint) == (
        "knowledge-unreadable",
        SourceLocation(str(attacks / "link.yaml"), 1, 1),
        "a knowledge directory holds regular YAML files: remove the broken link",
    )


def test_a_file_with_an_upper_case_extension_is_read(tmp_path: Path) -> None:
    attacks = tmp_path / "attacks"
    attacks.mkdir()
    (attacks / "SHOUTED.YAML").write_text("", encoding="utf-8")
    (diag,) = problems(tmp_path)
    assert (diag.code, diag.location) == (
        "empty-file",
        SourceLocation(str(attacks / "SHOUTED.YAML"), 1, 1),
    )
    assert "docs/writing-knowledge.md" in (diag.hint or "")


@posix_only
@pytest.mark.usefixtures("no_hang")
@pytest.mark.parametrize("kind", ["file", "pipe", "broken link", "link loop"])
def test_a_knowledge_subdirectory_that_is_no_directory_is_reported(
    tmp_path: Path, kind: str
) -> None:
    """attacks/ as a file, a pipe, a link to nothing or a loop of links: the entries it was
    meant to hold would be left out without a word, so it is an error (exit 3)."""
    attacks = tmp_path / "attacks"
    if kind == "file":
        attacks.write_text("id: x\n", encoding="utf-8")
    elif kind == "pipe":
        os.mkfifo(attacks)
    elif kind == "broken link":
        os.symlink(tmp_path / "missing", attacks)
    else:
        os.symlink(attacks, attacks)
    assert problems(tmp_path) == [
        Diagnostic(
            "knowledge-unreadable",
            f"{attacks} is not a directory",
            SourceLocation(str(attacks)),
            "a knowledge directory's attacks/ holds its YAML files: make it a directory, or "
            "remove it",
        )
    ]


@posix_only
@pytest.mark.usefixtures("no_hang")
def test_the_cli_stops_with_the_knowledge_exit_code_and_names_the_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "attacks" / "pipe.yaml"
    pipe.parent.mkdir()
    os.mkfifo(pipe)
    res = CliRunner().invoke(app, ["kb", "list", "-k", str(tmp_path)])
    assert res.exit_code == 3
    assert res.output.splitlines() == [
        f"{pipe}:1:1: error[knowledge-unreadable]: {pipe} is not a regular file (a pipe, "
        "socket or device)",
        "    hint: a knowledge directory holds regular YAML files: remove it or replace it with "
        "a file",
        "actm: the knowledge base is invalid (1 problem); fix the entries above",
    ]
