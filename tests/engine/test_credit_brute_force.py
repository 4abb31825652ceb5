"""Control credit against a brute force: one full rerun per control, and the bisection redone.

:func:`actm.engine.runs.analyse` credits controls with few reruns: the controls the results
layer's screen marks as changing nothing alone are never removed, the others off the threats'
chains are removed together and split in halves only while their run changes something. Here
the same credit is computed the slow way, on random models with random implemented controls and
on every example with controls:

* ``necessary``: one full rerun per implemented control (the screen's skips included), keeping
  the threats whose score it raises above the residual one;
* ``jointly``: the bisection of the controls the screen leaves off the chains, redone
  recursively (each group split only while its run changes something), keeping what a split
  group changed and none of its halves did.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import actm
from actm.engine.analysis import run_engine
from actm.engine.output import threat_id, threat_scores
from actm.engine.runs import MAX_COUNTERFACTUAL, analyse
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.model.dump import model_to_data
from actm.model.system import SystemModel
from actm.results.build import screen
from strategies import build, new_controls, system_models

KB = builtin_knowledge()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Scores = Mapping[str, float]


def _credit(
    model: SystemModel, kb: KnowledgeBase
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]] | None:
    """What :func:`analyse` credits (necessary, jointly); None when it reruns nothing."""
    runs = analyse(model, kb, screen=screen, workers=1).controls
    if runs is None or runs.attribution != "counterfactual" or not runs.differences:
        return None
    return dict(runs.credit.necessary), dict(runs.credit.jointly)


def _brute_force(
    model: SystemModel, kb: KnowledgeBase
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    analysis = analyse(model, kb, screen=screen, workers=1)
    runs = analysis.controls
    assert runs is not None
    diff = runs.differences

    def wanted(attack: str, binding: tuple[str, ...]) -> bool:
        return threat_id(attack, binding) in diff

    def rerun(without: frozenset[str]) -> Scores:
        out = run_engine(model, kb, assumptions=False, exclude_controls=without, select=wanted)
        return threat_scores(out)

    residual = threat_scores(run_engine(model, kb))
    kept = {t: residual.get(t, -1.0) for t in diff}

    def changed(without: Sequence[str]) -> set[str]:
        scores = rerun(frozenset(without))
        return {t for t, k in kept.items() if scores.get(t, -1.0) > k}

    implemented = [c.id for c in model.controls if c.status == "implemented"]
    necessary: dict[str, set[str]] = {}
    for ctl in implemented:
        for t in changed([ctl]):
            necessary.setdefault(t, set()).add(ctl)
    alone, skip = screen(analysis.residual, runs.inherent)
    rest = [c for c in implemented if c not in set(alone) and c not in set(skip)]
    jointly: dict[str, set[str]] = {}
    if len(rest) > 1:
        _bisect(rest, changed, jointly)
    return (
        {t: frozenset(v) for t, v in necessary.items()},
        {t: frozenset(v) for t, v in jointly.items()},
    )


def _bisect(
    group: list[str], changed: Callable[[Sequence[str]], set[str]], jointly: dict[str, set[str]]
) -> set[str]:
    """What removing ``group`` changes; what its halves do not explain goes to ``jointly``."""
    change = changed(group)
    if not change or len(group) == 1:
        return change
    half = len(group) // 2
    seen = _bisect(group[:half], changed, jointly) | _bisect(group[half:], changed, jointly)
    for t in change - seen:
        jointly.setdefault(t, set()).update(group)
    return change


def _same_as_brute_force(model: SystemModel) -> None:
    found = _credit(model, KB)
    event("credit by reruns" if found is not None else "no rerun")
    if found is None:
        return
    necessary, jointly = found
    event(f"{sum(map(len, necessary.values()))} necessary, {len(jointly)} jointly")
    assert found == _brute_force(model, KB)


# -- random models with random implemented controls ---------------------------------------


def _load(data: dict[str, Any]) -> SystemModel:
    return actm.load_model_text(json.dumps(data), knowledge=KB, path="credit.yaml")


@settings()
@given(data=st.data(), spec=system_models())
def test_random_controls_are_credited_as_one_rerun_per_control_credits_them(
    data: st.DataObject, spec: dict[str, Any]
) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    grown = copy.deepcopy(model_to_data(model))
    for round_ in range(data.draw(st.integers(1, 3), label="rounds")):
        for section, item in data.draw(new_controls(model, KB), label="controls"):
            item = {**item, "id": f"{item['id']}-{round_}"}
            grown.setdefault(section, []).append(item)
    try:
        with_controls = _load(grown)
    except actm.ModelError:
        assume(False)
        raise
    implemented = [c for c in with_controls.controls if c.status == "implemented"]
    assume(0 < len(implemented) <= MAX_COUNTERFACTUAL)
    _same_as_brute_force(with_controls)


# -- the examples ----------------------------------------------------------------------------

WITH_CONTROLS = sorted(
    p.relative_to(EXAMPLES).as_posix()
    for p in [*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("atlas-case-studies/*.yaml")]
    if "\ncontrols:" in p.read_text(encoding="utf-8")
)


def _all_implemented(model: SystemModel) -> SystemModel:
    data = model_to_data(model)
    for ctl in data["controls"]:
        ctl["status"] = "implemented"
    return _load(data)


def test_the_examples_with_controls_are_the_ones_expected() -> None:
    assert WITH_CONTROLS == [
        "coding-assistant.yaml",
        "credential-theft.yaml",
        "customer-support-rag.yaml",
        "ml-training-pipeline.yaml",
    ]


@pytest.mark.parametrize("name", WITH_CONTROLS)
@pytest.mark.parametrize("status", ["as declared", "all implemented"])
def test_every_example_is_credited_as_the_brute_force_credits_it(name: str, status: str) -> None:
    model = actm.load_model(EXAMPLES / name, knowledge=KB)
    if status == "all implemented":
        model = _all_implemented(model)
    elif not any(c.status == "implemented" for c in model.controls):
        assert _credit(model, KB) is None
        return
    found = _credit(model, KB)
    assert found is not None, "the example's controls change a threat"
    assert found == _brute_force(model, KB)
