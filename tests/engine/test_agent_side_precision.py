"""What an agent's own data entries keep reporting once narrowed: a disclosure through the
agent's answers that only a package's code on its host gives, and a person talked into what
the agent's own unsandboxed commands already do, are restatements; the close real cases are
not (docs/noise-rules.md)."""

from __future__ import annotations

import textwrap

import actm
from actm.results.model import Result

# the team's host, where a plugin its publisher can change (unpinned) runs, and a database
HOST = """\
actm: 1
system: {id: plugins, owner: team}
owners:
  - {id: team, trust: first_party}
  - {id: authors, trust: untrusted}
nodes:
  - {id: host, kind: service}
  - {id: db, kind: database}
"""
PLUGIN_ON_HOST = """\
packages:
  - {id: plugin, ecosystem: npm, name: plugin, pinned: false, publisher: authors, runs_on: [host]}
"""

# an internal agent on that host; a read tool returns business records from the database
PLUGIN = (
    HOST
    + """\
models:
  - {id: bot, kind: agent, exposure: internal, deployed_on: [host], tools: [lookup]}
assets:
  - {id: records, type: business_data, criticality: {confidentiality: high}, resides: [{node: db}]}
tools:
  - {id: lookup, node: host, permissions: {read: [records]}}
"""
    + PLUGIN_ON_HOST
)

# the same agent with a member of staff who asks it questions and reads its answers
ASKED = (
    PLUGIN
    + """\
adversaries:
  - id: staff
    reach: insider
    holds:
      - {asset: bot.inputs.user_input, capability: make_arbitrary_changes}
      - {asset: bot.outputs, capability: inspect}
"""
)

# an internal agent on the host with a tool that saves notes stored {where}; {inputs}: what
# else the agent reads
SAVER = """\
models:
  - id: bot
    kind: agent
    exposure: internal
    deployed_on: [host]
    tools: [save]
    {inputs}
assets:
  - id: notes
    type: business_data
    criticality: {{integrity: high}}
    resides: [{{node: {where}}}]
tools:
  - {{id: save, node: host, permissions: {{write: [notes]}}}}
"""


def _saver(where: str, inputs: str = "") -> str:
    return HOST + SAVER.format(where=where, inputs=inputs) + PLUGIN_ON_HOST


# an agent on a laptop that reads web pages and has a shell there ({sandbox}: declared or not)
LAPTOP = """\
actm: 1
system: {{id: fixture}}
nodes:
  - {{id: laptop, kind: workstation}}
models:
  - id: bot
    kind: agent
    deployed_on: [laptop]
    tools: [shell]
    assets:
      inputs: {{component_sources: {{retrieved_context: [web]}}}}
      outputs: {{resides: [{{node: laptop, mode: processed}}]}}
assets:
  - {{id: ssh-key, type: secret, resides: [{{node: laptop}}]}}
  - id: wallet
    type: business_data
    criticality: {{integrity: critical, confidentiality: high}}
    resides: [{{node: laptop}}]
tools:
  - {{id: shell, node: laptop, sandbox: {sandbox}, permissions: {{execute: [laptop]}}}}
"""


def _analyze(text: str) -> Result:
    return actm.analyze(actm.load_model_text(textwrap.dedent(text)))


def _ids(result: Result, attack: str) -> list[str]:
    return sorted(t.id for t in result.threats if t.attack == attack)


def test_a_disclosure_only_the_plugin_on_the_agents_host_gives_restates_its_foothold() -> None:
    # the plugin's code receives what the lookup returns to the agent: asking the agent for
    # the records through that code says again what ml-dependency-compromise says
    result = _analyze(PLUGIN)
    assert _ids(result, "tool-data-disclosure") == []
    assert ("tool-data-disclosure@bot@records", "foothold") in {
        (d.id, d.rule) for d in result.dropped
    }
    assert [t.id for t in result.threats] == ["ml-dependency-compromise@plugin"]


def test_a_person_who_asks_the_agent_for_the_records_is_reported() -> None:
    # the closest real case: someone who talks to the agent reads the records without the
    # plugin, so the disclosure does not rest on the foothold
    result = _analyze(ASKED)
    assert _ids(result, "tool-data-disclosure") == ["tool-data-disclosure@bot@records"]
    assert "tool-data-disclosure@bot@records" not in {d.id for d in result.dropped}


def test_a_person_is_not_talked_into_what_the_agents_own_shell_does() -> None:
    # whoever steers the agent reads and changes the key and the wallet with its commands:
    # agent-code-execution reports that, once
    result = _analyze(LAPTOP.format(sandbox="false"))
    assert _ids(result, "agent-code-execution") == [
        "agent-code-execution@bot@ssh-key",
        "agent-code-execution@bot@wallet",
    ]
    assert _ids(result, "human-trust-exploitation") == []


def test_behind_a_declared_sandbox_the_person_is_the_way_in() -> None:
    # the shell's code is confined: the steered agent reaches neither, the person at the
    # laptop does
    result = _analyze(LAPTOP.format(sandbox="true"))
    assert _ids(result, "agent-code-execution") == []
    assert _ids(result, "human-trust-exploitation") == [
        "human-trust-exploitation@bot@ssh-key",
        "human-trust-exploitation@bot@wallet",
    ]


def test_a_write_only_the_plugin_steers_to_its_own_host_restates_its_foothold() -> None:
    # the plugin's code on the host changes the notes stored there without the agent
    result = _analyze(_saver("host"))
    assert _ids(result, "excessive-agency-write") == []
    assert ("excessive-agency-write@bot@notes", "foothold") in {
        (d.id, d.rule) for d in result.dropped
    }


def test_a_write_the_plugin_steers_to_another_node_is_reported() -> None:
    # the notes are in a database: the agent's tool reaches them, the plugin's code alone not
    result = _analyze(_saver("db"))
    assert _ids(result, "excessive-agency-write") == ["excessive-agency-write@bot@notes"]


def test_a_write_web_content_steers_is_reported_where_the_plugin_also_runs() -> None:
    # the closest real case: a web page steers the agent to the same notes without the plugin
    inputs = "assets: {inputs: {component_sources: {retrieved_context: [web]}}}"
    result = _analyze(_saver("host", inputs))
    assert _ids(result, "excessive-agency-write") == ["excessive-agency-write@bot@notes"]
