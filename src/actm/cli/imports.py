"""``actm import``: draft a model from files other tools write, or add to an existing model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from actm.api import IMPORT_FORMATS
from actm.cli.common import (
    CatalogueOpt,
    DebugOpt,
    KnowledgeOpt,
    MaxAliasOpt,
    MaxBytesOpt,
    MaxDepthOpt,
    MaxElementsOpt,
    OutputOpt,
    choices,
    count,
    err,
    guard,
    limits,
    write,
)
from actm.errors import one_line

if TYPE_CHECKING:
    from actm.api import Imported
    from actm.io.yaml import Limits

    ImportFormat = str
else:
    ImportFormat = choices("ImportFormat", IMPORT_FORMATS)


def _summary(imported: Imported, target: str) -> list[str]:
    draft = imported.draft
    merged = imported.merged
    if merged is None:
        parts = ", ".join(count(n, s) for s, n in draft.counts().items())
        lines = [f"drafted {target}: {parts or 'nothing'}"]
    else:
        lines = [f"added to {target}: {'nothing' if not merged.added else ''}".rstrip()]
        sections = dict.fromkeys(s for s, _ in merged.added)
        for section in sections:
            ids = ", ".join(i for s, i in merged.added if s == section)
            lines.append(f"  {section}: {ids}")
        if merged.kept:
            lines.append(f"already there, left as written: {count(len(merged.kept), 'elements')}")
        for old, new in sorted(merged.renamed.items()):
            lines.append(f"renamed {old} -> {new}: the model uses {old} for something else")
        if draft.notes:  # a new draft ends with them; a model merged into is left without
            lines.append(f"{count(len(draft.notes), 'notes')} of the draft, not written into it:")
            lines += [f"  - {n.origin}: {n.text}" for n in draft.notes]
    reviews = draft.reviews() if merged is None else merged.reviews
    if reviews:
        lines.append(f"{count(reviews, 'decisions')} to review: the '# review:' lines")
    return lines


def _check(imported: Imported, output: Path | None, into: Path | None, reading: Limits) -> None:
    """Say whether the written model validates (a draft that does not is reported, not
    hidden: its review notes say what to fix)."""
    from actm.api import load_model, load_model_text
    from actm.errors import ModelError

    try:
        if output is not None and str(output) != "-":
            load_model(output, limits=reading)
        elif into is None:
            load_model_text(imported.text, limits=reading)
    except ModelError as exc:
        n = len(exc.diagnostics)
        err(f"warning: the model does not validate yet ({count(n, 'problems')}):")
        for d in exc.diagnostics:
            err(d.format())


def _not_an_input(output: Path | None, files: list[Path]) -> None:
    """Refuse to write the model over a file being imported."""
    from actm.errors import UsageError

    if output is None or str(output) == "-" or not os.path.exists(output):
        return
    for f in files:
        if os.path.exists(f) and f.resolve() == output.resolve():
            raise UsageError(f"--output {output} is one of the files imported; name another file")


def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Files to import.", show_default=False, metavar="FILE..."),
    ],
    fmt: Annotated[
        ImportFormat | None,
        typer.Option("--format", "-f", help="The files' format (default: detected per file)."),
    ] = None,
    output: OutputOpt = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Add what the model lacks to this existing model (written back to it unless "
            "--output names another file); its text stays as it is.",
            metavar="MODEL",
        ),
    ] = None,
    catalogue: CatalogueOpt = None,
    knowledge: KnowledgeOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Draft a model from MCP configurations, server descriptions, tool listings, agent
    framework files, bills of materials, model cards and other tools' threat models; what they
    do not say is marked '# review:'."""
    from actm.api import import_files

    with guard(debug):
        _not_an_input(output, files)
        reading = limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        imported = import_files(
            files,
            format=str(fmt) if fmt is not None else None,
            into=into,
            catalogue=catalogue,
            knowledge=knowledge or [],
            limits=reading,
        )
        target = output if output is not None else into
        if (
            into is not None
            and target == into
            and into.read_text(encoding="utf-8-sig") == (imported.text.removeprefix("\ufeff"))
        ):
            pass  # nothing to add: leave the file (and its time stamp) alone
        else:
            write(imported.text, target)
        for line in _summary(imported, str(target) if target is not None else "the model"):
            err(one_line(line))
        _check(imported, target, into, reading)
