"""The registry of control effects: every layer that acts on an effect has it, and its model
form reads back to the same values."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import yaml

import actm
from actm.engine.controls import CONTROL_HOOKS
from actm.knowledge.attacks import builtin_knowledge
from actm.knowledge.controls import TARGETS
from actm.knowledge.effects import ACTING, EFFECTS, check_hooks, effect_keys, in_force
from actm.model.schema import ControlIn
from actm.model.system import Control
from actm.plan.candidates import ELEMENTS
from actm.results.mitigation import control_elements

MODEL = """
actm: 1
system: {id: fx}
owners:
  - {id: vendor}
nodes:
  - {id: box, kind: host}
models:
  - {id: bot, kind: agent, tools: [t], exposes: [outputs, output_details]}
assets:
  - {id: kb, type: document_store, untrusted_sources: [web]}
  - {id: tok, type: credential, grants: {read: [kb]}}
relations:
  - {kind: feeds, from: kb, to: bot.inputs.retrieved_context}
tools:
  - {id: t, permissions: {write: [kb], execute: [box]}}
vulnerabilities:
  - {id: v1, class: rce, node: box}
assumptions:
  - {id: a1, producer: vendor, asset: bot.model_parameters, capability: make_limited_changes}
"""

SAMPLES: dict[str, tuple[Any, ...]] = {
    "removes": ("v1",),
    "blocks": ("t.write", "source:web"),
    "approves": ("t",),
    "sandboxes": ("t",),
    "hides": ("bot.output_details",),
    "weakens": (("kb->bot.inputs.retrieved_context", "contribute"),),
    "narrows": ("tok",),
    "justifies": ("a1",),
    "breaks": (
        ("adapter-injection", None, None),
        ("adapter-injection", "bot", None),
        ("adapter-injection", None, "merge"),
    ),
}
"""One value list per effect, valid in MODEL."""


def test_every_layer_has_every_effect() -> None:
    assert set(SAMPLES) == set(EFFECTS)
    assert set(CONTROL_HOOKS) == set(EFFECTS)  # the engine's tables
    control_fields = {f.name for f in dataclasses.fields(Control)}
    for name, effect in EFFECTS.items():
        assert effect.name == name
        assert name in ControlIn.model_fields  # the model format
        assert set(effect.fields(SAMPLES[name])) <= control_fields  # the resolved model
        assert effect.targets and effect.doc
    # the planner enumerates every kind of element a catalog template can name, and each
    # is the target of some effect a template can propose
    assert set(ELEMENTS) == TARGETS
    assert {t for e in ACTING for t in e.targets} >= TARGETS


def test_a_missing_hook_fails_loudly() -> None:
    check_hooks("here", list(EFFECTS))
    with pytest.raises(LookupError, match=r"here: no hook for effects \['hides'\]; unknown .*"):
        check_hooks("here", [n for n in EFFECTS if n != "hides"] + ["hide"])


@pytest.mark.parametrize("name", list(EFFECTS))
def test_the_model_form_reads_back(name: str) -> None:
    """What the planner writes for a control (Effect.to_model) is what the loader reads."""
    effect = EFFECTS[name]
    entry = {"id": "c", name: effect.to_model(SAMPLES[name])}
    text = MODEL + yaml.safe_dump({"controls": [entry]}, sort_keys=False)
    model = actm.load_model_text(text, knowledge=builtin_knowledge())
    [ctl] = model.controls
    assert effect.values(ctl) == SAMPLES[name]
    rebuilt = dataclasses.replace(ctl, **effect.fields(SAMPLES[name]))
    assert rebuilt == ctl


def _control(**effects: tuple[Any, ...]) -> Control:
    blank = Control("c", None, None, None, "implemented", (), (), (), (), None, ())
    changes: dict[str, Any] = {}
    for name, values in effects.items():
        changes.update(EFFECTS[name].fields(values))
    return dataclasses.replace(blank, **changes)


def test_keys_elements_and_reasons() -> None:
    ctl = _control(**SAMPLES)
    assert sorted(effect_keys(ctl)) == [
        ("approves", "t"),
        ("blocks", "source:web"),
        ("blocks", "t.write"),
        ("breaks", "adapter-injection", ""),
        ("breaks", "adapter-injection", "", "merge"),
        ("breaks", "adapter-injection", "bot"),
        ("hides", "bot.output_details"),
        ("narrows", "tok"),
        ("removes", "v1"),
        ("sandboxes", "t"),
        ("weakens", "kb->bot.inputs.retrieved_context", "contribute"),
    ]  # a justification changes nothing the engine finds: no key
    assert sorted(control_elements(ctl)) == [
        "bot.output_details",
        "kb->bot.inputs.retrieved_context",
        "source:web",
        "t",
        "t.egress",
        "t.execute",
        "t.write",
        "tok",
        "v1",
    ]
    reasons = {e.name: [e.reason(v) for v in SAMPLES[e.name]] for e in EFFECTS.values()}
    assert reasons["approves"] == ["puts tool t behind human approval"]
    assert reasons["narrows"] == ["narrows credential tok to what its tools use"]
    assert reasons["weakens"] == [
        "lets kb->bot.inputs.retrieved_context pass only up to contribute"
    ]
    assert reasons["breaks"][1:] == [
        "breaks adapter-injection where it binds bot",
        "breaks adapter-injection from step merge",
    ]
    blocks = EFFECTS["blocks"]
    assert blocks.propose("t", "tool", None) == ("t", "removes tool t")
    assert blocks.propose("source:web", "source", None) == ("source:web", "stops content from web")
    assert EFFECTS["weakens"].propose("r", "relation", None) is None


def test_moot_effects_are_in_force() -> None:
    assert in_force(("weakens", "e", "influence"), {("blocks", "e")})
    assert not in_force(("blocks", "e"), {("weakens", "e", "influence")})
    assert in_force(("breaks", "a", "m", "s2"), {("breaks", "a", "")})
    assert not in_force(("removes", "v"), {("blocks", "v")})
