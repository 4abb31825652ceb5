"""A file name holding a line break (a hostile repository can commit one) is shown on one line:
it must not start a line of its own in a diagnostic, the `ok:` line, the `check` summary or
`discover`'s list, where it would forge a message or a GitHub workflow command (`::error`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app
from actm.errors import Diagnostic, SourceLocation, UsageError, one_line

ROOT = Path(__file__).resolve().parents[2]
EVIL = "x\n::error file=a::inj"
SPELLED = "x\\u000a::error file=a::inj"


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def no_forged_line(text: str) -> None:
    assert not [line for line in lines_of(text) if line.startswith("::error file=a")], text


def test_one_line_spells_out_every_line_break() -> None:
    text = "a\nb\rc\td\x0be\x0cf\x1cg\x85h\u2028i\u2029j"
    assert len(one_line(text).splitlines()) == 1
    assert one_line(text) == (
        "a\\u000ab\\u000dc\\u0009d\\u000be\\u000cf\\u001cg\\u0085h\\u2028i\\u2029j"
    )
    diagnostic = Diagnostic("c", f"cannot read {EVIL}", SourceLocation(EVIL, 2, 3), "a\nhint")
    shown = f"{SPELLED}:2:3: error[c]: cannot read {SPELLED}"
    assert diagnostic.format() == shown + "\n    hint: a\\u000ahint"
    assert str(UsageError(f"cannot write {EVIL}")) == f"cannot write {SPELLED}"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / EVIL).mkdir()
    (tmp_path / EVIL / "m.yaml").write_text("actm: 1\nnodes: 5\n", encoding="utf-8")
    (tmp_path / "root.yaml").write_text(
        'actm: 1\ninclude: ["x\\n::error file=a::inj/m.yaml"]\nsystem: {id: s}\n',
        encoding="utf-8",
    )
    shutil.copy(ROOT / "examples" / "customer-support-rag.yaml", tmp_path / f"{EVIL}.yaml")
    (tmp_path / EVIL / ".mcp.json").write_text(
        '{"mcpServers": {"s": {"command": "npx", "args": ["-y", "x"]}}}', encoding="utf-8"
    )
    (tmp_path / EVIL / "package.json").write_text("{,}", encoding="utf-8")
    return tmp_path


def test_a_diagnostic_in_an_included_file(tree: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "root.yaml"])
    assert result.exit_code == 2
    no_forged_line(result.stderr)
    assert lines_of(result.stderr)[0].startswith(f"{SPELLED}/m.yaml:2:")


def test_the_ok_line_and_the_check_summary(tree: Path) -> None:
    result = CliRunner().invoke(app, ["validate", f"{EVIL}.yaml"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"ok: {SPELLED}.yaml: 1 model")
    result = CliRunner().invoke(app, ["check", f"{EVIL}.yaml", "-f", "github"])
    assert result.exit_code == 1
    no_forged_line(result.stdout)
    assert f"actm check {SPELLED}.yaml: " in result.stdout
    assert f"  {SPELLED}.yaml:" in result.stdout


def test_discover_lists_the_files_on_one_line_each(tree: Path) -> None:
    result = CliRunner().invoke(app, ["discover", ".", "-o", "draft.yaml"])
    assert result.exit_code == 0, result.output
    no_forged_line(result.stderr)
    assert f"  imported {SPELLED}/.mcp.json (mcp-config)" in lines_of(result.stderr)
    assert any(
        line.startswith(f"  not placed: {SPELLED}/package.json: ")
        for line in lines_of(result.stderr)
    )


def test_the_import_summary(tree: Path) -> None:
    result = CliRunner().invoke(app, ["import", f"{EVIL}/.mcp.json", "-o", f"{EVIL}/out.yaml"])
    assert result.exit_code == 0, result.output
    no_forged_line(result.stderr)
    assert lines_of(result.stderr)[0].startswith(f"drafted {SPELLED}/out.yaml: ")
