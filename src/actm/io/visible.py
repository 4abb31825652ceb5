"""Text that is safe to show: control characters spelled out, never emitted.

A model file can hold any character in a double-quoted YAML string (``"\\e[2J"``), and a
name, description or triage justification reaches terminals, CI logs, Markdown, HTML and
spreadsheets. :func:`visible` replaces every character that could act on the device that
shows the text, or hide what the text says, by its escape as JSON and JavaScript spell it:

* C0 controls other than tab and line feed (NUL, ESC, carriage return, ...), DEL and the C1
  controls U+0080 to U+009F (CSI U+009B, OSC U+009D, ...): ``\\u001b``, ``\\u009b``;
* the bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069),
  which reorder what a reader sees, and the line and paragraph separators U+2028, U+2029;
* the noncharacters U+FDD0 to U+FDEF, U+FFFE and U+FFFF, and lone surrogates, which no text
  should carry: ``\\ufffe``;
* the invisible characters that hide text from a reader but not from a program or a model:
  the soft hyphen U+00AD, the zero-width space U+200B, the word joiner and invisible operators
  U+2060 to U+2064, the zero-width no-break space U+FEFF, the tag characters U+E0000 to
  U+E007F ("ASCII smuggling") and the variation selectors U+E0100 to U+E01EF (the same
  trick after an emoji), these spelled as JSON spells them, a surrogate pair
  (``\\udb40\\udc41``).

The spelling is the same everywhere so that one function serves every format: in JSON (and the
JSON inside the HTML report) a raw character inside a string becomes an escape that decodes to
that same character, so the data is unchanged; in text it shows as six visible characters.
A backslash the text already holds is left alone (``\\u001b`` typed by hand reads the same).
"""

from __future__ import annotations

import re

__all__ = ["TAGS", "UNSAFE", "visible", "visible_bytes", "visible_json_bytes"]

UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]"
)
"""One character of the Basic Multilingual Plane :func:`visible` spells out. (A class with
characters of the other planes makes the search ten times slower: the tag characters, the
only ones of those planes spelled out, are looked for in text that is not ASCII alone.)"""

TAGS = re.compile("[\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
"""The tag characters U+E0000 to U+E007F, each standing invisibly for an ASCII character, and
the variation selectors U+E0100 to U+E01EF, which carry hidden bytes after an emoji the same
way. In UTF-8 all of them start with the bytes F3 A0."""

_TAG_LEAD = b"\xf3\xa0"

_UNSAFE_ASCII = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])
"""The ASCII characters :func:`visible` spells out (all but tab and line feed)."""

_SGR = re.compile("\x1b\\[[0-9;]*m")
"""A terminal colour sequence (Select Graphic Rendition), as rich writes them."""

_UNSAFE_OR_SGR = re.compile(f"({_SGR.pattern})|{UNSAFE.pattern}")


def _escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # as JSON spells it: a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _spell(match: re.Match[str]) -> str:
    return _escape(match.group())


def _spell_but_colour(match: re.Match[str]) -> str:
    return match.group() if match.group(1) else _escape(match.group())


def visible(text: str, *, keep_colour: bool = False) -> str:
    """``text`` with every :data:`UNSAFE` character spelled out as ``\\uXXXX``.

    ``keep_colour`` leaves terminal colour sequences (``ESC [ ... m``) as they are: for the
    output of a renderer that colours its own text, where every piece of user text was made
    visible before it was coloured, so an escape character still there is the renderer's.
    """
    return _visible(text, keep_colour, tags=True)


def _visible(text: str, keep_colour: bool, *, tags: bool) -> str:
    """:func:`visible`, looking for tag characters only with ``tags`` (bytes that lack their
    lead bytes cannot hold one: the search would double the cost of non-ASCII text)."""
    tagged = tags and not text.isascii() and TAGS.search(text) is not None
    if UNSAFE.search(text) is None and not tagged:
        return text
    if tagged:
        text = TAGS.sub(_spell, text)
    if keep_colour:
        return _UNSAFE_OR_SGR.sub(_spell_but_colour, text)
    return UNSAFE.sub(_spell, text)


def visible_bytes(data: bytes) -> bytes:
    """:func:`visible` for UTF-8 bytes (whole characters), quick when they hold nothing to
    spell out: a streamed JSON result is hundreds of megabytes."""
    if data.isascii():
        if len(data.translate(None, _UNSAFE_ASCII)) == len(data):
            return data  # bytes.translate: four times quicker than a regular expression
        return visible(data.decode("ascii")).encode("ascii")
    text = data.decode("utf-8")
    shown = _visible(text, False, tags=_TAG_LEAD in data)
    return data if shown is text else shown.encode("utf-8")


def visible_json_bytes(data: bytes) -> bytes:
    """:func:`visible_bytes` for a piece of JSON text (UTF-8, whole characters), quicker: JSON
    escapes every C0 control inside its strings and allows only tab, line feed, carriage
    return and space between its tokens, so ASCII JSON holds nothing to spell out but DEL and
    carriage returns, which two byte searches find."""
    if data.isascii() and b"\x7f" not in data and b"\r" not in data:
        return data
    return visible_bytes(data)
