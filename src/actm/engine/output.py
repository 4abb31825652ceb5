"""Where the engine's integer facts become readable values: what the results layer receives.

An engine run (:class:`~actm.engine.analysis.EngineOutput`) holds facts as ints, derivations as
back-pointers and threats as matches against compiled rules. :func:`read` turns one run into a
:class:`Readout`: frozen records of strings, numbers and tuples (threats with their decoded
chains, severities and the seeds they rest on; the capability matrix; assumption outcomes with
threat ids; attacks out of scope). Nothing above the engine needs to know how a fact is encoded.
Each chain step's wording comes from ``vocabulary/rules.yaml`` (:mod:`actm.engine.wording`).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from actm.engine.analysis import EngineOutput
from actm.engine.attribution import Attribution
from actm.engine.chain import ChainStep, RootCause, Route
from actm.engine.compiled import Compiled
from actm.engine.decoding import Decoded, Decoder
from actm.engine.links import Enabling, Linked, Links, enabling, links, root_cause
from actm.engine.parallel import beside
from actm.engine.provenance import proof, seeds_in
from actm.engine.reader import Reader
from actm.engine.scope import Unmet
from actm.engine.severity import Assessment, Path, accepted, assess
from actm.engine.verdict import Verdict, chain_discarded, judge, noise
from actm.knowledge.attacks import AttackPattern, KnowledgeBase
from actm.model.system import SystemModel
from actm.records import quick_init
from actm.terms import PIPELINES

__all__ = [
    "Assessment",
    "AssumptionOutcome",
    "CapabilityCells",
    "Cell",
    "ChainStep",
    "Finding",
    "Judged",
    "Readout",
    "Unmet",
    "capability_matrix",
    "explain",
    "judge_all",
    "judging",
    "read",
    "threat_id",
    "threat_scores",
]


def threat_id(attack: str, binding: Sequence[str]) -> str:
    """The stable id of a threat: its attack and bound elements, never positions."""
    return "@".join((attack, *binding))


@quick_init
@dataclass(frozen=True, slots=True)
class Finding:
    """One threat of a run, decoded."""

    id: str
    pattern: AttackPattern
    bindings: tuple[tuple[str, str], ...]
    """(variable, element) for every variable of the attack, in its order ("" when unbound)."""
    chain: tuple[ChainStep, ...]
    """From what the model declares to what the attack yields."""
    severity: Assessment
    assets: tuple[str, ...]
    """The assets it binds and the one it impacts, sorted."""
    asset_types: frozenset[str]
    """The types of the assets it binds and of those its chain passes through."""
    adversaries: tuple[str, ...]
    """The entry points of its routes (or those that must cooperate), sorted; never empty when
    the run was attributed."""
    vulnerabilities: tuple[str, ...]
    assumptions: tuple[str, ...]
    """The assumptions its shown chain uses, sorted (as the other two)."""
    cited: tuple[int, ...] = ()
    """Indices of the entry's conditional citations (``references_when``) that its binding
    and shown chain show."""
    routes: tuple[Route, ...] = ()
    """Per entry point that closes it alone, its shortest chain; most realistic first."""
    cooperation: tuple[str, ...] = ()
    """When no entry point closes it alone: those its shown chain needs together."""
    rests_on: tuple[str, ...] = ()
    """The assumptions it does not close without (counterfactually, unless the attribution
    says ``proof``)."""
    unjustified: tuple[str, ...] = ()
    """Those of ``rests_on`` that are unjustified."""
    accepted_by: tuple[str, ...] = ()
    """For accepted risk: the justified assumptions its shown chain uses."""
    root_cause: RootCause | None = None
    enables: tuple[str, ...] = ()
    """The threats whose shown chains use what this one's attack yields."""
    enabled_by: tuple[str, ...] = ()
    priority: str = "info"
    """The worst severity among itself and the threats it enables, directly or not."""
    hypothetical: bool = False
    """It needs a weakness a hypothesis posits (its chain rests on one)."""


class Cell(NamedTuple):
    """The strongest capability of one class reached on an asset in one pipeline."""

    pipeline: str
    capability_class: str
    capability: str
    persistent: bool


@dataclass(frozen=True, slots=True)
class CapabilityCells:
    """One row of the capability matrix: the cells reached, by pipeline then class order."""

    asset: str
    type: str
    model: str | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class AssumptionOutcome:
    id: str
    dependent: tuple[str, ...]
    """Ids of the threats whose chain rests on the assumption, sorted."""
    tolerance: str | None
    """Strongest tolerated upstream capability, 'none' if even the weakest is not tolerated,
    None when the assumption names no asset the engine knows."""
    threshold: str


@dataclass(frozen=True)
class Readout:
    """One engine run in readable values."""

    model: SystemModel
    kb: KnowledgeBase
    threats: tuple[Finding, ...]
    """In the order the engine found them."""
    justified_by: Mapping[str, tuple[str, ...]]
    """Assumption id -> the implemented controls that justify it."""
    facts: int
    timings: Mapping[str, float]
    out_of_scope: tuple[Unmet, ...] = ()
    capabilities: tuple[CapabilityCells, ...] = ()
    """Sorted by asset."""
    assumptions: Mapping[str, AssumptionOutcome] = field(default_factory=dict)
    """By assumption id; empty when the run skipped the tolerance search."""
    dropped: tuple[tuple[str, str], ...] = ()
    """(threat id, noise rule) of the threats the noise rules leave out, by id."""
    attribution: Attribution = field(default_factory=Attribution)
    """How the routes and needs were found (empty when they were not)."""
    noise_chains: tuple[str, ...] = ()
    """Ids of the reported threats whose shown chain is a route the route rules discard
    (engine/verdict.py ``chain_discarded``): the planner breaks their other routes instead."""


@dataclass(frozen=True)
class Judged:
    """A run's threats judged (routes and needs, final severity, noise rules), not decoded yet:
    what :func:`read` decodes, and enough to compare runs by score."""

    kept: tuple[tuple[Linked, Assessment, Verdict], ...]
    """The reported threats, in the order the engine found them."""
    dropped: tuple[tuple[str, str], ...]
    """(threat id, noise rule), by id."""
    noise_chains: tuple[str, ...] = ()
    """Ids of the reported threats whose shown chain is a route the route rules discard."""
    indices: tuple[int, ...] = ()
    """Each reported threat's position among the run's matches (as ``kept``)."""
    enabling: Enabling | None = field(default=None, compare=False, repr=False)
    """Which of them enable which (engine/links.py :func:`enabling`), when the judging worker
    worked it out already (:func:`judging`)."""

    def scores(self) -> dict[str, float]:
        """Threat id -> severity score of the reported threats."""
        return {t.id: a.score for t, a, _v in self.kept}


def judge_all(
    out: EngineOutput,
    attribution: Attribution | None = None,
    *,
    only: Container[str] | None = None,
    decoded: Sequence[Decoded] | None = None,
    aside: float = 0.0,
) -> Judged:
    """Each threat of ``out`` (only those with an id in ``only``, if given) judged: with the
    run's ``attribution`` (engine/attribution.py) its verdict, its final severity and the
    noise rules (engine/verdict.py); without, its severity counts the most likely route's cost
    alone. ``decoded``: every match decoded already (:func:`decode_all`), whose seeds are
    read instead of worked out again. ``aside``: the share judged in a worker
    (:func:`judging`)."""
    return judging(out, attribution, only=only, decoded=decoded, aside=aside)()


def judging(
    out: EngineOutput,
    attribution: Attribution | None = None,
    *,
    only: Container[str] | None = None,
    decoded: Sequence[Decoded] | None = None,
    aside: float = 0.0,
) -> Callable[[], Judged]:
    """:func:`judge_all`, with ``aside``, the share of the matches (the last ones) judged in
    a worker process forked now (engine/parallel.py): the others are judged here before this
    returns, and what it returns waits for the worker's (the caller may do other work
    meanwhile). A threat's judgement depends only on its match, the run and the attribution,
    so it is the same in either process; the worker sends back each threat's severity and its
    verdict without the routes, which are the attribution's (:func:`_received`)."""
    att = attribution or Attribution()
    n = len(out.matches)
    split = n - int(n * aside)
    if split >= n:
        judged = _judged(out, att, _judge_range(out, att, only, decoded, 0, n))
        return lambda: judged
    guess = only is None

    def aside_job() -> tuple[list[_Sent], Enabling | None]:
        theirs = _judge_range(out, att, only, decoded, split, n)
        # which threats enable which, for every threat: right if none is dropped (which this
        # process cannot know of the others; it does not try once one of its own is)
        every = guess and all(not reason for _i, _t, reason, _a, _v, _d in theirs)
        return _sent(theirs), _every_enabling(out) if every else None

    first, later = beside(aside_job, lambda: _judge_range(out, att, only, decoded, 0, split))

    def wait() -> Judged:
        rest, found = later()
        judged = _judged(out, att, [*first, *_received(out, att, rest)])
        if found is None or len(judged.kept) != n:
            return judged
        return replace(judged, enabling=found)

    return wait


def _every_enabling(out: EngineOutput) -> Enabling:
    """:func:`enabling` of every match of ``out``: which threats enable which when every
    threat is reported (the levels are not read)."""
    c = out.compiled
    every = [
        Linked(threat_id(c.rules[m.rule].attack.id, m.binding), m, keys, "")
        for m, keys in zip(out.matches, out.proofs, strict=True)
    ]
    return enabling(c, out.closure.store, every)


_Judgement = tuple[int, str, str, Assessment, Verdict, bool]
"""One match judged: its position, threat id, the noise rule that drops it ('' when it is
reported), its severity and verdict, and whether its shown chain is discarded."""

_Names = tuple[str, ...]
_Sent = tuple[
    int,
    str,
    Assessment,
    tuple[_Names, _Names, _Names, _Names, _Names, tuple[int | None, bool, int]],
    bool,
]
"""A :data:`_Judgement` as a worker sends it: no id, and the verdict without its routes."""


def _judge_range(
    out: EngineOutput,
    att: Attribution,
    only: Container[str] | None,
    decoded: Sequence[Decoded] | None,
    start: int,
    stop: int,
) -> list[_Judgement]:
    """The matches of ``out`` from ``start`` to ``stop`` (those with an id in ``only``)
    judged, in their order."""
    c = out.compiled
    store = out.closure.store
    matches, proofs = out.matches, out.proofs
    found: list[_Judgement] = []
    for i in range(start, stop):
        m, keys = matches[i], proofs[i]
        tid = threat_id(c.rules[m.rule].attack.id, m.binding)
        if only is not None and tid not in only:
            continue
        seeds = decoded[i].seeds if decoded is not None else seeds_in(store, keys)
        verdict = judge(c, tid, seeds, accepted(m), att)
        a = assess(c, store, m, keys, verdict.path) if att.computed else out.assessments[i]
        impact = c.rules[m.rule].attack.impact
        classes = impact.classes if impact is not None else (a.cls,)
        alone = c.rules[m.rule].attack.one_adversary
        binding = tuple(m.binding)
        reason = noise(c, tid, classes, verdict, a, att, binding, one_adversary=alone)
        discarded = not reason and chain_discarded(c, seeds, tid, classes, verdict, a, att, binding)
        found.append((i, tid, reason, a, verdict, discarded))
    return found


def _sent(judged: list[_Judgement]) -> list[_Sent]:
    """What a worker sends back of its judgements (:func:`_received` rebuilds them)."""
    return [
        (
            i,
            reason,
            a,
            (
                v.cooperation,
                v.adversaries,
                v.rests_on,
                v.unjustified,
                v.accepted_by,
                (v.path.steps, v.path.cooperation, v.path.unjustified),
            ),
            discarded,
        )
        for i, _tid, reason, a, v, discarded in judged
    ]


def _received(out: EngineOutput, att: Attribution, sent: list[_Sent]) -> list[_Judgement]:
    """The judgements a worker sent (:func:`_sent`), with their ids and the routes the
    attribution gives them, as they were made there."""
    c = out.compiled
    matches = out.matches
    routes = att.routes
    found: list[_Judgement] = []
    for i, reason, a, (coop, adversaries, rests_on, unjustified, accepted_by, path), gone in sent:
        m = matches[i]
        tid = threat_id(c.rules[m.rule].attack.id, m.binding)
        verdict = Verdict(
            routes.get(tid, ()), coop, adversaries, rests_on, unjustified, accepted_by, Path(*path)
        )
        found.append((i, tid, reason, a, verdict, gone))
    return found


def _judged(out: EngineOutput, att: Attribution, judged: list[_Judgement]) -> Judged:
    kept: list[tuple[Linked, Assessment, Verdict]] = []
    dropped: list[tuple[str, str]] = []
    noise_chains: list[str] = []
    indices: list[int] = []
    matches, proofs = out.matches, out.proofs
    for i, tid, reason, a, verdict, discarded in judged:
        if reason:
            dropped.append((tid, reason))
            continue
        if discarded:
            noise_chains.append(tid)
        kept.append((Linked(tid, matches[i], proofs[i], a.level), a, verdict))
        indices.append(i)
    return Judged(tuple(kept), tuple(sorted(dropped)), tuple(sorted(noise_chains)), tuple(indices))


def read(
    out: EngineOutput,
    attribution: Attribution | None = None,
    *,
    only: Container[str] | None = None,
    full: bool = True,
    judged: Judged | None = None,
    decode: Container[str] | None = None,
    decoded: Sequence[Decoded] | None = None,
    matrix: tuple[CapabilityCells, ...] | None = None,
) -> Readout:
    """The readable values of ``out``: its threats (only those with an id in ``only``, if
    given) and, with ``full``, the capability matrix, assumption outcomes and out-of-scope
    attacks too. The threats are judged as :func:`judge_all` says (``judged``, when the caller
    has judged them already with the same ``attribution`` and ``only``). With ``decode``, only
    the threats whose id it holds are decoded and listed; the others still count in what the
    listed ones enable and in the assumptions' outcomes. ``decoded``: every match of ``out``
    decoded already (engine/decoding.py :func:`decode_all`), in their order; ``matrix``: its
    capability matrix made already (:func:`capability_matrix`)."""
    c = out.compiled
    store = out.closure.store
    att = attribution or Attribution()
    j = judged if judged is not None else judge_all(out, att, only=only)
    found = links(c, store, [t for t, _a, _v in j.kept], j.enabling)
    if decoded is not None:
        at: Callable[[int], Decoded] = decoded.__getitem__
    else:
        decoder = Decoder(out)

        def at(i: int) -> Decoded:
            return decoder(out.matches[i], out.proofs[i])

    threats = tuple(
        _finding(c, t, a, verdict, found, at(i))
        for (t, a, verdict), i in zip(j.kept, j.indices, strict=True)
        if decode is None or t.id in decode
    )
    justified = {k: tuple(v) for k, v in c.justified_by.items()}
    common = (c.model, c.kb, threats, justified, len(store.keys), out.timings)
    if not full:
        return Readout(*common, dropped=j.dropped, noise_chains=j.noise_chains)
    return Readout(
        *common,
        tuple(out.out_of_scope),
        capability_matrix(out) if matrix is None else matrix,
        _outcomes(out, j, att),
        j.dropped,
        att,
        j.noise_chains,
    )


def _outcomes(out: EngineOutput, judged: Judged, att: Attribution) -> dict[str, AssumptionOutcome]:
    """Each assumption's outcome, its dependent threats being the reported ones that rest on
    it (or, without an attribution, whose chain uses it)."""
    c = out.compiled
    ids = [threat_id(c.rules[m.rule].attack.id, m.binding) for m in out.matches]
    reported = {t.id for t, _a, _v in judged.kept}
    resting: dict[str, set[str]] = {}
    for t, _a, verdict in judged.kept:
        for aid in verdict.rests_on:
            resting.setdefault(aid, set()).add(t.id)
    out_: dict[str, AssumptionOutcome] = {}
    for aid, o in out.assumptions.items():
        if att.computed:
            dependent = tuple(sorted(resting.get(aid, ())))
        else:
            dependent = tuple(sorted({ids[i] for i in o.dependent} & reported))
        out_[aid] = AssumptionOutcome(aid, dependent, o.tolerance, o.threshold)
    return out_


def threat_scores(out: EngineOutput) -> dict[str, float]:
    """Threat id -> severity score for one run, without reading chains (the highest score when
    two matches share an id)."""
    c = out.compiled
    scores: dict[str, float] = {}
    for m, a in zip(out.matches, out.assessments, strict=True):
        if a.moot:
            continue
        tid = threat_id(c.rules[m.rule].attack.id, m.binding)
        scores[tid] = max(a.score, scores.get(tid, -1.0))
    return scores


def explain(out: EngineOutput, target: str, capability: str) -> tuple[ChainStep, ...] | None:
    """The chain behind a capability on ``target`` (an asset or ``asset.component`` id).

    Returns the chain of the first fact found (a shortest derivation) that gives ``capability``
    or a stronger capability of its class, or None if the adversary does not reach it.
    """
    c = out.compiled
    store = out.closure.store
    try:
        t = c.target_name.index(target)
        cap = c.cap_index[capability]
    except (ValueError, KeyError):
        return None
    key = store.holds(t, c.stronger_mask[cap], False)
    if key < 0:
        return None
    return Reader(c, store, out.wording).chain(proof(store, [key]))


def _finding(
    c: Compiled,
    t: Linked,
    a: Assessment,
    verdict: Verdict,
    found: Links,
    d: Decoded,
) -> Finding:
    """One reported threat, from its match ``d`` decoded, with its attribution (``verdict``)
    and what it enables and is enabled by (``found``)."""
    tid, m = t.id, t.match
    attack = c.rules[m.rule].attack
    return Finding(
        id=tid,
        pattern=attack,
        bindings=tuple(zip(attack.variables, m.full_binding, strict=True)),
        chain=d.chain,
        severity=a,
        assets=tuple(sorted(d.bound | {a.asset_id})),
        asset_types=d.asset_types,
        adversaries=verdict.adversaries or d.adversaries,
        vulnerabilities=d.vulnerabilities,
        assumptions=d.assumptions,
        cited=d.cited,
        routes=verdict.routes,
        cooperation=verdict.cooperation,
        rests_on=verdict.rests_on if verdict.routes or verdict.rests_on else (),
        unjustified=verdict.unjustified,
        accepted_by=verdict.accepted_by,
        root_cause=root_cause(c.model, _entry(verdict, d.adversaries), d.chain),
        enables=found.enables.get(tid, ()),
        enabled_by=found.enabled_by.get(tid, ()),
        priority=found.priority.get(tid, a.level),
        hypothetical=d.hypothetical,
    )


def _entry(verdict: Verdict, adversaries: tuple[str, ...]) -> str:
    """The entry point a threat's root cause names: its most realistic route's, else those
    that must cooperate, else its adversaries'."""
    if verdict.routes:
        return verdict.routes[0].adversary
    if verdict.cooperation:
        return " + ".join(verdict.cooperation)
    return " + ".join(verdict.adversaries or adversaries)


def capability_matrix(out: EngineOutput) -> tuple[CapabilityCells, ...]:
    """Per asset of ``out``'s model, the strongest capability of each class its closure
    reaches in each pipeline (preferring a persistent change at equal strength)."""
    c = out.compiled
    store = out.closure.store
    rows: list[CapabilityCells] = []
    classes = c.vocab.classes
    rank = c.vocab.capability_rank
    for ai, asset_id in enumerate(c.asset_ids):
        best: dict[tuple[int, str], tuple[int, int, int]] = {}
        keys = [k for t in c.whole_targets(ai) for k in store.by_target.get(t, ())]
        for k in keys:
            f = store.decode(k)
            cls = c.cap_class[f.capability]
            cand = (rank[c.caps[f.capability]], 0 if f.persistent else 1, f.capability)
            cur = best.get((f.pipeline, cls))
            if cur is None or cand < cur:
                best[(f.pipeline, cls)] = cand
        cells = tuple(
            Cell(PIPELINES[pipe], cls, c.caps[b[2]], b[1] == 0)
            for pipe in (0, 1)
            for cls in classes
            if (b := best.get((pipe, cls))) is not None
        )
        asset = c.model.asset(asset_id)
        rows.append(CapabilityCells(asset_id, asset.type, asset.model, cells))
    rows.sort(key=lambda r: r.asset)
    return tuple(rows)
