"""JSON output: the canonical result, and its JSON Schema."""

from __future__ import annotations

import json as _json
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import Field, dataclass, fields, is_dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from actm.io.forked import ahead
from actm.io.writer import Spooled
from actm.results.model import Result

__all__ = ["iter_json", "render_json", "result_json_schema", "result_to_data", "spool_json"]


@cache
def _adapter_for(hint: Any) -> TypeAdapter[Any]:
    return TypeAdapter(hint)


def _serialised(f: Field[Any]) -> bool:
    """Whether the JSON result holds this field (not timings: output never depends on time;
    not the details kept for other renderers)."""
    return bool(f.metadata.get("serialised", True))


_HIDDEN = frozenset(f.name for f in fields(Result) if not _serialised(f))


def result_to_data(result: Result) -> dict[str, Any]:
    """The result as plain JSON-compatible data (timings and renderer details left out)."""
    data: dict[str, Any] = _adapter_for(Result).dump_python(
        result, mode="json", exclude=set(_HIDDEN)
    )
    return data


def render_json(result: Result) -> str:
    """Deterministic, pretty-printed JSON ending with a newline."""
    return b"".join(iter_json(result)).decode("utf-8")


@cache
def _fields_of(cls: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's serialised fields and their resolved types."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls) if _serialised(f))


def _nested(raw: bytes, depth: int) -> bytes:
    """Pretty-printed JSON of a value placed ``depth`` levels deep (lines indented to match)."""
    return raw.replace(b"\n", b"\n" + b"  " * depth)


@dataclass(frozen=True)
class _Out:
    """How the pieces are handed over: each one passed through ``finish``; with ``spooled``,
    the pieces a forked child made as one :class:`Spooled` range of its file."""

    finish: Callable[[bytes], bytes]
    spooled: bool


def _as_is(piece: bytes) -> bytes:
    return piece


def _stream(value: Any, hint: Any, depth: int, out: _Out) -> Iterator[bytes | Spooled]:
    """Pretty-printed JSON of ``value``: the result and its parts down to two levels are
    written field by field and a chunk of items at a time (:data:`CHUNK_ITEMS`), anything
    deeper in one piece."""
    pad = b"  " * (depth + 1)
    finish = out.finish
    if depth < 2 and is_dataclass(hint) and isinstance(hint, type):
        yield finish(b"{")
        for n, (name, field_hint) in enumerate(_fields_of(hint)):
            key = _adapter_for(str).dump_json(name)
            yield finish((b",\n" if n else b"\n") + pad + key + b": ")
            yield from _stream(getattr(value, name), field_hint, depth + 1, out)
        yield finish(b"\n" + b"  " * depth + b"}")
        return
    args = typing.get_args(hint)
    listed = typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis
    if depth < 2 and listed and value:
        yield finish(b"[")
        yield from _items(value, args[0], depth, out)
        yield finish(b"\n" + b"  " * depth + b"]")
        return
    yield finish(_nested(_adapter_for(hint).dump_json(value, indent=2), depth))


AHEAD_ITEMS = 4000
"""A list of at least this many items may have its later part serialised in a forked child
while this process serialises the first part (io/forked.py); the pieces and their order are the
same either way."""

AHEAD_BYTES = 16 << 20
"""It does when its first :data:`PROBE` items say the whole list is at least this long (a hub's
threats: 150 MB at 1,000 tools; not its capability matrix, whose rows are short)."""

PROBE = 200

AHEAD_SHARE = 0.5
"""The share of the rest of such a list the child serialises (this process also writes every
piece and reads the child's back, which costs little)."""


CHUNK_ITEMS = 128
"""The items of a list serialised in one call (:func:`_chunks`)."""


def _chunks(hint: Any, depth: int) -> Callable[[Sequence[Any]], bytes]:
    """How to serialise consecutive items of a list placed ``depth`` levels deep in one call:
    the bytes that rendering them one by one gives (each on its own lines after a line feed
    and its indentation, separated by commas), without the comma before the first.

    The items are serialised inside ``depth`` more lists, so that pydantic indents them as deep
    as they go in the document, and the brackets of those lists are cut off: the same bytes as
    serialising each item and indenting its lines, in one call per chunk instead of one call
    and one pass over the bytes per item."""
    wrapped: Any = tuple[hint, ...]
    for _ in range(depth):
        wrapped = tuple[wrapped, ...]
    adapter = _adapter_for(wrapped)
    head = len(b"[" + b"".join(b"\n" + b"  " * level + b"[" for level in range(1, depth + 1)))
    tail = len(b"".join(b"\n" + b"  " * level + b"]" for level in range(depth + 1)))

    def chunk(items: Sequence[Any]) -> bytes:
        value: Any = tuple(items)
        for _ in range(depth):
            value = (value,)
        return adapter.dump_json(value, indent=2)[head:-tail]

    return chunk


def _items(value: Any, hint: Any, depth: int, out: _Out) -> Iterator[bytes | Spooled]:
    """The items of a list placed ``depth`` levels deep, each on its own lines."""
    chunk = _chunks(hint, depth)
    finish = out.finish

    def pieces(start: int, stop: int) -> Iterator[bytes]:
        for i in range(start, stop, CHUNK_ITEMS):
            made = chunk(value[i : min(i + CHUNK_ITEMS, stop)])
            yield finish(b"," + made if i else made)

    n = len(value)
    if n < AHEAD_ITEMS:
        yield from pieces(0, n)
        return
    # the probe and the split fall between chunks: the same pieces whether or not it splits
    probe = min(_whole_chunks(PROBE), n)
    first = list(pieces(0, probe))
    yield from first
    split = min(_whole_chunks(n - int((n - probe) * AHEAD_SHARE)), n)
    if sum(map(len, first)) * n < AHEAD_BYTES * probe or split >= n:
        yield from pieces(probe, n)
        return
    later = ahead(lambda: pieces(split, n))
    try:
        yield from pieces(probe, split)
        yield from later.spooled() if out.spooled else later
    finally:
        later.close()


def _whole_chunks(items: int) -> int:
    """``items`` rounded up to whole chunks of :data:`CHUNK_ITEMS`."""
    return -(-items // CHUNK_ITEMS) * CHUNK_ITEMS


def iter_json(result: Result) -> Iterator[bytes]:
    """The bytes of :func:`render_json`, a piece at a time: the long lists are serialised a
    chunk of items at a time (:data:`CHUNK_ITEMS`), so writing a large result holds one
    chunk's text at a time, not the document's."""
    for piece in _stream(result, Result, 0, _Out(_as_is, spooled=False)):
        assert isinstance(piece, bytes)  # nothing comes spooled
        yield piece
    yield b"\n"


def spool_json(result: Result, finish: Callable[[bytes], bytes]) -> Iterator[bytes | Spooled]:
    """The pieces of :func:`iter_json`, each passed through ``finish`` (in the forked child too,
    for those it makes), except that those a forked child made come as one :class:`Spooled`
    range of its file: for a writer (:func:`actm.io.writer.write_pieces`), which copies them
    without reading them back."""
    yield from _stream(result, Result, 0, _Out(finish, spooled=True))
    yield finish(b"\n")


def _drop_unused_definitions(schema: dict[str, Any]) -> None:
    """Remove the ``$defs`` that only the fields left out of the JSON referred to."""
    defs = schema.get("$defs", {})
    while True:
        text = _json.dumps({k: v for k, v in schema.items() if k != "$defs"}) + _json.dumps(defs)
        unused = [name for name in defs if f'"#/$defs/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del defs[name]


def result_json_schema() -> dict[str, Any]:
    schema = _adapter_for(Result).json_schema(mode="serialization")
    for name in _HIDDEN:
        schema.get("properties", {}).pop(name, None)
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r not in _HIDDEN]
    _drop_unused_definitions(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://actm.dev/schema/result-v1.json"
    schema["title"] = "actm analysis result (format 1)"
    return schema
