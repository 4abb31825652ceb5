"""Hub-shaped models: the engine's work grows with what it finds, not with its square.

An agent with hundreds of tools, many agents on one node and many readers of one store are
ordinary shapes. The joins of attack patterns and the exfiltration rule once tried every pair
of tools, so that 1,000 tools took minutes. These tests grow such hubs and count the work
(candidate bindings the joins try, facts offered to the store, the closures the attribution
reruns take), never the time, and check that the joins still find exactly the complete
bindings a plain search finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

import actm
from actm.engine.analysis import run_engine
from actm.engine.attribution import jobs as attribution_jobs
from actm.engine.closure import Closure
from actm.engine.compiled import Compiled, Rule, compile_model
from actm.engine.matching import Matcher
from actm.engine.propagation import Propagator
from actm.knowledge.attacks import builtin_knowledge
from hub_models import tool_hub
from strategies import build, system_models

KB = builtin_knowledge()
WORK_PER_RESULT = 5
"""Join steps and facts offered, per fact found and threat matched: measured between 2.2 and
4.7 on these shapes (the most in a hub of tools that each read and write one asset and none
sends, where it tends to 4.7 as the tools grow); the pairwise joins it replaces reached 40 at
80 tools and grow with the tools."""


def node_hub(agents: int) -> str:
    """``agents`` public agents deployed on one node with a remote code execution, each with
    a tool that reads a secret stored there and may send data out."""
    lines = [
        "actm: 1",
        "system: {id: hub}",
        "nodes:",
        "  - {id: host, kind: inference_server}",
        "vulnerabilities:",
        "  - {id: cve, class: rce, node: host}",
        "assets:",
        "  - {id: secret, type: secret, resides: [{node: host}]}",
        "models:",
    ]
    for a in range(agents):
        lines.append(
            f"  - {{id: a{a}, kind: agent, exposure: public, deployed_on: [host], tools: [t{a}]}}"
        )
    lines.append("tools:")
    for a in range(agents):
        lines.append(f"  - {{id: t{a}, permissions: {{read: [secret], egress: [internet]}}}}")
    return "\n".join(lines) + "\n"


def store_hub(readers: int) -> str:
    """One document store fed from the web, read into ``readers`` agents through their tools."""
    lines = [
        "actm: 1",
        "system: {id: hub}",
        "assets:",
        "  - {id: wiki, type: document_store, untrusted_sources: [web]}",
        "  - {id: records, type: personal_data}",
        "models:",
    ]
    for a in range(readers):
        lines.append(f"  - {{id: a{a}, kind: agent, tools: [search{a}, mail{a}]}}")
    lines.append("tools:")
    for a in range(readers):
        lines.append(f"  - {{id: search{a}, permissions: {{read: [wiki, records]}}}}")
        lines.append(f"  - {{id: mail{a}, permissions: {{egress: [internet]}}}}")
    return "\n".join(lines) + "\n"


@st.composite
def shaped_hubs(draw: st.DrawFn) -> tuple[str, str]:
    """(shape, model) of a hub of 1 to 40 tools, agents or readers."""
    shape = draw(st.sampled_from(["tools", "node", "store"]))
    n = draw(st.integers(1, 40))
    if shape == "tools":
        return shape, tool_hub(n, draw(st.integers(1, 4)), draw(st.sampled_from([0, 1, 3])))
    return shape, node_hub(n) if shape == "node" else store_hub(n)


@st.composite
def hubs(draw: st.DrawFn) -> str:
    return draw(shaped_hubs())[1]


def closure_of(text: str) -> Closure:
    cl = Closure(compile_model(actm.load_model_text(text, knowledge=KB), KB))
    cl.run()
    return cl


def work(cl: Closure) -> tuple[int, int]:
    """(work done, results): join steps and facts offered; facts found and threats matched."""
    return cl.matcher.steps + cl.store.attempts, len(cl.store.keys) + len(cl.matcher.matches)


@settings(max_examples=25, deadline=None)
@given(text=hubs())
def test_work_grows_with_the_results_in_hubs(text: str) -> None:
    done, found = work(closure_of(text))
    assert done <= WORK_PER_RESULT * found, (done, found)


RERUNS = {
    "tools": ({"routes": 1, "needs": 0}, 1),
    "node": ({"routes": 2, "needs": 0}, 2),
    "store": ({"routes": 1, "needs": 0}, 1),
}
"""Per hub shape: the closures each kind of attribution rerun takes, and the jobs. One route
closure per entry point (the public user; on the node hub also the insider), none
for needs: no assumption or third-party owner is a candidate, so nothing can rest on one."""


def attribution_reruns(text: str) -> tuple[dict[str, int], int]:
    """(closures per kind of rerun, jobs) that attributing a model's threats takes."""
    out = run_engine(actm.load_model_text(text, knowledge=KB), KB, assumptions=False)
    todo, finish = attribution_jobs(out)
    return dict(finish([job() for job in todo]).runs), len(todo)


@settings(max_examples=15, deadline=None)
@given(hub=shaped_hubs())
def test_attribution_reruns_do_not_grow_with_a_hub(hub: tuple[str, str]) -> None:
    """The reruns that find each threat's routes and needs are per entry point and per
    candidate assumption, never per tool, agent or threat."""
    shape, text = hub
    assert attribution_reruns(text) == RERUNS[shape]


def test_ten_times_the_tools_cost_ten_times_the_work() -> None:
    """The hub of issue 15 (tools that read, write and send, 10 assets each) at 50 and 500
    tools: ten times the facts and threats, ten times the work, where trying every pair of
    tools made it a hundred times."""
    small, small_found = work(closure_of(tool_hub(50, 10, 1)))
    big, big_found = work(closure_of(tool_hub(500, 10, 1)))
    assert (small, small_found, big, big_found) == (6698, 3070, 66548, 30520)


# -- the joins find what a plain search finds --------------------------------------------------


def _bindings(m: Matcher, rule: Rule, owners: list[str]) -> Iterator[dict[str, str]]:
    """Every binding of ``rule``'s variables that meets all its requirements and conditions,
    by trying every owner for every variable in the order the requirements are written."""
    reqs = rule.requires

    def relations_hold(binding: dict[str, str]) -> bool:
        for req in reqs:
            me = binding.get(req.var)
            for cond, other in req.where.relational:
                them = binding.get(other)
                if me is not None and them is not None and not cond.holds(m.view, me, them):
                    return False
        return True

    def bind(i: int, binding: dict[str, str]) -> Iterator[dict[str, str]]:
        if i == len(reqs):
            yield dict(binding)
            return
        req = reqs[i]
        fixed = binding.get(req.var)
        for owner in [fixed] if fixed is not None else owners:
            _fact, asset = m._satisfy(req, rule.masks[i], owner)
            if asset < 0 or not m.static_ok(req.where, owner, asset):
                continue
            binding[req.var] = owner
            if relations_hold(binding):
                yield from bind(i + 1, binding)
            if fixed is None:
                del binding[req.var]

    yield from bind(0, {})


def _plain_search(cl: Closure) -> set[tuple[int, tuple[str, ...]]]:
    """(rule, key) of every rule with a complete binding that no control blocks."""
    c: Compiled = cl.c
    owners = sorted(set(c.asset_owner))
    found = set()
    for rule in c.rules:
        for binding in _bindings(cl.matcher, rule, owners):
            if not rule.blocked_assets.intersection(binding.values()):
                found.add((rule.index, tuple(binding.get(v, "") for v in rule.attack.key_vars)))
    return found


@settings(max_examples=15, deadline=None)
@given(text=hubs().filter(lambda t: t.count("\n") < 120))
def test_the_joins_find_exactly_the_complete_bindings_in_hubs(text: str) -> None:
    cl = closure_of(text)
    assert set(cl.matcher.fired) == _plain_search(cl)


ONE_FACT_TWO_REQUIREMENTS: dict[str, Any] = {
    "calls": [
        ("owner", ("us",), {"first_party": True}),
        ("owner", ("vendor",), {}),
        ("node", ("n0",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n1",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n2",), {"kind": "service", "pipeline": "development", "owner": None}),
        ("node", ("n3",), {"kind": "service", "pipeline": "development", "owner": None}),
        (
            "asset",
            ("a0",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a1",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a2",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a3",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "asset",
            ("a4",),
            {
                "type": "credential",
                "resides": [],
                "untrusted_sources": [],
                "criticality": {"confidentiality": "low", "integrity": "low"},
            },
        ),
        (
            "tool",
            ("t0",),
            {
                "read": ["a0"],
                "write": [],
                "execute": [],
                "egress": [],
                "constrained": False,
                "human_approval": False,
                "sandbox": False,
                "untrusted_results": [],
            },
        ),
        (
            "tool",
            ("t1",),
            {
                "read": ["a1"],
                "write": [],
                "execute": [],
                "egress": ["internet"],
                "constrained": False,
                "human_approval": False,
                "sandbox": False,
                "untrusted_results": [],
            },
        ),
        (
            "model",
            ("m0",),
            {
                "kind": "llm",
                "exposure": "public",
                "exposes": ["outputs"],
                "deployed_on": [],
                "trained_on": [],
                "tools": ["t0", "t1"],
                "features": [],
                "owner": None,
                "identity": None,
            },
        ),
    ],
    "nodes": ["n0", "n1", "n2", "n3"],
    "assets": ["a0", "a1", "a2", "a3", "a4"],
    "tools": ["t0", "t1"],
    "models": ["m0"],
}
"""A tool that reads and sends (t1) beside one that only reads (t0): the fact that drives t1
meets both the reading and the sending requirement of tool-data-exfiltration. Its join as the
reader found a threat with t1 as the sender, and that witness once made its join as the sender
skip the threat through t0."""


@settings(max_examples=15, deadline=None)
@given(spec=system_models())
@example(spec=ONE_FACT_TWO_REQUIREMENTS)
def test_the_joins_find_exactly_the_complete_bindings(spec: dict[str, Any]) -> None:
    model = build(spec).build(vocabulary=KB.vocabulary, known_attacks=KB.attacks)
    cl = Closure(compile_model(model, KB))
    cl.run()
    assert set(cl.matcher.fired) == _plain_search(cl)


def test_a_witness_found_by_the_fact_being_processed_settles_nothing_yet() -> None:
    """A tool that reads one record and may send is offered to the exfiltration pattern both
    as the reader and as the sender. As the reader it completes the leak of its own record
    and becomes the sender's witness; as the sender it must still complete the leak of what
    an earlier tool reads, which that earlier tool could not complete before a sender existed
    (found by the property test above: the leak of ``a1`` was missing)."""
    text = (
        "actm: 1\nsystem: {id: pair}\n"
        "models:\n  - {id: agent, kind: llm, exposure: public, tools: [t0, t1]}\n"
        "assets:\n  - {id: a0, type: credential}\n  - {id: a1, type: credential}\n"
        "tools:\n  - {id: t0, permissions: {read: [a0, a1]}}\n"
        "  - {id: t1, permissions: {read: [a0], egress: [internet]}}\n"
    )
    cl = closure_of(text)
    leaks = sorted(
        k for (_r, k) in cl.matcher.fired if cl.c.rules[_r].attack.id == "tool-data-exfiltration"
    )
    assert leaks == [("agent", "a0"), ("agent", "a1")]
    assert set(cl.matcher.fired) == _plain_search(cl)


# -- exfiltration looks at the driven readers left, not at every sibling -------------------------


def _every_sibling(self: Propagator, ti: int, key: int, user: str) -> None:
    """The exfiltration through driven egress tool ``ti`` as first written: every sibling of
    ``user`` tried in order (driven, not served yet: its data leaves through ``ti``)."""
    c = self.c
    name = c.tool_ids[ti]
    cls = c.edge_limit.get(f"{name}.egress")
    served = self._served.setdefault(cls, set())
    for reader in c.model_tools.get(user, ()):
        if c.tool_reads[reader] and reader not in served:
            premises = self._premises(ti, key, reader)
            if premises is not None:
                self._send(reader, name, cls, premises)


def _derivations(cl: Closure) -> list[tuple[int, int, object, tuple[int, ...], int]]:
    s = cl.store
    return list(zip(s.keys, s.rules, s.vias, s.premises, s.costs, strict=True))


@settings(max_examples=20, deadline=None)
@given(text=hubs())
@example(text=tool_hub(30, 2, 3))
@example(text=store_hub(12))
def test_exfiltration_finds_what_trying_every_sibling_finds(text: str) -> None:
    """The same facts, in the same order, with the same derivations and costs."""
    found = _derivations(closure_of(text))
    original = Propagator._leak_through
    try:
        Propagator._leak_through = _every_sibling  # type: ignore[method-assign]
        plain = _derivations(closure_of(text))
    finally:
        Propagator._leak_through = original  # type: ignore[method-assign]
    assert found == plain


def _inputs_asked(tools: int) -> int:
    """How often the closure of the hub of ``tools`` tools asks the store about a tool's
    inputs."""
    cl = Closure(compile_model(actm.load_model_text(tool_hub(tools, 10, 1), knowledge=KB), KB))
    holds = cl.store.holds
    inputs = set(cl.c.tool_inputs)
    calls = [0]

    def counted(target: int, mask: int, persistent: bool, pipe: int = -1) -> int:
        calls[0] += target in inputs
        return holds(target, mask, persistent, pipe)

    cl.store.holds = counted  # type: ignore[method-assign]
    cl.run()
    return calls[0]


def test_exfiltration_asks_the_store_once_per_tool() -> None:
    """In the hub of issue 15 a driven egress tool looks at no sibling not driven yet or served
    already: the store is asked about tools' inputs a fixed number of times per tool (the joins
    and the first egress tool a reader leaks through), where trying every sibling asked about
    each sibling not driven yet (2,174 times at 50 tools, 134,249 at 500)."""
    assert [_inputs_asked(50), _inputs_asked(500)] == [848, 8498]
