"""Terms of the domain that every layer shares: the ground floor, importing nothing of actm.

Each term is defined once, as a ``Literal`` type (for pydantic schemas and mypy) and the tuple
of its values in their canonical order (for loops, messages and output order). Everything else
imports them from here instead of spelling the values again.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CLASSES",
    "CRITICALITIES",
    "GATES",
    "LEVELS",
    "PIPELINES",
    "REACHES",
    "RESIDENCY_MODES",
    "SEVERITIES_WORST_FIRST",
    "TOOL_PERMISSIONS",
    "Criticality",
    "Gate",
    "ImpactClass",
    "Level",
    "Pipeline",
    "Reach",
    "ResidencyMode",
    "ToolPermission",
    "level_rank",
]

Level = Literal["info", "low", "medium", "high", "critical"]
"""The severity level of a threat."""
LEVELS: tuple[str, ...] = get_args(Level)
"""Severity levels of a threat, lowest first."""
SEVERITIES_WORST_FIRST: tuple[str, ...] = tuple(reversed(LEVELS))
"""Severity levels of a threat, worst first (the order reports list them in)."""

Criticality = Literal["none", "low", "medium", "high", "critical"]
"""How much one protection (confidentiality, integrity, availability) of an asset matters."""
CRITICALITIES: tuple[str, ...] = get_args(Criticality)

ImpactClass = Literal["confidentiality", "integrity", "availability"]
"""The protection an attack breaks; also the classes of capabilities."""
CLASSES: tuple[str, ...] = get_args(ImpactClass)

Pipeline = Literal["development", "deployment"]
"""Where a fact arises: building the model, or running it."""
PIPELINES: tuple[str, ...] = get_args(Pipeline)

ResidencyMode = Literal["stored", "processed", "transmitted"]
"""How an asset resides on a node: at rest, in memory while processed, in transit."""
RESIDENCY_MODES: tuple[str, ...] = get_args(ResidencyMode)

ToolPermission = Literal["read", "write", "execute", "egress", "delete"]
"""What a tool may do with what it names."""
TOOL_PERMISSIONS: tuple[str, ...] = get_args(ToolPermission)

Reach = Literal["internet", "authenticated", "insider", "operator"]
"""How far an adversary must reach into a system to start a route: anyone on the internet,
someone with an account, someone inside the organisation's network, an organisation that runs
or supplies part of the system."""
REACHES: tuple[str, ...] = get_args(Reach)
"""Reaches, most realistic (widest audience) first."""

Gate = Literal["every_call", "once_per_session"]
"""A human approval a route passes: of every call to a tool, or once per session."""
GATES: tuple[str, ...] = get_args(Gate)


def level_rank(level: str) -> int:
    """The position of ``level`` in :data:`LEVELS` (0 for info, 4 for critical).

    Raises ValueError for a name that is not a level.
    """
    return LEVELS.index(level)
