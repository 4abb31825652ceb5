"""Mitigation planning: optimal on small cases (checked by brute force), feasible everywhere."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import actm
from actm.engine.runs import threats as run_threats
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.model.system import SystemModel
from actm.plan import make_plan
from actm.plan.candidates import Candidate, candidates_for, in_force, inner_attacks
from actm.plan.hitting import greedy, packing_bound, solve, solve_milp
from actm.results.build import build_threats
from actm.terms import level_rank
from strategies import build, system_models

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return builtin_knowledge()


# -- the hitting-set solver ---------------------------------------------------------------------

cores_st = st.lists(
    st.frozensets(st.integers(0, 7), min_size=1, max_size=4), min_size=0, max_size=8
)
costs_st = st.lists(st.integers(1, 9).map(float), min_size=8, max_size=8)


def brute_force_hs(cores: list[frozenset[int]], costs: list[float]) -> float:
    best = float("inf")
    for r in range(len(costs) + 1):
        for combo in itertools.combinations(range(len(costs)), r):
            s = set(combo)
            if all(c & s for c in cores):
                best = min(best, sum(costs[i] for i in combo))
    return best


@pytest.mark.parametrize("solver", [solve, solve_milp], ids=["branch-and-bound", "highs"])
@given(cores=cores_st, costs=costs_st)
def test_solvers_are_optimal(solver: Any, cores: list[frozenset[int]], costs: list[float]) -> None:
    if solver is solve_milp:
        pytest.importorskip("scipy")
    sol = solver(cores, costs)
    assert sol.optimal
    assert all(c & sol.chosen for c in cores)
    assert sol.cost == brute_force_hs(cores, costs) == sol.lower_bound


@given(cores_st, costs_st)
def test_bounds_bracket_the_optimum(cores: list[frozenset[int]], costs: list[float]) -> None:
    opt = brute_force_hs(cores, costs)
    g = greedy(cores, costs)
    assert all(c & g for c in cores)
    assert packing_bound(cores, costs) <= opt <= sum(costs[i] for i in g)
    cut = solve(cores, costs, budget=1)  # out of budget at once: best known, with a bound
    assert cut.lower_bound <= opt <= cut.cost
    assert all(c & cut.chosen for c in cores)


# -- the planner against brute force --------------------------------------------------------------


def survivors(
    model: SystemModel,
    kb: KnowledgeBase,
    chosen: tuple[Candidate, ...],
    floor: int,
    among: set[str] | None = None,
) -> set[str]:
    """Ids of the threats at or above ``floor`` with ``chosen`` in force (only ``among``)."""
    m = replace(model, controls=model.controls + tuple(c.control for c in chosen))
    return {
        t.id
        for t in build_threats(run_threats(m, kb))
        if level_rank(t.severity.level) >= floor and (among is None or t.id in among)
    }


def brute_force_plan(
    model: SystemModel, kb: KnowledgeBase, cands: list[Candidate], floor: int
) -> tuple[float, set[str]]:
    """The cheapest subset's cost, and the targets no subset removes (that survive them all).

    Targets are the threats at or above ``floor`` without the candidates: a control can open a
    new path (approval invites deception of the approver), which the plan reports as
    ``introduced`` instead of counting it against the plan.
    """
    targets = survivors(model, kb, (), floor)
    floor_left = survivors(model, kb, tuple(cands), floor, targets)
    best = float("inf")
    for r in range(len(cands) + 1):
        for combo in itertools.combinations(cands, r):
            cost = sum(c.cost for c in combo)
            if cost >= best:
                continue
            if survivors(model, kb, combo, floor, targets) <= floor_left:
                best = cost
    return best, floor_left


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(system_models(), st.data())
def test_plan_matches_brute_force(spec: dict[str, Any], data: st.DataObject) -> None:
    kb = builtin_knowledge()
    model = build(spec).build()
    level = data.draw(st.sampled_from(["low", "medium", "high"]))
    floor = level_rank(level)
    base = build_threats(run_threats(model, kb))
    targets = [t for t in base if level_rank(t.severity.level) >= floor]
    every = candidates_for(model, kb.controls, targets)
    picked = (
        data.draw(st.lists(st.sampled_from(every), max_size=7, unique_by=lambda c: c.id))
        if every
        else []
    )
    # vary the costs so ties do not hide a wrong choice
    cands = [
        replace(c, cost=float(data.draw(st.integers(1, 6))))
        for c in sorted(picked, key=lambda c: c.id)
    ]
    plan = make_plan(model, kb, target=level, candidates=cands)
    best, left = brute_force_plan(model, kb, cands, floor)
    assert plan.method == "exact"
    assert plan.cost == pytest.approx(best)
    assert set(plan.unremovable) == left
    chosen = tuple(c for c in cands if c.id in {p.id for p in plan.controls})
    assert survivors(model, kb, chosen, floor, set(plan.threats)) <= left
    with_plan = survivors(model, kb, chosen, 0)
    assert set(plan.introduced) == with_plan - survivors(model, kb, (), 0)
    # every target threat the plan removes is credited to at least one control
    credited = {t for p in plan.controls for t in p.removes}
    assert set(plan.threats) - left <= credited
    # cut to one exact round, the plan is completed greedily: valid, with a valid lower bound
    rough = make_plan(model, kb, target=level, candidates=cands, exact_rounds=1)
    if rough.method == "heuristic":
        assert rough.limit == "rounds"
    assert rough.lower_bound <= best + 1e-9 <= rough.cost + 2e-9
    assert rough.gap == pytest.approx(rough.cost - rough.lower_bound)
    assert set(rough.unremovable) == left
    chosen = tuple(c for c in cands if c.id in {p.id for p in rough.controls})
    assert survivors(model, kb, chosen, floor, set(rough.threats)) <= left


# -- the bundled examples, through the model's own YAML -------------------------------------------


def with_controls(
    path: Path, controls: list[dict[str, object]], tmp: Path, triage: list[Any] | None = None
) -> SystemModel:
    """``path``'s model with ``controls`` added as implemented (written beside its includes)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    doc = yaml.load(path.read_text())
    doc.setdefault("controls", [])
    declared = {c["id"]: c for c in doc["controls"]}
    for c in controls:
        if c["id"] in declared:  # a planned control of the model's own: put it in force
            declared[c["id"]]["status"] = "implemented"
        else:
            doc["controls"].append({**c, "status": "implemented"})
    if triage is not None:
        doc["triage"] = triage
    if not (tmp / "examples").exists():
        shutil.copytree(path.parent, tmp / "examples")
    out = tmp / "examples" / f"planned-{path.name}"
    with out.open("w") as fh:
        yaml.dump(doc, fh)
    return actm.load_model(out)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("level", ["low", "high"])
def test_example_plans_take_the_targets_out(
    path: Path, level: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    model = actm.load_model(path)
    plan = make_plan(model, kb, target=level)
    assert plan.method == "exact"
    assert plan.cost == plan.lower_bound and plan.gap == 0
    assert not plan.unremovable
    # pasting the plan's controls into the model removes every target threat
    after = actm.analyze(with_controls(path, [dict(p.model_yaml) for p in plan.controls], tmp_path))
    assert not [t.id for t in after.threats if level_rank(t.severity.level) >= level_rank(level)]
    # and each control is needed: dropping any one brings a target back
    for p in plan.controls:
        rest = [dict(q.model_yaml) for q in plan.controls if q.id != p.id]
        again = actm.analyze(with_controls(path, rest, tmp_path))
        assert [t.id for t in again.threats if level_rank(t.severity.level) >= level_rank(level)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_both_solvers_find_plans_of_the_same_cost(path: Path, kb: KnowledgeBase) -> None:
    pytest.importorskip("scipy")
    model = actm.load_model(path)
    a = make_plan(model, kb, target="low", solver=solve)
    b = make_plan(model, kb, target="low", solver=solve_milp)
    assert a.method == b.method == "exact"
    assert a.cost == b.cost


def test_out_of_budget_is_a_heuristic_with_a_reported_gap(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = next(p for p in EXAMPLES if p.stem == "customer-support-rag")
    model = actm.load_model(path)
    exact = make_plan(model, kb, target="low")
    rough = make_plan(model, kb, target="low", budget=1, solver=solve)
    assert rough.method == "heuristic" and rough.limit == "budget"
    assert rough.lower_bound <= exact.cost <= rough.cost
    assert rough.gap == pytest.approx(rough.cost - rough.lower_bound)
    chosen = [dict(p.model_yaml) for p in rough.controls]
    after = actm.analyze(with_controls(path, chosen, tmp_path))
    assert not [t for t in after.threats if level_rank(t.severity.level) >= level_rank("low")]


def test_past_the_exact_rounds_the_plan_is_completed_greedily_and_pruned(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = next(p for p in EXAMPLES if p.stem == "coding-assistant")
    model = actm.load_model(path)
    exact = make_plan(model, kb, target="high")
    assert exact.method == "exact" and exact.limit is None and exact.exact
    assert exact.iterations > 1
    rough = make_plan(model, kb, target="high", exact_rounds=1)
    assert (rough.method, rough.limit, rough.exact, rough.iterations) == (
        "heuristic",
        "rounds",
        False,
        1,
    )
    assert rough.lower_bound <= exact.cost <= rough.cost
    assert rough.gap == pytest.approx(rough.cost - rough.lower_bound)
    assert rough.unremovable == exact.unremovable == ()
    floor = level_rank("high")
    chosen = [dict(p.model_yaml) for p in rough.controls]
    after = actm.analyze(with_controls(path, chosen, tmp_path))
    assert not [t.id for t in after.threats if level_rank(t.severity.level) >= floor]
    # pruned: each control is needed
    for p in rough.controls:
        rest = [dict(q.model_yaml) for q in rough.controls if q.id != p.id]
        again = actm.analyze(with_controls(path, rest, tmp_path))
        assert [t.id for t in again.threats if level_rank(t.severity.level) >= floor]
    with pytest.raises(ValueError, match="exact_rounds"):
        make_plan(model, kb, exact_rounds=0)


def test_triage_settled_threats_are_not_planned_for(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = next(p for p in EXAMPLES if p.stem == "customer-support-rag")
    model = actm.load_model(path)
    before = make_plan(model, kb, target="high")
    tid = before.threats[0]
    decision = {"id": tid, "status": "accepted", "justification": "accepted by the owner"}
    triaged = with_controls(path, [], tmp_path, triage=[decision])
    after = make_plan(triaged, kb, target="high")
    assert tid in after.settled and tid not in after.threats
    assert all(tid not in p.removes for p in after.controls)


def test_declared_candidates_and_cost_overrides(kb: KnowledgeBase) -> None:
    path = next(p for p in EXAMPLES if p.stem == "credential-theft")
    model = actm.load_model(path)
    only_declared = make_plan(model, kb, target="low", use_catalog=False)
    assert {p.template for p in only_declared.controls} == {None}
    # make the declared control dearer than the catalog alternatives: the plan changes
    dear = replace(
        model,
        controls=tuple(
            replace(c, cost=1000.0) if c.status == "planned" else c for c in model.controls
        ),
    )
    plan = make_plan(dear, kb, target="low")
    assert plan.cost < 1000
    assert all(p.template is not None for p in plan.controls)


# -- candidates ---------------------------------------------------------------------------------

SUPPORT = (Path(__file__).parents[2] / "examples" / "customer-support-rag.yaml").read_text()


def _candidate_ids(kb: KnowledgeBase, controls: str) -> set[str]:
    """The candidates for the support bot with ``controls`` (YAML list entries) implemented."""
    assert SUPPORT.count("\ncontrols:\n") == 1
    model = actm.load_model_text(
        SUPPORT.replace("\ncontrols:\n", "\ncontrols:\n" + controls, 1), knowledge=kb
    )
    threats = actm.analyze(model, knowledge=kb).threats
    return {c.id for c in candidates_for(model, kb.controls, threats)}


def test_a_candidate_is_left_out_only_when_its_effect_is_in_force(kb: KnowledgeBase) -> None:
    plain = _candidate_ids(kb, "")
    assert {
        "human-approval:send_email",
        "egress-allowlist:send_email.egress",
        "input-filtering:kb-retrieval",
    } <= plain
    # approving each call of send_email is not an egress allow-list on it
    approved = _candidate_ids(kb, "  - {id: approve-mail, approves: [send_email]}\n")
    assert "human-approval:send_email" not in approved
    assert "egress-allowlist:send_email.egress" in approved
    # a feed filtered to another capability can still be filtered to influence; one filtered
    # to influence, or blocked, cannot
    loose = "  - {id: f, weakens: [{edge: kb-retrieval, to: contribute}]}\n"
    assert "input-filtering:kb-retrieval" in _candidate_ids(kb, loose)
    same = "  - {id: f, weakens: [{edge: kb-retrieval, to: influence}]}\n"
    assert "input-filtering:kb-retrieval" not in _candidate_ids(kb, same)
    blocked = "  - {id: f, blocks: [kb-retrieval]}\n"
    assert "input-filtering:kb-retrieval" not in _candidate_ids(kb, blocked)


def test_which_implemented_effects_make_a_candidate_moot() -> None:
    assert in_force(("blocks", "e"), {("blocks", "e")})
    assert not in_force(("blocks", "e"), {("removes", "e"), ("hides", "e"), ("approves", "e")})
    assert in_force(("weakens", "e", "influence"), {("blocks", "e")})
    assert not in_force(("weakens", "e", "influence"), {("weakens", "e", "contribute")})
    # an attack broken everywhere, or on that asset from its first step, needs no other break
    assert in_force(("breaks", "a", "m"), {("breaks", "a", "")})
    assert in_force(("breaks", "a", "m", "s2"), {("breaks", "a", "m")})
    assert not in_force(("breaks", "a", "m"), {("breaks", "a", "n")})
    assert not in_force(("breaks", "a", "m"), {("breaks", "a", "m", "s2")})
    assert not in_force(("breaks", "a", "m"), {("breaks", "b", "")})


def test_a_break_of_an_attack_inside_a_chain_touches_it_only_where_it_may_bind(
    kb: KnowledgeBase,
) -> None:
    model = actm.load_model_text(SUPPORT, knowledge=kb)
    threats = {t.id: t for t in actm.analyze(model, knowledge=kb).threats}
    t = threats["tool-data-exfiltration@support-agent@customer-records"]
    # direct-prompt-injection (every variable required) bound the support agent on this chain
    assert inner_attacks(t, kb) == {"direct-prompt-injection": frozenset({"support-agent"})}
    assert inner_attacks(t) == {"direct-prompt-injection": None}  # without the knowledge base
    cands = {c.id: c for c in candidates_for(model, kb.controls, list(threats.values()))}
    here = cands["attack-countermeasure:direct-prompt-injection@support-agent"]
    there = replace(here, control=replace(here.control, breaks=(("direct-prompt-injection", "x"),)))
    everywhere = replace(
        here, control=replace(here.control, breaks=(("direct-prompt-injection", None),))
    )
    elements = frozenset[str]()
    assert here.touches(t, elements, inner_attacks(t, kb))
    assert everywhere.touches(t, elements, inner_attacks(t, kb))
    assert not there.touches(t, elements, inner_attacks(t, kb))
    assert there.touches(t, elements)  # conservative without the knowledge base
    # the threat's own attack: where it binds
    own = cands["attack-countermeasure:tool-data-exfiltration@support-agent"]
    assert own.touches(t, elements, inner_attacks(t, kb))
    other = replace(own, control=replace(own.control, breaks=(("tool-data-exfiltration", "x"),)))
    assert not other.touches(t, elements, inner_attacks(t, kb))


# -- the catalog ---------------------------------------------------------------------------------


def test_a_knowledge_directory_adds_and_replaces_catalog_controls(tmp_path: Path) -> None:
    (tmp_path / "controls").mkdir()
    (tmp_path / "controls" / "ours.yaml").write_text(
        """
controls:
  - id: human-approval
    name: Approval in our change tool
    description: Every call is approved in the change tool.
    cost: 1
    on: tool
    where: {permissions: [write]}
    effect: approves
  - id: kill-switch
    name: Turn the tool off
    description: The tool is switched off.
    cost: 9
    on: tool
    effect: blocks
"""
    )
    kb = actm.load_knowledge([tmp_path])
    by_id = {c.id: c for c in kb.controls}
    assert by_id["human-approval"].cost == 1 and by_id["kill-switch"].effect == "blocks"
    assert by_id["patch"].source.startswith("<actm>")


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ("on: tool\n    effect: hides", "invalid-control-target"),
        ("on: relation\n    effect: weakens", "invalid-control-effect"),
        ("on: relation\n    effect: weakens\n    up_to: shout", "unknown-capability"),
        ("on: source\n    effect: blocks\n    where: {kinds: [x]}", "invalid-control-filter"),
        ("on: tool\n    effect: approves\n    colour: red", "unknown-key"),
    ],
)
def test_a_broken_catalog_entry_is_a_knowledge_error(tmp_path: Path, entry: str, code: str) -> None:
    (tmp_path / "controls").mkdir()
    (tmp_path / "controls" / "bad.yaml").write_text(
        f"controls:\n  - id: bad\n    name: Bad\n    description: Bad.\n    cost: 1\n    {entry}\n"
    )
    with pytest.raises(actm.KnowledgeError) as err:
        actm.load_knowledge([tmp_path])
    diag = err.value.diagnostics[0]
    assert diag.code == code
    assert diag.location is not None and "bad.yaml" in str(diag.location)


TAMPERING = """
id: repo-tampering
title: Repository tampered with
description: >
  A pattern used only by this test: whoever can rewrite a repository changes what is built.
likelihood: high
key: [r]
steps:
  - id: rewrite
    requires:
      - {var: r, asset: source_code, capability: make_arbitrary_changes, persistent: true}
impact: {var: r, class: integrity}
references:
  owasp_llm: {rewrite: [LLM03]}
"""

OVER_BROAD = """
actm: 1
system: {id: g}
nodes:
  - {id: gh, kind: source_repository}
models:
  - {id: bot, kind: agent, tools: [reader]}
assets:
  - {id: repo, type: source_code, criticality: {integrity: critical}, resides: [{node: gh}]}
  - {id: wiki, type: document_store, resides: [{node: gh}]}
  - {id: tok, type: credential, grants: {read: [wiki], write: [repo]}}
tools:
  - {id: reader, node: gh, permissions: {read: [wiki]}, credential: tok}
adversaries:
  - {id: thief, reach: internet, holds: [{asset: tok, capability: inspect}]}
"""
# the thief reaches from the internet: an insider's route (the default reach) would rate the
# tampering medium, below the plan's target


def test_an_over_broad_credential_is_narrowed_by_the_plan(tmp_path: Path) -> None:
    (tmp_path / "attacks").mkdir()
    (tmp_path / "attacks" / "repo-tampering.yaml").write_text(TAMPERING, encoding="utf-8")
    kb = actm.load_knowledge([tmp_path])
    model = actm.load_model_text(OVER_BROAD, knowledge=kb)
    threats = actm.analyze(model, knowledge=kb).threats
    assert "repo-tampering@repo" in {t.id for t in threats}
    candidates = {c.id: c for c in candidates_for(model, kb.controls, threats)}
    assert candidates["narrow-credential-scope:tok"].effect == (
        "narrows credential tok to what its tools use"
    )
    plan = make_plan(model, kb, target="high")
    assert [(c.id, c.cost) for c in plan.controls] == [("narrow-credential-scope:tok", 1.0)]
    narrowed = actm.load_model_text(
        OVER_BROAD + "controls:\n  - {id: fine, narrows: [tok]}\n", knowledge=kb
    )
    assert "repo-tampering@repo" not in {t.id for t in actm.analyze(narrowed, knowledge=kb).threats}
    assert "narrow-credential-scope:tok" not in {
        c.id for c in candidates_for(narrowed, kb.controls, threats)
    }


@pytest.mark.parametrize(
    ("bound", "limit"), [({"time_limit": 0.0}, "time"), ({"max_cores": 1}, "cores")]
)
def test_past_the_time_limit_or_the_core_cap_the_plan_still_removes_every_target(
    kb: KnowledgeBase, tmp_path: Path, bound: dict[str, Any], limit: str
) -> None:
    """No time at all (or room for one core): the first round's plan is completed at once,
    with every candidate that touches a survivor when the time to finish is over too, and
    reported with its bound, its gap and why the search stopped."""
    path = next(p for p in EXAMPLES if p.stem == "coding-assistant")
    model = actm.load_model(path)
    exact = make_plan(model, kb, target="high")
    rough = make_plan(model, kb, target="high", **bound)
    assert (rough.method, rough.limit, rough.iterations) == ("heuristic", limit, 1)
    assert rough.lower_bound <= exact.cost <= rough.cost
    assert rough.gap == pytest.approx(rough.cost - rough.lower_bound)
    assert rough.unremovable == ()
    floor = level_rank("high")
    after = actm.analyze(
        with_controls(path, [dict(p.model_yaml) for p in rough.controls], tmp_path)
    )
    assert not [t.id for t in after.threats if level_rank(t.severity.level) >= floor]
    # every target is credited to a control of the plan, by a run or by its chain
    credited = {t for p in rough.controls for t in p.removes}
    assert credited == set(rough.threats)


def test_an_attack_specific_countermeasure_is_named_after_the_attacks_controls(
    kb: KnowledgeBase,
) -> None:
    """resource-exhaustion names rate limiting, token budgets and timeouts, none of them a
    catalog control of its own: the candidate that breaks it is named after the first, the
    others as alternatives, in its name, its id in the model and its kind."""
    text = (
        "actm: 1\nsystem: {id: s}\nmodels:\n  - {id: bot, kind: llm, exposure: public}\n"
        "assets:\n  - {id: rules, type: agent_configuration}\n"
        "relations:\n  - {kind: feeds, from: rules, to: bot.inputs.system_prompt}\n"
    )
    model = actm.load_model_text(text, knowledge=kb)
    threats = list(actm.analyze(model, knowledge=kb).threats)
    cands = {c.id: c for c in candidates_for(model, kb.controls, threats)}
    c = cands["attack-countermeasure:resource-exhaustion@bot"]
    assert c.name == "Rate limiting against resource-exhaustion at bot (or token budgets, timeouts)"
    assert (c.control.id, c.control.kind, c.control.breaks) == (
        "rate-limiting-resource-exhaustion-bot",
        "rate-limiting",
        (("resource-exhaustion", "bot"),),
    )
    # direct-prompt-injection names output filtering first: no catalog control of that id
    inj = cands["attack-countermeasure:direct-prompt-injection@bot"]
    assert inj.name == (
        "Output filtering against direct-prompt-injection at bot "
        "(or input filtering, guardrail model, least privilege tools)"
    )
    # a published model the system does not train: no extraction, inference or cache-timing
    # attack on it, and no prompt extraction from a prompt that holds nothing confidential
    # (the noise rules), so two attack-specific candidates remain
    assert sorted(c.name.split(" against ")[0] for c in cands.values() if c.control.breaks) == [
        "Output filtering",
        "Rate limiting",
    ]
