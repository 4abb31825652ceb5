"""One analysis run: compile, close, match, assess, explain out-of-scope, quantify assumptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from time import perf_counter

from actm.engine.assumptions import AssumptionOutcome, analyse_assumptions
from actm.engine.closure import Closure, Observer
from actm.engine.compiled import Compiled, compile_model
from actm.engine.matching import Match
from actm.engine.provenance import proof
from actm.engine.scope import Unmet, out_of_scope
from actm.engine.severity import Assessment, assess
from actm.engine.wording import Wording
from actm.knowledge.attacks import KnowledgeBase
from actm.model.system import SystemModel

__all__ = ["EngineOutput", "run_engine", "threat_roots", "tolerance"]


@dataclass
class EngineOutput:
    compiled: Compiled
    closure: Closure
    matches: list[Match]
    proofs: list[list[int]]
    out_of_scope: list[Unmet]
    assumptions: dict[str, AssumptionOutcome]
    timings: dict[str, float]
    """Seconds per stage: compile, closure (propagation), matching (attack joins inside the
    closure), threats (proofs, out of scope), assumptions."""
    wording: Wording
    """How the run's chain steps read (rules.yaml, checked against the engine's rules)."""

    @cached_property
    def assessments(self) -> list[Assessment]:
        """Each threat's severity with the most likely route's cost alone, in match order:
        rated when first asked for (an attributed reading rates each threat with its routes
        instead, so a run read that way never needs these)."""
        c, store = self.compiled, self.closure.store
        return [assess(c, store, m, p) for m, p in zip(self.matches, self.proofs, strict=True)]


def threat_roots(m: Match) -> list[int]:
    """The facts a threat's chain is read from: what met its requirements."""
    return [k for k in m.premises if k >= 0]


def _severity_level(cl: Closure, m: Match) -> str:
    """The level the tolerance search rates a threat at: by its impact alone."""
    return assess(cl.c, cl.store, m, proof(cl.store, threat_roots(m)), route=False).level


def run_engine(
    model: SystemModel,
    kb: KnowledgeBase,
    *,
    apply_controls: bool = True,
    tolerance_severity: str = "high",
    observer: Observer | None = None,
    assumptions: bool = True,
    exclude_controls: frozenset[str] = frozenset(),
    select: Callable[[str, tuple[str, ...]], bool] | None = None,
    compiled: Compiled | None = None,
    explain: bool = True,
) -> EngineOutput:
    """Analyse ``model``. ``apply_controls=False`` ignores its controls (the inherent view);
    ``exclude_controls`` ignores only those implemented controls (a counterfactual view);
    ``assumptions=False`` skips the tolerance search. With ``select``, only the threats whose
    attack id and binding it accepts are kept (with their proofs and severities) and attacks
    out of scope are not explained: for runs that only need a few threats' scores.
    ``compiled``: ``model`` compiled already with these options (by the caller). Without
    ``assumptions`` the run's ``assumptions`` are empty (:func:`tolerance` gives them); without
    ``explain`` its ``out_of_scope`` (:func:`actm.engine.scope.out_of_scope` gives them)."""
    timings: dict[str, float] = {}
    t0 = perf_counter()
    if compiled is None:
        compiled = compile_model(
            model, kb, apply_controls=apply_controls, exclude_controls=exclude_controls
        )
    wording = Wording(compiled.vocab.wording)
    closure = Closure(compiled, observer)
    timings["compile"] = perf_counter() - t0
    t0 = perf_counter()
    closure.run()
    total = perf_counter() - t0
    # attack joins run inside the fixpoint; the matcher times them separately
    timings["closure"] = total - closure.matcher.elapsed
    timings["matching"] = closure.matcher.elapsed
    t0 = perf_counter()
    matches = list(closure.matcher.matches)
    if select is not None:
        rules = compiled.rules
        matches = [m for m in matches if select(rules[m.rule].attack.id, m.binding)]
    proofs = [proof(closure.store, threat_roots(m)) for m in matches]
    unmet = out_of_scope(closure) if select is None and explain else []
    timings["threats"] = perf_counter() - t0
    out = EngineOutput(compiled, closure, matches, proofs, unmet, {}, timings, wording)
    if assumptions:
        t0 = perf_counter()
        out.assumptions = tolerance(out, tolerance_severity)
        timings["assumptions"] = perf_counter() - t0
    else:
        timings["assumptions"] = 0.0
    return out


def tolerance(out: EngineOutput, tolerance_severity: str) -> dict[str, AssumptionOutcome]:
    """The tolerance search of each third-party assumption of a run (engine/assumptions.py):
    what it leaves of the closure as it found it (each search is rolled back), so it may also
    run in a worker process forked from this one, beside the reruns of the run."""
    c, closure, matches, proofs = out.compiled, out.closure, out.matches, out.proofs
    return analyse_assumptions(
        closure,
        proofs,
        _severity_level,
        tolerance_severity,
        lambda i: assess(c, closure.store, matches[i], proofs[i], route=False).level,
    )
