"""A lone surrogate escape (``\\ud800`` without its pair) is refused where it stands: no UTF-8
text, so no drafted model, can hold it. A pair, and an escaped backslash before ``ud800``, read
as before."""

from __future__ import annotations

import pytest

from actm.io.json import JsonProblem, parse_json


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"mcpServers": {"a\\ud800": {"command": "npx\\udfff"}}}', (1, 17)),
        ('{"a": {"command": "npx\\udfff"}}', (1, 19)),
        ('[\n  "ok",\n  ["x\\uDC00y"]\n]', (3, 4)),
        ('{"a": "\\ud83d"}', (1, 7)),
    ],
)
@pytest.mark.parametrize("jsonc", [False, True])
def test_a_lone_surrogate_is_refused_at_its_string(
    text: str, where: tuple[int, int], jsonc: bool
) -> None:
    with pytest.raises(JsonProblem) as info:
        parse_json(text, "f.json", jsonc=jsonc)
    (d,) = info.value.diagnostics
    assert d.code == "json-syntax"
    assert "surrogate" in d.message and d.hint
    assert d.location is not None and (d.location.line, d.location.column) == where


def test_a_lone_surrogate_after_a_comment_is_found_by_the_exact_parser() -> None:
    with pytest.raises(JsonProblem):
        parse_json('// c\n{"a": "\\udfff",}', "f.json", jsonc=True)


@pytest.mark.parametrize(
    "text", ['{"a": "\\ud83d\\ude00"}', '{"a": "\\\\ud800"}', '{"\\\\udfff": 1}']
)
def test_pairs_and_escaped_backslashes_are_read(text: str) -> None:
    assert parse_json(text).data in ({"a": "\U0001f600"}, {"a": "\\ud800"}, {"\\udfff": 1})
