"""Tools: their node, what they may read, write, delete and execute on (everything stored on
their node for ``scope: node``), where their egress goes, when a person approves their calls,
the credential they act under and the models that use them."""

from __future__ import annotations

from actm.model.resolve.context import ARTICLES, Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import AssetRef, asset_ref, expect_credential, ref
from actm.model.schema import ToolIn, ZoneIn
from actm.model.system import Tool
from actm.terms import TOOL_PERMISSIONS

__all__ = ["TOOL_PERMISSIONS", "build_tools", "stored_on"]

_APPROVAL_GATES = "every_call"
"""The approval mode in which a person approves each call (what ``human_approval`` says)."""


def build_tools(ctx: Context) -> tuple[Tool, ...]:
    users: dict[str, list[str]] = {}
    for m, _ in ctx.items("models"):
        for tid in m.tools:
            users.setdefault(tid, []).append(m.id)
    zones = {z.id: z for z, _ in ctx.items("zones")}
    stored: dict[str, list[AssetRef]] | None = None
    out = []
    for t, origin in ctx.items("tools"):
        ref(ctx, t.node, ("nodes",), origin, "node", what="node")
        perms = t.permissions
        read = _assets(ctx, perms.read, origin, "read")
        write = _assets(ctx, perms.write, origin, "write")
        delete = _assets(ctx, perms.delete, origin, "delete")
        if t.scope == "node":
            stored = stored if stored is not None else stored_on(ctx)
            read, write, delete = (
                _widen(found, stored.get(t.node or "", [])) for found in (read, write, delete)
            )
            _node_scope(ctx, t, origin)
        for i, nid in enumerate(perms.execute):
            ref(ctx, nid, ("nodes",), origin, "permissions", "execute", i, what="node")
        external = _egress(ctx, t, zones, origin)
        if t.credential is not None and ref(
            ctx, t.credential, ("assets",), origin, "credential", what="credential"
        ):
            expect_credential(ctx, t.credential, origin, "credential")
        approval = _approval(ctx, t, origin)
        _configured_in(ctx, t, origin)
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
                approval == _APPROVAL_GATES,
                t.sandbox,
                t.credential,
                tuple(t.untrusted_results),
                tuple(users.get(t.id, ())),
                tuple(delete),
                approval,
                t.scope,
                t.configured_in,
            )
        )
    return tuple(out)


def _approval(ctx: Context, t: ToolIn, origin: Origin) -> str:
    """The approval mode: ``approval`` as written; ``human_approval: true`` means every call."""
    if t.approval is None:
        return _APPROVAL_GATES if t.human_approval else "never"
    if "human_approval" in t.model_fields_set and t.human_approval != (
        t.approval == _APPROVAL_GATES
    ):
        ctx.err(
            "approval-conflict",
            f"tool {t.id!r}: human_approval: {str(t.human_approval).lower()} and "
            f"approval: {t.approval} disagree",
            origin.at("approval"),
            "keep approval and remove human_approval",
        )
    return t.approval


_SETTINGS_TYPES = ("agent_configuration", "configuration")
"""Asset types that can hold a tool's approval and sandbox settings (``configured_in``)."""


def _configured_in(ctx: Context, t: ToolIn, origin: Origin) -> None:
    """``configured_in`` names a configuration asset."""
    if t.configured_in is None or not ref(
        ctx, t.configured_in, ("assets",), origin, "configured_in", what="asset"
    ):
        return
    entry = ctx.ids.get(t.configured_in)
    if entry and entry[0] == "assets" and entry[1].type not in _SETTINGS_TYPES:
        ctx.err(
            "not-a-configuration",
            f"tool {t.id!r}: configured_in {t.configured_in!r} is a {entry[1].type} asset",
            origin.at("configured_in"),
            "point at an asset of type agent_configuration or configuration",
        )


def _node_scope(ctx: Context, t: ToolIn, origin: Origin) -> None:
    if t.node is None:
        ctx.err(
            "not-applicable",
            f"tool {t.id!r}: scope: node needs the node the tool runs on",
            origin.at("scope"),
            "add node: <node id>, or remove scope",
        )


def _widen(found: list[AssetRef], on_node: list[AssetRef]) -> list[AssetRef]:
    """A permission the tool has, reaching every asset stored on its node as well."""
    if not found:
        return found
    return list(dict.fromkeys([*found, *on_node]))


def stored_on(ctx: Context) -> dict[str, list[AssetRef]]:
    """Node -> the assets stored on it: conventional assets that name it under ``resides``
    with mode stored, and models' assets placed there in mode stored."""
    out: dict[str, list[AssetRef]] = {}
    for a, _ in ctx.items("assets"):
        for r in a.resides:
            if r.mode == "stored":
                out.setdefault(r.node, []).append((a.id, None))
    placement = ctx.vocab.model_defaults.placement
    for m, _ in ctx.items("models"):
        mk = ctx.vocab.model_kinds.get(m.kind)
        owned = mk.assets if mk is not None else ()
        for key, place in placement.items():
            if place.mode != "stored":
                continue
            for nid in getattr(m, key):
                found = [(f"{m.id}.{t}", None) for t in place.assets if t in owned]
                out.setdefault(nid, []).extend(found)
        for atype, settings in m.assets.items():
            for r in settings.resides:
                if r.mode == "stored":
                    out.setdefault(r.node, []).append((f"{m.id}.{atype}", None))
    return out


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
