"""Propagation rules, exactly: what a control's ``weakens`` does to what passes an edge."""

from __future__ import annotations

import pytest

from actm.engine.output import explain
from conftest import chain, run

WIKI = """
actm: 1
system: {id: weak}
models:
  - {id: bot, kind: llm}
assets:
  - {id: wiki, type: document_store, untrusted_sources: [forum]}
relations:
  - {id: rag, kind: feeds, from: wiki, to: bot.inputs.retrieved_context}
"""
CONTEXT = "bot.inputs.retrieved_context"
SOURCE = "author of outside content (forum) holds contribute on wiki (persistent)"


@pytest.mark.parametrize(
    ("to", "passes"),
    [
        (None, "contribute"),
        # a cap above what flows never raises it
        ("make_arbitrary_changes", "contribute"),
        ("make_limited_changes", "contribute"),
        ("contribute", "contribute"),
        ("influence", "influence"),
        # a cap of another class leaves integrity alone
        ("inspect", "contribute"),
    ],
)
def test_weakens_caps_what_passes_an_edge_and_never_raises_it(to: str | None, passes: str) -> None:
    text = (
        WIKI
        if to is None
        else WIKI + f"controls:\n  - {{id: f, weakens: [{{edge: rag, to: {to}}}]}}\n"
    )
    out = run(text, attacks=False)
    assert chain(out, CONTEXT, "influence") == [SOURCE, f"feeds {CONTEXT}: {passes}"]
    assert explain(out, CONTEXT, "make_limited_changes") is None
