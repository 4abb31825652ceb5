"""What each vocabulary file may contain: one pydantic schema per file, ``extra="forbid"``.

``FILES`` names every vocabulary file and its schema; a file of another name in an overlay is an
error. The frozen values the rest of actm reads are in :mod:`.frozen`; :mod:`.build` turns these
into them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from actm.knowledge.rules import RulesFile
from actm.terms import Criticality, Gate, Pipeline, Reach, ResidencyMode
from actm.terms import Level as SeverityLevel

__all__ = ["FILES", "NESTED_SECTIONS", "PLACEMENT_KEYS"]

Category = Literal["ai", "conventional", "tool", "package"]
Mode = ResidencyMode
Level = Criticality
Trust = Literal["untrusted", "low", "medium", "high"]
"""A zone's trust, as a model file states it."""
PlacementKey = Literal["deployed_on", "trained_on", "stored_on"]
PLACEMENT_KEYS: tuple[PlacementKey, ...] = ("deployed_on", "trained_on", "stored_on")
"""The model keys that place a model's AI assets on nodes, in the order they are applied."""


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# -- capabilities.yaml ------------------------------------------------------------------------


class CapabilityIn(In):
    id: str
    description: str


class ClassIn(In):
    id: str
    description: str
    capabilities: list[CapabilityIn]


class CapabilitiesFile(In):
    classes: list[ClassIn] = []
    implies: list[tuple[str, str]] = []


# -- asset_types.yaml ---------------------------------------------------------------------------


class ComponentIn(In):
    id: str
    description: str
    persists: bool = False


class AssetTypeIn(In):
    id: str
    category: Category
    pipeline: Pipeline
    description: str
    components: list[ComponentIn] = []
    grants_access: bool = False
    """Assets of the type grant access to nodes (``grants_access:`` in a model file) and may be
    what a tool or an agent acts under: credentials. Conventional types only."""


class AssetTypesFile(In):
    asset_types: list[AssetTypeIn] = []


# -- model_kinds.yaml ---------------------------------------------------------------------------


class ModelKindIn(In):
    id: str
    description: str
    assets: list[str]
    components: dict[str, list[str]] = {}
    foundation: bool = False


class FeatureIn(In):
    id: str
    description: str
    components: dict[str, list[str]] = {}
    """Components the feature adds to a model's AI assets, by asset type."""


class PlacementIn(In):
    mode: Mode
    assets: list[str]
    """The AI asset types placed on each node the key names."""
    writes: list[str] = []
    """Of ``assets``, those the work on the node writes back (``mode: processed`` only)."""


class DecisionKindIn(In):
    id: str
    description: str
    integrity: Level
    """Default integrity criticality of the decisions a model's outputs drive."""


class ModelKindsFile(In):
    model_kinds: list[ModelKindIn] = []
    features: list[FeatureIn] = []
    decision_kinds: list[DecisionKindIn] = []
    """Kinds of decision people or systems take on a model's outputs (``acted_on``)."""
    tool_components: dict[str, list[str]] = {}
    """Components a model with tools gets, by AI asset type, whatever its kind."""
    placement: dict[PlacementKey, PlacementIn] = {}
    """Where ``deployed_on``, ``trained_on`` and ``stored_on`` place a model's AI assets."""


# -- node_kinds.yaml ----------------------------------------------------------------------------


class NodeKindIn(In):
    id: str
    description: str
    unauthenticated: Literal["contents", "interface"] = "interface"
    """What a service of this kind that needs no authentication gives whoever reaches it: what
    the node stores (a database, a bucket), or only its interface (its tools, the models it
    serves)."""
    personal: bool = False
    """One person's device (a workstation, a phone, their browser): what lands there is read
    by that person and their agents, not by others."""


class NodeKindsFile(In):
    node_kinds: list[NodeKindIn] = []


# -- relations.yaml -----------------------------------------------------------------------------


class TypeSpecIn(In):
    types: list[str] = []
    categories: list[Category] = []


class ProcessIn(In):
    id: str
    description: str
    sources: TypeSpecIn
    targets: TypeSpecIn
    pipeline: Pipeline
    persistent: bool
    propagation: dict[str, str] = {}
    """Overrides of the dependency table for this process (e.g. fine-tuning keeps a limited
    change of the base weights as a limited change of the tuned weights)."""


class LifecycleIn(In):
    from_: str = Field(alias="from")
    to: str
    process: str


class FeedsIn(In):
    sources: TypeSpecIn
    targets: TypeSpecIn
    pipeline: Pipeline


class PartOfIn(In):
    sources: TypeSpecIn
    targets: TypeSpecIn


class RelationsFile(In):
    processes: list[ProcessIn] = []
    model_lifecycle: list[LifecycleIn] | None = None
    base_model: list[LifecycleIn] | None = None
    """Derivations from a model's base model's assets to its own."""
    acted_on: LifecycleIn | None = None
    """The derivation a model's ``acted_on`` adds: from its outputs to its decisions."""
    feeds: FeedsIn | None = None
    part_of: PartOfIn | None = None


# -- propagation.yaml ---------------------------------------------------------------------------


class RelationshipIn(In):
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}


class AgencyIn(In):
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
    external_trust: list[Trust] | None = None
    delete: str | None = None
    credential_read: str | None = None
    credential_write: str | None = None
    credential_delete: str | None = None
    credential_execute: str | None = None
    contained_requires: str | None = None
    contained: str | None = None
    package_requires: str | None = None
    package_runs: str | None = None


class PropagationFile(In):
    component_up: dict[str, str] = {}
    component_down: dict[str, str] = {}
    dependency: dict[str, str] = {}
    relationship: RelationshipIn | None = None
    part_of: dict[str, str] = {}
    agency: AgencyIn | None = None


NESTED_SECTIONS = ("relationship", "agency", "length")
"""Sections whose sub-keys are merged one by one, like top-level keys."""


# -- vulnerability_classes.yaml and adversaries.yaml --------------------------------------------


class GrantIn(In):
    capability: str
    persistent: bool | Literal["writes"] = False


class PatternIn(In):
    asset: str
    component: str | None = None
    capability: str
    persistent: bool = False


class VulnRuleIn(In):
    requires: PatternIn | None = None
    yields: list[PatternIn]


class VulnClassIn(In):
    id: str
    kind: Literal["conventional", "ai"]
    applies_to: Literal["model", "asset"] | None = None
    title: str
    description: str
    grants: dict[Mode, list[GrantIn]] = {}
    rules: list[VulnRuleIn] = []
    condition_only: bool = False
    """A conventional class that grants nothing by itself: only attack entries that check it
    (``node_vulnerability``) turn it into capabilities (people who run what outsiders send)."""


class VulnFile(In):
    vulnerability_classes: list[VulnClassIn] = []


class AdversaryIn(In):
    id: str
    title: str
    description: str
    entry: Literal["public_models", "untrusted_content", "third_party_nodes"]
    grants: list[PatternIn]


class EntryPointIn(In):
    id: str
    title: str
    description: str
    grants: list[PatternIn] = []


class AdversariesFile(In):
    adversaries: list[AdversaryIn] = []
    entry_points: list[EntryPointIn] = []
    """Who starts from what the model states about its infrastructure (a node exposed to the
    internet, a cleartext flow, a camera's scene); not configurable like ``adversaries``."""
    source_strength: dict[Literal["contribute", "edit", "replace"], str] = {}
    """What the author of an outside source holds, by what the source lets it do (``can``)."""


# -- severity.yaml and teams.yaml ---------------------------------------------------------------


class BandIn(In):
    severity: SeverityLevel
    min: float


Factor = Annotated[float, Field(gt=0, le=1)]
"""A likelihood factor of a route: above 0, at most 1."""


class LengthIn(In):
    free_steps: int | None = Field(default=None, ge=0)
    per_step: Factor | None = None
    floor: Annotated[float, Field(ge=0, le=1)] | None = None


class SeverityFile(In):
    criticality: dict[Level, float] = {}
    default_criticality: Level | None = None
    strength: dict[str, float] = {}
    persistence: dict[Literal["persistent", "transient"], float] = {}
    likelihood: dict[Literal["high", "medium", "low"], float] = {}
    reach: dict[Reach, Factor] = {}
    hypothetical: Factor | None = None
    approval: dict[Gate, Factor] = {}
    assumptions: Factor | None = None
    length: LengthIn | None = None
    bands: list[BandIn] | None = None


class HypothesisWhenIn(In):
    node_kind: list[str] = []
    exposure: list[Literal["internet", "internal"]] = []
    authentication: list[Literal["none", "required"]] = []
    resides: list[str] = []
    """Asset types of which at least one resides on the node."""
    public_input: bool = False
    """Content from the internet is decoded on the node: it is exposed to the internet, a
    public model that reads images, audio or files (``multimodal_input``) runs on it, or an
    asset that feeds a public model's inputs or takes outside content is processed on it."""


class HypothesisIn(In):
    id: str
    title: str
    why: str
    when: HypothesisWhenIn
    posit: str
    """The conventional vulnerability class posited on every node the rule matches."""
    affects: list[str] = []
    """Asset types the posited weakness reaches (default: every asset on the node)."""


class HypothesesFile(In):
    hypotheses: list[HypothesisIn] = []


class TeamIn(In):
    id: str
    title: str
    description: str
    asset_types: list[str] = []


class TeamsFile(In):
    teams: list[TeamIn] = []


FILES: dict[str, type[BaseModel]] = {
    "capabilities.yaml": CapabilitiesFile,
    "asset_types.yaml": AssetTypesFile,
    "model_kinds.yaml": ModelKindsFile,
    "node_kinds.yaml": NodeKindsFile,
    "relations.yaml": RelationsFile,
    "propagation.yaml": PropagationFile,
    "vulnerability_classes.yaml": VulnFile,
    "adversaries.yaml": AdversariesFile,
    "severity.yaml": SeverityFile,
    "teams.yaml": TeamsFile,
    "rules.yaml": RulesFile,
    "hypotheses.yaml": HypothesesFile,
}
