"""AI models: their kind, features and placement checked, and the AI assets each one owns, with
the defaults that keep model files short (components, residency) as the vocabulary's
``model_defaults`` state them."""

from __future__ import annotations

from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary import ModelKindInfo
from actm.model.resolve.assets import (
    contained,
    criticality,
    dedupe,
    source_names,
    source_strength,
)
from actm.model.resolve.context import Context, with_article
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import DECISIONS, expect_credential, ref
from actm.model.schema import AIAssetSettings, ModelIn
from actm.model.system import Asset, Model, Residency

__all__ = ["build_model_assets", "build_models", "check_models"]


def check_models(ctx: Context) -> None:
    """Kinds, assets, components, features and the nodes, base model, tools and identity each
    model names, before any reference into a model is resolved."""
    for m, origin in ctx.items("models"):
        mk = ctx.vocab.model_kinds.get(m.kind)
        if mk is None:
            ctx.err(
                "unknown-kind",
                f"model {m.id!r}: unknown model kind {m.kind!r}",
                origin.at("kind"),
                did_you_mean(m.kind, ctx.vocab.model_kinds, what="model kinds"),
            )
            continue
        _check_assets(ctx, m, mk, origin)
        for i, feat in enumerate(m.features):
            if feat not in ctx.vocab.features:
                ctx.err(
                    "unknown-feature",
                    f"model {m.id!r}: unknown feature {feat!r}",
                    origin.at("features", i),
                    did_you_mean(feat, ctx.vocab.features, what="features"),
                )
        for i, exp in enumerate(m.exposes):
            if exp not in mk.assets:
                ctx.err(
                    "unknown-asset",
                    f"model {m.id!r} exposes {exp}, which {with_article(m.kind)} model does not "
                    "have",
                    origin.at("exposes", i),
                    f"remove {exp} from exposes",
                )
        _check_references(ctx, m, origin)
        for i, act in enumerate(m.acted_on):
            if act.decision not in ctx.vocab.decision_kinds:
                ctx.err(
                    "unknown-decision",
                    f"model {m.id!r}: unknown kind of decision {act.decision!r}",
                    origin.at("acted_on", i, "decision"),
                    did_you_mean(act.decision, ctx.vocab.decision_kinds, what="decision kinds"),
                )


def _check_assets(ctx: Context, m: ModelIn, mk: ModelKindInfo, origin: Origin) -> None:
    for atype, settings in m.assets.items():
        if atype not in mk.assets:
            ctx.err(
                "unknown-asset",
                f"model {m.id!r}: {with_article(m.kind)} model has no {atype!r} asset",
                origin.at("assets", atype, key=True),
                did_you_mean(atype, mk.assets, what="asset types"),
            )
            continue
        valid = ctx.vocab.asset_types[atype].components
        no_comps = f"{atype} has no components; remove the entry"
        for i, comp in enumerate(settings.components or []):
            if comp not in valid:
                ctx.err(
                    "unknown-component",
                    f"model {m.id!r}: {atype} has no component {comp!r}",
                    origin.at("assets", atype, "components", i),
                    did_you_mean(comp, valid, what="components") or no_comps,
                )
        for comp in settings.component_sources:
            if comp not in valid:
                ctx.err(
                    "unknown-component",
                    f"model {m.id!r}: {atype} has no component {comp!r}",
                    origin.at("assets", atype, "component_sources", comp, key=True),
                    did_you_mean(comp, valid, what="components") or no_comps,
                )


def _check_references(ctx: Context, m: ModelIn, origin: Origin) -> None:
    for key in ("deployed_on", "trained_on", "stored_on"):
        for i, nid in enumerate(getattr(m, key)):
            ref(ctx, nid, ("nodes",), origin, key, i, what="node")
    ref(ctx, m.base_model, ("models",), origin, "base_model", what="base model")
    if m.base_model == m.id:
        ctx.err(
            "self-reference",
            f"model {m.id!r} is its own base model",
            origin.at("base_model"),
            "remove base_model",
        )
    for i, tid in enumerate(m.tools):
        ref(ctx, tid, ("tools",), origin, "tools", i, what="tool")
    if m.identity is not None and ref(
        ctx, m.identity, ("assets",), origin, "identity", what="identity"
    ):
        expect_credential(ctx, m.identity, origin, "identity")


def build_model_assets(ctx: Context) -> list[Asset]:
    """One asset of each type every model's kind owns."""
    out: list[Asset] = []
    for m, origin in ctx.items("models"):
        mk = ctx.vocab.model_kinds.get(m.kind)
        if mk is None:
            continue
        model_loc = origin.at("id")
        for atype in mk.assets:
            aid = f"{m.id}.{atype}"
            settings = m.assets.get(atype)
            out.append(
                Asset(
                    id=aid,
                    type=atype,
                    category="ai",
                    model=m.id,
                    tool=None,
                    name=None,
                    description=settings.description if settings else None,
                    components=_components(ctx, m, mk, atype, settings),
                    criticality=criticality(
                        ctx, m.criticality, settings.criticality if settings else None
                    ),
                    resides=_residency(ctx, m, atype, settings),
                    untrusted_sources=source_names(settings.untrusted_sources) if settings else (),
                    component_sources={
                        k: source_names(v) for k, v in settings.component_sources.items()
                    }
                    if settings
                    else {},
                    part_of=None,
                    owner=m.owner,
                    grants_access=(),
                    contains=contained(ctx, settings.contains, origin, "assets", atype)
                    if settings
                    else (),
                    source_strength=source_strength(
                        settings.untrusted_sources, *settings.component_sources.values()
                    )
                    if settings
                    else {},
                )
            )
            loc = origin.at("assets", atype) if settings is not None else model_loc
            if loc is not None:
                ctx.locations[aid] = loc
        if m.acted_on:
            out.append(_decisions(ctx, m))
            loc = origin.at("acted_on")
            if loc is not None:
                ctx.locations[f"{m.id}.{DECISIONS[0]}"] = loc
    return out


def _decisions(ctx: Context, m: ModelIn) -> Asset:
    """The decisions people or systems take on the model's outputs: as critical for integrity
    as the gravest kind of decision its ``acted_on`` lists."""
    levels = ctx.vocab.severity.criticality
    kinds = ctx.vocab.decision_kinds
    known = [kinds[a.decision] for a in m.acted_on if a.decision in kinds]
    crit = criticality(ctx)
    if known:
        crit["integrity"] = max(known, key=lambda level: levels.get(level, 0.0))
    return Asset(
        id=f"{m.id}.{DECISIONS[0]}",
        type=DECISIONS[1],
        category="ai",
        model=m.id,
        tool=None,
        name=None,
        description=None,
        components=(),
        criticality=crit,
        resides=(),
        untrusted_sources=(),
        component_sources={},
        part_of=None,
        owner=m.owner,
        grants_access=(),
    )


def _components(
    ctx: Context, m: ModelIn, mk: ModelKindInfo, atype: str, settings: AIAssetSettings | None
) -> tuple[str, ...]:
    """The kind's default components (or the ones the file names), then, sorted, those that
    tools, features, component sources and references anywhere in the model call for."""
    comps: list[str] = list(
        settings.components
        if settings and settings.components is not None
        else mk.components.get(atype, ())
    )
    needed = set(ctx.extra_components.get(f"{m.id}.{atype}", ()))
    needed |= ctx.vocab.model_defaults.components(atype, bool(m.tools), m.features)
    if settings is not None:
        needed |= set(settings.component_sources)
    valid = ctx.vocab.asset_types[atype].components
    for c in sorted(needed):
        if c not in comps and c in valid:
            comps.append(c)
    return tuple(comps)


def _residency(
    ctx: Context, m: ModelIn, atype: str, settings: AIAssetSettings | None
) -> tuple[Residency, ...]:
    """Where the asset resides: on the nodes of the model's placement keys that place its
    type (the vocabulary's placement table), then its own ``resides``."""
    resides = []
    for key, place in ctx.vocab.model_defaults.placement.items():
        if atype in place.assets:
            writes = atype in place.writes
            resides += [Residency(n, place.mode, writes) for n in getattr(m, key)]
    if settings is not None:
        resides += [Residency(r.node, r.mode, r.writes) for r in settings.resides]
    return dedupe(resides)


def build_models(ctx: Context) -> tuple[Model, ...]:
    out = []
    for m, _ in ctx.items("models"):
        mk = ctx.vocab.model_kinds.get(m.kind)
        if mk is None:
            continue
        out.append(
            Model(
                id=m.id,
                name=m.name,
                description=m.description,
                kind=m.kind,
                owner=m.owner,
                exposure=m.exposure,
                exposes=tuple(m.exposes),
                deployed_on=tuple(m.deployed_on),
                trained_on=tuple(m.trained_on),
                stored_on=tuple(m.stored_on),
                base_model=m.base_model,
                assets={t: f"{m.id}.{t}" for t in mk.assets}
                | ({DECISIONS[1]: f"{m.id}.{DECISIONS[0]}"} if m.acted_on else {}),
                tools=tuple(m.tools),
                identity=m.identity,
                features=frozenset(m.features),
                acted_on=tuple((a.by, a.decision) for a in m.acted_on),
            )
        )
    return tuple(out)
