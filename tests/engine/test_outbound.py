"""Which nodes the model shows opening connections out of the system (``connects_out``)."""

from __future__ import annotations

import textwrap

import actm
from actm.engine.outbound import outbound_nodes

OUTSIDE = ("untrusted", "low")

BASE = """
actm: 1
system: {id: probe}
zones:
  - {id: internet, trust: untrusted}
  - {id: corp, trust: high}
nodes:
  - {id: vendor-api, kind: third_party_api, zone: internet}
  - {id: hub, kind: model_hub, zone: internet}
  - {id: app, kind: container, zone: corp, exposure: internet}
  - {id: agent-host, kind: host, zone: corp}
  - {id: loader, kind: workstation, zone: corp}
  - {id: db, kind: database, zone: corp}
"""

ROWS = """
assets:
  - {id: rows, type: data, resides: [{node: db}, {node: app}]}
"""


def _outbound(extra: str) -> list[str]:
    model = actm.load_model_text(textwrap.dedent(BASE) + textwrap.dedent(extra))
    return sorted(outbound_nodes(model, OUTSIDE))


def test_sharing_data_with_an_inside_node_shows_no_connection_out() -> None:
    assert _outbound(ROWS) == []


def test_a_tool_whose_egress_leaves_the_system_opens_connections_from_its_node() -> None:
    extra = """
    assets:
      - {id: rows, type: data, resides: [{node: db}, {node: app}]}
    tools:
      - {id: fetch, node: agent-host, permissions: {egress: [internet]}}
      - {id: notify, node: db, permissions: {egress: [corp]}}
    """
    assert _outbound(extra) == ["agent-host"]


def test_a_credential_for_an_outside_service_shows_its_node_calling_out() -> None:
    extra = """
    assets:
      - {id: rows, type: data, resides: [{node: db}, {node: app}]}
      - {id: api-key, type: credential, grants_access: [vendor-api], resides: [{node: app}]}
    """
    assert _outbound(extra) == ["app"]


def test_a_file_shared_with_an_outside_node_was_fetched_only_by_a_node_not_exposed() -> None:
    """The loader, which the internet does not reach, opened the download itself; the
    exposed app may have been sent the file, so it shows nothing."""
    extra = """
    assets:
      - {id: rows, type: data, resides: [{node: db}, {node: app}]}
      - id: checkpoint
        type: model_artifact
        resides: [{node: hub}, {node: loader, mode: processed}, {node: app}]
    """
    assert _outbound(extra) == ["loader"]
