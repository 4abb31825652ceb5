"""Propagation rules, exactly: what a control's ``weakens`` does to what passes an edge, what
leaks through tools, and which capability each rule needs (credentials, packages, part_of, AI
weaknesses)."""

from __future__ import annotations

import pytest
from test_model_keys import GRANTS, _node_facts

from actm.engine.output import explain
from conftest import chain, run

WIKI = """
actm: 1
system: {id: weak}
models:
  - {id: bot, kind: llm}
assets:
  - {id: wiki, type: document_store, untrusted_sources: [forum]}
relations:
  - {id: rag, kind: feeds, from: wiki, to: bot.inputs.retrieved_context}
"""
CONTEXT = "bot.inputs.retrieved_context"
SOURCE = "author of outside content (forum) holds contribute on wiki (persistent)"


@pytest.mark.parametrize(
    ("to", "passes"),
    [
        (None, "contribute"),
        # a cap above what flows never raises it
        ("make_arbitrary_changes", "contribute"),
        ("make_limited_changes", "contribute"),
        ("contribute", "contribute"),
        ("influence", "influence"),
        # a cap of another class leaves integrity alone
        ("inspect", "contribute"),
    ],
)
def test_weakens_caps_what_passes_an_edge_and_never_raises_it(to: str | None, passes: str) -> None:
    text = (
        WIKI
        if to is None
        else WIKI + f"controls:\n  - {{id: f, weakens: [{{edge: rag, to: {to}}}]}}\n"
    )
    out = run(text, attacks=False)
    assert chain(out, CONTEXT, "influence") == [SOURCE, f"feeds {CONTEXT}: {passes}"]
    assert explain(out, CONTEXT, "make_limited_changes") is None


TOOLS = """
actm: 1
system: {id: exfiltration}
models:
  - {id: bot, kind: agent, exposure: public, tools: [lookup, fetch, update]}
assets:
  - {id: customers, type: personal_data}
  - {id: orders, type: business_data}
tools:
  - {id: lookup, permissions: {read: [customers]}}
  - {id: fetch, permissions: {read: [orders], egress: [internet]}}
  - {id: update, permissions: {write: [orders]}}
"""
STEERED = [
    "external-user holds make_arbitrary_changes on bot.inputs.user_input",
    "inference bot.inputs -> influence on bot.outputs",
]


@pytest.mark.parametrize("order", ["[lookup, fetch, update]", "[fetch, lookup, update]"])
def test_a_driven_reader_leaks_through_a_driven_egress_tool_or_through_itself(order: str) -> None:
    # whichever tool the adversary drives first, the leak is found when both are driven
    out = run(TOOLS.replace("[lookup, fetch, update]", order), attacks=False)
    assert chain(out, "customers", "inspect") == [
        *STEERED,
        "bot calls tool lookup: influence on lookup.inputs",
        "bot calls tool fetch: influence on fetch.inputs",
        "tool lookup (read) and tool fetch (egress) -> inspect on customers",
    ]
    assert chain(out, "orders", "inspect") == [
        *STEERED,
        "bot calls tool fetch: influence on fetch.inputs",
        "tool fetch (read, egress) -> inspect on orders",
    ]
    # a driven tool's write persists in a stored asset
    assert chain(out, "orders", "make_limited_changes") == [
        *STEERED,
        "bot calls tool update: influence on update.inputs",
        "tool update (write) -> make_limited_changes on orders (persistent)",
    ]


@pytest.mark.parametrize(
    ("edge", "to"),
    [("lookup.read", "partially_inspect"), ("fetch.egress", "monitor")],
)
def test_weakening_the_read_or_the_egress_caps_what_leaks(edge: str, to: str) -> None:
    out = run(
        TOOLS + f"controls:\n  - {{id: f, weakens: [{{edge: {edge}, to: {to}}}]}}\n", attacks=False
    )
    assert explain(out, "customers", "inspect") is None
    assert chain(out, "customers", to)[-1] == (
        f"tool lookup (read) and tool fetch (egress) -> {to} on customers"
    )


# -- credentials and packages need the capability the vocabulary names --------------------------


def test_only_inspecting_a_credential_uses_it() -> None:
    out = run(GRANTS, attacks=False)
    assert chain(out, "reader.inputs", "make_arbitrary_changes") == [
        "adversary thief holds inspect on tok",
        "calls tool reader with its credential: make_arbitrary_changes on reader.inputs",
    ]
    weaker = run(
        GRANTS.replace("capability: inspect}", "capability: partially_inspect}"), attacks=False
    )
    assert explain(weaker, "reader.inputs", "make_arbitrary_changes") is None
    assert explain(weaker, "repo", "inspect") is None
    assert explain(weaker, "repo", "make_arbitrary_changes") is None
    assert _node_facts(weaker) == []


PACKAGE = """
actm: 1
system: {id: p}
owners:
  - {id: vendor, first_party: true}
nodes:
  - {id: builder, kind: ci_runner}
assets:
  - {id: out, type: source_code, resides: [{node: builder}]}
packages:
  - {id: lib, name: lib, ecosystem: pypi, publisher: vendor, runs_on: [builder]}
adversaries:
  - {id: thief, holds: [{asset: lib, capability: CAPABILITY}]}
"""


def test_only_an_arbitrary_persistent_change_to_a_package_runs_its_code() -> None:
    out = run(
        PACKAGE.replace("CAPABILITY", "make_arbitrary_changes, persistent: true"), attacks=False
    )
    assert chain(out, "out", "make_arbitrary_changes") == [
        "adversary thief holds make_arbitrary_changes on lib (persistent)",
        "lib runs on builder: code_execution",
        "builder: code_execution grants make_arbitrary_changes on out (persistent)",
    ]
    assert _node_facts(out) == [("builder", "code_execution")]
    for weaker in ("make_limited_changes, persistent: true", "make_arbitrary_changes"):
        out = run(PACKAGE.replace("CAPABILITY", weaker), attacks=False)
        assert _node_facts(out) == []
        assert explain(out, "out", "make_arbitrary_changes") is None


# -- part_of and conditional AI weaknesses ------------------------------------------------------

PART = """
actm: 1
system: {id: po}
assets:
  - {id: cfg, type: configuration}
  - {id: key, type: credential, part_of: cfg}
adversaries:
  - {id: insider, holds: [{asset: key, capability: CAPABILITY}]}
"""


def test_a_capability_on_a_part_gives_the_part_of_one_on_the_whole() -> None:
    out = run(PART.replace("CAPABILITY", "inspect"), attacks=False)
    assert chain(out, "cfg", "partially_inspect") == [
        "adversary insider holds inspect on key",
        "part of cfg: partially_inspect",
    ]
    assert explain(out, "cfg", "inspect") is None
    out = run(PART.replace("CAPABILITY", "make_arbitrary_changes, persistent: true"), attacks=False)
    assert chain(out, "cfg", "make_limited_changes") == [
        "adversary insider holds make_arbitrary_changes on key (persistent)",
        "part of cfg: make_limited_changes (persistent)",
    ]
    assert explain(out, "cfg", "make_arbitrary_changes") is None
    # a transient change to the part is a transient change to the whole
    out = run(PART.replace("CAPABILITY", "make_arbitrary_changes"), attacks=False)
    assert chain(out, "cfg", "make_limited_changes") == [
        "adversary insider holds make_arbitrary_changes on key",
        "part of cfg: make_limited_changes",
    ]
    # a control's weakens on the part_of edge caps what passes it
    weakened = PART.replace("CAPABILITY", "inspect") + (
        "controls:\n  - {id: f, weakens: [{edge: key->cfg, to: monitor}]}\n"
    )
    out = run(weakened, attacks=False)
    assert chain(out, "cfg", "monitor") == [
        "adversary insider holds inspect on key",
        "part of cfg: monitor",
    ]
    assert explain(out, "cfg", "partially_inspect") is None


AI_WEAKNESS = """
actm: 1
system: {id: ai}
models:
  - {id: bot, kind: llm}
vulnerabilities:
  - {id: leak, class: leaks_system_prompt, model: bot}
adversaries:
  - {id: insider, holds: [{asset: bot.inputs.user_input, capability: CAPABILITY}]}
"""


def test_a_conditional_ai_weakness_fires_on_the_capability_it_requires() -> None:
    out = run(AI_WEAKNESS.replace("CAPABILITY", "make_arbitrary_changes"), attacks=False)
    assert chain(out, "bot.inputs.system_prompt", "inspect") == [
        "adversary insider holds make_arbitrary_changes on bot.inputs.user_input",
        "leak (leaks_system_prompt): inspect on bot.inputs.system_prompt",
    ]
    out = run(AI_WEAKNESS.replace("CAPABILITY", "make_limited_changes"), attacks=False)
    assert explain(out, "bot.inputs.system_prompt", "inspect") is None


WRITER = """
actm: 1
system: {id: t}
models:
  - {id: bot, kind: agent, tools: [lookup, mail]}
assets:
  - {id: wiki, type: document_store}
  - {id: kb, type: document_store}
tools:
  - {id: lookup, permissions: {read: [wiki]}}
  - {id: mail, permissions: {write: [kb]}}
adversaries:
  - id: insider
    holds:
      - {asset: wiki, capability: CAPABILITY}
      - {asset: mail.inputs, capability: make_arbitrary_changes}
"""


def test_only_content_the_adversary_wrote_reaches_the_agent_through_a_tool() -> None:
    out = run(WRITER.replace("CAPABILITY", "contribute"), attacks=False)
    assert chain(out, "bot.inputs.tool_results", "contribute") == [
        "adversary insider holds contribute on wiki",
        "tool lookup returns it into bot.inputs.tool_results: contribute",
    ]
    out = run(WRITER.replace("CAPABILITY", "influence"), attacks=False)
    assert explain(out, "bot.inputs.tool_results", "influence") is None


def test_weakening_a_tools_write_caps_what_it_writes() -> None:
    text = WRITER.replace("CAPABILITY", "monitor")
    assert chain(run(text, attacks=False), "kb", "make_limited_changes") == [
        "adversary insider holds make_arbitrary_changes on mail.inputs",
        "tool mail (write) -> make_limited_changes on kb (persistent)",
    ]
    weakened = text + "controls:\n  - {id: f, weakens: [{edge: mail.write, to: contribute}]}\n"
    out = run(weakened, attacks=False)
    assert chain(out, "kb", "contribute") == [
        "adversary insider holds make_arbitrary_changes on mail.inputs",
        "tool mail (write) -> contribute on kb (persistent)",
    ]
    assert explain(out, "kb", "make_limited_changes") is None


FEDERATED = """
actm: 1
system: {id: fl}
nodes:
  - {id: agg, kind: service, pipeline: development}
models:
  - {id: global, kind: classifier, trained_on: [agg]}
assets:
  - {id: updates, type: data, resides: [{node: agg, mode: processed}]}
relations:
  - {kind: derives, from: updates, to: global.model_parameters, process: PROCESS}
adversaries:
  - {id: participant, holds: [{asset: updates, capability: contribute, persistent: true}]}
"""


def test_a_federated_update_changes_the_global_weights_and_training_data_only_influences() -> None:
    out = run(FEDERATED.replace("PROCESS", "federated_averaging"), attacks=False)
    assert chain(out, "global.model_parameters", "make_limited_changes") == [
        "adversary participant holds contribute on updates (persistent)",
        "federated_averaging updates -> make_limited_changes on global.model_parameters"
        " (persistent)",
    ]
    assert explain(out, "global.model_parameters", "make_arbitrary_changes") is None
    out = run(FEDERATED.replace("PROCESS", "training"), attacks=False)
    assert explain(out, "global.model_parameters", "make_limited_changes") is None
