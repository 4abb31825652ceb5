"""A model in which one threat needs a weakness a hypothesis posits, shared by the engine and
CLI tests of hypotheses: a database nobody says is unprotected, read by a public agent's tool.
``ANALYSIS`` stands where the model's ``analysis:`` line goes (replace it, or remove it)."""

from __future__ import annotations

HYPOTHESES_MODEL = """\
actm: 1
system: {id: h}
ANALYSIS
nodes:
  - {id: db, kind: database}
  - {id: app, kind: service}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [app], tools: [lookup]}
assets:
  - id: customers
    type: personal_data
    criticality: {confidentiality: high}
    resides: [{node: db}]
tools:
  - {id: lookup, node: app, permissions: {read: [customers]}}
"""
POSITED = "indirect-prompt-injection@bot"
"""The threat that needs the posited weakness (the database answering without
authentication lets an insider plant what the tool reads)."""
