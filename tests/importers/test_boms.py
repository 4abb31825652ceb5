"""Bills of materials and model cards: CycloneDX ML-BOMs, SPDX 3 AI documents, Hugging Face
model cards; with and without the optional libraries that check them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from drafting import FIXTURES, element, ids, read, reviews

from actm.api import load_model_text
from actm.errors import ModelError
from actm.importers.draft import Draft, thawed
from actm.importers.emit import render
from actm.importers.fit import fit
from actm.importers.formats import detect

BOM = FIXTURES / "bom"
CDX = BOM / "ticket-router.cdx.json"
SPDX = BOM / "sentiment.spdx3.json"
CARD = BOM / "README.md"


def notes(draft: Draft, kind: str) -> list[str]:
    return [n.text for n in draft.notes if n.kind == kind]


def keys(draft: Draft, section: str, ident: str) -> list[str]:
    """The review keys of one element of a section (the system may share its id)."""
    return [r.key for r in next(e for e in draft.section(section) if e.id == ident).review]


def hide(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``package`` and its modules unimportable, as if it were not installed."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


def test_formats_are_detected() -> None:
    assert [i.name for i in detect(CDX).importers] == ["cyclonedx"]  # type: ignore[union-attr]
    assert [i.name for i in detect(SPDX).importers] == ["spdx3"]  # type: ignore[union-attr]
    assert [i.name for i in detect(CARD).importers] == ["hf-model-card"]  # type: ignore[union-attr]


# -- CycloneDX ------------------------------------------------------------------------------


def test_cyclonedx_subject_model_and_dependencies() -> None:
    draft = read("cyclonedx", CDX)
    assert draft.system is not None
    assert (draft.system.id, draft.system.get("name")) == ("ticket-router", "ticket-router")
    assert ids(draft, "owners") == ["us", "acme-ml", "pypi-publishers"]
    assert reviews(draft, "acme-ml") == ["trust"]
    assert element(draft, "nodes", "ticket-router") == {
        "name": "ticket-router",
        "kind": "service",
        "owner": "us",
    }
    assert [r.key for r in draft.section("nodes")[0].review] == ["kind", "zone"]
    assert element(draft, "models", "ticket-classifier") == {
        "name": "ticket-classifier",
        "description": "Approach: supervised. Use cases: Suggest a queue for a new ticket. "
        "Version 2.1.",
        "kind": "classifier",
        "owner": "acme-ml",
        "exposure": "internal",
        "assets": {"validation_results": {"description": "Reported: accuracy 0.93 on holdout"}},
        "base_model": "distilbert-base-uncased",
        "deployed_on": ["ticket-router"],
    }
    assert reviews(draft, "ticket-classifier") == ["exposure"]
    assert ids(draft, "models") == ["ticket-classifier", "distilbert-base-uncased"]


def test_cyclonedx_data_the_model_depends_on() -> None:
    draft = read("cyclonedx", CDX)
    assert element(draft, "assets", "ticket-eval-set") == {
        "name": "ticket-eval-set",
        "type": "data",
        "public": True,
    }
    assert reviews(draft, "ticket-history") == ["untrusted_sources", "criticality"]
    relations = [dict(e.fields) for e in draft.section("relations")]
    assert relations == [
        {
            "kind": "derives",
            "from": "ticket-history",
            "to": "ticket-classifier.dataset",
            "process": "preprocessing",
        },
        {
            "kind": "derives",
            "from": "ticket-eval-set",
            "to": "ticket-classifier.validation_results",
            "process": "evaluation",
        },
    ]
    assert [r.key for r in draft.section("relations")[1].review] == ["to"]
    assert notes(draft, "unplaced") == ["the dependency names 'gone', no component"]
    assert notes(draft, "info") == [
        "ticket-classifier: known limitations: English tickets only.",
        "device component 'training GPU' is not modelled",
    ]


def test_cyclonedx_packages_run_where_the_subject_depends_on_them() -> None:
    draft = read("cyclonedx", CDX)
    assert element(draft, "packages", "torch") == {
        "name": "torch",
        "ecosystem": "pypi",
        "version": "2.3.1",
        "pinned": False,
        "verified": False,
        "publisher": "pypi-publishers",
        "runs_on": ["ticket-router"],
    }
    assert reviews(draft, "torch") == ["pinned", "verified"]


def test_cyclonedx_draft_validates() -> None:
    text = render(fit(read("cyclonedx", CDX)))
    model = load_model_text(text)
    assert [m.id for m in model.models] == ["ticket-classifier", "distilbert-base-uncased"]


def test_cyclonedx_without_the_library_drafts_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    with_lib = read("cyclonedx", CDX)
    hide(monkeypatch, "cyclonedx")
    assert read("cyclonedx", CDX) == with_lib


def test_cyclonedx_schema_departures_are_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("cyclonedx")
    bad = tmp_path / "bad.cdx.json"
    bad.write_text(CDX.read_text(encoding="utf-8").replace('"version": 1,', '"version": "one",'))
    found = notes(read("cyclonedx", bad), "info")
    assert found[-1].startswith("it departs from the CycloneDX 1.6 schema: 'one' is not of type")
    hide(monkeypatch, "cyclonedx")
    assert not any("schema" in n for n in notes(read("cyclonedx", bad), "info"))


def test_cyclonedx_threat_model_bom_is_refused(tmp_path: Path) -> None:
    tm = tmp_path / "tm.cdx.json"
    tm.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", '
        '"components": [{"type": "threat-model", "name": "x"}]}'
    )
    with pytest.raises(ModelError) as exc:
        read("cyclonedx", tm)
    assert [d.message for d in exc.value.diagnostics] == [
        "cannot import tm.cdx.json: it is a threat-model BOM (its components are threat "
        "models, not a system)"
    ]


# -- SPDX 3 ---------------------------------------------------------------------------------


def test_spdx_model_dataset_and_package() -> None:
    draft = read("spdx3", SPDX)
    assert draft.system is not None
    assert (draft.system.id, draft.system.get("description")) == (
        "review-scorer",
        "Scores product reviews.",
    )
    assert ids(draft, "owners") == ["us", "example-lab", "alice-example", "pypi-publishers"]
    assert element(draft, "models", "sentiment-model") == {
        "name": "sentiment-model",
        "kind": "classifier",
        "owner": "example-lab",
        "exposure": "internal",
        "assets": {
            "hyperparameters": {"description": "Reported: epochs=5"},
            "validation_results": {"description": "Reported: f1=0.88"},
        },
    }
    assert element(draft, "assets", "review-corpus") == {
        "name": "Review Corpus",
        "type": "personal_data",
        "owner": "alice-example",
    }
    assert element(draft, "packages", "numpy")["version"] == "1.26.4"
    assert element(draft, "packages", "numpy")["ecosystem"] == "pypi"
    assert "review-scorer" not in ids(draft, "packages")  # the subject is the system


def test_spdx_relationships_through_contained_files() -> None:
    draft = read("spdx3", SPDX)
    assert [(e.get("from"), e.get("to")) for e in draft.section("relations")] == [
        ("review-corpus", "sentiment-model.dataset"),
        ("review-corpus", "sentiment-model.validation_results"),
    ]
    assert notes(draft, "unplaced") == ["trainedOn names 'for', no element of the document"]
    limitation = "sentiment-model: limitations: Trained on English reviews only."
    assert notes(draft, "info") == [limitation]
    load_model_text(render(fit(draft)))


def test_spdx_library_refusal_is_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("spdx_python_model")
    assert read("spdx3", SPDX).notes == read("spdx3", SPDX).notes  # deterministic
    assert not any("spdx-python-model" in n for n in notes(read("spdx3", SPDX), "info"))
    odd = tmp_path / "odd.spdx3.json"
    odd.write_text(
        SPDX.read_text(encoding="utf-8").replace(
            '"spdxId": "urn:ex:doc",', '"spdxId": "urn:ex:doc", "specVersion": "SPDX-3.0.1",'
        )
    )
    found = notes(read("spdx3", odd), "info")
    assert found[-1] == (
        "spdx-python-model does not read it: KeyError: \"Unknown property 'specVersion'\""
    )
    hide(monkeypatch, "spdx_python_model")
    assert notes(read("spdx3", odd), "info") == found[:-1]


def test_spdx2_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "sbom.spdx.json"
    old.write_text('{"spdxVersion": "SPDX-2.3", "packages": []}')
    with pytest.raises(ModelError) as exc:
        read("spdx3", old)
    assert exc.value.diagnostics[0].message == (
        "cannot import sbom.spdx.json: it is SPDX-2.3, which has no AI or Dataset profile"
    )


# -- Hugging Face model cards ---------------------------------------------------------------


def test_model_card() -> None:
    draft = read("hf-model-card", CARD)
    assert ids(draft, "models") == ["support-chat-7b", "example-org-base-7b"]
    assert element(draft, "models", "support-chat-7b") == {
        "name": "support-chat-7b",
        "description": "Licence: apache-2.0.",
        "kind": "llm",
        "exposure": "internal",
        "assets": {
            "validation_results": {
                "description": "Reported: rouge-l 0.41 on Support Eval (text-generation)"
            }
        },
        "base_model": "example-org-base-7b",
    }
    assert keys(draft, "models", "support-chat-7b") == ["exposure", "owner"]
    assert ids(draft, "assets") == [
        "example-org-support-chats",
        "wiki",
        "example-org-support-eval",
    ]
    assert [(e.get("from"), e.get("to")) for e in draft.section("relations")] == [
        ("example-org-support-chats", "support-chat-7b.dataset"),
        ("wiki", "support-chat-7b.dataset"),
        ("example-org-support-eval", "support-chat-7b.validation_results"),
    ]
    assert element(draft, "packages", "transformers")["description"] == (
        "The library that loads support-chat-7b"
    )
    load_model_text(render(fit(draft)))


def test_model_card_crlf_blank_lines_and_bom_read_alike(tmp_path: Path) -> None:
    text = CARD.read_text(encoding="utf-8")
    odd = tmp_path / "README.md"
    odd.write_bytes(b"\xef\xbb\xbf\r\n\r\n" + text.replace("\n", "\r\n").encode())

    def fields(draft: Draft) -> list[tuple[str, str, object]]:
        return [(e.section, e.id, thawed(e.fields)) for e in draft.elements]

    assert fields(read("hf-model-card", odd)) == fields(read("hf-model-card", CARD))


@pytest.mark.parametrize("library", [True, False])
def test_invalid_model_index_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: bool
) -> None:
    if not library:
        hide(monkeypatch, "huggingface_hub")
    elif "huggingface_hub" not in sys.modules:
        pytest.importorskip("huggingface_hub")
    card = tmp_path / "README.md"
    card.write_text(
        "---\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n"
        "    metrics: [{type: acc, value: 0.9}]\n---\n"
    )
    draft = read("hf-model-card", card)
    assert element(draft, "models", "m") == {"name": "m", "kind": "llm", "exposure": "internal"}
    assert keys(draft, "models", "m") == ["kind", "exposure", "owner"]
    assert notes(draft, "unplaced") == [
        "its model-index is invalid (a result lacks its task, dataset or metric)"
    ]
    good = read("hf-model-card", CARD)
    assert "validation_results" in element(good, "models", "support-chat-7b")["assets"]


@pytest.mark.parametrize("tags", ["text-classification", "[text-classification]"])
def test_model_card_tags_given_as_one_string_are_read(tmp_path: Path, tags: str) -> None:
    """A card may write one tag as a plain string; it decides the model's kind as a list would
    (like ``datasets`` and ``base_model``, which are read either way too)."""
    card = tmp_path / "README.md"
    card.write_text(f"---\nlicense: mit\ntags: {tags}\n---\n# Sorter\n")
    draft = read("hf-model-card", card)
    assert element(draft, "models", "sorter")["kind"] == "classifier"
    assert notes(draft, "unplaced") == []


def test_model_card_whose_front_matter_is_not_yaml(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: {license}\nargs:\n  {a}: {b}\n---\n")
    with pytest.raises(ModelError) as exc:
        read("hf-model-card", card)
    (d,) = exc.value.diagnostics
    assert d.message.startswith("cannot import README.md: its front matter is not valid YAML")
    assert (d.location.line if d.location else 0) == 4


def test_model_card_with_duplicate_keys_is_refused(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\nlicense: apache-2.0\n---\n")
    with pytest.raises(ModelError) as exc:
        read("hf-model-card", card)
    assert "front matter is not valid YAML" in exc.value.diagnostics[0].message
