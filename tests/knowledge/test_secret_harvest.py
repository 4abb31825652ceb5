"""Who the third party is whose code reads a node's secrets
(``third-party-code-secret-harvest``): a tool that names no owner is the code of the MCP server
package it runs in, so its publisher owns it (docs/model-format.md, tools' ``owner``)."""

from __future__ import annotations

import textwrap

import actm
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()

# A vendor's MCP server package runs on the team's own server beside the token it uses; the
# tool names no owner.
SERVER = """
actm: 1
system: {id: fixture, owner: co}
owners:
  - {id: co, first_party: true}
  - {id: mcpvendor}
nodes:
  - id: crm-mcp
    kind: mcp_server
    owner: co
    mcp: {transport: stdio, package: crm-pkg}
models:
  - {id: desk, kind: agent, tools: [crm_lookup]}
assets:
  - {id: crm, type: personal_data, resides: [{node: crm-mcp}]}
  - {id: crm-token, type: credential, resides: [{node: crm-mcp}], grants: {read: [crm]}}
tools:
  - {id: crm_lookup, node: crm-mcp, permissions: {read: [crm]}, credential: crm-token}
packages:
  - {id: crm-pkg, ecosystem: npm, name: crm-mcp-server, publisher: PUBLISHER}
"""


def _harvests(publisher: str) -> list[str]:
    text = textwrap.dedent(SERVER).replace("PUBLISHER", publisher)
    model = actm.load_model_text(text, knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    return sorted(t.id for t in result.threats if t.attack == "third-party-code-secret-harvest")


def test_an_unowned_tool_is_its_third_party_publishers_code() -> None:
    assert _harvests("mcpvendor") == ["third-party-code-secret-harvest@crm_lookup@crm-token"]


def test_an_unowned_tool_of_a_first_party_package_is_the_teams_own_code() -> None:
    assert _harvests("co") == []


def test_a_vendors_server_reading_the_token_the_vendor_issued_takes_nothing() -> None:
    """The vendor's server reads a token the vendor itself issued (GitHub's server and a GitHub
    token): the issuer can mint, revoke and watch that token already, so the route is the
    vendor's own holding (``operator_holds``) and the threat is dropped; the same server reading
    another issuer's token is still a harvest."""
    issued = textwrap.dedent(SERVER).replace("PUBLISHER", "mcpvendor")
    issued = issued.replace(
        "type: credential, resides", "type: credential, issued_by: mcpvendor, resides"
    )
    model = actm.load_model_text(issued, knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    assert not [t for t in result.threats if t.attack == "third-party-code-secret-harvest"]
    assert result.summary["operator_holds"] >= 1


# The agent installs the vendor's server package by name, nothing pinned: whoever registered
# that name publishes it, from the internet, not the vendor that issued the token.
SQUATTED = """
actm: 1
system: {id: fixture, owner: co}
owners:
  - {id: co, first_party: true}
  - {id: github}
nodes:
  - {id: laptop, kind: workstation, owner: co}
  - id: gh-mcp
    kind: mcp_server
    owner: co
    mcp: {transport: stdio, package: gh-pkg}
  - {id: gh, kind: source_repository, owner: github}
models:
  - {id: desk, kind: agent, tools: [gh_search, install_server]}
assets:
  - {id: repos, type: source_code, resides: [{node: gh}], criticality: {confidentiality: high}}
  - id: gh-token
    type: credential
    issued_by: github
    resides: [{node: gh-mcp}]
    grants: {read: [repos]}
tools:
  - {id: gh_search, node: gh-mcp, owner: github, permissions: {read: [repos]}, credential: gh-token}
  - {id: install_server, node: laptop, permissions: {write: [gh-pkg]}}
packages:
  - {id: gh-pkg, ecosystem: npm, name: github-mcp-server, publisher: github}
"""


def test_a_squatted_package_of_the_issuer_still_harvests_its_token() -> None:
    """The issuer rule is about the issuer's own routes (a supplier's reach): the same token
    taken by whoever registered the package name the agent installs is reported, with what
    it opens."""
    model = actm.load_model_text(textwrap.dedent(SQUATTED), knowledge=KB)
    ids = {t.id for t in actm.analyze(model, knowledge=KB).threats}
    assert "third-party-code-secret-harvest@gh_search@gh-token" in ids
    assert "stolen-credential-data-access@gh-token@repos" in ids
    # pinned, the package is GitHub's own again: its routes to GitHub's token are its holding
    pinned = SQUATTED.replace("publisher: github}", "publisher: github, pinned: true}")
    model = actm.load_model_text(textwrap.dedent(pinned), knowledge=KB)
    ids = {t.id for t in actm.analyze(model, knowledge=KB).threats}
    assert "third-party-code-secret-harvest@gh_search@gh-token" not in ids
