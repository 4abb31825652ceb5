"""The attack knowledge base: one YAML file per attack pattern, validated when loaded.

An entry states, in the capability vocabulary, what an attack requires and what it yields:

* ``steps``: each step *requires* capabilities on asset types and *yields* capabilities. A
  requirement binds a variable (``var``) to a model (for AI asset types) or to an asset (for
  conventional and tool types); requirements that share a variable must hold on the same model
  or asset, which is how bindings stay consistent across steps.
* ``where``: conditions on the bound model or asset (its kind, features, tools, relations to
  another variable), checked against the system model, not against facts.
* ``kind: conversion`` entries turn one capability into another (METHOD.md section 3) and are
  not reported as threats; ``kind: attack`` entries are the threats.

A bad entry raises :class:`~actm.errors.KnowledgeError` naming its file and line: analysis stops
(exit 3) rather than silently skipping the entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from actm.errors import Diagnostic, KnowledgeError, SourceLocation
from actm.io.diagnose import ID_PATTERN, did_you_mean
from actm.io.yaml import YamlDocument
from actm.knowledge.controls import ControlTemplate, load_control_catalog
from actm.knowledge.files import read_knowledge_file
from actm.knowledge.frameworks import (
    FRAMEWORK_ID_PATTERN,
    Framework,
    check_references,
    load_frameworks,
    load_mappings,
)
from actm.knowledge.vocabulary import (
    Vocabulary,
    _builtin_dir,
    builtin_vocabulary,
    knowledge_files,
    load_vocabulary,
)

__all__ = [
    "AttackPattern",
    "KnowledgeBase",
    "Requirement",
    "Step",
    "Where",
    "Yield",
    "builtin_knowledge",
    "load_knowledge",
]

_Var = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
_Words = list[Annotated[str, StringConstraints(min_length=1, max_length=100)]]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _WhereIn(_In):
    kind: _Words | None = None
    exposure: list[Literal["public", "internal", "none"]] | None = None
    features: _Words | None = None
    lacks_features: _Words | None = None
    exposes: list[Literal["outputs", "output_details"]] | None = None
    has_tools: bool | None = None
    tool_permission: list[Literal["read", "write", "execute", "egress"]] | None = None
    third_party: bool | None = None
    owner_third_party: bool | None = None
    hosted_by_third_party: bool | None = None
    min_criticality: (
        dict[
            Literal["confidentiality", "integrity", "availability"],
            Literal["low", "medium", "high", "critical"],
        ]
        | None
    ) = None
    stored: bool | None = None
    node_kind: _Words | None = None
    human_approval: bool | None = None
    sandbox: bool | None = None
    read_by: _Var | None = None
    written_by: _Var | None = None
    executed_by: _Var | None = None
    authorises: _Var | None = None
    used_by: _Var | None = None
    feeds: _Var | None = None
    fed_by: _Var | None = None
    related_to: _Var | None = None
    differs_from: _Var | None = None
    node_vulnerability: _Words | None = None
    derived_from: _Var | None = None
    part_of: _Var | None = None
    not_used_by: _Var | None = None
    shares_node_with: _Var | None = None
    read_into: _Var | None = None


class _ReqIn(_In):
    var: _Var
    asset: str | list[str]
    component: str | list[str] | None = None
    capability: str | None = None
    """None: the asset only has to exist (and meet ``where``); no capability is required."""
    persistent: bool = False
    pipeline: Literal["development", "deployment"] | None = None
    whole: bool = False
    """The capability must hold on the asset as a whole, not only on a part of it lifted from
    one of its components."""
    where: _WhereIn | None = None


class _YieldIn(_In):
    var: _Var
    asset: str | None = None
    """None for an asset variable: the yield is on the bound asset itself."""
    component: str | None = None
    capability: str
    persistent: bool = False


class _StepIn(_In):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    description: str | None = None
    requires: list[_ReqIn] = Field(min_length=1)
    yields: list[_YieldIn] = []


class _ImpactIn(_In):
    var: _Var
    asset: str | None = None
    component: str | None = None
    class_: (
        Literal["confidentiality", "integrity", "availability"]
        | list[Literal["confidentiality", "integrity", "availability"]]
    ) = Field(alias="class")


_References = dict[
    Annotated[str, StringConstraints(pattern=FRAMEWORK_ID_PATTERN)],
    list[Annotated[str, StringConstraints(min_length=1, max_length=100)]],
]
"""Framework id -> ids of its items; checked against the framework registry when compiled."""


class _AttackIn(_In):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    kind: Literal["attack", "conversion"] = "attack"
    title: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    description: Annotated[str, StringConstraints(min_length=20, max_length=4000)]
    likelihood: Literal["high", "medium", "low"] = "medium"
    maturity: Literal["theoretical", "demonstrated", "in_the_wild"] = "demonstrated"
    steps: list[_StepIn] = Field(min_length=1)
    impact: _ImpactIn | None = None
    controls: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    references: _References = {}
    key: list[_Var] | None = None
    """Variables that identify a threat (default: all). Others are witnesses: the first
    binding found for them is shown, and other bindings do not make new threats."""

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: list[_StepIn]) -> list[_StepIn]:
        ids = [s.id for s in steps]
        if len(set(ids)) != len(ids):
            raise ValueError("step ids must be unique within an entry")
        return steps


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Where:
    kind: frozenset[str] | None = None
    exposure: frozenset[str] | None = None
    features: frozenset[str] | None = None
    lacks_features: frozenset[str] | None = None
    exposes: frozenset[str] | None = None
    has_tools: bool | None = None
    tool_permission: frozenset[str] | None = None
    third_party: bool | None = None
    """The model or asset is owned by, or runs on a node of, a third party."""
    owner_third_party: bool | None = None
    hosted_by_third_party: bool | None = None
    min_criticality: Mapping[str, str] | None = None
    stored: bool | None = None
    node_kind: frozenset[str] | None = None
    human_approval: bool | None = None
    sandbox: bool | None = None
    read_by: str | None = None
    written_by: str | None = None
    executed_by: str | None = None
    authorises: str | None = None
    used_by: str | None = None
    feeds: str | None = None
    fed_by: str | None = None
    related_to: str | None = None
    differs_from: str | None = None
    node_vulnerability: frozenset[str] | None = None
    """A declared vulnerability of one of these classes, not removed by a control, sits on a
    node where the bound asset resides (for a tool: the node it runs on)."""
    derived_from: str | None = None
    """A ``derives`` relation writes the bound asset from the other variable's asset (for a
    model: from its outputs)."""
    part_of: str | None = None
    """The bound asset is declared part of the other variable's asset."""
    not_used_by: str | None = None
    """The bound tool is not among the tools the model file gives the other (model) variable;
    a control that blocks one of its tools does not change this."""
    shares_node_with: str | None = None
    """The bound asset resides on a node where an asset of the other variable resides."""
    read_into: str | None = None
    """The bound asset enters the other (model) variable's context: it feeds one of its inputs
    or a tool of the model reads it."""

    def other_vars(self) -> tuple[str, ...]:
        return tuple(
            v
            for v in (
                self.read_by,
                self.written_by,
                self.executed_by,
                self.authorises,
                self.used_by,
                self.feeds,
                self.fed_by,
                self.related_to,
                self.differs_from,
                self.derived_from,
                self.part_of,
                self.not_used_by,
                self.shares_node_with,
                self.read_into,
            )
            if v is not None
        )


@dataclass(frozen=True, slots=True)
class Requirement:
    var: str
    asset_types: tuple[str, ...]
    components: tuple[str, ...] | None
    """None: the whole asset; else any one of these components."""
    capability: str | None
    """None for a structural requirement: the asset must exist, no capability is needed."""
    persistent: bool
    pipeline: str | None
    where: Where
    whole: bool = False
    """The capability must hold on the whole asset, not only on a part lifted from a component."""

    def describe(self) -> str:
        types = "/".join(self.asset_types)
        comp = f".{'/'.join(self.components)}" if self.components else ""
        comp = comp or (" (whole)" if self.whole else "")
        pers = " (persistent)" if self.persistent else ""
        if self.capability is None:
            return f"{self.var}:{types}{comp} exists"
        return f"{self.capability} on {self.var}:{types}{comp}{pers}"


@dataclass(frozen=True, slots=True)
class Yield:
    var: str
    asset_type: str | None
    """None: the asset bound to ``var`` itself."""
    component: str | None
    capability: str
    persistent: bool


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    description: str | None
    requires: tuple[Requirement, ...]
    yields: tuple[Yield, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    var: str
    asset_type: str | None
    """The model's asset type for a model variable; None for an asset variable."""
    component: str | None
    classes: tuple[str, ...]
    """The protections the attack breaks; severity takes the worst of them."""


@dataclass(frozen=True, slots=True)
class AttackPattern:
    id: str
    kind: str
    title: str
    description: str
    likelihood: str
    maturity: str
    steps: tuple[Step, ...]
    impact: Impact | None
    controls: tuple[str, ...]
    references: Mapping[str, tuple[str, ...]]
    """Framework id -> the item ids the entry names itself, in the order it writes them."""
    variables: tuple[str, ...]
    """Variables in order of first use."""
    key_vars: tuple[str, ...]
    """Variables whose bindings identify a threat, in order of first use."""
    var_sort: Mapping[str, str]
    """Variable -> 'model' or 'asset'."""
    source: str

    def requirements(self) -> tuple[Requirement, ...]:
        return tuple(r for s in self.steps for r in s.requires)


@dataclass(frozen=True)
class KnowledgeBase:
    attacks: Mapping[str, AttackPattern]
    vocabulary: Vocabulary
    locations: Mapping[str, SourceLocation]
    frameworks: Mapping[str, Framework] = field(default_factory=dict)
    """The reference frameworks, by id (in the order their files were read)."""
    mappings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Framework id -> item id -> entries tied to it by a mapping file (sorted ids)."""
    controls: tuple[ControlTemplate, ...] = ()
    """The control catalog the mitigation planner proposes from (sorted by id)."""

    def sorted(self) -> list[AttackPattern]:
        return [self.attacks[k] for k in sorted(self.attacks)]

    def covering(self, framework: str) -> dict[str, tuple[str, ...]]:
        """Item id -> ids of the entries that cover it: their own references plus mappings.

        Only covered items appear: in the framework's order for its listed items, then any
        other ids (of an open framework) sorted. Entry ids are sorted.
        """
        found: dict[str, set[str]] = {}
        for attack in self.attacks.values():
            for item in attack.references.get(framework, ()):
                found.setdefault(item, set()).add(attack.id)
        for item, ids in self.mappings.get(framework, {}).items():
            found.setdefault(item, set()).update(ids)
        fw = self.frameworks.get(framework)
        listed = [i.id for i in fw.items] if fw is not None else []
        order = [i for i in listed if i in found] + sorted(set(found) - set(listed), key=_natural)
        return {i: tuple(sorted(found[i])) for i in order}

    def covers(self, attack_id: str) -> dict[str, tuple[str, ...]]:
        """Framework id -> items the entry covers, through its references or a mapping."""
        attack = self.attacks[attack_id]
        out: dict[str, list[str]] = {k: list(v) for k, v in attack.references.items() if v}
        for fw, items in self.mappings.items():
            for item, ids in items.items():
                if attack_id in ids and item not in out.get(fw, ()):
                    out.setdefault(fw, []).append(item)
        return {k: tuple(v) for k, v in out.items()}


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders the numbers inside ids by value: CWE-78 before CWE-200."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def _listify(v: str | list[str] | None) -> tuple[str, ...] | None:
    if v is None:
        return None
    return (v,) if isinstance(v, str) else tuple(v)


def _compile(
    entry: _AttackIn,
    doc: YamlDocument,
    vocab: Vocabulary,
    frameworks: Mapping[str, Framework],
) -> tuple[AttackPattern | None, list[Diagnostic]]:
    diags: list[Diagnostic] = check_references(
        entry.references,
        frameworks,
        lambda path, key: doc.locate(path, key=key),
        entry.id,
    )

    def bad(path: tuple[str | int, ...], code: str, msg: str, hint: str | None = None) -> None:
        diags.append(Diagnostic(code, f"{entry.id}: {msg}", doc.locate(path), hint))

    stem = Path(doc.path).stem
    if entry.id != stem:
        bad(
            ("id",),
            "id-not-file-name",
            f"id {entry.id!r} differs from the file name {stem!r}",
            f"rename the file to {entry.id}.yaml or change the id",
        )
    var_sort: dict[str, str] = {}
    variables: list[str] = []

    def sort_of(atype: str) -> str:
        return "model" if vocab.category(atype) == "ai" else "asset"

    def check_type(atype: str, path: tuple[str | int, ...]) -> bool:
        if atype in vocab.asset_types:
            return True
        bad(
            path,
            "unknown-asset-type",
            f"unknown asset type {atype!r}",
            did_you_mean(atype, vocab.asset_types, what="asset types"),
        )
        return False

    def check_cap(cap: str, path: tuple[str | int, ...]) -> bool:
        if cap in vocab.capability_class:
            return True
        bad(
            path,
            "unknown-capability",
            f"unknown capability {cap!r}",
            did_you_mean(cap, vocab.capabilities, what="capabilities"),
        )
        return False

    def check_components(
        atypes: Sequence[str], comps: Sequence[str], path: tuple[str | int, ...]
    ) -> None:
        for c in comps:
            if not any(
                c in vocab.asset_types[t].components for t in atypes if t in vocab.asset_types
            ):
                valid = sorted(
                    {
                        x
                        for t in atypes
                        if t in vocab.asset_types
                        for x in vocab.asset_types[t].components
                    }
                )
                bad(
                    path,
                    "unknown-component",
                    f"{'/'.join(atypes)} has no component {c!r}",
                    did_you_mean(c, valid, what="components"),
                )

    def bind(var: str, atypes: Sequence[str], path: tuple[str | int, ...]) -> None:
        sorts = {sort_of(t) for t in atypes if t in vocab.asset_types}
        if len(sorts) > 1:
            bad(
                path,
                "mixed-variable",
                f"variable {var!r} mixes AI and conventional asset types",
                "use one variable for a model and another for a conventional asset",
            )
            return
        if not sorts:
            return
        s = sorts.pop()
        prev = var_sort.get(var)
        if prev is not None and prev != s:
            bad(
                path,
                "mixed-variable",
                f"variable {var!r} is used for a {prev} and for a{'n' if s == 'asset' else ''} {s}",
                "use a different variable name",
            )
        var_sort.setdefault(var, s)
        if var not in variables:
            variables.append(var)

    steps: list[Step] = []
    for si, step in enumerate(entry.steps):
        reqs: list[Requirement] = []
        for ri, r in enumerate(step.requires):
            path = ("steps", si, "requires", ri)
            atypes = _listify(r.asset) or ()
            ok = all(check_type(t, (*path, "asset")) for t in atypes)
            comps = _listify(r.component)
            if ok and comps:
                check_components(atypes, comps, (*path, "component"))
            if r.capability is not None:
                check_cap(r.capability, (*path, "capability"))
            if ok:
                bind(r.var, atypes, path)
            w = r.where or _WhereIn()
            if w.kind:
                for k in w.kind:
                    if k not in vocab.model_kinds:
                        bad(
                            (*path, "where", "kind"),
                            "unknown-kind",
                            f"unknown model kind {k!r}",
                            did_you_mean(k, vocab.model_kinds, what="model kinds"),
                        )
            for key in ("features", "lacks_features"):
                for f in getattr(w, key) or ():
                    if f not in vocab.features:
                        bad(
                            (*path, "where", key),
                            "unknown-feature",
                            f"unknown feature {f!r}",
                            did_you_mean(f, vocab.features, what="features"),
                        )
            for k in w.node_kind or ():
                if k not in vocab.node_kinds:
                    bad(
                        (*path, "where", "node_kind"),
                        "unknown-kind",
                        f"unknown node kind {k!r}",
                        did_you_mean(k, vocab.node_kinds, what="node kinds"),
                    )
            conventional = sorted(
                k for k, v in vocab.vulnerability_classes.items() if v.kind == "conventional"
            )
            for k in w.node_vulnerability or ():
                if k not in conventional:
                    bad(
                        (*path, "where", "node_vulnerability"),
                        "unknown-vulnerability-class",
                        f"{k!r} is not a conventional vulnerability class",
                        did_you_mean(k, conventional, what="conventional classes"),
                    )
            if r.whole and comps:
                bad(
                    (*path, "whole"),
                    "whole-with-component",
                    "whole: true asks for the asset as a whole; it cannot name a component",
                    "drop component or whole",
                )
            where = Where(
                kind=frozenset(w.kind) if w.kind else None,
                exposure=frozenset(w.exposure) if w.exposure else None,
                features=frozenset(w.features) if w.features else None,
                lacks_features=frozenset(w.lacks_features) if w.lacks_features else None,
                exposes=frozenset(w.exposes) if w.exposes else None,
                has_tools=w.has_tools,
                tool_permission=frozenset(w.tool_permission) if w.tool_permission else None,
                third_party=w.third_party,
                owner_third_party=w.owner_third_party,
                hosted_by_third_party=w.hosted_by_third_party,
                min_criticality={str(k): str(v) for k, v in w.min_criticality.items()}
                if w.min_criticality
                else None,
                stored=w.stored,
                node_kind=frozenset(w.node_kind) if w.node_kind else None,
                human_approval=w.human_approval,
                sandbox=w.sandbox,
                read_by=w.read_by,
                written_by=w.written_by,
                executed_by=w.executed_by,
                authorises=w.authorises,
                used_by=w.used_by,
                feeds=w.feeds,
                fed_by=w.fed_by,
                related_to=w.related_to,
                differs_from=w.differs_from,
                node_vulnerability=frozenset(w.node_vulnerability)
                if w.node_vulnerability
                else None,
                derived_from=w.derived_from,
                part_of=w.part_of,
                not_used_by=w.not_used_by,
                shares_node_with=w.shares_node_with,
                read_into=w.read_into,
            )
            reqs.append(
                Requirement(
                    r.var,
                    atypes,
                    comps,
                    r.capability,
                    r.persistent,
                    r.pipeline,
                    where,
                    whole=r.whole,
                )
            )
        ylds: list[Yield] = []
        for yi, y in enumerate(step.yields):
            path = ("steps", si, "yields", yi)
            if y.asset is None:
                if var_sort.get(y.var) == "model":
                    bad(
                        (*path, "asset"),
                        "missing-yield-asset",
                        f"{y.var!r} is a model: name which of its assets the yield is on",
                    )
                elif y.component is not None:
                    bad(
                        (*path, "component"),
                        "component-without-asset",
                        "a yield on the bound asset itself cannot name a component",
                    )
            elif check_type(y.asset, (*path, "asset")):
                if y.component:
                    check_components((y.asset,), (y.component,), (*path, "component"))
                bind(y.var, (y.asset,), path)
            check_cap(y.capability, (*path, "capability"))
            ylds.append(
                Yield(
                    y.var,
                    y.asset,
                    y.component,
                    y.capability,
                    y.persistent and vocab.capability_class.get(y.capability) == "integrity",
                )
            )
        steps.append(Step(step.id, step.description, tuple(reqs), tuple(ylds)))

    # variables referenced in where-clauses and yields must be bound by some requirement
    required_vars = {q.var for st in steps for q in st.requires}
    for si, cstep in enumerate(steps):
        for ri, creq in enumerate(cstep.requires):
            for other in creq.where.other_vars():
                if other not in required_vars:
                    bad(
                        ("steps", si, "requires", ri, "where"),
                        "unbound-variable",
                        f"where names variable {other!r}, which no requirement binds",
                    )
                elif var_sort.get(other) != "model" and other in (
                    creq.where.feeds,
                    creq.where.fed_by,
                    creq.where.related_to,
                    creq.where.used_by,
                    creq.where.not_used_by,
                    creq.where.read_into,
                ):
                    bad(
                        ("steps", si, "requires", ri, "where"),
                        "wrong-variable",
                        f"where relates to {other!r}, which must be a model variable",
                    )
        bound_so_far = {q.var for st in steps[: si + 1] for q in st.requires}
        for yi, cy in enumerate(cstep.yields):
            if cy.var not in bound_so_far:
                bad(
                    ("steps", si, "yields", yi, "var"),
                    "unbound-variable",
                    f"yield names variable {cy.var!r}, which no requirement binds",
                    "yields act on assets the requirements have bound",
                )
    impact = None
    if entry.impact is not None:
        i = entry.impact
        if i.var not in required_vars:
            bad(("impact", "var"), "unbound-variable", f"impact names unbound variable {i.var!r}")
        if var_sort.get(i.var) == "model":
            if i.asset is None:
                bad(
                    ("impact",),
                    "missing-impact-asset",
                    f"{i.var!r} is a model: name the asset type the attack hurts",
                )
            elif check_type(i.asset, ("impact", "asset")) and vocab.category(i.asset) != "ai":
                bad(
                    ("impact", "asset"),
                    "wrong-impact-asset",
                    f"{i.asset} is not an AI asset type of model variable {i.var!r}",
                )
        elif i.asset is not None:
            bad(
                ("impact", "asset"),
                "impact-asset-for-asset-variable",
                f"{i.var!r} binds an asset itself; drop impact.asset",
            )
        if i.component is not None and i.asset is not None:
            check_components((i.asset,), (i.component,), ("impact", "component"))
        classes = (i.class_,) if isinstance(i.class_, str) else tuple(dict.fromkeys(i.class_))
        impact = Impact(i.var, i.asset, i.component, classes)
    elif entry.kind == "attack":
        bad(
            ("impact",),
            "missing-impact",
            "an attack needs an impact: {var, asset, class}",
            "name the bound asset the attack hurts and the protection it breaks",
        )
    if steps and all(r.capability is None for s in steps for r in s.requires):
        bad(("steps",), "no-capability", "at least one requirement must name a capability")
    for cls in impact.classes if impact is not None else ():
        if impact is not None and not _covers(impact, cls, steps, vocab):
            bad(
                ("impact",),
                "impact-not-reached",
                f"nothing in the pattern reaches {cls} on the impact asset",
                "add a yield (or a requirement) with a capability of that class on it",
            )
    if entry.kind == "conversion" and not any(s.yields for s in steps):
        bad(("steps",), "conversion-without-yield", "a conversion must yield a capability")
    if diags:
        return None, diags
    refs = {k: tuple(dict.fromkeys(v)) for k, v in entry.references.items() if v}
    if entry.key is not None:
        for v in entry.key:
            if v not in required_vars:
                diags.append(
                    Diagnostic(
                        "unbound-variable",
                        f"{entry.id}: key names unbound variable {v!r}",
                        doc.locate(("key",)),
                    )
                )
        if impact is not None and impact.var not in entry.key:
            diags.append(
                Diagnostic(
                    "impact-not-key",
                    f"{entry.id}: the impact variable {impact.var!r} must be part of the key",
                    doc.locate(("key",)),
                )
            )
        if diags:
            return None, diags
    key_vars = tuple(v for v in variables if entry.key is None or v in entry.key)
    for si, kstep in enumerate(steps):
        for yi, ky in enumerate(kstep.yields):
            if ky.var not in key_vars:
                diags.append(
                    Diagnostic(
                        "yield-on-witness",
                        f"{entry.id}: yield on {ky.var!r}, which is not part of the key",
                        doc.locate(("steps", si, "yields", yi, "var")),
                        "yields must act on key variables, or results would depend on which "
                        "witness was found first",
                    )
                )
    if diags:
        return None, diags
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
        references=refs,
        variables=tuple(variables),
        key_vars=key_vars,
        var_sort=var_sort,
        source=doc.path,
    ), []


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


def _load_dir(
    files: Sequence[tuple[Path, str]],
    vocab: Vocabulary,
    frameworks: Mapping[str, Framework],
    out: dict[str, AttackPattern],
    locations: dict[str, SourceLocation],
    errors: list[Diagnostic],
    *,
    override: bool,
) -> None:
    seen_here: dict[str, str] = {}
    for path, shown in files:
        read = read_knowledge_file(path, shown, _AttackIn, errors)
        if read is None:
            continue
        doc, entry = read
        if entry.id in seen_here:
            errors.append(
                Diagnostic(
                    "duplicate-attack",
                    f"attack id {entry.id!r} is defined twice (also in {seen_here[entry.id]})",
                    doc.locate(("id",)),
                )
            )
            continue
        seen_here[entry.id] = shown
        pattern, cdiags = _compile(entry, doc, vocab, frameworks)
        if pattern is None:
            errors.extend(cdiags)
            continue
        if entry.id in out and not override:  # pragma: no cover - guarded by seen_here
            continue
        out[entry.id] = pattern
        locations[entry.id] = doc.locate(("id",))


def load_knowledge(
    extra_dirs: Sequence[str | Path] = (), vocabulary: Vocabulary | None = None
) -> KnowledgeBase:
    """The built-in knowledge base plus each extra directory's ``attacks/``, ``frameworks/``
    and ``mappings/`` files.

    An extra entry or framework with the id of a built-in one replaces it; mappings add up.
    """
    if not extra_dirs and vocabulary is None:
        return builtin_knowledge()
    vocab = vocabulary or load_vocabulary(extra_dirs)
    return _load_kb(tuple(Path(d) for d in extra_dirs), vocab)


@lru_cache(maxsize=1)
def builtin_knowledge() -> KnowledgeBase:
    """The knowledge base shipped with actm (read once per process; immutable)."""
    return _load_kb((), builtin_vocabulary())


def _layers(extra: Sequence[Path], sub: str) -> list[list[tuple[Path, str]]]:
    """The ``sub/*.yaml`` files of the built-in data, then of each existing extra directory."""
    base = _builtin_dir()
    out = [[(p, f"<actm>/knowledge/data/{sub}/{p.name}") for p in knowledge_files(base, sub)]]
    out += [[(p, str(p)) for p in knowledge_files(d, sub)] for d in extra if d.is_dir()]
    return out


KNOWLEDGE_SUBDIRS = ("attacks", "controls", "frameworks", "mappings", "tests", "vocabulary")
"""What a knowledge directory may hold (``tests/`` for the entries' fixture models)."""


def _unknown_subdirs(d: Path) -> list[Path]:
    return sorted(
        p
        for p in d.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in KNOWLEDGE_SUBDIRS
    )


def _unknown_subdir(sub: Path) -> Diagnostic:
    return Diagnostic(
        "knowledge-dir",
        f"unknown knowledge subdirectory {sub}: its files would be ignored",
        None,
        did_you_mean(sub.name, KNOWLEDGE_SUBDIRS, what="subdirectories"),
    )


def _load_kb(extra: tuple[Path, ...], vocab: Vocabulary) -> KnowledgeBase:
    out: dict[str, AttackPattern] = {}
    locations: dict[str, SourceLocation] = {}
    errors: list[Diagnostic] = [
        Diagnostic(
            "knowledge-dir",
            f"knowledge directory {d} does not exist",
            None,
            "pass a directory holding vocabulary/, attacks/, controls/, frameworks/ "
            "and/or mappings/",
        )
        for d in extra
        if not d.is_dir()
    ]
    errors += [_unknown_subdir(sub) for d in extra if d.is_dir() for sub in _unknown_subdirs(d)]
    frameworks, framework_layer, fw_errors = load_frameworks(_layers(extra, "frameworks"))
    if fw_errors or errors:
        # entries cannot be checked against a broken registry: report the registry first
        raise KnowledgeError(errors + fw_errors)
    attack_layers = _layers(extra, "attacks")
    for n, files in enumerate(attack_layers):
        _load_dir(files, vocab, frameworks, out, locations, errors, override=n > 0)
    mappings, map_errors = load_mappings(
        _layers(extra, "mappings"), frameworks, framework_layer, out
    )
    errors += map_errors
    controls = load_control_catalog(_layers(extra, "controls"), vocab.capabilities, errors)
    if errors:
        raise KnowledgeError(errors)
    if not out:
        raise KnowledgeError([Diagnostic("empty-knowledge", "the knowledge base has no entries")])
    return KnowledgeBase(out, vocab, locations, frameworks, mappings, controls)
