"""Third-party assumptions, quantified (METHOD.md section 4).

For each assumption: the threats whose proofs rest on it, and its *tolerance*: the strongest
upstream capability (within the class of the assumed capability) at which no threat at or above
a chosen severity appears that would not appear without the assumption. That is the security
requirement to put to the supplier.

The search avoids re-running the closure where it can (METHOD.md section 8):

* Threats whose recorded proof does not use the assumption exist without it, so when no
  dependent threat reaches the threshold, every level up to the declared one is tolerated
  without any re-run.
* Stronger levels are tried by continuing the main closure (it is monotone) and rolling it back.
* Only when a dependent threat reaches the threshold is the closure re-run without the
  assumption, and then continued level by level from there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from actm.engine.closure import Closure
from actm.engine.compiled import Compiled
from actm.engine.facts import Rule
from actm.engine.matching import Match
from actm.engine.seeds import Seed, assumption_seed
from actm.engine.severity import level_rank
from actm.model.system import Assumption

__all__ = ["AssumptionOutcome", "analyse_assumptions"]

Severity = Callable[[Closure, Match], str]


@dataclass(frozen=True, slots=True)
class AssumptionOutcome:
    id: str
    dependent: tuple[int, ...]
    """Indices into the main closure's matches whose proof rests on the assumption."""
    tolerance: str | None
    """Strongest tolerated capability, 'none' if even the weakest is not tolerated, None when
    the assumption names no asset the engine knows."""
    threshold: str
    reruns: int


def _new_at_or_above(cl: Closure, since: int, severity: Severity, threshold: int) -> bool:
    """Whether a threat found after match number ``since`` reaches ``threshold``.

    A threat's severity depends only on its own proof and effects, which never change once it
    is found, so threats found earlier need no second look.
    """
    return any(level_rank(severity(cl, m)) >= threshold for m in cl.matcher.matches[since:])


@dataclass(frozen=True, slots=True)
class _Scale:
    """The capability levels an assumption's tolerance is searched over, weakest first."""

    target: int
    levels: tuple[int, ...]
    declared: int
    """Index of the declared capability in ``levels``; -1 for 'none'."""
    pipe: int
    persistent: bool

    def seed(self, c: Compiled, level: int, aid: str) -> Seed:
        cap = self.levels[level]
        return replace(assumption_seed(c, aid, cap), target=self.target, pipe=self.pipe)


def _scale(c: Compiled, a: Assumption) -> _Scale | None:
    t = c.target_of_ref(a.asset, a.component)
    if t < 0:
        return None
    cls = c.vocab.capability_class[a.capability] if a.capability else "integrity"
    levels = tuple(
        sorted(
            (i for i, name in enumerate(c.caps) if c.cap_class[i] == cls),
            key=lambda i: -c.vocab.capability_rank[c.caps[i]],
        )
    )
    declared = levels.index(c.cap_index[a.capability]) if a.capability else -1
    return _Scale(t, levels, declared, 0 if a.pipeline == "development" else 1, a.persistent)


def _search(cl: Closure, scale: _Scale, aid: str, start: int, severity: Severity, thr: int) -> int:
    """Continue ``cl`` level by level from ``start``; the last level with no new threat at or
    above the threshold (``start - 1`` if the first already has one). Leaves ``cl`` as it was."""
    mark = cl.mark()
    since = len(cl.matcher.matches)
    tolerance = start - 1
    for level in range(start, len(scale.levels)):
        cl.apply([scale.seed(cl.c, level, aid)])
        cl.saturate()
        if _new_at_or_above(cl, since, severity, thr):
            break
        tolerance = level
    cl.rollback(mark)
    return tolerance


def analyse_assumptions(
    main: Closure,
    proofs: Sequence[list[int]],
    severity: Severity,
    threshold: str,
    level_of_main: Callable[[int], str],
) -> dict[str, AssumptionOutcome]:
    """``level_of_main``: the severity level of a threat of ``main`` by its match index
    (asked only for the threats whose chain uses an assumption)."""
    c = main.c
    store = main.store
    thr = level_rank(threshold)
    # which threats rest on which assumption (capability or data sent)
    uses: dict[str, set[int]] = {}
    uses_capability: dict[str, set[int]] = {}
    for i, keys in enumerate(proofs):
        for k in keys:
            rule, via, _ = store.derivation(k)
            if rule in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS) and isinstance(via, str):
                uses.setdefault(via, set()).add(i)
                if rule == Rule.ASSUMPTION:
                    uses_capability.setdefault(via, set()).add(i)
    tolerance: dict[str, int] = {}
    reruns: dict[str, int] = {}
    scales: dict[str, _Scale] = {}
    needy: list[str] = []
    for a in c.model.assumptions:
        scale = _scale(c, a)
        if scale is None:
            continue
        scales[a.id] = scale
        if any(level_rank(level_of_main(i)) >= thr for i in uses_capability.get(a.id, ())):
            # a threat at or above the threshold rests on it: the search must start from a
            # closure without it
            needy.append(a.id)
        else:
            # threats whose proof does not use the assumption exist without it, so every level
            # up to the declared one is tolerated; stronger ones are tried on the main closure
            tolerance[a.id] = _search(main, scale, a.id, scale.declared + 1, severity, thr)
    if needy:
        # One closure with every other assumption, then the needy ones added one at a time
        # (each a cheap continuation, undone by rollback), instead of one full closure each.
        staged = Closure(c)
        staged.run(dict.fromkeys(needy))
        for k, aid in enumerate(needy):
            before = staged.mark()
            for other in needy[k + 1 :]:
                staged.apply(staged.assumption_seeds[other])
            staged.saturate()
            tolerance[aid] = _search(staged, scales[aid], aid, 0, severity, thr)
            staged.rollback(before)
            staged.apply(staged.assumption_seeds[aid])
            staged.saturate()
            reruns[aid] = 1 if k == 0 else 0
    out: dict[str, AssumptionOutcome] = {}
    for a in c.model.assumptions:
        dependent = tuple(sorted(uses.get(a.id, ())))
        if a.id not in scales:
            out[a.id] = AssumptionOutcome(a.id, dependent, None, threshold, 0)
            continue
        level = tolerance[a.id]
        name = "none" if level < 0 else c.caps[scales[a.id].levels[level]]
        out[a.id] = AssumptionOutcome(a.id, dependent, name, threshold, reruns.get(a.id, 0))
    return out
