"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF consumers.

One rule per attack pattern that has a threat (help text, framework tags, and as
``security-severity`` the highest score among its threats: GitHub code scanning reads it from the
rule); one result per threat, at the model-file line of the impacted asset (then of the other
bound elements, then of the vulnerabilities it rests on; line 1 of the root model file when none
of them has a known place), with the threat's stable fingerprint as ``partialFingerprints`` so
that alerts survive edits.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from actm.results.model import Location, Result, Threat

__all__ = ["render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
TAG_PREFIX = {
    "atlas": "MITRE-ATLAS",
    "owasp_llm": "OWASP-LLM-2025",
    "owasp_asi": "OWASP-ASI-2026",
    "owasp_agentic": "OWASP-Agentic",
    "nist_ai_100_2": "NIST-AI-100-2",
    "cosai": "CoSAI",
    "cwe": "CWE",
    "stride": "STRIDE",
}


def _rule(threats: list[Threat]) -> dict[str, Any]:
    t = threats[0]
    tags = ["security", "threat-model", "ai"]
    for framework, ids in sorted(t.references.items()):
        prefix = TAG_PREFIX.get(framework, framework)
        tags.extend(f"{prefix}:{i}" for i in ids)
        if framework == "cwe":
            tags.extend(f"external/cwe/{i.lower()}" for i in ids)
    # code scanning takes an alert's severity from its rule: the worst of the rule's results
    worst = max(threats, key=lambda x: x.severity.score)
    refs = "\n".join(
        f"- {TAG_PREFIX.get(k, k)}: {', '.join(v)}" for k, v in sorted(t.references.items())
    )
    controls = ", ".join(t.suggested_controls) or "see the threat's chain"
    markdown = (
        f"**{t.title}**\n\n{t.description}\n\n"
        f"Likelihood: {t.likelihood}; maturity: {t.maturity.replace('_', ' ')}.\n\n"
        f"Controls that break it: {controls}.\n\nReferences:\n{refs}\n"
    )
    return {
        "id": t.attack,
        "name": "".join(part.capitalize() for part in t.attack.split("-")),
        "shortDescription": {"text": t.title},
        "fullDescription": {"text": t.description},
        "help": {
            "text": f"{t.description} Controls that break it: {controls}.",
            "markdown": markdown,
        },
        "defaultConfiguration": {"level": LEVEL[worst.severity.level]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": f"{worst.severity.score:.1f}",
        },
    }


def _uri(path: str, base: str) -> str:
    return posixpath.normpath(posixpath.join(base, path)) if base else path


def _result(t: Threat, rule_index: int, base: str, root: str | None) -> dict[str, Any]:
    def physical(loc: Location) -> dict[str, Any]:
        uri = _uri(loc.path, base)
        return {
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": loc.line, "startColumn": loc.column},
            },
            "message": {"text": loc.element},
        }

    text = f"{t.title} ({t.severity.level}, {t.severity.score}): {t.chain_text}"
    out: dict[str, Any] = {
        "ruleId": t.attack,
        "ruleIndex": rule_index,
        "level": LEVEL[t.severity.level],
        "message": {"text": text},
        "partialFingerprints": {"actmThreatId/v1": t.fingerprint},
        "properties": {
            "actm-id": t.id,
            "severity": t.severity.level,
            "security-severity": f"{t.severity.score:.1f}",
            "assets": list(t.assets),
            "unjustified-assumptions": list(t.unjustified_assumptions),
        },
    }
    if t.hypothetical:
        out["properties"]["hypothetical"] = True
    if t.locations:
        out["locations"] = [physical(t.locations[0])]
        if len(t.locations) > 1:
            out["relatedLocations"] = [
                {"id": i, **physical(loc)} for i, loc in enumerate(t.locations[1:], start=1)
            ]
    elif root is not None:
        # no element of the threat has a known place: point at the model itself, so that code
        # scanning (which shows no result without a location) still shows the alert
        out["locations"] = [physical(Location(root, 1, 1, "the root model file"))]
    if t.triage is not None and t.triage.settled:
        # decided outside the scanned code (in a triage section or file), and in force
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{t.triage.status}: {t.triage.justification}",
            }
        ]
    return out


def render_sarif(result: Result, *, base: str = "") -> str:
    """SARIF 2.1.0 JSON. ``base`` is prepended to model paths (the root file's directory as
    the repository sees it, e.g. ``models``), so that code scanning finds the files."""
    by_attack: dict[str, list[Threat]] = {}
    for t in result.threats:
        by_attack.setdefault(t.attack, []).append(t)
    attacks = sorted(by_attack)
    index = {a: i for i, a in enumerate(attacks)}
    # the root model file, for threats whose elements have no known place ('<string>' and
    # builder models have no file to point at)
    files = result.system.files
    root = files[0] if files and not files[0].startswith("<") else None
    run = {
        "tool": {
            "driver": {
                "name": "actm",
                "version": result.tool["version"],
                "semanticVersion": result.tool["version"],
                "informationUri": "https://github.com/actm-dev/actm",
                "rules": [_rule(by_attack[a]) for a in attacks],
            }
        },
        "results": [_result(t, index[t.attack], base, root) for t in result.threats],
        "columnKind": "unicodeCodePoints",
        "properties": {"system": result.system.id, "summary": result.summary},
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
