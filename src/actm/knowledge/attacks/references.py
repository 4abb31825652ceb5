"""Compiling an entry's ``references`` and ``references_when``: every framework and item id
known, every reference performed by a step the entry has, every condition valid against the
vocabulary and the entry's variables. Every problem is a located
:class:`~actm.errors.Diagnostic`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from actm.errors import Diagnostic
from actm.io.diagnose import did_you_mean
from actm.io.yaml import YamlDocument
from actm.knowledge.attacks.citations import (
    IMPACT_STEP,
    PSEUDO_STEPS,
    ROUTE_STEP,
    ChainPattern,
    Citation,
    Reference,
)
from actm.knowledge.attacks.schema import _AttackIn, _ChainStepIn, _CiteIn, _References
from actm.knowledge.conditions import Where, check_where, compile_where
from actm.knowledge.frameworks import Framework, check_references
from actm.knowledge.vocabulary import Vocabulary

__all__ = ["CompiledReferences", "compile_references", "unknown_chain_attacks"]

Path_ = tuple[str | int, ...]


@dataclass
class CompiledReferences:
    cites: tuple[Reference, ...] = ()
    citations: tuple[Citation, ...] = ()
    diags: list[Diagnostic] = field(default_factory=list)


class _RefCompiler:
    def __init__(
        self,
        entry: _AttackIn,
        doc: YamlDocument,
        vocab: Vocabulary,
        frameworks: Mapping[str, Framework],
        steps: Collection[str],
        variables: Collection[str],
    ) -> None:
        self.entry = entry
        self.doc = doc
        self.vocab = vocab
        self.frameworks = frameworks
        self.steps = steps
        self.variables = variables
        self.diags: list[Diagnostic] = []

    def bad(self, path: Path_, code: str, msg: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, f"{self.entry.id}: {msg}", self.doc.locate(path), hint))

    def references(self, refs: _References, at: Path_, *, route: bool) -> tuple[Reference, ...]:
        """The references of one ``references`` mapping (framework -> step -> ids) at ``at``."""
        out: list[Reference] = []
        steps = [*self.steps]
        if self.entry.impact is not None:
            steps.append(IMPACT_STEP)
        if route:
            steps.append(ROUTE_STEP)
        for fw, by_step in refs.items():
            for step, ids in by_step.items():
                self.diags += check_references(
                    {fw: ids},
                    self.frameworks,
                    lambda path, key: self.doc.locate(path, key=key),
                    self.entry.id,
                    at=at,
                    inner=(step,),
                )
                if step not in steps:
                    self.unknown_step(step, (*at, fw, step), steps)
                    continue
                out += [Reference(fw, ident, step) for ident in dict.fromkeys(ids)]
        return tuple(out)

    def unknown_step(self, step: str, path: Path_, steps: Sequence[str]) -> None:
        if step == ROUTE_STEP:
            self.bad(
                path,
                "route-without-chain",
                "a reference the route performs needs a 'chain' condition that shows it",
                "move it to references_when with 'when: {chain: {...}}'",
            )
        elif step == IMPACT_STEP:
            self.bad(path, "unknown-step", "a conversion has no impact to perform a reference")
        else:
            self.bad(
                path,
                "unknown-step",
                f"no step {step!r} performs these references",
                did_you_mean(step, steps, what="steps"),
            )

    def where(self, cite: _CiteIn, at: Path_) -> tuple[tuple[str, Where], ...]:
        out: list[tuple[str, Where]] = []
        for var, raw in (cite.when.where or {}).items():
            path = (*at, "where", var)
            if var not in self.variables:
                self.bad(
                    path,
                    "unbound-variable",
                    f"references_when names variable {var!r}, which no requirement binds",
                    did_you_mean(var, self.variables, what="variables"),
                )
                continue
            for name, (code, msg, hint) in check_where(raw, self.vocab):
                self.bad((*path, name), code, msg, hint)
            where = compile_where(raw)
            for other in where.other_vars():
                if other not in self.variables:
                    msg = f"references_when relates {var!r} to {other!r}, which nothing binds"
                    self.bad(path, "unbound-variable", msg)
            out.append((var, where))
        return tuple(out)

    def chain(self, raw: _ChainStepIn | None, at: Path_) -> ChainPattern | None:
        if raw is None:
            return None
        vocab = self.vocab
        components = {c for t in vocab.asset_types.values() for c in t.components}
        known: dict[str, tuple[Collection[str], str]] = {
            "rule": (vocab.wording.rules, "rules"),
            "asset_type": (vocab.asset_types, "asset types"),
            "component": (components, "components"),
            "vulnerability_class": (vocab.vulnerability_classes, "vulnerability classes"),
            "adversary": (vocab.adversaries, "built-in adversaries"),
            "capability": (vocab.capability_class, "capabilities"),
        }
        for key, (names, what) in known.items():
            for i, value in enumerate(getattr(raw, key) or ()):
                if value not in names:
                    self.bad(
                        (*at, key, i),
                        "unknown-chain-value",
                        f"unknown {what[:-1] if what.endswith('s') else what} {value!r}",
                        did_you_mean(value, names, what=what),
                    )

        def words(values: Sequence[str] | None) -> frozenset[str] | None:
            return None if values is None else frozenset(values)

        return ChainPattern(
            words(raw.rule),
            words(raw.asset_type),
            words(raw.component),
            words(raw.vulnerability_class),
            words(raw.adversary),
            words(raw.attack),
            raw.persistent,
            words(raw.reach),
            words(raw.capability),
        )

    def citation(self, cite: _CiteIn, i: int) -> Citation:
        at: Path_ = ("references_when", i)
        when = cite.when
        if not when.where and when.chain is None and when.no_chain is None:
            self.bad(
                (*at, "when"),
                "empty-condition",
                "a conditional reference needs a condition",
                "put references every threat of the entry cites under 'references'",
            )
        adds = self.references(cite.add, (*at, "add"), route=when.chain is not None)
        return Citation(
            self.where(cite, (*at, "when")),
            self.chain(when.chain, (*at, "when", "chain")),
            self.chain(when.no_chain, (*at, "when", "no_chain")),
            adds,
        )


def compile_references(
    entry: _AttackIn,
    doc: YamlDocument,
    vocab: Vocabulary,
    frameworks: Mapping[str, Framework],
    steps: Collection[str],
    variables: Collection[str],
) -> CompiledReferences:
    """The entry's fixed references and conditional citations, and every problem found."""
    rc = _RefCompiler(entry, doc, vocab, frameworks, steps, variables)
    for i, step in enumerate(entry.steps):
        if step.id in PSEUDO_STEPS:
            rc.bad(
                ("steps", i, "id"),
                "reserved-step-id",
                f"{step.id!r} names what a reference is performed by outside the steps",
                "choose another step id",
            )
    cites = rc.references(entry.references, ("references",), route=False)
    citations = tuple(rc.citation(c, i) for i, c in enumerate(entry.references_when))
    return CompiledReferences(cites, citations, rc.diags)


def unknown_chain_attacks(
    citations: Sequence[Citation], attack_ids: Collection[str]
) -> list[tuple[int, str, str]]:
    """(citation index, ``chain``/``no_chain``, attack id) for every attack a chain condition
    names that the knowledge base does not have (checked once every entry is loaded)."""
    out: list[tuple[int, str, str]] = []
    for i, c in enumerate(citations):
        for key, pattern in (("chain", c.chain), ("no_chain", c.no_chain)):
            for attack in sorted(pattern.attacks or ()) if pattern is not None else ():
                if attack not in attack_ids:
                    out.append((i, key, attack))
    return out
