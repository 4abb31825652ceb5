"""Where capabilities come from: vulnerability classes (vulnerability_classes.yaml), the
built-in adversaries, entry points and source strengths (adversaries.yaml), and the weaknesses
hypotheses posit (hypotheses.yaml)."""

from __future__ import annotations

from collections.abc import Iterable

from actm.errors import Diagnostic
from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import (
    AdversaryDef,
    Agency,
    EntryPointDef,
    Grant,
    Hypothesis,
    PatternSpec,
    VulnClass,
    VulnRule,
)
from actm.knowledge.vocabulary.layers import EntryOrigin
from actm.knowledge.vocabulary.schema import PatternIn, VulnClassIn

__all__ = [
    "build_adversaries",
    "build_entry_points",
    "build_hypotheses",
    "build_source_strength",
    "build_vulnerability_classes",
    "check_agency_classes",
]


def build_vulnerability_classes(b: Builder) -> dict[str, VulnClass]:
    vclasses: dict[str, VulnClass] = {}
    for vc, origin in b.merged.values("vulnerability_classes.yaml:vulnerability_classes"):
        grants: dict[str, tuple[Grant, ...]] = {}
        for mode, gl in vc.grants.items():
            for g in gl:
                b.check_cap(g.capability, origin, f"vulnerability class {vc.id}")
            grants[mode] = tuple(Grant(g.capability, g.persistent) for g in gl)
        what = f"class {vc.id}"
        rules = []
        for r in vc.rules:
            req = _pattern(b, r.requires, origin, what, ("self",)) if r.requires else None
            ys = tuple(_pattern(b, y, origin, what, ("self",)) for y in r.yields)
            rules.append(VulnRule(req, ys))
        _check_class(b, vc, origin)
        vclasses[vc.id] = VulnClass(
            vc.id, vc.kind, vc.applies_to, vc.title, vc.description, grants, tuple(rules)
        )
    return vclasses


def _check_class(b: Builder, vc: VulnClassIn, origin: EntryOrigin) -> None:
    if vc.kind == "conventional" and not vc.grants and not vc.condition_only:
        b.bad(origin, "empty-class", f"conventional class {vc.id} grants nothing")
    if vc.condition_only and (vc.grants or vc.kind != "conventional"):
        b.bad(
            origin,
            "condition-only-grants",
            f"class {vc.id}: condition_only is for a conventional class without grants",
        )
    if vc.kind == "ai" and vc.applies_to is None:
        b.bad(
            origin,
            "missing-applies-to",
            f"AI class {vc.id} must say applies_to: model or asset",
        )
    if vc.kind == "ai" and not vc.rules:
        b.bad(origin, "empty-class", f"AI class {vc.id} has no rules")


def check_agency_classes(b: Builder, agency: Agency, vclasses: dict[str, VulnClass]) -> None:
    """The agency rules that put a vulnerability class on a node must name a known class."""
    for key in (
        "execute",
        "execute_sandboxed",
        "credential_access",
        "credential_execute",
        "package_runs",
    ):
        derived = getattr(agency, key)
        if derived and derived not in vclasses:
            entry = b.merged.singles.get(f"propagation.yaml:agency.{key}")
            b.errors.append(
                Diagnostic(
                    "unknown-vulnerability-class",
                    f"propagation agency names unknown vulnerability class {derived!r}",
                    entry[1].location() if entry else None,
                    did_you_mean(derived, vclasses),
                )
            )


def build_adversaries(b: Builder) -> dict[str, AdversaryDef]:
    adversaries: dict[str, AdversaryDef] = {}
    for adv, origin in b.merged.values("adversaries.yaml:adversaries"):
        what = f"adversary {adv.id}"
        grants = tuple(_pattern(b, g, origin, what, ("self", "exposed")) for g in adv.grants)
        adversaries[adv.id] = AdversaryDef(adv.id, adv.title, adv.description, adv.entry, grants)
    return adversaries


def build_entry_points(b: Builder) -> dict[str, EntryPointDef]:
    out: dict[str, EntryPointDef] = {}
    special = ("self", "unencrypted", "unauthenticated")
    for ep, origin in b.merged.values("adversaries.yaml:entry_points"):
        what = f"entry point {ep.id}"
        grants = tuple(_pattern(b, g, origin, what, special) for g in ep.grants)
        out[ep.id] = EntryPointDef(ep.id, ep.title, ep.description, grants)
    return out


def build_source_strength(b: Builder) -> dict[str, str]:
    out: dict[str, str] = {}
    for can, (cap, origin) in b.merged.table("adversaries.yaml:source_strength").items():
        b.check_cap(cap, origin, f"source_strength {can}")
        out[can] = cap
    return out


def build_hypotheses(
    b: Builder, vclasses: dict[str, VulnClass], node_kinds: frozenset[str]
) -> tuple[Hypothesis, ...]:
    out: list[Hypothesis] = []
    for h, origin in b.merged.values("hypotheses.yaml:hypotheses"):
        vc = vclasses.get(h.posit)
        if vc is None or vc.kind != "conventional":
            conventional = [k for k, v in vclasses.items() if v.kind == "conventional"]
            b.bad(
                origin,
                "unknown-vulnerability-class",
                f"hypothesis {h.id}: {h.posit!r} is not a conventional vulnerability class",
                did_you_mean(h.posit, conventional),
            )
        for t in (*h.when.resides, *h.affects):
            b.check_type(t, origin, f"hypothesis {h.id}")
        for k in h.when.node_kind:
            if k not in node_kinds:
                b.bad(
                    origin,
                    "unknown-kind",
                    f"hypothesis {h.id}: unknown node kind {k!r}",
                    did_you_mean(k, node_kinds),
                )
        w = h.when
        out.append(
            Hypothesis(
                h.id,
                h.title,
                h.why,
                h.posit,
                frozenset(w.node_kind),
                frozenset(w.exposure),
                frozenset(w.authentication),
                frozenset(w.resides),
                frozenset(h.affects),
                w.public_input,
            )
        )
    return tuple(out)


def _pattern(
    b: Builder, p: PatternIn, origin: EntryOrigin, what: str, special: Iterable[str]
) -> PatternSpec:
    """A capability on an asset type (or on a special asset such as ``self``)."""
    b.check_cap(p.capability, origin, what)
    if p.asset not in special:
        b.check_type(p.asset, origin, what)
        if p.component is not None:
            b.check_components(p.asset, (p.component,), origin, what)
    return PatternSpec(p.asset, p.component, p.capability, p.persistent)
