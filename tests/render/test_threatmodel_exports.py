"""The OTM and Threat Dragon exports: they validate (OTM against the published schema when the
shared data has it, Threat Dragon against our own statement of its format), are deterministic,
and survive import -> export -> import with their zones, components, flows and threats."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from threat_dragon_shape import ThreatDragonModel

import actm
from actm.api import load_model_text
from actm.importers.draft import Draft, slug
from actm.importers.emit import render
from actm.importers.fit import fit
from actm.importers.formats import importer
from actm.importers.interface import ImportOptions
from actm.render.otm import render_otm
from actm.render.threatdragon import render_threat_dragon
from reference_data import SHARED

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 1, 15)
FIXTURES = ROOT / "tests" / "importers" / "fixtures" / "threatmodel"
EXPORTS = {"otm": render_otm, "threat-dragon": render_threat_dragon}


@pytest.fixture(scope="module")
def rag() -> actm.Result:
    return actm.analyze(
        actm.load_model(ROOT / "examples" / "customer-support-rag.yaml"), today=TODAY
    )


def reread(fmt: str, text: str, tmp_path: Path) -> Draft:
    path = tmp_path / f"export.{fmt}.json"
    path.write_text(text, encoding="utf-8")
    return importer(fmt).read(path, path.name, ImportOptions())


def ids(draft: Draft, section: str) -> list[str]:
    return [e.id for e in draft.section(section)]


def threats(draft: Draft) -> list[str]:
    return [n.text for n in draft.notes if n.kind == "threat"]


def exported(fmt: str, text: str) -> int:
    """How many threats an export holds."""
    document = json.loads(text)
    if fmt == "otm":
        return len(document["threats"])
    cells = document["detail"]["diagrams"][0]["cells"]
    return sum(len(c["data"].get("threats", ())) for c in cells)


def test_otm_export_validates_against_the_published_schema(rag: actm.Result) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = SHARED / "otm" / "otm_schema.json"
    if not schema_path.is_file():
        pytest.skip(f"{schema_path} is not available (shared data)")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    document = json.loads(render_otm(rag))
    jsonschema.validate(document, schema)
    assert [z["id"] for z in document["trustZones"]] == ["app", "internet"]
    assert [c["id"] for c in document["components"]] == [
        "chat-api",
        "crm-db",
        "helpdesk",
        "kb-ingest",
        "llm-api",
        "vector-db",
    ]
    assert len(document["threats"]) == len(rag.threats)


def test_threat_dragon_export_has_the_shape_threat_dragon_opens(rag: actm.Result) -> None:
    model = ThreatDragonModel.model_validate_json(render_threat_dragon(rag))
    cells = model.detail.diagrams[0].cells
    assert [c.data.name for c in cells if c.data.type == "tm.BoundaryBox"] == [
        "Acme application network",
        "internet",
    ]
    assert len([c for c in cells if c.data.type == "tm.Flow"]) == 1
    # every threat but the system prompt's extraction, whose asset (the model's) sits on no node
    unplaced = {"system-prompt-extraction@support-agent"}
    assert sorted(t.threatId for c in cells for t in c.data.threats) == sorted(
        t.id for t in rag.threats if t.id not in unplaced
    )


@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_exports_are_deterministic(fmt: str, rag: actm.Result) -> None:
    assert EXPORTS[fmt](rag) == EXPORTS[fmt](rag)


@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_actm_threats_survive_export_and_import(fmt: str, rag: actm.Result, tmp_path: Path) -> None:
    text = EXPORTS[fmt](rag)
    draft = reread(fmt, text, tmp_path)
    assert ids(draft, "zones") == ["acme-application-network", "internet"]
    # the names come back, as ids of their own
    assert sorted(ids(draft, "nodes")) == sorted(
        slug(e.label) for e in rag.graph.elements if e.kind == "node"
    )
    assert len(ids(draft, "relations")) == 1
    assert len(threats(draft)) == exported(fmt, text)
    load_model_text(render(fit(draft)))


# -- import -> export -> import -------------------------------------------------------------

SOURCES = {
    "own:shop.otm.json": "otm",
    "own:shop.td.json": "threat-dragon",
    "shared:threat-dragon/demo-threat-model.json": "threat-dragon",
    "shared:threat-dragon/v2-threat-model.json": "threat-dragon",
    "shared:threat-dragon/three-tier-web-app.json": "threat-dragon",
    "shared:threat-dragon/example-open-threat-model.json": "otm",
    "shared:threat-dragon/mobile-cloud.otm.json": "otm",
    "shared:otm/EXAMPLE.json": "otm",
}


def source(name: str) -> Path:
    where, _, rest = name.partition(":")
    path = FIXTURES / rest if where == "own" else SHARED / rest
    if not path.is_file():
        pytest.skip(f"{path} is not available (shared data)")
    return path


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_round_trip_keeps_zones_components_and_flows(
    name: str, export: str, tmp_path: Path
) -> None:
    path = source(name)
    first = importer(SOURCES[name]).read(path, path.name, ImportOptions())
    model = load_model_text(render(fit(first)))
    result = actm.analyze(model, today=TODAY)
    text = EXPORTS[export](result)
    second = reread(export, text, tmp_path)
    for section in ("zones", "nodes", "relations"):
        assert sorted(ids(second, section)) == sorted(ids(first, section)), section
    assert len(threats(second)) == exported(export, text)
