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
from actm.errors import ModelError, UsageError
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


# -- what is read as absent is said -----------------------------------------------------------


def _notes(tmp_path: Path, case: str) -> list[str]:
    name, data = CASES[case]
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    fmt = FORMATS.get(case, (None, None))[1]
    draft = draft_files([path], ImportOptions(), fmt)
    return [f"{n.origin}: {n.text}" for n in draft.notes if "read as absent" in n.text]


def test_values_read_as_absent_are_counted_by_type_in_a_note(tmp_path: Path) -> None:
    notes = _notes(tmp_path, "cdx-bom-ref-object")
    assert notes == [
        f"{tmp_path / 'bom.json'}: values of another type than the format has there were read "
        "as absent (a list where a string belongs; an object where a string belongs): what "
        "they hold is not in the draft; check the file against its format"
    ]  # dependsOn (a number) is not read: its entry's ref (an object) dropped the entry


@pytest.mark.parametrize(
    ("case", "expected", "found"),
    [
        ("cdx-components-number", "a list", "a number"),
        ("otm-threats-number", "a list", "a number"),
        ("threat-dragon-cells-number", "a list", "a number"),
        ("library-placements-number", "a list", "a number"),
    ],
)
def test_each_importer_notes_what_it_read_as_absent(
    tmp_path: Path, case: str, expected: str, found: str
) -> None:
    (note,) = _notes(tmp_path, case)
    assert f"{found} where {expected} belongs" in note


def test_a_file_of_the_right_types_and_nulls_gets_no_such_note(tmp_path: Path) -> None:
    data = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "a", "bom-ref": None}},
        "components": [{"type": "library", "name": "l", "bom-ref": "l", "properties": None}],
        "dependencies": None,
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    draft = draft_files([path], ImportOptions())
    assert not [n for n in draft.notes if "read as absent" in n.text]


def test_the_note_reaches_the_drafted_file(tmp_path: Path) -> None:
    name, data = CASES["cdx-components-number"]
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "bom.json: values of another type than the format has there were read as absent (a "
        "number where a list belongs)"
    ) in result.stdout


def test_discover_notes_a_dependency_file_s_values_read_as_absent(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["openai>=1"]\noptional-dependencies = 5\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["discover", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        "# - pyproject.toml: values of another type than the format has there were read as "
        "absent (a number where an object belongs)"
    ) in result.stdout


def test_counting_stops_with_its_block() -> None:
    from actm.importers import values

    with values.counting_skipped() as found:
        assert values.as_list(5) == []
        assert values.strings(["a", 1, None]) == ["a"]
        assert values.dicts([{}, "x"]) == [{}]
        assert values.as_str(None) is None
    assert values.as_dict([]) == {}  # outside the block: not counted anywhere
    assert found == {
        ("a list", "a number"): 1,
        ("a string", "a number"): 1,
        ("an object", "a string"): 1,
    }
    assert values.skipped_note(found) is not None
    assert values.skipped_note(values.Counter()) is None


def _dragon(data: dict[str, Any]) -> dict[str, Any]:
    """A Threat Dragon v2 model of one process cell holding ``data``."""
    cell = {"id": "a", "shape": "process", "data": data}
    diagrams = [{"cells": [cell]}]
    return {"version": "2.2.0", "summary": {"title": "t"}, "detail": {"diagrams": diagrams}}


NOTED = {
    # file name, content, format (None: detected), a kind the note must name
    "otm-top-level-threats": (
        "m.otm.json",
        {"otmVersion": "0.2.0", "project": {"name": "p", "id": "p"}, "threats": 5},
        None,
        "a number where a list belongs",
    ),
    "otm-name-number": (
        "m.otm.json",
        {"otmVersion": "0.2.0", "project": {"name": 5, "id": "p"}, "components": []},
        None,
        "a number where a string belongs",
    ),
    "threat-dragon-name-number": (
        "x.td.json",
        _dragon({"type": "tm.Process", "name": 5}),
        "threat-dragon",
        "a number where a string belongs",
    ),
    "cdx-name-object": (
        "bom.json",
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "library", "name": {}}],
        },
        None,
        "an object where a string belongs",
    ),
    "mcp-args-number": (
        "mcp.json",
        {"mcpServers": {"s": {"command": "npx", "args": 7, "env": 5}}},
        None,
        "a number where an object belongs",
    ),
    "mcp-tools-description-number": (
        "tools.json",
        {"tools": [{"name": "t", "inputSchema": {"type": "object"}, "description": 5}]},
        None,
        "a number where a string belongs",
    ),
    "spdx-supplied-by-number": (
        "m.spdx3.json",
        {
            "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
            "@graph": [
                {"type": "SpdxDocument", "spdxId": "urn:doc", "rootElement": ["urn:app"]},
                {"type": "software_Package", "spdxId": "urn:app", "name": "app"},
                {"type": "ai_AIPackage", "spdxId": "urn:m", "name": "m", "suppliedBy": 5},
            ],
        },
        None,
        "a number where a string or an object belongs",
    ),
    "cdx-purl-number": (
        "bom.json",
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"type": "library", "name": "l", "purl": 5}],
        },
        None,
        "a number where a string belongs",
    ),
    "mcpb-env-number": (
        "manifest.json",
        {
            "manifest_version": "0.2",
            "name": "b",
            "version": "1.0.0",
            "author": {"name": "a"},
            "server": {"type": "node", "mcp_config": {"command": "node", "env": 5}},
        },
        None,
        "a number where an object belongs",
    ),
    "mcp-registry-entry-description-number": (
        "server.json",
        {
            "name": "io.github.x/s",
            "description": 5,
            "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "s", "version": "1.0.0"}],
        },
        "mcp-server",
        "a number where a string belongs",
    ),
    "threat-dragon-threat-number": (
        "x.td.json",
        _dragon({"type": "tm.Process", "name": "a", "threats": [5]}),
        "threat-dragon",
        "a number where an object belongs",
    ),
    "langgraph-env-number": (
        "langgraph.json",
        {"graphs": {"agent": "./agent.py:graph"}, "dependencies": ["."], "env": 5},
        None,
        "a number where a string or an object belongs",
    ),
    "otm-flow-source-number": (
        "m.otm.json",
        {
            "otmVersion": "0.2.0",
            "project": {"name": "p", "id": "p"},
            "components": [{"id": "a", "name": "a"}],
            # a whole number is read as an id (an export numbering its elements): not this
            "dataflows": [{"id": "f", "source": 5.5, "destination": "a"}],
        },
        None,
        "a number where a string belongs",
    ),
    "otm-component-id-boolean": (
        "m.otm.json",
        {
            "otmVersion": "0.2.0",
            "project": {"name": "p", "id": "p"},
            # an integer id is read as its digits; a boolean is not an id (True is an int)
            "components": [{"id": True, "name": "a"}],
        },
        None,
        "a boolean where a string belongs",
    ),
    "mcp-config-command-number": (
        "mcp.json",
        {"mcpServers": {"s": {"command": 5, "url": "https://mcp.example.com/mcp"}}},
        None,
        "a number where a string belongs",
    ),
    "mcp-tools-name-number": (
        "tools.json",
        {"tools": [{"name": "t", "inputSchema": {}}, {"name": 5, "inputSchema": {}}]},
        None,
        "a number where a string belongs",
    ),
    "library-flow-end-number": (
        "tm.json",
        {
            "$schema": "https://example.org/threat-model-library/schema.json",
            "scope": {"title": "s"},
            "data_flows": [{"source": {"object": 5}, "destination": {"object": "b"}}],
        },
        None,
        "a number where a string belongs",
    ),
}


@pytest.mark.parametrize("case", sorted(NOTED))
def test_each_format_notes_its_values_read_as_absent(tmp_path: Path, case: str) -> None:
    name, data, fmt, kind = NOTED[case]
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    draft = draft_files([path], ImportOptions(), fmt)
    notes = [n.text for n in draft.notes if "read as absent" in n.text]
    assert len(notes) == 1 and kind in notes[0], notes


def test_a_crew_with_values_of_other_types_is_noted(tmp_path: Path) -> None:
    crew = tmp_path / "config"
    crew.mkdir()
    (crew / "agents.yaml").write_text(
        "researcher:\n  role: 5\n  goal: x\n  backstory: y\n  tools: 7\n", encoding="utf-8"
    )
    draft = draft_files([crew / "agents.yaml"], ImportOptions())
    (note,) = [n.text for n in draft.notes if "read as absent" in n.text]
    assert "a number where a list belongs; a number where a string belongs" in note


def test_a_catalogue_s_values_are_not_noted_on_the_configuration(tmp_path: Path) -> None:
    from actm.importers.mcp.registry import Catalogue

    entry = {
        "name": "io.github.x/s",
        "description": 5,  # the catalogue's: its file is not the one drafted
        "packages": [{"registryType": "npm", "identifier": "s", "version": "1.0.0"}],
    }
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"s": {"command": "npx", "args": ["s"]}}}))
    options = ImportOptions(catalogue=Catalogue.of("catalogue.json", [entry]))
    draft = draft_files([config], options)
    assert not [n for n in draft.notes if "read as absent" in n.text]


def test_a_model_card_notes_its_values_read_as_absent(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\npipeline_tag: 5\nlibrary_name: transformers\n---\n# m\n")
    draft = draft_files([card], ImportOptions())
    (note,) = [n.text for n in draft.notes if "read as absent" in n.text]
    assert "a number where a string belongs" in note


def test_discover_notes_a_package_json_s_version_read_as_absent(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"openai": 4}}', encoding="utf-8")
    result = CliRunner().invoke(app, ["discover", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        "# - package.json: values of another type than the format has there were read as "
        "absent (a number where a string belongs)"
    ) in result.stdout


def _fixture_files() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.rglob("*")
        if p.is_file()
        and p.suffix in {".json", ".yaml", ".yml", ".md", ".toml"}
        and p.name != "README.md"
    )


def test_no_fixture_is_noted_for_values_of_another_type() -> None:
    """The fixtures are valid files of their formats: none may be told it holds a value of
    the wrong type (a false note: a type the format allows counted as wrong)."""
    drafted = 0
    for path in _fixture_files():
        try:
            draft = draft_files([path], ImportOptions())
        except (ModelError, UsageError):
            continue  # not a file actm imports alone (a part of a directory, a refusal)
        drafted += 1
        assert not [n for n in draft.notes if "read as absent" in n.text], path
    assert drafted >= 10


def test_an_spdx_relationship_from_an_inline_element_is_noted_not_a_crash(tmp_path: Path) -> None:
    """SPDX 3 allows the element itself where a reference goes; a dependsOn from one gave an
    internal error (an unhashable value looked up among the ids)."""
    data = json.loads((FIXTURES / "bom" / "sentiment.spdx3.json").read_text(encoding="utf-8"))
    links = [e for e in data["@graph"] if e.get("relationshipType") == "dependsOn"]
    assert links, "the fixture has a dependsOn relationship"
    links[0]["from"] = {"type": "software_Package", "spdxId": "urn:ex:inline", "name": "a"}
    path = tmp_path / "m.spdx3.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run("import", path) == 0


def test_spdx_library_messages_lose_their_object_addresses() -> None:
    from actm.importers.bom import spdx

    text = "CreationInfo (140052635292880) Has invalid Property '@id'"
    assert spdx._ADDRESS.sub("", text) == "CreationInfo Has invalid Property '@id'"
