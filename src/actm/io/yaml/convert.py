"""Node tree to plain Python values in one pass: scalars typed by the YAML 1.2 core schema, with
duplicate-key, tag, depth and alias-expansion checks."""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode

from actm.errors import Diagnostic
from actm.io.yaml.limits import Limits, too_deep
from actm.io.yaml.nodes import PLAIN, PLAIN_TAG, location, tag_of

__all__ = ["Converter"]

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)\Z")
_NUMERIC_START = frozenset("0123456789+-.")


CORE_PREFIX = "tag:yaml.org,2002:"
STR_TAG = "tag:yaml.org,2002:str"
KNOWN_TAGS = frozenset(
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


class Converter:
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
        self.diagnostics.append(Diagnostic(code, message, location(self.path, mark), hint))

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
            d = too_deep(self.limits.max_depth, location(self.path, node.start_mark))
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
            value = [
                self._plain(child) if type(child) is ScalarNode else self._node(child, depth + 1)[0]
                for child in node.value
            ]
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
            # most values are scalars: _plain is _node's scalar branch, without the call
            out[k] = (
                self._plain(vnode) if type(vnode) is ScalarNode else self._node(vnode, depth + 1)[0]
            )
        return out

    def _plain(self, node: Any) -> Any:
        """A scalar's value (what :meth:`_node` gives for a scalar)."""
        self.expanded += 1
        return self._scalar(node)

    def _check_tag(self, node: Any, default: str) -> None:
        if node.ctag is PLAIN_TAG:
            return
        tag = tag_of(node)
        if tag in (PLAIN, default) or tag == "!":
            return
        shown = "!!" + tag[len(CORE_PREFIX) :] if tag.startswith(CORE_PREFIX) else tag
        if tag not in KNOWN_TAGS:
            self._fail(
                "unsupported-tag",
                f"YAML tag {shown!r} is not supported",
                node.start_mark,
                "remove the tag; actm models use plain YAML values only",
            )
        elif default != STR_TAG:
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
        if node.ctag is not PLAIN_TAG and (tag := tag_of(node)) != PLAIN:
            if tag in ("!", STR_TAG):
                return value
            self._check_tag(node, STR_TAG)
            if tag in KNOWN_TAGS:
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
