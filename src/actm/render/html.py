"""Interactive HTML report: one self-contained file that works offline.

The file holds a summary (threats by severity, framework and team), the threat list with
filters (severity, framework, team view, pipeline, text), an interactive graph of the system
(cytoscape.js, vendored and inlined) on which threatened elements are marked and a selected
threat's chain is drawn step by step, the assumption table and the capability matrix.

Safety: the template autoescapes every value; the graph and chain data travel as JSON in a
``<script type="application/json">`` element with ``<``, ``>``, ``&``, U+2028 and U+2029
escaped, so no user text can close the element; the script only ever sets ``textContent``.
A Content-Security-Policy meta element allows the two inline scripts by their SHA-256 hashes (no
other script, inline event handler or ``javascript:`` URL runs), inline styles and ``data:``
images, and nothing else, so the report loads nothing from anywhere.

Layout: positions are computed in Python (:mod:`actm.render._layout`) and the browser only
draws, every element as a plain cytoscape node (boxes behind what they hold, not compound
nodes). Graphs above :data:`LARGE` elements and edges are drawn for speed: straight edges
without arrows (a selected chain gets its arrows back), labels only when zoomed in. Above
:data:`COLLAPSE`, assets start out of the graph: a threat on an asset rings the box that holds
it, a selected chain adds what it touches, and a button adds everything. docs/reports.md
describes the report.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from actm.render._common import (
    LEVELS,
    by_team,
    count,
    reached_capabilities,
    recorded_facts,
    template_env,
    triage_status,
    triage_text,
    untriaged,
)
from actm.render._findings import (
    accepted_text,
    findings_rows,
    root_cause_text,
    shared_root_causes,
)
from actm.render._layout import box_layout
from actm.results.graph import SystemGraph, chain_elements, chain_index
from actm.results.model import Result, Threat
from actm.terms import CLASSES, SEVERITIES_WORST_FIRST

__all__ = [
    "COLLAPSE",
    "LARGE",
    "ShownStep",
    "csp_hash",
    "framework_counts",
    "references_text",
    "render_html",
    "script_json",
    "shown_step_elements",
    "shown_steps",
]

LARGE = 4000
"""Above this many elements and edges, the graph is drawn in its fast mode."""
COLLAPSE = 15000
"""Above this many elements and edges, assets start out of the graph (see the module doc)."""

_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(data: object) -> Markup:
    """Compact JSON that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``,
    no line separators that old parsers take for line ends. Keys keep their order."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return Markup(text)  # safe: escaped just above


def _package_text(*parts: str) -> str:
    return files("actm.render").joinpath(*parts).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class _Inline:
    """What the page inlines: the vendored cytoscape.js and the report's own script, each the
    exact text of its ``<script>`` element, their CSP hashes, and the style sheet."""

    cytoscape: Markup
    app: Markup
    css: Markup
    script_hashes: Markup
    """``'sha256-...'`` sources for ``script-src``, one per executed inline script."""


def csp_hash(text: str) -> str:
    """The CSP source expression that allows an inline script or style with exactly ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@lru_cache(maxsize=1)
def _inline() -> _Inline:
    out = []
    for parts in (
        ("vendor", "cytoscape.min.js"),
        ("static", "report.js"),
        ("static", "report.css"),
    ):
        text = _package_text(*parts)
        if "</script" in text.lower() or "</style" in text.lower():
            raise RuntimeError(f"{'/'.join(parts)} cannot be inlined: it closes its element")
        out.append("\n" + text + "\n")  # the element's exact content, as the template writes it
    cytoscape, app, css = out
    return _Inline(
        cytoscape=Markup(cytoscape),  # our own files, checked above
        app=Markup(app),
        css=Markup(css),
        # safe: quotes around base64 digests
        script_hashes=Markup(" ".join(csp_hash(t) for t in (cytoscape, app))),
    )


@lru_cache(maxsize=1)
def _env() -> Environment:
    return template_env(autoescape=True, filters={"count": count, "recorded_facts": recorded_facts})


def framework_counts(result: Result) -> list[tuple[str, int, int]]:
    """(framework, threats referencing it, distinct items referenced), by framework id."""
    threats: dict[str, int] = {}
    items: dict[str, set[str]] = {}
    for t in result.threats:
        for fw, ids in t.references.items():
            if ids:
                threats[fw] = threats.get(fw, 0) + 1
                items.setdefault(fw, set()).update(ids)
    return [(fw, threats[fw], len(items[fw])) for fw in sorted(threats)]


@dataclass(frozen=True, slots=True)
class ShownStep:
    """A step of a threat's chain as the reports show it."""

    text: str
    pipeline: str
    indices: tuple[int, ...]
    """Indices in ``threat.chain`` of the steps it stands for: the bookkeeping (structural)
    steps before it, then itself."""


def shown_steps(threat: Threat) -> list[ShownStep]:
    """The chain without its structural steps, each of which is folded into the next shown
    step (or the last one, at the end)."""
    out: list[ShownStep] = []
    pending: list[int] = []
    for step in threat.chain:
        pending.append(step.index)
        if not step.structural:
            out.append(ShownStep(step.text, step.pipeline, tuple(pending)))
            pending = []
    if pending:
        if out:
            last = out[-1]
            out[-1] = ShownStep(last.text, last.pipeline, last.indices + tuple(pending))
        else:  # only bookkeeping: show it as it is
            only = threat.chain[pending[-1]]
            out.append(ShownStep(only.text, only.pipeline, tuple(pending)))
    return out


def shown_step_elements(
    threat: Threat, shown: list[ShownStep], touched: Sequence[Sequence[str]]
) -> list[set[str]]:
    """The graph ids each shown step paints: what its own step touches, plus what the
    structural steps folded into it touch that no earlier shown step painted already.
    ``touched`` holds the ids per chain step (:func:`actm.results.graph.chain_elements`)."""
    out: list[set[str]] = []
    painted: set[str] = set()
    for s in shown:
        own = [k for k in s.indices if not threat.chain[k].structural] or list(s.indices)
        ids = {i for k in own for i in touched[k]}
        ids |= {i for k in s.indices if k not in own for i in touched[k]} - painted
        painted |= ids
        out.append(ids)
    return out


def _ancestors(graph: SystemGraph) -> dict[str, set[str]]:
    """The elements each element is drawn inside."""
    parent = {e.id: e.parent for e in graph.elements}
    out: dict[str, set[str]] = {}
    for e in graph.elements:
        seen: set[str] = set()
        p = e.parent
        while p is not None and p in parent and p not in seen and p != e.id:
            seen.add(p)
            p = parent[p]
        out[e.id] = seen
    return out


def _graph_data(graph: SystemGraph) -> tuple[dict[str, int], list[list[Any]], list[list[Any]]]:
    """Element and edge rows for the script, with element indices in place of ids.

    An element row is ``[id, kind, type, label, parent, x, y, width, height, zone, pipeline,
    owner, vulnerabilities]`` (``width`` 0 for a leaf); an edge row is ``[id, kind, source,
    target, label, inside]``, with ``id`` null when it is the usual ``kind:source->target``
    and ``inside`` 1 when one end is drawn inside the other (a residency on the node whose box
    holds the asset): such edges are drawn only as part of a selected chain.
    """
    boxes = box_layout(graph.elements)
    index = {e.id: i for i, e in enumerate(graph.elements)}
    elements: list[list[Any]] = []
    for e in graph.elements:
        box = boxes[e.id]
        elements.append(
            [
                e.id,
                e.kind,
                e.type,
                e.label,
                index.get(e.parent, -1) if e.parent is not None else -1,
                *box,
                e.zone,
                e.pipeline,
                e.owner,
                list(e.vulnerabilities),
            ]
        )
    inside = _ancestors(graph)
    n = len(elements)
    edges: list[list[Any]] = []
    for j, edge in enumerate(graph.edges):
        index[edge.id] = n + j
        usual = edge.id == f"{edge.kind}:{edge.source}->{edge.target}"
        nested = edge.target in inside[edge.source] or edge.source in inside[edge.target]
        edges.append(
            [
                None if usual else edge.id,
                edge.kind,
                index[edge.source],
                index[edge.target],
                edge.label,
                int(nested),
            ]
        )
    return index, elements, edges


def _element_of(index: dict[str, int], ident: str) -> int | None:
    """The graph element of an asset or component id (a component maps to its asset)."""
    while ident:
        if ident in index:
            return index[ident]
        if "." not in ident:
            return None
        ident = ident.rsplit(".", 1)[0]
    return None


def references_text(references: dict[str, tuple[str, ...]]) -> str:
    """'atlas: AML.T0051; owasp_llm: LLM01'."""
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in references.items() if v)


def _threat_row(t: Threat, shown: list[ShownStep], attack_refs: str) -> dict[str, Any]:
    """What the template shows of a threat, as ready-made strings (the template escapes them)."""
    more = findings_rows(t)
    if t.vulnerabilities:
        more.append(("vulnerabilities", ", ".join(t.vulnerabilities)))
    if t.hypothetical:
        more.append(("hypothetical", "it needs a weakness a hypothesis posits"))
    if t.assumptions:
        more.append(
            (
                "assumptions",
                ", ".join(
                    a + (" (unjustified)" if a in t.unjustified_assumptions else "")
                    for a in t.assumptions
                ),
            )
        )
    refs = references_text(t.references)
    if refs != attack_refs:
        more.append(("references", refs))
    if t.suggested_controls:
        more.append(("controls that break it", ", ".join(t.suggested_controls)))
    return {
        "id": t.id,
        "fingerprint": t.fingerprint,
        "attack": t.attack,
        "title": t.title,
        "level": t.severity.level,
        "score": t.severity.score,
        "explanation": f"{t.severity.level} ({t.severity.score}): {t.severity.explanation}",
        "assets": ", ".join(t.assets),
        "facts": f"{t.likelihood}; maturity {t.maturity.replace('_', ' ')}; "
        f"pipelines {', '.join(t.pipelines)}; teams {', '.join(t.teams)}",
        "frameworks": " ".join(sorted(k for k, v in t.references.items() if v)),
        "teams": " ".join(t.teams),
        "pipelines": " ".join(t.pipelines),
        "triage_status": triage_status(t.triage) if t.triage else "",
        "triage_text": triage_text(t.triage) if t.triage else "",
        "expired": bool(t.triage and t.triage.expired),
        "more": more,
        "steps": shown,
    }


def render_html(result: Result) -> str:
    """The report as one HTML document (deterministic: the same result gives the same bytes)."""
    graph = result.graph
    index, elements, edges = _graph_data(graph)
    rows: list[dict[str, Any]] = []
    threat_data: list[list[Any]] = []
    attacks: dict[str, dict[str, Any]] = {}
    lookups = chain_index(graph)
    for t in result.threats:
        per_step = chain_elements(graph, t, lookups)
        shown = shown_steps(t)
        steps = [
            sorted(index[i] for i in ids if i in index)
            for ids in shown_step_elements(t, shown, per_step)
        ]
        marked = _element_of(index, t.severity.asset)
        marks = [marked] if marked is not None else [i for i in steps[-1] if i < len(elements)]
        threat_data.append([t.severity.level, steps, marks[:1]])
        attack = attacks.setdefault(
            t.attack,
            {
                "id": t.attack,
                "title": t.title,
                "description": t.description,
                "references": references_text(t.references),
                "threats": 0,
            },
        )
        attack["threats"] += 1
        rows.append(_threat_row(t, shown, attack["references"]))
    size = len(elements) + len(edges)
    large, collapse = size > LARGE, size > COLLAPSE
    data = {"large": large, "collapse": collapse, "el": elements, "ed": edges, "th": threat_data}
    inline = _inline()
    reached = reached_capabilities(result)
    most = max((result.summary.get(f"severity_{lvl}", 0) for lvl in LEVELS), default=0)
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            r=result,
            threats=rows,
            attacks=[attacks[a] for a in sorted(attacks)],
            levels=SEVERITIES_WORST_FIRST,
            bar=lambda n: round(100 * n / most) if most else 0,
            untriaged=untriaged(result),
            frameworks=framework_counts(result),
            teams=by_team(result),
            team_titles=result.team_titles,
            causes=[(g, root_cause_text(g)) for g in shared_root_causes(result)],
            accepted=[(t, accepted_text(t)) for t in result.threats if t.accepted is not None],
            anchors={t.id: t.fingerprint for t in result.threats},
            reached=reached,
            unreached=len(result.capabilities) - len(reached),
            classes=CLASSES,
            graph=graph,
            large=large,
            collapse=collapse,
            data=script_json(data),
            cytoscape=inline.cytoscape,
            app=inline.app,
            css=inline.css,
            script_hashes=inline.script_hashes,
        )
    )
