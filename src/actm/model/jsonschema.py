"""The JSON Schema of the model file format, with the vocabulary's values as enumerations, so
that editors can offer them (``actm schema``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from actm.knowledge.vocabulary import Vocabulary, builtin_vocabulary
from actm.model.schema import ModelFile

__all__ = ["json_schema"]


def _with_enum(prop: dict[str, Any], values: list[str], *, names: bool = False) -> None:
    """Restrict a string property (or the strings of a list, or the keys of a mapping) to
    ``values``, so that editors can offer them."""
    for branch in prop.get("anyOf", [prop]):
        if names and branch.get("type") == "object":
            branch["propertyNames"] = {"enum": values}
        elif branch.get("type") == "array":
            branch.setdefault("items", {})["enum"] = values
        elif branch.get("type") == "string":
            branch["enum"] = values


def json_schema(
    vocabulary: Vocabulary | None = None, attacks: Collection[str] = ()
) -> dict[str, Any]:
    """JSON Schema of the model file format, with the vocabulary's values as enumerations.

    The schema checks structure and offers completions; ``actm validate`` remains the full
    check (references, semantics).
    """
    vocab = vocabulary or builtin_vocabulary()
    schema = ModelFile.model_json_schema(by_alias=True)
    defs = schema["$defs"]
    ai_types = sorted(t for t, i in vocab.asset_types.items() if i.category == "ai")
    conventional = sorted(t for t, i in vocab.asset_types.items() if i.category == "conventional")
    ai_components = sorted({c for t in ai_types for c in vocab.asset_types[t].components})
    caps = list(vocab.capabilities)
    _with_enum(defs["NodeIn"]["properties"]["kind"], sorted(vocab.node_kinds))
    _with_enum(defs["ModelIn"]["properties"]["kind"], sorted(vocab.model_kinds))
    _with_enum(defs["ModelIn"]["properties"]["features"], sorted(vocab.features))
    _with_enum(defs["ActedOnIn"]["properties"]["decision"], sorted(vocab.decision_kinds))
    _with_enum(defs["ModelIn"]["properties"]["assets"], ai_types, names=True)
    _with_enum(defs["AIAssetSettings"]["properties"]["components"], ai_components)
    _with_enum(
        defs["AIAssetSettings"]["properties"]["component_sources"], ai_components, names=True
    )
    _with_enum(defs["AssetIn"]["properties"]["type"], conventional)
    _with_enum(defs["RelationIn"]["properties"]["process"], sorted(vocab.processes))
    _with_enum(defs["VulnerabilityIn"]["properties"]["class"], sorted(vocab.vulnerability_classes))
    _with_enum(defs["EntryCapabilityIn"]["properties"]["capability"], caps)
    _with_enum(defs["AssumptionIn"]["properties"]["capability"], [*caps, "none"])
    if attacks:
        _with_enum(defs["BreakIn"]["properties"]["attack"], sorted(attacks))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://actm.dev/schema/model-v1.json"
    schema["title"] = "actm system model (format 1)"
    return schema
