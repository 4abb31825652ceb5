"""The plan renderers: text, JSON, and YAML that pastes back into the model."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import actm
from actm.engine.severity import level_rank
from actm.knowledge.attacks import KnowledgeBase
from actm.plan import make_plan
from actm.render.plan import render_plan_json, render_plan_text, render_plan_yaml
from actm.results.plan import Plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SUPPORT = (EXAMPLES / "customer-support-rag.yaml").read_text(encoding="utf-8")
CREDENTIALS = (EXAMPLES / "credential-theft.yaml").read_text(encoding="utf-8")
TODAY = date(2026, 1, 15)
TRIAGE = """
triage:
  - id: system-prompt-extraction@support-agent
    status: accepted
    justification: The system prompt holds no secrets.
    owner: alice
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return actm.load_knowledge()


@pytest.fixture(scope="module")
def plan(kb: KnowledgeBase) -> Plan:
    """The support bot, one medium threat accepted by triage: a plan from the catalog (at
    medium: only two of its threats are high, both stopped by one control)."""
    model = actm.load_model_text(SUPPORT + TRIAGE, knowledge=kb)
    return make_plan(model, kb, target="medium", today=TODAY)


@pytest.fixture(scope="module")
def planned_only(kb: KnowledgeBase) -> Plan:
    """The same, with the model's planned controls only: most targets cannot be removed."""
    model = actm.load_model_text(SUPPORT + TRIAGE, knowledge=kb)
    return make_plan(model, kb, target="medium", today=TODAY, use_catalog=False)


def _yaml() -> YAML:
    return YAML(typ="rt", pure=True)


def test_the_fixtures_plan_what_the_tests_rely_on(plan: Plan, planned_only: Plan) -> None:
    assert plan.settled == ("system-prompt-extraction@support-agent",)
    assert "tool-data-exfiltration@support-agent@customer-records" in plan.threats
    # catalog controls, and the model's own planned mail review
    assert [c.id for c in plan.controls if c.template is None] == ["outbound-mail-review"]
    assert len(plan.controls) > 1
    assert [c.id for c in planned_only.controls] == ["outbound-mail-review"]
    assert planned_only.controls[0].template is None
    assert planned_only.controls[0].removes == (
        "context-exfiltration-via-tool@support-agent",
        "tool-data-exfiltration@support-agent@customer-records",
    )
    assert planned_only.unremovable == (
        "excessive-agency-write@support-agent@tickets",
        "provider-data-exposure@support-agent",
        "tool-data-disclosure@support-agent@customer-records",
    )
    assert planned_only.also_removed == ()


def test_text_headline_and_controls(plan: Plan) -> None:
    text = render_plan_text(plan)
    lines = text.splitlines()
    n, cost = len(plan.controls), int(plan.cost)
    assert lines[0] == "actm plan: every threat at or above medium out of scope"
    assert lines[1] == (
        f"{n} controls, cost {cost}, for {len(plan.threats)} target threats; "
        "exact: no plan from these candidates costs less."
    )
    assert lines[2] == (
        f"{plan.candidates} candidate controls considered, {plan.engine_runs} engine runs."
    )
    for c in plan.controls:
        assert f"│ {int(c.cost):>4} │ {c.id}" in text
        assert c.effect in text
        k = len(c.removes)
        assert f"removes {k} target threat{'' if k == 1 else 's'}" in text
        for t in c.removes:
            assert f"│      │   {t}" in text
    assert lines[-2:] == [
        "settled by triage (1): left out of the plan",
        "  system-prompt-extraction@support-agent",
    ]
    assert all(len(line) <= 100 for line in lines)


def test_text_lists_what_the_plan_cannot_do(planned_only: Plan) -> None:
    text = render_plan_text(planned_only)
    assert text.splitlines()[1:4] == [
        "1 control, cost 1, for 2 of 5 target threats; exact: no plan from these candidates "
        "costs less.",
        "3 threats cannot be removed by any known control: "
        "excessive-agency-write@support-agent@tickets,",
        "  provider-data-exposure@support-agent, "
        "tool-data-disclosure@support-agent@customer-records.",
    ]
    assert "1 candidate control considered, 1 engine run." in text
    assert "│    1 │ outbound-mail-review (declared in the model)" in text
    assert "│      │ removes 2 target threats:" in text
    assert "│      │   tool-data-exfiltration@support-agent@customer-records" in text
    assert (
        "unremovable (3): no candidate control removes these\n"
        "  excessive-agency-write@support-agent@tickets\n"
        "  provider-data-exposure@support-agent\n"
        "  tool-data-disclosure@support-agent@customer-records\n"
    ) in text


def test_text_heuristic_introduced_and_nothing_to_do(plan: Plan) -> None:
    heuristic = replace(
        plan, method="heuristic", limit="budget", lower_bound=plan.cost - 2.5, gap=2.5
    )
    text = render_plan_text(heuristic)
    assert f"heuristic: lower bound {plan.cost - 2.5:g}, gap 2.5 (the search ran out" in text
    rounds = render_plan_text(replace(heuristic, limit="rounds", iterations=50))
    assert (
        f"heuristic: lower bound {plan.cost - 2.5:g}, gap 2.5 (the exact search stopped after "
        "50 rounds and the plan was completed greedily; a plan up to the gap cheaper may exist)."
    ) in " ".join(line.strip() for line in rounds.splitlines())
    tight = render_plan_text(replace(plan, method="heuristic", limit="rounds"))
    assert f"heuristic, but it meets the lower bound {int(plan.cost)}" in tight
    introduced = replace(plan, introduced=("approver-deception@support-agent",))
    assert (
        "introduced by the plan (1): exist only with its controls; review them\n"
        "  approver-deception@support-agent\n"
    ) in render_plan_text(introduced)
    empty = replace(plan, controls=(), threats=(), settled=(), cost=0.0, lower_bound=0.0)
    assert render_plan_text(empty).splitlines()[1:] == [
        "0 controls, cost 0, for 0 target threats; exact: no plan from these candidates costs "
        "less.",
        f"{plan.candidates} candidate controls considered, {plan.engine_runs} engine runs.",
        "Nothing to do: no unsettled threat at or above medium.",
    ]


def test_json(plan: Plan) -> None:
    text = render_plan_json(plan)
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["target"] == "medium" and data["method"] == "exact" and data["exact"] is True
    assert data["limit"] is None and data["gap"] == 0 and data["lower_bound"] == plan.cost
    rough = json.loads(render_plan_json(replace(plan, method="heuristic", limit="rounds")))
    assert rough["exact"] is False and rough["limit"] == "rounds"
    assert data["settled"] == ["system-prompt-extraction@support-agent"]
    assert [c["id"] for c in data["controls"]] == [c.id for c in plan.controls]
    assert data["controls"][0]["model_yaml"] == plan.controls[0].model_yaml
    assert render_plan_json(plan) == text


def _with_controls(
    model_text: str, extra: list[dict[str, Any]], status: str, implement: tuple[str, ...] = ()
) -> str:
    """The model with ``extra`` appended to its controls at ``status``, and the declared
    controls ``implement`` names set to implemented."""
    yaml = _yaml()
    data = yaml.load(model_text)
    for ctl in data["controls"]:
        if ctl["id"] in implement:
            ctl["status"] = "implemented"
    for entry in extra:
        data["controls"].append({**entry, "status": status})
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def _paste(model_text: str, plan_yaml: str) -> str:
    """``plan_yaml`` pasted right under the model's ``controls:`` line, as a user would."""
    assert model_text.count("\ncontrols:\n") == 1
    return model_text.replace("\ncontrols:\n", "\ncontrols:\n" + plan_yaml, 1)


def test_yaml_pastes_under_the_models_controls(plan: Plan, kb: KnowledgeBase) -> None:
    text = render_plan_yaml(plan)
    lines = text.splitlines()
    new = [c for c in plan.controls if c.template is not None]
    assert lines[:5] == [
        f"# actm plan: every threat at or above medium out of scope; {len(plan.controls)} "
        f"controls, cost {int(plan.cost)} (exact)",
        "# Paste the entries below under the model's `controls:` section (add that line",
        "# first if the model has none). They are status: planned, which changes no",
        "# analysis: set each to status: implemented once it is in force. With all of the",
        "# plan's controls implemented, the target threats it removes are out of scope.",
    ]
    assert lines[5] == f"  # plan candidate {plan.controls[0].id}"  # the id the text shows
    assert lines[6].startswith("  - id: ")
    assert not any(line.startswith("controls:") for line in lines)  # no key of its own
    loaded = _yaml().load(text)  # a list of controls, two spaces in
    assert [c["id"] for c in loaded] == [c.model_yaml["id"] for c in new]
    assert [c["status"] for c in loaded] == ["planned"] * len(new)
    assert json.loads(json.dumps(loaded)) == [c.model_yaml for c in new]

    def medium(model_text: str) -> set[str]:
        model = actm.load_model_text(model_text, knowledge=kb)
        assert len(model.controls) == 2 + len(new)
        result = actm.analyze(model, knowledge=kb, today=TODAY)
        return {t.id for t in result.threats if level_rank(t.severity.level) >= 2}

    assert level_rank("medium") == 2
    # pasted as they come (planned), they change nothing yet
    pasted = _paste(SUPPORT + TRIAGE, text)
    assert medium(pasted) == set(plan.threats) | set(plan.settled)
    # implemented, with the model's own mail review, the targets are gone
    flipped = text.replace("    status: planned\n", "    status: implemented\n")
    assert flipped.count("    status: implemented\n") == len(new)
    reviewed = SUPPORT.replace(
        "    status: planned   # set to implemented", "    status: implemented   #"
    )
    assert medium(_paste(reviewed + TRIAGE, flipped)) == set(plan.settled)


def test_yaml_for_a_control_the_model_declares(planned_only: Plan, kb: KnowledgeBase) -> None:
    text = render_plan_yaml(planned_only)
    assert text == (
        "# actm plan: every threat at or above medium out of scope; 1 control, cost 1 (exact)\n"
        "# With the plan's controls implemented, the targets it removes are out of scope.\n"
        "# 3 threats cannot be removed by any known control: "
        "excessive-agency-write@support-agent@tickets, provider-data-exposure@support-agent, "
        "tool-data-disclosure@support-agent@customer-records\n"
        "  # outbound-mail-review: already declared in the model; set its status: implemented "
        "once it is in force\n"
    )
    assert _yaml().load(text) is None  # comments only: pasting it changes nothing
    flipped = SUPPORT.replace(
        "    status: planned   # set to implemented", "    status: implemented   #"
    )
    assert flipped != SUPPORT
    result = actm.analyze(actm.load_model_text(flipped, knowledge=kb), knowledge=kb)
    assert "tool-data-exfiltration@support-agent@customer-records" in {
        m.id for m in result.mitigated
    }


def test_yaml_of_a_heuristic_plan_gives_its_bound(plan: Plan) -> None:
    rough = replace(plan, method="heuristic", limit="rounds", lower_bound=plan.cost - 1, gap=1.0)
    assert render_plan_yaml(rough).splitlines()[0] == (
        f"# actm plan: every threat at or above medium out of scope; {len(plan.controls)} "
        f"controls, cost {int(plan.cost)} (heuristic: lower bound {int(plan.cost) - 1}, gap 1)"
    )


def test_yaml_mixes_new_and_declared_controls_in_plan_order(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    """credential-theft declares pin-actions as planned; with the catalog too, at medium, the
    planner picks it: the YAML never repeats it, and what it adds pastes under the model's
    controls and, implemented, carries out the plan."""
    shutil.copytree(EXAMPLES / "shared", tmp_path / "shared")
    plan = make_plan(actm.load_model(EXAMPLES / "credential-theft.yaml"), kb, target="medium")
    text = render_plan_yaml(plan)
    loaded = _yaml().load(text) or []
    declared = [c.id for c in plan.controls if c.template is None]
    assert declared == ["pin-actions"]
    assert (
        "  # pin-actions: already declared in the model; set its status: implemented once it "
        "is in force\n"
    ) in text
    assert "pin-actions" not in {c["id"] for c in loaded}
    assert len(loaded) == len(plan.controls) - 1
    merged = _with_controls(CREDENTIALS, loaded, "implemented", implement=tuple(declared))
    path = tmp_path / "credential-theft.yaml"
    path.write_text(merged, encoding="utf-8")
    result = actm.analyze(actm.load_model(path, knowledge=kb), knowledge=kb)
    assert not [
        t.id for t in result.threats if level_rank(t.severity.level) >= level_rank("medium")
    ]
    assert "pin-actions" in {c for m in result.mitigated for c in m.mitigated_by}
