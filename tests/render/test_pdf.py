"""The PDF report's layout: no text runs past the page's right margin, however long the
identifiers in a table are. Skips without WeasyPrint or pdftotext (poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

import actm
from actm.results.model import Result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PIPELINE = ROOT / "examples" / "ml-training-pipeline.yaml"
TODAY = date(2026, 1, 15)
MM = 72 / 25.4
RIGHT_MARGIN = 16 * MM  # print.css: @page { margin: 18mm 16mm 20mm }
_PAGE = re.compile(r'<page width="([\d.]+)"')
_WORD = re.compile(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>')


def _result(path: Path) -> Result:
    return actm.analyze(actm.load_model(path), today=TODAY)


def _beyond_right_margin(pdf: Path) -> list[tuple[int, str, float]]:
    """(page, word, right edge in pt) of every word whose right edge lies past the margin."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    page, width, over = 0, 0.0, []
    for line in out.splitlines():
        if m := _PAGE.search(line):
            page, width = page + 1, float(m.group(1))
        elif (m := _WORD.search(line)) and float(m.group(1)) > width - RIGHT_MARGIN + 1:
            over.append((page, m.group(2), float(m.group(1))))
    assert page > 0, "pdftotext found no pages"
    return over


@pytest.fixture(autouse=True)
def _tools() -> None:
    pytest.importorskip("weasyprint")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_text_lies_past_the_right_margin(path: Path, tmp_path: Path) -> None:
    from actm.render.pdf import render_pdf

    result = _result(path)
    sources = {f: (path.parent / f).read_text(encoding="utf-8") for f in result.system.files}
    for name, src in (("with-sources", sources), ("elements", None)):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(render_pdf(result, src))
        assert _beyond_right_margin(pdf) == [], name


def test_long_unbreakable_identifiers_wrap_inside_the_assumptions_table(tmp_path: Path) -> None:
    """The reviewer's case: page 7 of the pipeline's report, where ``make_arbitrary_changes``
    and long threat ids pushed the assumptions table past the margin."""
    from actm.render.pdf import render_pdf

    result = _result(PIPELINE)
    assert result.assumptions, "the pipeline example states third-party assumptions"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_pdf(result))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Third-party assumptions" in text
    assert _beyond_right_margin(pdf) == []
