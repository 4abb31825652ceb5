"""The data-flow diagram view of a result that the OTM and Threat Dragon exports share.

From :attr:`Result.graph <actm.results.model.Result.graph>` alone:

* the trust zones (graph ``zone`` elements) and the components (graph ``node`` elements), each
  in the zone the graph gives it (or none);
* one data flow per relation behind a ``derives`` or ``feeds`` edge, from the node the source
  element sits on to the node the target sits on (an element's node: itself, else the first node
  up its chain of compound parents); a relation whose ends sit on one node, or on none, is no
  flow between components and is left out;
* each in-scope threat on the node its impacted asset sits on (``None`` when that asset sits on
  no node), but those a recorded threat records (an earlier export of actm's, imported back:
  the record stands for them);
* each recorded threat on the node or flow it is on (an asset's or a model's node; ``None``
  for a zone or nothing).

Exported ids: the id an element has in the tool it came from (its ``origin``), in an export to
that tool; else one derived from its actm id (:func:`foreign_id`, :func:`recorded_id`).

Everything is in the graph's sorted order, so the exports are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from actm.results.graph import GraphElement
from actm.results.model import RecordedThreat, Result, Threat

__all__ = ["Diagram", "Flow", "diagram", "foreign_id", "recorded_id"]

T = TypeVar("T")

FLOW_EDGES = ("derives", "feeds")


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    """The relation's id."""
    source: str
    target: str
    """Node ids."""
    label: str


@dataclass(frozen=True, slots=True)
class Diagram:
    title: str
    zones: tuple[GraphElement, ...]
    nodes: tuple[GraphElement, ...]
    flows: tuple[Flow, ...]
    threats: tuple[tuple[Threat, str | None], ...]
    """Each in-scope threat no recorded threat records, and the node it is placed on."""
    recorded: tuple[tuple[RecordedThreat, str | None], ...] = ()
    """Each recorded threat and the node or flow (relation id) it is placed on."""

    def placed(self) -> dict[str, list[Threat]]:
        """Node id -> the threats placed on it, in the result's order."""
        return _by_place(self.threats)

    def recorded_on(self) -> dict[str, list[RecordedThreat]]:
        """Node or flow id -> the recorded threats placed on it, in the model's order."""
        return _by_place(self.recorded)

    def zone_of(self, node: GraphElement) -> str | None:
        """The node's zone, when it is one of the diagram's zones."""
        return node.zone if node.zone in {z.id for z in self.zones} else None


def _by_place(pairs: Iterable[tuple[T, str | None]]) -> dict[str, list[T]]:
    out: dict[str, list[T]] = {}
    for item, where in pairs:
        if where is not None:
            out.setdefault(where, []).append(item)
    return out


def diagram(result: Result) -> Diagram:
    graph = result.graph
    elements = {e.id: e for e in graph.elements}

    def node_of(ident: str) -> str | None:
        seen: set[str] = set()
        current = elements.get(ident)
        while current is not None and current.id not in seen:
            if current.kind == "node":
                return current.id
            seen.add(current.id)
            current = elements.get(current.parent) if current.parent else None
        return None

    flows: list[Flow] = []
    taken: set[str] = set()
    for edge in graph.edges:
        if edge.kind not in FLOW_EDGES:
            continue
        source, target = node_of(edge.source), node_of(edge.target)
        if source is None or target is None or source == target:
            continue
        for ident in edge.via or (edge.id,):
            if ident not in taken:
                taken.add(ident)
                flows.append(Flow(ident, source, target, edge.label))
    recorded = {r.derived for r in result.recorded_threats if r.derived}
    threats = tuple((t, node_of(t.severity.asset)) for t in result.threats if t.id not in recorded)
    return Diagram(
        title=graph.title or result.system.id,
        zones=tuple(e for e in graph.elements if e.kind == "zone"),
        nodes=tuple(e for e in graph.elements if e.kind == "node"),
        flows=tuple(flows),
        threats=threats,
        recorded=tuple(
            (r, r.on if r.on in taken else node_of(r.on) if r.on else None)
            for r in result.recorded_threats
        ),
    )


def foreign_id(result: Result, ident: str, fmt: str) -> str | None:
    """The id an element has in a file of format ``fmt`` it was imported from (its
    ``origin``), if any."""
    detail = result.details.get(ident)
    origin = detail.origin if detail is not None else None
    return origin[1] if origin is not None and origin[0] == fmt else None


def recorded_id(threat: RecordedThreat, fmt: str) -> str | None:
    """The id a recorded threat has in a file of format ``fmt`` it was imported from."""
    origin = threat.origin
    return origin[1] if origin is not None and origin[0] == fmt else None
