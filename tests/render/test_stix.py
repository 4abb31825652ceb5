"""The STIX 2.1 bundle: valid (stix2 parses it back), complete, deterministic, versioned by
content, with relationships."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date
from pathlib import Path

import pytest

import actm
from actm.errors import UsageError
from actm.render.stix import render_stix, stix_id

stix2 = pytest.importorskip("stix2")

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 1, 15)


@pytest.fixture(scope="module")
def theft() -> actm.Result:
    return actm.analyze(actm.load_model(ROOT / "examples" / "credential-theft.yaml"), today=TODAY)


def test_bundle_parses_back_and_round_trips(theft: actm.Result) -> None:
    result = theft
    text = render_stix(result)
    bundle = stix2.parse(text, allow_custom=False)
    assert json.loads(bundle.serialize()) == json.loads(text)
    types = [o.type for o in bundle.objects]
    assert types[0] == "identity" and types[-1] == "report"
    notes = [o for o in bundle.objects if o.type == "note"]
    assert [n.external_references[0].external_id for n in notes] == [t.id for t in result.threats]
    patterns = {
        o.external_references[0].external_id: o
        for o in bundle.objects
        if o.type == "attack-pattern"
    }
    assert sorted(patterns) == sorted({t.attack for t in result.threats})
    tampering = patterns["model-weights-tampering"]
    assert {(r.source_name, r.external_id) for r in tampering.external_references} >= {
        ("actm", "model-weights-tampering"),
        ("mitre-atlas", "AML.T0018.000"),
        ("cwe", "CWE-494"),
    }
    vuln = next(o for o in bundle.objects if o.type == "vulnerability")
    assert vuln.name == "Third-party CI action re-tagged to a malicious commit"
    assert ("cwe", "CWE-829") in {(r.source_name, r.external_id) for r in vuln.external_references}
    targets = {
        (o.source_ref, o.target_ref)
        for o in bundle.objects
        if o.type == "relationship" and o.relationship_type == "targets"
    }
    assert (tampering.id, vuln.id) in targets
    note = next(
        n
        for n in notes
        if n.external_references[0].external_id == "model-weights-tampering@fraud-scorer"
    )
    assert "1. ci-runner: supply_chain_compromise (compromised-ci-action) grants" in note.content
    system = stix_id("identity", "system:credential-theft")
    assert note.object_refs == [tampering.id, system, vuln.id]
    assert (tampering.id, system) in targets
    report = bundle.objects[-1]
    assert set(report.object_refs) == {o.id for o in bundle.objects[:-1]}


def test_ids_and_bytes_are_deterministic(theft: actm.Result) -> None:
    result = theft
    again = actm.load_model(ROOT / "examples" / "credential-theft.yaml")
    assert render_stix(result) == render_stix(actm.analyze(again, today=TODAY))
    # ids are fixed forever: a change here breaks every tool that imported earlier bundles
    assert (
        stix_id("attack-pattern", "model-weights-tampering")
        == "attack-pattern--000fce95-17ba-55d1-ae72-b1465bfd13ae"
    )
    data = json.loads(render_stix(result))
    assert {o["created"] for o in data["objects"]} == {"2025-01-01T00:00:00.000Z"}
    assert all(o["modified"] >= o["created"] for o in data["objects"])
    assert data["id"] == stix_id("bundle", "credential-theft")


def test_the_result_carries_the_declared_vulnerabilities(
    theft: actm.Result,
) -> None:
    """The bundle is a function of the result alone: the vulnerabilities' details travel in
    it (not in its JSON); without them a vulnerability is known by its id only."""
    result = theft
    (declared,) = result.vulnerabilities
    assert (declared.id, declared.cwe, declared.vulnerability_class) == (
        "compromised-ci-action",
        "CWE-829",
        "supply_chain_compromise",
    )
    bare = dataclasses.replace(result, vulnerabilities=())
    bundle = stix2.parse(render_stix(bare), allow_custom=False)
    vulns = [o for o in bundle.objects if o.type == "vulnerability"]
    assert [v.name for v in vulns] == ["compromised-ci-action"]
    assert [r.source_name for r in vulns[0].external_references] == ["actm"]


def test_missing_stix2_says_how_to_install(
    theft: actm.Result, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "stix2", None)
    with pytest.raises(UsageError, match=r"pip install 'actm\[stix\]'"):
        render_stix(theft)


EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_bundle_with_threats_has_relationships(path: Path) -> None:
    """Every attack in scope targets the analysed system's identity, whether or not the model
    declares vulnerabilities."""
    model = actm.load_model(path)
    result = actm.analyze(model, today=TODAY)
    assert result.threats
    bundle = stix2.parse(render_stix(result), allow_custom=False)
    by_id = {o.id: o for o in bundle.objects}
    system = by_id[stix_id("identity", f"system:{result.system.id}")]
    assert system.identity_class == "system"
    targeted = {
        o.source_ref
        for o in bundle.objects
        if o.type == "relationship" and o.target_ref == system.id
    }
    patterns = {o.id for o in bundle.objects if o.type == "attack-pattern"}
    assert targeted == patterns
    for o in bundle.objects:
        if o.type == "relationship":
            assert o.source_ref in by_id and o.target_ref in by_id


def _versions(text: str) -> dict[str, str]:
    return {o["id"]: o["modified"] for o in json.loads(text)["objects"]}


def test_changed_content_gets_another_modified_same_content_the_same() -> None:
    """STIX 2.1 versioning: one (id, modified) pair never names two contents. With and
    without the controls the report and some notes differ, so their ``modified`` differ;
    objects whose content is the same keep theirs."""
    path = ROOT / "examples" / "customer-support-rag.yaml"
    model = actm.load_model(path)
    residual = render_stix(actm.analyze(model, today=TODAY))
    inherent = render_stix(actm.analyze(model, controls=False, today=TODAY))
    assert residual != inherent
    assert residual == render_stix(actm.analyze(actm.load_model(path), today=TODAY))
    objects = {
        (o["id"], o["modified"]): o
        for text in (residual, inherent)
        for o in json.loads(text)["objects"]
    }
    for text in (residual, inherent):
        for o in json.loads(text)["objects"]:
            assert objects[(o["id"], o["modified"])] == o, o["id"]
    a, b = _versions(residual), _versions(inherent)
    report = stix_id("report", model.system.id)
    assert a[report] != b[report]
    assert a[stix_id("identity", "actm")] == b[stix_id("identity", "actm")]
