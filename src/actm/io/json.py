"""Safe reading of JSON files, with a source location for every refusal.

Files that other tools write (MCP configurations, bills of materials, tool listings) are read
here. The reader is as defensive as :mod:`actm.io.yaml` and shares its :class:`Limits`: the size
is checked before the file is read, nesting deeper than ``max_depth`` and documents of more than
``max_nodes`` values are refused, a key given twice in one object is an error (Python's ``json``
module silently keeps the last), and every refusal names ``file:line:col``.

How it works: the nesting depth and the number of values are read off the text (with strings
blanked out) first; a text within the limits goes to the standard C decoder, with hooks that
refuse duplicate keys, NaN and infinite numbers. Anything it declines is parsed again by an
exact parser: one iterative pass with an explicit stack (so no input can exhaust the
interpreter's recursion), which stops at the first problem and names its place. Positions are
not stored per value: :meth:`JsonDocument.locate` parses the text again up to the value a
diagnostic is about. A byte-order mark and CRLF line ends are accepted. Two relaxations
exist for formats that document them, and only when the caller asks: comments and trailing
commas (``jsonc``, as VS Code writes its settings) and lines of log output before the JSON value
(``preamble``, as some scanners print).
"""

from __future__ import annotations

import json as _json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from json import decoder as _decoder
from typing import Any

from actm.errors import Diagnostic, SourceLocation
from actm.io.files import FileProblem, Reading, decode_utf8, read_limited
from actm.io.yaml import Limits

__all__ = ["JsonDocument", "JsonProblem", "parse_json", "pointer", "read_json_file"]

PathElem = str | int

_READING = Reading(
    what="JSON",
    pass_hint="pass a JSON file",
    stream_hint="save the input to a file and pass that",
    binary_hint="pass the JSON file",
    too_large_hint="raise the limit with --max-file-bytes or ACTM_MAX_FILE_BYTES if the file "
    "is meant to be this large",
)

# the C string scanner of the standard json module (typeshed does not declare it)
_scanstring: Callable[[str, int, bool], tuple[str, int]] = _decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
# possessive throughout: blanks and comments split one way only, and a backtracking form
# (``(?:[ ]+)*``) takes time exponential in the blanks before a value it then fails on
_WS_JSONC = re.compile(r"(?:[ \t\n\r]++|//[^\n]*+|/\*(?:[^*]++|\*(?!/))*+\*/)*+")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))
_CLOSE = {"{": "}", "[": "]"}


class JsonProblem(Exception):
    """The file could not be read as JSON; carries the diagnostics."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


def pointer(path: Sequence[PathElem]) -> str:
    """The JSON pointer (RFC 6901) of ``path``: ``("a", 0, "b/c")`` is ``/a/0/b~1c``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(slots=True)
class JsonDocument:
    """A parsed JSON file: its plain Python data, and its text to locate values in."""

    path: str
    data: Any
    text: str = field(repr=False)
    jsonc: bool = False
    start: int = 0
    """Offset of the JSON value in ``text`` (after a preamble of log lines)."""

    def locate(self, path: Sequence[PathElem], *, key: bool = False) -> SourceLocation:
        """Location of the value at ``path`` (of its key when ``key`` is true), or of the
        deepest value on the way that exists."""
        parser = _Parser(self.text, self.path, Limits(), jsonc=self.jsonc, start=self.start)
        offset = parser.find(tuple(path), key=key)
        return _location(self.path, self.text, offset)


def _location(path: str, text: str, offset: int) -> SourceLocation:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SourceLocation(path, line, col)


class _Stop(Exception):
    """Raised to end a parse early: an error (with its diagnostic) or a located value."""

    def __init__(self, offset: int, diagnostic: Diagnostic | None = None) -> None:
        self.offset = offset
        self.diagnostic = diagnostic


@dataclass(slots=True)
class _Frame:
    container: dict[str, Any] | list[Any]
    open_at: int
    keys: dict[str, int] = field(default_factory=dict)
    """For an object: the offset of each key seen, to report a duplicate."""
    key: str = ""
    key_at: int = 0


class _Parser:
    """One pass over ``text``; :meth:`parse` returns the value, :meth:`find` an offset."""

    __slots__ = (
        "best",
        "jsonc",
        "limits",
        "path",
        "pos",
        "stack",
        "target",
        "target_key",
        "text",
        "ws",
    )

    def __init__(
        self, text: str, path: str, limits: Limits, *, jsonc: bool = False, start: int = 0
    ) -> None:
        self.text = text
        self.path = path
        self.limits = limits
        self.jsonc = jsonc
        self.ws = _WS_JSONC if jsonc else _WS
        self.pos = start
        self.stack: list[_Frame] = []
        self.target: tuple[PathElem, ...] | None = None
        self.target_key = False
        self.best = (-1, start)
        """While locating: (length, offset) of the deepest value found on the target's way."""

    # -- errors ------------------------------------------------------------------------------

    def _fail(self, code: str, message: str, offset: int, hint: str) -> _Stop:
        where = _location(self.path, self.text, offset)
        return _Stop(offset, Diagnostic(code, message, where, hint))

    def _syntax(self, message: str, offset: int | None = None) -> _Stop:
        at = self.pos if offset is None else offset
        if at >= len(self.text):
            message += " (the file ends too early)"
            at = len(self.text)
        return self._fail(
            "json-syntax",
            f"JSON syntax error: {message}",
            at,
            "fix the JSON at this place; check it with a JSON validator",
        )

    # -- locating ----------------------------------------------------------------------------

    def _path(self) -> tuple[PathElem, ...]:
        out: list[PathElem] = []
        for frame in self.stack:
            c = frame.container
            out.append(frame.key if isinstance(c, dict) else len(c))
        return tuple(out)

    def find(self, target: tuple[PathElem, ...], *, key: bool) -> int:
        """Offset of the value (or key) at ``target``, else of the deepest value on its way."""
        self.target = target
        self.target_key = key
        try:
            self._value()
        except _Stop as stop:
            if stop.diagnostic is None:
                return stop.offset
        return self.best[1]

    def _at_value(self, offset: int) -> None:
        if self.target is None:
            return
        here = self._path()
        if len(here) > self.best[0] and here == self.target[: len(here)]:
            self.best = (len(here), offset)
        if here == self.target:
            last = self.stack[-1] if self.stack else None
            if self.target_key and last is not None and isinstance(last.container, dict):
                raise _Stop(last.key_at)
            raise _Stop(offset)

    # -- parsing -----------------------------------------------------------------------------

    def skip(self) -> None:
        self.pos = self.ws.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def parse(self) -> Any:
        value = self._value()
        self.skip()
        if self.pos < len(self.text):
            raise self._syntax("extra data after the JSON value")
        return value

    def _value(self) -> Any:
        """Parse the value at ``pos`` with a stack of open containers; no recursion."""
        text = self.text
        nodes = 0
        self.skip()
        while True:
            if self.pos >= len(text):
                raise self._syntax("expected a value")
            start = self.pos
            self._at_value(start)
            nodes += 1
            if nodes > self.limits.max_nodes:
                raise self._fail(
                    "too-many-values",
                    f"document holds more than {self.limits.max_nodes:,} values",
                    start,
                    "raise the limit with ACTM_MAX_NODES if the file is meant to be this large",
                )
            c = text[start]
            if c in _CLOSE:
                if len(self.stack) >= self.limits.max_depth:
                    raise self._fail(
                        "too-deep",
                        f"nesting is deeper than the limit of {self.limits.max_depth} levels",
                        start,
                        "flatten the structure; raise --max-depth only if the nesting is intended",
                    )
                self.pos += 1
                frame = _Frame({} if c == "{" else [], start)
                self.stack.append(frame)
                self.skip()
                if self.pos < len(text) and text[self.pos] == _CLOSE[c]:
                    self.pos += 1
                    value: Any = self.stack.pop().container
                elif c == "{":
                    self._key(frame)
                    continue
                else:
                    continue
            else:
                value = self._scalar(c, start)
            # the value is complete: put it into its container, closing containers that end
            while True:
                if not self.stack:
                    return value
                frame = self.stack[-1]
                if isinstance(frame.container, dict):
                    frame.container[frame.key] = value
                else:
                    frame.container.append(value)
                if not self._next(frame):
                    break
                value = self.stack.pop().container

    def _next(self, frame: _Frame) -> bool:
        """After a member of ``frame``: True when the container closes, False when another
        member follows (with its key read, for an object)."""
        text = self.text
        is_obj = isinstance(frame.container, dict)
        close = "}" if is_obj else "]"
        self.skip()
        c = text[self.pos] if self.pos < len(text) else ""
        if c == close:
            self.pos += 1
            return True
        if c != ",":
            what = "'}' or ','" if is_obj else "']' or ','"
            raise self._syntax(f"expected {what} after a member")
        self.pos += 1
        self.skip()
        if self.jsonc and self.pos < len(text) and text[self.pos] == close:
            self.pos += 1  # a trailing comma
            return True
        if is_obj:
            self._key(frame)
        return False

    def _key(self, frame: _Frame) -> None:
        text = self.text
        at = self.pos
        if at >= len(text) or text[at] != '"':
            raise self._syntax("expected a key in double quotes")
        key = self._string(at)
        first = frame.keys.get(key)
        if first is not None:
            prev = _location(self.path, text, first)
            raise self._fail(
                "duplicate-key",
                f"duplicate key {key!r} (first defined at line {prev.line}, column {prev.column})",
                at,
                "remove or rename one of the two keys",
            )
        frame.keys[key] = at
        frame.key = key
        frame.key_at = at
        self.skip()
        if self.pos >= len(text) or text[self.pos] != ":":
            raise self._syntax("expected ':' after the key")
        self.pos += 1
        self.skip()

    def _string(self, at: int) -> str:
        try:
            value, self.pos = _scanstring(self.text, at + 1, True)
        except ValueError as exc:
            message = str(getattr(exc, "msg", exc)).removesuffix(" at")
            raise self._syntax(message[:1].lower() + message[1:], getattr(exc, "pos", at)) from None
        return value

    def _scalar(self, c: str, start: int) -> Any:
        text = self.text
        if c == '"':
            return self._string(start)
        match = _NUMBER.match(text, start)
        if match is not None and match.end() > start:
            self.pos = match.end()
            digits = match.group(0)
            try:
                if match.group(1) is None and match.group(2) is None:
                    return int(digits)
                number = float(digits)
            except ValueError:
                number = float("inf")
            if number in (float("inf"), float("-inf")):
                raise self._fail(
                    "bad-number",
                    f"number {digits[:40]!r}{'...' if len(digits) > 40 else ''} is too large",
                    start,
                    "write a smaller number, or quote it if it is meant as text",
                )
            return number
        for word, value in _LITERALS:
            if text.startswith(word, start):
                self.pos = start + len(word)
                return value
        raise self._syntax("expected a value (object, list, string, number, true, false, null)")


_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
# possessive, and an unterminated string runs to the end in one match: searched again from each
# of its quotes, a text of \" pairs took time quadratic in its length
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class _Decline(Exception):
    """The fast path leaves this text to the exact parser (which then finds the problem)."""


def _refuse(*args: object) -> Any:
    raise _Decline


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Decline
    return out


def _finite(digits: str) -> float:
    value = float(digits)
    if value in (float("inf"), float("-inf")):
        raise _Decline
    return value


def _fast(text: str, limits: Limits) -> Any:
    """The value of well-formed ``text`` within ``limits`` through the standard C decoder, or
    raise :class:`_Decline` for anything else: the exact parser then locates the problem.

    Before decoding, the nesting depth and an upper bound of the number of values are read
    off the text with strings blanked out, so that the decoder never recurses deeply."""
    skeleton = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    if len(skeleton) > limits.max_nodes:
        raise _Decline
    depth = max(accumulate(map(_DEPTH_STEP.__getitem__, skeleton)), default=0)
    if depth > limits.max_depth or text.count(",") + len(skeleton) >= limits.max_nodes:
        raise _Decline
    try:
        return _json.loads(
            text,
            object_pairs_hook=_unique_object,
            parse_constant=_refuse,
            parse_float=_finite,
        )
    except ValueError:  # a syntax error, or an integer of too many digits
        raise _Decline from None


def _preamble_end(text: str) -> int:
    """Offset of the first line that starts (after blanks) with '{' or '[', else 0."""
    match = re.search(r"^[ \t]*[\[{]", text, re.MULTILINE)
    return match.start() if match is not None else 0


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(data: Any) -> tuple[tuple[PathElem, ...], bool] | None:
    """The path of the first string (a key: True) that holds a lone surrogate, or None."""
    stack: list[tuple[tuple[PathElem, ...], Any]] = [((), data)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return at, False
        elif isinstance(value, dict):
            for key in value:
                if _SURROGATE.search(key):
                    return (*at, key), True
            stack.extend(((*at, key), inner) for key, inner in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*at, i), inner) for i, inner in reversed(list(enumerate(value))))
    return None


def _whole(doc: JsonDocument) -> JsonDocument:
    """``doc`` when its strings hold whole characters; refused at the first one holding a lone
    surrogate (an escape such as ``\\ud800`` without its pair): no UTF-8 text, so no model or
    report, can hold it. Only a text with such an escape is walked."""
    if _SURROGATE_ESCAPE.search(doc.text, doc.start) is None:
        return doc
    found = _lone_surrogate(doc.data)
    if found is None:
        return doc
    at, key = found
    raise JsonProblem(
        [
            Diagnostic(
                "json-syntax",
                "JSON syntax error: a \\u escape of half a surrogate pair without its other "
                "half is no Unicode character",
                doc.locate(at, key=key),
                "write the character itself, or both escapes of its pair (\\ud83d\\ude00)",
            )
        ]
    )


def parse_json(
    raw: bytes | str,
    path: str = "<string>",
    limits: Limits | None = None,
    *,
    jsonc: bool = False,
    preamble: bool = False,
) -> JsonDocument:
    """Parse JSON bytes or text into a :class:`JsonDocument`; raises :class:`JsonProblem`.

    ``jsonc`` accepts ``//`` and ``/* */`` comments and trailing commas; ``preamble`` skips
    lines before the first one that starts a JSON object or list (log output).
    """
    limits = limits or Limits()
    if isinstance(raw, bytes):
        if len(raw) > limits.max_file_bytes:
            raise JsonProblem(
                [
                    Diagnostic(
                        "file-too-large",
                        f"input is {len(raw):,} bytes, over the limit of {limits.max_file_bytes:,}",
                        SourceLocation(path, 1, 1),
                        _READING.too_large_hint,
                    )
                ]
            )
        try:
            text = decode_utf8(raw, path, _READING)
        except FileProblem as exc:
            raise JsonProblem(exc.diagnostics) from None
    else:
        text = raw.removeprefix("\ufeff")
    start = _preamble_end(text) if preamble else 0
    if not jsonc:
        try:
            return _whole(JsonDocument(path, _fast(text[start:], limits), text, jsonc, start))
        except _Decline:
            pass
    if not (_WS_JSONC if jsonc else _WS).fullmatch(text, start):
        parser = _Parser(text, path, limits, jsonc=jsonc, start=start)
        try:
            data = parser.parse()
        except _Stop as stop:
            assert stop.diagnostic is not None
            raise JsonProblem([stop.diagnostic]) from None
        return _whole(JsonDocument(path, data, text, jsonc, start))
    raise JsonProblem(
        [
            Diagnostic(
                "empty-file",
                "the file is empty (no JSON value)",
                SourceLocation(path, 1, 1),
                "pass a file that holds a JSON object or list",
            )
        ]
    )


def read_json_file(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    *,
    shown: str | None = None,
    jsonc: bool = False,
    preamble: bool = False,
) -> JsonDocument:
    """Read and parse one JSON file, enforcing ``limits``; raises :class:`JsonProblem`.

    The size and the kind of file are checked before the file is opened; ``shown`` names the
    file in messages (default: ``path``).
    """
    limits = limits or Limits()
    shown = str(path) if shown is None else shown
    try:
        raw = read_limited(path, limits.max_file_bytes, shown, _READING)
    except FileProblem as exc:
        raise JsonProblem(exc.diagnostics) from None
    return parse_json(raw, shown, limits, jsonc=jsonc, preamble=preamble)
