"""A mitigation plan: the controls to add, what each removes, and how good the plan is."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Plan", "PlannedControl"]


@dataclass(frozen=True, slots=True)
class PlannedControl:
    """One control the plan adds."""

    id: str
    """Candidate id: ``template:element`` for catalog controls, the control id for declared ones."""
    template: str | None
    """Catalog entry it comes from; None for a planned control declared in the model."""
    name: str
    effect: str
    """What it does, in words ("approves tool send_email")."""
    cost: float
    removes: tuple[str, ...]
    """Ids of the target threats whose chains it cuts (sorted)."""
    model_yaml: dict[str, object]
    """The control as a model's ``controls:`` entry (for pasting into the model)."""


@dataclass(frozen=True, slots=True)
class Plan:
    target: str
    """Threats at or above this severity are to be taken out of scope."""
    method: str
    """``exact`` (provably cheapest among the candidates) or ``heuristic``."""
    cost: float
    lower_bound: float
    """No plan from these candidates costs less (equal to ``cost`` when exact)."""
    gap: float
    """``cost - lower_bound``: 0 when exact; a heuristic plan with gap 0 is optimal too."""
    controls: tuple[PlannedControl, ...]
    threats: tuple[str, ...]
    """The target threats before the plan (unsettled by triage)."""
    settled: tuple[str, ...]
    """Target threats left out because triage settled them (accepted, false positive, ...)."""
    unremovable: tuple[str, ...]
    """Target threats no candidate removes."""
    also_removed: tuple[str, ...]
    """Threats below the target that the plan removes as well."""
    introduced: tuple[str, ...]
    """Threats that exist only with the plan's controls (a human approval step can be deceived),
    at any severity: review them."""
    candidates: int
    """How many candidate controls were considered."""
    engine_runs: int
    iterations: int
    """Rounds of the implicit hitting-set loop (one or two engine runs each, up to 33 when the
    cores are grown by group)."""
    hypothetical: tuple[str, ...] = ()
    """The threats the plan names (targets, settled, also removed, introduced) that need a
    weakness a hypothesis posits (sorted): with ``--hypotheses``, tell them from the others."""
    limit: str | None = None
    """Why the plan is heuristic: ``budget`` (a round's hitting-set search ran out of its node
    budget), or why the exact search stopped before the plan was completed greedily: ``rounds``
    (the cap on exact rounds), ``time`` (the time limit) or ``cores`` (the cap on cores kept);
    None when exact."""

    @property
    def exact(self) -> bool:
        """Whether the plan is provably the cheapest from its candidates (``method == "exact"``)."""
        return self.method == "exact"
