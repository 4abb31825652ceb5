"""Vulnerabilities: a known class, on the kind of target the class sits on (a node for
conventional classes, a model or an asset for AI classes)."""

from __future__ import annotations

from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary import VulnClass
from actm.model.resolve.context import Context
from actm.model.resolve.origins import Origin
from actm.model.resolve.refs import asset_ref, ref
from actm.model.schema import VulnerabilityIn
from actm.model.system import Vulnerability

__all__ = ["build_vulnerabilities"]

_ARTICLE = {"model": "a model", "asset": "an asset"}
_ON_NODE_OR_MODEL: tuple[str | None, str | None] = (None, None)
"""What :func:`_target` returns for a vulnerability that names no asset."""


def build_vulnerabilities(ctx: Context) -> tuple[Vulnerability, ...]:
    out = []
    for v, origin in ctx.items("vulnerabilities"):
        vc = ctx.vocab.vulnerability_classes.get(v.class_)
        if vc is None:
            ctx.err(
                "unknown-class",
                f"vulnerability {v.id!r}: unknown class {v.class_!r}",
                origin.at("class"),
                did_you_mean(v.class_, ctx.vocab.vulnerability_classes, what="classes"),
            )
            continue
        target = _target(ctx, v, vc, origin)
        if target is None:
            continue
        if v.assets is not None:
            if v.node is None:
                ctx.err(
                    "not-applicable",
                    "assets narrows a node vulnerability only",
                    origin.at("assets", key=True),
                    "remove assets",
                )
            for i, reference in enumerate(v.assets):
                asset_ref(ctx, reference, origin, "assets", i, what="asset", allow_component=False)
        if v.exploited_by is not None:
            _exploiters(ctx, v, origin)
        out.append(
            Vulnerability(
                v.id,
                v.title,
                v.description,
                v.class_,
                vc.kind,
                v.node,
                v.model,
                target[0],
                target[1],
                tuple(v.assets) if v.assets is not None else None,
                v.cve,
                v.cwe,
                v.cvss,
                tuple(v.evidence),
                tuple(v.exploited_by) if v.exploited_by is not None else None,
            )
        )
    return tuple(out)


def _exploiters(ctx: Context, v: VulnerabilityIn, origin: Origin) -> None:
    """``exploited_by`` names adversaries or entry points, on a node vulnerability."""
    if v.node is None:
        ctx.err(
            "not-applicable",
            "exploited_by applies to a vulnerability on a node",
            origin.at("exploited_by", key=True),
            "remove exploited_by: whoever reaches the model uses an AI weakness",
        )
        return
    known = set(ctx.vocab.adversaries) | set(ctx.vocab.entry_points)
    for i, who in enumerate(v.exploited_by or ()):
        if who in known or ctx.kind_of(who) == "adversaries":
            continue
        if ctx.kind_of(who) is None and ctx.is_tolerated(who):
            continue
        names = sorted(known | {a.id for a, _ in ctx.items("adversaries")})
        ctx.err(
            "dangling-reference",
            f"exploited_by {who!r} is not an adversary or an entry point",
            origin.at("exploited_by", i),
            ctx.suggest_among(who, names, what="adversaries")
            or "name an adversary declared under adversaries:, or "
            + ", ".join(sorted(ctx.vocab.entry_points)),
        )


def _target(
    ctx: Context, v: VulnerabilityIn, vc: VulnClass, origin: Origin
) -> tuple[str | None, str | None] | None:
    """The asset (and component) the vulnerability names, ``(None, None)`` when it names a
    node or a model; None when its target is wrong."""
    targets = [k for k in ("node", "model", "asset") if getattr(v, k) is not None]
    if len(targets) != 1:
        ctx.err(
            "vulnerability-target",
            f"vulnerability {v.id!r} must name exactly one of node, model or asset",
            origin.at(),
            "conventional classes go on a node: node: <id>; AI classes on a model or asset",
        )
        return None
    if vc.kind == "conventional":
        if v.node is None:
            ctx.err(
                "vulnerability-target",
                f"{v.class_} is a conventional class: it sits on a node",
                origin.at(targets[0], key=True),
                "write node: <node id>",
            )
            return None
        ref(ctx, v.node, ("nodes",), origin, "node", what="node")
        return _ON_NODE_OR_MODEL
    if v.node is not None:
        ctx.err(
            "vulnerability-target",
            f"{v.class_} is an AI class: it sits on a model or an asset",
            origin.at("node", key=True),
            "write model: <model id>",
        )
        return None
    where = "model" if v.model is not None else "asset"
    if vc.applies_to is not None and vc.applies_to != where:
        ctx.err(
            "vulnerability-target",
            f"{v.class_} applies to {_ARTICLE[vc.applies_to]}, not to {_ARTICLE[where]}",
            origin.at(where, key=True),
            f"write {vc.applies_to}: <{vc.applies_to} id>"
            + (" (e.g. a model's dataset: m.dataset)" if vc.applies_to == "asset" else ""),
        )
        return None
    if v.model is not None:
        ref(ctx, v.model, ("models",), origin, "model", what="model")
    if v.asset is not None:
        return asset_ref(ctx, v.asset, origin, "asset", what="asset")
    return _ON_NODE_OR_MODEL
