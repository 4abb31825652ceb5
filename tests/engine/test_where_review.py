"""Regressions found by a review of the session's where conditions and entries: each model is
the smallest that showed the defect, with the threat it must (or must not) give."""

from __future__ import annotations

from actm.engine.output import read
from conftest import run

# an internal chatbot whose answers a moderation classifier also reads: its users still talk
# to it (a guard or classifier model fed the answers is no conversation partner)
MODERATED_BOT = """
actm: 1
system: {id: fixture}
nodes:
  - {id: app, kind: service}
models:
  - {id: bot, kind: llm, exposure: internal, deployed_on: [app]}
  - {id: moderator, kind: classifier, exposure: internal, deployed_on: [app]}
relations:
  - {kind: feeds, from: bot.outputs, to: moderator.inputs.user_input}
vulnerabilities:
  - {id: verbose-logs, class: logging_exposure, node: app}
"""

# a mailbox anyone can mail, indexed into a vector store the agent searches: what is derived
# from outside content carries it
INDEXED_MAILBOX = """
actm: 1
system: {id: ipi}
nodes:
  - {id: app, kind: service}
  - {id: mail, kind: service}
  - {id: vdb, kind: vector_store}
models:
  - {id: agent, kind: agent, exposure: internal, deployed_on: [app], tools: [search]}
assets:
  - {id: inbox, type: document_store, untrusted_sources: [email-senders], resides: [{node: mail}]}
  - {id: index, type: document_store, resides: [{node: vdb}]}
relations:
  - {kind: derives, from: inbox, to: index, process: indexing}
tools:
  - {id: search, node: app, permissions: {read: [index]}}
"""

# a shell tool named in its configuration but with neither approval nor sandbox: there is no
# safeguard to switch off (agent-code-execution already reports the harm)
UNGUARDED_SHELL = """
actm: 1
system: {id: fixture}
nodes:
  - {id: laptop, kind: workstation}
models:
  - id: coder
    kind: agent
    tools: [shell]
    assets:
      inputs: {component_sources: {tool_results: [web-pages]}}
assets:
  - {id: settings, type: agent_configuration, resides: [{node: laptop}]}
  - {id: ssh-key, type: credential, criticality: {confidentiality: high}, resides: [{node: laptop}]}
tools:
  - {id: shell, node: laptop, permissions: {execute: [laptop]}, configured_in: settings}
vulnerabilities:
  - {id: writable-home, class: misconfiguration, node: laptop}
"""

# a training cluster whose management interface (Ray's job API) faces the internet, declared
# and posited by the hypotheses
EXPOSED_CLUSTER = """
actm: 1
system: {id: ch}
nodes:
  - {id: gpu, kind: gpu_cluster, exposure: internet}
models:
  - {id: net, kind: classifier, exposure: internal, trained_on: [gpu], deployed_on: [gpu]}
vulnerabilities:
  - {id: v, class: exposed_management_interface, node: gpu}
"""
POSITED_CLUSTER = """
actm: 1
system: {id: ch}
analysis: {hypotheses: true}
nodes:
  - {id: gpu, kind: gpu_cluster, exposure: internet}
models:
  - {id: net, kind: classifier, exposure: internal, trained_on: [gpu], deployed_on: [gpu]}
"""

# the team's own MCP server on the internet, hypotheses on: the posited management interface
# makes its server exposed
POSITED_SERVER = """
actm: 1
system: {id: tsc, owner: team}
analysis: {hypotheses: true}
owners:
  - {id: team, trust: first_party}
nodes:
  - {id: app, kind: service}
  - id: tools
    kind: mcp_server
    exposure: internet
    mcp: {transport: streamable_http, authentication: bearer}
models:
  - {id: agent, kind: agent, exposure: internal, deployed_on: [app], tools: [lookup]}
assets:
  - {id: records, type: business_data, resides: [{node: tools}]}
tools:
  - {id: lookup, node: tools, permissions: {read: [records]}}
"""


def _ids(model: str) -> list[str]:
    return sorted(t.id for t in read(run(model)).threats)


def test_a_moderated_internal_bot_still_discloses_conversations() -> None:
    assert "conversation-disclosure@bot" in _ids(MODERATED_BOT)


def test_an_index_of_outside_content_is_outside_authored() -> None:
    assert "indirect-prompt-injection@agent" in _ids(INDEXED_MAILBOX)


def test_no_safeguard_no_safeguard_disablement() -> None:
    found = _ids(UNGUARDED_SHELL)
    assert "agent-code-execution@coder@ssh-key" in found
    assert not [t for t in found if t.startswith("tool-safeguard-disablement")]
    guarded = UNGUARDED_SHELL.replace(
        "configured_in: settings}", "configured_in: settings, sandbox: true}"
    )
    assert [t for t in _ids(guarded) if t.startswith("tool-safeguard-disablement")]


def test_an_exposed_management_interface_hijacks_the_cluster() -> None:
    assert "compute-hijacking@net" in _ids(EXPOSED_CLUSTER)
    assert "compute-hijacking@net" in _ids(POSITED_CLUSTER)


def test_a_posited_weakness_exposes_the_teams_own_server() -> None:
    out = run(POSITED_SERVER)
    found = {t.id: t.hypothetical for t in read(out).threats}
    assert found.get("tool-server-compromise@lookup") is True
