"""Threat models of other tools: Open Threat Model files and OWASP Threat Dragon models, from
the project's own small fixtures and from the shared real files (skipped where absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from drafting import FIXTURES, element, ids, read, reviews

from actm.api import load_model_text
from actm.errors import ModelError
from actm.importers.draft import Draft, thawed
from actm.importers.emit import render
from actm.importers.fit import fit
from actm.importers.formats import detect
from actm.importers.interface import ImportOptions
from actm.importers.run import import_files
from actm.io.yaml import Limits
from reference_data import SHARED

TM = FIXTURES / "threatmodel"
OTM = TM / "shop.otm.json"
TD = TM / "shop.td.json"
LIBRARY = TM / "shop.library.json"


def notes(draft: Draft, kind: str) -> list[str]:
    return [n.text for n in draft.notes if n.kind == kind]


def test_formats_are_detected() -> None:
    for path, name in ((OTM, "otm"), (TD, "threat-dragon"), (LIBRARY, "threat-model-library")):
        found = detect(path)
        assert found is not None and [i.name for i in found.importers] == [name]


def test_otm_zones_components_assets_and_flows() -> None:
    draft = read("otm", OTM)
    assert ids(draft, "zones") == ["internet", "shop-cloud"]
    assert element(draft, "zones", "shop-cloud")["trust"] == "medium"
    assert ids(draft, "nodes") == ["customer-browser", "chat-api", "orders-db"]
    # a component inside another sits in the outer one's zone
    assert element(draft, "nodes", "orders-db") == {
        "name": "Orders DB",
        "description": "inside Chat API; OTM type postgresql",
        "kind": "database",
        "zone": "shop-cloud",
        "origin": {"format": "otm", "id": "c-db"},
    }
    assert element(draft, "zones", "internet")["origin"] == {"format": "otm", "id": "tz-web"}
    assert reviews(draft, "chat-api") == ["kind"]
    orders = element(draft, "assets", "orders")
    assert orders["criticality"] == {
        "confidentiality": "critical",
        "integrity": "high",
        "availability": "low",
    }
    assert orders["resides"] == [
        {"node": "chat-api", "mode": "processed"},
        {"node": "orders-db", "mode": "stored"},
    ]
    assert ids(draft, "relations") == ["chat-message", "chat-message-reverse", "order-query"]
    assert element(draft, "relations", "order-query")["from"] == "chat-api-data"
    assert reviews(draft, "order-query") == ["encrypted"]


def test_otm_ids_and_references_written_as_numbers_read_as_strings(tmp_path: Path) -> None:
    """The format's ids are strings; actm also reads a whole-number id, and a reference
    written as that number finds it (an export numbering its elements)."""
    data = json.loads(OTM.read_text(encoding="utf-8"))
    refs = (
        *("id", "trustZone", "component", "source", "destination", "threat", "mitigation"),
        *("stored", "processed"),
    )
    named: dict[str, int] = {}

    def ids_of(x: Any) -> None:
        if isinstance(x, dict):
            if isinstance(x.get("id"), str) and "name" in x:
                named.setdefault(x["id"], len(named) + 1)
            for v in x.values():
                ids_of(v)
        elif isinstance(x, list):
            for v in x:
                ids_of(v)

    def numbered(x: Any, key: str = "") -> Any:
        if isinstance(x, dict):
            return {k: numbered(v, k) for k, v in x.items()}
        if isinstance(x, list):
            return [numbered(v, key) for v in x]
        return named[x] if key in refs and isinstance(x, str) and x in named else x

    # the data a component handles, named as actm exports it, is that component's own asset
    data["assets"].append({"id": "a-api", "name": "Data handled by Chat API", "risk": {}})
    next(c for c in data["components"] if c["id"] == "c-api")["assets"]["processed"].append("a-api")
    ids_of(data)
    named_path, path = tmp_path / "named.otm.json", tmp_path / "numbered.otm.json"
    named_path.write_text(json.dumps(data), encoding="utf-8")
    path.write_text(json.dumps(numbered(data)), encoding="utf-8")
    by_number, by_string = read("otm", path), read("otm", named_path)

    def drafted(draft: Draft) -> list[tuple[str, str, object]]:
        return [
            (e.section, e.id, {k: v for k, v in thawed(e.fields).items() if k != "origin"})
            for e in draft.elements
        ]

    assert drafted(by_number) == drafted(by_string)
    assert [n.text for n in by_number.notes] == [n.text for n in by_string.notes]
    # it is chat-api's own data, not drafted a second time beside it
    names = [thawed(e.fields).get("name") for e in by_number.section("assets")]
    assert names.count("Data handled by Chat API") == 1
    assert element(by_number, "nodes", "orders-db")["origin"] == {
        "format": "otm",
        "id": str(named["c-db"]),
    }


def test_otm_threats_without_ids_keep_no_origin(tmp_path: Path) -> None:
    """A threat without an id has no origin to go back to: two of them are not one origin
    ``None`` that an export would keep once."""
    path = tmp_path / "m.otm.json"
    threats = [{"name": "First", "risk": {}}, {"name": "Second", "risk": {}}, {"risk": {}}]
    path.write_text(
        json.dumps(
            {"otmVersion": "0.2.0", "project": {"name": "p", "id": "p"}, "threats": threats}
        ),
        encoding="utf-8",
    )
    draft = read("otm", path)
    assert {e.id: thawed(e.fields).get("origin") for e in draft.section("recorded_threats")} == {
        "first": None,
        "second": None,
        "threat": None,
    }


def recorded(draft: Draft) -> dict[str, dict[str, object]]:
    return {e.id: thawed(e.fields) for e in draft.section("recorded_threats")}


def test_otm_threats_are_recorded_and_loose_ends_are_notes() -> None:
    draft = read("otm", OTM)
    assert recorded(draft) == {
        "prompt-injection": {
            "title": "Prompt injection",
            "category": "Tampering",
            "severity": "critical",
            "likelihood": "medium",
            "status": "open",
            "mitigations": ["Input filter"],
            "on": "chat-api",
            "origin": {"format": "otm", "id": "t-inject"},
        },
        "denial-of-wallet": {
            "title": "Denial of wallet",
            "category": "Denial of service",
            "severity": "medium",
            "likelihood": "low",
            "status": "open",
            "origin": {"format": "otm", "id": "t-unused"},
        },
    }
    # whether actm's own threats cover them is for a person to say
    assert reviews(draft, "prompt-injection") == [""]
    assert notes(draft, "threat") == []
    assert notes(draft, "unplaced") == ["flow 'Dangling' names 'c-nowhere', no component"]
    assert notes(draft, "info") == ["the threat model's owner: Shop team"]


def test_threat_dragon_boxes_lines_elements_and_flows() -> None:
    draft = read("threat-dragon", TD)
    assert ids(draft, "zones") == ["shop-cloud", "boundary-2"]
    assert element(draft, "zones", "boundary-2")["description"] == (
        "a trust boundary line in the Threat Dragon diagram, crossed by the flows chat-message: "
        "which nodes are inside it?"
    )
    assert ids(draft, "nodes") == ["customer", "chat-api", "orders-db"]
    assert element(draft, "nodes", "chat-api")["kind"] == "web_app"
    assert element(draft, "nodes", "chat-api")["zone"] == "shop-cloud"
    assert reviews(draft, "customer") == ["kind", "zone", "owner"]
    assert ids(draft, "assets") == [
        "customer-data",
        "chat-api-data",
        "orders-db-data",
        "orders-db-credentials",
    ]
    assert ids(draft, "relations") == ["chat-message", "order-query", "order-query-reverse"]
    assert element(draft, "relations", "chat-message")["encrypted"] is True
    assert reviews(draft, "chat-message") == []
    assert element(draft, "nodes", "orders-db")["origin"] == {
        "format": "threat-dragon",
        "id": "store-1",
    }
    assert recorded(draft) == {
        "prompt-injection": {
            "title": "Prompt injection",
            "category": "Tampering",
            "severity": "high",
            "status": "open",
            "mitigations": ["Filter input"],
            "on": "chat-api",
            "origin": {"format": "threat-dragon", "id": "th-1"},
        },
        "eavesdropping": {
            "title": "Eavesdropping",
            "category": "Information disclosure",
            "severity": "low",
            "status": "mitigated",
            "on": "chat-message",
            "origin": {"format": "threat-dragon", "id": "th-2"},
        },
    }


def test_threat_model_library_zones_nodes_data_flows_and_threats() -> None:
    draft = read("threat-model-library", LIBRARY)
    assert ids(draft, "zones") == ["shop-cloud"]
    assert ids(draft, "nodes") == ["customer", "chat-api", "orders-db"]
    assert [element(draft, "nodes", n)["kind"] for n in ids(draft, "nodes")] == [
        "endpoint",
        "service",
        "database",
    ]
    assert element(draft, "nodes", "orders-db")["origin"] == {
        "format": "threat-model-library",
        "id": "orders-db",
    }
    assert reviews(draft, "customer") == ["kind", "zone", "owner"]
    assert ids(draft, "assets") == ["customer-data", "chat-api-data", "orders-db-data", "orders"]
    assert element(draft, "assets", "orders")["resides"] == [
        {"node": "orders-db", "mode": "stored"}
    ]
    assert reviews(draft, "orders") == ["criticality"]
    assert ids(draft, "relations") == ["chat"]
    assert element(draft, "relations", "chat")["encrypted"] is True
    assert recorded(draft) == {
        "prompt-injection": {
            "title": "Prompt injection",
            "category": "Code Injection",
            "severity": "high",
            "status": "mitigated",
            "mitigations": ["Filter input"],
            "origin": {"format": "threat-model-library", "id": "prompt-injection"},
        },
        "order-leak": {
            "title": "Order leak",
            "status": "open",
            "origin": {"format": "threat-model-library", "id": "order-leak"},
        },
    }
    assert notes(draft, "unplaced") == ["flow 'lookup' names 'nowhere', no component"]
    assert notes(draft, "info") == [
        "trust boundary between internet and cloud; authentication: oauth",
        "threat persona Mallory: A curious customer",
    ]


@pytest.mark.parametrize(
    ("fmt", "path", "first"),
    [
        ("otm", OTM, "customer-browser"),
        ("threat-dragon", TD, "customer"),
        ("threat-model-library", LIBRARY, "customer"),
    ],
)
def test_drafts_validate(fmt: str, path: Path, first: str) -> None:
    model = load_model_text(render(fit(read(fmt, path))))
    assert [n.id for n in model.nodes] == [first, "chat-api", "orders-db"]


@pytest.mark.parametrize(
    ("fmt", "text", "why"),
    [
        ("otm", '{"project": {}}', "it has no otmVersion"),
        ("threat-dragon", '{"summary": {}, "detail": 3}', "it has no 'detail' with diagrams"),
    ],
)
def test_files_without_the_format_are_refused(
    fmt: str, text: str, why: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    with pytest.raises(ModelError) as exc:
        read(fmt, bad)
    assert [d.message for d in exc.value.diagnostics] == [f"cannot import bad.json: {why}"]


# -- the shared real files ------------------------------------------------------------------

# file -> (format, zones, nodes, relations, recorded threats)
REAL: dict[str, tuple[str, list[str], list[str], list[str], int]] = {
    "threat-dragon/demo-threat-model.json": (
        "threat-dragon",
        ["boundary-1", "boundary-2", "boundary-3", "boundary-4"],
        [
            "worker-config",
            "database",
            "web-application-config",
            "message-queue",
            "background-worker-process",
            "web-application",
            "browser",
        ],
        [
            "web-request",
            "put-message",
            "message",
            "worker-query-results",
            "web-response",
            "read-web-app-config",
            "read-worker-config",
            "queries",
            "web-app-query-results",
            "worker-queries",
        ],
        14,
    ),
    "threat-dragon/three-tier-web-app.json": (
        "threat-dragon",
        ["boundary-1", "boundary-2"],
        ["web-ui", "web-service", "postgressql"],
        [
            "web-ui-to-web-service",
            "web-service-to-web-ui",
            "web-service-to-postgressql",
            "web-service-to-postgressql-reverse",
        ],
        2,
    ),
    "threat-dragon/mobile-cloud.otm.json": (
        "otm",
        ["internet", "public-cloud"],
        ["accounting-postgresql", "mobile-client", "public-api-v2", "azure-file-storage"],
        [
            "psql-request",
            "psql-response",
            "file-request",
            "file-response",
            "api-request",
            "api-response",
        ],
        43,
    ),
    "threat-dragon/huskyai.tmbom.json": (
        "threat-model-library",
        ["experimental-trust-zone", "production-trust-zone"],
        [
            "engineer",
            "infra-admin",
            "azure-cognitive-services",
            "user",
            "simple-python-web-server",
            "api-gateway",
            "bastion",
            "gather-images-application-python",
            "jupyter-notebook",
            "deployment",
            "training-and-validation-images",
            "api-key",
            "authorized-keys",
            "stored-machine-learning-model",
            "machine-learning-model",
            "source-code-and-configuration",
            "3rd-party-tools-and-ml-libraries",
        ],
        [
            "azure-cognitive-gather-images",
            "third-party-tools-gather-images",
            "third-party-tools-jupyter-notebook",
            "engineer-gather-images",
            "engineer-jupyter-notebook",
            "gather-images-training-images",
            "api-key-storage-gather-images",
            "training-images-jupyter-notebook",
            "ml-models-deployment-service",
            "jupyter-notebook-ml-model",
            "ml-model-deployment-service",
            "source-code-deployment",
            "user-api-gateway",
            "bastion-api-gateway",
            "api-gateway-web-server",
            "bastion-web-server",
            "stored-ml-model-web-server",
            "deployment-bastion",
            "bastion-ml-model",
            "admin-bastion",
            "authorized-keys-bastion",
            "third-party-tools-web-server",
        ],
        9,
    ),
    "otm/EXAMPLE.json": (
        "otm",
        ["internet", "private"],
        ["web-client", "web-service", "customer-database", "class-customerdatabase"],
        [
            "dataflow-between-webclient-and-webservice",
            "dataflow-between-webclient-and-webservice-reverse",
            "dataflow-between-webservice-and-mongo",
            "dataflow-between-webservice-and-mongo-reverse",
        ],
        2,
    ),
}
# file -> the ids of its first recorded threats: slugs of their titles (cut at 64 characters),
# and of the element they are on where the file gives that title to several threats
FIRST_RECORDED = {
    "threat-dragon/demo-threat-model.json": [
        "accessing-db-credentials",
        "unauthorised-access",
        "credential-theft",
        "credentials-should-be-encrypted",
        "message-secrecy",
        "message-tampering",
        "fake-messages-could-be-placed-on-the-queue",
        "poison-messages-1",
        "poison-messages-2",
        "data-flow-should-use-http-s-web-request",
        "data-flow-should-use-http-s-put-message",
        "data-flow-should-use-http-s-message",
        "man-in-the-middle-attack",
        "data-flow-should-use-http-s-web-response",
    ],
    "threat-dragon/three-tier-web-app.json": [
        "store-sensitive-data-postgressql",
        "store-sensitive-data-postgressql-2",
    ],
    "threat-dragon/mobile-cloud.otm.json": [
        "an-adversary-can-gain-unauthorized-access-to-azure-postgres-db-i",
        "an-adversary-may-read-and-or-tamper-with-the-data-transmitted-to",
        "an-adversary-can-gain-long-term-persistent-access-to-an-azure-po",
        "an-adversary-may-spoof-an-azure-administrator-and-gain-access-to-mobile-client",
    ],
    "threat-dragon/huskyai.tmbom.json": [
        "buffer-overflow-in-image-processing-causing-remote-code-executio",
        "supply-chain-attack-on-third-party-libraries-compromising-system",
        "image-tampering",
    ],
    # the same threat on a component and on a flow: two records, one OTM id
    "otm/EXAMPLE.json": [
        "threat-1-web-service",
        "threat-1-dataflow-between-webservice-and-mongo",
    ],
}
# The version 2 demo and the OTM example Threat Dragon ships draft as the ones above.
SAME = {
    "threat-dragon/v2-threat-model.json": "threat-dragon/demo-threat-model.json",
    "threat-dragon/example-open-threat-model.json": "otm/EXAMPLE.json",
}


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} is not available (shared data)")
    return path


@pytest.mark.parametrize("name", sorted([*REAL, *SAME]))
def test_real_threat_models_draft_and_validate(name: str) -> None:
    path = shared(name)
    fmt, zones, nodes, relations, threats = REAL[SAME.get(name, name)]
    if name == "threat-dragon/v2-threat-model.json":
        zones = zones[:3]  # the version 2 copy has one boundary fewer
    draft = read(fmt, path)
    assert (ids(draft, "zones"), ids(draft, "nodes")) == (zones, nodes)
    assert ids(draft, "relations") == relations
    assert len(ids(draft, "recorded_threats")) == threats
    first = FIRST_RECORDED[SAME.get(name, name)]
    assert ids(draft, "recorded_threats")[: len(first)] == first
    model = load_model_text(render(fit(draft)))
    assert [n.id for n in model.nodes] == nodes
    assert [t.id for t in model.recorded_threats] == ids(draft, "recorded_threats")


# -- hostile JSON ---------------------------------------------------------------------------

HEADS = {
    "otm": '"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"}',
    "threat-dragon": '"summary": {"title": "x"}, "detail": {"diagrams": []}',
    "cyclonedx": '"bomFormat": "CycloneDX", "specVersion": "1.6"',
    "spdx3": '"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []',
}


@pytest.mark.parametrize("fmt", sorted(HEADS))
def test_deep_nesting_is_refused_in_one_line(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("{" + HEADS[fmt] + ', "x": ' + "[" * 200 + "]" * 200 + "}")
    with pytest.raises(ModelError) as exc:
        read(fmt, path)
    (d,) = exc.value.diagnostics
    assert (d.code, d.message) == ("too-deep", "nesting is deeper than the limit of 64 levels")
    assert d.location is not None and d.location.path.endswith("deep.json")


@pytest.mark.parametrize("fmt", sorted(HEADS))
def test_duplicate_keys_are_refused_in_one_line(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text("{" + HEADS[fmt] + ', "x": 1, "x": 2}')
    with pytest.raises(ModelError) as exc:
        read(fmt, path)
    (d,) = exc.value.diagnostics
    assert "'x'" in d.message and "\n" not in d.message


@pytest.mark.parametrize("fmt", sorted(HEADS))
def test_a_file_over_the_size_limit_is_refused_unread(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text("{" + HEADS[fmt] + ', "pad": "' + "x" * 5000 + '"}')
    with pytest.raises(ModelError) as exc:
        read(fmt, path, ImportOptions(limits=Limits(max_file_bytes=4096)))
    (d,) = exc.value.diagnostics
    assert d.code == "file-too-large"
    assert d.message.endswith("bytes, over the limit of 4,096")


# the other files Threat Dragon's repository ships: CycloneDX threat-model BOMs, whose
# components are threat models, not a description of one system
OTHERS = {
    "threat-dragon/tmbom-multi-example.cdx.json": "it is a threat-model BOM",
    "threat-dragon/tmbom-otm-example.cdx.json": "it is a threat-model BOM",
    "threat-dragon/tmbom-pytm-example.cdx.json": "it is a threat-model BOM",
}


@pytest.mark.parametrize("name", sorted(OTHERS))
def test_other_threat_model_files_are_refused_in_one_line(name: str) -> None:
    path = shared(name)
    with pytest.raises(ModelError) as exc:
        import_files([path], ImportOptions())
    (d,) = exc.value.diagnostics
    assert d.message.startswith(f"cannot import {path}: {OTHERS[name]}")
    assert "\n" not in d.message


def test_every_shared_threat_model_file_is_covered() -> None:
    found = sorted(
        p.relative_to(SHARED).as_posix()
        for d in ("threat-dragon", "otm")
        for p in (SHARED / d).glob("*.json")
        if p.name != "otm_schema.json"
    )
    if not found:
        pytest.skip("the shared threat models are not available")
    assert found == sorted([*REAL, *SAME, *OTHERS])
