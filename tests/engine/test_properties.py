"""Properties of the engine that must hold for every model (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import additions, build, controls, system_models

import actm
from actm.knowledge.attacks import builtin_knowledge
from actm.render.json import render_json

KB = builtin_knowledge()
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def threat_ids(b: Any) -> set[str]:
    model = b.build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    return {t.id for t in actm.analyze(model, knowledge=KB).threats}


@SETTINGS
@given(data=st.data(), spec=system_models())
def test_more_vulnerabilities_adversaries_or_assumptions_never_remove_a_threat(
    data: st.DataObject, spec: dict[str, Any]
) -> None:
    before = threat_ids(build(spec))
    extra = data.draw(additions(spec))
    after = threat_ids(build(spec, extra))
    assert before <= after, f"adding {extra} removed {sorted(before - after)}"


@SETTINGS
@given(data=st.data(), spec=system_models())
def test_a_control_never_adds_a_threat(data: st.DataObject, spec: dict[str, Any]) -> None:
    before = threat_ids(build(spec))
    extra = data.draw(controls(spec))
    after = threat_ids(build(spec, extra))
    assert after <= before, f"adding {extra} added {sorted(after - before)}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=system_models())
def test_the_same_model_gives_byte_identical_json(spec: dict[str, Any]) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    first = render_json(actm.analyze(model, knowledge=KB))
    again = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    assert render_json(actm.analyze(again, knowledge=KB)) == first
