"""Relations between assets: the ones declared under ``relations:`` (checked against the
vocabulary's process table, with whether each flow is encrypted and its sender authenticated),
``part_of`` written on assets, and the implicit derivations of every model's life, of its base
model and from its outputs to the decisions taken on them (``acted_on``)."""

from __future__ import annotations

from dataclasses import replace

from actm.io.diagnose import did_you_mean
from actm.model.resolve.context import Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import DECISIONS, AssetRef, asset_ref, pipeline_of, type_cat
from actm.model.schema import RelationIn
from actm.model.system import Relation

__all__ = ["build_relations"]


def build_relations(ctx: Context) -> tuple[Relation, ...]:
    out: list[Relation] = []
    seen: dict[str, Origin] = {}
    for r, origin in ctx.items("relations"):
        rel = _declared(ctx, r, origin, seen)
        if rel is not None:
            out.append(rel)
    out += _asset_part_of(ctx)
    out += _implicit(ctx)
    return tuple(out)


def _declared(
    ctx: Context, r: RelationIn, origin: Origin, seen: dict[str, Origin]
) -> Relation | None:
    src = asset_ref(ctx, r.from_, origin, "from", what="relation source")
    dst = asset_ref(ctx, r.to, origin, "to", what="relation target")
    if src is None or dst is None:
        return None
    rid = r.id or f"{r.from_}->{r.to}"
    if rid in seen and r.id is None:
        ctx.err(
            "duplicate-relation",
            f"relation {r.from_} -> {r.to} is declared twice",
            origin.at(),
            "remove one of them",
        )
        return None
    seen[rid] = origin
    if src[0] == dst[0]:
        ctx.err(
            "self-relation",
            f"relation from {r.from_} to {r.to} stays inside one asset",
            origin.at(),
            "relations connect two different assets",
        )
        return None
    if r.kind == "derives":
        return _transport(_derives(ctx, r, origin, src, dst, rid), r)
    if r.kind == "feeds":
        return _transport(_feeds(ctx, r, origin, src, dst, rid), r)
    for key in ("encrypted", "authenticated"):
        if key in r.model_fields_set:
            ctx.err(
                "not-for-part-of",
                f"{key} applies to derives and feeds: a part is not sent anywhere",
                origin.at(key, key=True),
                f"remove {key}",
            )
    if r.process is not None or r.persistent is not None:
        ctx.err(
            "not-for-part-of",
            "process and persistent apply to derives only",
            origin.at(),
            "remove them",
        )
    stype, scat = type_cat(ctx, src[0])
    dtype, dcat = type_cat(ctx, dst[0])
    vocab = ctx.vocab
    if not vocab.part_of_sources.admits(stype, scat) or not vocab.part_of_targets.admits(
        dtype, dcat
    ):
        ctx.err(
            "impossible-relation",
            f"{r.from_} ({stype}) cannot be part of {r.to} ({dtype})",
            origin.at(),
            "part_of goes from a conventional asset to another asset",
        )
        return None
    return _part_of(ctx, rid, src, dst)


def _transport(rel: Relation | None, r: RelationIn) -> Relation | None:
    """``rel`` with whether what flows is encrypted and its sender authenticated."""
    if rel is None or (r.encrypted and r.authenticated):
        return rel
    return replace(rel, encrypted=r.encrypted, authenticated=r.authenticated)


def _fitting(ctx: Context, stype: str, scat: str, dtype: str, dcat: str) -> list[str]:
    """The processes that may derive an asset of ``dtype`` from one of ``stype``."""
    return [
        p.id
        for p in ctx.vocab.processes.values()
        if p.sources.admits(stype, scat) and p.targets.admits(dtype, dcat)
    ]


def _derives(
    ctx: Context, r: RelationIn, origin: Origin, src: AssetRef, dst: AssetRef, rid: str
) -> Relation | None:
    vocab = ctx.vocab
    stype, scat = type_cat(ctx, src[0])
    dtype, dcat = type_cat(ctx, dst[0])
    process_id = r.process
    if process_id is None:
        fits = _fitting(ctx, stype, scat, dtype, dcat)
        if len(fits) != 1:
            ctx.err(
                "missing-process",
                f"derives {r.from_} -> {r.to}: say which process derives it",
                origin.at(),
                f"add process: one of {', '.join(fits)}"
                if fits
                else f"no process derives {dtype} from {stype}",
            )
            return None
        process_id = fits[0]
    proc = vocab.processes.get(process_id)
    if proc is None:
        ctx.err(
            "unknown-process",
            f"unknown process {process_id!r}",
            origin.at("process"),
            did_you_mean(process_id, vocab.processes, what="processes"),
        )
        return None
    if not proc.sources.admits(stype, scat):
        ctx.err(
            "impossible-relation",
            f"{process_id} does not read {stype} ({r.from_})",
            origin.at("from"),
            f"{process_id} reads: {proc.sources.describe()}",
        )
        return None
    if not proc.targets.admits(dtype, dcat):
        fits = _fitting(ctx, stype, scat, dtype, dcat)
        ctx.err(
            "impossible-relation",
            f"{process_id} cannot write {dtype} ({r.to}); it writes {proc.targets.describe()}",
            origin.at("to"),
            f"use process: {' or '.join(fits)}"
            if fits
            else f"no process derives {dtype} from {stype}",
        )
        return None
    persistent = proc.persistent if r.persistent is None else r.persistent
    if persistent and not proc.persistent:
        ctx.err(
            "impossible-persistence",
            f"{process_id} reads its sources and writes nothing back; its changes cannot persist",
            origin.at("persistent"),
            "remove persistent: true, or use a process that writes (feedback, ...)",
        )
        return None
    return Relation(
        rid, "derives", src[0], src[1], dst[0], dst[1], process_id, persistent, proc.pipeline, False
    )


def _feeds(
    ctx: Context, r: RelationIn, origin: Origin, src: AssetRef, dst: AssetRef, rid: str
) -> Relation | None:
    vocab = ctx.vocab
    stype, scat = type_cat(ctx, src[0])
    dtype, dcat = type_cat(ctx, dst[0])
    for key in ("process", "persistent"):
        if getattr(r, key) is not None:
            ctx.err(
                "not-for-feeds",
                f"{key} applies to derives relations only",
                origin.at(key, key=True),
                f"remove {key}",
            )
    if not vocab.feeds_sources.admits(stype, scat):
        ctx.err(
            "impossible-relation",
            f"{r.from_} ({stype}) cannot feed a model",
            origin.at("from"),
            f"feeds sources are: {vocab.feeds_sources.describe()}",
        )
        return None
    if not vocab.feeds_targets.admits(dtype, dcat):
        ctx.err(
            "impossible-relation",
            f"feeds must end at a model's inputs component, not {r.to} ({dtype})",
            origin.at("to"),
            f"write e.g. to: {dst[0].split('.')[0]}.inputs.retrieved_context"
            if dcat == "ai"
            else "write e.g. to: <model>.inputs.retrieved_context",
        )
        return None
    if dst[1] is None:
        ctx.err(
            "feeds-needs-component",
            f"feeds target {r.to!r} must name an inputs component",
            origin.at("to"),
            f"write e.g. {r.to}.retrieved_context or {r.to}.tool_results",
        )
        return None
    persists = dst[1] in vocab.asset_types[dtype].persistent_components
    return Relation(
        rid, "feeds", src[0], src[1], dst[0], dst[1], None, persists, vocab.feeds_pipeline, False
    )


def _part_of(ctx: Context, rid: str, src: AssetRef, dst: AssetRef) -> Relation:
    """A part_of relation: a change to the part persists in the whole."""
    pipeline = pipeline_of(ctx, dst[0])
    return Relation(rid, "part_of", src[0], src[1], dst[0], dst[1], None, True, pipeline, False)


def _asset_part_of(ctx: Context) -> list[Relation]:
    """``part_of:`` written on a conventional asset."""
    out: list[Relation] = []
    for a, origin in ctx.items("assets"):
        if a.part_of is None:
            continue
        dst = asset_ref(ctx, a.part_of, origin, "part_of", what="part_of")
        if dst is not None and dst[0] == a.id:
            ctx.err(
                "self-reference",
                f"asset {a.id!r} is part of itself",
                origin.at("part_of"),
                "remove part_of",
            )
        if dst is None or dst[0] == a.id:
            continue
        out.append(_part_of(ctx, f"{a.id}->{a.part_of}", (a.id, None), dst))
    return out


def _implicit(ctx: Context) -> list[Relation]:
    """The life cycle of every model, and the fine-tuning from its base model."""
    vocab = ctx.vocab
    out: list[Relation] = []
    for m, _ in ctx.items("models"):
        mk = vocab.model_kinds.get(m.kind)
        if mk is None:
            continue
        owned = set(mk.assets)
        for src_t, dst_t, proc in vocab.model_lifecycle:
            if src_t in owned and dst_t in owned:
                out.append(_implied(ctx, f"{m.id}.{src_t}", f"{m.id}.{dst_t}", proc))
        if m.base_model is not None and ctx.kind_of(m.base_model) == "models":
            bk = vocab.model_kinds.get(ctx.ids[m.base_model][1].kind)
            base_owns = set(bk.assets) if bk else set()
            for src_t, dst_t, proc in vocab.base_model:
                if src_t in base_owns and dst_t in owned:
                    out.append(_implied(ctx, f"{m.base_model}.{src_t}", f"{m.id}.{dst_t}", proc))
        if m.acted_on and vocab.acted_on is not None:
            src_t, _, proc = vocab.acted_on
            if src_t in owned:
                out.append(_implied(ctx, f"{m.id}.{src_t}", f"{m.id}.{DECISIONS[0]}", proc))
    return out


def _implied(ctx: Context, src: str, dst: str, process: str) -> Relation:
    """A derivation the model implies (life cycle, base model), with its process's defaults."""
    p = ctx.vocab.processes[process]
    return Relation(
        f"{src}->{dst}", "derives", src, None, dst, None, process, p.persistent, p.pipeline, True
    )
