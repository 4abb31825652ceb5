"""The worked examples of docs/importing.md: each input, imported by the command shown, gives
the model shown. ACTM_UPDATE_DOCS=1 rewrites the shown models after a change (review the diff)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "importing.md"
BLOCK = re.compile(r"<!-- (input|output): (\S+) -->\n```[a-z]*\n(.*?)```", re.DOTALL)
COMMAND = re.compile(r"```sh\n(actm (?:import|discover) [^\n]*)\n```")


def examples(text: str) -> list[tuple[dict[str, str], str, dict[str, tuple[int, int]]]]:
    """Per example (a '### ' section with a command): its inputs, its command, and the span
    of each shown output in the doc."""
    out = []
    for part in re.finditer(r"^### .*?(?=^#{2,3} |\Z)", text, re.MULTILINE | re.DOTALL):
        section = part.group(0)
        command = COMMAND.search(section)
        if command is None:
            continue
        inputs: dict[str, str] = {}
        outputs: dict[str, tuple[int, int]] = {}
        for m in BLOCK.finditer(section):
            if m.group(1) == "input":
                inputs[m.group(2)] = m.group(3)
            else:
                outputs[m.group(2)] = (part.start() + m.start(3), part.start() + m.end(3))
        out.append((inputs, command.group(1), outputs))
    return out


def test_worked_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOC.read_text(encoding="utf-8")
    found = examples(text)
    assert found, "docs/importing.md has no worked examples"
    monkeypatch.chdir(tmp_path)
    replacements: list[tuple[int, int, str]] = []
    for inputs, command, outputs in found:
        for name, body in inputs.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(body, encoding="utf-8")
        result = CliRunner().invoke(app, shlex.split(command)[1:])
        assert result.exit_code == 0, result.output
        for name, (start, end) in outputs.items():
            made = (tmp_path / name).read_text(encoding="utf-8")
            actm.load_model(tmp_path / name)
            replacements.append((start, end, made))
            if os.environ.get("ACTM_UPDATE_DOCS") != "1":
                assert text[start:end] == made, (
                    f"{command}: the model differs from the one shown (review, then rerun with "
                    "ACTM_UPDATE_DOCS=1)"
                )
    if os.environ.get("ACTM_UPDATE_DOCS") == "1":
        for start, end, made in sorted(replacements, reverse=True):
            text = text[:start] + made + text[end:]
        DOC.write_text(text, encoding="utf-8")
