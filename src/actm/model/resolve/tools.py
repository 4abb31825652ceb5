"""Tools: their node, what they may read, write and execute on, where their egress goes, the
credential they act under and the models that use them."""

from __future__ import annotations

from actm.model.resolve.context import ARTICLES, Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import AssetRef, asset_ref, expect_credential, ref
from actm.model.schema import ToolIn, ZoneIn
from actm.model.system import Tool
from actm.terms import TOOL_PERMISSIONS

__all__ = ["TOOL_PERMISSIONS", "build_tools"]


def build_tools(ctx: Context) -> tuple[Tool, ...]:
    users: dict[str, list[str]] = {}
    for m, _ in ctx.items("models"):
        for tid in m.tools:
            users.setdefault(tid, []).append(m.id)
    zones = {z.id: z for z, _ in ctx.items("zones")}
    out = []
    for t, origin in ctx.items("tools"):
        ref(ctx, t.node, ("nodes",), origin, "node", what="node")
        perms = t.permissions
        read = _assets(ctx, perms.read, origin, "read")
        write = _assets(ctx, perms.write, origin, "write")
        for i, nid in enumerate(perms.execute):
            ref(ctx, nid, ("nodes",), origin, "permissions", "execute", i, what="node")
        external = _egress(ctx, t, zones, origin)
        if t.credential is not None and ref(
            ctx, t.credential, ("assets",), origin, "credential", what="credential"
        ):
            expect_credential(ctx, t.credential, origin, "credential")
        out.append(
            Tool(
                t.id,
                t.name,
                t.description,
                t.node,
                t.owner,
                tuple(read),
                tuple(write),
                tuple(perms.execute),
                tuple(perms.egress),
                external,
                t.constrained,
                t.human_approval,
                t.sandbox,
                t.credential,
                tuple(t.untrusted_results),
                tuple(users.get(t.id, ())),
            )
        )
    return tuple(out)


def _assets(ctx: Context, refs: list[str], origin: Origin, permission: str) -> list[AssetRef]:
    out = []
    for i, reference in enumerate(refs):
        r = asset_ref(ctx, reference, origin, "permissions", permission, i, what=permission)
        if r is not None:
            out.append(r)
    return out


def _egress(ctx: Context, t: ToolIn, zones: dict[str, ZoneIn], origin: Origin) -> bool:
    """Whether any egress destination leaves the system: an outside destination or a zone whose
    trust the vocabulary counts as outside (``agency.external_trust``)."""
    external = False
    outside = ctx.vocab.agency.external_trust
    for dest in t.permissions.egress:
        zone = zones.get(dest)
        if zone is None or zone.trust in outside:
            external = True
        kind = ctx.kind_of(dest)
        if kind is not None and kind != "zones":
            ctx.err(
                "wrong-reference",
                f"egress {dest!r} is {ARTICLES[kind]}; egress names a zone or an outside "
                "destination",
                origin.at("permissions", "egress"),
                "name the zone the data goes to, or 'internet'",
            )
    return external
