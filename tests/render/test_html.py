"""The HTML report (and the PDF report): self-contained, escaped, deterministic; in headless
Chromium it loads cleanly, draws the whole graph and plays a threat's chain.

The browser tests (marked ``browser``) drive Debian's /usr/bin/chromium through Playwright and
skip when either is missing; the PDF tests skip without WeasyPrint or pdftoppm.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.render._layout import box_layout
from actm.render.html import (
    csp_hash,
    render_html,
    script_json,
    shown_step_elements,
    shown_steps,
)
from actm.results.graph import chain_elements
from actm.results.model import Result

ROOT = Path(__file__).resolve().parents[2]
RAG = ROOT / "examples" / "customer-support-rag.yaml"
PIPELINE = ROOT / "examples" / "ml-training-pipeline.yaml"
CHROMIUM = Path("/usr/bin/chromium")
TODAY = date(2026, 1, 15)

XSS_MODEL = """\
actm: 1
system: {id: xss, name: "<script>alert(1)</script> sys", owner: acme}
owners:
  - {id: acme, name: "<script>alert(2)</script>", first_party: true}
zones:
  - {id: app, name: "</script><script>alert(3)</script>", trust: high}
nodes:
  - {id: api, kind: service, zone: app, name: "<img src=x onerror=alert(4)>"}
  - {id: crm, kind: database, zone: app}
models:
  - id: bot
    kind: agent
    name: "<script>alert(5)</script>"
    exposure: public
    deployed_on: [api]
    tools: [lookup, send_email]
assets:
  - id: customers
    type: personal_data
    name: "<script>alert(6)</script>\\u2028x"
    description: "</script><!-- <script>alert(7)</script> & more"
    criticality: {confidentiality: critical}
    resides: [{node: crm, mode: stored}]
tools:
  - {id: lookup, name: "<b onmouseover=alert(8)>x</b>", node: api, permissions: {read: [customers]}}
  - {id: send_email, node: api, permissions: {egress: [internet]}}
triage:
  - id: tool-data-exfiltration@*
    status: accepted
    justification: "<script>alert(9)</script>"
"""
RAW_TAGS = re.compile(r"<script>alert|<img src=x|<b onmouseover|</script><script>")


def _result(path: Path) -> Result:
    return actm.analyze(actm.load_model(path), today=TODAY)


@pytest.fixture(scope="module")
def rag() -> Result:
    return _result(RAG)


@pytest.fixture(scope="module")
def xss(tmp_path_factory: pytest.TempPathFactory) -> Result:
    path = tmp_path_factory.mktemp("xss") / "xss.yaml"
    path.write_text(XSS_MODEL, encoding="utf-8")
    return _result(path)


def _data(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="actm-data">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


# -- structure ------------------------------------------------------------------------------


def test_the_report_loads_nothing_from_outside(rag: Result) -> None:
    html = render_html(rag)
    assert html.startswith("<!DOCTYPE html>")
    # inline scripts run only by their hashes: no injected script or event handler would
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    hashes = " ".join(csp_hash(text) for text in scripts)
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"script-src {hashes}; style-src 'unsafe-inline'; img-src data:\">" in html
    )
    assert "'unsafe-inline'" not in html.split("script-src", 1)[1].split(";", 1)[0]
    # no element or style rule fetches anything: every script and style is inline
    assert not re.search(r"""\b(src|href|action|poster)\s*=\s*["']?\s*(https?:)?//""", html)
    assert not re.search(r"<script[^>]*\ssrc=|<link\b|@import|url\(\s*['\"]?(https?:)?//", html)
    assert [m.group(0) for m in re.finditer(r"<script[^>]*>", html)] == [
        '<script type="application/json" id="actm-data">',
        "<script>",
        "<script>",
    ]
    assert '$h.version="3.34.4"' in html  # cytoscape.js, inlined


def test_the_vendored_file_is_the_one_the_readme_names() -> None:
    vendor = ROOT / "src" / "actm" / "render" / "vendor"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    for name in ("cytoscape.min.js", "cytoscape.LICENSE"):
        digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
        assert f"`{name}` | " in readme and f"`{digest}`" in readme, name


def test_the_report_is_deterministic(rag: Result) -> None:
    assert render_html(rag) == render_html(_result(RAG))


def test_the_report_is_the_same_across_processes(tmp_path: Path) -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        out = tmp_path / f"{seed}.html"
        subprocess.run(
            [sys.executable, "-m", "actm", "analyze", str(RAG), "-f", "html", "-o", str(out)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


def test_the_report_shows_summary_threats_assumptions_and_capabilities(rag: Result) -> None:
    html = render_html(rag)
    for section in ("summary", "workspace", "assumptions", "capabilities", "attacks"):
        assert f'<section id="{section}">' in html
    top = rag.threats[0]
    assert top.id == "tool-data-exfiltration@support-agent@customer-records"
    assert f'<li class="threat" id="t-{top.fingerprint}" data-level="critical"' in html
    assert 'data-teams="product" data-pipelines="deployment"' in html
    assert "<td><code>vendor-terms</code></td><td>llm-vendor</td>" in html
    # the team filter offers the three team views
    assert '<option value="infrastructure">Infrastructure and platform team</option>' in html


def test_the_graph_data_matches_the_system_graph(rag: Result) -> None:
    data = _data(render_html(rag))
    graph = rag.graph
    assert [e[0] for e in data["el"]] == [e.id for e in graph.elements]
    assert len(data["ed"]) == len(graph.edges)
    ids = [e[0] for e in data["el"]]
    for row, edge in zip(data["ed"], graph.edges, strict=True):
        rebuilt = row[0] or f"{row[1]}:{ids[row[2]]}->{ids[row[3]]}"
        assert (rebuilt, ids[row[2]], ids[row[3]]) == (edge.id, edge.source, edge.target)
    assert len(data["th"]) == len(rag.threats)


def test_each_shown_step_carries_the_elements_its_chain_steps_touch(rag: Result) -> None:
    threat = rag.threats[0]
    shown = shown_steps(threat)
    assert [s.text for s in shown] == [
        "external-user holds make_arbitrary_changes on support-agent.inputs.user_input",
        "direct-prompt-injection: influence on support-agent.outputs",
        "support-agent calls tool lookup_customer: influence on lookup_customer.inputs",
        "support-agent calls tool send_email: influence on send_email.inputs",
        "tool-data-exfiltration: inspect on customer-records",
    ]
    # the structural step (outputs to outputs.tool_calls) is folded into the next shown one
    assert [s.indices for s in shown] == [(0,), (1,), (2, 3), (4,), (5,)]
    data = _data(render_html(rag))
    names = [e[0] for e in data["el"]] + [
        e.id for e in rag.graph.edges
    ]  # index -> id, as in the script
    touched = chain_elements(rag.graph, threat)
    level, steps, marks = data["th"][0]
    assert level == "critical"
    # a folded structural step does not repaint what an earlier shown step painted
    per_step = shown_step_elements(threat, shown, touched)
    assert "support-agent.outputs" in touched[2] and "support-agent.outputs" not in per_step[2]
    assert per_step[2] == {"lookup_customer", "uses_tool:support-agent->lookup_customer"}
    assert [sorted(names[i] for i in step) for step in steps] == [sorted(p) for p in per_step]
    assert [names[i] for i in marks] == ["customer-records"]


def test_script_json_cannot_close_its_element() -> None:
    value = {"a": "</script><!-- x & y \u2028\u2029 >"}
    text = str(script_json(value))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


def test_user_text_is_escaped_everywhere(xss: Result) -> None:
    html = render_html(xss)
    assert not RAW_TAGS.search(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; sys" in html  # the title, as text
    assert "&lt;script&gt;alert(9)&lt;/script&gt;" in html  # the triage justification
    assert html.count("</script>") == 3
    labels = {e[0]: e[3] for e in _data(html)["el"]}
    assert labels["bot"] == "<script>alert(5)</script>"
    assert labels["customers"] == "<script>alert(6)</script>\u2028x"


def test_boxes_hold_their_children_without_overlap() -> None:
    result = _result(PIPELINE)
    boxes = box_layout(result.graph.elements)
    assert box_layout(result.graph.elements) == boxes
    for e in result.graph.elements:
        if e.parent is None:
            continue
        child, parent = boxes[e.id], boxes[e.parent]
        assert parent.width > 0, e.parent
        assert abs(child.x - parent.x) < parent.width / 2, e.id
        assert abs(child.y - parent.y) < parent.height / 2, e.id
    leaves = sorted((b.x, b.y) for b in boxes.values() if not b.width)
    assert len(set(leaves)) == len(leaves)


def test_analyze_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["analyze", str(RAG), "-f", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_pdf_without_weasyprint_is_a_usage_error_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails
    res = CliRunner().invoke(app, ["analyze", str(RAG), "-f", "pdf", "-o", str(tmp_path / "r.pdf")])
    assert res.exit_code == 2
    assert "pip install 'actm[pdf]'" in res.output
    assert not (tmp_path / "r.pdf").exists()


# -- PDF ------------------------------------------------------------------------------------


def test_pdf_renders_and_its_first_page_becomes_an_image(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = tmp_path / "report.pdf"
    res = CliRunner().invoke(app, ["analyze", str(PIPELINE), "-f", "pdf", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
    )
    pages = list(tmp_path.glob("page-*.png"))
    assert len(pages) == 1
    assert pages[0].stat().st_size > 5_000  # a page with text, not a blank one


def test_pdf_appendix_holds_the_model_files_or_the_elements() -> None:
    pytest.importorskip("weasyprint")
    from actm.render.pdf import render_pdf_html

    result = _result(PIPELINE)
    sources = {f: (PIPELINE.parent / f).read_text(encoding="utf-8") for f in result.system.files}
    html = render_pdf_html(result, sources)
    assert result.system.files == ("ml-training-pipeline.yaml", "shared/platform.yaml")
    assert html.index("<h3><code>ml-training-pipeline.yaml</code></h3>") < html.index(
        "<h3><code>shared/platform.yaml</code></h3>"
    )
    dump = render_pdf_html(result)
    assert "<td><code>lesion-classifier.dataset</code></td><td>asset</td>" in dump


def test_pdf_escapes_user_text(xss: Result) -> None:
    pytest.importorskip("weasyprint")
    from actm.render.pdf import render_pdf_html

    assert not RAW_TAGS.search(render_pdf_html(xss))


# -- in the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


class Page:
    """A report opened in the browser, with what went wrong while it ran."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on(
            "request",
            lambda r: None if r.url.startswith("file:") else self.problems.append(r.url),
        )
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-graph=ready]", timeout=30_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def classed(self, cls: str) -> set[str]:
        return set(self.js(f"window.actmReport.cy.elements('.{cls}').map(e => e.id())"))

    def shown_threats(self) -> list[str]:
        return list(
            self.js(
                "Array.from(document.querySelectorAll('#threat-list > li'))"
                ".filter(li => !li.hidden).map(li => li.querySelector('summary').textContent)"
            )
        )


@pytest.fixture
def rag_page(browser: Any, rag: Result, tmp_path: Path) -> Iterator[Page]:
    path = tmp_path / "rag.html"
    path.write_text(render_html(rag), encoding="utf-8")
    page = Page(browser, path)
    yield page
    page.page.close()


@pytest.mark.browser
def test_the_report_loads_without_errors_and_draws_every_element(
    rag_page: Page, rag: Result
) -> None:
    assert rag_page.problems == []
    cy_ids = rag_page.js("window.actmReport.cy.elements().map(e => e.id())")
    assert len(cy_ids) == len(rag.graph.elements) + len(rag.graph.edges) == 60
    assert sorted(cy_ids) == sorted(
        [e.id for e in rag.graph.elements] + [e.id for e in rag.graph.edges]
    )
    # the threatened assets are ringed by the severity of their worst threat
    assert rag_page.classed("sev-critical") == {"customer-records"}
    assert rag_page.shown_threats() == [t.id for t in rag.threats]


@pytest.mark.browser
def test_clicking_a_threat_draws_its_chain_step_by_step(rag_page: Page, rag: Result) -> None:
    threat = rag.threats[0]
    shown = shown_steps(threat)
    per_step = shown_step_elements(threat, shown, chain_elements(rag.graph, threat))
    rag_page.page.click("#threat-list > li:first-child .pick")
    assert rag_page.classed("chain") == set().union(*per_step)
    assert rag_page.classed("chain-current") == per_step[-1]
    assert rag_page.js("document.getElementById('chain-panel').hidden") is False
    assert rag_page.js("document.getElementById('step-at').textContent") == "step 5 of 5"
    listed = rag_page.js(
        "Array.from(document.querySelectorAll('#chain-steps li')).map(li => li.textContent)"
    )
    assert listed == [s.text for s in shown]
    rag_page.page.click("#step-first")
    assert rag_page.classed("chain") == per_step[0]
    assert rag_page.classed("chain-current") == per_step[0]
    rag_page.page.click("#step-next")
    assert rag_page.classed("chain") == per_step[0] | per_step[1]
    assert rag_page.classed("chain-current") == per_step[1]
    assert rag_page.js("document.getElementById('step-at').textContent") == "step 2 of 5"
    # what is not in the chain fades (boxes stay), and clearing restores everything
    assert "lookup_customer" in rag_page.classed("faded")
    rag_page.page.click("#clear")
    assert rag_page.classed("chain") == rag_page.classed("faded") == set()
    assert rag_page.problems == []


@pytest.mark.browser
def test_filters_change_the_threat_list_and_the_marks(rag_page: Page, rag: Result) -> None:
    page = rag_page.page
    page.uncheck("input[name=level][value=critical]")
    assert rag_page.shown_threats() == [t.id for t in rag.threats if t.severity.level != "critical"]
    assert rag_page.js("document.getElementById('shown').textContent") == (
        f"{len(rag.threats) - 1} of {len(rag.threats)} threats shown"
    )
    assert "customer-records" not in rag_page.classed("sev-critical")
    page.check("input[name=level][value=critical]")
    page.select_option("select[name=team]", "infrastructure")
    assert rag_page.shown_threats() == [t.id for t in rag.threats if "infrastructure" in t.teams]
    page.select_option("select[name=team]", "")
    page.select_option("select[name=framework]", "owasp_asi")
    assert rag_page.shown_threats() == [t.id for t in rag.threats if t.references.get("owasp_asi")]
    page.select_option("select[name=framework]", "")
    page.select_option("select[name=pipeline]", "development")
    assert rag_page.shown_threats() == [t.id for t in rag.threats if "development" in t.pipelines]
    page.select_option("select[name=pipeline]", "")
    page.fill("input[name=q]", "EXFILTRATION")
    assert rag_page.shown_threats() == [
        t.id for t in rag.threats if "exfiltration" in (t.id + t.title).lower()
    ]
    assert rag_page.problems == []


@pytest.mark.browser
def test_user_text_shows_as_text_and_runs_nothing(
    browser: Any, xss: Result, tmp_path: Path
) -> None:
    path = tmp_path / "xss.html"
    path.write_text(render_html(xss), encoding="utf-8")
    page = Page(browser, path)
    try:
        page.page.click("#threat-list > li:first-child .pick")
        # every graph element's panel, then every threat's chain panel: nothing may run
        tapped = page.js(
            "(() => { const cy = window.actmReport.cy; let n = 0;"
            " cy.elements().forEach(e => { e.emit('tap'); n++; }); return n; })()"
        )
        assert tapped == len(xss.graph.elements) + len(xss.graph.edges)
        assert page.js("document.getElementById('info').hidden") is False
        for n in range(len(xss.threats)):
            page.page.click(f"#threat-list > li:nth-child({n + 1}) .pick")
        page.page.wait_for_timeout(200)
        assert page.dialogs == []
        assert page.js("document.querySelectorAll('#info *, #chain-panel *').length") > 0
        assert page.js("document.querySelectorAll('#info img, #info b, #info script').length") == 0
        assert page.js("document.querySelectorAll('#chain-panel img, #chain-panel b').length") == 0
        assert page.js("document.querySelectorAll('[onerror], [onmouseover]').length") == 0
        assert page.problems == []
        assert page.js("document.querySelector('h1').textContent") == (
            "Threat model: <script>alert(1)</script> sys"
        )
        assert page.js("document.querySelectorAll('script').length") == 3
        assert page.js("document.querySelectorAll('img, b').length") == 0
        assert page.js("window.actmReport.cy.getElementById('bot').data('label')") == (
            "<script>alert(5)</script>"
        )
    finally:
        page.page.close()


@pytest.mark.browser
def test_a_large_graph_starts_without_its_assets_and_adds_a_chain(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above COLLAPSE elements and edges the assets are left out until a chain needs them."""
    from actm.render import html as html_module

    result = _result(RAG)
    monkeypatch.setattr(html_module, "COLLAPSE", 10)
    text = render_html(result)
    assert _data(text)["collapse"] is True
    path = tmp_path / "large.html"
    path.write_text(text, encoding="utf-8")
    page = Page(browser, path)
    try:
        assets = {e.id for e in result.graph.elements if e.kind == "asset"}
        drawn = set(page.js("window.actmReport.cy.nodes().map(e => e.id())"))
        assert drawn == {e.id for e in result.graph.elements} - assets
        # the threat on customer-records rings the box that holds it
        assert page.classed("sev-critical") == {"crm-db"}
        page.page.click("#threat-list > li:first-child .pick")
        assert "customer-records" in set(page.js("window.actmReport.cy.nodes().map(e => e.id())"))
        assert page.classed("sev-critical") == {"customer-records"}
        page.page.click("#show-all")
        total = len(result.graph.elements) + len(result.graph.edges)
        assert page.js("window.actmReport.cy.elements().length") == total
        assert page.problems == []
    finally:
        page.page.close()


@pytest.mark.browser
def test_on_a_large_graph_a_selected_chain_and_its_steps_come_into_view(
    browser: Any, tmp_path: Path
) -> None:
    """On a generated model above LARGE, the fitted graph is tiny; selecting a threat and
    stepping through its chain zooms in on the step's elements (not on the adversary, packed
    far away at the top level)."""
    model = tmp_path / "gen.yaml"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            *("--assets", "1000", "--output", str(model)),
        ],
        check=True,
    )
    result = actm.analyze(actm.load_model(model), today=TODAY)
    text = render_html(result)
    assert _data(text)["large"] is True
    path = tmp_path / "gen.html"
    path.write_text(text, encoding="utf-8")
    page = Page(browser, path)
    # the elements of the current step (not its adversary or zone) inside the view
    in_view = (
        "(() => { const cy = window.actmReport.cy, x = cy.extent();"
        " const ns = cy.nodes('.chain-current')"
        "   .filter(n => !['adversary', 'external', 'zone'].includes(n.data('kind')));"
        " return ns.filter(n => { const p = n.position();"
        "   return p.x >= x.x1 && p.x <= x.x2 && p.y >= x.y1 && p.y <= x.y2; }).length; })()"
    )
    try:
        fitted = page.js("window.actmReport.cy.zoom()")
        assert fitted < 0.2
        page.page.click("#threat-list > li:first-child .pick")
        assert page.js("window.actmReport.cy.zoom()") >= 0.3
        shown = page.js("window.actmReport.data.th[0][1].length")
        page.page.click("#step-first")
        for k in range(shown):
            assert page.js("window.actmReport.step") == k
            assert page.js("window.actmReport.cy.zoom()") >= 0.3, k
            assert page.js(in_view) > 0, k
            page.page.click("#step-next")
        assert page.problems == []
    finally:
        page.page.close()
