"""MCP server descriptions: registry server.json (both generations), registry listings, MCPB
manifests, tool listings and snapshots, and tools joined to the one server imported with them."""

from __future__ import annotations

from pathlib import Path

import pytest
from drafting import FIXTURES, element, ids, read, reviews

from actm.errors import ModelError
from actm.importers.draft import merge
from actm.importers.formats import detect
from actm.importers.interface import ImportOptions
from actm.importers.link import link
from actm.importers.mcp.toolperms import ToolSpec, permissions


def test_server_json_current_schema() -> None:
    draft = read("mcp-server", FIXTURES / "server.json")
    assert element(draft, "nodes", "tracker-mcp") == {
        "name": "Tracker",
        "description": "Read and change issues in the Acme tracker. Registry name "
        "io.github.acme/tracker-mcp. Source: https://github.com/acme/tracker-mcp.",
        "kind": "mcp_server",
        "zone": "local",
        "owner": "us",
        "mcp": {"transport": "stdio", "package": "acme-mcp-tracker"},
    }
    # the entry's version is what it describes; whether a client pins it is asked
    assert element(draft, "packages", "acme-mcp-tracker") == {
        "name": "@acme-mcp/tracker",
        "ecosystem": "npm",
        "version": "2.1.0",
        "pinned": False,
        "verified": False,
        "publisher": "acme-mcp",
        "runs_on": ["tracker-mcp", "workstation"],
    }
    # isSecret marks the token; TRACKER_URL is no secret
    assert ids(draft, "assets") == ["tracker-token"]
    assert element(draft, "tools", "tracker-mcp-tools")["credential"] == "tracker-token"
    node = next(e for e in draft.elements if e.id == "tracker-mcp")
    assert [r.question for r in node.review] == [
        "it can also run as: streamable_http at https://mcp.tracker.example/mcp (/remotes/0); "
        "this draft uses the first"
    ]
    assert [(n.kind, n.text, str(n.origin)) for n in draft.notes] == [
        (
            "unplaced",
            "package 'Acme.Tracker.Mcp' of registry 'nuget': a registry actm does not know",
            "server.json#/packages/1",
        )
    ]


def test_server_json_first_generation() -> None:
    draft = read("mcp-server", FIXTURES / "server-2025-07.json")
    assert element(draft, "packages", "acme-weather-mcp") == {
        "name": "acme/weather-mcp",
        "ecosystem": "oci",
        "version": "0.3.0",
        "pinned": True,
        "verified": False,
        "publisher": "acme",
        "runs_on": ["weather-mcp", "workstation"],
    }
    # the variable passed with `-e` in the runtime arguments
    assert ids(draft, "assets") == ["weather-api-key"]


def test_a_registry_listing_is_a_catalogue() -> None:
    with pytest.raises(ModelError) as info:
        read("mcp-registry", FIXTURES / "catalogue.json")
    (d,) = info.value.diagnostics
    assert (d.message, d.hint) == (
        "cannot import catalogue.json: it is an MCP registry listing of 2 servers: a catalogue, "
        "not one system",
        "pass it as --catalogue catalogue.json to fill in the servers of a client configuration",
    )


def test_bundle_manifest() -> None:
    draft = read("mcpb-manifest", FIXTURES / "bundle" / "manifest.json")
    assert element(draft, "packages", "notes-bundle") == {
        "name": "notes-bundle",
        "ecosystem": "other",
        "version": "1.0.2",
        "pinned": True,
        "verified": False,
        "publisher": "notes-inc",
        "runs_on": ["notes-bundle-mcp", "workstation"],
    }
    assert element(draft, "owners", "notes-inc") == {"name": "Notes Inc", "trust": "untrusted"}
    # the sensitive setting reaches the server as NOTES_API_KEY
    assert ids(draft, "assets") == ["notes-api-key", "notes-bundle-mcp-data"]
    # a local server's data is on your machine
    assert element(draft, "assets", "notes-bundle-mcp-data")["resides"] == [
        {"node": "workstation", "mode": "stored"}
    ]
    data = ["notes-bundle-mcp-data"]
    assert {t: element(draft, "tools", t).get("permissions") for t in ids(draft, "tools")} == {
        "search_notes": {"read": data},
        "update_note": {"write": data},
        "delete_note": {"write": data, "delete": data},
        "summarise": None,
    }
    assert reviews(draft, "delete_note") == ["permissions", "approval"]
    assert [n.text for n in draft.notes] == [
        "the user picks the directories it reaches at install (notes_dir): what is stored there "
        "is what its file tools read and write"
    ]


def test_tool_listing() -> None:
    draft = read("mcp-tools", FIXTURES / "tools" / "tools-list.json")
    assert ids(draft, "tools") == ["list_items", "edit_item", "fetch_page"]
    assert element(draft, "tools", "fetch_page") == {
        "name": "Fetch a web page",
        "description": "Fetch a URL.",
        "permissions": {"read": ["mcp-tool-data"], "egress": ["internet"]},
        "untrusted_results": ["open-world"],
    }
    assert element(draft, "tools", "edit_item")["permissions"] == {"write": ["mcp-tool-data"]}
    assert reviews(draft, "list_items") == ["node"]
    assert element(draft, "models", "assistant")["tools"] == [
        "list_items",
        "edit_item",
        "fetch_page",
    ]
    assert [(n.text, str(n.origin)) for n in draft.notes] == [
        ("an entry without a name; left out", "tools/tools-list.json#/result/tools/3")
    ]


def test_tools_join_the_one_server_imported_with_them() -> None:
    server = read("mcp-server", FIXTURES / "server.json")
    snap = read("mcp-tools", FIXTURES / "tools" / "delete_item.snap")
    joined = link(merge([server, snap]))
    # the stand-in for the server's unlisted tools gives way to the listed one
    assert ids(joined, "tools") == ["delete_item"]
    assert element(joined, "tools", "delete_item") == {
        "name": "Delete item",
        "description": "Delete an item for good",
        "permissions": {"write": ["tracker-mcp-data"], "delete": ["tracker-mcp-data"]},
        "node": "tracker-mcp",
        "credential": "tracker-token",
    }
    assert element(joined, "assets", "tracker-mcp-data")["resides"] == [
        {"node": "tracker-mcp", "mode": "stored"}
    ]
    assert element(joined, "models", "assistant")["tools"] == ["delete_item"]
    # with two servers, the listing's node stays a question
    two = link(merge([server, read("mcp-server", FIXTURES / "server-2025-07.json"), snap]))
    assert "node" not in element(two, "tools", "delete_item")


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ({"readOnlyHint": True}, (("read",), False, [])),
        ({"readOnlyHint": True, "openWorldHint": True}, (("read",), True, [])),
        ({"readOnlyHint": False, "destructiveHint": False}, (("write",), False, [])),
        ({"destructiveHint": True}, (("write", "delete"), False, [])),
        ({"readOnlyHint": False}, (("write", "delete"), False, ["permissions"])),
        ({"idempotentHint": True}, (("write", "delete"), False, ["permissions"])),
        (None, ((), False, ["permissions"])),
    ],
)
def test_annotations_to_permissions(
    annotations: dict[str, bool] | None, expected: tuple[tuple[str, ...], bool, list[str]]
) -> None:
    perms, open_world, review = permissions(ToolSpec("do_it", "", annotations=annotations))
    assert (perms, open_world, [r.key for r in review]) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("read_file", ("read",)),
        ("listDirectory", ("read",)),
        ("create_or_update_file", ("write",)),
        ("delete_repository", ("write", "delete")),
        ("run_query", ("execute",)),
        ("do_everything", ()),
    ],
)
def test_permissions_from_names(name: str, expected: tuple[str, ...]) -> None:
    assert permissions(ToolSpec(name, ""))[0] == expected


@pytest.mark.parametrize(
    ("name", "text", "format"),
    [
        (
            "server.json",
            '{"$schema": "https://static.modelcontextprotocol.io/schemas/'
            '2025-12-11/server.schema.json", "name": "x"}',
            "mcp-server",
        ),
        ("x.json", '{"name": "x", "version_detail": {"version": "1"}}', "mcp-server"),
        ("seed.json", '[{"name": "x", "version_detail": {}}]', "mcp-registry"),
        (
            "manifest.json",
            '{"manifest_version": "0.3", "server": {"mcp_config": {}}}',
            "mcpb-manifest",
        ),
        ("x.snap", '{"name": "x", "inputSchema": {}}', "mcp-tools"),
        ("tools.json", '{"tools": [{"name": "x", "inputSchema": {}}]}', "mcp-tools"),
    ],
)
def test_detection(tmp_path: Path, name: str, text: str, format: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = detect(path)
    assert found is not None
    assert [i.name for i in found.importers] == [format]


@pytest.mark.parametrize(
    ("format", "text", "reason"),
    [
        ("mcp-server", '{"name": "x"}', "it holds no server description"),
        (
            "mcp-server",
            '{"name": "x", "packages": [{"registryType": "nuget"}]}',
            "it names no package or remote to run the server with",
        ),
        ("mcpb-manifest", '{"manifest_version": "0.3"}', "it has no name or no server.mcp_config"),
        ("mcp-tools", '{"tools": 3}', "it holds no tools"),
        ("mcp-tools", '{"tools": []}', "its tool list is empty"),
    ],
)
def test_refusals(tmp_path: Path, format: str, text: str, reason: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read(format, path, ImportOptions())
    assert info.value.diagnostics[0].message.startswith(f"cannot import in.json: {reason}")
