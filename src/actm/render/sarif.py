"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF consumers.

One rule per attack pattern that has a threat (help text, framework tags, and as
``security-severity`` the highest score among its threats: GitHub code scanning reads it from the
rule); one result per threat, at the model-file line of the impacted asset (then of the other
bound elements, then of the vulnerabilities it rests on; line 1 of the root model file when none
of them has a known place), with the threat's stable fingerprint as ``partialFingerprints`` so
that alerts survive edits. The message gives the route shown (and how many other routes close
the threat) and the entry points that must cooperate. Accepted risk (it closes only through
justified assumptions) is a ``note`` with the justifications in its message and an external
``suppressions`` entry, as is a threat with a settled triage decision.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any
from urllib.parse import quote

from actm.render._findings import accepted_text, cooperation_text, route_text
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
    """The model file as a URI reference (RFC 3986), as SARIF requires: percent-encoded, so
    that a name with a space, ``#``, ``?`` or ``%`` is not read as a fragment or a query."""
    return quote(posixpath.normpath(posixpath.join(base, path)) if base else path, safe="/")


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

    out: dict[str, Any] = {
        "ruleId": t.attack,
        "ruleIndex": rule_index,
        "level": "note" if t.accepted is not None else LEVEL[t.severity.level],
        "message": {"text": _message(t)},
        "partialFingerprints": {"actmThreatId/v1": t.fingerprint},
        "properties": _properties(t),
    }
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
    suppressions = []
    if t.accepted is not None:
        # accepted risk: the model justifies every assumption its routes need
        suppressions.append(
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"accepted risk: {accepted_text(t)}",
            }
        )
    if t.triage is not None and t.triage.settled:
        # decided outside the scanned code (in a triage section or file), and in force
        suppressions.append(
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{t.triage.status}: {t.triage.justification}",
            }
        )
    if suppressions:
        out["suppressions"] = suppressions
    return out


def _message(t: Threat) -> str:
    """Title, severity and chain; then the route shown (and how many others), the entry
    points that must cooperate, and for accepted risk its justifications."""
    text = f"{t.title} ({t.severity.level}, {t.severity.score}): {t.chain_text}"
    for line in (route_text(t), cooperation_text(t)):
        if line:
            text += f" Route: {line}." if line.startswith("from") else f" It {line}."
    if t.accepted is not None:
        text += f" Accepted risk: {accepted_text(t)}."
    return text


def _properties(t: Threat) -> dict[str, Any]:
    out: dict[str, Any] = {
        "actm-id": t.id,
        "severity": t.severity.level,
        "security-severity": f"{t.severity.score:.1f}",
        "assets": list(t.assets),
        "unjustified-assumptions": list(t.unjustified_assumptions),
        "routes": len(t.routes),
    }
    if t.root_cause is not None:
        out["root-cause"] = t.root_cause.id
    if t.cooperation:
        out["cooperation"] = list(t.cooperation)
    if t.accepted is not None:
        out["accepted"] = True
    if t.hypothetical:
        out["hypothetical"] = True
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
