"""Asset types (asset_types.yaml), model kinds, features and model defaults (model_kinds.yaml),
node kinds (node_kinds.yaml)."""

from __future__ import annotations

from collections.abc import Mapping

from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import (
    AssetTypeInfo,
    ModelDefaults,
    ModelKindInfo,
    Placement,
)
from actm.knowledge.vocabulary.layers import EntryOrigin
from actm.knowledge.vocabulary.schema import PLACEMENT_KEYS, PlacementIn

__all__ = [
    "build_access_types",
    "build_asset_types",
    "build_decision_kinds",
    "build_features",
    "build_model_defaults",
    "build_model_kinds",
    "build_node_kinds",
    "build_open_contents",
    "build_personal_kinds",
]


def build_asset_types(b: Builder) -> dict[str, AssetTypeInfo]:
    """Every asset type; recorded in ``b`` so that later tables can check names against them."""
    asset_types: dict[str, AssetTypeInfo] = {}
    for at, origin in b.merged.values("asset_types.yaml:asset_types"):
        if at.grants_access and at.category != "conventional":
            b.bad(
                origin,
                "not-conventional",
                f"asset type {at.id}: only conventional types grant access",
                "remove grants_access",
            )
        asset_types[at.id] = AssetTypeInfo(
            at.id,
            at.category,
            at.pipeline,
            at.description,
            tuple(c.id for c in at.components),
            frozenset(c.id for c in at.components if c.persists),
            at.grants_access,
        )
    if "tool" not in asset_types:
        b.missing("asset type 'tool' must exist")
    b.asset_types = asset_types
    return asset_types


def build_access_types(b: Builder) -> tuple[str, ...]:
    """The asset types that grant access (credentials), in file order."""
    return tuple(t for t, info in b.asset_types.items() if info.grants_access)


def build_model_kinds(b: Builder) -> dict[str, ModelKindInfo]:
    model_kinds: dict[str, ModelKindInfo] = {}
    for mk, origin in b.merged.values("model_kinds.yaml:model_kinds"):
        what = f"model kind {mk.id}"
        for t in mk.assets:
            b.check_ai_type(t, origin, what)
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
            mk.foundation,
        )
    return model_kinds


def build_decision_kinds(b: Builder) -> dict[str, str]:
    """Kind of decision taken on a model's outputs -> default integrity criticality."""
    return {d.id: d.integrity for d, _ in b.merged.values("model_kinds.yaml:decision_kinds")}


def build_features(b: Builder) -> frozenset[str]:
    return frozenset(b.merged.table("model_kinds.yaml:features"))


def build_model_defaults(b: Builder) -> ModelDefaults:
    """The components that tools and features add, and the placement table."""
    tool_components: dict[str, tuple[str, ...]] = {}
    for t, (comps, origin) in b.merged.table("model_kinds.yaml:tool_components").items():
        tool_components.update(_ai_components(b, {t: comps}, origin, "tool_components"))
    feature_components: dict[str, Mapping[str, tuple[str, ...]]] = {}
    for feature, origin in b.merged.values("model_kinds.yaml:features"):
        what = f"feature {feature.id}"
        if feature.components:
            feature_components[feature.id] = _ai_components(b, feature.components, origin, what)
    placement: dict[str, Placement] = {}
    table = b.merged.table("model_kinds.yaml:placement")
    for key in PLACEMENT_KEYS:
        if key not in table:
            b.missing(f"model_kinds.yaml must define placement.{key}")
            continue
        placement[key] = _placement(b, key, *table[key])
    return ModelDefaults(tool_components, feature_components, placement)


def _ai_components(
    b: Builder, by_type: Mapping[str, list[str]], origin: EntryOrigin, what: str
) -> dict[str, tuple[str, ...]]:
    """Components by AI asset type, each checked to exist."""
    for t, comps in by_type.items():
        b.check_ai_type(t, origin, what)
        b.check_components(t, comps, origin, what)
    return {t: tuple(comps) for t, comps in by_type.items()}


def _placement(b: Builder, key: str, p: PlacementIn, origin: EntryOrigin) -> Placement:
    what = f"placement {key}"
    for t in p.assets:
        b.check_ai_type(t, origin, what)
    for t in p.writes:
        if t not in p.assets:
            b.bad(
                origin,
                "bad-placement",
                f"{what}: writes {t}, which it does not place",
                f"add {t} to assets, or remove it from writes",
            )
    if p.writes and p.mode != "processed":
        b.bad(
            origin,
            "bad-placement",
            f"{what}: writes applies only to mode: processed",
            "stored assets always keep changes; remove writes or use mode: processed",
        )
    return Placement(p.mode, tuple(p.assets), tuple(p.writes))


def build_node_kinds(b: Builder) -> frozenset[str]:
    return frozenset(b.merged.table("node_kinds.yaml:node_kinds"))


def build_personal_kinds(b: Builder) -> frozenset[str]:
    """The node kinds that are one person's device (``personal: true``)."""
    return frozenset(
        k
        for k, (entry, _origin) in b.merged.table("node_kinds.yaml:node_kinds").items()
        if entry.personal
    )


def build_open_contents(b: Builder) -> frozenset[str]:
    """The node kinds whose unauthenticated service hands out what the node stores."""
    return frozenset(
        k
        for k, (entry, _origin) in b.merged.table("node_kinds.yaml:node_kinds").items()
        if entry.unauthenticated == "contents"
    )
