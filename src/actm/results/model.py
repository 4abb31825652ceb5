"""The analysis result: plain frozen data, the canonical output every renderer consumes.

``actm analyze --format json`` writes exactly this structure; ``actm schema --result`` prints
its JSON Schema. Field order is the output order; lists are sorted (threats by severity, then
id); nothing depends on time or on hash order, so the same input gives byte-identical output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from actm.engine.chain import ChainStep, RootCause, Route
from actm.engine.derived import HYPOTHESIS_PREFIX
from actm.model.system import RecordedThreat
from actm.records import quick_init
from actm.results.graph import SystemGraph

__all__ = [
    "AcceptedRisk",
    "AssumptionReport",
    "Binding",
    "CapabilityCell",
    "CapabilityRow",
    "ChainStep",
    "Crossing",
    "DeclaredVulnerability",
    "DroppedThreat",
    "ElementDetail",
    "Location",
    "LoweredThreat",
    "MitigatedThreat",
    "OutOfScope",
    "RecordedThreat",
    "Result",
    "RootCause",
    "RootCauseGroup",
    "Route",
    "SeverityInfo",
    "SystemSummary",
    "Threat",
    "TriageInfo",
    "UnmatchedTriage",
]

RESULT_FORMAT_VERSION = 2

NOT_SERIALISED = MappingProxyType({"serialised": False})
"""Field metadata of what the JSON result leaves out: details for renderers, timings."""


@quick_init
@dataclass(frozen=True, slots=True)
class SeverityInfo:
    level: str
    """critical, high, medium, low or info."""
    score: float
    asset: str
    """The impacted asset (or component)."""
    impact_class: str
    criticality: str
    capability: str | None
    """The strongest capability of the impacted class the threat reaches on the asset."""
    persistent: bool
    likelihood: str
    """The attack pattern's likelihood (the ``likelihood`` factor); the route's factors are
    ``path``, ``assumptions`` and ``length`` (docs/severity.md)."""
    factors: dict[str, float]
    explanation: str


@quick_init
@dataclass(frozen=True, slots=True)
class AcceptedRisk:
    """A threat that closes only through justified assumptions: accepted, severity info."""

    assumptions: tuple[str, ...]
    """The justified assumptions its chain uses."""
    justifications: tuple[str, ...]
    """Each one's justification (or the controls that justify it), in the same order."""


@dataclass(frozen=True, slots=True)
class Binding:
    variable: str
    element: str


@quick_init
@dataclass(frozen=True, slots=True)
class Location:
    """Where a model element is declared: file relative to the root model file's directory."""

    path: str
    line: int
    column: int
    element: str


@dataclass(frozen=True, slots=True)
class TriageInfo:
    """The triage decision that applies to a threat."""

    pattern: str
    """The id or wildcard pattern of the decision."""
    status: str
    """open, in_progress, mitigated, accepted, false_positive or not_applicable."""
    justification: str
    owner: str | None
    ticket: str | None
    expires: str | None
    """YYYY-MM-DD, or None."""
    expired: bool
    """The decision's day has passed: the threat counts as open again."""
    settled: bool
    """Needs no more action: status not open or in_progress, and not expired."""


@quick_init
@dataclass(frozen=True, slots=True)
class Threat:
    id: str
    """Stable id: attack id and the bound model or asset ids, joined by '@'."""
    fingerprint: str
    """SHA-256 of the id, 16 hex digits; for tools that want opaque ids."""
    attack: str
    title: str
    description: str
    severity: SeverityInfo
    assets: tuple[str, ...]
    bindings: tuple[Binding, ...]
    chain: tuple[ChainStep, ...]
    chain_text: str
    references: dict[str, tuple[str, ...]]
    unjustified_assumptions: tuple[str, ...]
    assumptions: tuple[str, ...]
    adversaries: tuple[str, ...]
    vulnerabilities: tuple[str, ...]
    pipelines: tuple[str, ...]
    teams: tuple[str, ...]
    likelihood: str
    maturity: str
    suggested_controls: tuple[str, ...]
    triage: TriageInfo | None = None
    locations: tuple[Location, ...] = ()
    """Where the impacted asset, then the other bound elements and the vulnerabilities the
    threat rests on, are declared (for SARIF and editors)."""
    routes: tuple[Route, ...] = ()
    """Per entry point that closes it alone, its shortest chain; most realistic first."""
    cooperation: tuple[str, ...] = ()
    """When no entry point closes it alone, those its chain needs together."""
    rests_on: tuple[str, ...] = ()
    """The assumptions it does not close without (see ``assumption_attribution``)."""
    accepted: AcceptedRisk | None = None
    root_cause: RootCause | None = None
    enables: tuple[str, ...] = ()
    """The threats whose chains use what this one's attack yields."""
    enabled_by: tuple[str, ...] = ()
    priority: str = "info"
    """The worst severity among itself and what it enables, directly or not."""
    hypothetical: bool = False
    """It needs a weakness a hypothesis posits (``hypothesis:<rule>@<node>`` among its
    vulnerabilities): the engine adds those last, so a threat that uses one does not close
    without it."""

    @property
    def posited(self) -> tuple[str, ...]:
        """The weaknesses a hypothesis posits among its vulnerabilities
        (``hypothesis:<rule>@<node>``), in their order: what makes it hypothetical."""
        return tuple(v for v in self.vulnerabilities if v.startswith(HYPOTHESIS_PREFIX))


@dataclass(frozen=True, slots=True)
class MitigatedThreat:
    """A threat that closes without the model's controls and not with them."""

    id: str
    attack: str
    title: str
    severity: SeverityInfo
    """As it would be without the controls."""
    assets: tuple[str, ...]
    mitigated_by: tuple[str, ...]
    """The controls credited with it (see ``attribution``)."""
    reasons: tuple[str, ...]
    """How each credited control acts on its chain, then how the controls relate."""
    chain_text: str
    """Its chain without the controls."""
    attribution: str = "counterfactual"
    """counterfactual: without any one of ``mitigated_by`` alone the threat is back;
    redundant: no single control's removal brings it back, and ``mitigated_by`` are the
    controls acting on its chain; touch: the controls acting on its chain (the result's
    ``control_attribution`` is touch)."""


@dataclass(frozen=True, slots=True)
class LoweredThreat:
    """A threat that closes with the model's controls too, but with a lower severity."""

    id: str
    attack: str
    title: str
    inherent: SeverityInfo
    """Its severity without the controls."""
    residual: SeverityInfo
    """Its severity with them (as in ``Result.threats``)."""
    assets: tuple[str, ...]
    lowered_by: tuple[str, ...]
    """The controls credited with the lower score (see ``attribution``)."""
    reasons: tuple[str, ...]
    attribution: str
    """counterfactual, redundant or touch, as for :class:`MitigatedThreat`."""


@dataclass(frozen=True, slots=True)
class Crossing:
    """Data or control passing from one trust zone to another."""

    source_zone: str
    target_zone: str
    kind: str
    """derives, feeds, part_of, tool_egress or public_exposure."""
    via: str
    """The relation, tool or model it passes through."""


@dataclass(frozen=True, slots=True)
class UnmatchedTriage:
    """A triage decision whose pattern matches no threat."""

    pattern: str
    status: str
    location: str | None
    """file:line:col of the decision."""
    did_you_mean: str | None = None
    """The threat id (or, for a wildcard pattern, the corrected pattern) it was most likely
    meant to name; None when nothing is close."""


@dataclass(frozen=True, slots=True)
class OutOfScope:
    attack: str
    title: str
    step: str | None
    requirement: str | None
    """The first requirement nothing grants, in the capability vocabulary."""
    reason: str
    detail: str
    references: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class CapabilityCell:
    capability: str
    persistent: bool


@dataclass(frozen=True, slots=True)
class CapabilityRow:
    asset: str
    type: str
    model: str | None
    development: dict[str, CapabilityCell | None]
    deployment: dict[str, CapabilityCell | None]


@dataclass(frozen=True, slots=True)
class AssumptionReport:
    id: str
    producer: str
    asset: str
    capability: str
    """The assumed upstream capability, or 'none'."""
    status: str
    """justified or unjustified, after controls that justify it."""
    declared_status: str
    justification: str | None
    justified_by: tuple[str, ...]
    dependent_threats: tuple[str, ...]
    tolerance: str | None
    """Strongest upstream capability at which no threat at or above ``tolerance_severity``
    appears that would not appear without this assumption; 'none' if even the weakest does."""
    tolerance_severity: str
    exceeds_tolerance: bool
    """The assumed capability is stronger than the tolerance."""


@dataclass(frozen=True, slots=True)
class DeclaredVulnerability:
    """A vulnerability as the model declares it (for exports such as STIX)."""

    id: str
    title: str | None
    description: str | None
    vulnerability_class: str
    cve: str | None
    cwe: str | None


@dataclass(frozen=True, slots=True)
class ElementDetail:
    """What the model says of one element beyond the graph (for exports such as OTM)."""

    description: str | None
    criticality: dict[str, str] = field(default_factory=dict)
    """For an asset: confidentiality, integrity and availability as none ... critical."""
    origin: tuple[str, str] | None = None
    """(format, id) of the tool the element was imported from (``origin:``): exports to
    that tool reuse the id."""
    encrypted: bool | None = None
    """For a relation: whether it is encrypted in transit."""


@dataclass(frozen=True, slots=True)
class DroppedThreat:
    """A threat the engine's noise rules leave out of the report, and the rule that does."""

    id: str
    rule: str
    """operator_holds, only_victim, no_confidentiality, foothold or one_adversary
    (docs/severity.md)."""


@dataclass(frozen=True, slots=True)
class RootCauseGroup:
    """The threats that share a root cause: fixing it removes them all."""

    root_cause: RootCause
    threats: tuple[str, ...]
    """Their ids, in the result's order."""
    priority: str
    """The worst severity among them and what they enable."""
    worst: str
    """The worst severity among them."""


@dataclass(frozen=True, slots=True)
class SystemSummary:
    id: str
    name: str | None
    files: tuple[str, ...]
    counts: dict[str, int]


@dataclass(frozen=True)
class Result:
    format: str
    format_version: int
    tool: dict[str, str]
    system: SystemSummary
    summary: dict[str, int]
    threats: tuple[Threat, ...]
    out_of_scope: tuple[OutOfScope, ...]
    capabilities: tuple[CapabilityRow, ...]
    assumptions: tuple[AssumptionReport, ...]
    knowledge: dict[str, int]
    mitigated: tuple[MitigatedThreat, ...] = ()
    """Inherent threats the controls take out of scope, and which controls do."""
    lowered: tuple[LoweredThreat, ...] = ()
    """Threats the controls leave in scope with a lower severity, and which controls do."""
    controls_without_effect: tuple[str, ...] = ()
    """Implemented controls that neither remove nor lower a threat nor justify an unjustified
    assumption a threat rests on."""
    control_attribution: str = "none"
    """How ``mitigated``, ``lowered`` and ``controls_without_effect`` were attributed:
    counterfactual (each implemented control removed in turn), touch (more than 32 implemented
    controls: by the elements each control acts on, an approximation), or none (controls
    ignored, or none implemented)."""
    triage_unmatched: tuple[UnmatchedTriage, ...] = ()
    root_causes: tuple[RootCauseGroup, ...] = ()
    """Threats grouped by root cause, highest priority first."""
    dropped: tuple[DroppedThreat, ...] = ()
    """Threats the noise rules leave out, by id."""
    assumption_attribution: str = "counterfactual"
    """How ``rests_on`` and the assumptions' dependent threats were found: counterfactual (the
    threat does not close without the assumption), or proof (more candidate assumptions than
    the reruns are bounded to: those its shown chain uses)."""
    route_attribution: str = "entry_point"
    """entry_point (each entry point's routes apart), or reach (more than 16 entry points:
    each route stands for all those of one reach)."""
    crossings: tuple[Crossing, ...] = ()
    """Trust-zone crossings of the model (for reviews and `actm diff`)."""
    graph: SystemGraph = field(default_factory=SystemGraph)
    """The system as elements and edges (for diagrams and the interactive report)."""
    timings: dict[str, float] = field(
        default_factory=dict, compare=False, repr=False, metadata=NOT_SERIALISED
    )
    """Seconds per stage, and ``counterfactual_runs``: the engine runs control attribution
    took; never serialised (output must not depend on time)."""
    vulnerabilities: tuple[DeclaredVulnerability, ...] = field(
        default=(), compare=False, repr=False, metadata=NOT_SERIALISED
    )
    """Every vulnerability the model declares, by id; not serialised (the JSON result names
    vulnerabilities by id in each threat)."""
    team_titles: dict[str, str] = field(
        default_factory=dict, compare=False, repr=False, metadata=NOT_SERIALISED
    )
    """The team views of the vocabulary (``teams.yaml``), id -> title, in its order; not
    serialised."""
    recorded_threats: tuple[RecordedThreat, ...] = field(
        default=(), compare=False, repr=False, metadata=NOT_SERIALISED
    )
    """Threats recorded in other tools (``recorded_threats:``), as the model gives them: shown
    apart in the reports and exported by the OTM and Threat Dragon renderers, never part of
    the summary, the gate or the scores; not serialised."""
    details: dict[str, ElementDetail] = field(
        default_factory=dict, compare=False, repr=False, metadata=NOT_SERIALISED
    )
    """Element id -> its description and (assets) criticality, for the zones, nodes, models,
    assets and tools of the graph; not serialised (the JSON result has the graph)."""
