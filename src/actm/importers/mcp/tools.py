"""MCP tool listings: ``tools/list`` answers, tool snapshots, single tool definitions.

A listing is what a server says its tools are: ``{"tools": [...]}`` (a ``tools/list`` result,
also inside a JSON-RPC answer ``{"result": {"tools": [...]}}``), a list of tools, or one tool
(the ``.snap`` files of github-mcp-server, a scanner's sample definition). Each tool has a
``name``, a ``description``, an ``inputSchema`` and maybe ``annotations``, which give its
permissions (:mod:`actm.importers.mcp.toolperms`). A listing does not say which server it comes
from: imported with the description of exactly one server, its tools become that server's
(:mod:`actm.importers.link`); otherwise ``node:`` is left to review.
"""

from __future__ import annotations

import re
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
from actm.importers.link import TOOL_DATA
from actm.importers.mcp.servers import ASSISTANT, Host, scaffold
from actm.importers.mcp.toolperms import ToolSpec, draft_tools
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_str, is_dict, skip
from actm.io.json import pointer

__all__ = ["McpTools"]

_INPUT_SCHEMA = re.compile(rb'"inputSchema"\s*:')
_TOOLS = re.compile(rb'"tools"\s*:\s*\[')


def _listing(data: Any) -> tuple[list[Any], tuple[str | int, ...]] | None:
    """The tools of a listing and their JSON path."""
    if isinstance(data, list):
        return data, ()
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("tools"), list):
        return data["tools"], ("tools",)
    result = data.get("result")
    if isinstance(result, dict) and isinstance(result.get("tools"), list):
        return result["tools"], ("result", "tools")
    if isinstance(data.get("name"), str) and "inputSchema" in data:
        return [data], ()
    return None


def _spec(tool: dict[str, Any], at: tuple[str | int, ...]) -> ToolSpec:
    hints = tool.get("annotations")
    annotations = hints if isinstance(hints, dict) else None
    if annotations is None:
        skip("an object", hints)  # counted unless absent (importers/values.py)
    title = as_str(tool.get("title")) or as_str((annotations or {}).get("title"))
    return ToolSpec(
        name=str(tool["name"]),
        pointer=pointer(at),
        title=title if title and title.strip() else None,
        description=as_str(tool.get("description")),
        annotations=annotations,
    )


class McpTools(Importer):
    name = "mcp-tools"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if not json_like(head) or not _INPUT_SCHEMA.search(head):
            return None
        if path.suffix == ".snap" or _TOOLS.search(head):
            return Confidence.LIKELY
        return Confidence.POSSIBLE

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        found = _listing(doc.data)
        if found is None:
            raise refuse(
                shown,
                "it holds no tools (a 'tools' list, or a tool with 'name' and 'inputSchema')",
                "pass the output of tools/list or a tool definition",
            )
        tools, where = found
        builder = DraftBuilder(shown, self.name, options.reserved)
        specs = []
        for i, tool in enumerate(tools):
            at = (*where, i) if where or isinstance(doc.data, list) else ()
            if is_dict(tool) and as_str(tool.get("name")):
                specs.append(_spec(tool, at))
            else:
                builder.note("unplaced", "an entry without a name; left out", pointer(at))
        if not specs:
            raise refuse(shown, "its tool list is empty", "pass a listing with tools")
        scaffold(builder, Host("MCP client", None))
        data = builder.add(
            "assets",
            TOOL_DATA,
            {"type": "tool_state", "description": "What the listed tools read and change"},
            pointer(where),
            [Review("resides", "where does this data live, and what is in it? (criticality:)")],
        )
        ids = draft_tools(builder, specs, node=None, data=data, execute_on=None, credential=None)
        builder.add("models", ASSISTANT, {"tools": ids})
        return builder.build()
