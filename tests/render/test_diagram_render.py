"""Diagrams (DOT, Mermaid) and the CSV export against golden files; escaping; SVG and PNG.

Regenerate the golden files after an intended change and review the diff:

    ACTM_UPDATE_GOLDEN=1 python -m pytest tests/render
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

import actm
from actm.errors import UsageError
from actm.render.csv import COLUMNS, render_csv
from actm.render.diagram import render_dot, render_mermaid
from actm.render.graphviz import graphviz_available

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
RAG = ROOT / "examples" / "customer-support-rag.yaml"
THREAT = "tool-data-exfiltration@support-agent@customer-records"
TODAY = date(2026, 1, 15)
VIEWS = {"infrastructure": "infrastructure", "lineage": "lineage", "threat": f"threat:{THREAT}"}
RENDERERS = {"dot": render_dot, "mmd": render_mermaid}


@pytest.fixture(scope="module")
def rag() -> actm.Result:
    return actm.analyze(actm.load_model(RAG), today=TODAY)


def _golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("ACTM_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8", newline="")
    assert golden.is_file(), f"missing {golden}; run with ACTM_UPDATE_GOLDEN=1"
    with golden.open(encoding="utf-8", newline="") as f:
        assert text == f.read()


@pytest.mark.parametrize("suffix", sorted(RENDERERS))
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_diagram_matches_golden(rag: actm.Result, view: str, suffix: str) -> None:
    text = RENDERERS[suffix](rag.graph, VIEWS[view], rag)
    _golden(f"customer-support-rag.{view}.{suffix}", text)


def test_csv_matches_golden(rag: actm.Result) -> None:
    _golden("customer-support-rag.csv", render_csv(rag))


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_csv_gives_trackers_a_unique_summary_and_a_body(path: Path) -> None:
    import csv
    import io

    result = actm.analyze(actm.load_model(path), today=TODAY)
    rows = list(csv.DictReader(io.StringIO(render_csv(result))))
    summaries = [r["summary"] for r in rows]
    assert len(set(summaries)) == len(summaries)
    for row, t in zip(rows, result.threats, strict=True):
        assert row["summary"].startswith(t.title)
        assert t.assets[0] in row["summary"]
        assert row["description"].startswith(t.description)
        assert "\nChain:\n1. " in row["description"]
        assert row["likelihood"] == t.likelihood
        assert row["assumptions"] == "; ".join(t.assumptions)
        assert row["vulnerabilities"] == "; ".join(t.vulnerabilities)
        assert row["adversaries"] == "; ".join(t.adversaries)


def test_threat_view_numbers_the_visible_steps(rag: actm.Result) -> None:
    dot = render_dot(rag.graph, f"threat:{THREAT}", rag)
    steps = re.findall(r'^  "step:(\d+)" \[label="([^"]*)"', dot, re.M)
    assert [n for n, _ in steps] == ["1", "2", "3", "4", "5"]
    assert steps[-1][1] == "5. tool-data-exfiltration: inspect on\\ncustomer-records"
    # the impacted asset is highlighted, the chain's edges are drawn
    assert re.search(r'"customer-records" \[[^\n]*penwidth=3', dot)
    assert '"lookup_customer" -> "customer-records" [label="reads"]' in dot


def test_unknown_threat_suggests_close_ids(rag: actm.Result) -> None:
    with pytest.raises(UsageError, match=r"did you mean tool-data-exfiltration@support-agent@"):
        render_dot(rag.graph, "threat:tool-data-exfiltration@support-agent@customer", rag)
    with pytest.raises(UsageError, match="unknown view 'infra'"):
        render_mermaid(rag.graph, "infra")
    with pytest.raises(UsageError, match="needs a threat id"):
        render_dot(rag.graph, "threat", rag)


def test_diagrams_are_deterministic(rag: actm.Result) -> None:
    again = actm.analyze(actm.load_model(RAG), today=TODAY)
    for view in VIEWS.values():
        assert render_dot(rag.graph, view, rag) == render_dot(again.graph, view, again)
        assert render_mermaid(rag.graph, view, rag) == render_mermaid(again.graph, view, again)


NASTY = '<script>alert("x")</script> back\\slash #1; a|b [c] `d`'
HOSTILE = """
actm: 1
system: {id: hostile, name: "Evil \\"system\\"\\nline two", owner: acme}
owners: [{id: acme, first_party: true}]
zones: [{id: end, name: "zone <b>bold</b>", trust: high}]
nodes:
  - {id: srv, kind: service, zone: end, name: "srv\\r\\nnext"}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [srv], tools: [t1]}
assets:
  - id: data
    type: personal_data
    name: '<script>alert("x")</script> back\\slash #1; a|b [c] `d`'
    criticality: {confidentiality: critical}
    resides: [{node: srv}]
tools:
  - {id: t1, node: srv, name: "tool \\"quoted\\"", permissions: {read: [data], egress: [x]}}
"""


@pytest.fixture(scope="module")
def hostile() -> actm.Result:
    return actm.analyze(actm.load_model_text(HOSTILE), today=TODAY)


def _dot_strings(dot: str) -> list[str]:
    """Every quoted string of a DOT text, unescaped; fails on an unterminated one."""
    out = []
    for line in dot.splitlines():
        rest = line
        while '"' in rest:
            start = rest.index('"')
            m = re.match(r'"((?:[^"\\]|\\.)*)"', rest[start:])
            assert m, f"unterminated string in {line!r}"
            out.append(re.sub(r"\\(.)", r"\1", m.group(1)))
            rest = rest[start + m.end() :]
    return out


@pytest.mark.parametrize("view", ["infrastructure", "lineage", "threat"])
def test_dot_escapes_user_text(hostile: actm.Result, view: str) -> None:
    threat = hostile.threats[0].id
    dot = render_dot(hostile.graph, f"threat:{threat}" if view == "threat" else view, hostile)
    assert "\r" not in dot
    strings = _dot_strings(dot)
    if view != "lineage":
        assert (
            '<script>alert("x")</script> back\\slash #1; a|b [c] `d`ndata: personal_data' in strings
        )
        assert 'tool "quoted"nt1: tool' in strings
    if view == "infrastructure":
        assert 'Evil "system"nline two: infrastructure' in strings
        assert "srvnnextnsrv: service" in strings  # CR LF -> one line break


@pytest.mark.parametrize("view", ["infrastructure", "lineage", "threat"])
def test_mermaid_escapes_user_text(hostile: actm.Result, view: str) -> None:
    threat = hostile.threats[0].id
    text = render_mermaid(hostile.graph, f"threat:{threat}" if view == "threat" else view, hostile)
    assert "<script" not in text and "</" not in text
    for line in text.splitlines()[1:]:
        # ids are [A-Za-z0-9_]; labels are quoted and hold no quote, bracket or pipe
        without = re.sub(r'"[^"\[\]|`<>]*"', '""', line.replace("<br>", ""))
        assert '"' not in without.replace('""', ""), line
        assert re.fullmatch(r"[ A-Za-z0-9_%:#,;\-.(){}\[\]/\\|>=\"]*", without), line
    if view != "lineage":
        assert "#60;script#62;alert(#34;x#34;)#60;/script#62; back#92;slash #35;1#59;" in text
    if view == "infrastructure":
        # the zone called "end" (a Mermaid keyword) gets a prefixed id
        assert '  subgraph c_cluster_end["zone #60;b#62;bold#60;/b#62; (zone, trust high)"]' in text


@pytest.mark.skipif(
    not graphviz_available(), reason="needs the graphviz package and the dot program"
)
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_graphviz_draws_every_view(rag: actm.Result, hostile: actm.Result, fmt: str) -> None:
    from actm.render.graphviz import draw

    for result, view in [
        (rag, "infrastructure"),
        (rag, "lineage"),
        (rag, f"threat:{THREAT}"),
        (hostile, "infrastructure"),
    ]:
        data = draw(render_dot(result.graph, view, result), fmt)
        if fmt == "png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
        else:
            svg = data.decode("utf-8")
            assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
            assert "<script" not in svg
    svg = draw(render_dot(hostile.graph, "infrastructure", hostile), "svg").decode("utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg


def test_csv_neutralises_formulas_and_keeps_columns(hostile: actm.Result) -> None:
    import csv
    import io

    result = hostile
    rows = list(csv.reader(io.StringIO(render_csv(result))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(result.threats) + 1
    for row in rows[1:]:
        assert len(row) == len(COLUMNS)
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    from actm.render.csv import _cell

    assert [_cell(x) for x in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
    ]


def test_the_mermaid_example_in_the_docs_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    model = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    result = actm.analyze(actm.load_model_text(model), today=TODAY)
    shown = (ROOT / "docs" / "diagrams.md").read_text(encoding="utf-8")
    block = shown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == render_mermaid(
        result.graph, "threat:tool-data-exfiltration@bot@customers", result
    )
