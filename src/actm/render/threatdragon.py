"""An OWASP Threat Dragon version 2 model of a result, to open and edit in Threat Dragon.

One STRIDE diagram (:mod:`actm.render._dfd` chooses what is on it):

* each zone is a trust boundary box, laid out left to right, with its nodes stacked inside it;
  nodes in no zone stand in a column right of the boxes;
* each node is a store (stores of data: databases, object, vector and feature stores, data
  warehouses, file shares, caches), an actor (browsers, endpoints, workstations, phones) or
  else a process (a ``web_app`` flagged as a web application); its description is the node's;
* each relation between two nodes is a flow, named by the relation's id, encrypted unless the
  relation says ``encrypted: false``;
* each in-scope threat is a threat (``Open``, its severity as High, Medium or Low, actm's
  attack id as its type, the suggested controls as its mitigation, its id as ``threatId``) on
  the node it is placed on; a threat that needs a weakness a hypothesis posits says so at the
  start of its description (``Hypothetical: ...``), Threat Dragon having no field for it;
* each recorded threat is a threat with its own id on the node or flow it is on.
A threat placed on no node or flow is left out: Threat Dragon keeps threats on cells only.

A zone's box says its trust in its description (``actm trust: high. DESCRIPTION``): Threat
Dragon has no trust levels, ``actm import`` reads it back. Cell and threat ids are the ids an
element or recorded threat had in the Threat Dragon file it was imported from (its ``origin``),
else UUIDv5 of the actm ids in a fixed namespace, so the same result gives the same file. Threat
Dragon reads it back (an element whose centre is in a box is inside it), and so does ``actm
import``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from actm.render._common import hypothetical_note
from actm.render._dfd import Diagram, Flow, diagram, foreign_id, recorded_id
from actm.results.graph import GraphElement
from actm.results.model import RecordedThreat, Result, Threat

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
STATUS = {"open": "Open", "mitigated": "Mitigated", "not_applicable": "NA"}
_NODE = (160.0, 80.0)
_GAP = 40.0
_PAD = 40.0


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(TD_NAMESPACE, f"{kind}:{key}"))


def _cell_id(result: Result, kind: str, key: str) -> str:
    return foreign_id(result, key, "threat-dragon") or _id(kind, key)


def _stroke() -> dict[str, Any]:
    return {"stroke": "#333333", "strokeWidth": 1, "strokeDasharray": None}


def _described(threat: Threat) -> str:
    """The threat's description, after :func:`~actm.render._common.hypothetical_note` when it
    needs a posited weakness: Threat Dragon has no field for it."""
    note = hypothetical_note(threat)
    return f"{note} {threat.description}" if note else threat.description


def _threat(threat: Threat) -> dict[str, Any]:
    controls = ", ".join(sorted(threat.suggested_controls))
    return {
        "id": _id("threat", threat.id),
        "threatId": threat.id,
        "title": threat.title,
        "status": "Open",
        "severity": SEVERITY.get(threat.severity.level, "Medium"),
        "type": threat.attack,
        "description": _described(threat),
        "mitigation": f"actm suggests: {controls}" if controls else "",
        "modelType": "STRIDE",
    }


def _recorded(threat: RecordedThreat) -> dict[str, Any]:
    ident = recorded_id(threat, "threat-dragon") or _id("threat", threat.id)
    return {
        "id": ident,
        "threatId": threat.derived or ident,
        "title": threat.title,
        "status": STATUS[threat.status],
        "severity": SEVERITY.get(threat.severity or "", "Medium"),
        "type": threat.category or "",
        "description": threat.description or "",
        "mitigation": "; ".join(threat.mitigations),
        "modelType": "STRIDE",
    }


def _threats(threats: list[Threat], recorded: list[RecordedThreat]) -> list[dict[str, Any]]:
    return [*(_threat(t) for t in threats), *(_recorded(r) for r in recorded)]


def _node(
    ident: str,
    node: GraphElement,
    at: tuple[float, float],
    description: str,
    threats: list[dict[str, Any]],
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
        "threats": threats,
        "hasOpenThreats": any(t["status"] == "Open" for t in threats),
    }
    if kind == "tm.Process":
        data["isWebApplication"] = node.type == "web_app"
    return {
        "id": ident,
        "shape": shape,
        "position": {"x": at[0], "y": at[1]},
        "size": {"width": _NODE[0], "height": _NODE[1]},
        "attrs": {"text": {"text": node.label}, "body": _stroke()},
        "zIndex": 2,
        "data": data,
    }


def _layout(
    view: Diagram, result: Result
) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]]]:
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
        said = result.details.get(zone.id)
        trust = f"actm trust: {zone.type}"
        boxes.append(
            {
                "id": _cell_id(result, "zone", zone.id),
                "shape": "trust-boundary-box",
                "position": {"x": x, "y": 0.0},
                "size": {"width": width, "height": height},
                "attrs": {"headerText": {"text": zone.label}},
                "zIndex": 1,
                "data": {
                    "type": "tm.BoundaryBox",
                    "name": zone.label,
                    "description": f"{trust}. {said.description}"
                    if said is not None and said.description
                    else trust,
                    "isTrustBoundary": True,
                    "hasOpenThreats": False,
                },
            }
        )
        x += width + _GAP
    for i, n in enumerate(inside.get(None, [])):
        places[n.id] = (x + _PAD, _PAD * 1.5 + i * (_NODE[1] + _GAP))
    return boxes, places


def _flow(result: Result, f: Flow, ids: dict[str, str], threats: list[dict[str, Any]]) -> Any:
    detail = result.details.get(f.id)
    return {
        "id": _cell_id(result, "flow", f.id),
        "shape": "flow",
        "source": {"cell": ids[f.source]},
        "target": {"cell": ids[f.target]},
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
            "threats": threats,
            "hasOpenThreats": any(t["status"] == "Open" for t in threats),
            "isEncrypted": detail is None or detail.encrypted is not False,
        },
    }


def render_threat_dragon(result: Result) -> str:
    view = diagram(result)
    boxes, places = _layout(view, result)
    placed, recorded = view.placed(), view.recorded_on()
    ids = {n.id: _cell_id(result, "node", n.id) for n in view.nodes}
    cells: list[dict[str, Any]] = list(boxes)
    count = 0
    for n in view.nodes:
        detail = result.details.get(n.id)
        description = (detail.description if detail else None) or ""
        threats = _threats(placed.get(n.id, []), recorded.get(n.id, []))
        count += len(threats)
        cells.append(_node(ids[n.id], n, places[n.id], description, threats))
    for f in view.flows:
        threats = _threats([], recorded.get(f.id, []))
        count += len(threats)
        cells.append(_flow(result, f, ids, threats))
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
            "threatTop": count,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
