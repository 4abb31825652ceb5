"""The system, its owners (and how far each is trusted), zones and nodes (with their exposure,
authentication and MCP settings)."""

from __future__ import annotations

from actm.io.diagnose import did_you_mean
from actm.model.resolve.context import Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import ref
from actm.model.schema import NodeIn, OwnerIn
from actm.model.system import McpServer, Node, Owner, Zone

__all__ = ["build_nodes", "build_owners", "build_zones", "check_owners", "check_root"]

_OWNED = ("zones", "nodes", "models", "tools", "assets")
"""Sections whose elements may name an owner."""
_ROOT_ONLY = ("default_adversaries", "analysis")
"""Keys only the root file may set: they apply to the whole model."""
_NETWORK_TRANSPORTS = ("streamable_http", "sse")


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
        for key in _ROOT_ONLY:
            if getattr(sf.file, key) is not None and sf.doc is not None:
                ctx.err(
                    "root-only-key",
                    f"an included file cannot set {key!r}",
                    sf.doc.locate((key,), key=True),
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
    """Owners with their trust: ``trust`` as written, ``first_party: true`` meaning
    ``trust: first_party``, untrusted otherwise."""
    return tuple(_owner(ctx, o, origin) for o, origin in ctx.items("owners"))


def _owner(ctx: Context, o: OwnerIn, origin: Origin) -> Owner:
    explicit = "first_party" in o.model_fields_set
    if o.trust is not None and explicit and o.first_party != (o.trust == "first_party"):
        ctx.err(
            "trust-conflict",
            f"owner {o.id!r}: first_party: {str(o.first_party).lower()} and "
            f"trust: {o.trust} disagree",
            origin.at("trust"),
            "keep trust and remove first_party",
        )
    trust = o.trust or ("first_party" if o.first_party else "untrusted")
    if o.contract is not None and trust != "contracted":
        ctx.err(
            "not-applicable",
            f"owner {o.id!r}: contract applies to a contracted owner",
            origin.at("contract", key=True),
            "set trust: contracted, or remove contract",
        )
    return Owner(o.id, o.name, o.description, trust == "first_party", trust, o.contract)


def build_zones(ctx: Context) -> tuple[Zone, ...]:
    return tuple(Zone(z.id, z.name, z.description, z.trust, z.owner) for z, _ in ctx.items("zones"))


def build_nodes(ctx: Context) -> tuple[Node, ...]:
    """Nodes, with their kind and zone checked; a node without an owner belongs to whoever
    owns its zone, and one without an exposure faces the internet when its zone is untrusted."""
    zone_trust = {z.id: z.trust for z, _ in ctx.items("zones")}
    owners = ctx.node_owners()
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
        exposure = n.exposure or (
            "internet" if zone_trust.get(n.zone or "") == "untrusted" else "internal"
        )
        nodes.append(
            Node(
                n.id,
                n.name,
                n.description,
                n.kind,
                n.pipeline,
                n.zone,
                owners[n.id],
                exposure,
                n.authentication,
                _mcp(ctx, n, origin),
                n.physical_access,
                tuple(n.shared_with),
            )
        )
    return tuple(nodes)


def _mcp(ctx: Context, n: NodeIn, origin: Origin) -> McpServer | None:
    """The MCP settings of a node of kind mcp_server."""
    mcp = n.mcp
    if mcp is None:
        return None
    if n.kind != "mcp_server":
        ctx.err(
            "not-applicable",
            f"node {n.id!r}: mcp applies to nodes of kind mcp_server",
            origin.at("mcp", key=True),
            "set kind: mcp_server, or remove mcp",
        )
    if mcp.authentication is not None and mcp.transport not in _NETWORK_TRANSPORTS:
        ctx.err(
            "not-applicable",
            f"node {n.id!r}: a {mcp.transport} server has no authentication of its own",
            origin.at("mcp", "authentication", key=True),
            "remove authentication (it applies to streamable_http and sse)",
        )
    ref(ctx, mcp.package, ("packages",), origin, "mcp", "package", what="package")
    return McpServer(mcp.transport, mcp.authentication, mcp.package)
