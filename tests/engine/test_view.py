"""The engine's system view for ``where`` conditions, kept in a compiled model's caches."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import actm
from actm.engine.closure import Closure
from actm.engine.compiled import compile_model
from actm.engine.view import EngineView
from actm.knowledge.attacks import builtin_knowledge
from actm.knowledge.conditions import CONDITIONS, RelationalCondition

ROOT = Path(__file__).resolve().parents[2]


def test_a_compiled_model_is_freed_without_the_cycle_collector() -> None:
    """The CLI runs with the cyclic garbage collector off, and attribution compiles the model
    once per control: the view (and every index a condition builds) must not refer back to
    the compiled model, or each run would stay in memory."""
    kb = builtin_knowledge()
    model = actm.load_model(ROOT / "examples" / "coding-assistant.yaml", knowledge=kb)
    gc.collect()
    gc.disable()
    try:
        c = compile_model(model, kb)
        closure = Closure(c)
        closure.run()
        view = EngineView.of(c)
        key = sorted(view.info)[0]
        for cond in CONDITIONS.values():
            if isinstance(cond, RelationalCondition):
                cond.forward(view, key)
                cond.backward(view, key)
        assert closure.matcher.matches
        ref = weakref.ref(c)
        del c, closure, view
        assert ref() is None
    finally:
        gc.enable()


def test_the_view_is_built_once_per_compiled_model() -> None:
    kb = builtin_knowledge()
    model = actm.load_model(ROOT / "examples" / "coding-assistant.yaml", knowledge=kb)
    c = compile_model(model, kb)
    assert Closure(c).matcher.view is Closure(c).matcher.view is EngineView.of(c)
