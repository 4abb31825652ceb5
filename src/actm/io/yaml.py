"""Safe, fast reading of YAML files with a source location for every node.

Model files and knowledge entries are both read here. The reader is defensive: a file that is
too large, binary, not UTF-8, empty, nested too deeply, or that expands aliases into a huge tree
is refused with a :class:`~actm.errors.Diagnostic` naming the place and the fix, never with a
traceback or a hang.

How it works: libyaml (through ``ruamel.yaml.clib``) composes the node tree in C, with a
resolver that does no work; this module then converts nodes to plain Python values in one pass,
typing plain scalars by the YAML 1.2 core schema (so ``no`` stays a string), rejecting duplicate
keys and unknown tags, and counting the expanded size so that alias bombs are caught before they
are expanded. Source locations are not stored per value: :meth:`YamlDocument.locate` walks the
node tree along a path only when a diagnostic needs one.
"""

from __future__ import annotations

import gc
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from actm.errors import Diagnostic, SourceLocation
from actm.io.files import FileProblem, Reading, decode_utf8, read_limited
from actm.io.files import too_large as _too_large

__all__ = [
    "Limits",
    "YamlDocument",
    "YamlProblem",
    "parse_yaml",
    "read_yaml_file",
    "too_large",
]

PathElem = str | int


_LIMIT_NAMES = ("max_file_bytes", "max_depth", "max_nodes", "max_alias_expansion", "max_elements")


_LOWEST = {"max_alias_expansion": 0}
"""Smallest allowed value of a limit, where it is not 1."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that protect the reader from hostile or accidental huge input.

    Every bound can be raised by the caller (the CLI exposes them as options and environment
    variables); the defaults are generous for real models.
    """

    max_file_bytes: int = 32 * 1024 * 1024
    """Largest file accepted, in bytes."""
    max_depth: int = 64
    """Deepest nesting of mappings and sequences."""
    max_nodes: int = 10_000_000
    """Largest number of values after aliases are expanded."""
    max_alias_expansion: int = 100_000
    """Largest number of values that aliases may add beyond the nodes written in the file."""
    max_elements: int = 1_000_000
    """Most elements in a model: entries of its sections (nodes, models, assets, relations,
    ...), counted over the root file and every file it includes. Checked by the model loader
    right after each file is read, before any schema or semantic check."""

    def __post_init__(self) -> None:
        for name in _LIMIT_NAMES:
            value = getattr(self, name)
            lowest = _LOWEST.get(name, 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                raise ValueError(f"Limits.{name}={value!r}: expected a whole number >= {lowest}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``ACTM_MAX_FILE_BYTES``, ``ACTM_MAX_DEPTH``, ... if set.

        Raises ValueError naming the variable when a value is not a whole number in range.
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name in _LIMIT_NAMES:
            var = "ACTM_" + name.upper()
            raw = env.get(var)
            if raw is None:
                continue
            text = raw.strip().replace("_", "")
            lowest = _LOWEST.get(name, 1)
            digits = text.isascii() and text.isdigit() and len(text) <= 18
            if not digits or int(text) < lowest:
                raise ValueError(
                    f"{var}={raw!r}: expected a whole number of at least {lowest} "
                    "(at most 18 digits)"
                )
            values[name] = int(text)
        return cls(**values)


class YamlProblem(Exception):
    """The file could not be read at all; carries the diagnostics found so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


# libyaml's composer recurses in C; far beyond this depth it overflows the C stack. The depth
# the user may write (Limits.max_depth) is checked precisely during conversion; this ceiling only
# decides when the cheap textual pre-check must be confirmed by a slower, exact one.
_C_STACK_CEILING = 2000
# The converter below recurses in Python (two frames a level), so whatever --max-depth says, no
# more than this many levels are read; it keeps far below the interpreter's recursion limit.
_DEPTH_CEILING = 256

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)\Z")
_NUMERIC_START = frozenset("0123456789+-.")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_DEEP_INDENT_RE = re.compile(rf"^[ \t?:-]{{{_C_STACK_CEILING}}}", re.MULTILINE)
_BRACKET_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_BRACKETS_RE = re.compile(r"[^\[\]{}]+")

_CORE_PREFIX = "tag:yaml.org,2002:"
_STR_TAG = "tag:yaml.org,2002:str"
_KNOWN_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
    }
)
# The tag our resolver gives every implicitly tagged node.
_PLAIN = "?"


@dataclass(slots=True)
class YamlDocument:
    """A parsed YAML file: its plain Python data and the node tree used to locate paths."""

    path: str
    data: Any
    root: Any = field(repr=False)
    text: str = field(repr=False, default="")
    _keys: dict[int, dict[str, tuple[Any, Any]]] = field(
        repr=False, default_factory=dict, compare=False
    )
    """Key index of large mappings already searched, so that locating many errors in one
    mapping stays linear."""

    def locate(self, path: Sequence[PathElem], *, key: bool = False) -> SourceLocation:
        """Location of the value at ``path`` (or of its key when ``key`` is true).

        Follows the path as far as it exists and returns the deepest place reached, so a missing
        field points at the mapping that should contain it.
        """
        node = self.root
        mark = node.start_mark if node is not None else None
        for i, elem in enumerate(path):
            last = i == len(path) - 1
            nxt = None
            if _is_mapping(node) and isinstance(elem, str):
                pair = self._pair(node, elem)
                if pair is not None:
                    if last and key:
                        return _loc(self.path, pair[0].start_mark)
                    nxt = pair[1]
            elif _is_sequence(node) and isinstance(elem, int) and 0 <= elem < len(node.value):
                nxt = node.value[elem]
            if nxt is None:
                break
            node = nxt
            mark = node.start_mark
        if mark is None:
            return SourceLocation(self.path, 1, 1)
        return _loc(self.path, mark)

    def _pair(self, node: Any, name: str) -> tuple[Any, Any] | None:
        """The (key node, value node) of ``name`` in a mapping node (the first, if repeated)."""
        pairs = node.value
        if len(pairs) <= 16:
            for k, v in pairs:
                if _is_scalar(k) and k.value == name:
                    return k, v
            return None
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for k, v in pairs:
                if _is_scalar(k):
                    index.setdefault(k.value, (k, v))
            self._keys[id(node)] = index
        return index.get(name)


def _loc(path: str, mark: Any) -> SourceLocation:
    return SourceLocation(path, int(mark.line) + 1, int(mark.column) + 1)


def _is_mapping(node: Any) -> bool:
    return type(node) is MappingNode


def _is_sequence(node: Any) -> bool:
    return type(node) is SequenceNode


def _is_scalar(node: Any) -> bool:
    return type(node) is ScalarNode


def _tag(node: Any) -> str:
    # ruamel wraps tags in Tag objects whose str() is slow; the suffix holds what libyaml read.
    ctag = node.ctag
    return _PLAIN if ctag is None else str(ctag.suffix)


_READING = Reading(
    what="YAML",
    pass_hint="pass a YAML file",
    stream_hint="save the model to a file and pass that",
    binary_hint="pass the YAML model file",
    too_large_hint="split the model with include:, or raise the limit with --max-file-bytes "
    "or ACTM_MAX_FILE_BYTES",
)


def too_large(shown: str, size: int, limit: int) -> Diagnostic:
    """The diagnostic for a file of ``size`` bytes over ``limit``, at its first line."""
    return _too_large(shown, size, limit, _READING.too_large_hint)


def read_yaml_file(
    path: str | os.PathLike[str], limits: Limits | None = None, *, shown: str | None = None
) -> YamlDocument:
    """Read and parse one YAML file, enforcing ``limits``; raises :class:`YamlProblem`.

    The size and the kind of file are checked with ``stat`` before the file is opened, so a
    huge file is never read and a pipe is never waited on. ``shown`` names the file in
    messages (default: ``path``).
    """
    limits = limits or Limits()
    shown = str(path) if shown is None else shown
    try:
        raw = read_limited(path, limits.max_file_bytes, shown, _READING)
    except FileProblem as exc:
        raise YamlProblem(exc.diagnostics) from None
    return parse_yaml(raw, shown, limits)


def _decode(raw: bytes, path: str) -> str:
    try:
        return decode_utf8(raw, path, _READING)
    except FileProblem as exc:
        raise YamlProblem(exc.diagnostics) from None


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
    parser = _new_parser(text)
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


def _new_parser(text: str) -> Any:
    try:
        from _ruamel_yaml import CParser
    except ImportError as exc:  # pragma: no cover - ruamel.yaml.clib is a hard dependency
        raise RuntimeError(
            "actm needs ruamel.yaml.clib (libyaml); reinstall actm with pip"
        ) from exc

    class _Parser(CParser):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return _PLAIN

        def descend_resolver(self, *args: Any) -> None:
            return None

        def ascend_resolver(self, *args: Any) -> None:
            return None

    return _Parser(text)


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Building hundreds of thousands of small objects triggers the cyclic GC again and again
    # although nothing here makes cycles; pausing it halves the time of a large parse.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_HINTS = (
    ("mapping values are not allowed", "a value containing ': ' must be quoted"),
    ("could not find expected ':'", "each key needs a ':' after it; check the line above"),
    ("did not find expected key", "check the indentation of this line against the lines above"),
    ("did not find expected ','", "a flow list [a, b] or mapping {a: b} is not closed"),
    ("found undefined alias", "define the anchor (&name) before using the alias (*name)"),
    (
        "found unexpected ':'",
        "inside [...] or {...}, a value containing ':' (a URL, a time) must be quoted",
    ),
    ("found character '@'", "values starting with @ or ` must be quoted"),
    ("found unexpected end of stream", "a quoted string or a flow collection is not closed"),
)
_TAB_HINT = "indent with spaces; YAML does not allow tab characters in indentation"


def _line_text(text: str, line: int) -> str:
    """Line ``line`` (0-based) of ``text``."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _tab_column(text: str, mark: Any, problem: str) -> int | None:
    """0-based column of the indentation tab that caused a syntax error, if a tab did."""
    line = _line_text(text, int(mark.line))
    indent = len(line) - len(line.lstrip(" \t"))
    tab = line.find("\t", 0, indent)
    if tab >= 0 and int(mark.column) <= indent:
        return tab
    if "tab character" in problem:
        return int(mark.column)
    return None


_YAML_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _clamp(text: str, loc: SourceLocation) -> SourceLocation:
    """``loc``, or the end of the last line if it lies past it.

    At the end of a file that does not end with a line break, libyaml reports errors on the
    line after the last one.
    """
    breaks = _YAML_BREAK_RE.findall(text)
    if loc.line <= len(breaks):
        return loc
    last = text[text.rfind(breaks[-1]) + len(breaks[-1]) :] if breaks else text
    if loc.line == len(breaks) + 1 and loc.column <= len(last) + 1:
        return loc
    return replace(loc, line=len(breaks) + 1, column=len(last) + 1)


def _syntax_problem(exc: Exception, path: str, text: str = "") -> YamlProblem:
    problem = str(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    context = getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    loc = _loc(path, mark) if mark is not None else SourceLocation(path, 1, 1)
    if text:
        loc = _clamp(text, loc)
    if mark is not None:
        tab = _tab_column(text, mark, problem)
        if tab is not None:
            return YamlProblem(
                [
                    Diagnostic(
                        "tab-indent",
                        "a tab character is used for indentation",
                        SourceLocation(path, loc.line, tab + 1),
                        _TAB_HINT,
                    )
                ]
            )
    if "another document" in problem:
        return YamlProblem(
            [
                Diagnostic(
                    "multiple-documents",
                    "the file holds more than one YAML document",
                    loc,
                    "a model file holds one YAML document; remove the extra '---', or split "
                    "the documents into files and join them with include:",
                )
            ]
        )
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    hint = "fix the YAML syntax at this place"
    words = f"{problem} {context or ''}"
    for needle, h in _HINTS:
        if needle in words:
            hint = h
            break
    return YamlProblem([Diagnostic("yaml-syntax", message, loc, hint)])


def parse_yaml(
    raw: bytes | str, path: str = "<string>", limits: Limits | None = None
) -> YamlDocument:
    """Parse YAML bytes or text into a :class:`YamlDocument`; raises :class:`YamlProblem`."""
    limits = limits or Limits()
    if isinstance(raw, bytes):
        if len(raw) > limits.max_file_bytes:
            raise YamlProblem(
                [
                    Diagnostic(
                        "file-too-large",
                        f"input is {len(raw):,} bytes, over the limit of {limits.max_file_bytes:,}",
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
                    'remove it, or write it as an escape ("\\x07") inside a double-quoted string',
                )
            ]
        )
    max_depth = min(limits.max_depth, _DEPTH_CEILING)
    if max_depth != limits.max_depth:
        limits = replace(limits, max_depth=max_depth)
    # libyaml composes the tree recursively in C: nesting far deeper than the limit would
    # overflow the C stack (a crash, not an exception), so deep nesting is found first in its
    # event stream, which is read iteratively and stops at the first level past the limit.
    if _flow_may_nest_deeply(text, max_depth) or _may_nest_deeply(text):
        mark = _too_deep_mark_safe(text, path, max_depth)
        if mark is not None:
            raise YamlProblem([_too_deep(max_depth, _loc(path, mark))])
    with _gc_paused():
        try:
            root = _new_parser(text).get_single_node()
        except RecursionError:  # pragma: no cover - guarded by the depth check above
            raise YamlProblem([_too_deep(max_depth, SourceLocation(path, 1, 1))]) from None
        except Exception as exc:
            if _is_yaml_error(exc):
                raise _syntax_problem(exc, path, text) from None
            raise
        if root is None or (
            type(root) is ScalarNode
            and root.value == ""
            and not root.style
            and _tag(root) == _PLAIN
        ):  # no document, or an empty one ("---" alone)
            raise YamlProblem(
                [
                    Diagnostic(
                        "empty-file",
                        "the file is empty (or holds only comments)",
                        SourceLocation(path, 1, 1),
                        "start from an example in examples/, beginning with 'actm: 1'",
                    )
                ]
            )
        converter = _Converter(path, limits)
        try:
            data = converter.convert(root, 0)
        except RecursionError:  # pragma: no cover - guarded by _DEPTH_CEILING
            raise YamlProblem([_too_deep(max_depth, _loc(path, root.start_mark))]) from None
    if converter.fatal:
        raise YamlProblem(converter.diagnostics)
    doc = YamlDocument(path, data, root, text)
    if converter.diagnostics:
        raise YamlProblem(converter.diagnostics)
    return doc


def _too_deep_mark_safe(text: str, path: str, limit: int) -> Any:
    try:
        return _too_deep_mark(text, limit)
    except Exception as exc:
        if _is_yaml_error(exc):
            raise _syntax_problem(exc, path, text) from None
        raise


def _too_deep(limit: int, where: SourceLocation) -> Diagnostic:
    hint = "flatten the structure; raise --max-depth only if the nesting is intended"
    if limit >= _DEPTH_CEILING:
        hint = f"flatten the structure; actm reads at most {_DEPTH_CEILING} levels of nesting"
    return Diagnostic(
        "too-deep", f"nesting is deeper than the limit of {limit} levels", where, hint
    )


def _is_yaml_error(exc: Exception) -> bool:
    return any(c.__name__ in ("YAMLError", "MarkedYAMLError") for c in type(exc).__mro__)


class _Converter:
    """Node tree to plain values, with duplicate-key, tag, depth and expansion checks."""

    __slots__ = ("diagnostics", "expanded", "fatal", "limits", "memo", "path", "written")

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        self.fatal = False
        # id(node) -> (value, expanded size) for collections already converted (aliases).
        self.memo: dict[int, tuple[Any, int]] = {}
        self.expanded = 0
        self.written = 0

    def _fail(self, code: str, message: str, mark: Any, hint: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, _loc(self.path, mark), hint))

    def _fatal(self, code: str, message: str, mark: Any, hint: str) -> None:
        self._fail(code, message, mark, hint)
        self.fatal = True
        raise _Stop

    def _too_many(self, node: Any) -> None:
        self._fatal(
            "too-many-values",
            f"document holds more than {self.limits.max_nodes:,} values (with aliases expanded)",
            node.start_mark,
            "split the model with include:, or raise ACTM_MAX_NODES",
        )

    def convert(self, node: Any, depth: int) -> Any:
        try:
            value, _ = self._node(node, depth)
        except _Stop:
            return None
        return value

    def _node(self, node: Any, depth: int) -> tuple[Any, int]:
        kind = type(node)
        if kind is ScalarNode:
            self.expanded += 1
            return self._scalar(node), 1
        key = id(node)
        hit = self.memo.get(key)
        if hit is not None:
            cached, size = hit
            if cached is _IN_PROGRESS:
                self._fatal(
                    "recursive-alias",
                    "an alias refers to the collection that contains it",
                    node.start_mark,
                    "YAML models cannot be recursive; remove the alias",
                )
            self.expanded += size
            if self.expanded > self.limits.max_nodes:
                self._too_many(node)
            if self.expanded - self.written > self.limits.max_alias_expansion:
                self._fatal(
                    "alias-bomb",
                    "aliases of the anchor here expand the document beyond "
                    f"{self.limits.max_alias_expansion:,} extra values",
                    node.start_mark,
                    "use fewer, smaller anchors; raise --max-alias-expansion only if intended",
                )
            return cached, size
        if depth >= self.limits.max_depth:
            d = _too_deep(self.limits.max_depth, _loc(self.path, node.start_mark))
            self._fatal(d.code, d.message, node.start_mark, d.hint or "")
        self._check_tag(
            node, "tag:yaml.org,2002:map" if kind is MappingNode else "tag:yaml.org,2002:seq"
        )
        self.memo[key] = (_IN_PROGRESS, 0)
        start = self.expanded
        self.expanded += 1
        self.written += 1
        if self.expanded > self.limits.max_nodes:
            self._too_many(node)
        value: Any
        if kind is MappingNode:
            value = self._mapping(node, depth)
        else:
            value = [self._node(child, depth + 1)[0] for child in node.value]
        size = self.expanded - start
        self.memo[key] = (value, size)
        return value, size

    def _mapping(self, node: Any, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_seen: dict[str, Any] = {}
        for knode, vnode in node.value:
            if type(knode) is not ScalarNode:
                self._fail(
                    "complex-key",
                    "a mapping key must be a plain string, not a list or mapping",
                    knode.start_mark,
                    "use a string key",
                )
                continue
            self.written += 1
            self.expanded += 1
            k = knode.value
            if k in first_seen:
                prev = first_seen[k].start_mark
                self._fail(
                    "duplicate-key",
                    f"duplicate key {k!r} (first defined at line {prev.line + 1}, "
                    f"column {prev.column + 1})",
                    knode.start_mark,
                    "remove or rename one of the two keys",
                )
                continue
            first_seen[k] = knode
            out[k] = self._node(vnode, depth + 1)[0]
        return out

    def _check_tag(self, node: Any, default: str) -> None:
        tag = _tag(node)
        if tag in (_PLAIN, default) or tag == "!":
            return
        shown = "!!" + tag[len(_CORE_PREFIX) :] if tag.startswith(_CORE_PREFIX) else tag
        if tag not in _KNOWN_TAGS:
            self._fail(
                "unsupported-tag",
                f"YAML tag {shown!r} is not supported",
                node.start_mark,
                "remove the tag; actm models use plain YAML values only",
            )
        elif default != _STR_TAG:
            # a collection tagged as something else (`!!str [a, b]`)
            what = "mapping" if default.endswith(":map") else "list"
            self._fail(
                "unsupported-tag",
                f"YAML tag {shown!r} cannot be applied to a {what}",
                node.start_mark,
                "remove the tag",
            )

    def _scalar(self, node: Any) -> Any:
        self.written += 1
        value: str = node.value
        tag = _tag(node)
        if tag != _PLAIN:
            if tag in ("!", _STR_TAG):
                return value
            self._check_tag(node, _STR_TAG)
            if tag in _KNOWN_TAGS:
                try:
                    typed = _typed_plain(value)
                except ValueError:  # a tagged number too large to read (`!!int 1111...`)
                    return self._bad_number(node, value)
                want = tag.rsplit(":", 1)[1]
                ok = {
                    "int": isinstance(typed, int) and not isinstance(typed, bool),
                    "float": isinstance(typed, (int, float)) and not isinstance(typed, bool),
                    "bool": isinstance(typed, bool),
                    "null": typed is None,
                }.get(want, True)
                if not ok:
                    self._fail(
                        "bad-tagged-value",
                        f"value {value!r} is not a valid !!{want}",
                        node.start_mark,
                        f"write a {want} value or drop the tag",
                    )
                    return value
                return float(typed) if want == "float" else typed
            return value
        if node.style:  # quoted or block scalar: always a string
            return value
        try:
            return _typed_plain(value)
        except ValueError:
            return self._bad_number(node, value)

    def _bad_number(self, node: Any, value: str) -> str:
        self._fail(
            "bad-number",
            f"number {value[:40]!r}{'...' if len(value) > 40 else ''} is too large",
            node.start_mark,
            "quote it if it is meant as text",
        )
        return value


class _Stop(Exception):
    pass


_IN_PROGRESS = object()


def _typed_plain(value: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if value in _NULLS:
        return None
    b = _BOOLS.get(value)
    if b is not None:
        return b
    if value[0] not in _NUMERIC_START:
        return value
    if _INT_RE.match(value):
        return int(value)
    if _FLOAT_RE.match(value):
        if len(value) > 400:
            raise ValueError("too long")
        f = float(value)
        if math.isinf(f):
            raise ValueError("overflow")
        return f
    if _OCT_RE.match(value):
        return int(value[2:], 8)
    if _HEX_RE.match(value):
        return int(value[2:], 16)
    if _INF_RE.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN_RE.match(value):
        return float("nan")
    return value
