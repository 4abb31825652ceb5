"""Likely modelling slips: things a model may say on purpose, but usually by mistake, that make
the analysis quietly miss threats. Each is a warning (``actm validate`` prints it and exits 0;
``--strict`` makes it an error) with a code, the place of the element and a hint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from actm.errors import Diagnostic
from actm.model.resolve.context import Context
from actm.model.system import Asset, SystemModel

__all__ = ["WARNINGS", "find_warnings"]

Found = tuple[str, str, str]
"""(element id, message, hint)."""


class Known(NamedTuple):
    """What the knowledge base says that the warnings read."""

    access: frozenset[str]
    """The asset types that are credentials."""
    entry_points: frozenset[str]
    """The ids of the entry points the engine derives (``internet-attacker``, ``insider``)."""


def _unused_tools(m: SystemModel, known: Known) -> Iterator[Found]:
    for t in m.tools:
        if not t.users:
            yield t.id, f"tool {t.id!r} is used by no model", "list it under a model's tools:"


def _unowned_models(m: SystemModel, known: Known) -> Iterator[Found]:
    owners = {n.id: n.owner for n in m.nodes}
    for model in m.models:
        third = [n for n in model.deployed_on if m.is_third_party(owners.get(n))]
        if model.owner is None and third:
            yield (
                model.id,
                f"model {model.id!r} runs on {third[0]!r}, a third party's node, and has no owner",
                "say who produced the model with owner: (the vendor for a hosted model)",
            )


def _unreached_public_models(m: SystemModel, known: Known) -> Iterator[Found]:
    reached: set[str] = set()
    owner_model = {a.id: a.model for a in m.assets if a.model is not None}
    for adv in m.adversaries:
        if adv.entry == "public_models":
            public = {x.id for x in m.models if x.exposure == "public"}
            reached |= set(adv.reaches) if adv.reaches is not None else public
        # a declared adversary that holds a capability on a model's inputs reaches it too
        for held in adv.holds:
            holder = owner_model.get(held.asset)
            if holder is not None and held.asset == f"{holder}.inputs":
                reached.add(holder)
    for model in m.models:
        if model.exposure == "public" and model.id not in reached:
            yield (
                model.id,
                f"public model {model.id!r} is reached by no adversary",
                "enable external-user, or add the model to its reaches:",
            )


def _idle_credentials(m: SystemModel, known: Known) -> Iterator[Found]:
    used = {t.credential for t in m.tools} | {x.identity for x in m.models}
    for a in m.assets:
        if a.type in known.access and not (a.grants_access or a.grants or a.id in used):
            yield (
                a.id,
                f"{a.type.replace('_', ' ')} {a.id!r} grants nothing, so its theft leads "
                "nowhere in the analysis",
                "say what it opens or lets its holder do with grants: or grants_access: (a "
                "signing key: write on what it signs), or name it as a tool's credential",
            )


def _untouched_assets(m: SystemModel, known: Known) -> Iterator[Found]:
    touched: set[str] = set()
    for t in m.tools:
        touched |= {a for a, _ in (*t.read, *t.write, *t.delete)}
        touched.add(t.credential or "")
    for r in m.relations:
        touched |= {r.source, r.target}
    for a in m.assets:
        touched |= set(a.contains) | {g for gs in a.grants.values() for g in gs}
        if a.contains or a.untrusted_sources:
            touched.add(a.id)
    touched |= {x.identity or "" for x in m.models}
    touched |= {x.asset for x in m.assumptions} | {s for x in m.assumptions for s, _ in x.sends}
    touched |= {h.asset for adv in m.adversaries for h in adv.holds}
    touched |= {v.asset or "" for v in m.vulnerabilities}
    # what resides on a node a credential opens or a weakness of the node reaches is read there
    opened = {n for a in m.assets for n in a.grants_access}
    opened |= {v.node for v in m.vulnerabilities if v.node is not None}
    for a in m.assets:
        if any(r.node in opened for r in a.resides):
            touched.add(a.id)
    for a in m.assets:
        if a.category == "conventional" and a.type not in known.access and a.id not in touched:
            yield (
                a.id,
                f"asset {a.id!r}: nothing reads or writes it",
                "name it in a tool's permissions or a relation, or remove it",
            )


def _uncovered_third_party_data(m: SystemModel, known: Known) -> Iterator[Found]:
    owners = {n.id: n.owner for n in m.nodes}
    covered = {(x.producer, x.asset) for x in m.assumptions}
    covered |= {(x.producer, s) for x in m.assumptions for s, _ in x.sends}
    seen: set[str] = set()
    for a in m.assets:
        key = a.model or a.id
        if key in seen or a.public or a.category not in ("ai", "conventional"):
            continue
        for r in sorted(a.resides, key=lambda r: r.node):  # the first by id, in any order
            operator = owners.get(r.node)
            if not m.is_third_party(operator) or operator == a.owner:
                continue
            assets = _assets_of(m, a)
            if not any((operator, x.id) in covered for x in assets):
                seen.add(key)
                what = "model" if a.model else "asset"
                yield (
                    key,
                    f"{what} {key!r} is on {r.node!r}, run by {operator}, and no assumption "
                    f"says what {operator} may do with it",
                    f"add an assumption with producer: {operator} (sends: or asset:)",
                )
                break


def _entry_point_ids(m: SystemModel, known: Known) -> Iterator[Found]:
    """An adversary, tool or relation with an entry point's id: a control's ``blocks:`` and a
    vulnerability's ``exploited_by:`` that name it name the entry point too."""
    named = [("adversary", a.id) for a in m.adversaries if not a.builtin]
    named += [("tool", t.id) for t in m.tools] + [("relation", r.id) for r in m.relations]
    for what, ident in named:
        if ident in known.entry_points:
            naming = "a control that blocks it"
            if what == "adversary":
                naming += ", or a vulnerability exploited_by it,"
            yield (
                ident,
                f"{what} {ident!r} has the id of the built-in entry point {ident!r}: {naming} "
                "names both",
                f"choose another id ({ident}-{what}, for instance) unless you mean both",
            )


def _assets_of(m: SystemModel, a: Asset) -> list[Asset]:
    return [x for x in m.assets if x.model == a.model] if a.model else [a]


WARNINGS: dict[str, Callable[[SystemModel, Known], Iterator[Found]]] = {
    "unused-tool": _unused_tools,
    "model-without-owner": _unowned_models,
    "unreached-public-model": _unreached_public_models,
    "idle-credential": _idle_credentials,
    "unused-asset": _untouched_assets,
    "third-party-without-assumption": _uncovered_third_party_data,
    "entry-point-id": _entry_point_ids,
}
"""Warning code -> what finds it, given the model and what the knowledge base says."""


def find_warnings(ctx: Context, model: SystemModel) -> tuple[Diagnostic, ...]:
    """Every warning about ``model``, located at the element it concerns."""
    known = Known(frozenset(ctx.vocab.access_types), frozenset(ctx.vocab.entry_points))
    found = [(code, f) for code, fn in WARNINGS.items() for f in fn(model, known)]
    out = [
        Diagnostic(code, message, model.location(ident), hint, severity="warning")
        for code, (ident, message, hint) in found
    ]
    return tuple(sorted(out, key=Diagnostic.sort_key))
