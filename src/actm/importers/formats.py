"""Every foreign format actm imports: one table of importers, and format detection.

To add a format: write an :class:`~actm.importers.interface.Importer` in its own module, put its
name and description in :data:`actm.importers.names.DESCRIPTIONS` and an instance in
:data:`IMPORTERS` below, in the same place of both, add fixtures and tests under
tests/importers/, and a worked example to docs/importing.md. ``actm import --format`` takes its
choices from the names table, and ``actm validate`` names the format of any file a member of
:data:`IMPORTERS` recognises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from actm.errors import UsageError
from actm.importers.agents.crewai import CrewAI
from actm.importers.agents.langgraph import LangGraph
from actm.importers.bom.cyclonedx import CycloneDx
from actm.importers.bom.modelcard import ModelCard
from actm.importers.bom.spdx import Spdx3
from actm.importers.interface import HEAD_BYTES, Confidence, Importer
from actm.importers.mcp.bundle import McpBundle
from actm.importers.mcp.config import McpConfig
from actm.importers.mcp.server import McpRegistry, McpServer
from actm.importers.mcp.tools import McpTools
from actm.importers.threatmodel.library import ThreatModelLibrary
from actm.importers.threatmodel.otm import Otm
from actm.importers.threatmodel.threatdragon import ThreatDragon

__all__ = ["IMPORTERS", "Detected", "detect", "head_of", "importer"]

IMPORTERS: Mapping[str, Importer] = MappingProxyType(
    {
        i.name: i
        for i in (
            McpConfig(),
            McpServer(),
            McpBundle(),
            McpTools(),
            McpRegistry(),
            CrewAI(),
            LangGraph(),
            CycloneDx(),
            Spdx3(),
            ModelCard(),
            Otm(),
            ThreatDragon(),
            ThreatModelLibrary(),
        )
    }
)
"""The importers by format name, in the order ``--help`` lists them."""


@dataclass(frozen=True, slots=True)
class Detected:
    """The formats a file may be in, the most likely first."""

    confidence: Confidence
    importers: tuple[Importer, ...]
    """Every importer that is this sure (more than one: the file is ambiguous)."""


def head_of(path: Path) -> bytes | None:
    """The first :data:`HEAD_BYTES` bytes of a regular file, or None when it cannot be read."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except (OSError, ValueError):
        return None


def detect(path: Path, head: bytes | None = None) -> Detected | None:
    """The formats ``path`` looks like, or None when no importer recognises it."""
    head = head_of(path) if head is None else head
    if head is None:
        return None
    scored = [(imp.detect(path, head), imp) for imp in IMPORTERS.values()]
    found = [(c, imp) for c, imp in scored if c is not None]
    if not found:
        return None
    best = max(c for c, _ in found)
    return Detected(best, tuple(imp for c, imp in found if c == best))


def importer(name: str) -> Importer:
    """The importer of ``--format name``."""
    found = IMPORTERS.get(name)
    if found is None:
        raise UsageError(f"unknown import format {name!r}; choose from {', '.join(IMPORTERS)}")
    return found
