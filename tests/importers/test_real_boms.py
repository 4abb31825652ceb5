"""The real bills of materials and model cards under ../shared/data/real-inputs (CycloneDX
ML-BOMs and AIBOMs, SPDX 3 AI and Dataset documents, Hugging Face model cards): each is read as
its format and drafts a model that validates, or is refused with one diagnostic naming the file.
Skips where the shared data is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

import actm
from actm.errors import ModelError
from actm.importers.formats import detect
from actm.importers.interface import ImportOptions
from actm.importers.run import draft_files, import_files
from reference_data import SHARED

REAL = SHARED / "real-inputs"

# file -> (format, the models drafted, the datasets drafted)
EXPECTED: dict[str, tuple[str, list[str], list[str]]] = {
    "cyclonedx-mlbom/Qwen_Qwen2.5-7B-Instruct.json": (
        "cyclonedx",
        ["qwen-qwen2-5-7b-instruct", "qwen-qwen2-5-7b"],
        [],
    ),
    "cyclonedx-mlbom/aibom.json": (
        "cyclonedx",
        ["unknown-model"],
        ["train-images-npy", "train-labels-npy"],
    ),
    "cyclonedx-mlbom/bom.json": (
        "cyclonedx",
        ["support-ticket-classifier"],
        ["support-ticket-training-data", "support-ticket-evaluation-data"],
    ),
    "cyclonedx-mlbom/expected_aibom.json": ("cyclonedx", ["test-org-test-model"], []),
    "cyclonedx-mlbom/google-bert_bert-base-uncased.json": (
        "cyclonedx",
        ["google-bert-bert-base-uncased"],
        ["bookcorpus", "wikipedia"],
    ),
    "cyclonedx-mlbom/meta-llama_Llama-3.1-8B-Instruct_ai_sbom_1_6.json": (
        "cyclonedx",
        ["meta-llama-llama-3-1-8b-instruct"],
        ["for", "an"],
    ),
    "cyclonedx-mlbom/sentence-transformers_all-MiniLM-L6-v2_ai_sbom_1_6.json": (
        "cyclonedx",
        ["sentence-transformers-all-minilm-l6-v2"],
        [
            "s2orc",
            "flax-sentence-embeddings-stackexchange-xml",
            "ms-marco",
            "gooaq",
            "yahoo-answers-topics",
            "code-search-net",
            "search-qa",
            "eli5",
            "snli",
            "multi-nli",
            "wikihow",
            "natural-questions",
            "trivia-qa",
            "embedding-data-sentence-compression",
            "embedding-data-flickr30k-captions",
            "embedding-data-altlex",
            "embedding-data-simple-wiki",
            "embedding-data-qqp",
            "embedding-data-specter",
            "embedding-data-paq-pairs",
            "embedding-data-wikianswers",
        ],
    ),
    "cyclonedx-mlbom/valid-machine-learning-1.5.json": (
        "cyclonedx",
        ["compvis-stable-diffusion"],
        ["training-data"],
    ),
    "cyclonedx-mlbom/valid-machine-learning-1.7.json": (
        "cyclonedx",
        ["compvis-stable-diffusion"],
        ["training-data"],
    ),
    "cyclonedx-mlbom/valid-machine-learning-considerations-env-1.6.json": (
        "cyclonedx",
        ["meta-llama-llama-2-7b"],
        [],
    ),
    "cyclonedx-mlbom/vllm-deployment-output.json": (
        "cyclonedx",
        ["meta-llama-llama-3-1-8b-instruct"],
        ["llama-weights"],
    ),
    "spdx3-ai/example01.spdx3.json": (
        "spdx3",
        [],
        ["our-world-in-data-co2-and-greenhouse-gas-emissions-dataset"],
    ),
    "spdx3-ai/meta-llama_Llama-3.1-8B-Instruct_spdx_3_0_1.json": (
        "spdx3",
        ["llama-3-1-8b-instruct"],
        [],
    ),
    "spdx3-ai/sbom.spdx3.1.json": (
        "spdx3",
        ["sentiment-demo-a-simple-ai-application-and-its-ai-bom-example"],
        ["data-after-preprocessing"],
    ),
    "spdx3-ai/sbom.spdx3.json": (
        "spdx3",
        ["sentiment-demo-a-simple-ai-application-and-its-ai-bom-example"],
        ["data-after-preprocessing"],
    ),
    "spdx3-ai/sentence-transformers_all-MiniLM-L6-v2.json": (
        "spdx3",
        ["sentence-transformers-all-minilm-l6-v2"],
        [],
    ),
    "spdx3-ai/simplehtr-example.json": ("spdx3", ["word-model", "line-model"], ["iamdataset"]),
    "hf-model-cards/bert-base-uncased-README.md": (
        "hf-model-card",
        ["bert-base-model-uncased"],
        ["bookcorpus", "wikipedia"],
    ),
    "hf-model-cards/sample_invalid_model_index.md": ("hf-model-card", ["my-cool-model"], ["beans"]),
    "hf-model-cards/sample_simple_model_index.md": ("hf-model-card", ["my-cool-model"], ["beans"]),
    "hf-model-cards/sample_windows_line_breaks.md": (
        "hf-model-card",
        ["hello-old-windows-line-breaks"],
        [],
    ),
    "hf-model-cards/wmt19-en-de_README.md": ("hf-model-card", ["fsmt"], ["www-statmt-org-wmt19"]),
}
REFUSED = {
    "hf-model-cards/modelcard.md": (
        38,
        "its front matter is not valid YAML: a mapping key must be a plain string, not a list "
        "or mapping",
    ),
}
DIRS = ("cyclonedx-mlbom", "spdx3-ai", "hf-model-cards")


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is not available (shared real inputs)")
    return path


def test_every_file_of_these_formats_is_listed() -> None:
    found = sorted(p.relative_to(REAL).as_posix() for d in DIRS for p in (REAL / d).glob("*"))
    if not found:
        pytest.skip("../shared/data/real-inputs is not available")
    assert found == sorted([*EXPECTED, *REFUSED])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_drafts_a_model_that_validates(name: str, tmp_path: Path) -> None:
    path = real(name)
    fmt, models, datasets = EXPECTED[name]
    found = detect(path)
    assert found is not None and [i.name for i in found.importers] == [fmt]
    draft = draft_files([path], ImportOptions())
    assert [e.id for e in draft.section("models")] == models
    assert [
        e.id for e in draft.section("assets") if e.get("type") in ("data", "personal_data")
    ] == (datasets)
    out = tmp_path / "model.yaml"
    out.write_text(import_files([path], ImportOptions()).text, encoding="utf-8")
    loaded = actm.load_model(out)
    assert [m.id for m in loaded.models] == models


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_is_refused_in_one_line(name: str) -> None:
    path = real(name)
    line, reason = REFUSED[name]
    with pytest.raises(ModelError) as exc:
        draft_files([path], ImportOptions())
    (d,) = exc.value.diagnostics
    assert d.message == f"cannot import {path}: {reason}"
    assert d.location is not None and (d.location.path, d.location.line) == (str(path), line)
