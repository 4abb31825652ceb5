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
* a recorded threat into a note (actm derives its own threats from the model).

Ids are slugs of the names in the input, made unique within their section (``db``, ``db-2``), so
importing a file that actm exported gives back the same ids.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from actm.importers.common import US, organisation, text_of
from actm.importers.draft import DraftBuilder, Review, slug

__all__ = ["DiagramDraft", "Threat", "level", "mapping", "node_kind", "words_of"]


@dataclass(frozen=True, slots=True)
class Threat:
    """A threat another tool recorded on an element."""

    title: str
    kind: str | None = None
    """STRIDE category or the like."""
    severity: str | None = None
    status: str | None = None
    mitigation: str | None = None
    ident: str | None = None


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
    ) -> list[str]:
        """The relations of a data flow between two components (by the input's ids)."""
        ends = (self.nodes.get(source), self.nodes.get(target))
        if ends[0] is None or ends[1] is None:
            missing = source if ends[0] is None else target
            self.builder.note(
                "unplaced", f"flow {name or '(unnamed)'!r} names {missing!r}, no component", pointer
            )
            return []
        a, b = ends[0], ends[1]
        ident = self.unique(slug(name or "", "") or f"{a}-to-{b}")
        made = [self._relation(ident, a, b, pointer, name, encrypted, description)]
        if bidirectional:
            back = self.unique(f"{ident}-reverse")
            made.append(self._relation(back, b, a, pointer, name, encrypted, description))
        return [m for m in made if m]

    def _relation(
        self,
        ident: str,
        a: str,
        b: str,
        pointer: str,
        name: str | None,
        encrypted: bool | None,
        description: str | None,
    ) -> str:
        if (a, b) in self._flows:
            self.builder.note(
                "unplaced",
                f"flow {ident!r} has the same ends as {self._flows[(a, b)]!r}: one relation "
                "stands for both",
                pointer,
            )
            return ""
        fields: dict[str, Any] = {
            "kind": "derives",
            "from": self.data[a],
            "to": self.data[b],
            "process": "transform",
        }
        text = "; ".join(t for t in (text_of(name, 200), description) if t)
        if text:
            fields["description"] = text
        reviews = []
        if encrypted is not True:
            fields["encrypted"] = False
            reviews.append(
                Review("encrypted", "is it encrypted in transit? the input does not say so")
            )
        else:
            fields["encrypted"] = True
        self._flows[(a, b)] = ident
        return self.builder.add("relations", ident, fields, pointer, reviews)

    def threat(self, element: str | None, threat: Threat, pointer: str) -> None:
        """A note of a threat another tool recorded (on ``element``, a node or relation id)."""
        facts = [
            f
            for f in (threat.kind, threat.severity and f"severity {threat.severity}", threat.status)
            if f
        ]
        text = threat.title + (f" [{'; '.join(facts)}]" if facts else "")
        if threat.mitigation:
            text += f"; mitigation: {threat.mitigation}"
        if threat.ident:
            text += f" (id {threat.ident})"
        self.builder.note("threat", f"{element}: {text}" if element else text, pointer)


def mapping(holder: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``holder[key]`` when it is a JSON object, else an empty one."""
    found = holder.get(key)
    return found if isinstance(found, dict) else {}


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
