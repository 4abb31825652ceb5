"""The system as a graph: elements and edges for diagrams and the interactive report.

:func:`system_graph` turns a resolved model into plain frozen data, one element per zone,
node, AI model, asset, tool, adversary and outside egress destination, and one edge per
residency, deployment, relation, tool permission and adversary entry point. Renderers
(DOT, Mermaid, the HTML report) draw from it; :func:`chain_elements` says which elements and
edges each step of a threat's chain touches.

Element ids are the model's ids, so they are unique across kinds (the model format requires
it), with two exceptions: a tool's implicit asset has the tool's id and is the ``tool``
element (no separate asset element), and an egress destination outside the model's zones is
``external:<name>``.

Compound parents (``parent``), for drawing nested boxes:

* a node's parent is its zone;
* a tool's parent is the node it runs on;
* an AI model's parent is the first (by id) node it is deployed on, else stored on, else
  trained on;
* an asset's parent is the node it resides on, preferring ``stored`` over ``processed`` over
  ``transmitted``, then the first by id;
* zones, adversaries and external destinations have none.

``zone`` and ``pipeline`` are those of the element itself (zones, nodes) or of its parent
node; ``owner`` is the element's declared owner (for a model's asset, the model's owner when
the asset declares none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from actm.model.system import SystemModel

if TYPE_CHECKING:  # results.model holds a SystemGraph: import Threat for typing only
    from actm.results.model import Threat

__all__ = [
    "ChainIndex",
    "GraphEdge",
    "GraphElement",
    "SystemGraph",
    "chain_elements",
    "chain_index",
    "system_graph",
]

ELEMENT_KINDS = ("zone", "node", "model", "asset", "tool", "adversary", "external")
"""Element kinds, in drawing order (outermost first)."""

EDGE_KINDS = (
    "resides",
    "grants_access",
    "deployed_on",
    "stored_on",
    "trained_on",
    "runs_on",
    "derives",
    "feeds",
    "part_of",
    "uses_tool",
    "reads",
    "writes",
    "executes",
    "egress",
    "holds",
    "reaches",
)


@dataclass(frozen=True, slots=True)
class GraphElement:
    id: str
    """The model id (``support-agent.inputs``), or ``external:<name>`` for egress outside."""
    kind: str
    """zone, node, model, asset, tool, adversary or external."""
    type: str
    """Zone trust, node kind, model kind, asset type; ``tool``, ``adversary``, ``external``."""
    label: str
    """The declared name, else the id."""
    parent: str | None
    """Compound parent (see the module docstring for the rule)."""
    zone: str | None
    pipeline: str | None
    owner: str | None
    model: str | None = None
    """For an AI asset, the model it belongs to."""
    vulnerabilities: tuple[str, ...] = ()
    """Ids of the model's vulnerabilities declared on this element (sorted)."""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    id: str
    """``<kind>:<source>-><target>``, unique: parallel edges of one kind are merged."""
    kind: str
    """resides, grants_access, deployed_on, stored_on, trained_on, runs_on, derives, feeds,
    part_of, uses_tool, reads, writes, executes, egress, holds or reaches."""
    source: str
    target: str
    label: str
    """Residency mode, relation process, component, capability...; merged edges join theirs
    with ', '."""
    via: tuple[str, ...] = ()
    """The model elements behind the edge (relation ids), for mapping chain steps."""


@dataclass(frozen=True, slots=True)
class SystemGraph:
    elements: tuple[GraphElement, ...] = ()
    """Sorted by (kind, id)."""
    edges: tuple[GraphEdge, ...] = ()
    """Sorted by id."""
    title: str = ""
    """The system's name, else its id."""


_MODE_RANK = {"stored": 0, "processed": 1, "transmitted": 2}


def _first(ids: Iterable[str]) -> str | None:
    return min(ids, default=None)


class _Edges:
    def __init__(self) -> None:
        self.labels: dict[tuple[str, str, str], list[str]] = {}
        self.vias: dict[tuple[str, str, str], list[str]] = {}

    def add(self, kind: str, source: str, target: str, label: str, via: str | None = None) -> None:
        key = (kind, source, target)
        labels = self.labels.setdefault(key, [])
        if label and label not in labels:
            labels.append(label)
        vias = self.vias.setdefault(key, [])
        if via is not None and via not in vias:
            vias.append(via)

    def build(self) -> tuple[GraphEdge, ...]:
        out = [
            GraphEdge(
                f"{k}:{s}->{t}",
                k,
                s,
                t,
                ", ".join(sorted(labels)),
                tuple(sorted(self.vias[(k, s, t)])),
            )
            for (k, s, t), labels in self.labels.items()
        ]
        out.sort(key=lambda e: e.id)
        return tuple(out)


def system_graph(model: SystemModel) -> SystemGraph:
    """The graph of ``model``: deterministic, sorted, independent of declaration order."""
    g = _Builder(model)
    g.zones_and_nodes()
    g.models()
    g.assets()
    g.tools()
    g.relations()
    g.adversaries()
    return SystemGraph(g.ordered(), g.edges.build(), model.system.name or model.system.id)


class _Builder:
    """The elements and edges of one model's graph, added one kind of model element at a
    time."""

    def __init__(self, model: SystemModel) -> None:
        self.model = model
        self.elements: list[GraphElement] = []
        self.edges = _Edges()
        self.node_of = {n.id: n for n in model.nodes}
        self.model_owner: dict[str, str | None] = {m.id: m.owner for m in model.models}

    def at(self, node: str | None) -> tuple[str | None, str | None]:
        """The zone and pipeline of ``node`` (an element's parent node), if any."""
        n = self.node_of.get(node) if node else None
        return (n.zone, n.pipeline) if n is not None else (None, None)

    def zones_and_nodes(self) -> None:
        """The zones, and the nodes inside them."""
        for z in self.model.zones:
            self.elements.append(
                GraphElement(z.id, "zone", z.trust, z.name or z.id, None, z.id, None, z.owner)
            )
        for n in self.model.nodes:
            self.elements.append(
                GraphElement(
                    n.id, "node", n.kind, n.name or n.id, n.zone, n.zone, n.pipeline, n.owner
                )
            )

    def models(self) -> None:
        """The AI models, on the first node they are deployed on (else stored, else trained
        on), with an edge to every such node and to every tool they use."""
        for m in self.model.models:
            parent = _first(m.deployed_on) or _first(m.stored_on) or _first(m.trained_on)
            self.elements.append(
                GraphElement(
                    m.id, "model", m.kind, m.name or m.id, parent, *self.at(parent), m.owner
                )
            )
            for kind, nodes in (
                ("deployed_on", m.deployed_on),
                ("stored_on", m.stored_on),
                ("trained_on", m.trained_on),
            ):
                for node in nodes:
                    self.edges.add(kind, m.id, node, "")
            for tool in m.tools:
                self.edges.add("uses_tool", m.id, tool, "")

    def assets(self) -> None:
        """The assets (but a tool's own, drawn as the tool) on the node they reside on, with
        their residency and access edges."""
        for a in self.model.assets:
            if a.category == "tool":
                continue  # drawn as the tool element
            parent = min(
                ((_MODE_RANK.get(r.mode, 9), r.node) for r in a.resides), default=(0, None)
            )[1]
            owner = a.owner or (self.model_owner.get(a.model) if a.model else None)
            self.elements.append(
                GraphElement(
                    a.id, "asset", a.type, a.name or a.id, parent, *self.at(parent), owner, a.model
                )
            )
            for r in a.resides:
                self.edges.add("resides", a.id, r.node, r.mode + (" (writes)" if r.writes else ""))
            for node in a.grants_access:
                self.edges.add("grants_access", a.id, node, "")

    def tools(self) -> None:
        """The tools on their nodes, with their permissions as edges; an egress destination
        outside the model's zones becomes an ``external`` element."""
        zone_ids = {z.id for z in self.model.zones}
        for t in self.model.tools:
            self.elements.append(
                GraphElement(
                    t.id, "tool", "tool", t.name or t.id, t.node, *self.at(t.node), t.owner
                )
            )
            if t.node:
                self.edges.add("runs_on", t.id, t.node, "")
            for kind, targets in (("reads", t.read), ("writes", t.write)):
                for asset, component in targets:
                    self.edges.add(kind, t.id, asset, component or "")
            for node in t.execute:
                self.edges.add("executes", t.id, node, "")
            for dest in t.egress:
                target = dest if dest in zone_ids else f"external:{dest}"
                if target != dest:
                    self.elements.append(
                        GraphElement(target, "external", "external", dest, None, None, None, None)
                    )
                self.edges.add("egress", t.id, target, "")

    def relations(self) -> None:
        """One edge per relation, labelled with its process and components."""
        for rel in self.model.relations:
            parts = [rel.process or ""]
            if rel.source_component:
                parts.append(f"from {rel.source_component}")
            if rel.target_component:
                parts.append(f"into {rel.target_component}")
            self.edges.add(
                rel.kind, rel.source, rel.target, " ".join(p for p in parts if p), rel.id
            )

    def adversaries(self) -> None:
        """The adversaries, with what they hold and what their entry point reaches."""
        for adv in self.model.adversaries:
            self.elements.append(
                GraphElement(
                    adv.id, "adversary", "adversary", adv.name or adv.id, None, None, None, None
                )
            )
            for held in adv.holds:
                label = held.capability + (f" on {held.component}" if held.component else "")
                self.edges.add("holds", adv.id, held.asset, label)
            for target in self._reached(adv.entry, adv.reaches):
                self.edges.add("reaches", adv.id, target, "")

    def _reached(self, entry: str | None, reaches: tuple[str, ...] | None) -> list[str]:
        """What an adversary entering at ``entry`` reaches: the inputs of the public models
        (or of those in ``reaches``), the assets with untrusted sources, or the third-party
        nodes."""
        model = self.model
        if entry == "public_models":
            if reaches is not None:
                return [model.model(mid).assets.get("inputs", mid) for mid in reaches]
            return [
                m.assets["inputs"]
                for m in model.models
                if m.exposure == "public" and "inputs" in m.assets
            ]
        if entry == "untrusted_content":
            return [a.id for a in model.assets if a.untrusted_sources or a.component_sources]
        if entry == "third_party_nodes":
            zone_owner = {z.id: z.owner for z in model.zones}
            return [
                n.id
                for n in model.nodes
                if model.is_third_party(n.owner or (zone_owner.get(n.zone) if n.zone else None))
            ]
        return []

    def ordered(self) -> tuple[GraphElement, ...]:
        """The elements without repeats, each with the vulnerabilities declared on it, in
        drawing order."""
        vulns: dict[str, list[str]] = {}
        for v in self.model.vulnerabilities:
            where = v.node or v.asset or v.model
            if where is not None:
                vulns.setdefault(where, []).append(v.id)
        unique = {(e.kind, e.id): e for e in self.elements}
        for key, e in unique.items():
            if e.id in vulns:
                unique[key] = replace(e, vulnerabilities=tuple(sorted(vulns[e.id])))
        return tuple(
            unique[k] for k in sorted(unique, key=lambda k: (ELEMENT_KINDS.index(k[0]), k[1]))
        )


def _element_of(known: dict[str, GraphElement], ident: str) -> str | None:
    """The element an asset, component or other model id belongs to."""
    while ident:
        if ident in known:
            return ident
        if "." not in ident:
            return None
        ident = ident.rsplit(".", 1)[0]
    return None


class ChainIndex(NamedTuple):
    """The lookups of :func:`chain_elements` for one graph, built once by :func:`chain_index`:
    elements by id, the elements and edges behind each ``via`` id (for a tool, also its
    ``egress`` edges), and the edges between two elements (either direction)."""

    known: dict[str, GraphElement]
    by_via: dict[str, list[str]]
    between: dict[tuple[str, str], list[str]]


def chain_index(graph: SystemGraph) -> ChainIndex:
    """The lookups :func:`chain_elements` needs, for mapping many threats of ``graph``."""
    known = {e.id: e for e in graph.elements}
    by_via: dict[str, list[str]] = {}
    for el in graph.elements:
        for v in el.vulnerabilities:
            by_via.setdefault(v, []).append(el.id)
    between: dict[tuple[str, str], list[str]] = {}
    for e in graph.edges:
        for v in e.via:
            by_via.setdefault(v, []).append(e.id)
        if e.kind == "egress" and e.source in known and known[e.source].kind == "tool":
            # a step through a tool also shows where the tool can send data (the route of an
            # exfiltration: send_email -> internet)
            by_via.setdefault(e.source, []).append(e.id)
        between.setdefault((e.source, e.target), []).append(e.id)
        if e.source != e.target:
            between.setdefault((e.target, e.source), []).append(e.id)
    return ChainIndex(known, by_via, between)


def chain_elements(
    graph: SystemGraph, threat: Threat, index: ChainIndex | None = None
) -> tuple[tuple[str, ...], ...]:
    """Per chain step (``threat.chain``), the graph element and edge ids it touches.

    A step touches: the element of its target (a component maps to its asset; a node
    vulnerability's target is the node); the elements among its ``via`` (tools, adversaries,
    nodes, models) and the elements its ``via`` vulnerabilities are declared on; the edges of
    the relations among its ``via``; the ``egress`` edges of the tools among its ``via`` (where
    the tool can send data, so an exfiltration shows its route); and the edges that join what
    it touches to what its premises touch, or its ``via`` elements to its target. For joining,
    an AI asset also stands for its model (so a tool call reaches the ``uses_tool`` edge). Ids
    in each tuple come in that order, without repeats.

    Mapping many threats of one graph, build ``index = chain_index(graph)`` once and pass it:
    the lookups take time in proportion to the graph.
    """
    known, by_via, between = index if index is not None else chain_index(graph)
    touched: list[list[str]] = []
    out: list[tuple[str, ...]] = []
    for step in threat.chain:
        own = _element_of(known, step.target)
        elements = [own] if own is not None else []
        edges: list[str] = []
        for v in step.via:
            if v in known:
                elements.append(v)
            for x in by_via.get(v, ()):
                (elements if x in known else edges).append(x)
        ends = list(elements)
        if own is not None and (m := known[own].model) is not None:
            ends.append(m)
        for a in elements[1:]:
            if own is not None and a != own:
                edges.extend(between.get((a, own), ()))
        for p in step.premises:
            for a in touched[p] if p < len(touched) else ():
                for b in ends:
                    if a != b:
                        edges.extend(between.get((a, b), ()))
        touched.append(ends)
        out.append(tuple(dict.fromkeys(elements + edges)))
    return tuple(out)
