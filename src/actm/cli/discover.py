"""``actm discover``: draft one model from what a repository holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from actm.cli.common import (
    CatalogueOpt,
    DebugOpt,
    KnowledgeOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    OutputOpt,
    count,
    err,
    guard,
    limits,
    write,
)
from actm.errors import one_line


def _say(line: str) -> None:
    """A line of the summary on standard error: a file name breaks no line of it."""
    err(one_line(line))


def discover(
    directory: Annotated[
        Path, typer.Argument(help="The repository to walk.", show_default=False, metavar="DIR")
    ],
    output: OutputOpt = None,
    max_files: Annotated[
        int, typer.Option("--max-files", min=1, metavar="N", help="Stop after this many files.")
    ] = 10_000,
    catalogue: CatalogueOpt = None,
    knowledge: KnowledgeOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Walk a repository: draft one model from every file actm imports and the ML and agent
    libraries its dependencies name; say what it found and what it could not place."""
    from actm.api import discover as run
    from actm.api import render_draft

    with guard(debug):
        found = run(
            directory,
            catalogue=catalogue,
            knowledge=knowledge or [],
            limits=limits(max_file_bytes, max_depth),
            max_files=max_files,
        )
        write(render_draft(found.draft), output)
        stop = f" (stopped at --max-files {max_files})" if found.truncated else ""
        _say(f"looked at {count(found.visited, 'files')} in {directory}{stop}")
        for file, fmt in found.found:
            _say(f"  imported {file} ({fmt})")
        for line in found.dependencies:
            _say(f"  dependency {line}")
        for file, why in found.unplaced:
            _say(f"  not placed: {file}: {why}")
        parts = ", ".join(count(n, s) for s, n in found.draft.counts().items())
        _say(f"drafted {output or 'the model'}: {parts}")
        reviews = found.draft.reviews()
        if reviews:
            _say(f"{count(reviews, 'decisions')} to review: the '# review:' lines")
