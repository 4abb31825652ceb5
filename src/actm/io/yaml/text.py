"""Checks on the raw input before libyaml sees it: the encoding, control characters, and nesting
deep enough to overflow libyaml's recursive composer."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from actm.errors import Diagnostic, SourceLocation
from actm.io.files import FileProblem, decode_utf8
from actm.io.yaml.limits import READING, YamlProblem, too_deep
from actm.io.yaml.nodes import is_yaml_error, location, new_parser
from actm.io.yaml.syntax import syntax_problem

# libyaml's composer recurses in C; far beyond this depth it overflows the C stack. The depth
# the user may write (Limits.max_depth) is checked precisely during conversion; this ceiling only
# decides when the cheap textual pre-check must be confirmed by a slower, exact one.
C_STACK_CEILING = 2000

__all__ = ["check_nesting", "input_text"]

_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_DEEP_INDENT_RE = re.compile(rf"^[ \t?:-]{{{C_STACK_CEILING}}}", re.MULTILINE)
_BRACKET_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_BRACKETS_RE = re.compile(r"[^\[\]{}]+")


def _decode(raw: bytes, path: str) -> str:
    try:
        return decode_utf8(raw, path, READING)
    except FileProblem as exc:
        raise YamlProblem(list(exc.diagnostics)) from None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _flow_may_nest_deeply(text: str, limit: int) -> bool:
    """Whether flow brackets could nest deeper than ``limit``.

    Every bracket counts, even inside quotes and comments: whether a quote starts a string
    depends on YAML context (``it's`` is plain text, and its quote starts nothing), and a guess
    that discounted real brackets once let a deep file through to libyaml's recursive composer,
    which crashed the process. An exact check follows when this says yes.
    """
    brackets = _BRACKETS_RE.sub("", text)
    if brackets.count("[") + brackets.count("{") <= limit:
        return False
    return max(accumulate(map(_BRACKET_DELTA.__getitem__, brackets)), default=0) > limit


def _may_nest_deeply(text: str) -> bool:
    """Whether block nesting could exceed what libyaml's recursive composer survives.

    Block nesting one level deeper needs at least one more column of indentation or one more
    compact ``- `` prefix, so a file whose lines all start with fewer such characters than the
    ceiling cannot nest that deep.
    """
    return _DEEP_INDENT_RE.search(text) is not None


def _too_deep_mark(text: str, limit: int) -> Any:
    """Where libyaml's event stream first nests deeper than ``limit``, or None.

    Slow compared with composing; used only for files whose indentation or brackets look
    suspicious. Deep flow nesting makes libyaml's scanner quadratic, but this stops at the first
    event past the limit, so it stays fast.
    """
    parser = new_parser(text)
    depth = 0
    while True:
        event = parser.get_event()
        if event is None:
            break
        name = type(event).__name__
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > limit:
                return event.start_mark
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1
        elif name == "StreamEndEvent":
            break
    return None


def input_text(raw: bytes | str, path: str, max_bytes: int) -> str:
    """The text of ``raw`` without a byte-order mark: bytes within ``max_bytes``, decoded as
    UTF-8; a problem for a control character YAML does not allow."""
    if isinstance(raw, bytes):
        if len(raw) > max_bytes:
            raise YamlProblem(
                [
                    Diagnostic(
                        "file-too-large",
                        f"input is {len(raw):,} bytes, over the limit of {max_bytes:,}",
                        SourceLocation(path, 1, 1),
                        "split the model with include:, or raise --max-file-bytes",
                    )
                ]
            )
        text = _decode(raw, path)
    else:
        text = raw[1:] if raw.startswith("\ufeff") else raw
    bad = _BAD_CHARS.search(text)
    if bad is not None:
        line, col = _position(text, bad.start())
        raise YamlProblem(
            [
                Diagnostic(
                    "control-character",
                    f"control character U+{ord(bad.group(0)):04X} is not allowed in YAML",
                    SourceLocation(path, line, col),
                    "remove it, or write it as an escape "
                    f'("\\x{ord(bad.group(0)):02x}") inside a double-quoted string'
                    if ord(bad.group(0)) < 0x100
                    else "remove it, or write it as an escape "
                    f'("\\u{ord(bad.group(0)):04x}") inside a double-quoted string',
                )
            ]
        )
    return text


def check_nesting(text: str, path: str, max_depth: int) -> None:
    """A problem when ``text`` nests deeper than ``max_depth``, found before libyaml composes it.

    libyaml composes the tree recursively in C: nesting far deeper than the limit would
    overflow the C stack (a crash, not an exception), so deep nesting is found first in its
    event stream, which is read iteratively and stops at the first level past the limit. The
    stream is read only when the brackets or the indentation make deep nesting possible.
    """
    if not (_flow_may_nest_deeply(text, max_depth) or _may_nest_deeply(text)):
        return
    try:
        mark = _too_deep_mark(text, max_depth)
    except Exception as exc:
        if is_yaml_error(exc):
            raise syntax_problem(exc, path, text) from None
        raise
    if mark is not None:
        raise YamlProblem([too_deep(max_depth, location(path, mark))])
