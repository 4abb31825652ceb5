"""What crediting each control costs on a large model, serial and with worker processes.

    python benchmarks/bench_credit.py [--assets 10000] [--controls 32] [--workers 1,2] [--seed 0]

The model is the one ``generate.py`` builds for ``--assets``, with only its first ``--controls``
implemented controls left implemented (the others are set to ``planned``), so the analysis
credits controls by reruns (``MAX_COUNTERFACTUAL`` is 32; above it credit goes by what each
control touches, without reruns). Each control of the generated model patches a vulnerability,
narrows a source, blocks egress or breaks an attack, so removing it brings threats back.

For each worker count a fresh child (``--child FILE N``) loads the model, turns the cyclic
garbage collector off as the ``actm`` command does, runs
``actm.engine.runs.analyse`` with ``workers=N`` and the results layer's screen, builds the
result and renders it as JSON, and prints one JSON line: the seconds of each part, the reruns
spent (attribution: routes and needs; credit: the counterfactual bisection), the CPU seconds of
the analysis and its output in the child and its workers (over the cores: the least time any
schedule of that work could take), the peak RSS of the child and of its largest worker, and a
SHA-256 of the JSON report. The digests of all worker
counts must be equal: the result may not depend on how the reruns were scheduled.

Nothing here asserts a time; compare runs on one machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from _common import (
    OUT_DIR,
    cores,
    environment,
    load_average,
    parse_sizes,
    run_measured,
    seconds,
    source_state,
    table,
)
from generate import Dumper, Generator

TARGET_SECONDS = 8.0


def credit_model(assets: int, controls: int, seed: int) -> Path:
    """Write (or reuse) the generated model with only ``controls`` implemented controls."""
    doc = Generator(seed).build(assets)
    kept = 0
    for ctl in doc["controls"]:
        if ctl.get("status", "implemented") != "implemented":
            continue
        if kept < controls:
            kept += 1
        else:
            ctl["status"] = "planned"
    text = yaml.dump(doc, Dumper=Dumper, sort_keys=False, width=100)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"credit-{assets}-{controls}-s{seed}.yaml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


# -- the child -----------------------------------------------------------------------------


def child(path: str, workers: int) -> int:
    """Analyse with ``workers`` worker processes; one JSON line with what it cost."""
    import gc
    import hashlib
    import resource
    from time import perf_counter

    import actm
    from actm.engine.runs import analyse
    from actm.render.json import render_json
    from actm.results.build import build_result, screen

    kb = actm.load_knowledge()
    model = actm.load_model(path, knowledge=kb)
    gc.freeze()  # as the CLI does once the model is loaded
    gc.disable()  # and the CLI runs without the cyclic collector (a rerun is ~20% slower with it)
    implemented = sum(1 for c in model.controls if c.status == "implemented")

    def cpu() -> float:
        """CPU seconds of this process and of the workers it has waited for."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        workers_ = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + workers_.ru_utime + workers_.ru_stime

    cpu0 = cpu()
    t0 = perf_counter()
    analysis = analyse(model, kb, screen=screen, workers=workers)
    engine = perf_counter() - t0
    mode = analysis.controls.attribution if analysis.controls is not None else "none"
    t = perf_counter()
    # the credit reruns run beside building the result, which waits for them once it needs
    # them: the credit's timings are there once it is built
    result = build_result(analysis)
    text = render_json(result)
    output = perf_counter() - t
    spent = cpu() - cpu0
    timings = dict(analysis.timings)
    record = {
        "assets": len(model.assets),
        "controls": implemented,
        "mode": mode,
        "engine": engine,
        "output": output,
        "total": engine + output,
        "cpu": spent,
        "timings": timings,
        "threats": len(analysis.residual.threats),
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "digest": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    print(json.dumps(record), flush=True)
    return 0


# -- the parent ----------------------------------------------------------------------------


def row(workers: int, rec: dict[str, Any]) -> list[str]:
    tm = rec["timings"]
    attribution_runs = int(tm.get("routes_runs", 0) + tm.get("needs_runs", 0))
    stages = ("compile", "closure", "matching", "threats", "assumptions")
    return [
        str(workers),
        str(rec["controls"]),
        rec["mode"],
        seconds(sum(tm.get(s, 0.0) for s in stages)),
        seconds(tm.get("inherent", 0.0)),
        f"{attribution_runs} / {seconds(tm.get('attribution', 0.0))}",
        f"{int(tm.get('counterfactual_runs', 0))} / {seconds(tm.get('counterfactual', 0.0))}",
        seconds(rec["output"]),
        seconds(rec["total"]),
        f"{rec['cpu']:.1f}",
        f"{rec['peak']:.0f}",
        f"{rec['worker_peak']:.0f}",
        rec["digest"][:12],
    ]


HEADERS = [
    "workers",
    "controls",
    "credit",
    "residual run (s)",
    "inherent run (s)",
    "attribution reruns / s",
    "credit reruns / s",
    "result + JSON (s)",
    "total (s)",
    "CPU s",
    "peak MB",
    "worker peak MB",
    "JSON sha256",
]


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--child"]:
        return child(argv[1], int(argv[2]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=10000)
    parser.add_argument("--controls", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="Comma-separated worker counts.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    state = source_state()
    path = credit_model(args.assets, args.controls, args.seed)
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB", file=sys.stderr, flush=True)
    rows: list[list[str]] = []
    digests: set[str] = set()
    failures: list[str] = []
    for n in parse_sizes(args.workers):
        before = load_average()
        run = run_measured(
            [sys.executable, __file__, "--child", str(path), str(n)], timeout=args.timeout
        )
        if run.returncode != 0 or not run.stdout.strip():
            failures.append(f"{n} workers: exit {run.returncode}\n{run.stderr[-2000:]}")
            continue
        rec = json.loads(run.stdout.strip().splitlines()[-1])
        digests.add(rec["digest"])
        rows.append(row(n, rec))
        print(f"[{n} workers] {rec['total']:.2f} s ({before})", file=sys.stderr, flush=True)
    print(environment(state))
    print(f"Model: {path.name}, {args.assets} assets asked, {args.controls} controls kept.")
    print(f"After the runs: {load_average()}")
    print()
    if rows:
        print(table(HEADERS, rows))
        print()
        best = min(float(r[8]) for r in rows)
        ok = "yes" if best < TARGET_SECONDS else "NO"
        print(f"Best total under {TARGET_SECONDS:.0f} s: {ok} ({best:.2f} s)")
        least = min(float(r[9]) / min(int(r[0]), cores()) for r in rows)
        print(f"No schedule of the least CPU measured runs in less than {least:.1f} s")
        print("Same JSON whatever the workers: " + ("yes" if len(digests) == 1 else "NO"))
    for f in failures:
        print(f"\nFAILED: {f}")
    return 1 if failures or len(digests) > 1 else 0


if __name__ == "__main__":
    sys.exit(main())
