"""Renderers against golden files.

The golden files are the reviewed output for the bundled examples. After an intended change,
regenerate them and review the diff:

    ACTM_UPDATE_GOLDEN=1 python -m pytest tests/render
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

import actm
from actm.render.markdown import render_markdown
from actm.render.text import render_text

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
MODELS = Path(__file__).parent / "models"
CASES = {
    "customer-support-rag": ROOT / "examples" / "customer-support-rag.yaml",
    "ml-training-pipeline": ROOT / "examples" / "ml-training-pipeline.yaml",
    # threats that differ only in the asset they hit, shown as one row
    "mcp-desktop-assistant": ROOT / "examples" / "mcp-desktop-assistant.yaml",
    # an implemented control that mitigates a threat, and triage (one expired, one stale)
    "triaged-agent": MODELS / "triaged-agent.yaml",
    # controls that remove, redundantly remove, only lower, and do nothing
    "controls-agent": MODELS / "controls-agent.yaml",
}
RENDERERS = {"md": render_markdown, "txt": render_text}
TODAY = date(2026, 1, 15)
"""Fixed, so that which triage decisions have expired does not depend on the day of the run."""


@pytest.mark.parametrize("suffix", sorted(RENDERERS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_render_matches_golden(name: str, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # loaded from its own directory: places in the output (the triage entries that match no
    # threat) name files as given, and the golden files must not depend on the checkout's path
    monkeypatch.chdir(CASES[name].parent)
    model = actm.load_model(CASES[name].name)
    text = RENDERERS[suffix](actm.analyze(model, today=TODAY))
    golden = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("ACTM_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with ACTM_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
