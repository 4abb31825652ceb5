"""Semantic checks and defaults: from validated model files to a :class:`SystemModel`.

Schema validation (pydantic) has already checked keys and types. Here every reference is
resolved, every kind, type, component, capability and vulnerability class is checked against
the vocabulary, relations are checked against the process table, and the defaults that keep
model files short are applied: a model's AI assets and their components, its life-cycle
derivations, residency from ``deployed_on`` / ``trained_on`` / ``stored_on``, the implicit asset
of each tool and package, the decisions of a model whose outputs are acted on, the assumption
each package implies, and the built-in adversaries. All problems are collected and raised
together; likely modelling slips that are not errors become the model's ``warnings``.

One module per concern, each a few functions over a shared :class:`~.context.Context`:
:mod:`.origins` (files merged, where elements were written), :mod:`.ids` and :mod:`.refs`
(ids and references), :mod:`.infrastructure` (system, owners, zones, nodes), :mod:`.models`
and :mod:`.assets` (with :mod:`.credentials`), :mod:`.relations`, :mod:`.tools`,
:mod:`.packages`, :mod:`.adversaries`, :mod:`.vulnerabilities`, :mod:`.assumptions`,
:mod:`.controls`, :mod:`.triage`, :mod:`.recorded` (threats recorded in other tools) and
:mod:`.warnings`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from actm.errors import Diagnostic, ModelError
from actm.knowledge.vocabulary import Vocabulary
from actm.model.resolve.adversaries import build_adversaries
from actm.model.resolve.assets import (
    build_assets,
    build_tool_assets,
    check_assets,
    check_residency,
)
from actm.model.resolve.assumptions import build_assumptions
from actm.model.resolve.context import Context
from actm.model.resolve.controls import build_controls
from actm.model.resolve.ids import collect_ids
from actm.model.resolve.infrastructure import (
    build_nodes,
    build_owners,
    build_zones,
    check_owners,
    check_root,
)
from actm.model.resolve.models import build_model_assets, build_models, check_models
from actm.model.resolve.origins import Origin, SourceFile, merge_files, relative_files, root_dir
from actm.model.resolve.packages import (
    build_package_assets,
    build_packages,
    package_assumptions,
)
from actm.model.resolve.recorded import build_recorded
from actm.model.resolve.relations import build_relations
from actm.model.resolve.tools import TOOL_PERMISSIONS, build_tools
from actm.model.resolve.triage import build_triage
from actm.model.resolve.vulnerabilities import build_vulnerabilities
from actm.model.resolve.warnings import find_warnings
from actm.model.system import SystemInfo, SystemModel

__all__ = ["TOOL_PERMISSIONS", "Origin", "SourceFile", "merge_files", "resolve"]


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
    ctx = Context.of(files, vocab, known_attacks, tolerated)
    model = _build(ctx)
    if ctx.diags or model is None:
        raise ModelError(ctx.diags or [Diagnostic("invalid-model", "the model is invalid")])
    return model


def _build(ctx: Context) -> SystemModel | None:
    """Every check and default, in an order where each step finds what it refers to: ids
    first, then the elements that other elements name, then the references that may add
    components to assets, and the assets last."""
    check_root(ctx)
    collect_ids(ctx)
    check_owners(ctx)
    owners = build_owners(ctx)
    zones = build_zones(ctx)
    nodes = build_nodes(ctx)
    check_models(ctx)
    check_assets(ctx)
    relations = build_relations(ctx)
    tools = build_tools(ctx)
    packages = build_packages(ctx)
    adversaries = build_adversaries(ctx)
    vulnerabilities = build_vulnerabilities(ctx)
    assumptions = (*build_assumptions(ctx), *package_assumptions(ctx, packages))
    controls = build_controls(ctx, relations, tools)
    check_residency(ctx)
    assets = (
        *build_model_assets(ctx),
        *build_assets(ctx),
        *build_tool_assets(ctx),
        *build_package_assets(ctx, packages),
    )
    models = build_models(ctx)
    system = ctx.merged.system
    if system is None or ctx.diags:
        return None
    model = SystemModel(
        system=SystemInfo(system.id, system.name, system.description, system.owner),
        owners=owners,
        zones=zones,
        nodes=nodes,
        models=models,
        assets=assets,
        relations=relations,
        tools=tools,
        adversaries=adversaries,
        vulnerabilities=vulnerabilities,
        assumptions=assumptions,
        controls=controls,
        triage=build_triage(ctx),
        packages=packages,
        recorded_threats=build_recorded(ctx),
        hypotheses=ctx.merged.analysis is not None and ctx.merged.analysis.hypotheses,
        locations=ctx.locations,
        files=relative_files([sf.doc.path for sf in ctx.files if sf.doc is not None]),
        root_dir=root_dir(ctx.files),
        source=ctx.merged,
    )
    return replace(model, warnings=find_warnings(ctx, model))
