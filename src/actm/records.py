"""Frozen records that are quick to build: :func:`quick_init`.

A frozen dataclass's ``__init__`` stores each field with ``object.__setattr__(self, name,
value)`` (its own ``__setattr__`` refuses every assignment), which looks the attribute up by
name for every field of every record. An analysis builds several records per threat (its
decoding, severity, verdict, finding and report record), and a hub of 30,000 threats spends a
tenth of a second or more in those calls alone. :func:`quick_init` gives such a class an
``__init__`` that stores each field through its slot's descriptor instead: the same
parameters, defaults and values, and the record stays as frozen as before (assigning to it
still raises ``FrozenInstanceError``).

Records also cross between processes (a big model's reruns run in worker processes and send
back what they found: routes, decoded threats). Unpickling a frozen slotted dataclass calls its
``__setstate__``, which stores each field with ``object.__setattr__`` again, in Python, field by
field; a :func:`quick_init` record is pickled as a call of its quick ``__init__`` with its
field values instead (``__reduce__``), which builds the same record in about half the time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

__all__ = ["quick_init", "slot_setters"]

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Give the frozen, slotted dataclass ``cls`` an ``__init__`` that stores each field
    through its slot (see the module). Only plain fields are supported (positional or keyword,
    with or without a default value or factory; no ``InitVar``, ``init=False``, keyword-only
    field or ``__post_init__``): anything else raises :class:`TypeError` when the class is
    defined, so no record is ever built differently from its dataclass ``__init__``."""
    unfit = _unfit(cls)
    if unfit:
        raise TypeError(f"{cls.__name__}{unfit}")
    env: dict[str, Any] = {"_FACTORY": _FACTORY}
    args: list[str] = []
    body: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = f.name
        env[f"_set_{name}"] = cls.__dict__[name].__set__
        if f.default is not dataclasses.MISSING:
            env[f"_default_{name}"] = f.default
            args.append(f"{name}=_default_{name}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_make_{name}"] = f.default_factory
            args.append(f"{name}=_FACTORY")
            body.append(f"    if {name} is _FACTORY:\n        {name} = _make_{name}()")
        else:
            args.append(name)
        body.append(f"    _set_{name}(self, {name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + "\n".join(body or ["    pass"])
    made: dict[str, Any] = {}
    exec(source, env, made)  # the source is built from the field names above alone
    init = made["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    init.__doc__ = cls.__init__.__doc__
    type.__setattr__(cls, "__init__", init)
    type.__setattr__(cls, "__reduce__", _reducer(cls))
    return cls


def slot_setters(cls: type) -> tuple[tuple[str, Callable[[object, object], None]], ...]:
    """(field, its slot's setter) of each field of ``cls``, in order: how to store a record's
    fields as :func:`quick_init` does; none when ``cls`` is not fit for that (its records are
    then built through their ``__init__``)."""
    if _unfit(cls):
        return ()
    return tuple((f.name, cls.__dict__[f.name].__set__) for f in dataclasses.fields(cls))


def _unfit(cls: type) -> str:
    """Why the records of ``cls`` cannot be stored slot by slot ('' when they can): it must be
    a frozen, slotted dataclass without ``__post_init__`` whose fields are all plain (set by
    ``__init__``, not keyword-only, with their slot in the class itself)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        return ": quick_init needs a frozen dataclass with slots"
    if hasattr(cls, "__post_init__"):
        return ": quick_init does not run __post_init__"
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only or f.name not in cls.__dict__:
            return f".{f.name}: quick_init supports plain fields only"
    return ""


def _reducer(cls: type[Any]) -> Any:
    """``__reduce__`` for ``cls``: the record rebuilt by calling the class with its field
    values, in their order (through the quick ``__init__``; see the module)."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    values = attrgetter(*names) if len(names) > 1 else None

    def __reduce__(self: Any) -> tuple[type[Any], tuple[Any, ...]]:
        if values is None:
            return cls, tuple(getattr(self, n) for n in names)
        return cls, values(self)

    __reduce__.__qualname__ = f"{cls.__qualname__}.__reduce__"
    __reduce__.__module__ = cls.__module__
    return __reduce__


class _Factory:
    """Marks a parameter left to its field's default factory (as dataclasses does)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()
