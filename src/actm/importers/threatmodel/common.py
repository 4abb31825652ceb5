"""What threat models of other tools (OTM, Threat Dragon) share: a data-flow diagram of
components in trust zones, and the threats someone recorded on them.

A :class:`DiagramDraft` turns them into model elements:

* a trust zone or boundary into a zone (its trust as the input rates it, else asked);
* a component (process, store, actor, OTM component) into a node, and the data it holds or
  handles into an asset of its own (``<node>-data``: stored on a store, processed elsewhere),
  whose type and criticality are asked;
* a data flow into a ``derives`` relation (process ``transform``) from the data of its source to
  the data of its destination, with the flow's id; a bidirectional flow into two relations (the
  second ``<id>-reverse``);
* a recorded threat into a ``recorded_threats:`` entry on the node or relation it is on (actm
  derives its own threats from the model: whether the record is one of them is asked, unless
  the record is an export of a threat actm derived).

Ids are slugs of the names in the input, made unique within their section (``db``, ``db-2``), so
importing a file that actm exported gives back the same ids. Every zone, node, relation and
recorded threat keeps the input's id in its ``origin`` (``{format: otm, id: ...}``): the exports
reuse it, so the other tool sees the same elements again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from actm.importers.common import US, organisation, text_of
from actm.importers.draft import DraftBuilder, Review, slug
from actm.importers.values import as_dict, as_list, is_dict
from actm.io.json import pointer

__all__ = [
    "RATINGS",
    "STATUSES",
    "DiagramDraft",
    "DocumentReader",
    "Threat",
    "items",
    "level",
    "mapping",
    "node_kind",
    "words_of",
]


RATINGS = ("critical", "high", "medium", "low", "info")
"""The severities and likelihoods a recorded threat can have."""
STATUSES = {
    "open": "open",
    "exposed": "open",
    "mitigated": "mitigated",
    "na": "not_applicable",
    "n/a": "not_applicable",
    "not_applicable": "not_applicable",
    "not applicable": "not_applicable",
}
"""The statuses of Threat Dragon and OTM (lower-cased) -> the status of a recorded threat."""


@dataclass(frozen=True, slots=True)
class Threat:
    """A threat another tool recorded on an element."""

    title: str
    kind: str | None = None
    """STRIDE category or the like."""
    severity: str | None = None
    """critical, high, medium, low or info (else None)."""
    likelihood: str | None = None
    status: str | None = None
    """As the input says it (mapped through :data:`STATUSES`)."""
    mitigations: tuple[str, ...] = ()
    ident: str | None = None
    """The input's id of the threat."""
    description: str | None = None
    derived: str | None = None
    """The actm threat it is an export of."""


@dataclass(slots=True)
class DiagramDraft:
    builder: DraftBuilder
    nodes: dict[str, str] = field(default_factory=dict)
    """The input's id of each component -> its node id."""
    zones: dict[str, str] = field(default_factory=dict)
    """The input's id of each zone -> its zone id."""
    data: dict[str, str] = field(default_factory=dict)
    """Node id -> the id of the asset of the data it holds or handles."""
    _taken: set[str] = field(default_factory=set)
    _flows: dict[tuple[str, str], str] = field(default_factory=dict)
    _threats: list[tuple[str | None, Threat, str]] = field(default_factory=list)

    def unique(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``-3``...: an id no element of this draft has."""
        candidate, n = wanted, 1
        while candidate in self._taken or self.builder.free_id("nodes", candidate) != candidate:
            n += 1
            candidate = f"{wanted}-{n}"
        self._taken.add(candidate)
        return candidate

    def ground(self, name: str, description: str | None, pointer: str = "") -> None:
        fields: dict[str, Any] = {"name": name}
        if description:
            fields["description"] = description
        fields["owner"] = US
        review = [Review("", "name the system and say what it is for")]
        self.builder.system(slug(name, "system"), fields, pointer, review)
        organisation(self.builder)

    def zone(
        self,
        source: str,
        name: str | None,
        pointer: str,
        *,
        trust: str | None = None,
        description: str | None = None,
        fallback: str = "zone",
    ) -> str:
        ident = self.unique(slug(name or "", fallback))
        fields: dict[str, Any] = {"name": name or ident}
        if description:
            fields["description"] = description
        reviews = []
        if trust is None:
            reviews.append(Review("trust", "how far is this zone trusted? (default: medium)"))
        else:
            fields["trust"] = trust
        fields["origin"] = self.origin(source)
        self.zones[source] = self.builder.add("zones", ident, fields, pointer, reviews)
        return self.zones[source]

    def component(
        self,
        source: str,
        name: str,
        pointer: str,
        *,
        kind: str,
        ask_kind: bool,
        zone: str | None = None,
        store: bool = False,
        description: str | None = None,
        reviews: tuple[Review, ...] = (),
    ) -> str:
        """A node, and the data it holds or handles."""
        ident = self.unique(slug(name, "node"))
        fields: dict[str, Any] = {"name": name}
        if description:
            fields["description"] = description
        fields["kind"] = kind
        if zone is not None:
            fields["zone"] = zone
        asked = [Review("kind", "which kind of node is it?")] if ask_kind else []
        if zone is None:
            asked.append(Review("zone", "in which trust zone is it?"))
        fields["origin"] = self.origin(source)
        node = self.builder.add("nodes", ident, fields, pointer, [*asked, *reviews])
        self.nodes[source] = node
        verb = "stored in" if store else "handled by"
        self.data[node] = self.builder.add(
            "assets",
            self.unique(f"{node}-data"),
            {
                "name": f"Data {verb} {name}"[:200],
                "type": "data",
                "resides": [{"node": node, "mode": "stored" if store else "processed"}],
            },
            pointer,
            [Review("type", "what data is it, and how much does it matter? (criticality:)")],
        )
        return node

    def flow(
        self,
        source: str,
        target: str,
        pointer: str,
        *,
        name: str | None,
        encrypted: bool | None = None,
        bidirectional: bool = False,
        description: str | None = None,
        origin: str | None = None,
    ) -> list[str]:
        """The relations of a data flow between two components (by the input's ids); the
        second of a bidirectional flow has the origin ``<origin>-reverse``."""
        ends = (self.nodes.get(source), self.nodes.get(target))
        if ends[0] is None or ends[1] is None:
            missing = source if ends[0] is None else target
            self.builder.note(
                "unplaced", f"flow {name or '(unnamed)'!r} names {missing!r}, no component", pointer
            )
            return []
        a, b = ends[0], ends[1]
        ident = self.unique(slug(name or "", "") or f"{a}-to-{b}")
        text = "; ".join(t for t in (text_of(name, 200), description) if t) or None
        made = [self._relation(ident, a, b, pointer, text, encrypted, origin)]
        if bidirectional:
            back = self.unique(f"{ident}-reverse")
            reverse = f"{origin}-reverse" if origin else None
            made.append(self._relation(back, b, a, pointer, text, encrypted, reverse))
        return made

    def _relation(
        self,
        ident: str,
        a: str,
        b: str,
        pointer: str,
        description: str | None,
        encrypted: bool | None,
        origin: str | None,
    ) -> str:
        if (a, b) in self._flows:
            self.builder.note(
                "unplaced",
                f"flow {ident!r} has the same ends as {self._flows[(a, b)]!r}: one relation "
                "stands for both",
                pointer,
            )
            return self._flows[(a, b)]
        fields: dict[str, Any] = {
            "kind": "derives",
            "from": self.data[a],
            "to": self.data[b],
            "process": "transform",
        }
        if description:
            fields["description"] = description
        reviews = []
        if encrypted is not True:
            fields["encrypted"] = False
            reviews.append(
                Review("encrypted", "is it encrypted in transit? the input does not say so")
            )
        else:
            fields["encrypted"] = True
        if origin:
            fields["origin"] = self.origin(origin)
        self._flows[(a, b)] = ident
        return self.builder.add("relations", ident, fields, pointer, reviews)

    def threat(self, element: str | None, threat: Threat, pointer: str) -> None:
        """A recorded threat (on ``element``, a node or relation id), drafted by
        :meth:`finish`."""
        self._threats.append((element, threat, pointer))

    def finish(self) -> None:
        """Draft the recorded threats. Each id is the slug of the title; a title the input
        gives several threats adds the element (``data-flow-should-use-http-s-web-request``),
        so the ids do not depend on the order of the input's elements, which another tool
        may change."""
        titles = Counter(slug(t.title, "threat") for _, t, _ in self._threats)
        for element, threat, at in self._threats:
            ident = slug(threat.title, "threat")
            if titles[ident] > 1:
                ident = f"{ident}-{element or 'unplaced'}"[:128]
            self._recorded(ident, element, threat, at)

    def _recorded(self, ident: str, element: str | None, threat: Threat, pointer: str) -> None:
        fields: dict[str, Any] = {"title": threat.title}
        optional = (
            ("description", threat.description),
            ("category", threat.kind),
            ("severity", threat.severity),
            ("likelihood", threat.likelihood),
        )
        fields.update((k, v) for k, v in optional if v)
        status = STATUSES.get((threat.status or "open").strip().lower())
        fields["status"] = status or "open"
        if threat.mitigations:
            fields["mitigations"] = list(threat.mitigations)
        if element:
            fields["on"] = element
        if threat.derived:
            fields["derived"] = threat.derived
        if threat.ident:
            fields["origin"] = self.origin(threat.ident)
        reviews = []
        if status is None:
            reviews.append(
                Review("status", f"the input says {threat.status!r}: open, mitigated or n/a?")
            )
        if threat.derived is None:
            reviews.append(Review("", "does a threat actm derives cover it? (actm analyze)"))
        self.builder.add("recorded_threats", self.unique(ident), fields, pointer, reviews)

    def origin(self, ident: str) -> dict[str, str]:
        """The ``origin`` of an element whose id in the input is ``ident``."""
        return {"format": self.builder.format, "id": ident[:200]}


@dataclass(slots=True)
class DocumentReader:
    """What the readers of one JSON document into a diagram share."""

    diagram: DiagramDraft
    data: Mapping[str, Any]

    @property
    def builder(self) -> DraftBuilder:
        return self.diagram.builder


def items(data: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The JSON objects of the list ``data[key]``, each with its pointer."""
    return [(pointer((key, i)), x) for i, x in enumerate(as_list(data.get(key))) if is_dict(x)]


def mapping(holder: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``holder[key]`` when it is a JSON object, else an empty one."""
    return as_dict(holder.get(key))


def level(value: Any, rows: Any, key: str) -> str | None:
    """The ``key`` of the first row of ``rows`` whose ``max`` is at least ``value``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    for row in rows:
        if value <= row["max"]:
            return str(row[key])
    return None


def words_of(text: str) -> list[str]:
    """Lower-case words of a type name, split at '-', '_', '.' and spaces (the whole name
    first, for multi-word entries such as ``web-client``)."""
    lowered = text.strip().lower()
    parts = lowered.replace("_", "-").replace(".", "-").replace(" ", "-").split("-")
    return [lowered, *(p for p in parts if p)]


def node_kind(type_name: str, kinds: Collection[str], rows: Any) -> tuple[str, bool]:
    """The node kind of a component type: itself when it is one, else the first row of
    ``rows`` one of its words names, else ``service``; and whether to ask."""
    if type_name in kinds:
        return type_name, False
    words = words_of(type_name)
    for row in rows:
        if any(w in row["words"] for w in words):
            return str(row["kind"]), True
    return "service", True
