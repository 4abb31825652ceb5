"""A counterfactual rerun without controls that only patch conventional vulnerabilities (or
weaken edges, justify assumptions) shares the tables of the model compiled with every control
in force (engine/compiled.py ``_patched``) and its seeds but the vulnerabilities'
(engine/seeds.py ``seeds_of``): both must be what compiling from scratch gives."""

from __future__ import annotations

import dataclasses

from tests.engine.test_inherent_attribution import generated

import actm
from actm.engine.compiled import Compiled, compile_model
from actm.engine.seeds import build_seeds, seeds_of
from actm.knowledge.attacks import builtin_knowledge

PATCHES = ["fix-bu00002-infer-write_access", "fix-bu00010-ingest-dep", "fix-bu00013-infer-rce"]
JUSTIFIES = "verify-llama-base"
BLOCKS = "bu00002-source-allowlist"


def _tables(c: Compiled) -> dict[str, object]:
    return {
        f.name: getattr(c, f.name)
        for f in dataclasses.fields(c)
        if f.name not in ("caches", "shared")
    }


def test_a_rerun_without_patches_shares_the_tables_and_seeds_of_the_run() -> None:
    kb = builtin_knowledge()
    text = generated(600)
    model = actm.load_model_text(text, knowledge=kb)
    fresh = actm.load_model_text(text, knowledge=kb)  # nothing compiled on it yet
    residual = compile_model(model, kb)
    assert residual.shared is not None
    assert _tables(residual.shared) == _tables(residual)
    assert seeds_of(residual) == build_seeds(residual)
    for left_out in [*([p] for p in PATCHES), PATCHES, [JUSTIFIES], [PATCHES[0], JUSTIFIES]]:
        excluded = frozenset(left_out)
        c = compile_model(model, kb, exclude_controls=excluded)
        assert c.shared is residual.shared
        assert c.rules is residual.rules  # shared, not built again
        alone = compile_model(fresh, kb, exclude_controls=excluded)
        assert alone.shared is None
        assert _tables(c) == _tables(alone)
        assert seeds_of(c) == build_seeds(alone)
    c = compile_model(model, kb, exclude_controls=frozenset({"fix-bu00010-ingest-dep"}))
    patched = {s.via for s in seeds_of(c)[0]} - {s.via for s in seeds_of(residual)[0]}
    assert patched == {"bu00010-ingest-dep"}


def test_a_rerun_without_a_control_that_changes_the_tables_compiles_its_own() -> None:
    kb = builtin_knowledge()
    model = actm.load_model_text(generated(600), knowledge=kb)
    residual = compile_model(model, kb)
    for left_out in ([BLOCKS], [PATCHES[0], BLOCKS]):
        c = compile_model(model, kb, exclude_controls=frozenset(left_out))
        assert c.shared is None
        assert c.rules is not residual.rules
    inherent = compile_model(model, kb, apply_controls=False)
    assert inherent.shared is None
