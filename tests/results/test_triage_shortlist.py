"""The did-you-mean index of unmatched triage patterns (``results/triage.py`` ``_Threats``): which
ids a pattern is compared with, and the id sharing its longest start. Exact answers, so that a
changed bound or window shows (docs/mutation.md)."""

from __future__ import annotations

from actm.results.triage import NEAR_PARTS, SHORTLIST, _Threats, closest_threats


def test_up_to_the_shortlist_every_id_is_compared() -> None:
    ids = [f"a@x{k:02d}@y" for k in range(SHORTLIST)]
    assert _Threats(ids).shortlist("a@x00@zzz") == ids


def test_past_the_shortlist_the_ids_around_the_patterns_place_fill_it() -> None:
    """One id shares a part with the pattern; the others are the pattern's neighbours in
    order, half before and half after the place it takes, the shortlist's size in all."""
    ids = [f"a@t{k:03d}" for k in range(200)]
    # "a@t100@extra" takes place 101; room for 63 more: 31 before, 32 from there
    assert _Threats(ids).shortlist("a@t100@extra") == ids[70:133]


def test_near_the_start_the_window_starts_at_the_first_id() -> None:
    ids = [f"a@t{k:03d}" for k in range(100)]
    # a pattern with more binding parts than the ids have: the extra part is not read
    assert _Threats(ids).shortlist("a@t005@extra") == ids[:38]


def test_every_binding_place_counts_not_only_the_first_that_matches() -> None:
    ids = [f"a@t{k}@d{j}" for k in range(10) for j in range(10)]
    found = _Threats(ids).shortlist("a@t5@d7")
    # the ids sharing d7 at the second place are taken though t5 matched at the first
    assert {f"a@t{k}@d7" for k in range(10)} <= set(found)
    assert len(found) == 50  # 19 near ids and the 45 around the pattern's place, overlapping


def test_a_part_like_no_value_takes_the_ids_of_its_nearest_values() -> None:
    """No id has the pattern's part at its place: the ids with one of the NEAR_PARTS values
    closest to it are compared (here all ten values are as close; difflib keeps the last in
    order)."""
    assert NEAR_PARTS == 8
    ids = [f"a@host{k}@d{j:02d}" for k in range(10) for j in range(10)]
    assert _Threats(ids).shortlist("a@hostX@zz") == ids[20:84]  # host2 to host9, 64 of them


def test_the_longest_start_is_read_from_the_neighbour_before_the_patterns_place() -> None:
    threats = _Threats(["a@b", "a@mb", "a@z"])
    assert threats.longest_start("a@mc") == "a@mb"


def test_a_pattern_before_every_id_shares_its_longest_start_with_the_first() -> None:
    threats = _Threats(["a@b", "a@c"])
    assert threats.longest_start("a@a") == "a@b"
    assert closest_threats(["tool-misuse@" + "0" * 40], ["tool-misuse@b", "tool-misuse@c"]) == [
        "tool-misuse@b"
    ]


def test_an_attack_part_only_somewhat_like_an_attack_id_names_none() -> None:
    # "tool-theft" is 0.76 like "model-theft" by difflib's ratio: under the attack cutoff of
    # 0.8 (difflib's default 0.6 would take it)
    assert closest_threats(["tool-theft@scoring"], ["model-theft@scoring"]) == [None]
    assert closest_threats(["model-heist@scoring"], ["model-theft@scoring"]) == [
        "model-theft@scoring"
    ]
