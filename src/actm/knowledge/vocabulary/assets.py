"""Asset types (asset_types.yaml), model kinds and features (model_kinds.yaml), node kinds
(node_kinds.yaml)."""

from __future__ import annotations

from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import AssetTypeInfo, ModelKindInfo

__all__ = ["build_asset_types", "build_features", "build_model_kinds", "build_node_kinds"]


def build_asset_types(b: Builder) -> dict[str, AssetTypeInfo]:
    """Every asset type; recorded in ``b`` so that later tables can check names against them."""
    asset_types: dict[str, AssetTypeInfo] = {}
    for at, _origin in b.merged.values("asset_types.yaml:asset_types"):
        asset_types[at.id] = AssetTypeInfo(
            at.id,
            at.category,
            at.pipeline,
            at.description,
            tuple(c.id for c in at.components),
            frozenset(c.id for c in at.components if c.persists),
        )
    if "tool" not in asset_types:
        b.missing("asset type 'tool' must exist")
    b.asset_types = asset_types
    return asset_types


def build_model_kinds(b: Builder) -> dict[str, ModelKindInfo]:
    model_kinds: dict[str, ModelKindInfo] = {}
    for mk, origin in b.merged.values("model_kinds.yaml:model_kinds"):
        what = f"model kind {mk.id}"
        for t in mk.assets:
            b.check_type(t, origin, what)
            if t in b.asset_types and b.asset_types[t].category != "ai":
                b.bad(origin, "not-ai-type", f"{what}: {t} is not an AI asset type")
        for t, comps in mk.components.items():
            if t not in mk.assets:
                b.bad(
                    origin,
                    "component-of-missing-asset",
                    f"{what}: components for {t}, which the kind does not own",
                )
            else:
                b.check_components(t, comps, origin, what)
        model_kinds[mk.id] = ModelKindInfo(
            mk.id,
            mk.description,
            tuple(mk.assets),
            {k: tuple(v) for k, v in mk.components.items()},
        )
    return model_kinds


def build_features(b: Builder) -> frozenset[str]:
    return frozenset(b.merged.table("model_kinds.yaml:features"))


def build_node_kinds(b: Builder) -> frozenset[str]:
    return frozenset(b.merged.table("node_kinds.yaml:node_kinds"))
