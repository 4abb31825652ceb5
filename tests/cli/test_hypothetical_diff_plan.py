"""``actm diff`` and ``actm plan`` mark hypothetical threats (those that need a weakness a
hypothesis posits) in every format, and ``diff --fail-on-new`` can leave them out as
``check --ignore-hypothetical`` does."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app
from hypotheses_model import HYPOTHESES_MODEL, POSITED


@pytest.fixture
def models(tmp_path: Path) -> tuple[Path, Path]:
    """The model without hypotheses, and the same model with ``analysis: {hypotheses: true}``:
    between them :data:`POSITED` is the one new threat."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(HYPOTHESES_MODEL.replace("ANALYSIS\n", ""), encoding="utf-8")
    new.write_text(
        HYPOTHESES_MODEL.replace("ANALYSIS", "analysis: {hypotheses: true}"), encoding="utf-8"
    )
    return old, new


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res.exit_code, res.stdout, res.stderr


def test_diff_json_says_which_new_threat_is_hypothetical(models: tuple[Path, Path]) -> None:
    old, new = models
    code, out, _ = _run("diff", str(old), str(new), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert [(t["id"], t["hypothetical"]) for t in data["new_threats"]] == [(POSITED, True)]
    _, back, _ = _run("diff", str(new), str(old), "-f", "json")
    assert [(t["id"], t["hypothetical"]) for t in json.loads(back)["resolved_threats"]] == [
        (POSITED, True)
    ]


def test_a_changed_threat_is_marked_as_in_the_new_analysis(models: tuple[Path, Path]) -> None:
    import actm
    from actm.results.diff import diff_results

    now = actm.analyze(actm.load_model(models[1]))
    before = replace(now, threats=tuple(replace(t, chain_text="x") for t in now.threats))
    changed = {c.id: c.hypothetical for c in diff_results(before, now).changed_threats}
    assert changed.pop(POSITED) is True
    assert changed and not any(changed.values())
    failing = diff_results(before, now).worsened_at_or_above
    raised = tuple(replace(t, severity=replace(t.severity, level="info")) for t in now.threats)
    lower = diff_results(replace(now, threats=raised), now)
    assert POSITED in lower.worsened_at_or_above("low")
    assert POSITED not in lower.worsened_at_or_above("low", ignore_hypothetical=True)
    assert failing("low") == []


@pytest.mark.parametrize(
    ("fmt", "mark"),
    [
        ("text", f"{POSITED} (hypothetical):"),
        ("markdown", "*(hypothetical)*"),
    ],
)
def test_diff_text_and_markdown_mark_it(models: tuple[Path, Path], fmt: str, mark: str) -> None:
    old, new = models
    _, out, _ = _run("diff", str(old), str(new), "-f", fmt)
    assert mark in out
    assert "(1 hypothetical)" in out
    _, same, _ = _run("diff", str(old), str(old), "-f", fmt, "--hypotheses")
    assert "hypothetical" not in same


def test_fail_on_new_can_leave_hypothetical_threats_out(models: tuple[Path, Path]) -> None:
    old, new = models
    args = ["diff", str(old), str(new), "--fail-on-new", "low"]
    code, _, err = _run(*args)
    assert code == 1
    assert POSITED in err
    code, _, err = _run(*args, "--ignore-hypothetical")
    assert code == 0
    assert "note: 1 hypothetical threat at or above low left out (--ignore-hypothetical)" in err
    assert "new or worse" not in err


def test_ignore_hypothetical_needs_fail_on_new(models: tuple[Path, Path]) -> None:
    old, new = models
    code, _, err = _run("diff", str(old), str(new), "--ignore-hypothetical")
    assert code == 2
    assert "--ignore-hypothetical needs --fail-on-new" in err


def _plan(path: Path, fmt: str) -> str:
    code, out, _ = _run("plan", str(path), "--target", "low", "-f", fmt)
    assert code == 0
    return out


@pytest.mark.parametrize("fmt", ["text", "yaml"])
def test_plan_names_the_hypothetical_targets(models: tuple[Path, Path], fmt: str) -> None:
    old, new = models
    line = f"1 target threat is hypothetical (need a weakness a hypothesis posits): {POSITED}"
    out = _plan(new, fmt)
    assert line in " ".join(out.replace("#", "").split())  # as the lines wrap
    if fmt == "text":
        assert f"  {POSITED} (hypothetical)" in out
    assert "hypothetical" not in _plan(old, fmt)


def test_plan_json_lists_the_hypothetical_threats(models: tuple[Path, Path]) -> None:
    old, new = models
    data = json.loads(_plan(new, "json"))
    assert data["hypothetical"] == [POSITED]
    assert POSITED in data["threats"]
    assert json.loads(_plan(old, "json"))["hypothetical"] == []


def test_a_threat_that_stops_being_hypothetical_is_new_to_a_gate_that_left_it_out(
    models: tuple[Path, Path],
) -> None:
    """OLD needed the posited weakness, NEW declares it (same severity level): the change says
    so, and with --ignore-hypothetical the gate counts it, since it had left it out before."""
    import actm
    from actm.render.diff import render_diff_text
    from actm.results.diff import diff_results

    now = actm.analyze(actm.load_model(models[1]))
    real = replace(
        now,
        threats=tuple(
            replace(
                t, hypothetical=False, severity=replace(t.severity, score=t.severity.score + 0.1)
            )
            if t.id == POSITED
            else t
            for t in now.threats
        ),
    )
    diff = diff_results(now, real)
    (change,) = [c for c in diff.changed_threats if c.id == POSITED]
    assert (change.old_hypothetical, change.hypothetical, change.real_now) == (True, False, True)
    level = change.new_severity
    assert change.old_severity == level
    assert POSITED in diff.worsened_at_or_above(level, ignore_hypothetical=True)
    assert POSITED not in diff.worsened_at_or_above(level)  # it was reported already
    assert "no longer hypothetical" in render_diff_text(diff)
