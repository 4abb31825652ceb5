"""The runs of one analysis: residual, inherent, and the reruns that credit each control."""

from __future__ import annotations

import textwrap

import actm
from actm.engine.runs import analyse, counterfactual, threats
from actm.results.build import screen

MODEL = """
actm: 1
system: {id: runs}
nodes:
  - {id: app, kind: service}
  - {id: crm, kind: database}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [app], tools: [lookup, mail]}
assets:
  - {id: customers, type: personal_data, criticality: {confidentiality: critical},
     resides: [{node: crm}]}
tools:
  - {id: lookup, permissions: {read: [customers]}}
  - {id: mail, permissions: {egress: [internet]}}
controls:
  - {id: allowlist, blocks: [mail.egress]}
  - {id: jail-lookup, sandboxes: [lookup]}
"""
EXFIL = "tool-data-exfiltration@bot@customers"


def test_the_reruns_credit_the_control_whose_removal_brings_the_threat_back() -> None:
    model = actm.load_model_text(textwrap.dedent(MODEL))
    analysis = analyse(model, actm.load_knowledge(), screen=screen)
    runs = analysis.controls
    assert runs is not None
    assert runs.attribution == "counterfactual"
    assert dict(runs.differences) == {EXFIL: -1.0}
    assert [f.id for f in runs.inherent.threats] == [EXFIL]
    assert screen(analysis.residual, runs.inherent) == (
        frozenset({"allowlist", "jail-lookup"}),
        frozenset(),
    )
    assert runs.credit.necessary == {EXFIL: frozenset({"allowlist"})}
    assert runs.credit.jointly == {}
    assert runs.credit.runs == 2  # each control acting on the chains, alone
    assert analysis.timings["counterfactual_runs"] == 2.0
    assert EXFIL not in {f.id for f in analysis.residual.threats}


def test_without_a_screen_every_control_goes_into_the_bisection() -> None:
    model = actm.load_model_text(textwrap.dedent(MODEL))
    runs = analyse(model, actm.load_knowledge()).controls
    assert runs is not None
    assert runs.credit.necessary[EXFIL] == frozenset({"allowlist"})
    assert runs.credit.runs == 3  # both together, then each half


def test_ignoring_the_controls_takes_one_run() -> None:
    model = actm.load_model_text(textwrap.dedent(MODEL))
    analysis = analyse(model, actm.load_knowledge(), controls=False)
    assert analysis.controls is None
    assert EXFIL in {f.id for f in analysis.residual.threats}
    assert "counterfactual" not in analysis.timings


def test_the_planner_run_reads_threats_alone() -> None:
    model = actm.load_model_text(textwrap.dedent(MODEL))
    run = threats(model, actm.load_knowledge())
    assert EXFIL not in {f.id for f in run.threats}
    assert (run.capabilities, run.out_of_scope, dict(run.assumptions)) == ((), (), {})


def test_counterfactual_tries_the_controls_off_the_chains_together() -> None:
    calls: list[frozenset[str]] = []

    def run(without: frozenset[str]) -> dict[str, float]:
        calls.append(without)
        scores = {"t2": 3.0}
        if "a" in without:
            scores["t1"] = 5.0  # a alone stops t1
        if "c" in without:
            scores["t2"] = 5.0  # c alone lowers t2
        if {"d", "e"} <= without:
            scores["t3"] = 2.0  # d and e each stop t3
        return scores

    diff = {"t1": -1.0, "t2": 3.0, "t3": -1.0}
    found = counterfactual(["a", "b", "c", "d", "e", "f"], diff, run, alone=["a", "b"], skip=["f"])
    assert found.necessary == {"t1": frozenset({"a"}), "t2": frozenset({"c"})}
    assert found.jointly == {"t3": frozenset({"d", "e"})}
    assert calls == [
        frozenset({"a"}),
        frozenset({"b"}),
        frozenset({"c", "d", "e"}),  # the others together, then halves while something changes
        frozenset({"c"}),
        frozenset({"d", "e"}),
        frozenset({"d"}),
        frozenset({"e"}),
    ]
    assert found.runs == len(calls)
    # nothing to explain: no run at all
    assert counterfactual(["a"], {}, run).runs == 0
