"""Every real third-party file under ../shared/data/real-inputs either imports into a model that
validates or is refused with one diagnostic naming the file: never a traceback. The MCP and
agent-framework files are checked for the format they are read as and for what they give.
Skips where the shared data is absent."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import actm
from actm.errors import ModelError
from actm.importers.draft import Draft, thawed
from actm.importers.formats import IMPORTERS, detect
from actm.importers.interface import ImportOptions
from actm.importers.run import draft_files
from reference_data import SHARED

REAL = SHARED / "real-inputs"
FILES = sorted(p for p in REAL.rglob("*") if p.is_file() and p.name != "SOURCES.md")

# the format each MCP and agent-framework file is read as
FORMATS = {
    "agent-projects/crewAIInc_content_crew_agents.yaml": "crewai",
    "agent-projects/crewAIInc_content_crew_tasks.yaml": "crewai",
    "agent-projects/crewAIInc_tests_agents.yaml": "crewai",
    "agent-projects/crewAIInc_tests_tasks.yaml": "crewai",
    "agent-projects/langgraph.json": "langgraph",
    "mcp-configs/PostHog_.mcp.json": "mcp-config",
    "mcp-configs/anthropics_chrome-applescript_manifest.json": "mcpb-manifest",
    "mcp-configs/anthropics_file-system-node_manifest.json": "mcpb-manifest",
    "mcp-configs/anthropics_hello-world-node_manifest.json": "mcpb-manifest",
    "mcp-configs/bad_tool.json": "mcp-tools",
    "mcp-configs/claude_desktop_config.json": "mcp-config",
    "mcp-configs/create_or_update_file.snap": "mcp-tools",
    "mcp-configs/delete_repository.snap": "mcp-tools",
    "mcp-configs/get_file_contents.snap": "mcp-tools",
    "mcp-configs/github_server.json": "mcp-server",
    "mcp-configs/good_tool.json": "mcp-tools",
    "mcp-configs/mastra-ai_mcp.json": "mcp-config",
    "mcp-configs/microsoft_mcp.json": "mcp-config",
    "mcp-configs/modelcontextprotocol_server.json": "mcp-server",
    "mcp-configs/seed_2025_05_16.json": "mcp-registry",
    "mcp-configs/triggerdotdev_mcp.json": "mcp-config",
}
REFUSED = {"mcp-configs/seed_2025_05_16.json"}


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is not available (shared real inputs)")
    return path


@cache
def draft_of(*names: str) -> Draft:
    return draft_files([real(n) for n in names], ImportOptions())


def element(draft: Draft, ident: str) -> dict[str, object]:
    found = draft.find(ident)
    assert found is not None, ident
    return dict(thawed(found.fields))


@pytest.mark.skipif(not FILES, reason="../shared/data/real-inputs is not available")
def test_there_are_54_files() -> None:
    assert len(FILES) == 54
    assert set(FORMATS) <= {p.relative_to(REAL).as_posix() for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REAL).as_posix())
def test_imports_and_validates_or_is_refused_in_one_line(path: Path) -> None:
    name = path.relative_to(REAL).as_posix()
    found = detect(path)
    if name in FORMATS:
        assert found is not None and [i.name for i in found.importers] == [FORMATS[name]]
    try:
        imported = actm.import_files([path])
    except ModelError as exc:
        assert name not in FORMATS or name in REFUSED
        (d,) = exc.diagnostics
        assert str(path) in d.message and "\n" not in d.message
        return
    assert name not in REFUSED
    model = actm.load_model_text(imported.text)
    assert model.system.id


@pytest.mark.parametrize("format", sorted(IMPORTERS))
def test_any_format_forced_on_any_file_never_crashes(format: str) -> None:
    if not FILES:
        pytest.skip("../shared/data/real-inputs is not available")
    for path in FILES:
        try:
            draft_files([path], ImportOptions(), format)
        except ModelError as exc:
            assert len(exc.diagnostics) == 1
            assert str(path) in str(exc.diagnostics[0].location) + exc.diagnostics[0].message


def test_claude_desktop_config() -> None:
    draft = draft_of("mcp-configs/claude_desktop_config.json")
    assert [e.id for e in draft.section("nodes")] == [
        "workstation",
        "anthropic-api",
        "apillon-mcp-server",
        "filesystem-mcp",
    ]
    # the placeholder values (<APILLON_API_KEY>) are not secrets the file holds
    assert "contains" not in element(draft, "claude-desktop-config")
    assert [e.id for e in draft.section("assets")][1:] == ["apillon-api-key", "apillon-api-secret"]


def test_github_server_and_its_tool_snapshots() -> None:
    draft = draft_of(
        "mcp-configs/github_server.json",
        "mcp-configs/create_or_update_file.snap",
        "mcp-configs/delete_repository.snap",
        "mcp-configs/get_file_contents.snap",
    )
    assert [e.id for e in draft.section("tools")] == [
        "create_or_update_file",
        "delete_repository",
        "get_file_contents",
    ]
    assert element(draft, "get_file_contents")["permissions"] == {
        "read": ["github-mcp-server-data"]
    }
    assert element(draft, "get_file_contents")["node"] == "github-mcp-server"
    # the secret runtime argument -e GITHUB_PERSONAL_ACCESS_TOKEN={token}
    assert element(draft, "github-personal-access-token")["type"] == "credential"


def test_first_registry_generation_template() -> None:
    draft = draft_of("mcp-configs/modelcontextprotocol_server.json")
    assert [n.text for n in draft.notes][:2] == [
        "package 'io.github.<owner>/<server-name>-cli' of registry 'docker>': a registry actm "
        "does not know",
        "its name holds placeholders: it is a template",
    ]


def test_crew_from_the_crewai_template() -> None:
    draft = draft_of(
        "agent-projects/crewAIInc_content_crew_agents.yaml",
        "agent-projects/crewAIInc_content_crew_tasks.yaml",
    )
    assert [e.id for e in draft.section("models")] == ["planner", "writer", "editor"]
    assert [(e.get("from"), e.get("to")) for e in draft.section("relations")] == [
        ("planner.outputs", "writer.inputs.agent_messages"),
        ("writer.outputs", "editor.inputs.agent_messages"),
    ]
