"""pytm 1.4.0 and actm side by side on the same architecture, then actm alone at scale.

    python benchmarks/bench_peer.py [--sizes 10,20,50,100,150,200,1000,3000,10000]
        [--pytm-report-max 10000] [--timeout 600] [--scale-sizes 1k,10k,50k,100k] [--seed 0]

Part 1, peer. For each size (pytm elements), benchmarks/gen_peer.py writes the architecture as
a pytm script and as an actm model into benchmarks/out/, and two fresh subprocesses measure it:

* pytm (this script with ``--pytm-child``): runs the script (builds the model), then
  ``tm.check()``, ``tm.resolve()`` and ``tm.report(benchmarks/pytm_report_template.md)``, each
  timed, as pytm's own ``--report`` does but without argv. The report runs only up to
  ``--pytm-report-max`` elements and stops at ``--timeout`` seconds; after a report has been
  stopped, larger sizes run ``resolve()`` alone. ``resolve()`` has the same time limit;
* actm (``bench_analyze.py --child``): load, the engine by stage, results, JSON and Markdown.

"actm total" is load + engine + build + Markdown: from the YAML file to the Markdown report, in
process. The ratio is pytm's resolve + report over actm total; pytm's model building, check()
and imports are not counted, actm's load is. Peak memory is each child's ``ru_maxrss``.

Part 2, scale: ``bench_analyze.py``'s measurement (stage by stage, the real CLI end to end,
peak memory) on benchmarks/generate.py models of ``--scale-sizes`` assets.

Each table is printed with the 1/5/15-minute load average before and after it: the numbers are
wall clock, and other work on the machine slows them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import bench_analyze
from _common import (
    OUT_DIR,
    Run,
    environment,
    load_average,
    machine,
    parse_sizes,
    run_measured,
    seconds,
    source_state,
    table,
)
from gen_peer import write_pair

DEFAULT_PEER_SIZES = "10,20,50,100,150,200,1000,3000,10000"
DEFAULT_SCALE_SIZES = "1k,10k,50k,100k"
TEMPLATE = Path(__file__).resolve().parent / "pytm_report_template.md"
TARGET_RATIO = 10.0


# -- the pytm child ------------------------------------------------------------------------


class _Timeout(Exception):
    pass


def pytm_child(
    script: str, template: str, report: bool, timeout: float, memory_limit_mb: float
) -> int:
    """Build, check, resolve and (if asked) report one pytm model; one JSON line per step."""
    import resource
    import runpy
    import signal
    from importlib.metadata import version
    from time import perf_counter

    def emit(**fields: Any) -> None:
        print(json.dumps(fields), flush=True)

    def alarm(signum: int, frame: object) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, alarm)
    if memory_limit_mb > 0:  # pytm's report holds deep copies of the model: quadratic memory
        limit = int(memory_limit_mb * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    t = perf_counter()
    from pytm import TM

    emit(stage="import", seconds=perf_counter() - t, version=version("pytm"))
    TM.reset()
    t = perf_counter()
    tm = runpy.run_path(script, run_name="pytm_peer_model")["tm"]
    emit(stage="build", seconds=perf_counter() - t)
    t = perf_counter()
    tm.check()
    emit(stage="check", seconds=perf_counter() - t)

    steps: list[tuple[str, Any]] = [("resolve", tm.resolve)]
    if report:
        steps.append(("report", lambda: tm.report(template)))
    for name, step in steps:
        t = perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            out = step()
        except _Timeout:
            emit(stage=f"{name}_timeout", seconds=perf_counter() - t)
            break
        except (MemoryError, SystemError) as exc:  # C code out of memory can raise SystemError
            emit(stage=f"{name}_memory", seconds=perf_counter() - t, error=type(exc).__name__)
            break
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = perf_counter() - t
        if name == "resolve":
            emit(stage=name, seconds=elapsed, findings=len(tm.findings))
        else:
            emit(stage=name, seconds=elapsed, bytes=len(out))
    emit(stage="peak", mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return 0


# -- the parent ----------------------------------------------------------------------------


def _failure(run: Run, what: str) -> list[str]:
    """[a message] if ``run`` was killed or failed, else []."""
    if not run.timed_out and run.returncode == 0:
        return []
    how = "killed" if run.timed_out else f"exit {run.returncode}"
    return [f"{what}: {how}\n{run.stderr.strip()[-2000:]}"]


def measure_peer(
    sizes: list[int], report_max: int, timeout: float, memory_limit_mb: float
) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    report_stopped_at: int | None = None
    for size in sizes:
        script, model = write_pair(size, OUT_DIR)
        report = size <= report_max and report_stopped_at is None
        print(f"[{size}] pytm (report: {report})", file=sys.stderr, flush=True)
        run = run_measured(
            [
                sys.executable,
                __file__,
                "--pytm-child",
                str(script),
                str(TEMPLATE),
                "1" if report else "0",
                str(timeout),
                str(memory_limit_mb),
            ],
            timeout=3 * timeout + 120,  # a safety net; the child stops its own steps
        )
        pytm = bench_analyze.parse_child(run.stdout)
        failures += _failure(run, f"pytm at {size} elements")
        if "report_timeout" in pytm or "report_memory" in pytm:
            report_stopped_at = size
        print(f"[{size}] actm", file=sys.stderr, flush=True)
        arun = run_measured(
            [sys.executable, bench_analyze.__file__, "--child", str(model)], timeout=timeout
        )
        actm = bench_analyze.parse_child(arun.stdout)
        failures += _failure(arun, f"actm at {size} elements")
        rows.append(
            {
                "elements": size,
                "report_asked": report,
                "pytm": pytm,
                "pytm_wall": run.wall,
                "actm": actm,
            }
        )
        print(
            f"[{size}] pytm {json.dumps(pytm)}\n[{size}] actm "
            + json.dumps({k: v for k, v in actm.items() if k != "progress"}),
            file=sys.stderr,
            flush=True,
        )
    return rows, failures


def _actm_total(actm: dict[str, Any]) -> float | None:
    """load + engine (+ the inherent run, with controls) + build + Markdown."""
    if not all(s in actm for s in ("load", "engine", "build", "markdown")):
        return None
    stages = ("load", "engine", "inherent", "build", "markdown")
    return float(sum(actm[s]["seconds"] for s in stages if s in actm))


def report_peer(rows: list[dict[str, Any]], timeout: float) -> None:
    headers = [
        "elements",
        "actm assets",
        "pytm build+check",
        "pytm resolve",
        "pytm report",
        "pytm findings",
        "pytm peak MB",
        "actm load",
        "actm closure",
        "actm matching",
        "actm markdown",
        "actm other",
        "actm total",
        "actm threats",
        "actm peak MB",
        "ratio",
        "resolve ratio",
    ]
    body = []
    ratios: list[tuple[int, float]] = []
    largest_report: tuple[int, float] | None = None
    stopped: list[str] = []
    for row in rows:
        p, a = row["pytm"], row["actm"]
        timings = a.get("engine", {}).get("timings", {})
        total = _actm_total(a)
        resolve = p.get("resolve", {}).get("seconds")
        report = p.get("report", {}).get("seconds")
        resolve_cell = seconds(resolve)
        if "resolve_timeout" in p:
            resolve_cell = f"> {timeout:.0f}"
        elif "resolve_memory" in p:
            resolve_cell = "out of memory"
        if report is not None:
            report_cell = seconds(report)
            largest_report = (row["elements"], report)
        elif "report_timeout" in p:
            report_cell = f"> {timeout:.0f}"
            stopped.append(f"at {timeout:.0f} s at {row['elements']} elements")
        elif "report_memory" in p:
            report_cell = f"OOM after {p['report_memory']['seconds']:.0f}"
            stopped.append(
                f"out of memory (the --pytm-memory-limit) after "
                f"{p['report_memory']['seconds']:.0f} s at {row['elements']} elements"
            )
        else:
            report_cell = "not run"
        if total is None or resolve is None:
            ratio_cell = "-"
        elif report is not None:
            ratio = (resolve + report) / total
            ratios.append((row["elements"], ratio))
            ratio_cell = f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"
        elif "report_timeout" in p or "report_memory" in p:
            stopped_after = p.get("report_timeout", p.get("report_memory", {}))["seconds"]
            lower = (resolve + stopped_after) / total
            ratio_cell = f"> {lower:,.0f}x" if lower >= 10 else f"> {lower:.1f}x"
        else:
            ratio_cell = "-"
        resolve_ratio = "-"
        if total is not None and resolve is not None:
            resolve_ratio = f"{resolve / total:.2f}x"
        other = None
        if total is not None:
            other = (
                total
                - a["load"]["seconds"]
                - timings.get("closure", 0.0)
                - timings.get("matching", 0.0)
                - a["markdown"]["seconds"]
            )
        build = None
        if "build" in p and "check" in p:
            build = p["build"]["seconds"] + p["check"]["seconds"]
        body.append(
            [
                str(row["elements"]),
                str(a.get("load", {}).get("assets", "-")),
                seconds(build),
                resolve_cell,
                report_cell,
                str(p.get("resolve", {}).get("findings", "-")),
                f"{p['peak']['mb']:.0f}" if "peak" in p else "-",
                seconds(a.get("load", {}).get("seconds")),
                seconds(timings.get("closure")),
                seconds(timings.get("matching")),
                seconds(a.get("markdown", {}).get("seconds")),
                seconds(other),
                seconds(total),
                str(a.get("engine", {}).get("threats", "-")),
                f"{a['peak']['mb']:.0f}" if "peak" in a else "-",
                ratio_cell,
                resolve_ratio,
            ]
        )
    print(table(headers, body))
    print()
    print(
        "Seconds, wall clock, each tool in its own fresh process per size. pytm build+check = "
        "running the generated script (building the model) and tm.check(); pytm resolve = "
        "tm.resolve(); pytm report = tm.report(benchmarks/pytm_report_template.md), 'not run' "
        "above --pytm-report-max or after a report was stopped. actm load = actm.load_model "
        "(read, schema, resolve); closure and matching = the engine run's timings; markdown = "
        "render_markdown; other = compile, threats, assumptions and build_result; total = load "
        "+ engine + build + markdown. ratio = (pytm resolve + report) / actm total; '>' when "
        "the report was stopped (resolve plus the time until it was stopped: a lower bound), "
        "'-' when it did not run. 'OOM after N' = the report hit the address-space limit "
        "(--pytm-memory-limit) after N seconds. resolve ratio = pytm resolve alone / actm "
        "total (pytm's rule matching without its report, against actm's whole run from the "
        "file to the Markdown text). Peak MB = ru_maxrss of each child."
    )
    if rows:
        first = rows[0]
        imp = first["pytm"].get("import", {})
        a_imp = first["actm"].get("import", {}).get("seconds")
        a_kb = first["actm"].get("knowledge", {}).get("seconds")
        if imp and a_imp is not None and a_kb is not None:
            print(
                f"Not in the table (first size): pytm {imp.get('version')} import "
                f"{imp['seconds']:.3f} s; actm imports {a_imp:.3f} s, knowledge base "
                f"{a_kb:.3f} s."
            )
    print()
    if largest_report is not None:
        print(
            f"Largest size at which pytm's report finished within {timeout:.0f} s: "
            f"{largest_report[0]} elements ({largest_report[1]:.1f} s)."
        )
    if stopped:
        print(f"pytm's report was stopped {stopped[0]}.")
    if ratios:
        worst = min(ratios, key=lambda x: x[1])
        ok = "met" if worst[1] >= TARGET_RATIO else "MISSED"
        print(
            f"Target, actm total at least {TARGET_RATIO:.0f}x faster than pytm resolve + report "
            f"wherever both finish: {ok} (smallest ratio {worst[1]:,.1f}x at {worst[0]} "
            "elements)."
        )


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--pytm-child"]:
        script, template, report, timeout, memory = argv[1:6]
        return pytm_child(script, template, report == "1", float(timeout), float(memory))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=DEFAULT_PEER_SIZES,
        help=f"pytm elements of the peer part, comma-separated (default {DEFAULT_PEER_SIZES}; "
        "'' skips the part).",
    )
    parser.add_argument(
        "--pytm-report-max",
        type=int,
        default=10_000,
        help="Run pytm's report only up to this many elements (default 10000: every size, "
        "until one report is stopped by --timeout).",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="Seconds allowed for pytm's resolve and for its report, each, and for each actm "
        "run (default 600).",
    )
    parser.add_argument(
        "--scale-sizes",
        default=DEFAULT_SCALE_SIZES,
        help=f"actm assets of the scale part (default {DEFAULT_SCALE_SIZES}; '' skips it).",
    )
    parser.add_argument(
        "--pytm-memory-limit",
        type=float,
        default=12288,
        help="Address-space limit of each pytm process in MiB, so that its report cannot take "
        "the machine's memory (default 12288; 0 for none). A report that hits it is stopped.",
    )
    parser.add_argument("--seed", type=int, default=0, help="Seed of the scale models.")
    args = parser.parse_args(argv)
    peer_sizes = parse_sizes(args.sizes) if args.sizes.strip() else []
    scale_sizes = parse_sizes(args.scale_sizes) if args.scale_sizes.strip() else []

    state = source_state()
    failures: list[str] = []
    print(f"Machine: {machine()}")
    if peer_sizes:
        before = load_average()
        rows, failed = measure_peer(
            peer_sizes, args.pytm_report_max, args.timeout, args.pytm_memory_limit
        )
        failures += failed
        print()
        print("## Peer: pytm 1.4.0 and actm on the same architecture")
        print()
        print(environment(state))
        print(f"Before: {before}. After: {load_average()}.")
        print()
        report_peer(rows, args.timeout)
        for f in failed:
            print(f"\nFAILED: {f}")
    if scale_sizes:
        before = load_average()
        rows, failed = bench_analyze.measure(scale_sizes, args.seed, args.timeout)
        failures += failed
        print()
        print("## Scale: actm on benchmarks/generate.py models")
        print()
        print(f"Before: {before}. After: {load_average()}.")
        bench_analyze.report(rows, failed, state)  # prints its own failures
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
