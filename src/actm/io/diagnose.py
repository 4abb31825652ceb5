"""Turn pydantic validation errors into located diagnostics with did-you-mean hints."""

from __future__ import annotations

import difflib
import functools
import re
import sys
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from actm.errors import Diagnostic
from actm.io.yaml import YamlDocument

__all__ = [
    "CVE_PATTERN",
    "CVSS_PATTERN",
    "CWE_PATTERN",
    "ID_PATTERN",
    "REF_PATTERN",
    "did_you_mean",
    "validate_document",
    "validation_diagnostics",
]

M = TypeVar("M", bound=BaseModel)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (a likely typo of it), or None."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str], *, what: str = "values") -> str | None:
    """A hint naming the closest choice, or listing the choices when there are few."""
    return _did_you_mean(word, tuple(sorted(set(choices))), what)


@functools.lru_cache(maxsize=1024)  # a model often repeats one mistake many times
def _did_you_mean(word: str, options: tuple[str, ...], what: str) -> str | None:
    if not options:
        return None
    close = closest(word, options)
    if close is not None:
        return f"did you mean {close!r}?"
    noun = what or "values"
    if len(options) <= 12:
        return f"valid {noun}: {', '.join(options)}"
    return f"see `actm schema` or docs/model-format.md for the valid {noun}"


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation may hold (through Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    if origin in (list, tuple, set, frozenset, Sequence):
        args = typing.get_args(annotation)
        return _unwrap(args[0]) if args else []
    if origin is dict:
        args = typing.get_args(annotation)
        return _unwrap(args[1]) if len(args) == 2 else []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic class whose fields apply at ``loc`` (a path of keys and indices)."""
    current: type[BaseModel] | None = root
    pending_container = False
    for elem in loc:
        if current is None:
            return None
        if isinstance(elem, int) or pending_container:
            pending_container = False
            continue
        field = _field_by_key(current, elem)
        if field is None:
            return None
        annotation = field.annotation
        classes = _unwrap(annotation)
        current = classes[0] if classes else None
        origin = typing.get_origin(annotation)
        inner = [typing.get_origin(a) for a in typing.get_args(annotation)]
        pending_container = origin is dict or dict in inner
    return current


def _field_by_key(cls: type[BaseModel], key: str) -> Any:
    for name, field in cls.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _keys(cls: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in cls.model_fields.items()]


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_EXPECT = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


# Fuzzy matching is the slowest part of reporting; past this many errors in one file (generated
# or hostile input), hints no longer search for the closest valid word.
_MAX_SUGGESTIONS = 2_000


class _NoDoc:
    """Stands in for a document when input did not come from a file (the builder)."""

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> None:
        return None


_Doc = YamlDocument | _NoDoc


class _Hints:
    """Counts the searches for a closest valid word, and refuses them past _MAX_SUGGESTIONS."""

    def __init__(self) -> None:
        self.searches = 0

    def allowed(self) -> bool:
        """Count one more search; whether it may still run."""
        self.searches += 1
        return self.searches <= _MAX_SUGGESTIONS


@dataclass(frozen=True, slots=True)
class _Error:
    """One pydantic error, with its path inside the validated value (``rel``) and in the
    document (``loc``: ``rel`` after the prefix), and that path as text (``where``)."""

    details: ErrorDetails
    loc: tuple[str | int, ...]
    rel: tuple[str | int, ...]

    @property
    def kind(self) -> str:
        return self.details["type"]

    @property
    def value(self) -> Any:
        return self.details.get("input")

    @property
    def where(self) -> str:
        return ".".join(str(e) for e in self.loc) or "(top level)"

    @property
    def ctx(self) -> dict[str, Any]:
        return self.details.get("ctx", {})


def validation_diagnostics(
    exc: ValidationError,
    root: type[BaseModel],
    doc: YamlDocument | None,
    *,
    prefix: Sequence[str | int] = (),
) -> list[Diagnostic]:
    """Diagnostics for every error in ``exc``, located in ``doc`` when there is one."""
    located: _Doc = doc if doc is not None else _NoDoc()
    hints = _Hints()
    out: list[Diagnostic] = []
    for err, rel in _one_branch(exc.errors(include_url=False), _branch_tags(root)):
        e = _Error(err, tuple(prefix) + rel, rel)
        out.append(_diagnostic(e, root, located, hints))
    return out


_TYPE_TAG = re.compile(r"^(constrained-)?(str|int|float|bool)$")


@functools.cache
def _branch_tags(root: type[BaseModel]) -> frozenset[str]:
    """The names pydantic puts in an error's path for a branch of a union: the input classes
    of ``root``'s module (e.g. ``SourceIn`` of a ``name | {name, can}`` field)."""
    module = sys.modules.get(root.__module__)
    names = vars(module) if module is not None else {}
    return frozenset(
        n for n, v in names.items() if isinstance(v, type) and issubclass(v, BaseModel)
    )


def _one_branch(
    errors: Sequence[ErrorDetails], tags: frozenset[str]
) -> list[tuple[ErrorDetails, tuple[str | int, ...]]]:
    """Each error with its path in the document: the union branch names taken out of it, and
    without the errors of a branch the value was plainly not written for (a mapping where one
    branch is a string) when another branch of the same value has errors of its own."""
    # each error, its path without the branch name, and the value's path when it has one
    found: list[tuple[ErrorDetails, tuple[str | int, ...], tuple[str | int, ...] | None]] = []
    for err in errors:
        path = tuple(e for e in err["loc"] if isinstance(e, (str, int)))
        at = next(
            (
                i
                for i, e in enumerate(path)
                if isinstance(e, str) and (e in tags or _TYPE_TAG.match(e))
            ),
            None,
        )
        if at is None:
            found.append((err, path, None))
        else:
            found.append((err, path[:at] + path[at + 1 :], path[:at]))

    def mismatch(err: ErrorDetails, path: tuple[str | int, ...], where: object) -> bool:
        return path == where and err["type"] in _EXPECT

    # the values some branch was written for: their other branches' mismatches are dropped;
    # a value no branch takes keeps the first branch's mismatch alone
    meant = {w for err, path, w in found if w is not None and not mismatch(err, path, w)}
    kept: list[tuple[ErrorDetails, tuple[str | int, ...]]] = []
    shown: set[tuple[str | int, ...]] = set()
    for err, path, where in found:
        if where is not None and mismatch(err, path, where):
            if where in meant or where in shown:
                continue
            shown.add(where)
        kept.append((err, path))
    return kept


def _diagnostic(e: _Error, root: type[BaseModel], doc: _Doc, hints: _Hints) -> Diagnostic:
    """The diagnostic for one error, by its kind."""
    kind = e.kind
    if kind == "extra_forbidden":
        return _unknown_key(e, root, doc, hints)
    if kind == "missing":
        return _missing_key(e, doc)
    if kind in ("literal_error", "enum"):
        return _not_one_of(e, doc, hints)
    if kind in ("float_type", "float_parsing") and type(e.value) is int:
        return _too_large(e, doc)
    if kind in _EXPECT:
        return _wrong_type(e, doc)
    if kind == "string_pattern_mismatch":
        return _pattern_mismatch(e, doc)
    return _invalid(e, doc)


def _unknown_key(e: _Error, root: type[BaseModel], doc: _Doc, hints: _Hints) -> Diagnostic:
    """A key the schema does not have, with the closest key it does have."""
    key = str(e.rel[-1]) if e.rel else "?"
    container = ".".join(str(x) for x in e.loc[:-1]) or "the top level"
    parent = _model_at(root, e.rel[:-1])
    options = _keys(parent) if parent is not None else []
    hint = (
        did_you_mean(key, options, what="keys")
        if hints.allowed()
        else "see `actm schema` or docs/model-format.md for the valid keys"
    )
    if key == "<<":
        hint = "YAML merge keys (<<) are not supported; write the keys out"
    return Diagnostic(
        "unknown-key",
        f"unknown key {key!r} in {container}",
        doc.locate(e.loc, key=True),
        hint or "remove the key",
    )


def _missing_key(e: _Error, doc: _Doc) -> Diagnostic:
    """A required key that is absent, located at the mapping that lacks it."""
    key = str(e.rel[-1]) if e.rel else "?"
    container = ".".join(str(x) for x in e.loc[:-1]) or "the top level"
    return Diagnostic(
        "missing-key",
        f"missing required key {key!r} in {container}",
        doc.locate(e.loc[:-1]),
        "add 'actm: 1' (the format version) at the top of the file"
        if e.loc == ("actm",)
        else f"add '{key}: ...'",
    )


def _not_one_of(e: _Error, doc: _Doc, hints: _Hints) -> Diagnostic:
    """A value outside a fixed set of choices, with the closest choice."""
    expected = e.ctx.get("expected", "")
    options = [o.strip().strip("'") for o in str(expected).replace(" or ", ", ").split(",")]
    value = e.value
    hint: str | None = None
    if isinstance(value, (str, int, float, bool)):
        message = f"{e.where}: {value!r} is not one of {expected}"
        if isinstance(value, str) and value in options:
            # the choice's own text, quoted where the choice is a number ("1" for 1)
            hint = f"write {value} without quotes: it is a number here, not text"
        elif hints.allowed():
            hint = did_you_mean(str(value), [o for o in options if o])
    else:
        message = f"{e.where}: expected one of {expected}, got {_describe(value)}"
    return Diagnostic(
        "invalid-value", message, doc.locate(e.loc), hint or f"write one of {expected}"
    )


def _too_large(e: _Error, doc: _Doc) -> Diagnostic:
    """A whole number too large for a float (1e309 written out in digits)."""
    shown = str(e.value)
    return Diagnostic(
        "invalid-value",
        f"{e.where}: number {shown[:40]}{'...' if len(shown) > 40 else ''} is too large",
        doc.locate(e.loc),
        "use a smaller number",
    )


def _wrong_type(e: _Error, doc: _Doc) -> Diagnostic:
    """A value of the wrong type (a list where a mapping goes, a number for a string)."""
    expected = _EXPECT[e.kind]
    hint = f"write {expected} here"
    if e.kind == "string_type" and isinstance(e.value, (bool, int, float)):
        hint = "put the value in quotes to make it a string"
    return Diagnostic(
        "wrong-type",
        f"{e.where}: expected {expected}, got {_describe(e.value)}",
        doc.locate(e.loc),
        hint,
    )


def _pattern_mismatch(e: _Error, doc: _Doc) -> Diagnostic:
    """A string that does not match its pattern (an id, a CVE, a CVSS vector)."""
    pattern = e.ctx.get("pattern", "")
    return Diagnostic(
        "invalid-value",
        f"{e.where}: {str(e.value)[:80]!r} is not valid here",
        doc.locate(e.loc),
        _PATTERN_HINTS.get(str(pattern), f"it must match {pattern}"),
    )


def _invalid(e: _Error, doc: _Doc) -> Diagnostic:
    """Any other error: pydantic's message, with a hint by kind (a length, a range, a check
    of the schema's own)."""
    msg = e.details["msg"]
    kind, ctx = e.kind, e.ctx
    if kind == "string_too_short":
        msg = "must not be empty"
        hint = "write a value, or remove the key"
    elif kind == "string_too_long":
        hint = f"shorten it to at most {ctx.get('max_length', '?')} characters"
    elif kind == "too_long":
        hint = f"list at most {ctx.get('max_length', '?')} items"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        hint = "use a number in the allowed range"
    elif kind == "finite_number":
        hint = "write a number (not .nan or .inf)"
    elif kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        field = str(e.loc[-1]) if e.loc else ""
        hint = _FIELD_HINTS.get(field) or "see docs/model-format.md for what this key takes"
    else:
        hint = "see `actm schema` or docs/model-format.md for what this key takes"
    return Diagnostic("invalid-value", f"{e.where}: {msg}", doc.locate(e.loc), hint)


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}(\.[A-Za-z0-9_-]{1,128}){0,2}$"
CVE_PATTERN = r"^CVE-\d{4}-\d{4,}$"
CWE_PATTERN = r"^CWE-\d{1,5}$"
CVSS_PATTERN = r"^CVSS:(3\.[01]|4\.0)/[A-Za-z]+:[A-Za-z](/[A-Za-z]+:[A-Za-z])*$"

_FIELD_HINTS: dict[str, str] = {
    "references": "see docs/knowledge.md, 'An attack entry'",
    "add": "see docs/knowledge.md, 'An attack entry'",
    "cvss": "write a complete CVSS v3.x or v4.0 vector, e.g. "
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
}

_PATTERN_HINTS: dict[str, str] = {
    ID_PATTERN: "ids are letters, digits, '-' and '_', starting with a letter or digit "
    "(no dots, no spaces), at most 128 characters",
    REF_PATTERN: "refer to an element by its id, or to a model's asset as 'model.asset' and to "
    "a component as 'asset.component' (e.g. support-llm.inputs.user_input)",
    CVE_PATTERN: "write CVE ids as CVE-YYYY-NNNN",
    CWE_PATTERN: "write CWE ids as CWE-NNN",
    CVSS_PATTERN: "write a CVSS v3.x or v4.0 vector, "
    "e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
}


def validate_document(cls: type[M], doc: YamlDocument) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``doc.data`` as ``cls``; the instance, or None and the diagnostics."""
    try:
        return cls.model_validate(doc.data), []
    except ValidationError as exc:
        return None, validation_diagnostics(exc, cls, doc)
