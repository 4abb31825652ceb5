"""``actm validate``: exit codes, one summary line per good file, located errors, no tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

BAD = Path(__file__).parent.parent / "model" / "bad"

GOOD = """\
actm: 1
system: {id: demo, name: Demo, owner: acme}
owners:
  - {id: acme, first_party: true}
  - {id: model-hub}
zones:
  - {id: dmz, trust: low}
nodes:
  - {id: web, kind: web_app, zone: dmz}
  - {id: gpu, kind: inference_server}
models:
  - id: bot
    kind: llm
    owner: model-hub
    exposure: public
    deployed_on: [gpu]
assets:
  - id: kb
    type: document_store
    resides: [{node: web}]
relations:
  - {kind: feeds, from: kb, to: bot.inputs.retrieved_context}
"""

DIAG_RE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error\[(?P<code>[a-z0-9-]+)\]: .+$"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    # CliRunner catches exceptions; anything but a clean exit is a crash
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err
    return result.exit_code, out, err


def diagnostics(err: str) -> list[tuple[str, int, int, str]]:
    """(path, line, col, code) of every diagnostic line; checks each is followed by a hint."""
    lines = err.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = DIAG_RE.match(line)
        if m:
            found.append((m["path"], int(m["line"]), int(m["col"]), m["code"]))
            assert i + 1 < len(lines) and lines[i + 1].startswith("    hint: "), err
    return found


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_good_file(good: Path) -> None:
    code, out, err = run("validate", str(good))
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ok: {good}: ")
    assert "1 model," in lines[0] and "2 nodes" in lines[0]


def test_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "actm: 1\nsystem: {id: demo}\nnodes:\n"
        "  - id: web\n    kind: hots\n"
        "  - id: db\n    kind: database\n    zoen: dmz\n",
        encoding="utf-8",
    )
    code, out, err = run("validate", str(path))
    assert code == 2
    assert out == ""
    assert diagnostics(err) == [
        (str(path), 5, 11, "unknown-kind"),
        (str(path), 8, 5, "unknown-key"),
    ]
    assert "did you mean 'host'?" in err
    assert "did you mean 'zone'?" in err
    assert err.rstrip().endswith("actm: 2 problems found")


def test_schema_and_semantic_errors_together() -> None:
    path = BAD / "model.several-errors.yaml"
    code, _, err = run("validate", str(path))
    assert code == 2
    found = diagnostics(err)
    assert [c for *_, c in found] == [
        "unknown-key",
        "invalid-value",
        "unknown-kind",
        "wrong-reference",
        "missing-key",
        "duplicate-id",
        "dangling-reference",
        "impossible-relation",
        "dangling-reference",
    ]
    assert all(p == str(path) for p, *_ in found)
    assert "actm: 9 problems found" in err


def test_several_files_at_once(good: Path, tmp_path: Path) -> None:
    second = tmp_path / "second.yaml"
    second.write_text(GOOD.replace("id: demo", "id: demo2"), encoding="utf-8")
    tab = BAD / "model.tab-indent.yaml"
    dup = BAD / "model.duplicate-key.yaml"
    code, out, err = run("validate", str(good), str(tab), str(second), str(dup))
    assert code == 2
    assert [line.split(": ")[1] for line in out.splitlines()] == [str(good), str(second)]
    assert all(line.startswith("ok: ") for line in out.splitlines())
    # diagnostics of all files come together, ordered by file, line and column
    assert diagnostics(err) == sorted(
        [(str(tab), 5, 1, "tab-indent"), (str(dup), 6, 3, "duplicate-key")]
    )
    assert "actm: 2 problems found" in err


def test_several_good_files(good: Path, tmp_path: Path) -> None:
    second = tmp_path / "second.yaml"
    second.write_text(GOOD, encoding="utf-8")
    code, out, err = run("validate", str(good), str(second))
    assert code == 0, err
    assert len(out.splitlines()) == 2


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.yaml")))
def test_every_bad_file_exits_2_with_located_errors(name: str) -> None:
    code, out, err = run("validate", str(BAD / name))
    assert code == 2
    assert out == ""
    found = diagnostics(err)
    assert found, err
    # every line of stderr is a diagnostic, its hint, or the closing count
    for line in err.splitlines():
        assert DIAG_RE.match(line) or line.startswith("    hint: ") or line.startswith("actm: "), (
            line
        )


def test_all_bad_files_in_one_run() -> None:
    files = sorted(str(p) for p in BAD.glob("*.yaml"))
    code, out, err = run("validate", *files)
    assert code == 2
    assert out == ""
    reported = {Path(p).name for p, *_ in diagnostics(err)}
    # every bad file is reported (those whose problem sits in an included part point there)
    missing = {Path(f).name for f in files} - reported
    assert missing <= {
        "model.duplicate-id-across-include.yaml",
        "model.include-cycle.yaml",
        "model.include-with-system.yaml",
        "model.include-with-root-key.yaml",
        "model.include-with-analysis.yaml",
    }


def test_file_over_size_limit(good: Path) -> None:
    code, out, err = run("validate", "--max-file-bytes", "100", str(good))
    assert code == 2
    assert out == ""
    assert diagnostics(err) == [(str(good), 1, 1, "file-too-large")]
    assert "over the limit of 100" in err


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "error[file-not-found]: no such file" in err
    assert "hint:" in err


def test_directory(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path))
    assert code == 2
    assert "error[file-unreadable]" in err


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--max-depth", "0", "x.yaml"],
        ["validate", "--max-file-bytes", "lots", "x.yaml"],
        ["validate", "--no-such-option", "x.yaml"],
    ],
)
def test_usage_errors(args: list[str]) -> None:
    code, _, _ = run(*args)
    assert code == 2


def _subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actm", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("actm: " + "[" * 100_000 + "]" * 100_000 + "\n", []),
        ("actm: " + "[" * 100_000 + "]" * 100_000 + "\n", ["--max-depth", "1000000"]),
        ("- " * 100_000 + "x\n", ["--max-depth", "100000"]),
        ("".join(" " * i + "k:\n" for i in range(2_100)), ["--max-depth", "5000"]),
    ],
    ids=["flow", "flow-raised-limit", "dashes-raised-limit", "block-raised-limit"],
)
def test_deep_nesting_in_a_real_process(tmp_path: Path, text: str, args: list[str]) -> None:
    # A separate process, so that a C stack overflow would show as a crash, not kill pytest.
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    proc = _subprocess("validate", *args, "deep.yaml", cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "error[too-deep]" in proc.stderr


def test_billion_laughs_in_a_real_process(tmp_path: Path) -> None:
    proc = _subprocess("validate", str(BAD / "model.alias-bomb.yaml"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "error[alias-bomb]" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_file_name_with_control_characters_is_shown_spelled_out(tmp_path: Path) -> None:
    """A diagnostic quotes the user's text (here a file name, and an include in the model):
    its escape sequences reach the terminal spelled out."""
    good = tmp_path / "ok\x1b]0;title\x07.yaml"
    good.write_text(GOOD, encoding="utf-8")
    missing = tmp_path / "gone\x1b[2J\x9b1A.yaml"
    code, out, err = run("validate", str(good), str(missing))
    assert code == 2
    assert out.startswith(f"ok: {tmp_path}/ok\\u001b]0;title\\u0007.yaml: ")
    assert f"{tmp_path}/gone\\u001b[2J\\u009b1A.yaml" in err
    assert "\x1b" not in out + err and "\x9b" not in err


WARN = Path(__file__).parent.parent / "model" / "warn"


def test_warnings_are_printed_and_exit_0() -> None:
    path = WARN / "model.unused-tool.yaml"
    code, out, err = run("validate", str(path))
    assert code == 0
    assert out.startswith(f"ok: {path}: 1 model")
    assert err.splitlines() == [
        f"{path}:7:10: warning[unused-tool]: tool 'forgotten' is used by no model",
        "    hint: list it under a model's tools:",
        "actm: 1 warning (--strict makes them errors)",
    ]


def test_strict_makes_warnings_errors(good: Path) -> None:
    path = WARN / "model.idle-credential.yaml"
    code, out, err = run("validate", "--strict", str(path), str(good))
    assert code == 2
    assert out.startswith(f"ok: {good}: 1 model")
    assert str(path) not in out
    assert diagnostics(err) == [(str(path), 6, 10, "idle-credential")]
    assert "actm: 1 problem found" in err
