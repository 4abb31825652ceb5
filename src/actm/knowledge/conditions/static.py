"""Static ``where`` conditions: about the one model or asset a requirement binds."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from actm.io.diagnose import did_you_mean
from actm.knowledge.conditions.base import (
    ComponentCondition,
    KeyedCondition,
    Problem,
    StaticCondition,
)
from actm.knowledge.conditions.view import OwnerFacts, SystemView
from actm.knowledge.vocabulary import Vocabulary
from actm.terms import ImpactClass
from actm.terms import ToolPermission as Permission

__all__ = [
    "COMPONENT",
    "STATIC",
    "Words",
]

Words = list[Annotated[str, StringConstraints(min_length=1, max_length=100)]]

LEVEL_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
"""Criticality levels, weakest first."""

Names = AbstractSet[str]

_USERS_OWN = "user_input"
"""The inputs component users write to: an asset feeding it is their own request."""


def _unknown(
    raw: list[str], known: AbstractSet[str] | Mapping[str, Any], code: str, what: str, noun: str
) -> list[Problem]:
    return [
        (code, f"unknown {what} {k!r}", did_you_mean(k, known, what=noun))
        for k in raw
        if k not in known
    ]


def _not_of_kind(
    raw: list[str], vocab: Vocabulary, kind: str, what: str, noun: str
) -> list[Problem]:
    """The names in ``raw`` that are not vulnerability classes of ``kind`` (``what`` names one,
    ``noun`` several), each with the nearest class of that kind."""
    known = sorted(k for k, v in vocab.vulnerability_classes.items() if v.kind == kind)
    return [
        ("unknown-vulnerability-class", f"{k!r} is not {what}", did_you_mean(k, known, what=noun))
        for k in raw
        if k not in known
    ]


class Kind(StaticCondition[Names]):
    name = "kind"
    schema = Words
    example = "kind: [llm, agent]"
    doc = "is a model of one of these kinds (an asset: has one of these types)"

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        known = {*vocab.model_kinds, *vocab.asset_types}
        return _unknown(raw, known, "unknown-kind", "model kind or asset type", "kinds and types")

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.kind in value


class Exposure(StaticCondition[Names]):
    name = "exposure"
    schema = list[Literal["public", "internal", "none", "physical"]]
    example = "exposure: [public]"
    doc = "has one of these exposures (`public`, `internal`, `none`, `physical`)"

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.exposure in value


class Features(StaticCondition[Names]):
    name = "features"
    schema = Words
    example = "features: [...]"
    doc = "has every one of these features (`actm schema` lists them)"

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        return _unknown(raw, vocab.features, "unknown-feature", "feature", "features")

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return value <= owner.features


class LacksFeatures(Features):
    name = "lacks_features"
    example = "lacks_features: [...]"
    doc = "has none of these features"

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return not value & owner.features


class Exposes(StaticCondition[Names]):
    name = "exposes"
    schema = list[Literal["outputs", "output_details"]]
    example = "exposes: [output_details]"
    doc = (
        "exposes all of these (`outputs`, `output_details`) to its users; a control that "
        "`hides` one takes it away"
    )

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return value <= owner.exposes


class _Flag(StaticCondition[bool]):
    """A yes/no property of the binding."""

    schema = bool


class HasTools(_Flag):
    name = "has_tools"
    example = "has_tools: true"
    doc = "is a model with (`false`: without) a tool no control blocks"

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.has_tools == value


class ToolPermission(StaticCondition[Names]):
    name = "tool_permission"
    schema = list[Permission]
    example = "tool_permission: [read, egress]"
    doc = "has (a model: has a tool with) at least one of these permissions, not blocked"

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & owner.tool_permissions)


class ThirdParty(_Flag):
    name = "third_party"
    example = "third_party: true"
    doc = (
        "is owned by a third party (a tool that names no owner: by the publisher of the MCP"
        " server package on its node, else by the node's owner) or runs on a third-party node"
    )

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.third_party == value


class OwnerThirdParty(_Flag):
    name = "owner_third_party"
    example = "owner_third_party: true"
    doc = (
        "is owned by a third party (a tool that names no owner: by the publisher of the MCP"
        " server package on its node, else by the node's owner)"
    )

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.owner_third_party == value


class HostedByThirdParty(_Flag):
    name = "hosted_by_third_party"
    example = "hosted_by_third_party: true"
    doc = "runs on (a model: is deployed on; an asset: resides on) a third-party node"

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.hosted_third_party == value


class MinCriticality(StaticCondition[Mapping[str, str]]):
    name = "min_criticality"
    schema = dict[
        ImpactClass,
        Literal["low", "medium", "high", "critical"],
    ]
    example = "min_criticality: {confidentiality: high}"
    doc = "(the bound asset) has at least this criticality for each class named (unset: `medium`)"

    def holds(
        self, value: Mapping[str, str], owner: OwnerFacts, view: SystemView, asset: int
    ) -> bool:
        crit = view.criticality(asset)
        return all(
            LEVEL_RANK[crit.get(cls, "medium")] >= LEVEL_RANK[level] for cls, level in value.items()
        )


class Stored(_Flag):
    name = "stored"
    example = "stored: true"
    doc = "(an asset) is stored on a node, or declares no residency"

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.stored == value


class NodeKind(StaticCondition[Names]):
    name = "node_kind"
    schema = Words
    example = "node_kind: [browser]"
    doc = (
        "resides on a node of one of these kinds (a tool: the node it runs on; a model's asset: "
        "where `deployed_on`, `stored_on` or its `resides` put that asset, e.g. `outputs` "
        "rendered on a `browser` node)"
    )

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        return _unknown(raw, vocab.node_kinds, "unknown-kind", "node kind", "node kinds")

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & view.node_kinds(asset))


class FedFromNodeKind(NodeKind):
    name = "fed_from_node_kind"
    example = "fed_from_node_kind: [endpoint, browser]"
    doc = (
        "(a model) what its users send comes through a client on a node of one of these "
        "kinds: an asset that a `feeds` relation no control blocks carries into its "
        "`user_input` (or its whole inputs) resides there (a product's app capturing a face "
        "on a phone, its feature extractor on an endpoint)"
    )

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & owner.fed_from_kinds)


class HumanApproval(_Flag):
    name = "human_approval"
    example = "human_approval: true"
    doc = "(a tool) needs a person to approve each call, declared or by an `approves` control"

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.human_approval == value


class Sandbox(_Flag):
    name = "sandbox"
    example = "sandbox: true"
    doc = (
        "(a tool) runs the code it executes in a sandbox, declared or by a `sandboxes` "
        "control; (a model) has such a tool that executes code"
    )

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.sandbox == value


class Safeguarded(_Flag):
    name = "safeguarded"
    example = "safeguarded: true"
    doc = (
        "(a tool) has a safeguard its configuration could switch off: it runs its code in a "
        "sandbox or a person approves its calls (every call or once per session), declared "
        "or by a `sandboxes` or `approves` control"
    )

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        guarded = owner.sandbox or owner.human_approval
        guarded = guarded or bool(owner.approval & {"every_call", "once_per_session"})
        return guarded == value


class NodeVulnerability(StaticCondition[Names]):
    name = "node_vulnerability"
    schema = Words
    example = "node_vulnerability: [rce]"
    doc = (
        "a declared vulnerability of one of these conventional classes, not removed by a "
        "control, sits on a node where the bound asset resides (a tool: the node it runs on), "
        "and names the asset if it lists `assets`; a `missing_authentication` that lists none, "
        "on a node whose kind gives only its interface (`unauthenticated: interface`), "
        "reaches the models and tools there, not the data the node stores; with hypotheses "
        "on, a posited one counts too, and the threat is hypothetical"
    )

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        return _not_of_kind(
            raw, vocab, "conventional", "a conventional vulnerability class", "conventional classes"
        )

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & view.node_vulnerabilities(asset))


class ExposedBy(KeyedCondition):
    name = "exposed_by"
    schema = dict[Literal["node_vulnerability", "embedded_in"], Words]
    example = "exposed_by: {node_vulnerability: [public_exposure], embedded_in: [logs]}"
    doc = (
        "(a secret) is kept where it is exposed: a declared vulnerability of one of the "
        "`node_vulnerability` classes reaches it or an asset that `contains` it, or an asset of "
        "one of the `embedded_in` types contains it (a token in a log line or a process "
        "listing); with hypotheses on, a posited vulnerability counts too, and the threat is "
        "hypothetical"
    )

    def check(self, raw: dict[str, list[str]], vocab: Vocabulary) -> list[Problem]:
        found = _not_of_kind(
            raw.get("node_vulnerability", []),
            vocab,
            "conventional",
            "a conventional vulnerability class",
            "conventional classes",
        )
        types = vocab.asset_types
        return found + _unknown(
            raw.get("embedded_in", []), types, "unknown-asset-type", "asset type", "asset types"
        )

    def holds(
        self, value: Mapping[str, Names], owner: OwnerFacts, view: SystemView, asset: int
    ) -> bool:
        classes = value.get("node_vulnerability", frozenset())
        return bool(
            classes & view.node_vulnerabilities(asset)
            or classes & owner.container_vulnerabilities
            or value.get("embedded_in", frozenset()) & owner.embedded_in
        )


class Derives(StaticCondition[Names]):
    name = "derives"
    schema = Words
    example = "derives: [training, build]"
    doc = (
        "is the source of a `derives` relation of one of these processes that no control "
        "blocks (code a pipeline trains or builds from)"
    )

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        return _unknown(raw, vocab.processes, "unknown-process", "process", "processes")

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & owner.derives)


class Trained(_Flag):
    name = "trained"
    example = "trained: true"
    doc = (
        "(a model) its weights are the system's own: a `training` or `fine_tuning` relation the "
        "model file declares writes them, it names a `base_model` or the nodes it is trained on "
        "(`trained_on`), or its kind is not one used as published (`foundation` in the "
        "vocabulary: llm, agent, embedding, generative_image)"
    )

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.trained == value


class BuildsModel(_Flag):
    name = "builds_model"
    example = "builds_model: true"
    doc = (
        "(an asset) goes into building a model: `derives` or `part_of` relations no control "
        "blocks take it, directly or through other assets (a staging copy), into a model's "
        "dataset, weights, hyperparameters, validation results or architecture"
    )

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.builds_model == value


class ReadsContent(StaticCondition[Names]):
    name = "reads_content"
    schema = Words
    example = "reads_content: [tool_results, memory]"
    doc = (
        "(a model) one of these components of its inputs takes something other than another "
        "model's outputs: an asset feeds it (a relation the model file declares), outside "
        "content is declared on it (`component_sources`, or `untrusted_sources` of the whole "
        "inputs), or, for `tool_results`, the model has a tool no control blocks, unless its "
        "tools read nothing, run no code, declare no outside results and the model file "
        "declares its tool results to be another model's outputs"
    )

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        inputs = vocab.asset_types.get("inputs")
        known = frozenset(inputs.components if inputs is not None else ())
        return _unknown(raw, known, "unknown-component", "inputs component", "components")

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        found = owner.content_components
        return "" in found or bool(value & found)


class TakesContent(ComponentCondition[bool]):
    name = "takes_content"
    schema = bool
    example = "takes_content: true"
    doc = (
        "(a model's inputs) the component the requirement is met on takes something other "
        "than another model's outputs, as `reads_content` says; on `user_input`, only outside "
        "content declared on it (`component_sources`, or `untrusted_sources` of the whole "
        "inputs) counts, since an asset feeding it is what the users send (pasted page text "
        "or a trigger's payload are declared sources). `false`: the converse"
    )

    def holds(
        self, value: bool, owner: OwnerFacts, view: SystemView, component: str | None
    ) -> bool:
        found = owner.outside_components if component == _USERS_OWN else owner.content_components
        return ("" in found or (component is not None and component in found)) == value


class OutsideAuthored(ComponentCondition[bool]):
    name = "outside_authored"
    schema = bool
    example = "outside_authored: true"
    doc = (
        "(a model's inputs) the component the requirement is met on takes content someone "
        "outside the system can write: outside content is declared on it, or an asset "
        "someone outside writes feeds it: one with outside content declared on it, that an "
        "assumption lets a third party change, that is stored on a node of an "
        "`unauthenticated: contents` kind taking writes without authentication (declared, "
        "`authentication: none`, or posited by a hypothesis), or derived from or part of "
        "such an asset (an index of a mailbox); an asset only the system writes carries "
        "what its owner wrote. `tool_results` count where a tool of the model declares "
        "outside results (`untrusted_results`), runs code, or reads such an asset; "
        "`tool_definitions` where a third party describes one of the model's tools: it owns "
        "the tool, publishes the MCP server the tool runs in or runs its node, or an "
        "assumption lets it change the tool; `user_input` only where outside content is "
        "declared on it, as `takes_content` says. `false`: the converse"
    )

    def holds(
        self, value: bool, owner: OwnerFacts, view: SystemView, component: str | None
    ) -> bool:
        found = owner.outside_components if component == _USERS_OWN else owner.authored_components
        return ("" in found or (component is not None and component in found)) == value


class Weakness(StaticCondition[Names]):
    name = "weakness"
    schema = Words
    example = "weakness: [jailbreakable]"
    doc = (
        "(a model, or an asset) has a declared AI weakness of one of these classes that no "
        "control removes"
    )

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        return _not_of_kind(raw, vocab, "ai", "an AI weakness class", "AI weakness classes")

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & owner.weaknesses)


STATIC: tuple[StaticCondition[Any], ...] = (
    Kind(),
    Exposure(),
    Features(),
    LacksFeatures(),
    Exposes(),
    HasTools(),
    ToolPermission(),
    ThirdParty(),
    OwnerThirdParty(),
    HostedByThirdParty(),
    MinCriticality(),
    Stored(),
    NodeKind(),
    FedFromNodeKind(),
    HumanApproval(),
    Sandbox(),
    Safeguarded(),
    NodeVulnerability(),
    ExposedBy(),
    Derives(),
    Trained(),
    BuildsModel(),
    ReadsContent(),
    Weakness(),
)
"""The static conditions, in the order the attack-file schema lists them."""

COMPONENT: tuple[ComponentCondition[Any], ...] = (TakesContent(), OutsideAuthored())
"""The conditions on the component a requirement is met on."""
