"""actm.io.visible: control characters spelled out, text and bytes alike."""

from __future__ import annotations

import json

import pytest

from actm.io.visible import visible, visible_bytes, visible_json_bytes


def test_visible_spells_out_terminal_controls_and_keeps_tab_and_newline() -> None:
    assert visible("a\x1b[2J\tb\n\x9b1A\u202e\ufffe\x00") == (
        "a\\u001b[2J\tb\n\\u009b1A\\u202e\\ufffe\\u0000"
    )


def test_visible_keeps_colour_only_when_asked() -> None:
    assert visible("\x1b[31mred\x1b[0m\x1b]0;t\x07", keep_colour=True) == (
        "\x1b[31mred\x1b[0m\\u001b]0;t\\u0007"
    )


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (b'{"a": "plain"}\n\t', b'{"a": "plain"}\n\t'),
        (b"esc \x1b[2J del \x7f", b"esc \\u001b[2J del \\u007f"),
        ("caf\u00e9 \u009b1A".encode(), "caf\u00e9 \\u009b1A".encode()),
        ("caf\u00e9".encode(), "caf\u00e9".encode()),
    ],
)
def test_visible_bytes_is_visible_on_utf8(data: bytes, shown: bytes) -> None:
    assert visible_bytes(data) == shown
    assert visible_bytes(data) == visible(data.decode("utf-8")).encode("utf-8")


def test_visible_bytes_returns_clean_input_itself() -> None:
    data = b"x" * 1000
    assert visible_bytes(data) is data


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_visible_json_bytes_is_visible_bytes_on_json_text(ensure_ascii: bool) -> None:
    every_control = "".join(chr(i) for i in [*range(0x20), 0x7F, 0x9B, 0x202E, 0x2028])
    value = {"name": every_control, "list": [1, "a\rb", "tab\there"]}
    for indent in (None, 2):
        text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent).encode("utf-8")
        assert visible_json_bytes(text) == visible_bytes(text)
    spaced = b'{\r\n\t"a": "\x7f"}'  # whitespace JSON allows between tokens, and a raw DEL
    assert visible_json_bytes(spaced) == visible_bytes(spaced) == b'{\\u000d\n\t"a": "\\u007f"}'


def test_visible_json_bytes_returns_clean_json_itself() -> None:
    data = b'{\n  "id": "tool-data-exfiltration@agent0@d0-0-5"\n}'
    assert visible_json_bytes(data) is data


def test_visible_spells_out_invisible_characters_as_json_does() -> None:
    """Characters a reader does not see but a program or a model reads (a zero-width space,
    a soft hyphen, a word joiner, a zero-width no-break space, the tag characters of "ASCII
    smuggling") are spelled out; a tag character as the surrogate pair JSON writes, so the
    spelled text decodes back to the same string."""
    hidden = "pay\u200b\u00ad\u2060\ufeff\U000e0049\U000e0047\U000e004e now"
    shown = visible(hidden)
    assert shown == (
        "pay\\u200b\\u00ad\\u2060\\ufeff\\udb40\\udc49\\udb40\\udc47\\udb40\\udc4e now"
    )
    assert json.loads(f'"{shown}"') == hidden
    assert visible_bytes(hidden.encode("utf-8")) == shown.encode("utf-8")
    # an emoji outside the tag block is text, not a control
    assert visible("ok \U0001f600") == "ok \U0001f600"


def test_variation_selectors_beyond_the_emoji_block_are_spelled_out_too() -> None:
    """U+E0100 to U+E01EF carry hidden bytes after an emoji as the tag characters do; the
    emoji's own selector (U+FE0F) is text."""
    hidden = "ok \u2764\ufe0f\U000e0100\U000e01ef"
    assert visible(hidden) == "ok \u2764\ufe0f\\udb40\\udd00\\udb40\\uddef"
    assert visible_bytes(hidden.encode("utf-8")) == visible(hidden).encode("utf-8")


def test_visible_bytes_of_text_without_tag_lead_bytes_skips_the_tag_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import actm.io.visible as v

    class Refuse:
        def search(self, text: str) -> None:
            raise AssertionError("searched for tags")

        def sub(self, repl: object, text: str) -> str:
            raise AssertionError("searched for tags")

    monkeypatch.setattr(v, "TAGS", Refuse())
    data = "caf\u00e9 \u2764".encode()
    assert v.visible_bytes(data) is data
