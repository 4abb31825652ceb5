"""Where the output cannot go: standard output full or closed, a name too long, a pipe named as
a file. Each is the user's setup, reported as a usage error (exit 2), never as a bug in actm."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
