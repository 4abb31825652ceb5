"""The diff renderers: text, PR-comment Markdown and JSON, on real analyses of a changed model."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest

import actm
from actm.knowledge.attacks import KnowledgeBase
from actm.render.diff import render_diff_json, render_diff_markdown, render_diff_text
from actm.results.diff import Diff, diff_results
from actm.results.model import Result

BASE = (Path(__file__).resolve().parents[2] / "examples" / "customer-support-rag.yaml").read_text(
    encoding="utf-8"
)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def changed_model() -> str:
    """The support bot with: customer records less critical (two threats drop a level) and
    edited by customers on a portal, no community answers ingested (rag poisoning resolved), a
    write tool and an egress tool to a new partner zone (new threats, a new crossing), a
    stronger vendor assumption and a new one."""
    t = BASE
    t = _edit(
        t,
        "criticality: {confidentiality: critical, integrity: high}\n    resides: [{node: crm-db}]",
        "criticality: {confidentiality: high, integrity: high}\n    resides: [{node: crm-db}]\n"
        "    untrusted_sources: [customer-portal]",
    )
    t = _edit(t, "    untrusted_sources: [community-forum]   # anyone can post an answer", "    #")
    t = _edit(
        t,
        "  - {id: app, name: Acme application network, trust: high}",
        "  - {id: app, name: Acme application network, trust: high}\n  - {id: partner, trust: low}",
    )
    t = _edit(
        t,
        "    permissions: {egress: [internet]}",
        "    permissions: {egress: [internet]}\n"
        "  - id: update_customer\n    node: chat-api\n"
        "    permissions: {write: [customer-records]}\n"
        "  - id: notify_partner\n    node: chat-api\n    permissions: {egress: [partner]}",
    )
    t = _edit(
        t,
        "tools: [lookup_customer, create_ticket, send_email]",
        "tools: [lookup_customer, create_ticket, send_email, update_customer, notify_partner]",
    )
    t = _edit(t, "    capability: none\n", "    capability: inspect\n")
    return _edit(
        t,
        "    status: justified\n",
        "    status: justified\n"
        "  - id: crm-hosting\n    producer: llm-vendor\n    asset: customer-records\n"
        "    capability: none\n    justification: The CRM runs on our own nodes.\n",
    )


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return actm.load_knowledge()


def analyse(text: str, kb: KnowledgeBase) -> Result:
    return actm.analyze(actm.load_model_text(text, knowledge=kb), knowledge=kb)


@pytest.fixture(scope="module")
def results(kb: KnowledgeBase) -> tuple[Result, Result]:
    return analyse(BASE, kb), analyse(changed_model(), kb)


@pytest.fixture(scope="module")
def diff(results: tuple[Result, Result]) -> Diff:
    return diff_results(*results)


def test_the_fixture_changes_what_it_says(diff: Diff) -> None:
    assert [t.id for t in diff.new_threats] == [
        "excessive-agency-write@support-agent@customer-records",
        "self-replicating-prompt-injection@support-agent@customer-records",
    ]
    assert [t.id for t in diff.resolved_threats] == ["rag-poisoning@help-centre@support-agent"]
    assert {c.id: (c.old_severity, c.new_severity) for c in diff.changed_threats} == {
        "context-exfiltration-via-tool@support-agent": ("medium", "medium"),
        "indirect-prompt-injection@support-agent": ("low", "low"),
        "tool-data-disclosure@support-agent@customer-records": ("high", "medium"),
        "tool-data-exfiltration@support-agent@customer-records": ("critical", "high"),
    }


def test_text(diff: Diff) -> None:
    text = render_diff_text(diff)
    lines = text.splitlines()
    assert lines[:3] == [
        "actm diff: customer-support-rag",
        "Threats: 2 new, 1 resolved, 4 changed.",
        "new threats (2):",
    ]
    assert lines[3].startswith(
        "  + medium 6.0 excessive-agency-write@support-agent@customer-records: Unwanted changes"
    )
    assert (
        "  - low 1.7 rag-poisoning@help-centre@support-agent: Poisoning the retrieval corpus"
        in (lines)
    )
    assert "  ~ tool-data-disclosure@support-agent@customer-records: high 8.0 -> medium 6.0 ↓" in (
        lines
    )
    assert (
        "  ~ context-exfiltration-via-tool@support-agent: medium 6.0, unchanged; chain changed"
        in lines
    )
    # a changed chain: before and after, one step a line, the new one from the customer portal
    i = lines.index(
        "  ~ indirect-prompt-injection@support-agent: low 1.7, unchanged; chain changed"
    )
    assert lines[i + 1].startswith("      was: author of outside content (community-forum)")
    assert "      now: author of outside content (customer-portal) holds contribute on " in (
        "\n".join(lines[i:])
    )
    assert "  ~ vendor-terms: capability none -> inspect" in lines
    assert "  + crm-hosting: none (unjustified)" in lines
    assert "assumptions (2):" in lines
    assert lines[-2:] == [
        "trust-zone crossings (1):",
        "  + app -> partner: tool egress via notify_partner",
    ]
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)


def test_text_the_other_way_round(results: tuple[Result, Result]) -> None:
    old, new = results
    lines = render_diff_text(diff_results(new, old)).splitlines()
    assert lines[1] == "Threats: 1 new, 2 resolved, 4 changed."
    assert (
        "  ~ tool-data-exfiltration@support-agent@customer-records: high 7.5 -> critical 10.0 ↑; "
        "chain" in lines
    )
    assert "  - crm-hosting: none (unjustified)" in lines
    assert "  - app -> partner: tool egress via notify_partner" in lines


def test_text_in_colour_says_the_same(diff: Diff) -> None:
    coloured = render_diff_text(diff, color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_diff_text(diff)


def _cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown(diff: Diff) -> None:
    md = render_diff_markdown(diff)
    lines = md.splitlines()
    assert lines[0] == "## actm: threat model changes in `customer-support-rag`"
    assert lines[2] == "**2 new threats**, 1 resolved, 4 changed (0 more severe, 2 less severe)."
    assert lines[3] == "2 assumption changes, 1 new trust-zone crossing."
    for heading in (
        "### New threats",
        "### Resolved threats",
        "### Changed threats",
        "### Assumptions",
        "### Trust-zone crossings",
    ):
        assert heading in lines
    assert (
        "| medium (6.0) | Unwanted changes through an agent's write tools "
        "| `excessive-agency-write@support-agent@customer-records` |" in lines
    )
    assert (
        "| low (1.7) | Poisoning the retrieval corpus | `rag-poisoning@help-centre@support-agent` |"
        in lines
    )
    assert (
        "| ↓ critical (10.0) → high (7.5) | Data exfiltration through an agent's tools "
        "| `tool-data-exfiltration@support-agent@customer-records` | changed |" in lines
    )
    assert (
        "| medium (6.0), unchanged | The agent's context sent out through one of its tools "
        "| `context-exfiltration-via-tool@support-agent` | changed |" in lines
    )
    assert "| `vendor-terms` | capability | none | inspect |" in lines
    assert "| `crm-hosting` | new |  | none (unjustified) |" in lines
    assert "| new | `app` | `partner` | tool egress | `notify_partner` |" in lines
    # chains of the three threats whose chain changed, folded away, with Markdown escaped
    assert md.count("<details><summary>Changed chains</summary>") == 1
    assert md.count("  - before: ") == 3
    assert "-\\> support-agent calls tool notify_partner" in md
    # every row of a table has as many cells as its header
    table: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            assert len({_cells(row) for row in table}) == 1, table
            table = []
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_markdown_the_other_way_round(results: tuple[Result, Result]) -> None:
    old, new = results
    md = render_diff_markdown(diff_results(new, old))
    assert "**1 new threat**, 2 resolved, 4 changed (2 more severe, 0 less severe)." in md
    assert "| ↑ high (7.5) → critical (10.0) |" in md
    assert "| removed | `app` | `partner` | tool egress | `notify_partner` |" in md


def test_no_change(results: tuple[Result, Result]) -> None:
    same = diff_results(results[0], results[0])
    assert render_diff_text(same) == "actm diff: customer-support-rag\nNo change in threats.\n"
    md = render_diff_markdown(same)
    assert (
        md == "## actm: threat model changes in `customer-support-rag`\n\nNo change in threats.\n"
    )
    data = json.loads(render_diff_json(same))
    assert data["new_threats"] == data["resolved_threats"] == data["changed_threats"] == []


def test_assumptions_and_crossings_without_threat_changes(kb: KnowledgeBase) -> None:
    """A diff with no threat change still lists the other changes."""
    new = _edit(
        BASE,
        "    status: justified\n",
        "    status: justified\n"
        "  - id: crm-hosting\n    producer: llm-vendor\n    asset: customer-records\n"
        "    capability: none\n    justification: The CRM runs on our own nodes.\n",
    )
    d = diff_results(analyse(BASE, kb), analyse(new, kb))
    assert render_diff_text(d).splitlines()[1:] == [
        "No change in threats.",
        "assumptions (1):",
        "  + crm-hosting: none (unjustified)",
    ]
    md = render_diff_markdown(d)
    assert "No change in threats.\n1 assumption change.\n" in md
    assert "### New threats" not in md


def test_json_is_sorted_deterministic_and_complete(
    diff: Diff, kb: KnowledgeBase, results: tuple[Result, Result]
) -> None:
    text = render_diff_json(diff)
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert list(data) == sorted(data)
    assert data["old_system"] == data["new_system"] == "customer-support-rag"
    assert [t["id"] for t in data["resolved_threats"]] == [
        "rag-poisoning@help-centre@support-agent"
    ]
    exfil = next(c for c in data["changed_threats"] if c["id"].startswith("tool-data-exfiltration"))
    assert exfil["old_severity"] == "critical" and exfil["new_score"] == 7.5
    assert exfil["chain_changed"] is True
    assert data["new_crossings"] == [
        {
            "kind": "tool_egress",
            "source_zone": "app",
            "target_zone": "partner",
            "via": "notify_partner",
        }
    ]
    assert {a["id"]: a["change"] for a in data["assumptions"]} == {
        "crm-hosting": "new",
        "vendor-terms": "capability",
    }
    # the same inputs, analysed again, give the same bytes
    again = diff_results(analyse(BASE, kb), analyse(changed_model(), kb))
    assert render_diff_json(again) == text


# -- order and triage -----------------------------------------------------------------------------


def _worst_first(items: list[tuple[str, float, str]]) -> list[str]:
    rank = ["info", "low", "medium", "high", "critical"]
    return [i for _, _, i in sorted(items, key=lambda x: (-rank.index(x[0]), -x[1], x[2]))]


def test_new_and_changed_threats_come_most_severe_first_then_by_id(
    diff: Diff, results: tuple[Result, Result]
) -> None:
    # by id these would be context-, indirect-, tool-data-disclosure, tool-data-exfiltration
    assert [c.id for c in diff.changed_threats] == [
        "tool-data-exfiltration@support-agent@customer-records",  # high 7.5
        "context-exfiltration-via-tool@support-agent",  # medium 6.0
        "tool-data-disclosure@support-agent@customer-records",  # medium 6.0
        "indirect-prompt-injection@support-agent",  # low 1.7
    ]
    lines = render_diff_text(diff).splitlines()
    changed = [line.split(":")[0] for line in lines if line.startswith("  ~ ") and "@" in line]
    assert changed == [f"  ~ {c.id}" for c in diff.changed_threats]
    # every threat of the support bot is new against an empty analysis: severity, then id
    old = dataclasses.replace(results[0], threats=())
    everything = diff_results(old, results[0])
    got = [t.id for t in everything.new_threats]
    assert got == _worst_first(
        [(t.severity.level, t.severity.score, t.id) for t in results[0].threats]
    )
    assert got != sorted(got)
    assert [t.id for t in diff_results(results[0], old).resolved_threats] == got
    md_ids = re.findall(
        r"^\| \w+ \([\d.]+\) \| .* \| `([^`]+)` \|$", render_diff_markdown(everything), re.M
    )
    assert md_ids == got
    assert [t["id"] for t in json.loads(render_diff_json(everything))["new_threats"]] == got


TRIAGE = """
triage:
  - id: excessive-agency-write@support-agent@customer-records
    status: accepted
    justification: the CRM keeps every version
    expires: 2027-01-01
  - id: self-replicating-prompt-injection@support-agent@customer-records
    status: in_progress
    justification: output filter under way
  - id: tool-data-exfiltration@support-agent@customer-records
    status: false_positive
    justification: the mail relay only reaches our own domain
"""


def test_triage_in_new_shows_in_every_renderer_and_settles_for_the_gate(kb: KnowledgeBase) -> None:
    old = analyse(BASE, kb)
    new_model = actm.load_model_text(changed_model() + TRIAGE, knowledge=kb)
    new = actm.analyze(new_model, knowledge=kb, today=date(2026, 6, 1))
    d = diff_results(old, new)
    by_id = {t.id: t for t in d.new_threats}
    agency = by_id["excessive-agency-write@support-agent@customer-records"]
    assert agency.triage is not None and agency.triage.status == "accepted" and agency.settled
    assert not by_id["self-replicating-prompt-injection@support-agent@customer-records"].settled
    # the accepted new threat no longer fails the gate; the one in progress still does
    assert d.worsened_at_or_above("medium") == [
        "self-replicating-prompt-injection@support-agent@customer-records"
    ]
    assert diff_results(old, analyse(changed_model(), kb)).worsened_at_or_above("medium") == [
        "excessive-agency-write@support-agent@customer-records",
        "self-replicating-prompt-injection@support-agent@customer-records",
    ]

    lines = render_diff_text(d, width=200).splitlines()
    assert lines[1] == "Threats: 2 new (1 settled by triage), 1 resolved, 4 changed."
    assert (
        "  + medium 6.0 excessive-agency-write@support-agent@customer-records "
        "(accepted until 2027-01-01): Unwanted changes through an agent's write tools" in lines
    )
    assert any(
        line.startswith(
            "  + medium 4.8 self-replicating-prompt-injection@support-agent@customer-records "
            "(in progress): "
        )
        for line in lines
    )
    assert any(
        line.startswith(
            "  ~ tool-data-exfiltration@support-agent@customer-records (false positive): "
            "critical 10.0 -> high 7.5 ↓"
        )
        for line in lines
    )
    assert all(len(line) <= 100 for line in render_diff_text(d).splitlines())

    md = render_diff_markdown(d)
    assert "**2 new threats** (1 settled by triage), 1 resolved, 4 changed" in md
    assert (
        "| medium (6.0) | Unwanted changes through an agent's write tools "
        "*(accepted until 2027-01-01)* | `excessive-agency-write@support-agent@customer-records` |"
        in md.splitlines()
    )
    assert (
        "| ↓ critical (10.0) → high (7.5) | Data exfiltration through an agent's tools "
        "*(false positive)* | `tool-data-exfiltration@support-agent@customer-records` | changed |"
        in md.splitlines()
    )

    data = json.loads(render_diff_json(d))
    triage = {t["id"]: t["triage"] for t in data["new_threats"]}
    assert triage["excessive-agency-write@support-agent@customer-records"] == {
        "pattern": "excessive-agency-write@support-agent@customer-records",
        "status": "accepted",
        "justification": "the CRM keeps every version",
        "owner": None,
        "ticket": None,
        "expires": "2027-01-01",
        "expired": False,
        "settled": True,
    }
    changed = {c["id"]: c["triage"] for c in data["changed_threats"]}
    assert changed["tool-data-exfiltration@support-agent@customer-records"]["settled"] is True
    assert changed["tool-data-disclosure@support-agent@customer-records"] is None
    assert data["resolved_threats"][0]["triage"] is None


def test_an_expired_decision_counts_again_and_says_so(kb: KnowledgeBase) -> None:
    old = analyse(BASE, kb)
    new_model = actm.load_model_text(changed_model() + TRIAGE, knowledge=kb)
    d = diff_results(old, actm.analyze(new_model, knowledge=kb, today=date(2027, 1, 2)))
    assert d.worsened_at_or_above("medium") == [
        "excessive-agency-write@support-agent@customer-records",
        "self-replicating-prompt-injection@support-agent@customer-records",
    ]
    assert (
        "excessive-agency-write@support-agent@customer-records "
        "(accepted until 2027-01-01, expired): " in render_diff_text(d, width=200)
    )
    assert "**(accepted until 2027-01-01, expired)**" in render_diff_markdown(d)
    assert "Threats: 2 new, 1 resolved" in render_diff_text(d)
    agency = next(t for t in json.loads(render_diff_json(d))["new_threats"] if "agency" in t["id"])
    assert (agency["triage"]["expired"], agency["triage"]["settled"]) == (True, False)


def test_a_threat_that_rose_but_is_settled_in_new_does_not_fail_the_gate(
    kb: KnowledgeBase,
) -> None:
    """The other way round, two threats rise to high or above; triage in NEW settles one."""
    old = analyse(changed_model(), kb)
    untriaged = diff_results(old, analyse(BASE, kb))
    assert untriaged.worsened_at_or_above("high") == [
        "tool-data-disclosure@support-agent@customer-records",
        "tool-data-exfiltration@support-agent@customer-records",
    ]
    triaged = diff_results(old, analyse(BASE + TRIAGE, kb))
    assert triaged.worsened_at_or_above("high") == [
        "tool-data-disclosure@support-agent@customer-records"
    ]
    exfil = next(c for c in triaged.changed_threats if c.id.startswith("tool-data-exfiltration"))
    assert exfil.settled and exfil.triage is not None and exfil.triage.status == "false_positive"
    assert (
        "  ~ tool-data-exfiltration@support-agent@customer-records (false positive): "
        "high 7.5 -> critical 10.0 ↑; chain changed" in render_diff_text(triaged, width=200)
    )


def test_diff_reports_triage_entries_that_match_no_new_threat() -> None:
    from actm.render.diff import render_diff_json, render_diff_markdown, render_diff_text
    from actm.results.diff import diff_results

    text = BASE
    stale = "\ntriage:\n  - {id: nonexistent@x, status: accepted, justification: stale entry}\n"
    old = actm.analyze(actm.load_model_text(text, path="a.yaml"))
    new = actm.analyze(actm.load_model_text(text + stale, path="a.yaml"))
    d = diff_results(old, new)
    assert [u.pattern for u in d.triage_unmatched] == ["nonexistent@x"]
    assert "triage entries matching no threat in NEW (1):" in render_diff_text(d)
    assert "nonexistent@x: accepted" in render_diff_text(d)
    assert "### Triage entries matching no threat" in render_diff_markdown(d)
    assert '"pattern": "nonexistent@x"' in render_diff_json(d)


OLD_TRIAGE = """
triage:
  - id: tool-data-exfiltration@support-agent@customer-records
    status: accepted
    justification: the mail relay only reaches our own domain
    expires: 2026-12-31
  - id: tool-data-disclosure@support-agent@customer-records
    status: in_progress
    justification: per-user authorisation under way
  - id: system-prompt-extraction@support-agent
    status: accepted
    justification: the prompt holds no secret
  - id: rag-poisoning@help-centre@support-agent
    status: accepted
    justification: reviewed articles only
    owner: alice
"""

NEW_TRIAGE = (
    _edit(
        _edit(
            _edit(OLD_TRIAGE, "status: in_progress", "status: mitigated"),
            "  - id: system-prompt-extraction@support-agent\n",
            "  - id: sytem-prompt-extraction@support-agent\n",  # misspelt: matches nothing
        ),
        "owner: alice",
        "owner: bob",
    )
    + """  - id: direct-prompt-injection@support-agent
    status: accepted
    justification: the bot has no tool a user could misuse
    expires: 2027-06-30
"""
)


def test_diff_reports_triage_changes_in_every_format(kb: KnowledgeBase) -> None:
    """The same model, triaged again: an acceptance added, one removed, one expired since OLD,
    a status changed and an owner changed."""
    old = actm.analyze(
        actm.load_model_text(BASE + OLD_TRIAGE, knowledge=kb), knowledge=kb, today=date(2026, 6, 1)
    )
    new = actm.analyze(
        actm.load_model_text(BASE + NEW_TRIAGE, knowledge=kb), knowledge=kb, today=date(2027, 1, 2)
    )
    d = diff_results(old, new)
    assert [(c.id, c.change) for c in d.triage_changes] == [
        ("direct-prompt-injection@support-agent", "added"),
        ("rag-poisoning@help-centre@support-agent", "updated"),
        ("system-prompt-extraction@support-agent", "removed"),
        ("tool-data-disclosure@support-agent@customer-records", "status"),
        ("tool-data-exfiltration@support-agent@customer-records", "expired"),
    ]
    lines = render_diff_text(d, width=200).splitlines()
    start = lines.index("triage changes (5):")
    assert lines[start + 1 : start + 6] == [
        "  * direct-prompt-injection@support-agent: accepted until 2027-06-30 (added)",
        "  * rag-poisoning@help-centre@support-agent: accepted, owner changed (updated)",
        "  * system-prompt-extraction@support-agent: accepted (removed)",
        "  * tool-data-disclosure@support-agent@customer-records: in progress -> mitigated "
        "(status)",
        "  * tool-data-exfiltration@support-agent@customer-records: accepted until 2026-12-31, "
        "expired (expired)",
    ]
    md = render_diff_markdown(d)
    assert "5 triage changes." in md
    assert "### Triage changes" in md
    assert (
        "| `tool-data-disclosure@support-agent@customer-records` | in progress -\\> mitigated "
        "(status) |" in md.splitlines()
    )
    # the misspelt entry matches nothing: reported with the id it most likely meant
    assert [(u.pattern, u.did_you_mean) for u in d.triage_unmatched] == [
        ("sytem-prompt-extraction@support-agent", "system-prompt-extraction@support-agent")
    ]
    assert "did you mean 'system-prompt-extraction@support-agent'?" in render_diff_text(
        d, width=200
    )
    data = json.loads(render_diff_json(d))
    added = data["triage_changes"][0]
    assert (added["change"], added["old"], added["new"]["status"]) == ("added", None, "accepted")
    expired = data["triage_changes"][4]
    assert (expired["old"]["expired"], expired["new"]["expired"]) == (False, True)
