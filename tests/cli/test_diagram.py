"""`actm diagram` and the export formats of `actm analyze` (csv, stix) end to end."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app
from actm.render.graphviz import graphviz_available

ROOT = Path(__file__).resolve().parents[2]
RAG = ROOT / "examples" / "customer-support-rag.yaml"
GOLDEN = ROOT / "tests" / "render" / "golden"
THREAT = "tool-data-exfiltration@support-agent@customer-records"
runner = CliRunner()


@pytest.mark.parametrize(
    ("view", "fmt", "golden"),
    [
        ("infrastructure", "dot", "customer-support-rag.infrastructure.dot"),
        ("lineage", "mermaid", "customer-support-rag.lineage.mmd"),
        (f"threat:{THREAT}", "dot", "customer-support-rag.threat.dot"),
        (f"threat:{THREAT}", "mermaid", "customer-support-rag.threat.mmd"),
    ],
)
def test_diagram_writes_the_rendered_view(view: str, fmt: str, golden: str) -> None:
    res = runner.invoke(app, ["diagram", str(RAG), "--view", view, "--format", fmt])
    assert res.exit_code == 0, res.output
    assert res.stdout == (GOLDEN / golden).read_text(encoding="utf-8")


def test_diagram_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "infra.mmd"
    res = runner.invoke(app, ["diagram", str(RAG), "-f", "mermaid", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("flowchart LR\n")


def test_unknown_threat_exits_2_with_suggestions() -> None:
    res = runner.invoke(
        app, ["diagram", str(RAG), "--view", "threat:tool-data-exfiltration@support-agent"]
    )
    assert res.exit_code == 2
    assert "no threat 'tool-data-exfiltration@support-agent' in the analysis" in res.stderr
    assert f"did you mean {THREAT}" in res.stderr


@pytest.mark.parametrize("view", ["infra", "threat", "lineage:x"])
def test_bad_view_exits_2(view: str) -> None:
    res = runner.invoke(app, ["diagram", str(RAG), "--view", view])
    assert res.exit_code == 2
    assert "view" in res.stderr


def test_no_controls_changes_the_threats_a_view_can_show() -> None:
    model = ROOT / "tests" / "render" / "models" / "triaged-agent.yaml"
    listed = runner.invoke(app, ["analyze", str(model), "-f", "json"])
    inherent = runner.invoke(app, ["analyze", str(model), "-f", "json", "--no-controls"])
    residual_ids = {t["id"] for t in json.loads(listed.stdout)["threats"]}
    mitigated = sorted({t["id"] for t in json.loads(inherent.stdout)["threats"]} - residual_ids)
    assert mitigated, "the model must have a threat its controls mitigate"
    view = f"threat:{mitigated[0]}"
    assert runner.invoke(app, ["diagram", str(model), "--view", view]).exit_code == 2
    res = runner.invoke(app, ["diagram", str(model), "--view", view, "--no-controls"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("digraph actm {")


@pytest.mark.skipif(
    not graphviz_available(), reason="needs the graphviz package and the dot program"
)
def test_svg_and_png(tmp_path: Path) -> None:
    svg = tmp_path / "infra.svg"
    res = runner.invoke(app, ["diagram", str(RAG), "-f", "svg", "-o", str(svg)])
    assert res.exit_code == 0, res.output
    assert "</svg>" in svg.read_text(encoding="utf-8")
    res = runner.invoke(app, ["diagram", str(RAG), "--view", f"threat:{THREAT}", "-f", "png"])
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes.startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_graphviz_package_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` either
    res = runner.invoke(app, ["diagram", str(RAG), "-f", "svg"])
    assert res.exit_code == 2
    assert "pip install 'actm[diagram]'" in res.stderr
    assert "apt-get install graphviz" in res.stderr and "brew install graphviz" in res.stderr


def test_missing_graphviz_package_with_dot_present_gives_only_the_pip_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dot = tmp_path / "dot"
    dot.write_text("#!/bin/sh\n", encoding="utf-8")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "graphviz", None)
    res = runner.invoke(app, ["diagram", str(RAG), "-f", "svg"])
    assert res.exit_code == 2
    assert "pip install 'actm[diagram]'" in res.stderr
    assert "apt-get" not in res.stderr


def test_missing_dot_program_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    res = runner.invoke(app, ["diagram", str(RAG), "-f", "png", "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2, res.output
    assert "`dot` is not installed" in res.stderr
    assert "brew install graphviz" in res.stderr
    assert not (tmp_path / "x.png").exists()


def test_missing_dot_is_found_before_the_analysis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """For the threat view too, and without the pip hint: the package is installed."""
    pytest.importorskip("graphviz")
    import actm.cli.diagram as command

    def no_analysis(*args: object, **kwargs: object) -> None:
        raise AssertionError("the analysis ran before the check for `dot`")

    monkeypatch.setattr(command, "analyse", no_analysis)
    monkeypatch.setenv("PATH", str(tmp_path))
    res = runner.invoke(app, ["diagram", str(RAG), "--view", f"threat:{THREAT}", "-f", "svg"])
    assert res.exit_code == 2, res.output
    assert "`dot` is not installed" in res.stderr
    assert "pip install" not in res.stderr


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("tool-data-exfil", THREAT), ("exfiltration@support-agent@customer", THREAT)],
)
def test_threat_id_hint_matches_prefixes_and_substrings(typed: str, expected: str) -> None:
    res = runner.invoke(app, ["diagram", str(RAG), "--view", f"threat:{typed}"])
    assert res.exit_code == 2
    assert f"did you mean {expected}" in res.stderr


def test_large_mermaid_output_warns_on_stderr(tmp_path: Path) -> None:
    from actm.render.diagram import mermaid_warnings

    assert mermaid_warnings("flowchart LR\n  a --> b\n") == []
    big = "flowchart LR\n" + "".join(f"  n{i} --> n{i + 1}\n" for i in range(501))
    (edges,) = mermaid_warnings(big)
    assert "501 edges" in edges and "maxEdges 500" in edges
    long = "flowchart LR\n" + "  %% " + "x" * 50_000 + "\n"
    (size,) = mermaid_warnings(long)
    assert "maxTextSize 50,000" in size
    res = runner.invoke(app, ["diagram", str(RAG), "-f", "mermaid"])
    assert res.exit_code == 0 and "warning" not in res.stderr


def test_analyze_csv() -> None:
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout == (GOLDEN / "customer-support-rag.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows[0]["id"] == THREAT
    assert rows[0]["severity"] == "critical"
    assert "owasp_llm:LLM02" in rows[0]["references"].split("; ")


def test_analyze_stix(tmp_path: Path) -> None:
    stix2 = pytest.importorskip("stix2")
    out = tmp_path / "bundle.json"
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "stix", "-o", str(out)])
    assert res.exit_code == 0, res.output
    bundle = stix2.parse(out.read_text(encoding="utf-8"), allow_custom=False)
    notes = [o for o in bundle.objects if o.type == "note"]
    assert notes[0].external_references[0].external_id == THREAT


def test_analyze_stix_without_stix2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "stix2", None)
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "stix"])
    assert res.exit_code == 2
    assert "pip install 'actm[stix]'" in res.stderr
