"""How ``actm plan`` behaves as the model grows: exact or heuristic, cost, bound, gap, time.

    python benchmarks/bench_plan.py --sizes 200,1k,10k --target high

For each size the benchmark model (benchmarks/generate.py) is planned twice in this process:

1. with ``--exact-rounds`` (default 50, as ``actm plan``): exact unless the rounds run out;
2. with ``--heuristic-rounds`` (default 1; 0 skips it): the exact search cut short on purpose,
   so the plan is completed greedily and pruned, to show the heuristic's cost and gap against
   the exact optimum where that is known.

The cyclic garbage collector is off while planning, as in the ``actm`` command (which turns it
off for the whole run): the model and the analyses are large, acyclic and short-lived.

Columns: the cap on exact rounds, the target threats, candidate controls, the method, the plan's
cost, its lower bound, the gap (cost minus bound, as a share of the cost), the controls chosen,
the engine runs (analyses of the whole model) and rounds the planner needed, and the time.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

import actm
from _common import environment, label, model_file, parse_sizes, source_state, table
from actm.plan import make_plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,1k,10k", help="Asset counts (default 200,1k,10k).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="high", help="Target severity (default high).")
    parser.add_argument(
        "--exact-rounds", type=int, default=50, help="Cap on exact rounds of run 1 (default 50)."
    )
    parser.add_argument(
        "--heuristic-rounds",
        type=int,
        default=1,
        help="Cap on exact rounds of run 2 (default 1; 0 skips run 2).",
    )
    args = parser.parse_args(argv)
    state = source_state()
    kb = actm.load_knowledge()
    rows: list[list[str]] = []
    caps = [args.exact_rounds] + ([args.heuristic_rounds] if args.heuristic_rounds > 0 else [])
    for size in parse_sizes(args.sizes):
        path = model_file(size, args.seed)
        model = actm.load_model(path, knowledge=kb)
        for rounds in caps:
            gc.collect()
            gc.disable()
            try:
                t0 = time.perf_counter()
                plan = make_plan(model, kb, target=args.target, exact_rounds=rounds)
                elapsed = time.perf_counter() - t0
            finally:
                gc.enable()
            gap = f"{100 * plan.gap / plan.cost:.1f}%" if plan.cost else "0.0%"
            rows.append(
                [
                    label(size),
                    str(rounds),
                    str(len(plan.threats)),
                    str(plan.candidates),
                    plan.method,
                    f"{plan.cost:g}",
                    f"{plan.lower_bound:g}",
                    gap,
                    str(len(plan.controls)),
                    str(plan.engine_runs),
                    str(plan.iterations),
                    f"{elapsed:.1f}",
                ]
            )
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    print(
        table(
            [
                "assets",
                "exact rounds",
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
