"""The fact store: compact facts, one cheapest derivation each, and an undo journal.

A fact is one int: ``((target * NCAP + capability) * 2 + persistent) * 2 + pipeline``. A
vulnerability active on a node is a negative int, ``-(1 + node * NCLASS + class)``. Each fact
keeps the first derivation inserted, which is a cheapest one (:class:`FactStore`): the rule,
what it went through (``via``: a relation, tool, vulnerability, adversary, assumption or attack
rule), the premise facts and its cost. Chains are read off these back-pointers.

The store can be rolled back to a mark, which lets the assumption analysis try stronger
upstream capabilities and undo them without copying the store.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum

__all__ = ["Fact", "FactStore", "Rule", "step_costs"]


class Rule(IntEnum):
    """How a fact was derived; the names appear in chains."""

    ADVERSARY = 1
    PUBLIC_USER = 2
    OUTSIDE_CONTENT = 3
    THIRD_PARTY = 4
    ASSUMPTION = 5
    ASSUMPTION_SENDS = 6
    VULNERABILITY = 7
    """A vulnerability is active on a node (declared)."""
    RESIDENCY = 8
    """A node vulnerability grants a capability over an asset residing there."""
    AI_WEAKNESS = 9
    COMPONENT_UP = 10
    COMPONENT_DOWN = 11
    DEPENDENCY = 12
    FEEDS = 13
    FEEDS_BACK = 14
    PART_OF = 15
    TOOL_CALL = 16
    TOOL_WRITE = 17
    TOOL_EXECUTE = 18
    TOOL_EXFILTRATE = 19
    TOOL_RESULTS = 20
    TOOL_DEFINITION = 21
    CREDENTIAL_TOOL = 22
    CREDENTIAL_NODE = 23
    ATTACK = 24
    CONVERSION = 25
    TOOL_DELETE = 26
    CREDENTIAL_GRANT = 27
    """What a credential's ``grants`` let its holder read, write or delete."""
    CONTAINED = 28
    """Reading an asset reads what it ``contains``."""
    PACKAGE_CODE = 29
    """A package changed at its source runs on every node it runs on."""
    NETWORK = 30
    """A network adversary on a flow that is not encrypted or whose sender is not checked."""
    PHYSICAL = 31
    """Whoever acts in the scene a physically exposed model perceives."""


STRUCTURAL = frozenset({Rule.COMPONENT_UP, Rule.COMPONENT_DOWN})
SEEDS = frozenset(
    {
        Rule.ADVERSARY,
        Rule.PUBLIC_USER,
        Rule.OUTSIDE_CONTENT,
        Rule.THIRD_PARTY,
        Rule.ASSUMPTION,
        Rule.ASSUMPTION_SENDS,
        Rule.VULNERABILITY,
        Rule.NETWORK,
        Rule.PHYSICAL,
    }
)


@dataclass(frozen=True, slots=True)
class Fact:
    """A decoded fact."""

    target: int
    capability: int
    persistent: bool
    pipeline: int


Pending = tuple[int, int, object, tuple[int, ...]]
"""A derivation waiting in its bucket: (key, rule, via, premises)."""


@dataclass
class FactStore:
    """Facts found so far, each with its first derivation and the cost of that derivation.

    Derivations wait in buckets by cost and a fact is *inserted* (indexed, visible to joins)
    only when its bucket comes, cheapest first and first in, first out within a bucket; the
    first derivation inserted is the one the fact keeps. A derivation's cost is the cost of its
    costliest premise plus what the rule adds (``steps``, per rule, when given; else the
    ``edge`` the caller names), and a seed's is given by the closure. With costs that are never
    negative, that is Dial's shortest-path algorithm over the derivation hypergraph: every fact
    keeps a cheapest derivation. Two ways of counting cost are used: by how realistic a route
    is (seeds cost by who holds them, approval gates add; ``steps`` empty), and by length (no
    cost but one per non-structural step: ``steps`` from :func:`step_costs`).
    """

    ncap: int
    nclass: int
    stronger_mask: list[int]
    target_tc: list[int]
    """Target -> its (asset type, component) id, for enumerating targets by type."""
    steps: tuple[int, ...] = ()
    """Per rule: the cost a derivation by it adds (counting length); empty: callers say."""
    index: dict[int, int] = field(default_factory=dict)
    keys: list[int] = field(default_factory=list)
    rules: list[int] = field(default_factory=list)
    vias: list[object] = field(default_factory=list)
    premises: list[tuple[int, ...]] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    by_target: dict[int, list[int]] = field(default_factory=dict)
    tc_targets: dict[int, list[int]] = field(default_factory=dict)
    """(asset type, component) id -> targets that hold at least one fact, in order."""
    buckets: dict[int, deque[Pending]] = field(default_factory=dict)
    current: int = 0
    """The bucket being emptied."""
    journal: list[tuple[str, object]] = field(default_factory=list)
    journaling: bool = False
    attempts: int = 0
    """Facts offered to :meth:`add`, new or not: the propagation's work, which grows with the
    facts found, not with their product (tests/engine/test_hubs.py)."""

    # -- keys ------------------------------------------------------------------------------

    def key(self, target: int, cap: int, persistent: bool, pipe: int) -> int:
        return ((target * self.ncap + cap) * 2 + (1 if persistent else 0)) * 2 + pipe

    def decode(self, key: int) -> Fact:
        pipe = key & 1
        pers = (key >> 1) & 1
        tc = key >> 2
        return Fact(tc // self.ncap, tc % self.ncap, bool(pers), pipe)

    def node_key(self, node: int, vclass: int) -> int:
        return -(1 + node * self.nclass + vclass)

    def decode_node(self, key: int) -> tuple[int, int]:
        n = -key - 1
        return n // self.nclass, n % self.nclass

    # -- adding --------------------------------------------------------------------------------

    def subsumed(self, target: int, cap: int, persistent: bool, pipe: int) -> bool:
        """True when a fact at least as strong is already known."""
        lst = self.by_target.get(target)
        if not lst:
            return False
        mask = self.stronger_mask[cap]
        ncap = self.ncap
        for k in lst:
            if (k & 1) != pipe:
                continue
            if persistent and not (k >> 1) & 1:
                continue
            if (mask >> ((k >> 2) % ncap)) & 1:
                return True
        return False

    def cost_of(self, premises: tuple[int, ...]) -> int:
        """The cost of the costliest of ``premises`` (all known facts); 0 for none."""
        if not premises:
            return 0
        costs = self.costs
        index = self.index
        if len(premises) == 1:
            return costs[index[premises[0]]]
        return max(costs[index[p]] for p in premises)

    def _push(self, key: int, rule: int, via: object, premises: tuple[int, ...], edge: int) -> None:
        if premises:
            cost = self.cost_of(premises) + (self.steps[rule] if self.steps else edge)
        else:
            cost = edge  # a seed: the closure gives its cost
        bucket = self.buckets.get(cost)
        if bucket is None:
            bucket = self.buckets[cost] = deque()
            self.current = min(self.current, cost)
        bucket.append((key, rule, via, premises))

    def add(
        self,
        target: int,
        cap: int,
        persistent: bool,
        pipe: int,
        rule: int,
        via: object,
        premises: tuple[int, ...],
        edge: int = 0,
    ) -> int:
        """Queue a derivation of a fact unless one at least as strong is known; returns the
        fact's key, or -1 if nothing was queued. ``edge`` is what the derivation adds to the
        cost of its premises (a seed's own cost when it has none)."""
        self.attempts += 1
        if self.subsumed(target, cap, persistent, pipe):
            return -1
        key = ((target * self.ncap + cap) * 2 + (1 if persistent else 0)) * 2 + pipe
        self._push(key, rule, via, premises, edge)
        return key

    def add_node(
        self,
        node: int,
        vclass: int,
        rule: int,
        via: object,
        premises: tuple[int, ...],
        edge: int = 0,
    ) -> int:
        key = -(1 + node * self.nclass + vclass)
        if key in self.index:
            return -1
        self._push(key, rule, via, premises, edge)
        return key

    def next(self) -> int | None:
        """Insert the next queued derivation that is still new and return its fact's key (the
        fact to fire), or None when every bucket is empty."""
        buckets = self.buckets
        index = self.index
        while buckets:
            bucket = buckets.get(self.current)
            if not bucket:
                buckets.pop(self.current, None)
                if buckets:
                    self.current = min(buckets)
                continue
            key, rule, via, premises = bucket.popleft()
            if key in index:
                continue
            if key >= 0:
                pipe = key & 1
                tc = key >> 2
                target = tc // self.ncap
                if self.subsumed(target, tc % self.ncap, bool((key >> 1) & 1), pipe):
                    continue
                self._insert(key, rule, via, premises)
                self._by_target(key, target)
            else:
                self._insert(key, rule, via, premises)
            return key
        return None

    def _insert(self, key: int, rule: int, via: object, premises: tuple[int, ...]) -> None:
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.rules.append(rule)
        self.vias.append(via)
        self.premises.append(premises)
        self.costs.append(self.current)

    def _by_target(self, key: int, target: int) -> None:
        lst = self.by_target.get(target)
        if lst is None:
            self.by_target[target] = [key]
            tc = self.target_tc[target]
            tl = self.tc_targets.get(tc)
            if tl is None:
                self.tc_targets[tc] = [target]
            else:
                tl.append(target)
            if self.journaling:
                self.journal.append(("target-new", target))
        else:
            lst.append(key)
            if self.journaling:
                self.journal.append(("target", target))

    def holds(self, target: int, mask: int, persistent: bool, pipe: int = -1) -> int:
        """A known fact on ``target`` whose capability is in ``mask`` (persistent if asked, in
        pipeline ``pipe`` unless it is -1); -1 if none."""
        lst = self.by_target.get(target)
        if not lst:
            return -1
        ncap = self.ncap
        for k in lst:
            if persistent and not (k >> 1) & 1:
                continue
            if pipe >= 0 and (k & 1) != pipe:
                continue
            if (mask >> ((k >> 2) % ncap)) & 1:
                return k
        return -1

    def derivation(self, key: int) -> tuple[int, object, tuple[int, ...]]:
        i = self.index[key]
        return self.rules[i], self.vias[i], self.premises[i]

    def cost(self, key: int) -> int:
        """The cost of the derivation ``key`` keeps."""
        return self.costs[self.index[key]]

    # -- rollback ------------------------------------------------------------------------------

    def mark(self) -> tuple[int, int]:
        """A point to roll back to; marks nest (roll back to the latest first)."""
        self.journaling = True
        return len(self.keys), len(self.journal)

    def rollback(self, mark: tuple[int, int]) -> None:
        """Forget every fact added since ``mark``, and every derivation still queued."""
        nkeys, njournal = mark
        while len(self.journal) > njournal:
            op, target = self.journal.pop()
            assert isinstance(target, int)
            lst = self.by_target[target]
            lst.pop()
            if op == "target-new":
                del self.by_target[target]
                self.tc_targets[self.target_tc[target]].pop()
        while len(self.keys) > nkeys:
            key = self.keys.pop()
            self.rules.pop()
            self.vias.pop()
            self.premises.pop()
            self.costs.pop()
            del self.index[key]
        self.buckets.clear()
        self.current = 0


def step_costs() -> tuple[int, ...]:
    """Per rule, what a derivation adds when cost counts length: one step, none for the
    bookkeeping between a component and its asset."""
    out = [1] * (max(Rule) + 1)
    for rule in STRUCTURAL:
        out[rule] = 0
    return tuple(out)
