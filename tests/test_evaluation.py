"""The findings-quality corpus (evaluation/): its scores stay at or above the recorded baseline,
and the scorer matches threats to labels, reads label files and compares baselines as
evaluation/README.md says."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from evaluation_modules import EVALUATION, load_evaluation

score = load_evaluation("score")


# --- the corpus itself -------------------------------------------------------------------------


def test_corpus_scores_do_not_fall_below_the_baseline() -> None:
    baseline = json.loads((EVALUATION / "baseline.json").read_text())
    scores = score.score_corpus()
    assert score.regressions(baseline, scores) == []
    if new := score.unrecorded(baseline, scores):
        warnings.warn(
            f"not compared with the baseline yet (record it with python evaluation/score.py "
            f"--write-baseline): {', '.join(new)}",
            stacklevel=1,
        )


def test_the_corpus_has_the_systems_the_issue_names() -> None:
    names = {case.name for case in score.discover()}
    assert {
        "systems/ide-agent-github-mcp",
        "systems/claude-desktop-two-servers",
        "systems/husky-ai",
    } <= names
    assert len([n for n in names if n.startswith("systems/")]) >= 14


def test_husky_ai_labels_are_the_nine_expert_threats() -> None:
    labels = score.load_labels(EVALUATION / "systems" / "husky-ai" / "labels.yaml")
    assert [i.id for i in labels.expected] == [f"E{n}" for n in range(1, 10)]
    assert labels.expected[5].attack == ("model-evasion",)
    assert labels.expected[5].asset == "husky-classifier"


# --- matching ----------------------------------------------------------------------------------


def _threat(tid: str, asset: str, bound: tuple[str, ...] = ()) -> Any:
    return SimpleNamespace(
        id=tid,
        attack=tid.split("@", maxsplit=1)[0],
        severity=SimpleNamespace(asset=asset),
        assets=bound,
    )


def _labels(**sections: Any) -> Any:
    return score.Labels.model_validate({"system": "demo", "sources": ["here"], **sections})


def test_asset_names_cover_component_model_and_bound_assets() -> None:
    threat = _threat("x@m", "m.inputs.system_prompt", ("kb.documents", "send-email"))
    assert score.asset_names(threat) == frozenset(
        {"m", "m.inputs", "m.inputs.system_prompt", "kb", "kb.documents", "send-email"}
    )


def test_judge_counts_recall_precision_misses_and_false_positives() -> None:
    labels = _labels(
        expected=[
            {"id": "E1", "attack": ["tool-data-exfiltration"], "asset": "kb", "why": "w"},
            {"id": "E2", "attack": ["indirect-prompt-injection"], "asset": "bot", "why": "w"},
            {"id": "E3", "attack": ["no-such-entry-yet"], "why": "w"},
            {"id": "E4", "attack": ["system-prompt-extraction"], "asset": "bot.inputs", "why": "w"},
            {"id": "E5", "attack": ["rag-poisoning"], "asset": "other-kb", "why": "w"},
        ],
        acceptable=[{"id": "A1", "attack": ["direct-prompt-injection"], "why": "w"}],
        not_expected=[
            {"id": "N1", "attack": ["resource-exhaustion"], "why": "w"},
            {"id": "N2", "attack": ["provider-data-exposure"], "asset": "elsewhere", "why": "w"},
        ],
    )
    threats = [
        _threat("tool-data-exfiltration@bot@kb", "kb", ("kb", "search", "mail")),
        _threat("indirect-prompt-injection@bot", "bot.outputs", ("bot.outputs",)),
        _threat("system-prompt-extraction@bot", "bot.inputs.system_prompt", ("bot.inputs",)),
        _threat("rag-poisoning@kb@bot", "bot.outputs", ("bot.outputs", "kb")),
        _threat("direct-prompt-injection@bot", "bot.outputs"),
        _threat("resource-exhaustion@bot", "bot.outputs"),
        _threat("provider-data-exposure@bot", "bot.inputs"),
    ]
    result = score.judge("systems/demo", "systems", labels, threats)
    assert (result.expected, result.found, result.reported, result.correct) == (5, 3, 7, 4)
    assert [m.id for m in result.misses] == ["E3", "E5"]
    assert [(f.threat, f.not_expected) for f in result.false_positives] == [
        ("provider-data-exposure@bot", ()),
        ("rag-poisoning@kb@bot", ()),
        ("resource-exhaustion@bot", ("N1",)),
    ]


def test_accepted_threats_are_not_reported() -> None:
    kept = SimpleNamespace(id="a@m", accepted=None)
    flagged = SimpleNamespace(id="b@m", accepted={"justification": "contract"})
    listed = SimpleNamespace(id="c@m")
    result = SimpleNamespace(threats=(kept, flagged, listed), accepted=(SimpleNamespace(id="c@m"),))
    assert [t.id for t in score.reported_threats(result)] == ["a@m"]


# --- reading a corpus --------------------------------------------------------------------------

MODEL = """\
actm: 1
system: {id: demo, owner: acme}
owners: [{id: acme, first_party: true}]
models:
  - {id: bot, kind: agent, exposure: public, tools: [search]}
assets:
  - {id: kb, type: document_store, untrusted_sources: [public-web]}
relations:
  - {kind: feeds, from: kb.documents, to: bot.inputs.retrieved_context}
tools:
  - {id: search, permissions: {read: [kb]}}
"""

LABELS = """\
system: demo
sources: [here]
expected:
  - {id: E1, attack: [indirect-prompt-injection], asset: bot, why: planted documents}
  - {id: E2, attack: [no-such-entry-yet], why: not in the knowledge base}
revisions: []
"""


def _corpus(tmp_path: Path, model: str = MODEL, labels: str = LABELS) -> Path:
    folder = tmp_path / "systems" / "demo"
    folder.mkdir(parents=True)
    (folder / "model.yaml").write_text(model)
    (folder / "labels.yaml").write_text(labels)
    return tmp_path


def test_a_loadable_system_is_analysed_and_an_unknown_attack_id_is_a_miss(tmp_path: Path) -> None:
    (result,) = score.score_corpus(_corpus(tmp_path))
    assert (result.name, result.suite, result.loadable) == ("systems/demo", "systems", True)
    assert (result.expected, result.found) == (2, 1)
    assert [m.id for m in result.misses] == ["E2"]
    assert result.unknown_attacks == ("no-such-entry-yet",)


def test_a_model_actm_refuses_is_not_loadable_with_its_first_error(tmp_path: Path) -> None:
    model = MODEL.replace("first_party: true", "frist_party: true")
    (result,) = score.score_corpus(_corpus(tmp_path, model=model))
    assert result.loadable is False
    assert result.error == (
        "systems/demo/model.yaml:3:21: error[unknown-key]: unknown key 'frist_party' in owners.0"
    )


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (
            LABELS + "extra: 1\n",
            "systems/demo/labels.yaml:7:1: extra: Extra inputs are not permitted",
        ),
        (
            LABELS.replace("why: planted documents", "why: planted, documents"),
            "systems/demo/labels.yaml:4:77: expected.0.documents: Extra inputs are not permitted",
        ),
        (
            LABELS.replace("id: E2", "id: E1"),
            "systems/demo/labels.yaml:5:10: expected.1.id: label id 'E1' is used twice",
        ),
        (
            LABELS.replace("sources: [here]\n", ""),
            "systems/demo/labels.yaml:1:1: sources: Field required",
        ),
        (LABELS.replace("system: demo", "system: other"), "labels are for system 'other'"),
    ],
)
def test_invalid_labels_exit_2_with_the_place(
    tmp_path: Path, labels: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _corpus(tmp_path, labels=labels)
    assert score.main(["--root", str(root)]) == 2
    assert message in capsys.readouterr().err


def test_vulnerable_agent_files_pair_by_name_and_need_labels(tmp_path: Path) -> None:
    suite = tmp_path / "vulnerable-agents" / "dvx"
    suite.mkdir(parents=True)
    (suite / "app.yaml").write_text(MODEL)
    (suite / "app.labels.yaml").write_text(LABELS)
    (suite / "shared.yaml").write_text("actm: 1\nnodes: []\n")  # an included file: no labels
    (case,) = score.discover(tmp_path)
    assert (case.name, case.suite) == ("vulnerable-agents/dvx/app", "vulnerable-agents/dvx")
    (suite / "other.yaml").write_text(MODEL)
    with pytest.raises(score.CorpusError, match=r"dvx/other\.yaml: a model without other"):
        score.discover(tmp_path)


# --- baselines ---------------------------------------------------------------------------------


def _score(name: str, loadable: bool = True, **counts: int) -> Any:
    return score.Score(name, "systems", loadable, None if loadable else "boom", **counts)


def test_regressions_compare_totals_over_the_recorded_systems() -> None:
    scores = [
        _score("systems/a", expected=4, found=3, reported=10, correct=6),
        _score("systems/b", loadable=False),
        _score("systems/c", expected=2, found=0, reported=5, correct=0),  # new: not compared
    ]
    baseline = score.baseline_record(scores[:2])
    assert score.regressions(baseline, scores) == []
    assert score.unrecorded(baseline, scores) == ["systems/c"]
    worse = [_score("systems/a", expected=4, found=2, reported=10, correct=7), scores[1]]
    assert score.regressions(baseline, worse) == [
        "overall: recall fell from 3/4 to 2/4",
        "suite systems: recall fell from 3/4 to 2/4",
    ]


def test_a_system_that_stops_loading_or_was_never_recorded_is_a_regression() -> None:
    baseline = score.baseline_record([_score("systems/a", expected=1, found=1)])
    scores = [_score("systems/a", loadable=False), _score("systems/z", loadable=False)]
    assert score.regressions(baseline, scores) == [
        "systems/a: loaded before, now not loadable: boom",
        "systems/z: not loadable, and the baseline does not record it so: boom",
    ]


def test_check_and_json_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _corpus(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert score.main(["--root", str(root), "--baseline", str(baseline), "--write-baseline"]) == 0
    assert json.loads(baseline.read_text())["systems"]["systems/demo"]["found"] == 1
    capsys.readouterr()
    assert score.main(["--root", str(root), "--json"]) == 0
    (system,) = json.loads(capsys.readouterr().out)["systems"]
    assert (system["name"], system["recall"]) == ("systems/demo", 0.5)
    recorded = json.loads(baseline.read_text())
    recorded["systems"]["systems/demo"]["found"] = 2
    baseline.write_text(json.dumps(recorded))
    assert score.main(["--root", str(root), "--baseline", str(baseline), "--check"]) == 1
    assert "regression: overall: recall fell from 2/2 to 1/2" in capsys.readouterr().err


def test_the_documented_table_is_the_recorded_baseline() -> None:
    """docs/findings-quality.md shows the scores baseline.json records (rewrite it with
    ACTM_UPDATE_DOCS=1 after recording a new baseline)."""
    import os

    doc = EVALUATION.parent / "docs" / "findings-quality.md"
    text = doc.read_text()
    begin, end = "<!-- scores: begin -->\n", "<!-- scores: end -->"
    head, rest = text.split(begin)
    _table, tail = rest.split(end)
    table = score.render_markdown(json.loads((EVALUATION / "baseline.json").read_text()))
    if os.environ.get("ACTM_UPDATE_DOCS"):
        doc.write_text(head + begin + table + end + tail)
        return
    assert _table == table
