"""A model in which a user types into an internal model with the team's instructions, shared
by the tests of the noise rules that tell a user's own session from a shared service: format
it with ``kind`` and ``owner`` for the node the model runs on (``third_party_api`` and
``", owner: vendor"`` for the vendor's model behind the user's own client,
``inference_server`` and ``""`` for the team's own)."""

from __future__ import annotations

SESSION = """
actm: 1
system: {{id: session}}
default_adversaries: false
owners:
  - {{id: vendor, trust: contracted}}
nodes:
  - {{id: serving, kind: {kind}{owner}}}
models:
  - {{id: lm, kind: llm, exposure: internal, deployed_on: [serving]}}
assets:
  - {{id: instructions, type: agent_configuration}}
relations:
  - {{kind: feeds, from: instructions, to: lm.inputs.system_prompt}}
adversaries:
  - id: user
    holds:
      - {{asset: lm.inputs.user_input, capability: make_arbitrary_changes}}
"""

VENDOR = {"kind": "third_party_api", "owner": ", owner: vendor"}
"""The vendor's model, behind the user's own client."""

OWN = {"kind": "inference_server", "owner": ""}
"""The team's own model server."""
