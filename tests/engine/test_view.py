"""The engine's system view for ``where`` conditions, kept in a compiled model's caches."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
import yaml

import actm
from actm.engine.closure import Closure
from actm.engine.compiled import compile_model
from actm.engine.matching import _static_check
from actm.engine.view import EngineView
from actm.knowledge.attacks import builtin_knowledge
from actm.knowledge.conditions import CONDITIONS, RelationalCondition

ROOT = Path(__file__).resolve().parents[2]


def test_a_compiled_model_is_freed_without_the_cycle_collector() -> None:
    """The CLI runs with the cyclic garbage collector off, and attribution compiles the model
    once per control: the view (and every index a condition builds) must not refer back to
    the compiled model, or each run would stay in memory."""
    kb = builtin_knowledge()
    model = actm.load_model(ROOT / "examples" / "coding-assistant.yaml", knowledge=kb)
    gc.collect()
    gc.disable()
    try:
        c = compile_model(model, kb)
        closure = Closure(c)
        closure.run()
        view = EngineView.of(c)
        key = sorted(view.info)[0]
        for cond in CONDITIONS.values():
            if isinstance(cond, RelationalCondition):
                cond.forward(view, key)
                cond.backward(view, key)
        assert closure.matcher.matches
        ref = weakref.ref(c)
        del c, closure, view
        assert ref() is None
    finally:
        gc.enable()


def test_the_view_is_built_once_per_compiled_model() -> None:
    kb = builtin_knowledge()
    model = actm.load_model(ROOT / "examples" / "coding-assistant.yaml", knowledge=kb)
    c = compile_model(model, kb)
    assert Closure(c).matcher.view is Closure(c).matcher.view is EngineView.of(c)


def _with_hypotheses(name: str) -> actm.SystemModel:
    """An example with the hypotheses on, which posit weaknesses on its nodes."""
    doc = yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))
    doc.setdefault("analysis", {})["hypotheses"] = True
    return actm.load_model_text(yaml.safe_dump(doc), knowledge=builtin_knowledge())


@pytest.mark.parametrize(
    "name", ["coding-assistant.yaml", "customer-support-rag.yaml", "mcp-desktop-assistant.yaml"]
)
def test_the_posited_view_made_from_the_main_one_is_the_view_built_with_them(name: str) -> None:
    """The view the matcher takes once the posited weaknesses count is made from the main view
    (only what the vulnerabilities reach worked out again): it must be the view built from
    scratch with them, and leave the main view as it was."""
    kb = builtin_knowledge()
    c = compile_model(_with_hypotheses(name), kb)
    main = EngineView.of(c)
    posited = EngineView.of(c, posited=True)
    scratch = EngineView(c, posited=True)
    assert posited.info == scratch.info
    assert posited._node_vulns == scratch._node_vulns
    for ai in range(len(c.asset_ids)):
        assert posited.node_vulnerabilities(ai) == scratch.node_vulnerabilities(ai)
    plain = EngineView(c)
    assert main.info == plain.info
    assert main._node_vulns == plain._node_vulns


def test_a_secret_in_a_container_on_a_node_with_a_posited_weakness_is_reached_by_it() -> None:
    """mcp-desktop-assistant: the tasks token is embedded in a configuration file on the
    laptop, where a hypothesis posits secrets in configuration: its containers' classes gain
    the posited ``read_access`` in the posited view only."""
    c = compile_model(_with_hypotheses("mcp-desktop-assistant.yaml"), builtin_knowledge())
    assert EngineView.of(c).info["tasks-token"].container_vulnerabilities == frozenset()
    posited = EngineView.of(c, posited=True).info["tasks-token"]
    assert posited.container_vulnerabilities == frozenset({"read_access"})
    assert sorted(v.id for v in c.extra_vulns.values() if v.hypothetical) == [
        "hypothesis:internet-management-interface@tasks-server",
        "hypothesis:secrets-in-configuration@laptop",
        "hypothesis:workstation-credentials@laptop",
    ]


def _same_view(a: EngineView, b: EngineView, assets: int) -> None:
    assert a.info == b.info
    assert a._node_vulns == b._node_vulns
    assert (a.feeds_into, a.derived, a.parts) == (b.feeds_into, b.derived, b.parts)
    for ai in range(assets):
        assert a.node_vulnerabilities(ai) == b.node_vulnerabilities(ai)


def test_a_rerun_without_patches_takes_the_view_of_the_run_with_every_control() -> None:
    """A counterfactual rerun whose controls left out only remove conventional
    vulnerabilities makes its view from the one with every control in force (what those
    vulnerabilities reach worked out again): it must be the view built from scratch, here for
    the patches of a generated model, each left out alone and all together, and a control
    that only justifies an assumption. A rerun without a control that blocks something builds
    its own."""
    from tests.engine.test_inherent_attribution import generated

    kb = builtin_knowledge()
    model = actm.load_model_text(generated(600), knowledge=kb)
    residual = EngineView.of(compile_model(model, kb))
    implemented = [ctl for ctl in model.controls if ctl.status == "implemented"]
    patches = sorted(ctl.id for ctl in implemented if ctl.removes)
    assert patches == [
        "fix-bu00002-infer-write_access",
        "fix-bu00010-ingest-dep",
        "fix-bu00013-infer-rce",
    ]
    assert all(not ctl.blocks and not ctl.justifies for ctl in implemented if ctl.removes)
    justifies = "verify-llama-base"  # an effect the view does not read
    for left_out in [*([p] for p in patches), patches, [justifies], [patches[0], justifies]]:
        c = compile_model(model, kb, exclude_controls=frozenset(left_out))
        view = EngineView.of(c)
        assert view.info["bu00002-kb"] is residual.info["bu00002-kb"]  # made from it
        _same_view(view, EngineView(c), len(c.asset_ids))
    for left_out in (["bu00002-source-allowlist"], [patches[0], "bu00002-source-allowlist"]):
        c = compile_model(model, kb, exclude_controls=frozenset(left_out))
        view = EngineView.of(c)
        assert view.info["bu00002-kb"] is not residual.info["bu00002-kb"]  # its own
        _same_view(view, EngineView(c), len(c.asset_ids))
    c = compile_model(model, kb, exclude_controls=frozenset({"fix-bu00010-ingest-dep"}))
    back = EngineView.of(c)._node_vulns[("bu00010-ingest", "bu00010-kb")]
    assert back == frozenset({"read_access", "supply_chain_compromise"})
    assert residual._node_vulns[("bu00010-ingest", "bu00010-kb")] == frozenset({"read_access"})
    inherent = compile_model(model, kb, apply_controls=False)
    _same_view(EngineView.of(inherent), EngineView(inherent), len(inherent.asset_ids))


def test_a_rerun_without_controls_the_view_does_not_read_takes_the_view_of_the_run() -> None:
    """Weakening an edge and breaking an attack change the propagation and the rules, not the
    view: a rerun without such a control takes the view of the run with every control in
    force, and it is the view built from scratch (the support example with every control
    implemented)."""
    doc = yaml.safe_load((ROOT / "examples" / "customer-support-rag.yaml").read_text("utf-8"))
    for ctl in doc["controls"]:
        ctl["status"] = "implemented"
    kb = builtin_knowledge()
    model = actm.load_model_text(yaml.safe_dump(doc), knowledge=kb)
    residual = EngineView.of(compile_model(model, kb))
    unseen = sorted(
        ctl.id
        for ctl in model.controls
        if (ctl.weakens or ctl.breaks or ctl.break_steps)
        and not (ctl.removes or ctl.blocks or ctl.approves or ctl.sandboxes)
        and not (ctl.hides or ctl.narrows)
    )
    assert unseen == ["per-user-quota"]
    for left_out in [*([x] for x in unseen), unseen]:
        c = compile_model(model, kb, exclude_controls=frozenset(left_out))
        view = EngineView.of(c)
        key = sorted(view.info)[0]
        assert view.info[key] is residual.info[key]  # made from it
        _same_view(view, EngineView(c), len(c.asset_ids))


PATCHED_SERVER = """
actm: 1
system: {id: patched}
nodes:
  - {id: tools-host, kind: service}
  - {id: store, kind: database, authentication: required}
models:
  - {id: agent, kind: agent, tools: [lookup]}
assets:
  - {id: records, type: business_data, resides: [{node: store}]}
tools:
  - {id: lookup, node: tools-host, permissions: {read: [records]}}
vulnerabilities:
  - {id: old-framework, class: rce, node: tools-host}
  - {id: open-store, class: missing_authentication, node: store}
controls:
  - {id: upgrade-framework, status: implemented, removes: [old-framework]}
  - {id: require-login, status: implemented, removes: [open-store]}
"""


@pytest.mark.parametrize(
    "left_out", [["upgrade-framework"], ["require-login"], ["upgrade-framework", "require-login"]]
)
def test_a_rerun_without_a_patch_sees_the_servers_and_authors_it_reopens(
    left_out: list[str],
) -> None:
    """A view made from the run with every patch in force must see what a patch left out
    reopens: the tool's server is exposed again (a weakness on its node), and a store that
    takes writes without authentication again has outside authors for the tools that read it."""
    kb = builtin_knowledge()
    model = actm.load_model_text(PATCHED_SERVER, knowledge=kb)
    residual = EngineView.of(compile_model(model, kb))
    assert not residual.info["lookup"].exposed_server
    assert "tool_results" not in residual.info["agent"].authored_components
    c = compile_model(model, kb, exclude_controls=frozenset(left_out))
    view = EngineView.of(c)
    _same_view(view, EngineView(c), len(c.asset_ids))
    assert view.info["lookup"].exposed_server == ("upgrade-framework" in left_out)
    authored = "tool_results" in view.info["agent"].authored_components
    assert authored == ("require-login" in left_out)


def test_a_rerun_view_keeps_the_static_answers_that_stay_the_same() -> None:
    """A rerun's view made from the run with every control in force keeps the static ``where``
    answers the run worked out, but for the owners whose facts and the assets whose
    vulnerabilities differ without the controls left out: every answer kept must be the one
    worked out on the view built from scratch, and those a patch changes must go."""
    from tests.engine.test_inherent_attribution import generated

    kb = builtin_knowledge()
    model = actm.load_model_text(generated(600), knowledge=kb)
    c = compile_model(model, kb)
    Closure(c).run()
    residual = EngineView.of(c)
    wheres = {id(r.where): r.where for rule in c.rules for r in rule.requires}
    kb_asset = c.asset_index["bu00010-kb"]
    dropped = [k for k in residual.answers if k[2] == kb_asset]
    assert dropped  # the residual run asked about the store a patch of its node reopens
    for left_out in ("fix-bu00002-infer-write_access", "fix-bu00010-ingest-dep"):
        rerun = compile_model(model, kb, exclude_controls=frozenset({left_out}))
        view = EngineView.of(rerun)
        assert view.info["bu00002-kb"] is residual.info["bu00002-kb"]  # made from it
        assert 0 < len(view.answers) < len(residual.answers)
        scratch = EngineView(rerun)
        for (wid, owner, asset), ok in view.answers.items():
            assert _static_check(scratch, wheres[wid], owner, asset) == ok
    # without the patch on the ingestion job, what reaches its store is worked out again
    assert not any(k in view.answers for k in dropped)
