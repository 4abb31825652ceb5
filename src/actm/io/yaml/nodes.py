"""libyaml through ``ruamel.yaml.clib``: the parser (with a resolver that does no work) and small
helpers on the nodes it composes."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from actm.errors import SourceLocation

__all__ = [
    "PLAIN",
    "PLAIN_TAG",
    "is_mapping",
    "is_scalar",
    "is_sequence",
    "is_yaml_error",
    "location",
    "new_parser",
    "tag_of",
]

PLAIN = "?"
"""The tag our resolver gives every implicitly tagged node."""

PLAIN_TAG = Tag(suffix=PLAIN)
"""The one tag object every implicitly tagged node shares: a node given a string wraps it in a
tag object of its own, some 140,000 of them for a 1 MB model (``tag_of`` reads the same)."""


def location(path: str, mark: Any) -> SourceLocation:
    """The 1-based location of a libyaml mark (0-based) in the file ``path``."""
    return SourceLocation(path, int(mark.line) + 1, int(mark.column) + 1)


def is_mapping(node: Any) -> bool:
    return type(node) is MappingNode


def is_sequence(node: Any) -> bool:
    return type(node) is SequenceNode


def is_scalar(node: Any) -> bool:
    return type(node) is ScalarNode


def tag_of(node: Any) -> str:
    """The tag of ``node`` as libyaml read it (:data:`PLAIN` when implicit)."""
    # ruamel wraps tags in Tag objects whose str() is slow; the suffix holds what libyaml read.
    ctag = node.ctag
    return PLAIN if ctag is None else str(ctag.suffix)


def new_parser(text: str) -> Any:
    try:
        from _ruamel_yaml import CParser
    except ImportError as exc:  # pragma: no cover - ruamel.yaml.clib is a hard dependency
        raise RuntimeError(
            "actm needs ruamel.yaml.clib (libyaml); reinstall actm with pip"
        ) from exc

    class _Parser(CParser):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
            return PLAIN_TAG

        def descend_resolver(self, *args: Any) -> None:
            return None

        def ascend_resolver(self, *args: Any) -> None:
            return None

    return _Parser(text)


def is_yaml_error(exc: Exception) -> bool:
    return any(c.__name__ in ("YAMLError", "MarkedYAMLError") for c in type(exc).__mro__)
