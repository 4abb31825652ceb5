"""The public Python API: load a model, load the knowledge base, analyse."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actm.engine.closure import Observer
from actm.engine.runs import analyse
from actm.errors import Diagnostic, ModelError, SourceLocation, UsageError
from actm.importers.names import DESCRIPTIONS, MAX_FILES
from actm.io.files import is_dir
from actm.io.yaml import Limits
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.attacks import load_knowledge as _load_knowledge
from actm.model.loader import add_triage_file as _add_triage_file
from actm.model.loader import load_model as _load_model
from actm.model.loader import load_model_text as _load_model_text
from actm.model.system import SystemModel
from actm.results.build import build_result, screen
from actm.results.model import Result
from actm.terms import SEVERITIES_WORST_FIRST

if TYPE_CHECKING:
    from actm.importers.discover import Discovery
    from actm.importers.draft import Draft
    from actm.importers.interface import ImportOptions
    from actm.importers.run import Imported

__all__ = [
    "IMPORT_FORMATS",
    "Discovery",
    "Imported",
    "add_triage",
    "analyze",
    "discover",
    "import_files",
    "load_knowledge",
    "load_model",
    "load_model_text",
    "render_draft",
]


SEVERITIES = SEVERITIES_WORST_FIRST

IMPORT_FORMATS: dict[str, str] = dict(DESCRIPTIONS)
"""The formats :func:`import_files` reads: name -> what its files are."""

# the importers load when one is used: analysing a model needs none of them
_LAZY = {"Discovery": "actm.importers.discover", "Imported": "actm.importers.run"}


def __getattr__(name: str) -> Any:
    """The importers' result types, loaded when first asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_knowledge(knowledge: Sequence[str | Path] = ()) -> KnowledgeBase:
    """The built-in knowledge base (vocabulary and attacks), extended by each directory given.

    Raises :class:`actm.UsageError` for a directory that does not exist and
    :class:`actm.KnowledgeError` for an invalid entry.
    """
    for d in knowledge:
        if not is_dir(d):
            state = "is not a directory" if os.path.lexists(d) else "does not exist"
            raise UsageError(
                f"knowledge directory {d} {state} (expected a directory holding "
                "vocabulary/, attacks/, controls/, frameworks/ and/or mappings/)"
            )
    return _load_knowledge(tuple(knowledge))


def load_model(
    path: str | os.PathLike[str],
    *,
    knowledge: KnowledgeBase | Sequence[str | Path] = (),
    limits: Limits | None = None,
) -> SystemModel:
    """Load and check a model file (and its includes). Raises :class:`actm.ModelError`.

    A file that is not an actm model but a format ``actm import`` reads (an MCP configuration,
    a bill of materials, ...) is refused with one diagnostic that names the format and the
    command that drafts a model from it.
    """
    kb = knowledge if isinstance(knowledge, KnowledgeBase) else load_knowledge(knowledge)
    try:
        return _load_model(path, vocabulary=kb.vocabulary, limits=limits, known_attacks=kb.attacks)
    except ModelError:
        foreign = _foreign(Path(path))
        if foreign is None:
            raise
        raise ModelError([foreign]) from None


_ACTM_KEY = re.compile(rb"^actm\s*:", re.MULTILINE)


def _foreign(path: Path) -> Diagnostic | None:
    """The diagnostic for a file in a format actm imports rather than reads, or None."""
    from actm.importers.formats import detect, head_of

    head = head_of(path)
    if head is None or _ACTM_KEY.search(head):
        return None
    found = detect(path, head)
    if found is None:
        return None
    shown = os.path.normpath(str(path))
    what = " or ".join(i.description for i in found.importers)
    command = f"actm import {shlex.quote(shown)} -o model.yaml"
    if len(found.importers) > 1:
        command = (
            f"actm import --format {found.importers[0].name} {shlex.quote(shown)} -o model.yaml"
        )
    return Diagnostic(
        "foreign-format",
        f"{shown} looks like {what}, not an actm model; run: {command}",
        SourceLocation(shown, 1, 1),
    )


def _import_options(
    catalogue: str | os.PathLike[str] | None,
    knowledge: KnowledgeBase | Sequence[str | Path],
    limits: Limits | None,
) -> ImportOptions:
    from actm.importers.interface import ImportOptions
    from actm.importers.run import load_catalogue

    kb = knowledge if isinstance(knowledge, KnowledgeBase) else load_knowledge(knowledge)
    reading = limits or Limits()
    found = load_catalogue(catalogue, reading) if catalogue is not None else None
    return ImportOptions(limits=reading, vocabulary=kb.vocabulary, catalogue=found)


def discover(
    root: str | os.PathLike[str],
    *,
    catalogue: str | os.PathLike[str] | None = None,
    knowledge: KnowledgeBase | Sequence[str | Path] = (),
    limits: Limits | None = None,
    max_files: int = MAX_FILES,
) -> Discovery:
    """Walk a repository and draft one model from every file actm imports and the ML and agent
    libraries its dependency files name. ``Discovery.draft`` is the model (write it with
    :func:`render_draft`), ``found`` the files imported, ``unplaced`` those it could not use.
    Raises :class:`actm.UsageError` for a directory with nothing to draft from."""
    from actm.importers.discover import discover as run

    options = _import_options(catalogue, knowledge, limits)
    return run(Path(root), options, max_files)


def render_draft(draft: Draft) -> str:
    """The model file of a draft (as ``actm import`` writes it)."""
    from actm.importers.emit import render

    return render(draft)


def import_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    into: str | os.PathLike[str] | None = None,
    catalogue: str | os.PathLike[str] | None = None,
    knowledge: KnowledgeBase | Sequence[str | Path] = (),
    limits: Limits | None = None,
) -> Imported:
    """Draft a model from foreign files (MCP configurations, server descriptions, tool
    listings, agent framework configurations, ...): ``Imported.text`` is the model, every
    element marked with where it came from and each decision left open as ``# review:``.

    ``format`` names the format of every file (default: detected per file); ``into`` names an
    existing model to add the drafted elements it lacks to (its text kept as it is);
    ``catalogue`` an MCP registry dump or server.json to look servers up in. Raises
    :class:`actm.ModelError` for a file that cannot be read, one diagnostic per file.
    """
    from actm.importers.run import import_files as run

    options = _import_options(catalogue, knowledge, limits)
    return run(paths, options, format=format, into=into)


def add_triage(
    model: SystemModel, path: str | os.PathLike[str], *, limits: Limits | None = None
) -> SystemModel:
    """``model`` with the decisions of a separate triage file added after its own.

    The file holds ``actm: 1`` and a ``triage:`` list, like a model's ``triage:`` section.
    Raises :class:`actm.ModelError` for a missing or invalid file.
    """
    return _add_triage_file(model, path, limits=limits)


def load_model_text(
    text: str,
    *,
    knowledge: KnowledgeBase | Sequence[str | Path] = (),
    path: str = "<string>",
    limits: Limits | None = None,
) -> SystemModel:
    """Load and check a model from YAML text (no ``include:``)."""
    kb = knowledge if isinstance(knowledge, KnowledgeBase) else load_knowledge(knowledge)
    return _load_model_text(
        text, path=path, vocabulary=kb.vocabulary, known_attacks=kb.attacks, limits=limits
    )


def analyze(
    model: SystemModel,
    *,
    knowledge: KnowledgeBase | Sequence[str | Path] = (),
    controls: bool = True,
    tolerance_severity: str = "high",
    observer: Observer | None = None,
    today: date | None = None,
) -> Result:
    """Analyse ``model``: threats with chains, out-of-scope attacks, capabilities, assumptions.

    With ``controls=True`` (the default) the threats are the residual ones; the threats the
    controls take out of scope are listed in ``Result.mitigated`` and those whose severity they
    lower in ``Result.lowered``, each with the controls credited, and implemented controls that
    do neither in ``Result.controls_without_effect``. With at most 32 implemented controls the
    credit is counterfactual (the model is analysed again without each control that may matter,
    so a control is named when removing it alone brings the threat back); above that, by what
    each control acts on in the threat's chain (``Result.control_attribution``).
    ``controls=False`` ignores the model's controls (the inherent view). ``today`` decides which
    triage decisions have expired (default: the current date).
    """
    if tolerance_severity not in SEVERITIES:
        raise UsageError(
            f"tolerance_severity must be one of {', '.join(SEVERITIES)}, not {tolerance_severity!r}"
        )
    kb = knowledge if isinstance(knowledge, KnowledgeBase) else load_knowledge(knowledge)
    analysis = analyse(
        model,
        kb,
        controls=controls,
        tolerance_severity=tolerance_severity,
        observer=observer,
        screen=screen,
    )
    return build_result(analysis, today=today)
