"""The engine's derivation rules as the report shows them (``vocabulary/rules.yaml``).

Each entry names one derivation rule of the engine and gives the wording of a chain step it
derives (``text``, and named ``variants`` the engine picks for some steps) and the team views it
puts a threat in. This module validates the file's shape and the team names; which rules exist
and which placeholders and variants each one fills in is the engine's to check
(:mod:`actm.engine.wording`), since the rules are the engine's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from actm.errors import Diagnostic, SourceLocation
from actm.io.diagnose import did_you_mean
from actm.io.yaml import YamlDocument

__all__ = ["ChainWording", "RuleIn", "RuleWording", "RulesFile", "build_rules"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class RuleIn(_In):
    id: str
    teams: list[str]
    """Required, even when empty: an overlay that rewords a rule restates its teams."""
    text: str
    variants: dict[str, str] = {}


class RulesFile(_In):
    persistent_mark: str | None = None
    rules: list[RuleIn] = []


@dataclass(frozen=True, slots=True)
class RuleWording:
    """How one derivation rule reads in a chain, and the team views it belongs to."""

    id: str
    teams: tuple[str, ...]
    text: str
    variants: Mapping[str, str]
    location: SourceLocation | None = None
    """Where the entry is written."""
    locations: Mapping[str, SourceLocation] = field(default_factory=dict)
    """``text`` and each variant name -> where that template is written."""

    def template(self, variant: str = "") -> str:
        """The wording of ``variant`` ("" for ``text``)."""
        return self.variants[variant] if variant else self.text


@dataclass(frozen=True)
class ChainWording:
    """Every rule's wording and teams, and the mark of a persistent change."""

    rules: Mapping[str, RuleWording] = field(default_factory=dict)
    persistent_mark: str = ""
    """Appended to a capability where the change persists (the ``{persistent}`` placeholder)."""

    def team_rules(self, team: str) -> frozenset[str]:
        """The rules that put a threat in ``team``'s view."""
        return frozenset(r.id for r in self.rules.values() if team in r.teams)


class _Origin(Protocol):
    @property
    def doc(self) -> YamlDocument: ...

    @property
    def path(self) -> tuple[str | int, ...]: ...


def build_rules(
    entries: Iterable[tuple[RuleIn, _Origin]],
    persistent_mark: str | None,
    teams: Collection[str],
) -> tuple[ChainWording, list[Diagnostic]]:
    """The merged entries and ``persistent_mark`` of rules.yaml, and the problems found: a
    team that teams.yaml does not define, or no ``persistent_mark``."""
    out: dict[str, RuleWording] = {}
    errors: list[Diagnostic] = []
    if persistent_mark is None:
        errors.append(Diagnostic("missing-entry", "rules.yaml must define persistent_mark"))
    for entry, origin in entries:
        here = origin.doc.locate(origin.path)
        for team in entry.teams:
            if team not in teams:
                errors.append(
                    Diagnostic(
                        "unknown-team",
                        f"rule {entry.id}: unknown team {team!r}",
                        here,
                        did_you_mean(team, teams, what="teams"),
                    )
                )
        locations = {"text": origin.doc.locate((*origin.path, "text"))}
        for name in entry.variants:
            locations[name] = origin.doc.locate((*origin.path, "variants", name))
        out[entry.id] = RuleWording(
            entry.id,
            tuple(entry.teams),
            entry.text,
            dict(entry.variants),
            here,
            locations,
        )
    return ChainWording(out, persistent_mark or ""), errors
