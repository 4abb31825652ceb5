"""How long ``actm validate`` takes, beside the floor: composing the same YAML with libyaml.

    python benchmarks/bench_validate.py --sizes 1000,10000,50000

For each size the model is generated into benchmarks/out/, then, each in its own subprocess
(so every peak RSS belongs to one run):

* the floor: ``yaml.compose(text, Loader=yaml.CSafeLoader)`` on the file's text, timed inside
  the child around that one call; once as a plain call and once with ``gc.disable()`` around
  it (CPython's cyclic GC rescans the growing node tree and makes compose superlinear);
* ``actm validate FILE``, the real console script, timed as wall clock of the whole process
  (interpreter start, imports, knowledge base, read, schema, semantics).

Times are the best of ``--repeat`` runs (default 3). The ratio is actm validate over the plain
floor, which is how the performance target is stated.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from _common import (
    DEFAULT_SIZES,
    actm_command,
    environment,
    model_file,
    parse_sizes,
    run_measured,
    seconds,
    source_state,
    table,
)

FLOOR_CHILD = """
import gc, json, sys, time
import yaml
text = open(sys.argv[1], encoding="utf-8").read()
gc_off = sys.argv[2] == "gc-off"
if gc_off:
    gc.disable()
t = time.perf_counter()
yaml.compose(text, Loader=yaml.CSafeLoader)
dt = time.perf_counter() - t
if gc_off:
    gc.enable()
print(json.dumps({"seconds": dt}))
"""

COUNTS = re.compile(r"(\d+) assets")


def floor(path: str, mode: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        run = run_measured([sys.executable, "-c", FLOOR_CHILD, path, mode])
        if run.returncode != 0:
            raise RuntimeError(f"floor child failed:\n{run.stderr}")
        best = min(best, json.loads(run.stdout)["seconds"])
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="Comma-separated asset counts.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement (best).")
    parser.add_argument("--timeout", type=float, default=600, help="Seconds per actm run.")
    args = parser.parse_args(argv)

    actm = actm_command()
    state = source_state()
    startup = min(run_measured([*actm, "--version"]).wall for _ in range(args.repeat))
    headers = [
        "assets",
        "file MB",
        "floor (s)",
        "floor gc-off (s)",
        "actm validate (s)",
        "ratio",
        "ratio vs gc-off",
        "peak MB",
    ]
    rows: list[list[str]] = []
    failures: list[str] = []
    for size in parse_sizes(args.sizes):
        path = model_file(size, args.seed)
        mb = path.stat().st_size / 1e6
        print(f"[{size}] {path.name}: {mb:.2f} MB", file=sys.stderr, flush=True)
        plain = floor(str(path), "gc-on", args.repeat)
        gc_off = floor(str(path), "gc-off", args.repeat)
        best: float | None = None
        peak = 0.0
        assets = str(size)
        for _ in range(args.repeat):
            run = run_measured([*actm, "validate", str(path)], timeout=args.timeout)
            peak = max(peak, run.peak_mb)
            if run.timed_out or run.returncode != 0:
                what = "timed out" if run.timed_out else f"exit {run.returncode}"
                failures.append(f"{path.name}: actm validate {what}\n{run.stderr.strip()}")
                best = None
                break
            best = run.wall if best is None else min(best, run.wall)
            found = COUNTS.search(run.stdout)
            if found:
                assets = found.group(1)
        print(
            f"[{size}] floor {plain:.3f}s, gc-off {gc_off:.3f}s, validate {seconds(best)}s",
            file=sys.stderr,
            flush=True,
        )
        rows.append(
            [
                assets,
                f"{mb:.2f}",
                seconds(plain),
                seconds(gc_off),
                seconds(best, args.timeout),
                f"{best / plain:.1f}x" if best is not None else "-",
                f"{best / gc_off:.1f}x" if best is not None else "-",
                f"{peak:.0f}",
            ]
        )

    print(environment(state))
    print()
    print(table(headers, rows))
    print()
    print(
        f"floor: yaml.compose(text, Loader=CSafeLoader) timed in a child, best of {args.repeat}; "
        "ratio = actm validate / floor (plain call, GC on), as the target is stated; "
        "ratio vs gc-off divides by the gc-off floor instead."
    )
    print(
        f"actm validate: wall time of the whole CLI process, best of {args.repeat}; "
        f"includes interpreter start and imports (`actm --version` alone: {startup:.3f} s). "
        "peak MB: max RSS of the validate process."
    )
    for f in failures:
        print(f"\nFAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
