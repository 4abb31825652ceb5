"""Why an attack is out of scope, where the order of the targets and the component conditions
decide the answer (engine/scope.py ``_probe``, ``_conditions``): each test analyses its own
model, so that mutation testing sees which test reads which answer (docs/mutation.md)."""

from __future__ import annotations

from pathlib import Path

import actm
from actm.results.model import OutOfScope


def _pattern(aid: str, requires: str) -> str:
    return (
        f"id: {aid}\ntitle: Test pattern {aid}\n"
        "description: A test pattern for why an attack is out of scope.\n"
        "likelihood: high\nsteps:\n"
        "  - id: go\n"
        f"    requires:\n{requires}"
        "    yields:\n      - {var: m, asset: outputs, capability: make_limited_changes}\n"
        "impact: {var: m, asset: outputs, class: integrity}\n"
    )


def _out_of_scope(root: Path, aid: str, requires: str, model: str) -> OutOfScope:
    (root / "attacks").mkdir()
    (root / "attacks" / f"{aid}.yaml").write_text(_pattern(aid, requires), encoding="utf-8")
    kb = actm.load_knowledge([root])
    result = actm.analyze(actm.load_model_text(model, knowledge=kb), knowledge=kb)
    assert not [t for t in result.threats if t.attack == aid]
    [found] = [o for o in result.out_of_scope if o.attack == aid]
    return found


def test_a_fitting_target_the_adversary_does_not_reach_does_not_end_the_search(
    tmp_path: Path,
) -> None:
    """``able`` comes first in order and meets the conditions but is not reached; ``bot``,
    after it, is reached: the requirement is reached on an asset that does not meet them."""
    model = """\
actm: 1
system: {id: probe}
models:
  - {id: able, kind: llm, exposure: internal}
  - {id: bot, kind: agent, exposure: public}
"""
    requires = (
        "      - {var: m, asset: outputs, capability: influence,"
        " where: {kind: [llm], exposure: [internal]}}\n"
    )
    found = _out_of_scope(tmp_path, "zz-order", requires, model)
    assert (found.step, found.reason, found.detail) == (
        "go",
        "conditions_not_met",
        "influence on outputs is reached on bot, which does not meet the pattern's "
        "conditions (kind: llm; exposure: internal)",
    )


MODEL_WITH_RESULTS = """\
actm: 1
system: {id: probe}
models:
  - {id: bot, kind: agent, exposure: public, tools: [fetch]}
tools:
  - {id: fetch, permissions: {egress: [internet]}, untrusted_results: [public-web]}
"""


def test_a_requirement_met_on_a_component_its_conditions_name_is_met(tmp_path: Path) -> None:
    """The tool results of ``bot`` take outside content: the first requirement is met on that
    component, so the second (no asset of its kind) is the one named."""
    requires = (
        "      - {var: m, asset: inputs, component: [tool_results], capability: influence,"
        " where: {outside_authored: true}}\n"
        "      - {var: x, asset: [source_code, secret]}\n"
    )
    found = _out_of_scope(tmp_path, "zz-component", requires, MODEL_WITH_RESULTS)
    assert (found.reason, found.requirement, found.detail) == (
        "no_asset",
        "a source_code/secret asset",
        "the model has no source_code/secret asset",
    )


def test_an_unmet_component_condition_is_named_with_its_value(tmp_path: Path) -> None:
    requires = (
        "      - {var: m, asset: inputs, component: [user_input], capability: influence,"
        " where: {outside_authored: true}}\n"
    )
    found = _out_of_scope(tmp_path, "zz-component-unmet", requires, MODEL_WITH_RESULTS)
    assert (found.reason, found.detail) == (
        "conditions_not_met",
        "influence on inputs.user_input is reached on bot, which does not meet the pattern's "
        "conditions (outside authored: true)",
    )
