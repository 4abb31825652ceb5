"""A step of a threat's chain and a route to it: the records of the engine's hand-over that the
result keeps as they are (``actm.results.model`` re-exports them), so that decoding a chain
builds each step once. This module imports nothing from the engine: readers of a result load no
engine code with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from actm.records import quick_init

__all__ = ["ChainStep", "RootCause", "Route", "chain_text", "step_elements"]


@quick_init
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


def chain_text(steps: Sequence[ChainStep]) -> str:
    """The short form of a chain: its steps' texts, bookkeeping left out, joined by arrows."""
    return " -> ".join(s.text for s in steps if not s.structural)


def step_elements(step: ChainStep) -> set[str]:
    """Model elements a chain step goes through, named as controls name them."""
    out = set(step.via)
    if step.rule == "tool_write" and step.via:
        out.add(f"{step.via[0]}.write")
    if step.rule == "tool_exfiltrate" and len(step.via) == 2:
        out |= {f"{step.via[0]}.read", f"{step.via[1]}.egress"}
    if step.rule == "tool_execute" and step.via:
        out.add(f"{step.via[0]}.execute")
    if step.rule == "outside_content" and len(step.via) == 2:
        out.add(f"source:{step.via[1]}")
    if step.rule == "public_user":
        out.add(step.target)
    return out


@quick_init
@dataclass(frozen=True, slots=True)
class Route:
    """How one entry point closes a threat on its own: its shortest chain from there."""

    adversary: str
    """The entry point: an adversary (``external-user``, ``content-author``, ``insider``, ...),
    a node's operator (``operator:<owner>``) or a supplier (``supplier:<producer>``); with more
    entry points than a result enumerates, all those of one reach together (``members``)."""
    reach: str
    """internet, authenticated, insider or operator."""
    steps: int
    """Steps on the longest branch of its shortest chain (bookkeeping steps not counted)."""
    unjustified_assumptions: tuple[str, ...]
    """Unjustified assumptions its chain uses."""
    justified_assumptions: tuple[str, ...]
    """Justified assumptions its chain uses: a route through one is accepted risk."""
    chain_text: str
    members: tuple[str, ...] = ()
    """The entry points it stands for when they are grouped by reach (else empty)."""

    @property
    def accepted(self) -> bool:
        """It needs a justified assumption: accepted risk, not an attack route."""
        return bool(self.justified_assumptions)


@dataclass(frozen=True, slots=True)
class RootCause:
    """Where a threat's shown chain starts to go wrong: its entry point and the first weakness
    it uses (an attack or conversion step, a declared vulnerability, an AI weakness)."""

    entry: str
    kind: str
    """attack, conversion, vulnerability or ai_weakness."""
    weakness: str
    """The attack or conversion id, or the vulnerability's id."""
    where: str
    """What that step acts on: an asset (or component), or for a vulnerability its node."""

    @property
    def id(self) -> str:
        return f"{self.entry}: {self.kind} {self.weakness} on {self.where}"
