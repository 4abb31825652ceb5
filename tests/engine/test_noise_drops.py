"""The engine's noise rules (docs/severity.md, "Routes, accepted risk and noise"), each with a
model where it drops a threat and a close one where it does not."""

from __future__ import annotations

import textwrap

import pytest

import actm
from actm.engine import attribution
from actm.results.model import Result
from foothold_models import LOOKUP, SERVER, SHELL
from session_model import OWN, SESSION, VENDOR


def _analyze(text: str) -> Result:
    return actm.analyze(actm.load_model_text(textwrap.dedent(text)))


def _dropped(result: Result) -> list[tuple[str, str]]:
    return sorted((d.id, d.rule) for d in result.dropped)


def test_a_user_of_a_vendor_model_in_its_own_session_is_its_only_victim() -> None:
    # what the user makes the model answer, and what the user's own account pays for, fall
    # on the user alone
    result = _analyze(SESSION.format(**VENDOR))
    assert sorted(t.id for t in result.threats) == []
    assert _dropped(result) == [
        ("cost-harvesting@lm", "only_victim"),
        ("direct-prompt-injection@lm", "only_victim"),
    ]
    assert result.summary["only_victim"] == 2


def test_a_user_of_a_service_the_team_runs_is_not() -> None:
    result = _analyze(SESSION.format(**OWN))
    assert sorted(t.id for t in result.threats) == [
        "cost-harvesting@lm",
        "direct-prompt-injection@lm",
        "resource-exhaustion@lm",
    ]
    assert _dropped(result) == []


# an agent that reads a handbook and can post to the internet
HANDBOOK = """
actm: 1
system: {{id: docs}}
models:
  - {{id: bot, kind: agent, exposure: public, tools: [read_docs, post]}}
assets:
  - {{id: handbook, type: document_store{public}}}
tools:
  - {{id: read_docs, permissions: {{read: [handbook]}}}}
  - {{id: post, permissions: {{egress: [internet]}}}}
"""


def test_nothing_that_only_discloses_a_public_asset_is_a_threat() -> None:
    result = _analyze(HANDBOOK.format(public=", public: true"))
    assert [t.id for t in result.threats if "handbook" in t.id] == []
    assert _dropped(result) == [
        ("tool-data-disclosure@bot@handbook", "no_confidentiality"),
        ("tool-data-exfiltration@bot@handbook", "no_confidentiality"),
    ]


def test_disclosing_an_asset_not_declared_public_is() -> None:
    result = _analyze(HANDBOOK.format(public=""))
    assert sorted(t.id for t in result.threats if "handbook" in t.id) == [
        "tool-data-disclosure@bot@handbook",
        "tool-data-exfiltration@bot@handbook",
    ]
    assert _dropped(result) == []


# a user's own computer keeps the vendor's session token in the memory of the vendor's client
LAPTOP = """
actm: 1
system: {{id: client, owner: vendor}}
owners:
  - {{id: vendor, first_party: true}}
  - {{id: user, trust: untrusted}}
zones:
  - {{id: home, trust: medium, owner: user}}
nodes:
  - {{id: laptop, kind: endpoint, zone: home}}
assets:
  - id: session-token
    type: credential
    issued_by: vendor
    criticality: {{confidentiality: critical}}
    resides: [{{node: laptop, mode: processed}}]
vulnerabilities:
  - {{id: token-weakness, class: {vclass}, node: laptop, assets: [session-token]}}
"""


def test_the_owner_of_the_computer_is_not_the_thief_of_the_token_it_holds() -> None:
    # path traversal reads stored files only: nobody but the laptop's owner reaches the token
    # in memory, and the owner holds it already
    result = _analyze(LAPTOP.format(vclass="path_traversal"))
    assert [t.id for t in result.threats] == []
    assert _dropped(result) == [("secret-exposure@session-token", "operator_holds")]
    assert result.summary["operator_holds"] == 1


def test_another_adversary_reaching_what_the_owner_holds_is_reported() -> None:
    # a secret in the client's memory is read by another process on the computer: that route
    # starts from someone who does not hold the token, so the owner's route drops nothing
    result = _analyze(LAPTOP.format(vclass="secret_in_client"))
    threat = {t.id: t for t in result.threats}["secret-exposure@session-token"]
    assert [(r.adversary, r.reach) for r in threat.routes] == [
        ("insider", "insider"),
        ("operator:user", "operator"),
    ]
    assert threat.adversaries == ("insider", "operator:user")
    assert _dropped(result) == []


# an agent on a host where a plugin runs whose publisher can change it (unpinned)
PLUGIN_HOST = """
actm: 1
system: {{id: plugins, owner: team}}
owners:
  - {{id: team, trust: first_party}}
  - {{id: authors, trust: untrusted}}
nodes:
  - {{id: host, kind: service}}
models:
  - {{id: bot, kind: agent, exposure: {exposure}, deployed_on: [host]}}
packages:
  - {{id: plugin, ecosystem: npm, name: plugin, pinned: false, publisher: authors,
     runs_on: [host]}}
"""

# the same agent with the team's instructions in its context
FOOTHOLD = PLUGIN_HOST.replace(
    "packages:\n",
    "assets:\n"
    "  - {{id: instructions, type: agent_configuration}}\n"
    "relations:\n"
    "  - {{kind: feeds, from: instructions, to: bot.inputs.system_prompt}}\n"
    "packages:\n",
)


# what the shell on the host of a public agent gives over it, which its users do not reach
# without one
OVER_A_PUBLIC_BOT = [
    ("indirect-prompt-injection@bot", "foothold"),
    ("insecure-integrated-component@bot", "foothold"),
    ("system-prompt-eviction@bot", "foothold"),
    ("tool-definition-poisoning@bot", "foothold"),
]


# what code on the host of an internal agent gives over it
OVER_AN_INTERNAL_BOT = [
    "conversation-disclosure@bot",
    "cost-harvesting@bot",
    "direct-prompt-injection@bot",
    "insecure-integrated-component@bot",
    "resource-exhaustion@bot",
    "system-prompt-eviction@bot",
    "tool-definition-poisoning@bot",
]


def test_what_a_package_foothold_gives_over_a_model_is_the_package_threat() -> None:
    # the plugin's code runs where the agent runs: its publisher holds the agent's inputs and
    # outputs, and the compromise is reported once, on the package
    result = _analyze(FOOTHOLD.format(exposure="internal"))
    assert sorted(t.id for t in result.threats) == [
        "ml-dependency-compromise@plugin",
    ]
    assert _dropped(result) == [(t, "foothold") for t in OVER_AN_INTERNAL_BOT]
    assert result.summary["foothold"] == 7


def test_a_threat_that_also_closes_without_the_foothold_is_kept() -> None:
    # a public agent: its users inject and flood it without the plugin
    result = _analyze(FOOTHOLD.format(exposure="public"))
    assert sorted(t.id for t in result.threats) == [
        "direct-prompt-injection@bot",
        "ml-dependency-compromise@plugin",
        "resource-exhaustion@bot",
    ]
    assert _dropped(result) == [
        ("insecure-integrated-component@bot", "foothold"),
        ("system-prompt-eviction@bot", "foothold"),
        ("tool-definition-poisoning@bot", "foothold"),
    ]


def test_without_counterfactual_attribution_the_foothold_rule_drops_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # above the candidate limit, what a threat rests on is read off its shown chain: another
    # route may close it without the plugin, so the rule cannot tell a restatement apart
    monkeypatch.setattr(attribution, "MAX_CANDIDATES", 0)
    result = _analyze(FOOTHOLD.format(exposure="public"))
    assert [d.id for d in result.dropped if d.rule == "foothold"] == []
    assert "system-prompt-eviction@bot" in {t.id for t in result.threats}


def test_a_foothold_two_packages_give_is_needed_though_neither_alone_is() -> None:
    # a second plugin, from another publisher, runs on the same host: the agent's threats rest
    # on neither assumption alone, but on the two together
    text = FOOTHOLD.format(exposure="internal") + (
        "  - {id: helper, ecosystem: pypi, name: helper, pinned: false, publisher: authors,\n"
        "     runs_on: [host]}\n"
    )
    result = _analyze(text)
    assert sorted(t.id for t in result.threats) == [
        "ml-dependency-compromise@helper",
        "ml-dependency-compromise@plugin",
    ]
    assert [d.id for d in result.dropped if d.rule == "foothold"] == [
        "conversation-disclosure@bot",
        "cost-harvesting@bot",
        "direct-prompt-injection@bot",
        "insecure-integrated-component@bot",
        "resource-exhaustion@bot",
        "system-prompt-eviction@bot",
        "tool-definition-poisoning@bot",
    ]


# the plugin's publisher also writes the skills the agent reads as its instructions, and the
# agent has a shell on its host: code runs there through the plugin or through the steered
# shell, so the agent's threats rest on neither the plugin nor the shell alone
SKILLS = PLUGIN_HOST.replace("deployed_on: [host]}}", "deployed_on: [host], tools: [shell]}}") + (
    """\
assets:
  - {{id: skills, type: agent_configuration, resides: [{{node: host}}]}}
relations:
  - {{kind: feeds, from: skills, to: bot.inputs.system_prompt}}
tools:
  - {{id: shell, node: host, permissions: {{execute: [host]}}}}
assumptions:
  - {{id: skills-text, producer: authors, asset: skills, capability: make_arbitrary_changes,
     status: unjustified}}
"""
)


def test_a_foothold_a_package_or_a_shell_gives_is_needed_though_neither_alone_is() -> None:
    # without the plugin the steered shell runs code on the host, without the shell the
    # plugin does: the threats on what the agent is told and says need code execution there,
    # whichever gives it, and are the plugin's threat and the skills' tampering restated
    result = _analyze(SKILLS.format(exposure="internal"))
    assert sorted(t.id for t in result.threats) == [
        "agent-config-tampering@skills@bot",
        "ml-dependency-compromise@plugin",
    ]
    # the steered shell also reaches its tool results: the injection needs a foothold too
    within = sorted([*OVER_AN_INTERNAL_BOT, "indirect-prompt-injection@bot"])
    assert _dropped(result) == [(t, "foothold") for t in within]
    # one closure more than the needs bisection: without the plugin and the shell's foothold
    assert result.timings["needs_runs"] == 4.0


def test_a_public_agents_users_need_neither_foothold() -> None:
    # its users inject and flood it without code on the host: those threats are kept
    result = _analyze(SKILLS.format(exposure="public"))
    assert sorted(t.id for t in result.threats) == [
        "agent-config-tampering@skills@bot",
        "direct-prompt-injection@bot",
        "ml-dependency-compromise@plugin",
        "resource-exhaustion@bot",
    ]
    assert _dropped(result) == OVER_A_PUBLIC_BOT


def test_what_the_agents_own_shell_gives_is_reported_once() -> None:
    # the shell runs code on the laptop, which holds the tracker's token: another tool's
    # definition rewritten there to shadow close_issue gives nothing the token does not (it
    # calls close_issue itself), and the definitions the agent is offered, rewritten by the
    # code that runs where they are served, are that code's doing, whatever the vendor's
    # model makes of them; the shell's own threat (agent-code-execution), which derives the
    # code execution, stays; the token's grants on the issues its own tool reads are that
    # tool's ground (stolen-credential-*), not a lateral move
    result = _analyze(SHELL.format(tools="", extra=""))
    assert sorted(t.id for t in result.threats) == [
        "agent-code-execution@agent@token",
        "excessive-agency-write@agent@issues",
        "indirect-prompt-injection@agent",
        "self-replicating-prompt-injection@agent@issues",
        "stolen-credential-data-access@token@issues",
        "stolen-credential-tool-abuse@token@issues",
    ]
    assert [d for d in _dropped(result) if d[1] == "foothold"] == [
        ("tool-definition-poisoning@agent", "foothold"),
        ("tool-shadowing@shell@close_issue", "foothold"),
    ]
    # one closure from the laptop's code execution alone; the needs rerun (one closure, two
    # saturations more than its own) tells which threats do not close without any derived
    # foothold, which, the laptop holding every one, is also what does not close without the
    # laptop's: no closure without it alone
    assert result.timings["footholds_runs"] == 1.0
    assert result.timings["needs_runs"] == 3.0


def test_a_malicious_server_on_the_same_laptop_keeps_its_shadowing() -> None:
    # the server's package runs code on the laptop without the shell: the threats close
    # without the agent's foothold, and are reported
    result = _analyze(SHELL.format(tools=", lookup", extra=SERVER))
    ids = {t.id for t in result.threats}
    assert {
        "tool-definition-poisoning@agent",
        "tool-shadowing@lookup@close_issue",
        "tool-shadowing@shell@close_issue",
    } <= ids
    assert [d for d in _dropped(result) if d[1] == "foothold"] == []


def test_an_exfiltration_through_the_foothold_names_its_way_out_and_is_kept() -> None:
    # a lookup tool that runs a shell command on the agent's host and sends the name out:
    # what leaves through it is reported; the rest of what the shell gives over the agent,
    # whose inputs and outputs the host holds, is the code execution's
    result = _analyze(LOOKUP)
    assert sorted(t.id for t in result.threats) == [
        "agent-code-execution@bot@api-key",
        "context-exfiltration-via-tool@bot",
        "direct-prompt-injection@bot",
        "resource-exhaustion@bot",
    ]
    assert _dropped(result) == OVER_A_PUBLIC_BOT
    # no assumption to bisect: the closure without the derived footholds is one of its own,
    # and one from the host's code execution alone (the host holds every derived foothold:
    # the first closure also tells what does not close without the host's)
    assert result.timings["footholds_runs"] == 2.0


UNREPORTED_SHELL = """\
actm: 1
system: {id: shell2, owner: team}
owners:
  - {id: team, trust: first_party}
  - {id: vendor, trust: contracted, contract: Serves the agent's model.}
  - {id: authors, trust: untrusted}
nodes:
  - {id: laptop, kind: workstation, owner: team}
  - {id: tracker, kind: saas, owner: team}
  - {id: llm-api, kind: third_party_api, owner: vendor}
models:
  - {id: agent, kind: agent, owner: vendor, deployed_on: [llm-api], tools: [read_issue, shell]}
  - {id: helper, kind: agent, owner: team, deployed_on: [laptop], tools: [close_issue]}
assets:
  - id: token
    type: credential
    criticality: {confidentiality: high}
    grants: {read: [issues], write: [issues]}
    resides: [{node: tracker}]
  - id: issues
    type: business_data
    criticality: {integrity: medium}
    untrusted_sources: [{name: reporters, can: contribute}]
    resides: [{node: tracker}]
tools:
  - id: read_issue
    node: tracker
    credential: token
    approval: auto_approved
    permissions: {read: [issues]}
  - id: close_issue
    node: tracker
    credential: token
    approval: auto_approved
    permissions: {write: [issues]}
  - {id: shell, node: laptop, approval: auto_approved, permissions: {execute: [laptop]}}
"""


def test_a_foothold_no_threat_reports_is_restated_by_nothing() -> None:
    # the shell runs code on a laptop where nothing agent-code-execution binds resides, so no
    # threat shows that code execution: what it gives over the local helper agent is reported,
    # not dropped as a restatement of a foothold the report never names
    result = _analyze(UNREPORTED_SHELL)
    assert "agent-code-execution@agent@token" not in {t.id for t in result.threats}
    assert [d for d in _dropped(result) if d[1] == "foothold"] == []
    assert {
        "direct-prompt-injection@helper",
        "excessive-agency-write@helper@issues",
        "system-prompt-eviction@helper",
    } <= {t.id for t in result.threats}


# a code host publishes the MCP server the user runs and may issue the token it uses
FORGE = """
actm: 1
system: {{id: ide, owner: dev}}
owners:
  - {{id: dev, first_party: true}}
  - {{id: forge, name: Code host that publishes the server}}
  - {{id: other, name: Another code host}}
nodes:
  - {{id: laptop, kind: workstation}}
  - {{id: host-api, kind: saas, owner: {host}}}
models:
  - {{id: agent, kind: agent, tools: [read_repo]}}
packages:
  - {{id: forge-server, ecosystem: oci, name: forge/mcp-server, pinned: false, publisher: forge,
     runs_on: [laptop]}}
assets:
  - id: token
    type: credential
    issued_by: {host}
    criticality: {{confidentiality: critical}}
    resides: [{{node: laptop, mode: processed}}]
  - id: repos
    type: source_code
    criticality: {{confidentiality: high, integrity: high}}
    resides: [{{node: host-api}}]
tools:
  - {{id: read_repo, node: laptop, credential: token, permissions: {{read: [repos]}}}}
"""


def test_a_supplier_is_not_the_thief_of_its_own_token_to_what_it_hosts() -> None:
    # the server's publisher issues the token and hosts the repositories it opens: reading
    # them with it gives the publisher nothing it does not hold
    result = _analyze(FORGE.format(host="forge"))
    assert "stolen-credential-data-access@token@repos" not in {t.id for t in result.threats}
    assert _dropped(result) == [("stolen-credential-data-access@token@repos", "operator_holds")]


def test_a_supplier_stealing_another_owners_token_is_reported() -> None:
    result = _analyze(FORGE.format(host="other"))
    threat = {t.id: t for t in result.threats}["stolen-credential-data-access@token@repos"]
    assert [r.adversary for r in threat.routes] == ["supplier:forge"]
    assert _dropped(result) == []


# an open MCP server of the team's own, whose run_python tool anyone on the office network
# calls; {package} names the server's package, {packages} declares it
OPEN_MCP = """
actm: 1
system: {{id: open-mcp, owner: team}}
owners:
  - {{id: team, trust: first_party}}
  - {{id: vendor, trust: contracted, contract: Serves the agent's model.}}
  - {{id: upstream, trust: untrusted}}
zones:
  - {{id: office, name: Office network, trust: low}}
nodes:
  - id: mcp
    kind: mcp_server
    zone: office
    owner: team
    exposure: internal
    authentication: none
    mcp: {{transport: sse, authentication: none{package}}}
  - {{id: llm-api, kind: third_party_api, owner: vendor}}
models:
  - {{id: agent, kind: agent, owner: vendor, deployed_on: [llm-api],
     tools: [run_python, read_logs]}}
assets:
  - {{id: logs, type: logs, criticality: {{confidentiality: high}}, resides: [{{node: mcp}}]}}
  - id: deploy-key
    type: credential
    criticality: {{confidentiality: critical}}
    resides: [{{node: mcp}}]
tools:
  - {{id: run_python, node: mcp, owner: team, approval: auto_approved,
     permissions: {{execute: [mcp]}}}}
  - {{id: read_logs, node: mcp, owner: team, approval: auto_approved,
     permissions: {{read: [logs]}}}}
{packages}"""


def test_definitions_an_open_servers_execute_tool_rewrites_are_its_code_execution() -> None:
    # an insider calls run_python on the open server and rewrites the definitions it serves:
    # that code execution is reported (the hijacked transport of run_python, the agent's own
    # code execution); the poisoned definitions restate it
    result = _analyze(OPEN_MCP.format(package="", packages=""))
    assert "mcp-transport-hijack@run_python" in {t.id for t in result.threats}
    assert [d for d in _dropped(result) if d[1] == "foothold"] == [
        ("tool-definition-poisoning@agent", "foothold"),
    ]


def test_definitions_a_server_package_supplies_are_a_poisoned_supply() -> None:
    # the same server runs an unpinned package an untrusted publisher can change: the
    # publisher supplies the definitions without any derived foothold, and the poisoning stays
    packages = (
        "packages:\n  - {id: py-server, ecosystem: pypi, name: py-server, pinned: false,"
        " publisher: upstream, runs_on: [mcp]}\n"
    )
    result = _analyze(OPEN_MCP.format(package=", package: py-server", packages=packages))
    assert "tool-definition-poisoning@agent" in {t.id for t in result.threats}
    assert [d for d in _dropped(result) if d[1] == "foothold"] == []


# an internal agent on a web app reads notes on a sandbox; the web app leaks, through a path
# traversal, a token that runs code on the sandbox
LEAKED_SANDBOX_TOKEN = """\
actm: 1
system: {id: notes-bot, owner: team}
owners:
  - {id: team, trust: first_party}
nodes:
  - {id: web, kind: web_app, owner: team, exposure: internet}
  - {id: sandbox, kind: service, owner: team}
models:
  - {id: bot, kind: agent, owner: team, deployed_on: [web], exposure: internal, tools: [read_notes]}
assets:
  - id: token
    type: credential
    criticality: {confidentiality: high}
    grants: {execute: [sandbox]}
    resides: [{node: web}]
  - id: notes
    type: business_data
    criticality: {integrity: medium, confidentiality: medium}
    resides: [{node: sandbox}]
tools:
  - {id: read_notes, node: sandbox, approval: auto_approved, permissions: {read: [notes]}}
vulnerabilities:
  - {id: traversal, class: path_traversal, node: web, assets: [token]}
"""


def test_an_injection_through_tool_results_a_foothold_wrote_is_not_a_definition_entry() -> None:
    # code run on the sandbox with the leaked token rewrites the notes the agent reads: the
    # exfiltration through the agent's rendered answers takes tool definitions among other
    # inputs but entered through the tool results, so it is more than the foothold gives and
    # stays; the definitions that code rewrites where they are served are its doing, and so
    # are the notes the token moves the adversary onto (the sandbox it runs code on)
    result = _analyze(LEAKED_SANDBOX_TOKEN)
    assert sorted(t.id for t in result.threats) == [
        "rendered-output-exfiltration@bot",
        "secret-exposure@token",
    ]
    assert _dropped(result) == [
        ("credential-reuse-lateral-movement@token@notes", "foothold"),
        ("tool-definition-poisoning@bot", "foothold"),
    ]
