"""How capabilities spread (propagation.yaml): the capability-to-capability tables and the
agency rules."""

from __future__ import annotations

from dataclasses import dataclass

from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import Agency

__all__ = ["PropagationTables", "build_agency", "build_propagation"]


@dataclass(frozen=True)
class PropagationTables:
    component_up: dict[str, str]
    component_down: dict[str, str]
    dependency: dict[str, str]
    relationship_forward: dict[str, str]
    relationship_backward: dict[str, str]
    part_of: dict[str, str]


def build_propagation(b: Builder) -> PropagationTables:
    up, down, dependency, part_of = (
        _table(b, s) for s in ("component_up", "component_down", "dependency", "part_of")
    )
    forward, backward = _table(b, "relationship.forward"), _table(b, "relationship.backward")
    return PropagationTables(up, down, dependency, forward, backward, part_of)


def build_agency(b: Builder) -> Agency:
    """The agency rules. Names of vulnerability classes (``execute``, ...) are checked once
    the classes are built (:func:`~actm.knowledge.vocabulary.threats.check_agency_classes`)."""
    return Agency(
        call=_table(b, "agency.call"),
        write_constrained=_single(b, "agency.write_constrained"),
        write_unconstrained=_single(b, "agency.write_unconstrained"),
        exfiltrate=_single(b, "agency.exfiltrate"),
        execute=_single(b, "agency.execute", is_cap=False),
        execute_sandboxed=_single(b, "agency.execute_sandboxed", is_cap=False),
        results=_single(b, "agency.results"),
        definition=_single(b, "agency.definition"),
        content_requires=_single(b, "agency.content_requires"),
        credential=_single(b, "agency.credential"),
        credential_access=_single(b, "agency.credential_access", is_cap=False),
        external_trust=_external_trust(b),
        delete=_single(b, "agency.delete"),
        credential_read=_single(b, "agency.credential_read"),
        credential_write=_single(b, "agency.credential_write"),
        credential_delete=_single(b, "agency.credential_delete"),
        credential_execute=_single(b, "agency.credential_execute", is_cap=False),
        contained_requires=_single(b, "agency.contained_requires"),
        contained=_single(b, "agency.contained"),
        package_requires=_single(b, "agency.package_requires"),
        package_runs=_single(b, "agency.package_runs", is_cap=False),
    )


def _table(b: Builder, section: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, (val, origin) in b.merged.table(f"propagation.yaml:{section}").items():
        b.check_cap(key, origin, f"propagation {section}")
        b.check_cap(val, origin, f"propagation {section}")
        out[key] = val
    return out


def _external_trust(b: Builder) -> tuple[str, ...]:
    entry = b.merged.singles.get("propagation.yaml:agency.external_trust")
    if entry is None or entry[0] is None:
        b.missing("propagation.yaml must define agency.external_trust")
        return ()
    return tuple(entry[0])


def _single(b: Builder, section: str, *, is_cap: bool = True) -> str:
    entry = b.merged.singles.get(f"propagation.yaml:{section}")
    if entry is None or entry[0] is None:
        b.missing(f"propagation.yaml must define {section}")
        return ""
    val, origin = entry
    if is_cap:
        b.check_cap(val, origin, "agency")
    return str(val)
