"""Patterns the importers run over text a third party wrote take time linear in it: a model
card's heading and a password in an MCP server's URL argument (both were found to take time
polynomial in hostile input: a heading of 2,000 blanks took 31 s, an argument of 20,000 letters
6 s). Sizes here would take hours with the old patterns; the tests assert the answers."""

from __future__ import annotations

import pytest

from actm.importers.bom import modelcard
from actm.importers.mcp import secrets


def test_a_heading_with_a_long_tail_of_blanks_is_read_at_once() -> None:
    body = "# a" + " " * 200_000 + "\x01\n# Second\n"
    assert [m.group(1).strip() for m in modelcard._HEADING.finditer(body)][1] == "Second"


@pytest.mark.parametrize(
    ("line", "title"),
    [("# Llama 3 #", "Llama 3"), ("#   Phi-3  ##  ", "Phi-3"), ("#\tTitle\t", "Title")],
)
def test_a_heading_loses_its_blanks_and_closing_hashes(line: str, title: str) -> None:
    [m] = modelcard._HEADING.finditer(line + "\n")
    assert m.group(1).rstrip().rstrip("#").rstrip() == title


def test_a_long_argument_without_a_url_is_searched_at_once() -> None:
    assert list(secrets._URL_PASSWORD.finditer("a" * 200_000 + "://x:y")) == []


@pytest.mark.parametrize(
    ("argument", "found"),
    [
        ("postgres://user:pw@host/db", "postgres://user:pw@"),
        ("--dsn=redis://:secret@localhost:6379", "redis://:secret@"),
        ("HTTPS://A:B@c", "HTTPS://A:B@"),
        ("https://example.com/path", None),
    ],
)
def test_a_password_in_a_url_is_found(argument: str, found: str | None) -> None:
    match = secrets._URL_PASSWORD.search(argument)
    assert (match.group(0) if match else None) == found


def test_a_long_argument_of_web_token_starts_is_searched_at_once() -> None:
    assert secrets._KNOWN_TOKEN.search("eyJ-" * 50_000) is None


@pytest.mark.parametrize(
    "argument",
    [
        "Bearer eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4",
        "--token=sk-abcdefghijklmnopqrstu",
    ],
)
def test_a_known_token_is_still_found(argument: str) -> None:
    found = secrets._KNOWN_TOKEN.search(argument)
    assert found is not None and argument.endswith(found.group(0))
