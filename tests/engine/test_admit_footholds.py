"""A closure built without the footholds the engine derives, then admitting them, derives what
a closure with them derives (engine/propagation.py ``admit_footholds``: the needs rerun of
engine/footholds.py relies on it): code run through a driven tool, and code run on the nodes a
used credential may execute on."""

from __future__ import annotations

import actm
from actm.engine.closure import Closure
from actm.engine.compiled import compile_model
from actm.engine.facts import Rule
from actm.knowledge.attacks import builtin_knowledge
from foothold_models import SHELL

KB = builtin_knowledge()

# the shell's agent may run code on the laptop; the deploy key, read on the laptop, may run code
# on the build runner
MODEL = (
    SHELL.format(tools="", extra="")
    .replace(
        "  - {id: tracker, kind: saas, owner: team}",
        "  - {id: tracker, kind: saas, owner: team}\n"
        "  - {id: runner, kind: ci_runner, owner: team}",
    )
    .replace(
        "assets:\n",
        "assets:\n  - {id: deploy-key, type: credential, criticality: {confidentiality: high},\n"
        "     grants: {execute: [runner]}, resides: [{node: laptop}]}\n",
    )
)


def _nodes(cl: Closure) -> set[tuple[int, int, str, tuple[int, ...]]]:
    """Code execution on nodes: each node fact with its rule, what it went through and the
    facts it rests on."""
    store = cl.store
    out = set()
    for k in store.keys:
        if k < 0:
            rule, via, premises = store.derivation(k)
            out.add((k, int(rule), str(via), tuple(sorted(premises))))
    return out


def test_admitting_footholds_derives_what_a_closure_with_them_derives() -> None:
    c = compile_model(actm.load_model_text(MODEL, knowledge=KB), KB)
    full = Closure(c)
    full.run()
    late = Closure(c, footholds=False)
    late.run()
    before = _nodes(late)
    late.propagator.admit_footholds()
    late.saturate()
    found = _nodes(late)
    assert found == _nodes(full)
    added = {(rule, via) for _k, rule, via, _p in found - before}
    # both steps: code run through the driven shell, code run with the deploy key
    assert (int(Rule.TOOL_EXECUTE), "shell") in added
    assert (int(Rule.CREDENTIAL_NODE), "deploy-key") in added
