"""A step of a threat's chain: the one record of the engine's hand-over that the result keeps
as it is (``actm.results.model`` re-exports it), so that decoding a chain builds each step once.
This module imports nothing from the engine: readers of a result load no engine code with it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChainStep"]


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One derivation in a threat's chain: a capability on an asset, or a node vulnerability."""

    index: int
    rule: str
    """How it was derived (adversary, residency, dependency, feeds, tool_call, attack, ...)."""
    target: str
    """Asset or component id (``model.asset.component``), or node id for a node vulnerability."""
    capability: str | None
    """None for a vulnerability active on a node."""
    vulnerability_class: str | None
    persistent: bool
    pipeline: str
    via: tuple[str, ...]
    """The model elements the step went through: relation, tool, vulnerability, adversary..."""
    premises: tuple[int, ...]
    """Indices of the steps this one follows from."""
    structural: bool
    """Bookkeeping between a component and its asset; hidden in the short chain text."""
    text: str
