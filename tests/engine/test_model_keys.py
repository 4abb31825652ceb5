"""What the engine makes of the model keys that say what real systems have: each concept with a
model where it acts (the exact chain or seeds) and a close one where it does not.

Propagation alone (no attack patterns) unless a test is about threats.
"""

from __future__ import annotations

import pytest

import actm
from actm.engine.analysis import EngineOutput
from actm.engine.output import explain, read
from actm.engine.seeds import build_seeds
from conftest import chain, run
from hypotheses_model import HYPOTHESES_MODEL


def _nothing(out: EngineOutput, target: str, capability: str) -> bool:
    return explain(out, target, capability) is None


def _seeds(out: EngineOutput) -> list[tuple[str, str, str, object]]:
    """(entry, reach, capability or node class, via) of every seed."""
    c = out.compiled
    seeds, _ = build_seeds(c)
    return [
        (s.entry, s.reach, c.caps[s.cap] if s.node < 0 else c.vclass_ids[s.vclass], s.via)
        for s in seeds
    ]


def _node_facts(out: EngineOutput) -> list[tuple[str, str]]:
    c = out.compiled
    store = out.closure.store
    found = [store.decode_node(k) for k in store.keys if k < 0]
    return sorted((c.node_ids[n], c.vclass_ids[v]) for n, v in found)


# -- tools: delete, approval, scope ------------------------------------------------------------

DELETE = """
actm: 1
system: {id: d}
nodes:
  - {id: gh, kind: source_repository}
models:
  - {id: bot, kind: agent, exposure: public, tools: [rm]}
assets:
  - {id: repo, type: source_code, resides: [{node: gh}]}
tools:
  - {id: rm, node: gh, permissions: {delete: [repo]}, approval: APPROVAL}
"""


def test_a_driven_tool_deletes_what_it_may_delete() -> None:
    out = run(DELETE.replace("APPROVAL", "once_per_session"), attacks=False)
    assert chain(out, "repo", "withhold") == [
        "external-user holds make_arbitrary_changes on bot.inputs.user_input",
        "inference bot.inputs -> influence on bot.outputs",
        "bot calls tool rm: influence on rm.inputs",
        "tool rm (delete) -> withhold on repo",
    ]
    assert not _nothing(
        run(DELETE.replace("APPROVAL", "auto_approved"), attacks=False), "repo", "withhold"
    )


def test_approval_of_every_call_gates_the_tool() -> None:
    out = run(DELETE.replace("APPROVAL", "every_call"), attacks=False)
    assert _nothing(out, "repo", "withhold")
    assert out.compiled.model.tool("rm").human_approval


def test_a_blocked_delete_permission_deletes_nothing() -> None:
    text = DELETE.replace("APPROVAL", "never") + "controls:\n  - {id: c, blocks: [rm.delete]}\n"
    assert _nothing(run(text, attacks=False), "repo", "withhold")


SCOPE = """
actm: 1
system: {id: s}
nodes:
  - {id: laptop, kind: workstation}
models:
  - {id: bot, kind: agent, exposure: public, tools: [read_file]}
assets:
  - {id: ssh-key, type: secret, resides: [{node: laptop}]}
  - {id: notes, type: data, resides: [{node: laptop}]}
  - {id: cache, type: data, resides: [{node: laptop, mode: processed}]}
tools:
  - {id: read_file, node: laptop, SCOPE permissions: {read: [notes], egress: [internet]}}
"""


def test_a_tool_scoped_to_its_node_reads_everything_stored_there() -> None:
    out = run(SCOPE.replace("SCOPE", "scope: node,"), attacks=False)
    assert out.compiled.model.tool("read_file").read == (("notes", None), ("ssh-key", None))
    assert (
        chain(out, "ssh-key", "inspect")[-1]
        == "tool read_file (read, egress) -> inspect on ssh-key"
    )
    listed = run(SCOPE.replace("SCOPE", ""), attacks=False)
    assert listed.compiled.model.tool("read_file").read == (("notes", None),)
    assert _nothing(listed, "ssh-key", "inspect")


# -- credentials: grants, narrows --------------------------------------------------------------

GRANTS = """
actm: 1
system: {id: g}
nodes:
  - {id: ci, kind: ci_runner}
  - {id: gh, kind: source_repository}
assets:
  - {id: repo, type: source_code, resides: [{node: gh}]}
  - {id: wiki, type: document_store, resides: [{node: gh}]}
  - id: tok
    type: credential
    scopes: [repo, workflow]
    grants: {read: [repo, wiki], write: [repo], delete: [wiki], execute: [ci]}
tools:
  - {id: reader, node: gh, permissions: {read: [repo]}, credential: tok}
adversaries:
  - {id: thief, holds: [{asset: tok, capability: inspect}]}
"""


def test_reading_a_credential_does_what_its_grants_say() -> None:
    out = run(GRANTS, attacks=False)
    assert chain(out, "repo", "make_arbitrary_changes") == [
        "adversary thief holds inspect on tok",
        "tok grants write: make_arbitrary_changes on repo (persistent)",
    ]
    assert chain(out, "wiki", "withhold")[-1] == "tok grants delete: withhold on wiki"
    assert chain(out, "wiki", "inspect")[-1] == "tok grants read: inspect on wiki"
    assert _node_facts(out) == [("ci", "code_execution")]
    assert out.compiled.model.asset("tok").scopes == ("repo", "workflow")


def test_a_narrowed_credential_grants_only_what_its_tools_use() -> None:
    out = run(GRANTS + "controls:\n  - {id: fine-grained, narrows: [tok]}\n", attacks=False)
    assert chain(out, "repo", "inspect")[-1] == "tok grants read: inspect on repo"
    assert _nothing(out, "wiki", "inspect")
    assert _nothing(out, "repo", "make_arbitrary_changes")
    assert _node_facts(out) == []
    assert out.compiled.model.beyond_use("tok") == {
        "delete": ("wiki",),
        "execute": ("ci",),
        "read": ("wiki",),
        "write": ("repo",),
    }


# -- contains ----------------------------------------------------------------------------------

CONTAINS = """
actm: 1
system: {id: c}
nodes:
  - {id: web, kind: web_app}
assets:
  - {id: cfg, type: agent_configuration, contains: [key], resides: [{node: web, mode: processed}]}
  - {id: key, type: secret}
vulnerabilities:
  - {id: leak, class: CLASS, node: web}
"""


def test_reading_part_of_an_asset_reads_the_secret_it_contains() -> None:
    out = run(CONTAINS.replace("CLASS", "logging_exposure"), attacks=False)
    assert chain(out, "key", "inspect") == [
        "web: logging_exposure (leak) grants partially_inspect on cfg",
        "cfg contains key: inspect",
    ]


def test_inferring_properties_of_an_asset_reveals_nothing_it_contains() -> None:
    out = run(CONTAINS.replace("CLASS", "side_channel"), attacks=False)
    assert _nothing(out, "key", "monitor")


# -- packages ----------------------------------------------------------------------------------

PACKAGE = """
actm: 1
system: {id: p, owner: us}
owners:
  - {id: us, trust: first_party}
  - {id: npm-author}
nodes:
  - {id: laptop, kind: workstation}
  - {id: srv, kind: mcp_server, mcp: {transport: stdio, package: fs}}
assets:
  - {id: notes, type: data, resides: [{node: laptop}]}
packages:
  - id: fs
    name: "@modelcontextprotocol/server-filesystem"
    ecosystem: npm
    publisher: PUBLISHER
    runs_on: [laptop]
"""


def test_a_package_its_publisher_can_change_runs_code_where_it_runs() -> None:
    out = run(PACKAGE.replace("PUBLISHER", "npm-author"), attacks=False)
    model = out.compiled.model
    assert model.package("fs").runs_on == ("laptop", "srv")  # the MCP server that runs it
    assert [(a.id, a.producer, a.status, a.implicit) for a in model.assumptions] == [
        ("package:fs", "npm-author", "unjustified", True)
    ]
    assert chain(out, "notes", "inspect") == [
        "assumption package:fs (unjustified): npm-author holds make_arbitrary_changes on fs "
        "(persistent)",
        "fs runs on laptop: code_execution",
        "laptop: code_execution grants inspect on notes",
    ]
    assert _node_facts(out) == [("laptop", "code_execution"), ("srv", "code_execution")]


def test_a_pinned_verified_package_is_a_justified_assumption() -> None:
    text = PACKAGE.replace("PUBLISHER", "npm-author").replace(
        "ecosystem: npm", "ecosystem: npm\n    pinned: true\n    verified: true"
    )
    [a] = run(text, attacks=False).compiled.model.assumptions
    assert (a.status, a.justification) == (
        "justified",
        "pinned to a version and verified at install",
    )


# an agent's tool installs whatever package name it is given
INSTALLED = PACKAGE.replace("PUBLISHER", "npm-author").replace(
    "  - {id: srv, kind: mcp_server, mcp: {transport: stdio, package: fs}}\n", ""
) + (
    "models:\n  - {id: helper, kind: agent, tools: [install]}\n"
    "tools:\n  - {id: install, node: laptop, permissions: {write: [fs]}}\n"
)


def test_whoever_registers_a_name_a_tool_installs_reaches_from_the_internet() -> None:
    # nothing fixes which code the name stands for: an anonymous registrant, not a supplier
    [a] = run(INSTALLED, attacks=False).compiled.model.assumptions
    assert (a.id, a.producer, a.reach) == ("package:fs", "npm-author", "internet")
    routes = {
        t.id: [(r.adversary, r.reach) for r in t.routes]
        for t in actm.analyze(actm.load_model_text(INSTALLED)).threats
    }
    assert routes["package-name-squatting@fs"] == [("supplier:npm-author", "internet")]


@pytest.mark.parametrize(
    "text",
    [
        PACKAGE.replace("PUBLISHER", "npm-author"),  # no tool installs it: the team chose it
        INSTALLED.replace("ecosystem: npm", "ecosystem: npm\n    pinned: true"),
    ],
    ids=["chosen-by-the-team", "pinned"],
)
def test_the_publisher_of_a_package_the_team_fixes_is_a_supplier(text: str) -> None:
    [a] = run(text, attacks=False).compiled.model.assumptions
    assert (a.id, a.reach) == ("package:fs", "operator")


def test_a_first_party_package_implies_no_assumption() -> None:
    out = run(PACKAGE.replace("PUBLISHER", "us"), attacks=False)
    assert out.compiled.model.assumptions == ()
    assert _nothing(out, "notes", "inspect")


def test_a_node_compromise_does_not_spread_through_a_package() -> None:
    text = PACKAGE.replace("PUBLISHER", "us") + (
        "vulnerabilities:\n  - {id: v, class: rce, node: srv}\n"
    )
    out = run(text, attacks=False)
    assert chain(out, "fs", "make_arbitrary_changes") == [
        "srv: rce (v) grants make_arbitrary_changes on fs"
    ]
    assert _nothing(out, "notes", "inspect")  # the change on srv does not reach the laptop


# -- transport, authentication, physical exposure ----------------------------------------------

NETWORK = """
actm: 1
system: {id: n}
zones:
  - {id: dmz, trust: untrusted}
nodes:
  - {id: a2a, kind: service, zone: dmz}
  - {id: inner, kind: service}
models:
  - {id: planner, kind: agent, deployed_on: [inner]}
  - {id: worker, kind: agent, deployed_on: [a2a]}
relations:
  - {kind: feeds, from: planner.outputs, to: worker.inputs.agent_messages, FLOW}
"""
REL = "planner.outputs->worker.inputs.agent_messages"


def test_a_cleartext_flow_is_read_and_changed_on_the_network() -> None:
    out = run(NETWORK.replace("FLOW", "encrypted: false"), attacks=False)
    assert chain(out, "worker.inputs.agent_messages", "make_arbitrary_changes") == [
        f"{REL} is not encrypted: network-attacker holds make_arbitrary_changes on "
        "worker.inputs.agent_messages"
    ]
    assert chain(out, "planner.outputs", "partially_inspect")[-1] == (
        "what flows into worker.inputs.agent_messages comes from planner.outputs: partially_inspect"
    )
    via = ("network-attacker", REL, "not encrypted")
    assert _seeds(out) == [
        ("network-attacker", "internet", "inspect", via),
        ("network-attacker", "internet", "make_arbitrary_changes", via),
    ]


def test_an_unauthenticated_internal_flow_is_injected_into_from_inside() -> None:
    text = NETWORK.replace("FLOW", "authenticated: false").replace(", zone: dmz", "")
    out = run(text, attacks=False)
    via = ("network-attacker", REL, "not authenticated")
    assert _seeds(out) == [("network-attacker", "insider", "make_arbitrary_changes", via)]
    assert _nothing(out, "planner.outputs", "partially_inspect")


def test_an_encrypted_authenticated_flow_gives_the_network_nothing() -> None:
    assert _seeds(run(NETWORK.replace(", FLOW", ""), attacks=False)) == []


def test_a_control_that_blocks_an_entry_point_stops_it() -> None:
    text = NETWORK.replace("FLOW", "encrypted: false") + (
        "controls:\n  - {id: mutual-tls, blocks: [network-attacker]}\n"
    )
    assert _seeds(run(text, attacks=False)) == []


AUTH = """
actm: 1
system: {id: a}
nodes:
  - {id: ollama, kind: inference_server, exposure: EXPOSURE, authentication: none}
  - {id: srv, kind: mcp_server, mcp: {transport: sse, authentication: MCP}}
models:
  - {id: llm, kind: llm, deployed_on: [ollama], stored_on: [ollama], tools: [lookup]}
assets:
  - {id: files, type: data, resides: [{node: srv}]}
tools:
  - {id: lookup, node: srv, permissions: {read: [files]}}
"""

USER_INPUT = "llm.inputs.user_input"


@pytest.mark.parametrize(
    ("exposure", "adversary"), [("internet", "internet-attacker"), ("internal", "insider")]
)
def test_a_service_without_authentication_is_missing_it(exposure: str, adversary: str) -> None:
    # on the internet anyone uses it; inside, any workload on the network does: they query
    # the model it serves as a user would
    out = run(AUTH.replace("EXPOSURE", exposure).replace("MCP", "oauth"), attacks=False)
    assert chain(out, USER_INPUT, "make_arbitrary_changes") == [
        "ollama: missing_authentication (missing-authentication@ollama) grants "
        f"make_arbitrary_changes on {USER_INPUT}"
    ]
    reach = "internet" if exposure == "internet" else "insider"
    via = "missing-authentication@ollama"
    assert _seeds(out) == [(adversary, reach, "make_arbitrary_changes", via)]
    weakness = out.compiled.extra_vulns["missing-authentication@ollama"]
    assert weakness.derived == f"exposure: {exposure}, authentication: none"


def test_a_service_without_authentication_gives_its_interface_not_what_it_stores() -> None:
    # querying a model server reads no one else's conversation and rewrites no weights
    out = run(AUTH.replace("EXPOSURE", "internal").replace("MCP", "oauth"), attacks=False)
    assert _nothing(out, "llm.inputs.system_prompt", "make_limited_changes")
    assert _nothing(out, "llm.model_parameters", "make_limited_changes")
    assert _nothing(out, "llm.model_parameters", "partially_inspect")


TASKED = """
actm: 1
system: {id: chain}
nodes:
  - {id: box, kind: container, authentication: none}
models:
  - {id: lead, kind: agent}
  - {id: worker, kind: agent, deployed_on: [box]}
relations:
  - {kind: feeds, from: lead.outputs, to: worker.inputs.agent_messages}
"""


def test_an_unauthenticated_agent_that_takes_tasks_is_sent_tasks() -> None:
    # another agent tasks the worker: whoever reaches its open port sends it tasks, not a
    # user's prompt
    out = run(TASKED, attacks=False)
    assert chain(out, "worker.inputs.agent_messages", "make_arbitrary_changes") == [
        "box: missing_authentication (missing-authentication@box) grants "
        "make_arbitrary_changes on worker.inputs.agent_messages"
    ]
    assert _nothing(out, "worker.inputs.user_input", "make_limited_changes")


INBOX = """
actm: 1
system: {id: inbox}
nodes:
  - {id: box, kind: service, exposure: internet, authentication: none}
models:
  - {id: worker, kind: agent, deployed_on: [box]}
  - {id: desk, kind: agent, deployed_on: [box]}
assets:
  - {id: inbox, type: data, resides: [{node: box, mode: processed}]}
  - {id: requests, type: data, resides: [{node: box, mode: processed}]}
relations:
  - {kind: feeds, from: inbox, to: worker.inputs.agent_messages}
  - {kind: feeds, from: inbox, to: desk.inputs.agent_messages}
  - {kind: feeds, from: requests, to: desk.inputs.user_input}
"""


def test_an_unauthenticated_agent_fed_by_a_task_inbox_is_sent_tasks() -> None:
    # the worker's requests arrive only as task messages from an inbox: whoever reaches its
    # open port sends it a task, not a user's prompt; an agent whose user input something
    # feeds still takes prompts on its endpoint
    out = run(INBOX, attacks=False)
    grant = "box: missing_authentication (missing-authentication@box) grants "
    assert chain(out, "worker.inputs.agent_messages", "make_arbitrary_changes") == [
        grant + "make_arbitrary_changes on worker.inputs.agent_messages"
    ]
    assert _nothing(out, "worker.inputs.user_input", "make_limited_changes")
    assert chain(out, "desk.inputs.user_input", "make_arbitrary_changes") == [
        grant + "make_arbitrary_changes on desk.inputs.user_input"
    ]


def test_a_datastore_without_authentication_gives_what_it_stores() -> None:
    # unauthenticated: contents (node_kinds.yaml): whoever reaches the database reads and
    # writes its tables
    text = AUTH.replace("kind: inference_server", "kind: database").replace("MCP", "oauth")
    out = run(text.replace("EXPOSURE", "internal"), attacks=False)
    assert chain(out, "llm.model_parameters", "inspect") == [
        "ollama: missing_authentication (missing-authentication@ollama) grants "
        "inspect on llm.model_parameters"
    ]
    assert _seeds(out) == [
        ("insider", "insider", "missing_authentication", "missing-authentication@ollama")
    ]


def test_an_mcp_server_over_the_network_without_authentication_is_missing_it() -> None:
    # whoever reaches the server calls its tools with any arguments; the files the tool reads
    # stay on the server
    text = AUTH.replace(", authentication: none}", "}").replace("MCP", "none")
    out = run(text.replace("EXPOSURE", "internal"), attacks=False)
    assert _seeds(out) == [
        ("insider", "insider", "make_arbitrary_changes", "missing-authentication@srv")
    ]
    assert chain(out, "lookup.inputs", "make_arbitrary_changes") == [
        "srv: missing_authentication (missing-authentication@srv) grants "
        "make_arbitrary_changes on lookup.inputs"
    ]
    assert _nothing(out, "files", "partially_inspect")
    assert _nothing(out, "lookup.definition", "make_limited_changes")


def test_a_service_that_authenticates_and_an_authenticated_server_are_not_missing_it() -> None:
    text = AUTH.replace(", authentication: none}", "}").replace("MCP", "bearer")
    out = run(text.replace("EXPOSURE", "internal"), attacks=False)
    assert _seeds(out) == []
    assert out.compiled.extra_vulns == {}


PHYSICAL = """
actm: 1
system: {id: ph}
models:
  - id: cam
    kind: classifier
    exposure: EXPOSURE
    acted_on: [{by: automation, decision: access}, {by: staff, decision: operational}]
"""


def test_a_scene_a_model_perceives_reaches_the_decisions_taken_on_it() -> None:
    out = run(PHYSICAL.replace("EXPOSURE", "physical"), attacks=False)
    assert chain(out, "cam.decisions", "influence") == [
        "physical-actor acts in the scene cam perceives: contribute on cam.inputs",
        "inference cam.inputs -> influence on cam.outputs",
        "acting cam.outputs -> influence on cam.decisions (persistent)",
    ]
    decisions = out.compiled.model.asset("cam.decisions")
    assert (decisions.type, decisions.model) == ("decision", "cam")
    assert decisions.criticality["integrity"] == "high"  # access outranks operational


def test_an_internal_model_has_no_scene() -> None:
    assert _seeds(run(PHYSICAL.replace("EXPOSURE", "internal"), attacks=False)) == []


# -- who starts where: sources, reach, exploited_by ----------------------------------------------

SOURCES = """
actm: 1
system: {id: src}
assets:
  - id: wiki
    type: document_store
    untrusted_sources: [{name: wiki-editors, can: edit, account: true}, public-web]
"""


def test_what_a_source_lets_its_authors_do_and_who_can_post() -> None:
    out = run(SOURCES, attacks=False)
    # the engine compiles the model in canonical order: sources by name, whatever the file says
    assert _seeds(out) == [
        ("content-author", "internet", "contribute", ("content-author", "public-web")),
        (
            "content-author",
            "authenticated",
            "make_limited_changes",
            ("content-author", "wiki-editors"),
        ),
    ]
    assert chain(out, "wiki", "make_limited_changes") == [
        "author of outside content (wiki-editors) holds make_limited_changes on wiki (persistent)"
    ]


EXPLOITED = """
actm: 1
system: {id: e}
nodes:
  - {id: db, kind: database}
  - {id: api, kind: service, authentication: required}
models:
  - {id: bot, kind: llm, exposure: public, deployed_on: [api]}
assets:
  - {id: rows, type: personal_data, resides: [{node: db}]}
adversaries:
  - {id: tenant, reach: authenticated, holds: [{asset: rows, capability: monitor}]}
vulnerabilities:
  - {id: sqli, class: injection, node: db, exploited_by: [tenant, external-user]}
"""


def test_entry_points_say_who_starts_and_how_far_they_reach() -> None:
    assert _seeds(run(EXPLOITED, attacks=False)) == [
        ("external-user", "authenticated", "make_arbitrary_changes", "external-user"),
        ("external-user", "authenticated", "inspect", "external-user"),
        ("tenant", "authenticated", "monitor", "tenant"),
        # exploited_by in canonical (sorted) order
        ("external-user", "internet", "injection", "sqli"),
        ("tenant", "authenticated", "injection", "sqli"),
    ]


# -- hypotheses --------------------------------------------------------------------------------

HYPOTHESES = HYPOTHESES_MODEL


def test_a_threat_that_needs_a_posited_weakness_is_hypothetical() -> None:
    out = run(HYPOTHESES.replace("ANALYSIS", "analysis: {hypotheses: true}"))
    assert sorted(out.compiled.extra_vulns) == ["hypothesis:store-without-authentication@db"]
    found = {f.id: (f.hypothetical, f.vulnerabilities) for f in read(out).threats}
    assert found["indirect-prompt-injection@bot"] == (
        True,
        ("hypothesis:store-without-authentication@db",),
    )
    assert found["tool-data-disclosure@bot@customers"] == (False, ())
    assert [k for k, (hypothetical, _) in found.items() if hypothetical] == [
        "indirect-prompt-injection@bot"
    ]


def test_without_hypotheses_nothing_is_posited() -> None:
    out = run(HYPOTHESES.replace("ANALYSIS", ""))
    assert out.compiled.extra_vulns == {}
    ids = sorted(f.id for f in read(out).threats)
    assert "indirect-prompt-injection@bot" not in ids
    assert "tool-data-disclosure@bot@customers" in ids


# -- indexing ----------------------------------------------------------------------------------

INDEXED = """
actm: 1
system: {id: i}
models:
  - {id: bot, kind: agent}
assets:
  - {id: mailbox, type: data, untrusted_sources: [inbound-email]}
  - {id: index, type: document_store}
relations:
  - {kind: derives, from: mailbox, to: index, process: PROCESS}
  - {kind: feeds, from: index, to: bot.inputs.retrieved_context}
"""


def test_indexing_stores_outside_content_as_it_was_written() -> None:
    out = run(INDEXED.replace("PROCESS", "indexing"), attacks=False)
    assert chain(out, "index", "contribute") == [
        "author of outside content (inbound-email) holds contribute on mailbox (persistent)",
        "indexing mailbox -> contribute on index (persistent)",
    ]


def test_another_derivation_only_influences_what_it_writes() -> None:
    out = run(INDEXED.replace("PROCESS", "transform"), attacks=False)
    assert _nothing(out, "index", "contribute")
    assert chain(out, "index", "influence")[-1] == (
        "transform mailbox -> influence on index (persistent)"
    )
