"""A posited weakness meets the static conditions of an entry (``node_vulnerability``), and the
threat that needs it for that is hypothetical, with the lower likelihood of one; a declared
weakness of the same class keeps the threat as it was."""

from __future__ import annotations

from actm.engine.output import read
from conftest import run

PARSER = """\
actm: 1
system: {id: p}
ANALYSIS
nodes:
  - {id: web, kind: service, exposure: internet}
models:
  - {id: vision, kind: classifier, exposure: public, deployed_on: [web]}
VULNERABILITIES
"""
"""A public classifier on an internet-facing service: the public-input-parser hypothesis posits
a parser memory-corruption bug on ``web``, where the model's inputs are parsed."""

THREAT = "parser-memory-corruption@vision"
ON = "analysis: {hypotheses: true}"
DECLARED = """vulnerabilities:
  - {id: libpng-overflow, class: parser_memory_corruption, node: web}"""


def _threats(analysis: str, vulnerabilities: str) -> dict[str, tuple[bool, float, float]]:
    """Threat id -> (hypothetical, path factor, score)."""
    out = run(PARSER.replace("ANALYSIS", analysis).replace("VULNERABILITIES", vulnerabilities))
    return {
        t.id: (t.hypothetical, dict(t.severity.factors)["path"], t.severity.score)
        for t in read(out).threats
    }


def test_the_entry_closes_only_on_the_posited_parser_bug_and_is_hypothetical() -> None:
    assert THREAT not in _threats("", "")
    found = _threats(ON, "")
    assert found[THREAT] == (True, 0.5, 2.0)


def test_a_declared_parser_bug_keeps_the_threat_certain() -> None:
    assert _threats(ON, DECLARED)[THREAT] == (False, 1.0, 4.0)
    assert _threats("", DECLARED)[THREAT] == (False, 1.0, 4.0)


def test_threats_that_need_no_hypothesis_are_unchanged_by_turning_them_on() -> None:
    off = _threats("", "")
    on = _threats(ON, "")
    assert {k: v for k, v in on.items() if not v[0]} == off
    assert sorted(k for k, v in on.items() if v[0]) == [
        "insecure-integrated-component@vision",
        "model-weight-theft@vision",
        THREAT,
    ]


CACHE = """\
actm: 1
system: {id: c}
analysis: {hypotheses: true}
nodes:
  - {id: web, kind: service, exposure: internet}
  - {id: cache, kind: database, exposure: internet}
models:
  - {id: vision, kind: classifier, exposure: public, deployed_on: [web]}
assets:
  - id: uploads
    type: personal_data
    resides: [{node: cache}, {node: web, mode: processed}]
relations:
  - {kind: feeds, from: uploads, to: vision.inputs.user_input}
"""
"""A store of what users send a classifier, on an internet-facing database: the
store-without-authentication hypothesis posits ``missing_authentication`` there, which both
gives the adversary the read (a seed) and meets the entry's ``node_vulnerability`` condition."""


def test_one_posited_weakness_is_charged_once_though_it_is_premise_and_condition() -> None:
    out = run(CACHE)
    found = {t.id: t for t in read(out).threats}
    threat = found["cached-input-exposure@uploads"]
    assert threat.hypothetical
    assert dict(threat.severity.factors)["path"] == 0.5


BEHIND = """\
actm: 1
system: {id: b}
analysis: {hypotheses: true}
nodes:
  - {id: gateway, kind: api_gateway, exposure: internet}
  - {id: app, kind: web_app}
  - {id: prep, kind: service}
  - {id: reports, kind: service}
models:
  - {id: vision, kind: classifier, exposure: EXPOSURE, features: [FEATURES], deployed_on: [app]}
  - {id: chat, kind: llm, exposure: public, deployed_on: [reports]}
assets:
  - id: uploads
    type: personal_data
    resides: [{node: prep, mode: processed}]
  - id: report-archive
    type: business_data
    resides: [{node: reports}]
relations:
  - {kind: feeds, from: uploads, to: vision.inputs.user_input}
"""
"""An image classifier on an internal web app behind an internet-facing gateway; its uploads
are decoded first on an internal preprocessing service; a reports service runs a public text
model and stores, but decodes nothing from, the internet."""


def _parsers(exposure: str, features: str = "multimodal_input") -> list[str]:
    out = run(BEHIND.replace("EXPOSURE", exposure).replace("FEATURES", features))
    return sorted(k for k in out.compiled.extra_vulns if "public-input-parser" in k)


def test_public_input_is_parsed_past_the_edge_where_a_public_model_runs_or_is_fed() -> None:
    assert _parsers("public") == [
        "hypothesis:public-input-parser@app",
        "hypothesis:public-input-parser@gateway",
        "hypothesis:public-input-parser@prep",
    ]
    model = BEHIND.replace("EXPOSURE", "public").replace("FEATURES", "multimodal_input")
    found = {t.id: t.hypothetical for t in read(run(model)).threats}
    assert found[THREAT] is True


def test_a_public_model_that_reads_no_files_decodes_nothing_behind_the_edge() -> None:
    # the uploads still feed it, so the service that processes them parses public input
    assert _parsers("public", "") == [
        "hypothesis:public-input-parser@gateway",
        "hypothesis:public-input-parser@prep",
    ]


def test_an_internal_model_takes_no_public_input_behind_the_edge() -> None:
    assert _parsers("internal") == ["hypothesis:public-input-parser@gateway"]


def test_outside_content_processed_on_a_node_is_public_input() -> None:
    model = (
        BEHIND.replace("EXPOSURE", "internal")
        .replace("FEATURES", "")
        .replace(
            "    resides: [{node: reports}]",
            "    untrusted_sources: [{name: mailers, can: contribute}]\n"
            "    resides: [{node: reports, mode: processed}]",
        )
    )
    assert sorted(k for k in run(model).compiled.extra_vulns if "parser" in k) == [
        "hypothesis:public-input-parser@gateway",
        "hypothesis:public-input-parser@reports",
    ]


KEYS = """\
actm: 1
system: {id: k}
ANALYSIS
nodes:
  - {id: laptop, kind: workstation}
assets:
  - id: deploy-key
    type: credential
    criticality: {confidentiality: high}
    resides: [{node: laptop}]
VULNERABILITIES
"""
"""A key kept on a workstation: the workstation-credentials hypothesis posits it readable
there, which is the exposure secret-exposure reports."""


def _exposures(analysis: str, vulnerabilities: str = "") -> dict[str, bool]:
    model = KEYS.replace("ANALYSIS", analysis).replace("VULNERABILITIES", vulnerabilities)
    return {t.id: t.hypothetical for t in read(run(model)).threats if "exposure" in t.id}


def test_a_credential_posited_readable_is_exposed_and_hypothetical() -> None:
    assert _exposures("") == {}
    assert _exposures(ON) == {"secret-exposure@deploy-key": True}


def test_a_declared_read_access_exposes_the_credential_it_reaches() -> None:
    declared = """vulnerabilities:
  - {id: world-readable, class: read_access, node: laptop}"""
    assert _exposures("", declared) == {"secret-exposure@deploy-key": False}
