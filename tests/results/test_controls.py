"""Controls change the analysis: each effect removes exactly the chains it should."""

from __future__ import annotations

import textwrap

import pytest

import actm

BASE = """
actm: 1
system: {id: controls}
nodes:
  - {id: app, kind: service}
  - {id: crm, kind: database}
  - {id: box, kind: code_sandbox}
models:
  - id: bot
    kind: agent
    exposure: public
    exposes: [outputs, output_details]
    deployed_on: [app]
    tools: [lookup, mail, run]
assets:
  - {id: customers, type: personal_data, criticality: {confidentiality: critical},
     resides: [{node: crm}]}
  - {id: kb, type: document_store, untrusted_sources: [forum], resides: [{node: app}]}
  - {id: secrets, type: secret, criticality: {integrity: high}, resides: [{node: box}]}
relations:
  - {kind: feeds, from: kb, to: bot.inputs.retrieved_context}
tools:
  - {id: lookup, permissions: {read: [customers]}}
  - {id: mail, permissions: {egress: [internet]}}
  - {id: run, permissions: {execute: [box]}}
"""

EXFIL = "tool-data-exfiltration@bot@customers"
RCE = "agent-code-execution@bot@secrets"


def analyse(controls: str = "") -> actm.results.model.Result:  # type: ignore[name-defined]
    text = textwrap.dedent(BASE) + (textwrap.dedent(controls) if controls else "")
    return actm.analyze(actm.load_model_text(text))


def ids(result: object) -> set[str]:
    return {t.id for t in result.threats}  # type: ignore[attr-defined]


def test_baseline() -> None:
    base = ids(analyse())
    assert {EXFIL, RCE, "indirect-prompt-injection@bot", "rag-poisoning@kb@bot"} <= base


@pytest.mark.parametrize(
    ("control", "gone", "kept"),
    [
        # an egress allow-list on the mail tool stops exfiltration, nothing else
        ("{id: allowlist, blocks: [mail.egress]}", {EXFIL}, {RCE}),
        # human approval on the tools: influence no longer reaches them
        ("{id: review, approves: [mail, run]}", {EXFIL, RCE}, set()),
        # a sandbox confines code execution: no arbitrary changes on the node's secrets
        ("{id: jail, sandboxes: [run]}", {RCE}, {EXFIL}),
        # an input filter on the feed: the corpus only influences the context now
        (
            "{id: filter, weakens: [{edge: kb->bot.inputs.retrieved_context, to: influence}]}",
            {"indirect-prompt-injection@bot", "rag-poisoning@kb@bot"},
            {EXFIL, RCE},
        ),
        # not returning confidence scores
        (
            "{id: labels-only, hides: [bot.output_details]}",
            {"membership-inference@bot", "model-inversion@bot"},
            {EXFIL},
        ),
        # breaking one attack pattern for one asset
        ("{id: dlp, breaks: [{attack: tool-data-exfiltration, asset: customers}]}", {EXFIL}, {RCE}),
    ],
)
def test_control_removes_exactly_its_chains(control: str, gone: set[str], kept: set[str]) -> None:
    before = ids(analyse())
    result = analyse(f"controls:\n  - {control}\n")
    after = ids(result)
    assert gone <= before
    assert not (gone & after), f"still in scope: {gone & after}"
    assert kept <= after
    assert after <= before
    mitigated = {m.id: m for m in result.mitigated}
    assert set(mitigated) == before - after
    ctl = control.split("id: ", 1)[1].split(",", 1)[0]
    for tid in gone & set(mitigated):
        assert ctl in mitigated[tid].mitigated_by, mitigated[tid]


def test_planned_controls_change_nothing() -> None:
    result = analyse("controls:\n  - {id: later, status: planned, blocks: [mail.egress]}\n")
    assert ids(result) == ids(analyse())
    assert result.mitigated == ()


def test_mitigation_names_the_step() -> None:
    result = analyse("controls:\n  - {id: allowlist, blocks: [mail.egress]}\n")
    (m,) = (x for x in result.mitigated if x.id == EXFIL)
    assert m.mitigated_by == ("allowlist",)
    assert any(r.startswith("allowlist blocks mail.egress") for r in m.reasons), m.reasons
    assert "inspect on customers" in m.chain_text


def test_weakening_caps_a_tool_write() -> None:
    text = """
    actm: 1
    system: {id: w}
    models:
      - {id: bot, kind: agent, exposure: public, tools: [update]}
    assets:
      - {id: orders, type: business_data, criticality: {integrity: critical}}
    tools:
      - {id: update, constrained: false, permissions: {write: [orders]}}
    """
    plain = actm.analyze(actm.load_model_text(textwrap.dedent(text)))
    row = next(r for r in plain.capabilities if r.asset == "orders")
    assert row.deployment["integrity"].capability == "make_arbitrary_changes"  # type: ignore[union-attr]
    capped = actm.analyze(
        actm.load_model_text(
            textwrap.dedent(text)
            + textwrap.dedent("""
    controls:
      - {id: schema, weakens: [{edge: update.write, to: make_limited_changes}]}
    """)
        )
    )
    row = next(r for r in capped.capabilities if r.asset == "orders")
    assert row.deployment["integrity"].capability == "make_limited_changes"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ("{id: c, weakens: [{edge: nowhere, to: influence}]}", "not a relation or a tool"),
        ("{id: c, weakens: [{edge: mail.egress, to: influnce}]}", "unknown capability"),
        ("{id: c, approves: [mial]}", "'mial' is not defined"),
        ("{id: c, hides: [customers]}", "only a model's outputs or output_details"),
    ],
)
def test_bad_control_effects_are_reported(control: str, message: str) -> None:
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text(textwrap.dedent(BASE) + f"controls:\n  - {control}\n")
    assert any(message in d.message for d in err.value.diagnostics), err.value


TWO_STEP = """
id: greeting-takeover
title: Greeting takeover in two steps
description: >
  A test pattern: a public user first nudges a model's greeting, then makes it say what they
  want; the team treats the second step as a brand risk.
likelihood: high
steps:
  - id: nudge
    requires:
      - {var: m, asset: inputs, component: user_input, capability: make_arbitrary_changes}
    yields:
      - {var: m, asset: outputs, component: text, capability: influence}
      - {var: m, asset: hyperparameters, capability: monitor}
  - id: take-over
    requires:
      - {var: m, asset: outputs, component: text, capability: influence}
    yields:
      - {var: m, asset: outputs, component: text, capability: make_limited_changes}
impact: {var: m, asset: outputs, class: integrity}
"""

CHAT = """
actm: 1
system: {id: chat}
models:
  - {id: bot, kind: llm, exposure: public}
"""


def two_step(tmp_path: object, controls: str = "") -> actm.results.model.Result:  # type: ignore[name-defined]
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "attacks").mkdir(exist_ok=True)
    (root / "attacks" / "greeting-takeover.yaml").write_text(TWO_STEP, encoding="utf-8")
    kb = actm.load_knowledge([root])
    model = actm.load_model_text(textwrap.dedent(CHAT) + textwrap.dedent(controls), knowledge=kb)
    return actm.analyze(model, knowledge=kb)


def watched(result: object) -> str | None:
    """What the attack's first step leaves behind: a hold on bot.hyperparameters."""
    for row in result.capabilities:  # type: ignore[attr-defined]
        if row.asset == "bot.hyperparameters":  # a development-pipeline asset
            cell = row.development["confidentiality"]
            return None if cell is None else str(cell.capability)
    return None


def test_breaking_a_later_step_keeps_the_earlier_ones(tmp_path: object) -> None:
    base = two_step(tmp_path)
    assert "greeting-takeover@bot" in ids(base)
    late = two_step(
        tmp_path,
        "controls:\n  - {id: review, breaks: [{attack: greeting-takeover, step: take-over}]}\n",
    )
    assert "greeting-takeover@bot" not in ids(late)
    assert [m.mitigated_by for m in late.mitigated if m.id == "greeting-takeover@bot"] == [
        ("review",)
    ]
    # the first step still happens
    assert watched(base) == watched(late) == "monitor"
    early = two_step(
        tmp_path,
        "controls:\n  - {id: review, breaks: [{attack: greeting-takeover, step: nudge}]}\n",
    )
    assert "greeting-takeover@bot" not in ids(early)
    assert watched(early) is None


def test_breaking_a_step_where_it_binds_a_model_and_an_unknown_step(tmp_path: object) -> None:
    here = two_step(
        tmp_path,
        "controls:\n  - {id: r, breaks: [{attack: greeting-takeover, step: take-over,"
        " asset: bot}]}\n",
    )
    assert "greeting-takeover@bot" not in ids(here)
    with pytest.raises(actm.ModelError) as err:
        two_step(
            tmp_path,
            "controls:\n  - {id: r, breaks: [{attack: greeting-takeover, step: jump}]}\n",
        )
    (diag,) = err.value.diagnostics
    assert diag.code == "unknown-step" and "nudge, take-over" in (diag.hint or "")


def test_cutting_one_path_never_raises_a_severity() -> None:
    # Regression: blocking the coder's fetch tool once rated system-prompt eviction by a
    # chain-intermediate fact and raised it from 1.4 to 2.7.
    from pathlib import Path

    path = Path(__file__).parents[2] / "examples" / "coding-assistant.yaml"
    text = path.read_text(encoding="utf-8")
    before = {t.id: t.severity.score for t in actm.analyze(actm.load_model(path)).threats}
    blocked = text + "\ncontrols:\n  - {id: c1, blocks: [fetch_url]}\n"
    if "\ncontrols:" in text:
        blocked = text.replace(
            "\ncontrols:\n", "\ncontrols:\n  - {id: c1, blocks: [fetch_url]}\n", 1
        )
    after = {t.id: t.severity.score for t in actm.analyze(actm.load_model_text(blocked)).threats}
    assert set(after) <= set(before)
    assert {i: s for i, s in after.items() if s > before[i]} == {}


# -- attribution: which control stopped which chain -------------------------------------------


def test_redundant_controls_are_both_listed_as_redundant() -> None:
    # either alone stops the exfiltration: removing one leaves the threat out of scope
    result = analyse(
        "controls:\n"
        "  - {id: allowlist, blocks: [mail.egress]}\n"
        "  - {id: dlp, breaks: [{attack: tool-data-exfiltration, asset: customers}]}\n"
    )
    (m,) = (x for x in result.mitigated if x.id == EXFIL)
    assert m.mitigated_by == ("allowlist", "dlp")
    assert m.attribution == "redundant"
    assert m.reasons == (
        "allowlist blocks mail.egress (bound by tool-data-exfiltration)",
        "dlp breaks tool-data-exfiltration on customers",
        "redundant: any of allowlist, dlp (removing one alone does not bring it back)",
    )
    assert result.control_attribution == "counterfactual"
    assert result.controls_without_effect == ()


def test_identical_controls_are_redundant_without_engine_runs() -> None:
    result = analyse(
        "controls:\n  - {id: a, blocks: [mail.egress]}\n  - {id: b, blocks: [mail.egress]}\n"
    )
    (m,) = (x for x in result.mitigated if x.id == EXFIL)
    assert (m.mitigated_by, m.attribution) == (("a", "b"), "redundant")
    assert result.timings["counterfactual_runs"] == 0  # each is known to change nothing alone


def test_only_the_necessary_control_is_credited() -> None:
    # jail-lookup acts on the chain (the lookup tool) but changes nothing: lookup runs no code
    text = (
        "controls:\n"
        "  - {id: allowlist, blocks: [mail.egress]}\n"
        "  - {id: jail-lookup, sandboxes: [lookup]}\n"
    )
    result = analyse(text)
    mitigated = {m.id: m for m in result.mitigated}
    assert set(mitigated) == {EXFIL, "context-exfiltration-via-tool@bot"}
    for m in mitigated.values():
        assert (m.mitigated_by, m.attribution) == (("allowlist",), "counterfactual"), m
    assert result.controls_without_effect == ("jail-lookup",)
    assert result.summary["controls_without_effect"] == 1
    # what reading the chains alone would have said
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("actm.engine.runs.MAX_COUNTERFACTUAL", 1)
        touched = analyse(text)
    (m,) = (x for x in touched.mitigated if x.id == EXFIL)
    assert m.mitigated_by == ("allowlist", "jail-lookup")
    assert touched.control_attribution == "touch"


def test_controls_needed_together_are_each_credited() -> None:
    # a second mail tool: exfiltration needs both egress paths closed
    text = (
        textwrap.dedent(BASE).replace(
            "tools: [lookup, mail, run]", "tools: [lookup, mail, post, run]"
        )
        + "  - {id: post, permissions: {egress: [internet]}}\n"
        + "controls:\n"
        + "  - {id: mail-allowlist, blocks: [mail.egress]}\n"
        + "  - {id: post-allowlist, blocks: [post.egress]}\n"
    )
    result = actm.analyze(actm.load_model_text(text))
    (m,) = (x for x in result.mitigated if x.id == EXFIL)
    assert (m.mitigated_by, m.attribution) == (
        ("mail-allowlist", "post-allowlist"),
        "counterfactual",
    )
    assert m.reasons[-1] == (
        "mail-allowlist together with post-allowlist: without any one of them the threat is back"
    )


LOGS = """
actm: 1
system: {id: logs}
zones:
  - {id: dmz, trust: untrusted}
nodes:
  - {id: logstore, kind: database, zone: dmz}
models:
  - {id: bot, kind: agent, exposure: public, tools: [housekeeping]}
assets:
  - {id: audit-log, type: logs, criticality: {integrity: critical},
     resides: [{node: logstore, mode: stored}]}
relations:
  - {kind: derives, from: bot.outputs, to: audit-log, process: feedback}
tools:
  - {id: housekeeping, permissions: {write: [audit-log]}}
vulnerabilities:
  - {id: logstore-write, class: write_access, node: logstore}
controls:
  - {id: patch, removes: [logstore-write]}
  - {id: quota, breaks: [{attack: resource-exhaustion}]}
  - {id: unused, blocks: [housekeeping.egress]}
"""


def test_a_control_that_lowers_a_severity_is_listed_with_both_scores() -> None:
    # the patch leaves the log writable only through the agent's tool: limited changes, not
    # arbitrary ones, so the tampering threats stay in scope with a lower score. The log store
    # is exposed to the internet, so the weakness the patch removes is as likely a route as the
    # public user's (an insider's would rate lower than the public user's limited changes,
    # and the patch would lower nothing)
    result = actm.analyze(actm.load_model_text(textwrap.dedent(LOGS)))
    lowered = {x.id: x for x in result.lowered}
    assert set(lowered) == {
        "audit-log-tampering@bot@audit-log",
        "misinformation-recorded@bot@audit-log",
    }
    low = lowered["audit-log-tampering@bot@audit-log"]
    assert (low.inherent.score, low.inherent.level) == (8.0, "high")
    assert (low.residual.score, low.residual.level) == (6.4, "medium")
    assert low.inherent.capability == "make_arbitrary_changes"
    assert low.residual.capability == "make_limited_changes"
    assert (low.lowered_by, low.attribution) == (("patch",), "counterfactual")
    assert low.reasons == (
        "patch removes vulnerability logstore-write (chain step 4: make_arbitrary_changes on "
        "audit-log)",
    )
    residual = {t.id: t.severity.score for t in result.threats}
    assert residual["audit-log-tampering@bot@audit-log"] == 6.4
    assert "audit-log-tampering@bot@audit-log" not in {m.id for m in result.mitigated}
    # the quota takes a threat out of scope, the patch only lowers: neither is without effect
    (m,) = result.mitigated
    assert (m.id, m.mitigated_by) == ("resource-exhaustion@bot", ("quota",))
    assert m.reasons == ("quota breaks resource-exhaustion on bot.outputs (everywhere)",)
    assert result.controls_without_effect == ("unused",)
    assert result.summary["lowered"] == 2


def test_a_break_names_the_step_and_the_asset(tmp_path: object) -> None:
    result = two_step(
        tmp_path,
        "controls:\n  - {id: review, breaks: [{attack: greeting-takeover, step: take-over,"
        " asset: bot}]}\n",
    )
    (m,) = (x for x in result.mitigated if x.id == "greeting-takeover@bot")
    assert m.reasons == ("review breaks step 2 (take-over) of greeting-takeover on bot",)


def test_above_32_controls_attribution_falls_back_to_the_chains() -> None:
    def many(n: int) -> actm.results.model.Result:  # type: ignore[name-defined]
        lines = "".join(f"  - {{id: c{i:02d}, blocks: [mail.egress]}}\n" for i in range(n))
        return analyse("controls:\n" + lines)

    at_limit = many(32)
    assert at_limit.control_attribution == "counterfactual"
    (m,) = (x for x in at_limit.mitigated if x.id == EXFIL)
    assert m.attribution == "redundant"
    over = many(33)
    assert over.control_attribution == "touch"
    (m,) = (x for x in over.mitigated if x.id == EXFIL)
    assert m.attribution == "touch"
    assert m.mitigated_by == tuple(f"c{i:02d}" for i in range(33))
    assert not any(r.startswith("redundant") for r in m.reasons)
    assert over.timings["counterfactual_runs"] == 0


def test_without_controls_there_is_no_attribution() -> None:
    result = actm.analyze(actm.load_model_text(textwrap.dedent(LOGS)), controls=False)
    assert (result.control_attribution, result.lowered, result.controls_without_effect) == (
        "none",
        (),
        (),
    )
