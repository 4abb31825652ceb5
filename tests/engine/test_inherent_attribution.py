"""The run without controls attributes only the threats whose score could change
(engine/runs.py ``could_differ``): each of them gets the routes, needs and owners that
attributing every threat gives it, and the differences, the credit and the report are the same.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import actm
from actm.engine import runs
from actm.engine.output import Finding
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.model.system import SystemModel
from actm.render.json import render_json
from actm.results.build import build_result, screen
from strategies import build, controls, system_models

KB = builtin_knowledge()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _shown(f: Finding) -> tuple[Any, ...]:
    """What the report shows of an inherent threat (its links count other threats)."""
    return (
        f.id,
        f.chain,
        f.severity,
        f.routes,
        f.cooperation,
        f.rests_on,
        f.unjustified,
        f.accepted_by,
        f.adversaries,
        f.root_cause,
    )


def check_same_as_full(model: SystemModel, kb: KnowledgeBase) -> frozenset[str] | None:
    """Analyse ``model`` with the shortcut and attributing every inherent threat; assert they
    agree. The threat ids the shortcut attributed (None without controls)."""
    rescored: list[frozenset[str] | None] = []
    could_differ = runs.could_differ

    def recorded(residual: runs.Scores, without: Any) -> frozenset[str] | None:
        found = could_differ(residual, without)
        rescored.append(found)
        return found

    with mock.patch.object(runs, "could_differ", recorded):
        fast = runs.analyse(model, kb, screen=screen, workers=1)
    with mock.patch.object(runs, "could_differ", lambda residual, without: None):
        full = runs.analyse(model, kb, screen=screen, workers=1)
    assert render_json(build_result(fast)) == render_json(build_result(full))
    if fast.controls is None:
        assert full.controls is None
        assert rescored == []
        return None
    assert full.controls is not None
    (wanted,) = rescored
    assert wanted is not None
    assert dict(fast.controls.differences) == dict(full.controls.differences)
    assert set(fast.controls.differences) <= wanted
    assert [_shown(f) for f in fast.controls.inherent.threats] == [
        _shown(f) for f in full.controls.inherent.threats
    ]
    assert fast.controls.credit == full.controls.credit
    mine, every = fast.controls.inherent.attribution, full.controls.inherent.attribution
    assert set(mine.routes) <= wanted
    assert set(mine.rests_on) <= wanted
    assert set(mine.owners) <= wanted
    for tid in wanted:
        assert mine.routes.get(tid, ()) == every.routes.get(tid, ())
        assert mine.rests_on.get(tid, ()) == every.rests_on.get(tid, ())
        assert mine.owners.get(tid, ()) == every.owners.get(tid, ())
    assert mine.assumption_attribution == every.assumption_attribution
    assert mine.grouped == every.grouped
    return wanted


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_gives_the_same_as_attributing_every_inherent_threat(path: Path) -> None:
    kb = actm.load_knowledge()
    check_same_as_full(actm.load_model(path, knowledge=kb), kb)


def test_only_threats_the_controls_may_change_are_attributed() -> None:
    kb = actm.load_knowledge()
    model = actm.load_model(EXAMPLES[0].parent / "customer-support-rag.yaml", knowledge=kb)
    wanted = check_same_as_full(model, kb)
    # the quota breaks resource exhaustion: its threat and the inherent threats the residual
    # run does not report are rescored, nothing else
    assert wanted == frozenset(
        {
            "resource-exhaustion@support-agent",
        }
    )


def generated(assets: int) -> str:
    """The model benchmarks/generate.py writes for ``assets`` assets."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.generate(assets)
    assert isinstance(text, str)
    return text


def test_a_generated_model_bisects_fewer_needs_without_controls() -> None:
    kb = actm.load_knowledge()
    model = actm.load_model_text(generated(300), knowledge=kb)
    wanted = check_same_as_full(model, kb)
    assert wanted is not None
    analysis = runs.analyse(model, kb, screen=screen, workers=1)
    assert analysis.controls is not None
    # (the generated classifiers are acted on by nobody, so no chaff flooding and no evasion
    # crafted on a copy closes on them, and their training data is not confidential, so no
    # property inference does; an agent's indirect injection closes through the knowledge base
    # its tool reads, not through the assistant's answers it is fed, so the source allowlist
    # changes it too)
    assert len(analysis.controls.differences) == 16
    assert "indirect-prompt-injection@bu00006-agent" in analysis.controls.differences
    assert len(wanted) == 26
    assert dict(analysis.residual.attribution.runs) == {"routes": 13, "needs": 21}
    # attributing every inherent threat bisects 21 times, as the residual run does
    assert dict(analysis.controls.inherent.attribution.runs) == {"routes": 13, "needs": 15}


@settings(max_examples=25, deadline=None)
@given(data=st.data(), spec=system_models())
def test_generated_models_give_the_same_as_attributing_every_inherent_threat(
    data: st.DataObject, spec: dict[str, Any]
) -> None:
    extra = data.draw(controls(spec))
    model = build(spec, extra).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    assert check_same_as_full(model, KB) is not None  # the drawn control is implemented
