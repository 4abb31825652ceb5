"""Text that is safe to show: control characters spelled out, never emitted.

A model file can hold any character in a double-quoted YAML string (``"\\e[2J"``), and a
name, description or triage justification reaches terminals, CI logs, Markdown, HTML and
spreadsheets. :func:`visible` replaces every character that could act on the device that
shows the text, or hide what the text says, by its escape as JSON and JavaScript spell it:

* C0 controls other than tab and line feed (NUL, ESC, carriage return, ...), DEL and the C1
  controls U+0080 to U+009F (CSI U+009B, OSC U+009D, ...): ``\\u001b``, ``\\u009b``;
* the bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069),
  which reorder what a reader sees, and the line and paragraph separators U+2028, U+2029;
* the noncharacters (U+FDD0 to U+FDEF, and U+FFFE, U+FFFF in every plane) and lone
  surrogates, which no text should carry: ``\\ufffe``; a noncharacter above U+FFFF is written as
  its UTF-16 surrogate pair (``\\ud83f\\udffe`` for U+1FFFE).

The spelling is the same everywhere so that one function serves every format: in JSON (and the
JSON inside the HTML report) a raw character inside a string becomes an escape that decodes to
that same character, so the data is unchanged; in text it shows as six visible characters.
A backslash the text already holds is left alone (``\\u001b`` typed by hand reads the same).
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "visible"]

UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p << 16 | 0xFFFE)}{chr(p << 16 | 0xFFFF)}" for p in range(1, 17))
    + "]"
)
"""One character :func:`visible` spells out."""

_SGR = re.compile("\x1b\\[[0-9;]*m")
"""A terminal colour sequence (Select Graphic Rendition), as rich writes them."""

_UNSAFE_OR_SGR = re.compile(f"({_SGR.pattern})|{UNSAFE.pattern}")


def _escape(char: str) -> str:
    point = ord(char)
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 | point >> 10:04x}\\u{0xDC00 | point & 0x3FF:04x}"


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
    if UNSAFE.search(text) is None:
        return text
    if keep_colour:
        return _UNSAFE_OR_SGR.sub(_spell_but_colour, text)
    return UNSAFE.sub(_spell, text)
