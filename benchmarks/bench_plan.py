"""How ``actm plan`` behaves as the model grows: exact or heuristic, cost, bound, gap, time.

    python benchmarks/bench_plan.py --sizes 50,200,1000 --target high

For each size the benchmark model (benchmarks/generate.py) is planned twice in this process:

1. with the default node budget: exact while the branch and bound finishes, else the heuristic;
2. with ``--small-budget`` nodes (default 1): the heuristic on purpose, to show its gap against
   the exact optimum where that is known.

Columns: the target threats, candidate controls, engine runs and rounds the planner needed, the
plan's cost, its lower bound, the gap (cost minus bound, as a share of the cost), and the time.
"""

from __future__ import annotations

import argparse
import sys
import time

import actm
from _common import environment, label, model_file, parse_sizes, source_state, table
from actm.plan import make_plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="50,200,1000", help="Asset counts (default 50,200,1000)."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="high", help="Target severity (default high).")
    parser.add_argument("--small-budget", type=int, default=1, help="Node budget of run 2.")
    args = parser.parse_args(argv)
    state = source_state()
    kb = actm.load_knowledge()
    rows: list[list[str]] = []
    for size in parse_sizes(args.sizes):
        path = model_file(size, args.seed)
        model = actm.load_model(path, knowledge=kb)
        for budget in (200_000, args.small_budget):
            t0 = time.perf_counter()
            plan = make_plan(model, kb, target=args.target, budget=budget)
            elapsed = time.perf_counter() - t0
            gap = f"{100 * plan.gap / plan.cost:.1f}%" if plan.cost else "0.0%"
            rows.append(
                [
                    label(size),
                    f"{budget:,}",
                    str(len(plan.threats)),
                    str(plan.candidates),
                    plan.method,
                    f"{plan.cost:g}",
                    f"{plan.lower_bound:g}",
                    gap,
                    str(len(plan.controls)),
                    str(plan.engine_runs),
                    str(plan.iterations),
                    f"{elapsed:.2f}",
                ]
            )
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    print(
        table(
            [
                "assets",
                "budget",
                "targets",
                "candidates",
                "method",
                "cost",
                "bound",
                "gap",
                "controls",
                "engine runs",
                "rounds",
                "seconds",
            ],
            rows,
        )
    )
    print()
    print(environment(state))
    return 0


if __name__ == "__main__":
    sys.exit(main())
