"""What each threat needs: the groups of seeds without which it does not close.

A threat *rests on* an assumption exactly when it disappears without it (METHOD.md section 4),
and an operator is the only way to a threat when it disappears without the operator's seeds.
Both are counterfactual: the closure without a group, compared with the closure with
everything. One closure per group would cost as many full runs as there are groups; instead
(the staged technique of engine/assumptions.py, turned into a bisection):

* one closure holds every seed outside the candidate groups;
* with the groups of a set S left out (the rest added to that closure, undone by rollback
  afterwards), a threat of the full run that is missing needs some group of S. When none is
  missing, no group of S is needed by anything (leaving one out takes away less than leaving
  all out), and S is done; a set of one group gives exactly the threats that need it; a larger
  set is split in halves, each tried with the other half added back.

Only groups that something may need are candidates (the caller passes those a shown chain
uses: a threat whose chain does not use a group closes without it). Above
:data:`MAX_CANDIDATES` the caller falls back to what the chains use.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from actm.engine.closure import Closure
from actm.engine.compiled import Compiled
from actm.engine.seeds import Seed

__all__ = ["MAX_CANDIDATES", "NeedsRun", "needs"]

MAX_CANDIDATES = 64
"""Up to this many candidate groups, what each threat needs is counterfactual."""

ThreatKey = tuple[int, tuple[str, ...]]
"""(rule index, key binding) of a threat's match."""


class NeedsRun:
    """The counterfactual runs of one analysis: the closures they took."""

    def __init__(self) -> None:
        self.saturations = 0
        self.lacking: frozenset[ThreatKey] = frozenset()
        """Of the ``derived`` threats :func:`needs` was asked about, those that do not close
        without code execution derived through tools and credentials (engine/footholds.py)."""


def needs(
    c: Compiled,
    seeds: Sequence[Seed],
    groups: Mapping[str, Collection[int]],
    threats: Collection[ThreatKey],
    run: NeedsRun | None = None,
    *,
    posited: bool = True,
    derived: Collection[ThreatKey] = (),
) -> dict[str, frozenset[ThreatKey]]:
    """Group id -> the threats (of ``threats``) that do not close without it.

    ``groups`` maps each candidate group to the indices (into ``seeds``) of its seeds; a seed
    in no group is always present. Without ``posited``, the weaknesses hypotheses posit take
    no part (their seeds are left out, static conditions do not count them): what a threat the
    run finds without them needs is then exactly what it needs with hypotheses off. With
    ``derived``, the same closure first tells which of those threats do not close without the
    footholds the engine derives (``run.lacking``): it starts without them, takes every group in
    and out again, then admits them."""
    run = run or NeedsRun()
    grouped = {i for members in groups.values() for i in members}
    absent = set() if posited else {i for i, s in enumerate(seeds) if s.hypothetical}
    cl = Closure(c, lengths=True, footholds=not derived)
    if posited and cl.has_posited:  # a posited weakness meets static conditions here too
        cl.admit_posited()
    cl.apply(s for i, s in enumerate(seeds) if i not in grouped and i not in absent)
    cl.saturate()
    run.saturations += 1
    out: dict[str, frozenset[ThreatKey]] = {}
    order = sorted(groups)
    members = {name: [seeds[i] for i in sorted(groups[name]) if i not in absent] for name in order}
    if derived:
        run.lacking = _lacking(cl, [s for name in order for s in members[name]], derived)
        run.saturations += 2
    # what closes without any group needs none; the rest can only close from the matches
    # found after this closure (a rollback never goes further back)
    matches = cl.matcher.matches
    base = len(matches)
    pending = frozenset(threats) - {(m.rule, m.binding) for m in matches}

    def missing_now() -> frozenset[ThreatKey]:
        if not pending:
            return pending
        return pending - {(m.rule, m.binding) for m in matches[base:]}

    def add(names: Iterable[str]) -> None:
        cl.apply(s for name in names for s in members[name])
        cl.saturate()
        run.saturations += 1

    def solve(left_out: list[str]) -> None:
        missing = missing_now()
        if not missing or not left_out:
            return
        if len(left_out) == 1:
            out[left_out[0]] = missing
            return
        half = len(left_out) // 2
        for kept, dropped in (
            (left_out[half:], left_out[:half]),
            (left_out[:half], left_out[half:]),
        ):
            mark = cl.mark()
            add(kept)
            solve(dropped)
            cl.rollback(mark)

    solve(order)
    return {name: out[name] for name in order if name in out}


def _lacking(
    cl: Closure, rest: Sequence[Seed], derived: Collection[ThreatKey]
) -> frozenset[ThreatKey]:
    """Of ``derived``, the threats that do not close in ``cl`` (built without the footholds the
    engine derives) with the seeds ``rest`` added; then ``rest`` is taken out again and the
    footholds admitted, which leaves ``cl`` what a closure with them would be."""
    mark = cl.mark()
    cl.apply(rest)
    cl.saturate()
    closed = {(m.rule, m.binding) for m in cl.matcher.matches}
    cl.rollback(mark)
    cl.admit_footholds()
    cl.saturate()
    return frozenset(k for k in derived if k not in closed)
