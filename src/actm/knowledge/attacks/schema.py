"""The attack-file format: what one ``attacks/<id>.yaml`` may contain (pydantic, strict).

The ``where`` mapping of a requirement is generated from the condition registry
(:mod:`actm.knowledge.conditions`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from actm.io.diagnose import ID_PATTERN
from actm.knowledge.conditions import Var, WhereIn
from actm.knowledge.frameworks import FRAMEWORK_ID_PATTERN
from actm.terms import ImpactClass, Pipeline, Reach

__all__: list[str] = []
# The classes keep their leading underscore: pydantic names them in its messages ("a valid
# dictionary or instance of _StepIn"), which the loader shows to authors of attack files.


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _ReqIn(_In):
    var: Var
    asset: str | list[str]
    component: str | list[str] | None = None
    capability: str | None = None
    """None: the asset only has to exist (and meet ``where``); no capability is required."""
    persistent: bool = False
    pipeline: Pipeline | None = None
    whole: bool = False
    """The capability must hold on the asset as a whole, not only on a part of it lifted from
    one of its components."""
    where: WhereIn | None = None


class _YieldIn(_In):
    var: Var
    asset: str | None = None
    """None for an asset variable: the yield is on the bound asset itself."""
    component: str | None = None
    capability: str
    persistent: bool = False


class _StepIn(_In):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    description: str | None = None
    requires: list[_ReqIn] = Field(min_length=1)
    yields: list[_YieldIn] = []


class _ImpactIn(_In):
    var: Var
    asset: str | None = None
    component: str | None = None
    class_: ImpactClass | list[ImpactClass] = Field(alias="class")


_Ids = list[Annotated[str, StringConstraints(min_length=1, max_length=100)]]

_References = dict[
    Annotated[str, StringConstraints(pattern=FRAMEWORK_ID_PATTERN)],
    dict[Annotated[str, StringConstraints(pattern=ID_PATTERN)], _Ids],
]
"""Framework id -> the step that performs them -> ids of the framework's items; steps and ids
are checked when the entry is compiled."""

_Words = list[Annotated[str, StringConstraints(min_length=1, max_length=100)]]


def _steps_named(value: object) -> object:
    """Refuse the form without steps (``atlas: [ids]``) with a message that says what to write."""
    if isinstance(value, dict):
        bare = sorted(str(k) for k, v in value.items() if isinstance(v, list))
        if bare:
            raise ValueError(
                f"name the step that performs each id of {', '.join(bare)}: "
                "`framework: {step: [ids]}`"
            )
    return value


class _ChainStepIn(_In):
    """A step of a threat's shown chain: every key given must hold on the one step."""

    rule: _Words | None = None
    asset_type: _Words | None = None
    component: _Words | None = None
    vulnerability_class: _Words | None = None
    adversary: _Words | None = None
    attack: _Words | None = None
    capability: _Words | None = None
    reach: list[Reach] | None = None
    persistent: bool | None = None


class _WhenIn(_In):
    """When a conditional citation applies: every key given must hold."""

    where: dict[Var, WhereIn] | None = None
    """Bound variable -> ``where`` conditions its binding meets (the condition registry)."""
    chain: _ChainStepIn | None = None
    """Some step of the threat's shown chain is like this."""
    no_chain: _ChainStepIn | None = None
    """No step of the threat's shown chain is like this."""


class _CiteIn(_In):
    when: _WhenIn
    add: _References = Field(min_length=1)

    _add_steps = field_validator("add", mode="before")(_steps_named)


class _AttackIn(_In):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    kind: Literal["attack", "conversion"] = "attack"
    title: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    description: Annotated[str, StringConstraints(min_length=20, max_length=4000)]
    likelihood: Literal["high", "medium", "low"] = "medium"
    maturity: Literal["theoretical", "demonstrated", "in_the_wild"] = "demonstrated"
    steps: list[_StepIn] = Field(min_length=1)
    impact: _ImpactIn | None = None
    controls: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    references: _References = {}
    references_when: list[_CiteIn] = []
    """References a threat cites only when its binding or shown chain shows more."""
    _reference_steps = field_validator("references", mode="before")(_steps_named)

    one_adversary: bool = False
    """Every step is one adversary's: a threat that closes only with several entry points
    cooperating (each holding part of what the steps need) is not this attack."""

    key: list[Var] | None = None
    """Variables that identify a threat (default: all). Others are witnesses: the first
    binding found for them is shown, and other bindings do not make new threats."""

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: list[_StepIn]) -> list[_StepIn]:
        ids = [s.id for s in steps]
        if len(set(ids)) != len(ids):
            raise ValueError("step ids must be unique within an entry")
        return steps
