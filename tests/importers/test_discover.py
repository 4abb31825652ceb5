"""``actm discover``: the walk, what it skips, dependencies, and what it cannot place."""

from __future__ import annotations

from pathlib import Path

import pytest
from drafting import FIXTURES, element, ids
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.errors import UsageError
from actm.importers.dependencies import requirements
from actm.importers.discover import discover
from actm.importers.interface import ImportOptions

REPO = FIXTURES / "repo"


def test_discover_a_repository() -> None:
    found = discover(REPO, ImportOptions())
    # node_modules/ and a virtual environment (venv/pyvenv.cfg) are never entered
    assert found.found == (
        (".vscode/mcp.json", "mcp-config"),
        ("docs/server.json", "mcp-server"),
    )
    assert found.dependencies == (
        "Dockerfile#L1: vllm/vllm-openai: the code runs on this image",
        "package.json#/dependencies/@modelcontextprotocol/sdk: @modelcontextprotocol/sdk: the "
        "code serves or calls MCP tools",
        "pyproject.toml#/project/dependencies/0: anthropic: the code calls models at Anthropic",
        "pyproject.toml#/project/optional-dependencies/agents/0: langgraph: the code builds "
        "agents as LangGraph graphs",
        "requirements.txt#L1: transformers: the code runs or trains models itself (Hugging Face "
        "Transformers)",
        "requirements.txt#L2: torch: the code runs or trains models itself (PyTorch)",
    )
    assert [(f, why.split(":")[0]) for f, why in found.unplaced] == [
        ("docs/agents.yaml", "YAML syntax error"),
        ("docs/registry.json", "cannot import docs/registry.json"),
        ("docs/tool.json", "might be mcp-tools; import it with --format"),
    ]
    assert (found.visited, found.truncated) == (10, False)
    draft = found.draft
    assert draft.system is not None and draft.system.id == "repo"
    assert ids(draft, "nodes") == [
        "app",
        "workstation",
        "model-provider-api",
        "db-mcp",
        "docs-mcp",
        "weather-mcp",
    ]
    assert element(draft, "nodes", "app") == {
        "name": "The code in this repository",
        "kind": "service",
        "zone": "internal",
        "owner": "us",
    }


def test_discover_stops_at_max_files() -> None:
    found = discover(REPO, ImportOptions(), max_files=3)
    assert (found.visited, found.truncated) == (3, True)


def test_nothing_to_draft(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# hello\n", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        discover(tmp_path, ImportOptions())
    assert str(info.value).startswith(f"found nothing in {tmp_path} to draft a model from")


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "model.yaml"
    result = CliRunner().invoke(app, ["discover", str(REPO), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert actm.load_model(out).system.id == "repo"
    lines = result.stderr.splitlines()
    assert lines[0] == f"looked at 10 files in {REPO}"
    assert "  imported .vscode/mcp.json (mcp-config)" in lines


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "requirements-dev.txt",
            "torch==2.4.0\nopenai>=1 ; python_version>'3.8'\n# x\n-e .\nfoo[bar]===1.0\n",
            [("torch", "2.4.0", True), ("openai", ">=1", False), ("foo", "1.0", True)],
        ),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\npython = "^3.11"\nopenai = "1.2.3"\ncrewai = "^0.5"\n',
            [("openai", "1.2.3", True), ("crewai", "^0.5", False)],
        ),
        (
            "package.json",
            '{"dependencies": {"openai": "4.0.0", "ai": "^3"}}',
            [("openai", "4.0.0", True), ("ai", "^3", False)],
        ),
        (
            "Dockerfile",
            "FROM --platform=$X python:3.12@sha256:abc AS b\nFROM b\nFROM ${BASE}\n",
            [("python", "sha256:abc", True)],
        ),
    ],
)
def test_requirements(name: str, text: str, expected: list[tuple[str, str, bool]]) -> None:
    found = requirements(Path(name), text, name)
    assert [(r.package.name, r.package.version, r.package.pinned) for r in found] == expected


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("\n\n  FROM --platform=$X img AS b\nFROM b\n\nfrom  c\nFROM\nd\n", ["L3", "L6"]),
        ("FROM python:3.11\n" + "\n" * 100_000 + "FROM b\n", ["L1", "L100002"]),
    ],
)
def test_dockerfile_lines(text: str, lines: list[str]) -> None:
    # a FROM is found on its own line (blank lines before it are not part of it); 100,000
    # blank lines finish at once: a leading \s* took minutes, quadratic in them
    assert [r.pointer for r in requirements(Path("Dockerfile"), text, "Dockerfile")] == lines


def test_a_requirement_with_a_newline_and_many_blanks_is_read_at_once() -> None:
    # two adjacent \s* before a failing end backtracked through every split of the blanks
    # (3,000 blanks took 90 seconds)
    text = 'project = {dependencies = ["openai", """torch' + " " * 100_000 + '\nx\ny"""]}\n'
    found = requirements(Path("pyproject.toml"), text, "pyproject.toml")
    assert [r.package.name for r in found] == ["openai"]


def test_deep_dependency_files_are_not_placed(tmp_path: Path) -> None:
    # package.json is read under the limits, tomllib's RecursionError becomes a reason
    deep = "[" * 200_000 + "]" * 200_000
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"openai": "1"}, "x": ' + deep + "}", encoding="utf-8"
    )
    (tmp_path / "pyproject.toml").write_text("x = " + deep[100_000:300_000], encoding="utf-8")
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {}}', encoding="utf-8")
    found = discover(tmp_path, ImportOptions())
    assert dict(found.unplaced) == {
        "package.json": "nesting is deeper than the limit of 64 levels (at line 1, column 103)",
        "pyproject.toml": "the TOML is nested too deeply to read",
    }


def test_broken_dependency_files_are_not_placed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {}}', encoding="utf-8")
    found = discover(tmp_path, ImportOptions())
    assert [f for f, _ in found.unplaced] == ["pyproject.toml"]


@pytest.mark.parametrize(
    "text",
    [
        "project = 5\n",
        "tool = 5\n",
        "[tool]\npoetry = 5\n",
        "[tool.poetry]\ndependencies = 5\n",
        "[project]\noptional-dependencies = 5\n",
    ],
)
def test_a_pyproject_value_of_the_wrong_type_is_read_as_absent(text: str) -> None:
    """It ended in an internal error (AttributeError, exit 3), as package.json's did."""
    assert list(requirements(Path("pyproject.toml"), text, "pyproject.toml")) == []
