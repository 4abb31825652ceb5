"""Control credit gives the same report whether its reruns run here or in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

import actm
from actm.engine import runs
from actm.render.json import render_json
from actm.results.build import build_result, screen

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "customer-support-rag.yaml"


def test_serial_and_parallel_credit_give_the_same_json(monkeypatch: pytest.MonkeyPatch) -> None:
    kb = actm.load_knowledge()
    model = actm.load_model(EXAMPLE, knowledge=kb)
    monkeypatch.setattr(runs, "PARALLEL_FACTS", 0)  # fork workers even for a small model
    texts = []
    for workers in (1, 2):
        analysis = runs.analyse(model, kb, screen=screen, workers=workers)
        assert analysis.controls is not None
        assert analysis.controls.attribution == "counterfactual"
        texts.append(render_json(build_result(analysis)))
    assert texts[0] == texts[1]
    assert analysis.timings["counterfactual_runs"] == 1.0
    assert analysis.controls.credit.necessary == {
        "resource-exhaustion@support-agent": frozenset({"per-user-quota"})
    }
