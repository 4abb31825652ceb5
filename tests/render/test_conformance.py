"""Every renderer of every table, on the bundled examples and an empty model.

Parametrised over :data:`actm.render.formats.TABLES`, so a new renderer (or a new table) gets
these tests without writing any: its metadata agrees with the table and the packaging, its
output has the declared type, is deterministic, is clean UTF-8 text when it is text, parses
when it is JSON, CSV or YAML, and docs/cli.md names exactly the formats the table has.
"""

from __future__ import annotations

import csv
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

CASES = [(table, name) for table, formats in TABLES.items() for name in formats]
PARSED = {"json": json.loads, "sarif": json.loads, "stix": json.loads}
SLOW = {("analyze", "pdf")}
"""Formats that take seconds per document: rendered for the empty model (twice) and one
example (once); tests/render/test_pdf.py lays out every example."""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Raw control characters other than tab and newline (an ANSI escape, a carriage return)."""


@cache
def _results() -> dict[str, Result]:
    kb = actm.load_knowledge()
    out = {"empty": actm.analyze(actm.load_model_text(EMPTY, knowledge=kb), knowledge=kb)}
    for path in EXAMPLES:
        out[path.stem] = actm.analyze(
            actm.load_model(path, knowledge=kb), knowledge=kb, today=TODAY
        )
    return out


def _plans() -> dict[str, Any]:
    from actm.plan import make_plan

    kb = actm.load_knowledge()
    models = {"empty": actm.load_model_text(EMPTY, knowledge=kb)}
    models |= {p.stem: actm.load_model(p, knowledge=kb) for p in EXAMPLES}
    return {k: make_plan(m, kb, target="high", today=TODAY) for k, m in models.items()}


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
    if table == "kb list":
        return {"all": KbListing(kb, tuple(kb.sorted())), "none": KbListing(kb, ())}
    if table == "kb show":
        return {e.id: KbEntry(kb, e) for e in kb.sorted()}
    if table == "kb coverage":
        return {"all": tuple(coverage(kb)), "none": ()}
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
        assert not CONTROL.search(out), f"{key}: raw control character"
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
