"""`actm analyze`, `actm schema` and `actm kb` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from actm.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
RAG = ROOT / "examples" / "customer-support-rag.yaml"
runner = CliRunner()


def test_analyze_text_summary() -> None:
    res = runner.invoke(app, ["analyze", str(RAG), "--no-color"])
    assert res.exit_code == 0, res.output
    # the public help centre's disclosure is no threat (its confidentiality does not matter)
    assert "threats in scope: 9" in res.output
    assert "tool-data-exfiltration@support-agent@customer-records" in res.output
    assert "-> tool-data-exfiltration: inspect on customer-records" in res.output


def test_analyze_json_matches_its_published_schema(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads(runner.invoke(app, ["schema", "--result"]).output)
    jsonschema.validate(data, schema)
    assert {"threats", "out_of_scope", "capabilities", "assumptions"} <= set(data)
    threat = data["threats"][0]
    for key in (
        "id",
        "attack",
        "severity",
        "assets",
        "chain",
        "references",
        "unjustified_assumptions",
    ):
        assert key in threat
    assert "timings" not in data


def test_model_schema_accepts_the_examples() -> None:
    import yaml

    schema = json.loads(runner.invoke(app, ["schema"]).output)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_markdown_report_has_the_team_views(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "markdown", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    for heading in (
        "## Summary",
        "## Threats",
        "### Infrastructure and platform team",
        "### ML engineering team",
        "### Product and application team",
        "## Third-party assumptions",
        "## Capabilities reached",
        "## Out of scope",
    ):
        assert heading in text


def test_markdown_escapes_user_text(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "actm: 1\n"
        "system: {id: x, name: '<script>alert(1)</script> | *bold*'}\n"
        "models:\n  - {id: bot, kind: llm, exposure: public}\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["analyze", str(model), "-f", "markdown"])
    assert res.exit_code == 0, res.output
    assert "<script>" not in res.output
    assert r"\<script\>alert(1)\</script\> \| \*bold\*" in res.output


def test_same_input_gives_byte_identical_output_across_processes() -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "actm", "analyze", str(RAG), "-f", "json"],
            capture_output=True,
            check=True,
            env=env,
            cwd=ROOT,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]


def test_missing_knowledge_directory_is_a_usage_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["analyze", str(RAG), "--knowledge", str(tmp_path / "nope")])
    assert res.exit_code == 2
    assert "does not exist" in res.output


def test_bad_limit_in_the_environment_is_a_usage_error() -> None:
    res = runner.invoke(app, ["validate", str(RAG)], env={"ACTM_MAX_DEPTH": "lots"})
    assert res.exit_code == 2
    assert "ACTM_MAX_DEPTH" in res.output


@pytest.mark.parametrize("value", ["lots", "0", "-1", "2.5", "99999", "٣"])
def test_bad_worker_count_in_the_environment_is_a_usage_error(value: str) -> None:
    """A typo in ACTM_WORKERS was ignored (every CPU used) where an ACTM_MAX_* typo exits 2."""
    res = runner.invoke(app, ["analyze", str(RAG)], env={"ACTM_WORKERS": value})
    assert res.exit_code == 2, res.output
    assert f"ACTM_WORKERS={value!r}: expected a whole number from 1 to 1024" in res.output


@pytest.mark.parametrize("value", ["1", " 2 ", "1_0", "0004", "", "  "])
def test_a_worker_count_or_a_blank_one_is_taken(value: str) -> None:
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "json"], env={"ACTM_WORKERS": value})
    assert res.exit_code == 0, res.output


def test_help_is_shown_whatever_the_worker_count_says() -> None:
    res = runner.invoke(app, ["analyze", "--help"], env={"ACTM_WORKERS": "lots"})
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_kb_list(fmt: str) -> None:
    res = runner.invoke(app, ["kb", "list", "-f", fmt])
    assert res.exit_code == 0, res.output
    assert "tool-data-exfiltration" in res.output


def test_kb_show_and_unknown_id() -> None:
    res = runner.invoke(app, ["kb", "show", "model-backdoor"])
    assert res.exit_code == 0, res.output
    assert "requires make_limited_changes on m:model_parameters (persistent)" in res.output
    res = runner.invoke(app, ["kb", "show", "model-backdor"])
    assert res.exit_code == 2
    assert "did you mean 'model-backdoor'?" in res.output


def test_inherent_view_ignores_controls() -> None:
    with_controls = json.loads(runner.invoke(app, ["analyze", str(RAG), "-f", "json"]).output)
    inherent = json.loads(
        runner.invoke(app, ["analyze", str(RAG), "-f", "json", "--no-controls"]).output
    )
    ids = {t["id"] for t in with_controls["threats"]}
    assert ids < {t["id"] for t in inherent["threats"]}


def test_output_to_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["analyze", str(RAG), "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "is a directory" in res.output


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", str(RAG), "-f", "json", "-o"],
        ["schema", "-o"],
        ["check", str(RAG), "--sarif"],
    ],
)
def test_an_output_path_ending_with_a_separator_is_refused_not_written_as_a_file(
    tmp_path: Path, args: list[str]
) -> None:
    # the path drops the separator: "reports/" used to become a file named "reports"
    wanted = tmp_path / "reports"
    for named in (f"{wanted}/", f"{wanted}/.", f"{wanted}//"):
        res = runner.invoke(app, [*args, named])
        assert res.exit_code == 2, res.output
        assert "names a directory" in res.output
        assert not wanted.exists()
    # a file name is written as before
    res = runner.invoke(app, [*args, str(wanted)])
    assert res.exit_code in (0, 1), res.output  # check exits 1 when a gate fails
    assert wanted.is_file()


def test_closed_pipe_is_not_an_internal_error() -> None:
    done = subprocess.run(
        f"{sys.executable} -m actm kb list | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0
    assert "internal error" not in done.stderr
    assert "Traceback" not in done.stderr


def test_output_does_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    runs = []
    for cwd, path in (
        (ROOT, "examples/ml-training-pipeline.yaml"),
        (tmp_path, str(ROOT / "examples" / "ml-training-pipeline.yaml")),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "actm", "analyze", path, "-f", "json"],
            capture_output=True,
            check=True,
            cwd=cwd,
        )
        runs.append(done.stdout)
    assert runs[0] == runs[1]
    assert json.loads(runs[0])["system"]["files"] == [
        "ml-training-pipeline.yaml",
        "shared/platform.yaml",
    ]


@pytest.mark.parametrize("day", ["2026-1-5", "20260105", "2026-01-05T00:00", "yesterday"])
def test_today_must_be_a_plain_iso_date(day: str) -> None:
    res = runner.invoke(app, ["analyze", str(RAG), "--today", day])
    assert res.exit_code == 2
    assert "write YYYY-MM-DD" in res.output


def test_text_summary_lists_the_worst_threats_and_counts_the_rest() -> None:
    import actm
    from actm.render.text import render_text

    result = actm.analyze(actm.load_model(RAG))
    assert len(result.threats) > 3
    text = render_text(result, rows=3)
    worst, rest = result.threats[:3], result.threats[3:]
    assert all(t.id in text for t in worst)
    assert f"... and {len(rest)} more threats" in text
    table = text.split("... and")[0]
    assert not any(f"\n│          │ {t.id} " in table for t in rest)


def test_an_empty_output_path_is_refused_as_empty() -> None:
    """``-o ''`` said "--output . is a directory"."""
    res = runner.invoke(app, ["analyze", str(RAG), "-o", ""])
    assert res.exit_code == 2
    assert "is empty: give the name of a file to write" in res.output
