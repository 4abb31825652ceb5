"""The owner is never the adversary for what it already holds or issues (operator_holds): a
host that runs the MCP server and issues the token it accepts is no thief of the repositories
it hosts, but is one of ours that the token opens elsewhere."""

from __future__ import annotations

import actm

OWN = """
actm: 1
system: {id: own}
owners:
  - {id: us, trust: first_party}
  - {id: host, trust: contracted, contract: Hosts our repositories and runs the MCP server.}
nodes:
  - {id: laptop, kind: workstation, owner: us}
  - {id: host-mcp, kind: mcp_server, owner: host}
  - {id: host-repos, kind: source_repository, owner: host}
  - {id: our-repos, kind: source_repository, owner: us}
packages:
  - {id: mcp-image, ecosystem: oci, name: host/mcp-server, publisher: host, runs_on: [host-mcp]}
models:
  - {id: agent, kind: agent, deployed_on: [laptop], tools: [read_code]}
assets:
  - {id: code, type: source_code, criticality: {confidentiality: high}, resides: [{node: REPO}]}
  - {id: pat, type: credential, issued_by: host, grants: {read: [code]},
     resides: [{node: host-mcp}]}
tools:
  - {id: read_code, node: host-mcp, credential: pat, permissions: {read: [code]}}
"""


def _analysed(repo: str) -> actm.Result:
    return actm.analyze(actm.load_model_text(OWN.replace("REPO", repo)))


def test_the_host_is_no_thief_of_what_it_hosts() -> None:
    result = _analysed("host-repos")
    assert [t.id for t in result.threats] == [
        "tool-definition-poisoning@agent",
        "indirect-prompt-injection@agent",
    ]
    assert [(d.id, d.rule) for d in result.dropped] == [
        ("stolen-credential-data-access@pat@code", "operator_holds"),
        ("tool-rug-pull@read_code", "operator_holds"),
        ("tool-server-compromise@read_code", "operator_holds"),
    ]
    assert result.summary["operator_holds"] == 3


def test_the_host_steals_what_its_token_opens_elsewhere() -> None:
    result = _analysed("our-repos")
    stolen = {t.id: t for t in result.threats}["stolen-credential-data-access@pat@code"]
    assert stolen.adversaries == ("operator:host", "supplier:host")
    assert [d.id for d in result.dropped] == [
        "tool-rug-pull@read_code",
        "tool-server-compromise@read_code",
    ]
