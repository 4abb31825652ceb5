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


TOOLS = """
actm: 1
system: {id: exfiltration}
models:
  - {id: bot, kind: agent, exposure: public, tools: [lookup, fetch, update]}
assets:
  - {id: customers, type: personal_data}
  - {id: orders, type: business_data}
tools:
  - {id: lookup, permissions: {read: [customers]}}
  - {id: fetch, permissions: {read: [orders], egress: [internet]}}
  - {id: update, permissions: {write: [orders]}}
"""
STEERED = [
    "external-user holds make_arbitrary_changes on bot.inputs.user_input",
    "inference bot.inputs -> influence on bot.outputs",
]


@pytest.mark.parametrize("order", ["[lookup, fetch, update]", "[fetch, lookup, update]"])
def test_a_driven_reader_leaks_through_a_driven_egress_tool_or_through_itself(order: str) -> None:
    # whichever tool the adversary drives first, the leak is found when both are driven
    out = run(TOOLS.replace("[lookup, fetch, update]", order), attacks=False)
    assert chain(out, "customers", "inspect") == [
        *STEERED,
        "bot calls tool lookup: influence on lookup.inputs",
        "bot calls tool fetch: influence on fetch.inputs",
        "tool lookup (read) and tool fetch (egress) -> inspect on customers",
    ]
    assert chain(out, "orders", "inspect") == [
        *STEERED,
        "bot calls tool fetch: influence on fetch.inputs",
        "tool fetch (read, egress) -> inspect on orders",
    ]
    # a driven tool's write persists in a stored asset
    assert chain(out, "orders", "make_limited_changes") == [
        *STEERED,
        "bot calls tool update: influence on update.inputs",
        "tool update (write) -> make_limited_changes on orders (persistent)",
    ]


@pytest.mark.parametrize(
    ("edge", "to"),
    [("lookup.read", "partially_inspect"), ("fetch.egress", "monitor")],
)
def test_weakening_the_read_or_the_egress_caps_what_leaks(edge: str, to: str) -> None:
    out = run(
        TOOLS + f"controls:\n  - {{id: f, weakens: [{{edge: {edge}, to: {to}}}]}}\n", attacks=False
    )
    assert explain(out, "customers", "inspect") is None
    assert chain(out, "customers", to)[-1] == (
        f"tool lookup (read) and tool fetch (egress) -> {to} on customers"
    )
