"""An OWASP Threat Dragon version 2 model of a result, to open and edit in Threat Dragon.

One STRIDE diagram (:mod:`actm.render._dfd` chooses what is on it):

* each zone is a trust boundary box, laid out left to right, with its nodes stacked inside it;
  nodes in no zone stand in a column right of the boxes;
* each node is a store (stores of data: databases, object, vector and feature stores, data
  warehouses, file shares, caches), an actor (browsers, endpoints, workstations, phones) or
  else a process (a ``web_app`` flagged as a web application); its description is the node's;
* each relation between two nodes is a flow, named by the relation's id;
* each in-scope threat is a threat (``Open``, its severity as High, Medium or Low, actm's
  attack id as its type, the suggested controls as its mitigation) on the node it is placed
  on. A threat placed on no node is left out: Threat Dragon keeps threats on cells only.

Cell ids are UUIDv5 of the element ids in a fixed namespace, so the same result gives the same
file. Threat Dragon reads it back (an element whose centre is in a box is inside it), and so
does ``actm import``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from actm.render._dfd import Diagram, diagram
from actm.results.graph import GraphElement
from actm.results.model import Result, Threat

__all__ = ["TD_NAMESPACE", "TD_VERSION", "render_threat_dragon"]

TD_VERSION = "2.2.0"
TD_NAMESPACE = uuid.UUID("1b7e0c9a-5d2f-5e8b-8c41-3f6a9e2d7b15")
"""Namespace of the UUIDv5 cell and threat ids (fixed: ids must stay stable)."""
STORES = frozenset(
    {
        "database",
        "object_storage",
        "vector_store",
        "feature_store",
        "data_warehouse",
        "file_share",
        "cache",
    }
)
ACTORS = frozenset({"browser", "endpoint", "workstation", "mobile_device"})
SEVERITY = {"critical": "High", "high": "High", "medium": "Medium", "low": "Low", "info": "Low"}
_NODE = (160.0, 80.0)
_GAP = 40.0
_PAD = 40.0


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(TD_NAMESPACE, f"{kind}:{key}"))


def _stroke() -> dict[str, Any]:
    return {"stroke": "#333333", "strokeWidth": 1, "strokeDasharray": None}


def _threat(threat: Threat) -> dict[str, Any]:
    controls = ", ".join(sorted(threat.suggested_controls))
    return {
        "id": _id("threat", threat.id),
        "threatId": threat.id,
        "title": threat.title,
        "status": "Open",
        "severity": SEVERITY.get(threat.severity.level, "Medium"),
        "type": threat.attack,
        "description": threat.description,
        "mitigation": f"actm suggests: {controls}" if controls else "",
        "modelType": "STRIDE",
    }


def _node(
    node: GraphElement, at: tuple[float, float], description: str, threats: list[Threat]
) -> dict[str, Any]:
    kind = "tm.Store" if node.type in STORES else "tm.Actor" if node.type in ACTORS else ""
    kind = kind or "tm.Process"
    shape = {"tm.Store": "store", "tm.Actor": "actor", "tm.Process": "process"}[kind]
    data: dict[str, Any] = {
        "type": kind,
        "name": node.label,
        "description": description,
        "outOfScope": False,
        "reasonOutOfScope": "",
        "isTrustBoundary": False,
        "threats": [_threat(t) for t in threats],
        "hasOpenThreats": bool(threats),
    }
    if kind == "tm.Process":
        data["isWebApplication"] = node.type == "web_app"
    return {
        "id": _id("node", node.id),
        "shape": shape,
        "position": {"x": at[0], "y": at[1]},
        "size": {"width": _NODE[0], "height": _NODE[1]},
        "attrs": {"text": {"text": node.label}, "body": _stroke()},
        "zIndex": 2,
        "data": data,
    }


def _layout(view: Diagram) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]]]:
    """The boundary boxes, and the position of every node."""
    inside: dict[str | None, list[GraphElement]] = {}
    for n in view.nodes:
        inside.setdefault(view.zone_of(n), []).append(n)
    boxes, places = [], {}
    x = 0.0
    width = _NODE[0] + 2 * _PAD
    for zone in view.zones:
        members = inside.get(zone.id, [])
        height = max(1, len(members)) * (_NODE[1] + _GAP) + 2 * _PAD
        for i, n in enumerate(members):
            places[n.id] = (x + _PAD, _PAD * 1.5 + i * (_NODE[1] + _GAP))
        boxes.append(
            {
                "id": _id("zone", zone.id),
                "shape": "trust-boundary-box",
                "position": {"x": x, "y": 0.0},
                "size": {"width": width, "height": height},
                "attrs": {"headerText": {"text": zone.label}},
                "zIndex": 1,
                "data": {
                    "type": "tm.BoundaryBox",
                    "name": zone.label,
                    "description": f"actm zone, trust {zone.type}",
                    "isTrustBoundary": True,
                    "hasOpenThreats": False,
                },
            }
        )
        x += width + _GAP
    for i, n in enumerate(inside.get(None, [])):
        places[n.id] = (x + _PAD, _PAD * 1.5 + i * (_NODE[1] + _GAP))
    return boxes, places


def render_threat_dragon(result: Result) -> str:
    view = diagram(result)
    boxes, places = _layout(view)
    placed = view.placed()
    cells: list[dict[str, Any]] = list(boxes)
    for n in view.nodes:
        detail = result.details.get(n.id)
        description = (detail.description if detail else None) or ""
        cells.append(_node(n, places[n.id], description, placed.get(n.id, [])))
    for f in view.flows:
        cells.append(
            {
                "id": _id("flow", f.id),
                "shape": "flow",
                "source": {"cell": _id("node", f.source)},
                "target": {"cell": _id("node", f.target)},
                "attrs": {"line": {**_stroke(), "targetMarker": {"name": "block"}}},
                "labels": [{"attrs": {"text": {"text": f.id}}}],
                "zIndex": 3,
                "data": {
                    "type": "tm.Flow",
                    "name": f.id,
                    "description": f.label,
                    "outOfScope": False,
                    "reasonOutOfScope": "",
                    "isTrustBoundary": False,
                    "threats": [],
                    "hasOpenThreats": False,
                },
            }
        )
    document = {
        "version": TD_VERSION,
        "summary": {"title": view.title, "owner": "", "description": "", "id": 0},
        "detail": {
            "contributors": [],
            "diagrams": [
                {
                    "id": 0,
                    "title": view.title,
                    "diagramType": "STRIDE",
                    "placeholder": "",
                    "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                    "version": TD_VERSION,
                    "cells": cells,
                }
            ],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": len(view.threats),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
