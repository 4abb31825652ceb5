"""SPDX 3 documents with the AI and Dataset profiles (JSON-LD), 3.0 and 3.1.

An SPDX 3 document is a graph of elements. The draft holds:

* the document's root element (through its SBOM) as the system;
* every ``ai_AIPackage`` as a model: its kind from its primary purpose, type of model and domain,
  its supplier (else its originator) as its owner, its hyperparameters and metrics as the
  descriptions of its ``hyperparameters`` and ``validation_results``;
* every ``dataset_DatasetPackage`` as a dataset asset (``personal_data`` when it declares
  sensitive personal information);
* every other ``software_Package`` as a package, its ecosystem from its package URL or download
  location;
* ``trainedOn`` and ``testedOn`` relationships as the data a model is trained or evaluated on,
  read through ``contains`` (a file of a model package trained on a file of a dataset package
  links the two packages); ``dependsOn`` from a model to a dataset likewise.

A relationship that names something the document does not hold (a bare word such as "for") is
listed as not placed, never guessed. Properties are read with or without their profile prefix
(``software_packageVersion`` or ``packageVersion``), as converters write both. When
``spdx-python-model`` is installed (``pip install 'actm[import]'``), a 3.0 document is also read
by it, and a document it refuses is still drafted, with a note saying why it refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actm.importers.bom.common import BomDraft, ecosystem_of, purl_name, text_of
from actm.importers.draft import Draft, DraftBuilder
from actm.importers.interface import Confidence, Importer, ImportOptions, read_json, refuse
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_list, as_str, is_dict, skip, strings
from actm.io.json import pointer

__all__ = ["Spdx3"]

_CONTEXT = re.compile(rb'"@context"\s*:\s*\[?\s*"https://spdx\.org/rdf/3\.')
_SPDX2 = re.compile(rb'"spdxVersion"\s*:\s*"SPDX-2\.')
_PREFIXES = ("", "software_", "ai_", "dataset_", "core_")
_LINKS = ("trainedOn", "testedOn", "dependsOn")


def _type(element: Mapping[str, Any]) -> str:
    """The element's type without a prefix's separator: ``ai_AIPackage`` -> ``AIPackage``."""
    raw = element.get("type", element.get("@type", ""))
    raw = raw[0] if isinstance(raw, list) and raw else raw
    if not isinstance(raw, str | list):
        skip("a string", raw)
    return re.split(r"[_:]", str(raw))[-1]


def _get(element: Mapping[str, Any], name: str) -> Any:
    """A property, with or without its profile prefix."""
    for prefix in _PREFIXES:
        if prefix + name in element:
            return element[prefix + name]
    return None


def _words(value: Any) -> list[str]:
    """A string, or the strings of a list (others are counted as read as absent)."""
    return [value] if isinstance(value, str) else strings(value)


_ADDRESS = re.compile(r" ?\(\d{6,}\)")
"""A CPython object address in parentheses, as spdx-python-model's messages quote objects."""


def _ref(value: Any) -> str | None:
    """A reference to an element by its spdxId. The format also allows the element itself
    (an object), which actm does not read: that is not counted, as a value of another type
    is (importers/values.py)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        skip("a string or an object", value)
    return None


def _refs(value: Any) -> list[str]:
    """The references of a string or a list (:func:`_ref`)."""
    found = [_ref(v) for v in ([value] if isinstance(value, str) else as_list(value))]
    return [r for r in found if r is not None]


def _context(value: Any) -> list[str]:
    """The strings of a JSON-LD ``@context`` (a string, or a list that may hold objects)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _entries(value: Any) -> str:
    """``DictionaryEntry`` lists as ``key=value; ...`` (the first ten)."""
    out = []
    for e in as_list(value):
        if is_dict(e) and (key := as_str(e.get("key"))) is not None:
            out.append(f"{key}={str(e.get('value', ''))[:40]}")
    return "; ".join(out[:10])


def _library_problem(path: Path, context: str) -> str | None:
    """Why ``spdx-python-model`` refuses the document, when it is installed and reads this
    version; None otherwise."""
    if "/rdf/3.0" not in context:
        return None
    try:
        from spdx_python_model import v3_0_1 as spdx
    except ImportError:
        return None
    try:
        with path.open("rb") as fh:
            spdx.JSONLDDeserializer().read(fh, spdx.SHACLObjectSet())
    except Exception as exc:  # the library's own failures never stop an import
        # without the object addresses the library puts in its messages: the same file
        # gives the same draft on every run
        text = _ADDRESS.sub("", str(exc).strip())
        return f"{type(exc).__name__}: {text[:200]}"
    return None


@dataclass(slots=True)
class _Reader:
    bom: BomDraft
    graph: list[tuple[str, Mapping[str, Any]]]
    """(pointer, element) of every element of the document's graph."""
    ids: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    made: dict[str, tuple[str, str]] = field(default_factory=dict)
    """spdxId -> (section, id) of what it became."""
    within: dict[str, str] = field(default_factory=dict)
    """spdxId of a file or package -> the spdxId of the package that contains it."""

    @property
    def builder(self) -> DraftBuilder:
        return self.bom.builder

    def index(self) -> None:
        for at, e in self.graph:
            key = as_str(e.get("spdxId", e.get("@id")))
            if key is not None:
                self.ids[key] = (at, e)
        for _, e in self.graph:
            if _type(e) == "Relationship" and e.get("relationshipType") == "contains":
                for target in _refs(e.get("to")):
                    if (source := _ref(e.get("from"))) is not None:
                        self.within.setdefault(target, source)

    def root(self) -> str | None:
        """The spdxId of the document's subject: its root element, through SBOMs."""
        todo = [_refs(e.get("rootElement")) for _, e in self.graph if _type(e) == "SpdxDocument"]
        seen: set[str] = set()
        queue = [r for roots in todo for r in roots]
        while queue:
            ref = queue.pop(0)
            if ref in seen or ref not in self.ids:
                continue
            seen.add(ref)
            element = self.ids[ref][1]
            if _type(element) in ("Sbom", "Bom", "Bundle"):
                queue.extend(_refs(element.get("rootElement")))
            else:
                return ref
        return None

    def name_of(self, ref: Any) -> str | None:
        """The name of an agent the document names (an element, or a bare string)."""
        ref = _ref(ref)
        if ref is None:
            return None
        element = self.ids.get(ref, ("", {}))[1]
        if text_of(element.get("name"), 200):
            return text_of(element["name"], 200)
        if "://" in ref:
            return ref.rstrip("/").rsplit("/", 1)[-1] or None
        return text_of(ref, 200)

    def owner(self, e: Mapping[str, Any], at: str) -> str | None:
        origin = _refs(e.get("originatedBy"))
        who = self.name_of(e.get("suppliedBy")) or self.name_of(origin[0] if origin else None)
        return self.bom.owner(who, at) if who else None

    def element(self, at: str, e: Mapping[str, Any], root: str | None) -> None:
        kind = _type(e)
        ref = e.get("spdxId", e.get("@id"))
        name = text_of(e.get("name"), 200)
        if kind not in ("AIPackage", "DatasetPackage", "Package") or name is None:
            return
        if kind == "AIPackage":
            made = ("models", self.model(at, e, name))
        elif kind == "DatasetPackage":
            made = ("assets", self.dataset(at, e, name))
        elif ref == root:
            return
        else:
            made = ("packages", self.package(at, e, name))
        if (key := as_str(ref)) is not None:
            self.made[key] = made

    def model(self, at: str, e: Mapping[str, Any], name: str) -> str:
        words = [*_words(_get(e, "primaryPurpose")), *_words(_get(e, "typeOfModel"))]
        words += _words(_get(e, "domain"))
        details = {}
        if _entries(_get(e, "hyperparameter")):
            details["hyperparameters"] = f"Reported: {_entries(_get(e, 'hyperparameter'))}"
        if _entries(_get(e, "metric")):
            details["validation_results"] = f"Reported: {_entries(_get(e, 'metric'))}"
        text = text_of(e.get("description") or e.get("summary") or e.get("comment"), 500)
        model = self.bom.model(
            name, at, words=words, owner=self.owner(e, at), description=text, details=details
        )
        for key, label in (("limitation", "limitations"), ("safetyRiskAssessment", "safety")):
            said = text_of(_get(e, key), 300)
            if said:
                self.builder.note("info", f"{name}: {label}: {said}", at)
        return model

    def dataset(self, at: str, e: Mapping[str, Any], name: str) -> str:
        sensitive = _get(e, "hasSensitivePersonalInformation")
        return self.bom.dataset(
            name,
            at,
            owner=self.owner(e, at),
            description=text_of(e.get("description") or e.get("comment"), 500),
            personal=sensitive in ("yes", True),
        )

    def package(self, at: str, e: Mapping[str, Any], name: str) -> str:
        purl = _get(e, "packageUrl")
        purl = as_str(purl)
        url = as_str(_get(e, "downloadLocation"))
        ecosystem = ecosystem_of(purl, url if url is not None else purl)
        if purl and purl.startswith("pkg:") and ecosystem != "other":
            name = purl_name(purl)[0] or name
        return self.bom.package(
            name,
            ecosystem,
            at,
            version=text_of(_get(e, "packageVersion"), 100),
            publisher=self.owner(e, at),
            description=text_of(e.get("description") or e.get("summary"), 300),
        )

    def made_of(self, ref: str) -> tuple[str, str] | None:
        """What ``ref`` became, or the package that contains it."""
        seen: set[str] = set()
        while ref not in self.made and ref in self.within and ref not in seen:
            seen.add(ref)
            ref = self.within[ref]
        return self.made.get(ref)

    def relationship(self, at: str, e: Mapping[str, Any]) -> None:
        link = e.get("relationshipType")
        if link not in _LINKS:
            return
        origin = _ref(e.get("from"))
        source = self.made_of(origin) if origin is not None else None
        for target in _refs(e.get("to")):
            made = self.made_of(target)
            if source is None or made is None:
                # the end that names nothing made: an id (an inline element, which actm does
                # not read, has none here: an unhashable value once gave an internal error)
                missing = origin if source is None else target
                if link != "dependsOn" or missing is None or missing not in self.ids:
                    named = repr(missing) if missing is not None else "an element given inline"
                    self.builder.note(
                        "unplaced", f"{link} names {named}, no element of the document", at
                    )
                continue
            if source[0] != "models" or made[0] != "assets":
                continue
            if link == "trainedOn":
                self.bom.trained_on(source[1], made[1], at)
            elif link == "testedOn":
                self.bom.tested_on(source[1], made[1], at)
            else:
                self.bom.uses(source[1], made[1], at)


def _graph(data: Any) -> list[tuple[str, Mapping[str, Any]]]:
    items: Iterable[Any]
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        items, base = data["@graph"], "@graph"
    elif isinstance(data, list):
        items, base = data, ""
    else:
        return []
    return [(pointer((base, i) if base else (i,)), e) for i, e in enumerate(items) if is_dict(e)]


class Spdx3(Importer):
    name = "spdx3"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if _CONTEXT.search(head):
            return Confidence.CERTAIN
        if _SPDX2.search(head):
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        data = doc.data
        context = data.get("@context") if isinstance(data, dict) else None
        context = " ".join(_context(context)) if not isinstance(context, str) else context
        if isinstance(data, dict) and str(data.get("spdxVersion", "")).startswith("SPDX-2"):
            raise refuse(
                shown,
                f"it is {data['spdxVersion']}, which has no AI or Dataset profile",
                "convert it to SPDX 3 (JSON-LD), or import a CycloneDX ML-BOM",
            )
        if "spdx.org/rdf/3" not in (context or "") or not _graph(data):
            raise refuse(shown, "it is not an SPDX 3 JSON-LD document", "pass an SPDX 3 file")
        builder = DraftBuilder(shown, self.name, options.reserved)
        reader = _Reader(BomDraft(builder), _graph(data))
        reader.index()
        root = reader.root()
        at, subject = reader.ids.get(root or "", ("", {}))
        documents = [e for _, e in reader.graph if _type(e) == "SpdxDocument"]
        name = text_of(subject.get("name"), 200) or next(
            (n for d in documents if (n := text_of(d.get("name"), 200))), Path(shown).stem
        )
        reader.bom.ground(name, name, text_of(subject.get("description"), 500), at)
        # models and datasets first: they keep the plain ids where a package shares a name
        for at, e in sorted(reader.graph, key=lambda x: _type(x[1]) == "Package"):
            reader.element(at, e, root)
        for at, e in reader.graph:
            if _type(e) in ("Relationship", "LifecycleScopedRelationship"):
                reader.relationship(at, e)
        if "/rdf/3.1" in (context or ""):
            builder.note("info", "an SPDX 3.1 document: read with the 3.0 properties actm knows")
        problem = _library_problem(path, context or "")
        if problem is not None:
            builder.note("info", f"spdx-python-model does not read it: {problem}")
        return builder.build()
