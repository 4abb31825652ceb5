"""Which control stopped which chain: inherent threats the controls take out of scope.

A threat is *mitigated* when it closes without the model's controls (the inherent view) but not
with them (the residual view). Attribution reads the threat's inherent chain: a control is named
when it acts on an element the chain goes through (a relation, a tool or tool permission, a
vulnerability, an adversary or outside source, an exposed asset) or breaks the attack itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from actm.engine.compiled import Compiled
from actm.model.system import Control
from actm.results.model import ChainStep, Threat

__all__ = ["attribute", "control_elements", "step_elements", "threat_elements"]

_PERMISSIONS = ("read", "write", "execute", "egress")


def _control_effects(c: Compiled) -> list[tuple[str, str, str]]:
    """(element, control, how) for every effect of the controls in force."""
    out: list[tuple[str, str, str]] = []
    for element, ctl in c.blocked.items():
        out.append((element, ctl, f"blocks {element}"))
    for edge, limits in c.weakened.items():
        for cap, ctl in limits:
            out.append((edge, ctl, f"lets {edge} pass only up to {cap}"))
    for vuln, ctl in c.removed_vulns.items():
        out.append((vuln, ctl, f"removes vulnerability {vuln}"))
    for tool, ctl in c.approved.items():
        out.append((tool, ctl, f"puts tool {tool} behind human approval"))
    for tool, ctl in c.sandboxed.items():
        out.append((tool, ctl, f"sandboxes the code tool {tool} runs"))
    for asset, ctl in c.hidden.items():
        out.append((asset, ctl, f"stops returning {asset} to callers"))
    return out


def step_elements(step: ChainStep) -> set[str]:
    """Model elements a chain step goes through, named as controls name them."""
    out = set(step.via)
    if step.rule == "tool_write" and step.via:
        out.add(f"{step.via[0]}.write")
    if step.rule == "tool_exfiltrate" and len(step.via) == 2:
        out |= {f"{step.via[0]}.read", f"{step.via[1]}.egress"}
    if step.rule == "tool_execute" and step.via:
        out.add(f"{step.via[0]}.execute")
    if step.rule == "outside_content" and len(step.via) == 2:
        out.add(f"source:{step.via[1]}")
    if step.rule == "public_user":
        out.add(step.target)
    return out


def attribute(
    residual: Compiled, threat: Threat, breaking: Mapping[str, Sequence[str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The controls that stop ``threat`` (an inherent threat) and how, as sorted tuples.

    ``breaking`` maps attack ids to the controls that break them (everywhere or on one of this
    threat's assets).
    """
    effects = _control_effects(residual)
    controls: set[str] = set()
    reasons: set[str] = set()
    for ctl in breaking.get(threat.attack, ()):
        controls.add(ctl)
        reasons.add(f"{ctl} breaks {threat.attack}")
    for step in threat.chain:
        touched = step_elements(step)
        for element, ctl, how in effects:
            if element in touched:
                controls.add(ctl)
                reasons.add(f"{ctl} {how} (step {step.index + 1})")
    # what the attack itself binds: a tool it relies on, with its permissions
    bound = {b.element for b in threat.bindings}
    bound |= {f"{e}.{p}" for e in list(bound) for p in _PERMISSIONS}
    for element, ctl, how in effects:
        if element in bound and ctl not in controls:
            controls.add(ctl)
            reasons.add(f"{ctl} {how} (bound by {threat.attack})")
    return tuple(sorted(controls)), tuple(sorted(reasons))


def threat_elements(threat: Threat) -> frozenset[str]:
    """Every model element a control could act on to break ``threat``'s chain.

    Deliberately generous (every step's elements and target, the bound elements with their
    permissions, the adversaries): the planner uses it to decide which controls *may* remove a
    threat, and an element too many only costs it an engine run, while one too few would make it
    miss the optimum.
    """
    out: set[str] = set(threat.adversaries) | set(threat.vulnerabilities)
    for step in threat.chain:
        out |= step_elements(step)
        out.add(step.target)
    bound = {b.element for b in threat.bindings}
    out |= bound
    out |= {f"{e}.{p}" for e in bound for p in _PERMISSIONS}
    return frozenset(out)


def control_elements(ctl: Control) -> frozenset[str]:
    """The model elements a control acts on (its breaks aside), named as chains name them."""
    out: set[str] = set(ctl.removes) | set(ctl.blocks) | set(ctl.hides)
    out |= {edge for edge, _cap in ctl.weakens}
    for tool in ctl.approves:
        out |= {tool} | {f"{tool}.{p}" for p in ("write", "execute", "egress")}
    for tool in ctl.sandboxes:
        out |= {tool, f"{tool}.execute"}
    return frozenset(out)
