"""Hypothetical threats (those that need a weakness a hypothesis posits) are marked in the
exports for other tools, which stay valid: an OTM attribute, a Threat Dragon description, a
STIX label. Threats that need no posited weakness carry no mark."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from threat_dragon_shape import ThreatDragonModel

import actm
from actm.api import load_model_text
from actm.render.otm import HYPOTHETICAL as OTM_HYPOTHETICAL
from actm.render.otm import render_otm
from actm.render.threatdragon import render_threat_dragon
from hypotheses_model import HYPOTHESES_MODEL, POSITED
from reference_data import SHARED

TEXT = HYPOTHESES_MODEL.replace("ANALYSIS\n", "")


@pytest.fixture(scope="module")
def posited() -> actm.Result:
    """The analysis with hypotheses on: :data:`POSITED` is its one hypothetical threat."""
    result = actm.analyze(replace(load_model_text(TEXT), hypotheses=True))
    assert [t.id for t in result.threats if t.hypothetical] == [POSITED]
    assert len(result.threats) > 1
    return result


@pytest.fixture(scope="module")
def plain() -> actm.Result:
    return actm.analyze(load_model_text(TEXT))


def test_otm_marks_the_hypothetical_threat_with_an_attribute(posited: actm.Result) -> None:
    document = json.loads(render_otm(posited))
    marked = {t["id"]: t["attributes"].get(OTM_HYPOTHETICAL) for t in document["threats"]}
    assert marked.pop(POSITED) is True
    assert marked and set(marked.values()) == {None}
    schema_path = SHARED / "otm" / "otm_schema.json"
    jsonschema = pytest.importorskip("jsonschema")
    if schema_path.is_file():
        jsonschema.validate(document, json.loads(schema_path.read_text(encoding="utf-8")))


def test_otm_without_hypotheses_has_no_mark(plain: actm.Result) -> None:
    assert OTM_HYPOTHETICAL not in render_otm(plain)


def _td_threats(result: actm.Result) -> dict[str, str]:
    model = ThreatDragonModel.model_validate_json(render_threat_dragon(result))
    cells = model.detail.diagrams[0].cells
    return {t.threatId: t.description for c in cells for t in c.data.threats}


def test_threat_dragon_says_it_in_the_description(posited: actm.Result) -> None:
    described = _td_threats(posited)
    first = described.pop(POSITED)
    assert first.startswith(
        "Hypothetical: it needs a weakness a hypothesis posits "
        "(hypothesis:store-without-authentication@db). "
    )
    assert first.endswith(next(t.description for t in posited.threats if t.id == POSITED))
    assert described and not any("Hypothetical" in d for d in described.values())


def test_threat_dragon_without_hypotheses_has_no_mark(plain: actm.Result) -> None:
    assert not any("Hypothetical" in d for d in _td_threats(plain).values())


def _notes(result: actm.Result) -> dict[str, tuple[list[str], str]]:
    stix2 = pytest.importorskip("stix2")
    from actm.render.stix import render_stix

    bundle = stix2.parse(render_stix(result), allow_custom=False)
    return {
        o.external_references[0].external_id: (list(o.labels), o.content)
        for o in bundle.objects
        if o.type == "note"
    }


def test_stix_labels_the_note_hypothetical(posited: actm.Result) -> None:
    notes = _notes(posited)
    labels, content = notes.pop(POSITED)
    severity = next(t.severity.level for t in posited.threats if t.id == POSITED)
    assert labels == [severity, "hypothetical"]
    assert content.endswith(
        "Hypothetical: it needs a weakness a hypothesis posits "
        "(hypothesis:store-without-authentication@db)."
    )
    assert notes
    for labels, content in notes.values():
        assert "hypothetical" not in labels and "Hypothetical" not in content


def test_stix_without_hypotheses_has_no_mark(plain: actm.Result) -> None:
    assert all("hypothetical" not in labels for labels, _ in _notes(plain).values())


def test_the_threat_names_the_weaknesses_posited(posited: actm.Result) -> None:
    by_id = {t.id: t for t in posited.threats}
    assert by_id[POSITED].posited == ("hypothesis:store-without-authentication@db",)
    assert all(not t.posited for t in posited.threats if t.id != POSITED)


def test_the_posited_weaknesses_stay_out_of_the_json(posited: actm.Result) -> None:
    from actm.render.json import render_json

    threats = json.loads(render_json(posited))["threats"]
    assert all("posited" not in t for t in threats)
