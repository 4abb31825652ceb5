"""Fuzzing with valid models: random ones (tests/strategies.py) and the examples grown at random.

* Structured random models go through the YAML round trip (dump, load, analyse) and their data
  is mutated as in test_fuzz_inputs.py.
* Monotonicity: more vulnerabilities, adversaries or assumptions never remove a threat; more
  controls never add one and never raise a threat's severity score.
* Determinism: the same model gives byte-identical JSON, in this process and under other
  ``PYTHONHASHSEED`` values.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from harness import EXAMPLES, KB, alarm, check_result, fuzz_settings, run_text
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from mutations import dump_yaml, mutated_data

import actm
from actm.model.dump import dump_model, model_to_data
from actm.model.system import SystemModel
from actm.results.model import Result
from strategies import Item, brought_back, build, new_controls, system_models, threat_sources

pytestmark = pytest.mark.fuzz

EXAMPLE_MODELS: dict[str, SystemModel] = {}
for _path in sorted([*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("atlas-case-studies/*.yaml")]):
    _name = _path.relative_to(EXAMPLES).as_posix()
    EXAMPLE_MODELS[_name] = actm.load_model(_path, knowledge=KB)
SOURCES = ["random", *sorted(EXAMPLE_MODELS)]


_TODAY = date(2025, 1, 1)


def _load(data: dict[str, Any]) -> SystemModel:
    return actm.load_model_text(json.dumps(data), knowledge=KB, path="fuzz.yaml")


def _analyze(model: SystemModel) -> Result:
    with alarm():
        return actm.analyze(model, knowledge=KB, today=_TODAY)


def _base(draw: Any, source: str) -> tuple[dict[str, Any], SystemModel]:
    """The data of a random model or of an example, with a third-party owner for assumptions."""
    if source == "random":
        spec = draw(system_models(), label="spec")
        model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    else:
        model = EXAMPLE_MODELS[source]
    data = model_to_data(model)
    owners = data.setdefault("owners", [])
    if all(o.get("first_party") for o in owners):
        owners.append({"id": "fz-vendor"})
        model = _load(data)
    return data, model


def _vendor(data: dict[str, Any]) -> str:
    return str(next(o["id"] for o in data["owners"] if not o.get("first_party")))


def _with(data: dict[str, Any], items: list[Item]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for section, item in items:
        out.setdefault(section, []).append(item)
    return out


def _grown(data: dict[str, Any], items: list[Item]) -> SystemModel:
    try:
        return _load(_with(data, items))
    except actm.ModelError as exc:
        # an addition the model cannot take (an AI class on the wrong kind of asset, ...)
        codes = {d.code for d in exc.diagnostics}
        assert codes <= _TOLERATED, exc
        assume(False)
        raise


# What an addition may legitimately trip over; anything else is a bug in the generator.
_TOLERATED = {
    "vulnerability-target",
    "not-applicable",
    "component-not-allowed",
    "wrong-reference",
    "adversary-without-entry",
    "first-party-producer",
    "unknown-capability",
    "dangling-reference",
    "invalid-value",
    "impossible-persistence",
    "bad-reference",
}


def _scores(result: Result) -> dict[str, float]:
    return {t.id: t.severity.score for t in result.threats}


@fuzz_settings("structured")
@given(spec=system_models(), mutate=st.booleans(), data=st.data())
def test_random_models_round_trip_and_survive_mutation(
    spec: dict[str, Any], mutate: bool, data: st.DataObject
) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    text = dump_model(model)
    if not mutate:
        again = actm.load_model_text(text, knowledge=KB, path="fuzz.yaml")
        assert again == model
        assert run_text(text) is not None
        return
    mutated = data.draw(mutated_data(model_to_data(model)), label="data")
    run_text(dump_yaml(mutated))


@fuzz_settings("monotone-add")
@given(data=st.data(), source=st.sampled_from(SOURCES))
def test_more_vulnerabilities_adversaries_or_assumptions_never_remove_a_threat(
    data: st.DataObject, source: str
) -> None:
    base, model = _base(data.draw, source)
    extra = data.draw(threat_sources(model, KB, _vendor(base)), label="extra")
    grown = _grown(base, extra)
    before = set(_scores(_analyze(model)))
    after = set(_scores(_analyze(grown)))
    assert before <= after, f"adding {extra} removed {sorted(before - after)}"


@fuzz_settings("monotone-control")
@given(data=st.data(), source=st.sampled_from(SOURCES))
def test_more_controls_never_add_a_threat_or_raise_a_severity(
    data: st.DataObject, source: str
) -> None:
    base, model = _base(data.draw, source)
    planned = [c.id for c in model.controls if c.status == "planned"]
    if planned and data.draw(st.booleans(), label="implement a planned control"):
        which = data.draw(st.sampled_from(planned), label="control")
        grown_data = copy.deepcopy(base)
        for c in grown_data["controls"]:
            if c["id"] == which:
                c["status"] = "implemented"
        extra: Any = f"{which} implemented"
        grown = _load(grown_data)
    else:
        extra = data.draw(new_controls(model, KB), label="extra")
        grown = _grown(base, extra)
    before_result = _analyze(model)
    before = _scores(before_result)
    after = _scores(_analyze(grown))
    # the documented exceptions: what a control brings back (strategies.brought_back)
    added = sorted(set(after) - set(before) - brought_back(before_result, set(after)))
    assert not added, f"adding {extra} added {added}"
    raised = {i: (before[i], s) for i, s in after.items() if i in before and s > before[i]}
    assert not raised, f"adding {extra} raised severities {raised}"


@fuzz_settings("determinism")
@given(data=st.data(), source=st.sampled_from(SOURCES))
def test_the_same_model_gives_byte_identical_json(data: st.DataObject, source: str) -> None:
    base, model = _base(data.draw, source)
    extra = data.draw(threat_sources(model, KB, _vendor(base)), label="extra")
    text = json.dumps(_with(base, extra))
    try:
        first_model = actm.load_model_text(text, knowledge=KB, path="fuzz.yaml")
    except actm.ModelError:
        assume(False)
        raise
    first = check_result(_analyze(first_model))
    again = actm.load_model_text(text, knowledge=KB, path="fuzz.yaml")
    assert again == first_model
    assert check_result(_analyze(again)) == first


_JSON = ["-f", "json", "--today", "2025-01-01"]


@settings(fuzz_settings("hash-seed"), deadline=None)
@given(data=st.data(), source=st.sampled_from(SOURCES))
def test_json_is_identical_under_other_hash_seeds(data: st.DataObject, source: str) -> None:
    base, model = _base(data.draw, source)
    extra = data.draw(threat_sources(model, KB, _vendor(base)), label="extra")
    try:
        grown = _load(_with(base, extra))
    except actm.ModelError:
        grown = model
    with tempfile.TemporaryDirectory(prefix="actm-fuzz-seed-") as tmp:
        path = Path(tmp, "model.yaml")
        path.write_text(dump_model(grown), encoding="utf-8")
        outs = []
        for seed in ("0", "4242"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            proc = subprocess.run(
                [sys.executable, "-m", "actm", "analyze", str(path), *_JSON],
                capture_output=True,
                env=env,
                timeout=120,
                check=False,
            )
            assert proc.returncode == 0, proc.stderr.decode()
            outs.append(proc.stdout)
    assert outs[0] == outs[1]
