"""The public Python API: load a model, load the knowledge base, analyse."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from actm.engine.closure import Observer
from actm.engine.runs import analyse
from actm.errors import UsageError
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

__all__ = ["add_triage", "analyze", "load_knowledge", "load_model", "load_model_text"]


SEVERITIES = SEVERITIES_WORST_FIRST


def load_knowledge(knowledge: Sequence[str | Path] = ()) -> KnowledgeBase:
    """The built-in knowledge base (vocabulary and attacks), extended by each directory given.

    Raises :class:`actm.UsageError` for a directory that does not exist and
    :class:`actm.KnowledgeError` for an invalid entry.
    """
    for d in knowledge:
        if not Path(d).is_dir():
            raise UsageError(
                f"knowledge directory {d} does not exist (expected a directory holding "
                "vocabulary/, attacks/, controls/, frameworks/ and/or mappings/)"
            )
    return _load_knowledge(tuple(knowledge))


def load_model(
    path: str | os.PathLike[str],
    *,
    knowledge: KnowledgeBase | Sequence[str | Path] = (),
    limits: Limits | None = None,
) -> SystemModel:
    """Load and check a model file (and its includes). Raises :class:`actm.ModelError`."""
    kb = knowledge if isinstance(knowledge, KnowledgeBase) else load_knowledge(knowledge)
    return _load_model(path, vocabulary=kb.vocabulary, limits=limits, known_attacks=kb.attacks)


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
