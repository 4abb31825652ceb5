"""``actm validate``: check model files, every problem of every file at once."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from actm.cli.common import (
    DebugOpt,
    KnowledgeOpt,
    MaxAliasOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    MaxElementsOpt,
    count,
    guard,
    limits,
)
from actm.io.visible import visible


def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="Model files to check.", show_default=False, metavar="FILE..."),
    ],
    knowledge: KnowledgeOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check model files: schema and semantics; every problem at once, with file:line:col."""
    from actm.api import load_knowledge, load_model
    from actm.errors import ModelError

    with guard(debug):
        kb = load_knowledge(knowledge or [])
        reading = limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        problems: list[ModelError] = []
        lines: list[str] = []
        for f in files:
            try:
                model = load_model(f, knowledge=kb, limits=reading)
            except ModelError as exc:
                problems.append(exc)
                continue
            counts = model.summary()
            parts = ", ".join(count(v, k) for k, v in counts.items())
            lines.append(f"ok: {f}: {parts}")
        gc.freeze()
        for line in lines:
            typer.echo(visible(line))  # a file name is the user's text
        if problems:
            raise ModelError([d for p in problems for d in p.diagnostics])
