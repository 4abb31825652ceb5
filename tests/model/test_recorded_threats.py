"""Threats recorded in other tools (``recorded_threats:``) and the ``origin:`` of imported
elements: validated like every section, reported apart, never analysed."""

from __future__ import annotations

from datetime import date

import pytest

import actm
from actm.api import load_model_text
from actm.errors import ModelError
from actm.model.system import RecordedThreat
from actm.render.html import render_html
from actm.render.markdown import render_markdown
from actm.render.text import render_text

MODEL = """\
actm: 1
system: {id: shop, name: Shop}
zones:
  - {id: dmz, trust: low, origin: {format: otm, id: zone-1}}
nodes:
  - {id: db, kind: database, zone: dmz, origin: {format: threat-dragon, id: 6f1c-db}}
assets:
  - {id: orders, type: data, resides: [{node: db}]}
recorded_threats:
  - id: sqli
    title: SQL injection
    category: Tampering
    severity: high
    status: mitigated
    mitigations: [parameterised queries, a web application firewall]
    on: db
    origin: {format: threat-dragon, id: 9a1b}
  - {id: phishing, title: Phishing of staff}
"""


def test_recorded_threats_are_kept_as_written() -> None:
    model = load_model_text(MODEL)
    assert model.recorded_threats == (
        RecordedThreat(
            id="sqli",
            title="SQL injection",
            description=None,
            category="Tampering",
            severity="high",
            likelihood=None,
            status="mitigated",
            mitigations=("parameterised queries", "a web application firewall"),
            on="db",
            derived=None,
            origin=("threat-dragon", "9a1b"),
        ),
        RecordedThreat(
            "phishing", "Phishing of staff", None, None, None, None, "open", (), None, None, None
        ),
    )


def test_recorded_threats_change_no_analysis_and_are_reported_apart() -> None:
    today = date(2026, 1, 15)
    plain = load_model_text(MODEL.split("recorded_threats:", maxsplit=1)[0])
    recorded = actm.analyze(load_model_text(MODEL), today=today)
    assert [t.id for t in recorded.threats] == [
        t.id for t in actm.analyze(plain, today=today).threats
    ]
    assert [t.id for t in recorded.recorded_threats] == ["sqli", "phishing"]
    assert recorded.details["db"].origin == ("threat-dragon", "6f1c-db")
    assert recorded.details["dmz"].origin == ("otm", "zone-1")
    text = render_text(recorded)
    assert (
        "  sqli: SQL injection (Tampering; severity high; mitigated; on db; threat-dragon id 9a1b)"
        in text.splitlines()
    )
    assert "  phishing: Phishing of staff (open)" in text.splitlines()
    assert (
        "| `sqli` | SQL injection | Tampering; severity high; mitigated; on db; threat-dragon id "
        "9a1b |" in render_markdown(recorded)
    )
    assert (
        "<tr><td>SQL injection (<code>sqli</code>)</td><td>Tampering; severity high; mitigated; "
        "on db; threat-dragon id 9a1b</td></tr>" in render_html(recorded)
    )


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        ("    on: db\n", "dangling-reference", ":16:9:"),
        ("    status: mitigated\n", "", ":14:"),
        ("    category: Tampering\n", "stride", ":13:"),
    ],
)
def test_bad_recorded_threats_are_located(change: str, code: str, where: str) -> None:
    replacement = {
        "    on: db\n": "    on: nowhere\n",
        "    status: mitigated\n": "    status: fixed\n",
        "    category: Tampering\n": "    category: Tampering\n    stride: T\n",
    }[change]
    with pytest.raises(ModelError) as caught:
        load_model_text(MODEL.replace(change, replacement), path="m.yaml")
    shown = str(caught.value)
    assert f"m.yaml{where}" in shown
    assert code in shown


def test_an_unknown_element_of_a_recorded_threat_lists_every_kind_it_can_be() -> None:
    """The hint lists zones, nodes and assets alike, so it does not call them nodes."""
    with pytest.raises(ModelError) as caught:
        load_model_text(MODEL.replace("    on: db\n", "    on: nowhere\n"), path="m.yaml")
    assert caught.value.diagnostics[0].hint == (
        "valid elements (nodes, relations, assets, zones, models, tools): db, dmz, orders"
    )
