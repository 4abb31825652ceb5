"""What every step of resolution shares: the merged files, the vocabulary, the ids collected,
the problems found so far and the did-you-mean budget."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actm.errors import Diagnostic, SourceLocation
from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary import Vocabulary
from actm.model.resolve.origins import Origin, SourceFile, merge_files
from actm.model.schema import ModelFile

__all__ = ["ARTICLES", "SUGGESTION_BUDGET", "Context", "and_list", "plural", "with_article"]

ARTICLES = {
    "owners": "an owner",
    "zones": "a zone",
    "nodes": "a node",
    "models": "a model",
    "assets": "an asset",
    "relations": "a relation",
    "tools": "a tool",
    "packages": "a package",
    "adversaries": "an adversary",
    "vulnerabilities": "a vulnerability",
    "assumptions": "an assumption",
    "controls": "a control",
    "recorded_threats": "a recorded threat",
}
"""Each section's element, with its article, for messages."""
SUGGESTION_BUDGET = 50_000
"""How many candidate names did-you-mean hints may compare in one model, in total."""


@dataclass
class Context:
    """The state of one resolution. Steps read the merged model through :meth:`items`, record
    problems with :meth:`err` and look elements up by id in ``ids``."""

    files: Sequence[SourceFile]
    vocab: Vocabulary
    known_attacks: Collection[str] | None
    tolerated: frozenset[str]
    merged: ModelFile
    origins: dict[str, list[Origin]]
    root_origin: Origin
    diags: list[Diagnostic] = field(default_factory=list)
    locations: dict[str, SourceLocation] = field(default_factory=dict)
    ids: dict[str, tuple[str, Any, Origin]] = field(default_factory=dict)
    """Element id -> (section, element, origin)."""
    extra_components: dict[str, set[str]] = field(default_factory=dict)
    """Asset id -> components referenced anywhere (added to the asset)."""
    suggest_budget: int = SUGGESTION_BUDGET
    _names: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    _declared: dict[str, frozenset[str]] = field(default_factory=dict)
    _node_owners: dict[str, str | None] | None = None

    @classmethod
    def of(
        cls,
        files: Sequence[SourceFile],
        vocab: Vocabulary,
        known_attacks: Collection[str] | None,
        tolerated: Collection[str],
    ) -> Context:
        merged, origins = merge_files(files)
        return cls(
            files,
            vocab,
            known_attacks,
            frozenset(tolerated),
            merged,
            origins,
            Origin(files[0].doc, ()),
        )

    def err(
        self,
        code: str,
        message: str,
        where: SourceLocation | None,
        hint: str | None = None,
    ) -> None:
        self.diags.append(Diagnostic(code, message, where, hint))

    def is_tolerated(self, ident: str) -> bool:
        """A reference to an element dropped for schema errors: already reported."""
        return ident.split(".", maxsplit=1)[0] in self.tolerated

    def items(self, section: str) -> list[tuple[Any, Origin]]:
        return list(zip(getattr(self.merged, section), self.origins[section], strict=True))

    def kind_of(self, ident: str) -> str | None:
        """The section of the element ``ident`` names, or None."""
        entry = self.ids.get(ident)
        return entry[0] if entry else None

    def suggest(self, word: str, sections: Sequence[str], *, what: str) -> str | None:
        """A did-you-mean hint among the ids of ``sections``, within a total work budget.

        Fuzzy matching costs time in the number of candidates; a hostile or generated model
        with many thousands of broken references would otherwise take minutes to report.
        """
        key = tuple(sections)
        names = self._names.get(key)
        if names is None:
            names = [i for i, (s, _, _) in self.ids.items() if s in key]
            self._names[key] = names
        return self.suggest_among(word, names, what=what)

    def suggest_among(self, word: str, names: Collection[str], *, what: str) -> str | None:
        if not self.spend(len(names)):
            return None
        return did_you_mean(word, names, what=what)

    def spend(self, candidates: int) -> bool:
        """Take ``candidates`` comparisons from the budget; False (nothing taken) when they do
        not fit."""
        if candidates > self.suggest_budget:
            return False
        self.suggest_budget -= max(candidates, 1)
        return True

    def first_party(self) -> frozenset[str]:
        """The owners that are a first party (``trust: first_party`` or ``first_party: true``),
        and the system's owner."""
        found = {o.id for o, _ in self.items("owners") if o.first_party or o.trust == "first_party"}
        if self.merged.system is not None and self.merged.system.owner:
            found.add(self.merged.system.owner)
        return frozenset(found)

    def node_owners(self) -> Mapping[str, str | None]:
        """Node id -> its owner: its own, or its zone's. Worked out once (the merged model does
        not change during a resolution): every credential without an issuer asks for it."""
        if self._node_owners is None:
            zone_owner = {z.id: z.owner for z, _ in self.items("zones")}
            self._node_owners = {
                n.id: n.owner if n.owner is not None else zone_owner.get(n.zone or "")
                for n, _ in self.items("nodes")
            }
        return self._node_owners

    def declared_components(self, asset_id: str) -> frozenset[str]:
        """The components a conventional asset declares itself (none for other ids)."""
        found = self._declared.get(asset_id)
        if found is None:
            entry = self.ids.get(asset_id)
            is_asset = entry is not None and entry[0] == "assets"
            found = frozenset(entry[1].components) if entry and is_asset else frozenset()
            self._declared[asset_id] = found
        return found


def with_article(word: str) -> str:
    """``word`` with its indefinite article."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def plural(word: str) -> str:
    """The English plural of a type name (``secret`` -> ``secrets``, ``policy`` -> ``policies``)."""
    if word.endswith("y") and word[-2:-1] not in ("", *"aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def and_list(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
