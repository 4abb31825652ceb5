"""The model in a canonical order, so that nothing the engine derives depends on file order.

The closure keeps the first derivation it finds of each fact, and which one comes first follows
the order in which seeds are applied and adjacency lists are walked. Both are built by walking
the model, so a model whose keys or list entries are shuffled would show another (equally
short) chain, and ``actm diff`` would report a change where there is none. The engine therefore
compiles :func:`canonical` of the model: every section sorted by id, and inside every element
each tuple sorted and each mapping ordered by key. Triage keeps its order (it is not the
engine's), and so does what an element lists only to be shown (``evidence``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from actm.model.schema import SECTIONS
from actm.model.system import SystemModel

__all__ = ["canonical"]

_SECTIONS = tuple(s for s in SECTIONS if s not in ("triage", "recorded_threats"))
"""Sections sorted by id: the model file's sections but triage and recorded threats, which never
reach the engine (one a model lacks is skipped)."""

_KEEP = frozenset({"evidence"})
"""Fields whose order is the user's and never reaches the engine."""

_CACHE = "_canonical"
_MARK = "_is_canonical"

T = TypeVar("T")


def _key(value: object) -> str:
    return repr(value)


def _ordered(value: object) -> object:
    """``value`` with its own order made canonical: tuples sorted, mappings by key (one level:
    the elements of a section hold flat tuples and mappings of plain values or records)."""
    if isinstance(value, tuple):
        return tuple(sorted(value, key=_key))
    if isinstance(value, Mapping):
        return {k: _ordered(v) for k, v in sorted(value.items(), key=lambda kv: _key(kv[0]))}
    return value


def _element(element: T) -> T:
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(element):  # type: ignore[arg-type]
        value = getattr(element, f.name)
        if f.name not in _KEEP and isinstance(value, (tuple, Mapping)):
            changes[f.name] = _ordered(value)
    return dataclasses.replace(element, **changes) if changes else element  # type: ignore[type-var]


def canonical(model: SystemModel) -> SystemModel:
    """``model`` with sections sorted by id and each element's lists and mappings ordered;
    computed once per model (the result is kept on it)."""
    if model.__dict__.get(_MARK):
        return model
    cached: SystemModel | None = model.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    changes: dict[str, Any] = {}
    for name in _SECTIONS:
        section = getattr(model, name, None)
        if section is None:
            continue
        changes[name] = tuple(sorted((_element(e) for e in section), key=lambda e: e.id))
    out = dataclasses.replace(model, **changes)
    out.__dict__[_MARK] = True
    model.__dict__[_CACHE] = out
    return out
