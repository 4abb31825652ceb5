"""The vocabulary: asset types, capabilities, propagation tables and vulnerability classes.

All of it is data in ``knowledge/data/vocabulary/*.yaml``; this module validates those files
(and any override directories given with ``--knowledge``) and builds one frozen
:class:`Vocabulary` with the lookups the model loader and the engine need. A bad entry raises
:class:`~actm.errors.KnowledgeError` naming the file and line: the run stops (exit 3).

Overrides: a directory passed as ``--knowledge DIR`` may hold ``DIR/vocabulary/<file>.yaml``
with the same layout as the built-in file. Entries with an ``id`` replace the built-in entry of
that id or add a new one; table keys replace the built-in key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from actm.errors import Diagnostic, KnowledgeError, SourceLocation
from actm.io.diagnose import did_you_mean, validate_document
from actm.io.yaml import YamlDocument, YamlProblem, parse_yaml
from actm.knowledge.rules import ChainWording, RulesFile, build_rules

__all__ = [
    "AdversaryDef",
    "AssetTypeInfo",
    "Grant",
    "ModelKindInfo",
    "ProcessInfo",
    "Team",
    "TypeSpec",
    "Vocabulary",
    "VulnClass",
    "VulnRule",
    "builtin_vocabulary",
    "knowledge_files",
    "load_vocabulary",
]

PIPELINES = ("development", "deployment")
RESIDENCY_MODES = ("stored", "processed", "transmitted")
LEVELS = ("none", "low", "medium", "high", "critical")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# File schemas


class _Capability(_In):
    id: str
    description: str


class _Class(_In):
    id: str
    description: str
    capabilities: list[_Capability]


class _CapabilitiesFile(_In):
    classes: list[_Class] = []
    implies: list[tuple[str, str]] = []


class _Component(_In):
    id: str
    description: str
    persists: bool = False


class _AssetType(_In):
    id: str
    category: Literal["ai", "conventional", "tool"]
    pipeline: Literal["development", "deployment"]
    description: str
    components: list[_Component] = []


class _AssetTypesFile(_In):
    asset_types: list[_AssetType] = []


class _ModelKind(_In):
    id: str
    description: str
    assets: list[str]
    components: dict[str, list[str]] = {}


class _Feature(_In):
    id: str
    description: str


class _ModelKindsFile(_In):
    model_kinds: list[_ModelKind] = []
    features: list[_Feature] = []


class _NodeKind(_In):
    id: str
    description: str


class _NodeKindsFile(_In):
    node_kinds: list[_NodeKind] = []


class _TypeSpec(_In):
    types: list[str] = []
    categories: list[Literal["ai", "conventional", "tool"]] = []


class _Process(_In):
    id: str
    description: str
    sources: _TypeSpec
    targets: _TypeSpec
    pipeline: Literal["development", "deployment"]
    persistent: bool
    propagation: dict[str, str] = {}
    """Overrides of the dependency table for this process (e.g. fine-tuning keeps a limited
    change of the base weights as a limited change of the tuned weights)."""


class _Lifecycle(_In):
    from_: str = Field(alias="from")
    to: str
    process: str


class _Feeds(_In):
    sources: _TypeSpec
    targets: _TypeSpec
    pipeline: Literal["development", "deployment"]


class _PartOf(_In):
    sources: _TypeSpec
    targets: _TypeSpec


class _RelationsFile(_In):
    processes: list[_Process] = []
    model_lifecycle: list[_Lifecycle] | None = None
    feeds: _Feeds | None = None
    part_of: _PartOf | None = None


class _Relationship(_In):
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}


class _Agency(_In):
    call: dict[str, str] = {}
    write_constrained: str | None = None
    write_unconstrained: str | None = None
    exfiltrate: str | None = None
    execute: str | None = None
    execute_sandboxed: str | None = None
    results: str | None = None
    definition: str | None = None
    content_requires: str | None = None
    credential: str | None = None
    credential_access: str | None = None


class _PropagationFile(_In):
    component_up: dict[str, str] = {}
    component_down: dict[str, str] = {}
    dependency: dict[str, str] = {}
    relationship: _Relationship | None = None
    part_of: dict[str, str] = {}
    agency: _Agency | None = None


class _GrantIn(_In):
    capability: str
    persistent: bool | Literal["writes"] = False


class _Pattern(_In):
    asset: str
    component: str | None = None
    capability: str
    persistent: bool = False


class _VulnRuleIn(_In):
    requires: _Pattern | None = None
    yields: list[_Pattern]


class _VulnClass(_In):
    id: str
    kind: Literal["conventional", "ai"]
    applies_to: Literal["model", "asset"] | None = None
    title: str
    description: str
    grants: dict[Literal["stored", "processed", "transmitted"], list[_GrantIn]] = {}
    rules: list[_VulnRuleIn] = []


class _VulnFile(_In):
    vulnerability_classes: list[_VulnClass] = []


class _AdvGrant(_In):
    asset: str
    component: str | None = None
    capability: str
    persistent: bool = False


class _Adversary(_In):
    id: str
    title: str
    description: str
    entry: Literal["public_models", "untrusted_content", "third_party_nodes"]
    grants: list[_AdvGrant]


class _AdversariesFile(_In):
    adversaries: list[_Adversary] = []


class _Band(_In):
    severity: Literal["critical", "high", "medium", "low", "info"]
    min: float


class _SeverityFile(_In):
    criticality: dict[Literal["none", "low", "medium", "high", "critical"], float] = {}
    default_criticality: Literal["none", "low", "medium", "high", "critical"] | None = None
    strength: dict[str, float] = {}
    persistence: dict[Literal["persistent", "transient"], float] = {}
    likelihood: dict[Literal["high", "medium", "low"], float] = {}
    bands: list[_Band] | None = None


class _Team(_In):
    id: str
    title: str
    description: str
    asset_types: list[str] = []


class _TeamsFile(_In):
    teams: list[_Team] = []


_FILES: dict[str, type[BaseModel]] = {
    "capabilities.yaml": _CapabilitiesFile,
    "asset_types.yaml": _AssetTypesFile,
    "model_kinds.yaml": _ModelKindsFile,
    "node_kinds.yaml": _NodeKindsFile,
    "relations.yaml": _RelationsFile,
    "propagation.yaml": _PropagationFile,
    "vulnerability_classes.yaml": _VulnFile,
    "adversaries.yaml": _AdversariesFile,
    "severity.yaml": _SeverityFile,
    "teams.yaml": _TeamsFile,
    "rules.yaml": RulesFile,
}

# ---------------------------------------------------------------------------------------------
# The frozen vocabulary


@dataclass(frozen=True, slots=True)
class AssetTypeInfo:
    id: str
    category: str
    pipeline: str
    description: str
    components: tuple[str, ...]
    persistent_components: frozenset[str]


@dataclass(frozen=True, slots=True)
class ModelKindInfo:
    id: str
    description: str
    assets: tuple[str, ...]
    components: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    types: frozenset[str]
    categories: frozenset[str]

    def admits(self, type_id: str, category: str) -> bool:
        return type_id in self.types or category in self.categories

    def describe(self) -> str:
        parts = sorted(self.types) + [f"any {c} asset" for c in sorted(self.categories)]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    id: str
    description: str
    sources: TypeSpec
    targets: TypeSpec
    pipeline: str
    persistent: bool
    propagation: Mapping[str, str] = field(default_factory=dict)
    """Entries that replace or extend the dependency table for this process."""


@dataclass(frozen=True, slots=True)
class Grant:
    capability: str
    persistent: bool | str  # True, False or "writes"


@dataclass(frozen=True, slots=True)
class PatternSpec:
    asset: str
    component: str | None
    capability: str
    persistent: bool


@dataclass(frozen=True, slots=True)
class VulnRule:
    requires: PatternSpec | None
    yields: tuple[PatternSpec, ...]


@dataclass(frozen=True, slots=True)
class VulnClass:
    id: str
    kind: str
    applies_to: str | None
    """For AI classes: 'model' or 'asset'."""
    title: str
    description: str
    grants: Mapping[str, tuple[Grant, ...]]
    rules: tuple[VulnRule, ...]


@dataclass(frozen=True, slots=True)
class AdversaryDef:
    id: str
    title: str
    description: str
    entry: str
    grants: tuple[PatternSpec, ...]


@dataclass(frozen=True, slots=True)
class Agency:
    call: Mapping[str, str]
    write_constrained: str
    write_unconstrained: str
    exfiltrate: str
    execute: str
    execute_sandboxed: str
    results: str
    definition: str
    content_requires: str
    """Minimum capability on what a tool reads, returns or is defined by for it to carry the
    adversary's content into the agent's context."""
    credential: str
    credential_access: str


@dataclass(frozen=True, slots=True)
class Severity:
    criticality: Mapping[str, float]
    default_criticality: str
    strength: Mapping[str, float]
    persistence: Mapping[str, float]
    likelihood: Mapping[str, float]
    bands: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    title: str
    description: str
    rules: frozenset[str]
    """The derivation rules that put a threat in this view (their entries in rules.yaml)."""
    asset_types: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    """Everything the model loader and the engine need to know about the method's vocabulary."""

    classes: tuple[str, ...]
    capabilities: tuple[str, ...]
    capability_class: Mapping[str, str]
    capability_rank: Mapping[str, int]
    """0 for the strongest capability of its class, growing for weaker ones."""
    implied: Mapping[str, frozenset[str]]
    """Capability -> every capability it implies, itself included (transitive)."""
    asset_types: Mapping[str, AssetTypeInfo]
    model_kinds: Mapping[str, ModelKindInfo]
    features: frozenset[str]
    node_kinds: frozenset[str]
    processes: Mapping[str, ProcessInfo]
    model_lifecycle: tuple[tuple[str, str, str], ...]
    feeds_sources: TypeSpec
    feeds_targets: TypeSpec
    feeds_pipeline: str
    part_of_sources: TypeSpec
    part_of_targets: TypeSpec
    component_up: Mapping[str, str]
    component_down: Mapping[str, str]
    dependency: Mapping[str, str]
    relationship_forward: Mapping[str, str]
    relationship_backward: Mapping[str, str]
    part_of: Mapping[str, str]
    agency: Agency
    vulnerability_classes: Mapping[str, VulnClass]
    adversaries: Mapping[str, AdversaryDef]
    severity: Severity
    teams: tuple[Team, ...] = ()
    wording: ChainWording = field(default_factory=ChainWording)
    """How each derivation rule of the engine reads in a chain, and its team views."""
    sources: tuple[str, ...] = field(default=())
    """The files this vocabulary was read from, in order."""

    def stronger_or_equal(self, capability: str) -> frozenset[str]:
        """Capabilities that imply ``capability`` (itself included)."""
        return frozenset(c for c, imp in self.implied.items() if capability in imp)

    def category(self, asset_type: str) -> str:
        info = self.asset_types.get(asset_type)
        return info.category if info is not None else "unknown"


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass
class _Origin:
    doc: YamlDocument
    path: tuple[str | int, ...]

    def location(self) -> SourceLocation:
        return self.doc.locate(self.path)


@dataclass
class _Merged:
    """Entries by section and id (or key), with where each came from."""

    entries: dict[str, dict[str, tuple[Any, _Origin]]] = field(default_factory=dict)
    singles: dict[str, tuple[Any, _Origin]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def put(self, section: str, key: str, value: Any, origin: _Origin) -> None:
        self.entries.setdefault(section, {})[key] = (value, origin)

    def values(self, section: str) -> list[tuple[Any, _Origin]]:
        return list(self.entries.get(section, {}).values())


def _builtin_dir() -> Path:
    return Path(str(resources.files("actm.knowledge") / "data"))


def knowledge_files(root: Path, sub: str) -> list[Path]:
    """Sorted ``*.yaml`` files directly in ``root/sub``."""
    d = root / sub
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _read(path: Path, shown: str) -> YamlDocument:
    try:
        return parse_yaml(path.read_bytes(), shown)
    except YamlProblem as exc:
        raise KnowledgeError(exc.diagnostics) from None
    except OSError as exc:
        raise KnowledgeError(
            [Diagnostic("knowledge-unreadable", f"cannot read {shown}: {exc}")]
        ) from None


def _absorb(merged: _Merged, name: str, doc: YamlDocument, errors: list[Diagnostic]) -> None:
    cls = _FILES[name]
    parsed, diags = validate_document(cls, doc)
    if parsed is None:
        errors.extend(diags)
        return
    merged.sources.append(doc.path)
    for section in cls.model_fields:
        if section not in (doc.data or {}):
            continue
        value = getattr(parsed, section)
        key_name = cls.model_fields[section].alias or section
        if isinstance(value, list) and value and hasattr(value[0], "id"):
            for i, entry in enumerate(value):
                merged.put(f"{name}:{section}", entry.id, entry, _Origin(doc, (key_name, i)))
        elif isinstance(value, dict):
            for k, v in value.items():
                merged.put(f"{name}:{section}", str(k), v, _Origin(doc, (key_name, k)))
        elif isinstance(value, BaseModel) and section in ("relationship", "agency"):
            for sub in type(value).model_fields:
                if sub in (doc.data.get(section) or {}):
                    subval = getattr(value, sub)
                    if isinstance(subval, dict):
                        for k, v in subval.items():
                            merged.put(
                                f"{name}:{section}.{sub}",
                                str(k),
                                v,
                                _Origin(doc, (section, sub, k)),
                            )
                    else:
                        merged.singles[f"{name}:{section}.{sub}"] = (
                            subval,
                            _Origin(doc, (section, sub)),
                        )
        else:
            merged.singles[f"{name}:{section}"] = (value, _Origin(doc, (key_name,)))


def load_vocabulary(extra_dirs: Sequence[str | Path] = ()) -> Vocabulary:
    """The built-in vocabulary, with overrides from each ``DIR/vocabulary`` in ``extra_dirs``."""
    if not extra_dirs:
        return builtin_vocabulary()
    return _load(tuple(Path(d) for d in extra_dirs))


@lru_cache(maxsize=1)
def builtin_vocabulary() -> Vocabulary:
    """The vocabulary shipped with actm (read once per process; it is immutable)."""
    return _load(())


def _load(extra: tuple[Path, ...]) -> Vocabulary:
    merged = _Merged()
    errors: list[Diagnostic] = []
    base = _builtin_dir() / "vocabulary"
    for name in _FILES:
        path = base / name
        doc = _read(path, f"<actm>/knowledge/data/vocabulary/{name}")
        _absorb(merged, name, doc, errors)
    for d in extra:
        if not d.is_dir():
            raise KnowledgeError(
                [
                    Diagnostic(
                        "knowledge-dir",
                        f"knowledge directory {d} does not exist",
                        None,
                        "pass a directory holding vocabulary/ and/or attacks/",
                    )
                ]
            )
        for path in knowledge_files(d, "vocabulary"):
            if path.name not in _FILES:
                errors.append(
                    Diagnostic(
                        "unknown-vocabulary-file",
                        f"{path.name} is not a vocabulary file",
                        SourceLocation(str(path), 1, 1),
                        did_you_mean(path.name, _FILES, what="file names"),
                    )
                )
                continue
            _absorb(merged, path.name, _read(path, str(path)), errors)
    if errors:
        raise KnowledgeError(errors)
    return _build(merged)


def _build(m: _Merged) -> Vocabulary:
    errors: list[Diagnostic] = []

    def bad(origin: _Origin, code: str, message: str, hint: str | None = None) -> None:
        errors.append(Diagnostic(code, message, origin.location(), hint))

    # capabilities ------------------------------------------------------------------------
    classes: list[str] = []
    caps: list[str] = []
    cap_class: dict[str, str] = {}
    cap_rank: dict[str, int] = {}
    for cls, origin in m.values("capabilities.yaml:classes"):
        classes.append(cls.id)
        for rank, cap in enumerate(cls.capabilities):
            if cap.id in cap_class:
                bad(origin, "duplicate-capability", f"capability {cap.id!r} is defined twice")
                continue
            caps.append(cap.id)
            cap_class[cap.id] = cls.id
            cap_rank[cap.id] = rank
    direct: dict[str, set[str]] = {c: {c} for c in caps}
    implies_entry = m.singles.get("capabilities.yaml:implies")
    if implies_entry is not None:
        pairs, origin = implies_entry
        for strong, weak in pairs:
            for c in (strong, weak):
                if c not in cap_class:
                    bad(
                        origin,
                        "unknown-capability",
                        f"implies names unknown capability {c!r}",
                        did_you_mean(c, caps),
                    )
            if strong in cap_class and weak in cap_class:
                if cap_class[strong] != cap_class[weak]:
                    bad(
                        origin,
                        "cross-class-implication",
                        f"{strong} and {weak} are in different classes; "
                        "implication stays within a class",
                    )
                elif cap_rank[strong] >= cap_rank[weak]:
                    bad(
                        origin,
                        "implication-against-order",
                        f"{strong} cannot imply {weak}: the class lists {weak} as at least as "
                        "strong",
                        "capabilities are listed strongest first; an implication goes from a "
                        "stronger one to a weaker one",
                    )
                direct[strong].add(weak)
    implied: dict[str, frozenset[str]] = {}
    for c in caps:
        seen = {c}
        stack = [c]
        while stack:
            x = stack.pop()
            for y in direct.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        implied[c] = frozenset(seen)
    for c in caps:
        for d in implied[c]:
            if d != c and c in implied[d] and implies_entry is not None:
                bad(implies_entry[1], "implication-cycle", f"{c} and {d} imply each other")

    def check_cap(name: str, origin: _Origin, what: str) -> None:
        if name not in cap_class:
            bad(
                origin,
                "unknown-capability",
                f"{what}: unknown capability {name!r}",
                did_you_mean(name, caps),
            )

    # asset types ---------------------------------------------------------------------------
    asset_types: dict[str, AssetTypeInfo] = {}
    for at, _origin in m.values("asset_types.yaml:asset_types"):
        asset_types[at.id] = AssetTypeInfo(
            at.id,
            at.category,
            at.pipeline,
            at.description,
            tuple(c.id for c in at.components),
            frozenset(c.id for c in at.components if c.persists),
        )
    if "tool" not in asset_types:
        errors.append(Diagnostic("missing-entry", "asset type 'tool' must exist", None))

    def check_type(name: str, origin: _Origin, what: str) -> None:
        if name not in asset_types:
            bad(
                origin,
                "unknown-asset-type",
                f"{what}: unknown asset type {name!r}",
                did_you_mean(name, asset_types),
            )

    # model kinds ---------------------------------------------------------------------------
    model_kinds: dict[str, ModelKindInfo] = {}
    for mk, origin in m.values("model_kinds.yaml:model_kinds"):
        for t in mk.assets:
            check_type(t, origin, f"model kind {mk.id}")
            if t in asset_types and asset_types[t].category != "ai":
                bad(origin, "not-ai-type", f"model kind {mk.id}: {t} is not an AI asset type")
        for t, comps in mk.components.items():
            if t not in mk.assets:
                bad(
                    origin,
                    "component-of-missing-asset",
                    f"model kind {mk.id}: components for {t}, which the kind does not own",
                )
            elif t in asset_types:
                for c in comps:
                    if c not in asset_types[t].components:
                        bad(
                            origin,
                            "unknown-component",
                            f"model kind {mk.id}: {t} has no component {c!r}",
                            did_you_mean(c, asset_types[t].components),
                        )
        model_kinds[mk.id] = ModelKindInfo(
            mk.id,
            mk.description,
            tuple(mk.assets),
            {k: tuple(v) for k, v in mk.components.items()},
        )
    features = frozenset(k for k, _ in m.entries.get("model_kinds.yaml:features", {}).items())
    node_kinds = frozenset(m.entries.get("node_kinds.yaml:node_kinds", {}))

    # relations -----------------------------------------------------------------------------
    def spec(s: _TypeSpec, origin: _Origin, what: str) -> TypeSpec:
        for t in s.types:
            check_type(t, origin, what)
        return TypeSpec(frozenset(s.types), frozenset(s.categories))

    processes: dict[str, ProcessInfo] = {}
    for p, origin in m.values("relations.yaml:processes"):
        for k, v in p.propagation.items():
            check_cap(k, origin, f"process {p.id} propagation")
            check_cap(v, origin, f"process {p.id} propagation")
        processes[p.id] = ProcessInfo(
            p.id,
            p.description,
            spec(p.sources, origin, f"process {p.id}"),
            spec(p.targets, origin, f"process {p.id}"),
            p.pipeline,
            p.persistent,
            dict(p.propagation),
        )
    lifecycle: list[tuple[str, str, str]] = []
    lc = m.singles.get("relations.yaml:model_lifecycle")
    if lc is not None:
        items, origin = lc
        for item in items or []:
            check_type(item.from_, origin, "model_lifecycle")
            check_type(item.to, origin, "model_lifecycle")
            if item.process not in processes:
                bad(
                    origin,
                    "unknown-process",
                    f"model_lifecycle: unknown process {item.process!r}",
                    did_you_mean(item.process, processes),
                )
            lifecycle.append((item.from_, item.to, item.process))
    feeds_entry = m.singles.get("relations.yaml:feeds")
    part_entry = m.singles.get("relations.yaml:part_of")
    empty = TypeSpec(frozenset(), frozenset())
    if feeds_entry is None or feeds_entry[0] is None:
        errors.append(Diagnostic("missing-entry", "relations.yaml must define feeds", None))
        feeds_sources = feeds_targets = empty
        feeds_pipeline = "deployment"
    else:
        fd, origin = feeds_entry
        feeds_sources = spec(fd.sources, origin, "feeds")
        feeds_targets = spec(fd.targets, origin, "feeds")
        feeds_pipeline = fd.pipeline
    if part_entry is None or part_entry[0] is None:
        errors.append(Diagnostic("missing-entry", "relations.yaml must define part_of", None))
        part_sources = part_targets = empty
    else:
        pd, origin = part_entry
        part_sources = spec(pd.sources, origin, "part_of")
        part_targets = spec(pd.targets, origin, "part_of")

    # propagation ---------------------------------------------------------------------------
    def table(section: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, (val, origin) in m.entries.get(f"propagation.yaml:{section}", {}).items():
            check_cap(key, origin, f"propagation {section}")
            check_cap(val, origin, f"propagation {section}")
            out[key] = val
        return out

    component_up = table("component_up")
    component_down = table("component_down")
    dependency = table("dependency")
    part_of = table("part_of")
    rel_fwd = table("relationship.forward")
    rel_bwd = table("relationship.backward")
    agency_call = table("agency.call")

    def single(section: str, what: str, *, is_cap: bool = True) -> str:
        entry = m.singles.get(f"propagation.yaml:{section}")
        if entry is None or entry[0] is None:
            errors.append(Diagnostic("missing-entry", f"propagation.yaml must define {section}"))
            return ""
        val, origin = entry
        if is_cap:
            check_cap(val, origin, what)
        return str(val)

    agency = Agency(
        call=agency_call,
        write_constrained=single("agency.write_constrained", "agency"),
        write_unconstrained=single("agency.write_unconstrained", "agency"),
        exfiltrate=single("agency.exfiltrate", "agency"),
        execute=single("agency.execute", "agency", is_cap=False),
        execute_sandboxed=single("agency.execute_sandboxed", "agency", is_cap=False),
        results=single("agency.results", "agency"),
        definition=single("agency.definition", "agency"),
        content_requires=single("agency.content_requires", "agency"),
        credential=single("agency.credential", "agency"),
        credential_access=single("agency.credential_access", "agency", is_cap=False),
    )

    # vulnerability classes -----------------------------------------------------------------
    def pattern(
        p: _Pattern | _AdvGrant, origin: _Origin, what: str, *, special: Iterable[str]
    ) -> PatternSpec:
        check_cap(p.capability, origin, what)
        if p.asset not in special:
            check_type(p.asset, origin, what)
            if (
                p.component is not None
                and p.asset in asset_types
                and p.component not in asset_types[p.asset].components
            ):
                bad(
                    origin,
                    "unknown-component",
                    f"{what}: {p.asset} has no component {p.component!r}",
                    did_you_mean(p.component, asset_types[p.asset].components),
                )
        return PatternSpec(p.asset, p.component, p.capability, p.persistent)

    vclasses: dict[str, VulnClass] = {}
    for vc, origin in m.values("vulnerability_classes.yaml:vulnerability_classes"):
        grants: dict[str, tuple[Grant, ...]] = {}
        for mode, gl in vc.grants.items():
            for g in gl:
                check_cap(g.capability, origin, f"vulnerability class {vc.id}")
            grants[mode] = tuple(Grant(g.capability, g.persistent) for g in gl)
        rules = []
        for r in vc.rules:
            req = (
                pattern(r.requires, origin, f"class {vc.id}", special=("self",))
                if r.requires
                else None
            )
            ys = tuple(pattern(y, origin, f"class {vc.id}", special=("self",)) for y in r.yields)
            rules.append(VulnRule(req, ys))
        if vc.kind == "conventional" and not vc.grants:
            bad(origin, "empty-class", f"conventional class {vc.id} grants nothing")
        if vc.kind == "ai" and vc.applies_to is None:
            bad(
                origin,
                "missing-applies-to",
                f"AI class {vc.id} must say applies_to: model or asset",
            )
        if vc.kind == "ai" and not vc.rules:
            bad(origin, "empty-class", f"AI class {vc.id} has no rules")
        vclasses[vc.id] = VulnClass(
            vc.id, vc.kind, vc.applies_to, vc.title, vc.description, grants, tuple(rules)
        )
    for derived in (agency.execute, agency.execute_sandboxed, agency.credential_access):
        if derived and derived not in vclasses:
            entry = m.singles.get("propagation.yaml:agency.execute")
            errors.append(
                Diagnostic(
                    "unknown-vulnerability-class",
                    f"propagation agency names unknown vulnerability class {derived!r}",
                    entry[1].location() if entry else None,
                    did_you_mean(derived, vclasses),
                )
            )

    # adversaries -------------------------------------------------------------------------
    adversaries: dict[str, AdversaryDef] = {}
    for adv, origin in m.values("adversaries.yaml:adversaries"):
        grants_t = tuple(
            pattern(g, origin, f"adversary {adv.id}", special=("self", "exposed"))
            for g in adv.grants
        )
        adversaries[adv.id] = AdversaryDef(adv.id, adv.title, adv.description, adv.entry, grants_t)

    # severity ------------------------------------------------------------------------------
    sev = m.entries
    crit = {k: float(v) for k, (v, _) in sev.get("severity.yaml:criticality", {}).items()}
    strength: dict[str, float] = {}
    for k, (v, origin) in sev.get("severity.yaml:strength", {}).items():
        check_cap(k, origin, "severity strength")
        strength[k] = float(v)
    for c in caps:
        if c not in strength:
            errors.append(
                Diagnostic("missing-entry", f"severity.yaml strength lacks capability {c!r}")
            )
    for lvl in LEVELS:
        if lvl not in crit:
            errors.append(Diagnostic("missing-entry", f"severity.yaml criticality lacks {lvl!r}"))
    persistence = {k: float(v) for k, (v, _) in sev.get("severity.yaml:persistence", {}).items()}
    likelihood = {k: float(v) for k, (v, _) in sev.get("severity.yaml:likelihood", {}).items()}
    bands_entry = m.singles.get("severity.yaml:bands")
    bands = tuple((b.severity, b.min) for b in (bands_entry[0] if bands_entry else []) or [])
    default_crit_entry = m.singles.get("severity.yaml:default_criticality")
    default_crit = str(default_crit_entry[0]) if default_crit_entry else "medium"
    if not bands:
        errors.append(Diagnostic("missing-entry", "severity.yaml must define bands"))
    elif [b[1] for b in bands] != sorted((b[1] for b in bands), reverse=True):
        errors.append(
            Diagnostic(
                "bad-bands",
                "severity bands must be listed from highest to lowest",
                bands_entry[1].location() if bands_entry else None,
            )
        )

    mark = m.singles.get("rules.yaml:persistent_mark")
    wording, wording_errors = build_rules(
        m.values("rules.yaml:rules"),
        mark[0] if mark else None,
        m.entries.get("teams.yaml:teams", {}),
    )
    errors.extend(wording_errors)
    teams = []
    for tm, origin in m.values("teams.yaml:teams"):
        for t in tm.asset_types:
            check_type(t, origin, f"team {tm.id}")
        members = wording.team_rules(tm.id)
        teams.append(Team(tm.id, tm.title, tm.description, members, frozenset(tm.asset_types)))

    if errors:
        raise KnowledgeError(errors)
    return Vocabulary(
        classes=tuple(classes),
        capabilities=tuple(caps),
        capability_class=cap_class,
        capability_rank=cap_rank,
        implied=implied,
        asset_types=asset_types,
        model_kinds=model_kinds,
        features=features,
        node_kinds=node_kinds,
        processes=processes,
        model_lifecycle=tuple(lifecycle),
        feeds_sources=feeds_sources,
        feeds_targets=feeds_targets,
        feeds_pipeline=feeds_pipeline,
        part_of_sources=part_sources,
        part_of_targets=part_targets,
        component_up=component_up,
        component_down=component_down,
        dependency=dependency,
        relationship_forward=rel_fwd,
        relationship_backward=rel_bwd,
        part_of=part_of,
        agency=agency,
        vulnerability_classes=vclasses,
        adversaries=adversaries,
        severity=Severity(crit, default_crit, strength, persistence, likelihood, bands),
        teams=tuple(teams),
        wording=wording,
        sources=tuple(m.sources),
    )
