"""An Open Threat Model (OTM 0.2) file of a result, for IriusRisk, StartLeft and other OTM tools.

What goes in (:mod:`actm.render._dfd` chooses the diagram):

* ``project``: the system's id and name;
* ``trustZones``: one per zone, its trust as a ``trustRating`` (untrusted 10, low 35, medium 65,
  high 90: each falls in the band ``actm import`` reads back as the same trust); nodes in no
  zone go into one more zone marked ``attributes: {actm_unzoned: true}``, which OTM requires
  and ``actm import`` skips;
* ``components``: one per node, its kind as the OTM ``type``, its description;
* ``assets``: one per conventional asset with its criticality as OTM risk (none 0, low 25,
  medium 50, high 75, critical 100) and the nodes it is stored or processed on;
* ``dataflows``: one per relation between two nodes, named by the relation's id;
* ``threats``: one per in-scope threat (actm's attack id as its category, the severity as its
  impact, the likelihood as its likelihood), recorded ``EXPOSED`` on the component it is
  placed on; its suggested controls as ``mitigations`` (``RECOMMENDED``).

Output is deterministic: the graph's order, sorted ids, no time stamps.
"""

from __future__ import annotations

import json
from typing import Any

from actm.render._dfd import Diagram, diagram
from actm.results.model import Result, Threat

__all__ = ["OTM_VERSION", "UNZONED", "render_otm"]

OTM_VERSION = "0.2.0"
UNZONED = "actm_unzoned"
"""The attribute of the trust zone that holds the nodes of no zone."""
_UNZONED_ID = "actm-unzoned"
TRUST_RATING = {"untrusted": 10, "low": 35, "medium": 65, "high": 90}
RISK = {"none": 0, "low": 25, "medium": 50, "high": 75, "critical": 100}
IMPACT = {"info": 10, "low": 25, "medium": 50, "high": 75, "critical": 100}
_MODES = {"stored": "stored", "processed": "processed"}


def _zones(view: Diagram, result: Result) -> list[dict[str, Any]]:
    zones = []
    for z in view.zones:
        zone: dict[str, Any] = {"id": z.id, "name": z.label}
        description = _description(result, z.id)
        if description:
            zone["description"] = description
        zone["risk"] = {"trustRating": TRUST_RATING.get(z.type, 65)}
        zones.append(zone)
    if any(view.zone_of(n) is None for n in view.nodes):
        zones.append(
            {
                "id": _UNZONED_ID,
                "name": "No trust zone",
                "description": "the nodes the actm model places in no zone",
                "risk": {"trustRating": 65},
                "attributes": {UNZONED: True},
            }
        )
    return zones


def _description(result: Result, ident: str) -> str | None:
    detail = result.details.get(ident)
    return detail.description if detail is not None else None


def _assets(result: Result) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[str]]]]:
    """The OTM assets, and node id -> mode -> the assets held there."""
    held: dict[str, dict[str, list[str]]] = {}
    assets = []
    elements = {e.id: e for e in result.graph.elements}
    for ident, detail in result.details.items():
        element = elements.get(ident)
        if element is None or element.kind != "asset":
            continue
        asset: dict[str, Any] = {"id": ident, "name": element.label}
        if detail.description:
            asset["description"] = detail.description
        asset["risk"] = {
            c: RISK.get(detail.criticality.get(c, "medium"), 50)
            for c in ("confidentiality", "integrity", "availability")
        }
        assets.append(asset)
    for edge in result.graph.edges:
        if edge.kind == "resides" and any(a["id"] == edge.target for a in assets):
            for mode in edge.label.split(", "):
                if mode in _MODES:
                    held.setdefault(edge.source, {}).setdefault(mode, []).append(edge.target)
    return assets, held


def _threat(threat: Threat) -> dict[str, Any]:
    out: dict[str, Any] = {"id": threat.id, "name": threat.title}
    if threat.description:
        out["description"] = threat.description
    out["categories"] = [threat.attack]
    out["risk"] = {
        "likelihood": IMPACT.get(threat.likelihood, 50),
        "impact": IMPACT.get(threat.severity.level, 50),
    }
    return out


def _instance(threat: Threat) -> dict[str, Any]:
    return {
        "threat": threat.id,
        "state": "EXPOSED",
        "mitigations": [
            {"mitigation": c, "state": "RECOMMENDED"} for c in sorted(threat.suggested_controls)
        ],
    }


def render_otm(result: Result) -> str:
    view = diagram(result)
    assets, held = _assets(result)
    placed = view.placed()
    components = []
    for n in view.nodes:
        component: dict[str, Any] = {"id": n.id, "name": n.label, "type": n.type}
        description = _description(result, n.id)
        if description:
            component["description"] = description
        component["parent"] = {"trustZone": view.zone_of(n) or _UNZONED_ID}
        if n.id in held:
            component["assets"] = {m: sorted(held[n.id][m]) for m in sorted(held[n.id])}
        if n.id in placed:
            component["threats"] = [_instance(t) for t in placed[n.id]]
        components.append(component)
    controls = sorted({c for t, _ in view.threats for c in t.suggested_controls})
    document: dict[str, Any] = {
        "otmVersion": OTM_VERSION,
        "project": {"name": view.title, "id": result.system.id},
        "trustZones": _zones(view, result),
        "components": components,
        "assets": assets,
        "dataflows": [
            {"id": f.id, "name": f.id, "source": f.source, "destination": f.target}
            | ({"description": f.label} if f.label else {})
            for f in view.flows
        ],
        "threats": [_threat(t) for t, _ in view.threats],
        "mitigations": [{"id": c, "name": c, "riskReduction": 50} for c in controls],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
