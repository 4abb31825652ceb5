"""Reading a YAML file or text: the checks before parsing, libyaml, the conversion."""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import ScalarNode

from actm.errors import Diagnostic, SourceLocation
from actm.io.yaml.convert import Converter
from actm.io.yaml.document import YamlDocument
from actm.io.yaml.limits import DEPTH_CEILING, Limits, YamlProblem, too_deep, too_large
from actm.io.yaml.nodes import PLAIN, is_yaml_error, location, new_parser, tag_of
from actm.io.yaml.syntax import syntax_problem
from actm.io.yaml.text import check_nesting, input_text

__all__ = ["parse_yaml", "read_yaml_file"]


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
    p = Path(path)
    size = _regular_file_size(p, shown)
    if size > limits.max_file_bytes:
        raise YamlProblem([too_large(shown, size, limits.max_file_bytes)])
    return parse_yaml(_read_bounded(p, shown, limits.max_file_bytes), shown, limits)


def _unreadable(shown: str, exc: Exception) -> YamlProblem:
    """The problem for a file the system refuses to stat or read."""
    return YamlProblem(
        [
            Diagnostic(
                "file-unreadable",
                f"cannot read {shown}: {getattr(exc, 'strerror', None) or exc}",
                None,
                "check that the file exists and that you may read it",
            )
        ]
    )


def _regular_file_size(p: Path, shown: str) -> int:
    """The size of the regular file ``p``; a problem when it is missing, unreadable, a
    directory, or not a regular file (a pipe or a device may block forever or never end)."""
    try:
        info = p.stat()
        size = info.st_size
    except FileNotFoundError:
        raise YamlProblem(
            [Diagnostic("file-not-found", f"no such file: {shown}", None, "check the path")]
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _unreadable(shown, exc) from None
    if p.is_dir():
        raise YamlProblem(
            [Diagnostic("file-unreadable", f"{shown} is a directory", None, "pass a YAML file")]
        )
    if not stat.S_ISREG(info.st_mode):
        raise YamlProblem(
            [
                Diagnostic(
                    "file-unreadable",
                    f"{shown} is not a regular file (a pipe, socket or device)",
                    None,
                    "save the model to a file and pass that",
                )
            ]
        )
    return size


def _read_bounded(p: Path, shown: str, limit: int) -> bytes:
    """At most ``limit`` bytes of ``p``; a problem when there are more (the file grew since
    it was measured) or it cannot be read."""
    try:
        # bounded: a device or pipe (/dev/zero) reports size 0 and may never end
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
        if len(raw) > limit:
            raise YamlProblem(
                [
                    replace(
                        too_large(shown, len(raw), limit),
                        message=f"file is larger than the limit of {limit:,} bytes",
                    )
                ]
            )
    except OSError as exc:
        raise _unreadable(shown, exc) from None
    return raw


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
