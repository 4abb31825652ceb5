"""Relational ``where`` conditions: between the bound element and another variable's.

Each names the other variable (``read_by: r``) and gives, besides its check, the candidates
for one side once the other is bound (``forward``: for the bound element given the other;
``backward``: for the other given the bound element). Reverse indexes are built by the
functions below on first use, through :meth:`SystemView.index`, and kept with the view.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from itertools import chain
from typing import ClassVar

from actm.knowledge.conditions.base import RelationalCondition
from actm.knowledge.conditions.view import Index, OwnerFacts, SystemView

__all__ = ["RELATIONAL"]

_EMPTY: frozenset[str] = frozenset()


def _index(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """a -> every b of the pairs (a, b)."""
    out: dict[str, set[str]] = {}
    for a, b in pairs:
        out.setdefault(a, set()).add(b)
    return {k: frozenset(v) for k, v in out.items()}


# -- reverse indexes, built once per view -----------------------------------------------------


def readers(view: SystemView) -> Index:
    """Binding -> the bindings whose tools read it."""
    return _index((x, key) for key, o in view.owners() for x in o.reads)


def writers(view: SystemView) -> Index:
    return _index((x, key) for key, o in view.owners() for x in o.writes)


def deleters(view: SystemView) -> Index:
    """Binding -> the bindings whose tools delete it."""
    return _index((x, key) for key, o in view.owners() for x in o.deletes)


def executors(view: SystemView) -> Index:
    """Binding -> the bindings whose tools execute code on a node where it resides."""
    return _index(
        (x, key)
        for key, o in view.owners()
        for n in o.executes_on
        for x in view.on_node.get(n, _EMPTY)
    )


def users(view: SystemView) -> Index:
    """Tool -> the models that use it."""
    return _index((t, key) for key, o in view.owners() if o.sort == "model" for t in o.tools)


def name_key(name: str) -> str:
    """A tool name as a model reads it: case, separators and punctuation left out."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def namesakes(view: SystemView) -> Index:
    """Tool -> the other tools offered under the same name (:func:`name_key`)."""
    groups: dict[str, set[str]] = {}
    for key, o in view.owners():
        if o.name:
            groups.setdefault(name_key(o.name), set()).add(key)
    return _index((a, b) for group in groups.values() for a in group for b in group if a != b)


def authorised_by(view: SystemView) -> Index:
    """Tool -> the credentials that authorise its calls."""
    return _index((t, key) for key, o in view.owners() for t in o.authorises)


def configurers(view: SystemView) -> Index:
    """Configuration -> the tools whose approval and sandbox settings it holds."""
    return _index((c, key) for key, o in view.owners() for c in o.configured_in)


def granters(view: SystemView) -> Index:
    """Binding -> the credentials whose ``grants`` reach it."""
    return _index((x, key) for key, o in view.owners() for x in o.granted)


def feeders(view: SystemView) -> Index:
    """Binding -> the bindings that feed it."""
    return _index((dst, src) for src, dst in view.feeds)


def fed(view: SystemView) -> Index:
    """Binding -> the bindings it feeds."""
    return _index(view.feeds)


def related(view: SystemView) -> Index:
    """Binding -> the bindings it feeds or is fed by."""
    return _index([*view.feeds, *((dst, src) for src, dst in view.feeds)])


def derived_out(view: SystemView) -> Index:
    """Source -> what ``derives`` relations write from it."""
    return _index(view.derived)


def derived_in(view: SystemView) -> Index:
    return _index((dst, src) for src, dst in view.derived)


def parts_of(view: SystemView) -> Index:
    """Whole -> its declared parts."""
    return _index((whole, part) for part, whole in view.parts)


def wholes_of(view: SystemView) -> Index:
    return _index(view.parts)


def _into(view: SystemView) -> Iterator[tuple[str, str]]:
    """(model, binding entering its context): what feeds it, and what its tools read."""
    yield from ((dst, src) for src, dst in view.feeds)
    yield from ((key, x) for key, o in view.owners() for x in o.reads)


def read_into(view: SystemView) -> Index:
    return _index(_into(view))


def reads_into(view: SystemView) -> Index:
    return _index((x, m) for m, x in _into(view))


class _CoLocated(Mapping[str, AbstractSet[str]]):
    """Binding -> the bindings with an asset on one of its nodes, computed when first asked.

    Built for every binding at once, this is quadratic in the bindings of a shared node (a
    vendor API that serves every unit's models): 290 MB at 50,000 assets, for one attack's
    condition.
    """

    def __init__(
        self, owner_nodes: Mapping[str, AbstractSet[str]], on_node: Mapping[str, AbstractSet[str]]
    ) -> None:
        self._owner_nodes = owner_nodes
        self._on_node = on_node
        self._known: dict[str, frozenset[str]] = {}

    def __getitem__(self, owner: str) -> frozenset[str]:
        found = self._known.get(owner)
        if found is None:
            nodes = self._owner_nodes[owner]
            found = frozenset().union(*(self._on_node.get(n, _EMPTY) for n in nodes))
            self._known[owner] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._owner_nodes)

    def __len__(self) -> int:
        return len(self._owner_nodes)


def co_located(view: SystemView) -> Index:
    return _CoLocated(view.owner_nodes, view.on_node)


# -- the conditions ---------------------------------------------------------------------------


class _Member(RelationalCondition):
    """The bound element is one of a set the other binding's facts list (what a tool reads, a
    model's tools); a reverse index gives the other way."""

    reverse: ClassVar[Callable[[SystemView], Index]]

    @abstractmethod
    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        """The set, from the other binding's facts."""

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        o = view.owner(other)
        return o is not None and me in self.members(o)

    def forward(self, view: SystemView, other: str) -> AbstractSet[str]:
        o = view.owner(other)
        return self.members(o) if o is not None else _EMPTY

    def backward(self, view: SystemView, me: str) -> AbstractSet[str]:
        return view.index(type(self).reverse).get(me, _EMPTY)


class _Indexed(RelationalCondition):
    """Candidates both ways from two indexes of the view."""

    forward_index: ClassVar[Callable[[SystemView], Index]]
    """Other binding -> the bindings the bound element can be."""
    backward_index: ClassVar[Callable[[SystemView], Index]]
    """Bound element -> the bindings the other variable can be."""

    def forward(self, view: SystemView, other: str) -> AbstractSet[str]:
        return view.index(type(self).forward_index).get(other, _EMPTY)

    def backward(self, view: SystemView, me: str) -> AbstractSet[str]:
        return view.index(type(self).backward_index).get(me, _EMPTY)


class ReadBy(_Member):
    name = "read_by"
    example = "read_by: r"
    doc = "is read by tool `r`, or embedded in (`contains`) an asset it reads"
    reverse = readers

    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        return other.reads


class WrittenBy(_Member):
    name = "written_by"
    example = "written_by: r"
    doc = "is written by tool `r`"
    reverse = writers

    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        return other.writes


class DeletedBy(_Member):
    name = "deleted_by"
    example = "deleted_by: r"
    doc = "is deleted by tool `r` (its `permissions.delete`)"
    reverse = deleters

    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        return other.deletes


class ExecutedBy(RelationalCondition):
    name = "executed_by"
    example = "executed_by: r"
    doc = "resides on a node where tool `r` executes code"

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        o, mine = view.owner(other), view.owner(me)
        return o is not None and mine is not None and bool(mine.nodes & o.executes_on)

    def forward(self, view: SystemView, other: str) -> AbstractSet[str]:
        o = view.owner(other)
        if o is None:
            return _EMPTY
        return frozenset().union(*(view.on_node.get(n, _EMPTY) for n in o.executes_on))

    def backward(self, view: SystemView, me: str) -> AbstractSet[str]:
        return view.index(executors).get(me, _EMPTY)


class _Holder(RelationalCondition):
    """The other binding is one of a set the bound element's own facts list (the tools a
    credential authorises, a model's tools); a reverse index gives the other way."""

    reverse: ClassVar[Callable[[SystemView], Index]]

    @abstractmethod
    def members(self, mine: OwnerFacts) -> AbstractSet[str]:
        """The set, from the bound element's facts."""

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        mine = view.owner(me)
        return mine is not None and other in self.members(mine)

    def forward(self, view: SystemView, other: str) -> AbstractSet[str]:
        return view.index(type(self).reverse).get(other, _EMPTY)

    def backward(self, view: SystemView, me: str) -> AbstractSet[str]:
        mine = view.owner(me)
        return self.members(mine) if mine is not None else _EMPTY


class Authorises(_Holder):
    name = "authorises"
    example = "authorises: r"
    doc = "(a credential) authorises the calls of tool `r`"
    reverse = authorised_by

    def members(self, mine: OwnerFacts) -> AbstractSet[str]:
        return mine.authorises


class Configures(_Member):
    name = "configures"
    example = "configures: t"
    doc = (
        "(a configuration) holds the approval and sandbox settings of tool `t` "
        "(its `configured_in`)"
    )
    reverse = configurers

    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        return other.configured_in


class GrantedBy(_Member):
    name = "granted_by"
    example = "granted_by: k"
    doc = "is read, written or deleted by whoever holds credential `k` (its `grants`)"
    reverse = granters

    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        return other.granted


class UsedBy(_Member):
    name = "used_by"
    model_only = True
    example = "used_by: m"
    doc = "(a tool) is a tool of model `m` that no control blocks"
    reverse = users

    def members(self, other: OwnerFacts) -> AbstractSet[str]:
        return other.tools


class Uses(_Holder):
    name = "uses"
    example = "uses: t"
    doc = "(a model) has tool `t`, and no control blocks it (the converse of `used_by`)"
    reverse = users

    def members(self, mine: OwnerFacts) -> AbstractSet[str]:
        return mine.tools


class Feeds(_Indexed):
    name = "feeds"
    model_only = True
    example = "feeds: m"
    doc = "feeds model `m` (a `feeds` relation no control blocks)"
    forward_index, backward_index = feeders, fed

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return (me, other) in view.feeds


class FedBy(_Indexed):
    name = "fed_by"
    model_only = True
    example = "fed_by: m"
    doc = "is fed by model `m`"
    forward_index, backward_index = fed, feeders

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return (other, me) in view.feeds


class ArrivesFrom(FedBy):
    name = "arrives_from"
    example = "arrives_from: m"
    doc = (
        "(a model's inputs) the component the requirement is met on is fed by model `m` (a "
        "`feeds` relation no control blocks, to that component or to the whole inputs): what "
        "`m` says arrives there"
    )
    per_component = True

    def holds_on(self, view: SystemView, me: str, other: str, component: str | None) -> bool:
        into = view.feeds_into
        return (other, me, "") in into or (component is not None and (other, me, component) in into)


class RelatedTo(_Indexed):
    name = "related_to"
    model_only = True
    example = "related_to: m"
    doc = "feeds or is fed by model `m`"
    forward_index = backward_index = related

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return (me, other) in view.feeds or (other, me) in view.feeds


class DiffersFrom(RelationalCondition):
    name = "differs_from"
    example = "differs_from: v"
    doc = "is not what `v` is bound to"

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return me != other


class DerivedFrom(_Indexed):
    name = "derived_from"
    example = "derived_from: v"
    doc = (
        "is written by a `derives` relation from `v`'s asset (for a model: from its "
        "`outputs`, not its inputs)"
    )
    forward_index, backward_index = derived_out, derived_in

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return (other, me) in view.derived


class PartOf(_Indexed):
    name = "part_of"
    example = "part_of: v"
    doc = "is declared `part_of` `v`'s asset, or embedded in it (`v`'s asset `contains` it)"
    forward_index, backward_index = parts_of, wholes_of

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return (me, other) in view.parts


class NotUsedBy(RelationalCondition):
    name = "not_used_by"
    model_only = True
    example = "not_used_by: m"
    doc = (
        "(a tool) is not one of the tools the model file gives model `m` (a control that "
        "blocks one of them does not change this, so a control never adds a threat)"
    )

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        declared = view.declared_tools(other)
        return declared is not None and me not in declared


class SharesNodeWith(_Indexed):
    name = "shares_node_with"
    example = "shares_node_with: v"
    doc = "resides on a node where an asset of `v` resides"
    forward_index = backward_index = co_located

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        nodes = view.owner_nodes
        return bool(nodes.get(me, _EMPTY) & nodes.get(other, _EMPTY))


class ReadInto(_Indexed):
    name = "read_into"
    model_only = True
    example = "read_into: m"
    doc = "enters model `m`'s context: it feeds one of `m`'s inputs, or a tool of `m` reads it"
    forward_index, backward_index = read_into, reads_into

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        if (me, other) in view.feeds:
            return True
        o = view.owner(other)
        return o is not None and me in o.reads


def opened(view: SystemView) -> Index:
    """Credential -> the bindings it opens: those with an asset on a node it grants access to
    or runs code on, and the conventional assets its ``grants`` read, write or delete."""
    on_node = view.on_node
    return _index(
        (key, x)
        for key, o in view.owners()
        for x in chain(
            _granted_assets(view, o), *(on_node.get(n, _EMPTY) for n in o.opens | o.runs_code_on)
        )
    )


def _granted_assets(view: SystemView, cred: OwnerFacts) -> Iterator[str]:
    """The conventional assets the ``grants`` of ``cred`` read, write or delete (not a model,
    whose weights a key may write without opening the node that serves it), but those a tool
    acting under ``cred`` reaches itself: taking them with the stolen credential is the
    credential's own use through its tools (stolen-credential-data-access, -tool-abuse), not a
    move onto something else."""
    own = _tools_reach(view, cred)
    for x in cred.granted:
        if x not in own and _conventional(view, x):
            yield x


def _tools_reach(view: SystemView, cred: OwnerFacts) -> set[str]:
    """What the tools acting under credential ``cred`` read, write or delete."""
    tools = [view.owner(t) for t in cred.authorises]
    return set().union(*(t.reads | t.writes | t.deletes for t in tools if t is not None))


def _conventional(view: SystemView, x: str) -> bool:
    o = view.owner(x)
    return o is not None and o.sort == "asset"


def openers(view: SystemView) -> Index:
    return _index((x, k) for k, xs in view.index(opened).items() for x in xs)


class OpenedBy(_Indexed):
    name = "opened_by"
    example = "opened_by: k"
    doc = (
        "is opened by credential `k`: resides on a node it grants access to (`grants_access`)"
        " or runs code on (`grants.execute`), or is a conventional asset its `grants` read,"
        " write or delete (after any `narrows`)"
    )
    forward_index, backward_index = opened, openers

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        # the nodes of any of its assets, as the index has them (a model's: where it runs)
        cred = view.owner(other)
        if cred is None:
            return False
        if me in cred.granted and _conventional(view, me) and me not in _tools_reach(view, cred):
            return True  # as _granted_assets gives them to the index
        return bool(view.owner_nodes.get(me, _EMPTY) & (cred.opens | cred.runs_code_on))


def served(view: SystemView) -> Index:
    """Credential -> the models that take requests on a node it grants access to."""
    owners = list(view.owners())
    on_node = _index((n, m) for m, o in owners for n in o.serves_on)  # node -> its models
    return _index((k, m) for k, cred in owners for n in cred.opens for m in on_node.get(n, _EMPTY))


def served_by(view: SystemView) -> Index:
    return _index((m, k) for k, ms in view.index(served).items() for m in ms)


class ServedBehind(_Indexed):
    name = "served_behind"
    example = "served_behind: k"
    doc = (
        "(a model) takes requests on a node that credential `k` grants access to "
        "(`grants_access`): its inputs are processed there (a gateway or back end in front "
        "of it), or it is a public model a provider hosts there (the provider's API, which "
        "bills the key's account past the application's limits); whoever holds `k` speaks "
        "to the model as the system does"
    )
    forward_index, backward_index = served, served_by

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        model, cred = view.owner(me), view.owner(other)
        return model is not None and cred is not None and bool(model.serves_on & cred.opens)


class SameNameAs(_Indexed):
    name = "same_name_as"
    example = "same_name_as: b"
    doc = (
        "(a tool) is offered under the name of tool `b`, another tool (case, separators and "
        "punctuation ignored: `check_status` and `CheckStatus` are one name)"
    )
    forward_index = backward_index = namesakes

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        return other in view.index(namesakes).get(me, _EMPTY)


class ApartFrom(RelationalCondition):
    name = "apart_from"
    example = "apart_from: v"
    doc = (
        "(a tool or asset) comes from another source than `v`'s: it runs on other nodes (one "
        "with a node and one without count as apart) or has another owner (a tool that names "
        "none: the publisher of the MCP server package on its node, else the node's owner)"
    )

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        mine, theirs = view.owner(me), view.owner(other)
        if mine is None or theirs is None:
            return False
        if mine.owner != theirs.owner:
            return True
        if not mine.nodes and not theirs.nodes:
            return False
        return not mine.nodes & theirs.nodes


class SharedBeyond(RelationalCondition):
    name = "shared_beyond"
    model_only = True
    example = "shared_beyond: m"
    doc = (
        "(an asset) enters the context of a model other than `m`, or takes outside content "
        "somewhere other than on one person's devices (a channel other people write to and "
        "read from; a download or a checkout on a workstation is read by its user alone)"
    )

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        mine = view.owner(me)
        if mine is not None and mine.shared_channel:
            return True
        for key in view.index(reads_into).get(me, _EMPTY):
            reader = view.owner(key)
            if key != other and reader is not None and reader.sort == "model":
                return True
        return False


class OutsideExecutionOf(RelationalCondition):
    name = "outside_execution_of"
    model_only = True
    example = "outside_execution_of: m"
    doc = (
        "resides on no node where a tool of model `m` executes code (so that taking it over "
        "is more than `m`'s own code execution there)"
    )

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        mine, model = view.owner(me), view.owner(other)
        return mine is not None and model is not None and not mine.nodes & self.reach(model)

    def reach(self, model: OwnerFacts) -> AbstractSet[str]:
        """The nodes where the model's tools run code that count."""
        return model.executes_on


class OutsideOpenExecutionOf(OutsideExecutionOf):
    name = "outside_open_execution_of"
    example = "outside_open_execution_of: m"
    doc = (
        "resides on no node where a tool of model `m` runs code outside a sandbox and "
        "without a person approving every call (declared or by a control in force: whoever "
        "steers `m` there reads and changes it with `m`'s own commands)"
    )

    def reach(self, model: OwnerFacts) -> AbstractSet[str]:
        return model.executes_open_on


class ExceedsReachOf(RelationalCondition):
    name = "exceeds_reach_of"
    model_only = True
    example = "exceeds_reach_of: m"
    doc = (
        "(a credential) grants, beyond what the tools acting under it use, an asset no tool of "
        "model `m` reads, writes or deletes (or a node none executes on), and no tool of `m` "
        "reads the credential or what holds it (whoever steers `m` would take it whole)"
    )

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        cred, model = view.owner(me), view.owner(other)
        if cred is None or model is None or model.sort != "model":
            return False
        reached = model.reads | model.writes | model.deletes | model.executes_on
        if me in model.reads or any(
            part == me and whole in model.reads for part, whole in view.parts
        ):
            return False
        return bool(cred.excess - reached)


class BeyondToolsOf(OutsideExecutionOf):
    name = "beyond_tools_of"
    example = "beyond_tools_of: m"
    doc = (
        "(an asset) no tool of model `m` reads, writes or deletes it (or an asset embedding "
        "it), and none runs code on a node it resides on: whoever steers `m` does not reach it "
        "through `m`'s tools"
    )

    def holds(self, view: SystemView, me: str, other: str) -> bool:
        model = view.owner(other)
        if model is None or model.sort != "model":
            return False
        if me in model.reads or me in model.writes or me in model.deletes:
            return False
        return super().holds(view, me, other)


RELATIONAL: tuple[RelationalCondition, ...] = (
    ReadBy(),
    WrittenBy(),
    DeletedBy(),
    ExecutedBy(),
    Authorises(),
    Configures(),
    GrantedBy(),
    UsedBy(),
    Uses(),
    Feeds(),
    FedBy(),
    ArrivesFrom(),
    RelatedTo(),
    DiffersFrom(),
    DerivedFrom(),
    PartOf(),
    NotUsedBy(),
    SharesNodeWith(),
    ReadInto(),
    OpenedBy(),
    ServedBehind(),
    SameNameAs(),
    ApartFrom(),
    SharedBeyond(),
    OutsideExecutionOf(),
    OutsideOpenExecutionOf(),
    ExceedsReachOf(),
    BeyondToolsOf(),
)
"""The relational conditions, in the order the attack-file schema lists them."""
