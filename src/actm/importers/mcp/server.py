"""MCP server descriptions: registry ``server.json`` files, and registry listings.

A ``server.json`` (either schema generation, :mod:`actm.importers.mcp.registry`) describes one
server and the ways to run it: packages and remotes. The draft is the server as the first of
them runs it, with the others noted; the assistant that uses it is drafted as for a client
configuration, with its client and provider to review. A list of many entries (the registry's
seed dump, a registry API answer) is a catalogue, not a system: it is refused with the hint to
pass it as ``--catalogue``.
"""

from __future__ import annotations

import re
from pathlib import Path

from actm.importers.draft import Draft, DraftBuilder, Review
from actm.importers.interface import (
    Confidence,
    Importer,
    ImportOptions,
    json_like,
    read_json,
    refuse,
)
from actm.importers.mcp.registry import Catalogue, is_entry, server_specs, unknown_packages
from actm.importers.mcp.secrets import redact_args
from actm.importers.mcp.servers import Host, ServerSpec, draft_server, scaffold
from actm.importers.names import DESCRIPTIONS

__all__ = ["McpRegistry", "McpServer"]

_SCHEMA = re.compile(rb'"\$schema"\s*:\s*"[^"]*modelcontextprotocol[^"]*server\.schema\.json"')
_OLD_KEYS = re.compile(rb'"(registry_name|version_detail)"\s*:')
_NEW_KEYS = re.compile(rb'"(registryType|remotes)"\s*:')
_PLACEHOLDER = re.compile(r"<[^>]+>")


class McpServer(Importer):
    name = "mcp-server"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        listing = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
        if not json_like(head) or listing or b'"mcpServers"' in head:
            return None
        if _SCHEMA.search(head):
            return Confidence.CERTAIN
        if _OLD_KEYS.search(head) or (path.name == "server.json" and _NEW_KEYS.search(head)):
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        if not is_entry(doc.data):
            raise refuse(
                shown,
                "it holds no server description (a 'name' with 'packages' or 'remotes')",
                "pass a server.json of the MCP registry",
            )
        builder = DraftBuilder(shown, self.name, options.reserved)
        scaffold(builder, Host("MCP client", None))
        specs = server_specs(doc.data)
        if not specs:
            raise refuse(
                shown,
                "it names no package or remote to run the server with",
                "add a 'packages' or 'remotes' entry",
            )
        for at, what in unknown_packages(doc.data):
            builder.note("unplaced", f"{what}: a registry actm does not know", at)
        first, others = specs[0], specs[1:]
        node = draft_server(builder, first, Host("MCP client", None))
        if others:
            ways = "; ".join(_way(s) for s in others)
            builder.add(
                "nodes",
                node,
                {},
                review=[Review("", f"it can also run as: {ways}; this draft uses the first")],
            )
        if _PLACEHOLDER.search(str(doc.data.get("name"))):
            builder.note("info", "its name holds placeholders: it is a template", "/name")
        return builder.build()


def _way(spec: ServerSpec) -> str:
    if spec.url is not None:
        return f"{spec.transport or 'remote'} at {redact_args([spec.url])[0]} ({spec.pointer})"
    if spec.package is not None:
        return f"{spec.package.ecosystem} package {spec.package.name} ({spec.pointer})"
    return spec.pointer


class McpRegistry(Importer):
    name = "mcp-registry"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        start = head.lstrip()[:1]
        listing = start == b"[" or re.search(rb'^\{\s*"servers"\s*:\s*\[', head.lstrip())
        if listing and (_OLD_KEYS.search(head) or _NEW_KEYS.search(head)):
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        n = Catalogue.of(shown, doc.data).size
        raise refuse(
            shown,
            f"it is an MCP registry listing of {n} servers: a catalogue, not one system",
            f"pass it as --catalogue {shown} to fill in the servers of a client configuration",
        )
