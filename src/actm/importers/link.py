"""Joining what files imported together say about the same server.

A tool listing (``tools/list`` output, a tool snapshot) does not name the server it comes from.
Imported together with files that describe exactly one MCP server (its ``server.json``, a client
configuration with one server), its tools are that server's: :func:`link` sets their ``node``,
places the data they act on there (as ``<server>-data``), gives them the server's credential, and
drops the tool that stood for the server's unlisted tools. With no server or several, ``node:``
stays a question for review.
"""

from __future__ import annotations

from dataclasses import replace

from actm.importers.draft import Draft, Element, Review, frozen, renamed

__all__ = ["TOOL_DATA", "link"]

TOOL_DATA = "mcp-tool-data"
"""The id of the asset that tools from a listing act on, until linked to their server."""


def _attach(tool: Element, server: str, credential: str | None) -> Element:
    fields = {**tool.fields, "node": server}
    if credential is not None and "credential" not in fields:
        fields["credential"] = credential
    placed = Review("node", f"placed on {server}: the one MCP server imported with its listing")
    review = (*(r for r in tool.review if r.key != "node"), placed)
    return replace(tool, fields=frozen(fields), review=review)


def _place_data(asset: Element, server: str) -> Element:
    if asset.get("resides"):
        return asset
    fields = {**asset.fields, "resides": [{"node": server, "mode": "stored"}]}
    return replace(asset, fields=frozen(fields))


def link(draft: Draft) -> Draft:
    """``draft`` with listed tools placed on the one server imported with them."""
    servers = [e.id for e in draft.section("nodes") if e.get("kind") == "mcp_server"]
    orphans = {e.id for e in draft.section("tools") if e.get("node") is None}
    if len(servers) != 1 or not orphans:
        return draft
    server = servers[0]
    stand_ins = [e for e in draft.section("tools") if e.placeholder and e.get("node") == server]
    dropped = {e.id for e in stand_ins}
    # the server's credential, which its stand-in tool acted with
    credential = next((e.get("credential") for e in stand_ins if e.get("credential")), None)
    elements: list[Element] = []
    for e in draft.elements:
        if e.id in dropped and e.section == "tools":
            continue
        if e.section == "tools" and e.id in orphans:
            e = _attach(e, server, credential)
        elif e.section == "assets" and e.id == TOOL_DATA:
            e = _place_data(e, server)
        elif e.section == "models" and dropped:
            tools = tuple(t for t in e.get("tools", ()) if t not in dropped)
            e = replace(e, fields=frozen({**e.fields, "tools": tools}))
        elements.append(e)
    linked = replace(draft, elements=tuple(elements))
    data = f"{server}-data"
    if draft.find(data) is None:
        linked = renamed(linked, {TOOL_DATA: data})
    return linked
