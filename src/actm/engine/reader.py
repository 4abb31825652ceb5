"""How the facts of one closure read: each chain step worded once (``vocabulary/rules.yaml``).

:class:`Reader` turns the facts a closure derived into :class:`~actm.engine.chain.ChainStep`
records: the rule, what the step went through, and its text. :mod:`actm.engine.output` reads a
whole run with it; :mod:`actm.engine.routes` the chain of each route.
"""

from __future__ import annotations

from collections.abc import Sequence

from actm.engine.chain import ChainStep
from actm.engine.compiled import Compiled
from actm.engine.facts import STRUCTURAL, FactStore, Rule
from actm.engine.matching import Match
from actm.engine.wording import Wording
from actm.terms import PIPELINES

__all__ = ["Reader"]


_Fact = tuple[str, str, str | None, str | None, bool, str, tuple[str, ...], bool, str]
"""A step without its place in a chain: rule, target, capability, vulnerability class,
persistent, pipeline, via, structural, text."""


class Reader:
    """Reads facts, derivations and matches of one run; each fact is worded once."""

    def __init__(self, c: Compiled, store: FactStore, wording: Wording) -> None:
        self.c = c
        self.store = store
        self.wording = wording
        self.vulns = {v.id: v for v in c.model.vulnerabilities} | c.extra_vulns
        self.assumptions = {a.id: a for a in c.model.assumptions}
        self.relations = {r.id: r for r in c.model.relations}
        self.facts: dict[int, _Fact] = {}
        self.steps: dict[tuple[int, int, tuple[int, ...]], ChainStep] = {}
        """(fact, position, premises' positions) -> its step: chains that start alike (a
        hub's threats through one tool) share their first steps."""

    def chain(self, keys: Sequence[int]) -> tuple[ChainStep, ...]:
        positions: dict[int, int] = {}
        steps: list[ChainStep] = []
        facts = self.facts
        shared = self.steps
        index_of = self.store.index
        below = self.store.premises
        for k in keys:
            index = len(steps)
            positions[k] = index
            premises = tuple(positions[p] for p in below[index_of[k]] if p in positions)
            step = shared.get((k, index, premises))
            if step is None:
                fact = facts.get(k)
                if fact is None:
                    fact = facts[k] = self._fact(k)
                step = shared[(k, index, premises)] = ChainStep(
                    index, *fact[:7], premises, *fact[7:]
                )
            steps.append(step)
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


def _vias(via: object) -> tuple[str, ...]:
    if via is None:
        return ()
    if isinstance(via, tuple):
        return tuple(str(v) for v in via)
    return (str(via),)
