"""The compiled attack knowledge base: frozen entries the engine reads, and their container."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from actm.errors import SourceLocation
from actm.knowledge.attacks.citations import Citation, Reference, group_references
from actm.knowledge.conditions import Where
from actm.knowledge.controls import ControlTemplate
from actm.knowledge.frameworks import Framework
from actm.knowledge.vocabulary import Vocabulary

__all__ = ["AttackPattern", "Impact", "KnowledgeBase", "Requirement", "Step", "Yield"]


@dataclass(frozen=True, slots=True)
class Requirement:
    var: str
    asset_types: tuple[str, ...]
    components: tuple[str, ...] | None
    """None: the whole asset; else any one of these components."""
    capability: str | None
    """None for a structural requirement: the asset must exist, no capability is needed."""
    persistent: bool
    pipeline: str | None
    where: Where
    whole: bool = False
    """The capability must hold on the whole asset, not only on a part lifted from a component."""

    def describe(self) -> str:
        types = "/".join(self.asset_types)
        comp = f".{'/'.join(self.components)}" if self.components else ""
        comp = comp or (" (whole)" if self.whole else "")
        pers = " (persistent)" if self.persistent else ""
        if self.capability is None:
            return f"{self.var}:{types}{comp} exists"
        return f"{self.capability} on {self.var}:{types}{comp}{pers}"


@dataclass(frozen=True, slots=True)
class Yield:
    var: str
    asset_type: str | None
    """None: the asset bound to ``var`` itself."""
    component: str | None
    capability: str
    persistent: bool


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    description: str | None
    requires: tuple[Requirement, ...]
    yields: tuple[Yield, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    var: str
    asset_type: str | None
    """The model's asset type for a model variable; None for an asset variable."""
    component: str | None
    classes: tuple[str, ...]
    """The protections the attack breaks; severity takes the worst of them."""


@dataclass(frozen=True, slots=True)
class AttackPattern:
    id: str
    kind: str
    title: str
    description: str
    likelihood: str
    maturity: str
    steps: tuple[Step, ...]
    impact: Impact | None
    controls: tuple[str, ...]
    references: Mapping[str, tuple[str, ...]]
    """Framework id -> the item ids every threat of the entry cites (its fixed ``references``),
    in the order it writes them."""
    variables: tuple[str, ...]
    """Variables in order of first use."""
    key_vars: tuple[str, ...]
    """Variables whose bindings identify a threat, in order of first use."""
    var_sort: Mapping[str, str]
    """Variable -> 'model' or 'asset'."""
    source: str
    cites: tuple[Reference, ...] = ()
    """The fixed references with the step that performs each, in the order written."""
    citations: tuple[Citation, ...] = ()
    """The conditional references (``references_when``), in the order written."""
    one_adversary: bool = False
    """Whether one adversary must do every step: a threat only cooperating entry points close
    is dropped (engine/verdict.py, ``one_adversary``)."""

    def requirements(self) -> tuple[Requirement, ...]:
        return tuple(r for s in self.steps for r in s.requires)

    def cited(self, applicable: Iterable[int] = ()) -> dict[str, tuple[str, ...]]:
        """Framework id -> item ids a threat cites: the fixed references, then those of the
        citations at the indices ``applicable`` (in the order written), without repeats."""
        chosen = sorted(set(applicable))
        return group_references([*self.cites, *(r for i in chosen for r in self.citations[i].adds)])

    def every_reference(self) -> tuple[Reference, ...]:
        """Every reference the entry may cite: fixed, then conditional."""
        return (*self.cites, *(r for c in self.citations for r in c.adds))


@dataclass(frozen=True)
class KnowledgeBase:
    attacks: Mapping[str, AttackPattern]
    vocabulary: Vocabulary
    locations: Mapping[str, SourceLocation]
    frameworks: Mapping[str, Framework] = field(default_factory=dict)
    """The reference frameworks, by id (in the order their files were read)."""
    mappings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Framework id -> item id -> entries tied to it by a mapping file (sorted ids)."""
    controls: tuple[ControlTemplate, ...] = ()
    """The control catalog the mitigation planner proposes from (sorted by id)."""

    def sorted(self) -> list[AttackPattern]:
        return [self.attacks[k] for k in sorted(self.attacks)]

    def covering(self, framework: str) -> dict[str, tuple[str, ...]]:
        """Item id -> ids of the entries that cover it: their own references plus mappings.

        Only covered items appear: in the framework's order for its listed items, then any
        other ids (of an open framework) sorted. Entry ids are sorted.
        """
        found: dict[str, set[str]] = {}
        for attack in self.attacks.values():
            for ref in attack.every_reference():
                if ref.framework == framework:
                    found.setdefault(ref.id, set()).add(attack.id)
        for item, ids in self.mappings.get(framework, {}).items():
            found.setdefault(item, set()).update(ids)
        fw = self.frameworks.get(framework)
        listed = [i.id for i in fw.items] if fw is not None else []
        order = [i for i in listed if i in found] + sorted(set(found) - set(listed), key=_natural)
        return {i: tuple(sorted(found[i])) for i in order}

    def covers(self, attack_id: str) -> dict[str, tuple[str, ...]]:
        """Framework id -> items the entry covers, through its references (fixed or
        conditional) or a mapping."""
        attack = self.attacks[attack_id]
        everything = group_references(attack.every_reference())
        out: dict[str, list[str]] = {k: list(v) for k, v in everything.items() if v}
        for fw, items in self.mappings.items():
            for item, ids in items.items():
                if attack_id in ids and item not in out.get(fw, ()):
                    out.setdefault(fw, []).append(item)
        return {k: tuple(v) for k, v in out.items()}


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders the numbers inside ids by value: CWE-78 before CWE-200."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )
