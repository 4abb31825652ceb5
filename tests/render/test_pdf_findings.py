"""The PDF report says about each threat's findings what the HTML report does: its route, root
cause and adversaries, the root causes of several threats and the accepted risk. It reads the
HTML WeasyPrint lays out, so it runs without WeasyPrint."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import actm
from actm.render.pdf import render_pdf_html

PIPELINE = Path(__file__).resolve().parents[2] / "examples" / "ml-training-pipeline.yaml"


def test_the_pdf_shows_routes_root_causes_and_accepted_risk() -> None:
    result = actm.analyze(actm.load_model(PIPELINE), today=date(2026, 1, 15))
    html = render_pdf_html(result)
    anchors = {t.id: t.fingerprint for t in result.threats}
    # the root causes of more than one threat, with the threats that go when it is fixed
    assert (
        "<td><code>external-user: attack model-extraction on "
        "lesion-classifier.model_parameters</code></td><td>2: "
        f'<a href="#t-{anchors["proxy-model-evasion@lesion-classifier"]}">'
        "<code>proxy-model-evasion@lesion-classifier</code></a>, "
        f'<a href="#t-{anchors["model-extraction@lesion-classifier"]}">'
        "<code>model-extraction@lesion-classifier</code></a></td>"
    ) in html
    # accepted risk apart, with the justification
    accepted = next(t for t in result.threats if t.accepted is not None)
    assert accepted.id == "training-data-poisoning@lesion-classifier"
    assert f'<a href="#t-{accepted.fingerprint}"><code>{accepted.id}</code></a>' in html
    # each threat's route, adversaries and root cause
    assert (
        "<tr><th>adversaries</th><td>external-user</td></tr>\n"
        "<tr><th>route shown</th><td>from external-user (internet, 1 step)</td></tr>\n"
        "<tr><th>root cause</th><td>external-user: attack model-evasion on "
        "lesion-classifier.outputs</td></tr>"
    ) in html
