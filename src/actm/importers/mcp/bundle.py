"""MCP bundle manifests (MCPB, formerly DXT): ``manifest.json`` of a packaged local server.

A bundle is a server packed with its code, which a client such as Claude Desktop installs in
one step. Its manifest names the bundle (the package: its author publishes it), how the client
starts it (``server.mcp_config``: command, args, env, with ``${user_config.*}`` values the user
fills in at install), the tools it offers (name and description, no annotations) and the
settings it asks for (``user_config``; ``sensitive: true`` marks a secret). The draft is the
server on your machine, its tools with permissions read from their names (to review), and a
credential for every sensitive setting it is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from actm.importers.draft import Draft, DraftBuilder, Review
from actm.importers.interface import (
    Confidence,
    Importer,
    ImportOptions,
    json_like,
    read_json,
    refuse,
)
from actm.importers.mcp.launch import PackageSpec
from actm.importers.mcp.servers import Host, ServerSpec, draft_server, scaffold
from actm.importers.mcp.toolperms import ToolSpec
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_dict, as_list, as_str, is_dict, skip
from actm.io.json import pointer

__all__ = ["McpBundle"]

_MANIFEST = re.compile(rb'"(manifest_version|dxt_version)"\s*:')
_USER_CONFIG = re.compile(r"\$\{user_config\.([A-Za-z0-9_]+)\}")


def _text(value: Any) -> str | None:
    text = as_str(value)
    return text.strip() or None if text is not None else None


def _sensitive(manifest: Mapping[str, Any]) -> set[str]:
    settings = as_dict(manifest.get("user_config"))
    return {k for k, v in settings.items() if is_dict(v) and v.get("sensitive") is True}


def _tools(manifest: Mapping[str, Any]) -> tuple[ToolSpec, ...] | None:
    tools = manifest.get("tools")
    if not isinstance(tools, list):
        skip("a list", tools)
        return None
    return tuple(
        ToolSpec(str(t["name"]), pointer(("tools", i)), description=_text(t.get("description")))
        for i, t in enumerate(tools)
        if is_dict(t) and _text(t.get("name"))
    )


def _settings_note(builder: DraftBuilder, manifest: Mapping[str, Any]) -> None:
    settings = as_dict(manifest.get("user_config"))
    places = [k for k, v in settings.items() if is_dict(v) and v.get("type") == "directory"]
    if places:
        builder.note(
            "info",
            f"the user picks the directories it reaches at install ({', '.join(places)}): "
            "what is stored there is what its file tools read and write",
            "/user_config",
        )


class McpBundle(Importer):
    name = "mcpb-manifest"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if not json_like(head):
            return None
        if _MANIFEST.search(head) and b'"mcp_config"' in head:
            return Confidence.CERTAIN
        if _MANIFEST.search(head) and path.name == "manifest.json":
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        manifest = doc.data
        server = manifest.get("server") if isinstance(manifest, dict) else None
        config = server.get("mcp_config") if isinstance(server, dict) else None
        if not isinstance(config, dict) or not _text(manifest.get("name")):
            raise refuse(
                shown,
                "it has no name or no server.mcp_config",
                "pass the manifest.json of an MCP bundle",
            )
        builder = DraftBuilder(shown, self.name, options.reserved)
        scaffold(builder, Host("Claude Desktop", "Anthropic"))
        sensitive = _sensitive(manifest)
        env = as_dict(config.get("env"))
        secrets = {
            name
            for name, value in env.items()
            if any(m in sensitive for m in _USER_CONFIG.findall(str(value)))
        }
        author_name = _text(as_dict(manifest.get("author")).get("name"))
        name = str(manifest["name"]).strip()
        version = _text(manifest.get("version"))
        args = as_list(config.get("args"))
        repository = as_dict(manifest.get("repository"))
        spec = ServerSpec(
            name=name,
            pointer="/server/mcp_config",
            transport="stdio",
            command=_text(config.get("command")),
            args=tuple(str(a) for a in args),
            env={str(k): v for k, v in env.items()},
            secrets=frozenset(secrets),
            title=_text(manifest.get("display_name")),
            description=_text(manifest.get("description")),
            package=PackageSpec("other", name, version, True, author=author_name or name),
            tools=_tools(manifest),
            repository=_text(repository.get("url")),
        )
        node = draft_server(builder, spec, Host("Claude Desktop", "Anthropic"))
        builder.add(
            "nodes",
            node,
            {},
            review=[Review("", "a bundle is one version: does your client update it by itself?")],
        )
        _settings_note(builder, manifest)
        return builder.build()
