"""What an outsider authors in a model's inputs (the `outside_authored` condition).

Tool definitions count where a third party describes one of the model's tools: it owns the
tool, publishes the MCP server the tool runs in, or an assumption lets it change the tool. The
agent's context is then sent out on that party's word (`context-exfiltration-via-tool`).
Definitions the system's own server writes, and tool results only a hijacked transport could
change, carry nothing an outsider wrote.

A component an asset feeds counts where someone outside writes that asset (outside content
declared on it, an assumption, a store open to writes), as for tool results: a memory only the
agent writes, or a payload the system's callers send on a cleartext flow, carries what the
system wrote; the agent steered into writing it, or the flow, is where the threat is."""

from __future__ import annotations

import pytest

from actm.engine.output import read
from conftest import run

MODEL = """\
actm: 1
system: {id: s, owner: acme}
owners:
  - {id: acme, trust: first_party}
  - {id: vendor, trust: untrusted}
nodes:
  - {id: laptop, kind: workstation}
  - id: mcp
    kind: mcp_server
    authentication: AUTH
    mcp: {transport: streamable_http, package: server}
models:
  - {id: bot, kind: agent, deployed_on: [laptop], tools: [lookup, post]}
assets:
  - id: notes
    type: business_data
    criticality: {confidentiality: high}
    resides: [{node: laptop}]
tools:
  - {id: lookup, node: mcp, permissions: {read: [notes]}}
  - {id: post, node: mcp, permissions: {egress: [internet]}}
packages:
  - {id: server, ecosystem: npm, name: server, pinned: PINNED, publisher: PUBLISHER, runs_on: [mcp]}
"""

LEAK = "context-exfiltration-via-tool@bot"


def _threats(publisher: str, pinned: str, auth: str) -> list[str]:
    text = MODEL.replace("PUBLISHER", publisher).replace("PINNED", pinned)
    return sorted(f.id for f in read(run(text.replace("AUTH", auth))).threats)


def test_a_third_party_server_describes_the_tools() -> None:
    assert LEAK in _threats("vendor", "true", "required")


@pytest.mark.parametrize(
    ("publisher", "pinned", "auth"),
    [
        ("acme", "true", "required"),  # the system's own server describes its tools
        ("acme", "true", "none"),  # results a hijacked transport changes are the hijack's
    ],
)
def test_own_definitions_and_hijackable_results_are_not(
    publisher: str, pinned: str, auth: str
) -> None:
    assert LEAK not in _threats(publisher, pinned, auth)


MEMORY = """\
actm: 1
system: {id: s}
nodes:
  - {id: app, kind: service, authentication: required}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [app], tools: [remember]}
assets:
  - id: notes
    type: document_store
    criticality: {integrity: high}
    resides: [{node: app}]SOURCES
relations:
  - {kind: feeds, from: notes, to: bot.inputs.memory}
  - {kind: feeds, from: payload, to: bot.inputs.agent_messages, encrypted: false}
tools:
  - {id: remember, node: app, constrained: false, permissions: {write: [notes]}}
"""

INJECTION = "indirect-prompt-injection@bot"


def _memory_threats(sources: str) -> list[str]:
    text = MEMORY.replace("SOURCES", sources)
    text = text.replace("relations:", "  - {id: payload, type: data}\nrelations:")
    return sorted(f.id for f in read(run(text)).threats)


def test_a_memory_others_write_is_authored_from_outside() -> None:
    sources = "\n    untrusted_sources: [{name: shared-workspace, can: contribute}]"
    assert INJECTION in _memory_threats(sources)


def test_a_memory_only_the_agent_writes_and_a_payload_in_transit_are_not() -> None:
    assert INJECTION not in _memory_threats("")
