"""A mitigation plan: for a terminal, for programs, and as YAML to paste into the model."""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap

from rich.table import Table
from rich.text import Text
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from actm.io.visible import UNSAFE
from actm.render._common import console as make_console
from actm.results.plan import Plan

__all__ = ["render_plan_json", "render_plan_text", "render_plan_yaml"]


def _num(x: float) -> str:
    """A cost without a useless '.0': 13, 2.5."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


_STOPPED = {
    "rounds": "the cap on exact rounds",
    "time": "the time limit",
    "cores": "the cap on cores kept",
    "budget": "the hitting-set budget",
}
"""Why a heuristic plan's search stopped (:attr:`Plan.limit`), in words."""


def _quality(plan: Plan) -> str:
    """How good the plan is, in words: exact, or heuristic with its bound and gap."""
    if plan.exact:
        return "exact: no plan from these candidates costs less"
    if plan.gap <= 0:
        return (
            f"heuristic, but it meets the lower bound {_num(plan.lower_bound)}: "
            "no plan from these candidates costs less"
        )
    if plan.limit == "budget":
        why = "the search ran out of budget"
    else:
        why = (
            f"the exact search stopped at {_STOPPED.get(plan.limit or '', 'its limit')} after "
            f"{plan.iterations} round{'' if plan.iterations == 1 else 's'} and the plan was "
            "completed greedily"
        )
    return (
        f"heuristic: lower bound {_num(plan.lower_bound)}, gap {_num(plan.gap)} "
        f"({why}; a plan up to the gap cheaper may exist)"
    )


_NAMED = 5
"""How many unremovable threats the headline names."""


def _unremovable_line(plan: Plan, more: str = " (listed below)") -> str:
    u = plan.unremovable
    line = f"{len(u)} threat{'' if len(u) == 1 else 's'} cannot be removed by any known control: "
    line += ", ".join(u[:_NAMED])
    if len(u) > _NAMED:
        line += f" and {len(u) - _NAMED} more{more}"
    return line


def _hypothetical_line(plan: Plan) -> str:
    """'2 target threats are hypothetical (need a weakness a hypothesis posits): a, b'; '' when
    none is."""
    said = set(plan.hypothetical)
    ids = [t for t in plan.threats if t in said]
    if not ids:
        return ""
    n = len(ids)
    return (
        f"{n} target threat{' is' if n == 1 else 's are'} hypothetical (need a weakness a "
        f"hypothesis posits): {', '.join(ids)}"
    )


def render_plan_text(plan: Plan, *, width: int = 100) -> str:
    """The plan for a terminal: headline, the controls to add, and what the plan leaves or adds.

    Deterministic for a given width; no colour.
    """
    buf = io.StringIO()
    console = make_console(buf, width=width, color=False)

    def para(text: str, indent: str = "") -> None:
        for line in textwrap.wrap(
            text,
            width=width,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,  # never split a threat id
            break_long_words=False,
        ):
            console.print(Text(line))

    said = set(plan.hypothetical)

    def shown(tid: str) -> str:
        """The threat's id, with '(hypothetical)' when it needs a posited weakness."""
        return f"{tid} (hypothetical)" if tid in said else tid

    def ids(title: str, items: tuple[str, ...], why: str) -> None:
        if not items:
            return
        console.print(Text(f"{title} ({len(items)}): {why}"))
        for i in items:
            para(shown(i), "  ")

    console.print(
        Text(f"actm plan: every threat at or above {plan.target} out of scope", style="bold")
    )
    n = len(plan.controls)
    total = len(plan.threats)
    served = f"{total - len(plan.unremovable)} of {total}" if plan.unremovable else f"{total}"
    head = (
        f"{n} control{'' if n == 1 else 's'}, cost {_num(plan.cost)}, "
        f"for {served} target threat{'' if total == 1 else 's'}"
    )
    para(f"{head}; {_quality(plan)}.")
    if plan.unremovable:
        para(_unremovable_line(plan) + ".")
    if hypothetical := _hypothetical_line(plan):
        para(hypothetical + ".")
    para(
        f"{plan.candidates} candidate control{'' if plan.candidates == 1 else 's'} considered, "
        f"{plan.engine_runs} engine run{'' if plan.engine_runs == 1 else 's'}."
    )
    if not plan.threats:
        console.print(Text(f"Nothing to do: no unsettled threat at or above {plan.target}."))
    if plan.controls:
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column("cost", justify="right", no_wrap=True)
        table.add_column("control (id), effect, target threats it removes", overflow="fold")
        for c in plan.controls:
            cell = Text(c.id)
            if c.template is None:
                cell.append(" (declared in the model)")
            elif c.model_yaml.get("id") not in (None, c.id):
                cell.append(f"\nid in the model (-f yaml): {c.model_yaml['id']}", style="dim")
            cell.append(f"\n{c.effect}", style="dim")
            k = len(c.removes)
            cell.append(f"\nremoves {k} target threat{'' if k == 1 else 's'}")
            cell.append(":" if k else "")
            for t in c.removes:
                cell.append(f"\n  {shown(t)}")
            table.add_row(_num(c.cost), cell)
        console.print(table)
    ids("settled by triage", plan.settled, "left out of the plan")
    ids("unremovable", plan.unremovable, "no candidate control removes these")
    ids("introduced by the plan", plan.introduced, "exist only with its controls; review them")
    ids("also removed", plan.also_removed, f"below {plan.target}, removed by the plan as well")
    return buf.getvalue()


def render_plan_json(plan: Plan) -> str:
    """The plan as JSON: sorted keys, two-space indent, a final newline; byte-deterministic.

    The fields of :class:`~actm.results.plan.Plan`, and ``exact`` (``method == "exact"``).
    """
    data = dataclasses.asdict(plan) | {"exact": plan.exact}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _quoted(value: object) -> object:
    """``value`` with each string holding a control character double-quoted: there YAML reads
    the escape that the output shows (``\\u202e``) as the character itself."""
    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if UNSAFE.search(value) else value
    if isinstance(value, dict):
        return {k: _quoted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_quoted(v) for v in value]
    return value


def render_plan_yaml(plan: Plan) -> str:
    """The plan's new controls as list entries to paste under the model's ``controls:``.

    There is no ``controls:`` key: the entries are indented two spaces, as the bundled examples
    indent a ``controls:`` list, so they paste under the model's own section. They are
    ``status: planned`` (which changes no analysis) until you implement them and set
    ``status: implemented``. A control the model already declares is not repeated: a comment
    says to set its status. Comments at the top say all this, and how good the plan is.
    """
    yaml = _yaml()
    n = len(plan.controls)
    quality = (
        "exact"
        if plan.exact
        else f"heuristic: lower bound {_num(plan.lower_bound)}, gap {_num(plan.gap)}; "
        f"stopped at {_STOPPED.get(plan.limit or '', 'its limit')}"
    )
    out = [
        f"# actm plan: every threat at or above {plan.target} out of scope; "
        f"{n} control{'' if n == 1 else 's'}, cost {_num(plan.cost)} ({quality})",
    ]
    if any(c.template is not None for c in plan.controls):
        out += [
            "# Paste the entries below under the model's `controls:` section (add that line",
            "# first if the model has none). They are status: planned, which changes no",
            "# analysis: set each to status: implemented once it is in force. With all of the",
            "# plan's controls implemented, the target threats it removes are out of scope.",
        ]
    elif plan.controls:
        out.append(
            "# With the plan's controls implemented, the targets it removes are out of scope."
        )
    if plan.unremovable:
        out.append(f"# {_unremovable_line(plan, more='')}")
    if hypothetical := _hypothetical_line(plan):
        out.append(f"# {hypothetical}")
    for c in plan.controls:
        if c.template is None:
            out.append(
                f"  # {c.id}: already declared in the model; set its status: implemented once "
                "it is in force"
            )
            continue
        out.append(f"  # plan candidate {c.id}")
        buf = io.StringIO()
        yaml.dump(_quoted(dict(c.model_yaml)), buf)
        lines = buf.getvalue().splitlines()
        out.extend(("  - " if i == 0 else "    ") + line for i, line in enumerate(lines))
    return "\n".join(out) + "\n"
