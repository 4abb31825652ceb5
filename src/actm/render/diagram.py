"""Diagrams of a system graph as Graphviz DOT or Mermaid text.

Three views:

* ``infrastructure``: trust zones as boxes with their nodes inside; models, assets and tools
  next to the nodes they run on, with residency edges labelled by mode (stored, processed,
  transmitted), deployments, tool permissions and egress (models and assets that reside
  nowhere are left out, and so are a model's assets that are only processed where the model
  is deployed or trained: the model stands for them);
* ``lineage``: how assets derive from, feed and are part of each other (dataset -> weights ->
  outputs -> the next model's inputs), each model's assets grouped in a box (other assets and
  tools only when a relation joins them);
* ``threat:ID``: one threat's chain as numbered steps, each linked to the elements it touches.

Both formats are plain text written by actm, deterministic (elements and edges in the graph's
sorted order) and safe for any user text: DOT strings are always quoted with backslashes,
quotes and line breaks escaped (no HTML-like labels); Mermaid ids are generated from
``[A-Za-z0-9_]`` only, and every label is quoted with everything outside a small safe set
written as an entity (``#60;`` for ``<``), so a name like ``<script>`` is shown, never run.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from actm.errors import UsageError
from actm.io.visible import visible
from actm.results.graph import (
    EDGE_KINDS,
    GraphEdge,
    GraphElement,
    SystemGraph,
    chain_elements,
)
from actm.results.model import Result, Threat

__all__ = ["VIEWS", "DiagramView", "mermaid_warnings", "parse_view", "render_dot", "render_mermaid"]

VIEWS = ("infrastructure", "lineage", "threat")
MERMAID_MAX_EDGES = 500
"""Mermaid's default ``maxEdges``: a diagram with more edges is refused by Mermaid."""
MERMAID_MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize`` in characters."""
_MERMAID_EDGE = re.compile(r"^\s*\S+ (?:-->|==>|-\.-)", re.M)

_LINEAGE_EDGES = frozenset({"derives", "feeds", "part_of"})
_INFRA_EDGES = frozenset(EDGE_KINDS) - _LINEAGE_EDGES - {"holds", "reaches"}
_EDGE_WORDS = {
    "grants_access": "grants access",
    "deployed_on": "deployed",
    "stored_on": "stored",
    "trained_on": "trained",
    "runs_on": "runs on",
    "uses_tool": "calls",
    "part_of": "part of",
}
"""Edge kinds shown as a word (others show their kind); the edge's own label follows."""
_WRAP = 48


@dataclass(frozen=True)
class DiagramView:
    """What a diagram draws: the system graph, the view, and for a threat view the result."""

    graph: SystemGraph
    view: str
    """``infrastructure``, ``lineage`` or ``threat:ID``."""
    result: Result | None = None


def mermaid_warnings(text: str) -> list[str]:
    """Why Mermaid with its default settings would refuse to draw ``text``, if it would."""
    out = []
    edges = len(_MERMAID_EDGE.findall(text))
    if edges > MERMAID_MAX_EDGES:
        out.append(
            f"the Mermaid diagram has {edges:,} edges, more than Mermaid draws by default "
            f"(maxEdges {MERMAID_MAX_EDGES}); raise maxEdges where you render it, or use "
            "--format dot or svg"
        )
    if len(text) > MERMAID_MAX_TEXT:
        out.append(
            f"the Mermaid diagram is {len(text):,} characters, more than Mermaid accepts by "
            f"default (maxTextSize {MERMAID_MAX_TEXT:,}); raise maxTextSize where you render "
            "it, or use --format dot or svg"
        )
    return out


def parse_view(view: str, threat_id: str | None = None) -> tuple[str, str | None]:
    """``infrastructure``, ``lineage``, ``threat:ID`` (or ``threat`` with ``threat_id``)."""
    name, sep, rest = view.partition(":")
    if name == "threat" and sep:
        threat_id = rest
    if name not in VIEWS or (name != "threat" and sep):
        raise UsageError(
            f"unknown view {view!r}; use infrastructure, lineage or threat:ID (a threat id)"
        )
    if name == "threat" and not threat_id:
        raise UsageError("the threat view needs a threat id: --view threat:ID")
    return name, threat_id if name == "threat" else None


# -- what a view shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    number: int
    text: str
    premises: tuple[int, ...]
    """Numbers of the shown steps this one follows from."""
    targets: tuple[str, ...]
    """Element ids it touches."""


@dataclass(slots=True)
class _Scene:
    title: str
    clusters: dict[str, str] = field(default_factory=dict)
    """Cluster id -> label, in drawing order."""
    members: dict[str | None, list[GraphElement]] = field(default_factory=dict)
    """Cluster id (None: top level) -> its elements."""
    edges: list[GraphEdge] = field(default_factory=list)
    edge_to_cluster: set[str] = field(default_factory=set)
    """Edge targets that are clusters (egress to a zone)."""
    steps: list[_Step] = field(default_factory=list)
    highlight: str | None = None


def _threat(result: Result | None, threat_id: str) -> Threat:
    if result is None:
        raise UsageError("the threat view needs an analysis result")
    for t in result.threats:
        if t.id == threat_id:
            return t
    ids = [t.id for t in result.threats]
    # ids that start with or contain what was typed (`tool-data-exfil`), then similar ones
    wanted = threat_id.lower()
    close = [i for i in ids if i.lower().startswith(wanted)]
    close += [i for i in ids if wanted in i.lower() and i not in close]
    close += [
        i for i in difflib.get_close_matches(threat_id, ids, n=3, cutoff=0.5) if i not in close
    ]
    close = close[:3]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    if not ids:
        hint = "; the analysis found no threats"
    raise UsageError(f"no threat {threat_id!r} in the analysis{hint}")


def _scene(graph: SystemGraph, view: str, result: Result | None, threat_id: str | None) -> _Scene:
    name, tid = parse_view(view, threat_id)
    by_id = {e.id: e for e in graph.elements}
    zones = {e.id: e for e in graph.elements if e.kind == "zone"}
    if name == "threat":
        assert tid is not None
        return _threat_scene(graph, _threat(result, tid), by_id, zones)
    scene = _Scene(f"{graph.title}: {name}" if graph.title else name)
    if name == "infrastructure":
        for z in zones.values():
            scene.clusters[z.id] = _zone_label(z)
        scene.edges = _infra_edges(graph)
        placed = {x for e in scene.edges for x in (e.source, e.target)}
        for e in graph.elements:
            if e.kind in ("zone", "adversary") or (
                e.kind in ("model", "asset") and e.id not in placed
            ):
                continue  # zones are the boxes; models and assets that run nowhere are left out
            scene.members.setdefault(e.zone if e.zone in zones else None, []).append(e)
        scene.edge_to_cluster = {e.target for e in scene.edges if e.target in zones}
        return scene
    ends = {x for e in graph.edges if e.kind in _LINEAGE_EDGES for x in (e.source, e.target)}
    models = {e.id: e for e in graph.elements if e.kind == "model"}
    for e in graph.elements:
        if (e.kind == "asset" and e.model is not None) or (
            e.kind in ("asset", "tool") and e.id in ends
        ):
            group = e.model if e.model in models else None
            if group is not None and group not in scene.clusters:
                m = models[group]
                scene.clusters[group] = f"{m.label} (model, {m.type})"
            scene.members.setdefault(group, []).append(e)
    scene.clusters = dict(sorted(scene.clusters.items()))
    scene.edges = [e for e in graph.edges if e.kind in _LINEAGE_EDGES]
    return scene


def _infra_edges(graph: SystemGraph) -> list[GraphEdge]:
    """The infrastructure view's edges, without the residencies the model's own edges imply.

    A model's asset that is only processed where the model is deployed or trained (its
    inputs and outputs on the inference server, ...) is drawn as the model: its residency
    edges are left out, and with them the asset, unless something else (a tool) touches it.
    """
    model_at = {
        (e.source, e.target) for e in graph.edges if e.kind in ("deployed_on", "trained_on")
    }
    model_of = {e.id: e.model for e in graph.elements if e.model is not None}
    resides: dict[str, list[GraphEdge]] = {}
    for e in graph.edges:
        if e.kind == "resides":
            resides.setdefault(e.source, []).append(e)
    implied = {
        asset
        for asset, edges in resides.items()
        if asset in model_of
        and all(e.label == "processed" and (model_of[asset], e.target) in model_at for e in edges)
    }
    return [
        e
        for e in graph.edges
        if e.kind in _INFRA_EDGES and not (e.kind == "resides" and e.source in implied)
    ]


def _threat_scene(
    graph: SystemGraph,
    threat: Threat,
    by_id: dict[str, GraphElement],
    zones: dict[str, GraphElement],
) -> _Scene:
    touched = chain_elements(graph, threat)
    edges = {e.id: e for e in graph.edges}
    scene = _Scene(
        f"{threat.title} ({threat.severity.level} {threat.severity.score:.1f})\n{threat.id}"
    )
    shown: set[str] = set()
    edge_ids: set[str] = set()
    for ids in touched:
        for x in ids:
            if x in by_id:
                shown.add(x)
            elif x in edges:
                edge_ids.add(x)
    for x in list(shown):
        if by_id[x].kind == "zone":
            shown.discard(x)  # a zone is drawn as the box around what it holds
    for eid in edge_ids:
        edge = edges[eid]
        shown.update(x for x in (edge.source, edge.target) if x not in zones)
    number: dict[int, int] = {}
    hidden_premises: dict[int, tuple[int, ...]] = {}
    for step, ids in zip(threat.chain, touched, strict=True):
        prem: list[int] = []
        for p in step.premises:
            prem.extend((number[p],) if p in number else hidden_premises.get(p, ()))
        prem = sorted(set(prem))
        if step.structural:
            hidden_premises[step.index] = tuple(prem)
            continue
        number[step.index] = len(scene.steps) + 1
        targets = tuple(x for x in ids if x in shown)
        scene.steps.append(_Step(number[step.index], step.text, tuple(prem), targets))
    for e in graph.elements:
        if e.id in shown:
            group = e.zone if e.zone in zones else None
            if group is not None:
                scene.clusters[group] = _zone_label(zones[group])
            scene.members.setdefault(group, []).append(e)
    scene.edges = [edges[x] for x in sorted(edge_ids)]
    scene.edge_to_cluster = {x.target for x in scene.edges if x.target in zones}
    for zid in scene.edge_to_cluster:
        scene.clusters[zid] = _zone_label(zones[zid])
    scene.clusters = dict(sorted(scene.clusters.items()))
    scene.highlight = _impacted(threat.severity.asset, by_id)
    return scene


def _zone_label(z: GraphElement) -> str:
    return f"{z.label} (zone, trust {z.type})"


def _impacted(target: str, by_id: dict[str, GraphElement]) -> str | None:
    while target:
        if target in by_id:
            return target
        target = target.rpartition(".")[0]
    return None


def _element_lines(e: GraphElement) -> list[str]:
    if e.kind == "external":
        lines = [e.label, "outside the system"]
    elif e.label != e.id:
        lines = [e.label, f"{e.id}: {e.type}"]
    elif e.model is not None and e.id == f"{e.model}.{e.type}":
        lines = [e.id]  # support-agent.inputs: the id says it all
    else:
        lines = [e.label, e.type]
    if e.vulnerabilities:
        lines.append("vulnerable: " + ", ".join(e.vulnerabilities))
    return lines


def _boxes(
    scene: _Scene,
    begin: Callable[[int, str, str], None],
    node: Callable[[GraphElement, str], None],
    end: Callable[[], None],
) -> None:
    """Walk the clusters with their elements, then the elements outside any cluster."""
    for i, (cid, label) in enumerate(scene.clusters.items()):
        begin(i, cid, label)
        for e in scene.members.get(cid, ()):
            node(e, "    ")
        end()
    for e in scene.members.get(None, ()):
        node(e, "  ")


def _edge_text(e: GraphEdge) -> str:
    if e.kind == "resides":
        return e.label
    word = _EDGE_WORDS.get(e.kind, e.kind)
    if e.kind == "derives":
        return e.label or word
    return f"{word} {e.label}" if e.label else word


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for part in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(part, _WRAP, break_on_hyphens=False) or [""])
    return lines


# -- DOT --------------------------------------------------------------------------------------

_DOT_SHAPES = {
    "node": 'shape=box3d, style=filled, fillcolor="#eef3fb"',
    "model": 'shape=box, style="rounded,filled,bold", fillcolor="#e8f5e9"',
    "asset": 'shape=note, style=filled, fillcolor="#fffde7"',
    "tool": 'shape=hexagon, style=filled, fillcolor="#f3e5f5"',
    "adversary": 'shape=octagon, style=filled, fillcolor="#ffebee", color="#c62828"',
    "external": 'shape=ellipse, style="dashed"',
}
_DOT_EDGES = {
    "resides": 'color="#607d8b"',
    "grants_access": 'color="#c62828", style=dashed',
    "deployed_on": 'color="#2e7d32"',
    "stored_on": 'color="#2e7d32", style=dashed',
    "trained_on": 'color="#2e7d32", style=dashed',
    "runs_on": 'color="#6a1b9a", style=dotted',
    "uses_tool": 'color="#6a1b9a"',
    "egress": 'color="#c62828"',
    "holds": 'color="#c62828"',
    "reaches": 'color="#c62828", style=dashed',
}


def _dq(text: str) -> str:
    """A DOT quoted string: line breaks as DOT's, control characters spelled out (\\u001b),
    backslashes and quotes escaped."""
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    text = visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot_label(lines: Sequence[str]) -> str:
    """Several lines as one DOT label; each line escaped on its own."""
    return _dq("\n".join(lines))


def render_dot(
    graph: SystemGraph, view: str, result: Result | None = None, threat_id: str | None = None
) -> str:
    """The view as a Graphviz DOT digraph (``dot -Tsvg`` draws it)."""
    scene = _scene(graph, view, result, threat_id)
    out = [
        "digraph actm {",
        f"  graph [rankdir=LR, compound=true, fontname=Helvetica, fontsize=12, labelloc=t, "
        f"label={_dq(scene.title)}];",
        "  node [fontname=Helvetica, fontsize=10];",
        "  edge [fontname=Helvetica, fontsize=9];",
    ]

    def node(e: GraphElement, indent: str) -> None:
        extra = ', penwidth=3, color="#c62828"' if e.id == scene.highlight else ""
        lines = _element_lines(e)
        out.append(
            f"{indent}{_dq(e.id)} [label={_dot_label(lines)}, {_DOT_SHAPES[e.kind]}{extra}];"
        )

    def begin(i: int, cid: str, label: str) -> None:
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f'    label={_dq(label)}; style="rounded,dashed"; color="#90a4ae";')
        if cid in scene.edge_to_cluster:
            out.append(f'    {_dq("zone:" + cid)} [shape=point, width=0.08, label=""];')

    _boxes(scene, begin, node, lambda: out.append("  }"))
    for edge in scene.edges:
        target = "zone:" + edge.target if edge.target in scene.edge_to_cluster else edge.target
        attrs = [f"label={_dq(_edge_text(edge))}"] if _edge_text(edge) else []
        if style := _DOT_EDGES.get(edge.kind):
            attrs.append(style)
        out.append(f"  {_dq(edge.source)} -> {_dq(target)} [{', '.join(attrs)}];")
    for s in scene.steps:
        sid = _dq(f"step:{s.number}")
        label = _dot_label(_wrap(f"{s.number}. {s.text}"))
        out.append(
            f'  {sid} [label={label}, shape=box, style="rounded,filled", fillcolor="#fff3cd"];'
        )
        for p in s.premises:
            out.append(f"  {_dq(f'step:{p}')} -> {sid} [penwidth=2];")
        for t in s.targets:
            out.append(f"  {sid} -> {_dq(t)} [style=dotted, arrowhead=none];")
    out.append("}")
    return "\n".join(out) + "\n"


# -- Mermaid ----------------------------------------------------------------------------------

_MERMAID_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,:/()-+=@?!*'"
)
_MERMAID_SHAPES = {
    "node": ("[[", "]]"),
    "model": ("([", "])"),
    "asset": ("[", "]"),
    "tool": ("{{", "}}"),
    "adversary": ("[/", "\\]"),
    "external": ("((", "))"),
}
_MERMAID_CLASSES = {
    "node": "fill:#eef3fb,stroke:#546e7a",
    "model": "fill:#e8f5e9,stroke:#2e7d32",
    "asset": "fill:#fffde7,stroke:#9e9d24",
    "tool": "fill:#f3e5f5,stroke:#6a1b9a",
    "adversary": "fill:#ffebee,stroke:#c62828",
    "external": "fill:#ffffff,stroke:#c62828,stroke-dasharray:4 3",
    "step": "fill:#fff3cd,stroke:#b08800",
    "impacted": "stroke:#c62828,stroke-width:3px",
}


def _mtext(text: str) -> str:
    """Label text: safe characters as they are, line breaks as <br>, control characters
    spelled out (\\u001b), the rest as entities."""
    out: list[str] = []
    for ch in visible(text.replace("\r\n", "\n").replace("\r", "\n")):
        if ch in _MERMAID_SAFE:
            out.append(ch)
        elif ch == "\n":
            out.append("<br>")
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def _mlabel(lines: Sequence[str]) -> str:
    return '"' + "<br>".join(_mtext(line) for line in lines) + '"'


class _Ids:
    """Mermaid ids: [A-Za-z0-9_] only, readable, unique, assigned in drawing order."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, key: str, prefix: str = "n") -> str:
        got = self.ids.get(key)
        if got is None:
            base = f"{prefix}_" + re.sub(r"[^A-Za-z0-9_]", "_", key)[:60]
            got, n = base, 1
            while got in self.used:
                n += 1
                got = f"{base}_{n}"
            self.used.add(got)
            self.ids[key] = got
        return got


def render_mermaid(
    graph: SystemGraph, view: str, result: Result | None = None, threat_id: str | None = None
) -> str:
    """The view as a Mermaid flowchart (GitHub and GitLab draw it in Markdown)."""
    scene = _scene(graph, view, result, threat_id)
    ids = _Ids()
    out = ["flowchart LR", f"  %% actm {_mtext(view.partition(':')[0])} view"]
    classes: dict[str, list[str]] = {}

    def node(e: GraphElement, indent: str) -> None:
        lines = _element_lines(e)
        left, right = _MERMAID_SHAPES[e.kind]
        mid = ids(e.id)
        out.append(f"{indent}{mid}{left}{_mlabel(lines)}{right}")
        classes.setdefault(e.kind, []).append(mid)
        if e.id == scene.highlight:
            classes.setdefault("impacted", []).append(mid)

    def begin(_: int, cid: str, label: str) -> None:
        out.append(f"  subgraph {ids('cluster:' + cid, 'c')}[{_mlabel([label])}]")

    _boxes(scene, begin, node, lambda: out.append("  end"))
    for edge in scene.edges:
        source = ids(edge.source)
        target = (
            ids("cluster:" + edge.target, "c")
            if edge.target in scene.edge_to_cluster
            else ids(edge.target)
        )
        text = _edge_text(edge)
        arrow = f'-->|"{_mtext(text)}"|' if text else "-->"
        out.append(f"  {source} {arrow} {target}")
    for s in scene.steps:
        sid = ids(f"step:{s.number}", "s")
        out.append(f"  {sid}{_mlabel_round(_wrap(f'{s.number}. {s.text}'))}")
        classes.setdefault("step", []).append(sid)
        for p in s.premises:
            out.append(f"  {ids(f'step:{p}', 's')} ==> {sid}")
        for t in s.targets:
            out.append(f"  {sid} -.- {ids(t)}")
    for kind, style in _MERMAID_CLASSES.items():
        if kind in classes:
            out.append(f"  classDef k_{kind} {style}")
            out.append(f"  class {','.join(classes[kind])} k_{kind}")
    return "\n".join(out) + "\n"


def _mlabel_round(lines: Sequence[str]) -> str:
    return f"({_mlabel(lines)})"
