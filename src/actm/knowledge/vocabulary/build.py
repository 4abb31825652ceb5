"""From merged vocabulary files to one frozen :class:`Vocabulary`.

Each table has its own builder, called in order: a builder may check names against the tables
built before it. Every problem is collected; if there is any, the build raises one
:class:`~actm.errors.KnowledgeError` with all of them. A new table is a schema in
:mod:`.schema`, a builder function, a field of :class:`Vocabulary` and one line here.
"""

from __future__ import annotations

from actm.errors import KnowledgeError
from actm.knowledge.vocabulary.assets import (
    build_access_types,
    build_asset_types,
    build_decision_kinds,
    build_features,
    build_model_defaults,
    build_model_kinds,
    build_node_kinds,
    build_open_contents,
    build_personal_kinds,
)
from actm.knowledge.vocabulary.capabilities import build_capabilities
from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import Vocabulary
from actm.knowledge.vocabulary.layers import Merged
from actm.knowledge.vocabulary.propagation import build_agency, build_propagation
from actm.knowledge.vocabulary.relations import build_processes, build_relations
from actm.knowledge.vocabulary.reporting import build_severity, build_teams, build_wording
from actm.knowledge.vocabulary.threats import (
    build_adversaries,
    build_entry_points,
    build_hypotheses,
    build_source_strength,
    build_vulnerability_classes,
    check_agency_classes,
)

__all__ = ["build"]


def build(merged: Merged) -> Vocabulary:
    b = Builder(merged)
    caps = build_capabilities(b)
    asset_types = build_asset_types(b)
    model_kinds = build_model_kinds(b)
    features = build_features(b)
    model_defaults = build_model_defaults(b)
    node_kinds = build_node_kinds(b)
    processes = build_processes(b)
    relations = build_relations(b, processes)
    propagation = build_propagation(b)
    agency = build_agency(b)
    vclasses = build_vulnerability_classes(b)
    check_agency_classes(b, agency, vclasses)
    adversaries = build_adversaries(b)
    entry_points = build_entry_points(b)
    source_strength = build_source_strength(b)
    hypotheses = build_hypotheses(b, vclasses, node_kinds)
    decision_kinds = build_decision_kinds(b)
    severity = build_severity(b)
    wording = build_wording(b)
    teams = build_teams(b, wording)
    if b.errors:
        raise KnowledgeError(b.errors)
    return Vocabulary(
        classes=caps.classes,
        capabilities=caps.capabilities,
        capability_class=caps.capability_class,
        capability_rank=caps.capability_rank,
        implied=caps.implied,
        asset_types=asset_types,
        model_kinds=model_kinds,
        features=features,
        model_defaults=model_defaults,
        access_types=build_access_types(b),
        node_kinds=node_kinds,
        open_contents=build_open_contents(b),
        personal_kinds=build_personal_kinds(b),
        processes=processes,
        model_lifecycle=relations.model_lifecycle,
        base_model=relations.base_model,
        feeds_sources=relations.feeds_sources,
        feeds_targets=relations.feeds_targets,
        feeds_pipeline=relations.feeds_pipeline,
        part_of_sources=relations.part_of_sources,
        part_of_targets=relations.part_of_targets,
        component_up=propagation.component_up,
        component_down=propagation.component_down,
        dependency=propagation.dependency,
        relationship_forward=propagation.relationship_forward,
        relationship_backward=propagation.relationship_backward,
        part_of=propagation.part_of,
        agency=agency,
        vulnerability_classes=vclasses,
        adversaries=adversaries,
        severity=severity,
        teams=teams,
        wording=wording,
        sources=tuple(merged.sources),
        decision_kinds=decision_kinds,
        acted_on=relations.acted_on,
        entry_points=entry_points,
        source_strength=source_strength,
        hypotheses=hypotheses,
    )
