"""The closures that tell which threats restate a foothold the engine derives
(engine/footholds.py): the needs rerun and a closure of its own find the same threats that need
one, the closure from one foothold tells what it gives alone, and a model where no chain goes
through a derived foothold takes none."""

from __future__ import annotations

import textwrap

import actm
from actm.engine.analysis import EngineOutput, run_engine
from actm.engine.attribution import threat_id
from actm.engine.footholds import (
    ALONE,
    NEEDED,
    WITHOUT,
    FootholdRun,
    alone_jobs,
    candidates,
    execution_keys,
    without_job,
    without_nodes,
)
from actm.engine.needs import NeedsRun, ThreatKey, needs
from actm.engine.routes import all_seeds
from foothold_models import LOOKUP, SHELL


def _run(text: str) -> EngineOutput:
    kb = actm.load_knowledge()
    model = actm.load_model_text(textwrap.dedent(text), knowledge=kb)
    return run_engine(model, kb, assumptions=False)


def _ids(out: EngineOutput, keys: object) -> list[str]:
    c = out.compiled
    assert isinstance(keys, frozenset)
    return sorted(threat_id(c, m) for m in out.matches if (m.rule, m.binding) in keys)


def test_the_needs_closure_and_a_closure_of_its_own_find_the_same_threats() -> None:
    out = _run(SHELL.format(tools="", extra=""))
    c = out.compiled
    seeds = all_seeds(c)
    picked = range(len(out.matches))
    executions = execution_keys(out)
    derived = candidates(out, picked, executions)
    alone = without_job(c, seeds, derived)()
    assert isinstance(alone, FootholdRun)
    run = NeedsRun()
    needs(c, seeds, {"everything": list(range(len(seeds)))}, [], run, derived=derived)
    expected = [
        "tool-definition-poisoning@agent",
        "tool-shadowing@shell@close_issue",
    ]
    assert _ids(out, alone.found[NEEDED]) == expected
    assert _ids(out, run.lacking) == expected
    # of those, what the laptop's code execution gives alone (the token calls close_issue)
    # covers the shadowing, and the definitions the poisoning takes are those the laptop's
    # code rewrites (an attack that enters through a definition is judged by what it takes,
    # not by what the vendor's model makes of it); both need the laptop's own foothold (no
    # other node's closes them)
    (job,) = alone_jobs(out, picked, frozenset(derived), executions)
    given = job()
    assert isinstance(given, FootholdRun)
    assert sorted(given.found) == [ALONE + "laptop"]
    assert _ids(out, given.found[ALONE + "laptop"]) == expected
    # both need the laptop's own foothold: the laptop holds every derived foothold, so the
    # closure without any derived foothold has said so, and no closure runs without it alone
    without, closures = without_nodes(out, seeds, {**given.found, NEEDED: run.lacking})
    assert closures == 0
    assert sorted(without) == [WITHOUT + "laptop"]
    assert _ids(out, without[WITHOUT + "laptop"]) == expected


# a second shell, on the build runner: two nodes hold a derived foothold
TWO_SHELLS = SHELL.replace(
    "  - {{id: tracker,", "  - {{id: ci, kind: ci_runner, owner: team}}\n  - {{id: tracker,"
).format(
    tools=", ci_shell",
    extra="  - {id: ci_shell, node: ci, approval: auto_approved, permissions: {execute: [ci]}}\n",
)


def test_with_two_footholds_a_definition_entry_is_judged_by_what_it_yields() -> None:
    # telling which of two footholds a definition entry needs would take a closure of the whole
    # model per node: the poisoning is judged by what the vendor's model makes of the
    # definitions, more than the laptop holds; the shadowing gives nothing the token does not,
    # and one closure without the laptop's foothold alone shows that it needs that one
    out = _run(TWO_SHELLS)
    seeds = all_seeds(out.compiled)
    picked = range(len(out.matches))
    executions = execution_keys(out)
    assert sorted({out.compiled.node_ids[n] for n in executions.values()}) == ["ci", "laptop"]
    derived = candidates(out, picked, executions)
    lacking = without_job(out.compiled, seeds, derived)()
    assert isinstance(lacking, FootholdRun)
    assert _ids(out, lacking.found[NEEDED]) == [
        "tool-definition-poisoning@agent",
        "tool-shadowing@ci_shell@close_issue",
        "tool-shadowing@ci_shell@shell",
        "tool-shadowing@shell@ci_shell",
        "tool-shadowing@shell@close_issue",
    ]
    given: dict[str, frozenset[ThreatKey]] = {}
    for job in alone_jobs(out, picked, frozenset(derived), executions):
        run = job()
        assert isinstance(run, FootholdRun)
        given.update(run.found)
    assert {k: _ids(out, v) for k, v in given.items() if v} == {
        ALONE + "laptop": ["tool-shadowing@shell@close_issue"]
    }
    without, closures = without_nodes(out, seeds, {**given, **lacking.found})
    assert closures == 1
    assert _ids(out, without[WITHOUT + "laptop"]) == ["tool-shadowing@shell@close_issue"]


def test_no_chain_through_a_derived_foothold_takes_no_closure() -> None:
    # the lookup tool sends names out but runs nothing
    out = _run(LOOKUP.replace(", execute: [host]", ""))
    picked = range(len(out.matches))
    assert candidates(out, picked, execution_keys(out)) == []
    assert alone_jobs(out, picked, frozenset(), execution_keys(out)) == []
