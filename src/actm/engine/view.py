"""The engine's implementation of the conditions' :class:`~actm.knowledge.conditions.SystemView`.

Built once per compiled model (and shared by every closure over it) from the model and the
controls in force: what each model and asset is, what its tools read, write and run, which
relations are not blocked, where assets reside and which vulnerabilities reach them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, MutableMapping
from collections.abc import Set as AbstractSet
from dataclasses import replace

from actm.engine.audience import (
    asker_only_models,
    confidential,
    confidential_prompts,
    public_datasets,
)
from actm.engine.authorship import (
    authored_feeds,
    client_kinds,
    content_components,
    exposed_servers,
    outside_authored_assets,
    outside_components,
    outside_results,
    posited_authors,
    server_publishers,
    serves_mcp,
    third_party_definitions,
    tools_bring_content,
    tools_bring_outside_content,
    vulnerable_nodes,
    weaknesses_in_force,
)
from actm.engine.canonical import kept, memo
from actm.engine.compiled import Compiled
from actm.engine.controls import patches_only
from actm.engine.derived import MISSING_AUTHENTICATION
from actm.engine.outbound import outbound_nodes
from actm.engine.owner_facts import OwnerInfo
from actm.knowledge.conditions import Index, SystemView
from actm.model.system import Asset, Model, Node, SystemModel, Tool, Vulnerability

__all__ = ["EngineView", "OwnerInfo"]

_EMPTY: frozenset[str] = frozenset()


class EngineView:
    """What the ``where`` conditions read, from one compiled model's tables."""

    def __init__(self, c: Compiled, *, posited: bool = False) -> None:
        # no reference to ``c``: the view is kept in ``c.caches``, and a cycle would outlive
        # every counterfactual run (the CLI runs with the cyclic garbage collector off)
        self.info = _owner_info(c)
        self._model = c.model
        self._asset_ids = c.asset_ids
        m = c.model
        self.feeds_into = frozenset(
            (
                c.asset_owner[c.asset_index[r.source]],
                c.asset_owner[c.asset_index[r.target]],
                r.target_component or "",
            )
            for r in m.relations
            if r.kind == "feeds" and r.id not in c.blocked
        )
        self.feeds = frozenset((src, dst) for src, dst, _ in self.feeds_into)
        self.derived, self.parts = _derived_and_parts(c)
        placed = memo(m, "view-placement", lambda: _Placement(c), on=c.vocab)
        self.asset_nodes = placed.asset_nodes
        """Per asset index: the nodes it resides on (a tool's asset: the node it runs on)."""
        self.owner_nodes: Mapping[str, frozenset[str]] = placed.owner_nodes
        self.on_node: Mapping[str, frozenset[str]] = placed.on_node
        self._node_kind = placed.node_kind
        self._node_settings = placed.node_settings
        self._node_vulns = _node_vulnerabilities(c, placed.on_node_assets, posited=posited)
        _embedding(m, self.info, self._node_vulns)
        if posited:  # what the posited weaknesses add; _owner_info saw only those in force
            exposed_servers(c, self.info, posited=True)
            posited_authors(c, self.info, posited=True)
        self._declared_tools = placed.declared_tools
        self._kinds: dict[int, frozenset[str]] = {}
        self._indexes: dict[Callable[[SystemView], Index], Index] = {}
        self.answers: dict[tuple[int, str, int], bool] = {}
        """The static ``where`` answers worked out on this view: (id of the ``where``, owner,
        asset index) -> whether they hold (engine/matching.py ``static_ok``)."""

    @staticmethod
    def of(c: Compiled, *, posited: bool = False) -> EngineView:
        """The view of ``c``, built on first use: the system's structure does not change
        between runs on the same compiled model. With ``posited``, the weaknesses hypotheses
        posit count as vulnerabilities on their nodes too (the matcher's view once the
        closure has added them: whatever it finds from then on is hypothetical)."""
        name = "system_view_posited" if posited else "system_view"
        view: EngineView | None = c.caches.get(name)
        if view is None:
            view = EngineView.of(c)._with_posited(c) if posited else _plain_view(c)
            c.caches[name] = view
        return view

    def _with_vulnerabilities(self, c: Compiled, *, posited: bool) -> EngineView:
        """This view with the vulnerabilities in force of ``c`` (``posited``: the posited
        ones too): the same tables but for those the vulnerabilities reach (per node and
        asset, and the containers' classes of an embedded secret), which are worked out
        again. No other part of the view reads a conventional vulnerability or a posited one
        (an AI weakness is read by ``_owner_info``: the callers keep those the same)."""
        out = copy.copy(self)
        placed = memo(c.model, "view-placement", lambda: _Placement(c), on=c.vocab)
        out._node_vulns = _node_vulnerabilities(c, placed.on_node_assets, posited=posited)
        out.info = dict(self.info)
        _embedding(c.model, out.info, out._node_vulns)
        exposed_servers(c, out.info, posited=posited)
        posited_authors(c, out.info, posited=posited)
        out._kinds = {}
        out._indexes = {}
        out.answers = self._answers_kept(out, c)
        return out

    def _answers_kept(self, out: EngineView, c: Compiled) -> dict[tuple[int, str, int], bool]:
        """This view's static answers that hold on ``out`` too (made from this one by
        :meth:`_with_vulnerabilities`). A static condition reads the bound owner's facts and,
        of the view, only what concerns the bound asset: the kinds, settings and
        vulnerabilities of its nodes and its criticality (``StaticCondition.holds``); only
        the facts and the vulnerabilities differ between the two views. So an answer is kept
        when its owner's facts are equal in both and its asset has the same vulnerabilities."""
        mine_info = self.info
        changed = {
            o
            for o, facts in out.info.items()
            if (was := mine_info.get(o)) is not facts and was != facts
        }
        mine, theirs = self._node_vulns, out._node_vulns
        reached = {
            c.asset_index[key[1]]
            for key in mine.keys() | theirs.keys()
            if mine.get(key) != theirs.get(key)
        }
        return {
            k: ok for k, ok in self.answers.items() if k[1] not in changed and k[2] not in reached
        }

    def _with_posited(self, c: Compiled) -> EngineView:
        """This view with the weaknesses hypotheses posit counted as vulnerabilities on their
        nodes (:meth:`_with_vulnerabilities`)."""
        return self._with_vulnerabilities(c, posited=True)

    def owner(self, key: str) -> OwnerInfo | None:
        return self.info.get(key)

    def owners(self) -> list[tuple[str, OwnerInfo]]:
        return sorted(self.info.items())

    def declared_tools(self, model: str) -> frozenset[str] | None:
        return self._declared_tools.get(model)

    def node_kinds(self, asset: int) -> frozenset[str]:
        found = self._kinds.get(asset)
        if found is None:
            kinds = self._node_kind
            found = frozenset(kinds[n] for n in self.asset_nodes[asset] if n in kinds)
            self._kinds[asset] = found
        return found

    def node_values(self, asset: int, key: str) -> frozenset[str]:
        settings = self._node_settings
        return frozenset(
            settings[n][key]
            for n in self.asset_nodes[asset]
            if n in settings and key in settings[n]
        )

    def node_vulnerabilities(self, asset: int) -> frozenset[str]:
        aid = self._asset_ids[asset]
        out: set[str] = set()
        for n in self.asset_nodes[asset]:
            out |= self._node_vulns.get((n, aid), _EMPTY)
        return frozenset(out)

    def criticality(self, asset: int) -> Mapping[str, str]:
        return self._model.asset(self._asset_ids[asset]).criticality

    def index(self, build: Callable[[SystemView], Index]) -> Index:
        found = self._indexes.get(build)
        if found is None:
            found = self._indexes[build] = build(self)
        return found


_IN_FORCE = "view-controls-in-force"
"""Memo key of the view with every implemented control in force, and those controls."""


_UNSEEN = frozenset({"weakens", "breaks", "justifies"})
"""Control effects no part of the view reads (they change the propagation's edges, the attack
rules and the seeds' costs)."""


_OWN_CONTENT = frozenset({"personal_data", "business_data"})
"""Asset types whose own content is worth taking, whatever secret they also embed."""


def _plain_view(c: Compiled) -> EngineView:
    """The view of ``c`` (no posited weakness). A counterfactual rerun whose controls left
    out only patch conventional vulnerabilities or have effects the view does not read
    (:data:`_UNSEEN`) differs from the run with every control in force, as far as the view
    goes, only in those vulnerabilities: its view is that run's, with what the
    vulnerabilities reach worked out again (:meth:`EngineView._with_vulnerabilities`)."""
    m = c.model
    implemented = frozenset(x.id for x in m.controls if x.status == "implemented")
    base: tuple[EngineView, frozenset[str]] | None = kept(m, _IN_FORCE, on=c.vocab)
    if base is not None and c.in_force < base[1] and _patches_only(c, base[1] - c.in_force):
        return base[0]._with_vulnerabilities(c, posited=False)
    view = EngineView(c)
    if implemented and c.in_force == implemented:
        # kept for the reruns without some of them (and their static answers with it); a
        # model without implemented controls has none, and its view goes with its run
        memo(m, _IN_FORCE, lambda: (view, c.in_force), on=c.vocab)
    return view


def _patches_only(c: Compiled, left_out: AbstractSet[str]) -> bool:
    """Whether each control of ``left_out`` does nothing the view reads but remove
    conventional vulnerabilities of the model (:func:`~actm.engine.controls.patches_only`)."""
    return patches_only(c.model, left_out, _UNSEEN)


class _Placement:
    """Where each asset and owner sits, and what each node is: what the conditions read of the
    model that no control changes, so one per model (shared by the views of all its runs)."""

    def __init__(self, c: Compiled) -> None:
        m = c.model
        self.asset_nodes = tuple(frozenset(r.node for r in m.asset(a).resides) for a in c.asset_ids)
        owner_nodes: dict[str, set[str]] = {}
        on_node: dict[str, set[str]] = {}
        for ai, nodes in enumerate(self.asset_nodes):
            owner = c.asset_owner[ai]
            owner_nodes.setdefault(owner, set()).update(nodes)
            for n in nodes:
                on_node.setdefault(n, set()).add(owner)
        self.owner_nodes = {k: frozenset(v) for k, v in owner_nodes.items()}
        self.on_node = {k: frozenset(v) for k, v in on_node.items()}
        self.node_kind = {n.id: n.kind for n in m.nodes}
        out = outbound_nodes(m, c.vocab.agency.external_trust)
        self.node_settings = {n.id: _settings(n, n.id in out) for n in m.nodes}
        self.on_node_assets = _on_node_assets(self.asset_nodes)
        self.declared_tools = {x.id: frozenset(x.tools) for x in m.models}


def _settings(n: Node, outbound: bool) -> dict[str, str]:
    """What the node-setting conditions read of one node, as words (``outbound``: the model
    shows it opening connections out of the system)."""
    out = {
        "exposure": n.exposure,
        "outbound": str(outbound).lower(),
        "authentication": n.authentication or "required",
        "physical_access": str(n.physical_access).lower(),
        "shared": str(bool(n.shared_with)).lower(),
    }
    if n.mcp is not None:
        out["mcp_transport"] = n.mcp.transport
        out["mcp_authentication"] = n.mcp.authentication or "none"
    return out


def _on_node_assets(asset_nodes: tuple[frozenset[str], ...]) -> dict[str, list[int]]:
    """Node -> the assets residing on it."""
    out: dict[str, list[int]] = {}
    for ai, nodes in enumerate(asset_nodes):
        for n in nodes:
            out.setdefault(n, []).append(ai)
    return out


def _node_vulnerabilities(
    c: Compiled, on_node: Mapping[str, list[int]], *, posited: bool
) -> dict[tuple[str, str], frozenset[str]]:
    """(node, asset id) -> classes of the vulnerabilities in force that reach it: declared, or
    derived from what the model states (``authentication: none``); a posited one only with
    ``posited``."""
    vulns: dict[tuple[str, str], set[str]] = {}
    for node, v in weaknesses_in_force(c, posited=posited):
        for ai in on_node.get(node, ()):
            aid = c.asset_ids[ai]
            if (v.assets is None or aid in v.assets) and _opens(c, node, v, aid):
                vulns.setdefault((node, aid), set()).add(v.vclass)
    return {k: frozenset(v) for k, v in vulns.items()}


def _opens(c: Compiled, node: str, v: Vulnerability, aid: str) -> bool:
    """Whether the weakness ``v`` of ``node`` reaches the resident ``aid``: a missing
    authentication that names no assets, on a node whose kind gives only its interface,
    reaches what the models and tools there take, not the data the node stores."""
    if v.vclass != MISSING_AUTHENTICATION or v.assets is not None:
        return True
    if c.model.node(node).kind in c.vocab.open_contents:
        return True
    asset = c.model.asset(aid)
    return asset.model is not None or asset.type == "tool"


def _embedding(
    m: SystemModel,
    info: MutableMapping[str, OwnerInfo],
    vulns: Mapping[tuple[str, str], frozenset[str]],
) -> None:
    """Fill in, for every asset another one ``contains``, the types of its containers and the
    vulnerability classes that reach them (where an embedded secret is exposed)."""
    types: dict[str, set[str]] = {}
    classes: dict[str, set[str]] = {}
    for a in m.assets:
        for x in a.contains:
            if x == a.id or x not in info:
                continue
            types.setdefault(x, set()).add(a.type)
            found = classes.setdefault(x, set())
            for r in a.resides:
                found |= vulns.get((r.node, a.id), _EMPTY)
    for x, found_types in types.items():
        # a new record, not the old one changed: a view with posited weaknesses shares the
        # others with the view it was made from
        info[x] = replace(
            info[x],
            embedded_in=frozenset(found_types),
            container_vulnerabilities=frozenset(classes[x]),
        )


def _derived_and_parts(
    c: Compiled,
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """(source, target) of the ``derives`` relations not blocked whose source is a
    conventional asset or a model's outputs, and (part, whole) of the ``part_of`` ones and of
    what an asset ``contains`` (a token embedded in a configuration file is part of it)."""
    derived: set[tuple[str, str]] = set()
    parts: set[tuple[str, str]] = {
        (c.asset_owner[c.asset_index[x]], c.asset_owner[c.asset_index[a.id]])
        for a in c.model.assets
        for x in a.contains
        if x in c.asset_index and x != a.id
    }
    for r in c.model.relations:
        if r.id in c.blocked or r.kind == "feeds":
            continue
        si = c.asset_index[r.source]
        src = c.asset_owner[si]
        dst = c.asset_owner[c.asset_index[r.target]]
        if src == dst:
            continue
        if r.kind == "part_of":
            parts.add((src, dst))
        elif c.vocab.category(c.asset_type[si]) != "ai" or c.asset_type[si] == "outputs":
            # what a model says, not what it reads, is what gets recorded from it
            derived.add((src, dst))
    return frozenset(derived), frozenset(parts)


def _allowed(c: Compiled, tool: Tool, egress: bool) -> frozenset[str]:
    """The permissions ``tool`` has that no control blocks; ``egress`` says whether it has
    that one (for a model, any egress; for the tool itself, egress out of the system)."""
    present = (
        ("read", bool(tool.read)),
        ("write", bool(tool.write)),
        ("execute", bool(tool.execute)),
        ("egress", egress),
        ("delete", bool(tool.delete)),
    )
    return frozenset(p for p, on in present if on and f"{tool.id}.{p}" not in c.blocked)


def _serving_nodes(m: SystemModel, model: Model, third: AbstractSet[str]) -> frozenset[str]:
    """The nodes that take a model's requests as the system's own: where its inputs are
    processed in front of it (a gateway or back end) and, for a public model a provider hosts,
    the provider's API it is deployed on (the system's key is billed there, past the
    application's limits). A login to a node that serves a model to the public gives no more
    than the public has; a key to where an internal model is hosted is ``cost-harvesting``'s."""
    inputs = model.assets.get("inputs")
    taken = () if inputs is None else m.asset(inputs).resides
    front = {r.node for r in taken if r.mode == "processed"} - set(model.deployed_on)
    hosted = [n for n in model.deployed_on if n in third] if model.exposure == "public" else []
    return frozenset(front).union(hosted)


_CONVERSING = frozenset({"llm", "agent"})


def _outputs_to_models_only(c: Compiled) -> frozenset[str]:
    """The models whose outputs some relation takes somewhere and every such relation feeds
    the inputs of another LLM or agent: an agent that only tasks and answers other agents.
    Controls do not count: a blocked flow does not change whom the model was built to answer
    (and so never brings a disclosure back)."""
    targets: dict[str, set[bool]] = {}
    for r in c.model.relations:
        if r.kind not in ("feeds", "derives"):
            continue
        src = c.model.asset(r.source)
        if src.model is None or src.type != "outputs":
            continue
        dst = c.model.asset(r.target)
        # a model that converses with the source (an LLM or an agent): a guard, classifier or
        # embedding model fed the answers checks or indexes what still goes to people
        to_model = (
            r.kind == "feeds"
            and dst.model is not None
            and dst.type == "inputs"
            and c.model.model(dst.model).kind in _CONVERSING
        )
        targets.setdefault(src.model, set()).add(to_model)
    return frozenset(model for model, kinds in targets.items() if kinds == {True})


def _owner_info(c: Compiled) -> dict[str, OwnerInfo]:
    m = c.model
    third = {n.id for n in m.nodes if m.is_third_party(n.owner)}
    out: dict[str, OwnerInfo] = {}
    tools = {t.id: t for t in m.tools}
    cleartext = _cleartext_targets(c)
    secret_prompts = confidential_prompts(c)
    outside = outside_components(m)
    content = content_components(c, outside)
    clients = client_kinds(c)
    authored = outside_authored_assets(c)
    fed_authored = authored_feeds(c, authored)
    to_models = _outputs_to_models_only(c)
    asker_only = asker_only_models(m)
    published = public_datasets(m)
    for model in m.models:
        usable = [tools[t] for t in model.tools if t in tools and t not in c.blocked]
        fed = content.get(model.id, frozenset())
        brings = tools_bring_content(m, model, usable)
        owner_tp = m.is_third_party(model.owner)
        hosted_tp = any(n in third for n in model.deployed_on)
        info = OwnerInfo(
            sort="model",
            kind=model.kind,
            exposure=model.exposure,
            features=model.features,
            exposes=frozenset(e for e in model.exposes if f"{model.id}.{e}" not in c.hidden),
            tool_permissions=frozenset().union(*(_allowed(c, t, bool(t.egress)) for t in usable)),
            has_tools=bool(usable),
            third_party=owner_tp or hosted_tp,
            owner_third_party=owner_tp,
            hosted_third_party=hosted_tp,
            tools={t.id for t in usable},
            owner=model.owner or "",
            approval=frozenset(_approval(c, t) for t in usable),
            decisions=frozenset(d for _, d in model.acted_on),
            acted_on_by=frozenset(by for by, _ in model.acted_on),
            acted_on=frozenset(model.acted_on),
            cleartext_inputs=model.assets.get("inputs") in cleartext,
            confidential_prompt=model.id in secret_prompts,
            confidential_data=confidential(m, model.assets.get("dataset")),
            own_session=hosted_tp and model.exposure != "public",
            models_only=model.id in to_models and model.exposure != "public" and not model.acted_on,
            asker_only=model.id in asker_only,
            public_dataset=model.id in published,
            serves_on=_serving_nodes(m, model, third),
            content_components=fed | ({"tool_results"} if brings else frozenset()),
            outside_components=outside.get(model.id, frozenset()),
            fed_from_kinds=clients.get(model.id, _EMPTY),
            sandbox=any(
                (t.sandbox or t.id in c.sandboxed) and "execute" in _allowed(c, t, False)
                for t in usable
            ),
            authored_components=outside.get(model.id, frozenset())
            | fed_authored.get(model.id, frozenset())
            | (
                {"tool_results"}
                if brings and tools_bring_outside_content(usable, authored)
                else frozenset()
            ),
        )
        for t in usable:
            _tool_reach(c, info, t)
        out[model.id] = info
    _asset_info(c, m, third, tools, out)
    outside_results(c, out, authored)
    third_party_definitions(m, authored, out)
    for ct, tis in c.cred_tools.items():
        cred = out.get(c.asset_ids[c.target_asset[ct]])
        if cred is not None:
            cred.authorises |= {c.tool_ids[ti] for ti in tis}
    for ct, nis in c.cred_nodes.items():
        cred = out.get(c.asset_ids[c.target_asset[ct]])
        if cred is not None:
            cred.opens |= {c.node_ids[ni] for ni in nis}
    for r in m.relations:
        source = out.get(c.asset_owner[c.asset_index[r.source]])
        if r.kind == "derives" and r.id not in c.blocked and source is not None:
            source.derives.add(r.process or "derives")
        trainee = out.get(c.asset_owner[c.asset_index[r.target]])
        if r.process in _TRAINING and not r.implicit and trainee is not None:
            trainee.trained = True
    kinds = c.vocab.model_kinds
    for model in m.models:
        bespoke = model.kind in kinds and not kinds[model.kind].foundation
        own = bespoke or model.base_model is not None or bool(model.trained_on)
        if own and model.id in out:
            out[model.id].trained = True
    for v in m.vulnerabilities:
        if v.kind != "ai" or v.id in c.removed_vulns:
            continue
        ai = c.asset_index.get(v.asset) if v.asset is not None else None
        key = c.asset_owner[ai] if ai is not None else v.model
        holder = out.get(key) if key is not None else None
        if holder is not None:
            holder.weaknesses.add(v.vclass)
    return out


_TRAINING = frozenset({"training", "fine_tuning"})


def _asset_info(
    c: Compiled,
    m: SystemModel,
    third: set[str],
    tools: Mapping[str, Tool],
    out: dict[str, OwnerInfo],
) -> None:
    """The facts of every conventional asset and tool, added to ``out``."""
    node_owner = {n.id: n.owner for n in m.nodes}
    personal = {n.id for n in m.nodes if n.kind in c.vocab.personal_kinds}
    cleartext = _cleartext_targets(c)
    builders = _model_builders(c)
    server_publisher = server_publishers(m)
    exposed_nodes = {
        n for n, ps in server_publisher.items() if any(m.is_third_party(p) for p in ps)
    } | vulnerable_nodes(c)
    for a in m.assets:
        if a.category == "ai":
            continue
        tool = tools.get(a.tool) if a.tool else None
        outside = bool(a.untrusted_sources or a.component_sources) or bool(
            tool and tool.untrusted_results
        )
        where = {r.node for r in a.resides} | ({tool.node} if tool and tool.node else set())
        hosted_tp = any(r.node in third for r in a.resides)
        owner = a.owner or (tool.owner if tool else None)
        if owner is None and tool is not None and tool.node is not None:
            owner = server_publisher.get(tool.node, (None,))[0] or node_owner.get(tool.node)
        # A tool that names no owner is its server's publisher's, else its node owner's code
        # (docs/model-format.md): whoever that is owns it for `owner_third_party` too.
        owner_tp = m.is_third_party(owner)
        info = OwnerInfo(
            sort="asset",
            kind=a.type,
            owner=owner or "",
            outside_content=outside,
            shared_channel=outside and not (where and where <= personal),
            third_party=owner_tp or hosted_tp,
            owner_third_party=owner_tp,
            hosted_third_party=hosted_tp,
            stored=any(r.mode == "stored" for r in a.resides) or not a.resides,
            human_approval=bool(tool and (tool.human_approval or tool.id in c.approved)),
            sandbox=bool(tool and (tool.sandbox or tool.id in c.sandboxed)),
            nodes=frozenset(r.node for r in a.resides),
            cleartext_inputs=a.id in cleartext,
            builds_model=a.id in builders,
        )
        if tool is not None:
            info.name = tool.name or tool.id
            info.exposed_server = (
                m.is_third_party(tool.owner) or hosted_tp or tool.node in exposed_nodes
            )
            info.tool_permissions = _allowed(c, tool, tool.external_egress)
            info.approval = frozenset({_approval(c, tool)})
            if tool.configured_in in c.asset_index:
                info.configured_in = frozenset({c.asset_owner[c.asset_index[tool.configured_in]]})
        _credential_info(c, m, a, info)
        if tool is not None and tool.id not in c.blocked:
            _tool_reach(c, info, tool)
        out[a.id] = info


def _model_builders(c: Compiled) -> frozenset[str]:
    """The assets that ``derives`` or ``part_of`` relations in force take, directly or through
    other assets (a staging copy, a cleaned set), into an AI asset of the development pipeline
    (a model's dataset, weights, hyperparameters, ...)."""
    types = c.vocab.asset_types
    into: dict[str, list[str]] = {}  # target -> the sources of its relations
    found: set[str] = set()
    todo: list[str] = []
    for r in c.model.relations:
        if r.kind not in ("derives", "part_of") or r.id in c.blocked:
            continue
        into.setdefault(r.target, []).append(r.source)
        target = types.get(c.model.asset(r.target).type)
        if target is not None and target.category == "ai" and target.pipeline == "development":
            todo.append(r.source)
    while todo:
        source = todo.pop()
        if source not in found:
            found.add(source)
            todo.extend(into.get(source, ()))
    return frozenset(found)


def _approval(c: Compiled, tool: Tool) -> str:
    return "every_call" if tool.id in c.approved else tool.approval


def _cleartext_targets(c: Compiled) -> frozenset[str]:
    """The assets some relation in force feeds without both encryption and authentication
    (one pass over the relations, not one per model)."""
    return frozenset(
        r.target
        for r in c.model.relations
        if not (r.encrypted and r.authenticated) and r.id not in c.blocked
    )


def _credential_info(c: Compiled, m: SystemModel, a: Asset, info: OwnerInfo) -> None:
    """What the conditions read of a credential, of an asset that contains one, of a
    package."""
    access = set(c.vocab.access_types)
    info.contains_secret = any(m.asset(x).type in access for x in a.contains)
    # a carrier of a secret (a configuration, logs): personal or business data that embeds a
    # key is worth taking for its own content, stated or not
    info.secret_wrapper = (
        info.contains_secret and "confidentiality" not in a.stated and a.type not in _OWN_CONTENT
    )
    if a.package is not None:
        p = m.package(a.package)
        info.package = (p.ecosystem, p.pinned, p.verified)
        info.serves_mcp = any(serves_mcp(n, p) for n in m.nodes)
    if not a.grants:
        return
    beyond = m.beyond_use(a.id)
    narrowed = a.id in c.narrowed
    kept = {
        perm: [x for x in granted if not (narrowed and x in beyond.get(perm, ()))]
        for perm, granted in a.grants.items()
    }
    info.grants = frozenset(perm for perm, found in kept.items() if found)
    info.granted = frozenset(
        c.asset_owner[c.asset_index[x]]
        for perm, found in kept.items()
        if perm != "execute"
        for x in found
    )
    info.runs_code_on = frozenset(kept.get("execute", ()))
    info.over_broad = bool(beyond) and not narrowed
    if not narrowed:
        info.excess = frozenset(
            x if perm == "execute" else c.asset_owner[c.asset_index[x]]
            for perm, found in beyond.items()
            for x in found
        )


def _tool_reach(c: Compiled, info: OwnerInfo, tool: Tool) -> None:
    if f"{tool.id}.read" not in c.blocked:
        read = [a for a, _ in tool.read]
        # what a tool reads includes what is embedded in it (a key in a config file it scans)
        read += [x for a in read for x in c.model.asset(a).contains if x in c.asset_index]
        info.reads |= {c.asset_owner[c.asset_index[a]] for a in read}
    if f"{tool.id}.write" not in c.blocked:
        info.writes |= {c.asset_owner[c.asset_index[a]] for a, _ in tool.write}
    if f"{tool.id}.delete" not in c.blocked:
        info.deletes |= {c.asset_owner[c.asset_index[a]] for a, _ in tool.delete}
    if f"{tool.id}.execute" not in c.blocked:
        info.executes_on |= set(tool.execute)
        # code the steered model runs itself: not behind a sandbox, nor behind a person who
        # approves every call (declared or by a control in force)
        confined = tool.sandbox or tool.id in c.sandboxed
        if not (confined or tool.human_approval or tool.id in c.approved):
            info.executes_open_on |= set(tool.execute)
