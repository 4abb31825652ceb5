"""The facts of one binding that the ``where`` conditions read (:class:`OwnerInfo`), one record
per model, asset and tool of a compiled model, built by :mod:`actm.engine.view`."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["OwnerInfo"]


@dataclass
class OwnerInfo:
    """The facts of one binding (implements :class:`~actm.knowledge.conditions.OwnerFacts`)."""

    sort: str
    kind: str = ""
    exposure: str = ""
    features: frozenset[str] = frozenset()
    exposes: frozenset[str] = frozenset()
    tool_permissions: frozenset[str] = frozenset()
    has_tools: bool = False
    third_party: bool = False
    owner_third_party: bool = False
    hosted_third_party: bool = False
    stored: bool = False
    human_approval: bool = False
    sandbox: bool = False
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    deletes: set[str] = field(default_factory=set)
    executes_on: set[str] = field(default_factory=set)
    executes_open_on: set[str] = field(default_factory=set)
    tools: set[str] = field(default_factory=set)
    nodes: frozenset[str] = frozenset()
    authorises: set[str] = field(default_factory=set)
    """For credentials: the tools whose calls they authorise."""
    configured_in: frozenset[str] = frozenset()
    """For tools: the configuration that holds their approval and sandbox settings."""
    weaknesses: set[str] = field(default_factory=set)
    """Classes of the AI weaknesses declared on it, not removed by a control."""
    owner: str = ""
    """Its owner (a tool without one: its node's owner); empty for the system's own."""
    opens: set[str] = field(default_factory=set)
    """For credentials: the nodes they grant access to."""
    runs_code_on: frozenset[str] = frozenset()
    """For credentials: the nodes their ``grants`` let one run code on (``execute``), after
    any control that narrows them."""
    serves_on: frozenset[str] = frozenset()
    """For models: the nodes that take their requests as the system's own (see
    ``_serving_nodes``)."""
    derives: set[str] = field(default_factory=set)
    """Processes of the ``derives`` relations not blocked that start from it."""
    outside_content: bool = False
    shared_channel: bool = False
    approval: frozenset[str] = frozenset()
    grants: frozenset[str] = frozenset()
    granted: frozenset[str] = frozenset()
    over_broad: bool = False
    excess: frozenset[str] = frozenset()
    """For credentials: the bindings (assets) and nodes its ``grants`` give beyond what the
    tools acting under it use, after any control that narrows it."""
    contains_secret: bool = False
    secret_wrapper: bool = False
    embedded_in: frozenset[str] = frozenset()
    """Types of the assets that ``contains`` it (a token in a log line, a key in a config)."""
    container_vulnerabilities: frozenset[str] = frozenset()
    """Classes of the vulnerabilities in force that reach an asset that ``contains`` it."""
    name: str = ""
    """A tool's name as the model is offered it: its ``name``, else its id."""
    package: tuple[str, bool, bool] | None = None
    serves_mcp: bool = False
    """A package that is the code of an MCP server."""
    exposed_server: bool = False
    """A tool a third party owns, hosts or publishes the MCP server of, or whose node has a
    declared conventional vulnerability."""
    outside_results: bool = False
    """A tool whose results may carry what someone outside the system wrote (see
    ``authorship.tools_bring_outside_content``)."""
    decisions: frozenset[str] = frozenset()
    acted_on_by: frozenset[str] = frozenset()
    acted_on: frozenset[tuple[str, str]] = frozenset()
    """For a model: its ``acted_on`` entries, as (who acts, kind of decision)."""
    cleartext_inputs: bool = False
    confidential_prompt: bool = False
    confidential_data: bool = False
    """For a model: its training data (``dataset``) has confidentiality ``high`` or
    ``critical``."""
    own_session: bool = False
    models_only: bool = False
    asker_only: bool = False
    """For a model: what it is asked and answers concerns whoever asks alone (see
    :func:`actm.engine.audience.asker_only_models`)."""
    public_dataset: bool = False
    """For a model: its training data is built only from assets declared ``public``."""
    """For a model: what it says goes to other models alone (every relation from its outputs
    feeds another model's inputs, whatever controls block), it is not public and nobody acts
    on it."""
    builds_model: bool = False
    """For an asset: a relation in force takes it into what a model is built from (a
    ``derives`` or ``part_of`` relation to a model's dataset, weights, hyperparameters,
    validation results or architecture)."""
    content_components: frozenset[str] = frozenset()
    """For a model: the components of its inputs that take something other than another
    model's outputs (an asset feeds them, outside content is declared on them, or, for
    ``tool_results``, a tool of its that brings content returns into them: see
    ``_tools_bring_content``); ``""`` when that is the whole
    inputs asset (a relation or outside content naming no component)."""
    outside_components: frozenset[str] = frozenset()
    """For a model: the components of its inputs on which outside content is declared
    (``component_sources``); ``""`` when it is declared on the whole inputs asset."""
    fed_from_kinds: frozenset[str] = frozenset()
    """For a model: the kinds of the nodes where what relations in force feed into its
    ``user_input`` (or its whole inputs) resides (see ``_client_kinds``)."""
    authored_components: frozenset[str] = frozenset()
    """For a model: the components of its inputs that can carry what someone outside the
    system wrote: outside content is declared on them, an asset someone outside writes feeds
    them (:func:`actm.engine.authorship.authored_feeds`), ``tool_results`` where a tool of its
    brings such content (:func:`actm.engine.authorship.tools_bring_outside_content`), and
    ``tool_definitions`` where a third party describes one of its tools."""
    trained: bool = False
    """A model whose weights are the system's own: it is trained or fine-tuned in the system
    (a declared ``training`` or ``fine_tuning`` relation writes its parameters, it names a
    ``base_model``, or it declares the nodes it is trained on, ``trained_on``), or its kind is
    not one usually used as published."""
