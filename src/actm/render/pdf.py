"""PDF report for filing: a cover, the summary with the root causes of several threats and
the accepted risk, every threat with its route, root cause and chain, the assumptions, and an
appendix with the model, rendered with WeasyPrint (the optional ``pdf`` extra). It says about
each threat's findings what the HTML report does (render/_findings.py).

The appendix holds the model's source files when the caller passes their text (``actm analyze
--format pdf`` reads the files the model was loaded from); without them, a table of the
model's elements and relations built from the result's graph. The renderer reads no file
itself, so it stays a function of what it is given.

The same input gives the same bytes. WeasyPrint embeds subsets of the fonts it uses, and
fontTools stamps each subset with the current time unless ``SOURCE_DATE_EPOCH`` is set (the
reproducible-builds convention); while it writes, :func:`render_pdf` sets that variable to
:data:`FONT_TIME` when the caller has not set it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment
from markupsafe import Markup

from actm.errors import UsageError
from actm.io.visible import visible
from actm.render._common import (
    by_team,
    count,
    template_env,
    triage_status,
    triage_text,
    untriaged,
)
from actm.render._findings import (
    accepted_text,
    findings_rows,
    root_cause_text,
    shared_root_causes,
)
from actm.render.html import framework_counts, references_text, shown_steps
from actm.results.model import Result
from actm.terms import SEVERITIES_WORST_FIRST

__all__ = ["INSTALL_HINT", "render_pdf", "render_pdf_html"]

INSTALL_HINT = "--format pdf needs WeasyPrint: pip install 'actm[pdf]'"
FONT_TIME = "1735689600"
"""2025-01-01T00:00:00Z in seconds: the time stamped into the PDF's embedded fonts."""


@lru_cache(maxsize=1)
def _env() -> Environment:
    return template_env(
        autoescape=True,
        filters={
            "count": count,
            "findings": findings_rows,
            "steps": shown_steps,
            "references": references_text,
            "triage_status": triage_status,
            "triage_text": triage_text,
        },
    )


def render_pdf_html(result: Result, sources: Mapping[str, str] | None = None) -> str:
    """The HTML that :func:`render_pdf` lays out (print style sheet inlined)."""
    css = files("actm.render").joinpath("static", "print.css").read_text(encoding="utf-8")
    return (
        _env()
        .get_template("report.pdf.j2")
        .render(
            r=result,
            css=Markup(css),  # our own style sheet
            levels=SEVERITIES_WORST_FIRST,
            untriaged=untriaged(result),
            frameworks=framework_counts(result),
            teams=by_team(result),
            team_titles=result.team_titles,
            causes=[(g, root_cause_text(g)) for g in shared_root_causes(result)],
            accepted=[(t, accepted_text(t)) for t in result.threats if t.accepted is not None],
            anchors={t.id: t.fingerprint for t in result.threats},
            sources=sorted((sources or {}).items(), key=lambda kv: _file_order(result, kv[0])),
        )
    )


def _file_order(result: Result, name: str) -> tuple[int, str]:
    """The root model file first, then the included files as the result lists them."""
    order = result.system.files
    return (order.index(name) if name in order else len(order), name)


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """WeasyPrint's URL fetcher: the report is self-contained and fetches nothing."""
    raise ValueError(f"the PDF report loads nothing ({url})")


@contextmanager
def _font_time() -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` set to :data:`FONT_TIME` for the duration, unless already set."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_TIME
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def render_pdf(result: Result, sources: Mapping[str, str] | None = None) -> bytes:
    """The report as PDF bytes. ``sources`` maps the model's file names (as in
    ``result.system.files``) to their text, for the appendix.

    Raises :class:`~actm.errors.UsageError` (exit 2) when WeasyPrint or the libraries it needs
    are not installed.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise UsageError(f"{INSTALL_HINT} ({type(exc).__name__}: {exc})") from None
    # the text is laid out into the PDF: make its control characters visible first
    document = HTML(string=visible(render_pdf_html(result, sources)), url_fetcher=_fetch_nothing)
    with _font_time():
        data = document.write_pdf()
    if not isinstance(data, bytes):  # pragma: no cover - write_pdf without a target returns bytes
        raise TypeError("WeasyPrint returned no bytes")
    return data
