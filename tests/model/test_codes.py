"""Every diagnostic code the loader can emit is exercised by a test with a named input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import actm

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["io/**/*.py", "model/**/*.py", "importers/**/*.py", "api.py"]
"""Globs under src/actm whose diagnostics must each have a test."""
TESTS = [
    "model/test_bad_inputs.py",
    "model/test_codes.py",
    "cli/test_validate.py",
    "io/test_yaml.py",
    "io/test_json.py",
    "cli/test_import.py",
]
# emitted only when an invariant is broken, never by any input
UNREACHABLE = {"invalid-model"}


def _codes_in(text: str) -> set[str]:
    patterns = (
        r'Diagnostic\(\s*"([a-z0-9-]+)"',
        r'self\.err\(\s*"([a-z0-9-]+)"',
        r'_fail\(\s*"([a-z0-9-]+)"',
        r'_fatal\(\s*"([a-z0-9-]+)"',
    )
    return {c for p in patterns for c in re.findall(p, text)}


def test_every_code_has_a_test() -> None:
    emitted: set[str] = set()
    for pattern in SOURCES:
        for path in sorted((ROOT / "src" / "actm").glob(pattern)):
            emitted |= _codes_in(path.read_text(encoding="utf-8"))
    tested = "\n".join((ROOT / "tests" / t).read_text(encoding="utf-8") for t in TESTS)
    missing = {c for c in emitted - UNREACHABLE if f'"{c}"' not in tested}
    assert not missing, f"codes without a test: {sorted(missing)}"


def test_too_many_includes(tmp_path: Path) -> None:
    n = 260
    for i in range(n):
        body = "actm: 1\n" + (f"include: [f{i + 1}.yaml]\n" if i + 1 < n else "")
        if i == 0:
            body += "system: {id: deep}\n"
        (tmp_path / f"f{i}.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(actm.ModelError) as err:
        actm.load_model(tmp_path / "f0.yaml")
    assert [d.code for d in err.value.diagnostics] == ["too-many-includes"]


def test_include_in_text() -> None:
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text("actm: 1\nsystem: {id: x}\ninclude: [other.yaml]\n")
    diag = err.value.diagnostics[0]
    assert diag.code == "include-in-text"
    assert diag.location is not None and diag.location.line == 3


def test_unknown_step_of_a_broken_attack(tmp_path: Path) -> None:
    (tmp_path / "attacks").mkdir()
    (tmp_path / "attacks" / "two-step.yaml").write_text(
        "id: two-step\ntitle: Two steps\ndescription: A test pattern in two steps.\n"
        "steps:\n"
        "  - id: first\n    requires:\n"
        "      - {var: m, asset: inputs, component: user_input, capability: influence}\n"
        "    yields:\n      - {var: m, asset: outputs, capability: influence}\n"
        "  - id: second\n    requires:\n"
        "      - {var: m, asset: outputs, capability: influence}\n"
        "    yields:\n      - {var: m, asset: outputs, capability: make_limited_changes}\n"
        "impact: {var: m, asset: outputs, class: integrity}\n",
        encoding="utf-8",
    )
    kb = actm.load_knowledge([tmp_path])
    text = (
        "actm: 1\nsystem: {id: s}\nmodels:\n  - {id: bot, kind: llm}\n"
        "controls:\n  - {id: c, breaks: [{attack: two-step, step: third}]}\n"
    )
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text(text, knowledge=kb)
    (diag,) = err.value.diagnostics
    assert diag.code == "unknown-step"
    assert diag.location is not None and (diag.location.line, diag.location.column) == (6, 47)
    assert diag.hint == "its steps: first, second"
