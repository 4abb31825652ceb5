"""Where a capability spreads: every propagation rule of METHOD.md section 3, in one place.

When the fixpoint takes a new fact off its queue it calls :meth:`Propagator.fire`, which applies
the rules below and adds what they conclude to the store (a fact already known, or weaker than
one known, is dropped there). Which capability each rule gives is read from the vocabulary's
propagation tables; this file only decides *where* a rule applies:

* node vulnerability -> each asset residing on the node, by residency mode (``RESIDENCY``);
* component -> whole asset (``COMPONENT_UP``) and whole asset -> components (``COMPONENT_DOWN``);
* ``derives`` relations (``DEPENDENCY``), ``feeds`` relations forward (``FEEDS``) and, for
  confidentiality, backward to the source (``FEEDS_BACK``), ``part_of`` (``PART_OF``);
* agency: a model's tool calls drive its tools (``TOOL_CALL``); a driven tool writes what it may
  write (``TOOL_WRITE``), runs code on its nodes (``TOOL_EXECUTE``, a vulnerability on the node),
  and what any tool of the agent reads can leave through a tool with egress
  (``TOOL_EXFILTRATE``); what a tool reads or returns flows into the agent's
  ``inputs.tool_results`` (``TOOL_RESULTS``) and its definition into ``inputs.tool_definitions``
  (``TOOL_DEFINITION``);
* credentials: inspecting a credential lets the adversary call the tools it authorises
  (``CREDENTIAL_TOOL``), opens the nodes it grants access to (``CREDENTIAL_NODE``), and does
  what its ``grants`` say: read, write or delete assets (``CREDENTIAL_GRANT``), run code on
  nodes (``CREDENTIAL_NODE``);
* a driven tool deletes what it may delete (``TOOL_DELETE``);
* reading (part of) an asset reads what it ``contains`` (``CONTAINED``);
* a package changed at its source runs the adversary's code on every node it runs on
  (``PACKAGE_CODE``);
* a propagator built with ``footholds=False`` derives no code execution through a tool or a
  credential (the footholds the engine derives: engine/footholds.py asks what closes
  without them), and one built with ``attacks=False`` derives nothing a model makes of its
  inputs: neither its outputs from them nor a conditional AI weakness nor an attack pattern
  (what a foothold gives by itself);
* conditional AI weaknesses declared on a model (``AI_WEAKNESS``);
* attack patterns and conversions, through :class:`~actm.engine.matching.Matcher`.
"""

from __future__ import annotations

from collections.abc import Mapping

from actm.engine.compiled import DEPLOY, Compiled
from actm.engine.facts import FactStore, Rule
from actm.engine.matching import Matcher

__all__ = ["Propagator"]


def _conclusions(c: Compiled, table: Mapping[str, str]) -> list[tuple[int, ...]]:
    """Per capability: the capabilities ``table`` gives, for it and everything it implies.

    Only the strongest conclusions are kept (weaker ones would be subsumed anyway).
    """
    out: list[tuple[int, ...]] = []
    for cap in range(len(c.caps)):
        found = {
            c.cap_index[v] for k, v in table.items() if (c.implied_mask[cap] >> c.cap_index[k]) & 1
        }
        maximal = [
            x for x in found if not any(y != x and (c.implied_mask[y] >> x) & 1 for y in found)
        ]
        out.append(tuple(sorted(maximal)))
    return out


class Propagator:
    """Applies the propagation rules to one fact at a time."""

    def __init__(
        self,
        c: Compiled,
        store: FactStore,
        matcher: Matcher,
        gates: Mapping[int, int],
        *,
        footholds: bool = True,
        attacks: bool = True,
        blocked: frozenset[int] = frozenset(),
        tools_run: bool = True,
    ) -> None:
        self.c = c
        self.attacks = attacks
        """Whether what a model makes of its inputs is derived: its outputs from its inputs,
        conditional AI weaknesses, and the attack patterns (the matcher)."""
        self.tools_run = tools_run
        """Whether a driven tool runs code on its nodes (of any class): a closure from one
        foothold alone derives none (engine/footholds.py)."""
        self.blocked = blocked
        """Nodes on which no code execution is derived through a tool or a credential (the
        footholds elsewhere are): what closes without the foothold on those nodes alone."""
        self.store = store
        self.matcher = matcher
        self.gates = gates
        """Target of a tool's inputs -> what passing the tool's human approval costs."""
        v = c.vocab
        self.up = _conclusions(c, v.component_up)
        self.down = _conclusions(c, v.component_down)
        self.dep = _conclusions(c, v.dependency)
        self.dep_by_process = {
            pid: _conclusions(c, {**v.dependency, **p.propagation})
            for pid, p in v.processes.items()
            if p.propagation
        }
        self.fwd = _conclusions(c, v.relationship_forward)
        self.back = _conclusions(c, v.relationship_backward)
        self.part = _conclusions(c, v.part_of)
        self.call = _conclusions(c, v.agency.call)
        ci = c.cap_index
        self.write_constrained = ci[v.agency.write_constrained]
        self.write_unconstrained = ci[v.agency.write_unconstrained]
        self.exfiltrate = ci[v.agency.exfiltrate]
        self.results = ci[v.agency.results]
        self.definition = ci[v.agency.definition]
        self.content_mask = c.stronger_mask[ci[v.agency.content_requires]]
        self.credential = ci[v.agency.credential]
        self.cred_class = c.vclass_index.get(v.agency.credential_access, -1)
        self.delete = ci[v.agency.delete]
        self.granted = {
            "read": ci[v.agency.credential_read],
            "write": ci[v.agency.credential_write],
            "delete": ci[v.agency.credential_delete],
        }
        self.grant_exec = c.vclass_index.get(v.agency.credential_execute, -1)
        self.footholds = footholds
        """Whether code execution through a tool or a credential is derived."""
        self.tool_exec_class = c.vclass_index.get(v.agency.execute, -1)
        self.contained_mask = c.stronger_mask[ci[v.agency.contained_requires]]
        self.contained = ci[v.agency.contained]
        self.package_mask = c.stronger_mask[ci[v.agency.package_requires]]
        self.package_class = c.vclass_index.get(v.agency.package_runs, -1)
        self.integrity_mask = sum(1 << i for i, flag in enumerate(c.integrity) if flag)
        # what credential use requires: the strongest confidentiality capability there is
        self.cred_requires = c.stronger_mask[ci["inspect"]] if "inspect" in ci else 0
        self.grants = self._grants()
        self._served: dict[int | None, set[int]] = {}
        """Egress class -> the reading tools whose data has left through one of its tools."""
        self._served_log: list[tuple[bool, int | None, int]] = []
        """(whether a tool was driven rather than a reader served, class, tool), for rollback."""
        self._classes: dict[str, list[tuple[int | None, list[tuple[int, int]]]]] = {}
        self._driven: set[int] = set()
        """The reading tools driven so far (their inputs hold an integrity capability)."""
        self._pending: dict[tuple[int | None, str], set[int]] = {}
        """(egress class of one of the agent's tools, agent) -> the agent's driven reading tools
        not served in that class yet: what a driven egress tool of the class may leak."""
        self._positions: dict[str, dict[int, int]] = {}

    def _grants(self) -> list[dict[str, list[tuple[int, object]]]]:
        out: list[dict[str, list[tuple[int, object]]]] = []
        for cls_id in self.c.vclass_ids:
            vc = self.c.vocab.vulnerability_classes[cls_id]
            out.append(
                {
                    mode: [(self.c.cap_index[g.capability], g.persistent) for g in grants]
                    for mode, grants in vc.grants.items()
                }
            )
        return out

    def admit_footholds(self) -> None:
        """Derive code execution through tools and credentials from here on, and from the
        facts known already (after a run with ``footholds=False``): what :meth:`fire` would
        have derived from them, through the same two steps (:meth:`_tool_execution` for a
        driven tool, :meth:`_credential_execution` for a credential used)."""
        if self.footholds:
            return
        self.footholds = True
        c = self.c
        ncap = self.store.ncap
        for key in list(self.store.keys):
            if key < 0:
                continue
            tc = key >> 2
            t, cap = tc // ncap, tc % ncap
            if c.integrity[cap]:
                ti = c.tool_of_inputs.get(t, -1)
                if ti >= 0:
                    self._tool_execution(ti, key, foothold=True)
            elif (self.cred_requires >> cap) & 1:
                self._credential_execution(t, key)

    # ---------------------------------------------------------------------------------------

    def grant_residents(
        self,
        node: int,
        vclass: int,
        premise: tuple[int, ...],
        via: object,
        only: frozenset[int] | None = None,
        cost: int = 0,
    ) -> None:
        """A vulnerability of ``vclass`` on ``node`` grants capabilities over its residents
        (``cost``: what the grants cost when the vulnerability is a seed)."""
        c = self.c
        add = self.store.add
        by_mode = self.grants[vclass]
        pipe = c.node_pipe[node]
        integrity = c.integrity
        for asset, mode, writes in c.node_assets[node]:
            if only is not None and asset not in only:
                continue
            for cap, persistent in by_mode.get(mode, ()):
                pers = (writes if persistent == "writes" else bool(persistent)) and integrity[cap]
                add(c.asset_target[asset], cap, pers, pipe, Rule.RESIDENCY, via, premise, cost)

    def limit(self, cap: int, edge: str) -> int:
        """``cap`` as it passes ``edge``: no stronger than a control's ``weakens`` allows."""
        lim = self.c.edge_limit.get(edge)
        if lim is None or self.c.cap_class[lim] != self.c.cap_class[cap]:
            return cap
        return lim if (self.c.implied_mask[cap] >> lim) & 1 else cap

    def fire(self, key: int) -> None:
        """Apply every propagation rule to the fact ``key``."""
        store = self.store
        c = self.c
        if key < 0:
            node, vclass = store.decode_node(key)
            self.grant_residents(node, vclass, (key,), c.vclass_ids[vclass])
            return
        pipe = key & 1
        pers = bool((key >> 1) & 1)
        tc = key >> 2
        cap = tc % store.ncap
        t = tc // store.ncap
        add = store.add
        integrity = c.integrity
        prem = (key,)
        comp = c.target_comp[t]
        asset = c.target_asset[t]

        # component <-> whole asset
        if comp is not None:
            part = c.partial_target[asset]
            for x in self.up[cap]:
                add(part, x, pers and integrity[x], pipe, Rule.COMPONENT_UP, None, prem)
        elif not c.is_partial[t]:
            comps = c.asset_comp_targets[asset]
            if comps:
                for x in self.down[cap]:
                    for ct in comps:
                        add(ct, x, pers and integrity[x], pipe, Rule.COMPONENT_DOWN, None, prem)

        # derives, feeds, part_of
        derived = c.derives_out.get(t)
        if derived and (self.attacks or c.asset_type[asset] != "inputs"):
            for dst, persistent, ppipe, rid, proc in derived:
                table = self.dep_by_process.get(proc, self.dep)
                for x in table[cap]:
                    x = self.limit(x, rid)
                    add(dst, x, persistent and integrity[x], ppipe, Rule.DEPENDENCY, rid, prem)
        edges = c.feeds_out.get(t)
        if edges:
            for x0 in self.fwd[cap]:
                for dst, persistent, ppipe, rid in edges:
                    x = self.limit(x0, rid)
                    add(dst, x, persistent and integrity[x], ppipe, Rule.FEEDS, rid, prem)
        back = c.feeds_back.get(t)
        if back:
            for x in self.back[cap]:
                for src, rid in back:
                    add(src, x, False, pipe, Rule.FEEDS_BACK, rid, prem)
        returned = c.results_back.get(t)
        if returned:
            for x in self.back[cap]:
                for src, tool_id in returned:
                    add(src, x, False, pipe, Rule.FEEDS_BACK, tool_id, prem)
        parts = c.part_of_out.get(t)
        if parts:
            for x0 in self.part[cap]:
                for dst, rid in parts:
                    x = self.limit(x0, rid)
                    add(dst, x, pers and integrity[x], pipe, Rule.PART_OF, rid, prem)

        # agency, credentials, packages, contained secrets
        if integrity[cap]:
            self._integrity(t, cap, pers, key)
        else:
            self._confidentiality(t, cap, pipe, key)

        if not self.attacks:
            return
        # conditional AI weaknesses
        rules = c.ai_rules.get(t)
        if rules:
            for mask, yields, vid in rules:
                if (mask >> cap) & 1:
                    for yt, ycap, ypers, ypipe in yields:
                        add(yt, ycap, ypers, ypipe, Rule.AI_WEAKNESS, vid, prem)

        # attack patterns and conversions
        self.matcher.on_fact(key, t, cap, pers, pipe)

    def _integrity(self, t: int, cap: int, pers: bool, key: int) -> None:
        """An integrity capability on ``t``: a model's tool calls drive its tools, a driven
        tool acts, what the adversary wrote reaches an agent's context, and a package changed
        at its source runs on every node it runs on."""
        c = self.c
        add = self.store.add
        prem = (key,)
        tools = c.calls_of.get(t)
        if tools:
            for ti in tools:
                if c.tool_gated[ti]:
                    continue
                t_in = c.tool_inputs[ti]
                gate = self.gates.get(t_in, 0)
                for x in self.call[cap]:
                    add(t_in, x, False, DEPLOY, Rule.TOOL_CALL, c.tool_ids[ti], prem, gate)
        ti = c.tool_of_inputs.get(t, -1)
        if ti >= 0:
            self._tool_driven(ti, key)
        # content the adversary wrote (not merely influenced) reaches the agent's context
        carries = (self.content_mask >> cap) & 1
        readers = c.readers_of.get(t)
        if readers and carries:
            for r in readers:
                self._to_tool_results(r, key)
        ti = c.tool_of_results.get(t, -1)
        if ti >= 0 and carries:
            self._to_tool_results(ti, key)
        nodes = c.package_nodes.get(t)
        if nodes and pers and (self.package_mask >> cap) & 1 and self.package_class >= 0:
            package = c.asset_ids[c.target_asset[t]]
            for n in nodes:
                self.store.add_node(n, self.package_class, Rule.PACKAGE_CODE, package, prem)
        ti = c.tool_of_definition.get(t, -1)
        if ti >= 0 and carries:
            name = c.tool_ids[ti]
            for user in c.tool_users[ti]:
                dt = c.model_tool_defs.get(user, -1)
                if dt >= 0:
                    add(dt, self.definition, False, DEPLOY, Rule.TOOL_DEFINITION, name, prem)

    def _confidentiality(self, t: int, cap: int, pipe: int, key: int) -> None:
        """Any other capability on ``t``: reading a credential uses it, and reading (part of)
        an asset reads what it contains."""
        c = self.c
        add = self.store.add
        prem = (key,)
        name = c.asset_ids[c.target_asset[t]]
        if (self.cred_requires >> cap) & 1:
            for ti in c.cred_tools.get(t, ()):
                add(
                    c.tool_inputs[ti],
                    self.credential,
                    False,
                    pipe,
                    Rule.CREDENTIAL_TOOL,
                    c.tool_ids[ti],
                    prem,
                )
            if self.cred_class >= 0:
                for n in c.cred_nodes.get(t, ()):
                    self.store.add_node(n, self.cred_class, Rule.CREDENTIAL_NODE, name, prem)
            self._credential_grants(t, name, key)
        if (self.contained_mask >> cap) & 1:
            for x in c.contains_out.get(t, ()):
                add(x, self.contained, False, pipe, Rule.CONTAINED, name, prem)

    def _credential_grants(self, t: int, name: str, key: int) -> None:
        """Whoever reads credential ``t`` (asset ``name``) does what its ``grants`` say."""
        c = self.c
        for perm, dst in c.cred_grants.get(t, ()):
            cap = self.granted[perm]
            persistent = c.integrity[cap] and c.asset_persists[c.target_asset[dst]]
            self.store.add(
                dst, cap, persistent, DEPLOY, Rule.CREDENTIAL_GRANT, (name, perm), (key,)
            )
        if self.footholds:
            self._credential_execution(t, key)

    def _credential_execution(self, t: int, key: int) -> None:
        """Code execution on the nodes credential ``t`` grants it on, once used (fact
        ``key``): a foothold the engine derives (none when a propagator is built with
        ``footholds=False``, until :meth:`admit_footholds`)."""
        if self.grant_exec < 0:
            return
        c = self.c
        name = c.asset_ids[c.target_asset[t]]
        for n in c.cred_exec.get(t, ()):
            if n not in self.blocked:
                self.store.add_node(n, self.grant_exec, Rule.CREDENTIAL_NODE, name, (key,))

    def _tool_driven(self, ti: int, key: int) -> None:
        """The adversary drives tool ``ti`` (an integrity capability on its inputs)."""
        c = self.c
        store = self.store
        prem = (key,)
        name = c.tool_ids[ti]
        write_cap = self.write_constrained if c.tool_constrained[ti] else self.write_unconstrained
        write_cap = self.limit(write_cap, f"{name}.write")
        for wt, persistent in c.tool_writes[ti]:
            store.add(wt, write_cap, persistent, DEPLOY, Rule.TOOL_WRITE, name, prem)
        self._tool_execution(ti, key, foothold=None if self.footholds else False)
        for dt in c.tool_deletes[ti]:
            store.add(dt, self.delete, False, DEPLOY, Rule.TOOL_DELETE, name, prem)
        if c.tool_reads[ti] and ti not in self._driven:
            self._drive(ti)
        self._exfiltrate(ti, key)

    def _tool_execution(self, ti: int, key: int, *, foothold: bool | None) -> None:
        """Code execution on the nodes of tool ``ti``, once driven (fact ``key``): of every
        vulnerability class (``foothold`` None), only of the foothold the engine derives,
        code run through the tool (True), or of every other class (False: a propagator
        built with ``footholds=False``)."""
        if not self.tools_run:
            return
        c = self.c
        name = c.tool_ids[ti]
        for node, vclass in c.tool_exec[ti]:
            own = vclass == self.tool_exec_class
            if (foothold is None or own == foothold) and not (own and node in self.blocked):
                self.store.add_node(node, vclass, Rule.TOOL_EXECUTE, name, (key,))

    # -- exfiltration -------------------------------------------------------------------------
    #
    # What a driven tool of an agent reads leaves through a driven tool of the same agent that
    # has egress (TOOL_EXFILTRATE). Done pair by pair, an agent with N tools that all read and
    # send costs N x N x (what each reads). But what leaves depends on the pair only through
    # the weakening of each tool's edges, so egress tools fall into classes (the same limit on
    # their `.egress` edge) and a reader's data, once it has left through one tool of a class,
    # gains nothing from the others: each (class, reader) is *served* once. The facts added,
    # their order and their derivations are those of trying every pair. A driven egress tool
    # looks only at the driven readers not served in its class yet (``_pending``), not at every
    # sibling: an agent's N tools would cost N x N otherwise.

    def _exfiltrate(self, ti: int, key: int) -> None:
        c = self.c
        for user in c.tool_users[ti]:
            if c.tool_egress[ti]:
                self._leak_through(ti, key, user)
            if c.tool_reads[ti]:
                self._leak_from(ti, key, user)

    def _leak_through(self, ti: int, key: int, user: str) -> None:
        """Driven egress tool ``ti`` of ``user``: what each driven sibling reads leaves
        through it (in the order of the agent's tools)."""
        c = self.c
        name = c.tool_ids[ti]
        cls = c.edge_limit.get(f"{name}.egress")
        served = self._served.setdefault(cls, set())
        readers = set(self._pending.get((cls, user), ()))
        readers.add(ti)
        position = self._position(user)
        for reader in sorted(readers, key=position.__getitem__):
            if not c.tool_reads[reader] or reader in served:
                continue
            premises = self._premises(ti, key, reader)
            if premises is not None:
                self._send(reader, name, cls, premises)

    def _premises(self, ti: int, key: int, reader: int) -> tuple[int, ...] | None:
        """What ``reader``'s data leaving through driven tool ``ti`` (by fact ``key``) rests
        on: ``key`` for ``ti`` itself, else also the fact that drives ``reader``; None when
        nothing drives it."""
        if reader == ti:
            return (key,)
        k2 = self.store.holds(self.c.tool_inputs[reader], self.integrity_mask, False)
        return None if k2 < 0 else (k2, key)

    def _send(self, reader: int, egress: str, cls: int | None, premises: tuple[int, ...]) -> None:
        """What ``reader`` reads leaves through the tool ``egress`` (of class ``cls``), which
        serves it in that class."""
        c = self.c
        name = c.tool_ids[reader]
        leak = self._leak(name, egress)
        for x in c.tool_reads[reader]:
            self.store.add(x, leak, False, DEPLOY, Rule.TOOL_EXFILTRATE, (name, egress), premises)
        self._serve(cls, reader)

    def _position(self, user: str) -> dict[int, int]:
        """Each tool of ``user`` -> its first position among them."""
        found = self._positions.get(user)
        if found is None:
            found = self._positions[user] = {}
            for pos, t in enumerate(self.c.model_tools.get(user, ())):
                found.setdefault(t, pos)
        return found

    def _leak_from(self, ti: int, key: int, user: str) -> None:
        """Driven reading tool ``ti``: what it reads leaves through the first driven egress
        sibling of each class, in the order of the agent's tools."""
        c = self.c
        store = self.store
        picks: list[tuple[int, int, int | None, int]] = []
        for cls, members in self._egress_classes(user):
            for pos, egress in members:
                if egress == ti:
                    continue
                k2 = store.holds(c.tool_inputs[egress], self.integrity_mask, False)
                if k2 >= 0:
                    picks.append((pos, egress, cls, k2))
                    break
        for _pos, egress, cls, k2 in sorted(picks, key=lambda p: p[0]):
            if ti in self._served.setdefault(cls, set()):
                continue
            self._send(ti, c.tool_ids[egress], cls, (key, k2))

    def _egress_classes(self, user: str) -> list[tuple[int | None, list[tuple[int, int]]]]:
        """The egress tools of ``user`` by class, each as (position among its tools, tool)."""
        found = self._classes.get(user)
        if found is None:
            c = self.c
            by_class: dict[int | None, list[tuple[int, int]]] = {}
            for pos, e in enumerate(c.model_tools.get(user, ())):
                if c.tool_egress[e]:
                    by_class.setdefault(c.edge_limit.get(f"{c.tool_ids[e]}.egress"), []).append(
                        (pos, e)
                    )
            found = self._classes[user] = list(by_class.items())
        return found

    def _serve(self, cls: int | None, reader: int) -> None:
        served = self._served[cls]
        if reader not in served:
            served.add(reader)
            self._served_log.append((False, cls, reader))
            self._track(cls, reader, pending=False)

    def _drive(self, reader: int) -> None:
        """Reading tool ``reader`` is driven: pending in each class it is not served in."""
        self._driven.add(reader)
        self._served_log.append((True, None, reader))
        for user in self.c.tool_users[reader]:
            for cls, _members in self._egress_classes(user):
                if reader not in self._served.get(cls, ()):
                    self._pending.setdefault((cls, user), set()).add(reader)

    def _track(self, cls: int | None, reader: int, *, pending: bool) -> None:
        """``reader`` pending in ``cls`` for each of its agents, or no longer."""
        for user in self.c.tool_users[reader]:
            if pending:
                self._pending.setdefault((cls, user), set()).add(reader)
            else:
                self._pending.get((cls, user), set()).discard(reader)

    def mark(self) -> int:
        return len(self._served_log)

    def rollback(self, mark: int) -> None:
        log = self._served_log
        while len(log) > mark:
            driven, cls, reader = log.pop()
            if driven:
                self._driven.discard(reader)
                for user in self.c.tool_users[reader]:
                    for klass, _members in self._egress_classes(user):
                        self._pending.get((klass, user), set()).discard(reader)
            else:
                self._served[cls].discard(reader)
                if reader in self._driven:
                    self._track(cls, reader, pending=True)

    def _leak(self, reader: str, egress: str) -> int:
        """What leaves when ``reader`` reads and ``egress`` sends, after any weakening."""
        return self.limit(self.limit(self.exfiltrate, f"{reader}.read"), f"{egress}.egress")

    def _to_tool_results(self, ti: int, key: int) -> None:
        """What tool ``ti`` returns carries the adversary's content into its users' context."""
        c = self.c
        for user in c.tool_users[ti]:
            rt = c.model_tool_results.get(user, -1)
            if rt >= 0:
                self.store.add(
                    rt, self.results, False, DEPLOY, Rule.TOOL_RESULTS, c.tool_ids[ti], (key,)
                )
