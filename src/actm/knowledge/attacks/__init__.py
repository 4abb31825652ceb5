"""The attack knowledge base: one YAML file per attack pattern, validated when loaded.

An entry states, in the capability vocabulary, what an attack requires and what it yields:

* ``steps``: each step *requires* capabilities on asset types and *yields* capabilities. A
  requirement binds a variable (``var``) to a model (for AI asset types) or to an asset (for
  conventional and tool types); requirements that share a variable must hold on the same model
  or asset, which is how bindings stay consistent across steps.
* ``where``: conditions on the bound model or asset (its kind, features, tools, relations to
  another variable), checked against the system model, not against facts. Each key is a
  condition of the registry in :mod:`actm.knowledge.conditions`.
* ``references`` and ``references_when``: the framework items a threat cites, each named with
  the step that performs it; the conditional ones only where the threat's binding or shown
  chain shows them (:mod:`.citations`).
* ``kind: conversion`` entries turn one capability into another (METHOD.md section 3) and are
  not reported as threats; ``kind: attack`` entries are the threats.

A bad entry raises :class:`~actm.errors.KnowledgeError` naming its file and line: analysis stops
(exit 3) rather than silently skipping the entry.

The package holds one module per concern: :mod:`.schema` (the file format), :mod:`.patterns`
(the compiled, frozen entries), :mod:`.citations` (what a threat cites), :mod:`.compile`
(checking and compiling one entry), :mod:`.references` (checking and compiling its references)
and :mod:`.load` (reading and layering knowledge directories).
"""

from __future__ import annotations

from actm.knowledge.attacks.citations import (
    ChainPattern,
    Citation,
    Reference,
    StepTraits,
)
from actm.knowledge.attacks.load import KNOWLEDGE_SUBDIRS, builtin_knowledge, load_knowledge
from actm.knowledge.attacks.patterns import (
    AttackPattern,
    Impact,
    KnowledgeBase,
    Requirement,
    Step,
    Yield,
)
from actm.knowledge.conditions import Where

__all__ = [
    "KNOWLEDGE_SUBDIRS",
    "AttackPattern",
    "ChainPattern",
    "Citation",
    "Impact",
    "KnowledgeBase",
    "Reference",
    "Requirement",
    "Step",
    "StepTraits",
    "Where",
    "Yield",
    "builtin_knowledge",
    "load_knowledge",
]
