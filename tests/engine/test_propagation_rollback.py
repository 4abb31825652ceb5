"""A closure taken back to a mark derives the same facts again (the staged runs of
engine/needs.py and engine/assumptions.py add seeds, saturate and roll back, over and over):
the exfiltration rule's bookkeeping of which readers are driven, pending and served in each
class of egress tools must be rolled back with the facts (engine/propagation.py)."""

from __future__ import annotations

import actm
from actm.engine.closure import Closure
from actm.engine.compiled import compile_model
from actm.engine.facts import Rule
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()

MODEL = """\
actm: 1
system: {id: leaks}
models:
  - {id: agent, kind: agent, exposure: public, tools: [send, read-a, mail, read-b, both]}
assets:
  - {id: a, type: personal_data, criticality: {confidentiality: high}}
  - {id: b, type: personal_data, criticality: {confidentiality: high}}
  - {id: c, type: personal_data, criticality: {confidentiality: high}}
tools:
  - {id: send, permissions: {egress: [internet]}}
  - {id: read-a, permissions: {read: [a]}}
  - {id: mail, permissions: {egress: [internet]}}
  - {id: read-b, permissions: {read: [b]}}
  - {id: both, permissions: {read: [c], egress: [internet]}}
controls:
  - {id: narrow-mail, weakens: [{edge: mail.egress, to: partially_inspect}]}
"""


def _facts(cl: Closure) -> list[tuple[int, int, str]]:
    """Each fact of the closure with the rule and what it went through."""
    store = cl.store
    out = []
    for k in store.keys:
        if k >= 0:
            rule, via, _premises = store.derivation(k)
            out.append((k, int(rule), repr(via)))
    return sorted(out)


def test_rolling_back_and_saturating_again_derives_the_same_leaks() -> None:
    c = compile_model(actm.load_model_text(MODEL, knowledge=KB), KB)
    fresh = Closure(c)
    fresh.run()
    expected = _facts(fresh)
    # what each reader reads leaves, through the egress tools of both classes
    assert len([f for f in expected if f[1] == Rule.TOOL_EXFILTRATE]) >= 3
    cl = Closure(c)
    mark = cl.mark()
    for _round in range(3):
        cl.run()
        assert _facts(cl) == expected
        cl.rollback(mark)
        assert not [k for k in cl.store.keys if k >= 0]


STAGED = """\
actm: 1
system: {id: staged}
models:
  - {id: front, kind: agent, exposure: public, tools: [read-a]}
  - {id: back, kind: agent, exposure: internal, tools: [read-a, send],
     assets: {inputs: {untrusted_sources: [mailers]}}}
assets:
  - {id: a, type: personal_data, criticality: {confidentiality: high}}
tools:
  - {id: read-a, permissions: {read: [a]}}
  - {id: send, permissions: {egress: [internet]}}
"""


def test_a_reader_driven_before_the_mark_leaks_again_once_the_sender_is_driven_again() -> None:
    """The public user drives ``read-a`` (through ``front``) before the mark; the mailers drive
    ``send`` (through ``back``) after it, which serves ``read-a``'s data. Rolled back to the
    mark, ``read-a`` is still driven and must wait for a sender again: the staged runs of
    engine/needs.py add the mailers' seeds back and expect the same leak."""
    c = compile_model(actm.load_model_text(STAGED, knowledge=KB), KB)
    full = Closure(c)
    full.run()
    cl = Closure(c)
    seeds = [s for s in cl.base_seeds if not s.hypothetical]
    public = [s for s in seeds if s.rule == Rule.PUBLIC_USER]
    rest = [s for s in seeds if s.rule != Rule.PUBLIC_USER]
    assert public and rest
    cl.apply(public)
    cl.saturate()
    mark = cl.mark()
    for _round in range(2):
        cl.apply(rest)
        cl.saturate()
        assert _facts(cl) == _facts(full)
        assert any(rule == Rule.TOOL_EXFILTRATE for _k, rule, _via in _facts(cl))
        cl.rollback(mark)
