"""The ``where`` conditions and requirement options that agentic entries rely on.

Each condition of the registry (:data:`actm.knowledge.conditions.CONDITIONS`) has a fixture
``where/<name>.yaml``: a probe pattern's requirements using it, a model where it holds with the
exact threat ids expected, and a close variant where it does not:

```yaml
requires: |          # the probe's requirements (one of them uses the condition)
  - {var: m, asset: outputs, capability: influence, where: {kind: [agent]}}
key: [m]
impact: {var: m, asset: outputs, class: integrity}
fires: {model: "...", expect: [probe@a]}
quiet: {model: "...", expect: []}
```

Adding a condition without a fixture fails ``test_every_condition_has_a_fixture``. The probe is
loaded from a temporary knowledge directory, so each condition is tested apart from any
built-in entry.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import actm
from actm.engine.compiled import compile_model
from actm.engine.view import EngineView
from actm.errors import KnowledgeError
from actm.knowledge.attacks import builtin_knowledge, load_knowledge
from actm.knowledge.conditions import CONDITIONS, RelationalCondition, WhereIn

FIXTURES = Path(__file__).parent / "where"

PROBE = """
id: probe
title: Probe pattern
description: >
  A pattern used only by this test to find out where a where-condition lets a requirement bind.
likelihood: high
key: {key}
steps:
  - id: probe
    requires:
{requires}
impact: {impact}
references:
  owasp_llm:
    probe: [LLM01]
"""


def probe(tmp_path: Path, requires: str, key: str, impact: str, model: str) -> list[str]:
    """Threat ids of the probe pattern in ``model``."""
    body = textwrap.indent(textwrap.dedent(requires).strip(), " " * 6)
    text = PROBE.format(requires=body, key=key, impact=impact)
    (tmp_path / "attacks").mkdir(exist_ok=True)
    (tmp_path / "attacks" / "probe.yaml").write_text(text.lstrip(), encoding="utf-8")
    kb = load_knowledge([tmp_path])
    result = actm.analyze(actm.load_model_text(textwrap.dedent(model), knowledge=kb), knowledge=kb)
    return sorted(t.id for t in result.threats if t.attack == "probe")


# -- the registry and its fixtures -------------------------------------------------------------


def _fixture(name: str) -> dict[str, Any]:
    path = FIXTURES / f"{name}.yaml"
    if not path.is_file():
        pytest.fail(f"condition {name} has no fixture: write tests/engine/where/{name}.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"requires", "key", "impact", "fires", "quiet"}, path.name
    return data


def _flow(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip()


def test_every_condition_has_a_fixture() -> None:
    missing = [n for n in CONDITIONS if not (FIXTURES / f"{n}.yaml").is_file()]
    assert not missing, f"conditions without a fixture: {missing}"
    stale = sorted(p.stem for p in FIXTURES.glob("*.yaml") if p.stem not in CONDITIONS)
    assert not stale, f"fixtures without a condition: {stale}"


def test_the_registry_is_the_schema() -> None:
    assert list(WhereIn.model_fields) == list(CONDITIONS)
    for name, cond in CONDITIONS.items():
        assert cond.name == name
        assert cond.example.startswith(f"{name}: ")
        assert cond.doc and not cond.doc.endswith(".")
        assert isinstance(cond, RelationalCondition) == cond.relational


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_condition_fixture(tmp_path: Path, name: str) -> None:
    data = _fixture(name)
    wheres = [r.get("where", {}) for r in yaml.safe_load(data["requires"])]
    assert any(name in w for w in wheres), f"{name}.yaml: no requirement uses {name}"
    args = (data["requires"], _flow(data["key"]), _flow(data["impact"]))
    for case in ("fires", "quiet"):
        found = probe(tmp_path, *args, data[case]["model"])
        assert found == data[case]["expect"], f"{name}: {case}"
    assert data["fires"]["expect"], f"{name}: the fires case must expect threats"


@pytest.mark.parametrize(
    "name", [n for n, c in CONDITIONS.items() if isinstance(c, RelationalCondition)]
)
def test_candidate_narrowing_keeps_every_related_pair(name: str) -> None:
    """The matcher only tries the candidates a relational condition gives: over the fixture's
    models, every pair the condition relates is among them, both ways."""
    cond = CONDITIONS[name]
    assert isinstance(cond, RelationalCondition)
    kb = builtin_knowledge()
    related = 0
    for case in ("fires", "quiet"):
        text = textwrap.dedent(_fixture(name)[case]["model"])
        view = EngineView.of(compile_model(actm.load_model_text(text, knowledge=kb), kb))
        keys = sorted(view.info)
        for me in keys:
            for other in keys:
                if not cond.holds(view, me, other):
                    continue
                related += 1
                forward, backward = cond.forward(view, other), cond.backward(view, me)
                assert forward is None or me in forward, (name, me, other)
                assert backward is None or other in backward, (name, me, other)
    assert related, f"{name}: the fixture relates no pair"


# -- whole: true ---------------------------------------------------------------------------


def _whole_model(vulnerability: str, credential: bool) -> str:
    cred = "credential: token, " if credential else ""
    return f"""
    actm: 1
    system: {{id: w}}
    nodes:
      - {{id: mcp, kind: mcp_server}}
      - {{id: box, kind: host}}
    models:
      - {{id: bot, kind: agent, tools: [lookup]}}
    assets:
      - {{id: token, type: credential, resides: [{{node: box}}]}}
    tools:
      - {{id: lookup, {cred}node: mcp}}
    vulnerabilities:
      - {{id: v1, class: {vulnerability}, node: box}}
      - {{id: v2, class: {vulnerability}, node: mcp}}
    controls:
      - {{id: off, removes: [v2]}}
    """


@pytest.mark.parametrize(
    ("whole", "vulnerability", "credential", "expected"),
    [
        # a stolen credential drives the tool's inputs: make_limited_changes on a *part* of it
        (False, "read_access", True, ["probe@lookup"]),
        (True, "read_access", True, []),
        # a vulnerability on the tool's own node reaches the tool as a whole
        (True, "rce", False, []),  # removed by a control: nothing
    ],
)
def test_whole_refuses_capabilities_lifted_from_a_component(
    tmp_path: Path, whole: bool, vulnerability: str, credential: bool, expected: list[str]
) -> None:
    requires = f"""
    - {{var: t, asset: tool, capability: make_limited_changes, whole: {str(whole).lower()}}}
    """
    model = _whole_model(vulnerability, credential)
    assert probe(tmp_path, requires, "[t]", "{var: t, class: integrity}", model) == expected


def test_whole_accepts_a_grant_on_the_whole_asset(tmp_path: Path) -> None:
    requires = "- {var: t, asset: tool, capability: make_limited_changes, whole: true}"
    model = _whole_model("rce", False).replace("removes: [v2]", "removes: [v1]")
    assert probe(tmp_path, requires, "[t]", "{var: t, class: integrity}", model) == ["probe@lookup"]


BAD = [
    (
        "- {var: t, asset: tool, capability: influence, where: {node_vulnerability: [rcee]}}",
        "unknown-vulnerability-class",
        "probe: 'rcee' is not a conventional vulnerability class",
        "did you mean 'rce'?",
    ),
    (
        "- {var: t, asset: tool, component: inputs, capability: influence, whole: true}",
        "whole-with-component",
        "probe: whole: true asks for the asset as a whole; it cannot name a component",
        "drop component or whole",
    ),
    (
        "- {var: t, asset: tool, capability: influence}\n"
        "- {var: u, asset: tool, capability: influence, where: {not_used_by: t}}",
        "wrong-variable",
        "probe: where relates to 't', which must be a model variable",
        None,
    ),
    (
        "- {var: t, asset: tool, capability: influence, where: {kind: [agnet]}}",
        "unknown-kind",
        "probe: unknown model kind or asset type 'agnet'",
        "did you mean 'agent'?",
    ),
    (
        "- {var: t, asset: tool, capability: influence, where: {lacks_features: [streamin]}}",
        "unknown-feature",
        "probe: unknown feature 'streamin'",
        "did you mean 'streaming'?",
    ),
    (
        "- {var: t, asset: tool, capability: influence, where: {node_kind: [mcp]}}",
        "unknown-kind",
        "probe: unknown node kind 'mcp'",
        "see `actm schema` or docs/model-format.md for the valid node kinds",
    ),
    (
        "- {var: t, asset: tool, capability: influence, where: {read_by: r}}",
        "unbound-variable",
        "probe: where names variable 'r', which no requirement binds",
        None,
    ),
    (
        "- {var: t, asset: tool, capability: influence, where: {kin: [agent]}}",
        "unknown-key",
        "unknown key 'kin' in steps.0.requires.0.where",
        "did you mean 'kind'?",
    ),
]


@pytest.mark.parametrize(("requires", "code", "message", "hint"), BAD)
def test_bad_conditions_are_refused(
    tmp_path: Path, requires: str, code: str, message: str, hint: str | None
) -> None:
    with pytest.raises(KnowledgeError) as err:
        probe(tmp_path, requires, "[t]", "{var: t, class: integrity}", "actm: 1\nsystem: {id: x}\n")
    [found] = err.value.diagnostics
    assert (found.code, found.message, found.hint) == (code, message, hint)
    assert found.location is not None and found.location.line == 9 + requires.count("- ")


MODEL_SANDBOX = """
actm: 1
system: {id: sb}
nodes:
  - {id: box, kind: code_sandbox}
assets:
  - {id: notes, type: data, resides: [{node: box}]}
tools:
  - {id: boxed, sandbox: true, permissions: {execute: [box]}}
  - {id: bare, permissions: {execute: [box]}}
  - {id: boxed-reader, sandbox: true, permissions: {read: [notes]}}
  - {id: boxed-blocked, sandbox: true, permissions: {execute: [box]}}
models:
  - {id: a, kind: agent, tools: [boxed]}
  - {id: b, kind: agent, tools: [bare]}
  - {id: c, kind: agent, tools: [boxed-reader]}
  - {id: d, kind: agent, tools: [boxed-blocked]}
adversaries:
  - id: insider
    holds:
      - {asset: a.outputs, capability: influence}
      - {asset: b.outputs, capability: influence}
      - {asset: c.outputs, capability: influence}
      - {asset: d.outputs, capability: influence}
controls:
  - {id: no-exec, blocks: [boxed-blocked.execute]}
"""


def test_sandbox_on_a_model_is_a_sandboxed_tool_that_executes_code(tmp_path: Path) -> None:
    requires = "- {var: m, asset: outputs, capability: influence, where: {sandbox: true}}"
    impact = "{var: m, asset: outputs, class: integrity}"
    assert probe(tmp_path, requires, "[m]", impact, MODEL_SANDBOX) == ["probe@a"]
    unboxed = requires.replace("sandbox: true", "sandbox: false")
    assert probe(tmp_path, unboxed, "[m]", impact, MODEL_SANDBOX) == [
        "probe@b",
        "probe@c",
        "probe@d",
    ]
