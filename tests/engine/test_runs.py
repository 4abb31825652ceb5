"""The runs of one analysis: residual, inherent, and the reruns that credit each control."""

from __future__ import annotations

import textwrap

import actm
from actm.engine.analysis import run_engine
from actm.engine.output import threat_scores
from actm.engine.runs import Analysis, ControlRuns, analyse, counterfactual, threats
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


def _screened(text: str) -> tuple[Analysis, ControlRuns]:
    """The analysis of the model ``text`` with the results layer's screen, and its control runs."""
    analysis = analyse(
        actm.load_model_text(textwrap.dedent(text)), actm.load_knowledge(), screen=screen
    )
    assert analysis.controls is not None
    return analysis, analysis.controls


def test_the_reruns_credit_the_control_whose_removal_brings_the_threat_back() -> None:
    analysis, runs = _screened(MODEL)
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


# a threat with two routes: the outside source's author (the chain shown) and the insider,
# through a supply-chain weakness of the ingestion job that writes the store
ROUTES = """
actm: 1
system: {id: routes}
nodes:
  - {id: app, kind: service}
  - {id: ingest, kind: batch_job}
  - {id: wiki-db, kind: database}
models:
  - {id: bot, kind: agent, deployed_on: [app], tools: [calc, shell]}
assets:
  - id: wiki
    type: document_store
    criticality: {integrity: high}
    untrusted_sources: [support-email]
    resides:
      - {node: wiki-db}
      - {node: ingest, mode: processed, writes: true}
relations:
  - {id: retrieval, kind: feeds, from: wiki, to: bot.inputs.retrieved_context}
tools:
  - {id: calc, node: app}
  - {id: shell, node: app}
vulnerabilities:
  - {id: ingest-dep, class: supply_chain_compromise, node: ingest}
controls:
  - {id: email-allowlist, blocks: ['source:support-email']}
  - {id: patch-ingest, removes: [ingest-dep]}
  - {id: jail-calc, sandboxes: [calc]}
  - {id: jail-shell, sandboxes: [shell]}
"""
IPI = "indirect-prompt-injection@bot"
POISON = "rag-poisoning@wiki@bot"


def test_a_control_acting_on_another_route_than_the_chain_shown_is_tried_alone() -> None:
    analysis, runs = _screened(ROUTES)
    assert dict(runs.differences) == {IPI: -1.0, POISON: -1.0}
    ipi = next(f for f in runs.inherent.threats if f.id == IPI)
    assert [r.adversary for r in ipi.routes] == ["content-author", "insider"]
    # the patch acts on the insider's route only, not on the chain shown
    assert "ingest-dep" not in {v for step in ipi.chain for v in step.via}
    # both routes' elements: the source, its author, the weakness, the feed and the attack
    routes = {"content-author", "support-email", "source:support-email", "ingest-dep", "retrieval"}
    assert runs.inherent.attribution.elements == {
        IPI: frozenset({*routes, "indirect-prompt-injection"}),
        POISON: frozenset({*routes, "rag-poisoning"}),
    }
    assert analysis.residual.attribution.elements == {}  # only the screen reads them
    assert screen(analysis.residual, runs.inherent) == (
        frozenset({"email-allowlist", "patch-ingest"}),
        frozenset(),
    )
    both = frozenset({"email-allowlist", "patch-ingest"})
    assert runs.credit.necessary == {IPI: both, POISON: both}
    assert runs.credit.jointly == {}
    # each control acting on a route alone, then the sandboxes together (no change: no split);
    # with the patch among them, their run would change something and be split
    assert runs.credit.runs == 3


def test_a_duplicated_control_on_a_route_stays_with_the_controls_removed_together() -> None:
    analysis, runs = _screened(ROUTES + "  - {id: patch-again, removes: [ingest-dep]}\n")
    assert screen(analysis.residual, runs.inherent) == (frozenset({"email-allowlist"}), frozenset())
    assert runs.credit.necessary == {
        IPI: frozenset({"email-allowlist"}),
        POISON: frozenset({"email-allowlist"}),
    }
    together = frozenset({"patch-ingest", "jail-calc", "jail-shell", "patch-again"})
    assert runs.credit.jointly == {IPI: together, POISON: together}
    assert runs.credit.runs == 4  # the allow-list alone, the others together, then their halves


def _vendor_weights(status: str) -> str:
    """MODEL with a supplier's assumption on the agent's weights (declared ``status``) and a
    control that justifies it."""
    return MODEL.replace(
        "controls:\n",
        f"""owners:
  - {{id: vendor}}
assumptions:
  - {{id: vendor-weights, producer: vendor, asset: bot.model_parameters,
     capability: make_limited_changes, justification: Signed on download., status: {status}}}
controls:
  - {{id: verify-weights, justifies: [vendor-weights]}}
""",
    )


def test_a_control_justifying_an_assumption_declared_justified_needs_no_rerun() -> None:
    analysis, runs = _screened(_vendor_weights("justified"))
    assert dict(runs.differences) == {EXFIL: -1.0}
    exfil = next(f for f in runs.inherent.threats if f.id == EXFIL)
    # the control acts on the supplier's route (through the assumption), yet the engine
    # reads the assumption as justified with it or without it: nothing to rerun
    assert [r.adversary for r in exfil.routes] == ["external-user", "supplier:vendor"]
    assert screen(analysis.residual, runs.inherent) == (
        frozenset({"allowlist", "jail-lookup", "verify-weights"}),
        frozenset({"verify-weights"}),
    )
    assert runs.credit.necessary == {EXFIL: frozenset({"allowlist"})}
    assert runs.credit.jointly == {}
    assert runs.credit.runs == 2
    model = actm.load_model_text(textwrap.dedent(_vendor_weights("justified")))
    kb = actm.load_knowledge()
    without = run_engine(
        model, kb, assumptions=False, exclude_controls=frozenset({"verify-weights"})
    )
    assert threat_scores(without) == threat_scores(run_engine(model, kb))


def test_a_control_justifying_an_unjustified_assumption_is_rerun() -> None:
    analysis, runs = _screened(_vendor_weights("unjustified"))
    backdoor = "model-backdoor@bot"
    assert dict(runs.differences) == {EXFIL: -1.0, backdoor: 0.0}
    assert screen(analysis.residual, runs.inherent) == (
        frozenset({"allowlist", "jail-lookup", "verify-weights"}),
        frozenset(),
    )
    assert runs.credit.necessary == {
        backdoor: frozenset({"verify-weights"}),
        EXFIL: frozenset({"allowlist"}),
    }
    assert runs.credit.runs == 3
