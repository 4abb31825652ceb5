"""Compiling one validated attack file into an :class:`AttackPattern`, checking it against the
vocabulary: asset types, components, capabilities, ``where`` values, variables, the impact and
the key. Every problem becomes a located :class:`~actm.errors.Diagnostic`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from actm.errors import Diagnostic
from actm.io.diagnose import did_you_mean
from actm.io.yaml import YamlDocument
from actm.knowledge.attacks.citations import group_references
from actm.knowledge.attacks.patterns import AttackPattern, Impact, Requirement, Step, Yield
from actm.knowledge.attacks.references import compile_references
from actm.knowledge.attacks.schema import _AttackIn, _ImpactIn, _ReqIn, _YieldIn
from actm.knowledge.conditions import check_where, compile_where
from actm.knowledge.frameworks import Framework
from actm.knowledge.vocabulary import Vocabulary

__all__ = ["compile_attack"]

Path_ = tuple[str | int, ...]
"""A location in the attack file: keys and list indices."""


def _listify(v: str | list[str] | None) -> tuple[str, ...] | None:
    if v is None:
        return None
    return (v,) if isinstance(v, str) else tuple(v)


class _Compiler:
    """The state of one entry's compilation: its diagnostics and its variables' sorts."""

    def __init__(self, entry: _AttackIn, doc: YamlDocument, vocab: Vocabulary) -> None:
        self.entry = entry
        self.doc = doc
        self.vocab = vocab
        self.diags: list[Diagnostic] = []
        self.var_sort: dict[str, str] = {}
        """Variable -> 'model' or 'asset'."""
        self.variables: list[str] = []
        """Variables in order of first use."""

    def bad(self, path: Path_, code: str, msg: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, f"{self.entry.id}: {msg}", self.doc.locate(path), hint))

    # -- vocabulary -----------------------------------------------------------------------------

    def check_type(self, atype: str, path: Path_) -> bool:
        vocab = self.vocab
        if atype in vocab.asset_types:
            return True
        hint = did_you_mean(atype, vocab.asset_types, what="asset types")
        self.bad(path, "unknown-asset-type", f"unknown asset type {atype!r}", hint)
        return False

    def check_cap(self, cap: str, path: Path_) -> bool:
        if cap in self.vocab.capability_class:
            return True
        hint = did_you_mean(cap, self.vocab.capabilities, what="capabilities")
        self.bad(path, "unknown-capability", f"unknown capability {cap!r}", hint)
        return False

    def check_components(self, atypes: Sequence[str], comps: Sequence[str], path: Path_) -> None:
        types = self.vocab.asset_types
        for c in comps:
            if any(c in types[t].components for t in atypes if t in types):
                continue
            valid = sorted({x for t in atypes if t in types for x in types[t].components})
            self.bad(
                path,
                "unknown-component",
                f"{'/'.join(atypes)} has no component {c!r}",
                did_you_mean(c, valid, what="components"),
            )

    def bind(self, var: str, atypes: Sequence[str], path: Path_) -> None:
        """Record that ``var`` binds a model or an asset, as ``atypes`` say."""
        vocab = self.vocab
        sorts = {
            "model" if vocab.category(t) == "ai" else "asset"
            for t in atypes
            if t in vocab.asset_types
        }
        if len(sorts) > 1:
            self.bad(
                path,
                "mixed-variable",
                f"variable {var!r} mixes AI and conventional asset types",
                "use one variable for a model and another for a conventional asset",
            )
            return
        if not sorts:
            return
        s = sorts.pop()
        prev = self.var_sort.get(var)
        if prev is not None and prev != s:
            self.bad(
                path,
                "mixed-variable",
                f"variable {var!r} is used for a {prev} and for a{'n' if s == 'asset' else ''} {s}",
                "use a different variable name",
            )
        self.var_sort.setdefault(var, s)
        if var not in self.variables:
            self.variables.append(var)

    # -- steps ----------------------------------------------------------------------------------

    def requirement(self, r: _ReqIn, path: Path_) -> Requirement:
        atypes = _listify(r.asset) or ()
        ok = all(self.check_type(t, (*path, "asset")) for t in atypes)
        comps = _listify(r.component)
        if ok and comps:
            self.check_components(atypes, comps, (*path, "component"))
        if r.capability is not None:
            self.check_cap(r.capability, (*path, "capability"))
        if ok:
            self.bind(r.var, atypes, path)
        for name, (code, msg, hint) in check_where(r.where, self.vocab):
            self.bad((*path, "where", name), code, msg, hint)
        if r.whole and comps:
            self.bad(
                (*path, "whole"),
                "whole-with-component",
                "whole: true asks for the asset as a whole; it cannot name a component",
                "drop component or whole",
            )
        where = compile_where(r.where)
        return Requirement(
            r.var, atypes, comps, r.capability, r.persistent, r.pipeline, where, whole=r.whole
        )

    def yield_(self, y: _YieldIn, path: Path_) -> Yield:
        if y.asset is None:
            if self.var_sort.get(y.var) == "model":
                self.bad(
                    (*path, "asset"),
                    "missing-yield-asset",
                    f"{y.var!r} is a model: name which of its assets the yield is on",
                )
            elif y.component is not None:
                self.bad(
                    (*path, "component"),
                    "component-without-asset",
                    "a yield on the bound asset itself cannot name a component",
                )
        elif self.check_type(y.asset, (*path, "asset")):
            if y.component:
                self.check_components((y.asset,), (y.component,), (*path, "component"))
            self.bind(y.var, (y.asset,), path)
        self.check_cap(y.capability, (*path, "capability"))
        integrity = self.vocab.capability_class.get(y.capability) == "integrity"
        return Yield(y.var, y.asset, y.component, y.capability, y.persistent and integrity)

    def steps(self) -> list[Step]:
        out: list[Step] = []
        for si, step in enumerate(self.entry.steps):
            reqs = [
                self.requirement(r, ("steps", si, "requires", ri))
                for ri, r in enumerate(step.requires)
            ]
            ylds = [self.yield_(y, ("steps", si, "yields", yi)) for yi, y in enumerate(step.yields)]
            out.append(Step(step.id, step.description, tuple(reqs), tuple(ylds)))
        return out

    def check_variables(self, steps: Sequence[Step], required: set[str]) -> None:
        """Variables named by ``where`` and by yields must be bound by some requirement (a
        yield's: by its own step or an earlier one), and some conditions need a model."""
        for si, step in enumerate(steps):
            for ri, req in enumerate(step.requires):
                model_only = {v for c, v in req.where.relational if c.model_only}
                for other in req.where.other_vars():
                    if other not in required:
                        self.bad(
                            ("steps", si, "requires", ri, "where"),
                            "unbound-variable",
                            f"where names variable {other!r}, which no requirement binds",
                        )
                    elif self.var_sort.get(other) != "model" and other in model_only:
                        self.bad(
                            ("steps", si, "requires", ri, "where"),
                            "wrong-variable",
                            f"where relates to {other!r}, which must be a model variable",
                        )
            bound_so_far = {q.var for st in steps[: si + 1] for q in st.requires}
            for yi, y in enumerate(step.yields):
                if y.var not in bound_so_far:
                    self.bad(
                        ("steps", si, "yields", yi, "var"),
                        "unbound-variable",
                        f"yield names variable {y.var!r}, which no requirement binds",
                        "yields act on assets the requirements have bound",
                    )

    # -- impact and key -------------------------------------------------------------------------

    def impact(self, i: _ImpactIn, required: set[str]) -> Impact:
        if i.var not in required:
            msg = f"impact names unbound variable {i.var!r}"
            self.bad(("impact", "var"), "unbound-variable", msg)
        if self.var_sort.get(i.var) == "model":
            if i.asset is None:
                self.bad(
                    ("impact",),
                    "missing-impact-asset",
                    f"{i.var!r} is a model: name the asset type the attack hurts",
                )
            elif (
                self.check_type(i.asset, ("impact", "asset"))
                and self.vocab.category(i.asset) != "ai"
            ):
                self.bad(
                    ("impact", "asset"),
                    "wrong-impact-asset",
                    f"{i.asset} is not an AI asset type of model variable {i.var!r}",
                )
        elif i.asset is not None:
            self.bad(
                ("impact", "asset"),
                "impact-asset-for-asset-variable",
                f"{i.var!r} binds an asset itself; drop impact.asset",
            )
        if i.component is not None and i.asset is not None:
            self.check_components((i.asset,), (i.component,), ("impact", "component"))
        classes = (i.class_,) if isinstance(i.class_, str) else tuple(dict.fromkeys(i.class_))
        return Impact(i.var, i.asset, i.component, classes)

    def check_whole(self, steps: Sequence[Step], impact: Impact | None) -> None:
        """What the entry as a whole must have: an impact it reaches, a capability, a yield."""
        entry = self.entry
        if impact is None and entry.kind == "attack":
            self.bad(
                ("impact",),
                "missing-impact",
                "an attack needs an impact: {var, asset, class}",
                "name the bound asset the attack hurts and the protection it breaks",
            )
        if steps and all(r.capability is None for s in steps for r in s.requires):
            self.bad(("steps",), "no-capability", "at least one requirement must name a capability")
        for cls in impact.classes if impact is not None else ():
            if impact is not None and not _covers(impact, cls, steps, self.vocab):
                self.bad(
                    ("impact",),
                    "impact-not-reached",
                    f"nothing in the pattern reaches {cls} on the impact asset",
                    "add a yield (or a requirement) with a capability of that class on it",
                )
        if entry.kind == "conversion" and not any(s.yields for s in steps):
            self.bad(("steps",), "conversion-without-yield", "a conversion must yield a capability")

    def check_key(self, impact: Impact | None, required: set[str]) -> None:
        key = self.entry.key
        if key is None:
            return
        for v in key:
            if v not in required:
                self.bad(("key",), "unbound-variable", f"key names unbound variable {v!r}")
        if impact is not None and impact.var not in key:
            self.bad(
                ("key",),
                "impact-not-key",
                f"the impact variable {impact.var!r} must be part of the key",
            )

    def check_witnesses(self, steps: Sequence[Step], key_vars: tuple[str, ...]) -> None:
        for si, step in enumerate(steps):
            for yi, y in enumerate(step.yields):
                if y.var not in key_vars:
                    self.bad(
                        ("steps", si, "yields", yi, "var"),
                        "yield-on-witness",
                        f"yield on {y.var!r}, which is not part of the key",
                        "yields must act on key variables, or results would depend on which "
                        "witness was found first",
                    )


def _covers(impact: Impact, cls: str, steps: Sequence[Step], vocab: Vocabulary) -> bool:
    """Some requirement or yield reaches ``cls`` on the impact asset."""
    for s in steps:
        patterns: list[tuple[str, str | None, str | None, str | None]] = [
            (r.var, t, c, r.capability)
            for r in s.requires
            for t in r.asset_types
            for c in (r.components or (None,))
        ]
        patterns += [(y.var, y.asset_type, y.component, y.capability) for y in s.yields]
        for var, atype, comp, cap in patterns:
            if var != impact.var or cap is None:
                continue
            if vocab.capability_class.get(cap) != cls:
                continue
            if impact.asset_type is not None and atype != impact.asset_type:
                continue
            if impact.component is not None and comp not in (None, impact.component):
                continue
            return True
    return False


def compile_attack(
    entry: _AttackIn,
    doc: YamlDocument,
    vocab: Vocabulary,
    frameworks: Mapping[str, Framework],
) -> tuple[AttackPattern | None, list[Diagnostic]]:
    """The entry compiled, or None and every problem found (located in ``doc``)."""
    cc = _Compiler(entry, doc, vocab)
    stem = Path(doc.path).stem
    if entry.id != stem:
        cc.bad(
            ("id",),
            "id-not-file-name",
            f"id {entry.id!r} differs from the file name {stem!r}",
            f"rename the file to {entry.id}.yaml or change the id",
        )
    steps = cc.steps()
    required = {q.var for st in steps for q in st.requires}
    cc.check_variables(steps, required)
    impact = cc.impact(entry.impact, required) if entry.impact is not None else None
    refs = compile_references(entry, doc, vocab, frameworks, [s.id for s in steps], required)
    cc.diags += refs.diags
    cc.check_whole(steps, impact)
    if cc.diags:
        return None, cc.diags
    cc.check_key(impact, required)
    if cc.diags:
        return None, cc.diags
    key_vars = tuple(v for v in cc.variables if entry.key is None or v in entry.key)
    cc.check_witnesses(steps, key_vars)
    if cc.diags:
        return None, cc.diags
    return AttackPattern(
        id=entry.id,
        kind=entry.kind,
        title=entry.title,
        description=entry.description.strip(),
        likelihood=entry.likelihood,
        maturity=entry.maturity,
        steps=tuple(steps),
        impact=impact,
        controls=tuple(entry.controls),
        references=group_references(refs.cites),
        variables=tuple(cc.variables),
        key_vars=key_vars,
        var_sort=cc.var_sort,
        source=doc.path,
        cites=refs.cites,
        citations=refs.citations,
        one_adversary=entry.one_adversary,
    ), []
