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
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from actm.model.schema import SECTIONS
from actm.model.system import SystemModel
from actm.records import slot_setters

__all__ = ["canonical", "kept", "memo"]

_SECTIONS = tuple(s for s in SECTIONS if s not in ("triage", "recorded_threats"))
"""Sections sorted by id: the model file's sections but triage and recorded threats, which never
reach the engine (one a model lacks is skipped)."""

_KEEP = frozenset({"evidence"})
"""Fields whose order is the user's and never reaches the engine."""

_CACHE = "_canonical"
_MARK = "_is_canonical"
_MEMO = "_memo"

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


_PLAIN = (str, int, float, type(None))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(element: object) -> tuple[str, ...]:
    """The fields of an element (by its class) whose order may need to be made canonical."""
    cls = type(element)
    names = _FIELDS.get(cls)
    if names is None:
        fields = dataclasses.fields(element)  # type: ignore[arg-type]
        names = _FIELDS[cls] = tuple(f.name for f in fields if f.name not in _KEEP)
    return names


def _same(value: object, ordered: object) -> bool:
    """Whether ``ordered`` (from :func:`_ordered`) is ``value`` as it was, order included."""
    if isinstance(value, Mapping):
        return (
            isinstance(value, dict)
            and isinstance(ordered, dict)
            and list(value) == list(ordered)
            and all(_same(v, ordered[k]) for k, v in value.items())
        )
    return type(value) is type(ordered) and value == ordered


def _plain_dict(value: dict[Any, Any]) -> dict[Any, Any] | None:
    """``value`` (a dict of plain values) in canonical order, itself when it is in that order
    already; None when a value is not plain (:func:`_ordered` orders it then)."""
    for v in value.values():
        if type(v) not in _PLAIN_TYPES:
            return None
    keys = sorted(value, key=_key)
    if keys == list(value):
        return value
    return {k: value[k] for k in keys}


_PLAIN_TYPES = frozenset(_PLAIN)
_UNORDERED = (frozenset, bool)
"""Values with no order of their own (as :func:`_element` checks them before the slower ABC
check): a frozenset compares equal whatever its order."""


def _element(element: T) -> T:
    """``element`` with its lists and mappings in canonical order (itself when they are: most
    elements of a large model list one thing or nothing, and a copy costs a validation)."""
    changes: dict[str, Any] = {}
    for name in _fields(element):
        value = getattr(element, name)
        # plain values first: checking against the Mapping ABC is slow, and most are plain;
        # then what is in order whatever it holds (no entry or one in a tuple, an empty dict)
        kind = type(value)
        if kind in _PLAIN_TYPES or kind in _UNORDERED:
            continue
        if kind is tuple:
            if len(value) < 2:
                continue
        elif kind is dict:
            if not value:
                continue
            # a dict of plain values (a criticality): ordered by its keys, without the
            # recursion of _ordered or the comparison of _same
            found = _plain_dict(value)
            if found is not None:
                if found is not value:
                    changes[name] = found
                continue
        elif isinstance(value, _PLAIN):
            continue
        if isinstance(value, (tuple, Mapping)):
            ordered = _ordered(value)
            if not _same(value, ordered):
                changes[name] = ordered
    return _copied(element, changes) if changes else element


def _copied(element: T, changes: Mapping[str, Any]) -> T:
    """``element`` with the fields ``changes`` names replaced: what ``dataclasses.replace``
    gives, stored slot by slot for the model's records (frozen, slotted, every field set by
    ``__init__``, no ``__post_init__``) instead of through a call of ``__init__``."""
    cls = type(element)
    setters = _SETTERS.get(cls)
    if setters is None:
        setters = _SETTERS[cls] = slot_setters(cls)
    if not setters:
        return dataclasses.replace(element, **changes)  # type: ignore[type-var]
    out = object.__new__(cls)
    for name, store in setters:
        store(out, changes[name] if name in changes else getattr(element, name))
    return out


_SETTERS: dict[type, tuple[tuple[str, Callable[[object, object], None]], ...]] = {}
"""Each record class's :func:`~actm.records.slot_setters`, found once."""


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


def memo(model: SystemModel, key: str, build: Callable[[], T], *, on: object = None) -> T:
    """What ``build()`` gives for ``model``, computed once and kept on it (for ``on``, when it
    depends on another object too: computed again for another one).

    For what no control changes (indexes of its assets, targets and nodes): every run of one
    analysis, the counterfactual reruns without some controls included, shares it. What is
    kept is shared, never copied: the engine only reads it."""
    found: dict[str, tuple[object, Any]] = model.__dict__.setdefault(_MEMO, {})
    kept = found.get(key)
    if kept is not None and kept[0] is on:
        value: T = kept[1]
        return value
    value = build()
    found[key] = (on, value)
    return value


def kept(model: SystemModel, key: str, *, on: object = None) -> Any:
    """What :func:`memo` keeps for ``model`` under ``key`` (for ``on``), or None: nothing is
    built."""
    found: dict[str, tuple[object, Any]] = model.__dict__.get(_MEMO, {})
    entry = found.get(key)
    return entry[1] if entry is not None and entry[0] is on else None
