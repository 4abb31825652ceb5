"""Third-party assumptions: a producer that is not a first party, the asset it supplies, the
capability assumed upstream and what the system sends it."""

from __future__ import annotations

from actm.model.resolve.context import Context
from actm.model.resolve.refs import AssetRef, asset_ref, check_capability, pipeline_of, ref
from actm.model.system import Assumption

__all__ = ["build_assumptions"]


def build_assumptions(ctx: Context) -> tuple[Assumption, ...]:
    out = []
    first_party = ctx.first_party()
    for a, origin in ctx.items("assumptions"):
        ok = ref(ctx, a.producer, ("owners",), origin, "producer", what="producer")
        if ok and a.producer in first_party:
            ctx.err(
                "first-party-producer",
                f"assumption {a.id!r}: {a.producer!r} is a first party",
                origin.at("producer"),
                "assumptions state what a third party could do; name the supplier",
            )
        r = asset_ref(ctx, a.asset, origin, "asset", what="asset")
        cap_ok = check_capability(ctx, a.capability, origin, "capability", allow_none=True)
        sends: list[AssetRef] = []
        for i, reference in enumerate(a.sends):
            s = asset_ref(ctx, reference, origin, "sends", i, what="sends")
            if s is not None:
                sends.append(s)
        if r is None or not cap_ok:
            continue
        # persistent is kept as declared: the tolerance search tries integrity levels even
        # when the assumed capability is 'none'; seeds apply it to integrity capabilities only
        out.append(
            Assumption(
                a.id,
                a.description,
                a.producer,
                r[0],
                r[1],
                None if a.capability == "none" else a.capability,
                a.persistent,
                tuple(sends),
                a.justification,
                a.status,
                pipeline_of(ctx, r[0]),
            )
        )
    return tuple(out)
