"""What ``where`` conditions may read about a system: a small read-only view.

The knowledge layer declares it; the engine implements it from its compiled tables
(:mod:`actm.engine.view`). Conditions name elements by *binding key*: a model's id for a model
variable, an asset's (or tool's) id for an asset variable. ``asset`` arguments are the engine's
handle of the one asset a requirement bound (for a model variable: the model's asset of the
requirement's type), opaque to the conditions.

Everything here is what the model file states, with the controls in force applied (a blocked
tool is no longer used, an approved tool needs approval), never what an adversary holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Protocol

__all__ = ["Index", "OwnerFacts", "SystemView"]

Index = Mapping[str, AbstractSet[str]]
"""Binding key -> binding keys: one direction of a relation, for candidate narrowing."""


class OwnerFacts(Protocol):
    """What the model says about one binding (a model, or a conventional asset or tool)."""

    @property
    def sort(self) -> str:
        """``model`` or ``asset``."""

    @property
    def kind(self) -> str:
        """A model's kind; an asset's type."""

    @property
    def exposure(self) -> str:
        """A model's exposure (empty for an asset)."""

    @property
    def features(self) -> AbstractSet[str]: ...

    @property
    def exposes(self) -> AbstractSet[str]:
        """The assets a model returns to its callers (minus those a control hides)."""

    @property
    def tool_permissions(self) -> AbstractSet[str]:
        """Permissions of a model's usable tools, or of the tool itself, not blocked."""

    @property
    def has_tools(self) -> bool: ...

    @property
    def third_party(self) -> bool:
        """Owned by, or runs on a node of, a third party."""

    @property
    def owner_third_party(self) -> bool: ...

    @property
    def hosted_third_party(self) -> bool: ...

    @property
    def stored(self) -> bool: ...

    @property
    def human_approval(self) -> bool:
        """A tool whose calls a person approves (declared, or by a control)."""

    @property
    def sandbox(self) -> bool:
        """A tool whose code execution runs in a sandbox (declared, or by a control); a model
        with such a tool that executes code (its execute permission not blocked)."""

    @property
    def reads(self) -> AbstractSet[str]:
        """Bindings whose assets the model's (or the tool's) unblocked tools read."""

    @property
    def writes(self) -> AbstractSet[str]: ...

    @property
    def deletes(self) -> AbstractSet[str]:
        """What the bound tool (a model: its tools) may delete, not blocked."""

    @property
    def executes_on(self) -> AbstractSet[str]:
        """Nodes where its unblocked tools execute code."""

    @property
    def executes_open_on(self) -> AbstractSet[str]:
        """Nodes where its unblocked tools execute the code it writes unconfined: outside a
        sandbox and without a person approving every call, whether declared on the tool or
        added by a control in force (otherwise the steered model no longer reads and changes
        what the node holds itself, so what a person at the machine can be talked into is no
        longer said by the agent's own code execution)."""

    @property
    def tools(self) -> AbstractSet[str]:
        """A model's usable (unblocked) tools."""

    @property
    def nodes(self) -> AbstractSet[str]:
        """Nodes an asset resides on."""

    @property
    def authorises(self) -> AbstractSet[str]:
        """For a credential: the tools whose calls it authorises."""

    @property
    def configured_in(self) -> AbstractSet[str]:
        """For a tool: the configuration that holds its approval and sandbox settings."""

    @property
    def opens(self) -> AbstractSet[str]:
        """For a credential: the nodes it grants access to."""

    @property
    def outside_results(self) -> bool:
        """For a tool: its results may carry what someone outside the system wrote: it
        declares outside results, runs code, or reads an asset someone outside writes."""

    @property
    def runs_code_on(self) -> AbstractSet[str]:
        """For a credential: the nodes its ``grants`` let one run code on (``execute``), after
        any control that narrows it."""

    @property
    def serves_on(self) -> AbstractSet[str]:
        """For a model: the nodes that take its requests as the system's own: those that
        process its inputs in front of it and, for a public model a provider hosts, the
        provider's nodes it is deployed on."""

    @property
    def derives(self) -> AbstractSet[str]:
        """The processes of the ``derives`` relations (not blocked) it is the source of."""

    @property
    def owner(self) -> str:
        """Who owns it (a tool: its owner, else the publisher of the MCP server package on
        its node, else its node's owner); empty for the system's own."""

    @property
    def outside_content(self) -> bool:
        """(An asset) takes outside content: it has untrusted sources."""

    @property
    def shared_channel(self) -> bool:
        """(An asset) takes outside content and resides somewhere other than on personal
        devices (node kinds with ``personal: true``): a channel others write to and read from."""

    @property
    def weaknesses(self) -> AbstractSet[str]:
        """Classes of the AI weaknesses declared on the model (or the asset), not removed by
        a control."""

    @property
    def approval(self) -> AbstractSet[str]:
        """A tool's approval mode (``every_call`` under an ``approves`` control); a model's: the
        modes of its usable tools."""

    @property
    def grants(self) -> AbstractSet[str]:
        """For a credential: the permissions its ``grants`` give (read, write, delete,
        execute), after any control that narrows it."""

    @property
    def granted(self) -> AbstractSet[str]:
        """For a credential: the bindings whose assets its ``grants`` read, write or delete."""

    @property
    def over_broad(self) -> bool:
        """For a credential: it grants more than the tools acting under it use, and no control
        narrows it."""

    @property
    def excess(self) -> AbstractSet[str]:
        """For a credential: the bindings (assets) and nodes its ``grants`` give beyond what
        the tools acting under it use; empty when a control narrows it."""

    @property
    def contains_secret(self) -> bool:
        """An asset that ``contains`` a credential or secret."""

    @property
    def secret_wrapper(self) -> bool:
        """An asset that ``contains`` a credential or secret and states no confidentiality
        of its own."""

    @property
    def embedded_in(self) -> AbstractSet[str]:
        """Types of the assets that ``contains`` it."""

    @property
    def container_vulnerabilities(self) -> AbstractSet[str]:
        """Classes of the vulnerabilities in force that reach an asset that ``contains`` it."""

    @property
    def package(self) -> tuple[str, bool, bool] | None:
        """For a package: (ecosystem, pinned, verified)."""

    @property
    def name(self) -> str:
        """For a tool: the name the model is offered it under (its ``name``, else its id);
        empty for anything else."""

    @property
    def serves_mcp(self) -> bool:
        """For a package: it is the code of an MCP server (a node's ``mcp.package``, or it
        runs on a node of kind ``mcp_server``)."""

    @property
    def exposed_server(self) -> bool:
        """For a tool: a third party owns it or its node, or publishes the MCP server there,
        or a conventional vulnerability is declared on its node."""

    @property
    def decisions(self) -> AbstractSet[str]:
        """For a model: the kinds of decision taken on its outputs (``acted_on``)."""

    @property
    def acted_on_by(self) -> AbstractSet[str]:
        """For a model: who acts on its outputs."""

    @property
    def acted_on(self) -> AbstractSet[tuple[str, str]]:
        """For a model: its ``acted_on`` entries, as (who acts, kind of decision)."""

    @property
    def trained(self) -> bool:
        """For a model: its weights are the system's own (trained or fine-tuned in the system,
        or of a kind not usually used as published)."""

    @property
    def confidential_prompt(self) -> bool:
        """For a model: its system prompt holds something confidential (an asset that feeds
        ``inputs.system_prompt`` contains a credential or secret or has confidentiality
        ``high`` or ``critical``, or the model's own ``inputs`` do)."""

    @property
    def confidential_data(self) -> bool:
        """For a model: its training data (``dataset``) has confidentiality ``high`` or
        ``critical``."""

    @property
    def own_session(self) -> bool:
        """For a model: hosted by a third party and not public, so each user reaches it in
        their own session, through their own client and account."""

    @property
    def models_only(self) -> bool:
        """For a model: what it says goes to other models alone (every relation from its
        outputs feeds another model's inputs, whatever controls block), it is not public and
        nobody acts on it."""

    @property
    def asker_only(self) -> bool:
        """For a model: what it is asked and answers concerns whoever asks alone (no tools,
        nobody acts on it, no long-term memory, nothing but a request feeds its inputs, which
        hold nothing confidential, and nothing takes its inputs or outputs anywhere else)."""

    @property
    def public_dataset(self) -> bool:
        """For a model: its training data is built only from assets declared ``public``."""

    @property
    def builds_model(self) -> bool:
        """For an asset: relations in force take it, directly or through other assets, into
        what a model is built from (its dataset, weights, hyperparameters, validation results
        or architecture)."""

    @property
    def content_components(self) -> AbstractSet[str]:
        """For a model: the components of its inputs that take something other than another
        model's outputs (``""``: the whole inputs asset)."""

    @property
    def outside_components(self) -> AbstractSet[str]:
        """For a model: the components of its inputs on which outside content is declared
        (``""``: the whole inputs asset)."""

    @property
    def fed_from_kinds(self) -> AbstractSet[str]:
        """For a model: the kinds of the nodes where the assets that relations in force feed
        into its ``user_input`` (or its whole inputs) reside: the client its users' requests
        come through (an app on a phone, a page in a browser)."""

    @property
    def authored_components(self) -> AbstractSet[str]:
        """For a model: the components of ``content_components`` that can carry what someone
        outside the system wrote (``tool_results`` only where a tool declares outside results,
        runs code or reads an asset someone outside writes: outside content, a third party's
        assumption, a store that takes writes without authentication)."""

    @property
    def cleartext_inputs(self) -> bool:
        """For a model: a flow into its inputs, for an asset: a flow into it, is not encrypted
        or its sender not authenticated (a relation no control blocks)."""


class SystemView(Protocol):
    """The system's structure, as the conditions read it. Built once per compiled model."""

    @property
    def feeds(self) -> AbstractSet[tuple[str, str]]:
        """(source binding, target binding) of every ``feeds`` relation not blocked."""

    @property
    def feeds_into(self) -> AbstractSet[tuple[str, str, str]]:
        """(source binding, target binding, target component or ``""``) of every ``feeds``
        relation not blocked."""

    @property
    def derived(self) -> AbstractSet[tuple[str, str]]:
        """(source, target) of every ``derives`` relation not blocked whose source is a
        conventional asset or a model's outputs (what a model says, not what it reads)."""

    @property
    def parts(self) -> AbstractSet[tuple[str, str]]:
        """(part, whole) of every ``part_of`` relation not blocked, and of every asset
        ``contains`` (a credential embedded in a configuration file)."""

    @property
    def owner_nodes(self) -> Mapping[str, AbstractSet[str]]:
        """Binding -> the nodes any of its assets resides on."""

    @property
    def on_node(self) -> Mapping[str, AbstractSet[str]]:
        """Node -> the bindings with an asset residing on it."""

    def owner(self, key: str) -> OwnerFacts | None:
        """The facts of one binding, or None for a key the model does not have."""

    def owners(self) -> Iterable[tuple[str, OwnerFacts]]:
        """Every binding with its facts, sorted by key."""

    def declared_tools(self, model: str) -> AbstractSet[str] | None:
        """The tools the model file gives ``model``, whatever controls do to them; None for a
        key that is not a model. A condition on what a model was *not* given must not flip when
        a control blocks one of its tools, or a control could add a threat."""

    def node_kinds(self, asset: int) -> AbstractSet[str]:
        """Kinds of the nodes the bound asset resides on (a tool's: the node it runs on)."""

    def node_values(self, asset: int, key: str) -> AbstractSet[str]:
        """The values of one setting of the nodes the bound asset resides on: ``exposure``,
        ``authentication`` (``required`` when not stated), ``physical_access``, ``shared`` and
        ``outbound`` (``true``/``false``; ``outbound``: the model shows the node opening
        connections out of the system), ``mcp_transport``, ``mcp_authentication`` (MCP servers
        only)."""

    def node_vulnerabilities(self, asset: int) -> AbstractSet[str]:
        """Classes of the declared vulnerabilities in force that reach the bound asset."""

    def criticality(self, asset: int) -> Mapping[str, str]:
        """Protection class -> criticality level the model states for the bound asset."""

    def index(self, build: Callable[[SystemView], Index]) -> Index:
        """``build(self)``, built on first use and kept for the life of the view: the
        conditions' reverse indexes, shared by every closure over one compiled model. What
        ``build`` returns must not refer to the view (the engine runs with the cyclic garbage
        collector off, so a cycle would keep every view alive)."""
