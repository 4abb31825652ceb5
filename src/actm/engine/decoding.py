"""What a threat's finding needs of its match and proof alone, decoded before its attribution.

A reported threat (:class:`~actm.engine.output.Finding`) combines two kinds of values: those
its match and shown proof fix (the chain, the seeds it rests on, the assets it passes through,
its conditional citations) and those its attribution decides (routes, verdict, final severity).
:class:`Decoder` works out the first kind, so that a run whose route reruns go on in worker
processes decodes its threats while it waits for them (:func:`decode_all`) instead of after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actm.engine.analysis import EngineOutput
from actm.engine.chain import ChainStep
from actm.engine.citing import Citer
from actm.engine.facts import Rule
from actm.engine.matching import Match
from actm.engine.provenance import seeds_in
from actm.engine.reader import Reader

__all__ = ["Decoded", "Decoder", "decode_all"]

_ENTRY_SEEDS = frozenset((Rule.OUTSIDE_CONTENT, Rule.THIRD_PARTY, Rule.NETWORK, Rule.PHYSICAL))


@dataclass(frozen=True, slots=True)
class Decoded:
    """One match decoded without its attribution."""

    chain: tuple[ChainStep, ...]
    """From what the model declares to what the attack yields."""
    adversaries: tuple[str, ...]
    """The adversaries and entry points its shown chain starts from, sorted."""
    vulnerabilities: tuple[str, ...]
    assumptions: tuple[str, ...]
    bound: frozenset[str]
    """The assets its binding names."""
    asset_types: frozenset[str]
    """The types of the assets it binds and of those its chain passes through."""
    cited: tuple[int, ...]
    """Indices of the entry's conditional citations that its binding and chain show."""
    hypothetical: bool
    """Its chain rests on a weakness a hypothesis posits, or a static condition of its match
    holds only by one."""
    seeds: list[tuple[Rule, object]] = field(hash=False)
    """The declared elements its shown chain rests on (:func:`seeds_in`), for judging it."""


class Decoder:
    """Decodes the matches of one run (facts, steps and citations read once each)."""

    def __init__(self, out: EngineOutput) -> None:
        self.c = out.compiled
        self.store = out.closure.store
        self.reader = Reader(self.c, self.store, out.wording)
        self.citer = Citer(self.c, self.store, out.wording.names)
        self._facts: dict[int, tuple[str, str | None]] = {}
        """Fact -> the type of its asset and the weakness that derived it, if one did (facts
        recur across the chains of a run: read once each)."""

    def __call__(self, m: Match, keys: list[int]) -> Decoded:
        c = self.c
        store = self.store
        attack = c.rules[m.rule].attack
        reader = self.reader
        adversaries: set[str] = set()
        vulns: set[str] = set()
        assumptions: set[str] = set()
        seeds = seeds_in(store, keys)
        for how, via in seeds:
            if how in (Rule.ADVERSARY, Rule.PUBLIC_USER):
                adversaries.add(str(via))
            elif how in _ENTRY_SEEDS:
                assert isinstance(via, tuple)
                adversaries.add(str(via[0]))
            elif how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
                assumptions.add(str(via))
            else:
                vulns.add(str(via))
        asset_types: set[str] = set()
        facts = self._facts
        for k in keys:
            if k >= 0:
                fact = facts.get(k)
                if fact is None:
                    fact = facts[k] = self._fact(k)
                asset_types.add(fact[0])
                if fact[1] is not None:
                    vulns.add(fact[1])
        bound: set[str] = set()
        for var, owner in zip(attack.variables, m.full_binding, strict=True):
            if owner and attack.var_sort.get(var) == "asset":
                bound.add(owner)
                asset_types.add(c.asset_type[c.asset_index[owner]])
        extra = c.extra_vulns
        return Decoded(
            chain=reader.chain(keys) + reader.effects(m, keys, len(keys)),
            adversaries=tuple(sorted(adversaries)),
            vulnerabilities=tuple(sorted(vulns)),
            assumptions=tuple(sorted(assumptions)),
            bound=frozenset(bound),
            asset_types=frozenset(asset_types),
            cited=self.citer.cited(attack, m.full_binding, keys, m.effects),
            hypothetical=m.hypothetical or any(v in extra and extra[v].hypothetical for v in vulns),
            seeds=seeds,
        )

    def _fact(self, key: int) -> tuple[str, str | None]:
        c = self.c
        code, via, _ = self.store.derivation(key)
        atype = c.asset_type[c.target_asset[self.store.decode(key).target]]
        return atype, str(via) if code == Rule.AI_WEAKNESS else None


def decode_all(out: EngineOutput) -> tuple[Decoded, ...]:
    """Every match of ``out`` decoded, in the order of its matches."""
    decode = Decoder(out)
    return tuple(decode(m, keys) for m, keys in zip(out.matches, out.proofs, strict=True))
