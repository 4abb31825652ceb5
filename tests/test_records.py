"""quick_init (actm/records.py): the same records as the dataclass ``__init__``, as frozen."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

from actm.engine.chain import ChainStep, Route
from actm.records import quick_init
from actm.results.model import Threat

_FIELDS = [
    ("a", int),
    ("b", str, field(default="b")),
    ("c", tuple[int, ...], field(default=())),
    ("d", dict[str, int], field(default_factory=dict)),
]


def test_a_record_has_the_values_the_dataclass_init_gives() -> None:
    plain = dataclasses.make_dataclass("Plain", _FIELDS, frozen=True, slots=True)
    quick = quick_init(dataclasses.make_dataclass("Quick", _FIELDS, frozen=True, slots=True))
    for args, kwargs in [((1,), {}), ((1, "x"), {"d": {"k": 2}}), ((), {"a": 3, "c": (4,)})]:
        made = quick(*args, **kwargs)
        assert dataclasses.astuple(made) == dataclasses.astuple(plain(*args, **kwargs))
    one, two = quick(1), quick(1)
    assert one == two and one is not two
    assert one.d == {} and one.d is not two.d  # a fresh value from the factory each time
    assert repr(quick(1, "x")) == "Quick(a=1, b='x', c=(), d={})"
    assert list(inspect.signature(quick).parameters) == ["a", "b", "c", "d"]
    with pytest.raises(TypeError):
        quick()


def test_a_record_stays_frozen() -> None:
    step = ChainStep(0, "r", "t", None, None, False, "deployment", (), (), False, "text")
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.text = "other"  # type: ignore[misc]
    route = Route("external-user", "internet", 1, (), (), "x")
    assert route.members == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        del route.steps  # type: ignore[misc]


def test_the_per_threat_records_are_built_through_their_slots() -> None:
    for cls in (Threat, ChainStep, Route):
        init = cls.__init__
        assert init.__qualname__ == f"{cls.__name__}.__init__"
        assert (
            "_set_id" in init.__globals__
            or "_set_index" in init.__globals__
            or ("_set_adversary" in init.__globals__)
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: dataclass(slots=True)(type("Mutable", (), {"__annotations__": {"a": int}})),
        lambda: dataclass(frozen=True)(type("NoSlots", (), {"__annotations__": {"a": int}})),
    ],
)
def test_only_a_frozen_slotted_dataclass_is_taken(make: object) -> None:
    with pytest.raises(TypeError, match="frozen dataclass with slots"):
        quick_init(make())  # type: ignore[operator]


def test_fields_it_cannot_build_alike_are_refused() -> None:
    with pytest.raises(TypeError, match="plain fields only"):

        @quick_init
        @dataclass(frozen=True, slots=True)
        class Hidden:
            a: int = field(init=False, default=1)

    with pytest.raises(TypeError, match="__post_init__"):

        @quick_init
        @dataclass(frozen=True, slots=True)
        class Checked:
            a: int

            def __post_init__(self) -> None:
                pass


def test_a_record_is_pickled_as_a_call_of_its_quick_init() -> None:
    quick = quick_init(dataclasses.make_dataclass("Sent", _FIELDS, frozen=True, slots=True))
    sent = quick(1, "x", (2, 3), {"k": 4})
    assert sent.__reduce__() == (quick, (1, "x", (2, 3), {"k": 4}))
    route = Route("external-user", "internet", 3, ("a1",), (), "x -> y", ("insider",))
    step = ChainStep(0, "r", "t", None, None, False, "deployment", (), (), False, "text")
    for record in (route, step):
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(record, protocol=protocol))
            assert back == record and type(back) is type(record)
        assert copy.deepcopy(record) == record
    assert pickle.loads(pickle.dumps(route)).members == ("insider",)
    one = quick_init(dataclasses.make_dataclass("One", [("a", int)], frozen=True, slots=True))
    assert one(5).__reduce__() == (one, (5,))
