"""Models in which code execution is derived through an agent's tool, shared by the tests of
the foothold noise rule (engine/footholds.py): ``SHELL``, formatted with ``tools`` (``""``, or
``", lookup"`` with ``extra=SERVER``) and ``extra``, is a developer's agent with a shell on the
laptop that holds a tracker's token; ``SERVER`` adds a stdio server a publisher can change on
the same laptop; ``LOOKUP`` is a public agent whose lookup tool runs a shell command on its
host and sends the name out."""

from __future__ import annotations

# a developer's agent (the vendor's model) with a shell on the laptop that holds the tracker's
# token, and issues anyone may write to (an injection); {extra} adds to the tools
SHELL = """
actm: 1
system: {{id: shell, owner: team}}
owners:
  - {{id: team, trust: first_party}}
  - {{id: vendor, trust: contracted, contract: Serves the agent's model.}}
  - {{id: authors, trust: untrusted}}
nodes:
  - {{id: laptop, kind: workstation, owner: team}}
  - {{id: tracker, kind: saas, owner: team}}
  - {{id: llm-api, kind: third_party_api, owner: vendor}}
models:
  - {{id: agent, kind: agent, owner: vendor, deployed_on: [llm-api],
     tools: [read_issue, close_issue, shell{tools}]}}
assets:
  - id: token
    type: credential
    criticality: {{confidentiality: high}}
    grants: {{read: [issues], write: [issues]}}
    resides: [{{node: laptop}}]
  - id: issues
    type: business_data
    criticality: {{integrity: medium}}
    untrusted_sources: [{{name: reporters, can: contribute}}]
    resides: [{{node: tracker}}]
tools:
  - {{id: read_issue, node: tracker, credential: token, approval: auto_approved,
     permissions: {{read: [issues]}}}}
  - {{id: close_issue, node: tracker, credential: token, approval: auto_approved,
     permissions: {{write: [issues]}}}}
  - {{id: shell, node: laptop, approval: auto_approved, permissions: {{execute: [laptop]}}}}
{extra}"""

# a stdio server whose publisher can change it, on the same laptop
SERVER = """\
  - {id: lookup, node: laptop, owner: authors, approval: auto_approved}
packages:
  - {id: lookup-server, ecosystem: npm, name: lookup-server, pinned: false, publisher: authors,
     runs_on: [laptop]}
"""


LOOKUP = """
actm: 1
system: {id: lookup, owner: team}
owners:
  - {id: team, trust: first_party}
nodes:
  - {id: host, kind: service}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [host], tools: [lookup]}
assets:
  - id: api-key
    type: credential
    criticality: {confidentiality: critical}
    resides: [{node: host, mode: processed}]
tools:
  - {id: lookup, node: host, permissions: {egress: [internet], execute: [host]}}
"""
