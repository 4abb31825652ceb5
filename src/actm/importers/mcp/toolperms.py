"""MCP tools: their permissions, from the annotations a server gives or from their names.

The MCP specification lets a server annotate each tool with hints. actm reads them as:

========================  ================================================================
annotation                permissions on the data the server's tools reach
========================  ================================================================
``readOnlyHint: true``    ``read``
``destructiveHint: true`` ``write`` and ``delete``
``destructiveHint: false````write`` (``readOnlyHint`` false)
neither hint says         ``write`` and ``delete``: the specification's defaults
                          (``readOnlyHint`` false, ``destructiveHint`` true), marked for review
``openWorldHint: true``   ``egress: [internet]``, and results from the open world (an untrusted
                          source)
``idempotentHint``        nothing: it says whether a retry is safe, not what the tool reaches
========================  ================================================================

A tool without annotations gets permissions from the verbs in its name (the ``tool_verbs`` table
of ``importers/data/mcp.yaml``), marked for review.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actm.importers.data import table
from actm.importers.draft import DraftBuilder, Review, name_id

__all__ = ["ToolSpec", "draft_tools", "permissions"]

OPEN_WORLD = "open-world"


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool as a listing, a snapshot or a manifest describes it."""

    name: str
    pointer: str
    title: str | None = None
    description: str | None = None
    annotations: Mapping[str, Any] | None = None
    """The tool's ``annotations`` (None when it has none)."""
    extra: Mapping[str, Any] = field(default_factory=dict)


_WORD_SPLIT = re.compile(r"[_\-.\s/]+|(?<=[a-z0-9])(?=[A-Z])")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


def _from_name(name: str) -> tuple[str, ...]:
    verbs: Mapping[str, Sequence[str]] = table("mcp")["tool_verbs"]
    for word in _words(name):
        for permission in ("delete", "execute", "write", "read"):
            if word in verbs[permission]:
                return ("write", "delete") if permission == "delete" else (permission,)
    return ()


def permissions(tool: ToolSpec) -> tuple[tuple[str, ...], bool, list[Review]]:
    """The permissions of ``tool`` (read, write, delete, execute), whether it reaches the open
    world, and what to review."""
    hints = tool.annotations
    if hints is None:
        found = _from_name(tool.name)
        why = (
            f"read from its name ({', '.join(found)}); check what it really does"
            if found
            else "its name says nothing; say what it reads, writes, deletes or runs"
        )
        return found, False, [Review("permissions", why)]
    open_world = hints.get("openWorldHint") is True
    if hints.get("readOnlyHint") is True:
        return ("read",), open_world, []
    destructive = hints.get("destructiveHint")
    if destructive is False:
        return ("write",), open_world, []
    reviews = []
    if destructive is None:
        reviews.append(
            Review(
                "permissions",
                "the server does not say whether it destroys data (MCP's default: it may); "
                "drop delete if it cannot",
            )
        )
    return ("write", "delete"), open_world, reviews


def draft_tools(
    builder: DraftBuilder,
    tools: Sequence[ToolSpec],
    *,
    node: str | None,
    data: str,
    execute_on: str | None,
    credential: str | None,
) -> list[str]:
    """Add ``tools`` (acting on the asset ``data``, running on ``node``); returns their ids.

    A tool whose permission is ``execute`` runs code on ``execute_on`` (the server's node)."""
    ids: list[str] = []
    for tool in tools:
        perms, open_world, reviews = permissions(tool)
        granted: dict[str, list[str]] = {}
        for p in perms:
            if p == "execute":
                if execute_on is not None:
                    granted["execute"] = [execute_on]
            else:
                granted.setdefault(p, []).append(data)
        if open_world:
            granted["egress"] = ["internet"]
        fields: dict[str, Any] = {}
        if tool.title:
            fields["name"] = tool.title
        if tool.description:
            fields["description"] = _one_paragraph(tool.description)
        if node is not None:
            fields["node"] = node
        else:
            reviews = [*reviews, Review("node", "which MCP server offers it? set node:")]
        if granted:
            fields["permissions"] = granted
        if open_world:
            fields["untrusted_results"] = [OPEN_WORLD]
        if credential is not None:
            fields["credential"] = credential
        if "write" in perms or "execute" in perms:
            reviews.append(
                Review(
                    "approval",
                    "does a person approve its calls? (never | every_call | "
                    "once_per_session | auto_approved)",
                )
            )
        ids.append(builder.add("tools", name_id(tool.name, "tool"), fields, tool.pointer, reviews))
    return ids


def _one_paragraph(text: str, limit: int = 400) -> str:
    first = text.strip().split("\n\n", 1)[0]
    flat = " ".join(first.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."
