"""The system, its owners, zones and nodes."""

from __future__ import annotations

from actm.io.diagnose import did_you_mean
from actm.model.resolve.context import Context
from actm.model.resolve.refs import ref
from actm.model.system import Node, Owner, Zone

__all__ = ["build_nodes", "build_owners", "build_zones", "check_owners", "check_root"]

_OWNED = ("zones", "nodes", "models", "tools", "assets")
"""Sections whose elements may name an owner."""


def check_root(ctx: Context) -> None:
    """The root file defines the system; included files cannot set root-only keys."""
    if ctx.merged.system is None:
        ctx.err(
            "missing-system",
            "the model has no 'system' section",
            ctx.root_origin.at(),
            "add 'system: {id: my-system, name: ...}' to the root file",
        )
    for sf in ctx.files[1:]:
        if sf.file.system is not None and sf.doc is not None:
            ctx.err(
                "system-in-include",
                "an included file cannot define 'system'",
                sf.doc.locate(("system",), key=True),
                "keep 'system' in the root file only",
            )
        if sf.file.default_adversaries is not None and sf.doc is not None:
            ctx.err(
                "root-only-key",
                "an included file cannot set 'default_adversaries'",
                sf.doc.locate(("default_adversaries",), key=True),
                "set it in the root file, where it applies to the whole model",
            )


def check_owners(ctx: Context) -> None:
    for section in _OWNED:
        for item, origin in ctx.items(section):
            ref(ctx, item.owner, ("owners",), origin, "owner", what="owner")
    system = ctx.merged.system
    if system is not None and system.owner is not None:
        ref(ctx, system.owner, ("owners",), ctx.root_origin, "system", "owner", what="owner")


def build_owners(ctx: Context) -> tuple[Owner, ...]:
    return tuple(Owner(o.id, o.name, o.description, o.first_party) for o, _ in ctx.items("owners"))


def build_zones(ctx: Context) -> tuple[Zone, ...]:
    return tuple(Zone(z.id, z.name, z.description, z.trust, z.owner) for z, _ in ctx.items("zones"))


def build_nodes(ctx: Context) -> tuple[Node, ...]:
    """Nodes, with their kind and zone checked; a node without an owner belongs to whoever
    owns its zone."""
    zone_owner = {z.id: z.owner for z, _ in ctx.items("zones")}
    nodes = []
    for n, origin in ctx.items("nodes"):
        if n.kind not in ctx.vocab.node_kinds:
            ctx.err(
                "unknown-kind",
                f"node {n.id!r}: unknown node kind {n.kind!r}",
                origin.at("kind"),
                did_you_mean(n.kind, ctx.vocab.node_kinds, what="node kinds"),
            )
        ref(ctx, n.zone, ("zones",), origin, "zone", what="zone")
        owner = n.owner if n.owner is not None else zone_owner.get(n.zone or "")
        nodes.append(Node(n.id, n.name, n.description, n.kind, n.pipeline, n.zone, owner))
    return tuple(nodes)
