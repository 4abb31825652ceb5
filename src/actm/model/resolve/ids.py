"""The first pass: every element's id, unique across the whole model."""

from __future__ import annotations

from actm.model.resolve.context import Context
from actm.model.resolve.origins import Origin
from actm.model.schema import SECTIONS

__all__ = ["collect_ids"]


def collect_ids(ctx: Context) -> None:
    """Fill ``ctx.ids`` and ``ctx.locations``; report duplicates and built-in names reused.

    An element of ``adversaries:`` may carry a built-in adversary's id: it configures that
    adversary. Triage ids are patterns over threat ids, not element ids.
    """
    builtin = ctx.vocab.adversaries
    for section in SECTIONS:
        if section == "triage":
            continue
        for item, origin in ctx.items(section):
            ident = getattr(item, "id", None)
            if ident is None:
                continue
            prev = ctx.ids.get(ident)
            if section == "adversaries" and ident in builtin:
                if prev is not None and prev[0] == "adversaries":
                    _duplicate(ctx, ident, origin, prev[2])
                ctx.ids[ident] = (section, item, origin)
                continue
            if prev is not None:
                _duplicate(ctx, ident, origin, prev[2])
                continue
            ctx.ids[ident] = (section, item, origin)
            loc = origin.at("id")
            if loc is not None:
                ctx.locations[ident] = loc
    for ident in builtin:
        if ident in ctx.ids and ctx.ids[ident][0] != "adversaries":
            _, _, origin = ctx.ids[ident]
            ctx.err(
                "reserved-id",
                f"id {ident!r} is the name of a built-in adversary",
                origin.at("id"),
                "choose another id",
            )


def _duplicate(ctx: Context, ident: str, origin: Origin, first: Origin) -> None:
    prev = first.at("id")
    ctx.err(
        "duplicate-id",
        f"duplicate id {ident!r}" + (f" (first defined at {prev})" if prev else ""),
        origin.at("id"),
        "ids must be unique across the whole model (all sections and included files); "
        "rename one of them",
    )
