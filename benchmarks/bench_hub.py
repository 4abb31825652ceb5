"""Hub-shaped models: one agent with many tools, and the planner on many small agents.

    python benchmarks/bench_hub.py [--tools 100,200,400,1000] [--assets 10] [--timeout 300]
    python benchmarks/bench_hub.py --plan [--agents 20] [--plan-tools 10] [--time-limit 60]

Agents with hundreds of tools are ordinary (one MCP server can expose about 80), so the cost of
analysing one agent must grow linearly with its tools. For each N of ``--tools`` the script
writes ``benchmarks/out/hub-N-M.yaml``: one public agent whose N tools each read and write M
assets of their own (N x M personal-data assets) and may send data to the internet, then runs
``actm analyze FILE -f json -o benchmarks/out/hub-N-M.json`` in a fresh process (a real file,
written atomically and synced to disk as a user's report is) and reports its wall time, the
CPU seconds it and its worker processes took, peak RSS and the threats it found. Target: 1,000
tools x 10 assets in under 5 s; the CPU seconds over the cores say how close any schedule of
that work could come.

With ``--plan`` it writes ``benchmarks/out/hub-plan-A-T.yaml``: A public agents, each with T
tools that read and write one asset of their own, and runs
``actm plan FILE --target low --time-limit S -f json`` (the case from issue 15: 20 agents x 10
tools, a 4 KB model), reporting the time, peak RSS, the plan's method, cost, lower bound and
why the search stopped.

Nothing here asserts a time; compare runs on one machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _common import (
    OUT_DIR,
    actm_command,
    cores,
    environment,
    load_average,
    parse_sizes,
    run_measured,
    seconds,
    source_state,
    table,
)

TARGET_SECONDS = 5.0
TARGET_TOOLS = 1000


def hub_model(agents: int, tools: int, assets: int) -> str:
    """A model of ``agents`` public agents, each with ``tools`` tools that read and write
    ``assets`` personal-data assets of their own and may send data to the internet."""
    lines = ["actm: 1", "system: {id: hub, name: Hub-shaped model}", "models:"]
    for a in range(agents):
        names = ", ".join(f"t{a}-{i}" for i in range(tools))
        lines.append(f"  - {{id: agent{a}, kind: agent, exposure: public, tools: [{names}]}}")
    lines.append("assets:")
    criticality = "{confidentiality: high, integrity: high}"
    for a in range(agents):
        for i in range(tools):
            for j in range(assets):
                lines.append(
                    f"  - {{id: d{a}-{i}-{j}, type: personal_data, criticality: {criticality}}}"
                )
    lines.append("tools:")
    for a in range(agents):
        for i in range(tools):
            data = ", ".join(f"d{a}-{i}-{j}" for j in range(assets))
            lines.append(
                f"  - {{id: t{a}-{i}, permissions: "
                f"{{read: [{data}], write: [{data}], egress: [internet]}}}}"
            )
    return "\n".join(lines) + "\n"


def _write(name: str, text: str) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    path.write_text(text, encoding="utf-8")
    return path


def analyse_hubs(tool_counts: list[int], assets: int, timeout: float) -> int:
    rows: list[list[str]] = []
    verdict = "not measured"
    for n in tool_counts:
        path = _write(f"hub-{n}-{assets}.yaml", hub_model(1, n, assets))
        out = OUT_DIR / f"hub-{n}-{assets}.json"
        run = run_measured(
            [*actm_command(), "analyze", str(path), "-f", "json", "-o", str(out)], timeout
        )
        threats = "-"
        if run.returncode == 0 and not run.timed_out:
            threats = str(len(json.loads(out.read_text(encoding="utf-8"))["threats"]))
        elif not run.timed_out:
            print(run.stderr, file=sys.stderr)
        wall = None if run.timed_out else run.wall
        mb = f"{run.peak_mb:.0f}"
        cpu = f"{run.cpu:.1f}"
        row = [str(n), str(assets), str(n * assets), seconds(wall, timeout), cpu, mb, threats]
        rows.append(row)
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
        if n == TARGET_TOOLS:
            ok = wall is not None and wall < TARGET_SECONDS
            verdict = f"{'met' if ok else 'MISSED'} ({seconds(wall, timeout)} s)"
            if not run.timed_out:
                n_cores = cores()
                verdict += (
                    f"; it took {run.cpu:.1f} CPU seconds, so on {n_cores} core(s) no schedule "
                    f"runs it in less than {run.cpu / n_cores:.1f} s"
                )
    headers = ["tools", "assets per tool", "assets", "seconds", "CPU s", "peak MB", "threats"]
    print(table(headers, rows))
    print()
    print(f"target: {TARGET_TOOLS:,} tools x 10 assets in under {TARGET_SECONDS:g} s: {verdict}")
    return 0


def plan_hub(agents: int, tools: int, time_limit: float, timeout: float) -> int:
    path = _write(f"hub-plan-{agents}-{tools}.yaml", hub_model(agents, tools, 1))
    command = [*actm_command(), "plan", str(path), "--target", "low", "-f", "json"]
    run = run_measured([*command, "--time-limit", f"{time_limit:g}"], timeout)
    if run.timed_out or run.returncode not in (0, 1):
        print(run.stderr, file=sys.stderr)
        print(f"plan: did not finish ({'timed out' if run.timed_out else run.returncode})")
        return 1
    plan = json.loads(run.stdout)
    row = [
        f"{agents} x {tools}",
        f"{path.stat().st_size / 1000:.1f}",
        f"{time_limit:g}",
        seconds(run.wall),
        f"{run.peak_mb:.0f}",
        plan["method"],
        plan["limit"] or "-",
        f"{plan['cost']:g}",
        f"{plan['lower_bound']:g}",
        str(len(plan["controls"])),
        str(plan["engine_runs"]),
    ]
    headers = ["agents x tools", "file KB", "time limit", "seconds", "peak MB", "method"]
    headers += ["limit", "cost", "bound", "controls", "engine runs"]
    print(table(headers, [row]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools", default="100,200,400,1000", help="Tool counts to analyse.")
    parser.add_argument("--assets", type=int, default=10, help="Assets each tool reads/writes.")
    parser.add_argument("--timeout", type=float, default=300.0, help="Kill a run after this.")
    parser.add_argument("--plan", action="store_true", help="Run the planner case instead.")
    parser.add_argument("--agents", type=int, default=20, help="--plan: agents (default 20).")
    parser.add_argument("--plan-tools", type=int, default=10, help="--plan: tools per agent.")
    parser.add_argument("--time-limit", type=float, default=60.0, help="--plan: --time-limit.")
    args = parser.parse_args(argv)
    state = source_state()
    print(load_average())
    if args.plan:
        code = plan_hub(args.agents, args.plan_tools, args.time_limit, args.timeout)
    else:
        code = analyse_hubs(parse_sizes(args.tools), args.assets, args.timeout)
    print(load_average())
    print(environment(state))
    return code


if __name__ == "__main__":
    sys.exit(main())
