"""The planner on hub-shaped models: its work grows with the targets and candidates, not with
their product.

One public agent with hundreds of tools gives thousands of targets, each reaching every tool
of the agent. Walking the agent and building the set of its candidates for each target made
the planner quadratic in time and memory (issue 15). These tests grow such hubs and count the
planner's work (the candidate sets it builds, the members of its cores), never the time, and
check that the shared reach is exactly the reach it replaces.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

import actm
from actm.engine.runs import threats as run_threats
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.model.system import SystemModel
from actm.plan import make_plan
from actm.plan.candidates import candidates_for, inner_attacks
from actm.results.build import build_threats
from actm.results.mitigation import threat_elements
from actm.results.model import Threat
from actm.terms import TOOL_PERMISSIONS
from hub_models import tool_hub

SEARCH = importlib.import_module("actm.plan.search")  # ``actm.plan.search`` is also a function
CORES = importlib.import_module("actm.plan.cores")
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))

WORK_PER_ITEM = 16
"""Candidate-set members built per target and candidate, in the first round of a tool hub:
measured at 13.2 to 13.5 from 20 to 160 tools; one set of the agent's candidates per target
(the quadratic way) is 450 at 160 tools, and grows with them."""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return builtin_knowledge()


def first_round(model: SystemModel, kb: KnowledgeBase) -> tuple[Any, list[Threat]]:
    """The planner's cores with the first round's extraction done (grown by one analysis),
    and the targets (every threat: ``--target low``)."""
    base = {t.id: t for t in build_threats(run_threats(model, kb))}
    targets = sorted(base)
    cands = candidates_for(model, kb.controls, [base[i] for i in targets])
    oracle = CORES.Oracle(model, kb, cands, None, base)
    cores = CORES.Cores(oracle, 0, targets)
    cores.extract([base[i] for i in targets], frozenset())
    return cores, [base[i] for i in targets]


def reach(threat: Threat, model: SystemModel) -> frozenset[str]:
    """The reach by its definition, written plainly (the planner shares it between threats:
    plan/touching.py): every element a control could act on to remove ``threat``, its chain's
    elements (:func:`actm.results.mitigation.threat_elements`) and what the attack's conditions
    read about the elements it binds (their relations, a bound model's tools and exposed assets, the
    vulnerabilities of the nodes they are on).

    Over-approximating is safe (a candidate too many costs an engine run); missing an element
    would let the planner call a removable threat unremovable or miss the cheapest plan.
    """
    out = set(threat_elements(threat))
    bound = {b.element for b in threat.bindings} | {t.partition(".")[0] for t in threat.assets}
    # attack steps inside the chain record the attack, not what it bound: take every model,
    # asset and tool the chain reaches as possibly bound
    owners = {e.partition(".")[0] for e in bound}
    owners |= {s.target.partition(".")[0] for s in threat.chain}
    tool_ids = {t.id for t in model.tools}
    for e in list(out) + list(owners):
        if e in tool_ids:
            out.add(e)
            out.update(f"{e}.{p}" for p in TOOL_PERMISSIONS)
    for rel in model.relations:
        if rel.source.partition(".")[0] in owners or rel.target.partition(".")[0] in owners:
            out.add(rel.id)
    nodes: set[str] = set()
    by_id = {m.id: m for m in model.models}
    for o in owners:
        m = by_id.get(o)
        if m is None:
            continue
        for t in m.tools:
            out.add(t)
            out.update(f"{t}.{p}" for p in TOOL_PERMISSIONS)
        out.update(f"{m.id}.{e}" for e in m.exposes)
        nodes.update(m.deployed_on + m.trained_on + m.stored_on)
    for a in model.assets:
        if a.id in owners or (a.model is not None and a.model in owners):
            nodes.update(r.node for r in a.resides)
    for v in model.vulnerabilities:
        if (v.node is not None and v.node in nodes) or v.model in owners or v.asset in bound:
            out.add(v.id)
    return frozenset(out)


@pytest.mark.parametrize(
    "model",
    [*EXAMPLES, tool_hub(6, 2, 2), tool_hub(5, 1, 0)],
    ids=lambda m: m.stem if isinstance(m, Path) else f"hub-{m.count('- {id: t')}",
)
def test_the_shared_reach_is_the_reach(model: Path | str, kb: KnowledgeBase) -> None:
    """The reach made of a threat's own part and its owners' parts is :func:`reach`, and the
    candidates found through it are those :meth:`Candidate.touches`."""
    if isinstance(model, Path):
        m = actm.load_model(model, knowledge=kb)
    else:
        m = actm.load_model_text(model, knowledge=kb)
    threats = build_threats(run_threats(m, kb))
    cands = candidates_for(m, kb.controls, threats)
    oracle = CORES.Oracle(m, kb, cands, None, {t.id: t for t in threats})
    touch = CORES.Cores(oracle, 0, []).touch
    for t in threats:
        wide = reach(t, m)
        assert touch.reach(t) == wide, t.id
        inner = inner_attacks(t, kb)
        expected = {i for i, c in enumerate(cands) if c.touches(t, wide, inner)}
        assert touch.near(t, inner) == expected, t.id
        own = threat_elements(t)
        assert touch.direct(t, inner) == {
            i for i, c in enumerate(cands) if c.touches(t, own, inner)
        }, t.id


def test_the_first_round_grows_with_the_targets_not_their_product(kb: KnowledgeBase) -> None:
    """A hub of 20 to 160 tools (10 assets each, every 7th may send out): eight times the
    tools, eight times the targets and candidates, and about eight times the sets built and
    the members of the cores, where a set per target made it sixty-four times."""
    seen = []
    for tools in (20, 40, 80, 160):
        model = actm.load_model_text(tool_hub(tools, 10, 7), knowledge=kb)
        cores, targets = first_round(model, kb)
        size = len(targets) + len(cores.oracle.cands)
        work = cores.touch.work
        assert work <= WORK_PER_ITEM * size, (tools, work, size)
        assert cores.members <= WORK_PER_ITEM * size, (tools, cores.members, size)
        # every target has a core, and the targets share a handful of them
        assert sum(len(owners) for owners in cores.cores.values()) == len(targets)
        seen.append((len(targets), len(cores.cores)))
    assert seen[-1][0] >= 8 * seen[0][0] // 2
    assert seen[-1][1] <= 2 * seen[0][1]


def test_a_hub_plan_stays_within_the_cap_on_core_members(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap on cores also caps the candidates they hold. A hub of 40 tools whose targets
    grow their cores together (one group) gives five cores of some 128 candidates each: with
    room for 5 cores of 50 candidates on average (250 members), the first round's extraction
    stops at its second core, below the cap on their number, and the plan, completed, says
    why the search stopped."""
    model = actm.load_model_text(tool_hub(40, 2, 7), knowledge=kb)
    sizes: list[tuple[int, int]] = []
    real = CORES.Cores.extract

    def extract(self: Any, *args: Any, **kwargs: Any) -> Any:
        found = real(self, *args, **kwargs)
        sizes.append((len(self.cores), self.members))
        return found

    monkeypatch.setattr(CORES.Cores, "extract", extract)
    monkeypatch.setattr(SEARCH, "MEMBERS_PER_CORE", 50)
    monkeypatch.setattr(CORES, "MAX_GROUPS", 1)
    plan = make_plan(model, kb, target="low", max_cores=5, time_limit=None)
    assert (plan.method, plan.limit, plan.iterations) == ("heuristic", "cores", 1)
    assert plan.unremovable == ()
    # the first extraction stops at two cores; completing the plan keeps no more
    assert sizes[0] == (2, 255)
    assert sizes[-1] == sizes[0]


def test_the_first_extraction_stops_at_the_time_limit(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the time limit (here as soon as the first target gave its core: the clock jumps
    then) the first round's extraction takes no more targets; the plan is completed from
    its survivors and says it stopped at the time limit."""
    model = actm.load_model_text(tool_hub(20, 2, 7), knowledge=kb)
    now = [0.0]
    real = CORES.Cores.add

    def add(self: Any, *args: Any, **kwargs: Any) -> Any:
        now[0] += 100.0  # the limit passes as the first core is kept
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CORES.Cores, "add", add)
    counted: list[int] = []
    real_extract = CORES.Cores.extract

    def extract(self: Any, left: Any, *args: Any, **kwargs: Any) -> Any:
        found = real_extract(self, left, *args, **kwargs)
        counted.append(len(found))
        return found

    monkeypatch.setattr(CORES.Cores, "extract", extract)
    plan = make_plan(model, kb, target="low", time_limit=60.0, clock=lambda: now[0])
    assert (plan.method, plan.limit) == ("heuristic", "time")
    assert counted[0] == 1  # the first extraction stopped after one target
    assert plan.unremovable == ()


def test_a_plan_is_the_same_whichever_the_cores_are_shared(kb: KnowledgeBase) -> None:
    """Two plans of the same hub, with no time limit, are identical (the shared sets change
    nothing the plan depends on)."""
    model = actm.load_model_text(tool_hub(12, 2, 3), knowledge=kb)
    a = make_plan(model, kb, target="low", time_limit=None, exact_rounds=3)
    b = make_plan(model, kb, target="low", time_limit=None, exact_rounds=3)
    assert a == b


def test_a_hub_plan_is_exact_once_each_tool_s_targets_grow_their_cores_by_themselves(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every target of a hub is near every tool, so grown all together no core shrinks: each
    round's cheapest set is one control that removes nothing, and the search runs out of
    rounds. Grouped by the candidates on their own chains (here one group per tool, the
    agent's own controls left out), each group's cores name its tool's controls and the
    agent's: the search proves the optimum, an attack countermeasure on the agent for each
    of the four attacks, in two rounds."""
    model = actm.load_model_text(tool_hub(6, 2, 0), knowledge=kb)
    plan = make_plan(model, kb, target="low", time_limit=None)
    assert (plan.method, plan.cost, plan.lower_bound, plan.iterations) == ("exact", 20.0, 20.0, 2)
    assert {c.template for c in plan.controls} == {"attack-countermeasure"}
    assert plan.unremovable == ()
    cores, targets = first_round(model, kb)
    groups = cores.groups(targets, {t.id: CORES.inner_attacks(t, kb) for t in targets})
    # one group per tool (its targets bind it), and one for each of the agent's own two
    # targets (prompt injection, exhaustion), whose chains hold only the agent's controls
    bound = [{b.element for t in g for b in t.bindings if b.element[0] == "t"} for g in groups]
    assert sorted(sorted(tools) for tools in bound) == [[], [], *([f"t{i}"] for i in range(6))]
    with monkeypatch.context() as m:
        m.setattr(CORES, "MAX_GROUPS", 1)  # every target in one group: as before
        together = make_plan(model, kb, target="low", time_limit=None)
    assert (together.method, together.limit) == ("heuristic", "rounds")
    assert together.cost > plan.cost


def test_targets_are_grouped_by_the_candidates_on_their_own_chains(kb: KnowledgeBase) -> None:
    """A candidate on the chains of more than a quarter of the targets links none of them;
    one on fewer links the targets whose chains hold it; past ``most`` groups they are dealt
    out in the order of their first target's id."""
    model = actm.load_model_text(tool_hub(6, 2, 0), knowledge=kb)
    cores, targets = first_round(model, kb)
    inner = {t.id: CORES.inner_attacks(t, kb) for t in targets}
    four = [t for t in targets if t.id.startswith("excessive-agency-write")][:4]
    direct = {t.id: cores.touch.direct(t, inner[t.id]) for t in four}
    # the first two share their tool (t0), the last two theirs (t1)
    assert [t.id.rsplit("@", 1)[1] for t in four] == ["d0-0", "d0-1", "d1-0", "d1-1"]
    assert (direct[four[0].id] & direct[four[1].id]) - direct[four[2].id]  # t0's own
    # t0's candidates are on 2 of these 4 chains, a half: more than a quarter links nothing,
    # so each target is a group of its own, dealt out into two when two are the most
    alone = cores.groups(four, inner)
    assert [[t.id for t in g] for g in alone] == [[t.id] for t in four]
    pairs = cores.groups(four, inner, most=2)
    assert [[t.id for t in g] for g in pairs] == [
        [four[0].id, four[2].id],
        [four[1].id, four[3].id],
    ]
    # among 8 chains (4 tools) each tool's candidates are on 2, a quarter: they link them
    eight = [t for t in targets if t.id.startswith("excessive-agency-write")][:8]
    together = cores.groups(eight, inner)
    assert [[t.id for t in g] for g in together] == [
        [eight[i].id, eight[i + 1].id] for i in range(0, 8, 2)
    ]
