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

Controls only take capabilities away, with one exception the planner reports rather than
optimises: a control can open a new attack surface (a human approval step invites deception of
the approver). Threats that exist only with the plan in force are listed as ``introduced``; they
are not targets, and the planner assumes they keep no target alive.

When each round's hitting set is solved to optimality the final plan is the cheapest among the
candidates (``method: exact``). On large instances the branch and bound runs out of its node
budget; the plan is then the best set found, redundant controls are dropped with further engine
runs, and the plan reports a lower bound (a packing of disjoint cores) and the gap to it
(``method: heuristic``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from actm.engine.analysis import run_engine
from actm.engine.severity import level_rank
from actm.errors import InternalError
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.controls import ControlTemplate
from actm.model.system import SystemModel
from actm.plan.candidates import Candidate, candidates_for, reach
from actm.plan.hitting import Solution, best_solver
from actm.results.build import build_result
from actm.results.mitigation import threat_elements
from actm.results.model import Threat, TriageInfo
from actm.results.plan import Plan, PlannedControl

__all__ = ["Candidate", "make_plan"]

_OPEN = TriageInfo("", "open", "", None, None, None, False, False)


class _Oracle:
    """Runs the engine with a set of candidates in force and reports the surviving threats."""

    def __init__(
        self, model: SystemModel, kb: KnowledgeBase, cands: Sequence[Candidate], today: date | None
    ) -> None:
        self.model = model
        self.kb = kb
        self.cands = cands
        self.today = today
        self.runs = 0
        self._memo: dict[frozenset[int], dict[str, Threat]] = {}

    def threats(self, chosen: frozenset[int]) -> dict[str, Threat]:
        hit = self._memo.get(chosen)
        if hit is not None:
            return hit
        extra = tuple(self.cands[i].control for i in sorted(chosen))
        m = replace(self.model, controls=self.model.controls + extra) if extra else self.model
        self.runs += 1
        result = build_result(run_engine(m, self.kb, assumptions=False), today=self.today)
        out = {t.id: t for t in result.threats}
        self._memo[chosen] = out
        return out


def _model_yaml(c: Candidate) -> dict[str, object]:
    ctl = c.control
    out: dict[str, object] = {"id": ctl.id}
    if ctl.name:
        out["name"] = ctl.name
    if ctl.kind:
        out["kind"] = ctl.kind
    out["status"] = "planned"
    for key, values in (
        ("removes", ctl.removes),
        ("blocks", ctl.blocks),
        ("approves", ctl.approves),
        ("sandboxes", ctl.sandboxes),
        ("hides", ctl.hides),
    ):
        if values:
            out[key] = list(values)
    if ctl.weakens:
        out["weakens"] = [{"edge": e, "to": cap} for e, cap in ctl.weakens]
    cuts: list[dict[str, str]] = [
        {"attack": a} if asset is None else {"attack": a, "asset": asset} for a, asset in ctl.breaks
    ]
    cuts += [
        {"attack": a, "step": step} | ({} if asset is None else {"asset": asset})
        for a, step, asset in ctl.break_steps
    ]
    if cuts:
        out["breaks"] = cuts
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
    max_prune_runs: int = 50,
    candidates: Sequence[Candidate] | None = None,
    solver: Callable[..., Solution] | None = None,
) -> Plan:
    """The cheapest set of candidate controls that removes every unsettled threat at or above
    ``target`` (see the module documentation for the method and its guarantees).

    ``catalog`` defaults to the knowledge base's control catalog; ``costs`` overrides its
    costs by template id; ``use_catalog=False`` plans with the model's planned controls only.
    ``candidates`` replaces the generated candidates (catalog and planned controls) when given.
    """
    if catalog is None:
        catalog = kb.controls
    solve = solver or best_solver()
    floor = level_rank(target)
    base_result = build_result(run_engine(model, kb, assumptions=False), today=today)
    base = {t.id: t for t in base_result.threats}
    in_target = sorted(t.id for t in base.values() if level_rank(t.severity.level) >= floor)
    settled_ids = sorted(i for i in in_target if (base[i].triage or _OPEN).settled)
    targets = [i for i in in_target if i not in set(settled_ids)]
    cands = (
        list(candidates)
        if candidates is not None
        else candidates_for(
            model, catalog, [base[i] for i in targets], costs=costs, use_catalog=use_catalog
        )
    )
    oracle = _Oracle(model, kb, cands, today)
    oracle._memo[frozenset()] = base
    costs_v = [c.cost for c in cands]

    cores: dict[frozenset[int], set[str]] = {}
    """Core -> the target threats whose chains gave it."""
    unremovable: set[str] = set()

    def add_core(t: Threat, chosen: frozenset[int]) -> bool:
        """Record the core of ``t``'s chain; False when no candidate outside ``chosen`` can cut
        it (then no plan removes ``t``: see the module documentation)."""
        elements = reach(t, model)
        core = frozenset(i for i, c in enumerate(cands) if c.touches(t, elements)) - chosen
        if not core:
            unremovable.add(t.id)
            return False
        cores.setdefault(core, set()).add(t.id)
        return True

    for tid in targets:
        add_core(base[tid], frozenset())

    chosen: frozenset[int] = frozenset()
    exact = True
    lower = 0.0
    iterations = 0
    while True:
        iterations += 1
        live = [core for core, owners in cores.items() if not owners <= unremovable]
        sol = solve(live, costs_v, budget=budget)
        chosen = sol.chosen
        exact = exact and sol.optimal
        lower = max(lower, sol.lower_bound)
        left = _targets_left(oracle.threats(chosen), floor, unremovable, targets)
        if not left:
            break
        live_before = set(live)
        dropped = False
        for t in left:
            known = len(unremovable)
            add_core(t, chosen)
            dropped = dropped or len(unremovable) > known
        if dropped:
            # threats now known to be unremovable no longer constrain the plan: bounds found
            # while they did may not hold for what remains
            lower = 0.0
        live_after = {core for core, owners in cores.items() if not owners <= unremovable}
        if live_after <= live_before and not dropped:
            # each survivor adds a core the plan misses; never loop, never return a wrong plan
            raise InternalError("the planner made no progress on " + ", ".join(t.id for t in left))

    if not exact:
        chosen = _prune(oracle, chosen, costs_v, floor, unremovable, targets, max_prune_runs)
    final = oracle.threats(chosen)
    cost = sum(costs_v[i] for i in chosen)
    if exact:
        lower = cost
    left_ids = {t.id for t in _targets_left(final, floor, set(), targets)}
    removes = _attribute(oracle, model, chosen, base, targets, left_ids, floor, max_prune_runs)
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
    return Plan(
        target=target,
        method="exact" if exact else "heuristic",
        cost=cost,
        lower_bound=min(lower, cost),
        gap=max(0.0, cost - lower),
        controls=planned,
        threats=tuple(targets),
        settled=tuple(settled_ids),
        unremovable=tuple(sorted(unremovable | left_ids)),
        also_removed=tuple(also),
        introduced=tuple(sorted(set(final) - set(base))),
        candidates=len(cands),
        engine_runs=oracle.runs,
        iterations=iterations,
    )


def _attribute(
    oracle: _Oracle,
    model: SystemModel,
    chosen: frozenset[int],
    base: Mapping[str, Threat],
    targets: Sequence[str],
    left: set[str],
    floor: int,
    max_runs: int,
) -> dict[int, set[str]]:
    """Which target threats each chosen control removes.

    A threat is credited to a control when it comes back once that control alone is dropped
    from the plan (one engine run per control, up to ``max_runs``). A threat that several
    controls each remove on their own comes back for none of them: it is credited to those
    acting on an element of its chain.
    """
    cands = oracle.cands
    removed = [t for t in targets if t not in left]
    out: dict[int, set[str]] = {i: set() for i in chosen}
    if len(chosen) <= max_runs:
        for i in chosen:
            back = _targets_left(oracle.threats(chosen - {i}), floor, set(), removed)
            out[i].update(t.id for t in back)
    credited = set().union(*out.values()) if out else set()
    for tid in removed:
        if tid in credited:
            continue
        t = base[tid]
        near = [i for i in chosen if cands[i].touches(t, threat_elements(t))]
        for i in near or [i for i in chosen if cands[i].touches(t, reach(t, model))]:
            out[i].add(tid)
    return out


def _targets_left(
    threats: Mapping[str, Threat], floor: int, skip: set[str], targets: Sequence[str]
) -> list[Threat]:
    wanted = set(targets) - skip
    return [
        threats[i]
        for i in sorted(threats)
        if i in wanted and level_rank(threats[i].severity.level) >= floor
    ]


def _prune(
    oracle: _Oracle,
    chosen: frozenset[int],
    costs: Sequence[float],
    floor: int,
    skip: set[str],
    targets: Sequence[str],
    max_runs: int,
) -> frozenset[int]:
    """Drop controls the plan can do without, most expensive first, within ``max_runs``."""
    for runs, i in enumerate(sorted(chosen, key=lambda i: (-costs[i], i))):
        if runs >= max_runs:
            break
        trial = chosen - {i}
        if not _targets_left(oracle.threats(trial), floor, skip, targets):
            chosen = trial
    return chosen
