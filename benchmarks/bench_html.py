"""How long the HTML report takes to write and to open, as the model grows.

    python benchmarks/bench_html.py [--sizes 1000,10000] [--seed 0] [--repeat 3] [--timeout 600]

For each size the model is generated into benchmarks/out/, then, each in a fresh process:

1. a child (this script with ``--child FILE OUT``) analyses the model through the Python API
   and times ``render_html(result)`` alone (best of ``--repeat``), writing the report to
   benchmarks/out/report-<size>.html; it prints one JSON line;
2. the real CLI end to end: ``actm analyze FILE -f html -o OUT``, wall clock;
3. headless Chromium (Playwright driving /usr/bin/chromium; skipped when either is missing)
   opens the file and waits until the graph reports ready (``<html data-graph="ready">``, set
   on cytoscape's first drawn frame): the time from navigation to ready, best of
   ``--repeat`` fresh pages, split by the report's own marks into the time until its script
   starts (reading and parsing the HTML, compiling cytoscape.js), building the graph, and
   drawing its first frame.

Target: the HTML report of a 10,000-asset model is written in under 5 s. The verdict is given
twice: for render_html alone and for the CLI end to end (loading and analysis included).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from _common import (
    OUT_DIR,
    actm_command,
    environment,
    label,
    load_average,
    model_file,
    parse_sizes,
    run_measured,
    seconds,
    source_state,
    table,
)

TARGET_10K_SECONDS = 5.0
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def child(path: str, out: str, repeat: int) -> int:
    from time import perf_counter

    import actm
    from actm.render.html import render_html

    result = actm.analyze(actm.load_model(path))
    best = float("inf")
    text = ""
    for _ in range(repeat):
        t = perf_counter()
        text = render_html(result)
        best = min(best, perf_counter() - t)
    Path(out).write_text(text, encoding="utf-8")
    graph = result.graph
    print(
        json.dumps(
            {
                "render": best,
                "bytes": len(text.encode("utf-8")),
                "elements": len(graph.elements),
                "edges": len(graph.edges),
                "threats": len(result.threats),
            }
        ),
        flush=True,
    )
    return 0


def open_in_browser(report: Path, repeat: int, timeout: float) -> dict[str, float] | str:
    """Best-of-``repeat`` load times of ``report``, or why they could not be measured."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed"
    best: dict[str, float] | None = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                start = time.perf_counter()
                page.goto(report.as_uri(), wait_until="commit", timeout=timeout * 1000)
                page.wait_for_selector("html[data-graph=ready]", timeout=timeout * 1000)
                ready = time.perf_counter() - start
                marks = page.evaluate("window.actmReport.timings")
                drawn = page.evaluate("window.actmReport.cy.elements().length")
                page.close()
                if errors:
                    return "page errors: " + "; ".join(errors)
                run = {
                    "ready": ready,
                    "script": marks["start"] / 1000,
                    "graph": (marks["created"] - marks["start"]) / 1000,
                    "draw": (marks["rendered"] - marks["created"]) / 1000,
                    "drawn": drawn,
                }
                if best is None or run["ready"] < best["ready"]:
                    best = run
        finally:
            browser.close()
    assert best is not None
    return best


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--child"]:
        return child(argv[1], argv[2], int(argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="Comma-separated asset counts.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)

    actm = actm_command()
    state = source_state()
    rows: list[list[str]] = []
    verdicts: list[str] = []
    failures: list[str] = []
    for size in parse_sizes(args.sizes):
        path = model_file(size, args.seed)
        report = OUT_DIR / f"report-{label(size)}.html"
        print(f"[{size}] {path.name}", file=sys.stderr, flush=True)
        run = run_measured(
            [sys.executable, __file__, "--child", str(path), str(report), str(args.repeat)],
            timeout=args.timeout,
        )
        if run.timed_out or run.returncode != 0:
            failures.append(f"{path.name}: child {'timed out' if run.timed_out else 'failed'}")
            failures[-1] += f"\n{run.stderr.strip()}"
            continue
        info: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
        cli = run_measured(
            [*actm, "analyze", str(path), "-f", "html", "-o", str(report)], timeout=args.timeout
        )
        if cli.returncode != 0:
            failures.append(f"{path.name}: actm analyze -f html exit {cli.returncode}")
        opened = open_in_browser(report, args.repeat, args.timeout)
        if isinstance(opened, str):
            browser_cells = ["-"] * 5
            failures.append(f"{report.name}: not opened: {opened}")
        else:
            browser_cells = [
                seconds(opened["ready"]),
                seconds(opened["script"]),
                seconds(opened["graph"]),
                seconds(opened["draw"]),
                str(int(opened["drawn"])),
            ]
        rows.append(
            [
                str(size),
                str(info["elements"] + info["edges"]),
                str(info["threats"]),
                seconds(info["render"]),
                f"{info['bytes'] / 1e6:.2f}",
                seconds(cli.wall),
                *browser_cells,
            ]
        )
        if 9000 <= size <= 11000:
            for what, took in (
                ("render_html alone (the renderer, model already analysed)", info["render"]),
                ("CLI end to end (`actm analyze -f html -o`: load, analysis, render)", cli.wall),
            ):
                ok = "yes" if took < TARGET_10K_SECONDS else "NO"
                verdicts.append(
                    f"HTML report of {size} assets under {TARGET_10K_SECONDS:.0f} s, {what}: "
                    f"{ok} ({took:.2f} s)"
                )
    print(environment(state))
    print(f"at the end: {load_average()}")
    print()
    headers = [
        "assets",
        "graph elements",
        "threats",
        "render_html",
        "file MB",
        "CLI e2e",
        "open: ready",
        "until script",
        "graph built",
        "first frame",
        "drawn",
    ]
    print(table(headers, rows))
    print()
    print(
        "Times in seconds. render_html = the renderer alone, best of the repeats; CLI e2e = "
        "`actm analyze FILE -f html -o OUT` start to exit (load and analysis included); open = "
        "headless Chromium from navigation until the graph reports ready, best of the repeats, "
        "split into: until script (reading and parsing the HTML, compiling cytoscape.js), "
        "graph built (the report's script until cytoscape holds the graph), first frame "
        "(cytoscape's first drawing); drawn = elements and edges in the drawn graph (assets "
        "start out of it above COLLAPSE)."
    )
    for v in verdicts:
        print(v)
    for f in failures:
        print(f"\nFAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
