"""Every engine run one analysis takes, in one place.

:func:`analyse` runs the model as declared (the residual view), then, when implemented controls
are in force, without them (the inherent view): the inherent threats it lacks or rates lower are
what the controls remove or lower. To credit each control it then reruns the model without some
implemented controls (:func:`counterfactual`): a control is credited with a threat when the
analysis without it alone brings the threat back or raises its score again. Everything is handed
back decoded (:class:`Analysis`); the results layer turns it into credited controls and reasons.

Which controls to try alone depends on what each control acts on in the inherent chains and in
the routes of each entry point, which the results layer reads (``Screen``); controls that
cannot change anything alone need no rerun.
Controls only take capabilities away, so the analysis without a group of controls shows every
change that removing any one of them shows: the other controls are tried together, and a group
is split in halves only while its run changes something. Above :data:`MAX_COUNTERFACTUAL`
implemented controls the reruns would cost too much, and the credit goes by what each control
touches (``attribution`` ``touch``).

The route reruns of a big model need only its compiled form: they start in worker processes
(engine/parallel.py) as soon as it is compiled and run beside the residual run itself, on the
core its closure leaves idle (they work out their joins' tables themselves, which costs a little
CPU but no time). The residual run's other reruns (needs), its tolerance search and the
explanations of its attacks out of scope then start together once its threats are proved, and
run beside the inherent run (or, without one, beside the decoding of the run):
those workers inherit what the run's joins worked out from the compiled model alone (rule
shapes, static conditions, narrowed candidates: engine/matching.py) instead of working it out
again, and this process goes on to the inherent run at once. The credit reruns start once the
screen has chosen them, and :func:`analyse` returns without waiting for them: the caller builds
what needs no credit meanwhile, and ``ControlRuns.credit`` waits for them when first read.

:func:`threats` is the single run the planner takes per candidate plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from time import perf_counter
from typing import Any

from actm.engine.analysis import EngineOutput, run_engine, tolerance
from actm.engine.assumptions import AssumptionOutcome
from actm.engine.attribution import Attribution, route_jobs
from actm.engine.attribution import jobs as attribution_jobs
from actm.engine.closure import Observer, prepare
from actm.engine.compiled import Compiled, compile_model
from actm.engine.decoding import decode_all
from actm.engine.output import (
    Judged,
    Readout,
    capability_matrix,
    judge_all,
    judging,
    read,
    threat_id,
    threat_scores,
)
from actm.engine.parallel import run_all, start_all
from actm.engine.parallel import workers as available_workers
from actm.engine.scope import Unmet, out_of_scope
from actm.engine.wording import Wording
from actm.knowledge.attacks import KnowledgeBase
from actm.model.system import SystemModel

__all__ = [
    "MAX_COUNTERFACTUAL",
    "Analysis",
    "ControlRuns",
    "Counterfactual",
    "Screen",
    "analyse",
    "could_differ",
    "counterfactual",
    "differences",
    "threats",
]

MAX_COUNTERFACTUAL = 32
"""Up to this many implemented controls, attribution removes each in turn (one engine run each);
above it, attribution reads the chains only."""

Scores = Mapping[str, float]
"""Threat id -> severity score, for the threats of one analysis."""

Screen = Callable[[Readout, Readout], tuple[Iterable[str], Iterable[str]]]
"""Given the residual run and the inherent one (with only the threats the controls remove or
lower, and the model elements of each one's routes: ``attribution.elements``): the implemented
controls to remove one at a time (those acting on these threats' chains or routes), and those
known to change nothing alone (removing them needs no run)."""


def differences(residual: Scores, inherent: Scores) -> dict[str, float]:
    """Inherent threats the controls remove or lower: id -> residual score (-1 when removed)."""
    out: dict[str, float] = {}
    for tid, score in inherent.items():
        kept = residual.get(tid)
        if kept is None:
            out[tid] = -1.0
        elif kept < score:
            out[tid] = kept
    return out


@dataclass(frozen=True)
class Counterfactual:
    """What removing implemented controls shows, for the threats they remove or lower."""

    necessary: dict[str, frozenset[str]] = field(default_factory=dict)
    """Threat id -> the controls whose removal alone brings it back or raises its score."""
    jointly: dict[str, frozenset[str]] = field(default_factory=dict)
    """Threat id -> a smallest group tried whose removal together brought it back (or raised
    it) when no single member's removal did: controls acting on it redundantly, off its chain."""
    runs: int = 0
    """Engine runs spent."""


def counterfactual(
    controls: Sequence[str],
    diff: Mapping[str, float],
    run: Callable[[frozenset[str]], Scores],
    *,
    alone: Iterable[str] = (),
    skip: Iterable[str] = (),
    level_runner: Callable[[list[Callable[[], Scores]]], list[Scores]] | None = None,
    started: Callable[[], list[Scores]] | None = None,
) -> Counterfactual:
    """Remove implemented controls and see which threats of ``diff`` come back.

    ``controls`` are the implemented controls, ``diff`` the threats they remove or lower (from
    :func:`differences`, with the score each has with every control: -1 when it is gone), and
    ``run`` analyses the model without the given controls. ``alone`` are tried one by one;
    ``skip`` are known to change nothing alone and are not tried. The others are tried
    together, and every group whose run changes something is split in halves, level by level:
    each level's runs are independent of each other, and ``level_runner`` runs them (in
    parallel: engine/parallel.py; default one after the other). ``started`` waits for the
    first level's runs (:func:`first_level`, in that order) when the caller started them
    already.
    """
    if not diff:
        return Counterfactual()
    level: list[tuple[tuple[str, ...], int]] = [
        (group, -1) for group in first_level(controls, alone, skip)
    ]
    necessary: dict[str, set[str]] = {}
    split: list[tuple[tuple[str, ...], set[str], set[str]]] = []
    """Groups split in halves: (group, what its run changed, what its halves' runs changed)."""
    runs = 0
    while level:
        reruns = [_rerun(run, frozenset(group)) for group, _parent in level]
        if started is not None and not runs:
            found = started()  # the first level's runs, started by the caller already
        elif level_runner is not None:
            found = level_runner(reruns)
        else:
            found = [r() for r in reruns]
        changes = [
            {t for t, kept in diff.items() if scores.get(t, -1.0) > kept} for scores in found
        ]
        runs += len(level)
        following: list[tuple[tuple[str, ...], int]] = []
        for (group, parent), change in zip(level, changes, strict=True):
            if parent >= 0:
                split[parent][2].update(change)
            if not change:
                continue
            if len(group) == 1:
                for t in change:
                    necessary.setdefault(t, set()).add(group[0])
                continue
            half = len(group) // 2
            following += [(group[:half], len(split)), (group[half:], len(split))]
            split.append((group, change, set()))
        level = following
    jointly: dict[str, set[str]] = {}
    for group, change, seen in split:
        for t in change - seen:
            jointly.setdefault(t, set()).update(group)
    return Counterfactual(
        {t: frozenset(v) for t, v in sorted(necessary.items())},
        {t: frozenset(v) for t, v in sorted(jointly.items())},
        runs,
    )


def first_level(
    controls: Sequence[str], alone: Iterable[str] = (), skip: Iterable[str] = ()
) -> list[tuple[str, ...]]:
    """The groups :func:`counterfactual` removes first, in the order it runs them: each
    control of ``alone`` by itself, then the others together; none of ``skip``."""
    skipped = set(skip)
    wanted = set(alone)
    first = [c for c in controls if c in wanted and c not in skipped]
    taken = set(first)
    rest = tuple(c for c in controls if c not in taken and c not in skipped)
    return [(c,) for c in first] + ([rest] if rest else [])


def _rerun(run: Callable[[frozenset[str]], Scores], group: frozenset[str]) -> Callable[[], Scores]:
    return lambda: run(group)


@dataclass(frozen=True)
class ControlRuns:
    """What the model's implemented controls change, from the runs without them."""

    inherent: Readout
    """The run without controls, with only the threats the controls remove or lower (what
    they enable and their priority count only the threats whose score could change:
    :func:`could_differ`)."""
    differences: Mapping[str, float]
    """Those threats' ids -> their residual score (-1 when the controls remove them)."""
    attribution: str
    """counterfactual (``credit`` holds what the reruns showed) or touch (no reruns)."""
    settle: Callable[[], Counterfactual] = field(repr=False, compare=False)
    """Waits for the reruns that credit each control (:func:`analyse` starts them in worker
    processes and returns at once: the caller builds what needs no credit meanwhile)."""

    @cached_property
    def credit(self) -> Counterfactual:
        """What the reruns showed: worked out, or waited for, when first read."""
        return self.settle()


@dataclass(frozen=True)
class Analysis:
    """Every run of one analysis, decoded."""

    residual: Readout
    """The model as declared (its controls in force, unless ``controls=False``)."""
    controls: ControlRuns | None
    """None when the controls are ignored or none is implemented."""
    timings: Mapping[str, float]
    """The residual run's stages, ``read`` (decoding it), and with controls ``inherent`` (the
    run without them), ``counterfactual`` (what follows it) and ``counterfactual_runs``."""


def analyse(
    model: SystemModel,
    kb: KnowledgeBase,
    *,
    controls: bool = True,
    tolerance_severity: str = "high",
    observer: Observer | None = None,
    screen: Screen | None = None,
    workers: int | None = None,
) -> Analysis:
    """Analyse ``model``: the residual run and, when implemented controls are in force and
    ``controls`` is true, the inherent run and the reruns that credit each control (ordered by
    ``screen``; without it every control is tried in the bisection). The reruns that attribute
    each run's threats (routes, needs) and those that credit controls run in up to ``workers``
    processes (default: engine/parallel.py)."""
    t0 = perf_counter()
    compiled = compile_model(model, kb, apply_controls=controls)
    compiling = perf_counter() - t0
    implemented = [ctl.id for ctl in model.controls if ctl.status == "implemented"]
    # the route reruns need only the compiled model: they start beside the closure, on the
    # core this process leaves idle while it closes; when an inherent run follows, the rest of
    # the residual run's reruns and its tolerance search wait for its threats and run beside
    # that run
    later = controls and bool(implemented)
    routed = _early_routes(compiled, workers)
    # with reruns beside what follows the run, the attacks out of scope are explained and the
    # assumptions searched beside it too, in a worker (engine/scope.py, engine/assumptions.py)
    aside = later or routed is not None
    out = run_engine(
        model,
        kb,
        apply_controls=controls,
        tolerance_severity=tolerance_severity,
        observer=observer,
        assumptions=not aside,
        compiled=compiled,
        explain=not aside,
    )
    explain = aside and _workers(out, workers) > 1
    if aside and not explain:
        # no worker for them: here, right after the run, as the run itself makes them
        out = _completed(out, _completion(out, True, None if later else tolerance_severity)())
    timings = dict(out.timings)
    timings["compile"] += compiling
    pool = _pool(workers, out)
    t0 = perf_counter()
    if aside:
        search = tolerance_severity if later or explain else None
        attributed = _beside(out, workers, routed, explain, search)
    else:
        attributed = _attribute(out, pool)
    started = perf_counter() - t0
    without = None
    if later:
        t0 = perf_counter()
        without = run_engine(model, kb, apply_controls=False, assumptions=False)
        timings["inherent"] = perf_counter() - t0
    t0 = perf_counter()
    # while the reruns go on in the workers (the routes since the closure, the others beside
    # the inherent run), decode what needs no attribution
    beside = routed is not None or (later and _workers(out, workers) > 1)
    # without an inherent run the second core has only the explanations to make meanwhile:
    # a worker decodes the last matches beside them
    share = DECODE_ASIDE if routed is not None and not later else 0.0
    decoded = decode_all(out, aside=share) if beside else None
    attribution_residual, out = attributed()
    timings["threats"] = out.timings["threats"]
    timings["assumptions"] = out.timings["assumptions"]
    # and the last threats are judged in a worker too, the second core being free again: this
    # process judges the others and makes the capability matrix meanwhile
    waiting = judging(out, attribution_residual, decoded=decoded, aside=share and JUDGE_ASIDE)
    matrix = capability_matrix(out)
    judged = waiting()
    # the inherent run's reruns run beside the residual run's decoding; the screen reads the
    # elements of their routes
    screened = screen is not None and len(implemented) <= MAX_COUNTERFACTUAL
    inherent_judged = (
        None if without is None else _judge(without, judged.scores(), workers, screened)
    )
    residual = read(out, attribution_residual, judged=judged, decoded=decoded, matrix=matrix)
    for kind, n in residual.attribution.runs.items():
        timings[f"{kind}_runs"] = float(n)
    if without is None or inherent_judged is None:
        timings["attribution"] = started + perf_counter() - t0
        return Analysis(residual, None, timings)
    attribution_inherent, judged = inherent_judged()
    timings["attribution"] = started + perf_counter() - t0
    t0 = perf_counter()
    diff = differences(_scores(residual), judged.scores())
    inherent = read(without, attribution_inherent, judged=judged, decode=diff)
    proxies = threat_scores(out)
    start = _starter(_workers(out, workers))
    del out, without
    attribution = "counterfactual" if len(implemented) <= MAX_COUNTERFACTUAL else "touch"
    settle: Callable[[], Counterfactual] = Counterfactual
    if attribution == "counterfactual" and diff:
        alone, skip = screen(residual, inherent) if screen is not None else ((), ())
        settle = _credit(model, kb, implemented, diff, proxies, alone, skip, pool, start)

    def settled() -> Counterfactual:
        credit = settle()
        timings["counterfactual"] = perf_counter() - t0
        timings["counterfactual_runs"] = float(credit.runs)
        return credit

    return Analysis(residual, ControlRuns(inherent, diff, attribution, settled), timings)


def _credit(
    model: SystemModel,
    kb: KnowledgeBase,
    implemented: Sequence[str],
    diff: Mapping[str, float],
    proxies: Scores,
    alone: Iterable[str],
    skip: Iterable[str],
    pool: Runner,
    start: Callable[[list[Callable[[], Any]]], Waiter],
) -> Callable[[], Counterfactual]:
    """Start the first level of the reruns that credit each control (:func:`first_level`):
    in worker processes for a big model, so that the caller builds meanwhile what needs no
    credit (the result's threats, matrix, graph). How to wait for the credit."""
    alone, skip = list(alone), list(skip)

    def wanted(attack: str, binding: tuple[str, ...]) -> bool:
        return threat_id(attack, binding) in diff

    def rerun(excluded: frozenset[str]) -> Scores:
        return threat_scores(
            run_engine(model, kb, assumptions=False, exclude_controls=excluded, select=wanted)
        )

    # the reruns compare the route's cost and presence (not the attribution): what each
    # diff threat scores that way with every control, -1 when its closure lacks it
    kept = {tid: proxies.get(tid, -1.0) for tid in diff}
    first = [_rerun(rerun, frozenset(g)) for g in first_level(implemented, alone, skip)]
    started = start(first)

    def credit() -> Counterfactual:
        return counterfactual(
            implemented,
            kept,
            rerun,
            alone=alone,
            skip=skip,
            level_runner=pool,
            started=started,
        )

    return credit


DECODE_ASIDE = 0.35
"""The share of a big run's matches decoded in a worker beside this process when no inherent
run follows (engine/decoding.py :func:`decode_all`): the worker also makes the explanations
(:func:`_beside`) and sends its decodings back, which this process reads at about a sixth of
what decoding them costs, so it takes less than half."""


JUDGE_ASIDE = 0.45
"""The share of such a run's matches judged in a worker beside this process once its
attribution is in (engine/output.py :func:`judging`), while this process judges the others and
makes the capability matrix: the worker sends back each threat's severity and verdict, which
this process reads at a fraction of what judging costs, and works out which threats enable
which (used when no threat is dropped), so it takes less than half."""


PARALLEL_FACTS = 5000
"""Below this many facts in the main closure, reruns run in this process (forking costs more
than they take)."""


Runner = Callable[[list[Callable[[], Any]]], list[Any]]
"""Runs a batch of independent reruns, returning their results in order."""

Waiter = Callable[[], list[Any]]
"""Waits for a batch of reruns started already, returning their results in order."""


def _workers(out: EngineOutput, workers: int | None) -> int:
    """The worker processes the reruns of ``out`` run in: ``workers`` (else engine/parallel.py's
    default) for a big run, 1 (this process) when its closure has fewer than
    :data:`PARALLEL_FACTS` facts. The one decision for every batch of a run once it is
    closed (:func:`_pool`, :func:`_start`, and whether to decode while they run)."""
    return 1 if len(out.closure.store.keys) < PARALLEL_FACTS else _allowed(workers)


def _pool(workers: int | None, out: EngineOutput) -> Runner:
    """How a batch of independent reruns runs: in worker processes for a big model, else here."""
    n = _workers(out, workers)

    def runner(jobs: list[Callable[[], Any]]) -> list[Any]:
        return run_all(jobs, n)

    return runner


def _judge(
    without: EngineOutput, residual: Scores, workers: int | None, elements: bool
) -> Callable[[], tuple[Attribution, Judged]]:
    """Start the reruns that attribute the threats of the run without controls whose score
    could differ from their ``residual`` one (:func:`could_differ`; only those are judged,
    and only those the controls change need decoding), with the elements of their routes when
    ``elements``; how to wait for them judged."""
    rescored = could_differ(residual, without)
    todo, finish = attribution_jobs(without, wanted=rescored, elements=elements)
    waiting = _start(workers, without, todo)

    def judged() -> tuple[Attribution, Judged]:
        attribution = finish(waiting())
        return attribution, judge_all(without, attribution, only=rescored)

    return judged


def _allowed(workers: int | None) -> int:
    """The worker processes reruns may use: ``workers``, else engine/parallel.py's default."""
    return available_workers() if workers is None else workers


def _start(workers: int | None, out: EngineOutput, jobs: list[Callable[[], Any]]) -> Waiter:
    """Start a batch of independent reruns of ``out``'s model and return how to wait for their
    results: in worker processes for a big model (the caller goes on meanwhile), else here
    when waited for."""
    return _starter(_workers(out, workers))(jobs)


def _starter(n: int) -> Callable[[list[Callable[[], Any]]], Waiter]:
    """How to start a batch of independent reruns in up to ``n`` worker processes (none for
    one: they run here when waited for), returning how to wait for their results."""

    def start(jobs: list[Callable[[], Any]]) -> Waiter:
        if n <= 1 or not jobs:
            return lambda: run_all(jobs, 1)
        return start_all(jobs, n)

    return start


def _early_routes(c: Compiled, workers: int | None) -> Waiter | None:
    """For a big model, its route reruns started in worker processes at once, beside the run
    (they need only the compiled model), in all the workers allowed but one: this process's
    closure keeps a core. How to wait for them. None for a small model (as many targets as
    :data:`PARALLEL_FACTS` give about as many facts) or when one worker is allowed."""
    n = _allowed(workers)
    if n <= 1 or len(c.target_name) < PARALLEL_FACTS:
        return None
    prepare(c)  # built once before the fork: the workers inherit it (engine/closure.py)
    return start_all(route_jobs(c, Wording(c.vocab.wording)).jobs, n - 1)


Attributed = Callable[[], tuple[Attribution, EngineOutput]]
"""Waits for a run's attribution: the attribution, and the run with its tolerance search."""


def _attribute(out: EngineOutput, pool: Runner) -> Attributed:
    """How to wait for the routes and needs of ``out`` (searched for tolerance and explained
    already): their reruns run in ``pool`` when waited for."""
    todo, finish = attribution_jobs(out)
    return lambda: (finish(pool(todo)), out)


Completion = tuple[list[Unmet], dict[str, AssumptionOutcome], float, float]
"""A run's attacks out of scope explained and its assumptions searched, and the seconds each
took."""


def _completion(
    out: EngineOutput, explain: bool, tolerance_severity: str | None
) -> Callable[[], Completion]:
    """What :func:`run_engine` left out of ``out``: the attacks out of scope explained (with
    ``explain``) and the tolerance search (with a ``tolerance_severity``), in that order, as
    the run makes them (they read its closure and leave it as they found it)."""

    def complete() -> Completion:
        t0 = perf_counter()
        unmet = out_of_scope(out.closure) if explain else out.out_of_scope
        t1 = perf_counter()
        found = out.assumptions
        if tolerance_severity is not None:
            found = tolerance(out, tolerance_severity)
        return unmet, found, t1 - t0, perf_counter() - t1

    return complete


def _completed(out: EngineOutput, done: Completion) -> EngineOutput:
    unmet, found, explaining, searching = done
    timings = {
        **out.timings,
        "threats": out.timings["threats"] + explaining,
        "assumptions": out.timings["assumptions"] + searching,
    }
    return replace(out, out_of_scope=unmet, assumptions=found, timings=timings)


def _beside(
    out: EngineOutput,
    workers: int | None,
    routed: Waiter | None,
    explain: bool,
    tolerance_severity: str | None,
) -> Attributed:
    """Start the reruns that attribute ``out`` and what the run left out of it (its attacks
    out of scope explained with ``explain``, its tolerance search with a
    ``tolerance_severity``: :func:`_completion`): in worker processes for a big model, forked
    once its threats are proved, so that they inherit the tables its closure's joins built
    (rule shapes, static conditions, narrowed candidates: engine/matching.py) and run beside
    what follows (the decoding, the inherent run); its route reruns too, unless they were
    started beside its closure already (``routed`` waits for them). How to wait for them: the
    attribution, and ``out`` completed."""
    todo, finish = attribution_jobs(out, routes=routed is None)
    rest = explain or tolerance_severity is not None
    # what the run left first: with the needs bisection, the longest jobs
    first = [_completion(out, explain, tolerance_severity)] if rest else []
    waiting = _start(workers, out, [*first, *todo])

    def attributed() -> tuple[Attribution, EngineOutput]:
        results = waiting()
        done = out
        if rest:
            found, *results = results
            assert isinstance(found, tuple)
            done = _completed(out, found)
        if routed is not None:
            results = [*routed(), *results]
        return finish(results), done

    return attributed


def could_differ(residual: Scores, without: EngineOutput) -> frozenset[str] | None:
    """The threats of the run without controls whose attributed score could differ from their
    residual one: those the residual run does not report, and those whose score by the route's
    cost alone is above their residual score. The routes and needs only lower a score (each of
    their factors is at most 1), so any other threat scores at most its residual score without
    controls too: not a difference (:func:`differences`), whatever its routes and needs, or
    whether a noise rule drops it. None (every threat) when the vocabulary gives a route factor
    above 1."""
    sev = without.compiled.vocab.severity
    _free, per_step, floor = sev.length
    if max(sev.assumptions, per_step, floor) > 1.0:
        return None
    return frozenset(
        tid
        for tid, bound in threat_scores(without).items()
        if tid not in residual or bound > residual[tid]
    )


def _scores(run: Readout) -> dict[str, float]:
    return {f.id: f.severity.score for f in run.threats}


def threats(model: SystemModel, kb: KnowledgeBase, *, workers: int | None = None) -> Readout:
    """One run of ``model`` as declared, for its threats alone (no tolerance search, no
    matrix), attributed like the report's (so the same noise rules apply): what the planner
    needs of each candidate plan."""
    out = run_engine(model, kb, assumptions=False)
    todo, finish = attribution_jobs(out)
    return read(out, finish(_pool(workers, out)(todo)), full=False)
