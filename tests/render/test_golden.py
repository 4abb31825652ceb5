"""Renderers against golden files.

The golden files are the reviewed output for the bundled examples. After an intended change,
regenerate them and review the diff:

    ACTM_UPDATE_GOLDEN=1 python -m pytest tests/render
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import actm
from actm.render.markdown import render_markdown
from actm.render.text import render_text

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
CASES = ["customer-support-rag", "ml-training-pipeline"]
RENDERERS = {"md": render_markdown, "txt": render_text}


@pytest.mark.parametrize("suffix", sorted(RENDERERS))
@pytest.mark.parametrize("name", CASES)
def test_render_matches_golden(name: str, suffix: str) -> None:
    model = actm.load_model(ROOT / "examples" / f"{name}.yaml")
    text = RENDERERS[suffix](actm.analyze(model))
    golden = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("ACTM_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with ACTM_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
