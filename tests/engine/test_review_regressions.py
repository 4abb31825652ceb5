"""Regressions found by a review of the per-component conditions and the interface grant of
missing authentication."""

from __future__ import annotations

import json
import textwrap

import actm
from actm.render.json import render_json

# alpha's output reaches beta's memory; an issue tracker anyone writes to reaches beta's agent
# messages; beta tasks gamma. The fact the join meets first on beta's inputs may be the
# component alpha does not feed: the other one must still be tried.
CASCADE = """\
actm: 1
system: {id: casc, name: cascade, owner: acme}
owners:
  - {id: acme, name: Acme, trust: first_party}
zones:
  - {id: dev, trust: high}
nodes:
  - {id: host, kind: service, zone: dev}
  - {id: tracker, kind: saas, zone: dev}
models:
  - {id: alpha, kind: agent, owner: acme, deployed_on: [host], tools: [fetch_url]}
  - {id: beta, kind: agent, owner: acme, deployed_on: [host]}
  - {id: gamma, kind: agent, owner: acme, deployed_on: [host]}
assets:
  - id: issues
    type: tool_state
    untrusted_sources: [public-issue-reporters]
    resides: [{node: tracker}]
relations:
  - {id: r1, kind: feeds, from: alpha.outputs, to: beta.inputs.memory}
  - {id: r2, kind: feeds, from: issues, to: beta.inputs.agent_messages}
  - {id: r3, kind: feeds, from: beta.outputs, to: gamma.inputs.agent_messages}
tools:
  - {id: fetch_url, node: host, untrusted_results: [public-web]}
"""

# a declared missing authentication that names the resident assets it opens
SCOPED = """\
actm: 1
system: {id: ma, name: ma, owner: acme}
owners:
  - {id: acme, name: Acme, trust: first_party}
zones:
  - {id: internet, trust: untrusted}
  - {id: dmz, trust: low}
nodes:
  - {id: api, kind: service, zone: dmz, exposure: internet}
assets:
  - id: exports
    type: personal_data
    criticality: {confidentiality: critical}
    resides: [{node: api}]
vulnerabilities:
  - id: open-admin
    class: missing_authentication
    node: api
    assets: [exports]
    evidence: ["https://example.invalid/pentest"]
"""


def _json(text: str) -> dict[str, object]:
    kb = actm.load_knowledge()
    model = actm.load_model_text(textwrap.dedent(text), knowledge=kb)
    out: dict[str, object] = json.loads(render_json(actm.analyze(model, knowledge=kb)))
    return out


def test_a_relation_on_a_component_tries_the_other_components_of_the_asset() -> None:
    ids = {t["id"] for t in _json(CASCADE)["threats"]}  # type: ignore[index, union-attr]
    assert "cascading-agent-compromise@alpha@gamma" in ids


def test_declared_missing_authentication_on_named_assets_opens_those_assets() -> None:
    (row,) = _json(SCOPED)["capabilities"]  # type: ignore[misc]
    assert row["asset"] == "exports"
    assert row["deployment"]["confidentiality"] == {"capability": "inspect", "persistent": False}
    assert row["deployment"]["integrity"] == {
        "capability": "make_arbitrary_changes",
        "persistent": True,
    }
