"""Where ``actm analyze`` spends its time, by stage, as the model grows.

    python benchmarks/bench_analyze.py --sizes 1000,10000,50000

For each size the model is generated into benchmarks/out/, then measured twice, each time in a
fresh subprocess:

1. a child (this script with ``--child FILE``) runs the stages of the CLI one by one through
   the Python API and prints a JSON line after each: load (read, schema, resolve), the engine
   (``actm.engine.runs.analyse``; its timings split it into compile, closure, matching,
   threats and assumptions of the residual run, the inherent run without controls when
   controls are in force, decoding the runs and the reruns that credit each control), results
   building (decoding, crediting and ``build_result``), JSON rendering and Markdown rendering,
   then its peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Like the CLI it calls
   ``gc.freeze()`` after loading;
2. the real CLI end to end: ``actm analyze FILE -f json -o /dev/null``, wall clock and peak
   RSS.

A run that exceeds ``--timeout`` is killed; the stages it finished are still reported and the
unfinished one shows as "> timeout". The CLI run is skipped for a size whose child timed out.

Attack matching happens inside the closure loop (every new fact is joined against the attack
rules); the engine times the joins separately, so "closure" is propagation alone and "matching"
the attack joins. "threats" is what follows the loop: proofs, severity and out-of-scope
explanations.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from typing import Any

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

ENGINE_STAGES = ("compile", "closure", "matching", "threats", "assumptions")
TARGET_10X = 15.0
TARGET_10K_SECONDS = 5.0
TARGET_100K_MB = 2048.0


# -- the child -----------------------------------------------------------------------------


def child(path: str) -> int:
    """Run the analysis stage by stage; one JSON line per finished stage."""
    import gc
    import resource
    from time import perf_counter

    origin = perf_counter()

    def emit(**fields: Any) -> None:
        fields["at"] = perf_counter() - origin  # seconds since the child started
        print(json.dumps(fields), flush=True)

    t = perf_counter()
    import actm
    from actm.engine.runs import analyse
    from actm.render.json import render_json
    from actm.render.markdown import render_markdown
    from actm.results.build import build_result, screen

    emit(stage="import", seconds=perf_counter() - t)

    t = perf_counter()
    kb = actm.load_knowledge()
    emit(stage="knowledge", seconds=perf_counter() - t)

    t = perf_counter()
    model = actm.load_model(path, knowledge=kb)
    emit(stage="load", seconds=perf_counter() - t, assets=len(model.assets))
    gc.freeze()  # as the CLI does once the model is loaded

    start = perf_counter()

    closure_ended = False

    def observer(stage: str, done: int, total: int) -> None:
        # the first call with done == total ends the main closure (later calls come from the
        # assumption analysis); recorded so that a killed run still tells where it was
        nonlocal closure_ended
        if not closure_ended and done == total:
            closure_ended = True
            emit(stage="closure_end", facts=done, seconds=perf_counter() - start)
        else:
            emit(stage="progress", what=stage, facts=done, seconds=perf_counter() - start)

    # as actm.analyze does: the residual run, then with controls in force the inherent run and
    # the reruns that credit each control; the stages come from the analysis' timings
    analysis = analyse(model, kb, observer=observer, screen=screen)
    timings = analysis.timings
    emit(
        stage="engine",
        seconds=sum(timings[s] for s in ENGINE_STAGES),
        timings=timings,
        facts=analysis.residual.facts,
        threats=len(analysis.residual.threats),
    )
    emit(stage="inherent", seconds=timings.get("inherent", 0.0))

    t = perf_counter()
    result = build_result(analysis)
    read = timings["attribution"] + timings.get("counterfactual", 0.0)
    del analysis
    emit(stage="build", seconds=read + perf_counter() - t)

    t = perf_counter()
    text = render_json(result)
    emit(stage="json", seconds=perf_counter() - t, bytes=len(text))

    t = perf_counter()
    text = render_markdown(result)
    emit(stage="markdown", seconds=perf_counter() - t, bytes=len(text))

    emit(stage="peak", mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return 0


# -- the parent ----------------------------------------------------------------------------


def parse_child(stdout: str) -> dict[str, dict[str, Any]]:
    stages: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        stages[record["stage"]] = record  # the last progress line wins
    return stages


def growth(rows: list[dict[str, Any]], key: str) -> list[str]:
    """Time ratios between consecutive sizes, and the 10x ratio they imply."""
    lines = []
    for a, b in itertools.pairwise(rows):
        ta, tb = a.get(key), b.get(key)
        if ta is None or a["assets"] >= b["assets"]:
            continue
        n = b["assets"] / a["assets"]
        lower = tb is None
        tb = b[f"{key}_lower"] if lower else tb
        ratio = tb / ta
        k = math.log(ratio) / math.log(n)
        ten = 10**k
        gt = ">" if lower else ""
        if ten > TARGET_10X:
            verdict = "MISSES"
        elif lower:
            verdict = "cannot tell (lower bound) against"
        else:
            verdict = "meets"
        lines.append(
            f"- {a['label']} -> {b['label']} ({n:.1f}x assets): time {gt}{ratio:.1f}x, "
            f"i.e. time ~ n^{gt}{k:.2f}, {gt}{ten:.1f}x per 10x assets: {verdict} the "
            f"<= {TARGET_10X:.0f}x target"
        )
    return lines


def measure(sizes: list[int], seed: int, timeout: float) -> tuple[list[dict[str, Any]], list[str]]:
    """Generate and measure each size: the stage-by-stage child, then the real CLI."""
    actm = actm_command()
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    for size in sizes:
        path = model_file(size, seed)
        mb = path.stat().st_size / 1e6
        print(f"[{size}] {path.name}: {mb:.2f} MB", file=sys.stderr, flush=True)
        run = run_measured([sys.executable, __file__, "--child", str(path)], timeout=timeout)
        st = parse_child(run.stdout)
        row: dict[str, Any] = {"label": str(size), "assets": size, "mb": mb}
        if "load" in st:
            row["assets"] = st["load"]["assets"]
            row["label"] = str(row["assets"])
        if run.timed_out:
            finished = [s for s in st if s != "progress"]
            if "closure_end" in st:
                end = st["closure_end"]
                closure = (
                    f"; the closure ended with {end['facts']} facts after "
                    f"{end['seconds']:.1f} s in the engine"
                )
            elif "progress" in st:
                done = st["progress"]
                closure = (
                    f"; the closure had derived {done['facts']} facts after {done['seconds']:.0f} s"
                )
            else:
                closure = ""
            failures.append(
                f"{path.name}: analysis child killed after {timeout:.0f} s "
                f"(last stage finished: {finished[-1] if finished else 'none'}{closure})"
            )
        elif run.returncode != 0:
            failures.append(f"{path.name}: analysis child exit {run.returncode}\n{run.stderr}")
        row["child"] = st
        row["child_wall"] = run.wall
        row["peak"] = st.get("peak", {}).get("mb")
        if "engine" in st:
            stages = ("load", "engine", "inherent", "build", "json")
            total = sum(st[s]["seconds"] for s in stages if s in st)
            row["inproc"] = total
        else:
            row["inproc_lower"] = run.wall
        if not run.timed_out and run.returncode == 0:
            cli = run_measured(
                [*actm, "analyze", str(path), "-f", "json", "-o", "/dev/null"],
                timeout=timeout,
            )
            if cli.timed_out or cli.returncode != 0:
                what = "timed out" if cli.timed_out else f"exit {cli.returncode}"
                failures.append(f"{path.name}: actm analyze {what}\n{cli.stderr.strip()}")
                row["cli_lower"] = cli.wall
            else:
                row["cli"] = cli.wall
                row["cli_peak"] = cli.peak_mb
        else:
            row["cli_lower"] = run.wall  # the CLI does at least what the child did
        rows.append(row)
        print(
            f"[{size}] done: {json.dumps({k: v for k, v in row.items() if k != 'child'})}",
            file=sys.stderr,
            flush=True,
        )

    return rows, failures


def report(rows: list[dict[str, Any]], failures: list[str], state: str) -> None:
    """Print the table, the notes under it, growth, the targets and the failures."""
    headers = [
        "assets",
        "file MB",
        "load",
        *ENGINE_STAGES,
        "inherent",
        "build",
        "json",
        "markdown",
        "in-process",
        "CLI e2e",
        "peak MB",
        "CLI peak MB",
        "facts",
        "threats",
    ]
    body = []
    notes: set[str] = set()
    for row in rows:
        st = row["child"]
        timings = st.get("engine", {}).get("timings", {})

        def cell(stage: str, st: dict[str, Any] = st) -> str:
            if stage in st:
                return seconds(st[stage]["seconds"])
            return "> timeout" if stage == "load" else "-"  # killed before, or never reached

        engine_cells = [seconds(timings[s]) if s in timings else "-" for s in ENGINE_STAGES]
        if "engine" not in st and "load" in st:
            # killed inside run_engine: say which part it was in and for how long
            in_engine = row["child_wall"] - st["load"]["at"]
            end = st.get("closure_end")
            if end is None:
                engine_cells[1] = f"> {in_engine:.0f}"
            else:
                engine_cells[1] = f"{seconds(end['seconds'])}*"
                engine_cells[4] = f"> {in_engine - end['seconds']:.0f}*"
                notes.add(
                    "* killed after the closure: the closure column is compile + closure + "
                    "matching, the assumptions column is threats + assumptions until the kill."
                )
        engine_info = st.get("engine", st.get("closure_end", {}))
        progress = st.get("progress", {})
        body.append(
            [
                str(row["assets"]),
                f"{row['mb']:.2f}",
                cell("load"),
                *engine_cells,
                cell("inherent"),
                cell("build"),
                cell("json"),
                cell("markdown"),
                seconds(row.get("inproc"), row.get("inproc_lower")),
                seconds(row.get("cli"), row.get("cli_lower")),
                f"{row['peak']:.0f}" if row.get("peak") else "-",
                f"{row['cli_peak']:.0f}" if row.get("cli_peak") else "-",
                str(engine_info.get("facts", f">{progress['facts']}" if progress else "?")),
                str(engine_info.get("threats", "-")),
            ]
        )
    print(environment(state))
    print()
    print(table(headers, body))
    for note in sorted(notes):
        print(note)
    print()
    print(
        "Times in seconds. load = read + schema + resolve (actm.load_model); compile, closure, "
        "matching, threats, assumptions = the residual run's timings (closure = propagation; "
        "matching = the attack joins, which run inside the closure loop; threats = proofs, "
        "severity and out-of-scope after it); inherent = the second engine run, without "
        "controls, that actm.analyze makes when controls are in force; build = decoding the "
        "runs, the reruns that credit each control and build_result; json / markdown = the "
        "renderers; in-process = load + engine + inherent + build + json (what `analyze -f "
        "json` does, without interpreter start, imports and the knowledge base); CLI e2e = wall "
        "time of `actm analyze FILE -f json -o /dev/null`; peak MB = ru_maxrss of the "
        "stage-by-stage child (garbage collector on, renders Markdown too); CLI peak MB = that "
        "of the CLI run (from wait4)."
    )
    if rows:
        kb = rows[0]["child"].get("knowledge", {}).get("seconds")
        imp = rows[0]["child"].get("import", {}).get("seconds")
        if kb is not None and imp is not None:
            print(f"Fixed costs (first child): imports {imp:.3f} s, knowledge base {kb:.3f} s.")
    print()
    print("Growth (target: 10x assets costs at most 15x the time):")
    for key, name in (("cli", "CLI end to end"), ("inproc", "in-process")):
        lines = growth(rows, key)
        if lines:
            print(f"{name}:")
            print("\n".join(lines))
    ten_k = [r for r in rows if 9000 <= r["assets"] <= 11000]
    for r in ten_k:
        if "cli" in r:
            ok = "yes" if r["cli"] < TARGET_10K_SECONDS else "NO"
            print(
                f"{r['assets']} assets end to end under {TARGET_10K_SECONDS:.0f} s: {ok} "
                f"({r['cli']:.2f} s)"
            )
        else:
            print(
                f"{r['assets']} assets end to end under {TARGET_10K_SECONDS:.0f} s: NO "
                f"(> {r['cli_lower']:.0f} s, killed)"
            )
    big = [r for r in rows if r["assets"] >= 100_000]
    for r in big:
        peaks = [p for p in (r.get("peak"), r.get("cli_peak")) if p is not None]
        if peaks:
            ok = "yes" if max(peaks) < TARGET_100K_MB else "NO"
            cli = f", CLI {r['cli_peak']:.0f} MB" if r.get("cli_peak") is not None else ""
            child_peak = f"{r['peak']:.0f}" if r.get("peak") is not None else "?"
            print(
                f"{r['assets']} assets peak memory under {TARGET_100K_MB / 1024:.0f} GB: {ok} "
                f"(stage-by-stage child {child_peak} MB{cli})"
            )
    for f in failures:
        print(f"\nFAILED: {f}")


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--child"]:
        return child(argv[1])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="Comma-separated asset counts.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--timeout", type=float, default=600, help="Seconds before a run is killed."
    )
    args = parser.parse_args(argv)
    state = source_state()
    rows, failures = measure(parse_sizes(args.sizes), args.seed, args.timeout)
    report(rows, failures, state)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
