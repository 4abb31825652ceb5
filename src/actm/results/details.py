"""What renderers need from the model and the vocabulary besides the serialised result.

The JSON result names vulnerabilities by id and teams by id. Exports that describe them (the
STIX bundle's vulnerabilities with their CVE and CWE, the reports' team headings, the OTM and
Threat Dragon exports' descriptions and asset ratings) read these details from
:attr:`Result.vulnerabilities <actm.results.model.Result.vulnerabilities>`,
:attr:`Result.team_titles <actm.results.model.Result.team_titles>` and
:attr:`Result.details <actm.results.model.Result.details>`, filled here, so that every renderer
is a function of the result alone.
"""

from __future__ import annotations

from actm.knowledge.vocabulary import Vocabulary
from actm.model.system import SystemModel
from actm.results.model import DeclaredVulnerability, ElementDetail

__all__ = ["declared_vulnerabilities", "element_details", "team_titles"]


def declared_vulnerabilities(model: SystemModel) -> tuple[DeclaredVulnerability, ...]:
    """Every vulnerability the model declares, sorted by id."""
    return tuple(
        DeclaredVulnerability(v.id, v.title, v.description, v.vclass, v.cve, v.cwe)
        for v in sorted(model.vulnerabilities, key=lambda v: v.id)
    )


def team_titles(vocabulary: Vocabulary) -> dict[str, str]:
    """The vocabulary's team views, id -> title, in the order ``teams.yaml`` lists them."""
    return {team.id: team.title for team in vocabulary.teams}


def _origins(model: SystemModel) -> dict[str, tuple[str, str]]:
    """Element id -> (format, id) of the tool it was imported from, as the model file says."""
    source = model.source
    out: dict[str, tuple[str, str]] = {}
    for section in ("zones", "nodes", "assets", "relations"):
        for element in getattr(source, section, None) or ():
            if element.origin is not None and element.id is not None:
                out[element.id] = (element.origin.format, element.origin.id)
    return out


def element_details(model: SystemModel) -> dict[str, ElementDetail]:
    """The description of every zone, node, model and tool, the description and criticality
    of every conventional asset, by id (sorted), each with the origin the model file gives it;
    and the origin and encryption of every relation the model writes."""
    origins = _origins(model)
    out: dict[str, ElementDetail] = {}
    for group in (model.zones, model.nodes, model.models, model.tools):
        for element in group:
            out[element.id] = ElementDetail(element.description, origin=origins.get(element.id))
    for relation in model.relations:
        if not relation.implicit:
            out[relation.id] = ElementDetail(
                None, origin=origins.get(relation.id), encrypted=relation.encrypted
            )
    for asset in model.assets:
        if asset.category == "conventional":
            out[asset.id] = ElementDetail(
                asset.description, dict(asset.criticality), origins.get(asset.id)
            )
    return dict(sorted(out.items()))
