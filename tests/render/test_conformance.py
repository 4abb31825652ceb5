"""Every renderer of every table, on the bundled examples and an empty model.

Parametrised over :data:`actm.render.formats.TABLES`, so a new renderer (or a new table) gets
these tests without writing any: its metadata agrees with the table and the packaging, its
output has the declared type, is deterministic, is clean UTF-8 text when it is text, parses
when it is JSON, CSV or YAML, and docs/cli.md names exactly the formats the table has.

One of the values is hostile (tests/render/hostile/): a model and a knowledge overlay whose
names, descriptions, titles and triage decisions hold terminal escape sequences, C1 controls,
NUL, noncharacters and bidirectional controls. No text output may carry any of them raw.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sys
import tomllib
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import actm
from actm.errors import UsageError
from actm.io.visible import UNSAFE
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.coverage import coverage
from actm.render.diagram import DiagramView
from actm.render.formats import FORMATS, TABLES, renderer
from actm.render.graphviz import graphviz_available
from actm.render.interface import MissingExtra, Renderer, RenderOptions
from actm.render.kb import KbEntry, KbListing
from actm.results.diff import diff_results
from actm.results.gate import gate
from actm.results.model import Result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TODAY = date(2026, 1, 15)
EMPTY = "actm: 1\nsystem: {id: empty}\n"
HOSTILE = Path(__file__).parent / "hostile"

CASES = [(table, name) for table, formats in TABLES.items() for name in formats]
PARSED = {"json": json.loads, "sarif": json.loads, "stix": json.loads}
SLOW = {("analyze", "pdf")}
"""Formats that take seconds per document: rendered for the empty model (twice) and one
example (once); tests/render/test_pdf.py lays out every example."""


@cache
def hostile_kb() -> KnowledgeBase:
    return actm.load_knowledge([HOSTILE / "knowledge"])


@cache
def _results() -> dict[str, Result]:
    kb = actm.load_knowledge()
    out = {"empty": actm.analyze(actm.load_model_text(EMPTY, knowledge=kb), knowledge=kb)}
    for path in EXAMPLES:
        out[path.stem] = actm.analyze(
            actm.load_model(path, knowledge=kb), knowledge=kb, today=TODAY
        )
    hostile = actm.load_model(HOSTILE / "model.yaml", knowledge=hostile_kb())
    out["hostile"] = actm.analyze(hostile, knowledge=hostile_kb(), today=TODAY)
    return out


def _plans() -> dict[str, Any]:
    from actm.plan import make_plan

    kb = actm.load_knowledge()
    models = {"empty": actm.load_model_text(EMPTY, knowledge=kb)}
    models |= {p.stem: actm.load_model(p, knowledge=kb) for p in EXAMPLES}
    plans = {k: make_plan(m, kb, target="high", today=TODAY) for k, m in models.items()}
    hostile = actm.load_model(HOSTILE / "model.yaml", knowledge=hostile_kb())
    plans["hostile"] = make_plan(hostile, hostile_kb(), target="low", today=TODAY)
    return plans


def _diagrams() -> dict[str, DiagramView]:
    out = {}
    for key, result in _results().items():
        for view in ("infrastructure", "lineage"):
            out[f"{key}:{view}"] = DiagramView(result.graph, view, None)
        if result.threats:
            out[f"{key}:threat"] = DiagramView(
                result.graph, f"threat:{result.threats[0].id}", result
            )
    return out


@cache
def values(table: str) -> Mapping[str, Any]:
    """The values a table's renderers are tried on, by a readable key."""
    results = _results()
    kb = actm.load_knowledge()
    if table == "analyze":
        return results
    if table == "check":
        return {
            f"{k}@{level}": gate(r, level) for k, r in results.items() for level in ("high", "info")
        }
    if table == "diff":
        rag = results["customer-support-rag"]
        return {
            **{f"{k}->{k}": diff_results(r, r) for k, r in results.items()},
            **{f"empty->{k}": diff_results(results["empty"], r) for k, r in results.items()},
            "rag->empty": diff_results(rag, results["empty"]),
        }
    if table == "plan":
        return _plans()
    if table == "diagram":
        return _diagrams()
    bad = hostile_kb()
    if table == "kb list":
        return {
            "all": KbListing(kb, tuple(kb.sorted())),
            "none": KbListing(kb, ()),
            "hostile": KbListing(bad, tuple(bad.sorted())),
        }
    if table == "kb show":
        return {e.id: KbEntry(kb, e) for e in kb.sorted()} | {
            "hostile": KbEntry(bad, bad.attacks["hostile-steering"])
        }
    if table == "kb coverage":
        return {"all": tuple(coverage(kb)), "none": (), "hostile": tuple(coverage(bad))}
    raise AssertionError(f"no values for the table {table!r}: add them here")


def _tried(table: str, name: str) -> dict[str, Any]:
    got = dict(values(table))
    if (table, name) in SLOW:
        got = {k: v for k, v in got.items() if k in ("empty", "credential-theft")}
    return got


def _usable(r: Renderer[Any]) -> None:
    try:
        r.check_available()
    except MissingExtra as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize(("table", "name"), CASES, ids=[f"{t}:{n}" for t, n in CASES])
def test_metadata(table: str, name: str) -> None:
    r = TABLES[table][name]
    assert r.name == name
    assert r.description and "\n" not in r.description and len(r.description) <= 80
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    if r.requires or r.extra:
        assert r.extra in extras, f"{name}: no extra {r.extra!r} in pyproject.toml"
        declared = {re.split(r"[<>=\[ ]", req)[0] for req in extras[r.extra]}
        assert set(r.requires) <= declared
    if r.streams:
        assert not r.binary


@pytest.mark.parametrize(("table", "name"), CASES, ids=[f"{t}:{n}" for t, n in CASES])
def test_output(table: str, name: str) -> None:
    """The declared type, the same bytes twice, clean UTF-8 text, and output that parses."""
    r = TABLES[table][name]
    _usable(r)
    tried = _tried(table, name)
    assert tried
    for n, (key, value) in enumerate(tried.items()):
        out = r.render(value, RenderOptions())
        assert isinstance(out, bytes) is r.binary, key
        if n == 0 or (table, name) not in SLOW:
            assert r.render(value, RenderOptions()) == out, f"{key}: not deterministic"
        data = out if isinstance(out, bytes) else out.encode("utf-8")
        if r.streams:
            assert b"".join(r.chunks(value, RenderOptions())) == data, key
        if r.binary:
            assert data, key
            continue
        assert isinstance(out, str)
        assert not UNSAFE.search(out), f"{key}: raw control character"
        assert out.endswith("\n") or out == "", key
        if name in PARSED:
            PARSED[name](out)
        elif name == "csv":
            rows = list(csv.reader(io.StringIO(out)))
            assert len({len(row) for row in rows}) == 1, key
        elif name == "yaml":
            YAML(typ="safe").load(out)


def test_the_json_of_a_result_is_the_result() -> None:
    result = _results()["customer-support-rag"]
    data = json.loads(FORMATS["json"].render(result, RenderOptions()))
    assert [t["id"] for t in data["threats"]] == [t.id for t in result.threats]
    assert data["threats"][0]["id"] == "tool-data-exfiltration@support-agent@customer-records"


def test_a_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "stix2", None)
    with pytest.raises(
        MissingExtra, match=r"^--format stix needs the stix2 package: pip install 'actm\[stix\]'$"
    ):
        FORMATS["stix"].check_available()
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(UsageError, match=r"pip install 'actm\[pdf\]'"):
        FORMATS["pdf"].check_available()


def test_svg_and_png_say_what_graphviz_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    for name in ("svg", "png"):
        with pytest.raises(MissingExtra, match=r"pip install 'actm\[diagram\]'"):
            TABLES["diagram"][name].check_available()
    assert not graphviz_available()


def test_an_unknown_format_lists_the_known_ones() -> None:
    assert renderer(FORMATS, "html") is FORMATS["html"]
    known = "text, markdown, json, sarif, csv, stix, otm, threat-dragon, html, pdf"
    with pytest.raises(UsageError, match=f"^no format 'htm'; the formats are {known}$"):
        renderer(FORMATS, "htm")


def _documented() -> dict[str, set[str]]:
    """The formats docs/cli.md gives each command (``--format a|b`` or ``-f a|b``)."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        head = re.match(r"`actm ([a-z ]+)`", section)
        if head is None:
            continue
        found: set[str] = set()
        for m in re.finditer(r"(?:--format|-f) ([a-z-]+(?:\\?\|[a-z-]+)+)", section):
            found |= set(m.group(1).replace("\\", "").split("|"))
        out[head.group(1)] = found
    return out


def test_docs_name_exactly_the_formats_of_each_table() -> None:
    documented = _documented()
    assert set(TABLES) <= set(documented)
    for command, table in TABLES.items():
        if documented[command]:
            assert documented[command] == set(table), command
        else:  # no --format: the command writes its one format
            assert list(table) == ["text"], command
    assert {c for c, fmts in documented.items() if fmts} <= set(TABLES)


def test_docs_describe_each_analysis_format() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("## `actm analyze`")[1].split("\n## ")[0]
    described = re.findall(r"^- `([a-z-]+)`: ", section, flags=re.M)
    assert described == list(FORMATS)


# -- hostile text ---------------------------------------------------------------------------

SGR = re.compile("\x1b\\[[0-9;]*m")


def _hostile(table: str) -> dict[str, Any]:
    return {k: v for k, v in values(table).items() if "hostile" in k}


COLOURED = [(t, n) for t, n in CASES if TABLES[t][n].colours]


@pytest.mark.parametrize(("table", "name"), COLOURED, ids=[f"{t}:{n}" for t, n in COLOURED])
def test_coloured_text_keeps_only_its_own_colour_sequences(table: str, name: str) -> None:
    """With colour on, the renderer's own colour sequences are the only escapes left: the
    colour sequence a model's text holds is spelled out like any other."""
    r = TABLES[table][name]
    spelled = []
    for key, value in _hostile(table).items():
        out = r.render(value, RenderOptions(color=True))
        assert isinstance(out, str)
        assert SGR.search(out), key
        assert not UNSAFE.search(SGR.sub("", out)), key
        spelled += [key] if "\\u001b[" in out else []
    assert spelled


def test_hostile_text_is_spelled_out_in_the_text_report() -> None:
    out = FORMATS["text"].render(_results()["hostile"], RenderOptions(width=200))
    assert isinstance(out, str)
    assert out.splitlines()[0] == (
        "actm 0.1.0: Sys \\u001b[2J\\u001b]0;pwned\\u0007 \\u009b31m \\u0000 \\ufffe \\u202eevil"
    )
    assert (
        "triage: accepted by bob \\u001b[5m until 2030-01-01 (https://example.com/\\u001b[1m): "
        "ok \\u001b[2K\\u000d fine \\u0000 \\u009d \\u202a"
    ) in out
    assert "Steering \\u001b[2J through \\u009b1A a tool \\u202e" in out


def test_hostile_text_is_spelled_out_in_markdown() -> None:
    out = FORMATS["markdown"].render(_results()["hostile"], RenderOptions())
    assert isinstance(out, str)
    assert out.splitlines()[0] == (
        # a backslash before a letter is itself in Markdown: this reads "\u001b[2J"
        "# Threat model: Sys \\u001b\\[2J\\u001b\\]0;pwned\\u0007 \\u009b31m \\u0000 "
        "\\ufffe \\u202eevil"
    )


JSON_OUT = sorted(
    {
        ("analyze", "json"),
        ("analyze", "sarif"),
        ("analyze", "stix"),
        ("check", "json"),
        ("diff", "json"),
        ("plan", "json"),
        ("kb list", "json"),
        ("kb coverage", "json"),
    }
)


def _strings(data: object) -> set[str]:
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(_strings(k) | _strings(v) for k, v in data.items()))
    if isinstance(data, list):
        return set().union(*(_strings(v) for v in data))
    return set()


@pytest.mark.parametrize(("table", "name"), JSON_OUT, ids=[f"{t}:{n}" for t, n in JSON_OUT])
def test_json_keeps_hostile_text_exactly(table: str, name: str) -> None:
    """In JSON a control character becomes an escape that decodes to it: the data is
    unchanged, only its spelling is safe to print."""
    r = TABLES[table][name]
    _usable(r)
    found: set[str] = set()
    for value in _hostile(table).values():
        out = r.render(value, RenderOptions())
        assert isinstance(out, str) and not UNSAFE.search(out)
        found |= _strings(json.loads(out))
    assert found & {
        "Sys \x1b[2J\x1b]0;pwned\x07 \x9b31m \x00 \ufffe \u202eevil",
        "Steering \x1b[2J through \x9b1A a tool \u202e",
        "hostile-steering",
    }


def test_plan_yaml_keeps_hostile_text_exactly() -> None:
    """The YAML to paste into a model reads back as the catalogue's text: a control character
    in a name is written as a YAML escape in a double-quoted string."""
    plan = _plans()["hostile"]
    # a name that YAML itself would write unquoted: only a bidirectional control in it
    bidi = dataclasses.replace(
        plan.controls[0], model_yaml=plan.controls[0].model_yaml | {"name": "a \u202e b"}
    )
    plan = dataclasses.replace(plan, controls=(*plan.controls, bidi))
    out = TABLES["plan"]["yaml"].render(plan, RenderOptions())
    assert isinstance(out, str) and not UNSAFE.search(out)
    entries = YAML(typ="safe").load(out)
    names = [e["name"] for e in entries]
    assert "Limit \x1b[2J each \x9b call \u202e" in names
    assert names[-1] == "a \u202e b"


def test_binary_formats_lay_out_visible_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF and PNG hold text out of reach of ``render``: what they lay out is made visible
    first (the HTML WeasyPrint reads, the DOT text Graphviz draws)."""
    import actm.render.graphviz

    laid_out: list[str] = []

    class _Html:
        def __init__(self, *, string: str, url_fetcher: object) -> None:
            laid_out.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF"

    def _draw(dot: str, fmt: str) -> bytes:
        laid_out.append(dot)
        return b"\x89PNG"

    weasyprint = pytest.importorskip("weasyprint")
    monkeypatch.setattr(weasyprint, "HTML", _Html)
    monkeypatch.setattr(actm.render.graphviz, "draw", _draw)
    result = _results()["hostile"]
    assert FORMATS["pdf"].render(result, RenderOptions()) == b"%PDF"
    view = DiagramView(result.graph, "infrastructure", None)
    assert TABLES["diagram"]["png"].make(view, RenderOptions()) == b"\x89PNG"
    assert len(laid_out) == 2
    for text in laid_out:
        assert not UNSAFE.search(text)
        assert "\\u001b" in text


def test_the_html_reports_script_knows_the_severity_levels_in_their_order() -> None:
    """report.js cannot import actm.terms: its copy of the levels must stay equal to LEVELS."""
    import json
    import re
    from importlib.resources import files

    from actm.terms import LEVELS

    script = (files("actm.render") / "static" / "report.js").read_text(encoding="utf-8")
    found = re.search(r"var LEVELS = (\[[^\]]*\]);", script)
    assert found is not None
    assert tuple(json.loads(found.group(1))) == tuple(LEVELS)
