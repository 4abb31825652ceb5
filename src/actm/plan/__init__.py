"""Mitigation planning: the cheapest set of controls that takes the serious threats out of scope.

The planner treats the engine as an oracle and works as an *implicit hitting set* solver:

1. Analyse the model with the controls already in force; the *targets* are the threats at or
   above the target severity that triage has not settled.
2. Each target's chain gives a *core*: the candidate controls that act on one of its elements
   (or break its attack). A plan that touches nothing on a chain leaves that chain, and so the
   threat, intact, so every valid plan contains a member of every core.
3. Pick the cheapest set of candidates meeting every core (:mod:`actm.plan.hitting`), apply it,
   and analyse again. Targets that survive do so by chains the plan does not cut (or only
   weakens); each gives a new core: the candidates outside the plan that touch that chain.
4. Repeat until no target survives. The number of possible cores is finite and each round adds
   one the current plan misses, so this ends.

A core is sound for *any* set ``S`` of candidates a target survives, not only for the plan of
the round: a plan whose controls on the surviving chain all lie in ``S`` does no more to that
chain than ``S`` does (fewer controls never take a capability away), so it leaves the chain
intact. The larger ``S``, the smaller the core, and the fewer the rounds. So before taking the
cores, each round (and the start) also puts in force every candidate that may touch a
survivor's chain without acting on one of the chain's own elements (one more engine run): a
target that survives that too gives the smaller core outside the larger set. The survivors do
this in groups of targets whose chains share their own candidates (one engine run each, at
most 32): on a hub every target is near every tool, and grown all together no core shrinks.

Controls only take capabilities away, with one exception the planner reports rather than
optimises: a control can open a new attack surface (a human approval step invites deception of
the approver). Threats that exist only with the plan in force are listed as ``introduced``; they
are not targets, and the planner assumes they keep no target alive.

When each round's hitting set is solved to optimality the final plan is the cheapest among the
candidates (``method: exact``). Two things end the exact search early, and the plan is then
``method: heuristic`` with a lower bound and the gap to it:

* a round's hitting set runs out of its node ``budget`` (``limit: budget``): the best set found
  is used for that round;
* ``exact_rounds`` rounds pass without a plan that removes every target (``limit: rounds``). On
  large models each round costs a full analysis, and rounds can go on adding cores while the
  optimum only swaps between equal-cost alternatives. The plan is then *augmented*: the last
  round's set, plus a greedy hitting set of the cores its survivors give, again until no target
  survives (each step adds a control, so this ends).

A heuristic plan is then *pruned*: controls are dropped, most expensive first, while the targets
stay out of scope (a control that alone meets a known core is kept without an engine run), and
*swapped*: a candidate that every known core of some of the plan's controls holds replaces them
when it costs less and an engine run shows no target surviving (then pruned again). The
lower bound is the hitting-set optimum (or the solver's dual bound) over every core found, which
every valid plan meets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from time import monotonic

from actm.engine.runs import threats as run_threats
from actm.engine.severity import level_rank
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.controls import ControlTemplate
from actm.knowledge.effects import EFFECTS
from actm.model.system import SystemModel
from actm.plan.candidates import Candidate, candidates_for, inner_attacks
from actm.plan.cores import Clock, Cores, Oracle, targets_left
from actm.plan.hitting import Solution, best_solver
from actm.plan.search import Bounds, Outcome, search
from actm.plan.touching import Touching
from actm.results.build import build_threats
from actm.results.model import Threat, TriageInfo
from actm.results.plan import Plan, PlannedControl

__all__ = ["Candidate", "make_plan"]

MAX_CORES = 10_000
"""The default cap on the cores the search keeps (``max_cores``): each round's hitting set is
solved over all of them, and each round can add one per target."""

_OPEN = TriageInfo("", "open", "", None, None, None, False, False)


def _model_yaml(c: Candidate) -> dict[str, object]:
    """The candidate as a model's ``controls:`` entry, status ``planned``, with its cost."""
    ctl = c.control
    out: dict[str, object] = {"id": ctl.id}
    if ctl.name:
        out["name"] = ctl.name
    if ctl.kind:
        out["kind"] = ctl.kind
    out["status"] = "planned"
    for effect in EFFECTS.values():
        values = effect.values(ctl)
        if values:
            out[effect.name] = effect.to_model(values)
    out["cost"] = c.cost
    return out


def make_plan(
    model: SystemModel,
    kb: KnowledgeBase,
    *,
    catalog: Sequence[ControlTemplate] | None = None,
    target: str = "high",
    today: date | None = None,
    costs: Mapping[str, float] | None = None,
    use_catalog: bool = True,
    budget: int = 200_000,
    exact_rounds: int = 50,
    max_prune_runs: int = 50,
    candidates: Sequence[Candidate] | None = None,
    solver: Callable[..., Solution] | None = None,
    time_limit: float | None = 60.0,
    max_cores: int | None = MAX_CORES,
    clock: Clock = monotonic,
) -> Plan:
    """The cheapest set of candidate controls that removes every unsettled threat at or above
    ``target`` (see the module documentation for the method and its guarantees).

    ``catalog`` defaults to the knowledge base's control catalog; ``costs`` overrides its
    costs by template id; ``use_catalog=False`` plans with the model's planned controls only.
    ``candidates`` replaces the generated candidates (catalog and planned controls) when given.
    ``budget`` is the hitting-set solver's node budget per round; ``exact_rounds`` the number of
    exact rounds (one or two engine runs each, up to 33 when the cores are grown by group)
    before the plan is completed greedily;
    ``max_prune_runs`` bounds the engine runs of each step that improves a heuristic plan
    (dropping redundant controls, swapping controls for a cheaper candidate, dropping again
    after a swap) and those spent crediting threats to controls: up to four times that in all.
    ``time_limit`` (seconds of ``clock``) bounds the whole plan and ``max_cores`` the cores
    kept (None: no limit): past either the exact search stops like past ``exact_rounds``,
    early enough that completing, pruning and crediting the plan fit in the time limit too
    (:class:`Bounds`).
    """
    if exact_rounds < 1:
        raise ValueError("exact_rounds must be at least 1")
    bounds = Bounds.of(time_limit, max_cores, clock)
    if catalog is None:
        catalog = kb.controls
    solve = solver or best_solver()
    floor = level_rank(target)
    started = clock()
    readout = run_threats(model, kb)
    base = {t.id: t for t in build_threats(readout, today=today)}
    first = clock() - started
    targets, settled_ids = _targets(base, floor)
    cands = (
        list(candidates)
        if candidates is not None
        else candidates_for(
            model, catalog, [base[i] for i in targets], costs=costs, use_catalog=use_catalog
        )
    )
    oracle = Oracle(
        model,
        kb,
        cands,
        today,
        base,
        base_noise=frozenset(readout.noise_chains),
        clock=clock,
        slowest=first,
    )
    cores = Cores(oracle, floor, targets)
    # growing the first cores takes an analysis per group of targets: part of the exact search
    cores.extract_grouped(
        [base[tid] for tid in targets],
        frozenset(),
        late=lambda: bounds.reached(cores) is not None,
        stop=lambda: bounds.passed(cores),
    )
    costs_v = [c.cost for c in cands]
    found = search(
        cores,
        solve,
        costs_v,
        budget=budget,
        exact_rounds=exact_rounds,
        max_prune_runs=max_prune_runs,
        bounds=bounds,
    )
    return _assemble(cores, found, costs_v, target, settled_ids, max_prune_runs, bounds)


def _targets(base: Mapping[str, Threat], floor: int) -> tuple[list[str], list[str]]:
    """The ids of the threats at or above ``floor``: those triage has not settled (the targets)
    and those it has, each sorted."""
    in_target = sorted(t.id for t in base.values() if level_rank(t.severity.level) >= floor)
    settled_ids = sorted(i for i in in_target if (base[i].triage or _OPEN).settled)
    targets = [i for i in in_target if i not in set(settled_ids)]
    return targets, settled_ids


def _assemble(
    cores: Cores,
    found: Outcome,
    costs_v: Sequence[float],
    target: str,
    settled_ids: Sequence[str],
    max_prune_runs: int,
    bounds: Bounds,
) -> Plan:
    """The :class:`Plan` for the search's outcome: its cost and bound, the controls with the
    threats each removes, and what the plan leaves, removes besides and introduces."""
    oracle, floor, targets, chosen = cores.oracle, cores.floor, cores.targets, found.chosen
    cands = oracle.cands
    base = oracle.threats(frozenset())
    final = oracle.threats(chosen)
    cost = sum(costs_v[i] for i in chosen)
    lower = cost if found.limit is None else found.lower
    lower = min(lower, cost)
    left_ids = {t.id for t in targets_left(final, floor, set(), targets)}
    removes = _attribute(
        oracle, cores.touch, chosen, targets, left_ids, floor, max_prune_runs, bounds
    )
    planned = tuple(
        PlannedControl(
            id=cands[i].id,
            template=cands[i].template,
            name=cands[i].name,
            effect=cands[i].effect,
            cost=cands[i].cost,
            removes=tuple(sorted(removes[i])),
            model_yaml=_model_yaml(cands[i]),
        )
        for i in sorted(chosen, key=lambda i: cands[i].id)
    )
    also = sorted(t for t in base if t not in final and level_rank(base[t].severity.level) < floor)
    introduced = sorted(set(final) - set(base))
    named = {*targets, *settled_ids, *also}
    hypothetical = sorted(
        {t for t in named if base[t].hypothetical}
        | {t for t in introduced if final[t].hypothetical}
    )
    return Plan(
        target=target,
        method="exact" if found.limit is None else "heuristic",
        cost=cost,
        lower_bound=lower,
        gap=cost - lower,
        controls=planned,
        threats=tuple(targets),
        settled=tuple(settled_ids),
        unremovable=tuple(sorted(cores.unremovable | left_ids)),
        also_removed=tuple(also),
        introduced=tuple(introduced),
        candidates=len(cands),
        engine_runs=oracle.runs,
        iterations=found.iterations,
        hypothetical=tuple(hypothetical),
        limit=found.limit,
    )


def _attribute(
    oracle: Oracle,
    touch: Touching,
    chosen: frozenset[int],
    targets: Sequence[str],
    left: set[str],
    floor: int,
    max_runs: int,
    bounds: Bounds,
) -> dict[int, set[str]]:
    """Which target threats each chosen control removes.

    A threat is credited to a control when it comes back once that control alone is dropped
    from the plan (one engine run per control, up to ``max_runs`` and the time to finish). A
    threat that several controls each remove on their own comes back for none of them, and
    one left unchecked for want of runs is not credited by a run: either is credited to those
    acting on an element of its chain (to every control of the plan when none does).
    """
    base = oracle.threats(frozenset())
    removed = [t for t in targets if t not in left]
    out: dict[int, set[str]] = {i: set() for i in chosen}
    if len(chosen) <= max_runs:
        for i in sorted(chosen):
            if bounds.finishing_late(oracle):
                break
            back = targets_left(oracle.threats(chosen - {i}), floor, set(), removed)
            out[i].update(t.id for t in back)
    credited = set().union(*out.values()) if out else set()
    in_plan: dict[frozenset[int], frozenset[int]] = {}
    """A set of candidates (shared between threats) -> those of the plan."""
    for tid in removed:
        if tid in credited:
            continue
        t = base[tid]
        inner = inner_attacks(t, oracle.kb)
        near = touch.direct(t, inner) & chosen
        if not near:
            wide = touch.near(t, inner)
            near = in_plan.get(wide) or in_plan.setdefault(wide, wide & chosen)
        # a threat whose shown chain is a route the noise rules discard was removed by
        # breaking its other routes: with none acting on its chain, every control is credited
        for i in near or chosen:
            out[i].add(tid)
    return out
