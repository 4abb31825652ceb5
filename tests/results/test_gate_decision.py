"""The CI gate as a function of the result: which threats fail, and the exit code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import actm
from actm.results.gate import exit_code, failing_threats, gate

ROOT = Path(__file__).resolve().parents[2]
RAG = ROOT / "examples" / "customer-support-rag.yaml"
HIGH = [  # the provider's reading and the prompt's extraction rate medium by their route
    "tool-data-exfiltration@support-agent@customer-records",
    "tool-data-disclosure@support-agent@customer-records",
]


def _result(triage: str = "", today: date = date(2026, 1, 15)) -> actm.Result:
    text = RAG.read_text(encoding="utf-8") + (f"triage:\n{triage}" if triage else "")
    model = actm.load_model_text(text, path=str(RAG))
    return actm.analyze(model, today=today)


def test_threats_at_or_above_the_level_fail_in_the_result_order() -> None:
    result = _result()
    decision = gate(result, "high")
    assert [t.id for t in decision.failing] == HIGH
    assert (decision.passed, decision.exit_code, decision.fail_on) == (False, 1, "high")
    assert [t.id for t in gate(result, "critical").failing] == HIGH[:1]
    assert [t.id for t in failing_threats(result.threats, "info")] == [t.id for t in result.threats]


@pytest.mark.parametrize(
    ("status", "expires", "today", "fails"),
    [
        ("accepted", None, date(2026, 1, 15), False),
        ("false_positive", None, date(2026, 1, 15), False),
        ("in_progress", None, date(2026, 1, 15), True),
        ("open", None, date(2026, 1, 15), True),
        ("accepted", "2026-03-31", date(2026, 3, 31), False),
        ("accepted", "2026-03-31", date(2026, 4, 1), True),
    ],
)
def test_only_a_settled_decision_in_force_passes_a_threat(
    status: str, expires: str | None, today: date, fails: bool
) -> None:
    until = f", expires: {expires}" if expires else ""
    entry = f"  - {{id: '{HIGH[0]}', status: {status}, justification: reviewed{until}}}\n"
    failing = [t.id for t in gate(_result(entry, today), "critical").failing]
    assert failing == (HIGH[:1] if fails else [])


def test_a_passing_gate_exits_zero() -> None:
    entries = "".join(
        f"  - {{id: '{tid}', status: accepted, justification: signed off}}\n" for tid in HIGH
    )
    decision = gate(_result(entries), "high")
    assert (decision.failing, decision.passed, decision.exit_code) == ((), True, 0)


def test_exit_code() -> None:
    assert (exit_code([]), exit_code(["x"]), exit_code(())) == (0, 1, 0)
