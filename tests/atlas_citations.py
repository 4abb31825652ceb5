"""The ATLAS references one threat of a model text cites, for the tests of ``references_when``."""

from __future__ import annotations

import textwrap

import actm
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()


def atlas_of(model_text: str, threat: str) -> list[str]:
    """The ATLAS ids ``threat`` cites when ``model_text`` is analysed (it must be reported)."""
    model = actm.load_model_text(textwrap.dedent(model_text), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    found = [t for t in result.threats if t.id == threat]
    assert found, f"{threat} not reported: {[t.id for t in result.threats]}"
    return list(found[0].references.get("atlas", ()))
