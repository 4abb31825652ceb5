"""The YAML reader: YAML 1.2 core typing, source locations, encodings, refusals."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

import actm
from actm.errors import SourceLocation
from actm.io.yaml import Limits, YamlProblem, parse_yaml, read_yaml_file


def value(text: str) -> Any:
    return parse_yaml(f"v: {text}\n").data["v"]


def problem(raw: str | bytes, limits: Limits | None = None) -> list[tuple[str, int, int]]:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(raw, "f.yaml", limits)
    out = []
    for d in info.value.diagnostics:
        assert d.location is not None and d.hint, d
        out.append((d.code, d.location.line, d.location.column))
    return out


# -- YAML 1.2 core schema ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["no", "No", "NO", "yes", "Yes", "on", "On", "off", "OFF", "y", "n", "Y", "N"],
)
def test_yaml11_booleans_stay_strings(text: str) -> None:
    assert value(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False)],
)
def test_booleans(text: str, expected: bool) -> None:
    assert value(text) is expected


@pytest.mark.parametrize("text", ["null", "Null", "NULL", "~", ""])
def test_nulls(text: str) -> None:
    assert value(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("12", 12),
        ("-3", -3),
        ("+4", 4),
        ("007", 7),
        ("0x1F", 31),
        ("0xff", 255),
        ("0o17", 15),
        ("12345678901234567890", 12345678901234567890),
    ],
)
def test_ints(text: str, expected: int) -> None:
    got = value(text)
    assert got == expected and type(got) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.5", 1.5), (".5", 0.5), ("1.", 1.0), ("1e3", 1000.0), ("-1.5e-3", -0.0015)],
)
def test_floats(text: str, expected: float) -> None:
    got = value(text)
    assert got == expected and type(got) is float


def test_special_floats() -> None:
    assert value(".inf") == math.inf
    assert value("-.Inf") == -math.inf
    assert math.isnan(value(".nan"))


@pytest.mark.parametrize(
    "text",
    # YAML 1.1 forms that the 1.2 core schema reads as strings
    ["0b101", "0O17", "1_000", "1:20", "2001-12-14", "0x", ".", "+", "1e", "12abc", "-x"],
)
def test_not_numbers_in_yaml12(text: str) -> None:
    assert value(text) == text


@pytest.mark.parametrize(
    "text", ['"1"', "'1.5'", '"true"', "'no'", '"null"', "'~'", '"0x1F"', '""']
)
def test_quoted_scalars_stay_strings(text: str) -> None:
    assert value(text) == text[1:-1]


def test_block_scalars_stay_strings() -> None:
    assert parse_yaml("v: |\n  123\n").data["v"] == "123\n"
    assert parse_yaml("v: >-\n  true\n").data["v"] == "true"


def test_keys_stay_strings() -> None:
    assert parse_yaml("1: a\ntrue: b\nnull: c\n").data == {"1": "a", "true": "b", "null": "c"}


def test_core_tags() -> None:
    data = parse_yaml('a: !!str 1\nb: !!int "12"\nc: !!float 1\nd: !!null ""\ne: !!bool true\n')
    assert data.data == {"a": "1", "b": 12, "c": 1.0, "d": None, "e": True}
    assert type(data.data["c"]) is float


def test_wrong_core_tag() -> None:
    assert problem("a: !!bool yes\n") == [("bad-tagged-value", 1, 4)]
    assert problem("a: !!int 1.5\n") == [("bad-tagged-value", 1, 4)]


@pytest.mark.parametrize("text", ["1e999", "-1e999", "1" * 5000, "1." + "0" * 500])
def test_too_large_numbers(text: str) -> None:
    assert problem(f"v: {text}\n") == [("bad-number", 1, 4)]


def test_too_large_number_quoted_is_fine() -> None:
    assert value('"1e999"') == "1e999"


@pytest.mark.parametrize(
    "text", ["!!binary aGk=", "!!timestamp 2001-12-14", "!custom x", "!!set {a}", "!!omap []"]
)
def test_unsupported_tags(text: str) -> None:
    assert problem(f"v: {text}\n") == [("unsupported-tag", 1, 4)]


# -- locations --------------------------------------------------------------------------------

DOC = """\
actm: 1
system:
  id: demo
nodes:
  - id: web
    kind: host
  - {id: db, kind: database}
"""


@pytest.mark.parametrize(
    ("path", "key", "expected"),
    [
        ((), False, (1, 1)),
        (("actm",), False, (1, 7)),
        (("actm",), True, (1, 1)),
        (("system",), False, (3, 3)),
        (("system",), True, (2, 1)),
        (("system", "id"), False, (3, 7)),
        (("system", "id"), True, (3, 3)),
        (("nodes", 0), False, (5, 5)),
        (("nodes", 0, "kind"), False, (6, 11)),
        (("nodes", 0, "kind"), True, (6, 5)),
        (("nodes", 1, "kind"), False, (7, 20)),
        (("nodes", 1, "kind"), True, (7, 14)),
        # a path that does not exist stops at the deepest element that does
        (("system", "name"), False, (3, 3)),
        (("nodes", 7, "id"), False, (5, 3)),
        (("nowhere",), False, (1, 1)),
    ],
)
def test_locate(path: tuple[str | int, ...], key: bool, expected: tuple[int, int]) -> None:
    doc = parse_yaml(DOC, "m.yaml")
    assert doc.locate(path, key=key) == SourceLocation("m.yaml", *expected)


def test_locations_with_crlf_line_ends() -> None:
    doc = parse_yaml(DOC.replace("\n", "\r\n"), "m.yaml")
    assert doc.locate(("nodes", 1, "kind")) == SourceLocation("m.yaml", 7, 20)


def test_duplicate_key_location() -> None:
    diags = problem("a: 1\nb:\n  c: 1\n  'c': 2\n")
    assert diags == [("duplicate-key", 4, 3)]


def test_all_duplicate_keys_reported() -> None:
    assert problem("a: 1\na: 2\nb: {x: 1, x: 2}\n") == [
        ("duplicate-key", 2, 1),
        ("duplicate-key", 3, 11),
    ]


# -- merge keys -------------------------------------------------------------------------------


def test_merge_key_is_an_unknown_key_with_a_hint() -> None:
    text = (
        "actm: 1\nsystem: {id: demo}\nnodes:\n"
        "  - &base\n    id: a\n    kind: host\n"
        "  - <<: *base\n    id: b\n    kind: host\n"
    )
    with pytest.raises(actm.ModelError) as info:
        actm.load_model_text(text, path="m.yaml")
    diags = info.value.diagnostics
    assert [(d.code, d.location) for d in diags] == [
        ("unknown-key", SourceLocation("m.yaml", 7, 5))
    ]
    assert "'<<'" in diags[0].message
    assert diags[0].hint is not None and "merge keys (<<) are not supported" in diags[0].hint


def test_merge_key_is_read_as_a_plain_key() -> None:
    # no merging happens in the reader: << stays an ordinary key
    data = parse_yaml("a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n").data
    assert data["b"] == {"<<": {"x": 1}, "y": 2}


# -- encodings and BOMs -----------------------------------------------------------------------


def test_utf8_bom_is_skipped() -> None:
    doc = parse_yaml(b"\xef\xbb\xbfactm: 1\nname: caf\xc3\xa9\n", "m.yaml")
    assert doc.data == {"actm": 1, "name": "café"}
    assert doc.locate(("actm",), key=True) == SourceLocation("m.yaml", 1, 1)


def test_utf8_bom_in_text_is_skipped() -> None:
    assert parse_yaml("\ufeffa: 1\n").data == {"a": 1}


def test_utf8_bom_keeps_locations() -> None:
    assert problem(b"\xef\xbb\xbfa: 1\na: 2\n") == [("duplicate-key", 2, 1)]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_refused(encoding: str) -> None:
    raw = "actm: 1\n".encode(encoding)
    if encoding != "utf-16":
        raw = ("\ufeff" + "actm: 1\n").encode(encoding)
    assert problem(raw) == [("not-utf8", 1, 1)]


def test_not_utf8() -> None:
    assert problem(b"a: 1\nb: caf\xe9\n") == [("not-utf8", 2, 7)]


def test_nul_bytes() -> None:
    assert problem(b"a: 1\n\x00\x01\x02") == [("binary-file", 2, 1)]


@pytest.mark.parametrize(
    ("text", "column"),
    [("a: x\x07", 5), ("a: x\x1b[31m", 5), ("a: \x7f", 4), ("a: \x9b", 4), ("a: \ud800", 4)],
    ids=["bel", "escape", "del", "c1", "surrogate"],
)
def test_control_characters(text: str, column: int) -> None:
    assert problem("ok: 1\n" + text + "\n") == [("control-character", 2, column)]


def test_allowed_whitespace_and_nel() -> None:
    # tab inside a value, CR LF line ends and NEL (U+0085) are not control characters to refuse
    data = parse_yaml('a: "x\ty"\r\nb: "x\u0085y"\r\n').data
    assert data["a"] == "x\ty"
    assert data["b"].startswith("x") and data["b"].endswith("y")


# -- empty input ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only\n# comments\n", "---\n", "---\n...\n"])
def test_empty(text: str) -> None:
    assert problem(text) == [("empty-file", 1, 1)]


# -- syntax -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n\tb: 1\n", ("tab-indent", 2, 1)),
        ("a:\n  b: 1\n  \tc: 2\n", ("tab-indent", 3, 3)),
        ("a: |\n\tx\n", ("tab-indent", 2, 1)),
        ("a: 1\n---\nb: 2\n", ("multiple-documents", 2, 1)),
        ("a: [1, 2\nb: 3\n", ("yaml-syntax", 2, 2)),
        ("a: *nope\n", ("yaml-syntax", 1, 4)),
        ("a: b: c\n", ("yaml-syntax", 1, 5)),
    ],
)
def test_syntax_errors(text: str, expected: tuple[str, int, int]) -> None:
    assert problem(text) == [expected]


def test_tab_as_separator_is_fine() -> None:
    assert parse_yaml("a:\tb\n").data == {"a": "b"}


# -- limits -----------------------------------------------------------------------------------


def test_depth_limit_is_exact() -> None:
    ok = "a: " + "[" * 63 + "]" * 63 + "\n"  # the root mapping and 63 lists: 64 levels
    parse_yaml(ok)
    assert problem("a: " + "[" * 64 + "]" * 64 + "\n") == [("too-deep", 1, 67)]


def test_depth_limit_can_be_lowered() -> None:
    assert problem("a:\n  b:\n    c: 1\n", Limits(max_depth=2)) == [("too-deep", 3, 5)]


def test_brackets_in_strings_do_not_count_as_nesting() -> None:
    text = "a: '" + "[" * 500 + "'\nb: \"" + "{" * 500 + '"\n# ' + "[" * 500 + "\n"
    assert parse_yaml(text).data["a"] == "[" * 500


def test_alias_limit() -> None:
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a]\n"
    assert parse_yaml(text).data["b"] == [list(range(1, 11))] * 3
    # reported at the anchor whose aliases went over the limit
    assert problem(text, Limits(max_alias_expansion=20)) == [("alias-bomb", 1, 4)]


def test_recursive_alias() -> None:
    assert problem("a: &a {b: *a}\n") == [("recursive-alias", 1, 4)]


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n" + b"# padding\n" * 50)
    assert read_yaml_file(path, Limits(max_file_bytes=505)).data == {"a": 1}
    with pytest.raises(YamlProblem) as info:
        read_yaml_file(path, Limits(max_file_bytes=504))
    (d,) = info.value.diagnostics
    assert d.code == "file-too-large" and d.location == SourceLocation(str(path), 1, 1)


def test_limits_from_env() -> None:
    limits = Limits.from_env({"ACTM_MAX_DEPTH": "10", "ACTM_MAX_FILE_BYTES": "1_000_000"})
    assert limits.max_depth == 10
    assert limits.max_file_bytes == 1_000_000
    assert Limits.from_env({}).max_file_bytes == Limits().max_file_bytes


@pytest.mark.parametrize("value", ["junk", "0", "-3", "1.5"])
def test_limits_from_env_refuses_bad_values(value: str) -> None:
    with pytest.raises(ValueError, match="ACTM_MAX_DEPTH"):
        Limits.from_env({"ACTM_MAX_DEPTH": value})


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_is_refused() -> None:
    # /dev/zero reports size 0 and never ends
    with pytest.raises(YamlProblem) as info:
        read_yaml_file("/dev/zero", Limits(max_file_bytes=4096))
    assert [d.code for d in info.value.diagnostics] == ["file-unreadable"]
    assert "not a regular file" in info.value.diagnostics[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "model.yaml"
    os.mkfifo(fifo)
    with pytest.raises(YamlProblem) as info:
        read_yaml_file(fifo)
    assert "not a regular file" in info.value.diagnostics[0].message


def test_locate_in_a_large_mapping() -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(100)) + "k5: again\n"
    with pytest.raises(YamlProblem):
        parse_yaml(text)  # duplicate key
    doc = parse_yaml(text.replace("k5: again\n", "last: [1, 2]\n"), "m.yaml")
    assert doc.locate(("k99",)) == SourceLocation("m.yaml", 100, 6)
    assert doc.locate(("last", 1)) == SourceLocation("m.yaml", 101, 11)
    assert doc.locate(("k0",), key=True) == SourceLocation("m.yaml", 1, 1)


@pytest.mark.parametrize(
    ("char", "escape"), [("\x1b", '"\\x1b"'), ("\x9b", '"\\x9b"'), ("\ud800", '"\\ud800"')]
)
def test_a_control_characters_hint_spells_that_character(char: str, escape: str) -> None:
    with pytest.raises(YamlProblem) as err:
        parse_yaml(f"a: x{char}\n", "m.yaml")
    assert escape in (err.value.diagnostics[0].hint or "")
