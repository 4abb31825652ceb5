"""The two kinds of ``where`` condition, and the compiled ``where`` clause.

A condition is one small class: its ``name`` (the key in an attack file), its value ``schema``
(the pydantic type of what the file writes), a description for the docs, and a check. A
*static* condition is about the one model or asset a requirement binds; a *relational* one
names another variable of the entry and relates the two bindings. A relational condition also
gives the candidates for one variable once the other is bound, both ways, so that the matcher
only tries bindings that can be related (the join stays near-linear on large models).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import StringConstraints

from actm.knowledge.conditions.view import OwnerFacts, SystemView
from actm.knowledge.vocabulary import Vocabulary

__all__ = [
    "ComponentCondition",
    "Condition",
    "Problem",
    "RelationalCondition",
    "StaticCondition",
    "Var",
    "Where",
]

V = TypeVar("V")

Var = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
"""A variable of an attack entry."""

Problem = tuple[str, str, str | None]
"""(code, message, hint) of a value a condition refuses, located by the caller."""


class Condition(ABC):
    """What every condition declares."""

    name: ClassVar[str]
    """The key under ``where:``."""
    schema: ClassVar[Any]
    """The pydantic type of the value an attack file writes."""
    doc: ClassVar[str]
    """How the docs table reads: ``| `name: example` | holds when ... |``."""
    example: ClassVar[str]
    """The key as the docs table shows it (``kind: [llm, agent]``)."""
    relational: ClassVar[bool] = False

    def check(self, raw: Any, vocab: Vocabulary) -> list[Problem]:
        """Problems with ``raw`` (the validated file value) against the vocabulary."""
        return []

    def compile(self, raw: Any) -> Any:
        """The value the check reads, or None when ``raw`` sets no condition (absent or
        empty)."""
        if isinstance(raw, list):
            return frozenset(raw) if raw else None
        if isinstance(raw, dict):
            return dict(raw) if raw else None
        return raw


class StaticCondition(Condition, Generic[V]):
    """A condition on the bound model or asset alone."""

    @abstractmethod
    def holds(self, value: V, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        """Whether ``owner`` (whose bound asset is ``asset``) meets the condition. It reads
        ``owner`` and, of ``view``, only what concerns ``asset`` (the kinds, settings and
        vulnerabilities of its nodes, its criticality): the engine keeps the answer for a
        rerun whose view gives the owner the same facts and the asset the same
        vulnerabilities."""

    def describe(self, value: V) -> str:
        """The value as the out-of-scope explanation shows it."""
        if isinstance(value, (frozenset, set, tuple, list)):
            return "/".join(sorted(value))
        if isinstance(value, Mapping):
            return ", ".join(f"{k} >= {v}" for k, v in sorted(value.items()))
        return str(value).lower()


class KeyedCondition(StaticCondition[Mapping[str, AbstractSet[str]]]):
    """A static condition whose value maps keys to lists of words (``{by: [...], ...}``); a key
    left out or empty sets nothing."""

    def compile(self, raw: Any) -> Any:
        value = {k: frozenset(v) for k, v in raw.items() if v}
        return value or None

    def describe(self, value: Mapping[str, AbstractSet[str]]) -> str:
        return "; ".join(f"{k}: {'/'.join(sorted(v))}" for k, v in sorted(value.items()))


class ComponentCondition(Condition, Generic[V]):
    """A condition on the component of the bound model's asset that the requirement's fact is
    on (for a requirement naming several components, the one that met it): the matcher checks
    it for each fact, so that one component of an entry can demand what another need not."""

    @abstractmethod
    def holds(self, value: V, owner: OwnerFacts, view: SystemView, component: str | None) -> bool:
        """Whether the fact on ``component`` of ``owner`` (None: the whole asset) meets it."""

    def describe(self, value: V) -> str:
        """The value as the out-of-scope explanation shows it."""
        return str(value).lower()


class RelationalCondition(Condition):
    """A condition between the bound element (``me``) and another variable's (``other``)."""

    relational: ClassVar[bool] = True
    schema: ClassVar[Any] = Var
    """The value names the other variable."""
    model_only: ClassVar[bool] = False
    """The other variable must be a model variable."""
    per_component: ClassVar[bool] = False
    """The relation is between the other binding and the component of ``me`` the
    requirement's fact is on: :meth:`holds` is its test on the bindings alone (some component),
    :meth:`holds_on` the test the matcher makes once it knows the component."""

    @abstractmethod
    def holds(self, view: SystemView, me: str, other: str) -> bool:
        """Whether the two bindings are related as the condition demands."""

    def holds_on(self, view: SystemView, me: str, other: str, component: str | None) -> bool:
        """Whether the fact on ``component`` of ``me`` (None: the whole asset) is related to
        ``other`` as the condition demands."""
        return self.holds(view, me, other)

    def forward(self, view: SystemView, other: str) -> AbstractSet[str] | None:
        """The only bindings ``me`` can take once ``other`` is bound; None: no narrowing.

        A class that overrides this (or :meth:`backward`) must return a set for every
        binding, None being the base class's answer alone: the matcher plans the order of its
        joins by whether a condition's class narrows (engine/joins.py)."""
        return None

    def backward(self, view: SystemView, me: str) -> AbstractSet[str] | None:
        """The only bindings ``other`` can take once ``me`` is bound; None: no narrowing."""
        return None


@dataclass(frozen=True, slots=True)
class Where:
    """A requirement's conditions as (condition, value) pairs, static and relational apart
    (each in the registry's order) so that the matcher loops over exactly the ones it needs."""

    static: tuple[tuple[StaticCondition[Any], Any], ...] = ()
    relational: tuple[tuple[RelationalCondition, str], ...] = ()
    component: tuple[tuple[ComponentCondition[Any], Any], ...] = ()
    """Conditions on the component a fact meeting the requirement is on."""
    along: tuple[tuple[RelationalCondition, str], ...] = ()
    """The relational conditions that are ``per_component`` (also in ``relational``)."""

    def other_vars(self) -> tuple[str, ...]:
        """The variables the relational conditions name, in the registry's order."""
        return tuple(other for _cond, other in self.relational)
