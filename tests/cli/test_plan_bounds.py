"""``actm plan --time-limit`` and ``--max-cores``: the search stops, the plan says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "coding-assistant.yaml"


def _plan(*extra: str) -> dict[str, object]:
    res = CliRunner().invoke(app, ["plan", str(EXAMPLE), "-f", "json", *extra])
    assert res.exit_code in (0, 1), res.output
    data: dict[str, object] = json.loads(res.stdout)
    return data


@pytest.mark.parametrize(
    ("extra", "limit"),
    [(("--time-limit", "1e-9"), "time"), (("--max-cores", "1"), "cores")],
    ids=["time", "cores"],
)
def test_a_bound_stops_the_exact_search_and_the_plan_says_so(
    extra: tuple[str, ...], limit: str
) -> None:
    exact = _plan()
    rough = _plan(*extra)
    assert (exact["method"], exact["limit"]) == ("exact", None)
    assert (rough["method"], rough["limit"], rough["iterations"]) == ("heuristic", limit, 1)
    assert rough["gap"] == rough["cost"] - rough["lower_bound"]  # type: ignore[operator]
    assert rough["lower_bound"] <= exact["cost"] <= rough["cost"]  # type: ignore[operator]
    assert rough["unremovable"] == exact["unremovable"]


def test_a_time_limit_of_0_is_none() -> None:
    assert _plan("--time-limit", "0") == _plan()


def test_the_text_plan_says_why_it_stopped() -> None:
    res = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--time-limit", "1e-9"])
    assert res.exit_code in (0, 1), res.output
    assert "stopped at the time limit after 1 round and" in " ".join(res.stdout.split())
