"""``--hypotheses`` (analyze, check, diff, plan): the typical weaknesses nobody declared are
posited, as the model's ``analysis: {hypotheses: true}`` asks too."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app
from hypotheses_model import HYPOTHESES_MODEL, POSITED

MODEL = HYPOTHESES_MODEL


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


# -- hypothetical threats in every output, and out of the gate on request ------------------------


def _run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res.exit_code, res.stdout


def test_a_hypothetical_threat_is_marked_in_the_result(model: Path) -> None:
    import actm

    result = actm.analyze(replace(actm.load_model(model), hypotheses=True))
    marked = [t.id for t in result.threats if t.hypothetical]
    assert marked == [POSITED]
    assert result.summary["hypothetical"] == 1
    plain = actm.analyze(actm.load_model(model))
    assert plain.summary["hypothetical"] == 0
    assert not any(t.hypothetical for t in plain.threats)


@pytest.mark.parametrize(
    ("fmt", "marks"),
    [
        ("text", ["hypothetical threats (need a weakness a hypothesis posits): 1", "hypothetical"]),
        (
            "markdown",
            [
                "**Hypothetical (need a weakness a hypothesis posits): 1 threat.**",
                "*(hypothetical)*",
                "- **hypothetical:** it needs a weakness a hypothesis posits",
            ],
        ),
        ("sarif", ['"hypothetical": true']),
        ("json", ['"hypothetical": true', '"hypothesis:store-without-authentication@db"']),
        ("html", ["Hypothetical (need a weakness a hypothesis posits): 1 threat."]),
    ],
)
def test_every_output_shows_it(model: Path, fmt: str, marks: list[str]) -> None:
    code, with_hypotheses = _run("analyze", str(model), "-f", fmt, "--hypotheses", "--no-color")
    assert code == 0
    for mark in marks:
        assert mark in with_hypotheses, mark
    _, without = _run("analyze", str(model), "-f", fmt, "--no-color")
    for mark in marks:
        assert mark not in without, mark


def test_check_can_leave_hypothetical_threats_out_of_the_gate(model: Path) -> None:
    args = ["check", str(model), "--hypotheses", "--fail-on", "low", "-f", "json"]
    _, counted = _run(*args)
    _, ignored = _run(*args, "--ignore-hypothetical")
    failing = [t["id"] for t in json.loads(counted)["failing"]]
    kept = json.loads(ignored)
    assert POSITED in failing
    assert [t["id"] for t in kept["failing"]] == [f for f in failing if f != POSITED]
    assert kept["ignored_hypothetical"] == 1
    reasons = {t["id"]: t["reason"] for t in json.loads(counted)["failing"]}
    assert reasons[POSITED] == "not triaged, hypothetical"
    _, text = _run("check", str(model), "--hypotheses", "--fail-on", "low", "--ignore-hypothetical")
    assert "note: 1 hypothetical threat at or above low left out (--ignore-hypothetical)" in text
