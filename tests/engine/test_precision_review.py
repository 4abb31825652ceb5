"""Regressions from a review of the precision rules: what each narrowing must keep reporting
(the reproducers are the reviewer's probe models)."""

from __future__ import annotations

import textwrap

import actm

# a public agent reads a customer table that embeds a payment key and can mail the internet
CUSTOMERS = """\
actm: 1
system: {id: fixture}
models:
  - {id: bot, kind: agent, exposure: public, tools: [lookup, mail]}
assets:
  - {id: customers, type: personal_data, contains: [stripe-key]}
  - {id: stripe-key, type: secret}
tools:
  - {id: lookup, permissions: {read: [customers]}}
  - {id: mail, permissions: {egress: [internet]}}
"""

# public bare LLMs: one whose context holds a vendor key, one fine-tuned on patient records,
# one whose outputs someone relies on (integrity critical)
BARE = """\
actm: 1
system: {id: p2}
models:
  - id: keyed
    kind: llm
    exposure: public
    assets:
      inputs: {contains: [vendor-key]}
  - id: webfed
    kind: llm
    exposure: public
    assets:
      inputs: {untrusted_sources: [web-pages]}
  - id: sysdesc
    kind: llm
    exposure: public
    assets:
      inputs:
        description: "system prompt with the company's confidential pricing rules"
        components: [user_input, system_prompt]
  - id: finetuned
    kind: llm
    exposure: public
    assets:
      model_parameters: {criticality: {confidentiality: critical}}
  - id: shared
    kind: llm
    exposure: public
    assets:
      outputs: {criticality: {integrity: critical}}
assets:
  - {id: vendor-key, type: credential, criticality: {confidentiality: critical}}
  - {id: patients, type: personal_data}
relations:
  - {kind: derives, from: patients, to: finetuned.dataset, process: preprocessing}
"""

# an agent on a laptop reads web content and has a read-only tool over a key and a wallet
LAPTOP = """\
actm: 1
system: {id: fixture}
nodes:
  - {id: laptop, kind: workstation}
models:
  - id: bot
    kind: agent
    deployed_on: [laptop]
    tools: [readfile]
    assets:
      inputs: {component_sources: {retrieved_context: [web]}}
      outputs: {resides: [{node: laptop, mode: processed}]}
assets:
  - {id: ssh-key, type: secret, resides: [{node: laptop}]}
  - id: wallet
    type: business_data
    criticality: {integrity: critical, confidentiality: high}
    resides: [{node: laptop}]
tools:
  - {id: readfile, node: laptop, permissions: {read: [ssh-key, wallet]}}
"""

# a classifier whose curated dataset is declared confidential though built from public images
CURATED = """\
actm: 1
system: {id: p10}
models:
  - id: web
    kind: classifier
    assets:
      dataset:
        criticality: {confidentiality: critical}
        description: "curated, deduplicated, hand-filtered subset"
  - id: labelled
    kind: classifier
assets:
  - {id: web-images, type: data, public: true}
  - {id: labels, type: business_data, criticality: {confidentiality: high}}
relations:
  - {kind: derives, from: web-images, to: web.dataset, process: preprocessing}
  - {kind: derives, from: web-images, to: labelled.dataset, process: preprocessing}
default_adversaries: false
adversaries:
  - id: reader
    holds:
      - {asset: web.dataset, capability: inspect}
      - {asset: labelled.dataset, capability: inspect}
"""

# a developer's agent with a shell on the laptop and a search tool on a remote MCP server;
# {operator} runs the server and owns its tool
REMOTE_SERVER = """\
actm: 1
system: {{id: probe, owner: team}}
owners:
  - {{id: team, trust: first_party}}
  - {{id: vendor, trust: contracted, contract: Serves the agent's model.}}
  - {{id: toolco, trust: untrusted}}
nodes:
  - {{id: laptop, kind: workstation, owner: team}}
  - {{id: remote, kind: mcp_server, owner: {operator}, exposure: internet}}
  - {{id: llm-api, kind: third_party_api, owner: vendor}}
models:
  - {{id: agent, kind: agent, owner: vendor, deployed_on: [llm-api], tools: [shell, search]}}
assets:
  - id: notes
    type: business_data
    criticality: {{confidentiality: high}}
    resides: [{{node: laptop}}]
    untrusted_sources: [{{name: mailers, can: contribute}}]
tools:
  - {{id: shell, node: laptop, approval: auto_approved, permissions: {{execute: [laptop]}}}}
  - {{id: search, node: remote, owner: {operator}, approval: auto_approved,
     permissions: {{read: [notes]}}}}
"""


def _ids(text: str) -> set[str]:
    result = actm.analyze(actm.load_model_text(textwrap.dedent(text)))
    return {t.id for t in result.threats}


def test_personal_data_that_embeds_a_key_is_no_mere_wrapper() -> None:
    # the table is worth taking for its own content; only a carrier of the key (a
    # configuration, logs) stating no confidentiality of its own is a wrapper
    ids = _ids(CUSTOMERS)
    assert {"tool-data-exfiltration@bot@customers", "tool-data-disclosure@bot@customers"} <= ids


def test_a_bare_model_is_not_its_askers_alone_when_more_is_at_stake() -> None:
    # a secret in its context, training data that is not public, outputs someone relies on
    ids = _ids(BARE)
    assert {
        "direct-prompt-injection@keyed",
        "direct-prompt-injection@finetuned",
        "direct-prompt-injection@shared",
    } <= ids


def test_a_person_steered_at_a_machine_the_agent_only_reads_from_is_reported() -> None:
    # the read-only tool sends nothing out and changes nothing: the person is the way to both
    ids = _ids(LAPTOP)
    assert {
        "human-trust-exploitation@bot@ssh-key",
        "human-trust-exploitation@bot@wallet",
    } <= ids


def test_a_dataset_declared_confidential_is_not_published() -> None:
    ids = _ids(CURATED)
    assert "training-data-exposure@web" in ids
    assert "training-data-exposure@labelled" not in ids


def test_definitions_beside_an_untrusted_operators_server_are_still_reported() -> None:
    # the shell's rewrite of the laptop's definitions is the code execution's doing where the
    # team runs every server; where an untrusted company runs one, which can change what it
    # serves but holds only what resides there, the poisoning stays the report of the
    # definitions the agent is offered
    assert "tool-definition-poisoning@agent" in _ids(REMOTE_SERVER.format(operator="toolco"))
    assert "tool-definition-poisoning@agent" not in _ids(REMOTE_SERVER.format(operator="team"))
