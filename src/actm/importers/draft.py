"""The draft of a model that an importer reads out of a foreign file: plain frozen data.

A :class:`Draft` holds elements by section (owners, zones, nodes, models, assets, relations,
tools, packages, assumptions, vulnerabilities, the threats another tool recorded), the
``system`` it describes, and notes (files or values it could not place, facts worth knowing).
Every :class:`Element` carries its :class:`Origin` (the file and the JSON pointer it came from)
and the :class:`Review` questions a person has to answer: what the input does not say is never
silently decided. Importers build a draft with a :class:`DraftBuilder`; :func:`merge` joins the
drafts of several files.

Element fields are the keys of the model format (docs/model-format.md), as plain values:
strings, numbers, booleans, tuples and read-only mappings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "SECTIONS",
    "Draft",
    "DraftBuilder",
    "Element",
    "Note",
    "Origin",
    "Review",
    "collisions",
    "frozen",
    "identity",
    "merge",
    "name_id",
    "renamed",
    "slug",
    "thawed",
]

SECTIONS: tuple[str, ...] = (
    "owners",
    "zones",
    "nodes",
    "models",
    "assets",
    "relations",
    "tools",
    "packages",
    "assumptions",
    "vulnerabilities",
    "recorded_threats",
)
"""The sections a draft fills, in the order a model file lists them."""

SINGULAR: Mapping[str, str] = MappingProxyType(
    {
        "owners": "owner",
        "zones": "zone",
        "nodes": "node",
        "models": "model",
        "assets": "asset",
        "relations": "relation",
        "tools": "tool",
        "packages": "package",
        "assumptions": "assumption",
        "vulnerabilities": "vulnerability",
        "recorded_threats": "threat",
    }
)

REFS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "system": ("owner",),
        "owners": (),
        "zones": ("owner",),
        "nodes": ("zone", "owner", "mcp.package"),
        "models": (
            "owner",
            "deployed_on",
            "trained_on",
            "stored_on",
            "base_model",
            "tools",
            "identity",
        ),
        "assets": (
            "resides.node",
            "part_of",
            "owner",
            "grants_access",
            "issued_by",
            "grants.read",
            "grants.write",
            "grants.delete",
            "grants.execute",
            "contains",
        ),
        "relations": ("from", "to"),
        "tools": (
            "node",
            "owner",
            "credential",
            "permissions.read",
            "permissions.write",
            "permissions.execute",
            "permissions.delete",
        ),
        "packages": ("publisher", "runs_on"),
        "assumptions": ("producer", "asset", "sends"),
        "vulnerabilities": ("node", "model", "asset", "assets"),
        "recorded_threats": ("on",),
    }
)
"""The keys of each section whose values are references to element ids (a dotted key goes
into a mapping, or into every mapping of a list). A reference may name a part of an element
(``bot.inputs.user_input``): its first segment is the id."""


@dataclass(frozen=True, slots=True, order=True)
class Origin:
    """Where an element came from: a file, and the JSON pointer of the value inside it."""

    file: str
    pointer: str = ""

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}" if self.pointer else self.file


@dataclass(frozen=True, slots=True)
class Review:
    """A decision the input does not make: the key it concerns ("" for the element as a
    whole) and the question a person has to answer."""

    key: str
    question: str


@dataclass(frozen=True, slots=True)
class Element:
    """One element of a section, with the model-format keys the input gave (``id`` aside)."""

    section: str
    id: str
    fields: Mapping[str, Any]
    origin: Origin
    review: tuple[Review, ...] = ()
    placeholder: bool = False
    """It stands for what the input does not describe (the tools of a server whose tools it
    does not name, an agent a task file names): another file's element of the same id replaces
    it, and a server's listed tools drop its stand-in (:mod:`actm.importers.link`)."""

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


NoteKind = Literal["threat", "unplaced", "info"]


@dataclass(frozen=True, slots=True)
class Note:
    """Something the input says that has no place in a model: a threat another tool recorded,
    an entry actm could not place, a fact worth knowing when reviewing."""

    kind: NoteKind
    text: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Draft:
    """A model drafted from one or more foreign files."""

    sources: tuple[str, ...]
    """The files read, as the user named them."""
    formats: tuple[str, ...]
    """The importer of each source (same order)."""
    system: Element | None = None
    elements: tuple[Element, ...] = ()
    notes: tuple[Note, ...] = ()
    secrets: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """Secret values the inputs hold, cut from the draft's texts (:meth:`DraftBuilder.secret`):
    kept so that a merge of drafts cuts each file's secrets from the others' texts too."""

    def section(self, name: str) -> tuple[Element, ...]:
        """The elements of one section, in the order they were drafted."""
        return tuple(e for e in self.elements if e.section == name)

    def find(self, ident: str) -> Element | None:
        return next((e for e in self.elements if e.id == ident), None)

    def counts(self) -> dict[str, int]:
        """How many elements each non-empty section has, in section order."""
        out = {s: len(self.section(s)) for s in SECTIONS}
        return {s: n for s, n in out.items() if n}

    def reviews(self) -> int:
        """How many review questions the draft leaves."""
        elements = (*((self.system,) if self.system else ()), *self.elements)
        return sum(len(e.review) for e in elements)


# -- values ---------------------------------------------------------------------------------


def frozen(value: Any) -> Any:
    """``value`` with every dict made a read-only mapping and every list a tuple."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    return value


def thawed(value: Any) -> Any:
    """The inverse of :func:`frozen`: plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thawed(v) for v in value]
    return value


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, default: str = "item") -> str:
    """A model id from a name: lower case ASCII letters, digits and dashes, at most 64
    characters (``@modelcontextprotocol/server-filesystem`` gives
    ``modelcontextprotocol-server-filesystem``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")[:64].strip("-")
    return out or default


_NAME_DROP = re.compile(r"[^A-Za-z0-9_-]+")


def name_id(name: str, default: str = "item") -> str:
    """A model id that keeps a name's case and underscores where it can (``read_file`` stays
    ``read_file``; ``get file`` gives ``get-file``), for names users know as they are."""
    out = _NAME_DROP.sub("-", name).strip("-_")[:64].strip("-_")
    return out if out else slug(name, default)


def _union(first: Any, second: Any) -> Any:
    """``first`` with what ``second`` adds: list items it lacks, mapping keys it lacks (merged
    the same way where both have a mapping); a value ``first`` has always stays."""
    if isinstance(first, Mapping) and isinstance(second, Mapping):
        out = dict(first)
        for k, v in second.items():
            out[k] = _union(out[k], v) if k in out else v
        return MappingProxyType(out)
    if isinstance(first, tuple) and isinstance(second, tuple):
        return first + tuple(v for v in second if v not in first)
    return first


def _joined(a: Element, b: Element) -> Element:
    """One element of two drafted as the same: ``a``'s values win, lists are joined. A
    placeholder gives way to a real element, its questions with it."""
    if a.placeholder and not b.placeholder:
        return replace(b, fields=_union(b.fields, a.fields))
    if b.placeholder and not a.placeholder:
        return replace(a, fields=_union(a.fields, b.fields))
    reviews = a.review + tuple(r for r in b.review if r not in a.review)
    return replace(a, fields=_union(a.fields, b.fields), review=reviews)


def identity(element: Element) -> tuple[str, ...]:
    """What makes two drafted elements the same: the section and id, or for a relation its
    kind and ends (relations need no id)."""
    if element.section == "relations":
        f = element.fields
        return ("relations", str(f.get("kind")), str(f.get("from")), str(f.get("to")))
    return (element.section, element.id)


# -- renaming -------------------------------------------------------------------------------


def _rename_ref(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, tuple):
        return tuple(_rename_ref(v, names) for v in value)
    if not isinstance(value, str):
        return value
    head, dot, rest = value.partition(".")
    return names.get(head, head) + dot + rest


def _rename_at(value: Any, path: Sequence[str], names: Mapping[str, str]) -> Any:
    if not path:
        return _rename_ref(value, names)
    if isinstance(value, tuple):
        return tuple(_rename_at(v, path, names) for v in value)
    if isinstance(value, Mapping) and path[0] in value:
        out = dict(value)
        out[path[0]] = _rename_at(value[path[0]], path[1:], names)
        return MappingProxyType(out)
    return value


def renamed_element(element: Element, names: Mapping[str, str]) -> Element:
    """``element`` with its id and its references renamed by ``names``."""
    fields: Any = element.fields
    for key in REFS.get(element.section, ()):
        fields = _rename_at(fields, key.split("."), names)
    return replace(element, id=names.get(element.id, element.id), fields=fields)


def renamed(draft: Draft, names: Mapping[str, str]) -> Draft:
    """``draft`` with element ids, and every reference to them, renamed by ``names``."""
    if not names:
        return draft
    system = renamed_element(draft.system, names) if draft.system else None
    elements = tuple(renamed_element(e, names) for e in draft.elements)
    return replace(draft, system=system, elements=elements)


# -- building -------------------------------------------------------------------------------


@dataclass(slots=True)
class DraftBuilder:
    """Collects the elements of one file's draft; ids stay unique across sections."""

    file: str
    format: str
    reserved: frozenset[str] = frozenset()
    """Ids the draft may not use (the built-in adversaries)."""
    _system: Element | None = None
    _elements: dict[tuple[str, ...], Element] = field(default_factory=dict)
    _ids: dict[str, str] = field(default_factory=dict)
    """id -> its section"""
    _notes: list[Note] = field(default_factory=list)
    _secrets: set[str] = field(default_factory=set)
    """Secret values the input holds, cut from every text of the draft (:meth:`secret`)."""

    def origin(self, pointer: str = "") -> Origin:
        return Origin(self.file, pointer)

    def system(
        self,
        ident: str,
        fields: Mapping[str, Any],
        pointer: str = "",
        review: Iterable[Review] = (),
    ) -> None:
        """Set the system the file describes (the first call wins)."""
        if self._system is None:
            origin = self.origin(pointer)
            self._system = Element("system", ident, frozen(fields), origin, tuple(review))

    def free_id(self, section: str, wanted: str) -> str:
        """``wanted``, or a variant no element of another section uses."""
        base = wanted
        taken = self._ids.get(base)
        if (taken is None or taken == section) and base not in self.reserved:
            return base
        base = f"{wanted}-{SINGULAR.get(section, section)}"
        n = 1
        candidate = base
        while candidate in self.reserved or self._ids.get(candidate) not in (None, section):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def claim(self, section: str, wanted: str) -> str:
        """:meth:`free_id`, kept for an element of ``section`` added later: what is drafted
        before it (a package that runs on it) can name it by the id it will have."""
        ident = self.free_id(section, wanted)
        self._ids[ident] = section
        return ident

    def has(self, section: str, ident: str) -> bool:
        return self._ids.get(ident) == section

    def add(
        self,
        section: str,
        wanted: str,
        fields: Mapping[str, Any],
        pointer: str = "",
        review: Iterable[Review] = (),
        *,
        placeholder: bool = False,
    ) -> str:
        """Add an element (or add to the one of that section and id already drafted: the
        first value of each key wins, lists gain the items they lack); returns its id."""
        if section not in SINGULAR:
            raise ValueError(f"unknown section {section!r}")
        ident = self.free_id(section, wanted)
        element = Element(
            section, ident, frozen(fields), self.origin(pointer), tuple(review), placeholder
        )
        key = identity(element)
        prev = self._elements.get(key)
        self._elements[key] = element if prev is None else _joined(prev, element)
        self._ids[ident] = section
        return ident

    def note(self, kind: NoteKind, text: str, pointer: str = "") -> None:
        self._notes.append(Note(kind, text, self.origin(pointer)))

    def secret(self, value: str) -> None:
        """Record a secret value the input holds (an API key written into a configuration):
        wherever a text of the draft (a name, a description, a question, a note) would quote
        it, it says ``<redacted>`` instead. Values shorter than :data:`SECRET_MIN` are not
        cut: they would cut ordinary words."""
        if len(value.strip()) >= SECRET_MIN:
            self._secrets.add(value.strip())

    def build(self) -> Draft:
        draft = Draft(
            sources=(self.file,),
            formats=(self.format,),
            system=self._system,
            elements=tuple(self._elements.values()),
            notes=tuple(self._notes),
            secrets=frozenset(self._secrets),
        )
        return scrubbed(draft)


SECRET_MIN = 6
REDACTED = "<redacted>"


_ANYWHERE = 12
"""A secret this long or longer is cut wherever it stands, even inside a word."""
_GUESSABLE = (
    "a secret value the configuration holds is also an id or a word of one (a default or "
    "guessable credential, such as a password equal to the server's name): the draft's texts "
    "keep it, as its ids show it anyway; change the secret"
)
_TEXTS = frozenset({"name", "description", "title"})
"""The keys whose values are free text, at any depth: the only values a secret is cut from
(ids, references and words of the format stay as the importer made them, so the draft stays
valid whatever the secret is)."""


def scrubbed(draft: Draft) -> Draft:
    """``draft`` with each of its secrets replaced by :data:`REDACTED` in its texts: the
    values of :data:`_TEXTS`, review questions and notes. A secret is cut where it stands as
    a word of its own (``postgres`` in ``postgres:postgres@db``, not in ``postgresql``)."""
    if not draft.secrets:
        return draft
    # a value that is also a word of an id (a password "postgres" beside the server
    # "postgres-mcp") would show through the id: cutting it from the names would only make
    # them unreadable, so it stays, and a note says the draft holds a guessable secret
    ids = {e.id for e in draft.elements}
    words = ids | {w for i in ids for w in i.split("-")}
    guessable = {v for v in draft.secrets if v in words}  # exactly an id or a word of one
    cut_out = draft.secrets - guessable
    notes = draft.notes
    if guessable and not any(n.text == _GUESSABLE for n in notes):
        notes += (Note("info", _GUESSABLE, Origin(draft.sources[0] if draft.sources else "")),)
    if not cut_out:
        return replace(draft, notes=notes)
    longest_first = sorted(cut_out, key=lambda v: (-len(v), v))
    short = [re.escape(v) for v in longest_first if len(v) < _ANYWHERE]
    long = [re.escape(v) for v in longest_first if len(v) >= _ANYWHERE]
    # a short value is cut where it stands as a word of its own (postgres, not postgresql);
    # a long one wherever it is
    parts = [*long, *([f"(?<![A-Za-z0-9])(?:{'|'.join(short)})(?![A-Za-z0-9])"] if short else [])]
    pattern = re.compile("|".join(parts))

    def cut(value: Any, text: bool) -> Any:
        if isinstance(value, str):
            return pattern.sub(REDACTED, value) if text else value
        if isinstance(value, Mapping):
            return MappingProxyType({k: cut(v, k in _TEXTS) for k, v in value.items()})
        if isinstance(value, tuple):
            return tuple(cut(v, text) for v in value)
        return value

    def element(e: Element) -> Element:
        review = tuple(Review(r.key, cut(r.question, True)) for r in e.review)
        return replace(e, fields=cut(e.fields, False), review=review)

    return replace(
        draft,
        system=element(draft.system) if draft.system is not None else None,
        elements=tuple(element(e) for e in draft.elements),
        notes=tuple(replace(n, text=cut(n.text, True)) for n in notes),
    )


# -- merging --------------------------------------------------------------------------------


def collisions(draft: Draft, ids: Mapping[str, str], reserved: frozenset[str]) -> dict[str, str]:
    """New names for ``draft``'s elements whose ids another section already uses."""
    names: dict[str, str] = {}
    used = set(ids) | {e.id for e in draft.elements}
    for e in draft.elements:
        taken = ids.get(e.id)
        if taken is None or taken == e.section or e.id in names:
            continue
        base = f"{e.id}-{SINGULAR[e.section]}"
        candidate, n = base, 1
        # a name the model gives an element of the same section is the one an earlier import
        # chose: taking it again keeps importing idempotent
        while candidate in reserved or (candidate in used and ids.get(candidate) != e.section):
            n += 1
            candidate = f"{base}-{n}"
        names[e.id] = candidate
        used.add(candidate)
    return names


def merge(drafts: Sequence[Draft], reserved: frozenset[str] = frozenset()) -> Draft:
    """One draft of several: elements that are the same (same section and id) are joined,
    the earlier draft's values winning; an id that a later draft uses in another section is
    renamed there, with the references to it."""
    if not drafts:
        return Draft((), ())
    elements: dict[tuple[str, ...], Element] = {}
    ids: dict[str, str] = {}
    system: Element | None = None
    notes: list[Note] = []
    for draft in drafts:
        draft = renamed(draft, collisions(draft, ids, reserved))
        system = system or draft.system
        for e in draft.elements:
            key = identity(e)
            prev = elements.get(key)
            elements[key] = e if prev is None else _joined(prev, e)
            ids.setdefault(e.id, e.section)
        notes.extend(n for n in draft.notes if n not in notes)
    return scrubbed(
        Draft(
            sources=tuple(s for d in drafts for s in d.sources),
            formats=tuple(f for d in drafts for f in d.formats),
            system=system,
            elements=tuple(elements.values()),
            notes=tuple(notes),
            secrets=frozenset().union(*(d.secrets for d in drafts)),
        )
    )
