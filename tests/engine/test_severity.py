"""Severity of a threat (docs/severity.md): the exact score, factors, class and capability the
documented rules give, on test patterns written for each rule of engine/severity.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import actm
from actm.engine.analysis import EngineOutput, run_engine
from actm.engine.severity import Assessment, _replace_moot, assess, length_factor
from actm.engine.severity import Path as Route
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.vocabulary import builtin_vocabulary


def _pattern(aid: str, requires: str, yields: str, impact: str, likelihood: str) -> str:
    return (
        f"id: {aid}\ntitle: Test pattern {aid}\n"
        "description: A test pattern for the severity rules.\n"
        f"likelihood: {likelihood}\nsteps:\n  - id: take\n"
        f"    requires:\n      - {requires}\n    yields:\n      - {yields}\n"
        f"impact: {impact}\n"
    )


PARAMS = "{var: m, asset: model_parameters, class: confidentiality}"
INFLUENCE_OUT = "{var: m, asset: outputs, capability: influence}"
INFLUENCE_PARAMS = "{var: m, asset: model_parameters, capability: influence}"
MONITOR = "{var: m, asset: model_parameters, capability: monitor"

# id -> requirement, yield, impact, likelihood
PATTERNS = {
    # the requirement is met only in one pipeline: a stronger fact in the other does not count
    "zz-dev": (MONITOR + ", pipeline: development}", INFLUENCE_OUT, PARAMS, "medium"),
    "zz-dep": (MONITOR + ", pipeline: deployment}", INFLUENCE_OUT, PARAMS, "medium"),
    "zz-any": (MONITOR + "}", INFLUENCE_OUT, PARAMS, "medium"),
    # a requirement on another asset type does not rate the impacted asset
    "zz-type": (
        "{var: m, asset: outputs, capability: monitor}",
        "{var: m, asset: model_parameters, capability: monitor}",
        PARAMS,
        "medium",
    ),
    # a fact of another class meeting the requirement does not rate the impacted class
    "zz-cls": (
        MONITOR + "}",
        INFLUENCE_PARAMS,
        "{var: m, asset: model_parameters, class: integrity}",
        "medium",
    ),
    # only the named component meets the requirement
    "zz-comp": (
        "{var: m, asset: inputs, component: user_input, capability: monitor}",
        INFLUENCE_OUT,
        "{var: m, asset: inputs, class: confidentiality}",
        "medium",
    ),
    "zz-int": (
        "{var: m, asset: model_parameters, capability: influence}",
        INFLUENCE_OUT,
        "{var: m, asset: model_parameters, class: integrity}",
        "high",
    ),
    # only a persistent change meets the requirement
    "zz-pers": (
        "{var: m, asset: model_parameters, capability: influence, persistent: true}",
        INFLUENCE_OUT,
        "{var: m, asset: model_parameters, class: integrity}",
        "high",
    ),
    # a yield of the class on another asset does not rate the impacted asset
    "zz-far": (MONITOR + "}", "{var: m, asset: outputs, capability: inspect}", PARAMS, "medium"),
    # a requirement on another asset type first does not end the search
    "zz-order": (
        "{var: m, asset: outputs, capability: monitor}\n      - " + MONITOR + "}",
        INFLUENCE_OUT,
        PARAMS,
        "medium",
    ),
    # the only confidentiality capability lands on a component the model lacks
    "zz-none": (
        "{var: m, asset: outputs, capability: monitor}",
        "{var: m, asset: inputs, component: tool_results, capability: inspect}",
        "{var: m, asset: inputs, class: confidentiality}",
        "medium",
    ),
    # a requirement met on either component, a component impact, an asset variable
    "zz-either": (
        "{var: m, asset: inputs, component: [user_input, system_prompt], capability: monitor}",
        INFLUENCE_OUT,
        "{var: m, asset: inputs, class: confidentiality}",
        "medium",
    ),
    "zz-part": (
        "{var: m, asset: inputs, capability: monitor}",
        INFLUENCE_OUT,
        "{var: m, asset: inputs, component: user_input, class: confidentiality}",
        "medium",
    ),
    "zz-tools": (
        "{var: m, asset: inputs, capability: monitor}",
        INFLUENCE_OUT,
        "{var: m, asset: inputs, component: tool_results, class: confidentiality}",
        "medium",
    ),
    "zz-data": (
        "{var: x, asset: business_data, capability: monitor}",
        "{var: x, capability: inspect}",
        "{var: x, class: confidentiality}",
        "medium",
    ),
    "zz-two": (
        MONITOR + "}",
        INFLUENCE_PARAMS,
        "{var: m, asset: model_parameters, class: [confidentiality, integrity]}",
        "medium",
    ),
}

CLASSIFIER = """\
actm: 1
system: {id: severity}
models:
  - {id: clf, kind: classifier}
assets: ASSETS
adversaries:
  - id: insider
    holds:
HOLDS"""

PIPELINES = """\
      - {asset: clf.model_parameters, capability: partially_inspect, pipeline: development}
      - {asset: clf.model_parameters, capability: inspect, pipeline: deployment}
"""

CHANGES = """\
      - {asset: clf.model_parameters, capability: make_arbitrary_changes}
      - {asset: clf.model_parameters, capability: make_limited_changes, persistent: true}
"""


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("severity")
    (root / "attacks").mkdir()
    for aid, parts in PATTERNS.items():
        text = _pattern(aid, *parts)
        (Path(root) / "attacks" / f"{aid}.yaml").write_text(text, encoding="utf-8")
    return actm.load_knowledge([root])


def _run(kb: KnowledgeBase, ids: list[str], model: str) -> EngineOutput:
    only = KnowledgeBase(
        attacks={i: kb.attacks[i] for i in ids}, vocabulary=kb.vocabulary, locations={}
    )
    return run_engine(actm.load_model_text(model, knowledge=only), only)


def _rated(kb: KnowledgeBase, ids: list[str], model: str) -> dict[str, Assessment]:
    out = _run(kb, ids, model)
    return {
        out.compiled.rules[m.rule].attack.id: a
        for m, a in zip(out.matches, out.assessments, strict=True)
    }


def _classifier(holds: str, assets: str = "[]") -> str:
    return CLASSIFIER.replace("ASSETS", assets).replace("HOLDS", holds)


def _factors(
    crit: float, strength: float, pers: float, lik: float, path: float = 0.6
) -> tuple[tuple[str, float], ...]:
    return (
        ("criticality", crit),
        ("strength", strength),
        ("persistence", pers),
        ("likelihood", lik),
        ("path", path),
        ("assumptions", 1.0),
        ("length", 1.0),
    )


def _conf(
    score: float, cap: str, strength: float, asset: str = "clf.model_parameters"
) -> Assessment:
    return Assessment(
        level="low",
        score=score,
        asset=asset,
        asset_id=asset,
        cls="confidentiality",
        criticality="medium",
        capability=cap,
        persistent=False,
        likelihood="medium",
        factors=_factors(0.5, strength, 1.0, 0.8),
    )


# 10 x 0.5 x 0.4 x 0.85 (transient) x 0.8 x 0.6 = 0.8
INFLUENCE = Assessment(
    level="low",
    score=0.8,
    asset="clf.model_parameters",
    asset_id="clf.model_parameters",
    cls="integrity",
    criticality="medium",
    capability="influence",
    persistent=False,
    likelihood="medium",
    factors=_factors(0.5, 0.4, 0.85, 0.8),
)


def test_a_requirement_of_one_pipeline_is_met_only_by_facts_of_that_pipeline(
    knowledge: KnowledgeBase,
) -> None:
    rated = _rated(knowledge, ["zz-any", "zz-dep", "zz-dev"], _classifier(PIPELINES))
    # 10 x 0.5 x 0.8 x 0.8 x 0.6 (insider) = 1.92; inspect: 2.4
    assert rated == {
        "zz-dev": _conf(1.9, "partially_inspect", 0.8),
        "zz-dep": _conf(2.4, "inspect", 1.0),
        "zz-any": _conf(2.4, "inspect", 1.0),
    }


def test_a_requirement_on_another_asset_type_or_class_does_not_rate_the_impact(
    knowledge: KnowledgeBase,
) -> None:
    holds = """\
      - {asset: clf.outputs, capability: inspect}
      - {asset: clf.model_parameters, capability: partially_inspect}
      - {asset: clf.model_parameters, capability: make_arbitrary_changes}
"""
    rated = _rated(knowledge, ["zz-cls", "zz-type"], _classifier(holds))
    # what the attack yields on the parameters counts, not what met a requirement elsewhere
    assert rated["zz-type"] == _conf(1.0, "monitor", 0.4)
    # partially_inspect met the requirement, but it is not an integrity capability
    assert rated["zz-cls"] == INFLUENCE


def test_a_requirement_on_a_component_is_met_only_there(knowledge: KnowledgeBase) -> None:
    model = """\
actm: 1
system: {id: severity}
models:
  - {id: bot, kind: llm}
adversaries:
  - id: insider
    holds:
      - {asset: bot.inputs.user_input, capability: partially_inspect}
      - {asset: bot.inputs.system_prompt, capability: inspect}
"""
    rated = _rated(knowledge, ["zz-comp"], model)
    assert rated == {"zz-comp": _conf(1.9, "partially_inspect", 0.8, "bot.inputs")}


def _integrity(score: float, cap: str, persistent: bool) -> Assessment:
    return Assessment(
        level="low",
        score=score,
        asset="clf.model_parameters",
        asset_id="clf.model_parameters",
        cls="integrity",
        criticality="medium",
        capability=cap,
        persistent=persistent,
        likelihood="high",
        factors=_factors(
            0.5, 1.0 if cap == "make_arbitrary_changes" else 0.8, 1.0 if persistent else 0.85, 1.0
        ),
    )


def test_a_transient_change_is_rated_down_and_half_tenths_round_up(
    knowledge: KnowledgeBase,
) -> None:
    rated = _rated(knowledge, ["zz-int", "zz-pers"], _classifier(CHANGES))
    # 10 x 0.5 x 1.0 x 0.85 x 1.0 x 0.6 = 2.55 (2.5499... in floating point): 2.6
    # beats the persistent make_limited_changes: 10 x 0.5 x 0.8 x 1.0 x 0.6 = 2.4
    assert rated["zz-int"] == _integrity(2.6, "make_arbitrary_changes", False)
    # only the persistent change meets a persistent requirement
    assert rated["zz-pers"] == _integrity(2.4, "make_limited_changes", True)


INSPECT = "      - {asset: clf.model_parameters, capability: inspect}\n"


def _criticality(crit: str) -> str:
    return _classifier(INSPECT).replace(
        "{id: clf, kind: classifier}", f"{{id: clf, kind: classifier, criticality: {crit}}}"
    )


def test_the_worst_class_that_matters_is_rated(knowledge: KnowledgeBase) -> None:
    # confidentiality 2.4 beats integrity 10 x 0.5 x 0.4 x 0.85 x 0.8 x 0.6 = 0.8
    assert _rated(knowledge, ["zz-two"], _criticality("{}")) == {
        "zz-two": _conf(2.4, "inspect", 1.0)
    }
    # confidentiality that does not matter leaves integrity, which is not moot
    assert _rated(knowledge, ["zz-two"], _criticality("{confidentiality: none}")) == {
        "zz-two": INFLUENCE
    }
    # a tie (1.2 each: 10 x 0.25 x 0.48; 10 x 0.75 x 0.4 x 0.85 x 0.48) keeps the first class
    tie = _rated(knowledge, ["zz-two"], _criticality("{confidentiality: low, integrity: high}"))
    assert tie == {
        "zz-two": replace(
            _conf(1.2, "inspect", 1.0), criticality="low", factors=_factors(0.25, 1.0, 1.0, 0.8)
        )
    }


def test_a_threat_to_confidentiality_that_does_not_matter_is_moot(
    knowledge: KnowledgeBase,
) -> None:
    rated = _rated(knowledge, ["zz-any"], _criticality("{confidentiality: none}"))
    assert rated == {
        "zz-any": replace(
            _conf(0.0, "inspect", 1.0),
            level="info",
            criticality="none",
            factors=_factors(0.0, 1.0, 1.0, 0.8),
            moot=True,
        )
    }


def test_moot_changes_nothing_else_of_an_assessment() -> None:
    a = Assessment(
        level="high",
        score=7.5,
        asset="clf.inputs.user_input",
        asset_id="clf.inputs",
        cls="confidentiality",
        criticality="none",
        capability="monitor",
        persistent=True,
        likelihood="low",
        factors=(("criticality", 0.0),),
        elsewhere=True,
        accepted=True,
    )
    assert _replace_moot(a) == replace(a, moot=True)


def test_the_route_factors_and_the_bands(knowledge: KnowledgeBase) -> None:
    out = _run(knowledge, ["zz-dev"], _classifier(PIPELINES))
    c, store, match, proof = out.compiled, out.closure.store, out.matches[0], out.proofs[0]
    base = _conf(1.9, "partially_inspect", 0.8)
    # two unjustified assumptions (0.8^2) and 8 steps, two beyond the 6 free (0.95^2):
    # 10 x 0.5 x 0.8 x min(1, 0.8 x 0.6 x 0.64 x 0.9025) = 1.1
    assert assess(c, store, match, proof, Route(steps=8, unjustified=2)) == replace(
        base,
        score=1.1,
        factors=(*base.factors[:5], ("assumptions", 0.64), ("length", 0.9025)),
    )
    # each factor is rounded to four decimals: 0.8^5 = 0.32768, 0.95^3 = 0.857375
    assert assess(c, store, match, proof, Route(steps=9, unjustified=5)) == replace(
        base,
        score=0.5,
        factors=(*base.factors[:5], ("assumptions", 0.3277), ("length", 0.8574)),
    )
    # entry points that must cooperate: the floor, whatever the steps
    assert assess(c, store, match, proof, Route(steps=2, cooperation=True)) == replace(
        base, score=1.2, factors=(*base.factors[:6], ("length", 0.6))
    )
    # the impact alone: no path factor
    assert assess(c, store, match, proof, route=False) == replace(
        base, score=3.2, factors=_factors(0.5, 0.8, 1.0, 0.8, path=1.0)
    )
    out = _run(knowledge, ["zz-any"], _classifier(PIPELINES))
    # exactly the medium band's bound: 10 x 0.5 x 1.0 x 0.8 = 4.0
    assert assess(
        out.compiled, out.closure.store, out.matches[0], out.proofs[0], route=False
    ) == replace(
        _conf(4.0, "inspect", 1.0), level="medium", factors=_factors(0.5, 1.0, 1.0, 0.8, 1.0)
    )


@pytest.mark.parametrize(
    ("steps", "cooperation", "expected"),
    [
        (None, False, 1.0),
        (6, False, 1.0),
        (7, False, 0.95),
        (8, False, 0.9025),
        (15, False, 0.95**9),
        (16, False, 0.6),  # 0.95^10 = 0.599 is below the floor
        (None, True, 0.6),
        (1, True, 0.6),
    ],
)
def test_length_factor(steps: int | None, cooperation: bool, expected: float) -> None:
    sev = builtin_vocabulary().severity
    assert length_factor(sev, steps, cooperation) == pytest.approx(expected, abs=1e-12)


def test_only_what_reaches_the_impacted_asset_in_its_class_counts(
    knowledge: KnowledgeBase,
) -> None:
    holds = """\
      - {asset: clf.model_parameters, capability: partially_inspect}
      - {asset: clf.outputs, capability: inspect}
"""
    rated = _rated(knowledge, ["zz-far", "zz-order"], _classifier(holds))
    # zz-far yields inspect on the outputs: not the parameters' confidentiality
    assert rated == {
        "zz-far": _conf(1.9, "partially_inspect", 0.8),
        "zz-order": _conf(1.9, "partially_inspect", 0.8),
    }


LLM = """\
actm: 1
system: {id: severity}
models:
  - {id: bot, kind: llm}
assets:
  - {id: orders, type: business_data}
adversaries:
  - id: insider
    holds:
      - {asset: bot.inputs.user_input, capability: partially_inspect}
      - {asset: bot.outputs, capability: monitor}
      - {asset: orders, capability: monitor}
"""


def test_the_impacted_asset_component_or_element(knowledge: KnowledgeBase) -> None:
    rated = _rated(knowledge, ["zz-data", "zz-either", "zz-none", "zz-part"], LLM)
    user_input = _conf(1.9, "partially_inspect", 0.8, "bot.inputs")
    assert rated == {
        "zz-data": _conf(2.4, "inspect", 1.0, "orders"),
        "zz-either": user_input,
        # nothing of the class reaches the inputs: strength 0, score 0
        "zz-none": replace(
            _conf(0.0, "inspect", 0.0, "bot.inputs"),
            level="info",
            capability=None,
        ),
        "zz-part": replace(user_input, asset="bot.inputs.user_input"),
    }
    # an llm's inputs have no tool_results: the whole inputs are rated
    assert _rated(knowledge, ["zz-tools"], LLM) == {"zz-tools": user_input}


def _none(integrity: bool) -> str:
    crit = "{integrity: none}" if integrity else "{}"
    return f"{{id: clf, kind: classifier, criticality: {crit}}}"


def test_among_equal_scores_the_strongest_then_persistent_capability(
    knowledge: KnowledgeBase,
) -> None:
    # criticality none: every capability scores 0
    model = _classifier(CHANGES).replace("{id: clf, kind: classifier}", _none(True))
    zero = replace(
        _integrity(0.0, "make_arbitrary_changes", False),
        level="info",
        criticality="none",
        factors=_factors(0.0, 1.0, 0.85, 1.0),
    )
    assert _rated(knowledge, ["zz-int"], model) == {"zz-int": zero}
    held = CHANGES + (
        "      - {asset: clf.model_parameters, capability: make_arbitrary_changes, "
        "persistent: true}\n"
    )
    model = _classifier(held).replace("{id: clf, kind: classifier}", _none(True))
    # the persistent one, which the chain (through the first fact) does not show
    assert _rated(knowledge, ["zz-int"], model) == {
        "zz-int": replace(
            zero, persistent=True, factors=_factors(0.0, 1.0, 1.0, 1.0), elsewhere=True
        )
    }


OPERATOR = """\
  - id: admin
    reach: operator
    holds:
      - {asset: clf.model_parameters, capability: inspect}
"""


def test_each_capability_at_the_cost_of_its_own_route(knowledge: KnowledgeBase) -> None:
    # inspect, held by an operator (0.4), beats the insider's monitor 10 x 0.5 x 0.4 x 0.48
    monitor = "      - {asset: clf.model_parameters, capability: monitor}\n"
    assert _rated(knowledge, ["zz-any"], _classifier(monitor) + OPERATOR) == {
        "zz-any": replace(
            _conf(1.6, "inspect", 1.0),
            factors=_factors(0.5, 1.0, 1.0, 0.8, path=0.4),
            elsewhere=True,
        )
    }
    # the insider's monitor alone: 10 x 0.5 x 0.4 x 0.8 x 0.6 = 0.96
    assert _rated(knowledge, ["zz-any"], _classifier(monitor)) == {
        "zz-any": _conf(1.0, "monitor", 0.4)
    }
    # but not the insider's partially_inspect: 1.92 against 1.6
    partial = "      - {asset: clf.model_parameters, capability: partially_inspect}\n"
    assert _rated(knowledge, ["zz-any"], _classifier(partial) + OPERATOR) == {
        "zz-any": _conf(1.9, "partially_inspect", 0.8)
    }


def test_a_threat_that_needs_a_justified_assumption_is_accepted_risk(
    knowledge: KnowledgeBase,
) -> None:
    model = (
        _classifier("      - {asset: clf.outputs, capability: monitor}\n")
        + """\
owners:
  - {id: hub}
assumptions:
  - id: vendor
    producer: hub
    asset: clf.model_parameters
    capability: inspect
    status: justified
    justification: audited
"""
    )
    assert _rated(knowledge, ["zz-any"], model) == {
        "zz-any": replace(
            _conf(0.0, "inspect", 1.0),
            level="info",
            factors=_factors(0.5, 1.0, 1.0, 0.8, path=0.0),
            accepted=True,
        )
    }
