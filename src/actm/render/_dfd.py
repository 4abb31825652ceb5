"""The data-flow diagram view of a result that the OTM and Threat Dragon exports share.

From :attr:`Result.graph <actm.results.model.Result.graph>` alone:

* the trust zones (graph ``zone`` elements) and the components (graph ``node`` elements), each
  in the zone the graph gives it (or none);
* one data flow per relation behind a ``derives`` or ``feeds`` edge, from the node the source
  element sits on to the node the target sits on (an element's node: itself, else the first node
  up its chain of compound parents); a relation whose ends sit on one node, or on none, is no
  flow between components and is left out;
* each in-scope threat on the node its impacted asset sits on (``None`` when that asset sits on
  no node).

Everything is in the graph's sorted order, so the exports are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from actm.results.graph import GraphElement
from actm.results.model import Result, Threat

__all__ = ["Diagram", "Flow", "diagram"]

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
    """Each in-scope threat and the node it is placed on."""

    def placed(self) -> dict[str, list[Threat]]:
        """Node id -> the threats placed on it, in the result's order."""
        out: dict[str, list[Threat]] = {}
        for threat, node in self.threats:
            if node is not None:
                out.setdefault(node, []).append(threat)
        return out

    def zone_of(self, node: GraphElement) -> str | None:
        """The node's zone, when it is one of the diagram's zones."""
        return node.zone if node.zone in {z.id for z in self.zones} else None


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
    threats = tuple((t, node_of(t.severity.asset)) for t in result.threats)
    return Diagram(
        title=graph.title or result.system.id,
        zones=tuple(e for e in graph.elements if e.kind == "zone"),
        nodes=tuple(e for e in graph.elements if e.kind == "node"),
        flows=tuple(flows),
        threats=threats,
    )
