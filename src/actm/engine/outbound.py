"""Which nodes open connections out of the system, read off what the model states: the fact
behind the ``where`` condition ``connects_out`` (code run there can call its author back, a
reverse shell). Controls change none of it: a tool's egress counts as declared, as whatever
fetches from or calls a service outside still does when one tool of many is blocked."""

from __future__ import annotations

from collections.abc import Iterable

from actm.model.system import Asset, SystemModel

__all__ = ["outbound_nodes"]


def outbound_nodes(m: SystemModel, outside_trust: Iterable[str]) -> frozenset[str]:
    """The nodes the model shows opening connections to a node outside the system (one in a
    zone whose trust is in ``outside_trust``): a tool runs there whose ``egress`` leaves the
    system; the node is not exposed to the internet and an asset resides there that also
    resides on such an outside node (a checkpoint downloaded from a public hub, a file
    uploaded to a vendor's service: nothing outside could have opened that connection to a
    node the internet does not reach, while an exposed one may have been sent it); or a credential
    resides there that opens such a node (``grants_access``, or ``grants`` on what it stores:
    the node calls the outside service with it). A node outside the system counts only by the
    same evidence: being on the internet says who can reach it, not what it calls."""
    trust = frozenset(outside_trust)
    zones = {z.id: z.trust for z in m.zones}
    outside = frozenset(n.id for n in m.nodes if n.zone is not None and zones[n.zone] in trust)
    out = {t.node for t in m.tools if t.node is not None and t.external_egress}
    if not outside:
        return frozenset(out)
    closed = frozenset(n.id for n in m.nodes if n.exposure != "internet")
    where = {a.id: frozenset(r.node for r in a.resides) for a in m.assets}
    for a in m.assets:
        nodes = where[a.id]
        if nodes & outside:
            out |= nodes & closed
        if _opens_outside(a, outside, where):
            out |= nodes
    return frozenset(out)


def _opens_outside(a: Asset, outside: frozenset[str], where: dict[str, frozenset[str]]) -> bool:
    """Whether the credential ``a`` opens a node outside the system."""
    if outside.intersection(a.grants_access):
        return True
    granted = (x for p in ("read", "write", "delete") for x in a.grants.get(p, ()))
    return any(where.get(x, frozenset()) & outside for x in granted) or bool(
        outside.intersection(a.grants.get("execute", ()))
    )
