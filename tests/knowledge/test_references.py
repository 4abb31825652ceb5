"""Framework ids in the knowledge base exist in the reference data (skipped without ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actm.knowledge.attacks import builtin_knowledge

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
ATLAS = SHARED / "atlas" / "ATLAS.yaml"
COSAI = SHARED / "cosai-risk-map" / "yaml" / "risks.yaml"
ENTRIES = builtin_knowledge().sorted()


@pytest.fixture(scope="module")
def atlas_techniques() -> dict[str, dict[str, object]]:
    if not ATLAS.is_file():
        pytest.skip("../shared/data/atlas is not available")
    data = yaml.load(ATLAS.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert data["version"] == "5.6.0"
    return {t["id"]: t for m in data["matrices"] for t in m["techniques"]}


@pytest.fixture(scope="module")
def cosai_risks() -> set[str]:
    if not COSAI.is_file():
        pytest.skip("../shared/data/cosai-risk-map is not available")
    data = yaml.safe_load(COSAI.read_text(encoding="utf-8"))
    return {r["id"] for r in data["risks"]}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_atlas_ids_exist_and_are_current(
    entry: object, atlas_techniques: dict[str, dict[str, object]]
) -> None:
    for ident in entry.references.get("atlas", ()):  # type: ignore[attr-defined]
        assert ident in atlas_techniques, f"{ident} is not in ATLAS 5.6.0"
        technique = atlas_techniques[ident]
        assert not technique.get("deprecated"), f"{ident} is deprecated"
        assert "deprecated" not in str(technique.get("name", "")).lower()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_cosai_ids_exist(entry: object, cosai_risks: set[str]) -> None:
    for ident in entry.references.get("cosai", ()):  # type: ignore[attr-defined]
        assert ident in cosai_risks, f"{ident} is not a CoSAI risk"
