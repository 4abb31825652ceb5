"""The registry of ``where`` conditions: one class per condition, one table.

:data:`CONDITIONS` maps each key an attack file may write under ``where:`` to its condition
(:mod:`.static`: about the bound model or asset; :mod:`.relational`: between two variables).
The attack-file schema of ``where`` (:data:`WhereIn`) is generated from it, the loader checks
values and compiles them into a :class:`Where` through it, and the engine's matcher evaluates
the pairs of a :class:`Where` against a :class:`~.view.SystemView` it implements. A new
condition is one class added to a table here, plus a fixture (tests/engine/where/).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, create_model

from actm.knowledge.conditions.base import (
    ComponentCondition,
    Condition,
    Problem,
    RelationalCondition,
    StaticCondition,
    Var,
    Where,
)
from actm.knowledge.conditions.relational import RELATIONAL
from actm.knowledge.conditions.settings import SETTINGS
from actm.knowledge.conditions.static import COMPONENT, STATIC
from actm.knowledge.conditions.view import Index, OwnerFacts, SystemView
from actm.knowledge.vocabulary import Vocabulary

__all__ = [
    "CONDITIONS",
    "ComponentCondition",
    "Condition",
    "Index",
    "OwnerFacts",
    "RelationalCondition",
    "StaticCondition",
    "SystemView",
    "Var",
    "Where",
    "WhereIn",
    "check_where",
    "compile_where",
]

CONDITIONS: Mapping[str, Condition] = {
    c.name: c for c in (*STATIC, *COMPONENT, *SETTINGS, *RELATIONAL)
}
"""Key under ``where:`` -> its condition: static ones first (on the bound element, then on the
component a fact meeting it is on, then on the settings the model states), then relational
ones."""

if TYPE_CHECKING:

    class WhereIn(BaseModel):
        """The ``where`` mapping of a requirement, as the attack file writes it."""

else:
    # named like the other attack-file classes: pydantic shows the name in its messages
    WhereIn = create_model(
        "_WhereIn",
        __config__=ConfigDict(extra="forbid", frozen=True, defer_build=True),
        __doc__="The ``where`` mapping of a requirement, as the attack file writes it.",
        **{name: (c.schema | None, None) for name, c in CONDITIONS.items()},
    )


def _raw(where: WhereIn | None) -> Iterator[tuple[Condition, Any]]:
    """(condition, value as written) for every condition ``where`` sets."""
    if where is None:
        return
    for name, cond in CONDITIONS.items():
        raw = getattr(where, name)
        if raw is not None:
            yield cond, raw


def check_where(where: WhereIn | None, vocab: Vocabulary) -> list[tuple[str, Problem]]:
    """(condition name, problem) for every value the vocabulary does not know."""
    return [(cond.name, p) for cond, raw in _raw(where) for p in cond.check(raw, vocab)]


def compile_where(where: WhereIn | None) -> Where:
    """The (condition, value) pairs of ``where``; an empty list or mapping sets nothing."""
    static: list[tuple[StaticCondition[Any], Any]] = []
    relational: list[tuple[RelationalCondition, str]] = []
    component: list[tuple[ComponentCondition[Any], Any]] = []
    for cond, raw in _raw(where):
        value = cond.compile(raw)
        if value is None:
            continue
        if isinstance(cond, RelationalCondition):
            relational.append((cond, value))
        elif isinstance(cond, ComponentCondition):
            component.append((cond, value))
        else:
            assert isinstance(cond, StaticCondition)
            static.append((cond, value))
    along = tuple((cond, other) for cond, other in relational if cond.per_component)
    return Where(tuple(static), tuple(relational), tuple(component), along)
