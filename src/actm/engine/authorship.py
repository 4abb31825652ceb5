"""Who can author what a model reads, and which tool servers are exposed: the parts of the
engine's view (:mod:`actm.engine.view`) that read outside content, assumptions about third
parties, the weaknesses in force (declared, derived or posited) and the MCP servers' packages.

A view made from another one (a counterfactual rerun's, or one with posited weaknesses) works
these out again where a weakness can change them (:func:`posited_authors`,
:func:`exposed_servers`): weaknesses only add authors and exposed servers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import replace

from actm.engine.compiled import Compiled
from actm.engine.derived import MISSING_AUTHENTICATION
from actm.engine.owner_facts import OwnerInfo
from actm.model.system import Asset, Model, Node, Package, SystemModel, Tool, Vulnerability

USERS = "user_input"


def model_output(asset: Asset) -> bool:
    """Whether the asset is a model's ``outputs`` or ``output_details``."""
    return asset.model is not None and asset.type in ("outputs", "output_details")


def tools_bring_content(m: SystemModel, model: Model, usable: list[Tool]) -> bool:
    """Whether the results of the model's tools may carry content: a tool reads an asset,
    runs code or declares outside results, or nothing the model file declares says what
    fills its ``tool_results``. Tools that read nothing, whose results the model file
    declares to be other models' outputs (a sub-agent's report returned by the tool that
    delegated to it), bring only those outputs."""
    if not usable:
        return False
    if any(t.read or t.execute or t.untrusted_results for t in usable):
        return True
    inputs = model.assets.get("inputs")
    return not any(
        r.kind == "feeds"
        and r.target == inputs
        and r.target_component == "tool_results"
        and model_output(m.asset(r.source))
        for r in m.relations
    )


def weaknesses_in_force(c: Compiled, *, posited: bool) -> Iterator[tuple[str, Vulnerability]]:
    """(node, vulnerability) for each vulnerability of ``c`` on a node and not removed by a
    control: declared, derived from what the model states (``authentication: none``), and,
    with ``posited``, posited by a hypothesis."""
    for v in (*c.model.vulnerabilities, *c.extra_vulns.values()):
        if v.node is not None and v.id not in c.removed_vulns and (posited or not v.hypothetical):
            yield v.node, v


def outside_authored_assets(c: Compiled, *, posited: bool = False) -> frozenset[str]:
    """Assets someone outside the system writes: outside content is declared on them, an
    assumption lets a third party change them (a skill's author, a vendor's feed), or they are
    stored on a node whose service takes writes without authentication (a store of kind
    ``unauthenticated: contents`` with a ``missing_authentication`` weakness in force,
    declared, derived from ``authentication: none``, or, with ``posited``, posited by a
    hypothesis): whoever reaches that node can author what the tools read there."""
    m = c.model
    found = {a.id for a in m.assets if a.untrusted_sources or a.component_sources}
    found.update(
        x.asset.split(".")[0]
        for x in m.assumptions
        if x.capability is not None and m.is_third_party(x.producer)
    )
    open_kinds = c.vocab.open_contents
    kinds = {n.id: n.kind for n in m.nodes}
    for node, v in weaknesses_in_force(c, posited=posited):
        if v.vclass != MISSING_AUTHENTICATION or kinds.get(node) not in open_kinds:
            continue
        found.update(a for a in c.residents(node) if v.assets is None or a in v.assets)
    # what is derived from (an index of a mailbox) or part of outside-authored content carries it
    carried = [(r.source, r.target) for r in m.relations if r.kind in ("derives", "part_of")]
    grew = True
    while grew:
        before = len(found)
        found.update(dst for src, dst in carried if src in found)
        grew = len(found) > before
    return frozenset(found)


def posited_authors(c: Compiled, info: MutableMapping[str, OwnerInfo], *, posited: bool) -> None:
    """Add to the authored components of each model those that an asset a weakness in force
    of ``c`` (``posited``: a posited one too) opens to outside authors feeds, and
    ``tool_results`` where its tools read such an asset (and mark such tools as returning
    outside content: :func:`outside_results`); weaknesses only add authors, so the
    components already there stay. The same whether the view is built from scratch or made
    from another one."""
    authored = outside_authored_assets(c, posited=posited)
    outside_results(c, info, authored)
    fed = authored_feeds(c, authored)
    tools = {t.id: t for t in c.model.tools}
    for model, facts in list(info.items()):
        if facts.sort != "model":
            continue
        usable = [tools[t] for t in facts.tools if t in tools]
        results = "tool_results" in facts.content_components and tools_bring_outside_content(
            usable, authored
        )
        added = fed.get(model, frozenset()) | ({"tool_results"} if results else frozenset())
        if not added <= facts.authored_components:
            info[model] = replace(facts, authored_components=facts.authored_components | added)


def authored_feeds(c: Compiled, authored: frozenset[str]) -> dict[str, frozenset[str]]:
    """Model -> the components of its inputs that a relation in force feeds from an asset
    someone outside the system writes (:func:`outside_authored_assets`); ``""`` for the whole
    inputs asset. An asset only the system writes (a payload its callers send, a memory its
    agent keeps) carries what its owner wrote: changed on its way, or by the agent it steers
    into writing it, it is that flow's or that agent's threat."""
    m = c.model
    found: dict[str, set[str]] = {}
    for r in m.relations:
        if r.kind != "feeds" or r.id in c.blocked or r.source not in authored:
            continue
        target = m.asset(r.target)
        if target.model is not None and target.type == "inputs":
            found.setdefault(target.model, set()).add(r.target_component or "")
    return {k: frozenset(v) for k, v in found.items()}


def outside_results(
    c: Compiled, info: MutableMapping[str, OwnerInfo], authored: frozenset[str]
) -> None:
    """Mark the tools whose results may carry what someone outside the system wrote
    (:func:`tools_bring_outside_content` of the tool alone: pages it browses, code it runs,
    an inbox it reads); only from false to true, as authors only grow."""
    for t in c.model.tools:
        facts = info.get(t.id)
        if facts is None or facts.outside_results:
            continue
        if tools_bring_outside_content([t], authored):
            info[t.id] = replace(facts, outside_results=True)


def tools_bring_outside_content(usable: list[Tool], authored: frozenset[str]) -> bool:
    """Whether the results of the model's tools may carry what someone outside the system
    wrote: a tool declares outside results (``untrusted_results``: web pages, e-mail), runs
    code (whatever the command prints), or reads an asset someone outside writes
    (:func:`outside_authored_assets`). ``egress`` says where a tool sends, not what comes
    back. A tool that reads only the system's own data returns what its owner wrote: content
    changed in it by a compromise of the tool, its server or its transport is that
    compromise's threat."""
    return any(
        t.untrusted_results or t.execute or any(a in authored for a, _ in t.read) for t in usable
    )


def content_components(
    c: Compiled, outside: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """Model -> the components of its inputs that something other than another model's
    outputs feeds (a relation in force from an asset that is not a model's ``outputs`` or
    ``output_details``), or on which its inputs declare outside content (``outside``:
    :func:`outside_components`); ``""`` for the whole inputs asset."""
    m = c.model
    found: dict[str, set[str]] = {}
    for r in m.relations:
        if r.kind != "feeds" or r.id in c.blocked:
            continue
        target, source = m.asset(r.target), m.asset(r.source)
        if target.model is None or target.type != "inputs":
            continue
        if model_output(source):
            continue
        found.setdefault(target.model, set()).add(r.target_component or "")
    for model, comps in outside.items():
        found.setdefault(model, set()).update(comps)
    return {k: frozenset(v) for k, v in found.items() if v}


def client_kinds(c: Compiled) -> dict[str, frozenset[str]]:
    """Model -> the kinds of the nodes where the assets that relations in force feed into its
    ``user_input`` (or its whole inputs) reside: the product client its users' requests come
    through (the app that captures a face on a phone, the extractor on an endpoint)."""
    m = c.model
    kinds = {n.id: n.kind for n in m.nodes}
    found: dict[str, set[str]] = {}
    for r in m.relations:
        if r.kind != "feeds" or r.id in c.blocked or r.target_component not in (None, USERS):
            continue
        target = m.asset(r.target)
        if target.model is None or target.type != "inputs":
            continue
        found.setdefault(target.model, set()).update(
            kinds[x.node] for x in m.asset(r.source).resides if x.node in kinds
        )
    return {k: frozenset(v) for k, v in found.items() if v}


def outside_components(m: SystemModel) -> dict[str, frozenset[str]]:
    """Model -> the components of its inputs on which outside content is declared
    (``component_sources``); ``""`` when ``untrusted_sources`` declare it on the whole
    inputs asset."""
    found: dict[str, frozenset[str]] = {}
    for x in m.models:
        inputs = m.asset(x.assets["inputs"]) if "inputs" in x.assets else None
        if inputs is None:
            continue
        here = frozenset(inputs.component_sources) | (
            {""} if inputs.untrusted_sources else frozenset()
        )
        if here:
            found[x.id] = here
    return found


def vulnerable_nodes(c: Compiled, *, posited: bool = False) -> set[str]:
    """The nodes with a conventional vulnerability in force (``posited``: or one a hypothesis
    posits there)."""
    found = {
        v.node
        for v in c.model.vulnerabilities
        if v.kind != "ai" and v.node is not None and v.id not in c.removed_vulns
    }
    if posited:
        found.update(
            v.node
            for v in c.extra_vulns.values()
            if v.hypothetical and v.node is not None and v.id not in c.removed_vulns
        )
    return found


def exposed_servers(
    c: Compiled, info: MutableMapping[str, OwnerInfo], *, posited: bool = False
) -> None:
    """Mark the tools on a node a vulnerability in force of ``c`` reaches (``posited``: or a
    posited one) as exposed servers: for a view made from one with more vulnerabilities
    removed, or with posited weaknesses added (only that part of ``exposed_server`` can
    differ, and only from false to true)."""
    vulnerable = vulnerable_nodes(c, posited=posited)
    tools = {t.id: t for t in c.model.tools}
    for a in c.model.assets:
        tool = tools.get(a.tool) if a.tool else None
        facts = info.get(a.id)
        if tool is None or facts is None or facts.exposed_server or tool.node not in vulnerable:
            continue
        info[a.id] = replace(facts, exposed_server=True)


def serves_mcp(n: Node, p: Package) -> bool:
    """Package ``p`` is the code of the MCP server on node ``n``."""
    return (n.kind == "mcp_server" and n.id in p.runs_on) or (
        n.mcp is not None and n.mcp.package == p.id
    )


def server_publishers(m: SystemModel) -> dict[str, tuple[str, ...]]:
    """Node -> the publishers of the packages its MCP server comes from, the one its
    ``mcp.package`` names first: the authors of the tools that run there and name no owner
    of their own."""
    out: dict[str, tuple[str, ...]] = {}
    for n in m.nodes:
        named = n.mcp.package if n.mcp is not None else None
        found = sorted((p.id != named, p.publisher) for p in m.packages if serves_mcp(n, p))
        if found:
            out[n.id] = tuple(publisher for _, publisher in found)
    return out


def third_party_definitions(
    m: SystemModel, authored: frozenset[str], out: dict[str, OwnerInfo]
) -> None:
    """Add ``tool_definitions`` to the authored components of each model one of whose tools
    someone outside the system describes: a third party owns the tool (or publishes the MCP
    server it runs in, or runs its node), or an assumption lets a third party change it."""
    for model in m.models:
        facts = out.get(model.id)
        if facts is None or "tool_definitions" in facts.authored_components:
            continue
        if any(
            t in authored or (t in out and m.is_third_party(out[t].owner or None))
            for t in facts.tools
        ):
            out[model.id] = replace(
                facts, authored_components=facts.authored_components | {"tool_definitions"}
            )
