"""``actm plan``: the cheapest controls that take every threat at or above ``--target`` out of
scope."""

from __future__ import annotations

from typing import Annotated

import typer

from actm.cli.common import (
    DebugOpt,
    FileArg,
    HypothesesOpt,
    KnowledgeOpt,
    Level,
    MaxAliasOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    MaxElementsOpt,
    OutputOpt,
    PlanFormat,
    TodayOpt,
    TriageOpt,
    emit,
    guard,
    limits,
    load,
    parse_today,
    pick,
)
from actm.render.formats import PLAN_FORMATS

CATALOG_DOC = "docs/planning.md#the-control-catalog"
"""Where the control catalog's entries are described (``--cost`` names them)."""


def _costs(pairs: list[str], known: set[str]) -> dict[str, float]:
    """``--cost ID=N`` pairs as control id -> cost, for catalog controls only."""
    from actm.errors import UsageError
    from actm.io.diagnose import closest
    from actm.model.schema import MAX_COST

    out: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            number = float(value) if sep else -1.0
        except ValueError:
            number = -1.0
        if not sep or not 0 <= number <= MAX_COST:
            raise UsageError(
                f"--cost {pair!r}: write ID=N with N a number from 0 to {MAX_COST:,.0f}"
            )
        if name not in known:
            # the catalog is not in the model schema: name its ids, or the closest, and its page
            close = closest(name, known)
            hint = (
                f"did you mean {close!r}? The catalog is in {CATALOG_DOC}"
                if close is not None
                else f"the catalog's ids: {', '.join(sorted(known)) or 'none'}; see {CATALOG_DOC}"
            )
            raise UsageError(f"--cost {pair!r}: no catalog control {name!r} ({hint})")
        out[name] = number
    return out


def plan(
    file: FileArg,
    target: Annotated[
        Level,
        typer.Option("--target", help="Take every threat at or above this severity out of scope."),
    ] = "high",
    fmt: Annotated[
        PlanFormat,
        typer.Option(
            "--format", "-f", help="text; json; yaml (the controls, to paste into the model)."
        ),
    ] = "text",
    output: OutputOpt = None,
    cost: Annotated[
        list[str] | None,
        typer.Option(
            "--cost",
            help="Override a catalog control's cost, e.g. --cost human-approval=1 (repeatable).",
            show_default=False,
            metavar="ID=N",
        ),
    ] = None,
    no_catalog: Annotated[
        bool,
        typer.Option("--no-catalog", help="Only the model's planned controls are candidates."),
    ] = False,
    budget: Annotated[
        int,
        typer.Option(
            "--budget",
            min=1,
            help="Search nodes per round before the exact search gives way to the heuristic.",
        ),
    ] = 200_000,
    exact_rounds: Annotated[
        int,
        typer.Option(
            "--exact-rounds",
            min=1,
            help="Rounds of the exact search (one or two analyses each, up to 33 on a hub) "
            "before the plan is completed greedily and reported with a lower bound and gap.",
        ),
    ] = 50,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.0,
            help="Seconds the plan may take: the exact search stops early enough for the best "
            "plan to be completed greedily, pruned, swapped and credited within them, and "
            "reported with "
            "its lower bound and gap (an analysis under way is not interrupted). 0: no limit.",
        ),
    ] = 60.0,
    max_cores: Annotated[
        int,
        typer.Option(
            "--max-cores",
            min=1,
            help="Cores (sets of candidates a plan must meet) kept before the exact search "
            "stops likewise: bounds the planner's memory and each round's work.",
        ),
    ] = 10_000,
    knowledge: KnowledgeOpt = None,
    triage: TriageOpt = None,
    today: TodayOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    hypotheses: HypothesesOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Propose the cheapest controls that take every threat at or above --target out of scope."""
    from actm.api import load_knowledge
    from actm.plan import make_plan
    from actm.render.interface import RenderOptions

    with guard(debug):
        renderer = pick(PLAN_FORMATS, str(fmt), output)
        reading = limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        kb = load_knowledge(knowledge or [])
        costs = _costs(cost or [], {c.id for c in kb.controls})
        model = load(file, kb, triage=triage, limits=reading, hypotheses=hypotheses)
        result = make_plan(
            model,
            kb,
            target=str(target),
            today=parse_today(today),
            costs=costs,
            use_catalog=not no_catalog,
            budget=budget,
            exact_rounds=exact_rounds,
            time_limit=time_limit or None,
            max_cores=max_cores,
        )
        emit(renderer, result, RenderOptions(), output)
