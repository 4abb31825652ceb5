"""Every output format, one table per rendered value; the command line's ``--format`` choices.

Each table maps a format name to its :class:`~actm.render.interface.Renderer`, in the order
the help lists them. A renderer here only says what it is and calls its module's function,
which it imports when it first renders: reading these tables (to build the command line)
imports no template engine, no console library and no optional package.

To add a format: write the function in its module (a pure function of the value), add a
``Renderer`` subclass below that calls it, put an instance in the table, and document the
format in docs/cli.md; the conformance tests (tests/render/test_conformance.py) pick it up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from actm.errors import UsageError
from actm.io.visible import visible, visible_json_bytes
from actm.io.writer import Spooled
from actm.render.interface import Renderer, RenderOptions

if TYPE_CHECKING:
    from actm.knowledge.coverage import FrameworkCoverage
    from actm.render.diagram import DiagramView
    from actm.render.kb import KbEntry, KbListing
    from actm.results.diff import Diff
    from actm.results.gate import Gate
    from actm.results.model import Result
    from actm.results.plan import Plan

__all__ = [
    "CHECK_FORMATS",
    "COVERAGE_FORMATS",
    "DIAGRAM_FORMATS",
    "DIFF_FORMATS",
    "FORMATS",
    "KB_LIST_FORMATS",
    "KB_SHOW_FORMATS",
    "PLAN_FORMATS",
    "TABLES",
    "renderer",
]

V = TypeVar("V")


# -- analysis results (actm analyze) --------------------------------------------------------


class TextRenderer(Renderer["Result"]):
    name = "text"
    description = "a summary for the terminal: counts, the threats, the worst chains"
    colours = True

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.text import render_text

        return render_text(value, color=options.color, width=options.width)


class MarkdownRenderer(Renderer["Result"]):
    name = "markdown"
    description = "the full report in Markdown"

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.markdown import render_markdown

        return render_markdown(value)


class JsonRenderer(Renderer["Result"]):
    name = "json"
    description = "the complete result as JSON (actm schema --result)"
    streams = True

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.json import render_json

        return render_json(value)

    def pieces(self, value: Result, options: RenderOptions) -> Iterator[bytes]:
        # a piece at a time: a 100k-asset result is half a gigabyte of text
        from actm.render.json import iter_json

        return iter_json(value)

    def chunks(self, value: Result, options: RenderOptions) -> Iterator[bytes]:
        # JSON text: made visible by the quicker test that holds for it (io/visible.py)
        for piece in self.pieces(value, options):
            yield visible_json_bytes(piece)

    def parts(self, value: Result, options: RenderOptions) -> Iterator[bytes | Spooled]:
        # made visible where they are made: the pieces a forked child serialises are copied
        # into the output as it wrote them (render/json.py)
        from actm.render.json import spool_json

        return spool_json(value, visible_json_bytes)


class SarifRenderer(Renderer["Result"]):
    name = "sarif"
    description = "SARIF 2.1.0 for code scanning"

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.sarif import render_sarif

        return render_sarif(value, base=options.sarif_base)


class CsvRenderer(Renderer["Result"]):
    name = "csv"
    description = "one row per threat for issue trackers and spreadsheets"

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.csv import render_csv

        return render_csv(value)


class StixRenderer(Renderer["Result"]):
    name = "stix"
    description = "a STIX 2.1 bundle"
    extra = "stix"
    requires = ("stix2",)

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.stix import render_stix

        return render_stix(value)


class OtmRenderer(Renderer["Result"]):
    name = "otm"
    description = "an Open Threat Model (OTM 0.2) file: zones, nodes, flows and threats"

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.otm import render_otm

        return render_otm(value)


class ThreatDragonRenderer(Renderer["Result"]):
    name = "threat-dragon"
    description = "an OWASP Threat Dragon version 2 model: one diagram with the threats"

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.threatdragon import render_threat_dragon

        return render_threat_dragon(value)


class HtmlRenderer(Renderer["Result"]):
    name = "html"
    description = "a self-contained, offline, interactive HTML report"

    def make(self, value: Result, options: RenderOptions) -> str:
        from actm.render.html import render_html

        return render_html(value)


class PdfRenderer(Renderer["Result"]):
    name = "pdf"
    description = "a PDF report to file, with the model's files in an appendix"
    binary = True
    extra = "pdf"
    requires = ("weasyprint",)
    uses_sources = True

    def make(self, value: Result, options: RenderOptions) -> bytes:
        from actm.render.pdf import render_pdf

        return render_pdf(value, options.sources)


# -- the CI gate (actm check) -----------------------------------------------------------------


class CheckTextRenderer(Renderer["Gate"]):
    name = "text"
    description = "the verdict and the failing threats with their places in the model"

    def make(self, value: Gate, options: RenderOptions) -> str:
        from actm.render.check import render_check_text

        return render_check_text(value, options.model_path)


class CheckJsonRenderer(Renderer["Gate"]):
    name = "json"
    description = "the verdict, the failing threats, unmatched triage and the summary as JSON"

    def make(self, value: Gate, options: RenderOptions) -> str:
        from actm.render.check import render_check_json

        return render_check_json(value, options.model_path)


class CheckGithubRenderer(Renderer["Gate"]):
    name = "github"
    description = "GitHub workflow annotations for the failing threats, then the text"

    def make(self, value: Gate, options: RenderOptions) -> str:
        from actm.render.check import render_check_github

        return render_check_github(value, options.model_path)


# -- what changed between two analyses (actm diff) --------------------------------------------


class DiffTextRenderer(Renderer["Diff"]):
    name = "text"
    description = "the changes for the terminal"
    colours = True

    def make(self, value: Diff, options: RenderOptions) -> str:
        from actm.render.diff import render_diff_text

        return render_diff_text(value, color=options.color, width=options.width)


class DiffMarkdownRenderer(Renderer["Diff"]):
    name = "markdown"
    description = "the changes as a pull-request comment"

    def make(self, value: Diff, options: RenderOptions) -> str:
        from actm.render.diff import render_diff_markdown

        return render_diff_markdown(value)


class DiffJsonRenderer(Renderer["Diff"]):
    name = "json"
    description = "the changes as JSON"

    def make(self, value: Diff, options: RenderOptions) -> str:
        from actm.render.diff import render_diff_json

        return render_diff_json(value)


# -- mitigation plans (actm plan) -------------------------------------------------------------


class PlanTextRenderer(Renderer["Plan"]):
    name = "text"
    description = "the chosen controls and what each removes"

    def make(self, value: Plan, options: RenderOptions) -> str:
        from actm.render.plan import render_plan_text

        return render_plan_text(value, width=options.width)


class PlanJsonRenderer(Renderer["Plan"]):
    name = "json"
    description = "the plan as JSON"

    def make(self, value: Plan, options: RenderOptions) -> str:
        from actm.render.plan import render_plan_json

        return render_plan_json(value)


class PlanYamlRenderer(Renderer["Plan"]):
    name = "yaml"
    description = "the chosen controls, to paste under the model's controls:"

    def make(self, value: Plan, options: RenderOptions) -> str:
        from actm.render.plan import render_plan_yaml

        return render_plan_yaml(value)


# -- diagrams (actm diagram) ------------------------------------------------------------------


class DotRenderer(Renderer["DiagramView"]):
    name = "dot"
    description = "Graphviz DOT text"

    def make(self, value: DiagramView, options: RenderOptions) -> str:
        from actm.render.diagram import render_dot

        return render_dot(value.graph, value.view, value.result)


class MermaidRenderer(Renderer["DiagramView"]):
    name = "mermaid"
    description = "a Mermaid flowchart"

    def make(self, value: DiagramView, options: RenderOptions) -> str:
        from actm.render.diagram import render_mermaid

        return render_mermaid(value.graph, value.view, value.result)

    def warnings(self, output: str | bytes) -> list[str]:
        from actm.render.diagram import mermaid_warnings

        return mermaid_warnings(output if isinstance(output, str) else output.decode("utf-8"))


class _Drawn(Renderer["DiagramView"]):
    """The DOT text drawn by Graphviz (the package and the ``dot`` program)."""

    extra = "diagram"
    requires = ("graphviz",)

    def check_available(self) -> None:
        from actm.render.graphviz import check_graphviz

        check_graphviz()

    def _draw(self, value: DiagramView) -> bytes:
        from actm.render.diagram import render_dot
        from actm.render.graphviz import draw

        # drawn text is out of reach of render(): make it visible before Graphviz lays it out
        return draw(visible(render_dot(value.graph, value.view, value.result)), self.name)


class SvgRenderer(_Drawn):
    name = "svg"
    description = "SVG drawn by Graphviz"

    def make(self, value: DiagramView, options: RenderOptions) -> str:
        return self._draw(value).decode("utf-8")


class PngRenderer(_Drawn):
    name = "png"
    description = "PNG drawn by Graphviz"
    binary = True

    def make(self, value: DiagramView, options: RenderOptions) -> bytes:
        return self._draw(value)


# -- the knowledge base (actm kb list, show, coverage) ----------------------------------------


class KbListTextRenderer(Renderer["KbListing"]):
    name = "text"
    description = "one line per entry: id, title, [conversion]"

    def make(self, value: KbListing, options: RenderOptions) -> str:
        from actm.render.kb import render_kb_list_text

        return render_kb_list_text(value)


class KbListJsonRenderer(Renderer["KbListing"]):
    name = "json"
    description = "the entries with their references and mapped items as JSON"

    def make(self, value: KbListing, options: RenderOptions) -> str:
        from actm.render.kb import render_kb_list_json

        return render_kb_list_json(value)


class KbShowTextRenderer(Renderer["KbEntry"]):
    name = "text"
    description = "one entry: steps, impact, references, controls"

    def make(self, value: KbEntry, options: RenderOptions) -> str:
        from actm.render.kb import render_kb_show_text

        return render_kb_show_text(value)


class CoverageTextRenderer(Renderer["Sequence[FrameworkCoverage]"]):
    name = "text"
    description = "a table of counts, then each framework's items"

    def make(self, value: Sequence[FrameworkCoverage], options: RenderOptions) -> str:
        from actm.render.kb import render_coverage_text

        return render_coverage_text(value, summary=options.summary)


class CoverageJsonRenderer(Renderer["Sequence[FrameworkCoverage]"]):
    name = "json"
    description = "each framework's coverage as JSON"

    def make(self, value: Sequence[FrameworkCoverage], options: RenderOptions) -> str:
        from actm.render.kb import render_coverage_json

        return render_coverage_json(value)


# -- the tables -------------------------------------------------------------------------------


def _table(*renderers: Renderer[V]) -> Mapping[str, Renderer[V]]:
    table = {r.name: r for r in renderers}
    if len(table) != len(renderers):
        raise ValueError("two renderers of one table share a name")
    return MappingProxyType(table)


FORMATS: Mapping[str, Renderer[Result]] = _table(
    TextRenderer(),
    MarkdownRenderer(),
    JsonRenderer(),
    SarifRenderer(),
    CsvRenderer(),
    StixRenderer(),
    OtmRenderer(),
    ThreatDragonRenderer(),
    HtmlRenderer(),
    PdfRenderer(),
)
"""The formats of an analysis result (``actm analyze --format``)."""
CHECK_FORMATS: Mapping[str, Renderer[Gate]] = _table(
    CheckTextRenderer(), CheckJsonRenderer(), CheckGithubRenderer()
)
DIFF_FORMATS: Mapping[str, Renderer[Diff]] = _table(
    DiffTextRenderer(), DiffMarkdownRenderer(), DiffJsonRenderer()
)
PLAN_FORMATS: Mapping[str, Renderer[Plan]] = _table(
    PlanTextRenderer(), PlanJsonRenderer(), PlanYamlRenderer()
)
DIAGRAM_FORMATS: Mapping[str, Renderer[DiagramView]] = _table(
    DotRenderer(), MermaidRenderer(), SvgRenderer(), PngRenderer()
)
KB_LIST_FORMATS: Mapping[str, Renderer[KbListing]] = _table(
    KbListTextRenderer(), KbListJsonRenderer()
)
KB_SHOW_FORMATS: Mapping[str, Renderer[KbEntry]] = _table(KbShowTextRenderer())
COVERAGE_FORMATS: Mapping[str, Renderer[Sequence[FrameworkCoverage]]] = _table(
    CoverageTextRenderer(), CoverageJsonRenderer()
)

TABLES: Mapping[str, Mapping[str, Renderer[Any]]] = MappingProxyType(
    {
        "analyze": FORMATS,
        "check": CHECK_FORMATS,
        "diff": DIFF_FORMATS,
        "plan": PLAN_FORMATS,
        "diagram": DIAGRAM_FORMATS,
        "kb list": KB_LIST_FORMATS,
        "kb show": KB_SHOW_FORMATS,
        "kb coverage": COVERAGE_FORMATS,
    }
)
"""Every table, by the command that writes its value."""


def renderer(table: Mapping[str, Renderer[V]], name: str) -> Renderer[V]:
    """The renderer of format ``name``; :class:`~actm.errors.UsageError` for another name."""
    found = table.get(name)
    if found is None:
        raise UsageError(f"no format {name!r}; the formats are {', '.join(table)}")
    return found
