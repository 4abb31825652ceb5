"""Who closes each threat of a run, and what it needs: routes and counterfactual needs.

Both are reruns over the run's compiled model, independent of each other, handed to the
orchestrator as jobs (:func:`jobs`) so that it can run them in parallel, then put together
(:func:`assemble`):

* one closure per entry point (engine/routes.py): each threat's routes;
* the counterfactual bisection (engine/needs.py) over the assumptions and the third-party
  owners a shown chain uses: which threats rest on which assumption, and which need an owner's
  seeds. Above :data:`~actm.engine.needs.MAX_CANDIDATES` candidates, what a threat rests on is
  read off its chain instead (``assumption_attribution`` ``proof``);
* where two or more packages that their publishers can change run on a node a model runs on,
  one closure without all of them: which threats need a foothold there, whichever package
  gives it (``footholds``; with one package, resting on its assumption says the same); and
  where such a package runs beside a tool or a credential that runs code there, one closure
  without the packages and without that derived code execution (``footholds`` too: the
  threat needs code execution there, whichever package, tool or credential gives it);
* where a shown chain goes through code execution derived through a tool or a credential,
  which threats do not close without those (in the needs closure, or one of its own) and
  one closure from each such foothold alone (engine/footholds.py): which threats restate
  that foothold (``restates``).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from actm.engine.analysis import EngineOutput
from actm.engine.chain import Route
from actm.engine.compiled import Compiled
from actm.engine.costs import costs
from actm.engine.facts import Rule
from actm.engine.footholds import (
    ALONE,
    NEEDED,
    WITHOUT,
    FootholdRun,
    alone_jobs,
    code_job,
    execution_keys,
    execution_nodes,
    without_job,
    without_nodes,
)
from actm.engine.footholds import candidates as derived_candidates
from actm.engine.matching import Match
from actm.engine.needs import MAX_CANDIDATES, NeedsRun, ThreatKey, needs
from actm.engine.provenance import seeds_in
from actm.engine.routes import EntryPoint, all_seeds, collect, entry_points, run_entry
from actm.engine.seeds import Seed
from actm.engine.wording import Wording

__all__ = ["PACKAGE", "Attribution", "RouteJobs", "assemble", "jobs", "owner_of", "route_jobs"]

Job = Callable[[], object]

_ASSUMPTION = "assumption:"
_OWNER = "owner:"
_FOOTHOLD = "foothold:"
PACKAGE = "package:"
"""The prefix of a package's assumption id."""


@dataclass(frozen=True)
class Attribution:
    """Routes and needs of one run's threats, by threat id."""

    routes: Mapping[str, tuple[Route, ...]] = field(default_factory=dict)
    """Most realistic first."""
    rests_on: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Assumptions each threat needs (does not close without), sorted."""
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Third-party node operators each threat needs (does not close without what they hold),
    sorted; counterfactual only."""
    grouped: bool = False
    """More entry points than are enumerated: routes stand for all those of one reach."""
    assumption_attribution: str = "counterfactual"
    """counterfactual, or proof (too many candidates: read off the shown chains)."""
    footholds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Nodes (a model runs on, with two or more packages their publishers can change, or with
    one beside a tool or a credential that runs code there) on which each threat needs code
    execution, whichever of those gives it, sorted; counterfactual only."""
    restates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Nodes whose code execution, derived through a tool or a credential, each threat
    restates: it does not close without such footholds, and its attack yields nothing the one
    on each of these nodes does not give by itself (engine/footholds.py), sorted."""
    runs: Mapping[str, int] = field(default_factory=dict)
    """Closures per kind of rerun: routes, needs (the package footholds included) and, when
    a shown chain goes through code execution derived through a tool or a credential,
    footholds (engine/footholds.py)."""
    computed: bool = False
    """The reruns were made (an empty attribution stands for none: no routes are known)."""
    elements: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Threat id -> the model elements the chain it has in any route closure goes through,
    named as controls name them (engine/chain.py ``step_elements``): what a control acting on
    one of its routes acts on. Only when asked for (:func:`jobs` ``elements``), else empty."""


def threat_id(c: Compiled, m: Match) -> str:
    """The stable id of a match's threat (as :func:`actm.engine.output.threat_id`)."""
    return "@".join((c.rules[m.rule].attack.id, *m.binding))


def owner_of(entry: str) -> str | None:
    """The third-party owner an entry point is: ``operator:O`` and ``supplier:O`` are O."""
    for prefix in ("operator:", "supplier:"):
        if entry.startswith(prefix):
            return entry[len(prefix) :]
    return None


def _candidates(
    out: EngineOutput, seeds: Sequence[Seed], picked: Iterable[int] | None = None
) -> dict[str, list[int]]:
    """The seed groups some shown chain uses (of the threats at the indices ``picked``, when
    given): each assumption's seeds, and each third-party node operator's."""
    store = out.closure.store
    used: set[str] = set()
    owners_used: set[str] = set()
    proofs = out.proofs if picked is None else [out.proofs[i] for i in picked]
    for keys in proofs:
        for how, via in seeds_in(store, keys):
            if how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
                used.add(str(via))
            elif how == Rule.THIRD_PARTY and isinstance(via, tuple):
                owners_used.add(str(via[1]))
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(seeds):
        if s.rule in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
            if str(s.via) in used:
                groups.setdefault(_ASSUMPTION + str(s.via), []).append(i)
        elif s.entry.startswith("operator:") and s.entry[len("operator:") :] in owners_used:
            groups.setdefault(_OWNER + s.entry[len("operator:") :], []).append(i)
    return groups


@dataclass(frozen=True)
class RouteJobs:
    """The route reruns of one compiled model: a closure per entry point, then one of the
    conditions alone when there are any. They need the compiled model only, not its run."""

    jobs: list[Job]
    points: int
    conditions: bool
    grouped: bool
    """More entry points than are enumerated: those of one reach share a closure."""


def route_jobs(
    c: Compiled, wording: Wording, wanted: Container[str] | None = None, elements: bool = False
) -> RouteJobs:
    """The route reruns of ``c``, in the order :func:`assemble` takes their results (each
    reading the routes of the threat ids ``wanted`` holds only, when given, and with
    ``elements`` the model elements of each route's chain)."""
    points, conditions, grouped = entry_points(c)
    todo: list[Job] = [
        _route_job(c, wording, ep, [*seeds, *conditions], wanted, elements) for ep, seeds in points
    ]
    if conditions:
        todo.append(_route_job(c, wording, None, conditions, wanted, elements))
    return RouteJobs(todo, len(points), bool(conditions), grouped)


def jobs(
    out: EngineOutput,
    *,
    routes: bool = True,
    wanted: Container[str] | None = None,
    elements: bool = False,
) -> tuple[list[Job], Callable[[Sequence[object]], Attribution]]:
    """The reruns that attribute ``out``'s threats, and how to put their results together.
    Without ``routes``, the route reruns (:func:`route_jobs` of the run's compiled model) are
    left out: they were started beside the run itself, and their results come first in what
    the caller hands to ``finish``. With them, the needs closures come first in the jobs'
    order (workers take jobs in order: engine/parallel.py), and ``finish`` takes the results
    in the jobs' order.

    ``wanted``: only the threats with these ids are attributed. Each of them gets exactly the
    routes, needs and owners the full attribution gives it (the route closures are the same,
    only their threats are read; what one threat needs does not depend on what the bisection
    asks about the others, and it can only need a group its own chain uses); the others get
    none. Whether the needs are counterfactual still depends on every shown chain.

    ``elements``: the attribution also holds the model elements of each threat's routes
    (``Attribution.elements``; not with ``routes`` false, whose route reruns are made
    elsewhere)."""
    c = out.compiled
    found = route_jobs(c, out.wording, wanted, elements)
    todo: list[Job] = []
    seeds = all_seeds(c)
    groups = _candidates(out, seeds)
    counterfactual = len(groups) <= MAX_CANDIDATES
    picked = [i for i, m in enumerate(out.matches) if wanted is None or threat_id(c, m) in wanted]
    footholds = _foothold_groups(c, seeds) if counterfactual else {}
    executions = execution_keys(out)
    mixed = _mixed_footholds(c, seeds) if counterfactual else {}
    derived = frozenset(derived_candidates(out, picked, executions))
    # a threat the run finds without a posited weakness is attributed without them (as with
    # hypotheses off); a hypothetical one with them: two bisections only when both kinds occur
    certain = [i for i in picked if not out.matches[i].hypothetical]
    posited = [i for i in picked if out.matches[i].hypothetical]
    sides = [(hyp, side) for hyp, side in ((False, certain), (True, posited)) if side]
    for hyp, side in sides:
        if wanted is not None or len(sides) > 1:
            groups = _candidates(out, seeds, side)
        keys = [(out.matches[i].rule, out.matches[i].binding) for i in side]
        lacking = [k for k in keys if k in derived]
        if counterfactual and groups:
            # without candidates nothing can be missing: no closure to run; the same closure
            # tells which threats need a derived foothold
            todo.append(_needs_job(c, seeds, groups, keys, hyp, lacking))
        elif lacking:
            todo.append(without_job(c, seeds, lacking, hyp))
        # one closure each: a package may run on several of these nodes, and the bisection of
        # needs.py wants groups that do not share seeds
        todo += [_needs_job(c, seeds, {name: idx}, keys, hyp) for name, idx in footholds.items()]
        todo += [
            code_job(c, seeds, idx, name.removeprefix(_FOOTHOLD), keys, hyp, name)
            for name, idx in mixed.items()
        ]
    todo += alone_jobs(out, picked, derived, executions)
    if not routes:
        return todo, lambda results: assemble(
            out, results, found.points, found.conditions, counterfactual, found.grouped
        )
    # the needs closures are handed out first: the bisection takes longer than any route
    # closure, so started last it would leave one worker busy with it while the others idle
    needed = len(todo)

    def finish(results: Sequence[object]) -> Attribution:
        ordered = [*results[needed:], *results[:needed]]
        return assemble(out, ordered, found.points, found.conditions, counterfactual, found.grouped)

    return [*todo, *found.jobs], finish


def _foothold_groups(c: Compiled, seeds: Sequence[Seed]) -> dict[str, list[int]]:
    """``foothold:<node>`` -> the seeds of the unjustified package assumptions whose code runs
    on that node, for each node a model runs on where there are two or more of them."""
    on_node = _package_seeds(c, seeds)
    return {
        _FOOTHOLD + node: idx
        for node, idx in sorted(on_node.items())
        if len({str(seeds[i].via) for i in idx}) > 1
    }


def _mixed_footholds(c: Compiled, seeds: Sequence[Seed]) -> dict[str, list[int]]:
    """``foothold:<node>`` -> the seeds of the unjustified package assumptions whose code runs
    on that node, for each node a model runs on where a tool or a credential also runs code
    (engine/footholds.py ``execution_nodes``): a threat may close through either, and rest
    on neither alone."""
    derived = execution_nodes(c)
    packages = _package_seeds(c, seeds)
    return {_FOOTHOLD + node: idx for node, idx in sorted(packages.items()) if node in derived}


def _package_seeds(c: Compiled, seeds: Sequence[Seed]) -> dict[str, list[int]]:
    """Node a model runs on -> the seeds of the unjustified package assumptions whose code
    runs there."""
    hosts = {n for m in c.model.models for n in m.deployed_on}
    justified = costs(c).justified
    on_node: dict[str, list[int]] = {}
    for i, s in enumerate(seeds):
        via = str(s.via)
        if s.rule != Rule.ASSUMPTION or not via.startswith(PACKAGE) or via in justified:
            continue
        for node in c.model.package(via[len(PACKAGE) :]).runs_on:
            if node in hosts:
                on_node.setdefault(node, []).append(i)
    return on_node


def _route_job(
    c: Compiled,
    wording: Wording,
    entry: EntryPoint | None,
    seeds: list[Seed],
    wanted: Container[str] | None,
    elements: bool,
) -> Job:
    return lambda: run_entry(c, wording, entry, seeds, wanted, elements)


def _needs_job(
    c: Compiled,
    seeds: list[Seed],
    groups: Mapping[str, list[int]],
    keys: list[ThreatKey],
    posited: bool,
    derived: list[ThreatKey] | None = None,
) -> Job:
    def job() -> tuple[dict[str, frozenset[ThreatKey]], int]:
        run = NeedsRun()
        found = needs(c, seeds, groups, keys, run, posited=posited, derived=derived or ())
        if derived:
            found[NEEDED] = run.lacking
        return found, run.saturations

    return job


def assemble(
    out: EngineOutput,
    results: Sequence[object],
    npoints: int,
    conditions: bool,
    counterfactual: bool,
    grouped: bool,
) -> Attribution:
    """The attribution from the jobs' results, in the order :func:`jobs` listed them: the
    routes, then the needs bisection (when it ran) and the foothold closures."""
    c = out.compiled
    certain = {threat_id(c, m) for m in out.matches if not m.hypothetical}
    closures = [_routes(r, certain) for r in results[: npoints + (1 if conditions else 0)]]
    per_entry = [found for found, _through in closures[:npoints]]
    by_conditions = closures[npoints][0] if conditions else {}
    routes = collect(per_entry, by_conditions)
    elements: dict[str, set[str]] = {}
    for _found, through in closures:
        for tid, es in through.items():
            elements.setdefault(tid, set()).update(es)
    ids = {
        (m.rule, m.binding): "@".join((c.rules[m.rule].attack.id, *m.binding)) for m in out.matches
    }
    rests: dict[str, set[str]] = {}
    owners: dict[str, set[str]] = {}
    footholds: dict[str, set[str]] = {}
    runs = {"routes": npoints + (1 if conditions else 0)}
    found: dict[str, frozenset[ThreatKey]] = {}
    derived: dict[str, frozenset[ThreatKey]] = {}
    for last in results[runs["routes"] :]:
        if isinstance(last, FootholdRun):
            for group, threats in last.found.items():
                derived[group] = derived.get(group, frozenset()) | threats
            runs["footholds"] = runs.get("footholds", 0) + 1
            continue
        assert isinstance(last, tuple)
        for group, threats in last[0].items():  # both sides of hypotheses may name one
            side = derived if group == NEEDED else found
            side[group] = side.get(group, frozenset()) | threats
        runs["needs"] = runs.get("needs", 0) + int(last[1])
    if counterfactual:
        runs.setdefault("needs", 0)
        for group, threats in found.items():
            kind, _, name = group.partition(":")
            into = {"assumption": rests, "owner": owners, "foothold": footholds}[kind]
            for key in threats:
                into.setdefault(ids[key], set()).add(name)
    else:
        store = out.closure.store
        for m, keys in zip(out.matches, out.proofs, strict=True):
            for how, via in seeds_in(store, keys):
                if how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
                    rests.setdefault(ids[(m.rule, m.binding)], set()).add(str(via))
    confirmed, extra_runs = without_nodes(out, all_seeds(c), derived)
    derived.update(confirmed)
    if extra_runs:
        runs["footholds"] = runs.get("footholds", 0) + extra_runs
    known = set(ids.values())
    return Attribution(
        routes={tid: rs for tid, rs in routes.items() if tid in known},
        rests_on={tid: tuple(sorted(v)) for tid, v in sorted(rests.items())},
        owners={tid: tuple(sorted(v)) for tid, v in sorted(owners.items())},
        footholds={tid: tuple(sorted(v)) for tid, v in sorted(footholds.items())},
        restates=_restates(derived, ids),
        grouped=grouped,
        assumption_attribution="counterfactual" if counterfactual else "proof",
        runs=runs,
        computed=True,
        elements={tid: frozenset(es) for tid, es in sorted(elements.items()) if tid in known},
    )


def _restates(
    found: Mapping[str, frozenset[ThreatKey]], ids: Mapping[ThreatKey, str]
) -> dict[str, tuple[str, ...]]:
    """Threat id -> the nodes whose derived foothold it restates (engine/footholds.py): it
    does not close without the foothold on that node (nor without any derived foothold), and
    yields nothing the one on that node does not give."""
    needed = found.get(NEEDED, frozenset())
    out: dict[str, set[str]] = {}
    for group, threats in found.items():
        if group.startswith(ALONE):
            node = group.removeprefix(ALONE)
            for key in threats & needed & found.get(WITHOUT + node, frozenset()):
                out.setdefault(ids[key], set()).add(node)
    return {tid: tuple(sorted(v)) for tid, v in sorted(out.items())}


def _routes(
    result: object, certain: Container[str]
) -> tuple[dict[str, Route], dict[str, frozenset[str]]]:
    """A route job's result (:func:`~actm.engine.routes.run_entry`), typed, without the routes
    that need a posited weakness to threats in ``certain`` (the run finds them without one)."""
    assert isinstance(result, tuple)
    found, through, late = result
    assert isinstance(found, dict) and isinstance(through, dict)
    if not late:
        return found, through
    drop = {tid for tid in late if tid in certain}
    return (
        {tid: r for tid, r in found.items() if tid not in drop},
        {tid: es for tid, es in through.items() if tid not in drop},
    )
