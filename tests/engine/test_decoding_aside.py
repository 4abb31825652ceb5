"""Decoding part of a run's matches in a worker process (engine/decoding.py ``decode_all``):
the same decodings, in the same order, whatever share the worker takes."""

from __future__ import annotations

from pathlib import Path

import pytest

import actm
from actm.engine.analysis import run_engine
from actm.engine.decoding import decode_all
from actm.knowledge.attacks import builtin_knowledge
from hub_models import tool_hub

KB = builtin_knowledge()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HUB = tool_hub(4, 1, 1)


@pytest.mark.parametrize("source", ["hub", "coding-assistant.yaml", "ml-training-pipeline.yaml"])
def test_a_share_decoded_aside_gives_the_same_decodings(source: str) -> None:
    if source == "hub":
        model = actm.load_model_text(HUB, knowledge=KB)
    else:
        model = actm.load_model(EXAMPLES / source, knowledge=KB)
    out = run_engine(model, KB, assumptions=False)
    here = decode_all(out)
    assert len(here) == len(out.matches) > 3
    for share in (0.3, 0.5, 1.0):
        aside = decode_all(out, aside=share)
        assert aside == here
        assert [d.seeds for d in aside] == [d.seeds for d in here]
    assert decode_all(out, aside=0.01 / len(here)) == here  # no match to send: none forked
