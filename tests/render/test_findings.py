"""The findings every human-facing report shows, in words (``actm.render._findings``)."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import actm
from actm.render._findings import (
    accepted_text,
    asset_groups,
    cooperation_text,
    route_text,
    shared_root_causes,
)
from actm.render.csv import render_csv
from actm.render.html import render_html
from actm.render.text import render_text
from actm.results.model import Result

ROOT = Path(__file__).resolve().parents[2]


def _result(name: str) -> Result:
    return actm.analyze(actm.load_model(ROOT / "examples" / f"{name}.yaml"))


def test_route_accepted_and_cooperation_texts() -> None:
    r = _result("ml-training-pipeline")
    by_id = {t.id: t for t in r.threats}
    backdoor = by_id["model-backdoor@lesion-classifier"]
    assert route_text(backdoor) == "from supplier:hub-publisher (operator, 2 steps); 1 other route"
    poisoning = by_id["training-data-poisoning@lesion-classifier"]
    assert accepted_text(poisoning) == "vendor-labels: justified by label-audit"
    assert accepted_text(backdoor) == ""
    assert cooperation_text(backdoor) == ""
    together = dataclasses.replace(backdoor, cooperation=("insider", "supplier:hub-publisher"))
    assert cooperation_text(together) == "needs insider and supplier:hub-publisher together"
    text = render_text(r.__class__(**{**_fields(r), "threats": (together,)}))
    assert "needs insider and supplier:hub-publisher together" in text


def _fields(r: Result) -> dict[str, object]:
    return {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}


def test_asset_groups_keep_every_id() -> None:
    r = _result("mcp-desktop-assistant")
    groups = [(g.ids, g.assets) for g in asset_groups(r.threats) if len(g.threats) > 1]
    assert groups == [
        (
            (
                "excessive-agency-write@assistant@documents",
                "excessive-agency-write@assistant@tasks",
            ),
            ("documents", "tasks"),
        ),
        (
            # the token embedded in the tasks is read with them
            (
                "tool-data-exfiltration@assistant@tasks",
                "tool-data-exfiltration@assistant@tasks-token",
            ),
            ("tasks", "tasks-token"),
        ),
        (
            ("tool-shadowing@read_file@create_task", "tool-shadowing@write_file@create_task"),
            ("read_file", "write_file"),
        ),
    ]
    assert sum(len(g.threats) for g in asset_groups(r.threats)) == len(r.threats)
    assert [len(g.threats) for g in shared_root_causes(r)] == [15, 2]


def test_csv_has_accepted_routes_and_root_cause_columns() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(_result("ml-training-pipeline")))))
    by_id = {r["id"]: r for r in rows}
    accepted = by_id["training-data-poisoning@lesion-classifier"]
    assert [accepted[k] for k in ("accepted", "routes", "route", "cooperation", "root_cause")] == [
        "vendor-labels: justified by label-audit",
        "1",
        "from supplier:image-vendor (operator, 1 step)",
        "",
        "supplier:image-vendor: attack training-data-poisoning"
        " on lesion-classifier.model_parameters",
    ]
    assert [by_id["model-backdoor@lesion-classifier"][k] for k in ("accepted", "routes")] == [
        "",
        "2",
    ]


def test_html_shows_root_causes_accepted_risk_and_routes() -> None:
    page = render_html(_result("ml-training-pipeline"))
    findings = page[page.index('<section id="findings">') : page.index('<section id="workspace">')]
    assert (
        "<td><code>external-user: attack model-extraction on lesion-classifier.model_parameters"
        "</code></td>" in findings
    )
    assert ">proxy-model-evasion@lesion-classifier</a>, " in findings
    assert (
        ">training-data-poisoning@lesion-classifier</a></td>"
        "<td>vendor-labels: justified by label-audit</td>" in findings
    )
    assert (
        "<dt>route shown</dt>"
        "<dd>from supplier:hub-publisher (operator, 2 steps); 1 other route</dd>" in page
    )
    assert "<dt>accepted risk</dt><dd>vendor-labels: justified by label-audit</dd>" in page
