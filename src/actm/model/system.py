"""The resolved system model: frozen data with every default applied and every reference checked.

This is what the engine reads. It is built from one or more model files (or the builder) by
:func:`actm.model.resolve.resolve`; nothing here is ever changed after that.

Asset ids: a conventional asset keeps its id; a model's AI asset is ``<model>.<type>``
(``support-llm.inputs``), and a model whose outputs are acted on also owns
``<model>.decisions``; a tool's and a package's implicit asset has its id. A component is
addressed as ``<asset>.<component>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actm.errors import Diagnostic, SourceLocation

__all__ = [
    "Adversary",
    "Asset",
    "Assumption",
    "Control",
    "Entry",
    "McpServer",
    "Model",
    "Node",
    "Owner",
    "Package",
    "RecordedThreat",
    "Relation",
    "Residency",
    "SystemInfo",
    "SystemModel",
    "Tool",
    "TriageEntry",
    "Vulnerability",
    "Zone",
]


@dataclass(frozen=True, slots=True)
class SystemInfo:
    id: str
    name: str | None
    description: str | None
    owner: str | None


@dataclass(frozen=True, slots=True)
class Owner:
    id: str
    name: str | None
    description: str | None
    first_party: bool
    trust: str = "untrusted"
    """first_party, contracted or untrusted."""
    contract: str | None = None


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    name: str | None
    description: str | None
    trust: str
    owner: str | None


@dataclass(frozen=True, slots=True)
class McpServer:
    transport: str
    """stdio, streamable_http or sse."""
    authentication: str | None
    """none, bearer or oauth (None: not stated, or stdio)."""
    package: str | None


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str | None
    description: str | None
    kind: str
    pipeline: str
    zone: str | None
    owner: str | None
    exposure: str = "internal"
    """internet or internal (declared, or internet when its zone is untrusted)."""
    authentication: str | None = None
    """none or required as declared; None when not stated (counts as required)."""
    mcp: McpServer | None = None
    physical_access: bool = False
    shared_with: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Residency:
    node: str
    mode: str
    writes: bool


@dataclass(frozen=True, slots=True)
class Asset:
    id: str
    type: str
    category: str
    """ai, conventional or tool."""
    model: str | None
    tool: str | None
    name: str | None
    description: str | None
    components: tuple[str, ...]
    criticality: Mapping[str, str]
    resides: tuple[Residency, ...]
    untrusted_sources: tuple[str, ...]
    component_sources: Mapping[str, tuple[str, ...]]
    part_of: str | None
    owner: str | None
    grants_access: tuple[str, ...]
    package: str | None = None
    """The package whose implicit asset this is."""
    issued_by: str | None = None
    """For a credential: the owner that issues it (declared or by default)."""
    scopes: tuple[str, ...] = ()
    grants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For a credential: read, write, delete (asset ids) and execute (node ids)."""
    contains: tuple[str, ...] = ()
    """Credentials and secrets embedded in it."""
    stated: frozenset[str] = frozenset()
    """The classes whose criticality the model file states (``public`` states
    confidentiality); the others take the vocabulary's default."""
    public: bool = False
    source_strength: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    """Outside source name -> (what its authors can: contribute, edit or replace; whether
    posting needs an account), for every source that states either."""

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Model:
    id: str
    name: str | None
    description: str | None
    kind: str
    owner: str | None
    exposure: str
    exposes: tuple[str, ...]
    deployed_on: tuple[str, ...]
    trained_on: tuple[str, ...]
    stored_on: tuple[str, ...]
    base_model: str | None
    assets: Mapping[str, str]
    """AI asset type -> asset id."""
    tools: tuple[str, ...]
    identity: str | None
    features: frozenset[str]
    acted_on: tuple[tuple[str, str], ...] = ()
    """(who acts, kind of decision) on its outputs."""

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Relation:
    id: str
    kind: str
    """derives, feeds or part_of."""
    source: str
    source_component: str | None
    target: str
    target_component: str | None
    process: str | None
    persistent: bool
    pipeline: str
    implicit: bool
    """Generated from defaults (a model's life cycle, a base model), not written by the user."""
    encrypted: bool = True
    authenticated: bool = True


@dataclass(frozen=True, slots=True)
class Tool:
    id: str
    name: str | None
    description: str | None
    node: str | None
    owner: str | None
    read: tuple[tuple[str, str | None], ...]
    write: tuple[tuple[str, str | None], ...]
    execute: tuple[str, ...]
    egress: tuple[str, ...]
    external_egress: bool
    """Some egress destination is outside the system's trusted zones."""
    constrained: bool
    human_approval: bool
    sandbox: bool
    credential: str | None
    untrusted_results: tuple[str, ...]
    users: tuple[str, ...]
    """Models whose tool calls drive this tool."""
    delete: tuple[tuple[str, str | None], ...] = ()
    approval: str = "never"
    """never, every_call (``human_approval``), once_per_session or auto_approved."""
    scope: str = "listed"
    """listed, or node: its permissions reach every asset stored on its node (added to read,
    write and delete when resolved)."""
    configured_in: str | None = None
    """The configuration asset that holds its approval and sandbox settings."""


@dataclass(frozen=True, slots=True)
class Package:
    id: str
    name: str
    """As its ecosystem spells it."""
    description: str | None
    ecosystem: str
    version: str | None
    pinned: bool
    verified: bool
    publisher: str
    runs_on: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    asset: str
    component: str | None
    capability: str
    persistent: bool
    pipeline: str


@dataclass(frozen=True, slots=True)
class Adversary:
    id: str
    name: str | None
    description: str | None
    builtin: bool
    entry: str | None
    """How a built-in adversary starts (public_models, untrusted_content, third_party_nodes)."""
    reaches: tuple[str, ...] | None
    holds: tuple[Entry, ...]
    reach: str = "insider"
    """internet, authenticated, insider or operator: for what it ``holds``."""


@dataclass(frozen=True, slots=True)
class Vulnerability:
    id: str
    title: str | None
    description: str | None
    vclass: str
    kind: str
    """conventional or ai."""
    node: str | None
    model: str | None
    asset: str | None
    component: str | None
    assets: tuple[str, ...] | None
    cve: str | None
    cwe: str | None
    cvss: str | None
    evidence: tuple[str, ...]
    exploited_by: tuple[str, ...] | None = None
    """Adversaries or entry points that exploit it (None: by the node's exposure)."""
    derived: str | None = None
    """For a weakness actm derives (not declared): why, e.g. ``authentication: none``."""
    hypothetical: bool = False
    """Posited by a hypothesis rule, not known."""


@dataclass(frozen=True, slots=True)
class Assumption:
    id: str
    description: str | None
    producer: str
    asset: str
    component: str | None
    capability: str | None
    """None when the assumed capability is 'none'."""
    persistent: bool
    sends: tuple[tuple[str, str | None], ...]
    justification: str | None
    status: str
    pipeline: str
    implicit: bool = False
    """Implied by the model (a package's publisher can change its code), not written."""
    reach: str = "operator"
    """How far its producer reaches into the system: ``operator`` (who supplies it), or
    ``internet`` for the registrant of a package name anyone may take."""


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    name: str | None
    description: str | None
    kind: str | None
    status: str
    removes: tuple[str, ...]
    blocks: tuple[str, ...]
    justifies: tuple[str, ...]
    breaks: tuple[tuple[str, str | None], ...]
    cost: float | None
    evidence: tuple[str, ...]
    weakens: tuple[tuple[str, str], ...] = ()
    """(edge, strongest capability that still passes)."""
    approves: tuple[str, ...] = ()
    sandboxes: tuple[str, ...] = ()
    hides: tuple[str, ...] = ()
    """Model asset ids (model.type) no longer returned to callers."""
    break_steps: tuple[tuple[str, str, str | None], ...] = ()
    """(attack, step, asset or None): the attack is broken from that step on."""
    narrows: tuple[str, ...] = ()
    """Credentials restricted to what the tools that use them touch."""


@dataclass(frozen=True, slots=True)
class TriageEntry:
    """A decision about the threats whose id matches ``pattern``."""

    pattern: str
    status: str
    justification: str
    owner: str | None
    ticket: str | None
    expires: date | None


@dataclass(frozen=True, slots=True)
class RecordedThreat:
    """A threat recorded in another tool, kept as written: reported apart from the threats the
    engine derives, and never part of the analysis."""

    id: str
    title: str
    description: str | None
    category: str | None
    severity: str | None
    likelihood: str | None
    status: str
    """open, mitigated or not_applicable."""
    mitigations: tuple[str, ...]
    on: str | None
    """The element it is on (a zone, node, asset or relation id)."""
    derived: str | None
    """The id of the actm threat it records (it came from an export of actm's)."""
    origin: tuple[str, str] | None
    """(format, id) in the tool it was recorded in."""


@dataclass(frozen=True)
class SystemModel:
    """A complete, checked system model. Compare with ``==``; locations do not count."""

    system: SystemInfo
    owners: tuple[Owner, ...]
    zones: tuple[Zone, ...]
    nodes: tuple[Node, ...]
    models: tuple[Model, ...]
    assets: tuple[Asset, ...]
    relations: tuple[Relation, ...]
    tools: tuple[Tool, ...]
    adversaries: tuple[Adversary, ...]
    vulnerabilities: tuple[Vulnerability, ...]
    assumptions: tuple[Assumption, ...]
    controls: tuple[Control, ...]
    triage: tuple[TriageEntry, ...] = ()
    packages: tuple[Package, ...] = ()
    recorded_threats: tuple[RecordedThreat, ...] = ()
    """Threats recorded in other tools (``recorded_threats:``); never analysed."""
    hypotheses: bool = False
    """Posit the weaknesses of the vocabulary's hypotheses table (``analysis: {hypotheses:
    true}``, or ``--hypotheses``)."""
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False, repr=False)
    """Likely modelling slips found while loading (each with code, place and hint)."""
    locations: Mapping[str, SourceLocation] = field(default_factory=dict, compare=False, repr=False)
    """Element id (or asset id) -> where it is declared."""
    files: tuple[str, ...] = field(default=(), compare=False)
    """The files the model was read from, root first, relative to the root file's directory."""
    root_dir: str | None = field(default=None, compare=False, repr=False)
    """Absolute directory of the root file (None for models not read from a file)."""
    source: Any = field(default=None, compare=False, repr=False)
    """The merged input (a ModelFile) this was resolved from, for dumping."""

    def asset(self, asset_id: str) -> Asset:
        return self._index()["assets"][asset_id]  # type: ignore[return-value]

    def node(self, node_id: str) -> Node:
        return self._index()["nodes"][node_id]  # type: ignore[return-value]

    def model(self, model_id: str) -> Model:
        return self._index()["models"][model_id]  # type: ignore[return-value]

    def tool(self, tool_id: str) -> Tool:
        return self._index()["tools"][tool_id]  # type: ignore[return-value]

    def owner(self, owner_id: str) -> Owner:
        return self._index()["owners"][owner_id]  # type: ignore[return-value]

    def location(self, element_id: str) -> SourceLocation | None:
        return self.locations.get(element_id)

    def package(self, package_id: str) -> Package:
        return self._index()["packages"][package_id]  # type: ignore[return-value]

    def vulnerability(self, vulnerability_id: str) -> Vulnerability | None:
        """The declared vulnerability ``vulnerability_id``, or None."""
        return self._index()["vulnerabilities"].get(vulnerability_id)  # type: ignore[return-value]

    def credential_tools(self, credential: str) -> tuple[Tool, ...]:
        """The tools that act under ``credential``: their own, or a user model's identity."""
        cached: dict[str, tuple[Tool, ...]] | None = self.__dict__.get("_cred_tools")
        if cached is None:
            identity = {m.id: m.identity for m in self.models if m.identity}
            found: dict[str, list[Tool]] = {}
            for tool in self.tools:
                creds = {tool.credential} | {identity[u] for u in tool.users if u in identity}
                for cred in sorted(x for x in creds if x):
                    found.setdefault(cred, []).append(tool)
            cached = {k: tuple(v) for k, v in found.items()}
            object.__setattr__(self, "_cred_tools", cached)
        return cached.get(credential, ())

    def beyond_use(self, credential: str) -> dict[str, tuple[str, ...]]:
        """What a credential's ``grants`` give beyond what the tools acting under it use, by
        permission (read, write, delete: assets; execute: nodes)."""
        tools = self.credential_tools(credential)
        used = {
            "read": {x for t in tools for x, _ in t.read},
            "write": {x for t in tools for x, _ in t.write},
            "delete": {x for t in tools for x, _ in t.delete},
            "execute": {n for t in tools for n in t.execute},
        }
        out: dict[str, tuple[str, ...]] = {}
        for perm, granted in sorted(self.asset(credential).grants.items()):
            extra = tuple(x for x in granted if x not in used.get(perm, set()))
            if extra:
                out[perm] = extra
        return out

    def first_party_owners(self) -> frozenset[str]:
        cached: frozenset[str] | None = self.__dict__.get("_first_party")
        if cached is None:
            out = {o.id for o in self.owners if o.first_party}
            if self.system.owner:
                out.add(self.system.owner)
            cached = frozenset(out)
            object.__setattr__(self, "_first_party", cached)
        return cached

    def is_third_party(self, owner_id: str | None) -> bool:
        return owner_id is not None and owner_id not in self.first_party_owners()

    def _index(self) -> dict[str, dict[str, object]]:
        cached: dict[str, dict[str, object]] | None = self.__dict__.get("_idx")
        if cached is None:
            cached = {
                "assets": {a.id: a for a in self.assets},
                "nodes": {n.id: n for n in self.nodes},
                "models": {m.id: m for m in self.models},
                "tools": {t.id: t for t in self.tools},
                "owners": {o.id: o for o in self.owners},
                "packages": {p.id: p for p in self.packages},
                "vulnerabilities": {v.id: v for v in self.vulnerabilities},
            }
            object.__setattr__(self, "_idx", cached)
        return cached

    def summary(self) -> dict[str, int]:
        return {
            "models": len(self.models),
            "assets": len(self.assets),
            "nodes": len(self.nodes),
            "relations": len(self.relations),
            "tools": len(self.tools),
            **({"packages": len(self.packages)} if self.packages else {}),
            "vulnerabilities": len(self.vulnerabilities),
            "assumptions": len(self.assumptions),
            "controls": len(self.controls),
        }
