"""Recall of the MITRE ATLAS case studies (issue 13), scored by evaluation/atlas_recall.py.

The README of examples/atlas-case-studies/ holds the generated table of every case study and
every miss with its reason; this checks that it matches the scorer (``ACTM_UPDATE_DOCS=1``
rewrites it after a deliberate change: review the diff) and that overall recall does not fall
below the recorded figure. The target is 90%; the floor is where actm stands today.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaluation_modules import load_evaluation
from reference_data import load_shared

ROOT = Path(__file__).resolve().parent.parent

RECORDED_FOUND = 202
RECORDED_TECHNIQUES = 230


recall = load_evaluation("atlas_recall")


@pytest.fixture(scope="module")
def scores() -> list[object]:
    return list(recall.score_all())


def test_readme_table_matches_the_scorer(scores: list[object]) -> None:
    readme = recall.README
    text = readme.read_text(encoding="utf-8")
    want = recall.replace_block(text, recall.render(scores))
    if text != want:
        if os.environ.get("ACTM_UPDATE_DOCS") == "1":
            readme.write_text(want, encoding="utf-8")
            return
        pytest.fail(f"{readme.name}'s recall table is stale (ACTM_UPDATE_DOCS=1 rewrites it)")


def test_overall_recall_does_not_fall(scores: list[object]) -> None:
    found, total = recall.overall(scores)
    assert total == RECORDED_TECHNIQUES
    assert found >= RECORDED_FOUND, f"ATLAS recall fell to {found}/{total}"


def test_every_model_is_scored(scores: list[object]) -> None:
    files = sorted(p.name for p in recall.CASES_DIR.glob("*.yaml"))
    assert [s.file for s in scores] == files  # type: ignore[attr-defined]
    assert len(files) == 42


def test_found_and_missed_split_the_techniques(scores: list[object]) -> None:
    for s in scores:
        missed = [m.technique for m in s.misses]  # type: ignore[attr-defined]
        assert sorted([*s.found, *missed]) == sorted(s.techniques)  # type: ignore[attr-defined]


def test_known_scores() -> None:
    by_id = {s.atlas_id: s for s in recall.score_all()}
    tay = by_id["AML.CS0009"]
    assert tay.techniques == ("AML.T0010.002", "AML.T0020", "AML.T0031", "AML.T0047")
    assert tay.found == tay.techniques and tay.misses == ()
    # the summaries state neither the production detector's fragility (the team evaded the
    # model it built) nor who pays the claims: Manual Modification and Financial Harm stay misses
    cc = by_id["AML.CS0000"]
    assert cc.found == ("AML.T0005", "AML.T0015", "AML.T0042")
    assert [m.technique for m in cc.misses] == ["AML.T0043.003"]
    idme = by_id["AML.CS0017"]
    assert idme.found == ("AML.T0015", "AML.T0047")
    assert [m.technique for m in idme.misses] == ["AML.T0048.000"]


def test_sub_technique_counts_for_its_parent_only() -> None:
    assert recall.cites(("AML.T0043.003",), "AML.T0043")
    assert recall.cites(("AML.T0043",), "AML.T0043")
    assert not recall.cites(("AML.T0043",), "AML.T0043.003")
    assert not recall.cites(("AML.T0043.001",), "AML.T0043.003")
    assert not recall.cites(("AML.T0004",), "AML.T0043")


def test_techniques_are_the_procedure_outside_preparation() -> None:
    # the shipped table against the published procedures, where the published data is present
    atlas = load_shared("atlas", "ATLAS.yaml")
    studies = {cs["id"]: cs for cs in atlas["case-studies"]}
    table = recall.case_study_table()
    for atlas_id, _path in recall.case_files():
        steps = studies[atlas_id]["procedure"]
        beyond = {s["technique"] for s in steps if s["tactic"] not in ("AML.TA0002", "AML.TA0003")}
        assert sorted(beyond) == table[atlas_id]["beyond_preparation"], atlas_id


def test_the_adversarys_own_use_of_ai_stays_a_miss_with_its_reason() -> None:
    by_id = {s.atlas_id: s for s in recall.score_all()}
    sesame = by_id["AML.CS0042"]
    assert sesame.found == ()
    assert sesame.misses == (
        recall.Miss(
            "AML.T0096",
            "not a threat to the modelled system: the malware uses an AI service's API as its "
            "own command-and-control channel; no system of the victim's runs that AI",
        ),
    )
