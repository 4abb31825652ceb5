"""Tables the importers read (MCP clients, tool verbs, ML libraries): data, not code."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from actm.importers.draft import frozen
from actm.io.yaml import parse_yaml

__all__ = ["table"]


@cache
def table(name: str) -> Any:
    """The parsed data file ``<name>.yaml`` of this package, read once and read-only
    (mappings and tuples)."""
    text = (resources.files(__package__) / f"{name}.yaml").read_text(encoding="utf-8")
    return frozen(parse_yaml(text, f"actm/importers/data/{name}.yaml").data)
