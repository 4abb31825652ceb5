"""The control catalog: kinds of control the mitigation planner may propose.

An entry is a template (``knowledge/data/controls/*.yaml``): what it is applied to (``on``: a
tool, a tool permission, a relation, an outside source, a model's exposed asset, a
vulnerability, a credential or a threat), a filter (``where``), the effect it has once applied
(one of the effect registry, :mod:`.effects`, in the terms of a model's ``controls:`` section)
and a default cost.
``--knowledge DIR`` adds ``DIR/controls/*.yaml``; an entry with the id of an earlier one
replaces it.

Problems are :class:`~actm.errors.Diagnostic` objects with file and line; the knowledge base
raises them together as a :class:`~actm.errors.KnowledgeError` (exit 3).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from actm.errors import Diagnostic
from actm.knowledge.effects import ACTING, EFFECTS
from actm.knowledge.files import read_knowledge_file
from actm.terms import ToolPermission

__all__ = ["TARGETS", "ControlTemplate", "load_control_catalog"]

Target = Literal[
    "tool",
    "tool_permission",
    "relation",
    "source",
    "model_asset",
    "vulnerability",
    "credential",
    "threat",
]
TARGETS: frozenset[str] = frozenset(get_args(Target))
"""The kinds of element a template can be applied to (the planner enumerates each)."""

if TYPE_CHECKING:
    EffectName = str
else:
    # the effects of the registry that change what the engine finds
    EffectName = Literal[tuple(e.name for e in ACTING)]

_WITH_CAPABILITY = " or ".join(f"'{e.name}'" for e in ACTING if e.needs_capability)
"""The effects whose templates name a capability: 'weakens'."""

_WHERE_KEYS: dict[str, frozenset[str]] = {
    "tool": frozenset({"permissions"}),
    "tool_permission": frozenset({"permissions"}),
    "relation": frozenset({"kinds", "target_types", "processes"}),
    "source": frozenset(),
    "model_asset": frozenset({"types"}),
    "vulnerability": frozenset({"kinds", "classes"}),
    "credential": frozenset(),
    "threat": frozenset({"attacks"}),
}

_Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,63}$")]
_Word = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]
_Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _WhereIn(_In):
    permissions: list[ToolPermission] | None = None
    kinds: list[_Word] | None = None
    target_types: list[_Word] | None = None
    processes: list[_Word] | None = None
    types: list[_Word] | None = None
    classes: list[_Word] | None = None
    attacks: list[_Word] | None = None


class _TemplateIn(_In):
    id: _Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: _Text
    cost: float = Field(gt=0, le=1e6, allow_inf_nan=False)
    on: Target
    where: _WhereIn = _WhereIn()
    effect: EffectName
    up_to: _Word | None = None


class _CatalogIn(_In):
    controls: list[_TemplateIn] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class ControlTemplate:
    """One kind of control the planner may apply to the elements it selects."""

    id: str
    name: str
    description: str
    cost: float
    on: str
    effect: str
    up_to: str | None
    where: tuple[tuple[str, tuple[str, ...]], ...]
    """Filter key -> accepted values (sorted by key); an element must pass every key."""
    source: str

    def accepts(self, key: str, values: Collection[str]) -> bool:
        """Whether elements with ``values`` under ``key`` pass the filter (no filter: yes)."""
        for k, allowed in self.where:
            if k == key:
                return any(v in allowed for v in values)
        return True


def load_control_catalog(
    layers: Sequence[Sequence[tuple[Path, str]]],
    capabilities: Collection[str],
    errors: list[Diagnostic],
) -> tuple[ControlTemplate, ...]:
    """The templates in ``layers`` (built-in files first, then each ``--knowledge`` directory's
    ``controls/*.yaml``, as (path, name shown) pairs); a later template with the id of an
    earlier one replaces it. Problems are appended to ``errors``; the result is sorted by id.
    """
    out: dict[str, ControlTemplate] = {}
    for files in layers:
        for path, name in files:
            read = read_knowledge_file(path, name, _CatalogIn, errors)
            if read is None:
                continue
            doc, spec = read
            seen: set[str] = set()
            for i, t in enumerate(spec.controls):
                problems = _template_problems(t, capabilities, seen)
                seen.add(t.id)
                for key, code, msg, hint in problems:
                    errors.append(
                        Diagnostic(code, msg, doc.locate(("controls", i, key), key=True), hint)
                    )
                if not problems:
                    out[t.id] = _template(t, name)
    return tuple(out[k] for k in sorted(out))


def _template_problems(
    t: _TemplateIn, capabilities: Collection[str], seen: Collection[str]
) -> list[tuple[str, str, str, str]]:
    """What is wrong with one template, as (key, code, message, hint): an id listed before in
    its file (``seen``), an effect that cannot apply to its target, ``up_to`` without an effect
    that takes it (or the other way round) or naming no capability, a filter its target lacks."""
    out: list[tuple[str, str, str, str]] = []
    if t.id in seen:
        out.append(("id", "duplicate-control", f"control {t.id} is listed twice", "rename one"))
    effect = EFFECTS[t.effect]
    if t.on not in effect.targets:
        out.append(
            (
                "on",
                "invalid-control-target",
                f"control {t.id}: '{t.effect}' cannot be applied to a {t.on}",
                f"'{t.effect}' applies to: {', '.join(sorted(effect.targets & TARGETS))}",
            )
        )
    if effect.needs_capability != (t.up_to is not None):
        out.append(
            (
                "up_to",
                "invalid-control-effect",
                f"control {t.id}: 'up_to' goes with {_WITH_CAPABILITY} and only with it",
                "write the strongest capability that still passes, e.g. up_to: influence",
            )
        )
    elif t.up_to is not None and t.up_to not in capabilities:
        out.append(
            (
                "up_to",
                "unknown-capability",
                f"control {t.id}: unknown capability {t.up_to!r}",
                f"known: {', '.join(sorted(capabilities))}",
            )
        )
    for key in sorted(set(_filters(t)) - _WHERE_KEYS[t.on]):
        out.append(
            (
                "where",
                "invalid-control-filter",
                f"control {t.id}: a {t.on} cannot be filtered by {key!r}",
                f"filters for a {t.on}: {', '.join(sorted(_WHERE_KEYS[t.on])) or 'none'}",
            )
        )
    return out


def _filters(t: _TemplateIn) -> dict[str, list[str]]:
    """The template's ``where`` filters that are set: key -> accepted values."""
    return {k: v for k, v in t.where.model_dump().items() if v is not None}


def _template(t: _TemplateIn, source: str) -> ControlTemplate:
    """The checked template, its filters sorted."""
    return ControlTemplate(
        id=t.id,
        name=t.name,
        description=t.description,
        cost=t.cost,
        on=t.on,
        effect=t.effect,
        up_to=t.up_to,
        where=tuple(sorted((k, tuple(sorted(v))) for k, v in _filters(t).items())),
        source=source,
    )
