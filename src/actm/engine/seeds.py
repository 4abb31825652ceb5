"""The facts a model declares: where the closure starts, and who starts it.

Every seed belongs to an *entry point*: the adversary whose starting capability it is
(``entry``) and how far that adversary must reach into the system to hold it (``reach``):

* ``internet``: anyone on the internet (the public user of a public model, the author of
  outside content the system ingests, whoever reaches a node exposed to the internet);
* ``authenticated``: someone with an account;
* ``insider``: someone inside the organisation's network (a declared adversary by default,
  whoever exploits a weakness of an internal node);
* ``operator``: an organisation that runs part of the system or supplies it (a third-party
  node's operator, the producer an assumption is about, unless the assumption says otherwise:
  the registrant of a package name a tool installs reaches from the internet).

AI weaknesses that grant capabilities by themselves are *conditions* (entry ``condition``):
whoever reaches the model uses them.

Besides the adversaries the model declares, entry points follow from what it states about its
infrastructure (adversaries.yaml ``entry_points``): the ``internet-attacker`` or ``insider``
who exploits a node's weakness (declared, derived from ``authentication: none``, or posited by
a hypothesis), the ``network-attacker`` on a flow that is not encrypted or not authenticated,
and the ``physical-actor`` in the scene a physically exposed model perceives. A seed of a
posited weakness is ``hypothetical``: the closure adds it last, so whatever needs it is found
after everything that does not.

Each source is one function of :func:`build_seeds`; a new kind of source is one more function
that sets its entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from actm.engine.compiled import Compiled, ai_vuln_seeds, pipe_index, type_pipeline
from actm.engine.derived import interface_calls
from actm.engine.facts import Rule
from actm.model.system import Adversary

__all__ = [
    "CONDITION",
    "REACH",
    "Seed",
    "assumption_seed",
    "build_seeds",
    "node_exploiter",
    "supplier",
]

REACH = ("internet", "authenticated", "insider", "operator")
"""How far an adversary must reach into the system, most realistic (widest audience) first."""

CONDITION = "condition"
"""The entry of a seed that is a condition anyone who reaches it uses, not an adversary's."""


@dataclass(frozen=True, slots=True)
class Seed:
    """A fact the model declares, or a declared vulnerability on a node (``node >= 0``)."""

    target: int
    cap: int
    persistent: bool
    pipe: int
    rule: int
    via: object
    node: int = -1
    vclass: int = -1
    only: frozenset[int] | None = None
    entry: str = CONDITION
    """The entry point (adversary) whose starting capability this is."""
    reach: str = ""
    """How far that adversary reaches (one of :data:`REACH`; empty for a condition)."""
    hypothetical: bool = False
    """A weakness a hypothesis posits, not one the model states."""


def supplier(producer: str) -> str:
    """The entry point of the producer an assumption is about."""
    return f"supplier:{producer}"


def operator(owner: str) -> str:
    """The entry point of a third-party node's operator."""
    return f"operator:{owner}"


def node_exploiter(c: Compiled, node_id: str) -> tuple[str, str]:
    """Who exploits a weakness of ``node_id`` unless the model says: (entry, reach).

    A node exposed to the internet (declared, or by default in a zone of trust ``untrusted``)
    is reached from the internet; any other node only from inside the organisation's network.
    """
    node = c.model.node(node_id)
    if node.exposure == "internet":
        return "internet-attacker", "internet"
    return "insider", "insider"


_ENTRY_REACH = {
    "internet-attacker": "internet",
    "insider": "insider",
    "network-attacker": "internet",
    "physical-actor": "internet",
    "external-user": "internet",
    "content-author": "internet",
    "third-party": "operator",
}
"""How far the built-in adversaries and entry points reach (a declared adversary says it)."""


def reach_of(c: Compiled, who: str) -> str:
    """How far the adversary or entry point ``who`` reaches."""
    found = next((a for a in c.model.adversaries if a.id == who and not a.builtin), None)
    if found is not None:
        return found.reach
    return _ENTRY_REACH.get(who, "insider")


def assumption_seed(c: Compiled, aid: str, cap: int) -> Seed:
    """The seed of assumption ``aid`` as if it assumed capability ``cap``."""
    a = next(x for x in c.model.assumptions if x.id == aid)
    t = c.target_of_ref(a.asset, a.component)
    return Seed(
        t,
        cap,
        a.persistent and c.integrity[cap],
        pipe_index(a.pipeline),
        Rule.ASSUMPTION,
        aid,
        entry=supplier(a.producer),
        reach=a.reach,
    )


class _Sink:
    """Collects seeds, dropping those on a target the model does not have."""

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.seeds: list[Seed] = []

    def add(
        self,
        t: int,
        cap: str,
        persistent: bool,
        pipe: int,
        rule: int,
        via: object,
        entry: str,
        reach: str,
    ) -> None:
        if t < 0:
            return
        k = self.c.cap_index[cap]
        self.seeds.append(
            Seed(
                t, k, persistent and self.c.integrity[k], pipe, rule, via, entry=entry, reach=reach
            )
        )


def _public_users(c: Compiled, adv: Adversary, sink: _Sink) -> None:
    """The public user of every model it reaches: what it types, what the model returns."""
    d = c.vocab.adversaries[adv.id]
    reach = set(adv.reaches) if adv.reaches is not None else None
    for m in c.model.models:
        if reach is not None:
            if m.id not in reach:
                continue
        elif m.exposure != "public":
            continue
        how = _account_needed(c, m.deployed_on)
        for g in d.grants:
            if g.asset == "exposed":
                for exp in m.exposes:
                    if f"{m.id}.{exp}" in c.hidden:
                        continue
                    t = c.target_of(m.id, exp, None)
                    sink.add(
                        t, g.capability, g.persistent, 1, Rule.PUBLIC_USER, adv.id, adv.id, how
                    )
            else:
                t = c.target_of(m.id, g.asset, g.component)
                sink.add(t, g.capability, g.persistent, 1, Rule.PUBLIC_USER, adv.id, adv.id, how)


def _account_needed(c: Compiled, nodes: tuple[str, ...]) -> str:
    """``authenticated`` when every node of ``nodes`` says it requires authentication, else
    ``internet``."""
    if nodes and all(c.model.node(n).authentication == "required" for n in nodes):
        return "authenticated"
    return "internet"


def _content_authors(c: Compiled, adv: Adversary, sink: _Sink) -> None:
    """The author of outside content holds what it writes into every asset that ingests it:
    what the source lets it do (``can``: contribute by default), from the internet or, where
    posting needs an account, as an authenticated user."""
    d = c.vocab.adversaries[adv.id]
    for a in c.model.assets:
        ai = c.asset_index[a.id]
        pipe = type_pipeline(c, c.asset_target[ai])
        places = [(c.asset_target[ai], a.untrusted_sources)]
        places += [
            (c.comp_target.get((ai, comp), -1), sources)
            for comp, sources in sorted(a.component_sources.items())
        ]
        for g in d.grants:
            for t, sources in places:
                for source in sources:
                    if f"source:{source}" in c.blocked:
                        continue
                    can, account = a.source_strength.get(source, ("", False))
                    cap = c.vocab.source_strength.get(can, g.capability)
                    reach = "authenticated" if account else "internet"
                    via = (adv.id, source)
                    sink.add(t, cap, g.persistent, pipe, Rule.OUTSIDE_CONTENT, via, adv.id, reach)


def _operators(c: Compiled, adv: Adversary, sink: _Sink) -> None:
    """The operator of a third-party node holds what resides there."""
    d = c.vocab.adversaries[adv.id]
    model = c.model
    for n in model.nodes:
        if not model.is_third_party(n.owner):
            continue
        assert n.owner is not None
        ni = c.node_index[n.id]
        for asset, _mode, _writes in c.node_assets[ni]:
            for g in d.grants:
                sink.add(
                    c.asset_target[asset],
                    g.capability,
                    g.persistent,
                    c.node_pipe[ni],
                    Rule.THIRD_PARTY,
                    (adv.id, n.owner, n.id),
                    operator(n.owner),
                    "operator",
                )


_ENTRIES: dict[str, Callable[[Compiled, Adversary, _Sink], None]] = {
    "public_models": _public_users,
    "untrusted_content": _content_authors,
    "third_party_nodes": _operators,
}
"""How each built-in adversary's ``entry`` (adversaries.yaml) finds where it starts."""


def _adversaries(c: Compiled, sink: _Sink) -> None:
    for adv in c.model.adversaries:
        if adv.id in c.blocked:
            continue
        d = c.vocab.adversaries.get(adv.id) if adv.builtin else None
        if d is not None and d.entry in _ENTRIES:
            _ENTRIES[d.entry](c, adv, sink)
        for h in adv.holds:
            sink.add(
                c.target_of_ref(h.asset, h.component),
                h.capability,
                h.persistent,
                pipe_index(h.pipeline),
                Rule.ADVERSARY,
                adv.id,
                adv.id,
                adv.reach,
            )


def _vulnerabilities(c: Compiled) -> Iterator[Seed]:
    """Weaknesses of nodes: declared, derived (``authentication: none``) and posited (when
    hypotheses are on), each exploited by whom ``exploited_by`` says or by the internet
    attacker or insider the node's exposure lets in; and unconditional grants of AI
    weaknesses. A service that needs no authentication and gives only its interface grants
    what :func:`~actm.engine.derived.interface_calls` says, not its residents."""
    weaknesses = [*c.model.vulnerabilities, *c.extra_vulns.values()]
    for v in weaknesses:
        if v.id in c.removed_vulns or v.kind != "conventional" or v.node is None:
            continue
        ni = c.node_index[v.node]
        only = (
            frozenset(c.asset_index[a] for a in v.assets if a in c.asset_index)
            if v.assets is not None
            else None
        )
        if v.exploited_by is not None:
            exploiters = [(who, reach_of(c, who)) for who in v.exploited_by]
        else:
            exploiters = [node_exploiter(c, v.node)]
        calls = interface_calls(c, v)
        pipe = c.node_pipe[ni]
        for entry, reach in exploiters:
            if entry in c.blocked:
                continue
            if calls is not None:
                yield from (
                    Seed(
                        t,
                        cap,
                        False,
                        pipe,
                        Rule.RESIDENCY,
                        v.id,
                        entry=entry,
                        reach=reach,
                        hypothetical=v.hypothetical,
                    )
                    for t, cap in calls
                )
                continue
            yield Seed(
                -1,
                -1,
                False,
                pipe,
                Rule.VULNERABILITY,
                v.id,
                node=ni,
                vclass=c.vclass_index[v.vclass],
                only=only,
                entry=entry,
                reach=reach,
                hypothetical=v.hypothetical,
            )
    for t, cap, persistent, pipe, vid in ai_vuln_seeds(c):
        yield Seed(t, cap, persistent and c.integrity[cap], pipe, Rule.AI_WEAKNESS, vid)


def _assumptions(c: Compiled, sink: _Sink) -> dict[str, list[Seed]]:
    """Assumption id -> its capability seed; what each assumption sends goes to ``sink``."""
    ci = c.cap_index
    per_assumption: dict[str, list[Seed]] = {}
    for asm in c.model.assumptions:
        seeds: list[Seed] = []
        t = c.target_of_ref(asm.asset, asm.component)
        if asm.capability is not None and t >= 0:
            seeds.append(assumption_seed(c, asm.id, ci[asm.capability]))
        per_assumption[asm.id] = seeds
        for aid, sent in asm.sends:
            st = c.target_of_ref(aid, sent)
            if st >= 0:
                sink.add(
                    st,
                    "inspect",
                    False,
                    type_pipeline(c, st),
                    Rule.ASSUMPTION_SENDS,
                    asm.id,
                    supplier(asm.producer),
                    asm.reach,
                )
    return per_assumption


def _network(c: Compiled, sink: _Sink) -> None:
    """On a flow that is not encrypted, or whose receiver does not authenticate the sender, the
    network attacker holds what its entry point grants on what arrives: from the internet when
    either end is on a node exposed to it, else from inside."""
    ep = c.vocab.entry_points.get("network-attacker")
    if ep is None or ep.id in c.blocked:
        return
    for rel in c.model.relations:
        if rel.id in c.blocked or (rel.encrypted and rel.authenticated):
            continue
        t = c.target_of_ref(rel.target, rel.target_component)
        ends = [c.model.asset(rel.source), c.model.asset(rel.target)]
        exposed = any(c.model.node(r.node).exposure == "internet" for a in ends for r in a.resides)
        reach = "internet" if exposed else "insider"
        for g in ep.grants:
            weakness = {"unencrypted": rel.encrypted, "unauthenticated": rel.authenticated}
            if weakness.get(g.asset, True):
                continue
            via = (
                ep.id,
                rel.id,
                "not encrypted" if g.asset == "unencrypted" else "not authenticated",
            )
            pipe = pipe_index(rel.pipeline)
            sink.add(t, g.capability, rel.persistent, pipe, Rule.NETWORK, via, ep.id, reach)


def _physical(c: Compiled, sink: _Sink) -> None:
    """Whoever acts in the scene a physically exposed model perceives holds what the
    physical-actor entry point grants on its inputs."""
    ep = c.vocab.entry_points.get("physical-actor")
    if ep is None or ep.id in c.blocked:
        return
    for m in c.model.models:
        if m.exposure != "physical":
            continue
        for g in ep.grants:
            t = c.target_of(m.id, g.asset, g.component)
            pipe = type_pipeline(c, t) if t >= 0 else 1
            via = (ep.id, m.id)
            sink.add(t, g.capability, g.persistent, pipe, Rule.PHYSICAL, via, ep.id, "internet")


def seeds_of(c: Compiled) -> tuple[list[Seed], dict[str, list[Seed]]]:
    """:func:`build_seeds` of ``c``, built once and kept on it (every closure of the compiled
    model applies the same seeds). A model compiled from the tables of the one with every
    control in force (:attr:`~actm.engine.compiled.Compiled.shared`) takes from it the seeds
    no patched vulnerability changes and works out the vulnerabilities' again."""
    found: tuple[list[Seed], dict[str, list[Seed]]] | None = c.caches.get("seeds")
    if found is None:
        shared = c.shared
        if shared is None:
            found = build_seeds(c)
        else:
            head, tail, per_assumption = _unpatched(shared)
            found = ([*head, *_vulnerabilities(c), *tail], per_assumption)
        c.caches["seeds"] = found
    return found


_Parts = tuple[list[Seed], list[Seed], dict[str, list[Seed]]]


def _unpatched(c: Compiled) -> _Parts:
    """:func:`_parts` of ``c``, kept on it."""
    found: _Parts | None = c.caches.get("seed-parts")
    if found is None:
        found = c.caches["seed-parts"] = _parts(c)
    return found


def _parts(c: Compiled) -> _Parts:
    """The seeds of ``c`` before and after its vulnerabilities', and the assumptions'
    capability seeds: what no control that only removes conventional vulnerabilities
    changes."""
    sink = _Sink(c)
    _adversaries(c, sink)
    _network(c, sink)
    _physical(c, sink)
    sent = _Sink(c)
    per_assumption = _assumptions(c, sent)
    return sink.seeds, sent.seeds, per_assumption


def build_seeds(c: Compiled) -> tuple[list[Seed], dict[str, list[Seed]]]:
    """The declared facts: (seeds that never change, assumption id -> its capability seeds)."""
    head, tail, per_assumption = _parts(c)
    return [*head, *_vulnerabilities(c), *tail], per_assumption
