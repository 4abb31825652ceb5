"""Every engine run one analysis takes, in one place.

:func:`analyse` runs the model as declared (the residual view), then, when implemented controls
are in force, without them (the inherent view): the inherent threats it lacks or rates lower are
what the controls remove or lower. To credit each control it then reruns the model without some
implemented controls (:func:`counterfactual`): a control is credited with a threat when the
analysis without it alone brings the threat back or raises its score again. Everything is handed
back decoded (:class:`Analysis`); the results layer turns it into credited controls and reasons.

Which controls to try alone depends on what each control acts on in the inherent chains, which
the results layer reads (``Screen``); controls that cannot change anything alone need no rerun.
Controls only take capabilities away, so the analysis without a group of controls shows every
change that removing any one of them shows: the other controls are tried together, and a group
is split in halves only while its run changes something. Above :data:`MAX_COUNTERFACTUAL`
implemented controls the reruns would cost too much, and the credit goes by what each control
touches (``attribution`` ``touch``).

:func:`threats` is the single run the planner takes per candidate plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from time import perf_counter

from actm.engine.analysis import run_engine
from actm.engine.closure import Observer
from actm.engine.output import Readout, read, threat_id, threat_scores
from actm.knowledge.attacks import KnowledgeBase
from actm.model.system import SystemModel

__all__ = [
    "MAX_COUNTERFACTUAL",
    "Analysis",
    "ControlRuns",
    "Counterfactual",
    "Screen",
    "analyse",
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
lower): the implemented controls to remove one at a time (those acting on these threats'
chains), and those known to change nothing alone (removing them needs no run)."""


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
) -> Counterfactual:
    """Remove implemented controls and see which threats of ``diff`` come back.

    ``controls`` are the implemented controls, ``diff`` the threats they remove or lower (from
    :func:`differences`), and ``run`` analyses the model without the given controls. ``alone``
    are tried one by one; ``skip`` are known to change nothing alone and are not tried. The
    others are tried together, and every group whose run changes something is split in halves,
    level by level: each level's runs are one loop, independent of each other.
    """
    if not diff:
        return Counterfactual()
    skipped = set(skip)
    wanted = set(alone)
    first = [c for c in controls if c in wanted and c not in skipped]
    rest = [c for c in controls if c not in set(first) and c not in skipped]
    level: list[tuple[tuple[str, ...], int]] = [((c,), -1) for c in first]
    if rest:
        level.append((tuple(rest), -1))
    necessary: dict[str, set[str]] = {}
    split: list[tuple[tuple[str, ...], set[str], set[str]]] = []
    """Groups split in halves: (group, what its run changed, what its halves' runs changed)."""
    runs = 0
    while level:
        changes = []
        for group, _parent in level:  # the reruns
            scores = run(frozenset(group))
            changes.append({t for t, kept in diff.items() if scores.get(t, -1.0) > kept})
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


@dataclass(frozen=True)
class ControlRuns:
    """What the model's implemented controls change, from the runs without them."""

    inherent: Readout
    """The run without controls, with only the threats the controls remove or lower."""
    differences: Mapping[str, float]
    """Those threats' ids -> their residual score (-1 when the controls remove them)."""
    attribution: str
    """counterfactual (``credit`` holds what the reruns showed) or touch (no reruns)."""
    credit: Counterfactual


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
) -> Analysis:
    """Analyse ``model``: the residual run and, when implemented controls are in force and
    ``controls`` is true, the inherent run and the reruns that credit each control (ordered by
    ``screen``; without it every control is tried in the bisection)."""
    out = run_engine(
        model, kb, apply_controls=controls, tolerance_severity=tolerance_severity, observer=observer
    )
    t0 = perf_counter()
    residual = read(out)
    timings = dict(out.timings)
    timings["read"] = perf_counter() - t0
    implemented = [ctl.id for ctl in model.controls if ctl.status == "implemented"]
    if not controls or not implemented:
        return Analysis(residual, None, timings)
    t0 = perf_counter()
    without = run_engine(model, kb, apply_controls=False, assumptions=False)
    timings["inherent"] = perf_counter() - t0
    t0 = perf_counter()
    diff = differences(threat_scores(out), threat_scores(without))
    inherent = read(without, only=diff, full=False)  # chains only for what the controls change
    del out, without
    attribution = "counterfactual" if len(implemented) <= MAX_COUNTERFACTUAL else "touch"
    credit = Counterfactual()
    if attribution == "counterfactual" and diff:
        alone, skip = screen(residual, inherent) if screen is not None else ((), ())

        def wanted(attack: str, binding: tuple[str, ...]) -> bool:
            return threat_id(attack, binding) in diff

        def rerun(excluded: frozenset[str]) -> Scores:
            return threat_scores(
                run_engine(model, kb, assumptions=False, exclude_controls=excluded, select=wanted)
            )

        credit = counterfactual(implemented, diff, rerun, alone=alone, skip=skip)
    timings["counterfactual"] = perf_counter() - t0
    timings["counterfactual_runs"] = float(credit.runs)
    return Analysis(residual, ControlRuns(inherent, diff, attribution, credit), timings)


def threats(model: SystemModel, kb: KnowledgeBase) -> Readout:
    """One run of ``model`` as declared, for its threats alone (no tolerance search, no
    matrix): what the planner needs of each candidate plan."""
    return read(run_engine(model, kb, assumptions=False), full=False)
