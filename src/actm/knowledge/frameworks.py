"""Reference frameworks and the mappings of their items to knowledge-base entries.

A framework (MITRE ATLAS, the OWASP lists, NIST AI 100-2, CoSAI, SAIF, STRIDE, CWE) is data in
``knowledge/data/frameworks/<id>.yaml``: its id, title, version, an optional url, and its items
(``{id, name}``). A *closed* framework lists every item, and an entry's ``references`` may only
name those; an *open* one (CWE) accepts any id that matches its ``pattern``.

An entry names the items it addresses in its own ``references``. A framework that entries do not
reference themselves is tied to them by a mapping file, ``knowledge/data/mappings/<id>.yaml``
(``{framework, mappings: [{item, attacks}]}``), so adding a framework touches no entry.

Overrides (``--knowledge DIR``): ``DIR/frameworks/<id>.yaml`` adds a framework or replaces the
one with the same id; ``DIR/mappings/<id>.yaml`` adds mappings to those already loaded. A
framework that a later directory replaces drops the mappings written for its earlier
definition, since they name items of a list that no longer applies.

An open framework's ``pattern`` is compiled with RE2 (the ``google-re2`` package), whose
matching time is linear in the length of the id, whatever the pattern: a pattern from a
``--knowledge`` directory such as ``^(a+)+$`` cannot stall a run. RE2 has no backreferences
and no look-around; a pattern that uses them is refused where it is written.

Every problem is a :class:`~actm.errors.Diagnostic` with the file and line; the knowledge base
collects them and raises :class:`~actm.errors.KnowledgeError` (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import re2
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from actm.errors import Diagnostic, SourceLocation
from actm.io.diagnose import did_you_mean
from actm.io.yaml import YamlDocument
from actm.knowledge.files import read_distinct, read_knowledge_file

__all__ = [
    "FRAMEWORK_ID_PATTERN",
    "Framework",
    "FrameworkItem",
    "Locator",
    "MappingTable",
    "check_references",
    "compile_pattern",
    "load_frameworks",
    "load_mappings",
]

FRAMEWORK_ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
"""Framework ids are the keys of an entry's ``references``: snake_case."""

_ItemId = Annotated[str, StringConstraints(pattern=r"^\S{1,100}$")]
_Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_FrameworkId = Annotated[str, StringConstraints(pattern=FRAMEWORK_ID_PATTERN)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _ItemIn(_In):
    id: _ItemId
    name: _Text


class _FrameworkIn(_In):
    id: _FrameworkId
    title: _Text
    version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=400)] | None = None
    open: bool = False
    """Open: any id matching ``pattern`` is accepted; closed: only the listed items."""
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    items: list[_ItemIn] = []


class _MapIn(_In):
    item: _ItemId
    attacks: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(
        min_length=1
    )


class _MappingFileIn(_In):
    framework: _FrameworkId
    mappings: list[_MapIn] = Field(min_length=1)


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrameworkItem:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Framework:
    """One reference framework and its items, in the order the framework lists them."""

    id: str
    title: str
    version: str
    url: str | None
    open: bool
    pattern: str | None
    items: tuple[FrameworkItem, ...]
    source: str
    """The file it was read from."""
    names: Mapping[str, str] = field(default_factory=dict)
    """Item id -> name (filled in from ``items`` when not given)."""
    matcher: Any = field(default=None, init=False, repr=False, compare=False)
    """``pattern`` compiled with RE2 (linear-time matching); None without a pattern."""

    def __post_init__(self) -> None:
        if not self.names and self.items:
            object.__setattr__(self, "names", {i.id: i.name for i in self.items})
        if self.pattern is not None:
            matcher, problem = compile_pattern(self.pattern)
            if matcher is None:
                raise ValueError(f"framework {self.id}: pattern {self.pattern!r}: {problem}")
            object.__setattr__(self, "matcher", matcher)

    def admits(self, ident: str) -> bool:
        """Whether an entry or a mapping may name ``ident``."""
        if ident in self.names:
            return True
        if not self.open:
            return False
        return self.matcher is None or self.matcher.fullmatch(ident) is not None

    def name_of(self, ident: str) -> str | None:
        return self.names.get(ident)

    def label(self) -> str:
        """'MITRE ATLAS 5.6.0'."""
        return f"{self.title} {self.version}"


def compile_pattern(pattern: str) -> tuple[Any, str | None]:
    """``pattern`` compiled with RE2, or None and why it cannot be (RE2 reports errors as
    values here, never on standard error)."""
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options), None
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid"
        return None, reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


Locator = Callable[[tuple[str | int, ...], bool], SourceLocation | None]
"""Where a path of the entry being checked is: (path, point at the key) -> location."""

MappingTable = Mapping[str, Mapping[str, tuple[str, ...]]]
"""Framework id -> item id -> ids of the entries mapped to it, sorted."""


def _compile_framework(
    spec: _FrameworkIn, doc: YamlDocument, errors: list[Diagnostic]
) -> Framework | None:
    ok = True

    def bad(path: tuple[str | int, ...], code: str, msg: str, hint: str | None = None) -> None:
        nonlocal ok
        ok = False
        errors.append(Diagnostic(code, f"framework {spec.id}: {msg}", doc.locate(path), hint))

    stem = Path(doc.path).stem
    if spec.id != stem:
        bad(
            ("id",),
            "id-not-file-name",
            f"id {spec.id!r} differs from the file name {stem!r}",
            f"rename the file to {spec.id}.yaml or change the id",
        )
    compiled: Any = None
    if spec.pattern is not None:
        compiled, problem = compile_pattern(spec.pattern)
        if compiled is None:
            bad(
                ("pattern",),
                "invalid-pattern",
                f"pattern is not a regular expression actm can use: {problem}",
                "patterns use RE2 syntax, matched in linear time: no backreferences (\\1) and no "
                "look-around ((?=...), (?!...), (?<=...))",
            )
    if not spec.open and not spec.items:
        bad(
            ("items",),
            "empty-framework",
            "a closed framework must list its items",
            "list the items, or write 'open: true' to accept any id that matches 'pattern'",
        )
    names: dict[str, str] = {}
    for i, item in enumerate(spec.items):
        if item.id in names:
            bad(("items", i, "id"), "duplicate-item", f"item {item.id!r} is listed twice")
            continue
        names[item.id] = item.name
        if compiled is not None and compiled.fullmatch(item.id) is None:
            bad(
                ("items", i, "id"),
                "invalid-item",
                f"item {item.id!r} does not match the framework's pattern",
                f"ids of {spec.id} must match {spec.pattern}",
            )
    if not ok:
        return None
    return Framework(
        id=spec.id,
        title=spec.title,
        version=spec.version,
        url=spec.url,
        open=spec.open,
        pattern=spec.pattern,
        items=tuple(FrameworkItem(i.id, i.name) for i in spec.items),
        source=doc.path,
        names=names,
    )


def load_frameworks(
    layers: Sequence[Sequence[tuple[Path, str]]],
) -> tuple[dict[str, Framework], dict[str, int], list[Diagnostic]]:
    """Frameworks from each layer of ``(path, shown name)`` files, later layers replacing.

    Returns the frameworks in the order first defined, the layer that defined each one last,
    and the problems found.
    """
    out: dict[str, Framework] = {}
    layer_of: dict[str, int] = {}
    errors: list[Diagnostic] = []
    for n, files in enumerate(layers):
        specs = read_distinct(
            files,
            _FrameworkIn,
            errors,
            ident=lambda spec: spec.id,
            code="duplicate-framework",
            what="framework",
        )
        for doc, spec in specs:
            fw = _compile_framework(spec, doc, errors)
            if fw is not None:
                out[fw.id] = fw
                layer_of[fw.id] = n
    return out, layer_of, errors


def _hint(text: str | None) -> str | None:
    """A did-you-mean hint, or None when it would only point at the model schema."""
    return None if text is None or text.startswith("see ") else text


def _unknown_item_hint(framework: Framework, ident: str) -> str:
    if framework.open:
        return f"ids of {framework.id} must match {framework.pattern}"
    close = did_you_mean(ident, framework.names, what=f"{framework.id} ids")
    if close is not None and not close.startswith("see "):
        return close
    return f"`actm kb coverage --framework {framework.id}` lists its ids"


def check_references(
    references: Mapping[str, Sequence[str]],
    frameworks: Mapping[str, Framework],
    locate: Locator,
    what: str,
    *,
    at: tuple[str | int, ...] = ("references",),
    inner: tuple[str | int, ...] = (),
) -> list[Diagnostic]:
    """Problems with an entry's ``references``: unknown frameworks, ids a framework lacks.

    A framework is located at ``(*at, framework)``, its ``i``-th id at
    ``(*at, framework, *inner, i)``.
    """
    diags: list[Diagnostic] = []
    for fw_id, ids in references.items():
        framework = frameworks.get(fw_id)
        if framework is None:
            diags.append(
                Diagnostic(
                    "unknown-framework",
                    f"{what}: unknown framework {fw_id!r} in references",
                    locate((*at, fw_id), True),
                    did_you_mean(fw_id, frameworks, what="frameworks"),
                )
            )
            continue
        for i, ident in enumerate(ids):
            if not framework.admits(ident):
                diags.append(
                    Diagnostic(
                        "unknown-reference",
                        f"{what}: {ident!r} is not an item of {framework.label()} ({fw_id})",
                        locate((*at, fw_id, *inner, i), False),
                        _unknown_item_hint(framework, ident),
                    )
                )
    return diags


def load_mappings(
    layers: Sequence[Sequence[tuple[Path, str]]],
    frameworks: Mapping[str, Framework],
    framework_layer: Mapping[str, int],
    attack_ids: Collection[str],
) -> tuple[dict[str, dict[str, tuple[str, ...]]], list[Diagnostic]]:
    """Mapping files of each layer, checked against the frameworks and the entries.

    Mappings add up across files and layers. A mapping file of a layer earlier than the one
    that (re)defined its framework is skipped: it was written for another list of items.
    """
    table: dict[str, dict[str, set[str]]] = {}
    errors: list[Diagnostic] = []
    for n, files in enumerate(layers):
        for path, shown in files:
            read = read_knowledge_file(path, shown, _MappingFileIn, errors)
            if read is None:
                continue
            doc, spec = read
            framework = _mapped_framework(spec, doc, frameworks, errors)
            if framework is None or framework_layer.get(spec.framework, 0) > n:
                continue
            items = table.setdefault(spec.framework, {})
            _add_mappings(spec, doc, framework, attack_ids, items, errors)
    return {fw: {i: tuple(sorted(a)) for i, a in items.items()} for fw, items in table.items()}, (
        errors
    )


def _mapped_framework(
    spec: _MappingFileIn,
    doc: YamlDocument,
    frameworks: Mapping[str, Framework],
    errors: list[Diagnostic],
) -> Framework | None:
    """The framework a mapping file maps, or None (with a problem) when it is unknown or the
    file is not named after it."""
    framework = frameworks.get(spec.framework)
    if framework is None:
        errors.append(
            Diagnostic(
                "unknown-framework",
                f"mapping for unknown framework {spec.framework!r}",
                doc.locate(("framework",)),
                did_you_mean(spec.framework, frameworks, what="frameworks")
                or "add frameworks/<id>.yaml to a --knowledge directory",
            )
        )
        return None
    stem = Path(doc.path).stem
    if spec.framework != stem:
        errors.append(
            Diagnostic(
                "id-not-file-name",
                f"mapping for {spec.framework!r} is in a file named {stem!r}",
                doc.locate(("framework",)),
                f"rename the file to {spec.framework}.yaml",
            )
        )
        return None
    return framework


def _add_mappings(
    spec: _MappingFileIn,
    doc: YamlDocument,
    framework: Framework,
    attack_ids: Collection[str],
    items: dict[str, set[str]],
    errors: list[Diagnostic],
) -> None:
    """Add the file's mappings to ``items`` (item id -> entry ids), each item once per file,
    skipping with a problem an item the framework lacks and an entry that does not exist."""
    seen_items: set[str] = set()
    for i, m in enumerate(spec.mappings):
        if m.item in seen_items:
            errors.append(
                Diagnostic(
                    "duplicate-item",
                    f"mapping for {spec.framework}: item {m.item!r} is mapped twice in this file",
                    doc.locate(("mappings", i, "item")),
                    "list all its entries under one item",
                )
            )
            continue
        seen_items.add(m.item)
        if not framework.admits(m.item):
            errors.append(
                Diagnostic(
                    "unknown-item",
                    f"mapping for {spec.framework}: {m.item!r} is not an item of "
                    f"{framework.label()}",
                    doc.locate(("mappings", i, "item")),
                    _unknown_item_hint(framework, m.item),
                )
            )
            continue
        for j, attack in enumerate(m.attacks):
            if attack not in attack_ids:
                errors.append(
                    Diagnostic(
                        "unknown-attack",
                        f"mapping for {spec.framework}: no knowledge-base entry {attack!r}",
                        doc.locate(("mappings", i, "attacks", j)),
                        _hint(did_you_mean(attack, attack_ids, what="entries"))
                        or "`actm kb list` lists the entry ids",
                    )
                )
                continue
            items.setdefault(m.item, set()).add(attack)
