"""What a threat's routes and needs make of it: its adversaries, the route factors of its
severity, and whether it is reported at all.

From the attribution of a run (engine/attribution.py), for each threat:

* its routes, most realistic first, and, when no entry point closes it alone, the entry points
  its shown chain needs together (``cooperation``); its adversaries are the entry points of its
  routes (or those cooperating), so there is always at least one;
* the assumptions it rests on (counterfactually), the unjustified ones among them counting in
  its severity, with the length of its shortest route (:class:`~actm.engine.severity.Path`);
* the noise rules of the engine (docs/severity.md), each of which drops a threat that is not
  one: an owner is never the adversary for what it already holds (``operator_holds``), an
  adversary is never the only victim (``only_victim``), and nothing that breaks only the
  confidentiality of an asset whose confidentiality does not matter is a threat
  (``no_confidentiality``, decided by the severity: engine/severity.py); nor is a threat on
  what a model is told or says that rests on the code of packages running where it runs, or a
  threat that needs code execution the engine derives through a tool or a credential and that
  yields nothing this foothold does not give by itself (``foothold``, engine/footholds.py):
  that code's execution is the threat, reported on the package, the tool or the credential.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from actm.engine.attribution import PACKAGE, Attribution, owner_of
from actm.engine.chain import Route
from actm.engine.compiled import Compiled
from actm.engine.costs import costs, entry_of
from actm.engine.facts import Rule
from actm.engine.footholds import sends_out
from actm.engine.routes import all_seeds
from actm.engine.seeds import Seed
from actm.engine.severity import Assessment, Path
from actm.engine.view import EngineView
from actm.model.system import Asset
from actm.records import quick_init
from actm.terms import REACHES

__all__ = ["DROPS", "Verdict", "chain_discarded", "discards", "judge", "noise"]

DROPS = ("operator_holds", "only_victim", "no_confidentiality", "foothold", "one_adversary")
"""The noise rules, by the name their count has in the summary."""


@quick_init
@dataclass(frozen=True, slots=True)
class Verdict:
    """What the routes and needs of one threat make of it (before its final severity)."""

    routes: tuple[Route, ...]
    cooperation: tuple[str, ...]
    adversaries: tuple[str, ...]
    rests_on: tuple[str, ...]
    unjustified: tuple[str, ...]
    accepted_by: tuple[str, ...]
    """The justified assumptions its shown chain uses (when it is accepted risk)."""
    path: Path


def _seed_entries(c: Compiled) -> dict[tuple[int, object], tuple[str, str]]:
    """(rule of the fact a seed gives, via) -> the entry point and reach of its seed (the most
    realistic, when several seeds give the same)."""
    found: dict[tuple[int, object], tuple[str, str]] | None = c.caches.get("seed_entries")
    if found is not None:
        return found
    found = {}
    for s in all_seeds(c):
        key = (Rule.RESIDENCY if s.node >= 0 else s.rule, s.via)
        entry = entry_of(c, s)
        old = found.get(key)
        if old is None or REACHES.index(entry[1]) < REACHES.index(old[1]):
            found[key] = entry
    c.caches["seed_entries"] = found
    return found


def chain_entries(c: Compiled, seeds: Iterable[tuple[Rule, object]]) -> list[tuple[str, str]]:
    """The entry points (and reaches) of the ``seeds`` a chain starts from (as
    :func:`~actm.engine.provenance.seeds_in` lists them), without duplicates."""
    table = _seed_entries(c)
    out: list[tuple[str, str]] = []
    for how, via in seeds:
        entry = table.get((how, via))
        if entry is not None and entry not in out:
            out.append(entry)
    return out


def judge(
    c: Compiled,
    tid: str,
    seeds: list[tuple[Rule, object]],
    accepted: bool,
    attribution: Attribution,
) -> Verdict:
    """The verdict on threat ``tid``, whose shown chain starts from ``seeds`` (as
    :func:`~actm.engine.provenance.seeds_in` lists them)."""
    routes = attribution.routes.get(tid, ())
    live = [r for r in routes if not r.accepted]
    k = costs(c)
    used = [str(via) for how, via in seeds if how in (Rule.ASSUMPTION, Rule.ASSUMPTION_SENDS)]
    accepted_by = tuple(sorted({a for a in used if a in k.justified})) if accepted else ()
    cooperation: tuple[str, ...] = ()
    if not accepted and not live and attribution.computed:
        # a chain that is not accepted risk uses no justified assumption: all its seeds count
        cooperation = tuple(sorted({e for e, _ in chain_entries(c, seeds)}))
    names: set[str] = set()
    for r in live or routes:
        names.update(r.members or (r.adversary,))
    names.update(cooperation)
    if not names:
        names.update(e for e, _ in chain_entries(c, seeds))
    rests_on = attribution.rests_on.get(tid, ())
    unjustified = tuple(a for a in rests_on if a not in k.justified)
    steps = min((r.steps for r in live), default=None)
    path = Path(steps, bool(cooperation), len(unjustified))
    return Verdict(
        routes, cooperation, tuple(sorted(names)), rests_on, unjustified, accepted_by, path
    )


def noise(
    c: Compiled,
    tid: str,
    classes: tuple[str, ...],
    verdict: Verdict,
    severity: Assessment,
    attribution: Attribution,
    binding: tuple[str, ...] = (),
    one_adversary: bool = False,
) -> str:
    """The noise rule that drops the threat (whose attack breaks ``classes`` and binds the
    elements ``binding``), or '' when it is reported: ``no_confidentiality``, or the route
    rule (:func:`discards`) of the one entry point all its live routes (those not accepted
    risk) start from; with entry points that must cooperate, or another adversary reaching
    the same asset on its own, it is kept, unless its attack is ``one_adversary``'s: then
    a threat only cooperating entry points close is dropped (``one_adversary``)."""
    if severity.moot:
        return "no_confidentiality"
    if one_adversary and verdict.cooperation and not severity.accepted:
        return "one_adversary"
    if attribution.restates.get(tid) or _restates_foothold(
        c, tid, verdict, severity, attribution, binding
    ):
        return "foothold"
    if not _routes_judged(verdict, severity, attribution):
        return ""
    entries = {r.adversary for r in verdict.routes if not r.accepted}
    if len(entries) != 1:
        return ""
    (entry,) = entries
    supplied = all(r.reach == "operator" for r in verdict.routes if not r.accepted)
    return discards(
        c, tid, entry, classes, severity, attribution, binding=binding, supplied=supplied
    )


def _routes_judged(verdict: Verdict, severity: Assessment, attribution: Attribution) -> bool:
    """Whether the route rules apply to the threat: not accepted risk, routes not grouped by
    reach, and some live route closes it alone (no cooperation)."""
    if severity.accepted or attribution.grouped or verdict.cooperation:
        return False
    return any(not r.accepted for r in verdict.routes)


def discards(
    c: Compiled,
    tid: str,
    entry: str,
    classes: tuple[str, ...],
    severity: Assessment,
    attribution: Attribution,
    *,
    alone: bool = False,
    binding: tuple[str, ...] = (),
    supplied: bool = True,
) -> str:
    """The route rule that discards the routes of threat ``tid`` from ``entry``, or '': an
    owner's route to what it already holds (``operator_holds``), a supplier's route to a
    credential it issues, or that uses one (among the elements ``binding`` binds) to reach
    another asset it holds (``operator_holds`` too: it reads or opens its own service's
    token), a user's
    route to what it holds by entering or to its own session's outputs (``only_victim``). A
    threat all of whose live routes one entry's rule discards is dropped (:func:`noise`); the
    planner skips such routes too (:func:`chain_discarded`). An owner counts only when the
    threat needs it, which it does when its routes are the only ones left (``alone``). A
    supplier counts only where its routes have the reach of one (``supplied``): a package name
    a tool installs with nothing pinned is whoever registered it, from the internet, and that
    is not the publisher the model names."""
    owner = owner_of(entry)
    if entry.startswith("supplier:") and owner is not None:
        if not supplied:
            return ""
        own = _issued_by(c, owner, severity.asset_id)
        return (
            "operator_holds" if own or _opens_its_own(c, owner, binding, severity.asset_id) else ""
        )
    if entry.startswith("operator:") and owner is not None:
        needed = (
            alone
            or attribution.assumption_attribution != "counterfactual"
            or owner in attribution.owners.get(tid, ())
        )
        return "operator_holds" if needed and _holds(c, owner, severity.asset_id) else ""
    holdings = _public_holdings(c, entry)
    if all((severity.asset, cls) in holdings for cls in classes):
        return "only_victim"
    if _own_session_output(c, entry, severity.asset_id):
        return "only_victim"
    return ""


def chain_discarded(
    c: Compiled,
    seeds: list[tuple[Rule, object]],
    tid: str,
    classes: tuple[str, ...],
    verdict: Verdict,
    severity: Assessment,
    attribution: Attribution,
    binding: tuple[str, ...] = (),
) -> bool:
    """Whether the shown chain of a reported threat (starting from ``seeds``) is a route the
    route rules discard (:func:`discards` of each entry it starts from): breaking it does not
    remove the threat, breaking its other live routes (from other entries; there must be some) does.
    Each entry is judged as if its routes were the only ones left: the planner asks what
    removing the others leaves."""
    if not _routes_judged(verdict, severity, attribution):
        return False
    found = chain_entries(c, seeds)
    entries = {e for e, _ in found}
    others = {r.adversary for r in verdict.routes if not r.accepted} - entries
    return bool(entries and others) and all(
        discards(
            c,
            tid,
            e,
            classes,
            severity,
            attribution,
            alone=True,
            binding=binding,
            supplied=all(reach == "operator" for e2, reach in found if e2 == e),
        )
        for e in entries
    )


def _own_session_output(c: Compiled, entry: str, asset_id: str) -> bool:
    """Whether ``asset_id`` is the outputs of a model the adversary ``entry`` uses in its own
    session: it holds the model's user input by declaration, and the model is a vendor's,
    hosted by the vendor and not public, so what it answers goes to that user alone (and its
    capacity is that user's account)."""
    asset = c.model.asset(asset_id)
    if asset.model is None or asset.type != "outputs":
        return False
    users: dict[str, frozenset[str]] = c.caches.setdefault("own_session_users", {})
    found = users.get(entry)
    if found is None:
        found = users[entry] = _own_session_models(c, entry)
    return asset.model in found


def _own_session_models(c: Compiled, entry: str) -> frozenset[str]:
    """The own-session models (engine/view.py) whose user input the declared adversary
    ``entry`` holds by declaration."""
    view = EngineView.of(c)
    found = set()
    for s in all_seeds(c):
        if s.entry != entry or s.rule != Rule.ADVERSARY:
            continue
        model = c.asset_owner[c.target_asset[s.target]]
        info = view.owner(model)
        if c.target_name[s.target] == f"{model}.inputs.user_input" and info and info.own_session:
            found.add(model)
    return frozenset(found)


def _opens_its_own(c: Compiled, owner: str, binding: tuple[str, ...], asset_id: str) -> bool:
    """Whether the threat uses a credential ``owner`` issues (bound) to reach another asset
    the owner already holds: a supplier that opens its own service with its own token."""
    own = any(
        b != asset_id and b in c.asset_index and c.model.asset(b).issued_by == owner
        for b in binding
    )
    return own and _holds(c, owner, asset_id)


def _issued_by(c: Compiled, owner: str, asset_id: str) -> bool:
    """Whether the asset is a credential ``owner`` issues: its code that reads the credential
    (a server or package it publishes) takes nothing from the user the issuer does not hold
    already, since the issuer can mint, revoke and see the use of what it issued."""
    asset = c.model.asset(asset_id)
    return asset.type == "credential" and asset.issued_by == owner


def _holds(c: Compiled, owner: str, asset_id: str) -> bool:
    """Whether ``owner`` already holds the asset: it resides on one of the owner's nodes, or
    it is a credential the owner issues."""
    asset = c.model.asset(asset_id)
    if asset.type == "credential" and asset.issued_by == owner:
        return True
    nodes = {n.id for n in c.model.nodes if n.owner == owner}
    return any(r.node in nodes for r in asset.resides)


def _public_holdings(c: Compiled, entry: str) -> frozenset[tuple[str, str]]:
    """(target, class) of what a public user holds by entering: its own input, what the model
    shows it."""
    found: dict[str, frozenset[tuple[str, str]]] = c.caches.setdefault("public_holdings", {})
    cached = found.get(entry)
    if cached is None:
        seeds: list[Seed] = [
            s for s in all_seeds(c) if s.entry == entry and s.rule == Rule.PUBLIC_USER
        ]
        cached = frozenset((c.target_name[s.target], c.cap_class[s.cap]) for s in seeds)
        found[entry] = cached
    return cached


def _restates_foothold(
    c: Compiled,
    tid: str,
    verdict: Verdict,
    severity: Assessment,
    attribution: Attribution,
    binding: tuple[str, ...] = (),
) -> bool:
    """Whether the threat is on what a model is told or says (its ``inputs`` or ``outputs``,
    or data read out of its answers: :func:`_answers_read`), or on an asset stored where a
    model it binds runs (:func:`_stored_where_it_runs`), and needs the code of the
    packages that run on such a node (it rests on the unjustified assumption of
    one of them, or on those of all of them together, or needs code execution there whichever
    package, tool or credential gives it: ``Attribution.footholds``): whoever
    changes that code runs it there and holds everything the model receives and says, and
    what is stored there, which is the package's own threat (``ml-dependency-compromise``);
    prompt injection, eviction, flooding, reading the model's queries or steering its tools
    to what the node stores through that foothold restates it.
    Counterfactual, so monotone: a threat that also closes without the packages (another
    route) is kept."""
    asset = c.model.asset(severity.asset_id)
    if asset.model is not None and asset.type in ("inputs", "outputs"):
        models: tuple[str, ...] = (asset.model,)
    else:
        models = _answers_read(c, tid, binding)
    hosts = {n for name in models for n in c.model.model(name).deployed_on}
    if not models and asset.model is None:
        hosts = _stored_where_it_runs(c, tid, binding, asset)
    if not hosts:
        return False
    if hosts.intersection(attribution.footholds.get(tid, ())):
        return True
    if attribution.assumption_attribution != "counterfactual":
        return False  # read off the shown chain, what it rests on may have another route
    for aid in verdict.unjustified:
        if aid.startswith(PACKAGE):
            package = c.model.package(aid.removeprefix(PACKAGE))
            if hosts.intersection(package.runs_on):
                return True
    return False


def _answers_read(c: Compiled, tid: str, binding: tuple[str, ...]) -> tuple[str, ...]:
    """The models whose answers the threat's attack reads to break confidentiality alone (a
    requirement to inspect the ``outputs`` of a model it binds, as a disclosure of what the
    agent's tools return does): code on the node such a model runs on holds what its tools
    return to it, so the disclosure through its answers restates that foothold."""
    attack = c.kb.attacks.get(tid.split("@", 1)[0])
    if attack is None or attack.impact is None or attack.impact.classes != ("confidentiality",):
        return ()
    bound = dict(zip(attack.key_vars, binding, strict=False))
    return tuple(
        sorted(
            {
                bound[r.var]
                for r in attack.requirements()
                if r.var in bound
                and r.capability == "inspect"
                and "outputs" in r.asset_types
                and attack.var_sort.get(r.var) == "model"
            }
        )
    )


def _stored_where_it_runs(
    c: Compiled, tid: str, binding: tuple[str, ...], asset: Asset
) -> set[str]:
    """The nodes where a model the threat binds runs and where its (conventional) asset is
    stored: code on such a node reads and changes the asset there without steering the model
    (a package's own threat says so). An exfiltration names how the data leaves, which that
    code does not: none. What a model is (its weights, its data) is more than the foothold
    and never comes here."""
    attack = c.kb.attacks.get(tid.split("@", 1)[0])
    if attack is None or sends_out(attack):
        return set()
    stored = {r.node for r in asset.resides}
    return {
        n
        for var, name in zip(attack.key_vars, binding, strict=False)
        if attack.var_sort.get(var) == "model"
        for n in c.model.model(name).deployed_on
        if n in stored
    }
