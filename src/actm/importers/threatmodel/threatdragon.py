"""OWASP Threat Dragon models: version 2 JSON, and the version 1 files Threat Dragon still opens.

Each diagram's processes, stores and actors become nodes (kinds from the
``threat_dragon_kinds`` table of ``threatmodel.yaml``, asked), each flow a relation between the
data of its ends (:mod:`actm.importers.threatmodel.common`), each threat a note. A trust boundary
box becomes a zone holding the elements whose centre lies inside it (the smallest box, where
boxes nest). A trust boundary line (a curve in version 2, every boundary in version 1) encloses
nothing, so it becomes a zone without nodes, whose description names the flows that cross it:
which side each element is on is for a person to say. An element marked out of scope is kept,
with the question whether to drop it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actm.importers.common import text_of
from actm.importers.data import table
from actm.importers.draft import Draft, DraftBuilder, Review
from actm.importers.interface import Confidence, Importer, ImportOptions, read_json, refuse
from actm.importers.names import DESCRIPTIONS
from actm.importers.threatmodel.common import RATINGS, DiagramDraft, Threat, mapping
from actm.importers.values import as_dict, as_list, as_str, dicts, is_dict
from actm.io.json import pointer

__all__ = ["ThreatDragon"]

_MARK = re.compile(rb'"(diagramJson|diagramType)"\s*:')
TRUST = re.compile(r"actm trust: (untrusted|low|medium|high)(?:\. (.*))?", re.DOTALL)
"""The description of a trust boundary actm exported: the zone's trust (``actm trust: high``),
then ``. `` and its description."""
_SUMMARY = re.compile(rb'"summary"\s*:')
_ELEMENTS = ("tm.Process", "tm.Store", "tm.Actor")
_SHAPES = {
    "process": "tm.Process",
    "store": "tm.Store",
    "actor": "tm.Actor",
    "flow": "tm.Flow",
    "trust-boundary-box": "tm.BoundaryBox",
    "trust-boundary-curve": "tm.Boundary",
    "trust-broundary-curve": "tm.Boundary",
}

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class _Cell:
    """One cell of a diagram, version 1 or 2 alike."""

    pointer: str
    id: str
    type: str
    """tm.Process, tm.Store, tm.Actor, tm.Flow, tm.Boundary (a line), tm.BoundaryBox."""
    name: str | None
    props: Mapping[str, Any]
    """The element's flags and threats (version 2: its ``data``; version 1: the cell)."""
    box: tuple[float, float, float, float] | None = None
    """x, y, width, height."""
    ends: tuple[str | None, str | None] = (None, None)
    """A flow's source and target cells."""
    line: tuple[Point, ...] = ()
    """A boundary line's points."""
    vertices: tuple[Point, ...] = ()
    props_at: str = ""
    """The pointer of ``props``."""


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _point(value: Any) -> Point | None:
    if is_dict(value):
        x, y = _num(value.get("x")), _num(value.get("y"))
        if x is not None and y is not None:
            return (x, y)
    return None


def _label(cell: Mapping[str, Any]) -> str | None:
    attrs = mapping(cell, "attrs")
    text = mapping(attrs, "text")
    if text_of(text.get("text"), 200):
        return text_of(text["text"], 200)
    for label in dicts(cell.get("labels")):
        inner = as_dict(as_dict(label.get("attrs")).get("text"))
        if text_of(inner.get("text"), 200):
            return text_of(inner["text"], 200)
    return None


def _cell(at: str, raw: Mapping[str, Any]) -> _Cell | None:
    data = raw.get("data") if is_dict(raw.get("data")) else None
    props: Mapping[str, Any] = data if data is not None else raw
    kind = str(props.get("type") or _SHAPES.get(str(raw.get("shape")), ""))
    ident = as_str(raw.get("id"))
    if ident is None or not kind:
        return None
    name = text_of(props.get("name"), 200) if data is not None else None
    name = name or _label(raw)
    position, size = _point(raw.get("position")), as_dict(raw.get("size"))
    box = None
    if position is not None:
        w, h = _num(size.get("width")), _num(size.get("height"))
        if w is not None and h is not None:
            box = (position[0], position[1], w, h)
    source = mapping(raw, "source")
    target = mapping(raw, "target")
    ends = (source.get("cell") or source.get("id"), target.get("cell") or target.get("id"))
    points = tuple(p for v in as_list(raw.get("vertices")) if (p := _point(v)) is not None)
    line = tuple(p for p in (_point(source), *points, _point(target)) if p is not None)
    return _Cell(
        at,
        ident,
        kind,
        name,
        props,
        box,
        (
            as_str(ends[0]),
            as_str(ends[1]),
        ),
        line,
        points,
        f"{at}/data" if data is not None else at,
    )


def _cells(data: Mapping[str, Any]) -> Iterator[list[_Cell]]:
    """The cells of each diagram."""
    detail = mapping(data, "detail")
    for d, diagram in enumerate(as_list(detail.get("diagrams"))):
        if not is_dict(diagram):
            continue
        holder = diagram.get("diagramJson") if is_dict(diagram.get("diagramJson")) else None
        base: tuple[str | int, ...] = ("detail", "diagrams", d)
        base = (*base, "diagramJson", "cells") if holder is not None else (*base, "cells")
        raw = as_list((holder or diagram).get("cells"))
        found = [_cell(pointer((*base, i)), c) for i, c in enumerate(raw) if is_dict(c)]
        yield [c for c in found if c is not None]


def _centre(cell: _Cell) -> Point | None:
    if cell.box is None:
        return None
    x, y, w, h = cell.box
    return (x + w / 2, y + h / 2)


def _crosses(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = side(q1, q2, p1), side(q1, q2, p2)
    d3, d4 = side(p1, p2, q1), side(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


@dataclass(slots=True)
class _Reader:
    diagram: DiagramDraft
    cells: dict[str, _Cell] = field(default_factory=dict)
    flows: dict[str, list[str]] = field(default_factory=dict)
    """Flow cell id -> the relations it became."""
    boundaries: int = 0

    @property
    def builder(self) -> DraftBuilder:
        return self.diagram.builder

    def read(self, cells: list[_Cell]) -> None:
        self.cells.update((c.id, c) for c in cells)
        boxes = [c for c in cells if c.type == "tm.BoundaryBox" and c.box is not None]
        for c in boxes:
            self.boundary(c, text_of(c.props.get("description"), 500))
        for c in cells:
            if c.type in _ELEMENTS:
                self.element(c, boxes)
        for c in cells:
            if c.type == "tm.Flow":
                self.flow(c)
        for c in cells:
            if c.type == "tm.Boundary":
                crossing = [
                    self.flows[f.id][0]
                    for f in cells
                    if f.type == "tm.Flow" and self.flows.get(f.id) and self._crossed(c, f)
                ]
                text = "a trust boundary line in the Threat Dragon diagram"
                if crossing:
                    text += f", crossed by the flows {', '.join(crossing)}"
                self.boundary(c, text + ": which nodes are inside it?")
        for c in cells:
            self.threats(c)

    def boundary(self, c: _Cell, description: str | None) -> None:
        """A zone: its trust where actm exported it (``actm trust: high`` in the
        description), else asked."""
        self.boundaries += 1
        said = TRUST.fullmatch(description or "")
        self.diagram.zone(
            c.id,
            c.name,
            c.pointer,
            trust=said.group(1) if said else None,
            description=(said.group(2) if said else description) or None,
            fallback=f"boundary-{self.boundaries}",
        )

    def element(self, c: _Cell, boxes: list[_Cell]) -> None:
        kind = table("threatmodel")["threat_dragon_kinds"][c.type]
        if c.type == "tm.Process" and c.props.get("isWebApplication") is True:
            kind = "web_app"
        centre = _centre(c)
        inside = [
            b
            for b in boxes
            if centre is not None
            and b.box is not None
            and b.box[0] <= centre[0] <= b.box[0] + b.box[2]
            and b.box[1] <= centre[1] <= b.box[1] + b.box[3]
        ]
        inside.sort(key=lambda b: (b.box[2] * b.box[3]) if b.box else 0.0)
        zone = self.diagram.zones.get(inside[0].id) if inside else None
        reviews = []
        if c.props.get("outOfScope") is True:
            reason = text_of(c.props.get("reasonOutOfScope"), 200)
            said = f" ({reason})" if reason else ""
            reviews.append(Review("", f"Threat Dragon marks it out of scope{said}: keep it?"))
        if c.type == "tm.Actor":
            reviews.append(Review("owner", "who is it, and whom do they work for? (owner:)"))
        parts = [text_of(c.props.get("description"), 500)]
        if text_of(c.props.get("privilegeLevel"), 100):
            parts.append(f"privilege level: {text_of(c.props['privilegeLevel'], 100)}")
        node = self.diagram.component(
            c.id,
            c.name or c.id,
            c.pointer,
            kind=kind,
            ask_kind=True,
            zone=zone,
            store=c.type == "tm.Store",
            description="; ".join(p for p in parts if p) or None,
            reviews=tuple(reviews),
        )
        if c.type == "tm.Store" and c.props.get("storesCredentials") is True:
            self.builder.add(
                "assets",
                self.diagram.unique(f"{node}-credentials"),
                {
                    "name": f"Credentials stored in {c.name or c.id}"[:200],
                    "type": "credential",
                    "resides": [{"node": node, "mode": "stored"}],
                },
                c.pointer,
                [Review("grants", "what do they open? (grants:, grants_access:)")],
            )

    def flow(self, c: _Cell) -> None:
        source, target = c.ends
        if source is None or target is None:
            self.builder.note("unplaced", f"flow {c.name or c.id!r} is not connected", c.pointer)
            return
        parts = []
        if text_of(c.props.get("protocol"), 60):
            parts.append(f"protocol {text_of(c.props['protocol'], 60)}")
        if c.props.get("isPublicNetwork") is True:
            parts.append("over a public network")
        self.flows[c.id] = self.diagram.flow(
            source,
            target,
            c.pointer,
            name=c.name,
            encrypted=c.props.get("isEncrypted")
            if isinstance(c.props.get("isEncrypted"), bool)
            else None,
            bidirectional=c.props.get("isBidirectional") is True,
            description="; ".join(parts) or None,
            origin=c.id,
        )

    def _crossed(self, boundary: _Cell, flow: _Cell) -> bool:
        ends = [self.cells.get(e) if e is not None else None for e in flow.ends]
        points = [_centre(e) if e is not None else None for e in ends]
        if points[0] is None or points[1] is None:
            return False
        path = [points[0], *flow.vertices, points[1]]
        line = boundary.line
        return any(
            _crosses(path[i], path[i + 1], line[j], line[j + 1])
            for i in range(len(path) - 1)
            for j in range(len(line) - 1)
        )

    def threats(self, c: _Cell) -> None:
        made = self.flows.get(c.id)
        where = (made[0] if made else None) if c.type == "tm.Flow" else self.diagram.nodes.get(c.id)
        for i, t in enumerate(as_list(c.props.get("threats"))):
            if is_dict(t):
                self.diagram.threat(where, _threat(t), f"{c.props_at}/threats/{i}")


def _threat(t: Mapping[str, Any]) -> Threat:
    """A Threat Dragon threat; ``threatId`` other than its ``id`` names the actm threat of
    an actm export."""
    ident = text_of(t.get("id"), 200)
    named = text_of(t.get("threatId"), 400)
    severity = (text_of(t.get("severity"), 20) or "").lower()
    mitigation = text_of(t.get("mitigation"), 2000)
    return Threat(
        title=text_of(t.get("title"), 200) or "untitled threat",
        kind=text_of(t.get("type"), 100),
        severity=severity if severity in RATINGS else None,
        status=text_of(t.get("status"), 40),
        mitigations=(mitigation,) if mitigation else (),
        ident=ident or named,
        description=text_of(t.get("description"), 20_000),
        derived=named if ident and named and named != ident else None,
    )


class ThreatDragon(Importer):
    name = "threat-dragon"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if _MARK.search(head) and _SUMMARY.search(head):
            return Confidence.CERTAIN
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get("detail"), dict):
            raise refuse(
                shown,
                "it has no 'detail' with diagrams",
                "pass a Threat Dragon model (version 1 or 2 JSON)",
            )
        summary = mapping(data, "summary")
        builder = DraftBuilder(shown, self.name, options.reserved)
        reader = _Reader(DiagramDraft(builder))
        name = text_of(summary.get("title"), 200) or Path(shown).stem
        reader.diagram.ground(name, text_of(summary.get("description"), 500), "/summary")
        people = [
            f"{k}: {v}"
            for k in ("owner", "reviewer")
            if (v := text_of(summary.get(k) or data["detail"].get(k), 200))
        ]
        if people:
            builder.note("info", f"the threat model's {'; '.join(people)}", "/summary")
        for cells in _cells(data):
            reader.read(cells)
        reader.diagram.finish()
        return builder.build()
