"""The frozen vocabulary: the values the model loader and the engine read.

Built once by :mod:`.build` from the validated files; nothing here changes afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from actm.knowledge.rules import ChainWording
from actm.terms import CRITICALITIES, PIPELINES, RESIDENCY_MODES

__all__ = [
    "LEVELS",
    "PIPELINES",
    "RESIDENCY_MODES",
    "AdversaryDef",
    "Agency",
    "AssetTypeInfo",
    "EntryPointDef",
    "Grant",
    "Hypothesis",
    "ModelDefaults",
    "ModelKindInfo",
    "PatternSpec",
    "Placement",
    "ProcessInfo",
    "Severity",
    "Team",
    "TypeSpec",
    "Vocabulary",
    "VulnClass",
    "VulnRule",
]

LEVELS = CRITICALITIES
"""Criticality levels (vocabulary files call them levels)."""


@dataclass(frozen=True, slots=True)
class AssetTypeInfo:
    id: str
    category: str
    pipeline: str
    description: str
    components: tuple[str, ...]
    persistent_components: frozenset[str]
    grants_access: bool = False
    """Assets of this type open nodes and may be a tool's or an agent's credential."""


@dataclass(frozen=True, slots=True)
class ModelKindInfo:
    id: str
    description: str
    assets: tuple[str, ...]
    components: Mapping[str, tuple[str, ...]]
    foundation: bool = False
    """Models of this kind are usually used as published (a foundation model the system does
    not train): their weights and training data are the publisher's, unless the model is
    trained or fine-tuned in the system."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one placement key of a model (``deployed_on``, ...) puts the model's AI assets."""

    mode: str
    assets: tuple[str, ...]
    writes: tuple[str, ...]
    """Of ``assets``, those written back by the work on the node."""


@dataclass(frozen=True, slots=True)
class ModelDefaults:
    """What a model gets without writing it: components that tools and features call for, and
    residency on the nodes its placement keys name."""

    tool_components: Mapping[str, tuple[str, ...]]
    """Asset type -> components a model with tools gets."""
    feature_components: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Feature -> asset type -> components a model with the feature gets."""
    placement: Mapping[str, Placement]
    """Placement key -> where it puts the assets, in the order the keys are applied."""

    def components(
        self, asset_type: str, has_tools: bool, features: Iterable[str]
    ) -> frozenset[str]:
        """The components tools and ``features`` add to a model's asset of ``asset_type``."""
        out = set(self.tool_components.get(asset_type, ())) if has_tools else set()
        for f in features:
            out.update(self.feature_components.get(f, {}).get(asset_type, ()))
        return frozenset(out)


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
    external_trust: tuple[str, ...] = ()
    """Zone trust levels that count as leaving the system for a tool's egress (a destination
    that is not a declared zone always does)."""
    delete: str = ""
    """A driven tool with the delete permission -> this capability on what it may delete."""
    credential_read: str = ""
    """Inspect on a credential -> this capability on what its ``grants`` let it read."""
    credential_write: str = ""
    credential_delete: str = ""
    credential_execute: str = ""
    """The vulnerability class on the nodes a credential's ``grants`` let it run code on."""
    contained_requires: str = ""
    """At least this capability on an asset that ``contains`` a secret ..."""
    contained: str = ""
    """... gives this one on the secret."""
    package_requires: str = ""
    """At least this (persistent) capability on a package ..."""
    package_runs: str = ""
    """... puts this vulnerability class on every node it runs on."""


@dataclass(frozen=True, slots=True)
class EntryPointDef:
    """An entry point the engine derives from what the model states about its infrastructure
    (a node exposed to the internet, a cleartext flow, a scene a camera sees)."""

    id: str
    title: str
    description: str
    grants: tuple[PatternSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """A weakness typical of some nodes, posited on each node that matches when hypotheses are
    on (``--hypotheses``)."""

    id: str
    title: str
    why: str
    posit: str
    """A conventional vulnerability class."""
    node_kinds: frozenset[str]
    exposure: frozenset[str]
    authentication: frozenset[str]
    resides: frozenset[str]
    """Asset types of which one must reside on the node (empty: no condition)."""
    affects: frozenset[str] = frozenset()
    """Asset types the posited weakness reaches (empty: every asset on the node)."""
    public_input: bool = False
    """Only on a node where content from the internet is processed (see
    ``actm.engine.derived.public_input_nodes``)."""

    def matches(
        self,
        kind: str,
        exposure: str,
        authentication: str,
        types: frozenset[str],
        public_input: bool = False,
    ) -> bool:
        return (
            (not self.node_kinds or kind in self.node_kinds)
            and (not self.exposure or exposure in self.exposure)
            and (public_input or not self.public_input)
            and (not self.authentication or authentication in self.authentication)
            and (not self.resides or bool(self.resides & types))
        )


@dataclass(frozen=True, slots=True)
class Severity:
    criticality: Mapping[str, float]
    default_criticality: str
    strength: Mapping[str, float]
    persistence: Mapping[str, float]
    likelihood: Mapping[str, float]
    bands: tuple[tuple[str, float], ...]
    reach: Mapping[str, float] = field(default_factory=dict)
    """Reach -> the likelihood factor of a route that needs an entry point of that reach."""
    hypothetical: float = 1.0
    """The factor of a route that needs a weakness a hypothesis posits."""
    approval: Mapping[str, float] = field(default_factory=dict)
    """Gate (every_call, once_per_session) -> the factor of passing it."""
    assumptions: float = 1.0
    """The factor of each unjustified assumption a threat needs."""
    length: tuple[int, float, float] = (0, 1.0, 1.0)
    """(free steps, factor per step beyond them, floor) for the length of the shortest route."""


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
    model_defaults: ModelDefaults
    access_types: tuple[str, ...]
    """Asset types that grant access (credentials), in file order."""
    node_kinds: frozenset[str]
    processes: Mapping[str, ProcessInfo]
    model_lifecycle: tuple[tuple[str, str, str], ...]
    base_model: tuple[tuple[str, str, str], ...]
    """(type of the base model's asset, type of the model's asset, process) for ``base_model``."""
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
    decision_kinds: Mapping[str, str] = field(default_factory=dict)
    """Kind of decision taken on a model's outputs -> default integrity criticality."""
    acted_on: tuple[str, str, str] | None = None
    """(outputs type, decision type, process) of the derivation ``acted_on`` adds."""
    entry_points: Mapping[str, EntryPointDef] = field(default_factory=dict)
    source_strength: Mapping[str, str] = field(default_factory=dict)
    """What an outside source lets its authors do (``can``) -> the capability they hold."""
    hypotheses: tuple[Hypothesis, ...] = ()
    open_contents: frozenset[str] = frozenset()
    """Node kinds whose service, when it needs no authentication, lets whoever reaches it read
    and write what the node stores (``unauthenticated: contents``); any other kind gives only
    its interface: the tools on it and the models it serves."""
    personal_kinds: frozenset[str] = frozenset()
    """Node kinds that are one person's device (``personal: true``): content others write
    there is read by that person alone, so it is no channel others read from."""

    def stronger_or_equal(self, capability: str) -> frozenset[str]:
        """Capabilities that imply ``capability`` (itself included)."""
        return frozenset(c for c, imp in self.implied.items() if capability in imp)

    def category(self, asset_type: str) -> str:
        info = self.asset_types.get(asset_type)
        return info.category if info is not None else "unknown"
