"""Patterns the importers run over text a third party wrote take time linear in it: a model
card's heading and links, a password or a secret parameter in an MCP server's URL, the
placeholders of its configured values (all were found to take time polynomial in hostile
input: a heading of 2,000 blanks took 31 s, an argument of 20,000 letters 6 s, a value of
20,000 ``<`` 0.35 s). Sizes here would take hours with the old patterns; the tests assert the
answers."""

from __future__ import annotations

import pytest

from actm.importers.bom import modelcard
from actm.importers.mcp import registry, secrets


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


@pytest.mark.parametrize("text", ["a://" * 250_000, "https://h/?" + "token=abcd&" * 100_000])
def test_urls_and_their_query_secrets_are_read_at_once(text: str) -> None:
    """A URL runs to the next blank: searched from every ``://`` of ``a://a://...`` that took
    time quadratic in the text; a redaction per secret parameter, copying the text each time,
    would too."""
    redacted = secrets.redact_args([text])[0]
    assert ("abcd" in text) is (redacted.count(secrets.REDACTED) == 100_000)


@pytest.mark.parametrize(
    ("argument", "found"),
    [
        ("https://h/mcp?api_key=abc123", [("api_key", True)]),
        ("--url=https://h/mcp?x=1&access%5Ftoken=abc123&y=2", [("access_token", True)]),
        ("https://h/mcp?token=${TOKEN}", [("token", False)]),
        ("https://h/mcp?region=eu&page=2#access_token=abc123", [("access_token", True)]),
        ("https://h/mcp?a=1;accessToken=abc123?sig=abc123", [("accessToken", True), ("sig", True)]),
        ("https://h/mcp?page_token=abc123&token_type=bearer&public_key=abc123", []),
        ("--header", []),
        ("Authorization: Bearer abc123", [("Authorization", True)]),
        ("see ?token=abc123 here", []),
    ],
)
def test_secret_query_parameters_of_urls_are_found(
    argument: str, found: list[tuple[str, bool]]
) -> None:
    assert secrets.secret_args([argument]) == found


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


@pytest.mark.parametrize(
    "value", ["<" * 1_000_000, "{" * 1_000_000, "${" * 500_000, "{<" * 500_000]
)
def test_a_long_value_of_placeholder_starts_is_read_at_once(value: str) -> None:
    """A megabyte of ``<`` took quadratic time (0.35 s for 20,000; hours for a megabyte)."""
    assert secrets.holds_value(value)  # no placeholder closes: the value is kept as it is
    assert registry._PLACEHOLDER.sub("", value) == value


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("${input:token}", False),
        ("$TOKEN", False),
        ("<API_KEY>", False),
        ("{token}", False),
        ("Bearer ${KEY}", False),
        ("Bearer <your token here>", False),
        ("sk-live-1234567890", True),
        ("<a>real-secret-value", True),
        # doubled braces, as templates write them: placeholders as before the linear patterns
        ("{{user}}:{{pass}}", False),
        ("Basic {{user}}:{{password}}", False),
        ("${{ secrets.USER }}:${{ secrets.PASS }}", False),
        ("{{PATH_TO_SRC}}/x", False),
    ],
)
def test_placeholders_are_still_told_from_values(value: str, secret: bool) -> None:
    assert secrets.holds_value(value) is secret


def test_a_long_run_of_link_starts_is_read_at_once() -> None:
    assert modelcard._LINK.sub(r"\1", "[" * 1_000_000) == "[" * 1_000_000
    assert modelcard._LINK.sub(r"\1", "[a](" * 250_000) == "[a](" * 250_000


def test_a_link_in_a_dataset_name_gives_its_text() -> None:
    assert modelcard._LINK.sub(r"\1", "[squad](https://huggingface.co/datasets/squad)") == "squad"
    assert registry._PLACEHOLDER.search("${VERSION}") is not None
    assert registry._PLACEHOLDER.search("${{ secrets.VERSION }}") is not None
