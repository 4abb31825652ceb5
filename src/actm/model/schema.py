"""The model file format (version 1): what a user writes, as pydantic models.

This module only says which keys exist and what type each value has. Whether a reference points
at something that exists, whether a kind or a component is known, and whether a relation can
exist are semantic checks done by :mod:`actm.model.resolve` against the vocabulary.

docs/model-format.md describes every key; ``actm schema`` prints the JSON Schema generated from
these classes.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime
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
from actm.knowledge.vocabulary import Vocabulary
from actm.model.cvss import check_cvss
from actm.terms import Criticality as Level
from actm.terms import Pipeline, ResidencyMode

__all__ = [
    "FORMAT_VERSION",
    "AIAssetSettings",
    "ActedOnIn",
    "AdversaryIn",
    "AnalysisIn",
    "AssetIn",
    "AssumptionIn",
    "BreakIn",
    "ControlIn",
    "CredentialGrantsIn",
    "Criticality",
    "EntryCapabilityIn",
    "McpIn",
    "ModelFile",
    "ModelIn",
    "NodeIn",
    "OriginIn",
    "OwnerIn",
    "PackageIn",
    "RecordedThreatIn",
    "RelationIn",
    "ResidencyIn",
    "SourceIn",
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
Rating = Literal["critical", "high", "medium", "low", "info"]
Reach = Literal["internet", "authenticated", "insider", "operator"]


def _no_items(description: str) -> Any:
    """A list field that is empty by default. Each instance gets a new list from a factory:
    pydantic deep-copies a ``[]`` default for every instance (30,000 copies for a model of
    10,000 assets). The JSON Schema still shows ``"default": []``."""
    return Field(default_factory=list, description=description, json_schema_extra=_EMPTY)


_EMPTY: dict[str, Any] = {"default": []}


def _exact_int(value: Any) -> Any:
    """Let only a real whole number through to the version check (not true, 1.0 or "1")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return repr(value) if not isinstance(value, str) else value


def _day(value: Any) -> Any:
    """Let only a day through: a YAML date or ``YYYY-MM-DD`` text, not a number, quoted or not
    (pydantic would read ``expires: 0`` or ``"0"`` as the first day of 1970, in Unix time)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return value
    raise ValueError("write the day as YYYY-MM-DD")


MAX_COST = 1e9
"""The largest cost a control may be given (a model's ``cost:``, ``actm plan --cost``): far
above any real cost, and small enough that a plan's sum of costs stays finite."""


class _In(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        str_strip_whitespace=True,
        defer_build=True,
    )


class Criticality(_In):
    """How much each protection of an asset matters. Unset classes use the default (medium)."""

    confidentiality: Level | None = None
    integrity: Level | None = None
    availability: Level | None = None


class OriginIn(_In):
    """Where an element was first recorded: the tool's format and the element's id there, so
    that an export to that tool reuses the id (``actm import`` fills it)."""

    format: Word = Field(description="otm, threat-dragon, ...")
    id: Name = Field(description="The element's id in that tool's file.")


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
        False, description="True for the organisation that owns the system (trust: first_party)."
    )
    trust: Literal["first_party", "contracted", "untrusted"] | None = Field(
        None,
        description="first_party: your organisation; contracted: a processor bound by an "
        "agreement; untrusted (default): anyone else.",
    )
    contract: Text | None = Field(
        None, description="For a contracted owner: the agreement that binds it."
    )


class ZoneIn(_In):
    """A trust zone: a part of the system with one level of trust."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    trust: Literal["untrusted", "low", "medium", "high"] = "medium"
    owner: Ref | None = None
    origin: OriginIn | None = None


class McpIn(_In):
    """How an MCP server is reached and what code it runs."""

    transport: Literal["stdio", "streamable_http", "sse"] = Field(
        description="stdio: a local process; streamable_http or sse: a network service."
    )
    authentication: Literal["none", "bearer", "oauth"] | None = Field(
        None, description="For http transports: how clients authenticate (stdio: leave out)."
    )
    package: Ref | None = Field(None, description="The packages: id of the code this server runs.")


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
    exposure: Literal["internet", "internal"] | None = Field(
        None,
        description="internet: reachable from the internet. Default: internet when the node's "
        "zone has trust untrusted, else internal.",
    )
    authentication: Literal["none", "required"] | None = Field(
        None,
        description="none: the node's service answers anyone who reaches it. Default: required.",
    )
    mcp: McpIn | None = Field(None, description="For kind mcp_server: transport and code.")
    physical_access: StrictBool = Field(
        False, description="An adversary can touch the hardware (fault injection, probing)."
    )
    origin: OriginIn | None = None
    shared_with: list[Name] = _no_items(
        description="Other tenants whose code runs on the same hardware (a shared GPU)."
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


class SourceIn(_In):
    """An outside source of content, with what its authors can do to what is there."""

    name: Name
    can: Literal["contribute", "edit", "replace"] = Field(
        "contribute",
        description="contribute: add content; edit: change what is there; replace it all.",
    )
    account: StrictBool = Field(False, description="Posting needs an account.")


Source = Annotated[Name | SourceIn, Field(union_mode="left_to_right")]


class AIAssetSettings(_In):
    """Settings for one of a model's AI assets (keyed by asset type under `assets:`)."""

    description: Text | None = None
    components: list[Word] | None = Field(
        None, description="Components of this asset; defaults come from the model kind."
    )
    criticality: Criticality | None = None
    resides: list[ResidencyIn] = Field(default_factory=list)
    untrusted_sources: list[Source] = _no_items(
        description="Outside sources whose content enters this asset (web, e-mail, uploads)."
    )
    component_sources: dict[Word, list[Source]] = Field(
        {}, description="Outside sources per component, e.g. {retrieved_context: [public-web]}."
    )
    contains: list[Ref] = _no_items(
        description="Credentials or secrets embedded in this asset (memorised keys)."
    )


class ActedOnIn(_In):
    """Who acts on a model's outputs, and the kind of decision they take."""

    by: Literal["staff", "customers", "public", "automation"]
    decision: Word = Field(description="financial, safety, legal, medical, access, ...")


class ModelIn(_In):
    """An AI model and the AI assets it owns."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    kind: Word
    owner: Ref | None = Field(None, description="Who produced the model (its weights).")
    exposure: Literal["public", "internal", "none", "physical"] = Field(
        "internal",
        description="public: anyone on the internet can send it inputs; physical: it perceives "
        "the physical world (cameras, sensors).",
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
    acted_on: list[ActedOnIn] = _no_items(
        description="Who acts on its outputs and the kind of decision taken."
    )


class CredentialGrantsIn(_In):
    """What holding a credential lets one do."""

    read: list[Ref] = _no_items(description="Assets it reads.")
    write: list[Ref] = _no_items(description="Assets it changes.")
    delete: list[Ref] = _no_items(description="Assets it destroys or withholds.")
    execute: list[Ref] = _no_items(description="Nodes it runs code on.")


class AssetIn(_In):
    """A conventional asset: credentials, code, data, documents, tool state."""

    id: Id
    name: Name | None = None
    description: Text | None = None
    type: Word
    components: list[Word] = Field(default_factory=list)
    criticality: Criticality | None = None
    resides: list[ResidencyIn] = Field(default_factory=list)
    untrusted_sources: list[Source] = Field(default_factory=list)
    part_of: Ref | None = None
    owner: Ref | None = None
    grants_access: list[Ref] = _no_items(
        description="For credentials: nodes whose data this credential opens."
    )
    issued_by: Ref | None = Field(
        None, description="For credentials: the owner that issues it (default: the operator)."
    )
    scopes: list[Word] = _no_items(
        description="For credentials: its scopes as the issuer names them (informational)."
    )
    grants: CredentialGrantsIn | None = Field(
        None, description="For credentials: what holding it lets one read, write, delete, run."
    )
    contains: list[Ref] = _no_items(
        description="Credentials or secrets embedded in this asset (a token in a config)."
    )
    origin: OriginIn | None = None
    public: StrictBool = Field(
        False, description="Published on purpose: its confidentiality criticality is none."
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
    encrypted: StrictBool = Field(
        True, description="false: what flows crosses the network in cleartext."
    )
    authenticated: StrictBool = Field(
        True, description="false: the receiver does not authenticate the sender."
    )
    description: Text | None = None
    origin: OriginIn | None = None


class ToolPermissions(_In):
    """What a tool may do."""

    read: list[Ref] = Field(default_factory=list)
    write: list[Ref] = Field(default_factory=list)
    execute: list[Ref] = Field(default_factory=list, description="Nodes the tool runs code on.")
    delete: list[Ref] = _no_items(description="Assets the tool destroys or withholds.")
    egress: list[Name] = _no_items(
        description="Where the tool can send data: zone ids or external names (internet)."
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
    human_approval: StrictBool = Field(
        False, description="A person approves each call (approval: every_call)."
    )
    approval: Literal["never", "every_call", "once_per_session", "auto_approved"] | None = Field(
        None,
        description="When a person approves calls: never (default), every_call, "
        "once_per_session (allow for this chat) or auto_approved.",
    )
    scope: Literal["listed", "node"] = Field(
        "listed",
        description="listed: only the assets its permissions name; node: every asset stored on "
        "its node (a filesystem server without allowed directories).",
    )
    sandbox: StrictBool = Field(False, description="Code the tool executes runs in a sandbox.")
    configured_in: Ref | None = Field(
        None,
        description="The configuration asset that holds the tool's approval and sandbox "
        "settings: whoever can change it can switch them off.",
    )
    credential: Ref | None = None
    untrusted_results: list[Name] = _no_items(
        description="Outside sources whose content the tool returns (web pages, e-mail)."
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
    reach: Reach | None = Field(
        None, description="How far it reaches into the system (default: insider)."
    )
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
        Annotated[str, StringConstraints(pattern=CVSS_PATTERN), AfterValidator(check_cvss)] | None
    ) = None
    evidence: list[Url] = Field(default_factory=list)
    exploited_by: list[Ref] | None = Field(
        None,
        description="For a node vulnerability: the adversaries who exploit it (default: "
        "internet-attacker for a node exposed to the internet, else insider).",
    )


class PackageIn(_In):
    """A package or image whose code runs on nodes: a supply-chain element."""

    id: Id
    name: Name = Field(description="Its name as its ecosystem spells it.")
    description: Text | None = None
    ecosystem: Literal["pypi", "npm", "oci", "huggingface", "github", "other"]
    version: Word | None = None
    pinned: StrictBool = Field(
        False, description="false: the version floats (npx -y pkg, :latest, no lock or hash)."
    )
    verified: StrictBool = Field(
        False, description="Its signature, hash or provenance is checked at install."
    )
    publisher: Ref = Field(description="The owner that publishes it.")
    runs_on: list[Ref] = _no_items(description="Nodes where its code runs.")
    criticality: Criticality | None = None


class AnalysisIn(_In):
    """How the model is analysed."""

    hypotheses: StrictBool = Field(
        False, description="Posit the typical weaknesses nobody declared (lower likelihood)."
    )


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
    narrows: list[Ref] = _no_items(
        description="Credentials it restricts to what their tools use (a narrower scope)."
    )
    breaks: list[BreakIn] = Field(default_factory=list)
    cost: float | None = Field(None, ge=0, le=MAX_COST, allow_inf_nan=False)
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
    expires: Annotated[date, BeforeValidator(_day)] | None = Field(
        None, description="After this day (YYYY-MM-DD) the decision no longer holds."
    )


class RecordedThreatIn(_In):
    """A threat recorded in another tool (or an earlier export of actm's): reported apart from
    the threats actm derives, never in the gate or the scores."""

    id: Id
    title: Name
    description: Text | None = None
    category: Word | None = Field(None, description="STRIDE category, attack id, ...")
    severity: Rating | None = None
    likelihood: Rating | None = None
    status: Literal["open", "mitigated", "not_applicable"] = "open"
    mitigations: list[Text] = Field(
        default_factory=list, description="What mitigates it, as that tool says."
    )
    on: Ref | None = Field(None, description="The zone, node, asset or relation it is on.")
    derived: Annotated[str, StringConstraints(min_length=1, max_length=400)] | None = Field(
        None, description="The id of the actm threat it records (an export of actm's)."
    )
    origin: OriginIn | None = None


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
    analysis: AnalysisIn | None = Field(None, description="Root file only: analysis settings.")
    owners: list[OwnerIn] = Field(default_factory=list)
    zones: list[ZoneIn] = Field(default_factory=list)
    nodes: list[NodeIn] = Field(default_factory=list)
    models: list[ModelIn] = Field(default_factory=list)
    assets: list[AssetIn] = Field(default_factory=list)
    relations: list[RelationIn] = Field(default_factory=list)
    tools: list[ToolIn] = Field(default_factory=list)
    packages: list[PackageIn] = Field(
        default_factory=list, description="Packages and images whose code runs on nodes."
    )
    adversaries: list[AdversaryIn] = Field(default_factory=list)
    vulnerabilities: list[VulnerabilityIn] = Field(default_factory=list)
    assumptions: list[AssumptionIn] = Field(default_factory=list)
    controls: list[ControlIn] = Field(default_factory=list)
    triage: list[TriageIn] = Field(
        default_factory=list, description="Decisions about threats, keyed by threat id."
    )
    recorded_threats: list[RecordedThreatIn] = Field(
        default_factory=list, description="Threats recorded in other tools (actm import)."
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
    "packages",
    "adversaries",
    "vulnerabilities",
    "assumptions",
    "controls",
    "triage",
    "recorded_threats",
)


def model_json_schema(
    vocabulary: Vocabulary | None = None, attacks: Collection[str] = ()
) -> dict[str, Any]:
    """JSON Schema of the model file format, with the vocabulary's values as enumerations
    (:func:`actm.model.jsonschema.json_schema`)."""
    from actm.model.jsonschema import json_schema

    return json_schema(vocabulary, attacks)
