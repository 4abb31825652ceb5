"""MCP client configurations: what each server becomes, secrets by name only, client files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from drafting import FIXTURES, element, ids, read, reviews

import actm
from actm.errors import ModelError
from actm.importers.draft import Draft, Element, slug
from actm.importers.emit import render
from actm.importers.fit import fit
from actm.importers.formats import detect
from actm.importers.interface import Confidence

CLAUDE = FIXTURES / "claude_desktop_config.json"


def test_claude_desktop_scaffold() -> None:
    draft = read("mcp-config", CLAUDE)
    assert draft.system is not None
    assert (draft.system.id, dict(draft.system.fields)) == (
        "claude-desktop",
        {"name": "Claude Desktop with its MCP servers", "owner": "us"},
    )
    assert ids(draft, "owners") == ["us", "anthropic", "acme-mcp", "acme", "search-example"]
    assert element(draft, "owners", "us") == {
        "name": "Your organisation",
        "first_party": True,
        "trust": "first_party",
    }
    # what the file does not say is a question, with the conservative value written
    assert element(draft, "owners", "anthropic") == {"name": "Anthropic", "trust": "untrusted"}
    assert reviews(draft, "anthropic") == ["trust"]
    assert element(draft, "models", "assistant") == {
        "name": "The assistant of Claude Desktop",
        "kind": "agent",
        "owner": "anthropic",
        "exposure": "internal",
        "deployed_on": ["anthropic-api"],
        "tools": ["files-mcp-tools", "tracker-mcp-tools", "notes-mcp-tools", "search-mcp-tools"],
    }
    assert ids(draft, "nodes") == [
        "workstation",
        "anthropic-api",
        "files-mcp",
        "tracker-mcp",
        "notes-mcp",
        "search-mcp",
    ]


def test_a_floating_npx_package() -> None:
    draft = read("mcp-config", CLAUDE)
    assert element(draft, "nodes", "files-mcp") == {
        "name": "files",
        "description": "Started with: npx -y @acme-mcp/server-files /home/dev/projects.",
        "kind": "mcp_server",
        "zone": "local",
        "owner": "us",
        "mcp": {"transport": "stdio", "package": "acme-mcp-server-files"},
    }
    assert element(draft, "packages", "acme-mcp-server-files") == {
        "name": "@acme-mcp/server-files",
        "ecosystem": "npm",
        "pinned": False,
        "verified": False,
        "publisher": "acme-mcp",
        "runs_on": ["files-mcp", "workstation"],
    }
    assert reviews(draft, "acme-mcp-server-files") == ["verified", "pinned"]
    assert element(draft, "owners", "acme-mcp") == {
        "name": "npm scope @acme-mcp",
        "trust": "untrusted",
    }


def test_a_docker_image_with_a_secret_in_the_file() -> None:
    draft = read("mcp-config", CLAUDE)
    assert element(draft, "packages", "ghcr-io-acme-tracker-mcp") == {
        "name": "ghcr.io/acme/tracker-mcp",
        "ecosystem": "oci",
        "version": "1.4.0",
        "pinned": True,
        "verified": False,
        "publisher": "acme",
        "runs_on": ["tracker-mcp", "workstation"],
    }
    token = element(draft, "assets", "tracker-token")
    assert token == {
        "type": "credential",
        "description": "The environment variable TRACKER_TOKEN of the tracker MCP server "
        "(its value is not copied)",
        "resides": [{"node": "tracker-mcp", "mode": "processed"}],
    }
    assert reviews(draft, "tracker-token") == ["grants", "issued_by"]
    # LOG_LEVEL is not a secret: no asset
    assert "log-level" not in ids(draft, "assets")
    assert element(draft, "tools", "tracker-mcp-tools")["credential"] == "tracker-token"


def test_secret_values_are_never_copied() -> None:
    draft = read("mcp-config", CLAUDE)
    text = repr(draft)
    assert "tt_live_0123456789abcdef" not in text
    assert "nk-9f8e7d6c5b4a" not in text
    assert element(draft, "nodes", "notes-mcp")["description"] == (
        "Started with: node /home/dev/notes-server/build/index.js --api-key <redacted>. "
        "Runs local code: /home/dev/notes-server/build/index.js."
    )
    # the configuration holds the two literal secrets, not the ${SEARCH_KEY} reference
    assert element(draft, "assets", "claude-desktop-config")["contains"] == [
        "tracker-token",
        "notes-api-key",
    ]


@pytest.mark.parametrize(
    ("url", "shown", "credential", "description", "held"),
    [
        (
            "https://mcp.example.com/mcp?region=eu&api_key=abc123#top",
            "https://mcp.example.com/mcp?region=eu&api_key=<redacted>#top",
            "remote-api-key",
            "The URL parameter api_key of the remote MCP server",
            True,
        ),
        (
            "https://mcp.example.com/mcp?token=${input:token}",
            "https://mcp.example.com/mcp?token=${input:token}",
            "remote-token",
            "The URL parameter token of the remote MCP server",
            False,
        ),
        (
            "https://me:hunter22@mcp.example.com/mcp",
            "https://me:<redacted>@mcp.example.com/mcp",
            "remote-https-password",
            "The password in the URL of the remote MCP server",
            True,
        ),
    ],
)
def test_a_secret_in_a_server_url_is_a_credential_never_copied(
    tmp_path: Path, url: str, shown: str, credential: str, description: str, held: bool
) -> None:
    """A secret in a remote server's URL (a query parameter such as ``api_key``, or a
    password) is a credential like one in a header: named, its value never in the draft."""
    path = tmp_path / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": {"remote": {"url": url}}}), encoding="utf-8")
    draft = read("mcp-config", path)
    text = render(fit(draft))
    assert "abc123" not in text and "hunter22" not in text
    assert element(draft, "nodes", "remote-mcp")["description"] == f"Reached at {shown}."
    assert element(draft, "assets", credential)["description"] == (
        description + " (its value is not copied)"
    )
    contains = element(draft, "assets", "claude-code-config").get("contains", [])
    assert (credential in contains) is held
    actm.load_model_text(text)


def test_local_code_is_a_question() -> None:
    draft = read("mcp-config", CLAUDE)
    assert element(draft, "nodes", "notes-mcp")["mcp"] == {"transport": "stdio"}
    assert reviews(draft, "notes-mcp") == [""]
    assert "packages" not in {e.section for e in draft.elements if "notes" in e.id}


def test_a_remote_server() -> None:
    draft = read("mcp-config", CLAUDE)
    assert element(draft, "nodes", "search-mcp") == {
        "name": "search",
        "description": "Reached at https://mcp.search.example/sse.",
        "kind": "mcp_server",
        "zone": "internet",
        "owner": "search-example",
        "mcp": {"transport": "sse", "authentication": "bearer"},
    }
    assert element(draft, "assets", "search-authorization")["resides"] == [
        {"node": "search-mcp", "mode": "processed"}
    ]


def test_disabled_servers_are_left_out_with_a_note() -> None:
    draft = read("mcp-config", CLAUDE)
    assert "old-mcp" not in ids(draft, "nodes")
    assert [(n.kind, n.text, str(n.origin)) for n in draft.notes] == [
        (
            "info",
            "server 'old' is disabled; left out",
            "claude_desktop_config.json#/mcpServers/old",
        )
    ]


def test_vscode_servers_with_inputs_comments_and_trailing_commas() -> None:
    draft = read("mcp-config", FIXTURES / "vscode" / ".vscode" / "mcp.json")
    assert draft.system is not None and draft.system.id == "vs-code"
    assert ids(draft, "owners") == ["us", "model-provider", "mcp-server-db-publisher"]
    assert reviews(draft, "assistant") == ["owner", "exposure"]
    assert element(draft, "packages", "mcp-server-db") == {
        "name": "mcp-server-db",
        "ecosystem": "pypi",
        "version": "0.6.2",
        "pinned": True,
        "verified": False,
        "publisher": "mcp-server-db-publisher",
        "runs_on": ["db-mcp", "workstation"],
    }
    # the password is prompted for (${input:...}): a credential, but not in the file; the DSN
    # on the command line is in the file
    assert ids(draft, "assets") == ["vs-code-config", "db-password", "db-dsn"]
    assert element(draft, "assets", "vs-code-config")["contains"] == ["db-dsn"]
    assert "hunter2" not in repr(draft)
    # a local HTTP server: on your machine, and how clients authenticate is a question
    assert element(draft, "nodes", "docs-mcp")["zone"] == "local"
    assert element(draft, "nodes", "docs-mcp")["mcp"] == {"transport": "streamable_http"}
    assert reviews(draft, "docs-mcp") == ["mcp"]


def test_cursor_url_only_with_crlf() -> None:
    draft = read("mcp-config", FIXTURES / "cursor" / ".cursor" / "mcp.json")
    assert draft.system is not None and draft.system.id == "cursor"
    node = element(draft, "nodes", "web-mcp")
    assert (node["zone"], node["owner"], node["mcp"]) == (
        "internet",
        "webtools-example",
        {"transport": "streamable_http"},
    )
    assert reviews(draft, "web-mcp") == ["mcp", "mcp"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("claude_desktop_config.json", "{}", Confidence.CERTAIN),
        (".mcp.json", '{"mcpServers": {}}', Confidence.CERTAIN),
        ("settings.json", '{"mcpServers": {"a": {}}}', Confidence.LIKELY),
        ("mcp.json", '{"servers": {"a": {"command": "x"}}}', Confidence.LIKELY),
        ("mcp.json", '{"servers": {"a": {"host": "x"}}}', None),
        ("servers.json", '{"servers": {"a": {"command": "x"}}}', None),
        # source code that quotes the keys is not a configuration
        ("test_config.py", 'CONFIG = {"mcpServers": {"a": {"command": "x"}}}', None),
    ],
)
def test_detection(tmp_path: Path, name: str, text: str, expected: Confidence | None) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = detect(path)
    if expected is None:
        assert found is None or "mcp-config" not in [i.name for i in found.importers]
    else:
        assert found is not None and found.confidence == expected
        assert [i.name for i in found.importers] == ["mcp-config"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"other": 1}', "cannot import x.json: it holds no 'mcpServers' or 'servers' object"),
        ("[1, 2]", "cannot import x.json: it holds no 'mcpServers' or 'servers' object"),
        ('{"mcpServers": {"a": 1', "JSON syntax error: expected '}' or ',' after a member"),
    ],
)
def test_refusals(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read("mcp-config", path)
    (d,) = info.value.diagnostics
    assert d.message.startswith(message)


def test_entries_that_are_not_objects_are_noted(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text('{"mcpServers": {"a": "npx a", "b": {"command": "b-server"}}}')
    draft = read("mcp-config", path)
    assert ids(draft, "tools") == ["b-mcp-tools"]
    assert [n.text for n in draft.notes] == ["server 'a' is not an object; left out"]


@pytest.mark.parametrize("names", [("github", "GitHub"), ("git_hub", "git-hub"), ("a.b", "a-b")])
def test_servers_whose_names_slug_alike_stay_distinct(
    tmp_path: Path, names: tuple[str, str]
) -> None:
    path = tmp_path / "claude_desktop_config.json"
    first, second = names
    servers = {
        first: {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        second: {"command": "docker", "args": ["run", "ghcr.io/evil/x"]},
    }
    path.write_text(json.dumps({"mcpServers": servers}))
    draft = read("mcp-config", path)
    node = slug(first) + "-mcp"
    assert ids(draft, "nodes")[-2:] == [node, f"{node}-2"]
    # each server keeps its own command and package
    assert "npx" in element(draft, "nodes", node)["description"]
    assert "docker" in element(draft, "nodes", f"{node}-2")["description"]
    assert element(draft, "packages", "ghcr-io-evil-x")["runs_on"] == [f"{node}-2", "workstation"]
    assert element(draft, "packages", "modelcontextprotocol-server-github")["runs_on"] == [
        node,
        "workstation",
    ]
    # the second is asked about, by its own name; the first is not
    asked = [r.question for r in _element(draft, f"{node}-2").review if r.key == ""]
    assert asked == [
        f"another server of this file is also {node}: this one, {second!r}, is {node}-2; "
        "if they are the same server, remove one from the configuration"
    ]
    assert "" not in reviews(draft, node)


def _element(draft: Draft, ident: str) -> Element:
    return next(e for e in draft.elements if e.id == ident)


def test_a_server_named_empty_is_named_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text('{"mcpServers": {"": {"command": "x-server"}}}')
    draft = read("mcp-config", path)
    assert element(draft, "nodes", "server-mcp")["name"] == "server-mcp"
    actm.load_model_text(render(fit(draft)))


def test_catalogue_fills_in_what_the_configuration_leaves_out(tmp_path: Path) -> None:
    from actm.importers.interface import ImportOptions
    from actm.importers.run import load_catalogue
    from actm.io.yaml import Limits

    catalogue = load_catalogue(FIXTURES / "catalogue.json", Limits())
    assert catalogue.size == 2
    path = tmp_path / "claude_desktop_config.json"
    # found by its package (files) and by its registry name (weather: no command at all)
    path.write_text(
        '{"mcpServers": {"files": {"command": "npx", "args": ["-y", "@acme-mcp/server-files"]},'
        ' "weather": {}}}',
        encoding="utf-8",
    )
    draft = read("mcp-config", path, ImportOptions(catalogue=catalogue))
    files = element(draft, "nodes", "files-mcp")
    assert files["description"] == (
        "Reads and writes files in the directories it is given. Registry name "
        "io.github.acme/files-server. Started with: npx -y @acme-mcp/server-files. Source: "
        "https://github.com/acme/files-server."
    )
    # the variable the server reads, declared by the catalogue, is a credential to review
    assert element(draft, "assets", "files-api-key")["description"] == (
        "The environment variable FILES_API_KEY of the files MCP server (its value is not copied)"
    )
    assert element(draft, "nodes", "weather-mcp")["mcp"] == {
        "transport": "stdio",
        "package": "acme-weather-mcp",
    }
    assert element(draft, "packages", "acme-weather-mcp") == {
        "name": "acme-weather-mcp",
        "ecosystem": "pypi",
        "version": "0.3.0",
        "pinned": False,
        "verified": False,
        "publisher": "acme-weather-mcp-publisher",
        "runs_on": ["weather-mcp", "workstation"],
    }


def test_a_catalogue_without_entries_is_refused(tmp_path: Path) -> None:
    from actm.importers.run import load_catalogue
    from actm.io.yaml import Limits

    path = tmp_path / "c.json"
    path.write_text('{"mcpServers": {}}', encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_catalogue(path, Limits())
    assert info.value.diagnostics[0].message == (
        f"cannot import {path}: it holds no MCP registry entries"
    )


def test_a_server_named_like_its_package_is_the_node_the_package_runs_on(tmp_path: Path) -> None:
    """Server ``notes`` launches the package ``notes-mcp``: both want the id notes-mcp. The
    package is drafted first and runs on the server's node, so it must name the id the node
    gets (the node was renamed after it, and the draft failed validation)."""
    path = tmp_path / "mcp.json"
    path.write_text(
        json.dumps({"mcpServers": {"notes": {"command": "npx", "args": ["-y", "notes-mcp"]}}}),
        encoding="utf-8",
    )
    draft = read("mcp-config", path)
    package = element(draft, "packages", "notes-mcp-package")
    assert package["runs_on"] == ["notes-mcp", "workstation"]
    assert element(draft, "nodes", "notes-mcp")["mcp"]["package"] == "notes-mcp-package"
    actm.load_model_text(render(fit(draft)))  # validates


def test_servers_whose_node_id_a_package_holds_are_not_merged(tmp_path: Path) -> None:
    """Server x's package takes y-mcp; servers y and Y then both want y-mcp for their node. They
    were merged into one node y-mcp-node, Y's command lost without a review line."""
    path = tmp_path / "mcp.json"
    path.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "x": {"command": "npx", "args": ["-y", "y-mcp"]},
                    "y": {"command": "uvx", "args": ["other"]},
                    "Y": {"command": "uvx", "args": ["third"]},
                }
            }
        ),
        encoding="utf-8",
    )
    draft = read("mcp-config", path)
    assert {"y-mcp-node", "y-mcp-node-2"} <= set(ids(draft, "nodes"))
    second = next(e for e in draft.section("nodes") if e.id == "y-mcp-node-2")
    assert any("'Y', is y-mcp-node-2" in r.question for r in second.review)
    actm.load_model_text(render(fit(draft)))  # validates
