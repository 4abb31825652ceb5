"""The knowledge base's noise rules: each attack fires only where the system has what it needs.

Each rule is a pair of close models: one where the system declares what the attack needs (it
fires, with the exact threat ids) and one where it does not (quiet). The rules:

* tool shadowing only across servers or owners;
* a self-replicating prompt only where what the agent writes is read into another model's
  context or is a channel other people share;
* timing and side-channel attacks only where the side channel, or the shared cache they time,
  is declared;
* covert channels only where other tenants share the host the model runs on;
* lateral movement with a stolen credential only onto other machines than the one it was
  stolen from;
* architecture recovery only for the system's own models;
* extraction, weight theft and property inference only for models whose weights are the
  system's own: trained or fine-tuned here, or of a kind not used as published (not an LLM,
  agent, embedding or image generator as its publisher ships it);
* fault injection only where a fault is declared (rowhammer, fault injection), not from any
  write to the weights in memory;
* a tool server taken over only where that is more than the agent's own code execution there,
  and only where it is more than the system's own code and its dependencies (someone else's
  server, or a declared weakness of its node);
* agent configuration tampering only of a configuration that feeds the agent's system prompt
  (one that only lists the tools it is offered is tool-definition poisoning);
* system-prompt extraction only where the prompt holds something confidential;
* cost harvesting only by requests the outsider sends itself, not by messages altered in flight;
* resource exhaustion only of a shared service, not of a vendor's model in a user's own session;
* an AI service open to anyone only where its model is not meant for the public;
* indirect prompt injection only into a model that reads content, not into one that takes only
  another model's outputs (that is cross-agent injection), and through the user input only
  where outside content is declared on it (pasted text, a trigger's payload), not through the
  request a user sends;
* cross-agent injection only through a component the other agent feeds and that carries
  nothing but other agents' outputs (tool results of a hand-off, not of a web search);
* a third party's data poisoned only where a model is built from it;
* a detector flooded with chaff only where people or automation act on what it flags;
* evasion crafted on a copy of the model only where people or automation act on its outputs;
* property inference only of training data whose confidentiality is high or critical.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

import actm
from session_model import OWN, SESSION, VENDOR


@dataclass(frozen=True)
class Rule:
    attack: str
    fires: str
    expect: tuple[str, ...]
    quiet: str


SHADOW = """
actm: 1
system: {{id: shadow}}
nodes:
  - {{id: git-srv, kind: mcp_server}}
  - {{id: docs-srv, kind: mcp_server}}
models:
  - {{id: bot, kind: agent, tools: [read_docs, push]}}
tools:
  - {{id: read_docs, node: {docs}, untrusted_results: [web]}}
  - {{id: push, node: git-srv, permissions: {{write: [repo]}}}}
assets:
  - {{id: repo, type: source_code}}
assumptions:
  - {{id: docs-text, producer: vendor, asset: read_docs.definition, capability: contribute}}
owners:
  - {{id: vendor}}
"""

REPLICATE = """
actm: 1
system: {{id: worm}}
models:
  - {{id: mailer, kind: agent, tools: [read_mail, send]}}
assets:
  - {{id: mailbox, type: business_data{sources}}}
tools:
  - {{id: read_mail, permissions: {{read: [mailbox]}}, untrusted_results: [senders]}}
  - {{id: send, permissions: {{write: [mailbox]}}}}
"""

CACHE = """
actm: 1
system: {{id: cache}}
nodes:
  - {{id: serving, kind: inference_server}}
models:
  - {{id: lm, kind: llm, exposure: public, deployed_on: [serving]{features}}}
vulnerabilities:
  - {{id: kv-timing, class: timing_side_channel, node: serving}}
"""

STREAM = """
actm: 1
system: {{id: stream}}
owners:
  - {{id: host-co}}
nodes:
  - {{id: serving, kind: inference_server, owner: host-co}}
  - {{id: lan, kind: network}}
models:
  - id: lm
    kind: llm
    exposure: internal
    features: [streaming]
    deployed_on: [serving]
    assets:
      outputs: {{resides: [{{node: lan, mode: transmitted}}]}}
{vulns}
"""

COVERT = """
actm: 1
system: {{id: covert}}
nodes:
  - {{id: gpu, kind: inference_server{shared}}}
models:
  - {{id: lm, kind: llm, exposure: public, deployed_on: [gpu]}}
vulnerabilities:
  - {{id: trojan, class: known_backdoor, model: lm}}
"""

ARCH = """
actm: 1
system: {{id: arch}}
owners:
  - {{id: vendor}}
nodes:
  - {{id: gpu, kind: inference_server}}
models:
  - {{id: net, kind: classifier, deployed_on: [gpu]{owner}}}
vulnerabilities:
  - {{id: em, class: power_side_channel, node: gpu}}
"""

BUCKET = """
actm: 1
system: {{id: bucket, owner: team}}
owners:
  - {{id: team, trust: first_party}}
  - {{id: host-co, name: Storage provider}}
models:
  - {{id: clf, kind: classifier}}
assets:
  - id: shared-images
    type: data
    owner: host-co
    untrusted_sources: [uploaders]{part}
"""

DETECTOR = """
actm: 1
system: {{id: detector}}
models:
  - id: scorer
    kind: classifier
    exposure: internal{acted}
    assets: {{inputs: {{component_sources: {{features: [card-transactions]}}}}}}
"""

PROXY = """
actm: 1
system: {{id: proxy}}
models:
  - id: sentiment
    kind: classifier
    exposure: public{acted}
"""

INFERENCE = """
actm: 1
system: {{id: inference}}
models:
  - id: scorer
    kind: classifier
    exposure: public
    assets: {{dataset: {{criticality: {{confidentiality: {level}}}}}}}
"""

DELEGATE = """
actm: 1
system: {{id: delegate}}
models:
  - {{id: researcher, kind: agent}}
  - {{id: lead, kind: agent, tools: [delegate]}}
tools:
  - {{id: delegate{reads}}}
assets:
  - {{id: notes, type: data, untrusted_sources: [web-page-authors]}}
relations:
  - {{kind: feeds, from: lead.outputs, to: researcher.inputs.agent_messages}}
  - {{kind: feeds, from: researcher.outputs, to: lead.inputs.tool_results}}
"""

PIPELINE = """
actm: 1
system: {{id: pipeline}}
models:
  - {{id: planner, kind: agent, exposure: public}}
  - {{id: writer, kind: agent}}
assets:
  - {{id: inbox, type: data, untrusted_sources: [{{name: peer-agents, can: contribute}}]}}
relations:
  - {{kind: feeds, from: planner.outputs, to: writer.inputs.agent_messages}}
{inbox}
"""

# text a developer pastes (copied from a page, hidden characters and all), or requests a
# public chat endpoint parses into the user input
PASTE = """
actm: 1
system: {{id: paste}}
models:
  - {{id: assistant, kind: agent{sources}}}
assets:
  - {{id: requests, type: data}}
relations:
  - {{kind: feeds, from: requests, to: assistant.inputs.user_input}}
"""

# a lead agent whose tool results carry a summariser's digest of web pages, and nothing else
# (a hand-off tool), or also what a search tool returns from the web
DIGEST = """
actm: 1
system: {{id: digest}}
models:
  - id: summariser
    kind: llm
    assets: {{inputs: {{component_sources: {{retrieved_context: [web]}}}}}}
  - {{id: lead, kind: agent, tools: [{tool}]}}
tools:
  - {{id: handoff}}
  - {{id: search, untrusted_results: [web]}}
relations:
  - {{kind: feeds, from: summariser.outputs, to: lead.inputs.tool_results}}
"""

FAULT = """
actm: 1
system: {{id: fault}}
nodes:
  - {{id: edge, kind: endpoint}}
models:
  - {{id: net, kind: classifier, deployed_on: [edge]}}
vulnerabilities:
  - {{id: weak, class: {vclass}, node: edge}}
"""

SERVER = """
actm: 1
system: {{id: server}}
nodes:
  - {{id: box, kind: container}}
  - {{id: srv, kind: mcp_server}}
models:
  - {{id: bot, kind: agent, exposure: public, tools: [run, lookup]}}
tools:
  - {{id: run, node: box, permissions: {{execute: [{runs_on}]}}}}
  - {{id: lookup, node: srv, permissions: {{read: [notes]}}}}
assets:
  - {{id: notes, type: business_data, resides: [{{node: srv}}]}}
vulnerabilities:
  - {{id: obey, class: jailbreakable, model: bot}}
{vulns}
"""

# the tool server's code: a vendor's MCP server package, or the team's own service whose npm
# dependency floats (that dependency's compromise is ml-dependency-compromise's threat)
SUPPLIED = """
actm: 1
system: {{id: supplied, owner: team}}
owners:
  - {{id: team, trust: first_party}}
  - {{id: vendor, trust: untrusted}}
nodes:
  - {{id: srv, kind: {kind}}}
models:
  - {{id: bot, kind: agent, tools: [lookup]}}
tools:
  - {{id: lookup, node: srv, permissions: {{read: [notes]}}}}
assets:
  - {{id: notes, type: business_data, resides: [{{node: srv}}]}}
packages:
  - {{id: lib, ecosystem: npm, name: lib, pinned: false, publisher: vendor, runs_on: [srv]}}
"""

# a shared file that anyone may write feeds the agent's instructions, or only the list of tools
# it is offered (that is tool-definition-poisoning's)
CONFIG = """
actm: 1
system: {{id: config}}
models:
  - {{id: bot, kind: agent}}
assets:
  - {{id: shared, type: agent_configuration, untrusted_sources: [{{name: anyone, can: edit}}]}}
relations:
  - {{kind: feeds, from: shared, to: bot.inputs.{component}}}
"""

# a public chat model: fine-tuned here on the team's tickets, or used as its publisher ships it
OWN_WEIGHTS = """
actm: 1
system: {{id: weights}}
models:
  - {{id: lm, kind: llm, exposure: public,
     assets: {{dataset: {{criticality: {{confidentiality: high}}}}}}}}
assets:
  - {{id: tickets, type: business_data}}
{training}
"""

TUNED = (
    "relations:\n  - {kind: derives, from: tickets, to: lm.model_parameters, process: fine_tuning}"
)

# the gateway's token opens the gateway; the admin's key on the laptop opens the database host
LATERAL = """
actm: 1
system: {{id: lateral}}
nodes:
  - {{id: laptop, kind: workstation}}
  - {{id: db-host, kind: host}}
assets:
  - {{id: key, type: credential, grants_access: [db-host], resides: [{{node: {key_on}}}]}}
  - {{id: records, type: personal_data, resides: [{{node: db-host}}]}}
vulnerabilities:
  - {{id: stealer, class: rce, node: {key_on}}}
"""

# a public chatbot whose prompt comes from a configuration file
PROMPT = """
actm: 1
system: {{id: prompt}}
models:
  - {{id: bot, kind: llm, exposure: public}}
assets:
  - {{id: bot-prompt, type: agent_configuration{secret}}}
  - {{id: partner-key, type: credential}}
relations:
  - {{kind: feeds, from: bot-prompt, to: bot.inputs.system_prompt}}
"""

# an internal model: its own port open to the network, or only a cleartext link from a planner
HARVEST = """
actm: 1
system: {{id: harvest}}
default_adversaries: false
nodes:
  - {{id: serving, kind: inference_server}}
models:
  - {{id: planner, kind: agent, exposure: internal}}
  - {{id: lm, kind: llm, exposure: internal, deployed_on: [serving],
     assets: {{inputs: {{components: [system_prompt, user_input, agent_messages]}}}}}}
relations:
  - {{kind: feeds, from: planner.outputs, to: lm.inputs.agent_messages, encrypted: false}}
{vulns}
"""

# a chat model on a server bound to every interface without a login
OPEN_SERVICE = """
actm: 1
system: {{id: open}}
nodes:
  - {{id: chat-host, kind: service, exposure: internet, authentication: none}}
models:
  - {{id: chat, kind: llm, exposure: {exposure}, deployed_on: [chat-host]}}
"""

OPEN_PORT = "vulnerabilities:\n  - {id: open-port, class: missing_authentication, node: serving}"


RULES = {
    # the vendor's docs tool can redirect the push tool of another server, not one of its own
    "shadowing across servers": Rule(
        "tool-shadowing",
        SHADOW.format(docs="docs-srv"),
        ("tool-shadowing@read_docs@push",),
        SHADOW.format(docs="git-srv"),
    ),
    # mail the agent sends lands where other people's mail comes in
    "replication needs a shared channel": Rule(
        "self-replicating-prompt-injection",
        REPLICATE.format(sources=", untrusted_sources: [senders]"),
        ("self-replicating-prompt-injection@mailer@mailbox",),
        REPLICATE.format(sources=""),
    ),
    "prompt-cache timing needs a shared cache": Rule(
        "prompt-cache-timing-leak",
        CACHE.format(features=", features: [shared_prompt_cache]"),
        ("prompt-cache-timing-leak@lm",),
        CACHE.format(features=""),
    ),
    # the host reads the outputs; only a declared side channel on the link gives token lengths
    "streaming side channel needs a declared side channel": Rule(
        "streaming-token-side-channel",
        STREAM.format(
            vulns="vulnerabilities:\n  - {id: sizes, class: timing_side_channel, node: lan}"
        ),
        ("streaming-token-side-channel@lm",),
        STREAM.format(vulns=""),
    ),
    "covert channels need a host shared with other tenants": Rule(
        "covert-channel-exfiltration",
        COVERT.format(shared=", shared_with: [other-tenants]"),
        ("covert-channel-exfiltration@lm",),
        COVERT.format(shared=""),
    ),
    "fault injection needs a declared fault": Rule(
        "inference-fault-injection",
        FAULT.format(vclass="fault_injection"),
        ("inference-fault-injection@net",),
        FAULT.format(vclass="rce"),
    ),
    # the weights and training data of a model used as published are the publisher's
    "extraction only of the system's own weights": Rule(
        "model-extraction",
        OWN_WEIGHTS.format(training=TUNED),
        ("model-extraction@lm",),
        OWN_WEIGHTS.format(training=""),
    ),
    "property inference only about the system's own training data": Rule(
        "property-inference",
        OWN_WEIGHTS.format(training=TUNED),
        ("property-inference@lm",),
        OWN_WEIGHTS.format(training=""),
    ),
    "lateral movement onto another machine": Rule(
        "credential-reuse-lateral-movement",
        LATERAL.format(key_on="laptop"),
        ("credential-reuse-lateral-movement@key@records",),
        LATERAL.format(key_on="db-host"),
    ),
    # lookup's server taken over through its own weakness is a threat; the agent running code
    # there is the agent's code execution (agent-code-execution), not a second threat
    "tool-server compromise beyond the agent's own execution": Rule(
        "tool-server-compromise",
        SERVER.format(runs_on="box", vulns="  - {id: srv-rce, class: rce, node: srv}"),
        ("tool-server-compromise@lookup",),
        SERVER.format(runs_on="box, srv", vulns=""),
    ),
    # a vendor's server package changed upstream takes the tools over; the team's own service
    # changed through a floating dependency is that dependency's threat
    "tool-server compromise of someone else's server code": Rule(
        "tool-server-compromise",
        SUPPLIED.format(kind="mcp_server"),
        ("tool-server-compromise@lookup",),
        SUPPLIED.format(kind="service"),
    ),
    # a configuration that only lists the tools offered changes no instruction of the agent
    "agent configuration tampering of its instructions": Rule(
        "agent-config-tampering",
        CONFIG.format(component="system_prompt"),
        ("agent-config-tampering@shared@bot",),
        CONFIG.format(component="tool_definitions"),
    ),
    # instructions anyone may read lose nothing when a user gets the model to repeat them
    "prompt extraction only of a prompt that holds something confidential": Rule(
        "system-prompt-extraction",
        PROMPT.format(secret=", contains: [partner-key]"),
        ("system-prompt-extraction@bot",),
        PROMPT.format(secret=""),
    ),
    # harvesting is sending one's own requests; altering the planner's messages in flight
    # runs no workload of the adversary's
    "cost harvesting by requests the outsider sends": Rule(
        "cost-harvesting",
        HARVEST.format(vulns=OPEN_PORT),
        ("cost-harvesting@lm",),
        HARVEST.format(vulns=""),
    ),
    # the vendor's model behind the user's own client: a user who floods it floods only itself
    "resource exhaustion only of a shared service": Rule(
        "resource-exhaustion",
        SESSION.format(**OWN),
        ("resource-exhaustion@lm",),
        SESSION.format(**VENDOR),
    ),
    # a model meant for the team's callers, open to anyone, is used as if by its owner; a
    # public chatbot answers strangers as it was built to
    "an open AI service only where the model is not meant for the public": Rule(
        "exposed-ai-service",
        OPEN_SERVICE.format(exposure="internal"),
        ("exposed-ai-service@chat",),
        OPEN_SERVICE.format(exposure="public"),
    ),
    # images others upload to a provider's bucket poison only a model trained on them
    "third-party data poisoned only where a model is built from it": Rule(
        "poisoned-third-party-dataset",
        BUCKET.format(part="\n    part_of: clf.dataset"),
        ("poisoned-third-party-dataset@shared-images",),
        BUCKET.format(part=""),
    ),
    # false alerts cost only where analysts or an automated block act on the alerts
    "chaff floods only a detector someone acts on": Rule(
        "detector-chaff-flooding",
        DETECTOR.format(acted="\n    acted_on: [{by: staff, decision: financial}]"),
        ("detector-chaff-flooding@scorer",),
        DETECTOR.format(acted=""),
    ),
    # a copy of a public classifier lets one craft inputs that pass a decision; a sentiment
    # score shown to whoever asked decides nothing, and its evasion is model-evasion's
    "evasion crafted on a copy only where someone decides on the model's outputs": Rule(
        "proxy-model-evasion",
        PROXY.format(acted="\n    acted_on: [{by: staff, decision: operational}]"),
        ("proxy-model-evasion@sentiment",),
        PROXY.format(acted=""),
    ),
    # aggregate facts about confidential training data are worth learning; a model trained on
    # web images or public reviews gives away nothing its data does not already publish
    "property inference only of confidential training data": Rule(
        "property-inference",
        INFERENCE.format(level="high"),
        ("property-inference@scorer",),
        INFERENCE.format(level="medium"),
    ),
    # the lead's delegating tool also reads shared notes anyone may write; reading nothing,
    # its results are only the researcher's report, whose injection is cross-agent's
    "indirect injection only through tools that bring content": Rule(
        "indirect-prompt-injection",
        DELEGATE.format(reads=", permissions: {read: [notes]}"),
        ("indirect-prompt-injection@lead",),
        DELEGATE.format(reads=""),
    ),
    # the writer also takes messages from agents outside the system: they plant instructions
    # there; fed only by the planner, the writer's injection is the planner's, passed on
    "indirect injection only into a model that reads content": Rule(
        "indirect-prompt-injection",
        PIPELINE.format(inbox="  - {kind: feeds, from: inbox, to: writer.inputs.agent_messages}"),
        ("indirect-prompt-injection@writer",),
        PIPELINE.format(inbox=""),
    ),
    # pasted text carries what its page's author wrote; a request body is the user's own
    "indirect injection through user input only where outside content is declared on it": Rule(
        "indirect-prompt-injection",
        PASTE.format(
            sources=", exposure: internal,\n     assets: {inputs: {component_sources: "
            "{user_input: [copied-pages]}}}"
        ),
        ("indirect-prompt-injection@assistant",),
        PASTE.format(sources=", exposure: public"),
    ),
    # a report that comes back as a tool result steers the lead; where web pages come back
    # there too, whoever wrote one is the injection (indirect), not the summariser
    "cross-agent injection through tool results that carry only other agents' outputs": Rule(
        "cross-agent-prompt-injection",
        DIGEST.format(tool="handoff"),
        ("cross-agent-prompt-injection@summariser@lead",),
        DIGEST.format(tool="search"),
    ),
}


def _ids(attack: str, text: str) -> list[str]:
    result = actm.analyze(actm.load_model_text(textwrap.dedent(text)))
    return sorted(t.id for t in result.threats if t.attack == attack)


@pytest.mark.parametrize("name", sorted(RULES))
def test_fires_where_the_system_has_what_the_attack_needs(name: str) -> None:
    rule = RULES[name]
    assert _ids(rule.attack, rule.fires) == sorted(rule.expect)


@pytest.mark.parametrize("name", sorted(RULES))
def test_quiet_where_it_does_not(name: str) -> None:
    rule = RULES[name]
    assert _ids(rule.attack, rule.quiet) == []


def _architecture_read(text: str) -> str | None:
    """The confidentiality capability the conversion yields on net.architecture (an asset of
    the development pipeline), if any."""
    result = actm.analyze(actm.load_model_text(textwrap.dedent(text)))
    row = next(r for r in result.capabilities if r.asset == "net.architecture")
    cell = row.development["confidentiality"]
    return cell.capability if cell is not None else None


def test_architecture_recovery_only_for_the_systems_own_models() -> None:
    # the conversion turns the power trace into a partial read of the architecture
    assert _architecture_read(ARCH.format(owner="")) == "partially_inspect"
    assert _architecture_read(ARCH.format(owner=", owner: vendor")) is None
