"""Triage as code and stable threat ids."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

import actm
from actm.model.system import TriageEntry
from actm.results.triage import Decision, closest_threats, match_triage, settled

MODEL = """
actm: 1
system: {id: triage}
models:
  - {id: bot, kind: agent, exposure: public, tools: [lookup, mail]}
  - {id: helper, kind: llm, exposure: public,
     assets: {inputs: {criticality: {confidentiality: high}}}}  # its prompt is confidential
assets:
  - {id: customers, type: personal_data, criticality: {confidentiality: critical}}
tools:
  - {id: lookup, permissions: {read: [customers]}}
  - {id: mail, permissions: {egress: [internet]}}
"""


def analyse(extra: str = "", today: date = date(2026, 6, 1)) -> actm.results.model.Result:  # type: ignore[name-defined]
    model = actm.load_model_text(textwrap.dedent(MODEL) + textwrap.dedent(extra))
    return actm.analyze(model, today=today)


def by_id(result: object) -> dict[str, object]:
    return {t.id: t for t in result.threats}  # type: ignore[attr-defined]


def test_exact_wildcard_and_precedence() -> None:
    result = analyse("""
    triage:
      - {id: "direct-prompt-injection@*", status: accepted, justification: chat only}
      - id: direct-prompt-injection@bot
        status: in_progress
        justification: the agent has tools; filtering is being added
        owner: appsec
        ticket: https://tracker.example/SEC-12
      - {id: "*@helper", status: false_positive, justification: helper is a demo}
    """)
    t = by_id(result)
    bot = t["direct-prompt-injection@bot"].triage  # type: ignore[attr-defined]
    assert (bot.status, bot.pattern, bot.owner, bot.settled) == (
        "in_progress",
        "direct-prompt-injection@bot",
        "appsec",
        False,
    )
    helper = t["direct-prompt-injection@helper"].triage  # type: ignore[attr-defined]
    # the exact-id rule is more specific than both wildcards; among wildcards the longer wins
    assert (helper.status, helper.pattern) == ("accepted", "direct-prompt-injection@*")
    assert t["resource-exhaustion@helper"].triage.status == "false_positive"  # type: ignore[attr-defined]
    assert result.triage_unmatched == ()


def test_expired_acceptance_counts_as_open_again() -> None:
    text = """
    triage:
      - {id: "tool-data-exfiltration@bot@customers", status: accepted,
         justification: mail goes to the customer only, expires: 2026-06-30}
    """
    before = by_id(analyse(text, today=date(2026, 6, 30)))
    after = by_id(analyse(text, today=date(2026, 7, 1)))
    tid = "tool-data-exfiltration@bot@customers"
    assert before[tid].triage.settled and not before[tid].triage.expired  # type: ignore[attr-defined]
    assert after[tid].triage.expired and not after[tid].triage.settled  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "value", ["0", "1798761600", "2027.5", "true", '"0"', '"2027-01-01T00:00:00"']
)
def test_an_expiry_that_is_not_a_day_is_refused_at_its_place(value: str) -> None:
    """pydantic reads a number as Unix time: ``expires: 0`` was 1 January 1970, an expired
    decision, without a word."""
    text = MODEL + textwrap.dedent(
        f"""
        triage:
          - {{id: "tool-misuse@*", status: accepted, justification: why, expires: {value}}}
        """
    )
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text(text)
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("invalid-value", "triage.0.expires: write the day as YYYY-MM-DD")
    assert d.location is not None and d.location.line == MODEL.count("\n") + 3


@pytest.mark.parametrize("value", ["2027-01-01", '"2027-01-01"'])
def test_an_expiry_is_a_yaml_date_or_its_text(value: str) -> None:
    text = MODEL + textwrap.dedent(
        f"""
        triage:
          - {{id: "tool-misuse@*", status: accepted, justification: why, expires: {value}}}
        """
    )
    assert actm.load_model_text(text).triage[0].expires == date(2027, 1, 1)


def test_unmatched_entries_are_reported_with_their_place() -> None:
    extra = """
    triage:
      - {id: model-backdoor@bot, status: accepted, justification: no longer relevant}
    """
    result = analyse(extra)
    (entry,) = result.triage_unmatched
    assert entry.pattern == "model-backdoor@bot"
    # the location is that of the entry's id, in the text as loaded
    lines = (textwrap.dedent(MODEL) + textwrap.dedent(extra)).splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "model-backdoor@bot" in t)
    col = lines[line - 1].index("model-backdoor@bot") + 1
    assert entry.location == f"<string>:{line}:{col}"
    assert result.summary["triage_unmatched"] == 1


def test_unmatched_entries_name_the_threat_they_most_likely_meant() -> None:
    result = analyse("""
    triage:
      - {id: tool-data-exfiltration@bot@customer, status: accepted, justification: typo}
      - {id: direct-promt-injection@helper, status: accepted, justification: typo}
      - {id: "sytem-prompt-extraction@*", status: accepted, justification: typo}
      - {id: "*@nobody", status: accepted, justification: stale}
      - {id: model-backdoor@bot, status: accepted, justification: no such attack here}
      - {id: resource-exhaustion@gateway-and-friends, status: accepted, justification: gone}
    """)
    assert [(u.pattern, u.did_you_mean) for u in result.triage_unmatched] == [
        ("tool-data-exfiltration@bot@customer", "tool-data-exfiltration@bot@customers"),
        ("direct-promt-injection@helper", "direct-prompt-injection@helper"),
        ("sytem-prompt-extraction@*", "system-prompt-extraction@*"),
        ("*@nobody", None),
        ("model-backdoor@bot", None),
        ("resource-exhaustion@gateway-and-friends", "resource-exhaustion@bot"),
    ]


def test_closest_threats_looks_only_at_the_threats_of_the_closest_attack() -> None:
    ids = [f"tool-misuse@agent-{n}@store-{n}" for n in range(500)] + [
        "model-theft@registry",
        "model-theft@scoring",
    ]
    assert closest_threats(
        ["model-thef@scorng", "tool-misuse@agent-7@store-7x", "tool-misus@agent-*", "x@y", ""],
        ids,
    ) == [
        "model-theft@scoring",
        "tool-misuse@agent-7@store-7",
        "tool-misuse@agent-*",
        None,
        None,
    ]
    assert closest_threats(["model-theft@scoring"], []) == [None]


def test_justification_is_required() -> None:
    with pytest.raises(actm.ModelError) as err:
        analyse("triage:\n  - {id: x, status: accepted}\n")
    assert err.value.diagnostics[0].code == "missing-key"
    assert "justification" in err.value.diagnostics[0].message


def test_ids_survive_unrelated_edits_and_new_descriptions() -> None:
    before = {t.id: t.fingerprint for t in analyse().threats}
    edited = (
        MODEL.replace(
            "{id: bot, kind: agent,", "{id: bot, description: The support agent, kind: agent,"
        ).replace("assets:\n", "assets:\n  - {id: logs, type: logs}\n")
        + "nodes:\n  - {id: unrelated, kind: host}\n"
    )
    model = actm.load_model_text(textwrap.dedent(edited))
    after = {t.id: t.fingerprint for t in actm.analyze(model).threats}
    assert before.items() <= after.items()
    assert set(before) == set(after)


# -- match_triage and settled, exactly -----------------------------------------------------


def entry(pattern: str, status: str = "accepted", expires: date | None = None) -> TriageEntry:
    return TriageEntry(pattern, status, f"why {pattern}", f"owner {pattern}", None, expires)


TODAY = date(2026, 6, 1)


def test_an_exact_id_wins_over_a_longer_wildcard() -> None:
    # the exact id is the shortest pattern here: only "no wildcard first" makes it win
    ids = ["leak@bot"]
    for wild in ("leak@bot*", "leak@bo?", "leak@bo[t]", "leak@[b]ot"):
        decisions, unused = match_triage(ids, [entry(wild, "mitigated"), entry("leak@bot")], TODAY)
        assert (decisions["leak@bot"].pattern, decisions["leak@bot"].entry) == ("leak@bot", 1)
        # the wildcard is shadowed, not stale: it matches a threat
        assert unused == []


def test_among_wildcards_the_longer_then_the_first_written_wins() -> None:
    ids = ["leak@bot@store"]
    entries = [entry("leak@*"), entry("leak@bot@*"), entry("leak@*@st*"), entry("*")]
    decisions, unused = match_triage(ids, entries, TODAY)
    # "leak@bot@*" and "leak@*@st*" are equally long: the first written wins
    assert decisions["leak@bot@store"].entry == 1
    assert unused == []
    decisions, _ = match_triage(ids, [entries[2], entries[1]], TODAY)
    assert decisions["leak@bot@store"].pattern == "leak@*@st*"
    decisions, _ = match_triage(ids, [*entries, entry("leak@bot@s*")], TODAY)
    assert decisions["leak@bot@store"].entry == 4


def test_a_decision_carries_its_entry_exactly() -> None:
    e = TriageEntry("leak@*", "accepted", "mail stays inside", "appsec", "SEC-1", date(2026, 6, 1))
    decisions, unused = match_triage(["leak@bot", "other@bot"], [entry("nothing"), e], TODAY)
    assert decisions == {
        "leak@bot": Decision(
            1, "leak@*", "accepted", "mail stays inside", "appsec", "SEC-1", date(2026, 6, 1), False
        )
    }
    assert unused == [0]
    # expiry is strict: the day after the last day it holds, it no longer does
    later, _ = match_triage(["leak@bot"], [e], date(2026, 6, 2))
    assert later["leak@bot"].expired is True


def test_an_overridden_entry_is_not_reported_stale() -> None:
    entries = [entry("a@*", "open"), entry("a@x"), entry("b@x"), entry("a@y", "mitigated")]
    decisions, unused = match_triage(["a@x", "a@y"], entries, TODAY)
    assert {tid: d.entry for tid, d in decisions.items()} == {"a@x": 1, "a@y": 3}
    # "a@*" decides nothing, every threat it matches has a more specific decision, but it
    # still names live threats; only "b@x" is stale
    assert unused == [2]


@pytest.mark.parametrize(
    ("status", "expired", "settles"),
    [
        ("accepted", False, True),
        ("mitigated", False, True),
        ("false_positive", False, True),
        ("accepted", True, False),
        ("open", False, False),
        ("in_progress", False, False),
    ],
)
def test_settled(status: str, expired: bool, settles: bool) -> None:
    decision = Decision(0, "x", status, "why", None, None, None, expired)
    assert settled(decision) is settles


def test_nothing_decided_is_not_settled() -> None:
    assert settled(None) is False


def test_a_pattern_like_no_threat_names_the_one_sharing_the_longest_start() -> None:
    # nothing is close by difflib's ratio: the id sharing the longest start wins, not the
    # first in order
    pattern = "tool-misuse@zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    ids = ["tool-misuse@aa", "tool-misuse@zq", "tool-misuse@zr"]
    assert closest_threats([pattern], ids) == ["tool-misuse@zq"]


def test_a_pattern_is_compared_letter_by_letter_with_a_shortlist_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A renamed agent leaves a triage entry per threat of the old name: each is compared by
    difflib with at most SHORTLIST threats of its attack (those sharing its other binding
    parts, and its neighbours in order), not with all 10,000 of them, and still gets the id
    that differs from it in the renamed part alone."""
    import difflib

    import actm.results.triage as triage

    compared: list[int] = []
    real = difflib.get_close_matches

    def counting(word: str, possibilities: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
        if "@" in word:  # a whole pattern, not one binding part
            compared.append(len(possibilities))
        return real(word, possibilities, n=n, cutoff=cutoff)

    monkeypatch.setattr(triage.difflib, "get_close_matches", counting)
    ids = [f"tool-data-exfiltration@agent0@d{i}-{j}" for i in range(1000) for j in range(10)]
    patterns = [f"tool-data-exfiltration@old-agent@d{n}-3" for n in range(0, 1000, 50)]
    found = closest_threats(patterns, ids)
    assert found == [f"tool-data-exfiltration@agent0@d{n}-3" for n in range(0, 1000, 50)]
    assert compared and max(compared) <= triage.SHORTLIST


def test_the_longest_start_is_found_among_many_threats() -> None:
    """More threats than the shortlist, none close by its letters: the id sharing the longest
    start with the pattern, the first in order among those sharing as much."""
    ids = [f"tool-misuse@{c}{n:03d}" for c in "abc" for n in range(100)]
    pattern = "tool-misuse@b" + "q" * 40
    assert closest_threats([pattern], ids) == ["tool-misuse@b000"]


@pytest.mark.parametrize(
    ("pattern", "meant"),
    [
        ("harvest@svr-0500@env-key", "harvest@srv-0500@env-key"),  # letters swapped
        ("harvest@srv-0500@env-kye", "harvest@srv-0500@env-key"),
        ("harvest@srv-500@env-key", "harvest@srv-0500@env-key"),  # a digit dropped
        ("harvest@server-0500@env-key", "harvest@srv-0500@env-key"),  # renamed
        ("tool-rug-pull@svr-0500", "tool-rug-pull@srv-0500"),
    ],
)
def test_a_typo_in_one_binding_part_among_many_threats_finds_the_meant_one(
    pattern: str, meant: str
) -> None:
    """More threats than the shortlist, one part shared by all of them (env-key): the part with
    the typo is matched against the values found at its place, so the meant id is compared, not
    the first 64 that share env-key."""
    ids = [f"harvest@srv-{i:04d}@env-key" for i in range(1000)]
    ids += [f"tool-rug-pull@srv-{i:04d}" for i in range(1000)]
    assert closest_threats([pattern], ids) == [meant]
