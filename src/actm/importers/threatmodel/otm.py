"""Open Threat Model (OTM 0.1 and 0.2) files, as IriusRisk, StartLeft and actm itself write them.

The draft holds the project as the system, each trust zone as a zone (its ``trustRating`` as a
trust level through the ``trust_ratings`` table of ``threatmodel.yaml``), each component as a
node (its type as the node kind when it is one, else through the ``component_kinds`` table),
with the data it holds or handles, each OTM asset as a ``data`` asset (its risk ratings as its
criticality, where the components that process or store it say), each data flow as a relation
(:mod:`actm.importers.threatmodel.common`), and each threat, with its state and mitigations on the
component or flow it is recorded on, as a recorded threat. A component inside another component
is placed in the zone of the outermost one. The trust zone actm writes for nodes without a zone
(marked in its ``attributes``) is not a zone, and the asset actm writes for the data a component
holds (``Data stored in NAME``, ``Data handled by NAME``) is that component's data again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actm.importers.common import text_of
from actm.importers.data import table
from actm.importers.draft import Draft, DraftBuilder, Review, slug
from actm.importers.interface import Confidence, Importer, ImportOptions, read_json, refuse
from actm.importers.names import DESCRIPTIONS
from actm.importers.threatmodel.common import (
    DiagramDraft,
    DocumentReader,
    Threat,
    items,
    level,
    mapping,
    node_kind,
)
from actm.importers.values import as_list, as_str, dicts, is_dict, strings

__all__ = ["ACTM_THREAT", "ENCRYPTED", "UNZONED", "Otm"]

_VERSION = re.compile(rb'"otmVersion"\s*:')
UNZONED = "actm_unzoned"
"""The attribute that marks the trust zone an OTM export holds nodes without a zone in."""
ACTM_THREAT = "actm_threat"
"""The attribute of a threat of an OTM export that names the actm threat it is."""
ENCRYPTED = "actm_encrypted"
"""The attribute of a data flow of an OTM export that says whether it is encrypted."""


def _id(x: Mapping[str, Any]) -> str | None:
    """The id of ``x`` (:func:`_ref`)."""
    return _ref(x.get("id"))


def _ref(value: Any) -> str | None:
    """An id, or a reference to one: a string, or a whole number read as one, so that a
    reference written as a number finds the element whose id is that number (another value is
    counted as read as absent: importers/values.py)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return as_str(value)


def _refs(value: Any) -> list[str]:
    """The references of a JSON array (:func:`_ref`; other items skipped)."""
    return [ref for v in as_list(value) if (ref := _ref(v)) is not None]


@dataclass(slots=True)
class _Reader(DocumentReader):
    def zones(self) -> None:
        rows = table("threatmodel")["trust_ratings"]
        for at, z in items(self.data, "trustZones"):
            source = _id(z)
            if source is None:
                continue
            attributes = mapping(z, "attributes")
            if attributes.get(UNZONED) is True:
                continue
            risk = mapping(z, "risk")
            parts = [text_of(z.get("description"), 500), z.get("type") and f"type {z['type']}"]
            self.diagram.zone(
                source,
                text_of(z.get("name"), 200),
                at,
                trust=level(risk.get("trustRating"), rows, "trust"),
                description="; ".join(p for p in parts if p) or None,
            )

    def zone_of(self, c: Mapping[str, Any], components: Mapping[str, Mapping[str, Any]]) -> str:
        """The zone id of a component, through the components it is inside."""
        seen: set[str] = set()
        while True:
            parent = mapping(c, "parent")
            zone = _ref(parent.get("trustZone"))
            if zone is not None:
                return self.diagram.zones.get(zone, "")
            inside = _ref(parent.get("component"))
            if inside is None or inside in seen or inside not in components:
                return ""
            seen.add(inside)
            c = components[inside]

    def components(self, options: ImportOptions) -> None:
        rows = table("threatmodel")["component_kinds"]
        kinds = options.vocabulary.node_kinds
        found = {i: c for _, c in items(self.data, "components") if (i := _id(c)) is not None}
        for at, c in items(self.data, "components"):
            source = _id(c)
            name = text_of(c.get("name"), 200) or source
            if source is None or name is None:
                self.builder.note("unplaced", "a component without an id; left out", at)
                continue
            type_name = str(c.get("type") or "")
            kind, ask = node_kind(type_name, kinds, rows)
            parts = [text_of(c.get("description"), 500)]
            parent = mapping(c, "parent")
            inside = _ref(parent.get("component"))
            if inside is not None and inside in found:
                parts.append(f"inside {text_of(found[inside].get('name'), 200)}")
            if ask and type_name:
                parts.append(f"OTM type {type_name}")
            self.diagram.component(
                source,
                name,
                at,
                kind=kind,
                ask_kind=ask,
                zone=self.zone_of(c, found) or None,
                store=kind in _STORES,
                description="; ".join(p for p in parts if p) or None,
            )

    def assets(self) -> None:
        rows = table("threatmodel")["risk_levels"]
        for at, a in items(self.data, "assets"):
            source, name = _id(a), text_of(a.get("name"), 200)
            if source is None:
                continue
            own = self._own_data(source, name)
            if own is not None:
                self.builder.add("assets", own, {"origin": self.diagram.origin(source)})
                self.diagram.nodes.setdefault(f"asset:{source}", own)
                continue
            risk = mapping(a, "risk")
            criticality = {
                c: lvl
                for c in ("confidentiality", "integrity", "availability")
                if (lvl := level(risk.get(c), rows, "level")) is not None
            }
            fields: dict[str, Any] = {"name": name or source}
            if text_of(a.get("description"), 500):
                fields["description"] = text_of(a["description"], 500)
            fields["type"] = "data"
            if criticality:
                fields["criticality"] = criticality
            fields["origin"] = self.diagram.origin(source)
            ident = self.builder.add(
                "assets",
                self.diagram.unique(slug(name or source, "asset")),
                fields,
                at,
                [Review("type", "what kind of asset is it? (type:)")],
            )
            self.diagram.nodes.setdefault(f"asset:{source}", ident)
        for _, c in items(self.data, "components"):
            node = self.diagram.nodes.get(_id(c) or "")
            held = mapping(c, "assets")
            for mode in ("stored", "processed"):
                for ref in _refs(held.get(mode)):
                    asset = self.diagram.nodes.get(f"asset:{ref}")
                    if node is not None and asset is not None and asset != self.diagram.data[node]:
                        resides = [{"node": node, "mode": mode}]
                        self.builder.add("assets", asset, {"resides": resides})

    def _own_data(self, source: str, name: str | None) -> str | None:
        """The data asset of the component that holds the asset ``source``, when the asset is
        the one actm exports for it (named after the component)."""
        for _, c in items(self.data, "components"):
            node = self.diagram.nodes.get(_id(c) or "")
            held = mapping(c, "assets")
            refs = [*_refs(held.get("stored")), *_refs(held.get("processed"))]
            if node is None or source not in refs:
                continue
            label = text_of(c.get("name"), 200) or _id(c)
            if name in (f"Data stored in {label}"[:200], f"Data handled by {label}"[:200]):
                return self.diagram.data[node]
        return None

    def flows(self) -> None:
        for at, f in items(self.data, "dataflows"):
            source, destination = _ref(f.get("source")), _ref(f.get("destination"))
            if source is None or destination is None:
                self.builder.note("unplaced", "a data flow without a source and destination", at)
                continue
            encrypted = mapping(f, "attributes").get(ENCRYPTED)
            made = self.diagram.flow(
                source,
                destination,
                at,
                name=text_of(f.get("name"), 200),
                encrypted=encrypted if isinstance(encrypted, bool) else None,
                bidirectional=f.get("bidirectional") is True,
                description=text_of(f.get("description"), 500),
                origin=_id(f),
            )
            if made and _id(f) is not None:
                self.diagram.nodes[f"flow:{_id(f)}"] = made[0]

    def threats(self) -> None:
        defined = {i: t for _, t in items(self.data, "threats") if (i := _id(t)) is not None}
        mitigations = {
            i: text_of(m.get("name"), 200) or i
            for _, m in items(self.data, "mitigations")
            if (i := _id(m)) is not None
        }
        used: set[str] = set()
        for key, prefix in (("components", ""), ("dataflows", "flow:")):
            for at, element in items(self.data, key):
                where = self.diagram.nodes.get(prefix + (_id(element) or ""))
                for n, inst in enumerate(as_list(element.get("threats"))):
                    if is_dict(inst) and (ref := _ref(inst.get("threat"))) is not None:
                        used.add(ref)
                        threat = _threat(defined.get(ref, {}), inst, mitigations)
                        self.diagram.threat(where, threat, f"{at}/threats/{n}")
        for at, t in items(self.data, "threats"):
            if _id(t) not in used:
                self.diagram.threat(None, _threat(t, {"threat": _id(t)}, mitigations), at)


_STORES = frozenset(
    {"database", "object_storage", "vector_store", "feature_store", "data_warehouse"}
)


def _threat(
    defined: Mapping[str, Any], instance: Mapping[str, Any], mitigations: Mapping[str, str]
) -> Threat:
    categories = strings(defined.get("categories"))
    applied = [
        mitigations.get(ref, ref)
        for m in dicts(instance.get("mitigations"))
        if (ref := _ref(m.get("mitigation"))) is not None
    ]
    rows = table("threatmodel")["threat_ratings"]
    risk = mapping(defined, "risk")
    derived = mapping(defined, "attributes").get(ACTM_THREAT)
    ident = _ref(instance.get("threat"))  # None for a threat without an id: no origin
    return Threat(
        title=text_of(defined.get("name"), 200) or ident or "threat",
        kind=", ".join(categories)[:100] or None,
        severity=level(risk.get("impact"), rows, "level"),
        likelihood=level(risk.get("likelihood"), rows, "level"),
        status=text_of(instance.get("state"), 40),
        mitigations=tuple(applied),
        ident=ident,
        description=text_of(defined.get("description"), 20_000),
        derived=as_str(derived) or None,
    )


class Otm(Importer):
    name = "otm"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        return Confidence.CERTAIN if _VERSION.search(head) else None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        data = doc.data
        if not isinstance(data, dict) or "otmVersion" not in data:
            raise refuse(shown, "it has no otmVersion", "pass an Open Threat Model JSON file")
        project = mapping(data, "project")
        name = text_of(project.get("name"), 200) or Path(shown).stem
        builder = DraftBuilder(shown, self.name, options.reserved)
        reader = _Reader(DiagramDraft(builder), data)
        reader.diagram.ground(name, text_of(project.get("description"), 500), "/project")
        owner = text_of(project.get("owner"), 200)
        if owner:
            builder.note("info", f"the threat model's owner: {owner}", "/project/owner")
        reader.zones()
        reader.components(options)
        reader.assets()
        reader.flows()
        reader.threats()
        reader.diagram.finish()
        return builder.build()
