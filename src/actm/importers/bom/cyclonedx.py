"""CycloneDX 1.5 to 1.7 bills of materials: ML-BOMs and AIBOMs.

A BOM lists components and what depends on what. The draft holds:

* the BOM's subject (``metadata.component``) as the system; when it is an application, a
  platform or a container (a Kubernetes workload in a k8s-aibom BOM), also a node, whose kind the
  ``workload_kinds`` table of ``bom.yaml`` chooses;
* every ``machine-learning-model`` component as a model: its kind from its model card's task
  (or its ``primaryPurpose`` / ``typeOfModel`` properties), its supplier, manufacturer,
  publisher or first author as its owner (trust asked), its model card's evaluation metrics as
  the description of its ``validation_results``, its ``base_model`` property as its base model,
  and the datasets of its model card as the data it is trained on;
* every ``data`` component and inline model-card dataset as a dataset asset;
* libraries, frameworks, container images and the applications inside the subject as packages;
* the dependency graph: a model the subject depends on is deployed on the subject's node, a
  dataset a model depends on is what it is trained on, a package the subject or a model depends
  on runs on the subject's node. A BOM without dependencies that describes a workload places
  everything in it on the workload's node.

The file is read as JSON within the model loader's limits (the library drops model cards). When
``cyclonedx-python-lib`` is installed (``pip install 'actm[import]'``), the BOM is also checked
against the specification's JSON schema for its version, and a file that does not conform is
still drafted, with a note saying where it departs from the schema. A threat-model BOM
(components of type ``threat-model``) is refused: import the threat model it carries instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actm.importers.bom.common import BomDraft, ecosystem_of, purl_name, text_of
from actm.importers.data import table
from actm.importers.draft import Draft, DraftBuilder, Review, slug
from actm.importers.interface import Confidence, Importer, ImportOptions, read_json, refuse
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_dict, as_list, as_str, dicts, is_dict, strings
from actm.io.json import pointer

__all__ = ["CycloneDx"]

_FORMAT = re.compile(rb'"bomFormat"\s*:\s*"CycloneDX"')
_SPEC = re.compile(rb'"specVersion"\s*:')
_NODE_TYPES = ("application", "platform", "container")
_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|/|\\\\)")


def _props(component: Mapping[str, Any]) -> dict[str, str]:
    """A component's (or model card's) properties, name -> first value."""
    out: dict[str, str] = {}
    for p in dicts(component.get("properties")):
        if (key := as_str(p.get("name"))) is not None and "value" in p:
            out.setdefault(key, str(p["value"]))
    return out


def _who(component: Mapping[str, Any]) -> str | None:
    """The organisation behind a component: supplier, manufacturer, publisher, first author."""
    for key in ("supplier", "manufacturer"):
        org = as_dict(component.get(key))
        if text_of(org.get("name")):
            return text_of(org["name"], 200)
    if text_of(component.get("publisher")):
        return text_of(component["publisher"], 200)
    for author in dicts(component.get("authors")):
        if text_of(author.get("name")):
            return text_of(author["name"], 200)
    return text_of(component.get("author"), 200)


def _name(component: Mapping[str, Any]) -> str | None:
    """The component's name, with its group; a file path (a dataset named by where it lay on
    someone's disk) by its file name."""
    name = text_of(component.get("name"), 300)
    if name and _PATH.match(name):
        name = re.split(r"[\\/]", name.rstrip("\\/"))[-1] or name
    name = name[:200] if name else None
    group = text_of(component.get("group"), 100)
    if name and group and "/" not in name and component.get("type") != "data":
        return f"{group}/{name}"
    return name


def _schema_problem(data: Any, version: str) -> str | None:
    """The first way ``data`` departs from the CycloneDX schema of ``version``, when the
    optional library is installed; None when it conforms or cannot be checked."""
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonValidator
    except ImportError:
        return None
    try:
        schema = SchemaVersion.from_version(version)
        error = JsonValidator(schema).validate_str(json.dumps(data))
    except Exception:  # the library's own failures never stop an import
        return None
    if error is None:
        return None
    return str(error).strip().splitlines()[0][:300]


@dataclass(slots=True)
class _Reader:
    bom: BomDraft
    data: Mapping[str, Any]
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """bom-ref -> (section, id) of what it became."""
    node: str | None = None
    """The node of the BOM's subject, if it is one."""
    on_node: frozenset[str] | None = None
    """The bom-refs the subject depends on, directly or not; None: all (no dependencies)."""
    direct: frozenset[str] = frozenset()
    """The bom-refs the subject depends on directly."""
    card_refs: list[tuple[str, str, str]] = field(default_factory=list)
    """(model, bom-ref, pointer) of each dataset a model card names by reference."""

    @property
    def builder(self) -> DraftBuilder:
        return self.bom.builder

    def components(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Every component with its pointer, nested ones after their parent."""
        stack: list[tuple[tuple[str | int, ...], Any]] = []
        for i, c in reversed(list(enumerate(as_list(self.data.get("components"))))):
            stack.append((("components", i), c))
        while stack:
            at, component = stack.pop()
            if not is_dict(component):
                continue
            yield pointer(at), component
            nested = as_list(component.get("components"))
            for i, c in reversed(list(enumerate(nested))):
                stack.append(((*at, "components", i), c))

    def ground(self, shown: str) -> Mapping[str, Any] | None:
        root = as_dict(self.data.get("metadata")).get("component")
        root = root if is_dict(root) else None
        name = (_name(root) if root else None) or Path(shown).stem
        description = text_of(root.get("description"), 500) if root else None
        self.bom.ground(name, name, description, "/metadata/component" if root else "")
        if root is not None and root.get("type") in _NODE_TYPES:
            self.node = self._node(root, name)
            self.reach(root)
        return root

    def placed(self, c: Mapping[str, Any], *, direct: bool = False) -> bool:
        """Whether component ``c`` is on the subject's node: the subject depends on it (with
        ``direct``, not through another component), or the BOM has no dependencies and the
        subject is a workload."""
        if self.node is None:
            return False
        if self.on_node is None:
            return True
        return as_str(c.get("bom-ref")) in (self.direct if direct else self.on_node)

    def reach(self, root: Mapping[str, Any]) -> None:
        """The bom-refs the subject depends on, following the dependency graph."""
        deps = dicts(self.data.get("dependencies"))
        if not deps:
            return
        edges = {ref: strings(d.get("dependsOn")) for d in deps if (ref := as_str(d.get("ref")))}
        seen: set[str] = set()
        todo = list(edges.get(as_str(root.get("bom-ref")) or "", []))
        self.direct = frozenset(todo)
        while todo:
            ref = todo.pop()
            if ref not in seen:
                seen.add(ref)
                todo.extend(edges.get(ref, []))
        self.on_node = frozenset(seen)

    def _node(self, root: Mapping[str, Any], name: str) -> str:
        props = _props(root)
        kinds = table("bom")["workload_kinds"]
        by_type = kinds.get(as_str(root.get("type")))
        kind = kinds.get(props.get("aibom.workload.category", ""), by_type)
        fields: dict[str, Any] = {"name": name, "kind": kind or "service", "owner": "us"}
        namespace = props.get("aibom.workload.namespace")
        if namespace:
            what = props.get("aibom.workload.kind", "workload")
            fields["description"] = f"Kubernetes {what} in the namespace {namespace}"
        reviews = [
            Review("kind", "what kind of node runs it? (kind:)"),
            Review("zone", "in which trust zone does it run?"),
        ]
        at = "/metadata/component"
        ident = self.builder.add("nodes", slug(name, "node"), fields, at, reviews)
        if (ref := as_str(root.get("bom-ref"))) is not None:
            self.refs[ref] = ("nodes", ident)
        return ident

    def component(self, at: str, c: Mapping[str, Any]) -> None:
        kind = table("bom")["cyclonedx_types"].get(str(c.get("type")))
        name = _name(c) or text_of(c.get("bom-ref"), 200)
        if name is None:
            self.builder.note("unplaced", "a component without a name or bom-ref; left out", at)
            return
        if kind == "model":
            made = ("models", self.model(at, c, name))
        elif kind == "dataset":
            made = ("assets", self.dataset(at, c, name))
        elif kind in ("package", "image", "node"):
            made = ("packages", self.package(at, c, name, kind))
        else:
            what = c.get("type", "without a type")
            self.builder.note("info", f"{what} component {name!r} is not modelled", at)
            return
        if (ref := as_str(c.get("bom-ref"))) is not None:
            self.refs.setdefault(ref, made)

    def model(self, at: str, c: Mapping[str, Any], name: str) -> str:
        card = as_dict(c.get("modelCard"))
        params = as_dict(card.get("modelParameters"))
        props = _props(card) | _props(c)
        words = [
            w
            for x in (
                params.get("task"),
                props.get("primaryPurpose"),
                props.get("typeOfModel"),
                params.get("architectureFamily"),
            )
            if (w := as_str(x)) is not None
        ]
        who = _who(c)
        owner = self.bom.owner(who, at) if who else None
        details = {}
        metrics = _metrics(card)
        if metrics:
            details["validation_results"] = f"Reported: {metrics}"
        model = self.bom.model(
            name, at, words=words, owner=owner, description=_model_text(c, card), details=details
        )
        if self.placed(c):
            self.bom.deploy(model, self.node)  # type: ignore[arg-type]
        base = props.get("base_model")
        if base:
            self.bom.base(model, self.bom.model(base, f"{at}/modelCard/properties", words=words))
        for i, ds in enumerate(as_list(params.get("datasets"))):
            self.card_dataset(model, f"{at}/modelCard/modelParameters/datasets/{i}", ds)
        _considerations(self.builder, name, card, at)
        return model

    def card_dataset(self, model: str, at: str, ds: Any) -> None:
        if not is_dict(ds):
            return
        if (ref := as_str(ds.get("ref"))) is not None:
            self.card_refs.append((model, ref, at))  # the data component, once read
            return
        name = text_of(ds.get("name"), 200)
        if name is None:
            self.builder.note("unplaced", "a model-card dataset without a name; left out", at)
            return
        public = ds.get("classification") == "public"
        asset = self.bom.dataset(
            name, at, description=text_of(ds.get("description"), 500), public=public
        )
        self.bom.trained_on(model, asset, at)

    def dataset(self, at: str, c: Mapping[str, Any], name: str) -> str:
        inner = dicts(c.get("data"))
        public = any(d.get("classification") == "public" for d in inner)
        personal = any(d.get("sensitiveData") for d in inner)
        who = _who(c)
        asset = self.bom.dataset(
            name,
            at,
            owner=self.bom.owner(who, at) if who else None,
            description=text_of(c.get("description"), 500),
            public=public,
            personal=personal,
        )
        if self.placed(c, direct=True):
            self.builder.add("assets", asset, {"resides": [{"node": self.node, "mode": "stored"}]})
        return asset

    def package(self, at: str, c: Mapping[str, Any], name: str, kind: str) -> str:
        purl = as_str(c.get("purl"))
        ecosystem = "oci" if kind == "image" else ecosystem_of(purl)
        if purl and ecosystem != "other":
            name = purl_name(purl)[0] or name
        version = text_of(c.get("version"), 100)
        who = _who(c)
        runs_on = [self.node] if self.node and self.placed(c) else []
        return self.bom.package(
            name,
            ecosystem,
            at,
            version=version,
            publisher=self.bom.owner(who, at) if who else None,
            runs_on=runs_on,
            description=text_of(c.get("description"), 300),
        )

    def dependencies(self) -> None:
        for i, dep in enumerate(as_list(self.data.get("dependencies"))):
            at = f"/dependencies/{i}"
            if not is_dict(dep) or as_str(dep.get("ref")) is None:
                continue
            source = self.refs.get(dep["ref"])
            for j, target in enumerate(as_list(dep.get("dependsOn"))):
                made = self.refs.get(target) if as_str(target) is not None else None
                if source is None or made is None:
                    missing = dep["ref"] if source is None else target
                    self.builder.note(
                        "unplaced", f"the dependency names {missing!r}, no component", at
                    )
                    continue
                self.depend(source, made, f"{at}/dependsOn/{j}")
        for model, ref, at in self.card_refs:
            made = self.refs.get(ref)
            if made is not None and made[0] == "assets":
                self.bom.uses(model, made[1], at)
            else:
                self.builder.note("unplaced", f"the model card names {ref!r}, no dataset", at)

    def depend(self, source: tuple[str, str], target: tuple[str, str], at: str) -> None:
        """A model that depends on a dataset is trained or evaluated on it; what the subject
        depends on is on its node (:meth:`placed`)."""
        if source[0] == "models" and target[0] == "assets":
            self.bom.uses(source[1], target[1], at)


def _metrics(card: Mapping[str, Any]) -> str:
    analysis = card.get("quantitativeAnalysis")
    out = []
    for m in dicts(as_dict(analysis).get("performanceMetrics")):
        if text_of(m.get("type"), 80) and "value" in m:
            where = f" on {text_of(m['slice'], 80)}" if text_of(m.get("slice")) else ""
            out.append(f"{text_of(m['type'], 80)} {str(m['value'])[:40]}{where}")
    return "; ".join(out[:10])


def _model_text(c: Mapping[str, Any], card: Mapping[str, Any]) -> str | None:
    parts = [text_of(c.get("description"), 500)]
    params = as_dict(card.get("modelParameters"))
    approach = as_dict(params.get("approach"))
    if text_of(approach.get("type")):
        parts.append(f"Approach: {text_of(approach['type'], 40)}")
    uses = as_dict(card.get("considerations")).get("useCases")
    texts = [t for u in as_list(uses) if (t := text_of(u, 200))]
    if texts:
        parts.append("Use cases: " + "; ".join(texts[:3]))
    if text_of(c.get("version"), 40):
        parts.append(f"Version {text_of(c['version'], 40)}")
    joined = ". ".join(p.rstrip(".") for p in parts if p)
    return joined + "." if joined else None


def _considerations(builder: DraftBuilder, name: str, card: Mapping[str, Any], at: str) -> None:
    found = as_dict(card.get("considerations"))
    limits = [t for x in as_list(found.get("technicalLimitations")) if (t := text_of(x, 200))]
    risks = [
        t for r in dicts(found.get("ethicalConsiderations")) if (t := text_of(r.get("name"), 120))
    ]
    if limits:
        builder.note("info", f"{name}: known limitations: {'; '.join(limits[:3])}", at)
    if risks:
        builder.note("info", f"{name}: ethical considerations: {'; '.join(risks[:5])}", at)


class CycloneDx(Importer):
    name = "cyclonedx"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if _FORMAT.search(head):
            return Confidence.CERTAIN
        if path.name.endswith((".cdx.json", "bom.json")) and _SPEC.search(head):
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        data = doc.data
        if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
            raise refuse(shown, 'it has no "bomFormat": "CycloneDX"', "pass a CycloneDX BOM")
        version = str(data.get("specVersion", ""))
        types = {as_str(c.get("type")) for c in dicts(data.get("components"))}
        if types == {"threat-model"}:
            raise refuse(
                shown,
                "it is a threat-model BOM (its components are threat models, not a system)",
                "import the threat model it describes instead (OTM or Threat Dragon JSON)",
            )
        builder = DraftBuilder(shown, self.name, options.reserved)
        reader = _Reader(BomDraft(builder), data)
        reader.ground(shown)
        for at, component in _with_root(reader):
            reader.component(at, component)
        reader.dependencies()
        problem = _schema_problem(data, version) if version else None
        if problem is not None:
            builder.note("info", f"it departs from the CycloneDX {version} schema: {problem}")
        if version and version not in ("1.5", "1.6", "1.7"):
            builder.note("info", f"CycloneDX {version}: actm reads 1.5 to 1.7")
        return builder.build()


def _with_root(reader: _Reader) -> Iterator[tuple[str, Mapping[str, Any]]]:
    root = as_dict(as_dict(reader.data.get("metadata")).get("component"))
    if root.get("type") == "machine-learning-model":
        yield "/metadata/component", root
    yield from reader.components()
