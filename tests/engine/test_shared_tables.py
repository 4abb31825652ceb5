"""The tables no control changes are built once per model and shared by all its runs."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

import pytest
from test_runs import MODEL, _vendor_weights

import actm
from actm.engine import runs
from actm.engine.analysis import EngineOutput, run_engine
from actm.engine.attribution import RouteJobs
from actm.engine.compiled import _INDEX_FIELDS, Compiled, compile_model
from actm.engine.runs import analyse
from actm.engine.view import EngineView
from actm.engine.wording import Wording
from actm.knowledge.attacks import builtin_knowledge
from actm.render.json import render_json
from actm.results.build import build_result, screen

KB = builtin_knowledge()


def _model() -> actm.SystemModel:
    return actm.load_model_text(textwrap.dedent(MODEL))


def test_runs_without_some_controls_share_the_index_tables_and_the_placement() -> None:
    model = _model()
    residual = compile_model(model, KB)
    without = compile_model(model, KB, exclude_controls=frozenset({"allowlist"}))
    inherent = compile_model(model, KB, apply_controls=False)
    for name in _INDEX_FIELDS:
        assert getattr(without, name) is getattr(residual, name), name
        assert getattr(inherent, name) is getattr(residual, name), name
    # the control tables are each run's own
    assert residual.blocked == {"mail.egress": "allowlist"}
    assert without.blocked == {}
    views = [EngineView.of(c) for c in (residual, without)]
    assert views[0].asset_nodes is views[1].asset_nodes
    assert views[0].feeds is not views[1].feeds


def test_the_shared_tables_are_what_a_fresh_model_builds_after_every_run() -> None:
    model = _model()
    analyse(model, KB, screen=screen)  # residual, inherent and every credit rerun
    run_engine(model, KB, exclude_controls=frozenset({"jail-lookup"}))
    shared = compile_model(model, KB)
    fresh = compile_model(_model(), KB)
    assert {n: getattr(shared, n) for n in _INDEX_FIELDS} == {
        n: getattr(fresh, n) for n in _INDEX_FIELDS
    }
    mine, theirs = EngineView.of(shared), EngineView.of(fresh)
    assert (mine.asset_nodes, mine.owner_nodes, mine.on_node) == (
        theirs.asset_nodes,
        theirs.owner_nodes,
        theirs.on_node,
    )
    assert mine.owner_nodes["bot"] == frozenset({"app"})


def test_another_vocabulary_indexes_the_model_again() -> None:
    model = _model()
    first = compile_model(model, KB)
    other = dataclasses.replace(KB, vocabulary=dataclasses.replace(KB.vocabulary))
    again = compile_model(model, other)
    assert again.target_name is not first.target_name
    assert again.target_name == first.target_name
    assert compile_model(model, other).target_name is again.target_name
    # the view's placement reads those indexes: it is kept per vocabulary too
    assert EngineView.of(again).asset_nodes is not EngineView.of(first).asset_nodes
    assert EngineView.of(again).asset_nodes == EngineView.of(first).asset_nodes


def _join_tables(c: Compiled) -> tuple[int, int, int, int, bool]:
    """How much of the joins' shared tables (and the seeds) ``c`` holds."""
    shared = c.caches["matcher"]
    answers = EngineView.of(c).answers
    sizes = (len(shared.shapes), len(shared.entries), len(answers), len(shared.narrowed))
    return (*sizes, "seeds" in c.caches)


def test_the_residual_needs_start_once_the_run_built_the_join_tables_its_routes_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runs, "PARALLEL_FACTS", 0)  # start the residual reruns in workers
    started: list[tuple[int, int, int, int, bool]] = []
    real = runs.attribution_jobs

    def spy(out: EngineOutput, **options: Any) -> Any:
        started.append(_join_tables(out.compiled))
        return real(out, **options)

    routed: list[tuple[int, int, int, int, bool, bool]] = []
    real_routes = runs.route_jobs

    def spy_routes(c: Compiled, wording: Wording) -> RouteJobs:
        routed.append((*_join_tables(c), "system_view" in c.caches))
        return real_routes(c, wording)

    monkeypatch.setattr(runs, "attribution_jobs", spy)
    monkeypatch.setattr(runs, "route_jobs", spy_routes)
    analysis = runs.analyse(_model(), KB, screen=screen, workers=2)
    # the route closures start before any closure of the compiled model, beside it, with what
    # every closure shares built for them to inherit (the view, the seeds) and no join table
    assert routed == [(0, 0, 0, 0, True, True)]
    # the needs workers inherit what the residual run worked out: a fresh run's tables (the
    # attacks out of scope are explained beside them, in a worker of their own)
    fresh = run_engine(_model(), KB, assumptions=False, explain=False).compiled
    assert started[0] == _join_tables(fresh)  # then the inherent run's
    assert started[0][4]  # the seeds too
    assert analysis.residual.attribution.runs == {"routes": 1, "needs": 0}
    alone = runs.analyse(_model(), KB, screen=screen, workers=1)
    assert render_json(build_result(analysis)) == render_json(build_result(alone))


def test_the_tolerance_search_beside_the_inherent_run_finds_what_it_finds_in_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runs, "PARALLEL_FACTS", 0)  # the search goes to a worker
    model = actm.load_model_text(textwrap.dedent(_vendor_weights("unjustified")))
    run = runs.analyse(model, KB, screen=screen, workers=2).residual
    beside = run.assumptions
    found = beside["vendor-weights"]
    assert (found.dependent, found.tolerance) == (("model-backdoor@bot",), "make_arbitrary_changes")
    alone = runs.analyse(model, KB, screen=screen, workers=1).residual
    assert beside == alone.assumptions
    # the attacks out of scope, explained in that worker too
    assert run.out_of_scope == alone.out_of_scope
    assert (run.out_of_scope[0].attack, run.out_of_scope[0].step) == (
        "agent-code-execution",
        "steer",
    )


def test_without_an_inherent_run_the_route_reruns_start_beside_the_closure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runs, "PARALLEL_FACTS", 0)
    started: list[tuple[int, int, int, int, bool, bool]] = []
    real = runs.route_jobs

    def spy(c: Compiled, wording: Wording) -> RouteJobs:
        started.append((*_join_tables(c), "system_view" in c.caches))
        return real(c, wording)

    monkeypatch.setattr(runs, "route_jobs", spy)
    analysis = runs.analyse(_model(), KB, controls=False, workers=2)
    # before any closure of the compiled model: its view and seeds built, no join table yet
    assert started == [(0, 0, 0, 0, True, True)]
    assert analysis.controls is None
    assert analysis.residual.attribution.runs == {"routes": 1, "needs": 0}


def test_without_an_inherent_run_the_explanations_and_the_search_run_beside_the_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the routes started beside the closure: the attacks out of scope are explained and the
    # assumptions searched in a worker, as the run itself would have
    monkeypatch.setattr(runs, "PARALLEL_FACTS", 0)
    model = actm.load_model_text(textwrap.dedent(_vendor_weights("unjustified")))
    asked: list[tuple[bool, bool]] = []
    real = runs.run_engine

    def spy(*args: Any, **options: Any) -> EngineOutput:
        asked.append((options.get("assumptions", True), options.get("explain", True)))
        return real(*args, **options)

    monkeypatch.setattr(runs, "run_engine", spy)
    beside = runs.analyse(model, KB, controls=False, workers=2).residual
    assert asked == [(False, False)]  # neither in the run itself
    alone = runs.analyse(model, KB, controls=False, workers=1).residual
    assert asked[1:] == [(True, True)]
    found = beside.assumptions["vendor-weights"]
    assert (found.dependent, found.tolerance) == (("model-backdoor@bot",), "make_arbitrary_changes")
    assert beside.assumptions == alone.assumptions
    assert [(u.attack, u.reason) for u in beside.out_of_scope[:2]] == [
        ("agent-code-execution", "conditions_not_met"),
        ("agent-config-credential-harvest", "no_asset"),
    ]
    assert beside.out_of_scope == alone.out_of_scope  # every one, with its details
