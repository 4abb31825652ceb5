"""Whom a model's inputs, outputs and training data concern, and what they hold that is
confidential, read off the model's relations: the facts behind the ``where`` conditions
``asker_only``, ``public_dataset``, ``confidential_prompt`` and ``confidential_data``
(:class:`~actm.engine.owner_facts.OwnerInfo`). Controls change none of them but the
relations a control blocks into a system prompt (:func:`confidential_prompts`)."""

from __future__ import annotations

from actm.engine.compiled import Compiled
from actm.model.system import Asset, Model, SystemModel

__all__ = [
    "asker_only_models",
    "confidential",
    "confidential_prompts",
    "is_confidential",
    "public_datasets",
]

_BUILT_FROM = ("derives", "part_of")
_HIGH = frozenset({"high", "critical"})


def asker_only_models(m: SystemModel) -> frozenset[str]:
    """The models whose conversation concerns whoever asks alone: no tools, nobody acts on
    their outputs, no long-term memory, nothing but a request feeds their inputs (every
    relation into them ends on ``user_input``), their inputs are not declared confidential
    and contain no secret, their outputs' integrity is not high or critical, they are not
    trained here on data that is not all public, and no relation takes their inputs or
    outputs anywhere else. What such a model is made to answer reaches
    the one who asked and nobody else."""
    inputs = {x.assets["inputs"]: x.id for x in m.models if "inputs" in x.assets}
    own = {a: x.id for x in m.models for a in x.assets.values()}
    talk = {x.assets[k] for x in m.models for k in ("inputs", "outputs") if k in x.assets}
    excluded: set[str] = set()
    other_sources: dict[str, set[str]] = {}
    for r in m.relations:
        source_model = own.get(r.source)
        if r.source in talk and source_model is not None and own.get(r.target) != source_model:
            excluded.add(source_model)  # its inputs or outputs go somewhere else
        target_model = inputs.get(r.target)
        if target_model is None or r.kind != "feeds":
            continue
        if r.target_component != "user_input":
            other_sources.setdefault(target_model, set()).add(r.source)
    excluded.update(other_sources)
    built = public_datasets(m)
    into_dataset = {r.target for r in m.relations if r.kind in _BUILT_FROM}
    return frozenset(
        x.id
        for x in m.models
        if x.id not in excluded
        and _converses_alone(x)
        and "inputs" in x.assets
        and not _at_stake(m, x)
        # trained here on data that is not all public: what it answers may repeat that data
        and not (x.assets.get("dataset") in into_dataset and x.id not in built)
    )


def _at_stake(m: SystemModel, x: Model) -> bool:
    """Whether the model file says more than the asker is at stake: its inputs are
    confidential or contain a secret, or its outputs' integrity is high or critical (someone
    relies on what it says)."""
    inputs = m.asset(x.assets["inputs"])
    if is_confidential(inputs) or inputs.contains:
        return True
    outputs = x.assets.get("outputs")
    return outputs is not None and m.asset(outputs).criticality.get("integrity") in _HIGH


def _converses_alone(x: Model) -> bool:
    """Whether the model has no tools, nobody acts on it and it keeps no long-term memory."""
    return not x.tools and not x.acted_on and "long_term_memory" not in x.features


def public_datasets(m: SystemModel) -> frozenset[str]:
    """The models whose training data is built only from what is published: at least one
    ``derives`` or ``part_of`` relation takes something into their ``dataset``, and each takes
    an asset declared ``public``, or one built only from such assets in the same way."""
    into: dict[str, list[str]] = {}
    for r in m.relations:
        if r.kind in _BUILT_FROM:
            into.setdefault(r.target, []).append(r.source)
    return frozenset(
        x.id
        for x in m.models
        if "dataset" in x.assets
        # a dataset said to be confidential (a curated subset) is not published
        and not is_confidential(m.asset(x.assets["dataset"]))
        and _published(m, x.assets["dataset"], into, set(), True)
    )


def _published(
    m: SystemModel, asset_id: str, into: dict[str, list[str]], seen: set[str], top: bool
) -> bool:
    """Whether ``asset_id`` is public, or (for the dataset itself, ``top``, or a copy on the
    way to it) built only from public assets."""
    if not top and m.asset(asset_id).public:
        return True
    sources = into.get(asset_id, [])
    if not sources or asset_id in seen:
        return False
    seen.add(asset_id)
    return all(_published(m, s, into, seen, False) for s in sources)


def is_confidential(asset: Asset) -> bool:
    """Whether the asset has confidentiality ``high`` or ``critical``."""
    return asset.criticality.get("confidentiality") in _HIGH


def confidential(m: SystemModel, asset_id: str | None) -> bool:
    """Whether the asset (if any) has confidentiality ``high`` or ``critical``."""
    return asset_id is not None and is_confidential(m.asset(asset_id))


def confidential_prompts(c: Compiled) -> frozenset[str]:
    """The models whose system prompt holds something confidential: fed (by a relation in
    force) from an asset that contains a credential or secret or whose confidentiality is
    high or critical, or whose own inputs are that confidential."""
    m = c.model
    access = set(c.vocab.access_types)

    def holds_secret(asset: Asset) -> bool:
        return is_confidential(asset) or any(m.asset(x).type in access for x in asset.contains)

    found = {
        c.asset_owner[c.asset_index[r.target]]
        for r in m.relations
        if r.kind == "feeds"
        and r.target_component == "system_prompt"
        and r.id not in c.blocked
        and holds_secret(m.asset(r.source))
    }
    found.update(
        x.id for x in m.models if "inputs" in x.assets and holds_secret(m.asset(x.assets["inputs"]))
    )
    return frozenset(found)
