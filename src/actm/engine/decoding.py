"""What a threat's finding needs of its match and proof alone, decoded before its attribution.

A reported threat (:class:`~actm.engine.output.Finding`) combines two kinds of values: those
its match and shown proof fix (the chain, the seeds it rests on, the assets it passes through,
its conditional citations) and those its attribution decides (routes, verdict, final severity).
:class:`Decoder` works out the first kind, so that a run whose route reruns go on in worker
processes decodes its threats while it waits for them (:func:`decode_all`) instead of after,
and may leave part of them to a worker process beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actm.engine.analysis import EngineOutput
from actm.engine.chain import ChainStep
from actm.engine.citing import Citer
from actm.engine.facts import Rule
from actm.engine.matching import Match
from actm.engine.parallel import beside
from actm.engine.provenance import seeds_in
from actm.engine.reader import Reader
from actm.records import quick_init

__all__ = ["Decoded", "Decoder", "decode_all"]

_ENTRY_SEEDS = frozenset((Rule.OUTSIDE_CONTENT, Rule.THIRD_PARTY, Rule.NETWORK, Rule.PHYSICAL))

_ADVERSARY, _ASSUMPTION, _VULNERABILITY = 0, 1, 2
"""What a seed names (its place in the sets :meth:`Decoder.__call__` sorts)."""

_Key = tuple[tuple[Rule, object] | None, int, str, str | None, str | None]
"""What a chain reads of one fact (:meth:`Decoder._key`)."""


@quick_init
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
        self._keys: dict[int, _Key] = {}
        """Fact -> what a chain through it reads of it (facts recur across the chains of a
        run: read once each)."""

    def __call__(self, m: Match, keys: list[int]) -> Decoded:
        c = self.c
        attack = c.rules[m.rule].attack
        reader = self.reader
        # the seeds the chain rests on (as seeds_in gives them), sorted by what they name, and
        # the asset types and weaknesses of its facts: one pass, each fact read once per run
        named: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        adversaries, assumptions, vulns = named
        seeds: list[tuple[Rule, object]] = []
        asset_types: set[str] = set()
        known = self._keys
        for k in keys:
            read = known.get(k)
            if read is None:
                read = known[k] = self._key(k)
            seed, kind, name, atype, weakness = read
            if seed is not None:
                seeds.append(seed)
                named[kind].add(name)
            if atype is not None:
                asset_types.add(atype)
            if weakness is not None:
                vulns.add(weakness)
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

    def _key(self, key: int) -> _Key:
        """What a chain reads of fact ``key``: the seed it is (:func:`seeds_in`) with what the
        seed names (an adversary, an assumption or a vulnerability: :data:`_ADVERSARY`,
        :data:`_ASSUMPTION`, :data:`_VULNERABILITY`), and for a fact on an asset its type and
        the weakness that derived it, if one did."""
        found = seeds_in(self.store, (key,))
        seed = found[0] if found else None
        kind, name = _VULNERABILITY, ""
        if seed is not None:
            how, via = seed
            if how in (Rule.ADVERSARY, Rule.PUBLIC_USER):
                kind, name = _ADVERSARY, str(via)
            elif how in _ENTRY_SEEDS:
                assert isinstance(via, tuple)
                kind, name = _ADVERSARY, str(via[0])
            elif how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS):
                kind, name = _ASSUMPTION, str(via)
            else:
                name = str(via)
        if key < 0:
            return seed, kind, name, None, None
        c = self.c
        code, via, _ = self.store.derivation(key)
        atype = c.asset_type[c.target_asset[self.store.decode(key).target]]
        return seed, kind, name, atype, str(via) if code == Rule.AI_WEAKNESS else None


def decode_all(out: EngineOutput, *, aside: float = 0.0) -> tuple[Decoded, ...]:
    """Every match of ``out`` decoded, in the order of its matches.

    ``aside``: the share of the matches (the last ones) decoded in a worker process forked now
    (engine/parallel.py), while this process decodes the others; the worker's are read back
    and follow them. Each match decodes to the same values in either process (a
    :class:`Decoder` only remembers what it read), so the share changes when the values are
    made, never what they are."""
    n = len(out.matches)
    split = n - int(n * aside)
    if split >= n:
        return _decoded(out, 0, n)
    first, rest = beside(lambda: _decoded(out, split, n), lambda: _decoded(out, 0, split))
    return first + rest()


def _decoded(out: EngineOutput, start: int, stop: int) -> tuple[Decoded, ...]:
    """The matches of ``out`` from ``start`` to ``stop`` decoded, in their order."""
    decode = Decoder(out)
    proofs = out.proofs
    return tuple(decode(out.matches[i], proofs[i]) for i in range(start, stop))
