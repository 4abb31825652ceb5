"""A STIX 2.1 bundle of the threats, built with the ``stix2`` library (extra ``actm[stix]``).

What goes in, in this order:

* one ``identity`` for actm (``identity_class: system``), the ``created_by_ref`` of the rest;
* one ``identity`` for the analysed system (``identity_class: system``, the system's id as an
  external reference);
* one ``attack-pattern`` per attack with an in-scope threat: name, description, and external
  references to actm's attack id and to every framework id of the attack (MITRE ATLAS as
  ``mitre-atlas`` and CWE as ``cwe`` with their URLs, others under their actm framework key);
* one ``vulnerability`` per vulnerability declared in the model (``Result.vulnerabilities``),
  with its CVE and CWE as external references and its class as a label;
* a ``relationship`` ``attack-pattern targets identity`` (the analysed system) for every attack
  in scope, and ``attack-pattern targets vulnerability`` for every threat that rests on a
  vulnerability;
* one ``note`` per threat: severity and title as the abstract, the description and the
  numbered chain as the content, the attack pattern, the system and the vulnerabilities as its
  objects, its severity as a label (and ``hypothetical`` after it when the threat needs a
  weakness a hypothesis posits, which the content names too);
* one ``report`` for the analysis, referring to everything above.

Ids and versions. Every id is a UUIDv5 from a fixed namespace and a stable key (the attack id;
the system id and the threat or vulnerability id), so an object keeps its id from run to run
and a tool can follow it. Every ``created`` and the report's ``published`` is the constant
:data:`STIX_TIME`; ``modified`` is derived from the object's content (:func:`content_time`:
:data:`STIX_TIME` plus up to a year, in milliseconds, taken from a SHA-256 of the object), and a
report's content counts the ``modified`` of the objects it refers to. So the same input gives
byte-identical output, and an object whose content changes (a note after a control is added, a
report with other threats) gets another ``modified``: STIX 2.1 never sees one (id, modified)
pair with two contents. The times say nothing about when the analysis ran, and a later version
need not have a later ``modified``; tools that want real times set them on import.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from actm.errors import UsageError
from actm.render._common import hypothetical_note
from actm.results.model import DeclaredVulnerability, Result, Threat

__all__ = ["HYPOTHETICAL", "STIX_NAMESPACE", "STIX_TIME", "content_time", "render_stix", "stix_id"]

STIX_NAMESPACE = uuid.UUID("6f0c5c6e-3a47-5b7e-9d0a-61c7a1d2e0a4")
"""Namespace of the UUIDv5 in actm's STIX ids (fixed forever: ids must stay stable)."""
STIX_TIME = datetime(2025, 1, 1, tzinfo=UTC)
"""The created and published time of every object: a constant, so output never depends on
when it was made. ``modified`` is :func:`content_time` of the object."""
_SPAN_MS = 365 * 24 * 3600 * 1000

_SOURCES = {"atlas": "mitre-atlas", "cwe": "cwe"}
HYPOTHETICAL = "hypothetical"
"""The label, after the severity, of the note of a threat that needs a weakness a hypothesis
posits."""


def stix_id(kind: str, key: str) -> str:
    """``<kind>--<uuid5(namespace, kind:key)>``."""
    return f"{kind}--{uuid.uuid5(STIX_NAMESPACE, f'{kind}:{key}')}"


def content_time(content: Any) -> datetime:
    """:data:`STIX_TIME` plus a number of milliseconds below a year taken from the SHA-256 of
    ``content`` (JSON with sorted keys): the ``modified`` of an object with that content."""
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    return STIX_TIME + timedelta(milliseconds=digest % _SPAN_MS)


def _versioned(cls: Any, extra: Any = None, **props: Any) -> Any:
    """``cls(**props)`` created at :data:`STIX_TIME` and modified at the content time of its
    properties (and of ``extra``, what else its version depends on)."""
    draft = cls(created=STIX_TIME, modified=STIX_TIME, **props)
    content = {"object": json.loads(draft.serialize()), "extra": extra}
    return cls(created=STIX_TIME, modified=content_time(content), **props)


def _reference(framework: str, ref: str) -> dict[str, str]:
    out = {"source_name": _SOURCES.get(framework, framework), "external_id": ref}
    if framework == "atlas":
        out["url"] = f"https://atlas.mitre.org/techniques/{ref}"
    elif framework == "cwe" and ref.startswith("CWE-") and ref[4:].isdigit():
        out["url"] = f"https://cwe.mitre.org/data/definitions/{ref[4:]}.html"
    return out


def _vuln_refs(v: DeclaredVulnerability) -> list[dict[str, str]]:
    refs = [{"source_name": "actm", "external_id": v.id}]
    if v.cve:
        refs.append(
            {
                "source_name": "cve",
                "external_id": v.cve,
                "url": f"https://www.cve.org/CVERecord?id={v.cve}",
            }
        )
    if v.cwe:
        refs.append(_reference("cwe", v.cwe))
    return refs


def _chain(t: Threat) -> str:
    steps = [s for s in t.chain if not s.structural]
    return "\n".join(f"{i}. {s.text}" for i, s in enumerate(steps, 1))


def _patterns(stix2: Any, result: Result, common: dict[str, Any]) -> dict[str, Any]:
    """One attack pattern per attack with an in-scope threat, by attack id (sorted)."""
    patterns: dict[str, Any] = {}
    for t in sorted(result.threats, key=lambda x: x.attack):
        if t.attack in patterns:
            continue
        refs = [{"source_name": "actm", "external_id": t.attack}]
        refs += [_reference(fw, r) for fw in sorted(t.references) for r in t.references[fw]]
        patterns[t.attack] = _versioned(
            stix2.AttackPattern,
            id=stix_id("attack-pattern", t.attack),
            name=t.title,
            description=t.description,
            external_references=refs,
            **common,
        )
    return patterns


def _vulnerabilities(stix2: Any, result: Result, common: dict[str, Any]) -> dict[str, Any]:
    """One vulnerability per declared or used vulnerability id (sorted)."""
    system = result.system.id
    declared = {v.id: v for v in result.vulnerabilities}
    used = {v for t in result.threats for v in t.vulnerabilities}
    vulns: dict[str, Any] = {}
    for vid in sorted(set(declared) | used):
        v = declared.get(vid)
        extra: dict[str, Any] = {}
        if v is not None:
            extra["external_references"] = _vuln_refs(v)
            extra["labels"] = [v.vulnerability_class]
            if v.description:
                extra["description"] = v.description
        else:
            extra["external_references"] = [{"source_name": "actm", "external_id": vid}]
        vulns[vid] = _versioned(
            stix2.Vulnerability,
            id=stix_id("vulnerability", f"{system}:{vid}"),
            name=(v.title if v is not None and v.title else vid),
            **extra,
            **common,
        )
    return vulns


def _relationships(
    stix2: Any,
    result: Result,
    common: dict[str, Any],
    refs: tuple[dict[str, Any], str, dict[str, Any]],
) -> list[Any]:
    """``attack-pattern targets`` the system, and every vulnerability a threat rests on."""
    patterns, target, vulns = refs
    system = result.system.id
    edges: dict[str, tuple[str, str]] = {}
    for t in result.threats:
        edges.setdefault(f"{system}:{t.attack}:targets:system", (t.attack, target))
        for vid in t.vulnerabilities:
            edges.setdefault(f"{system}:{t.attack}:targets:{vid}", (t.attack, vulns[vid].id))
    return [
        _versioned(
            stix2.Relationship,
            id=stix_id("relationship", key),
            relationship_type="targets",
            source_ref=patterns[edges[key][0]].id,
            target_ref=edges[key][1],
            **common,
        )
        for key in sorted(edges)
    ]


def _note(
    stix2: Any, t: Threat, system: str, common: dict[str, Any], object_refs: list[str]
) -> Any:
    lines = [t.description, "", "Chain:", _chain(t), "", "Assets: " + ", ".join(t.assets)]
    if t.suggested_controls:
        lines.append("Suggested controls: " + ", ".join(t.suggested_controls))
    if t.hypothetical:
        lines.append(hypothetical_note(t))
    return _versioned(
        stix2.Note,
        id=stix_id("note", f"{system}:{t.id}"),
        abstract=f"{t.severity.level} {t.severity.score:.1f}: {t.title}",
        content="\n".join(lines),
        object_refs=object_refs,
        labels=[t.severity.level, HYPOTHETICAL] if t.hypothetical else [t.severity.level],
        external_references=[
            {"source_name": "actm", "external_id": t.id, "description": t.fingerprint}
        ],
        **common,
    )


def render_stix(result: Result) -> str:
    """The bundle as pretty-printed JSON ending with a newline.

    The vulnerabilities' details (CVE, CWE, title) come from ``result.vulnerabilities``; a
    vulnerability a threat names that is not there is known by its id only.
    """
    try:
        import stix2
    except ImportError:
        raise UsageError("STIX output needs the stix2 package: pip install 'actm[stix]'") from None
    system = result.system.id
    name = result.system.name or system
    actm = _versioned(
        stix2.Identity,
        id=stix_id("identity", "actm"),
        name="actm",
        identity_class="system",
        description="Asset-centric threat modeling for AI and agentic systems.",
    )
    common: dict[str, Any] = {"created_by_ref": actm.id}
    target = _versioned(
        stix2.Identity,
        id=stix_id("identity", f"system:{system}"),
        name=name,
        identity_class="system",
        description=f"The system analysed by actm: {name} ({system}).",
        external_references=[{"source_name": "actm", "external_id": system}],
        **common,
    )
    patterns = _patterns(stix2, result, common)
    vulns = _vulnerabilities(stix2, result, common)
    objects: list[Any] = [actm, target, *patterns.values(), *vulns.values()]
    objects += _relationships(stix2, result, common, (patterns, target.id, vulns))
    objects += [
        _note(
            stix2,
            t,
            system,
            common,
            [patterns[t.attack].id, target.id, *(vulns[v].id for v in t.vulnerabilities)],
        )
        for t in result.threats
    ]
    objects.append(
        _versioned(
            stix2.Report,
            # the report's version follows the versions of what it refers to
            extra=[[o.id, str(o.modified)] for o in objects],
            id=stix_id("report", system),
            name=f"actm threat model: {name}",
            description=f"{len(result.threats)} threats in scope for {name} ({system}).",
            report_types=["threat-report"],
            published=STIX_TIME,
            object_refs=[o.id for o in objects],
            **common,
        )
    )
    bundle = stix2.Bundle(objects, id=stix_id("bundle", system))
    return str(bundle.serialize(pretty=True)) + "\n"
