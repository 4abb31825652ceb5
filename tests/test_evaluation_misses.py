"""Recall of the deliberately vulnerable apps and of Husky AI's expert threats (issue 13).

evaluation/misses.py explains each miss from the knowledge base and the result; the vulnerable
apps' figure and misses are recorded in evaluation/README.md (``ACTM_UPDATE_DOCS=1`` rewrites
them after a deliberate change: review the diff). The target is 90%; the floor is today's.
"""

from __future__ import annotations

import os

import pytest

import actm
from evaluation_modules import EVALUATION, load_evaluation

RECORDED_FOUND = 61
RECORDED_EXPECTED = 65


misses = load_evaluation("misses")


@pytest.fixture(scope="module")
def apps() -> tuple[list[object], list[object]]:
    scores, missed = misses.vulnerable_apps()
    return scores, missed


def test_vulnerable_apps_recall_does_not_fall(apps: tuple[list[object], list[object]]) -> None:
    total = misses.score.totals(apps[0])
    assert (total.systems, total.loadable, total.expected) == (53, 53, RECORDED_EXPECTED)
    assert total.found >= RECORDED_FOUND, f"vulnerable apps recall fell to {total.found}/65"
    assert len(apps[1]) == total.expected - total.found


def test_readme_lists_every_vulnerable_app_miss(apps: tuple[list[object], list[object]]) -> None:
    readme = misses.README
    text = readme.read_text(encoding="utf-8")
    want = misses.replace_block(text, misses.render(*apps))
    if text != want:
        if os.environ.get("ACTM_UPDATE_DOCS") == "1":
            readme.write_text(want, encoding="utf-8")
            return
        pytest.fail(f"{readme.name}'s vulnerable apps list is stale (ACTM_UPDATE_DOCS=1)")


def test_vulnerable_app_misses_by_id(apps: tuple[list[object], list[object]]) -> None:
    assert [(m.system.split("/", 1)[1], m.item) for m in apps[1]] == [  # type: ignore[attr-defined]
        ("dvaa/behavioral-drift-to-exfil", "E2"),
        ("dvaa/cicd-ai-review-bypass", "E2"),
        ("dvaa/encoding-bypass-base64", "E1"),
        ("dvaa/webexpose-claude-md", "E1"),
    ]


def test_husky_ai_expert_threats_recovered() -> None:
    kb = actm.load_knowledge()
    (case,) = [c for c in misses.score.discover() if c.name == "systems/husky-ai"]
    judged, missed = misses.explain(case, kb)
    expected = [i.id for i in case.labels.expected]
    assert expected == ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9"]
    assert [m.id for m in judged.misses] == []
    assert missed == ()
    # the image-parser overflow needs the parser bug posited where the upload is decoded (the
    # internal web service behind the gateway, where the public classifier runs): hypothetical
    result = actm.analyze(actm.load_model(case.model, knowledge=kb), knowledge=kb)
    parser = [(t.id, t.hypothetical) for t in result.threats if t.id.startswith("parser-")]
    assert parser == [("parser-memory-corruption@husky-classifier", True)]


def test_a_closing_entry_on_another_asset_says_so() -> None:
    item = misses.score.Item(id="E9", attack=("model-evasion",), asset="elsewhere", why="x")
    kb = actm.load_knowledge()
    path = EVALUATION.parent / "examples" / "atlas-case-studies"
    result = actm.analyze(actm.load_model(path / "cs0000-malware-cc-traffic-detector.yaml"))
    assert misses.label_miss_reason(item, result, kb) == (
        "model-evasion closes (model-evasion@cc-detector) but not on elsewhere"
    )
    unknown = misses.score.Item(id="E9", attack=("no-such-entry",), why="x")
    assert misses.label_miss_reason(unknown, result, kb) == "no knowledge-base entry no-such-entry"
