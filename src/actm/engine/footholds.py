"""Which threats restate a foothold the engine derives: code execution on a node.

An agent's tool that runs code on a node (``TOOL_EXECUTE``) and a credential whose ``grants``
run code on one (``CREDENTIAL_NODE``) give whoever drives them code execution there, and the
threat that reports it (``agent-code-execution``, the theft of the credential) is the root
cause. Code running on a node holds what the node holds, processes and sends, and does what
the credentials there open; a threat that closes only through such a foothold and whose
attack yields nothing more than that, or that enters through a tool definition the code
rewrites (another tool shadowed through a definition rewritten on a laptop that holds the
token that tool uses; an agent that runs on the shell's host injected or flooded), says the
same thing again.

Both halves are counterfactual closures over the compiled model:

* one closure of every seed with no code execution derived through a tool or a credential
  (:class:`~actm.engine.closure.Closure` ``footholds=False``): the threats it lacks need one
  (every route goes through one). When the needs rerun runs anyway (engine/needs.py), its
  closure does it: it starts without the footholds, takes its candidate groups in and out
  again, then admits the footholds, for the cost of two incremental saturations; else it is
  a closure of its own (:func:`without_job`);
* per node where the shown chain of such a threat derives code execution, one closure from
  that foothold alone (no seed at all) and without what a model makes of its inputs
  (``attacks=False``: neither the outputs its inputs derive, nor an attack pattern, nor a
  conditional AI weakness; what its weights give its outputs stays): a threat whose every
  yield (``Match.effects``) is already there adds nothing
  to the foothold. What a vendor's model does with a file the shell wrote is more. An attack
  that enters through a tool definition (a requirement on definitions alone: poisoning,
  shadowing, impersonation, rug pull, server compromise) is judged by the
  definitions it takes instead (:func:`_gives`): a definition rewritten by code that runs
  where it is served is that code's doing.
  Only nodes whose code execution the report shows count (:func:`_reported`: a threat that
  closes without any derived foothold uses or yields what gives it), so nothing restates a
  foothold no threat names.

* per node whose foothold alone gives all some threat needing a derived foothold yields (and
  only then: :func:`without_nodes`, after the others), one closure of every seed in which only
  that node's code execution is not derived through a tool or a credential
  (``Closure(blocked=...)``): the threats it lacks need the foothold on that very node.

A threat restates the foothold on a node when it does not close without that foothold and
adds nothing to it (``Attribution.restates``; engine/verdict.py drops it). Monotone: a threat
another route closes without the derived footholds (a public user's prompt, a declared
weakness), or through a foothold on another node that does not give what it yields, is kept,
and more evidence only adds such routes. The closure from one foothold runs no tool's code
anywhere (another node's code execution is a foothold of its own, reported by its own threat),
so a control that blocks a tool elsewhere never makes a dropped threat appear. The foothold's
own threat does not need the code execution it reports (it derives it), so it is never
dropped.

An exfiltration (an attack that breaks confidentiality alone through a tool with ``egress``)
names how data leaves the system, which the code execution's own threat does not say: it is
never a candidate. Nor is package code execution (``PACKAGE_CODE``) blocked: packages have
their own rule (engine/verdict.py) and their own threats, and a threat that a package's code
on the same node closes is kept.

Only threats whose shown chain goes through a derived foothold are candidates (a threat whose
chain does not closes without them), and the closures from one foothold hold only what that
foothold reaches: the cost is two incremental saturations of the needs closure (or one
closure of the model) plus small closures, and nothing at all when no chain goes through a
derived foothold.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from actm.engine.analysis import EngineOutput
from actm.engine.closure import Closure
from actm.engine.compiled import Compiled
from actm.engine.compiled import Rule as Join
from actm.engine.facts import FactStore, Rule
from actm.engine.needs import ThreatKey
from actm.engine.seeds import Seed
from actm.knowledge.attacks import AttackPattern

__all__ = [
    "ALONE",
    "NEEDED",
    "WITHOUT",
    "FootholdRun",
    "alone_jobs",
    "candidates",
    "code_job",
    "execution_keys",
    "execution_nodes",
    "sends_out",
    "without_job",
    "without_nodes",
]

NEEDED = "execution:"
"""Result key of the closure without derived footholds: the threats that need one."""
ALONE = "alone:"
"""Result key prefix of a closure from one foothold (``alone:<node>``): the threats it closes."""
WITHOUT = "without:"
"""Result key prefix of a closure without the foothold on one node (``without:<node>``): the
threats that do not close without it."""

_DERIVED = (Rule.TOOL_EXECUTE, Rule.CREDENTIAL_NODE)

Effects = tuple[tuple[int, int, bool, int], ...]
"""What an attack yields (engine/matching.py ``Match.effects``)."""


@dataclass(frozen=True, slots=True)
class FootholdRun:
    """What one closure of :func:`without_job` or :func:`alone_jobs` found."""

    found: Mapping[str, frozenset[ThreatKey]]
    """``execution:`` -> the threats that need a derived foothold, or ``alone:<node>`` -> the
    threats that yield nothing the foothold on that node does not give by itself."""


Job = Callable[[], object]


def _execution_classes(c: Compiled) -> frozenset[int]:
    """The vulnerability classes a tool or a credential that runs code gives on a node."""
    agency = c.vocab.agency
    return frozenset(
        c.vclass_index[name]
        for name in (agency.execute, agency.credential_execute)
        if name in c.vclass_index
    )


def _execution_keys(c: Compiled, store: FactStore) -> dict[int, int]:
    """Node fact -> its node, for every code execution the closure derived through a tool or a
    credential."""
    classes = _execution_classes(c)
    found: dict[int, int] = {}
    for k in store.keys:
        if k < 0:
            node, vclass = store.decode_node(k)
            if vclass in classes and store.derivation(k)[0] in _DERIVED:
                found[k] = node
    return found


def execution_nodes(c: Compiled) -> frozenset[str]:
    """The nodes where a tool runs code or a credential's ``grants`` do: where the engine may
    derive a foothold, whoever drives the tool or reads the credential."""
    classes = _execution_classes(c)
    found = {node for execs in c.tool_exec for node, vclass in execs if vclass in classes}
    found.update(n for nodes in c.cred_exec.values() for n in nodes)
    return frozenset(c.node_ids[n] for n in found)


def execution_keys(out: EngineOutput) -> dict[int, int]:
    """Node fact -> its node, for every code execution ``out``'s closure derived through a tool
    or a credential: what :func:`candidates` and :func:`alone_jobs` read (one scan of the
    store for both)."""
    return _execution_keys(out.compiled, out.closure.store)


def candidates(
    out: EngineOutput, picked: Sequence[int], derived: Mapping[int, int]
) -> list[ThreatKey]:
    """Of the threats at the indices ``picked`` (of ``out``'s matches), those whose shown chain
    derives code execution through a tool or a credential (``derived``: :func:`execution_keys`;
    the others close without it), and that are not exfiltrations."""
    c = out.compiled
    if not derived:
        return []
    exfiltrations = {i for i, r in enumerate(c.rules) if sends_out(r.attack)}
    found: list[ThreatKey] = []
    for i in picked:
        m = out.matches[i]
        if m.rule not in exfiltrations and any(k in derived for k in out.proofs[i]):
            found.append((m.rule, m.binding))
    return found


def alone_jobs(
    out: EngineOutput,
    picked: Sequence[int],
    keys: Collection[ThreatKey],
    derived: Mapping[int, int],
) -> list[Job]:
    """One closure per node where the shown chain of a threat of ``keys`` (at the indices
    ``picked``) derives code execution (``derived``: :func:`execution_keys`), from that code
    execution alone: which of those threats yield nothing it does not give (a
    :class:`FootholdRun` ``alone:<node>``).

    An attack entering through a tool definition is judged by the definitions it takes
    (:func:`_gives`) only where one node holds every derived foothold: the closure without
    any derived foothold then also tells what does not close without that node's, and
    :func:`without_nodes` runs nothing more (with several, it would take a closure of the
    whole model per node); and only where no untrusted third party operates a tool
    (:func:`_operated_outside`). Elsewhere it is judged by what it yields, as any threat."""
    if not keys:
        return []
    c = out.compiled
    judged = len(set(derived.values())) == 1 and not _operated_outside(c)
    on_node: dict[int, dict[ThreatKey, tuple[Effects, ...]]] = {}
    for i in picked:
        m = out.matches[i]
        if (m.rule, m.binding) in keys:
            gives = _gives(out, i) if judged else (m.effects,)
            for n in {derived[k] for k in out.proofs[i] if k in derived}:
                on_node.setdefault(n, {})[(m.rule, m.binding)] = gives
    reported = _reported(out, derived, set(on_node))
    return [_alone_job(c, n, effects) for n, effects in sorted(on_node.items()) if n in reported]


_DEFINITIONS = frozenset({"definition", "tool_definitions"})
"""Components through which an attack takes a tool's definition (a tool's ``definition``, a
model's ``inputs.tool_definitions``)."""


def _definition_entry(rule: Join) -> tuple[int, ...]:
    """Indices (in the rule's requirements) of those on tool definitions alone, when the
    attack enters through one: the definitions it is offered are what the adversary supplies.
    A requirement that also takes other inputs (retrieved context, tool results: the injection
    entries) does not enter through a definition, whatever premise met it."""
    return tuple(
        i
        for i, req in enumerate(rule.requires)
        if req.components and _DEFINITIONS.issuperset(req.components)
    )


def _gives(out: EngineOutput, i: int) -> tuple[Effects, ...]:
    """What the threat at index ``i`` of ``out``'s matches must find in the closure from one
    foothold alone to restate it (any one of these): what its attack yields, or, for an attack
    that enters through a tool definition (a requirement on definitions alone),
    also the definitions it takes. A
    definition rewritten by code that runs where it is served is that code's doing, whatever
    the model then makes of it: the code execution is the root cause (its own threat reports
    it), and poisoning is the supply of definitions by a server, a registry or an update."""
    m = out.matches[i]
    entry = _definition_entry(out.compiled.rules[m.rule])
    if not entry:
        return (m.effects,)
    store = out.closure.store
    facts = [store.decode(m.premises[j]) for j in entry if m.premises[j] >= 0]
    if not facts:  # met structurally: no definition taken that a foothold could give
        return (m.effects,)
    return m.effects, tuple((f.target, f.capability, f.persistent, f.pipeline) for f in facts)


def _operated_outside(c: Compiled) -> bool:
    """Whether an untrusted third party owns a tool or runs the node one is served from. Such
    an operator can change what it serves, but it holds only what resides on its node (the
    ``third-party`` adversary): the poisoning a foothold's rewrite closes may then be the only
    report of its definitions, and is kept."""
    m = c.model
    trust = {o.id: o.trust for o in m.owners}
    nodes = {n.id: n.owner for n in m.nodes}
    return any(
        owner is not None and m.is_third_party(owner) and trust.get(owner) in (None, "untrusted")
        for t in m.tools
        for owner in (t.owner, nodes.get(t.node) if t.node else None)
    )


def without_nodes(
    out: EngineOutput, seeds: Sequence[Seed], found: Mapping[str, frozenset[ThreatKey]]
) -> tuple[dict[str, frozenset[ThreatKey]], int]:
    """For each node whose foothold alone gives all that some threats needing a derived
    foothold yield (``found``: the ``execution:`` and ``alone:<node>`` results), one closure of
    every seed without that node's foothold only (footholds on other nodes kept): which of those
    threats do not close without it (``without:<node>``; the threats the run finds without a
    posited weakness are asked without those, as in :func:`without_job`). A threat that also
    closes through a foothold on a node that does not give what it yields says more than
    either foothold. Nothing runs where no threat is a candidate; also returns how many
    closures ran."""
    c = out.compiled
    needed = found.get(NEEDED, frozenset())
    hypothetical = {(m.rule, m.binding): m.hypothetical for m in out.matches}
    result: dict[str, frozenset[ThreatKey]] = {}
    runs = 0
    alone = sorted(g for g in found if g.startswith(ALONE))
    # where one node holds every derived foothold, leaving out its foothold leaves out them
    # all: the closure without any (``execution:``) has already answered
    only = {c.node_ids[n] for n in execution_keys(out).values()} if alone else set()
    for group in alone:
        threats = found[group]
        name = group.removeprefix(ALONE)
        if only == {name}:
            result[WITHOUT + name] = threats & needed
            continue
        lacking: frozenset[ThreatKey] = frozenset()
        for posited in (False, True):
            side = sorted(k for k in threats & needed if hypothetical.get(k, False) == posited)
            if side:
                run = _without(c, seeds, side, posited, c.node_index[name])
                lacking |= run.found[WITHOUT + name]
                runs += 1
        result[WITHOUT + name] = lacking
    return result, runs


def _reported(out: EngineOutput, derived: Mapping[int, int], nodes: set[int]) -> set[int]:
    """Of ``nodes``, those whose derived code execution a threat of the run reports: a threat
    whose shown chain derives none (it closes before any) and that uses or yields what gives
    that code execution (the influence on the executing tool's inputs, the credential that
    opens the node), as ``agent-code-execution`` or a credential theft does. A threat can
    restate only a foothold the report shows: where no threat shows it, nothing is dropped."""
    store = out.closure.store
    gives: dict[int, set[tuple[int, int]]] = {}  # node -> (target, capability) of its premises
    for k, node in derived.items():
        if node in nodes:
            for p in store.derivation(k)[2]:
                if p >= 0:
                    f = store.decode(p)
                    gives.setdefault(node, set()).add((f.target, f.capability))
    found: set[int] = set()
    for m, proof in zip(out.matches, out.proofs, strict=True):
        if len(found) == len(gives):
            break
        if any(k in derived for k in proof):
            continue
        used = {(f.target, f.capability) for f in map(store.decode, (k for k in proof if k >= 0))}
        for node, premises in gives.items():
            if node not in found and (
                used & premises
                or any(
                    _at_least(store, cap, premise)
                    for t, cap, _pers, _pipe in m.effects
                    for premise in premises
                    if premise[0] == t
                )
            ):
                found.add(node)
    return found


def _at_least(store: FactStore, cap: int, premise: tuple[int, int]) -> bool:
    """Whether capability ``cap`` is at least as strong as the premise's."""
    return bool((store.stronger_mask[premise[1]] >> cap) & 1)


def without_job(
    c: Compiled, seeds: Sequence[Seed], keys: Collection[ThreatKey], posited: bool = True
) -> Job:
    """The closure of every seed without code execution derived through tools or credentials:
    which of ``keys`` it lacks (a :class:`FootholdRun` ``execution:``). The needs rerun
    (engine/needs.py ``derived``) finds the same at less cost when it runs anyway. Without
    ``posited``, the weaknesses hypotheses posit take no part, as in that rerun: ``keys`` are
    then threats the run finds without them."""
    return lambda: _without(c, seeds, keys, posited)


def code_job(
    c: Compiled,
    seeds: Sequence[Seed],
    packages: Collection[int],
    node: str,
    keys: Collection[ThreatKey],
    posited: bool,
    key: str,
) -> Job:
    """The closure of every seed but ``packages`` (the seeds of the unjustified assumptions of
    the packages whose code runs on ``node``) and without code execution on ``node`` derived
    through a tool or a credential: which of ``keys`` (exfiltrations left out) do not close
    without any code execution there, whichever package, tool or credential gives it
    (``({key: lacking}, 1)``, the form of a needs job: attribution.py reads ``key``,
    ``foothold:<node>``, as the nodes a threat needs a foothold on). A threat that closes
    through a package on the node and through the agent's shell there rests on neither alone,
    yet needs one of them: engine/verdict.py drops it where it is on what a model running
    there is told or says, as for a package alone."""
    ids = frozenset(packages)
    kept = [s for i, s in enumerate(seeds) if i not in ids]
    sends = {i for i, r in enumerate(c.rules) if sends_out(r.attack)}
    wanted = [k for k in keys if k[0] not in sends]

    def job() -> tuple[dict[str, frozenset[ThreatKey]], int]:
        run = _without(c, kept, wanted, posited, c.node_index[node])
        return {key: run.found[WITHOUT + node]}, 1

    return job


def sends_out(attack: AttackPattern) -> bool:
    """Whether ``attack`` is an exfiltration: it breaks confidentiality alone and needs a tool
    that sends data out (``tool_permission: [egress]``). It names the way out of the system,
    which the threat reporting code execution on a node does not: never a restatement."""
    if attack.impact is None or attack.impact.classes != ("confidentiality",):
        return False
    return any(
        cond.name == "tool_permission" and "egress" in value
        for step in attack.steps
        for req in step.requires
        for cond, value in req.where.static
    )


def _alone_job(c: Compiled, node: int, effects: Mapping[ThreatKey, tuple[Effects, ...]]) -> Job:
    return lambda: _alone(c, node, effects)


def _without(
    c: Compiled,
    seeds: Sequence[Seed],
    candidates: Collection[ThreatKey],
    posited: bool,
    node: int | None = None,
) -> FootholdRun:
    """The candidates that do not close without code execution through tools or credentials
    (``node``: on that node only)."""
    if node is None:
        cl = Closure(c, lengths=True, footholds=False)
    else:
        cl = Closure(c, lengths=True, blocked=frozenset({node}))
    if posited and cl.has_posited:  # as in the needs reruns: posited weaknesses are seeds too
        cl.admit_posited()
    cl.apply(s for s in seeds if posited or not s.hypothetical)
    cl.saturate()
    closed = {(m.rule, m.binding) for m in cl.matcher.matches}
    key = NEEDED if node is None else WITHOUT + c.node_ids[node]
    return FootholdRun({key: frozenset(k for k in candidates if k not in closed)})


def _alone(c: Compiled, node: int, effects: Mapping[ThreatKey, tuple[Effects, ...]]) -> FootholdRun:
    """Of the threats ``effects`` lists (with what their attacks yield, or take: :func:`_gives`),
    those that yield nothing code execution on ``node`` gives by itself: what the node holds,
    processes and sends, what the credentials there open, what its tools do; not what a model
    makes of its inputs (the outputs they derive, an attack pattern, a conditional AI
    weakness), which is more; what the weights on the node give the model's outputs stays."""
    cl = Closure(c, lengths=True, footholds=False, attacks=False, tools_run=False)
    classes = sorted(_execution_classes(c))
    if classes:
        cl.store.add_node(node, classes[0], Rule.TOOL_EXECUTE, None, ())
        cl.saturate()
    store = cl.store
    given = frozenset(
        key
        for key, alternatives in effects.items()
        if any(
            all(store.subsumed(t, cap, pers, pipe) for t, cap, pers, pipe in facts)
            for facts in alternatives
        )
    )
    return FootholdRun({ALONE + c.node_ids[node]: given})
