"""Conventional assets and the implicit asset of each tool: types, components, residency,
criticality."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from actm.io.diagnose import did_you_mean
from actm.model.resolve.context import Context, and_list, plural
from actm.model.resolve.credentials import credential_fields, credential_users
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import asset_ref, ref
from actm.model.schema import AssetIn, ResidencyIn, SourceIn
from actm.model.system import Asset, Residency
from actm.terms import CLASSES

__all__ = [
    "CLASSES",
    "build_assets",
    "build_tool_assets",
    "check_assets",
    "check_residency",
    "contained",
    "criticality",
    "dedupe",
    "implicit_asset",
    "source_names",
    "source_strength",
]


def check_assets(ctx: Context) -> None:
    """Each conventional asset's type and components, and the nodes it grants access to."""
    vocab = ctx.vocab
    for a, origin in ctx.items("assets"):
        info = vocab.asset_types.get(a.type)
        if info is None or info.category != "conventional":
            conventional = [t for t, i in vocab.asset_types.items() if i.category == "conventional"]
            hint = did_you_mean(a.type, conventional, what="asset types")
            if info is not None and info.category == "ai":
                hint = (
                    f"{a.type} is an AI asset type, owned by a model: declare the model "
                    f"under models: and refer to its asset as <model>.{a.type}"
                )
            ctx.err(
                "unknown-type",
                f"asset {a.id!r}: {a.type!r} is not a conventional asset type",
                origin.at("type"),
                hint,
            )
        elif info.components:
            for i, comp in enumerate(a.components):
                if comp not in info.components:
                    ctx.err(
                        "unknown-component",
                        f"asset {a.id!r}: {a.type} has no component {comp!r}",
                        origin.at("components", i),
                        did_you_mean(comp, info.components, what="components"),
                    )
        for i, nid in enumerate(a.grants_access):
            ref(ctx, nid, ("nodes",), origin, "grants_access", i, what="node")
        if a.grants_access and a.type not in vocab.access_types:
            _not_a_credential(ctx, a.id, origin)


def _not_a_credential(ctx: Context, ident: str, origin: Origin) -> None:
    access = ctx.vocab.access_types
    ctx.err(
        "not-a-credential",
        f"asset {ident!r}: "
        + (
            f"only {and_list([plural(t) for t in access])} grant access"
            if access
            else "no asset type grants access"
        ),
        origin.at("grants_access"),
        f"set type: {access[0]}, or remove grants_access" if access else "remove grants_access",
    )


def check_residency(ctx: Context) -> None:
    """The nodes under every ``resides:`` and the use of ``writes``."""
    for a, origin in ctx.items("assets"):
        _check_resides(ctx, a.resides, origin, "resides")
    for m, origin in ctx.items("models"):
        for atype, settings in m.assets.items():
            _check_resides(ctx, settings.resides, origin, "assets", atype, "resides")


def _check_resides(
    ctx: Context, resides: Sequence[ResidencyIn], origin: Origin, *path: str | int
) -> None:
    for i, r in enumerate(resides):
        ref(ctx, r.node, ("nodes",), origin, *path, i, "node", what="node")
        if r.writes and r.mode != "processed":
            ctx.err(
                "writes-not-processed",
                "writes applies only to mode: processed",
                origin.at(*path, i, "writes"),
                "stored assets always keep changes; remove writes or use mode: processed",
            )


def build_assets(ctx: Context) -> list[Asset]:
    """The conventional assets, with every component referenced anywhere added."""
    out: list[Asset] = []
    users = credential_users(ctx)
    for a, origin in ctx.items("assets"):
        info = ctx.vocab.asset_types.get(a.type)
        if info is None:
            continue
        comps = list(a.components)
        written = set(comps)
        comps += sorted(set(ctx.extra_components.get(a.id, ())) - written)
        issuer, scopes, grants = credential_fields(ctx, a, origin, users)
        out.append(
            Asset(
                id=a.id,
                type=a.type,
                category=info.category,
                model=None,
                tool=None,
                name=a.name,
                description=a.description,
                components=tuple(comps),
                criticality=_published(ctx, a, origin, criticality(ctx, a.criticality)),
                resides=dedupe([Residency(r.node, r.mode, r.writes) for r in a.resides]),
                untrusted_sources=source_names(a.untrusted_sources),
                component_sources={},
                part_of=a.part_of,
                owner=a.owner,
                grants_access=tuple(a.grants_access),
                issued_by=issuer,
                scopes=scopes,
                grants=grants,
                contains=contained(ctx, a.contains, origin),
                stated=_stated(a),
                public=a.public,
                source_strength=source_strength(a.untrusted_sources),
            )
        )
    return out


def _stated(a: AssetIn) -> frozenset[str]:
    """The classes whose criticality ``a`` states (``public`` states confidentiality)."""
    found = {c for c in CLASSES if a.criticality is not None and getattr(a.criticality, c)}
    return frozenset(found | ({"confidentiality"} if a.public else set()))


def _published(ctx: Context, a: AssetIn, origin: Origin, crit: dict[str, str]) -> dict[str, str]:
    """A public asset's confidentiality matters not at all."""
    if not a.public:
        return crit
    stated = a.criticality.confidentiality if a.criticality is not None else None
    if stated not in (None, "none"):
        ctx.err(
            "public-conflict",
            f"asset {a.id!r} is public, yet its confidentiality is {stated}",
            origin.at("criticality", "confidentiality"),
            "remove the confidentiality level (public means none), or remove public: true",
        )
    return {**crit, "confidentiality": "none"}


def build_tool_assets(ctx: Context) -> list[Asset]:
    """The asset of each tool: processed on the tool's node."""
    return [
        implicit_asset(
            ctx,
            t,
            "tool",
            (t.node,) if t.node else (),
            t.owner,
            component_sources={"results": tuple(t.untrusted_results)}
            if t.untrusted_results
            else {},
        )
        for t, _origin in ctx.items("tools")
    ]


def implicit_asset(
    ctx: Context,
    element: Any,
    atype: str,
    nodes: Sequence[str],
    owner: str | None,
    **extra: Any,
) -> Asset:
    """The asset an element of a section implies (a tool, a package): of type and category
    ``atype``, with the element's id, name and description, processed on ``nodes``."""
    return Asset(
        id=element.id,
        type=atype,
        category=atype,
        model=None,
        tool=element.id if atype == "tool" else None,
        name=element.name,
        description=element.description,
        components=ctx.vocab.asset_types[atype].components,
        criticality=criticality(ctx, getattr(element, "criticality", None)),
        resides=tuple(Residency(n, "processed", False) for n in nodes),
        untrusted_sources=(),
        component_sources=extra.pop("component_sources", {}),
        part_of=None,
        owner=owner,
        grants_access=(),
        **extra,
    )


def source_names(sources: Iterable[str | SourceIn]) -> tuple[str, ...]:
    """The names of outside sources written as a name or as a mapping."""
    return tuple(s if isinstance(s, str) else s.name for s in sources)


_CAN = ("contribute", "edit", "replace")
"""What a source's authors can do, weakest first."""


def source_strength(*lists: Iterable[str | SourceIn]) -> dict[str, tuple[str, bool]]:
    """Source name -> (what its authors can do, whether posting needs an account), for the
    sources written as a mapping. A source written more than once counts with the most its
    entries allow, whatever their order: the strongest ``can``, and an account only when
    every entry asks for one."""
    out: dict[str, tuple[str, bool]] = {}
    for sources in lists:
        for s in sources:
            if not isinstance(s, SourceIn):
                continue
            was = out.get(s.name)
            if was is None:
                out[s.name] = (s.can, s.account)
            else:
                can = max(was[0], s.can, key=_CAN.index)
                out[s.name] = (can, was[1] and s.account)
    return out


def contained(
    ctx: Context, refs: Sequence[str], origin: Origin, *path: str | int
) -> tuple[str, ...]:
    """The assets an asset ``contains`` (usually credentials and secrets: a token in a config
    file), each a conventional asset declared under ``assets:``."""
    out = []
    for i, reference in enumerate(refs):
        r = asset_ref(
            ctx, reference, origin, *path, "contains", i, what="contains", allow_component=False
        )
        if r is None:
            continue
        if ctx.kind_of(r[0]) == "assets":
            out.append(r[0])
            continue
        ctx.err(
            "wrong-reference",
            f"contains {reference!r}: only an asset declared under assets: is contained",
            origin.at(*path, "contains", i),
            "name a credential, secret or other asset declared under assets:",
        )
    return tuple(out)


def criticality(ctx: Context, *layers: Any) -> dict[str, str]:
    """Each class's criticality: the vocabulary's default, overridden layer by layer."""
    default = ctx.vocab.severity.default_criticality
    out = dict.fromkeys(CLASSES, default)
    for layer in layers:
        if layer is None:
            continue
        for c in CLASSES:
            v = getattr(layer, c)
            if v is not None:
                out[c] = v
    return out


def dedupe(items: Sequence[Residency]) -> tuple[Residency, ...]:
    """One residency per (node, mode), the one that writes if any does."""
    seen: dict[tuple[str, str], Residency] = {}
    for r in items:
        key = (r.node, r.mode)
        prev = seen.get(key)
        if prev is None or (r.writes and not prev.writes):
            seen[key] = r
    return tuple(seen.values())
