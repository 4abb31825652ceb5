"""Semantic checks and defaults: from validated model files to a :class:`SystemModel`.

Schema validation (pydantic) has already checked keys and types. Here every reference is
resolved, every kind, type, component, capability and vulnerability class is checked against
the vocabulary, relations are checked against the process table, and the defaults that keep
model files short are applied: a model's AI assets and their components, its life-cycle
derivations, residency from ``deployed_on`` / ``trained_on`` / ``stored_on``, the implicit asset
of each tool, and the built-in adversaries. All problems are collected and raised together.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actm.errors import Diagnostic, ModelError, SourceLocation
from actm.io.diagnose import did_you_mean
from actm.io.yaml import YamlDocument
from actm.knowledge.vocabulary import Vocabulary
from actm.model.schema import (
    SECTIONS,
    AssetIn,
    ModelFile,
    ModelIn,
    ResidencyIn,
)
from actm.model.system import (
    Adversary,
    Asset,
    Assumption,
    Control,
    Entry,
    Model,
    Node,
    Owner,
    Relation,
    Residency,
    SystemInfo,
    SystemModel,
    Tool,
    TriageEntry,
    Vulnerability,
    Zone,
)

__all__ = ["Origin", "SourceFile", "merge_files", "resolve"]

CLASSES = ("confidentiality", "integrity", "availability")
_A = {
    "owners": "an owner",
    "zones": "a zone",
    "nodes": "a node",
    "models": "a model",
    "assets": "an asset",
    "relations": "a relation",
    "tools": "a tool",
    "adversaries": "an adversary",
    "vulnerabilities": "a vulnerability",
    "assumptions": "an assumption",
    "controls": "a control",
}
"""Each section's element, with its article, for messages."""
TOOL_PERMISSIONS = ("read", "write", "execute", "egress")
# How many candidate names did-you-mean hints may compare in one model, in total.
SUGGESTION_BUDGET = 50_000


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an element was written: a document and the path to it inside the document."""

    doc: YamlDocument | None
    path: tuple[str | int, ...]

    def at(self, *sub: str | int, key: bool = False) -> SourceLocation | None:
        if self.doc is None:
            return None
        return self.doc.locate(self.path + sub, key=key)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One validated model file and the document it came from (None for the builder)."""

    file: ModelFile
    doc: YamlDocument | None
    indices: Mapping[str, Sequence[int]] | None = None
    """For sections whose schema-invalid elements were left out: the index in the document of
    each element kept, so that locations stay right."""


def merge_files(files: Sequence[SourceFile]) -> tuple[ModelFile, dict[str, list[Origin]]]:
    """Concatenate the sections of several files; origins[section][i] locates element i."""
    origins: dict[str, list[Origin]] = {s: [] for s in SECTIONS}
    merged: dict[str, list[Any]] = {s: [] for s in SECTIONS}
    for sf in files:
        for section in SECTIONS:
            items = getattr(sf.file, section)
            where = sf.indices.get(section) if sf.indices else None
            for i, item in enumerate(items):
                merged[section].append(item)
                origins[section].append(Origin(sf.doc, (section, where[i] if where else i)))
    root = files[0].file
    default_adv = root.default_adversaries
    fields: dict[str, Any] = {
        "actm": 1,
        "system": root.system,
        "include": [],
        "default_adversaries": default_adv,
        **merged,
    }
    combined = ModelFile.model_construct(**fields)
    return combined, origins


class _Resolver:
    def __init__(
        self,
        files: Sequence[SourceFile],
        vocab: Vocabulary,
        known_attacks: Collection[str] | None,
        tolerated: Collection[str] = (),
    ) -> None:
        self.tolerated = frozenset(tolerated)
        self.files = files
        self.vocab = vocab
        self.known_attacks = known_attacks
        self.diags: list[Diagnostic] = []
        self.merged, self.origins = merge_files(files)
        self.root_origin = Origin(files[0].doc, ())
        self.locations: dict[str, SourceLocation] = {}
        # element id -> (section, element, origin)
        self.ids: dict[str, tuple[str, Any, Origin]] = {}
        # asset id -> set of components referenced anywhere (added to the asset)
        self.extra_components: dict[str, set[str]] = {}
        # ids by sections, for did-you-mean hints (filled once ids are collected)
        self._names: dict[tuple[str, ...], list[str]] = {}
        self._suggest_budget = SUGGESTION_BUDGET
        self._declared: dict[str, frozenset[str]] = {}

    # -- reporting ------------------------------------------------------------------------

    def err(
        self,
        code: str,
        message: str,
        where: SourceLocation | None,
        hint: str | None = None,
    ) -> None:
        self.diags.append(Diagnostic(code, message, where, hint))

    def _tolerated(self, ident: str) -> bool:
        """A reference to an element dropped for schema errors: already reported."""
        return ident.split(".", maxsplit=1)[0] in self.tolerated

    def items(self, section: str) -> list[tuple[Any, Origin]]:
        return list(zip(getattr(self.merged, section), self.origins[section], strict=True))

    # -- pass 1: ids -----------------------------------------------------------------------

    def collect_ids(self) -> None:
        for section in SECTIONS:
            if section == "triage":
                continue  # triage ids are patterns over threat ids, not element ids
            for item, origin in self.items(section):
                ident = getattr(item, "id", None)
                if ident is None:
                    continue
                if section == "adversaries" and ident in self.vocab.adversaries:
                    prev = self.ids.get(ident)
                    if prev is not None and prev[0] == "adversaries":
                        self._duplicate(ident, origin, prev[2])
                    self.ids[ident] = (section, item, origin)
                    continue
                prev = self.ids.get(ident)
                if prev is not None:
                    self._duplicate(ident, origin, prev[2])
                    continue
                self.ids[ident] = (section, item, origin)
                loc = origin.at("id")
                if loc is not None:
                    self.locations[ident] = loc
        for ident in self.vocab.adversaries:
            if ident in self.ids and self.ids[ident][0] != "adversaries":
                _, _, origin = self.ids[ident]
                self.err(
                    "reserved-id",
                    f"id {ident!r} is the name of a built-in adversary",
                    origin.at("id"),
                    "choose another id",
                )

    def _duplicate(self, ident: str, origin: Origin, first: Origin) -> None:
        prev = first.at("id")
        self.err(
            "duplicate-id",
            f"duplicate id {ident!r}" + (f" (first defined at {prev})" if prev else ""),
            origin.at("id"),
            "ids must be unique across the whole model (all sections and included files); "
            "rename one of them",
        )

    def suggest(self, word: str, sections: Sequence[str], *, what: str) -> str | None:
        """A did-you-mean hint among the ids of ``sections``, within a total work budget.

        Fuzzy matching costs time in the number of candidates; a hostile or generated model
        with many thousands of broken references would otherwise take minutes to report.
        """
        key = tuple(sections)
        names = self._names.get(key)
        if names is None:
            names = [i for i, (s, _, _) in self.ids.items() if s in key]
            self._names[key] = names
        return self.suggest_among(word, names, what=what)

    def suggest_among(self, word: str, names: Collection[str], *, what: str) -> str | None:
        if len(names) > self._suggest_budget:
            return None
        self._suggest_budget -= max(len(names), 1)
        return did_you_mean(word, names, what=what)

    def kind_of(self, ident: str) -> str | None:
        entry = self.ids.get(ident)
        return entry[0] if entry else None

    def ref(
        self,
        ident: str | None,
        sections: Sequence[str],
        origin: Origin,
        *path: str | int,
        what: str,
    ) -> bool:
        """Check that ``ident`` names an element of one of ``sections``."""
        if ident is None:
            return True
        found = self.kind_of(ident)
        if found in sections:
            return True
        if found is None and self._tolerated(ident):
            return False
        hint = self.suggest(ident, sections, what=sections[0])
        if found is None:
            self.err(
                "dangling-reference",
                f"{what} {ident!r} is not defined",
                origin.at(*path),
                hint or f"declare it under {sections[0]}:",
            )
        else:
            self.err(
                "wrong-reference",
                f"{what} {ident!r} is {_A[found]}, not {' or '.join(_A[s] for s in sections)}",
                origin.at(*path),
                hint or f"name an element declared under {sections[0]}:",
            )
        return False

    # -- asset references ---------------------------------------------------------------------

    def asset_ref(
        self,
        ref: str,
        origin: Origin,
        *path: str | int,
        what: str,
        allow_component: bool = True,
    ) -> tuple[str, str | None] | None:
        """Resolve ``x``, ``x.y`` or ``x.y.z`` to (asset id, component); None if invalid."""
        parts = ref.split(".")
        head = parts[0]
        kind = self.kind_of(head)
        where = origin.at(*path)
        if kind is None and self._tolerated(head):
            return None
        if kind is None:
            self.err(
                "dangling-reference",
                f"{what} {ref!r}: {head!r} is not defined",
                where,
                self.suggest(head, ("assets", "models", "tools"), what="assets, models or tools")
                or "declare it under assets:, models: or tools:",
            )
            return None
        if kind == "models":
            model: ModelIn = self.ids[head][1]
            mk = self.vocab.model_kinds.get(model.kind)
            if mk is None:
                return None  # its unknown kind is reported already
            owned = mk.assets
            if len(parts) == 1:
                self.err(
                    "model-not-asset",
                    f"{what} {ref!r} is a model, not an asset",
                    where,
                    f"name one of its assets: {', '.join(f'{head}.{t}' for t in owned)}",
                )
                return None
            atype = parts[1]
            if atype not in owned:
                self.err(
                    "unknown-asset",
                    f"{what} {ref!r}: {_a(model.kind)} model has no {atype!r} asset",
                    where,
                    did_you_mean(atype, owned, what="asset types"),
                )
                return None
            asset_id = f"{head}.{atype}"
            comp = parts[2] if len(parts) > 2 else None
            return self._component(asset_id, atype, comp, ref, where, what, allow_component)
        if kind == "assets":
            asset: AssetIn = self.ids[head][1]
            if len(parts) > 2:
                self.err(
                    "bad-reference",
                    f"{what} {ref!r} has too many parts",
                    where,
                    "write 'asset' or 'asset.component'",
                )
                return None
            comp = parts[1] if len(parts) > 1 else None
            return self._component(head, asset.type, comp, ref, where, what, allow_component)
        if kind == "tools":
            if len(parts) > 2:
                self.err(
                    "bad-reference",
                    f"{what} {ref!r} has too many parts",
                    where,
                    "write 'tool' or 'tool.component'",
                )
                return None
            comp = parts[1] if len(parts) > 1 else None
            return self._component(head, "tool", comp, ref, where, what, allow_component)
        self.err(
            "wrong-reference",
            f"{what} {ref!r} names {_A[kind]}, not an asset",
            where,
            "refer to a conventional asset, a tool, or a model's asset (model.type)",
        )
        return None

    def _component(
        self,
        asset_id: str,
        atype: str,
        comp: str | None,
        ref: str,
        where: SourceLocation | None,
        what: str,
        allow: bool,
    ) -> tuple[str, str | None] | None:
        if comp is None:
            return asset_id, None
        if not allow:
            self.err(
                "component-not-allowed",
                f"{what} {ref!r}: name the whole asset here",
                where,
                f"use {asset_id!r}",
            )
            return None
        info = self.vocab.asset_types.get(atype)
        valid = info.components if info else ()
        declared = self._declared_components(asset_id)
        if comp not in valid and comp not in declared:
            self.err(
                "unknown-component",
                f"{what} {ref!r}: {atype} has no component {comp!r}",
                where,
                (
                    self.suggest_among(comp, (*valid, *declared), what="components")
                    if len(valid) + len(declared) <= self._suggest_budget
                    else None
                )
                or (
                    f"{atype} lists no components of its own: refer to the whole asset "
                    f"({asset_id}), or declare the component under the asset's components:"
                    if not valid and not declared
                    else f"refer to the whole asset ({asset_id}) or to one of its components"
                ),
            )
            return None
        self.extra_components.setdefault(asset_id, set()).add(comp)
        return asset_id, comp

    def _declared_components(self, asset_id: str) -> frozenset[str]:
        found = self._declared.get(asset_id)
        if found is None:
            entry = self.ids.get(asset_id)
            is_asset = entry is not None and entry[0] == "assets"
            found = frozenset(entry[1].components) if entry and is_asset else frozenset()
            self._declared[asset_id] = found
        return found

    # -- checks by section ----------------------------------------------------------------------

    def owners_check(self) -> None:
        for section, key in (
            ("zones", "owner"),
            ("nodes", "owner"),
            ("models", "owner"),
            ("tools", "owner"),
            ("assets", "owner"),
        ):
            for item, origin in self.items(section):
                self.ref(getattr(item, key), ("owners",), origin, key, what="owner")
        system = self.merged.system
        if system is not None and system.owner is not None:
            self.ref(system.owner, ("owners",), self.root_origin, "system", "owner", what="owner")

    def build(self) -> SystemModel | None:
        vocab = self.vocab
        if self.merged.system is None:
            self.err(
                "missing-system",
                "the model has no 'system' section",
                self.root_origin.at(),
                "add 'system: {id: my-system, name: ...}' to the root file",
            )
        for sf in self.files[1:]:
            if sf.file.system is not None and sf.doc is not None:
                self.err(
                    "system-in-include",
                    "an included file cannot define 'system'",
                    sf.doc.locate(("system",), key=True),
                    "keep 'system' in the root file only",
                )
            if sf.file.default_adversaries is not None and sf.doc is not None:
                self.err(
                    "root-only-key",
                    "an included file cannot set 'default_adversaries'",
                    sf.doc.locate(("default_adversaries",), key=True),
                    "set it in the root file, where it applies to the whole model",
                )
        self.collect_ids()
        self.owners_check()

        owners = tuple(
            Owner(o.id, o.name, o.description, o.first_party) for o, _ in self.items("owners")
        )
        zones = []
        zone_owner: dict[str, str | None] = {}
        for z, _ in self.items("zones"):
            zones.append(Zone(z.id, z.name, z.description, z.trust, z.owner))
            zone_owner[z.id] = z.owner
        nodes = []
        for n, origin in self.items("nodes"):
            if n.kind not in vocab.node_kinds:
                self.err(
                    "unknown-kind",
                    f"node {n.id!r}: unknown node kind {n.kind!r}",
                    origin.at("kind"),
                    did_you_mean(n.kind, vocab.node_kinds, what="node kinds"),
                )
            self.ref(n.zone, ("zones",), origin, "zone", what="zone")
            # a node without an owner belongs to whoever owns its zone
            owner = n.owner if n.owner is not None else zone_owner.get(n.zone or "")
            nodes.append(Node(n.id, n.name, n.description, n.kind, n.pipeline, n.zone, owner))

        # models: check kinds, assets, components before any reference is resolved
        for m, origin in self.items("models"):
            mk = vocab.model_kinds.get(m.kind)
            if mk is None:
                self.err(
                    "unknown-kind",
                    f"model {m.id!r}: unknown model kind {m.kind!r}",
                    origin.at("kind"),
                    did_you_mean(m.kind, vocab.model_kinds, what="model kinds"),
                )
                continue
            for atype, settings in m.assets.items():
                if atype not in mk.assets:
                    self.err(
                        "unknown-asset",
                        f"model {m.id!r}: {_a(m.kind)} model has no {atype!r} asset",
                        origin.at("assets", atype, key=True),
                        did_you_mean(atype, mk.assets, what="asset types"),
                    )
                    continue
                valid = vocab.asset_types[atype].components
                no_comps = f"{atype} has no components; remove the entry"
                for i, comp in enumerate(settings.components or []):
                    if comp not in valid:
                        self.err(
                            "unknown-component",
                            f"model {m.id!r}: {atype} has no component {comp!r}",
                            origin.at("assets", atype, "components", i),
                            did_you_mean(comp, valid, what="components") or no_comps,
                        )
                for comp in settings.component_sources:
                    if comp not in valid:
                        self.err(
                            "unknown-component",
                            f"model {m.id!r}: {atype} has no component {comp!r}",
                            origin.at("assets", atype, "component_sources", comp, key=True),
                            did_you_mean(comp, valid, what="components") or no_comps,
                        )
            for i, feat in enumerate(m.features):
                if feat not in vocab.features:
                    self.err(
                        "unknown-feature",
                        f"model {m.id!r}: unknown feature {feat!r}",
                        origin.at("features", i),
                        did_you_mean(feat, vocab.features, what="features"),
                    )
            for i, exp in enumerate(m.exposes):
                if exp not in mk.assets:
                    self.err(
                        "unknown-asset",
                        f"model {m.id!r} exposes {exp}, which {_a(m.kind)} model does not have",
                        origin.at("exposes", i),
                        f"remove {exp} from exposes",
                    )
            for key in ("deployed_on", "trained_on", "stored_on"):
                for i, nid in enumerate(getattr(m, key)):
                    self.ref(nid, ("nodes",), origin, key, i, what="node")
            self.ref(m.base_model, ("models",), origin, "base_model", what="base model")
            if m.base_model == m.id:
                self.err(
                    "self-reference",
                    f"model {m.id!r} is its own base model",
                    origin.at("base_model"),
                    "remove base_model",
                )
            for i, tid in enumerate(m.tools):
                self.ref(tid, ("tools",), origin, "tools", i, what="tool")
            if m.identity is not None and self.ref(
                m.identity, ("assets",), origin, "identity", what="identity"
            ):
                self._expect_credential(m.identity, origin, "identity")

        # conventional assets
        for a, origin in self.items("assets"):
            info = vocab.asset_types.get(a.type)
            if info is None or info.category != "conventional":
                conventional = [
                    t for t, i in vocab.asset_types.items() if i.category == "conventional"
                ]
                hint = did_you_mean(a.type, conventional, what="asset types")
                if info is not None and info.category == "ai":
                    hint = (
                        f"{a.type} is an AI asset type, owned by a model: declare the model "
                        f"under models: and refer to its asset as <model>.{a.type}"
                    )
                self.err(
                    "unknown-type",
                    f"asset {a.id!r}: {a.type!r} is not a conventional asset type",
                    origin.at("type"),
                    hint,
                )
            elif info.components:
                for i, comp in enumerate(a.components):
                    if comp not in info.components:
                        self.err(
                            "unknown-component",
                            f"asset {a.id!r}: {a.type} has no component {comp!r}",
                            origin.at("components", i),
                            did_you_mean(comp, info.components, what="components"),
                        )
            for i, nid in enumerate(a.grants_access):
                self.ref(nid, ("nodes",), origin, "grants_access", i, what="node")
            if a.grants_access and a.type not in ("credential", "secret"):
                self.err(
                    "not-a-credential",
                    f"asset {a.id!r}: only credentials and secrets grant access",
                    origin.at("grants_access"),
                    "set type: credential, or remove grants_access",
                )

        # references that may add components ---------------------------------------------------
        relations = self._relations()
        tools = self._tools()
        adversaries = self._adversaries()
        vulns = self._vulnerabilities()
        assumptions = self._assumptions()
        controls = self._controls(relations, tools)

        for a, origin in self.items("assets"):
            self._residency(a.resides, origin, "resides")
        for m, origin in self.items("models"):
            for atype, settings in m.assets.items():
                self._residency(settings.resides, origin, "assets", atype, "resides")

        assets = self._assets()
        models = self._models()
        if self.merged.system is None or self.diags:
            return None
        system = self.merged.system
        return SystemModel(
            system=SystemInfo(system.id, system.name, system.description, system.owner),
            owners=owners,
            zones=tuple(zones),
            nodes=tuple(nodes),
            models=models,
            assets=assets,
            relations=relations,
            tools=tools,
            adversaries=adversaries,
            vulnerabilities=vulns,
            assumptions=assumptions,
            controls=controls,
            triage=self._triage(),
            locations=self.locations,
            files=_relative_files([sf.doc.path for sf in self.files if sf.doc is not None]),
            root_dir=os.path.dirname(os.path.abspath(self.files[0].doc.path))
            if self.files
            and self.files[0].doc is not None
            and not self.files[0].doc.path.startswith("<")
            else None,
            source=self.merged,
        )

    def _expect_credential(self, ident: str, origin: Origin, *path: str | int) -> None:
        entry = self.ids.get(ident)
        if entry and entry[0] == "assets" and entry[1].type not in ("credential", "secret"):
            self.err(
                "not-a-credential",
                f"{ident!r} is a {entry[1].type} asset, not a credential",
                origin.at(*path),
                "point at an asset of type credential",
            )

    def _residency(self, resides: Sequence[ResidencyIn], origin: Origin, *path: str | int) -> None:
        for i, r in enumerate(resides):
            self.ref(r.node, ("nodes",), origin, *path, i, "node", what="node")
            if r.writes and r.mode != "processed":
                self.err(
                    "writes-not-processed",
                    "writes applies only to mode: processed",
                    origin.at(*path, i, "writes"),
                    "stored assets always keep changes; remove writes or use mode: processed",
                )

    # -- relations --------------------------------------------------------------------------

    def _relations(self) -> tuple[Relation, ...]:
        vocab = self.vocab
        out: list[Relation] = []
        seen: dict[str, Origin] = {}
        for r, origin in self.items("relations"):
            src = self.asset_ref(r.from_, origin, "from", what="relation source")
            dst = self.asset_ref(r.to, origin, "to", what="relation target")
            if src is None or dst is None:
                continue
            rid = r.id or f"{r.from_}->{r.to}"
            if rid in seen and r.id is None:
                self.err(
                    "duplicate-relation",
                    f"relation {r.from_} -> {r.to} is declared twice",
                    origin.at(),
                    "remove one of them",
                )
                continue
            seen[rid] = origin
            stype, scat = self._type_cat(src[0])
            dtype, dcat = self._type_cat(dst[0])
            if src[0] == dst[0]:
                self.err(
                    "self-relation",
                    f"relation from {r.from_} to {r.to} stays inside one asset",
                    origin.at(),
                    "relations connect two different assets",
                )
                continue
            if r.kind == "derives":
                rel = self._derives(r, origin, src, dst, stype, scat, dtype, dcat, rid)
                if rel is not None:
                    out.append(rel)
            elif r.kind == "feeds":
                for key in ("process", "persistent"):
                    if getattr(r, key) is not None:
                        self.err(
                            "not-for-feeds",
                            f"{key} applies to derives relations only",
                            origin.at(key, key=True),
                            f"remove {key}",
                        )
                if not vocab.feeds_sources.admits(stype, scat):
                    self.err(
                        "impossible-relation",
                        f"{r.from_} ({stype}) cannot feed a model",
                        origin.at("from"),
                        f"feeds sources are: {vocab.feeds_sources.describe()}",
                    )
                    continue
                if not vocab.feeds_targets.admits(dtype, dcat):
                    self.err(
                        "impossible-relation",
                        f"feeds must end at a model's inputs component, not {r.to} ({dtype})",
                        origin.at("to"),
                        f"write e.g. to: {dst[0].split('.')[0]}.inputs.retrieved_context"
                        if dcat == "ai"
                        else "write e.g. to: <model>.inputs.retrieved_context",
                    )
                    continue
                if dst[1] is None:
                    self.err(
                        "feeds-needs-component",
                        f"feeds target {r.to!r} must name an inputs component",
                        origin.at("to"),
                        f"write e.g. {r.to}.retrieved_context or {r.to}.tool_results",
                    )
                    continue
                persists = dst[1] in vocab.asset_types[dtype].persistent_components
                out.append(
                    Relation(
                        rid,
                        "feeds",
                        src[0],
                        src[1],
                        dst[0],
                        dst[1],
                        None,
                        persists,
                        vocab.feeds_pipeline,
                        False,
                    )
                )
            else:
                if r.process is not None or r.persistent is not None:
                    self.err(
                        "not-for-part-of",
                        "process and persistent apply to derives only",
                        origin.at(),
                        "remove them",
                    )
                if not vocab.part_of_sources.admits(
                    stype, scat
                ) or not vocab.part_of_targets.admits(dtype, dcat):
                    self.err(
                        "impossible-relation",
                        f"{r.from_} ({stype}) cannot be part of {r.to} ({dtype})",
                        origin.at(),
                        "part_of goes from a conventional asset to another asset",
                    )
                    continue
                out.append(self._part_of(rid, src, dst))
        # part_of written on assets
        for a, origin in self.items("assets"):
            if a.part_of is None:
                continue
            dst = self.asset_ref(a.part_of, origin, "part_of", what="part_of")
            if dst is not None and dst[0] == a.id:
                self.err(
                    "self-reference",
                    f"asset {a.id!r} is part of itself",
                    origin.at("part_of"),
                    "remove part_of",
                )
            if dst is None or dst[0] == a.id:
                continue
            out.append(self._part_of(f"{a.id}->{a.part_of}", (a.id, None), dst))
        # implicit: life cycle of every model and base models
        for m, _ in self.items("models"):
            mk = vocab.model_kinds.get(m.kind)
            if mk is None:
                continue
            owned = set(mk.assets)
            for src_t, dst_t, proc in vocab.model_lifecycle:
                if src_t in owned and dst_t in owned:
                    p = vocab.processes[proc]
                    out.append(
                        Relation(
                            f"{m.id}.{src_t}->{m.id}.{dst_t}",
                            "derives",
                            f"{m.id}.{src_t}",
                            None,
                            f"{m.id}.{dst_t}",
                            None,
                            proc,
                            p.persistent,
                            p.pipeline,
                            True,
                        )
                    )
            if m.base_model is not None and self.kind_of(m.base_model) == "models":
                base = self.ids[m.base_model][1]
                bk = vocab.model_kinds.get(base.kind)
                if bk and "model_parameters" in bk.assets and "model_parameters" in owned:
                    ft = vocab.processes.get("fine_tuning")
                    out.append(
                        Relation(
                            f"{m.base_model}.model_parameters->{m.id}.model_parameters",
                            "derives",
                            f"{m.base_model}.model_parameters",
                            None,
                            f"{m.id}.model_parameters",
                            None,
                            "fine_tuning",
                            ft.persistent if ft else True,
                            ft.pipeline if ft else "development",
                            True,
                        )
                    )
        return tuple(out)

    def _derives(
        self,
        r: Any,
        origin: Origin,
        src: tuple[str, str | None],
        dst: tuple[str, str | None],
        stype: str,
        scat: str,
        dtype: str,
        dcat: str,
        rid: str,
    ) -> Relation | None:
        vocab = self.vocab
        process_id = r.process
        if process_id is None:
            fits = [
                p.id
                for p in vocab.processes.values()
                if p.sources.admits(stype, scat) and p.targets.admits(dtype, dcat)
            ]
            if len(fits) == 1:
                process_id = fits[0]
            else:
                self.err(
                    "missing-process",
                    f"derives {r.from_} -> {r.to}: say which process derives it",
                    origin.at(),
                    f"add process: one of {', '.join(fits)}"
                    if fits
                    else f"no process derives {dtype} from {stype}",
                )
                return None
        proc = vocab.processes.get(process_id)
        if proc is None:
            self.err(
                "unknown-process",
                f"unknown process {process_id!r}",
                origin.at("process"),
                did_you_mean(process_id, vocab.processes, what="processes"),
            )
            return None
        if not proc.sources.admits(stype, scat):
            self.err(
                "impossible-relation",
                f"{process_id} does not read {stype} ({r.from_})",
                origin.at("from"),
                f"{process_id} reads: {proc.sources.describe()}",
            )
            return None
        if not proc.targets.admits(dtype, dcat):
            fits = [
                p.id
                for p in vocab.processes.values()
                if p.sources.admits(stype, scat) and p.targets.admits(dtype, dcat)
            ]
            self.err(
                "impossible-relation",
                f"{process_id} cannot write {dtype} ({r.to}); it writes {proc.targets.describe()}",
                origin.at("to"),
                f"use process: {' or '.join(fits)}"
                if fits
                else f"no process derives {dtype} from {stype}",
            )
            return None
        persistent = proc.persistent if r.persistent is None else r.persistent
        if persistent and not proc.persistent:
            self.err(
                "impossible-persistence",
                f"{process_id} reads its sources and writes nothing back; its changes "
                "cannot persist",
                origin.at("persistent"),
                "remove persistent: true, or use a process that writes (feedback, ...)",
            )
            return None
        return Relation(
            rid,
            "derives",
            src[0],
            src[1],
            dst[0],
            dst[1],
            process_id,
            persistent,
            proc.pipeline,
            False,
        )

    def _part_of(
        self, rid: str, src: tuple[str, str | None], dst: tuple[str, str | None]
    ) -> Relation:
        """A part_of relation: a change to the part persists in the whole."""
        return Relation(
            rid,
            "part_of",
            src[0],
            src[1],
            dst[0],
            dst[1],
            None,
            True,
            self._pipeline_of(dst[0]),
            False,
        )

    def _type_cat(self, asset_id: str) -> tuple[str, str]:
        head, _, rest = asset_id.partition(".")
        kind = self.kind_of(head)
        if kind == "models" and rest:
            return rest, "ai"
        if kind == "tools":
            return "tool", "tool"
        if kind == "assets":
            t = self.ids[head][1].type
            return t, self.vocab.category(t)
        return "unknown", "unknown"

    def _pipeline_of(self, asset_id: str) -> str:
        t, _ = self._type_cat(asset_id)
        info = self.vocab.asset_types.get(t)
        return info.pipeline if info else "deployment"

    # -- tools ------------------------------------------------------------------------------

    def _tools(self) -> tuple[Tool, ...]:
        users: dict[str, list[str]] = {}
        for m, _ in self.items("models"):
            for tid in m.tools:
                users.setdefault(tid, []).append(m.id)
        zones = {z.id: z for z, _ in self.items("zones")}
        out = []
        for t, origin in self.items("tools"):
            self.ref(t.node, ("nodes",), origin, "node", what="node")
            perms = t.permissions
            read = []
            for i, ref in enumerate(perms.read):
                r = self.asset_ref(ref, origin, "permissions", "read", i, what="read")
                if r is not None:
                    read.append(r)
            write = []
            for i, ref in enumerate(perms.write):
                r = self.asset_ref(ref, origin, "permissions", "write", i, what="write")
                if r is not None:
                    write.append(r)
            for i, nid in enumerate(perms.execute):
                self.ref(nid, ("nodes",), origin, "permissions", "execute", i, what="node")
            external = False
            for dest in perms.egress:
                zone = zones.get(dest)
                if zone is None or zone.trust in ("untrusted", "low"):
                    external = True
                kind = self.kind_of(dest)
                if kind is not None and kind != "zones":
                    self.err(
                        "wrong-reference",
                        f"egress {dest!r} is {_A[kind]}; egress names a "
                        "zone or an outside destination",
                        origin.at("permissions", "egress"),
                        "name the zone the data goes to, or 'internet'",
                    )
            if t.credential is not None and self.ref(
                t.credential, ("assets",), origin, "credential", what="credential"
            ):
                self._expect_credential(t.credential, origin, "credential")
            out.append(
                Tool(
                    t.id,
                    t.name,
                    t.description,
                    t.node,
                    t.owner,
                    tuple(read),
                    tuple(write),
                    tuple(perms.execute),
                    tuple(perms.egress),
                    external,
                    t.constrained,
                    t.human_approval,
                    t.sandbox,
                    t.credential,
                    tuple(t.untrusted_results),
                    tuple(users.get(t.id, ())),
                )
            )
        return tuple(out)

    # -- adversaries ------------------------------------------------------------------------

    def _adversaries(self) -> tuple[Adversary, ...]:
        vocab = self.vocab
        declared = {a.id: (a, o) for a, o in self.items("adversaries")}
        defaults_on = self.merged.default_adversaries is not False
        out: list[Adversary] = []
        for adv_id, d in vocab.adversaries.items():
            entry = declared.get(adv_id)
            enabled = defaults_on
            reaches: tuple[str, ...] | None = None
            holds: tuple[Entry, ...] = ()
            name = d.title
            desc = d.description
            if entry is not None:
                a, origin = entry
                enabled = a.enabled
                name = a.name or name
                desc = a.description or desc
                if a.reaches is not None:
                    if d.entry != "public_models":
                        self.err(
                            "not-applicable",
                            "reaches applies to external-user only",
                            origin.at("reaches", key=True),
                            "remove reaches",
                        )
                    for i, mid in enumerate(a.reaches):
                        self.ref(mid, ("models",), origin, "reaches", i, what="model")
                    reaches = tuple(a.reaches)
                holds = self._holds(a, origin)
            if enabled:
                out.append(Adversary(adv_id, name, desc, True, d.entry, reaches, holds))
        for adv_id, (a, origin) in declared.items():
            if adv_id in vocab.adversaries:
                continue
            if a.reaches is not None:
                self.err(
                    "not-applicable",
                    "reaches applies to the built-in external-user only",
                    origin.at("reaches", key=True),
                    "list what the adversary holds under holds:",
                )
            holds = self._holds(a, origin)
            if not a.holds and a.enabled:
                self.err(
                    "adversary-without-entry",
                    f"adversary {adv_id!r} holds nothing, so it can do nothing",
                    origin.at(),
                    "add holds: [{asset: ..., capability: ...}]",
                )
            if a.enabled:
                out.append(Adversary(adv_id, a.name, a.description, False, None, None, holds))
        return tuple(out)

    def _holds(self, a: Any, origin: Origin) -> tuple[Entry, ...]:
        out = []
        for i, h in enumerate(a.holds):
            r = self.asset_ref(h.asset, origin, "holds", i, "asset", what="holds")
            ok = self._capability(h.capability, origin, "holds", i, "capability")
            if r is None or not ok:
                continue
            pipeline = h.pipeline or self._pipeline_of(r[0])
            persistent = h.persistent and self.vocab.capability_class[h.capability] == "integrity"
            out.append(Entry(r[0], r[1], h.capability, persistent, pipeline))
        return tuple(out)

    def _capability(
        self, cap: str, origin: Origin, *path: str | int, allow_none: bool = False
    ) -> bool:
        if allow_none and cap == "none":
            return True
        if cap in self.vocab.capability_class:
            return True
        options = list(self.vocab.capabilities) + (["none"] if allow_none else [])
        self.err(
            "unknown-capability",
            f"unknown capability {cap!r}",
            origin.at(*path),
            did_you_mean(cap, options, what="capabilities"),
        )
        return False

    # -- vulnerabilities ----------------------------------------------------------------------

    def _vulnerabilities(self) -> tuple[Vulnerability, ...]:
        out = []
        for v, origin in self.items("vulnerabilities"):
            vc = self.vocab.vulnerability_classes.get(v.class_)
            if vc is None:
                self.err(
                    "unknown-class",
                    f"vulnerability {v.id!r}: unknown class {v.class_!r}",
                    origin.at("class"),
                    did_you_mean(v.class_, self.vocab.vulnerability_classes, what="classes"),
                )
                continue
            targets = [k for k in ("node", "model", "asset") if getattr(v, k) is not None]
            if len(targets) != 1:
                self.err(
                    "vulnerability-target",
                    f"vulnerability {v.id!r} must name exactly one of node, model or asset",
                    origin.at(),
                    "conventional classes go on a node: node: <id>; AI classes on a model or asset",
                )
                continue
            asset_id = comp = None
            if vc.kind == "conventional":
                if v.node is None:
                    self.err(
                        "vulnerability-target",
                        f"{v.class_} is a conventional class: it sits on a node",
                        origin.at(targets[0], key=True),
                        "write node: <node id>",
                    )
                    continue
                self.ref(v.node, ("nodes",), origin, "node", what="node")
            else:
                if v.node is not None:
                    self.err(
                        "vulnerability-target",
                        f"{v.class_} is an AI class: it sits on a model or an asset",
                        origin.at("node", key=True),
                        "write model: <model id>",
                    )
                    continue
                where = "model" if v.model is not None else "asset"
                if vc.applies_to is not None and vc.applies_to != where:
                    article = {"model": "a model", "asset": "an asset"}
                    self.err(
                        "vulnerability-target",
                        f"{v.class_} applies to {article[vc.applies_to]}, not to {article[where]}",
                        origin.at(where, key=True),
                        f"write {vc.applies_to}: <{vc.applies_to} id>"
                        + (
                            " (e.g. a model's dataset: m.dataset)"
                            if vc.applies_to == "asset"
                            else ""
                        ),
                    )
                    continue
                if v.model is not None:
                    self.ref(v.model, ("models",), origin, "model", what="model")
                if v.asset is not None:
                    r = self.asset_ref(v.asset, origin, "asset", what="asset")
                    if r is None:
                        continue
                    asset_id, comp = r
            if v.assets is not None:
                if v.node is None:
                    self.err(
                        "not-applicable",
                        "assets narrows a node vulnerability only",
                        origin.at("assets", key=True),
                        "remove assets",
                    )
                for i, ref in enumerate(v.assets):
                    self.asset_ref(ref, origin, "assets", i, what="asset", allow_component=False)
            out.append(
                Vulnerability(
                    v.id,
                    v.title,
                    v.description,
                    v.class_,
                    vc.kind,
                    v.node,
                    v.model,
                    asset_id,
                    comp,
                    tuple(v.assets) if v.assets is not None else None,
                    v.cve,
                    v.cwe,
                    v.cvss,
                    tuple(v.evidence),
                )
            )
        return tuple(out)

    # -- assumptions --------------------------------------------------------------------------

    def _assumptions(self) -> tuple[Assumption, ...]:
        out = []
        first_party = {o.id for o, _ in self.items("owners") if o.first_party}
        if self.merged.system is not None and self.merged.system.owner:
            first_party.add(self.merged.system.owner)
        for a, origin in self.items("assumptions"):
            ok = self.ref(a.producer, ("owners",), origin, "producer", what="producer")
            if ok and a.producer in first_party:
                self.err(
                    "first-party-producer",
                    f"assumption {a.id!r}: {a.producer!r} is a first party",
                    origin.at("producer"),
                    "assumptions state what a third party could do; name the supplier",
                )
            r = self.asset_ref(a.asset, origin, "asset", what="asset")
            cap_ok = self._capability(a.capability, origin, "capability", allow_none=True)
            sends = []
            for i, ref in enumerate(a.sends):
                s = self.asset_ref(ref, origin, "sends", i, what="sends")
                if s is not None:
                    sends.append(s)
            if r is None or not cap_ok:
                continue
            cap = None if a.capability == "none" else a.capability
            # kept as declared: the tolerance search tries integrity levels even when the
            # assumed capability is 'none'; seeds apply it to integrity capabilities only
            persistent = a.persistent
            out.append(
                Assumption(
                    a.id,
                    a.description,
                    a.producer,
                    r[0],
                    r[1],
                    cap,
                    persistent,
                    tuple(sends),
                    a.justification,
                    a.status,
                    self._pipeline_of(r[0]),
                )
            )
        return tuple(out)

    # -- controls ---------------------------------------------------------------------------

    def _controls(
        self, relations: Sequence[Relation], tools: Sequence[Tool]
    ) -> tuple[Control, ...]:
        out = []
        rel_ids = {r.id for r in relations}
        tool_ids = {t.id for t in tools}
        sources = set()
        for a, _ in self.items("assets"):
            sources.update(a.untrusted_sources)
        for m, _ in self.items("models"):
            for s in m.assets.values():
                sources.update(s.untrusted_sources)
                for names in s.component_sources.values():
                    sources.update(names)
        for t, _ in self.items("tools"):
            sources.update(t.untrusted_results)
        adversary_ids = set(self.vocab.adversaries) | {a.id for a, _ in self.items("adversaries")}
        edges: list[str] | None = None
        for c, origin in self.items("controls"):
            for i, vid in enumerate(c.removes):
                self.ref(vid, ("vulnerabilities",), origin, "removes", i, what="vulnerability")
            for i, aid in enumerate(c.justifies):
                self.ref(aid, ("assumptions",), origin, "justifies", i, what="assumption")
            for i, b in enumerate(c.blocks):
                if b in rel_ids or b in tool_ids or b in adversary_ids:
                    continue
                if b.startswith("source:") and b[7:] in sources:
                    continue
                tool, _, perm = b.rpartition(".")
                if tool in tool_ids and perm in TOOL_PERMISSIONS:
                    continue
                if edges is None:
                    edges = sorted(
                        rel_ids
                        | tool_ids
                        | adversary_ids
                        | {f"source:{s}" for s in sources}
                        | {f"{t}.{p}" for t in tool_ids for p in TOOL_PERMISSIONS}
                    )
                close: list[str] = []
                if len(edges) <= self._suggest_budget:
                    self._suggest_budget -= max(len(edges), 1)
                    close = difflib.get_close_matches(b, edges, n=1, cutoff=0.6)
                self.err(
                    "dangling-reference",
                    f"control {c.id!r} blocks {b!r}, which is not a "
                    "relation, tool, tool permission, adversary or untrusted source",
                    origin.at("blocks", i),
                    f"did you mean {close[0]!r}?"
                    if close
                    else "name a relation id, a tool id, a tool permission (tool.egress), "
                    "an adversary id or an untrusted source (source:NAME)",
                )
            breaks = []
            break_steps: list[tuple[str, str, str | None]] = []
            for i, br in enumerate(c.breaks):
                if self.known_attacks is not None and br.attack not in self.known_attacks:
                    self.err(
                        "unknown-attack",
                        f"control {c.id!r} breaks unknown attack {br.attack!r}",
                        origin.at("breaks", i, "attack"),
                        _attack_hint(br.attack, self.known_attacks),
                    )
                asset = None
                if br.asset is not None and self.kind_of(br.asset) == "models":
                    asset = br.asset  # where the attack binds the model itself
                elif br.asset is not None:
                    r = self.asset_ref(br.asset, origin, "breaks", i, "asset", what="asset")
                    asset = r[0] if r else None
                if br.step is None:
                    breaks.append((br.attack, asset))
                    continue
                pattern = (
                    self.known_attacks.get(br.attack)
                    if isinstance(self.known_attacks, Mapping)
                    else None
                )
                steps = [st.id for st in getattr(pattern, "steps", ())]
                if pattern is not None and br.step not in steps:
                    self.err(
                        "unknown-step",
                        f"control {c.id!r}: attack {br.attack!r} has no step {br.step!r}",
                        origin.at("breaks", i, "step"),
                        f"its steps: {', '.join(steps)}",
                    )
                break_steps.append((br.attack, br.step, asset))
            weakens = []
            for i, w in enumerate(c.weakens):
                tool, _, perm = w.edge.rpartition(".")
                if w.edge not in rel_ids and not (tool in tool_ids and perm in TOOL_PERMISSIONS):
                    self.err(
                        "dangling-reference",
                        f"control {c.id!r} weakens {w.edge!r}, which is not a relation or a tool "
                        "permission",
                        origin.at("weakens", i, "edge"),
                        "name a relation id (from->to) or a tool permission (tool.write)",
                    )
                    continue
                if self._capability(w.to, origin, "weakens", i, "to"):
                    weakens.append((w.edge, w.to))
            for key in ("approves", "sandboxes"):
                for i, tid in enumerate(getattr(c, key)):
                    self.ref(tid, ("tools",), origin, key, i, what="tool")
            hides = []
            for i, ref in enumerate(c.hides):
                r = self.asset_ref(ref, origin, "hides", i, what="asset", allow_component=False)
                if r is None:
                    continue
                if self._type_cat(r[0])[0] not in ("outputs", "output_details"):
                    self.err(
                        "not-applicable",
                        f"control {c.id!r} hides {ref!r}: only a model's outputs or "
                        "output_details are returned to callers",
                        origin.at("hides", i),
                        "name <model>.output_details (or <model>.outputs)",
                    )
                    continue
                hides.append(r[0])
            out.append(
                Control(
                    c.id,
                    c.name,
                    c.description,
                    c.kind,
                    c.status,
                    tuple(c.removes),
                    tuple(c.blocks),
                    tuple(c.justifies),
                    tuple(breaks),
                    c.cost,
                    tuple(c.evidence),
                    tuple(weakens),
                    tuple(c.approves),
                    tuple(c.sandboxes),
                    tuple(hides),
                    tuple(break_steps),
                )
            )
        return tuple(out)

    def _triage(self) -> tuple[TriageEntry, ...]:
        out = []
        for i, (t, origin) in enumerate(self.items("triage")):
            out.append(TriageEntry(t.id, t.status, t.justification, t.owner, t.ticket, t.expires))
            loc = origin.at("id")
            if loc is not None:
                self.locations[f"triage[{i}]"] = loc
        return tuple(out)

    # -- final assets and models -------------------------------------------------------------

    def _criticality(self, *layers: Any) -> dict[str, str]:
        default = self.vocab.severity.default_criticality
        out = dict.fromkeys(CLASSES, default)
        for layer in layers:
            if layer is None:
                continue
            for c in CLASSES:
                v = getattr(layer, c)
                if v is not None:
                    out[c] = v
        return out

    def _assets(self) -> tuple[Asset, ...]:
        vocab = self.vocab
        out: list[Asset] = []
        for m, origin in self.items("models"):
            mk = vocab.model_kinds.get(m.kind)
            if mk is None:
                continue
            model_loc = origin.at("id")
            for atype in mk.assets:
                aid = f"{m.id}.{atype}"
                settings = m.assets.get(atype)
                comps: list[str] = list(
                    settings.components
                    if settings and settings.components is not None
                    else mk.components.get(atype, ())
                )
                needed = set(self.extra_components.get(aid, ()))
                if m.tools:
                    if atype == "inputs":
                        needed |= {"tool_results", "tool_definitions"}
                    if atype == "outputs":
                        needed.add("tool_calls")
                if "long_term_memory" in m.features and atype == "inputs":
                    needed.add("memory")
                if "code_interpreter" in m.features and atype == "outputs":
                    needed.add("code")
                if settings is not None:
                    needed |= set(settings.component_sources)
                valid = vocab.asset_types[atype].components
                for c in sorted(needed):
                    if c not in comps and c in valid:
                        comps.append(c)
                resides = [
                    Residency(n, "processed", False)
                    for n in m.deployed_on
                    if atype
                    in ("inputs", "outputs", "output_details", "model_parameters", "architecture")
                ]
                resides += [
                    Residency(n, "processed", atype == "model_parameters")
                    for n in m.trained_on
                    if atype
                    in (
                        "dataset",
                        "hyperparameters",
                        "validation_results",
                        "model_parameters",
                        "architecture",
                    )
                ]
                resides += [
                    Residency(n, "stored", False)
                    for n in m.stored_on
                    if atype in ("model_parameters", "architecture")
                ]
                if settings is not None:
                    resides += [Residency(r.node, r.mode, r.writes) for r in settings.resides]
                out.append(
                    Asset(
                        id=aid,
                        type=atype,
                        category="ai",
                        model=m.id,
                        tool=None,
                        name=None,
                        description=settings.description if settings else None,
                        components=tuple(comps),
                        criticality=self._criticality(
                            m.criticality, settings.criticality if settings else None
                        ),
                        resides=_dedupe(resides),
                        untrusted_sources=tuple(settings.untrusted_sources) if settings else (),
                        component_sources={
                            k: tuple(v) for k, v in settings.component_sources.items()
                        }
                        if settings
                        else {},
                        part_of=None,
                        owner=m.owner,
                        grants_access=(),
                    )
                )
                loc = origin.at("assets", atype) if settings is not None else model_loc
                if loc is not None:
                    self.locations[aid] = loc
        for a, _origin in self.items("assets"):
            info = vocab.asset_types.get(a.type)
            if info is None:
                continue
            comps = list(a.components)
            written = set(comps)
            comps += sorted(set(self.extra_components.get(a.id, ())) - written)
            part = None
            if a.part_of is not None:
                part = a.part_of
            out.append(
                Asset(
                    id=a.id,
                    type=a.type,
                    category=info.category,
                    model=None,
                    tool=None,
                    name=a.name,
                    description=a.description,
                    components=tuple(comps),
                    criticality=self._criticality(a.criticality),
                    resides=_dedupe([Residency(r.node, r.mode, r.writes) for r in a.resides]),
                    untrusted_sources=tuple(a.untrusted_sources),
                    component_sources={},
                    part_of=part,
                    owner=a.owner,
                    grants_access=tuple(a.grants_access),
                )
            )
        for t, _origin in self.items("tools"):
            resides = [Residency(t.node, "processed", False)] if t.node else []
            out.append(
                Asset(
                    id=t.id,
                    type="tool",
                    category="tool",
                    model=None,
                    tool=t.id,
                    name=t.name,
                    description=t.description,
                    components=vocab.asset_types["tool"].components,
                    criticality=self._criticality(None),
                    resides=tuple(resides),
                    untrusted_sources=(),
                    component_sources={"results": tuple(t.untrusted_results)}
                    if t.untrusted_results
                    else {},
                    part_of=None,
                    owner=t.owner,
                    grants_access=(),
                )
            )
        return tuple(out)

    def _models(self) -> tuple[Model, ...]:
        out = []
        for m, _ in self.items("models"):
            mk = self.vocab.model_kinds.get(m.kind)
            if mk is None:
                continue
            out.append(
                Model(
                    id=m.id,
                    name=m.name,
                    description=m.description,
                    kind=m.kind,
                    owner=m.owner,
                    exposure=m.exposure,
                    exposes=tuple(m.exposes),
                    deployed_on=tuple(m.deployed_on),
                    trained_on=tuple(m.trained_on),
                    stored_on=tuple(m.stored_on),
                    base_model=m.base_model,
                    assets={t: f"{m.id}.{t}" for t in mk.assets},
                    tools=tuple(m.tools),
                    identity=m.identity,
                    features=frozenset(m.features),
                )
            )
        return tuple(out)


def _a(word: str) -> str:
    """``word`` with its indefinite article."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _relative_files(paths: Sequence[str]) -> tuple[str, ...]:
    """The root file's name and the included files relative to its directory, so that a result
    does not depend on the directory actm was run from."""
    if not paths:
        return ()
    base = os.path.dirname(os.path.abspath(paths[0]))
    return tuple(os.path.relpath(os.path.abspath(p), base).replace(os.sep, "/") for p in paths)


def _attack_hint(attack: str, known: Collection[str]) -> str:
    close = did_you_mean(attack, known, what="attacks")
    if close and close.startswith("did you mean"):
        return close
    return "run `actm kb list` for the attack ids"


def _dedupe(items: Sequence[Residency]) -> tuple[Residency, ...]:
    seen: dict[tuple[str, str], Residency] = {}
    for r in items:
        key = (r.node, r.mode)
        prev = seen.get(key)
        if prev is None or (r.writes and not prev.writes):
            seen[key] = r
    return tuple(seen.values())


def resolve(
    files: Sequence[SourceFile],
    vocab: Vocabulary,
    *,
    known_attacks: Collection[str] | None = None,
    tolerated: Collection[str] = (),
) -> SystemModel:
    """Check the semantics of validated files and build the :class:`SystemModel`.

    ``tolerated`` names ids of elements dropped for schema errors: references to them are not
    reported again. Raises :class:`~actm.errors.ModelError` with every problem found.
    """
    resolver = _Resolver(files, vocab, known_attacks, tolerated)
    model = resolver.build()
    if resolver.diags or model is None:
        raise ModelError(resolver.diags or [Diagnostic("invalid-model", "the model is invalid")])
    return model
