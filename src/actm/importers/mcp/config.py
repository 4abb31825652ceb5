"""MCP client configurations: Claude Desktop, Claude Code (``.mcp.json``), VS Code, Cursor.

All of them map server names to how to start or reach each server: ``{"mcpServers": {NAME:
{"command", "args", "env"} | {"url", "headers"}}}`` (VS Code: ``{"servers": ...}``, with an
explicit ``"type"``; its settings: ``{"mcp": {"servers": ...}}``). The draft holds the assistant,
your machine, one node per server with the package it runs and the secrets it is given (names
only), and the configuration file itself as an ``agent_configuration`` asset that contains the
secrets written into it. Comments and trailing commas are accepted, as VS Code allows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from actm.importers.data import table
from actm.importers.draft import Draft, DraftBuilder, Review, slug
from actm.importers.interface import (
    Confidence,
    Importer,
    ImportOptions,
    json_like,
    read_json,
    refuse,
)
from actm.importers.mcp.servers import (
    TRANSPORTS,
    WORKSTATION,
    Host,
    ServerSpec,
    draft_server,
    scaffold,
)
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_dict, as_list, as_str, is_dict, skip
from actm.io.json import pointer

__all__ = ["McpConfig"]

_MCP_SERVERS = re.compile(rb'"mcpServers"\s*:')
_SERVERS = re.compile(rb'"servers"\s*:\s*\{')
_SERVER_KEYS = re.compile(rb'"(command|url|serverUrl)"\s*:')
_VSCODE_KEYS = re.compile(rb'"inputs"\s*:|"type"\s*:\s*"(stdio|http|sse)"')


def _client(path: Path) -> tuple[str, str | None]:
    """The client that reads ``path`` and the provider of its model, from the clients table."""
    for row in table("mcp")["clients"]:
        if path.name != row["file"]:
            continue
        directory = row.get("directory")
        if directory is not None and path.parent.name != directory:
            continue
        return str(row["client"]), row.get("provider")
    return "MCP client", None


def _servers(data: Any) -> tuple[Mapping[str, Any], tuple[str, ...]] | None:
    """The servers object and its JSON path, or None."""
    if not isinstance(data, dict):
        return None
    for path in (("mcpServers",), ("servers",), ("mcp", "servers")):
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, dict):
            return value, path
    return None


def _strings(value: Any) -> tuple[str, ...]:
    """The items of a list that are strings or numbers (as text); others are counted as read
    as absent (importers/values.py)."""
    return tuple(str(v) for v in as_list(value) if _scalar(v))


def _scalar(value: Any) -> bool:
    if isinstance(value, (str, int, float)):
        return True
    skip("a string", value)
    return False


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in as_dict(value).items()}


class McpConfig(Importer):
    name = "mcp-config"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if not json_like(head):
            return None
        if path.name == "claude_desktop_config.json":
            return Confidence.CERTAIN
        if _MCP_SERVERS.search(head):
            return Confidence.CERTAIN if path.name == ".mcp.json" else Confidence.LIKELY
        if _SERVERS.search(head) and _SERVER_KEYS.search(head):
            if path.name == "mcp.json":
                return Confidence.LIKELY
            if _VSCODE_KEYS.search(head):
                return Confidence.POSSIBLE
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits, jsonc=True)
        found = _servers(doc.data)
        if found is None:
            raise refuse(
                shown,
                "it holds no 'mcpServers' or 'servers' object",
                "pass an MCP client configuration, or name the format with --format",
            )
        servers, where = found
        client, provider = _client(path)
        builder = DraftBuilder(shown, self.name, options.reserved)
        config = f"{slug(client, 'mcp-client')}-config"
        kind = "agent_configuration"
        if kind not in options.vocabulary.asset_types:
            kind = "configuration"
        scaffold(builder, Host(client, provider))
        builder.add(
            "assets",
            config,
            {
                "name": path.name,
                "type": kind,
                "description": f"The MCP configuration {shown}: which servers {client} starts, "
                "with which commands and secrets",
                "resides": [{"node": WORKSTATION, "mode": "stored"}],
            },
            pointer(where),
            [Review("criticality", "whoever changes it chooses what code runs on your machine")],
        )
        host = Host(client, provider, config)
        for name, entry in servers.items():
            at = pointer((*where, name))
            if not is_dict(entry):
                builder.note("unplaced", f"server {name!r} is not an object; left out", at)
                continue
            if entry.get("disabled") is True:
                builder.note("info", f"server {name!r} is disabled; left out", at)
                continue
            spec = self._spec(builder, name, entry, at)
            if options.catalogue is not None:
                spec = options.catalogue.complete(spec)
            draft_server(builder, spec, host)
        return builder.build()

    def _spec(self, builder: DraftBuilder, name: str, entry: dict[str, Any], at: str) -> ServerSpec:
        kind = entry.get("type") or entry.get("transport")
        transport = TRANSPORTS.get(str(kind).lower()) if kind is not None else None
        if kind is not None and transport is None:
            builder.note("unplaced", f"server {name!r} has an unknown type {kind!r}", at)
        if entry.get("envFile"):
            builder.note(
                "info",
                f"server {name!r} reads variables from {entry['envFile']}; secrets there are "
                "not modelled",
                at,
            )
        command = entry.get("command")
        url = entry.get("url") or entry.get("serverUrl")
        return ServerSpec(
            name=name,
            pointer=at,
            transport=transport,
            command=as_str(command) or None,
            args=_strings(entry.get("args")),
            url=as_str(url) or None,
            env=_mapping(entry.get("env")),
            headers=_mapping(entry.get("headers")),
        )
