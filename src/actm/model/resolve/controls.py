"""Controls: what each one removes, blocks, justifies, breaks, weakens, approves, sandboxes or
hides, checked against the elements and attacks it names."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping, Sequence

from actm.io.diagnose import did_you_mean
from actm.model.resolve.assets import source_names
from actm.model.resolve.context import Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import asset_ref, check_capability, expect_credential, ref, type_cat
from actm.model.schema import ControlIn
from actm.model.system import Control, Relation, Tool
from actm.terms import TOOL_PERMISSIONS

__all__ = ["build_controls"]


def build_controls(
    ctx: Context, relations: Sequence[Relation], tools: Sequence[Tool]
) -> tuple[Control, ...]:
    """Each declared control with its references checked, one kind of effect at a time."""
    edges = _Edges(ctx, {r.id for r in relations}, {t.id for t in tools})
    out = []
    for c, origin in ctx.items("controls"):
        for i, vid in enumerate(c.removes):
            ref(ctx, vid, ("vulnerabilities",), origin, "removes", i, what="vulnerability")
        for i, aid in enumerate(c.justifies):
            ref(ctx, aid, ("assumptions",), origin, "justifies", i, what="assumption")
        _check_blocks(ctx, c, origin, edges)
        breaks, break_steps = _breaks(ctx, c, origin)
        weakens = _weakens(ctx, c, origin, edges)
        for key in ("approves", "sandboxes"):
            for i, tid in enumerate(getattr(c, key)):
                ref(ctx, tid, ("tools",), origin, key, i, what="tool")
        for i, cid in enumerate(c.narrows):
            if ref(ctx, cid, ("assets",), origin, "narrows", i, what="credential"):
                expect_credential(ctx, cid, origin, "narrows", i)
        out.append(
            Control(
                c.id,
                c.name,
                c.description,
                c.kind,
                c.status,
                tuple(c.removes),
                tuple(c.blocks),
                tuple(c.justifies),
                tuple(breaks),
                c.cost,
                tuple(c.evidence),
                tuple(weakens),
                tuple(c.approves),
                tuple(c.sandboxes),
                tuple(_hides(ctx, c, origin)),
                tuple(break_steps),
                tuple(c.narrows),
            )
        )
    return tuple(out)


class _Edges:
    """What a control may block or weaken: relations, tools, tool permissions, adversaries and
    untrusted sources of the model (the sorted list for did-you-mean made once, when needed)."""

    def __init__(self, ctx: Context, rel_ids: set[str], tool_ids: set[str]) -> None:
        self.rel_ids, self.tool_ids = rel_ids, tool_ids
        sources: set[str] = set()
        for a, _ in ctx.items("assets"):
            sources.update(source_names(a.untrusted_sources))
        for m, _ in ctx.items("models"):
            for s in m.assets.values():
                sources.update(source_names(s.untrusted_sources))
                for names in s.component_sources.values():
                    sources.update(source_names(names))
        for t, _ in ctx.items("tools"):
            sources.update(t.untrusted_results)
        self.sources = sources
        self.adversary_ids = (
            set(ctx.vocab.adversaries)
            | set(ctx.vocab.entry_points)
            | {a.id for a, _ in ctx.items("adversaries")}
        )
        self._all: list[str] | None = None

    def is_permission(self, edge: str) -> bool:
        tool, _, perm = edge.rpartition(".")
        return tool in self.tool_ids and perm in TOOL_PERMISSIONS

    def blockable(self, b: str) -> bool:
        if b in self.rel_ids or b in self.tool_ids or b in self.adversary_ids:
            return True
        return (b.startswith("source:") and b[7:] in self.sources) or self.is_permission(b)

    def all(self) -> list[str]:
        if self._all is None:
            self._all = sorted(
                self.rel_ids
                | self.tool_ids
                | self.adversary_ids
                | {f"source:{s}" for s in self.sources}
                | {f"{t}.{p}" for t in self.tool_ids for p in TOOL_PERMISSIONS}
            )
        return self._all


def _check_blocks(ctx: Context, c: ControlIn, origin: Origin, edges: _Edges) -> None:
    for i, b in enumerate(c.blocks):
        if edges.blockable(b):
            continue
        choices = edges.all()
        close: list[str] = []
        if ctx.spend(len(choices)):
            close = difflib.get_close_matches(b, choices, n=1, cutoff=0.6)
        ctx.err(
            "dangling-reference",
            f"control {c.id!r} blocks {b!r}, which is not a "
            "relation, tool, tool permission, adversary or untrusted source",
            origin.at("blocks", i),
            f"did you mean {close[0]!r}?"
            if close
            else "name a relation id, a tool id, a tool permission (tool.egress), "
            "an adversary id or an untrusted source (source:NAME)",
        )


def _breaks(
    ctx: Context, c: ControlIn, origin: Origin
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str, str | None]]]:
    """The attacks a control breaks everywhere (attack, asset) and at one step."""
    breaks: list[tuple[str, str | None]] = []
    break_steps: list[tuple[str, str, str | None]] = []
    for i, br in enumerate(c.breaks):
        if ctx.known_attacks is not None and br.attack not in ctx.known_attacks:
            ctx.err(
                "unknown-attack",
                f"control {c.id!r} breaks unknown attack {br.attack!r}",
                origin.at("breaks", i, "attack"),
                _attack_hint(br.attack, ctx.known_attacks),
            )
        asset = None
        if br.asset is not None and ctx.kind_of(br.asset) == "models":
            asset = br.asset  # where the attack binds the model itself
        elif br.asset is not None:
            r = asset_ref(ctx, br.asset, origin, "breaks", i, "asset", what="asset")
            asset = r[0] if r else None
        if br.step is None:
            breaks.append((br.attack, asset))
            continue
        pattern = (
            ctx.known_attacks.get(br.attack) if isinstance(ctx.known_attacks, Mapping) else None
        )
        steps = [st.id for st in getattr(pattern, "steps", ())]
        if pattern is not None and br.step not in steps:
            ctx.err(
                "unknown-step",
                f"control {c.id!r}: attack {br.attack!r} has no step {br.step!r}",
                origin.at("breaks", i, "step"),
                f"its steps: {', '.join(steps)}",
            )
        break_steps.append((br.attack, br.step, asset))
    return breaks, break_steps


def _weakens(ctx: Context, c: ControlIn, origin: Origin, edges: _Edges) -> list[tuple[str, str]]:
    weakens = []
    for i, w in enumerate(c.weakens):
        if w.edge not in edges.rel_ids and not edges.is_permission(w.edge):
            ctx.err(
                "dangling-reference",
                f"control {c.id!r} weakens {w.edge!r}, which is not a relation or a tool "
                "permission",
                origin.at("weakens", i, "edge"),
                "name a relation id (from->to) or a tool permission (tool.write)",
            )
            continue
        if check_capability(ctx, w.to, origin, "weakens", i, "to"):
            weakens.append((w.edge, w.to))
    return weakens


def _hides(ctx: Context, c: ControlIn, origin: Origin) -> list[str]:
    hides = []
    for i, reference in enumerate(c.hides):
        r = asset_ref(ctx, reference, origin, "hides", i, what="asset", allow_component=False)
        if r is None:
            continue
        if type_cat(ctx, r[0])[0] not in ("outputs", "output_details"):
            ctx.err(
                "not-applicable",
                f"control {c.id!r} hides {reference!r}: only a model's outputs or "
                "output_details are returned to callers",
                origin.at("hides", i),
                "name <model>.output_details (or <model>.outputs)",
            )
            continue
        hides.append(r[0])
    return hides


def _attack_hint(attack: str, known: Collection[str]) -> str:
    close = did_you_mean(attack, known, what="attacks")
    if close and close.startswith("did you mean"):
        return close
    return "run `actm kb list` for the attack ids"
