"""Threat models of the OWASP threat-model library (its ``threat-model.schema.json``, version 1):
a system described by trust zones, actors, components, data stores, data sets and data flows,
with the threats, controls and risks its authors found.

Each trust zone becomes a zone (its trust asked: the format has none), each actor, component
and data store a node (an actor an ``endpoint`` with its owner asked, a component's kind by the
words of its name through the ``component_kinds`` table, a store's by its type through
``library_store_kinds``), with the data it holds or handles; each data set a ``data`` asset
stored on the stores its placements name; each data flow a relation
(:mod:`actm.importers.threatmodel.common`, its ``encrypted`` honoured); each threat a recorded
threat (its severity the highest level of the risks that name it, its mitigations the titles of
the controls that name it: ``mitigated`` when one of them is active). Trust boundaries,
assumptions and threat personas are notes for review. Every element keeps its
``symbolic_name`` in its ``origin``.
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
    RATINGS,
    DiagramDraft,
    DocumentReader,
    Threat,
    items,
    mapping,
    node_kind,
)
from actm.importers.values import as_list, as_str, dicts, strings

__all__ = ["ThreatModelLibrary"]

_SCHEMA = re.compile(rb'"\$schema"\s*:\s*"[^"]*threat-model-library[^"]*"')
_KEYS = (re.compile(rb'"symbolic_name"\s*:'), re.compile(rb'"trust_zones"\s*:'))


def _name(x: Mapping[str, Any]) -> str | None:
    return text_of(x.get("symbolic_name"), 200)


@dataclass(slots=True)
class _Reader(DocumentReader):
    def zones(self) -> None:
        for at, z in items(self.data, "trust_zones"):
            source = _name(z)
            if source is not None:
                title = text_of(z.get("title"), 200) or source
                description = text_of(z.get("description"), 500)
                self.diagram.zone(source, title, at, description=description)

    def nodes(self, options: ImportOptions) -> None:
        rows = table("threatmodel")["component_kinds"]
        stores = table("threatmodel")["library_store_kinds"]
        kinds = options.vocabulary.node_kinds
        for section in ("actors", "components", "data_stores"):
            for at, x in items(self.data, section):
                source = _name(x)
                if source is None:
                    self.builder.note("unplaced", f"an entry of {section} without a name", at)
                    continue
                title = text_of(x.get("title"), 200) or source
                kind, ask = "endpoint", True
                reviews: tuple[Review, ...] = ()
                if section == "components":
                    kind, ask = node_kind(title, kinds, rows)
                elif section == "data_stores":
                    kind = str(stores.get(str(x.get("type")), "database"))
                else:
                    reviews = (Review("owner", "who is it, and whom do they work for? (owner:)"),)
                parts = [text_of(x.get("description"), 500)]
                for key in ("type", "vendor", "product", "permissions"):
                    if text_of(x.get(key), 200):
                        parts.append(f"{key}: {text_of(x[key], 200)}")
                zone = self.diagram.zones.get(str(x.get("trust_zone")))
                self.diagram.component(
                    source,
                    title,
                    at,
                    kind=kind,
                    ask_kind=ask,
                    zone=zone,
                    store=section == "data_stores",
                    description="; ".join(p for p in parts if p) or None,
                    reviews=reviews,
                )

    def data_sets(self) -> None:
        for at, d in items(self.data, "data_sets"):
            source = _name(d)
            if source is None:
                continue
            fields: dict[str, Any] = {"name": text_of(d.get("title"), 200) or source}
            if text_of(d.get("description"), 500):
                fields["description"] = text_of(d["description"], 500)
            fields["type"] = "data"
            stored = [
                {"node": node, "mode": "stored"}
                for p in dicts(d.get("placements"))
                if (node := self.diagram.nodes.get(str(p.get("data_store")))) is not None
            ]
            if stored:
                fields["resides"] = stored
            fields["origin"] = self.diagram.origin(source)
            sensitivity = ", ".join(str(s) for s in as_list(d.get("data_sensitivity")))
            question = "how much does it matter? (criticality:)"
            if sensitivity:
                question += f" the file rates its sensitivity {sensitivity}"
            self.builder.add(
                "assets",
                self.diagram.unique(slug(source, "data-set")),
                fields,
                at,
                [Review("criticality", question)],
            )

    def flows(self) -> None:
        for at, f in items(self.data, "data_flows"):
            source = as_str(mapping(f, "source").get("object"))
            destination = as_str(mapping(f, "destination").get("object"))
            if source is None or destination is None:
                self.builder.note("unplaced", "a data flow without a source and destination", at)
                continue
            encrypted = f.get("encrypted")
            self.diagram.flow(
                source,
                destination,
                at,
                name=_name(f),
                encrypted=encrypted if isinstance(encrypted, bool) else None,
                description=text_of(f.get("description"), 500),
                origin=_name(f),
            )

    def threats(self) -> None:
        levels: dict[str, str] = {}
        for _, r in items(self.data, "risks"):
            level = str(r.get("level", "")).lower()
            for ref in strings(r.get("threats")):
                if level in RATINGS and RATINGS.index(level) < RATINGS.index(
                    levels.get(ref, "info")
                ):
                    levels[ref] = level
        controls: dict[str, list[Mapping[str, Any]]] = {}
        for _, c in items(self.data, "controls"):
            for ref in strings(c.get("threats")):
                controls.setdefault(ref, []).append(c)
        for at, t in items(self.data, "threats"):
            source = _name(t)
            if source is None:
                continue
            against = controls.get(source, [])
            mechanisms = [
                text_of(m.get("capec_title"), 100) for m in dicts(t.get("attack_mechanisms"))
            ]
            threat = Threat(
                title=text_of(t.get("title"), 200) or source,
                kind=", ".join(m for m in mechanisms if m)[:100] or None,
                severity=levels.get(source),
                status="mitigated" if any(c.get("status") == "active" for c in against) else None,
                mitigations=tuple(
                    m for c in against if (m := text_of(c.get("title"), 2000)) is not None
                ),
                ident=source,
                description=text_of(t.get("description"), 20_000),
            )
            self.diagram.threat(None, threat, at)

    def notes(self) -> None:
        for at, b in items(self.data, "trust_boundaries"):
            methods = [
                f"{key.split('_')[0]}: {', '.join(str(m) for m in as_list(b.get(key)))}"
                for key in ("access_control_methods", "authentication_methods")
                if b.get(key)
            ]
            text = f"trust boundary between {b.get('trust_zone_a')} and {b.get('trust_zone_b')}"
            self.builder.note("info", "; ".join([text, *methods]), at)
        for at, a in items(self.data, "assumptions"):
            if text_of(a.get("description"), 500):
                self.builder.note("info", f"assumed: {text_of(a['description'], 500)}", at)
        for at, p in items(self.data, "threat_personas"):
            said = text_of(p.get("description"), 300)
            text = f"threat persona {text_of(p.get('title'), 100) or _name(p)}"
            self.builder.note("info", f"{text}: {said}" if said else text, at)


class ThreatModelLibrary(Importer):
    name = "threat-model-library"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if _SCHEMA.search(head):
            return Confidence.CERTAIN
        if all(k.search(head) for k in _KEYS):
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        data = read_json(path, shown, options.limits).data
        if not isinstance(data, dict) or not isinstance(data.get("scope"), dict):
            raise refuse(
                shown, "it has no 'scope'", "pass a threat model of the OWASP threat-model library"
            )
        scope = mapping(data, "scope")
        builder = DraftBuilder(shown, self.name, options.reserved)
        reader = _Reader(DiagramDraft(builder), data)
        name = text_of(scope.get("title"), 200) or Path(shown).stem
        reader.diagram.ground(name, text_of(scope.get("description"), 500), "/scope")
        reader.zones()
        reader.nodes(options)
        reader.data_sets()
        reader.flows()
        reader.threats()
        reader.diagram.finish()
        reader.notes()
        return builder.build()
