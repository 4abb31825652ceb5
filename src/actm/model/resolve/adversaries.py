"""Adversaries: the built-in ones (configured or switched off by the model) and the model's own,
with what each holds at the start."""

from __future__ import annotations

from actm.model.resolve.context import Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import asset_ref, check_capability, pipeline_of, ref
from actm.model.schema import AdversaryIn
from actm.model.system import Adversary, Entry

__all__ = ["build_adversaries"]


def build_adversaries(ctx: Context) -> tuple[Adversary, ...]:
    vocab = ctx.vocab
    declared = {a.id: (a, o) for a, o in ctx.items("adversaries")}
    defaults_on = ctx.merged.default_adversaries is not False
    out: list[Adversary] = []
    for adv_id, d in vocab.adversaries.items():
        entry = declared.get(adv_id)
        enabled = defaults_on
        reaches: tuple[str, ...] | None = None
        holds: tuple[Entry, ...] = ()
        name = d.title
        desc = d.description
        if entry is not None:
            a, origin = entry
            enabled = a.enabled
            name = a.name or name
            desc = a.description or desc
            if a.reaches is not None:
                if d.entry != "public_models":
                    ctx.err(
                        "not-applicable",
                        "reaches applies to external-user only",
                        origin.at("reaches", key=True),
                        "remove reaches",
                    )
                for i, mid in enumerate(a.reaches):
                    ref(ctx, mid, ("models",), origin, "reaches", i, what="model")
                reaches = tuple(a.reaches)
            holds = _holds(ctx, a, origin)
        if enabled:
            reach = entry[0].reach if entry is not None and entry[0].reach else "insider"
            out.append(Adversary(adv_id, name, desc, True, d.entry, reaches, holds, reach))
    for adv_id, (a, origin) in declared.items():
        if adv_id not in vocab.adversaries:
            own = _own(ctx, a, origin)
            if own is not None:
                out.append(own)
    return tuple(out)


def _own(ctx: Context, a: AdversaryIn, origin: Origin) -> Adversary | None:
    """An adversary the model declares; None when it is switched off."""
    if a.reaches is not None:
        ctx.err(
            "not-applicable",
            "reaches applies to the built-in external-user only",
            origin.at("reaches", key=True),
            "list what the adversary holds under holds:",
        )
    holds = _holds(ctx, a, origin)
    if not a.holds and a.enabled:
        ctx.err(
            "adversary-without-entry",
            f"adversary {a.id!r} holds nothing, so it can do nothing",
            origin.at(),
            "add holds: [{asset: ..., capability: ...}]",
        )
    if not a.enabled:
        return None
    return Adversary(a.id, a.name, a.description, False, None, None, holds, a.reach or "insider")


def _holds(ctx: Context, a: AdversaryIn, origin: Origin) -> tuple[Entry, ...]:
    out = []
    for i, h in enumerate(a.holds):
        r = asset_ref(ctx, h.asset, origin, "holds", i, "asset", what="holds")
        ok = check_capability(ctx, h.capability, origin, "holds", i, "capability")
        if r is None or not ok:
            continue
        pipeline = h.pipeline or pipeline_of(ctx, r[0])
        persistent = h.persistent and ctx.vocab.capability_class[h.capability] == "integrity"
        out.append(Entry(r[0], r[1], h.capability, persistent, pipeline))
    return tuple(out)
