"""A drive-by compromise needs a page to open (``drive-by-browsing-compromise``): a tool that
returns content from outside, on a node with a weakness such a page exploits. A declared code
execution on the node of a tool that reads only the system's own data is that weakness's
threat, not a drive-by."""

from __future__ import annotations

import textwrap

import actm
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()

# A triage agent's tool reads tickets from the team's database on an app server with a declared
# remote code execution; the key beside it opens the tracker. {tool} is the tool.
TRIAGE = """
actm: 1
system: {{id: triage, owner: me}}
owners:
  - {{id: me, first_party: true}}
nodes:
  - {{id: app, kind: service, owner: me}}
  - {{id: tracker, kind: database, owner: me}}
models:
  - {{id: triager, kind: agent, deployed_on: [app], tools: [read_tickets]}}
assets:
  - {{id: tickets, type: business_data, resides: [{{node: tracker}}]}}
  - {{id: tracker-key, type: credential, grants: {{read: [tickets]}}, resides: [{{node: app}}]}}
tools:
  - {tool}
vulnerabilities:
  - {{id: app-rce, class: rce, node: app}}
"""


def _drive_bys(tool: str) -> list[str]:
    model = actm.load_model_text(textwrap.dedent(TRIAGE.format(tool=tool)), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    return sorted(t.id for t in result.threats if t.attack == "drive-by-browsing-compromise")


def test_a_tool_that_reads_only_the_teams_data_opens_no_page() -> None:
    tool = "{id: read_tickets, node: app, permissions: {read: [tickets]}}"
    assert _drive_bys(tool) == []


def test_a_tool_that_fetches_pages_on_that_node_opens_them() -> None:
    tool = "{id: read_tickets, node: app, untrusted_results: [linked-pages]}"
    assert _drive_bys(tool) == ["drive-by-browsing-compromise@read_tickets@tracker-key"]
