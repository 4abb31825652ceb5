"""Static ``where`` conditions on what a model states about real systems: the nodes an asset
resides on (exposure, authentication, physical access, shared tenants, MCP transport), a tool's
approval mode, a credential's grants, what an asset contains, a package's provenance, and the
decisions taken on a model's outputs."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Literal, get_args

from actm.io.diagnose import did_you_mean
from actm.knowledge.conditions.base import KeyedCondition, Problem, StaticCondition
from actm.knowledge.conditions.view import OwnerFacts, SystemView
from actm.knowledge.vocabulary import Vocabulary
from actm.terms import ToolPermission

__all__ = ["SETTINGS"]

Names = AbstractSet[str]


class _NodeSetting(StaticCondition[Names]):
    """One of these values is the setting ``key`` of a node the bound asset resides on."""

    key: str

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(value & view.node_values(asset, self.key))


class _NodeFlag(StaticCondition[bool]):
    """A node the bound asset resides on has (``false``: none has) the yes/no setting ``key``."""

    schema = bool
    key: str

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return ("true" in view.node_values(asset, self.key)) == value


class NodeExposure(_NodeSetting):
    name = "node_exposure"
    key = "exposure"
    schema = list[Literal["internet", "internal"]]
    example = "node_exposure: [internet]"
    doc = "resides on a node with one of these exposures (`internet`, `internal`)"


class NodeAuthentication(_NodeSetting):
    name = "node_authentication"
    key = "authentication"
    schema = list[Literal["none", "required"]]
    example = "node_authentication: [none]"
    doc = "resides on a node whose service asks one of these (`none`; `required`, the default)"


class PhysicalAccess(_NodeFlag):
    name = "physical_access"
    key = "physical_access"
    example = "physical_access: true"
    doc = "resides on a node an adversary can touch (`physical_access: true`)"


class SharedNode(_NodeFlag):
    name = "shared_node"
    key = "shared"
    example = "shared_node: true"
    doc = "resides on a node whose hardware other tenants share (`shared_with`)"


class ConnectsOut(_NodeFlag):
    name = "connects_out"
    key = "outbound"
    example = "connects_out: true"
    doc = (
        "resides on (a tool: runs on) a node the model shows opening connections out of the "
        "system: a tool there has `egress` that leaves it, a credential there opens a node "
        "outside, or, on a node not exposed to the internet, an asset there also resides on a "
        "node outside (fetched from or sent to it)"
    )


class McpTransport(_NodeSetting):
    name = "mcp_transport"
    key = "mcp_transport"
    schema = list[Literal["stdio", "streamable_http", "sse"]]
    example = "mcp_transport: [sse, streamable_http]"
    doc = "resides on (a tool: runs on) an MCP server reached over one of these transports"


class McpAuthentication(_NodeSetting):
    name = "mcp_authentication"
    key = "mcp_authentication"
    schema = list[Literal["none", "bearer", "oauth"]]
    example = "mcp_authentication: [none]"
    doc = "resides on (a tool: runs on) an MCP server that authenticates clients so (`none`)"


class _AnyOf(StaticCondition[Names]):
    """One of these values is among the binding's ``attribute``."""

    attribute: str

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        found: Names = getattr(owner, self.attribute)
        return bool(value & found)


class Approval(_AnyOf):
    name = "approval"
    attribute = "approval"
    schema = list[Literal["never", "every_call", "once_per_session", "auto_approved"]]
    example = "approval: [once_per_session, auto_approved]"
    doc = (
        "(a tool; a model: one of its tools) is approved in one of these modes, an `approves` "
        "control making it `every_call`"
    )


class Grants(_AnyOf):
    name = "grants"
    attribute = "grants"
    schema = list[ToolPermission]
    example = "grants: [write, delete]"
    doc = "(a credential) its `grants` give one of these permissions, after any `narrows`"


class _Flag(StaticCondition[bool]):
    schema = bool
    attribute: str

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return bool(getattr(owner, self.attribute)) == value


class OverBroad(_Flag):
    name = "over_broad"
    attribute = "over_broad"
    example = "over_broad: true"
    doc = (
        "(a credential) grants more than the tools acting under it use, and no control `narrows` it"
    )


class ContainsSecret(_Flag):
    name = "contains_secret"
    attribute = "contains_secret"
    example = "contains_secret: true"
    doc = "(an asset) `contains` a credential or secret"


class SecretWrapper(_Flag):
    name = "secret_wrapper"
    attribute = "secret_wrapper"
    example = "secret_wrapper: false"
    doc = (
        "(an asset) `contains` a credential or secret, declares no confidentiality of its "
        "own and is no `personal_data` or `business_data` (worth taking for its own content): "
        "what a reader gains from it is what it embeds, which a read of it reaches too "
        "(`read_by`)"
    )


class ConfidentialPrompt(_Flag):
    name = "confidential_prompt"
    attribute = "confidential_prompt"
    example = "confidential_prompt: true"
    doc = (
        "(a model) its system prompt holds something confidential: an asset feeding "
        "`inputs.system_prompt` `contains` a credential or secret or has confidentiality "
        "`high` or `critical`, or the model's `inputs` do"
    )


class ConfidentialData(_Flag):
    name = "confidential_data"
    attribute = "confidential_data"
    example = "confidential_data: true"
    doc = "(a model) its training data (`dataset`) has confidentiality `high` or `critical`"


class OwnSession(_Flag):
    name = "own_session"
    attribute = "own_session"
    example = "own_session: false"
    doc = (
        "(a model) is hosted on a third party's node and not `public`: each user reaches it "
        "in their own session, through their own client and account"
    )


class ModelsOnly(_Flag):
    name = "models_only"
    attribute = "models_only"
    example = "models_only: false"
    doc = (
        "(a model) what it says goes to other models alone: every `feeds` or `derives` "
        "relation from its `outputs` (there is one) feeds the `inputs` of another LLM or "
        "agent (not a guard, classifier or other model that checks the answers), "
        "it is not `public` and it has no `acted_on`"
    )


class AskerOnly(_Flag):
    name = "asker_only"
    attribute = "asker_only"
    example = "asker_only: false"
    doc = (
        "(a model) what it is asked and answers concerns whoever asks alone: it has no tools, "
        "no `acted_on` and no `long_term_memory`, every relation into its `inputs` ends on "
        "`user_input`, its `inputs` neither have confidentiality `high` or `critical` nor "
        "`contain` anything, its `outputs` do not have integrity `high` or `critical`, it is "
        "not trained here on data that is not all public (a `derives` or `part_of` relation "
        "into its `dataset`, not `public_dataset`), and no relation takes its `inputs` or "
        "`outputs` anywhere else"
    )


class BeyondAskerFor(StaticCondition[Names]):
    name = "beyond_asker_for"
    schema = list[str]
    example = "beyond_asker_for: [embedding]"
    doc = (
        "(a model) if it is of one of these kinds, what it is asked and answers concerns "
        "someone besides whoever asks (`asker_only: false`); a model of another kind meets it"
    )

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        return [
            (
                "unknown-kind",
                f"unknown model kind {k!r}",
                did_you_mean(k, vocab.model_kinds, what="kinds"),
            )
            for k in raw
            if k not in vocab.model_kinds
        ]

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.kind not in value or not owner.asker_only


class PublicDataset(_Flag):
    name = "public_dataset"
    attribute = "public_dataset"
    example = "public_dataset: false"
    doc = (
        "(a model) its training data is built only from what is published: `derives` or "
        "`part_of` relations take something into its `dataset`, each from an asset declared "
        "`public` or built only from such assets, and the `dataset` itself does not have "
        "confidentiality `high` or `critical`"
    )


class CleartextInputs(_Flag):
    name = "cleartext_inputs"
    attribute = "cleartext_inputs"
    example = "cleartext_inputs: true"
    doc = (
        "(a model) a flow into its inputs, (an asset) a flow into it, is not `encrypted` or not "
        "`authenticated`"
    )


class ServesMcp(_Flag):
    name = "serves_mcp"
    attribute = "serves_mcp"
    example = "serves_mcp: false"
    doc = (
        "(a package) is the code of an MCP server: a node's `mcp.package` names it, or it runs "
        "on a node of kind `mcp_server`"
    )


class ExposedServer(_Flag):
    name = "exposed_server"
    attribute = "exposed_server"
    example = "exposed_server: true"
    doc = (
        "(a tool) its server is more than the system's own code and that code's dependencies: "
        "a third party owns the tool or the node it runs on, or publishes the MCP server there "
        "(the package a node's `mcp.package` names, or one that runs on a node of kind "
        "`mcp_server`), or a conventional vulnerability is declared on that node"
    )


class OutsideResults(_Flag):
    name = "outside_results"
    attribute = "outside_results"
    example = "outside_results: true"
    doc = (
        "(a tool) its results may carry what someone outside the system wrote: it declares "
        "outside results (`untrusted_results`: the pages it browses, the mail it fetches), "
        "runs code, or reads an asset someone outside writes (as `outside_authored` says)"
    )


class Ecosystem(StaticCondition[Names]):
    name = "ecosystem"
    schema = list[Literal["pypi", "npm", "oci", "huggingface", "github", "other"]]
    example = "ecosystem: [npm, pypi]"
    doc = "(a package) comes from one of these ecosystems"

    def holds(self, value: Names, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.package is not None and owner.package[0] in value


class _PackageFlag(StaticCondition[bool]):
    schema = bool
    position: int

    def holds(self, value: bool, owner: OwnerFacts, view: SystemView, asset: int) -> bool:
        return owner.package is not None and owner.package[self.position] == value


class Pinned(_PackageFlag):
    name = "pinned"
    position = 1
    example = "pinned: false"
    doc = "(a package) is pinned to a version (`false`: floats)"


class Verified(_PackageFlag):
    name = "verified"
    position = 2
    example = "verified: false"
    doc = "(a package) is verified at install (signature, hash, provenance)"


class Decision(_AnyOf):
    name = "decision"
    attribute = "decisions"
    schema = list[str]
    example = "decision: [financial, safety]"
    doc = "(a model) people or systems take one of these kinds of decision on its outputs"

    def check(self, raw: list[str], vocab: Vocabulary) -> list[Problem]:
        known = vocab.decision_kinds
        return [
            ("unknown-decision", f"unknown kind of decision {k!r}", did_you_mean(k, known))
            for k in raw
            if k not in known
        ]


Actor = Literal["staff", "customers", "public", "automation"]
"""Who acts on a model's outputs (an ``acted_on`` entry's ``by``)."""


class ActedOnBy(_AnyOf):
    name = "acted_on_by"
    attribute = "acted_on_by"
    schema = list[Actor]
    example = "acted_on_by: [customers, automation]"
    doc = "(a model) its outputs are acted on by one of these"


class ActedOn(KeyedCondition):
    """Who acts and what they decide, taken together: one ``acted_on`` entry of the model has
    both, so a decision staff take is not counted as one automation takes."""

    name = "acted_on"
    schema = dict[Literal["by", "decision"], list[str]]
    example = "acted_on: {by: [automation], decision: [financial]}"
    doc = (
        "(a model) one entry of its `acted_on` has one of these `by` and one of these "
        "`decision` kinds (a key left out: any)"
    )

    def check(self, raw: dict[str, list[str]], vocab: Vocabulary) -> list[Problem]:
        actors = get_args(Actor)
        return [
            ("unknown-actor", f"unknown actor {k!r}", did_you_mean(k, actors))
            for k in raw.get("by", [])
            if k not in actors
        ] + Decision().check(raw.get("decision", []), vocab)

    def holds(
        self, value: Mapping[str, Names], owner: OwnerFacts, view: SystemView, asset: int
    ) -> bool:
        by, kinds = value.get("by"), value.get("decision")
        return any(
            (by is None or who in by) and (kinds is None or kind in kinds)
            for who, kind in owner.acted_on
        )


SETTINGS: tuple[StaticCondition[Any], ...] = (
    NodeExposure(),
    NodeAuthentication(),
    PhysicalAccess(),
    SharedNode(),
    ConnectsOut(),
    McpTransport(),
    McpAuthentication(),
    Approval(),
    Grants(),
    OverBroad(),
    ContainsSecret(),
    SecretWrapper(),
    ConfidentialPrompt(),
    ConfidentialData(),
    OwnSession(),
    ModelsOnly(),
    AskerOnly(),
    BeyondAskerFor(),
    PublicDataset(),
    CleartextInputs(),
    ServesMcp(),
    ExposedServer(),
    OutsideResults(),
    Ecosystem(),
    Pinned(),
    Verified(),
    Decision(),
    ActedOnBy(),
    ActedOn(),
)
"""The static conditions on stated settings, in the order the attack-file schema lists them."""
