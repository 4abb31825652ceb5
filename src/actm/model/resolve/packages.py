"""Packages and images whose code runs on nodes: their publisher and nodes checked, the implicit
asset of each (its code, processed where it runs), and the implicit assumption that a publisher
other than a first party can change that code, justified only for a pinned, verified package."""

from __future__ import annotations

from actm.model.resolve.assets import implicit_asset
from actm.model.resolve.context import Context
from actm.model.resolve.refs import pipeline_of, ref
from actm.model.system import Asset, Assumption, Package

__all__ = ["build_package_assets", "build_packages", "package_assumptions"]

PACKAGE_ASSUMPTION = "package:{}"
"""The id of the assumption a package implies (not a valid element id: it cannot clash)."""


def build_packages(ctx: Context) -> tuple[Package, ...]:
    """Every package, running on its ``runs_on`` nodes and on every MCP server that names it."""
    served: dict[str, list[str]] = {}
    for n, _ in ctx.items("nodes"):
        if n.mcp is not None and n.mcp.package is not None:
            served.setdefault(n.mcp.package, []).append(n.id)
    out = []
    for p, origin in ctx.items("packages"):
        ref(ctx, p.publisher, ("owners",), origin, "publisher", what="publisher")
        for i, nid in enumerate(p.runs_on):
            ref(ctx, nid, ("nodes",), origin, "runs_on", i, what="node")
        runs_on = tuple(dict.fromkeys([*p.runs_on, *served.get(p.id, ())]))
        out.append(
            Package(
                p.id,
                p.name,
                p.description,
                p.ecosystem,
                p.version,
                p.pinned,
                p.verified,
                p.publisher,
                runs_on,
            )
        )
    return tuple(out)


def build_package_assets(ctx: Context, packages: tuple[Package, ...]) -> list[Asset]:
    """The asset of each package: its code, processed on every node where it runs."""
    written = {p.id: p for p, _ in ctx.items("packages")}
    return [
        implicit_asset(ctx, written[p.id], "package", p.runs_on, p.publisher, package=p.id)
        for p in packages
    ]


def package_assumptions(ctx: Context, packages: tuple[Package, ...]) -> list[Assumption]:
    """For each package a first party does not publish: its publisher can change its code.
    Justified when the package is pinned and verified at install. Where a tool writes the
    package (installs whatever name it is given) and nothing pins or verifies it, its publisher
    is whoever registered that name: anyone on the internet, not a supplier (reach
    ``internet``)."""
    first_party = ctx.first_party()
    capability = ctx.vocab.agency.package_requires
    installed = _written_by_tools(ctx)
    out = []
    for p in packages:
        if p.publisher in first_party or ctx.kind_of(p.publisher) != "owners":
            continue
        justified = p.pinned and p.verified
        out.append(
            Assumption(
                id=PACKAGE_ASSUMPTION.format(p.id),
                description=f"{p.publisher} can change the code of {p.name}",
                producer=p.publisher,
                asset=p.id,
                component=None,
                capability=capability,
                persistent=True,
                sends=(),
                justification="pinned to a version and verified at install" if justified else None,
                status="justified" if justified else "unjustified",
                pipeline=pipeline_of(ctx, p.id),
                implicit=True,
                reach=_reach(p, installed),
            )
        )
    return out


def _reach(p: Package, installed: frozenset[str]) -> str:
    """``internet`` for a package whose name a tool takes and nothing pins or verifies."""
    return "internet" if p.id in installed and not (p.pinned or p.verified) else "operator"


def _written_by_tools(ctx: Context) -> frozenset[str]:
    """The ids some tool's permissions write."""
    return frozenset(str(w) for t, _ in ctx.items("tools") for w in t.permissions.write)
