"""Agent frameworks: crewAI agents and tasks (delegation, context, sequence), LangGraph."""

from __future__ import annotations

from pathlib import Path

import pytest
from drafting import FIXTURES, element, ids, read, reviews

from actm.errors import ModelError
from actm.importers.draft import merge
from actm.importers.formats import detect

CREW = FIXTURES / "crew" / "config"


def test_crew_agents_and_their_providers() -> None:
    draft = merge([read("crewai", CREW / "agents.yaml"), read("crewai", CREW / "tasks.yaml")])
    assert ids(draft, "models") == ["researcher", "writer", "reviewer"]
    assert element(draft, "models", "researcher") == {
        "name": "{topic} Researcher",
        "description": "Find the latest on {topic}",
        "kind": "agent",
        "owner": "openai",
        "exposure": "internal",
        "deployed_on": ["openai-api"],
        "tools": ["SerperDevTool", "FileReadTool", "NotesTool"],
    }
    # its prompt takes the crew's inputs: who gives them is asked
    assert reviews(draft, "researcher") == ["exposure"]
    assert element(draft, "models", "writer")["owner"] == "anthropic"
    # no llm: the provider is asked
    assert element(draft, "models", "reviewer")["owner"] == "model-provider"
    assert reviews(draft, "reviewer") == ["owner"]


def test_crew_tools_from_the_table() -> None:
    draft = merge([read("crewai", CREW / "agents.yaml"), read("crewai", CREW / "tasks.yaml")])
    assert element(draft, "tools", "SerperDevTool") == {
        "node": "agent-runtime",
        "permissions": {"egress": ["internet"]},
        "untrusted_results": ["public-web"],
    }
    assert element(draft, "tools", "FileWriterTool")["permissions"] == {"write": ["crew-files"]}
    assert element(draft, "tools", "NotesTool") == {"node": "agent-runtime"}
    assert reviews(draft, "NotesTool") == ["permissions"]


def test_delegation_context_and_sequence() -> None:
    draft = merge([read("crewai", CREW / "agents.yaml"), read("crewai", CREW / "tasks.yaml")])
    edges = [
        (e.get("from"), e.get("to"), [r.key for r in e.review]) for e in draft.section("relations")
    ]
    assert edges == [
        # the researcher may delegate: it feeds every other agent and hears back
        ("researcher.outputs", "writer.inputs.agent_messages", []),
        ("writer.outputs", "researcher.inputs.agent_messages", []),
        ("researcher.outputs", "reviewer.inputs.agent_messages", []),
        ("reviewer.outputs", "researcher.inputs.agent_messages", []),
        # writing_task has context [research_task]: already there; review_task follows in turn
        ("writer.outputs", "reviewer.inputs.agent_messages", [""]),
    ]
    assert [(n.kind, n.text) for n in draft.notes] == [
        ("info", "task 'writing_task' writes its result to report.md"),
        ("info", "task 'review_task' asks a person to review its result"),
        ("unplaced", "task 'orphan_task' names no agent"),
    ]


def test_tasks_alone_stand_in_for_the_agents() -> None:
    tasks = read("crewai", CREW / "tasks.yaml")
    assert element(tasks, "models", "writer") == {"kind": "agent"}
    assert reviews(tasks, "writer") == [""]
    # imported with the agents, in either order, the stand-in and its question go
    for pair in (
        [tasks, read("crewai", CREW / "agents.yaml")],
        [read("crewai", CREW / "agents.yaml"), tasks],
    ):
        joined = merge(pair)
        assert element(joined, "models", "writer")["owner"] == "anthropic"
        assert reviews(joined, "writer") == []


def test_langgraph() -> None:
    draft = read("langgraph", FIXTURES / "langgraph" / "langgraph.json")
    assert draft.system is not None and draft.system.id == "support"
    assert ids(draft, "models") == ["support", "triage"]
    assert element(draft, "models", "triage") == {
        "name": "triage",
        "description": "The graph built by ./src/triage.py:graph",
        "kind": "agent",
        "owner": "model-provider",
        "exposure": "internal",
        "deployed_on": ["model-api"],
    }
    assert reviews(draft, "triage") == ["owner", "exposure", "tools"]
    # no auth handler: whether the server needs a key is asked
    assert reviews(draft, "agent-runtime") == ["", "authentication"]
    assert element(draft, "packages", "langchain-openai")["pinned"] is True
    assert element(draft, "packages", "langgraph")["pinned"] is False
    assert ids(draft, "assets") == ["openai-api-key"]
    assert "sk-do-not-copy" not in repr(draft)
    assert [n.text for n in draft.notes] == ["installs local code from ."]


def test_langgraph_auth_and_env_file(tmp_path: Path) -> None:
    path = tmp_path / "langgraph.json"
    path.write_text('{"graphs": {"a": "./a.py:g"}, "env": ".env", "auth": {"path": "./auth.py:x"}}')
    draft = read("langgraph", path)
    node = element(draft, "nodes", "agent-runtime")
    assert (node["authentication"], node["description"]) == (
        "required",
        "Authenticates callers with ./auth.py:x",
    )
    assert element(draft, "assets", "env-file") == {
        "name": ".env",
        "type": "secret",
        "description": "The environment file .env, read by the server at start",
        "resides": [{"node": "agent-runtime", "mode": "stored"}],
    }


@pytest.mark.parametrize(
    ("name", "text", "format"),
    [
        ("agents.yaml", "a:\n  role: r\n  goal: g\n", "crewai"),
        ("crew.yaml", "a:\n  role: r\n  goal: g\n", "crewai"),
        ("tasks.yaml", "t:\n  description: d\n  expected_output: e\n", "crewai"),
        ("langgraph.json", '{"graphs": {}}', "langgraph"),
        ("deploy.json", '{"graphs": {}, "dependencies": []}', "langgraph"),
    ],
)
def test_detection(tmp_path: Path, name: str, text: str, format: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = detect(path)
    assert found is not None and [i.name for i in found.importers] == [format]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("notes.md", "a:\n  role: r\n  goal: g\n"),
        ("model.yaml", "actm: 1\na:\n  role: r\n  goal: g\n"),
        ("graphs.py", 'SPEC = {"graphs": {}, "dependencies": []}'),
    ],
)
def test_not_detected(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert detect(path) is None


@pytest.mark.parametrize(
    ("format", "name", "text", "reason"),
    [
        ("crewai", "x.yaml", "a: 1\n", "it holds no crewAI agents"),
        ("langgraph", "x.json", '{"graphs": {}}', "it names no graphs"),
    ],
)
def test_refusals(tmp_path: Path, format: str, name: str, text: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read(format, path)
    assert info.value.diagnostics[0].message.startswith(f"cannot import {name}: {reason}")
