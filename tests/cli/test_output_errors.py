"""Where the output cannot go: standard output full or closed, a name too long, a pipe named as
a file. Each is the user's setup, reported as a usage error (exit 2), never as a bug in actm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
MODEL = str(ROOT / "examples" / "customer-support-rag.yaml")


def actm(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "actm", *args], check=False, stderr=subprocess.PIPE, text=True, **kw
    )


COMMANDS = [["analyze", MODEL], ["validate", MODEL], ["kb", "list"], ["schema"], ["--version"]]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_full_standard_output_is_a_usage_error(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = actm(*args, stdout=full)
    assert (done.returncode, done.stderr) == (
        2,
        "cannot write standard output: No space left on device\n",
    )


@pytest.mark.parametrize("args", [*COMMANDS, ["plan", MODEL]], ids=lambda a: a[0])
def test_a_closed_standard_output_is_a_usage_error(args: list[str]) -> None:
    done = actm(*args, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (2, "cannot write standard output: it is closed\n")


LONG = "a" * 300  # longer than a file name may be (NAME_MAX is 255 on common systems)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", MODEL, "-o", LONG], f"cannot write {LONG}: File name too long"),
        (["analyze", MODEL, "-o", f"{LONG}/x"], f"cannot write {LONG}/x: File name too long"),
        (["check", MODEL, "--sarif", LONG], f"cannot write {LONG}: File name too long"),
        (["schema", "-o", LONG], f"cannot write {LONG}: File name too long"),
        (["diagram", MODEL, "-o", LONG], f"cannot write {LONG}: File name too long"),
        (["analyze", MODEL, "-k", LONG], f"knowledge directory {LONG} does not exist"),
        (["import", LONG], f"cannot import {LONG}: cannot read it: File name too long"),
        (["discover", LONG], f"{LONG} is not a directory"),
    ],
    ids=lambda a: a[0] if isinstance(a, list) else "",
)
def test_a_name_too_long_is_a_usage_error(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.11's Path.is_dir() and is_file() raise on ENAMETOOLONG instead of saying no
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs /dev/stdout and /proc")
@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1"])
def test_standard_output_named_as_a_file_is_written_in_place_when_it_is_a_pipe(name: str) -> None:
    # the real path of a pipe is /proc/self/fd/pipe:[N], which cannot be opened
    done = actm("schema", "-o", name)  # standard output is a pipe here
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == actm("schema").stdout != ""


def test_dev_stdout_appended_to_keeps_what_the_file_held(tmp_path: Path) -> None:
    """``actm schema -o /dev/stdout >> file`` replaced the file behind standard output (the
    atomic write renamed a new file over it) instead of appending to it."""
    target = tmp_path / "kept.txt"
    target.write_text("PRECIOUS\n", encoding="utf-8")
    with target.open("ab") as out:
        done = subprocess.run(
            [sys.executable, "-m", "actm", "schema", "-o", "/dev/stdout"], stdout=out, check=False
        )
    assert done.returncode == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("PRECIOUS\n{")
    assert json.loads(text.removeprefix("PRECIOUS\n"))["title"]
