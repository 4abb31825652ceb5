"""Credentials: who issues each one, its scopes, and what holding it grants (``grants``: assets
it reads, writes or deletes, nodes it runs code on)."""

from __future__ import annotations

from actm.model.resolve.context import Context, and_list, plural
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import asset_ref, ref
from actm.model.schema import AssetIn

__all__ = ["CREDENTIAL_KEYS", "GRANT_KEYS", "credential_fields"]

GRANT_KEYS = ("read", "write", "delete", "execute")
"""What a credential's ``grants`` may list: assets for the first three, nodes for execute."""
CREDENTIAL_KEYS = ("issued_by", "scopes", "grants")
"""Keys that only a credential may set."""

Fields = tuple[str | None, tuple[str, ...], dict[str, tuple[str, ...]]]
"""(issuer, scopes, grants by permission)."""


def credential_fields(
    ctx: Context, a: AssetIn, origin: Origin, users: dict[str, set[str]]
) -> Fields:
    """The issuer, scopes and grants of asset ``a``, checked; ``users`` maps a credential to the
    nodes of the tools that act under it (for the default issuer)."""
    is_credential = a.type in ctx.vocab.access_types
    written = [k for k in CREDENTIAL_KEYS if k in a.model_fields_set]
    if written and not is_credential and a.type in ctx.vocab.asset_types:
        access = ctx.vocab.access_types
        ctx.err(
            "not-a-credential",
            f"asset {a.id!r}: {written[0]} applies to "
            + (and_list([plural(t) for t in access]) if access else "credentials"),
            origin.at(written[0], key=True),
            f"set type: {access[0]}, or remove {written[0]}" if access else f"remove {written[0]}",
        )
    if not is_credential:
        return None, (), {}
    ref(ctx, a.issued_by, ("owners",), origin, "issued_by", what="issuer")
    grants: dict[str, tuple[str, ...]] = {}
    if a.grants is not None:
        for key in GRANT_KEYS:
            found = _granted(ctx, key, getattr(a.grants, key), origin)
            if found:
                grants[key] = found
    issuer = a.issued_by if a.issued_by is not None else _default_issuer(ctx, a, users)
    return issuer, tuple(a.scopes), grants


def _granted(ctx: Context, key: str, refs: list[str], origin: Origin) -> tuple[str, ...]:
    out: list[str] = []
    for i, reference in enumerate(refs):
        if key == "execute":
            if ref(ctx, reference, ("nodes",), origin, "grants", key, i, what="node"):
                out.append(reference)
            continue
        r = asset_ref(
            ctx, reference, origin, "grants", key, i, what=f"grants {key}", allow_component=False
        )
        if r is not None:
            out.append(r[0])
    return tuple(dict.fromkeys(out))


def _default_issuer(ctx: Context, a: AssetIn, users: dict[str, set[str]]) -> str | None:
    """The owner of the nodes the credential opens, else that of the nodes where the tools
    acting under it run, else none; none too when those nodes have different owners (which of
    them issues it is not said, and the order the nodes are listed in must not decide it)."""
    owners = ctx.node_owners()
    for nodes in (a.grants_access, users.get(a.id, ())):
        found = {owners[n] for n in nodes if owners.get(n) is not None}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def credential_users(ctx: Context) -> dict[str, set[str]]:
    """Credential id -> the nodes of the tools that act under it (its own ``credential``, or
    the ``identity`` of a model that uses the tool)."""
    identity = {m.id: m.identity for m, _ in ctx.items("models") if m.identity}
    out: dict[str, set[str]] = {}
    for m, _ in ctx.items("models"):
        for tid in m.tools:
            entry = ctx.ids.get(tid)
            if entry is None or entry[0] != "tools" or entry[1].node is None:
                continue
            if m.id in identity:
                out.setdefault(identity[m.id], set()).add(entry[1].node)
    for t, _ in ctx.items("tools"):
        if t.credential is not None and t.node is not None:
            out.setdefault(t.credential, set()).add(t.node)
    return out
