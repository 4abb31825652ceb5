from __future__ import annotations

import textwrap

import actm
from actm.engine.analysis import EngineOutput, run_engine
from actm.engine.output import explain, read
from actm.engine.runs import Analysis
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.knowledge.vocabulary import builtin_vocabulary
from actm.model.system import SystemModel
from actm.results.build import build_result
from actm.results.model import Result


def load(text: str) -> SystemModel:
    return actm.load_model_text(textwrap.dedent(text))


def no_attacks() -> KnowledgeBase:
    """Propagation only: the vocabulary without any attack pattern."""
    return KnowledgeBase(attacks={}, vocabulary=builtin_vocabulary(), locations={})


def run(text: str, *, attacks: bool = True, **kwargs: object) -> EngineOutput:
    kb = builtin_knowledge() if attacks else no_attacks()
    return run_engine(load(text), kb, **kwargs)  # type: ignore[arg-type]


def analyse(text: str, **kwargs: object) -> Result:
    """The result of one run, without the runs that credit controls."""
    out = run(text, **kwargs)
    return build_result(Analysis(read(out), None, out.timings))


def chain(out: EngineOutput, target: str, capability: str) -> list[str]:
    steps = explain(out, target, capability)
    assert steps is not None, f"nothing grants {capability} on {target}"
    return [s.text for s in steps if not s.structural]
