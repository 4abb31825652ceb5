"""Fit a draft to the model format of this actm: keys it lacks become review notes.

Importers draft with every key of the model format they know of. Should the format of the
actm that reads the draft lack one (an older release, a section not there yet), writing it
would make the whole file invalid; instead the key and its value move into a review note on the
element (``# review: mcp: ... (this actm's model format has no such key)``) and an element of
a missing section becomes a note. The format is read from the schema classes themselves
(:mod:`actm.model.schema`), so nothing here lists keys.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Union

from pydantic import BaseModel

from actm.importers.draft import Draft, Element, Note, Review, frozen, thawed
from actm.model.schema import ModelFile, SystemIn

__all__ = ["fit"]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The one schema class an annotation holds (inside Optional, list, Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None:
        return None
    found = [m for a in typing.get_args(annotation) if (m := _model_in(a)) is not None]
    if origin in (Union, types.UnionType, list, tuple, typing.Annotated) and len(found) == 1:
        return found[0]
    return None


def _keys(cls: type[BaseModel]) -> dict[str, Any]:
    """The keys of ``cls`` as a file writes them (aliases) -> their annotations."""
    return {f.alias or name: f.annotation for name, f in cls.model_fields.items()}


def _split(
    value: Mapping[str, Any], cls: type[BaseModel], prefix: str
) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """``value`` with only the keys ``cls`` knows, and the (dotted key, value) left out."""
    known = _keys(cls)
    kept: dict[str, Any] = {}
    dropped: list[tuple[str, Any]] = []
    for key, v in value.items():
        if key not in known:
            dropped.append((prefix + key, v))
            continue
        sub = _model_in(known[key])
        if sub is not None and isinstance(v, Mapping):
            kept[key], more = _split(v, sub, f"{prefix}{key}.")
            dropped += more
        elif sub is not None and isinstance(v, tuple):
            items = []
            for item in v:
                if isinstance(item, Mapping):
                    fitted, more = _split(item, sub, f"{prefix}{key}.")
                    items.append(fitted)
                    dropped += more
                else:
                    items.append(item)
            kept[key] = items
        else:
            kept[key] = v
    return kept, dropped


def _shown(value: Any) -> str:
    text = json.dumps(thawed(value), ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _fit(element: Element, cls: type[BaseModel]) -> Element:
    kept, dropped = _split(element.fields, cls, "")
    if not dropped:
        return element
    notes = tuple(
        Review(key, f"{_shown(v)} (this actm's model format has no such key yet)")
        for key, v in dropped
    )
    return replace(element, fields=frozen(kept), review=element.review + notes)


def fit(draft: Draft) -> Draft:
    """``draft`` with only what this actm's model format can hold."""
    sections = _keys(ModelFile)
    elements: list[Element] = []
    notes: list[Note] = list(draft.notes)
    for e in draft.elements:
        cls = _model_in(sections.get(e.section))
        if cls is None:
            notes.append(
                Note(
                    "unplaced",
                    f"{e.section}: {e.id} (this actm's model format has no "
                    f"{e.section}: section yet)",
                    e.origin,
                )
            )
            continue
        elements.append(_fit(e, cls))
    system = _fit(draft.system, SystemIn) if draft.system is not None else None
    return replace(draft, system=system, elements=tuple(elements), notes=tuple(notes))
