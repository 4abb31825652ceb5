"""``--hypotheses`` (analyze, check, diff, plan): the typical weaknesses nobody declared are
posited, as the model's ``analysis: {hypotheses: true}`` asks too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

MODEL = """\
actm: 1
system: {id: h}
ANALYSIS
nodes:
  - {id: db, kind: database}
  - {id: app, kind: service}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [app], tools: [lookup]}
assets:
  - id: customers
    type: personal_data
    criticality: {confidentiality: high}
    resides: [{node: db}]
tools:
  - {id: lookup, node: app, permissions: {read: [customers]}}
"""
POSITED = "indirect-prompt-injection@bot"


def _threats(path: Path, *extra: str) -> list[str]:
    res = CliRunner().invoke(app, ["analyze", str(path), "-f", "json", *extra])
    assert res.exit_code == 0, res.output
    return [t["id"] for t in json.loads(res.stdout)["threats"]]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "h.yaml"
    path.write_text(MODEL.replace("ANALYSIS\n", ""), encoding="utf-8")
    return path


def test_hypotheses_are_off_by_default(model: Path) -> None:
    assert POSITED not in _threats(model)


def test_the_option_posits_them(model: Path) -> None:
    threats = _threats(model, "--hypotheses")
    assert POSITED in threats
    assert set(threats) - {POSITED} == set(_threats(model))


def test_the_model_key_posits_them(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(MODEL.replace("ANALYSIS", "analysis: {hypotheses: true}"), encoding="utf-8")
    assert POSITED in _threats(path)


@pytest.mark.parametrize(
    ("command", "level"), [("check", "--fail-on"), ("plan", "--target")], ids=["check", "plan"]
)
def test_check_and_plan_take_the_option(model: Path, command: str, level: str) -> None:
    args = [command, str(model), "-f", "json", level, "low"]
    without = CliRunner().invoke(app, args)
    res = CliRunner().invoke(app, [*args, "--hypotheses"])
    assert res.exit_code in (0, 1), res.output
    assert POSITED in res.stdout
    assert POSITED not in without.stdout


def test_diff_takes_the_option(model: Path) -> None:
    res = CliRunner().invoke(app, ["diff", str(model), str(model), "--hypotheses", "-f", "json"])
    assert res.exit_code == 0, res.output
