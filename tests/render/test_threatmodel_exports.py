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
from actm.importers.draft import Draft, slug, thawed
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
    # the zones' trust comes back (Threat Dragon: from the boundary's description)
    assert [element(draft, z)["trust"] for z in ids(draft, "zones")] == ["high", "untrusted"]
    # the names come back, as ids of their own
    assert sorted(ids(draft, "nodes")) == sorted(
        slug(e.label) for e in rag.graph.elements if e.kind == "node"
    )
    assert len(ids(draft, "relations")) == 1
    # actm's threats come back as recorded threats that name the threat they are
    derived = [element(draft, t)["derived"] for t in ids(draft, "recorded_threats")]
    assert sorted(derived) == exported_ids(fmt, text)
    unplaced = {"system-prompt-extraction@support-agent"} if fmt == "threat-dragon" else set()
    assert sorted(derived) == sorted(t.id for t in rag.threats if t.id not in unplaced)
    load_model_text(render(fit(draft)))


def element(draft: Draft, ident: str) -> dict[str, object]:
    found = draft.find(ident)
    assert found is not None
    return dict(thawed(found.fields))


def exported_ids(fmt: str, text: str) -> list[str]:
    """The ids of the threats of actm's an export holds (OTM: in the threat's attributes;
    Threat Dragon: a threatId other than the threat's id)."""
    document = json.loads(text)
    if fmt == "otm":
        named = (t.get("attributes", {}).get("actm_threat") for t in document["threats"])
        return sorted(n for n in named if n)
    cells = document["detail"]["diagrams"][0]["cells"]
    threats = [t for c in cells for t in c["data"].get("threats", ())]
    return sorted(t["threatId"] for t in threats if t["threatId"] != t["id"])


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


def imported(fmt: str, path: Path) -> tuple[Draft, actm.Result]:
    draft = importer(fmt).read(path, path.name, ImportOptions())
    return draft, actm.analyze(load_model_text(render(fit(draft))), today=TODAY)


def records(draft: Draft) -> dict[str, tuple[object, ...]]:
    """Each recorded threat the input had (not actm's): id -> title, status, severity, element."""
    out = {}
    for e in draft.section("recorded_threats"):
        f = e.fields
        if "derived" not in f:
            out[e.id] = (f["title"], f["status"], f.get("severity"), f.get("on"))
    return out


def valid(fmt: str, text: str) -> None:
    """``text`` validates: against the published OTM schema (when the shared data has it), or
    our statement of Threat Dragon's format."""
    if fmt == "threat-dragon":
        ThreatDragonModel.model_validate_json(text)
        return
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = SHARED / "otm" / "otm_schema.json"
    if schema_path.is_file():
        jsonschema.validate(json.loads(text), json.loads(schema_path.read_text("utf-8")))


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_round_trip_keeps_zones_components_flows_and_threats(
    name: str, export: str, tmp_path: Path
) -> None:
    path = source(name)
    first, result = imported(SOURCES[name], path)
    text = EXPORTS[export](result)
    valid(export, text)
    second = reread(export, text, tmp_path)
    for section in ("zones", "nodes", "relations"):
        assert sorted(ids(second, section)) == sorted(ids(first, section)), section
    # a zone whose trust the input did not say is exported with the default, and read back
    assert {i: element(second, i)["trust"] for i in ids(second, "zones")} == {
        i: element(first, i).get("trust", "medium") for i in ids(first, "zones")
    }
    # whether each flow is encrypted comes back (OTM: in the data flow's attributes)
    assert {i: element(second, i)["encrypted"] for i in ids(second, "relations")} == {
        i: element(first, i)["encrypted"] for i in ids(first, "relations")
    }
    kept = records(first)
    if export == "threat-dragon":
        # Threat Dragon keeps threats on cells only: those on no element are left out
        kept = {i: r for i, r in kept.items() if r[3] is not None}
    again = records(second)
    assert sorted(again) == sorted(kept)
    if export == SOURCES[name]:
        assert again == kept
    else:  # severities pass through the other tool's scale
        assert {i: r[:2] + r[3:] for i, r in again.items()} == {
            i: r[:2] + r[3:] for i, r in kept.items()
        }
    assert len(ids(second, "recorded_threats")) == len(kept) + len(exported_ids(export, text))


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_second_export_is_the_first(name: str, export: str, tmp_path: Path) -> None:
    """import -> export -> import -> export: the same bytes, every foreign id kept."""
    path = source(name)
    _, result = imported(SOURCES[name], path)
    first = EXPORTS[export](result)
    (tmp_path / "first.json").write_text(first, encoding="utf-8")
    _, again = imported(export, tmp_path / "first.json")
    assert EXPORTS[export](again) == first


EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize("name", EXAMPLES)
def test_actm_examples_reach_a_fixed_point(name: str, export: str, tmp_path: Path) -> None:
    """An example's export, imported and exported again, keeps the ids of its zones,
    components and flows (derived from actm's ids); from then on the export is the same."""
    result = actm.analyze(actm.load_model(ROOT / "examples" / name), today=TODAY)
    exports = [EXPORTS[export](result)]
    for n in range(2):
        (tmp_path / f"{n}.json").write_text(exports[-1], encoding="utf-8")
        exports.append(EXPORTS[export](imported(export, tmp_path / f"{n}.json")[1]))
    assert exports[2] == exports[1]
    (zones, components, flows), (zones_1, components_1, flows_1) = (
        element_ids(export, exports[0]),
        element_ids(export, exports[1]),
    )
    assert (zones_1, components_1) == (zones, components)
    # flows between the same two components come back as one, with the first one's id
    assert set(flows_1) <= set(flows)
    assert len(flows_1) == len(set(flows.values()))
    valid(export, exports[1])


def element_ids(fmt: str, text: str) -> tuple[list[str], list[str], dict[str, tuple[str, str]]]:
    """The ids of the zones and components of an export, and its flows' ends by id."""
    document = json.loads(text)
    if fmt == "otm":
        flows = {f["id"]: (f["source"], f["destination"]) for f in document["dataflows"]}
        zones = sorted(z["id"] for z in document["trustZones"])
        return zones, sorted(c["id"] for c in document["components"]), flows
    cells = document["detail"]["diagrams"][0]["cells"]
    kinds = {c["id"]: c["data"]["type"] for c in cells}
    flows = {c["id"]: (c["source"]["cell"], c["target"]["cell"]) for c in cells if "source" in c}
    zones = sorted(i for i, k in kinds.items() if k == "tm.BoundaryBox")
    return (
        zones,
        sorted(i for i, k in kinds.items() if k not in ("tm.BoundaryBox", "tm.Flow")),
        flows,
    )
