"""The model file format (version 1): what a user writes, as pydantic models.

This module only says which keys exist and what type each value has. Whether a reference points
at something that exists, whether a kind or a component is known, and whether a relation can
exist are semantic checks done by :mod:`actm.model.resolve` against the vocabulary.

docs/model-format.md describes every key; ``actm schema`` prints the JSON Schema generated from
these classes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from actm.io.diagnose import CVE_PATTERN, CVSS_PATTERN, CWE_PATTERN, ID_PATTERN, REF_PATTERN
from actm.knowledge.vocabulary import Vocabulary, builtin_vocabulary
from actm.terms import Criticality as Level
from actm.terms import Pipeline, ResidencyMode

__all__ = [
    "FORMAT_VERSION",
    "AIAssetSettings",
    "AdversaryIn",
    "AssetIn",
    "AssumptionIn",
    "BreakIn",
    "ControlIn",
    "Criticality",
    "EntryCapabilityIn",
    "ModelFile",
    "ModelIn",
    "NodeIn",
    "OwnerIn",
    "RelationIn",
    "ResidencyIn",
    "SystemIn",
    "ToolIn",
    "ToolPermissions",
    "VulnerabilityIn",
    "ZoneIn",
]

FORMAT_VERSION = 1

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Word = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2_000)]
Mode = ResidencyMode


_CVSS3_BASE = {
    "AV": "NALP",
    "AC": "LH",
    "PR": "NLH",
    "UI": "NR",
    "S": "UC",
    "C": "HLN",
    "I": "HLN",
    "A": "HLN",
}
_CVSS3_OTHER = {
    "E": "XUPFH",
    "RL": "XOTWU",
    "RC": "XURC",
    "CR": "XLMH",
    "IR": "XLMH",
    "AR": "XLMH",
    "MAV": "XNALP",
    "MAC": "XLH",
    "MPR": "XNLH",
    "MUI": "XNR",
    "MS": "XUC",
    "MC": "XNLH",
    "MI": "XNLH",
    "MA": "XNLH",
}
_CVSS4_BASE = {
    "AV": "NALP",
    "AC": "LH",
    "AT": "NP",
    "PR": "NLH",
    "UI": "NPA",
    "VC": "HLN",
    "VI": "HLN",
    "VA": "HLN",
    "SC": "HLN",
    "SI": "HLN",
    "SA": "HLN",
}
_CVSS4_OTHER = {
    "E": "XAPU",
    "CR": "XHML",
    "IR": "XHML",
    "AR": "XHML",
    "MAV": "XNALP",
    "MAC": "XLH",
    "MAT": "XNP",
    "MPR": "XNLH",
    "MUI": "XNPA",
    "MVC": "XHLN",
    "MVI": "XHLN",
    "MVA": "XHLN",
    "MSC": "XHLN",
    "MSI": "XSHLN",
    "MSA": "XSHLN",
    "S": "XNP",
    "AU": "XNY",
    "R": "XAUI",
    "V": "XDC",
    "RE": "XLMH",
    "U": "XClearGreenAmberRed",
}


def _check_cvss(vector: str) -> str:
    """A CVSS v3.0/v3.1/v4.0 vector with every base metric once and only known values."""
    version, _, rest = vector.partition("/")
    base, other = (
        (_CVSS4_BASE, _CVSS4_OTHER) if version == "CVSS:4.0" else (_CVSS3_BASE, _CVSS3_OTHER)
    )
    seen: dict[str, str] = {}
    for part in rest.split("/"):
        metric, _, value = part.partition(":")
        allowed = base.get(metric) or other.get(metric)
        if allowed is None:
            raise ValueError(f"unknown CVSS metric {metric!r}")
        if metric in seen:
            raise ValueError(f"CVSS metric {metric} is given twice")
        if metric == "U" and version == "CVSS:4.0":
            ok = value in ("X", "Clear", "Green", "Amber", "Red")
        else:
            ok = len(value) == 1 and value in allowed
        if not ok:
            raise ValueError(f"CVSS metric {metric} cannot be {value!r}")
        seen[metric] = value
    missing = [m for m in base if m not in seen]
    if missing:
        raise ValueError(f"the CVSS vector lacks base metrics {', '.join(missing)}")
    return vector


def _exact_int(value: Any) -> Any:
    """Let only a real whole number through to the version check (not true, 1.0 or "1")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return repr(value) if not isinstance(value, str) else value


class _In(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True
    )


class Criticality(_In):
    """How much each protection of an asset matters. Unset classes use the default (medium)."""

    confidentiality: Level | None = None
    integrity: Level | None = None
    availability: Level | None = None


class SystemIn(_In):
    """The system being modelled."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    owner: Ref | None = Field(
        None, description="Owner id of the organisation that runs the system."
    )


class OwnerIn(_In):
    """An organisation that owns or operates parts of the system."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    first_party: StrictBool = Field(
        False, description="True for the organisation that owns the system."
    )


class ZoneIn(_In):
    """A trust zone: a part of the system with one level of trust."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    trust: Literal["untrusted", "low", "medium", "high"] = "medium"
    owner: Ref | None = None


class NodeIn(_In):
    """An infrastructure node: a host, service, store, cluster, API or device."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    kind: Word
    pipeline: Pipeline = "deployment"
    zone: Ref | None = None
    owner: Ref | None = Field(
        None, description="Owner id; a third-party owner sees what the node holds."
    )


class ResidencyIn(_In):
    """Where an asset resides and how."""

    node: Ref
    mode: Mode = "stored"
    writes: StrictBool = Field(
        False,
        description="For mode 'processed': the process writes the asset back, so changes made "
        "while it is processed persist.",
    )


class AIAssetSettings(_In):
    """Settings for one of a model's AI assets (keyed by asset type under `assets:`)."""

    description: Text | None = None
    components: list[Word] | None = Field(
        None, description="Components of this asset; defaults come from the model kind."
    )
    criticality: Criticality | None = None
    resides: list[ResidencyIn] = Field(default_factory=list)
    untrusted_sources: list[Name] = Field(
        [], description="Outside sources whose content enters this asset (web, e-mail, uploads)."
    )
    component_sources: dict[Word, list[Name]] = Field(
        {}, description="Outside sources per component, e.g. {retrieved_context: [public-web]}."
    )


class ModelIn(_In):
    """An AI model and the AI assets it owns."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    kind: Word
    owner: Ref | None = Field(None, description="Who produced the model (its weights).")
    exposure: Literal["public", "internal", "none"] = Field(
        "internal", description="public: anyone on the internet can send it inputs."
    )
    exposes: list[Literal["outputs", "output_details"]] = Field(
        default_factory=lambda: ["outputs"],  # type: ignore[arg-type]
        description="What the model returns to those who call it.",
    )
    deployed_on: list[Ref] = Field(default_factory=list, description="Nodes that run inference.")
    trained_on: list[Ref] = Field(
        default_factory=list, description="Nodes that train or fine-tune it."
    )
    stored_on: list[Ref] = Field(
        default_factory=list, description="Nodes that store its weights and code."
    )
    base_model: Ref | None = Field(None, description="Model this one is fine-tuned from.")
    criticality: Criticality | None = None
    assets: dict[Word, AIAssetSettings] = Field(default_factory=dict)
    tools: list[Ref] = Field(
        default_factory=list, description="Tools this model's tool calls drive."
    )
    identity: Ref | None = Field(None, description="Credential asset the model's tools act under.")
    features: list[Word] = Field(default_factory=list)


class AssetIn(_In):
    """A conventional asset: credentials, code, data, documents, tool state."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    type: Word
    components: list[Word] = Field(default_factory=list)
    criticality: Criticality | None = None
    resides: list[ResidencyIn] = Field(default_factory=list)
    untrusted_sources: list[Name] = Field(default_factory=list)
    part_of: Ref | None = None
    owner: Ref | None = None
    grants_access: list[Ref] = Field(
        [], description="For credentials: nodes whose data this credential opens."
    )


class RelationIn(_In):
    """How assets derive from (derives), feed (feeds) or belong to (part_of) each other."""

    id: Id | None = None
    kind: Literal["derives", "feeds", "part_of"]
    from_: Ref = Field(alias="from")
    to: Ref
    process: Word | None = Field(None, description="For derives: the process (training, ...).")
    persistent: StrictBool | None = Field(
        None, description="For derives: whether the write persists (default from the process)."
    )
    description: Text | None = None


class ToolPermissions(_In):
    """What a tool may do."""

    read: list[Ref] = Field(default_factory=list)
    write: list[Ref] = Field(default_factory=list)
    execute: list[Ref] = Field(default_factory=list, description="Nodes the tool runs code on.")
    egress: list[Name] = Field(
        [], description="Where the tool can send data: zone ids or external names (internet)."
    )


class ToolIn(_In):
    """A tool an agent can call (a function, an API, an MCP tool)."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    node: Ref | None = Field(None, description="Node the tool runs on (e.g. its MCP server).")
    owner: Ref | None = None
    permissions: ToolPermissions = Field(default_factory=ToolPermissions)
    constrained: StrictBool = Field(
        True, description="Writes are bounded by the tool (fixed fields, validated values)."
    )
    human_approval: StrictBool = Field(False, description="A person approves each call.")
    sandbox: StrictBool = Field(False, description="Code the tool executes runs in a sandbox.")
    credential: Ref | None = None
    untrusted_results: list[Name] = Field(
        [], description="Outside sources whose content the tool returns (web pages, e-mail)."
    )


class EntryCapabilityIn(_In):
    """A capability an adversary holds from the start."""

    asset: Ref
    capability: Word
    persistent: StrictBool = False
    pipeline: Pipeline | None = None


class AdversaryIn(_In):
    """An adversary; a built-in id with enabled: false switches the built-in off."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    enabled: StrictBool = True
    reaches: list[Ref] | None = Field(
        None, description="For external-user: the models it can reach (default: public ones)."
    )
    holds: list[EntryCapabilityIn] = Field(default_factory=list)


class VulnerabilityIn(_In):
    """A known weakness: conventional on a node, AI-specific on a model or asset."""

    id: Id
    title: Name | None = None
    description: Text | None = None
    class_: Word = Field(alias="class")
    node: Ref | None = None
    model: Ref | None = None
    asset: Ref | None = None
    assets: list[Ref] | None = Field(
        None, description="For a node vulnerability: only these resident assets are affected."
    )
    cve: Annotated[str, StringConstraints(pattern=CVE_PATTERN)] | None = None
    cwe: Annotated[str, StringConstraints(pattern=CWE_PATTERN)] | None = None
    cvss: (
        Annotated[str, StringConstraints(pattern=CVSS_PATTERN), AfterValidator(_check_cvss)] | None
    ) = None
    evidence: list[Url] = Field(default_factory=list)


class AssumptionIn(_In):
    """What the system assumes a third party could do to an asset it supplies."""

    id: Id
    description: Text | None = None
    producer: Ref
    asset: Ref
    capability: Word = Field(description="Assumed upstream capability, or 'none'.")
    persistent: StrictBool = True
    sends: list[Ref] = Field(
        default_factory=list, description="Assets or components sent to the producer."
    )
    justification: Text | None = None
    status: Literal["justified", "unjustified"] = "unjustified"


class BreakIn(_In):
    """An attack pattern a control breaks, optionally only where it binds a given element."""

    attack: Word
    step: Word | None = Field(
        None,
        description="Only from this step of the attack on: its earlier steps still happen "
        "(see actm kb show ATTACK for the step ids).",
    )
    asset: Ref | None = Field(
        None,
        description="Only where the attack binds this asset, or this model (a model id).",
    )


class WeakenIn(_In):
    """A propagation edge a control lets through only up to a capability."""

    edge: Annotated[str, StringConstraints(min_length=1, max_length=400)] = Field(
        description="A relation id (from->to) or a tool permission (send_email.write)."
    )
    to: Word = Field(description="The strongest capability that still passes.")


class ControlIn(_In):
    """A control: what it removes, blocks, weakens, justifies or breaks."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    kind: Word | None = None
    status: Literal["implemented", "planned"] = "implemented"
    removes: list[Ref] = Field(
        default_factory=list, description="Vulnerability ids whose grants it removes."
    )
    blocks: list[Annotated[str, StringConstraints(min_length=1, max_length=400)]] = Field(
        default_factory=list,
        description="Propagation edges it blocks: relation ids, tool ids, tool permissions "
        "(send_email.egress), adversary ids or untrusted sources (source:NAME).",
    )
    weakens: list[WeakenIn] = Field(
        default_factory=list,
        description="Edges it lets through only up to a capability (an input filter on a feed).",
    )
    approves: list[Ref] = Field(
        default_factory=list, description="Tools it puts behind human approval of each call."
    )
    sandboxes: list[Ref] = Field(
        default_factory=list, description="Tools whose code execution it confines to a sandbox."
    )
    hides: list[Ref] = Field(
        default_factory=list,
        description="Model assets it stops returning to callers (e.g. bot.output_details).",
    )
    justifies: list[Ref] = Field(
        default_factory=list, description="Assumption ids it justifies with evidence."
    )
    breaks: list[BreakIn] = Field(default_factory=list)
    cost: float | None = Field(None, ge=0, le=1e9, allow_inf_nan=False)
    evidence: list[Url] = Field(default_factory=list)


TriagePattern = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9*?\[\]][A-Za-z0-9_.@*?\[\]!-]{0,400}$")
]


class TriageIn(_In):
    """A decision about the threats whose id matches ``id`` (wildcards * ? [..] allowed)."""

    id: TriagePattern
    status: Literal[
        "open", "in_progress", "mitigated", "accepted", "false_positive", "not_applicable"
    ]
    justification: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] = Field(
        description="Why: required for every decision."
    )
    owner: Name | None = None
    ticket: Url | None = None
    expires: date | None = Field(
        None, description="After this day (YYYY-MM-DD) the decision no longer holds."
    )


class ModelFile(_In):
    """One model file. The root file must have `system`; included files may not."""

    actm: Annotated[Literal[1], BeforeValidator(_exact_int)] = Field(
        description="Format version of this file."
    )
    system: SystemIn | None = None
    include: list[Annotated[str, StringConstraints(min_length=1, max_length=1000)]] = Field(
        default_factory=list
    )
    default_adversaries: StrictBool | None = None
    owners: list[OwnerIn] = Field(default_factory=list)
    zones: list[ZoneIn] = Field(default_factory=list)
    nodes: list[NodeIn] = Field(default_factory=list)
    models: list[ModelIn] = Field(default_factory=list)
    assets: list[AssetIn] = Field(default_factory=list)
    relations: list[RelationIn] = Field(default_factory=list)
    tools: list[ToolIn] = Field(default_factory=list)
    adversaries: list[AdversaryIn] = Field(default_factory=list)
    vulnerabilities: list[VulnerabilityIn] = Field(default_factory=list)
    assumptions: list[AssumptionIn] = Field(default_factory=list)
    controls: list[ControlIn] = Field(default_factory=list)
    triage: list[TriageIn] = Field(
        default_factory=list, description="Decisions about threats, keyed by threat id."
    )


class TriageFile(_In):
    """A file of triage decisions kept apart from the model (``--triage FILE``)."""

    actm: Annotated[Literal[1], BeforeValidator(_exact_int)] = Field(
        description="Format version of this file."
    )
    triage: list[TriageIn] = Field(default_factory=list)


SECTIONS: tuple[str, ...] = (
    "owners",
    "zones",
    "nodes",
    "models",
    "assets",
    "relations",
    "tools",
    "adversaries",
    "vulnerabilities",
    "assumptions",
    "controls",
    "triage",
)


def _with_enum(prop: dict[str, Any], values: list[str], *, names: bool = False) -> None:
    """Restrict a string property (or the strings of a list, or the keys of a mapping) to
    ``values``, so that editors can offer them."""
    for branch in prop.get("anyOf", [prop]):
        if names and branch.get("type") == "object":
            branch["propertyNames"] = {"enum": values}
        elif branch.get("type") == "array":
            branch.setdefault("items", {})["enum"] = values
        elif branch.get("type") == "string":
            branch["enum"] = values


def model_json_schema(
    vocabulary: Vocabulary | None = None, attacks: Collection[str] = ()
) -> dict[str, Any]:
    """JSON Schema of the model file format, with the vocabulary's values as enumerations.

    The schema checks structure and offers completions; ``actm validate`` remains the full
    check (references, semantics).
    """
    vocab = vocabulary or builtin_vocabulary()
    schema = ModelFile.model_json_schema(by_alias=True)
    defs = schema["$defs"]
    ai_types = sorted(t for t, i in vocab.asset_types.items() if i.category == "ai")
    conventional = sorted(t for t, i in vocab.asset_types.items() if i.category == "conventional")
    ai_components = sorted({c for t in ai_types for c in vocab.asset_types[t].components})
    caps = list(vocab.capabilities)
    _with_enum(defs["NodeIn"]["properties"]["kind"], sorted(vocab.node_kinds))
    _with_enum(defs["ModelIn"]["properties"]["kind"], sorted(vocab.model_kinds))
    _with_enum(defs["ModelIn"]["properties"]["features"], sorted(vocab.features))
    _with_enum(defs["ModelIn"]["properties"]["assets"], ai_types, names=True)
    _with_enum(defs["AIAssetSettings"]["properties"]["components"], ai_components)
    _with_enum(
        defs["AIAssetSettings"]["properties"]["component_sources"], ai_components, names=True
    )
    _with_enum(defs["AssetIn"]["properties"]["type"], conventional)
    _with_enum(defs["RelationIn"]["properties"]["process"], sorted(vocab.processes))
    _with_enum(defs["VulnerabilityIn"]["properties"]["class"], sorted(vocab.vulnerability_classes))
    _with_enum(defs["EntryCapabilityIn"]["properties"]["capability"], caps)
    _with_enum(defs["AssumptionIn"]["properties"]["capability"], [*caps, "none"])
    if attacks:
        _with_enum(defs["BreakIn"]["properties"]["attack"], sorted(attacks))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://actm.dev/schema/model-v1.json"
    schema["title"] = "actm system model (format 1)"
    return schema
