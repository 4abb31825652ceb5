"""Judging part of a run's matches in a worker process (engine/output.py ``judge_all``): the
same verdicts, severities, noise rules and discarded chains, in the same order, whatever share
the worker takes."""

from __future__ import annotations

from pathlib import Path

import pytest

import actm
from actm.engine.analysis import EngineOutput, run_engine
from actm.engine.attribution import Attribution, jobs
from actm.engine.decoding import Decoded, decode_all
from actm.engine.links import links
from actm.engine.output import Judged, judge_all, read, threat_id
from actm.engine.parallel import run_all
from actm.knowledge.attacks import builtin_knowledge
from actm.model.system import SystemModel
from hub_models import tool_hub

KB = builtin_knowledge()
ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "examples" / "atlas-case-studies"

HUB = tool_hub(4, 1, 1)

SOURCES = [
    ROOT / "examples" / "coding-assistant.yaml",
    CASES / "cs0018-colab-arbitrary-code-execution.yaml",  # chains the route rules discard
    CASES / "cs0039-living-off-ai-jira-service-management.yaml",  # threats the noise rules drop
    ROOT / "evaluation" / "vulnerable-agents" / "dvaa" / "agent-impersonation-a2a.yaml",
]


def _judged_here(
    model: SystemModel,
) -> tuple[EngineOutput, Attribution, tuple[Decoded, ...], Judged]:
    """The model's run, its attribution, its decodings, and its threats judged here."""
    out = run_engine(model, KB, assumptions=False)
    todo, finish = jobs(out)
    att = finish(run_all(todo, 1))
    decoded = decode_all(out)
    return out, att, decoded, judge_all(out, att, decoded=decoded)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_a_share_judged_aside_gives_the_same_judgements(source: Path) -> None:
    model = actm.load_model(source, knowledge=KB)
    out, att, decoded, here = _judged_here(model)
    assert here.kept and (here.dropped or here.noise_chains)
    for share in (0.3, 0.5, 1.0):
        aside = judge_all(out, att, decoded=decoded, aside=share)
        assert aside == here
        # the routes are the attribution's own, not copies
        for (t, _a, v), (_t, _b, w) in zip(aside.kept, here.kept, strict=True):
            assert all(r is s for r, s in zip(v.routes, w.routes, strict=True)), t.id
    # only some threats, without the decodings: the same as judging them here
    c = out.compiled
    some = {threat_id(c.rules[m.rule].attack.id, m.binding) for m in out.matches[::2]}
    assert judge_all(out, att, only=some, aside=0.5) == judge_all(out, att, only=some)
    assert judge_all(out, att, aside=0.01 / len(out.matches)) == here  # none forked


@pytest.mark.parametrize("source", [None, *SOURCES], ids=lambda p: "hub" if p is None else p.stem)
def test_what_the_worker_finds_enables_what_as_judging_here_does(source: Path | None) -> None:
    # the worker works out which threats enable which for every match, which is what the
    # reported ones give only when none is dropped: used then, and only then
    if source is None:
        model = actm.load_model_text(HUB, knowledge=KB)
    else:
        model = actm.load_model(source, knowledge=KB)
    out, att, decoded, here = _judged_here(model)
    c, store = out.compiled, out.closure.store
    for share in (0.3, 0.5, 1.0):
        aside = judge_all(out, att, decoded=decoded, aside=share)
        assert (aside.enabling is not None) == (len(here.kept) == len(out.matches))
        if aside.enabling is not None:
            kept = [t for t, _a, _v in here.kept]
            assert links(c, store, kept, aside.enabling) == links(c, store, kept)
        assert read(out, att, judged=aside, decoded=decoded) == read(
            out, att, judged=here, decoded=decoded
        )
    assert source is not None or judge_all(out, att, aside=0.5).enabling is not None
