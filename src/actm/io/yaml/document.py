"""A parsed YAML file: its plain data and the node tree that locates a path in the file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from actm.errors import SourceLocation
from actm.io.yaml.nodes import is_scalar, location

__all__ = ["PathElem", "YamlDocument"]

PathElem = str | int


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
        last_i = len(path) - 1
        # called for every element of a model (its id's location): type checks inline
        for i, elem in enumerate(path):
            nxt = None
            kind = type(node)
            if kind is MappingNode and isinstance(elem, str):
                pair = self._pair(node, elem)
                if pair is not None:
                    if key and i == last_i:
                        return location(self.path, pair[0].start_mark)
                    nxt = pair[1]
            elif kind is SequenceNode and isinstance(elem, int) and 0 <= elem < len(node.value):
                nxt = node.value[elem]
            if nxt is None:
                break
            node = nxt
            mark = node.start_mark
        if mark is None:
            return SourceLocation(self.path, 1, 1)
        return location(self.path, mark)

    def _pair(self, node: Any, name: str) -> tuple[Any, Any] | None:
        """The (key node, value node) of ``name`` in a mapping node (the first, if repeated)."""
        pairs = node.value
        if len(pairs) <= 16:
            for k, v in pairs:
                if k.value == name and type(k) is ScalarNode:
                    return k, v
            return None
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for k, v in pairs:
                if is_scalar(k):
                    index.setdefault(k.value, (k, v))
            self._keys[id(node)] = index
        return index.get(name)
