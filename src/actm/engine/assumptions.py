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
from dataclasses import dataclass

from actm.engine.closure import Closure, Seed
from actm.engine.facts import Rule
from actm.engine.matching import Match
from actm.engine.severity import level_rank

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


def analyse_assumptions(
    main: Closure,
    proofs: Sequence[list[int]],
    severity: Severity,
    threshold: str,
    levels_of_main: Sequence[str],
) -> dict[str, AssumptionOutcome]:
    """``levels_of_main``: the severity level of each threat of ``main``, in match order."""
    c = main.c
    store = main.store
    thr = level_rank(threshold)
    out: dict[str, AssumptionOutcome] = {}
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
    for a in c.model.assumptions:
        dependent = tuple(sorted(uses.get(a.id, ())))
        t = c.target_of_ref(a.asset, a.component)
        if t < 0:
            out[a.id] = AssumptionOutcome(a.id, dependent, None, threshold, 0)
            continue
        cls = c.vocab.capability_class[a.capability] if a.capability else "integrity"
        # weakest first
        levels = sorted(
            (i for i, name in enumerate(c.caps) if c.cap_class[i] == cls),
            key=lambda i: -c.vocab.capability_rank[c.caps[i]],
        )
        declared = levels.index(c.cap_index[a.capability]) if a.capability else -1
        pipe = 0 if a.pipeline == "development" else 1

        def seed(
            level: int,
            aid: str = a.id,
            target: int = t,
            p: int = pipe,
            persistent: bool = a.persistent,
            order: list[int] = levels,
        ) -> Seed:
            cap = order[level]
            return Seed(target, cap, persistent and c.integrity[cap], p, Rule.ASSUMPTION, aid)

        high_dependent = [
            i for i in uses_capability.get(a.id, ()) if level_rank(levels_of_main[i]) >= thr
        ]
        reruns = 0
        if not high_dependent:
            # every level up to the declared one is tolerated; try stronger ones on main
            tolerance = declared
            mark = main.mark()
            since = len(main.matcher.matches)
            for level in range(declared + 1, len(levels)):
                main.apply([seed(level)])
                main.saturate()
                if _new_at_or_above(main, since, severity, thr):
                    break
                tolerance = level
            main.rollback(mark)
        else:
            reruns = 1
            base = Closure(c)
            base.run({a.id: None})
            since = len(base.matcher.matches)
            tolerance = -1
            for level in range(len(levels)):
                base.apply([seed(level)])
                base.saturate()
                if _new_at_or_above(base, since, severity, thr):
                    break
                tolerance = level
        name = "none" if tolerance < 0 else c.caps[levels[tolerance]]
        out[a.id] = AssumptionOutcome(a.id, dependent, name, threshold, reruns)
    return out
