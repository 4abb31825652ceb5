"""The JSON reader: values, located refusals, hostile input within the limits, relaxations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actm.errors import SourceLocation
from actm.io.json import JsonProblem, parse_json, pointer, read_json_file
from actm.io.yaml import Limits


def problem(raw: str | bytes, limits: Limits | None = None, **kw: bool) -> tuple[str, int, int]:
    with pytest.raises(JsonProblem) as info:
        parse_json(raw, "f.json", limits, **kw)
    (d,) = info.value.diagnostics
    assert d.location is not None and d.hint, d
    return d.code, d.location.line, d.location.column


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "\\u00e9\\n"}}',
        "[]",
        '"x"',
        "  {\r\n}\r\n",
        json.dumps([{"k": list(range(5))}] * 50),
    ],
)
def test_values_are_those_of_the_standard_decoder(text: str) -> None:
    assert parse_json(text).data == json.loads(text)


def test_the_exact_parser_gives_the_same_values() -> None:
    # comments send a text to the exact parser, which must agree with the C decoder
    text = '{"a": [1, -0, 2.5e-3, "x\\"y"], "b": {"c": null, "d": [true, false]}, "e": ""}'
    assert parse_json("// c\n" + text, jsonc=True).data == json.loads(text)


def test_byte_order_mark_and_crlf() -> None:
    assert parse_json(b'\xef\xbb\xbf{\r\n  "a": 1\r\n}\r\n').data == {"a": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a": 1,\n "a": 2}', ("duplicate-key", 2, 2)),
        ("[1, 2", ("json-syntax", 1, 6)),
        ('{"a" 1}', ("json-syntax", 1, 6)),
        ('{"a": tru}', ("json-syntax", 1, 7)),
        ("[1,]", ("json-syntax", 1, 4)),
        ('{"a": 1,}', ("json-syntax", 1, 9)),
        ("[NaN]", ("json-syntax", 1, 2)),
        ("[1e999]", ("bad-number", 1, 2)),
        ('{"a": 1} x', ("json-syntax", 1, 10)),
        ("", ("empty-file", 1, 1)),
        ("  \n ", ("empty-file", 1, 1)),
        ('["\x01"]', ("json-syntax", 1, 3)),
        (b'{"a": "\xff"}', ("not-utf8", 1, 8)),
        (b"\xff\xfe{\x00}\x00", ("not-utf8", 1, 1)),
        (b'{"a": \x00}', ("binary-file", 1, 7)),
    ],
)
def test_refusals_name_their_place(raw: str | bytes, expected: tuple[str, int, int]) -> None:
    assert problem(raw) == expected


def test_duplicate_key_message_names_the_first() -> None:
    with pytest.raises(JsonProblem) as info:
        parse_json('{"a": 1,\n "a": 2}', "f.json")
    assert info.value.diagnostics[0].message == (
        "duplicate key 'a' (first defined at line 1, column 2)"
    )


def test_deep_nesting_is_refused_at_the_limit() -> None:
    assert problem("[" * 65 + "]" * 65) == ("too-deep", 1, 65)
    assert parse_json("[" * 64 + "]" * 64).data is not None


def test_hostile_nesting_never_recurses() -> None:
    # far beyond what a recursive parser survives
    deep = "[" * 200_000 + "]" * 200_000
    assert problem(deep) == ("too-deep", 1, 65)
    assert problem('{"a":' * 100_000 + "1" + "}" * 100_000)[0] == "too-deep"


def test_too_many_values() -> None:
    assert problem("[1, 2, 3, 4]", Limits(max_nodes=4)) == ("too-many-values", 1, 11)
    assert parse_json("[1, 2, 3]", limits=Limits(max_nodes=4)).data == [1, 2, 3]


def test_huge_files_are_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # a sparse 100 MB file: nothing is written to disk
        fh.truncate(100 * 1024 * 1024)
    with pytest.raises(JsonProblem) as info:
        read_json_file(big)
    (d,) = info.value.diagnostics
    assert (d.code, d.location) == ("file-too-large", SourceLocation(str(big), 1, 1))
    assert d.message == "file is 104,857,600 bytes, over the limit of 33,554,432"


def test_files_that_are_not_regular(tmp_path: Path) -> None:
    with pytest.raises(JsonProblem) as info:
        read_json_file(tmp_path)
    assert info.value.diagnostics[0].code == "file-unreadable"
    with pytest.raises(JsonProblem) as info:
        read_json_file(tmp_path / "missing.json")
    assert info.value.diagnostics[0].code == "file-not-found"


def test_jsonc_comments_and_trailing_commas() -> None:
    text = '// head\n{"a": [1, 2,], /* b */ "b": {"c": 3,},}\n'
    assert parse_json(text, jsonc=True).data == {"a": [1, 2], "b": {"c": 3}}
    assert problem(text)[0] == "json-syntax"


@pytest.mark.parametrize("fill", [" ", "\n", "// c\n", "/* c */", "/**/ "])
def test_blanks_and_comments_before_a_declined_value_take_linear_time(fill: str) -> None:
    # a trailing comma, a comment or an error sends the text past the fast parser to the
    # blank-or-comment pattern; a backtracking form of it doubled its time with each blank
    # (40 took hours): these 10,000 finish at once with a possessive one
    head = fill * 10_000
    assert parse_json(head + '{"a": 1,}', jsonc=True).data == {"a": 1}
    assert problem(head + "{,}", jsonc=True)[0] == "json-syntax"
    assert problem(head + '{"a": 1,}')[0] == "json-syntax"
    assert problem(head + "/" * 10_000 + "x")[0] == "json-syntax"


def test_a_line_of_slashes_is_one_comment() -> None:
    assert problem("/" * 10_000 + "\n", jsonc=True)[0] == "empty-file"
    assert problem("/" * 10_000 + "\n{,}", jsonc=True)[0] == "json-syntax"


def test_preamble_of_log_lines() -> None:
    text = 'INFO scanning\nWARNING: slow {not json\n[{"a": 1}]\n'
    doc = parse_json(text, "f.json", preamble=True)
    assert doc.data == [{"a": 1}]
    assert doc.locate((0, "a")) == SourceLocation("f.json", 3, 8)
    assert problem(text)[0] == "json-syntax"


def test_locate() -> None:
    doc = parse_json('{"a": [1, 2, {"b": "x", "c": null}],\n "d/e": 1}', "f.json")
    assert doc.locate(("a", 2, "c")) == SourceLocation("f.json", 1, 30)
    assert doc.locate(("a", 2, "c"), key=True) == SourceLocation("f.json", 1, 25)
    assert doc.locate(("d/e",)) == SourceLocation("f.json", 2, 9)
    # a path that does not exist: the deepest value on its way
    assert doc.locate(("a", 9)) == SourceLocation("f.json", 1, 7)
    assert doc.locate(("zz",)) == SourceLocation("f.json", 1, 1)


def test_pointer() -> None:
    assert pointer(("a", 0, "b/c", "m~n")) == "/a/0/b~1c/m~0n"
    assert pointer(()) == ""


def test_an_unterminated_string_of_escaped_quotes_is_refused_at_once() -> None:
    """Blanking strings searched again from each quote of an unterminated string: a package.json
    of 50,000 escaped quotes took a minute under discover."""
    with pytest.raises(JsonProblem):
        parse_json('[1, "' + '\\"' * 100_000, "big.json")
