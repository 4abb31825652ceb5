"""The text and Markdown reports show triage, the threats the controls mitigate, and stale
triage entries (the golden files show them whole; these tests pin the parts that matter)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import actm
from actm.render.markdown import render_markdown
from actm.render.text import render_text
from actm.results.model import Result

MODEL = Path(__file__).parent / "models" / "triaged-agent.yaml"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def result() -> Result:
    """As of 2026-01-15: alice's acceptance holds, bob's expired on 2025-06-30. Loaded from its
    directory, so that the place of a stale triage entry reads ``triaged-agent.yaml:68:9``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(MODEL.parent)
        return actm.analyze(actm.load_model(MODEL.name), today=date(2026, 1, 15))


def test_the_model_gives_what_the_tests_rely_on(result: Result) -> None:
    triaged = {t.id: t.triage for t in result.threats if t.triage}
    assert set(triaged) == {
        "system-prompt-extraction@support-agent",
        "direct-prompt-injection@support-agent",
        "tool-data-disclosure@support-agent@customer-records",
    }
    assert triaged["direct-prompt-injection@support-agent"].expired  # type: ignore[union-attr]
    assert [m.id for m in result.mitigated] == [
        "tool-data-exfiltration@support-agent@customer-records"
    ]
    assert result.summary["untriaged"] == 3
    assert result.summary["mitigated"] == result.summary["triage_unmatched"] == 1
    assert result.triage_unmatched[0].location == "triaged-agent.yaml:68:9"


def test_text_summary_triage_mitigated_and_stale(result: Result) -> None:
    text = render_text(result)
    lines = text.splitlines()
    assert lines[1:5] == [
        "threats in scope: 4 (0 critical, 1 high, 2 medium, 1 low, 0 info), 3 untriaged",
        "attack patterns out of scope: 104",
        "threats mitigated by controls: 1",
        "triage entries matching no threat: 1",
    ]
    flat = re.sub(r"[\s│]+", " ", text)
    assert "triage: accepted by alice until 2026-12-31: The system prompt holds no secrets." in flat
    assert (
        "triage: EXPIRED, counts as open: accepted by bob expired 2025-06-30: Covered by the "
        "jailbreak red-team programme." in flat
    )
    assert (
        "triage: in progress (https://tracker.example/SEC-7): Scoping lookups to the caller's "
        "own record." in flat
    )
    # the chain of the high threat says where its triage stands
    assert "high: tool-data-disclosure@support-agent@customer-records (in progress)" in lines
    # the mitigated threat: severity it would have, the control, and how
    assert "mitigated by controls (severity without them):" in lines
    assert (
        " critical 10.0 Data exfiltration through an agent's tools "
        "tool-data-exfiltration@support-agent@customer-records mitigated by egress-allowlist "
        "egress-allowlist blocks send_email.egress (bound by tool-data-exfiltration) " in flat
    )
    assert lines[-2:] == [
        "triage entries matching no threat:",
        "  model-backdoor@*: not applicable (triaged-agent.yaml:68:9)",
    ]
    assert all(len(line) <= 100 for line in lines)


def test_text_before_the_decision_expires() -> None:
    result = actm.analyze(actm.load_model(MODEL), today=date(2025, 6, 30))
    text = render_text(result)
    assert ", 2 untriaged" in text
    assert "accepted by bob until 2025-06-30" in re.sub(r"[\s│]+", " ", text)
    assert "EXPIRED" not in text


def test_text_without_triage_or_mitigation_says_nothing_of_them() -> None:
    result = actm.analyze(actm.load_model(EXAMPLES / "ml-training-pipeline.yaml"))
    text = render_text(result)
    # one of the 9 threats is accepted risk (it rests on a justified assumption): not to triage
    assert (result.summary["untriaged"], result.summary["threats"]) == (8, 9)
    assert "untriaged" not in text  # no triage in the model: not a number worth showing
    assert "mitigated" not in text and "triage" not in text


def test_text_inherent_view_has_no_mitigated_section() -> None:
    result = actm.analyze(actm.load_model(MODEL), controls=False, today=date(2026, 1, 15))
    assert "mitigated" not in render_text(result)
    assert "tool-data-exfiltration@support-agent@customer-records" in render_text(result)


def test_markdown_summary_and_threat_triage(result: Result) -> None:
    md = render_markdown(result)
    assert (
        "In scope: 4 threats (3 untriaged). Out of scope: 104 attack patterns.\n"
        "Mitigated by the model's controls: 1 threat.\n"
        "**Triage entries matching no threat: 1.**\n"
    ) in md
    assert "[System prompt extraction](#731558681ce42cbc) *(accepted)* |" in md
    assert (
        "[Direct prompt injection and jailbreak by a user](#466433c271c8c209) "
        "**(EXPIRED accepted)** |" in md
    )
    assert (
        "- **triage:** accepted by alice until 2026-12-31: The system prompt holds no secrets.\n"
        in md
    )
    assert (
        "- **triage:** **EXPIRED, counts as open:** accepted by bob expired 2025-06-30: "
        "Covered by the jailbreak red-team programme.\n" in md
    )
    assert "- **declared at:** `triaged-agent.yaml:31:9` (`customer-records`)\n" in md


def test_markdown_mitigated_and_stale_sections(result: Result) -> None:
    md = render_markdown(result)
    assert (
        "## Mitigated by controls\n\n"
        "The model's implemented controls take these threats out of scope. Without them they "
        "would be:\n\n"
        "| severity without controls | threat | mitigated by | how |\n"
        "|---|---|---|---|\n"
        "| critical (10.0) | Data exfiltration through an agent's tools "
        "(`tool-data-exfiltration@support-agent@customer-records`) | `egress-allowlist` "
        "| egress-allowlist blocks send_email.egress (bound by tool-data-exfiltration) |\n"
    ) in md
    assert (
        "## Triage entries matching no threat\n\n"
        "These decisions match no threat of this analysis: the threat is gone or was renamed. "
        "Remove or\nupdate them.\n\n"
        "| pattern | status | declared at |\n"
        "|---|---|---|\n"
        "| `model-backdoor@*` | not applicable | `triaged-agent.yaml:68:9` |\n"
    ) in md
    # in that order, between the threats and the team views
    order = [md.index(h) for h in ("## Threats", "## Mitigated", "## Triage entries", "## Views")]
    assert order == sorted(order)


def test_markdown_escapes_triage_text() -> None:
    text = MODEL.read_text(encoding="utf-8").replace(
        "justification: The system prompt holds no secrets.",
        "justification: 'No secrets | see <SEC-12> and *notes*'",
    )
    result = actm.analyze(actm.load_model_text(text), today=date(2026, 1, 15))
    md = render_markdown(result)
    assert "until 2026-12-31: No secrets \\| see \\<SEC-12\\> and \\*notes\\*\n" in md


def test_markdown_without_triage_or_mitigation() -> None:
    md = render_markdown(actm.analyze(actm.load_model(EXAMPLES / "ml-training-pipeline.yaml")))
    assert "In scope: 9 threats. Out of scope:" in md
    assert "## Mitigated by controls" not in md and "## Triage entries" not in md
    assert "**triage:**" not in md
