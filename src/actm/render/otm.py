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
* ``dataflows``: one per relation between two nodes, named by the relation's id, with
  ``attributes: {actm_encrypted: BOOL}`` (OTM has no word for encryption in transit);
* ``threats``: one per in-scope threat (actm's attack id as its category, the severity as its
  impact, the likelihood as its likelihood, the threat's id in ``attributes: {actm_threat:
  ID}``, and ``actm_hypothetical: true`` there when it needs a weakness a hypothesis posits),
  recorded ``EXPOSED`` on the component it is placed on; its suggested controls as
  ``mitigations`` (``RECOMMENDED``);
* and one per recorded threat, with its own id, on the component or data flow it is on
  (``EXPOSED``, ``MITIGATED`` or ``NOT_APPLICABLE``), its mitigations by their text.

Ids: an element or recorded threat imported from an OTM file keeps its id there (its
``origin``), the others have their actm id. Output is deterministic: every list sorted by id
(the zones in the graph's order), no time stamps.
"""

from __future__ import annotations

import json
from typing import Any

from actm.render._dfd import Diagram, diagram, foreign_id, recorded_id
from actm.results.model import RecordedThreat, Result, Threat

__all__ = ["ACTM_THREAT", "ENCRYPTED", "HYPOTHETICAL", "OTM_VERSION", "UNZONED", "render_otm"]

OTM_VERSION = "0.2.0"
UNZONED = "actm_unzoned"
"""The attribute of the trust zone that holds the nodes of no zone."""
ACTM_THREAT = "actm_threat"
"""The attribute of a threat that names the actm threat it is."""
HYPOTHETICAL = "actm_hypothetical"
"""The attribute, ``true``, of a threat that needs a weakness a hypothesis posits."""
ENCRYPTED = "actm_encrypted"
"""The attribute of a data flow that says whether it is encrypted in transit."""
_UNZONED_ID = "actm-unzoned"
TRUST_RATING = {"untrusted": 10, "low": 35, "medium": 65, "high": 90}
RISK = {"none": 0, "low": 25, "medium": 50, "high": 75, "critical": 100}
IMPACT = {"info": 10, "low": 25, "medium": 50, "high": 75, "critical": 100}
STATE = {"open": "EXPOSED", "mitigated": "MITIGATED", "not_applicable": "NOT_APPLICABLE"}
_MODES = frozenset({"stored", "processed"})


def _oid(result: Result, ident: str) -> str:
    """The OTM id of an element: its id in the OTM file it came from, else its actm id."""
    return foreign_id(result, ident, "otm") or ident


def _zones(view: Diagram, result: Result) -> list[dict[str, Any]]:
    zones = []
    for z in view.zones:
        zone: dict[str, Any] = {"id": _oid(result, z.id), "name": z.label}
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
    """The OTM assets, and node id -> mode -> the (OTM ids of the) assets held there."""
    held: dict[str, dict[str, list[str]]] = {}
    assets = []
    elements = {e.id: e for e in result.graph.elements}
    ids: dict[str, str] = {}
    for ident, detail in result.details.items():
        element = elements.get(ident)
        if element is None or element.kind != "asset":
            continue
        ids[ident] = _oid(result, ident)
        asset: dict[str, Any] = {"id": ids[ident], "name": element.label}
        if detail.description:
            asset["description"] = detail.description
        asset["risk"] = {
            c: RISK.get(detail.criticality.get(c, "medium"), 50)
            for c in ("confidentiality", "integrity", "availability")
        }
        assets.append(asset)
    assets.sort(key=lambda a: str(a["id"]))
    for edge in result.graph.edges:
        if edge.kind == "resides" and edge.source in ids:
            # the edge runs from the asset to its node; its label: "stored", "processed (writes)"
            for mode in {part.split(" ")[0] for part in edge.label.split(", ")} & _MODES:
                held.setdefault(edge.target, {}).setdefault(mode, []).append(ids[edge.source])
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
    out["attributes"] = {ACTM_THREAT: threat.id}
    if threat.hypothetical:
        out["attributes"][HYPOTHETICAL] = True
    return out


def _instance(threat: Threat) -> dict[str, Any]:
    return {
        "threat": threat.id,
        "state": "EXPOSED",
        "mitigations": [
            {"mitigation": c, "state": "RECOMMENDED"} for c in sorted(threat.suggested_controls)
        ],
    }


def _recorded_id(threat: RecordedThreat) -> str:
    return recorded_id(threat, "otm") or threat.derived or threat.id


def _recorded(threat: RecordedThreat) -> dict[str, Any]:
    out: dict[str, Any] = {"id": _recorded_id(threat), "name": threat.title}
    if threat.description:
        out["description"] = threat.description
    if threat.category:
        out["categories"] = [threat.category]
    out["risk"] = {
        "likelihood": IMPACT.get(threat.likelihood or "", 50),
        "impact": IMPACT.get(threat.severity or "", 50),
    }
    if threat.derived:
        out["attributes"] = {ACTM_THREAT: threat.derived}
    return out


def _recorded_instance(threat: RecordedThreat) -> dict[str, Any]:
    state = "IMPLEMENTED" if threat.status == "mitigated" else "RECOMMENDED"
    return {
        "threat": _recorded_id(threat),
        "state": STATE[threat.status],
        "mitigations": [{"mitigation": m, "state": state} for m in threat.mitigations],
    }


def _threats(view: Diagram) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The threats (each id once) and the mitigations (sorted by id)."""
    threats: dict[str, dict[str, Any]] = {}
    for t, _ in view.threats:
        threats.setdefault(t.id, _threat(t))
    for r, _ in view.recorded:
        threats.setdefault(_recorded_id(r), _recorded(r))
    names = {c: c for t, _ in view.threats for c in t.suggested_controls}
    names.update((m, m) for r, _ in view.recorded for m in r.mitigations)
    mitigations = [{"id": m, "name": m, "riskReduction": 50} for m in sorted(names)]
    return sorted(threats.values(), key=lambda t: str(t["id"])), mitigations


def render_otm(result: Result) -> str:
    view = diagram(result)
    assets, held = _assets(result)
    placed, recorded = view.placed(), view.recorded_on()
    ids = {e.id: _oid(result, e.id) for e in (*view.zones, *view.nodes)}
    components = []
    for n in view.nodes:
        component: dict[str, Any] = {"id": ids[n.id], "name": n.label, "type": n.type}
        description = _description(result, n.id)
        if description:
            component["description"] = description
        zone = view.zone_of(n)
        component["parent"] = {"trustZone": ids[zone] if zone else _UNZONED_ID}
        if n.id in held:
            component["assets"] = {m: sorted(held[n.id][m]) for m in sorted(held[n.id])}
        instances = [_instance(t) for t in placed.get(n.id, ())]
        instances += [_recorded_instance(r) for r in recorded.get(n.id, ())]
        if instances:
            component["threats"] = instances
        components.append(component)
    components.sort(key=lambda c: str(c["id"]))
    dataflows = []
    for f in view.flows:
        flow: dict[str, Any] = {"id": _oid(result, f.id), "name": f.id}
        if f.label:
            flow["description"] = f.label
        flow |= {"source": ids[f.source], "destination": ids[f.target]}
        detail = result.details.get(f.id)
        flow["attributes"] = {ENCRYPTED: detail is None or detail.encrypted is not False}
        if f.id in recorded:
            flow["threats"] = [_recorded_instance(r) for r in recorded[f.id]]
        dataflows.append(flow)
    dataflows.sort(key=lambda f: str(f["id"]))
    threats, mitigations = _threats(view)
    document: dict[str, Any] = {
        "otmVersion": OTM_VERSION,
        "project": {"name": view.title, "id": result.system.id},
        "trustZones": _zones(view, result),
        "components": components,
        "assets": assets,
        "dataflows": dataflows,
        "threats": threats,
        "mitigations": mitigations,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
