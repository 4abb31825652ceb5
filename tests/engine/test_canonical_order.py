"""The shown chain does not depend on the order of the model's keys and list entries (issue:
shuffling the coding-assistant example changed one chain, and `actm diff` reported a change
where there was none). The engine compiles the model in canonical order (engine/canonical.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

import actm
from actm.render.json import render_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _shuffled(value: Any, rng: random.Random) -> Any:
    """``value`` with every mapping's keys and every list's entries in a random order."""
    if isinstance(value, dict):
        items = [(k, _shuffled(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        entries = [_shuffled(v, rng) for v in value]
        rng.shuffle(entries)
        return entries
    return value


def _placeless(value: Any) -> Any:
    """``value`` without where elements are declared (lines move when the file is shuffled)."""
    if isinstance(value, dict):
        return {k: _placeless(v) for k, v in value.items() if k != "locations"}
    if isinstance(value, list):
        return [_placeless(v) for v in value]
    return value


def _result(path: Path) -> Any:
    out: dict[str, Any] = json.loads(render_json(actm.analyze(actm.load_model(path))))
    out["system"].pop("files", None)
    return _placeless(out)


@pytest.mark.parametrize("name", ["coding-assistant.yaml", "customer-support-rag.yaml"])
@pytest.mark.parametrize("seed", [1, 2])
def test_shuffled_model_gives_the_same_result(name: str, seed: int, tmp_path: Path) -> None:
    source = EXAMPLES / name
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    shuffled = tmp_path / name
    shuffled.write_text(yaml.safe_dump(_shuffled(data, random.Random(seed))), encoding="utf-8")
    assert json.dumps(_result(shuffled), sort_keys=True) == json.dumps(
        _result(source), sort_keys=True
    )
