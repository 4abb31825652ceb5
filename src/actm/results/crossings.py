"""Trust-zone crossings: where data or control passes from one trust zone to another."""

from __future__ import annotations

from actm.model.system import SystemModel
from actm.results.model import Crossing

__all__ = ["crossings"]

UNZONED = "(no zone)"


def crossings(model: SystemModel) -> tuple[Crossing, ...]:
    """Every relation, tool egress and public exposure that joins two different zones."""
    node_zone = {n.id: n.zone or UNZONED for n in model.nodes}
    zones_of: dict[str, set[str]] = {}
    for a in model.assets:
        zones_of[a.id] = {node_zone.get(r.node, UNZONED) for r in a.resides}
    out: set[Crossing] = set()
    for r in model.relations:
        for zs in zones_of.get(r.source, ()):
            for zt in zones_of.get(r.target, ()):
                if zs != zt:
                    out.add(Crossing(zs, zt, r.kind, r.id))
    users: dict[str, list[str]] = {}
    for model_ in model.models:
        for tool_id in model_.tools:
            users.setdefault(tool_id, []).append(model_.id)
    zone_ids = {z.id for z in model.zones}
    for t in model.tools:
        origin = {node_zone.get(t.node, UNZONED)} if t.node else set()
        if not origin:
            for user in users.get(t.id, ()):
                origin |= zones_of.get(f"{user}.outputs", set())
        for dest in t.egress:
            target = dest if dest in zone_ids else f"external:{dest}"
            for zs in origin or {UNZONED}:
                if zs != target:
                    out.add(Crossing(zs, target, "tool_egress", t.id))
    for m in model.models:
        if m.exposure == "public":
            for zt in zones_of.get(f"{m.id}.inputs", set()) or {UNZONED}:
                out.add(Crossing("external:public", zt, "public_exposure", m.id))
    return tuple(sorted(out, key=lambda x: (x.source_zone, x.target_zone, x.kind, x.via)))
