"""What every table builder shares: the merged entries, the problems found so far, and the
checks of names against the tables already built (capabilities, asset types)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from actm.errors import Diagnostic
from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary.frozen import AssetTypeInfo, TypeSpec
from actm.knowledge.vocabulary.layers import EntryOrigin, Merged
from actm.knowledge.vocabulary.schema import TypeSpecIn

__all__ = ["Builder"]


@dataclass
class Builder:
    """The state of one build. Tables are built in order; each may check names against the
    tables built before it (``capabilities`` first, then ``asset_types``)."""

    merged: Merged
    errors: list[Diagnostic] = field(default_factory=list)
    capabilities: tuple[str, ...] = ()
    capability_class: dict[str, str] = field(default_factory=dict)
    asset_types: dict[str, AssetTypeInfo] = field(default_factory=dict)

    def bad(self, origin: EntryOrigin, code: str, message: str, hint: str | None = None) -> None:
        """A problem with the entry at ``origin``."""
        self.errors.append(Diagnostic(code, message, origin.location(), hint))

    def missing(self, message: str, code: str = "missing-entry") -> None:
        """A problem with no single place: something the files must define and do not."""
        self.errors.append(Diagnostic(code, message, None))

    def check_cap(self, name: str, origin: EntryOrigin, what: str) -> None:
        self._check_known(name, self.capabilities, "capability", origin, what)

    def check_type(self, name: str, origin: EntryOrigin, what: str) -> None:
        self._check_known(name, self.asset_types, "asset type", origin, what)

    def _check_known(
        self, name: str, known: Collection[str], noun: str, origin: EntryOrigin, what: str
    ) -> None:
        if name not in known:
            self.bad(
                origin,
                f"unknown-{noun.replace(' ', '-')}",
                f"{what}: unknown {noun} {name!r}",
                did_you_mean(name, known),
            )

    def check_ai_type(self, name: str, origin: EntryOrigin, what: str) -> None:
        """``name`` must be an asset type that models own."""
        self.check_type(name, origin, what)
        if name in self.asset_types and self.asset_types[name].category != "ai":
            self.bad(origin, "not-ai-type", f"{what}: {name} is not an AI asset type")

    def check_components(
        self, asset_type: str, components: Iterable[str], origin: EntryOrigin, what: str
    ) -> None:
        """Each of ``components`` must be a component of ``asset_type`` (when that type
        exists; an unknown type is reported by :meth:`check_type`)."""
        info = self.asset_types.get(asset_type)
        if info is None:
            return
        for c in components:
            if c not in info.components:
                self.bad(
                    origin,
                    "unknown-component",
                    f"{what}: {asset_type} has no component {c!r}",
                    did_you_mean(c, info.components),
                )

    def spec(self, s: TypeSpecIn, origin: EntryOrigin, what: str) -> TypeSpec:
        for t in s.types:
            self.check_type(t, origin, what)
        return TypeSpec(frozenset(s.types), frozenset(s.categories))
