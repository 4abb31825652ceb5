"""References between elements: to an element of a section, to an asset (``x``, ``x.y``,
``x.y.z``) and to a capability; and what an asset reference stands for (type, category,
pipeline)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from actm.errors import SourceLocation
from actm.io.diagnose import did_you_mean
from actm.model.resolve.context import ARTICLES, Context, with_article
from actm.model.resolve.origins import Origin
from actm.model.schema import ModelIn

__all__ = [
    "DECISIONS",
    "IMPLICIT_TYPES",
    "asset_ref",
    "check_capability",
    "expect_credential",
    "pipeline_of",
    "ref",
    "type_cat",
]

AssetRef = tuple[str, str | None]
"""(asset id, component or None)."""
IMPLICIT_TYPES = {"tools": "tool", "packages": "package"}
"""Sections whose elements each have an implicit asset of their own id, and its type."""
DECISIONS = ("decisions", "decision")
"""The name of the asset a model whose outputs are acted on owns (``<model>.decisions``), and
its type."""


def ref(
    ctx: Context,
    ident: str | None,
    sections: Sequence[str],
    origin: Origin,
    *path: str | int,
    what: str,
) -> bool:
    """Check that ``ident`` names an element of one of ``sections``."""
    if ident is None:
        return True
    found = ctx.kind_of(ident)
    if found in sections:
        return True
    if found is None and ctx.is_tolerated(ident):
        return False
    # the hint lists the ids of every section searched, so it must name them all
    noun = sections[0] if len(sections) == 1 else f"elements ({', '.join(sections)})"
    hint = ctx.suggest(ident, sections, what=noun)
    if found is None:
        ctx.err(
            "dangling-reference",
            f"{what} {ident!r} is not defined",
            origin.at(*path),
            hint or f"declare it under {' or '.join(f'{s}:' for s in sections)}",
        )
    else:
        ctx.err(
            "wrong-reference",
            f"{what} {ident!r} is {ARTICLES[found]}, not "
            f"{' or '.join(ARTICLES[s] for s in sections)}",
            origin.at(*path),
            hint or f"name an element declared under {sections[0]}:",
        )
    return False


def asset_ref(
    ctx: Context,
    reference: str,
    origin: Origin,
    *path: str | int,
    what: str,
    allow_component: bool = True,
) -> AssetRef | None:
    """Resolve ``x``, ``x.y`` or ``x.y.z`` to (asset id, component); None if invalid."""
    parts = reference.split(".")
    head = parts[0]
    kind = ctx.kind_of(head)
    where = partial(origin.at, *path)  # located only for a message: most references are fine
    if kind is None and ctx.is_tolerated(head):
        return None
    if kind is None:
        ctx.err(
            "dangling-reference",
            f"{what} {reference!r}: {head!r} is not defined",
            where(),
            ctx.suggest(head, ("assets", "models", "tools"), what="assets, models or tools")
            or "declare it under assets:, models: or tools:",
        )
        return None
    if kind == "models":
        return _model_asset_ref(ctx, parts, reference, where, what, allow_component)
    if kind in ("assets", "tools", "packages"):
        if len(parts) > 2:
            ctx.err(
                "bad-reference",
                f"{what} {reference!r} has too many parts",
                where(),
                f"write '{kind[:-1]}' or '{kind[:-1]}.component'",
            )
            return None
        atype = IMPLICIT_TYPES.get(kind) or ctx.ids[head][1].type
        comp = parts[1] if len(parts) > 1 else None
        return _component(ctx, head, atype, comp, reference, where, what, allow_component)
    ctx.err(
        "wrong-reference",
        f"{what} {reference!r} names {ARTICLES[kind]}, not an asset",
        where(),
        "refer to a conventional asset, a tool, or a model's asset (model.type)",
    )
    return None


def _model_asset_ref(
    ctx: Context,
    parts: list[str],
    reference: str,
    where: Callable[[], SourceLocation | None],
    what: str,
    allow_component: bool,
) -> AssetRef | None:
    head = parts[0]
    model: ModelIn = ctx.ids[head][1]
    mk = ctx.vocab.model_kinds.get(model.kind)
    if mk is None:
        return None  # its unknown kind is reported already
    owned = (*mk.assets, DECISIONS[0]) if model.acted_on else mk.assets
    if len(parts) == 1:
        ctx.err(
            "model-not-asset",
            f"{what} {reference!r} is a model, not an asset",
            where(),
            f"name one of its assets: {', '.join(f'{head}.{t}' for t in owned)}",
        )
        return None
    atype = parts[1]
    if atype not in owned:
        ctx.err(
            "unknown-asset",
            f"{what} {reference!r}: {with_article(model.kind)} model has no {atype!r} asset",
            where(),
            did_you_mean(atype, owned, what="asset types"),
        )
        return None
    comp = parts[2] if len(parts) > 2 else None
    if atype == DECISIONS[0]:
        atype = DECISIONS[1]
        asset_id = f"{head}.{DECISIONS[0]}"
        return _component(ctx, asset_id, atype, comp, reference, where, what, allow_component)
    return _component(ctx, f"{head}.{atype}", atype, comp, reference, where, what, allow_component)


def _component(
    ctx: Context,
    asset_id: str,
    atype: str,
    comp: str | None,
    reference: str,
    where: Callable[[], SourceLocation | None],
    what: str,
    allow: bool,
) -> AssetRef | None:
    if comp is None:
        return asset_id, None
    if not allow:
        ctx.err(
            "component-not-allowed",
            f"{what} {reference!r}: name the whole asset here",
            where(),
            f"use {asset_id!r}",
        )
        return None
    info = ctx.vocab.asset_types.get(atype)
    valid = info.components if info else ()
    declared = ctx.declared_components(asset_id)
    if comp not in valid and comp not in declared:
        ctx.err(
            "unknown-component",
            f"{what} {reference!r}: {atype} has no component {comp!r}",
            where(),
            ctx.suggest_among(comp, (*valid, *declared), what="components")
            or (
                f"{atype} lists no components of its own: refer to the whole asset "
                f"({asset_id}), or declare the component under the asset's components:"
                if not valid and not declared
                else f"refer to the whole asset ({asset_id}) or to one of its components"
            ),
        )
        return None
    ctx.extra_components.setdefault(asset_id, set()).add(comp)
    return asset_id, comp


def type_cat(ctx: Context, asset_id: str) -> tuple[str, str]:
    """The asset type and category of a resolved asset id ("unknown" for neither)."""
    head, _, rest = asset_id.partition(".")
    kind = ctx.kind_of(head)
    if kind == "models" and rest:
        return (DECISIONS[1] if rest == DECISIONS[0] else rest), "ai"
    if kind in IMPLICIT_TYPES:
        return IMPLICIT_TYPES[kind], IMPLICIT_TYPES[kind]
    if kind == "assets":
        t = ctx.ids[head][1].type
        return t, ctx.vocab.category(t)
    return "unknown", "unknown"


def pipeline_of(ctx: Context, asset_id: str) -> str:
    """The pipeline facts on the asset arise in by default: its type's."""
    t, _ = type_cat(ctx, asset_id)
    info = ctx.vocab.asset_types.get(t)
    return info.pipeline if info else "deployment"


def check_capability(
    ctx: Context, cap: str, origin: Origin, *path: str | int, allow_none: bool = False
) -> bool:
    """Check that ``cap`` is a capability (or ``none``, where allowed)."""
    if allow_none and cap == "none":
        return True
    if cap in ctx.vocab.capability_class:
        return True
    options = list(ctx.vocab.capabilities) + (["none"] if allow_none else [])
    ctx.err(
        "unknown-capability",
        f"unknown capability {cap!r}",
        origin.at(*path),
        did_you_mean(cap, options, what="capabilities"),
    )
    return False


def expect_credential(ctx: Context, ident: str, origin: Origin, *path: str | int) -> None:
    """``ident`` (already checked to be an asset) must be of a type that grants access."""
    entry = ctx.ids.get(ident)
    access = ctx.vocab.access_types
    if entry and entry[0] == "assets" and entry[1].type not in access:
        ctx.err(
            "not-a-credential",
            f"{ident!r} is a {entry[1].type} asset, not a credential",
            origin.at(*path),
            f"point at an asset of type {access[0]}"
            if access
            else f"no asset type grants access; remove {path[-1]}",
        )
