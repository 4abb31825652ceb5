"""Tool results are content an outsider authors where the tool reads a store that takes writes
without authentication: anyone who reaches the node can plant what the agent reads, so an
indirect prompt injection through those results closes. A service that only offers its
interface without authentication does not open what it stores."""

from __future__ import annotations

import pytest

from actm.engine.output import read
from conftest import run

MODEL = """\
actm: 1
system: {id: s}
nodes:
  - {id: store, kind: KIND, authentication: AUTH}
  - {id: app, kind: service, authentication: required}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [app], tools: [lookup]}
assets:
  - id: notes
    type: business_data
    criticality: {confidentiality: high}
    resides: [{node: store}]
tools:
  - {id: lookup, node: app, permissions: {read: [notes]}}
"""


def _threats(kind: str, auth: str) -> list[str]:
    out = run(MODEL.replace("KIND", kind).replace("AUTH", auth))
    return sorted(f.id for f in read(out).threats)


@pytest.mark.parametrize(("kind", "auth"), [("database", "none")])
def test_a_store_without_authentication_is_authored_from_outside(kind: str, auth: str) -> None:
    assert "indirect-prompt-injection@bot" in _threats(kind, auth)


@pytest.mark.parametrize(
    ("kind", "auth"),
    [
        ("database", "required"),  # only its owner writes it
        ("service", "none"),  # an open interface does not open what the node stores
    ],
)
def test_an_owned_or_interface_only_store_is_not(kind: str, auth: str) -> None:
    assert "indirect-prompt-injection@bot" not in _threats(kind, auth)
