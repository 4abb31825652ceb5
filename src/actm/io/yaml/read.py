"""Reading a YAML file or text: the checks before parsing, libyaml, the conversion."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ruamel.yaml.nodes import ScalarNode

from actm.errors import Diagnostic, SourceLocation
from actm.io.files import FileProblem, read_limited
from actm.io.yaml.convert import Converter
from actm.io.yaml.document import YamlDocument
from actm.io.yaml.limits import DEPTH_CEILING, READING, Limits, YamlProblem, too_deep
from actm.io.yaml.nodes import PLAIN, is_yaml_error, location, new_parser, tag_of
from actm.io.yaml.syntax import syntax_problem
from actm.io.yaml.text import check_nesting, input_text

__all__ = ["parse_yaml", "read_yaml_file"]


def read_yaml_file(
    path: str | os.PathLike[str], limits: Limits | None = None, *, shown: str | None = None
) -> YamlDocument:
    """Read and parse one YAML file, enforcing ``limits``; raises :class:`YamlProblem`.

    The size and the kind of file are checked with ``stat`` before the file is opened, so a
    huge file is never read and a pipe is never waited on (:func:`actm.io.files.read_limited`).
    ``shown`` names the file in messages (default: ``path``).
    """
    limits = limits or Limits()
    shown = str(path) if shown is None else shown
    try:
        raw = read_limited(path, limits.max_file_bytes, shown, READING)
    except FileProblem as exc:
        raise YamlProblem(list(exc.diagnostics)) from None
    return parse_yaml(raw, shown, limits)


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


def parse_yaml(
    raw: bytes | str, path: str = "<string>", limits: Limits | None = None
) -> YamlDocument:
    """Parse YAML bytes or text into a :class:`YamlDocument`; raises :class:`YamlProblem`."""
    limits = limits or Limits()
    text = input_text(raw, path, limits.max_file_bytes)
    max_depth = min(limits.max_depth, DEPTH_CEILING)
    if max_depth != limits.max_depth:
        limits = replace(limits, max_depth=max_depth)
    check_nesting(text, path, max_depth)
    with _gc_paused():
        root = _compose(text, path, max_depth)
        converter = Converter(path, limits)
        try:
            data = converter.convert(root, 0)
        except RecursionError:  # pragma: no cover - guarded by DEPTH_CEILING
            raise YamlProblem([too_deep(max_depth, location(path, root.start_mark))]) from None
    if converter.fatal:
        raise YamlProblem(converter.diagnostics)
    doc = YamlDocument(path, data, root, text)
    if converter.diagnostics:
        raise YamlProblem(converter.diagnostics)
    return doc


def _compose(text: str, path: str, max_depth: int) -> Any:
    """libyaml's node tree of ``text``; a problem for a syntax error or an empty document."""
    try:
        root = new_parser(text).get_single_node()
    except RecursionError:  # pragma: no cover - guarded by the depth check
        raise YamlProblem([too_deep(max_depth, SourceLocation(path, 1, 1))]) from None
    except Exception as exc:
        if is_yaml_error(exc):
            raise syntax_problem(exc, path, text) from None
        raise
    if root is None or (
        type(root) is ScalarNode and root.value == "" and not root.style and tag_of(root) == PLAIN
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
    return root
