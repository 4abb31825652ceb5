"""A value of the wrong JSON type (a number, a boolean, an object or a list where the format has
a list or a string) is read as absent: the import ends in a draft or a clean refusal (exit 0 or
2), never in an internal error (exit 3). Checked on the cases the hostile-input audit found, and
by replacing values at many places of real files and of the fixtures with each wrong type."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from drafting import FIXTURES
from typer.testing import CliRunner

from actm.cli.app import app
from actm.errors import ModelError
from actm.importers.bom import cyclonedx
from actm.importers.interface import ImportOptions
from actm.importers.run import draft_files
from reference_data import SHARED

TM = FIXTURES / "threatmodel"
WRONG: tuple[Any, ...] = (5, True, {}, [], "x")
PER_FILE = 48
"""How many places of each file the fuzz test replaces (chosen deterministically)."""


def run(*args: str | Path) -> int:
    """The exit code of the command; never an internal error."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "internal error" not in result.stderr, result.stderr
    return result.exit_code


CASES = {
    "cdx-type-object": (
        "bom.json",
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": {}}]},
    ),
    "cdx-components-number": (
        "bom.json",
        {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": 5},
    ),
    "cdx-bom-ref-object": (
        "bom.json",
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "metadata": {"component": {"type": "application", "name": "a", "bom-ref": {}}},
            "components": [{"type": "library", "name": "l", "bom-ref": []}],
            "dependencies": [{"ref": {}, "dependsOn": 5}],
        },
    ),
    "otm-threats-number": (
        "m.otm.json",
        {
            "otmVersion": "0.2.0",
            "project": {"name": "p", "id": "p"},
            "components": [{"id": "c", "name": "c", "threats": 5}],
        },
    ),
    "threat-dragon-cells-number": (
        "x.td.json",
        {"version": "2.2.0", "summary": {"title": "t"}, "detail": {"diagrams": [{"cells": 5}]}},
    ),
    "library-placements-number": (
        "tm.json",
        {
            "$schema": "https://example.org/threat-model-library/schema.json",
            "scope": {"title": "s"},
            "data_sets": [{"symbolic_name": "d", "placements": 5}],
            "risks": [{"level": "high", "threats": [{}]}],
        },
    ),
}


FORMATS = {"threat-dragon-cells-number": ("--format", "threat-dragon")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_types_import_or_are_refused_cleanly(tmp_path: Path, case: str) -> None:
    name, data = CASES[case]
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run("import", path, *FORMATS.get(case, ())) == 0


def test_discover_survives_a_bom_with_wrong_types(tmp_path: Path) -> None:
    name, data = CASES["cdx-type-object"]
    (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    assert run("discover", tmp_path) in (0, 2)


# -- replacing values at many places of real files ------------------------------------------


def _paths(value: Any, at: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every place in ``value`` (the first three items of each list), the root excluded."""
    if at:
        yield at
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*at, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value[:3]):
            yield from _paths(inner, (*at, i))


def _replaced(data: Any, at: tuple[str | int, ...], new: Any) -> Any:
    out = copy.deepcopy(data)
    holder = out
    for key in at[:-1]:
        holder = holder[key]
    holder[at[-1]] = copy.deepcopy(new)
    return out


def _sample(data: Any, seed: str) -> list[tuple[str | int, ...]]:
    """``PER_FILE`` places: those holding lists and objects first (where the crashes were),
    then others, chosen by a generator seeded with the file's name."""
    places = list(_paths(data))
    rng = random.Random(seed)
    containers = [p for p in places if isinstance(_at(data, p), (list, dict))]
    others = [p for p in places if not isinstance(_at(data, p), (list, dict))]
    picked = rng.sample(containers, min(len(containers), PER_FILE * 2 // 3))
    picked += rng.sample(others, min(len(others), PER_FILE - len(picked)))
    return picked


def _at(data: Any, at: tuple[str | int, ...]) -> Any:
    for key in at:
        data = data[key]
    return data


def _real_files() -> list[Path]:
    """The files these importers read: the shared real BOMs (where present) and the fixtures."""
    real = sorted((SHARED / "real-inputs" / "cyclonedx-mlbom").glob("*.json"))
    own = [TM / "shop.otm.json", TM / "shop.td.json", TM / "shop.library.json"]
    return [*real, FIXTURES / "bom" / "ticket-router.cdx.json", *own]


@pytest.mark.parametrize("source", _real_files(), ids=lambda p: p.name)
def test_wrong_types_anywhere_never_crash(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the optional schema check catches its own failures, and is slow on large BOMs
    monkeypatch.setattr(cyclonedx, "_schema_problem", lambda data, version: None)
    data = json.loads(source.read_bytes())
    target = tmp_path / source.name
    for at in _sample(data, source.name):
        for new in WRONG:
            target.write_text(json.dumps(_replaced(data, at, new)), encoding="utf-8")
            try:
                draft_files([target], ImportOptions())
            except ModelError:
                pass
            except Exception as exc:  # pragma: no cover - the failure being tested for
                pytest.fail(f"{source.name}: {at} = {new!r}: {type(exc).__name__}: {exc}")
