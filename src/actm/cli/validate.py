"""``actm validate``: check model files, every problem of every file at once; likely
modelling slips are warnings (exit 0), errors with ``--strict``."""

from __future__ import annotations

import gc
from dataclasses import replace
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
    err,
    guard,
    limits,
    out,
)
from actm.errors import one_line
from actm.io.visible import visible

StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict", help="Treat warnings (likely modelling slips) as errors: exit code 2."
    ),
]


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
    strict: StrictOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check model files: schema and semantics; every problem at once, with file:line:col.

    Likely modelling slips (a tool no model uses, a credential that grants nothing, ...) are
    printed as warnings and do not change the exit code unless --strict is given.
    """
    from actm.api import load_knowledge, load_model
    from actm.errors import Diagnostic, ModelError

    with guard(debug):
        kb = load_knowledge(knowledge or [])
        reading = limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        problems: list[ModelError] = []
        lines: list[str] = []
        warnings: list[Diagnostic] = []
        for f in files:
            try:
                model = load_model(f, knowledge=kb, limits=reading)
            except ModelError as exc:
                problems.append(exc)
                continue
            if strict and model.warnings:
                problems.append(ModelError([replace(w, severity="error") for w in model.warnings]))
                continue
            warnings += model.warnings
            counts = model.summary()
            parts = ", ".join(count(v, k) for k, v in counts.items())
            lines.append(f"ok: {f}: {parts}")
        gc.freeze()
        for line in lines:
            out(visible(one_line(line)))  # a file name is the user's text
        for w in warnings:
            err(w.format())
        if warnings:
            n = len(warnings)
            err(f"actm: {n} warning{'s' * (n != 1)} (--strict makes them errors)")
        if problems:
            raise ModelError([d for p in problems for d in p.diagnostics])
