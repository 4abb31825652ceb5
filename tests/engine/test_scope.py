"""Why an attack is out of scope (METHOD.md section 5): the exact reason, step, requirement
and detail for each reason code, on test patterns written for it."""

from __future__ import annotations

import pytest

import actm
from actm.results.model import OutOfScope, Result

STEER = "{var: m, asset: outputs, capability: influence}"


def _pattern(aid: str, steps: str) -> str:
    impact = IMPACT.get(aid, "{var: m, asset: outputs, class: integrity}")
    return (
        f"id: {aid}\ntitle: Test pattern {aid}\n"
        "description: A test pattern for why an attack is out of scope.\n"
        f"likelihood: high\nsteps:\n{steps}impact: {impact}\n"
    )


IMPACT = {
    "zz-d-missing": "{var: x, class: confidentiality}",
    "zz-f-unfit": "{var: x, class: confidentiality}",
    "zz-i-unrelated": "{var: t, class: integrity}",
    "zz-k-noparts": "{var: x, class: integrity}",
}

ONE_STEP = f"""\
  - id: say
    requires:
      - {STEER}
    yields:
      - {{var: m, asset: outputs, capability: make_limited_changes}}
"""

PATTERNS = {
    # sorted before the others: a broken pattern must not end the listing
    "zz-a-broken": ONE_STEP,
    "zz-b-suppressed": ONE_STEP,
    "zz-c-closes": ONE_STEP,
    "zz-d-missing": f"""\
  - id: find
    requires:
      - {STEER}
      - {{var: x, asset: [source_code, secret]}}
    yields:
      - {{var: x, capability: inspect}}
""",
    "zz-e-elsewhere": """\
  - id: steer
    requires:
      - {var: m, asset: outputs, capability: influence, where: {kind: [llm], exposure: [internal]}}
    yields:
      - {var: m, asset: outputs, capability: make_limited_changes}
""",
    "zz-f-unfit": f"""\
  - id: take
    requires:
      - {STEER}
      - {{var: x, asset: business_data, where: {{min_criticality: {{confidentiality: critical}}}}}}
    yields:
      - {{var: x, capability: inspect}}
""",
    "zz-g-ungranted": f"""\
  - id: start
    requires:
      - {STEER}
    yields:
      - {STEER}
  - id: persist
    requires:
      - {{var: m, asset: model_parameters, capability: make_arbitrary_changes, persistent: true,
         pipeline: development}}
    yields:
      - {{var: m, asset: outputs, capability: make_arbitrary_changes}}
""",
    "zz-h-unbound": f"""\
  - id: steer
    requires:
      - {STEER}
  - id: check
    requires:
      - {{var: m, asset: outputs, where: {{kind: [llm]}}}}
      - {{var: x, asset: business_data}}
    yields:
      - {{var: m, asset: outputs, capability: make_limited_changes}}
""",
    "zz-i-unrelated": f"""\
  - id: steer
    requires:
      - {STEER}
      - {{var: h, asset: outputs, where: {{kind: [llm]}}}}
  - id: use
    requires:
      - {{var: t, asset: tool, where: {{used_by: h}}}}
    yields:
      - {{var: t, capability: influence}}
""",
    "zz-j-parts": """\
  - id: twist
    requires:
      - {var: m, asset: [outputs, architecture], component: [text, code],
         capability: make_arbitrary_changes, persistent: true}
    yields:
      - {var: m, asset: outputs, capability: make_arbitrary_changes}
""",
    "zz-k-noparts": """\
  - id: twist
    requires:
      - {var: x, asset: source_code, component: [ci_config, dependencies], capability: inspect}
    yields:
      - {var: x, capability: make_arbitrary_changes}
""",
    # influence on the outputs holds, but only for now and in the deployment pipeline
    "zz-l-lasting": ONE_STEP.replace("influence}", "influence, persistent: true}", 1),
    "zz-m-pipeline": ONE_STEP.replace("influence}", "influence, pipeline: development}", 1),
    # no model has outputs.code: the outputs.text after it still counts
    "zz-n-either": ONE_STEP.replace(
        "influence}", "influence, component: [code, text], where: {kind: [llm]}}", 1
    ),
    # the whole outputs do not stand in for a component the model lacks
    "zz-o-nocode": ONE_STEP.replace("influence}", "influence, component: [code]}", 1),
    # the whole outputs, not a capability lifted from a component
    "zz-p-whole": ONE_STEP.replace("influence}", "make_arbitrary_changes, whole: true}", 1),
    # broken where it binds two elements
    "zz-q-pair": ONE_STEP.replace(
        "    yields:", "      - {var: x, asset: business_data}\n    yields:", 1
    ),
}

MODEL = """\
actm: 1
system: {id: scope}
models:
  - {id: quiet, kind: llm, exposure: internal}
  - {id: bot, kind: agent, exposure: public, tools: [lookup]}
  - {id: kiosk, kind: agent, exposure: public}
assets:
  - {id: orders, type: business_data, criticality: {confidentiality: low}}
tools:
  - {id: lookup, permissions: {read: [orders]}}
controls:
  - {id: c2, breaks: [{attack: zz-a-broken}]}
  - {id: c1, breaks: [{attack: zz-a-broken}]}
  - {id: c3, breaks: [{attack: zz-b-suppressed, step: say, asset: bot}]}
  - {id: c4, breaks: [{attack: zz-b-suppressed, step: say, asset: kiosk}]}
  - {id: c5, breaks: [{attack: zz-q-pair, step: say, asset: bot},
                     {attack: zz-q-pair, step: say, asset: kiosk}]}
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    root = tmp_path_factory.mktemp("scope")
    (root / "attacks").mkdir()
    for aid, steps in PATTERNS.items():
        (root / "attacks" / f"{aid}.yaml").write_text(_pattern(aid, steps), encoding="utf-8")
    kb = actm.load_knowledge([root])
    return actm.analyze(actm.load_model_text(MODEL, knowledge=kb), knowledge=kb)


def _ours(result: Result) -> list[OutOfScope]:
    return [o for o in result.out_of_scope if o.attack.startswith("zz-")]


UNBOUND = (
    "each requirement is met somewhere, but never on assets bound consistently "
    "(the same model, or related as the pattern demands)"
)


def test_every_reason_with_its_step_requirement_and_detail(result: Result) -> None:
    assert [t.id for t in result.threats if t.id.startswith("zz-")] == [
        "zz-c-closes@bot",
        "zz-c-closes@kiosk",
    ]
    assert [(o.attack, o.step, o.requirement, o.reason, o.detail) for o in _ours(result)] == [
        ("zz-a-broken", None, None, "broken_by_control", "broken everywhere by control c1, c2"),
        (
            "zz-b-suppressed",
            None,
            None,
            "broken_by_control",
            "would close on bot, kiosk, but a control breaks it there",
        ),
        (
            "zz-d-missing",
            "find",
            "a source_code/secret asset",
            "no_asset",
            "the model has no source_code/secret asset",
        ),
        (
            "zz-e-elsewhere",
            "steer",
            "influence on outputs",
            "conditions_not_met",
            # quiet, first, is not reached; bot and kiosk are: the first of them is named
            "influence on outputs is reached on bot, which does not meet the pattern's "
            "conditions (kind: llm; exposure: internal)",
        ),
        (
            "zz-f-unfit",
            "take",
            "a business_data asset",
            "no_asset",
            "no business_data asset meets the pattern's conditions "
            "(min criticality: confidentiality >= critical)",
        ),
        (
            "zz-g-ungranted",
            "persist",
            "make_arbitrary_changes (persistent) on model_parameters in the development pipeline",
            "not_granted",
            "nothing evidenced or assumed grants make_arbitrary_changes (persistent) on "
            "model_parameters in the development pipeline",
        ),
        # no relational requirement: the last one is named
        ("zz-h-unbound", "check", "a business_data asset", "not_bound_consistently", UNBOUND),
        # the first relational requirement is named
        (
            "zz-i-unrelated",
            "use",
            "a tool asset related as the pattern demands",
            "not_bound_consistently",
            UNBOUND,
        ),
        (
            "zz-j-parts",
            "twist",
            "make_arbitrary_changes (persistent) on outputs/architecture.text/code",
            "not_granted",
            "nothing evidenced or assumed grants make_arbitrary_changes (persistent) on "
            "outputs/architecture.text/code",
        ),
        (
            "zz-k-noparts",
            "twist",
            "inspect on source_code.ci_config/dependencies",
            "no_asset",
            "the model has no source_code.ci_config/dependencies asset",
        ),
        (
            "zz-l-lasting",
            "say",
            "influence (persistent) on outputs",
            "not_granted",
            "nothing evidenced or assumed grants influence (persistent) on outputs",
        ),
        (
            "zz-m-pipeline",
            "say",
            "influence on outputs in the development pipeline",
            "not_granted",
            "nothing evidenced or assumed grants influence on outputs in the development pipeline",
        ),
        (
            "zz-n-either",
            "say",
            "influence on outputs.code/text",
            "conditions_not_met",
            "influence on outputs.code/text is reached on bot, which does not meet the "
            "pattern's conditions (kind: llm)",
        ),
        (
            "zz-o-nocode",
            "say",
            "influence on outputs.code",
            "no_asset",
            "the model has no outputs.code asset",
        ),
        (
            "zz-p-whole",
            "say",
            "make_arbitrary_changes on outputs",
            "not_granted",
            "nothing evidenced or assumed grants make_arbitrary_changes on outputs",
        ),
        (
            "zz-q-pair",
            None,
            None,
            "broken_by_control",
            "would close on bot@orders, kiosk@orders, but a control breaks it there",
        ),
    ]
