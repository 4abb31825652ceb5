"""Print the generated reference tables of the docs as Markdown.

    python docs/gen_vocabulary_tables.py           # print the tables
    python docs/gen_vocabulary_tables.py --write   # rewrite them in the docs
    python docs/gen_vocabulary_tables.py --check   # exit 1 if a doc is out of date

The vocabulary tables of docs/model-format.md come from the vocabulary that ships with the
installed actm package (``actm.knowledge.vocabulary.builtin_vocabulary()``). That object does not
keep the descriptions of capabilities, components, node kinds and features, so those are read
from the same package data files. The ``where`` tables of docs/writing-knowledge.md come from the
condition registry (``actm.knowledge.conditions.CONDITIONS``). Run ``--write`` after any change
to ``src/actm/knowledge/data/vocabulary/`` or to a condition.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from actm.io.yaml import parse_yaml
from actm.knowledge.conditions import CONDITIONS
from actm.knowledge.vocabulary import (
    Grant,
    PatternSpec,
    TypeSpec,
    Vocabulary,
    builtin_vocabulary,
)

BEGIN = "<!-- vocabulary:begin -->"
END = "<!-- vocabulary:end -->"
DOC = Path(__file__).resolve().parent / "model-format.md"
WHERE_BEGIN = "<!-- where:begin -->"
WHERE_END = "<!-- where:end -->"
WHERE_DOC = Path(__file__).resolve().parent / "writing-knowledge.md"


# -- descriptions the Vocabulary object does not keep ------------------------------------------


def _data(name: str) -> Any:
    path = resources.files("actm.knowledge") / "data" / "vocabulary" / name
    return parse_yaml(path.read_bytes(), name).data or {}


class Descriptions:
    """Descriptions of capabilities, components, node kinds and features, by id."""

    def __init__(self) -> None:
        caps = _data("capabilities.yaml")
        self.capabilities: dict[str, str] = {
            c["id"]: c["description"]
            for cls in caps.get("classes", [])
            for c in cls.get("capabilities", [])
        }
        self.components: dict[tuple[str, str], str] = {}
        for at in _data("asset_types.yaml").get("asset_types", []):
            for comp in at.get("components", []):
                self.components[(at["id"], comp["id"])] = comp["description"]
        kinds = _data("model_kinds.yaml")
        self.features: dict[str, str] = {
            f["id"]: f["description"] for f in kinds.get("features", [])
        }
        self.decisions: dict[str, str] = {
            d["id"]: d["description"] for d in kinds.get("decision_kinds", [])
        }
        nodes = _data("node_kinds.yaml")
        self.node_kinds: dict[str, str] = {
            n["id"]: n["description"] for n in nodes.get("node_kinds", [])
        }


# -- formatting helpers ---------------------------------------------------------------------


def _code(items: Iterable[str]) -> str:
    out = ", ".join(f"`{i}`" for i in items)
    return out or "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _spec(spec: TypeSpec) -> str:
    parts = [f"`{t}`" for t in sorted(spec.types)]
    names = {"ai": "AI"}
    parts += [f"any {names.get(c, c)} asset" for c in sorted(spec.categories)]
    return ", ".join(parts) or "-"


def _grant(g: Grant) -> str:
    if g.persistent is True:
        return f"`{g.capability}` (persistent)"
    if g.persistent == "writes":
        return f"`{g.capability}` (persistent if `writes: true`)"
    return f"`{g.capability}`"


def _pattern(p: PatternSpec, self_text: str = "the asset it is declared on") -> str:
    where = {"self": self_text, "exposed": "each exposed asset"}.get(p.asset, f"`{p.asset}`")
    if p.component:
        where = (
            f"`{p.asset}.{p.component}`"
            if p.asset not in ("self", "exposed")
            else (f"{where}, component `{p.component}`")
        )
    pers = " (persistent)" if p.persistent else ""
    return f"`{p.capability}`{pers} on {where}"


def _ordered(ids: Iterable[str], preferred: Iterable[str]) -> list[str]:
    """``ids`` in the order of ``preferred`` (file order), then the rest sorted."""
    ids = set(ids)
    first = [i for i in preferred if i in ids]
    return first + sorted(ids - set(first))


# -- the tables -------------------------------------------------------------------------------


def capabilities_table(v: Vocabulary, d: Descriptions) -> str:
    rows = []
    for cap in v.capabilities:
        weaker = [c for c in v.capabilities if c in v.implied[cap] and c != cap]
        rows.append(
            [v.capability_class[cap], f"`{cap}`", _code(weaker), d.capabilities.get(cap, "")]
        )
    return _table(["class", "capability", "implies", "meaning"], rows)


def model_kinds_table(v: Vocabulary) -> str:
    rows = []
    for mk in v.model_kinds.values():
        comps = [f"`{t}`: {', '.join(mk.components[t])}" for t in mk.assets if mk.components.get(t)]
        rows.append([f"`{mk.id}`", mk.description, _code(mk.assets), "; ".join(comps) or "-"])
    return _table(["kind", "what it is", "AI assets it owns", "default components"], rows)


def asset_types_table(v: Vocabulary, d: Descriptions, category: str) -> str:
    access = category == "conventional"
    rows = []
    for at in v.asset_types.values():
        if at.category != category:
            continue
        comps = [
            f"`{c}`" + (" (persists)" if c in at.persistent_components else "")
            for c in at.components
        ]
        row = [f"`{at.id}`", at.pipeline, ", ".join(comps) or "-", at.description]
        if access:
            row.insert(2, "yes" if at.grants_access else "no")
        rows.append(row)
    header = ["type", "pipeline", "components", "what it is"]
    if access:
        header.insert(2, "grants access")
    return _table(header, rows)


def components_table(v: Vocabulary, d: Descriptions, categories: tuple[str, ...]) -> str:
    rows = []
    for at in v.asset_types.values():
        if at.category not in categories:
            continue
        for c in at.components:
            rows.append(
                [
                    f"`{at.id}`",
                    f"`{c}`",
                    "yes" if c in at.persistent_components else "no",
                    d.components.get((at.id, c), ""),
                ]
            )
    return _table(["asset type", "component", "persists", "meaning"], rows)


def node_kinds_table(v: Vocabulary, d: Descriptions) -> str:
    rows = [
        [
            f"`{k}`",
            d.node_kinds.get(k, ""),
            "contents" if k in v.open_contents else "interface",
            "yes" if k in v.personal_kinds else "no",
        ]
        for k in _ordered(v.node_kinds, d.node_kinds)
    ]
    return _table(["kind", "what it is", "without authentication", "personal"], rows)


def _by_type(components: Mapping[str, Iterable[str]]) -> str:
    return "; ".join(f"`{t}`: {', '.join(c)}" for t, c in components.items()) or "-"


def features_table(v: Vocabulary, d: Descriptions) -> str:
    adds = v.model_defaults.feature_components
    rows = [
        [f"`{k}`", d.features.get(k, ""), _by_type(adds.get(k, {}))]
        for k in _ordered(v.features, d.features)
    ]
    return _table(["feature", "meaning", "components it adds"], rows)


def tool_components_table(v: Vocabulary) -> str:
    rows = [[f"`{t}`", _code(c)] for t, c in v.model_defaults.tool_components.items()]
    return _table(["asset", "components"], rows)


def placement_table(v: Vocabulary) -> str:
    rows = [
        [
            f"`{key}`",
            _code(p.assets),
            f"`{p.mode}`",
            _code(p.writes),
        ]
        for key, p in v.model_defaults.placement.items()
    ]
    return _table(["key", "AI assets placed on each node", "mode", "written back"], rows)


def base_model_table(v: Vocabulary) -> str:
    rows = [[f"`{a}`", f"`{b}`", f"`{p}`"] for a, b, p in v.base_model]
    return _table(["from (the base model's asset)", "to (the model's asset)", "process"], rows)


def processes_table(v: Vocabulary) -> str:
    rows = [
        [
            f"`{p.id}`",
            _spec(p.sources),
            _spec(p.targets),
            p.pipeline,
            "yes" if p.persistent else "no",
            p.description,
        ]
        for p in v.processes.values()
    ]
    return _table(
        ["process", "reads (from)", "writes (to)", "pipeline", "persistent", "what it is"], rows
    )


def lifecycle_table(v: Vocabulary) -> str:
    rows = [[f"`{a}`", f"`{b}`", f"`{p}`"] for a, b, p in v.model_lifecycle]
    return _table(["from", "to", "process"], rows)


def other_relations_table(v: Vocabulary) -> str:
    rows = [
        ["`feeds`", _spec(v.feeds_sources), "a component of " + _spec(v.feeds_targets)],
        ["`part_of`", _spec(v.part_of_sources), _spec(v.part_of_targets)],
    ]
    return _table(["kind", "from", "to"], rows)


def conventional_classes_table(v: Vocabulary) -> str:
    rows = []
    for vc in v.vulnerability_classes.values():
        if vc.kind != "conventional":
            continue
        cols = [
            ", ".join(_grant(g) for g in vc.grants.get(m, ())) or "-"
            for m in ("stored", "processed", "transmitted")
        ]
        rows.append([f"`{vc.id}`", vc.title, *cols])
    return _table(["class", "title", "stored", "processed", "transmitted"], rows)


def ai_classes_table(v: Vocabulary) -> str:
    rows = []
    for vc in v.vulnerability_classes.values():
        if vc.kind != "ai":
            continue
        for rule in vc.rules:
            req = _pattern(rule.requires) if rule.requires else "- (applies at once)"
            rows.append(
                [
                    f"`{vc.id}`",
                    vc.applies_to or "",
                    vc.title,
                    req,
                    "; ".join(_pattern(y) for y in rule.yields),
                ]
            )
    return _table(
        ["class", "declared on", "title", "once the adversary holds", "it also gets"], rows
    )


def adversaries_table(v: Vocabulary) -> str:
    entry = {
        "public_models": "every model with `exposure: public` (or those in `reaches`)",
        "untrusted_content": "every asset, component or tool result with an untrusted source",
        "third_party_nodes": "every asset that resides on a node with a third-party `owner`",
    }
    rows = [
        [
            f"`{a.id}`",
            a.title,
            entry.get(a.entry, a.entry),
            "; ".join(_pattern(g, "that asset") for g in a.grants),
        ]
        for a in v.adversaries.values()
    ]
    return _table(["id", "title", "where it starts", "what it holds there"], rows)


def decision_kinds_table(v: Vocabulary, d: Descriptions) -> str:
    rows = [
        [f"`{k}`", f"`{level}`", _cell(d.decisions.get(k, ""))]
        for k, level in v.decision_kinds.items()
    ]
    return _table(["decision", "integrity of `<model>.decisions`", "description"], rows)


def entry_points_table(v: Vocabulary) -> str:
    special = {
        "unencrypted": "what flows on a relation with `encrypted: false`",
        "unauthenticated": "what flows on a relation with `authenticated: false`",
        "inputs": "the `inputs` of a model with `exposure: physical`",
    }
    rows = [
        [
            f"`{e.id}`",
            e.title,
            _cell(e.description),
            "; ".join(f"`{g.capability}` on {special.get(g.asset, g.asset)}" for g in e.grants),
        ]
        for e in v.entry_points.values()
    ]
    return _table(["id", "title", "who", "what it holds"], rows)


def source_strength_table(v: Vocabulary) -> str:
    rows = [[f"`{can}`", f"`{cap}`"] for can, cap in v.source_strength.items()]
    return _table(["`can`", "the author holds (persistent)"], rows)


def hypotheses_table(v: Vocabulary) -> str:
    def when(values: Iterable[str]) -> str:
        return _code(sorted(values)) if values else "any"

    rows = [
        [
            f"`{h.id}`",
            f"`{h.posit}`" + (f" on {_code(sorted(h.affects))}" if h.affects else ""),
            when(h.node_kinds),
            when(h.exposure),
            "yes" if h.public_input else "any",
            when(h.authentication),
            when(h.resides),
            _cell(h.why),
        ]
        for h in v.hypotheses
    ]
    header = [
        "rule",
        "posits",
        "node kind",
        "exposure",
        "public input",
        "authentication",
        "resides",
        "why",
    ]
    return _table(header, rows)


def render(v: Vocabulary | None = None) -> str:
    v = v or builtin_vocabulary()
    d = Descriptions()
    parts = [
        "<!-- Generated by docs/gen_vocabulary_tables.py; do not edit by hand. -->",
        "### Capabilities",
        "A stronger capability implies the weaker ones of its class. The `implies` column is "
        "the full set.",
        capabilities_table(v, d),
        "### Model kinds",
        "Default components are the ones a model of the kind gets when its file names none. "
        "Asset types with no entry get no components by default.",
        model_kinds_table(v),
        "### AI asset types",
        "Owned by models. Refer to them as `<model>.<type>`.",
        asset_types_table(v, d, "ai"),
        "### Conventional asset types",
        "Declared under `assets:` with `type:`. Only assets of a type that grants access may list "
        "`grants_access:` nodes or be a tool's `credential` or a model's `identity`.",
        asset_types_table(v, d, "conventional"),
        "### The tool asset type",
        "Created for every tool. Refer to it by the tool id.",
        asset_types_table(v, d, "tool"),
        "### The package asset type",
        "Created for every entry of `packages:`. Refer to it by the package id.",
        asset_types_table(v, d, "package"),
        "### Decision kinds",
        "The kinds of decision a model's `acted_on` may name, and the integrity criticality "
        "they give the model's decisions (the gravest of those listed).",
        decision_kinds_table(v, d),
        "### Components",
        "A component that persists keeps what is written to it across queries.",
        components_table(v, d, ("ai", "conventional", "tool")),
        "### Node kinds",
        "A personal kind is one person's device: outside content that lands only there (a "
        "download, a checkout of others' pull requests) is read by that person and their "
        "agents, so it is no channel to other people (`shared_beyond`).",
        node_kinds_table(v, d),
        "### Model features",
        "A feature that adds components gives them to the model's assets, like `tools:` does.",
        features_table(v, d),
        "### Components a model with tools gets",
        "Added to every model with a non-empty `tools:` list, whatever its kind.",
        tool_components_table(v),
        "### Placement of AI assets",
        "Where `deployed_on`, `trained_on` and `stored_on` put a model's AI assets (only those its "
        "kind owns), and in which mode. `written back` assets reside with `writes: true`.",
        placement_table(v),
        "### `derives` processes",
        "`reads` lists the asset types a process may read from; `writes` the types it may "
        "write to. `persistent` is the default for a relation's `persistent:` key.",
        processes_table(v),
        "### Life-cycle derivations of every model",
        "Added for each model when the model's kind owns both ends.",
        lifecycle_table(v),
        "### Derivations from a base model",
        "Added for a model with `base_model`, when the base model's kind owns the first asset and "
        "the model's kind the second. Persistence and pipeline are the process's.",
        base_model_table(v),
        "### `feeds` and `part_of`",
        other_relations_table(v),
        "### Egress that leaves the system",
        "A tool's `egress` leaves the system when it names a destination that is not a declared "
        "zone, or a zone whose `trust` is one of: " + _code(v.agency.external_trust) + ".",
        "### Conventional vulnerability classes",
        "Declared on a node. Each column lists what the adversary gets over an asset that "
        "resides on the node in that mode.",
        conventional_classes_table(v),
        "### AI vulnerability classes",
        "A class is declared on a model or on an asset, as the second column says. For a class "
        "declared on a model, asset types are that model's own assets.",
        ai_classes_table(v),
        "### Built-in adversary grants",
        adversaries_table(v),
        "### Entry points",
        "Where an adversary starts that the model does not declare: from what it states about "
        "its infrastructure. `exploited_by` may name them; a control may block them.",
        entry_points_table(v),
        "### Source strengths",
        "What the author of an outside source holds, by what the source lets its authors do.",
        source_strength_table(v),
        "### Hypotheses",
        "With hypotheses on, each rule posits its class on every node that matches all its "
        "columns (`any`: no condition; authentication not stated counts as `required`); "
        "`resides`: an asset of one of these types resides on the node; `public input`: content "
        "from the internet is decoded on the node (it is exposed to the internet, a public model "
        "that reads images, audio or files (`multimodal_input`) runs on it, or an asset that "
        "feeds a public model's inputs or takes outside content is processed on it).",
        hypotheses_table(v),
    ]
    return "\n\n".join(parts) + "\n"


def render_conditions() -> str:
    """The ``where`` tables of docs/writing-knowledge.md: static conditions, then relational."""
    parts = ["<!-- Generated by docs/gen_vocabulary_tables.py; do not edit by hand. -->"]
    for relational, head, subject in (
        (False, "", "holds when the bound model or asset ..."),
        (
            True,
            "Relations to another variable of the same entry:",
            "holds when the bound element ...",
        ),
    ):
        rows = [
            f"| `{c.example}` | {c.doc} |"
            for c in CONDITIONS.values()
            if c.relational == relational
        ]
        parts += [head] if head else []
        parts.append("\n".join([f"| condition | {subject} |", "|---|---|", *rows]))
    to_models = [f"`{c.name}`" for c in CONDITIONS.values() if getattr(c, "model_only", False)]
    parts.append(f"Relations to a model ({', '.join(to_models)}) need a model variable.")
    return "\n\n".join(parts) + "\n"


BLOCKS = ((DOC, BEGIN, END, render), (WHERE_DOC, WHERE_BEGIN, WHERE_END, render_conditions))
"""(document, begin marker, end marker, what goes between them)."""


def rewrite(doc_text: str, tables: str, begin: str = BEGIN, end: str = END) -> str:
    start = doc_text.find(begin)
    stop = doc_text.find(end)
    if start < 0 or stop < start:
        raise SystemExit(f"markers {begin} and {end} not found")
    return doc_text[: start + len(begin)] + "\n\n" + tables + "\n" + doc_text[stop:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="rewrite the blocks in the docs")
    group.add_argument("--check", action="store_true", help="exit 1 if a block is stale")
    args = parser.parse_args(argv)
    stale = 0
    for doc, begin, end, make in BLOCKS:
        tables = make()
        if not (args.write or args.check):
            sys.stdout.write(tables)
            continue
        text = doc.read_text(encoding="utf-8")
        new = rewrite(text, tables, begin, end)
        if new == text:
            continue
        if args.check:
            sys.stderr.write(f"{doc} is out of date: run {Path(__file__).name} --write\n")
            stale = 1
        else:
            doc.write_text(new, encoding="utf-8")
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
