"""Where the engine's integer facts become readable values: what the results layer receives.

An engine run (:class:`~actm.engine.analysis.EngineOutput`) holds facts as ints, derivations as
back-pointers and threats as matches against compiled rules. :func:`read` turns one run into a
:class:`Readout`: frozen records of strings, numbers and tuples (threats with their decoded
chains, severities and the seeds they rest on; the capability matrix; assumption outcomes with
threat ids; attacks out of scope). Nothing above the engine needs to know how a fact is encoded.
Each chain step's wording comes from ``vocabulary/rules.yaml`` (:mod:`actm.engine.wording`).
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from actm.engine.analysis import EngineOutput
from actm.engine.chain import ChainStep
from actm.engine.citing import Citer
from actm.engine.compiled import Compiled
from actm.engine.facts import STRUCTURAL, FactStore, Rule
from actm.engine.matching import Match
from actm.engine.provenance import proof, seeds_in
from actm.engine.scope import Unmet
from actm.engine.severity import Assessment
from actm.knowledge.attacks import AttackPattern, KnowledgeBase
from actm.model.system import SystemModel
from actm.terms import PIPELINES

__all__ = [
    "Assessment",
    "AssumptionOutcome",
    "CapabilityCells",
    "Cell",
    "ChainStep",
    "Finding",
    "Readout",
    "Unmet",
    "explain",
    "read",
    "threat_id",
    "threat_scores",
]


def threat_id(attack: str, binding: Sequence[str]) -> str:
    """The stable id of a threat: its attack and bound elements, never positions."""
    return "@".join((attack, *binding))


@dataclass(frozen=True, slots=True)
class Finding:
    """One threat of a run, decoded."""

    id: str
    pattern: AttackPattern
    bindings: tuple[tuple[str, str], ...]
    """(variable, element) for every variable of the attack, in its order ("" when unbound)."""
    chain: tuple[ChainStep, ...]
    """From what the model declares to what the attack yields."""
    severity: Assessment
    assets: tuple[str, ...]
    """The assets it binds and the one it impacts, sorted."""
    asset_types: frozenset[str]
    """The types of the assets it binds and of those its chain passes through."""
    adversaries: tuple[str, ...]
    vulnerabilities: tuple[str, ...]
    assumptions: tuple[str, ...]
    """The assumptions its chain rests on, sorted (as the other two)."""
    cited: tuple[int, ...] = ()
    """Indices of the entry's conditional citations (``references_when``) that its binding
    and shown chain show."""
    hypothetical: bool = False
    """It needs a weakness a hypothesis posits (its chain rests on one)."""


class Cell(NamedTuple):
    """The strongest capability of one class reached on an asset in one pipeline."""

    pipeline: str
    capability_class: str
    capability: str
    persistent: bool


@dataclass(frozen=True, slots=True)
class CapabilityCells:
    """One row of the capability matrix: the cells reached, by pipeline then class order."""

    asset: str
    type: str
    model: str | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class AssumptionOutcome:
    id: str
    dependent: tuple[str, ...]
    """Ids of the threats whose chain rests on the assumption, sorted."""
    tolerance: str | None
    """Strongest tolerated upstream capability, 'none' if even the weakest is not tolerated,
    None when the assumption names no asset the engine knows."""
    threshold: str


@dataclass(frozen=True)
class Readout:
    """One engine run in readable values."""

    model: SystemModel
    kb: KnowledgeBase
    threats: tuple[Finding, ...]
    """In the order the engine found them."""
    justified_by: Mapping[str, tuple[str, ...]]
    """Assumption id -> the implemented controls that justify it."""
    facts: int
    timings: Mapping[str, float]
    out_of_scope: tuple[Unmet, ...] = ()
    capabilities: tuple[CapabilityCells, ...] = ()
    """Sorted by asset."""
    assumptions: Mapping[str, AssumptionOutcome] = field(default_factory=dict)
    """By assumption id; empty when the run skipped the tolerance search."""


def read(out: EngineOutput, *, only: Container[str] | None = None, full: bool = True) -> Readout:
    """The readable values of ``out``: its threats (only those with an id in ``only``, if
    given) and, with ``full``, the capability matrix, assumption outcomes and out-of-scope
    attacks too."""
    c = out.compiled
    store = out.closure.store
    reader = _Reader(out)
    threats: list[Finding] = []
    ids: list[str] = []
    for m, keys, a in zip(out.matches, out.proofs, out.assessments, strict=True):
        tid = threat_id(c.rules[m.rule].attack.id, m.binding)
        ids.append(tid)
        if only is None or tid in only:
            threats.append(reader.finding(tid, m, keys, a))
    justified = {k: tuple(v) for k, v in c.justified_by.items()}
    if not full:
        return Readout(c.model, c.kb, tuple(threats), justified, len(store.keys), out.timings)
    outcomes = {
        aid: AssumptionOutcome(
            aid, tuple(sorted(ids[i] for i in o.dependent)), o.tolerance, o.threshold
        )
        for aid, o in out.assumptions.items()
    }
    return Readout(
        c.model,
        c.kb,
        tuple(threats),
        justified,
        len(store.keys),
        out.timings,
        tuple(out.out_of_scope),
        _matrix(c, store),
        outcomes,
    )


def threat_scores(out: EngineOutput) -> dict[str, float]:
    """Threat id -> severity score for one run, without reading chains (the highest score when
    two matches share an id)."""
    c = out.compiled
    scores: dict[str, float] = {}
    for m, a in zip(out.matches, out.assessments, strict=True):
        tid = threat_id(c.rules[m.rule].attack.id, m.binding)
        scores[tid] = max(a.score, scores.get(tid, -1.0))
    return scores


def explain(out: EngineOutput, target: str, capability: str) -> tuple[ChainStep, ...] | None:
    """The chain behind a capability on ``target`` (an asset or ``asset.component`` id).

    Returns the chain of the first fact found (a shortest derivation) that gives ``capability``
    or a stronger capability of its class, or None if the adversary does not reach it.
    """
    c = out.compiled
    store = out.closure.store
    try:
        t = c.target_name.index(target)
        cap = c.cap_index[capability]
    except (ValueError, KeyError):
        return None
    key = store.holds(t, c.stronger_mask[cap], False)
    if key < 0:
        return None
    return _Reader(out).chain(proof(store, [key]))


_Fact = tuple[str, str, str | None, str | None, bool, str, tuple[str, ...], bool, str]
"""A step without its place in a chain: rule, target, capability, vulnerability class,
persistent, pipeline, via, structural, text."""


class _Reader:
    """Reads facts, derivations and matches of one run; each fact is worded once."""

    def __init__(self, out: EngineOutput) -> None:
        c = out.compiled
        self.c = c
        self.store = out.closure.store
        self.wording = out.wording
        self.vulns = {v.id: v for v in c.model.vulnerabilities} | c.extra_vulns
        self.assumptions = {a.id: a for a in c.model.assumptions}
        self.relations = {r.id: r for r in c.model.relations}
        self.facts: dict[int, _Fact] = {}
        self.citer = Citer(c, self.store, self.wording.names)

    def chain(self, keys: Sequence[int]) -> tuple[ChainStep, ...]:
        positions: dict[int, int] = {}
        steps: list[ChainStep] = []
        facts = self.facts
        derivation = self.store.derivation
        for k in keys:
            index = len(steps)
            positions[k] = index
            fact = facts.get(k)
            if fact is None:
                fact = facts[k] = self._fact(k)
            premises = tuple(positions[p] for p in derivation(k)[2] if p in positions)
            steps.append(ChainStep(index, *fact[:7], premises, *fact[7:]))
        return tuple(steps)

    def _fact(self, key: int) -> _Fact:
        c = self.c
        store = self.store
        rule, via, premises = store.derivation(key)
        name = self.wording.names[rule]
        if key < 0:
            node, vclass = store.decode_node(key)
            node_id = c.node_ids[node]
            cls = c.vclass_ids[vclass]
            values = {
                "node": node_id,
                "vulnerability_class": cls,
                "tool": via,
                "credential": via,
                "package": via,
            }
            text = self.wording.text(rule, "", values)
            pipeline = PIPELINES[c.node_pipe[node]]
            return (name, node_id, None, cls, False, pipeline, _vias(via), False, text)
        f = store.decode(key)
        target = c.target_name[f.target]
        cap = c.caps[f.capability]
        variant, values = self._values(Rule(rule), via, premises)
        values["capability"] = cap
        values["target"] = target
        values["persistent"] = self.wording.persistent_mark if f.persistent else ""
        text = self.wording.text(rule, variant, values)
        if rule in (Rule.ATTACK, Rule.CONVERSION):
            vias: tuple[str, ...] = (str(values["attack"]),)  # the attack, not the rule index
        else:
            vias = _vias(via)
        pipeline = PIPELINES[f.pipeline]
        return (name, target, cap, None, f.persistent, pipeline, vias, rule in STRUCTURAL, text)

    def _values(
        self, rule: Rule, via: object, premises: tuple[int, ...]
    ) -> tuple[str, dict[str, object]]:
        """The variant of ``rule``'s wording for this derivation and the values particular to
        the rule (:data:`actm.engine.wording.FIELDS`)."""
        if rule in (Rule.ADVERSARY, Rule.PUBLIC_USER):
            return "", {"adversary": via}
        if rule == Rule.OUTSIDE_CONTENT:
            assert isinstance(via, tuple)
            return "", {"adversary": via[0], "source": via[1]}
        if rule == Rule.THIRD_PARTY:
            assert isinstance(via, tuple)
            return "", {"adversary": via[0], "operator": via[1], "node": via[2]}
        if rule in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
            a = self.assumptions[str(via)]
            status = "justified" if self.c.justified_by.get(a.id) else a.status
            return "", {"assumption": a.id, "status": status, "producer": a.producer}
        if rule == Rule.RESIDENCY:
            if not premises:
                v = self.vulns[str(via)]
                return "declared", {
                    "node": v.node,
                    "vulnerability_class": v.vclass,
                    "vulnerability": v.id,
                }
            node, _ = self.store.decode_node(premises[0])
            return "", {"node": self.c.node_ids[node], "vulnerability_class": via}
        if rule == Rule.AI_WEAKNESS:
            v = self.vulns[str(via)]
            return "", {"vulnerability": v.id, "vulnerability_class": v.vclass}
        if rule == Rule.DEPENDENCY:
            r = self.relations.get(str(via))
            process = r.process if r is not None else "derives"
            return "", {"relation": via, "process": process, "source": r.source if r else "?"}
        if rule == Rule.FEEDS_BACK:
            r = self.relations.get(str(via))
            if r is None:
                return "tool", {"tool": via}
            into = f"{r.target}.{r.target_component}" if r.target_component else r.target
            return "", {"relation": via, "into": into}
        if rule in (Rule.FEEDS, Rule.PART_OF):
            return "", {"relation": via}
        if rule == Rule.TOOL_CALL:
            caller = self._owner(premises[0]) if premises and premises[0] >= 0 else "?"
            return "", {"tool": via, "caller": caller}
        if rule == Rule.TOOL_EXFILTRATE:
            assert isinstance(via, tuple)
            reader, egress = via
            return ("one_tool" if reader == egress else ""), {"reader": reader, "egress": egress}
        if rule in (Rule.ATTACK, Rule.CONVERSION):
            assert isinstance(via, int)
            return "", {"attack": self.c.rules[via].attack.id}
        if rule in (
            Rule.TOOL_WRITE,
            Rule.TOOL_RESULTS,
            Rule.TOOL_DEFINITION,
            Rule.CREDENTIAL_TOOL,
            Rule.TOOL_DELETE,
        ):
            return "", {"tool": via}
        return self._new_values(rule, via)

    @staticmethod
    def _new_values(rule: Rule, via: object) -> tuple[str, dict[str, object]]:
        """The values of the rules for what credentials grant, what assets contain, flows
        in cleartext and scenes a model perceives."""
        if rule == Rule.CREDENTIAL_GRANT:
            assert isinstance(via, tuple)
            return "", {"credential": via[0], "permission": via[1]}
        if rule == Rule.CONTAINED:
            return "", {"container": via}
        if rule == Rule.NETWORK:
            assert isinstance(via, tuple)
            return "", {"adversary": via[0], "relation": via[1], "weakness": via[2]}
        if rule == Rule.PHYSICAL:
            assert isinstance(via, tuple)
            return "", {"adversary": via[0], "model": via[1]}
        return "", {}  # component_up, component_down: the capability and target alone

    def _owner(self, key: int) -> str:
        f = self.store.decode(key)
        return self.c.asset_owner[self.c.target_asset[f.target]]

    def effects(self, m: Match, keys: Sequence[int], start: int) -> tuple[ChainStep, ...]:
        """What the attack itself yields, as the last steps of its chain."""
        c = self.c
        attack = c.rules[m.rule].attack
        positions = {k: i for i, k in enumerate(keys)}
        premises = tuple(sorted({positions[p] for p in m.premises if p in positions}))
        out: list[ChainStep] = []
        seen: set[tuple[int, int, bool]] = set()
        for t, cap, persistent, pipe in m.effects:
            if (t, cap, persistent) in seen:
                continue
            seen.add((t, cap, persistent))
            name = c.target_name[t]
            values = {
                "attack": attack.id,
                "capability": c.caps[cap],
                "target": name,
                "persistent": self.wording.persistent_mark if persistent else "",
            }
            out.append(
                ChainStep(
                    start + len(out),
                    self.wording.names[Rule.ATTACK],
                    name,
                    c.caps[cap],
                    None,
                    persistent,
                    PIPELINES[pipe],
                    (attack.id,),
                    premises,
                    False,
                    self.wording.text(Rule.ATTACK, "", values),
                )
            )
        return tuple(out)

    def finding(self, tid: str, m: Match, keys: list[int], a: Assessment) -> Finding:
        c = self.c
        store = self.store
        attack = c.rules[m.rule].attack
        steps = self.chain(keys) + self.effects(m, keys, len(keys))
        adversaries: set[str] = set()
        vulns: set[str] = set()
        assumptions: set[str] = set()
        for how, via in seeds_in(store, keys):
            if how in (Rule.ADVERSARY, Rule.PUBLIC_USER):
                adversaries.add(str(via))
            elif how in (Rule.OUTSIDE_CONTENT, Rule.THIRD_PARTY, Rule.NETWORK, Rule.PHYSICAL):
                assert isinstance(via, tuple)
                adversaries.add(str(via[0]))
            elif how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
                assumptions.add(str(via))
            else:
                vulns.add(str(via))
        for k in keys:
            if k >= 0:
                code, via, _ = store.derivation(k)
                if code == Rule.AI_WEAKNESS:
                    vulns.add(str(via))
        bound: set[str] = set()
        asset_types: set[str] = set()
        for var, owner in zip(attack.variables, m.full_binding, strict=True):
            if owner and attack.var_sort.get(var) == "asset":
                bound.add(owner)
                asset_types.add(c.asset_type[c.asset_index[owner]])
        for k in keys:
            if k >= 0:
                asset_types.add(c.asset_type[c.target_asset[store.decode(k).target]])
        return Finding(
            id=tid,
            pattern=attack,
            bindings=tuple(zip(attack.variables, m.full_binding, strict=True)),
            chain=steps,
            severity=a,
            assets=tuple(sorted(bound | {a.asset_id})),
            asset_types=frozenset(asset_types),
            adversaries=tuple(sorted(adversaries)),
            vulnerabilities=tuple(sorted(vulns)),
            assumptions=tuple(sorted(assumptions)),
            cited=self.citer.cited(attack, m.full_binding, keys, m.effects),
            hypothetical=any(v in c.extra_vulns and c.extra_vulns[v].hypothetical for v in vulns),
        )


def _vias(via: object) -> tuple[str, ...]:
    if via is None:
        return ()
    if isinstance(via, tuple):
        return tuple(str(v) for v in via)
    return (str(via),)


def _matrix(c: Compiled, store: FactStore) -> tuple[CapabilityCells, ...]:
    """Per asset, the strongest capability of each class reached in each pipeline (preferring
    a persistent change at equal strength)."""
    rows: list[CapabilityCells] = []
    classes = c.vocab.classes
    rank = c.vocab.capability_rank
    for ai, asset_id in enumerate(c.asset_ids):
        best: dict[tuple[int, str], tuple[int, int, int]] = {}
        keys = [k for t in c.whole_targets(ai) for k in store.by_target.get(t, ())]
        for k in keys:
            f = store.decode(k)
            cls = c.cap_class[f.capability]
            cand = (rank[c.caps[f.capability]], 0 if f.persistent else 1, f.capability)
            cur = best.get((f.pipeline, cls))
            if cur is None or cand < cur:
                best[(f.pipeline, cls)] = cand
        cells = tuple(
            Cell(PIPELINES[pipe], cls, c.caps[b[2]], b[1] == 0)
            for pipe in (0, 1)
            for cls in classes
            if (b := best.get((pipe, cls))) is not None
        )
        asset = c.model.asset(asset_id)
        rows.append(CapabilityCells(asset_id, asset.type, asset.model, cells))
    rows.sort(key=lambda r: r.asset)
    return tuple(rows)
