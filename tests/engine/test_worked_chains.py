"""The worked chains of METHOD.md section 6, each asserted step by step.

Chains 1, 3, 5 and 9 are about propagation alone and run without attack patterns, so they test
the propagation tables and nothing else; the others end in attack patterns and run with the
built-in knowledge base.
"""

from __future__ import annotations

from actm.engine.output import explain
from conftest import analyse, chain, run

CHAIN_1 = """
actm: 1
system: {id: chain-1}
nodes:
  - {id: ingest-worker, kind: batch_job}
  - {id: vector-db, kind: vector_store}
models:
  - {id: support-llm, kind: agent, tools: [send_email]}
assets:
  - id: kb-corpus
    type: document_store
    resides:
      - {node: vector-db, mode: stored}
      - {node: ingest-worker, mode: processed, writes: true}
relations:
  - {kind: feeds, from: kb-corpus, to: support-llm.inputs.retrieved_context}
tools:
  - {id: send_email, permissions: {egress: [internet]}}
vulnerabilities:
  - {id: ingest-dep, class: supply_chain_compromise, node: ingest-worker}
"""


def test_chain_1_compromised_ingestion_reaches_tool_calls() -> None:
    out = run(CHAIN_1, attacks=False)
    steps = explain(out, "support-llm.outputs.tool_calls", "influence")
    assert steps is not None
    assert [(s.rule, s.target, s.capability, s.persistent) for s in steps] == [
        ("residency", "kb-corpus", "make_limited_changes", True),
        ("feeds", "support-llm.inputs.retrieved_context", "contribute", False),
        ("component_up", "support-llm.inputs", "contribute", False),
        ("dependency", "support-llm.outputs", "influence", False),
        ("component_down", "support-llm.outputs.tool_calls", "influence", False),
    ]
    assert steps[0].text == (
        "ingest-worker: supply_chain_compromise (ingest-dep) grants make_limited_changes on "
        "kb-corpus (persistent)"
    )


def test_chain_1_ends_in_corpus_poisoning_threat() -> None:
    result = analyse(CHAIN_1)
    threat = next(t for t in result.threats if t.id == "rag-poisoning@kb-corpus@support-llm")
    assert threat.chain_text == (
        "ingest-worker: supply_chain_compromise (ingest-dep) grants make_limited_changes on "
        "kb-corpus (persistent) -> feeds support-llm.inputs.retrieved_context: contribute -> "
        "rag-poisoning: influence on support-llm.outputs"
    )
    assert threat.vulnerabilities == ("ingest-dep",)


CHAIN_2 = """
actm: 1
system: {id: chain-2}
nodes:
  - {id: runtime, kind: service}
models:
  - id: researcher
    kind: agent
    features: [context_compression]
    tools: [fetch_page]
    deployed_on: [runtime]
tools:
  - id: fetch_page
    untrusted_results: [public-web]
    permissions: {egress: [internet]}
"""


def test_chain_2_oversized_tool_result_evicts_system_prompt() -> None:
    result = analyse(CHAIN_2)
    threat = next(t for t in result.threats if t.attack == "system-prompt-eviction")
    assert threat.id == "system-prompt-eviction@researcher"
    assert [s.text for s in threat.chain if not s.structural] == [
        "author of outside content (public-web) holds contribute on fetch_page.results "
        "(persistent)",
        "tool fetch_page returns it into researcher.inputs.tool_results: contribute",
        "context-eviction: withhold on researcher.inputs.system_prompt",
        "system-prompt-eviction: influence on researcher.outputs",
    ]


def test_chain_2_needs_the_compression_mechanism() -> None:
    result = analyse(CHAIN_2.replace("features: [context_compression]", "features: []"))
    assert "system-prompt-eviction@researcher" not in {t.id for t in result.threats}
    unmet = next(o for o in result.out_of_scope if o.attack == "system-prompt-eviction")
    assert unmet.reason == "not_granted"
    assert unmet.requirement == "withhold on inputs.system_prompt"


CHAIN_3 = """
actm: 1
system: {id: chain-3}
nodes:
  - {id: ci, kind: ci_runner}
  - {id: db, kind: database}
models:
  - {id: agent, kind: agent, identity: agent-token, tools: [update_order]}
assets:
  - {id: agent-token, type: credential, resides: [{node: ci}]}
  - {id: orders, type: business_data, resides: [{node: db}]}
tools:
  - {id: update_order, constrained: false, permissions: {write: [orders]}}
vulnerabilities:
  - {id: ci-logs, class: read_access, node: ci}
"""


def test_chain_3_stolen_credential_drives_a_tool_without_a_model() -> None:
    out = run(CHAIN_3, attacks=False)
    assert chain(out, "update_order.inputs", "make_arbitrary_changes") == [
        "ci: read_access (ci-logs) grants inspect on agent-token",
        "calls tool update_order with its credential: make_arbitrary_changes on "
        "update_order.inputs",
    ]
    steps = explain(out, "orders", "make_arbitrary_changes")
    assert steps is not None
    assert [s.rule for s in steps] == ["residency", "credential_tool", "tool_write"]
    # no model asset anywhere on the path
    assert not any(s.target.startswith("agent.") for s in steps)


def test_chain_3_threat() -> None:
    result = analyse(CHAIN_3)
    threat = next(t for t in result.threats if t.attack == "stolen-credential-tool-abuse")
    assert threat.id == "stolen-credential-tool-abuse@agent-token@orders"
    assert threat.chain_text == (
        "ci: read_access (ci-logs) grants inspect on agent-token -> calls tool update_order "
        "with its credential: make_arbitrary_changes on update_order.inputs -> "
        "stolen-credential-tool-abuse: make_limited_changes on orders (persistent)"
    )


CHAIN_4 = """
actm: 1
system: {id: chain-4}
models:
  - {id: planner, kind: agent, exposure: public}
  - {id: coder, kind: agent}
relations:
  - {kind: feeds, from: planner.outputs, to: coder.inputs.agent_messages}
"""


def test_chain_4_one_agent_steers_the_next() -> None:
    out = run(CHAIN_4, attacks=False)
    assert chain(out, "coder.outputs", "influence") == [
        "external-user holds make_arbitrary_changes on planner.inputs.user_input",
        "inference planner.inputs -> influence on planner.outputs",
        "feeds coder.inputs.agent_messages: contribute",
        "inference coder.inputs -> influence on coder.outputs",
    ]
    result = analyse(CHAIN_4)
    threat = next(t for t in result.threats if t.attack == "cross-agent-prompt-injection")
    assert threat.id == "cross-agent-prompt-injection@planner@coder"
    assert threat.chain_text == (
        "external-user holds make_arbitrary_changes on planner.inputs.user_input -> "
        "direct-prompt-injection: influence on planner.outputs -> feeds "
        "coder.inputs.agent_messages: contribute -> cross-agent-prompt-injection: influence on "
        "coder.outputs"
    )


CHAIN_5 = """
actm: 1
system: {id: chain-5}
models:
  - {id: clf, kind: classifier}
adversaries:
  - id: insider
    holds:
      - {asset: clf.dataset, capability: contribute, persistent: true}
      - {asset: clf.inputs, capability: make_arbitrary_changes}
      - {asset: clf.validation_results, capability: contribute, persistent: true}
"""


def test_chain_5_dependency_pairs() -> None:
    out = run(CHAIN_5, attacks=False)

    def last(target: str) -> tuple[str, str | None, bool]:
        steps = explain(out, target, "influence")
        assert steps is not None
        return steps[-1].text, steps[-1].capability, steps[-1].persistent

    assert last("clf.model_parameters") == (
        "training clf.dataset -> influence on clf.model_parameters (persistent)",
        "influence",
        True,
    )
    assert last("clf.outputs") == (
        "inference clf.inputs -> influence on clf.outputs",
        "influence",
        False,
    )
    assert last("clf.hyperparameters") == (
        "tuning clf.validation_results -> influence on clf.hyperparameters (persistent)",
        "influence",
        True,
    )


CHAIN_6 = """
actm: 1
system: {id: chain-6}
nodes:
  - {id: gpu-host, kind: inference_server}
models:
  - {id: scorer, kind: classifier, deployed_on: [gpu-host]}
vulnerabilities:
  - {id: rowhammer, class: fault_injection, node: gpu-host}
"""


def test_chain_6_fault_injection_is_not_a_persistent_backdoor() -> None:
    result = analyse(CHAIN_6)
    ids = {t.id for t in result.threats}
    assert "inference-fault-injection@scorer" in ids
    assert not any(i.startswith("model-backdoor@") for i in ids)
    threat = next(t for t in result.threats if t.id == "inference-fault-injection@scorer")
    assert threat.chain_text == (
        "gpu-host: fault_injection (rowhammer) grants make_limited_changes on "
        "scorer.model_parameters -> inference-fault-injection: make_limited_changes on "
        "scorer.outputs"
    )
    assert not threat.chain[0].persistent
    unmet = next(o for o in result.out_of_scope if o.attack == "model-backdoor")
    assert unmet.requirement == "make_limited_changes (persistent) on model_parameters"


CHAIN_7 = """
actm: 1
system: {id: chain-7}
nodes:
  - {id: gpu-host, kind: inference_server}
models:
  - {id: assistant, kind: llm, deployed_on: [gpu-host], features: [FEATURES]}
vulnerabilities:
  - {id: timing, class: side_channel, node: gpu-host}
"""


def test_chain_7_side_channel_needs_a_correlation_conversion() -> None:
    plain = analyse(CHAIN_7.replace("FEATURES", ""))
    assert [t.id for t in plain.threats] == []
    unmet = next(o for o in plain.out_of_scope if o.attack == "conversation-disclosure")
    assert unmet.reason == "not_granted"
    assert unmet.requirement == "partially_inspect on outputs"
    out = run(CHAIN_7.replace("FEATURES", ""))
    assert chain(out, "assistant.inputs", "indirectly_inspect") == [
        "gpu-host: side_channel (timing) grants indirectly_inspect on assistant.inputs"
    ]
    assert explain(out, "assistant.outputs", "partially_inspect") is None

    streamed = analyse(CHAIN_7.replace("FEATURES", "streaming"))
    threat = next(t for t in streamed.threats if t.id == "conversation-disclosure@assistant")
    assert threat.chain_text == (
        "gpu-host: side_channel (timing) grants indirectly_inspect on assistant.outputs -> "
        "streaming-side-channel: partially_inspect on assistant.outputs.text"
    )


CHAIN_8 = """
actm: 1
system: {id: chain-8, owner: acme}
owners:
  - {id: acme, first_party: true}
  - {id: hub, name: Public model hub}
nodes:
  - {id: serving, kind: inference_server}
models:
  - {id: base, kind: llm, owner: hub}
  - {id: tuned, kind: llm, base_model: base, deployed_on: [serving]}
assumptions:
  - id: hub-weights
    producer: hub
    asset: base.model_parameters
    capability: CAPABILITY
    status: STATUS
    justification: JUSTIFICATION
"""


def test_chain_8_unjustified_assumption_puts_a_backdoor_in_scope() -> None:
    text = (
        CHAIN_8.replace("CAPABILITY", "make_limited_changes")
        .replace("STATUS", "unjustified")
        .replace("JUSTIFICATION", "none given")
    )
    result = analyse(text, tolerance_severity="low")
    threat = next(t for t in result.threats if t.id == "model-backdoor@tuned")
    assert threat.unjustified_assumptions == ("hub-weights",)
    assert threat.chain_text == (
        "assumption hub-weights (unjustified): hub holds make_limited_changes on "
        "base.model_parameters (persistent) -> fine_tuning base.model_parameters -> "
        "make_limited_changes on tuned.model_parameters (persistent) -> model-backdoor: "
        "make_limited_changes on tuned.outputs"
    )
    report = result.assumptions[0]
    # the hub model itself is a supplied, poisoned pretrained model; ours inherits a backdoor
    assert report.dependent_threats == ("model-backdoor@tuned", "poisoned-pretrained-model@base")
    assert report.tolerance == "contribute"
    assert report.exceeds_tolerance


def test_chain_8_justified_at_none_the_backdoor_disappears() -> None:
    text = (
        CHAIN_8.replace("CAPABILITY", "none")
        .replace("STATUS", "justified")
        .replace("JUSTIFICATION", "signed provenance checked at download")
    )
    result = analyse(text, tolerance_severity="low")
    assert not any(t.attack == "model-backdoor" for t in result.threats)
    report = result.assumptions[0]
    assert report.dependent_threats == ()
    assert report.status == "justified"
    assert report.tolerance == "contribute"
    assert not report.exceeds_tolerance


CHAIN_9 = """
actm: 1
system: {id: chain-9, owner: acme}
owners:
  - {id: acme, first_party: true}
  - {id: llm-vendor}
nodes:
  - {id: vendor-api, kind: third_party_api, owner: llm-vendor}
  - {id: vdb, kind: vector_store}
models:
  - {id: assistant, kind: llm, deployed_on: [vendor-api]}
assets:
  - {id: docs, type: document_store, resides: [{node: vdb}]}
relations:
  - {kind: feeds, from: docs, to: assistant.inputs.retrieved_context}
"""


def test_chain_9_hosted_model_provider_inspects_what_is_sent() -> None:
    out = run(CHAIN_9, attacks=False)
    for component in ("user_input", "retrieved_context"):
        steps = explain(out, f"assistant.inputs.{component}", "inspect")
        assert steps is not None
        assert [(s.rule, s.target, s.capability) for s in steps] == [
            ("third_party", "assistant.inputs", "inspect"),
            ("component_down", f"assistant.inputs.{component}", "inspect"),
        ]
        assert steps[0].text == "llm-vendor operates vendor-api: inspect on assistant.inputs"
    # what was retrieved came from the document store: the provider reads part of it
    assert chain(out, "docs", "partially_inspect")[-1] == (
        "what flows into assistant.inputs.retrieved_context comes from docs: partially_inspect"
    )


def test_chain_9_through_an_assumption_that_sends_data() -> None:
    out = run(
        """
        actm: 1
        system: {id: chain-9b, owner: acme}
        owners:
          - {id: acme, first_party: true}
          - {id: llm-vendor}
        models:
          - {id: assistant, kind: llm}
        assumptions:
          - id: vendor-api
            producer: llm-vendor
            asset: assistant.model_parameters
            capability: none
            sends: [assistant.inputs.user_input, assistant.inputs.retrieved_context]
            status: justified
        """,
        attacks=False,
    )
    assert chain(out, "assistant.inputs.user_input", "inspect") == [
        "assumption vendor-api: assistant.inputs.user_input is sent to llm-vendor: inspect"
    ]
    assert chain(out, "assistant.inputs.retrieved_context", "inspect") == [
        "assumption vendor-api: assistant.inputs.retrieved_context is sent to llm-vendor: inspect"
    ]
