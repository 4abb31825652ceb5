"""``actm plan --time-limit``, ``--max-cores``, ``--budget`` and ``--cost``: bounds are kept, and
the plan says why it stopped."""

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


def test_a_budget_past_the_solvers_integer_range_is_taken_as_its_largest() -> None:
    """HiGHS reads its node limit as a 32-bit integer: a larger --budget used to end in an
    internal error (exit 3)."""
    assert _plan("--budget", str(2**31))["cost"] == _plan()["cost"]


@pytest.mark.parametrize("value", ["1e308", "1000000001", "inf", "-1", "nan"])
def test_a_cost_past_what_a_model_may_declare_is_refused(value: str) -> None:
    """Costs up to 1e9, as a model's ``cost:``: larger ones summed to infinity and the JSON
    plan held ``Infinity`` and ``NaN``."""
    res = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--cost", f"human-approval={value}"])
    assert res.exit_code == 2
    assert "a number from 0 to 1,000,000,000" in res.output


def test_a_cost_of_1e9_is_taken() -> None:
    plan = _plan("--cost", "human-approval=1e9")
    assert plan["cost"] < 1e9  # type: ignore[operator]


def test_an_unknown_cost_id_points_at_the_catalog_page() -> None:
    """The catalog's ids are not in the model schema: the hint lists them (or the closest) and
    names the section of docs/planning.md that describes them."""
    from actm.cli.plan import _costs
    from actm.errors import UsageError

    known = {"egress-allowlist", "patch"}
    with pytest.raises(UsageError) as caught:
        _costs(["nosuch=3"], known)
    assert str(caught.value) == (
        "--cost 'nosuch=3': no catalog control 'nosuch' (the catalog's ids: egress-allowlist, "
        "patch; see docs/planning.md#the-control-catalog)"
    )
    with pytest.raises(UsageError) as caught:
        _costs(["egress-allowlst=3"], known)
    assert str(caught.value) == (
        "--cost 'egress-allowlst=3': no catalog control 'egress-allowlst' (did you mean "
        "'egress-allowlist'? The catalog is in docs/planning.md#the-control-catalog)"
    )
    res = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--cost", "nosuch=3"])
    assert res.exit_code == 2
    assert "docs/planning.md#the-control-catalog" in res.output
