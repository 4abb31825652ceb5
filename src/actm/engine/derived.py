"""Tables for what the model states about credentials, containment, packages and deletion, and
the weaknesses the engine derives or posits on nodes.

* ``grants``: what holding a credential lets one read, write or delete, and where it runs code
  (narrowed by a control to what the tools acting under it use);
* ``contains``: the assets embedded in another (a token in a configuration file);
* packages: the nodes each package's code runs on;
* tools' ``delete`` permission;
* derived weaknesses: a node whose service needs no authentication (from the internet when it
  is exposed to it, else from inside), and an MCP server reached over the network without
  authentication, get a ``missing_authentication`` weakness (``missing-authentication@<node>``).
  On a datastore, a machine or a cluster API (node kinds with ``unauthenticated: contents``) it
  grants over what the node stores and processes, like any weakness; on any other service only
  what its interface does (:func:`interface_calls`);
* hypotheses (when the model asks for them): the typical weaknesses of the vocabulary's
  hypotheses table, posited on every node a rule matches (``hypothesis:<rule>@<node>``).

:func:`build_derived` fills these tables of a :class:`~actm.engine.compiled.Compiled` once its
assets, nodes and tools are indexed; what holds for a whole asset is then shared with its
part like every other table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from actm.engine.canonical import memo
from actm.model.system import Asset, Node, SystemModel, Tool, Vulnerability

if TYPE_CHECKING:
    from actm.engine.compiled import Compiled

__all__ = [
    "build_derived",
    "derived_weaknesses",
    "interface_calls",
    "posited_weaknesses",
    "tool_deletes",
]

_NETWORK_TRANSPORTS = ("streamable_http", "sse")
HYPOTHESIS_PREFIX = "hypothesis:"
"""How the id of a weakness a hypothesis posits starts: ``hypothesis:<rule>@<node>``."""
MISSING_AUTHENTICATION = "missing_authentication"
"""The class of the weakness derived from ``authentication: none``."""


def build_derived(c: Compiled) -> None:
    """Fill the tables of ``c`` this module owns (after its tools are indexed)."""
    model = c.model
    for a in model.assets:
        t = c.asset_target[c.asset_index[a.id]]
        if a.contains:
            c.contains_out[t] = [
                c.asset_target[c.asset_index[x]] for x in a.contains if x in c.asset_index
            ]
        if a.grants:
            _grants(c, a, t)
    for p in model.packages:
        t = c.target_of_ref(p.id, None)
        nodes = [c.node_index[n] for n in p.runs_on if n in c.node_index]
        if t >= 0 and nodes:
            c.package_nodes[t] = nodes
    for v in (*derived_weaknesses(model.nodes), *posited_weaknesses(c)):
        c.extra_vulns[v.id] = v


def tool_deletes(c: Compiled, tool: Tool) -> list[int]:
    """The targets a tool may delete, unless a control blocks that permission."""
    if f"{tool.id}.delete" in c.blocked:
        return []
    return [t for aid, comp in tool.delete if (t := c.target_of_ref(aid, comp)) >= 0]


def _grants(c: Compiled, a: Asset, t: int) -> None:
    """What holding credential ``a`` grants; a control that narrows it keeps only what the
    tools acting under it use."""
    beyond = c.model.beyond_use(a.id) if a.id in c.narrowed else {}
    found: list[tuple[str, int]] = []
    nodes: list[int] = []
    for perm, granted in sorted(a.grants.items()):
        for x in granted:
            if x in beyond.get(perm, ()):
                continue
            if perm == "execute":
                if x in c.node_index:
                    nodes.append(c.node_index[x])
            elif x in c.asset_index:
                found.append((perm, c.asset_target[c.asset_index[x]]))
    if found:
        c.cred_grants[t] = found
    if nodes:
        c.cred_exec[t] = nodes


def derived_weaknesses(nodes: tuple[Node, ...]) -> list[Vulnerability]:
    """A service that needs no authentication (exploited from the internet when the node is
    exposed to it, else by an insider), and an MCP server reached over the network without
    authentication: ``missing_authentication``."""
    out = []
    for n in nodes:
        why = None
        if n.authentication == "none":
            why = f"exposure: {n.exposure}, authentication: none"
        elif (
            n.mcp is not None
            and n.mcp.transport in _NETWORK_TRANSPORTS
            and n.mcp.authentication == "none"
        ):
            why = f"MCP over {n.mcp.transport}, authentication: none"
        if why is not None:
            out.append(_weakness(f"missing-authentication@{n.id}", MISSING_AUTHENTICATION, n, why))
    return out


def posited_weaknesses(c: Compiled) -> list[Vulnerability]:
    """When the model asks for hypotheses: the weakness of every rule of the hypotheses table
    on every node it matches."""
    if not c.model.hypotheses:
        return []
    public = public_input_nodes(c.model)
    out = []
    for n in c.model.nodes:
        here = frozenset(c.model.asset(a).type for a in c.residents(n.id))
        for h in c.vocab.hypotheses:
            auth = n.authentication or "required"
            if h.matches(n.kind, n.exposure, auth, here, n.id in public):
                v = _weakness(f"{HYPOTHESIS_PREFIX}{h.id}@{n.id}", h.posit, n, h.title)
                affected = None
                if h.affects:
                    affected = tuple(
                        a for a in c.residents(n.id) if c.model.asset(a).type in h.affects
                    )
                out.append(replace(v, assets=affected, description=h.why, hypothetical=True))
    return out


def public_input_nodes(model: SystemModel) -> frozenset[str]:
    """The nodes where content from the internet is decoded: a node exposed to the internet
    (the edge), one a public model that reads images, audio or files (``multimodal_input``)
    runs on, and one where an asset is processed that feeds a public model's inputs or takes
    outside content (``untrusted_sources``): the data flow carries public input past the
    edge."""
    public = [m for m in model.models if m.exposure == "public"]
    inputs = {m.assets["inputs"] for m in public if "inputs" in m.assets}
    fed = {r.source for r in model.relations if r.kind == "feeds" and r.target in inputs}
    out = {n.id for n in model.nodes if n.exposure == "internet"}
    out.update(n for m in public if "multimodal_input" in m.features for n in m.deployed_on)
    for a in model.assets:
        if a.id in fed or a.untrusted_sources:
            out.update(r.node for r in a.resides if r.mode == "processed")
    return frozenset(out)


def _weakness(ident: str, vclass: str, node: Node, why: str) -> Vulnerability:
    return Vulnerability(
        id=ident,
        title=why,
        description=None,
        vclass=vclass,
        kind="conventional",
        node=node.id,
        model=None,
        asset=None,
        component=None,
        assets=None,
        cve=None,
        cwe=None,
        cvss=None,
        evidence=(),
        derived=why,
    )


def interface_calls(c: Compiled, v: Vulnerability) -> list[tuple[int, int]] | None:
    """What the derived ``missing_authentication`` of a node whose kind gives only its
    interface (``unauthenticated: interface``) grants: ``make_arbitrary_changes`` on the
    component each model it serves takes requests on (whoever reaches it sends them: the
    ``agent_messages`` of an agent another model's outputs task, which takes tasks on its
    endpoint, else the ``user_input``: a model's completion API takes any prompt)
    and on the ``inputs`` of each tool that runs on it (they call it with any arguments), as
    (target, capability). None for any other weakness, which grants over what the node
    stores and processes by residency; and None for one declared on named resident assets
    (``assets:``), which says what is open on the node: those keep their residency grant."""
    if v.vclass != MISSING_AUTHENTICATION or v.node is None or v.assets is not None:
        return None
    if c.model.node(v.node).kind in c.vocab.open_contents:
        return None
    tasked = memo(c.model, "tasked-inputs", lambda: _tasked_inputs(c.model))
    refs = [
        (
            m.assets["inputs"],
            "agent_messages"
            if m.kind == "agent" and m.assets["inputs"] in tasked
            else "user_input",
        )
        for m in c.model.models
        if v.node in m.deployed_on and "inputs" in m.assets
    ]
    refs.extend((t.id, "inputs") for t in c.model.tools if t.node == v.node)
    cap = c.cap_index["make_arbitrary_changes"]
    return [(t, cap) for aid, comp in refs if (t := c.target_of_ref(aid, comp)) >= 0]


def _tasked_inputs(model: SystemModel) -> frozenset[str]:
    """The ``inputs`` assets of agents that take their requests as tasks: another model's
    outputs feed their ``agent_messages``, or, for an agent that is not public, an asset
    does (an inbox of task messages) while nothing feeds its ``user_input``."""
    outputs = {m.assets["outputs"] for m in model.models if "outputs" in m.assets}
    public = {m.assets["inputs"] for m in model.models if m.exposure == "public"}
    feeds = [r for r in model.relations if r.kind == "feeds"]
    prompted = {r.target for r in feeds if r.target_component in (None, "user_input")}
    return frozenset(
        r.target
        for r in feeds
        if r.target_component == "agent_messages"
        and (r.source in outputs or (r.target not in public and r.target not in prompted))
    )
