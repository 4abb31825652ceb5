"""What the keys for real systems resolve to: their defaults, and the older keys they stand
beside (``first_party``, ``human_approval``). The builder gives the same model as the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import actm

MODEL = """
actm: 1
system: {id: r, owner: us}
owners:
  - {id: us, first_party: true}
  - {id: host, trust: contracted, contract: Hosting agreement.}
  - {id: stranger}
zones:
  - {id: dmz, trust: untrusted, owner: host}
nodes:
  - {id: edge, kind: web_app, zone: dmz}
  - {id: inner, kind: database, authentication: none}
  - {id: srv, kind: mcp_server, mcp: {transport: streamable_http, authentication: oauth}}
models:
  - id: bot
    kind: agent
    tools: [t1, t2]
    acted_on: [{by: customers, decision: financial}]
assets:
  - {id: brochure, type: business_data, public: true}
  - {id: tok, type: credential, grants_access: [edge], grants: {read: [brochure]}}
  - {id: key, type: secret}
  - {id: cfg, type: configuration, contains: [key], untrusted_sources: [web]}
tools:
  - {id: t1, node: inner, human_approval: true, credential: tok}
  - {id: t2, node: srv, approval: auto_approved, permissions: {delete: [brochure]}}
"""


def test_defaults_and_older_keys() -> None:
    m = actm.load_model_text(MODEL)
    assert [(o.id, o.trust, o.first_party, o.contract) for o in m.owners] == [
        ("us", "first_party", True, None),
        ("host", "contracted", False, "Hosting agreement."),
        ("stranger", "untrusted", False, None),
    ]
    assert [(n.id, n.owner, n.exposure, n.authentication) for n in m.nodes] == [
        ("edge", "host", "internet", None),  # an untrusted zone faces the internet
        ("inner", None, "internal", "none"),
        ("srv", None, "internal", None),
    ]
    assert m.node("srv").mcp is not None and m.node("srv").mcp.authentication == "oauth"
    assert [(t.id, t.approval, t.human_approval, t.delete) for t in m.tools] == [
        ("t1", "every_call", True, ()),
        ("t2", "auto_approved", False, (("brochure", None),)),
    ]
    # the issuer of a credential: the operator of the node it opens
    assert (m.asset("tok").issued_by, m.asset("tok").grants) == ("host", {"read": ("brochure",)})
    assert m.asset("brochure").criticality["confidentiality"] == "none"
    assert m.asset("cfg").contains == ("key",)
    assert m.asset("cfg").source_strength == {}  # a plain name says nothing more
    assert m.model("bot").acted_on == (("customers", "financial"),)
    assert m.model("bot").assets["decision"] == "bot.decisions"
    assert m.asset("bot.decisions").criticality["integrity"] == "high"
    assert m.hypotheses is False


def test_the_builder_gives_the_same_model() -> None:
    b = actm.ModelBuilder("p", owner="us")
    b.owner("us", trust="first_party").owner("npm-author")
    b.node("laptop", kind="workstation")
    b.model("bot", kind="agent", tools=["rm"])
    b.asset("notes", type="data", resides=[("laptop", "stored")])
    b.tool("rm", node="laptop", delete=["notes"], approval="once_per_session")
    b.package("fs", name="fs", ecosystem="npm", publisher="npm-author", runs_on=["laptop"])
    b.analysis(hypotheses=True)
    built = b.build()
    text = actm.load_model_text(
        """
actm: 1
system: {id: p, owner: us}
analysis: {hypotheses: true}
owners: [{id: us, trust: first_party}, {id: npm-author}]
nodes: [{id: laptop, kind: workstation}]
models: [{id: bot, kind: agent, tools: [rm]}]
assets: [{id: notes, type: data, resides: [{node: laptop, mode: stored}]}]
tools: [{id: rm, node: laptop, permissions: {delete: [notes]}, approval: once_per_session}]
packages: [{id: fs, name: fs, ecosystem: npm, publisher: npm-author, runs_on: [laptop]}]
"""
    )
    assert built == text
    assert built.hypotheses is True
    assert [a.id for a in built.assumptions] == ["package:fs"]


def test_a_declared_vulnerability_is_found_by_its_id() -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "coding-assistant.yaml"
    model = actm.load_model(path)
    found = model.vulnerability("redteam-injection")
    assert found is not None
    assert (found.id, found.vclass, found.model) == (
        "redteam-injection",
        "follows_injected_instructions",
        "coder",
    )
    assert model.vulnerability("coder") is None  # a model, not a vulnerability


ISSUERS = """\
actm: 1
system: {id: issuers}
owners:
  - {id: forge}
  - {id: other}
nodes:
  - {id: laptop, kind: workstation}
  - {id: host-api, kind: saas, owner: forge}
  - {id: host-web, kind: saas, owner: forge}
  - {id: other-api, kind: saas, owner: other}
assets:
  - {id: one, type: credential, grants_access: [host-api, host-web]}
  - {id: two, type: credential, grants_access: [OPENED]}
  - {id: used, type: credential}
  - {id: shared, type: credential}
tools:
  - {id: t, node: host-api, credential: used}
  - {id: t2, node: host-api, credential: shared}
  - {id: t3, node: other-api, credential: shared}
"""


@pytest.mark.parametrize("opened", ["host-api, other-api", "other-api, host-api"])
def test_a_credential_opening_nodes_of_two_owners_has_no_default_issuer(opened: str) -> None:
    """Which of them issues it is not said: the first node listed used to decide, so the
    order of ``grants_access`` decided whether the operator_holds rule dropped a threat."""
    m = actm.load_model_text(ISSUERS.replace("OPENED", opened))
    assert m.asset("two").issued_by is None
    assert m.asset("one").issued_by == "forge"  # the nodes it opens have one owner
    assert m.asset("used").issued_by == "forge"  # the node of the tool acting under it
    assert m.asset("shared").issued_by is None  # tools acting under it on two owners' nodes


SOURCES = """\
actm: 1
system: {id: sources}
assets:
  - {id: wiki, type: document_store, untrusted_sources: [FIRST, SECOND]}
"""


@pytest.mark.parametrize("swap", [False, True])
def test_a_source_written_twice_counts_with_the_most_its_entries_allow(swap: bool) -> None:
    """The last entry used to win, so swapping two entries of one list changed the routes."""
    entries = ["{name: members, can: edit, account: true}", "{name: members, can: replace}"]
    first, second = reversed(entries) if swap else entries
    m = actm.load_model_text(SOURCES.replace("FIRST", first).replace("SECOND", second))
    assert m.asset("wiki").source_strength == {"members": ("replace", False)}


def test_a_source_needs_an_account_only_when_every_entry_says_so() -> None:
    both = "{name: members, can: edit, account: true}, {name: members, account: true}"
    m = actm.load_model_text(SOURCES.replace("FIRST, SECOND", both))
    assert m.asset("wiki").source_strength == {"members": ("edit", True)}
