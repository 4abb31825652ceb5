"""Helpers shared by the benchmark scripts: sizes, model files, measured subprocesses, tables."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import generate

OUT_DIR = Path(__file__).resolve().parent / "out"
DEFAULT_SIZES = "1000,10000,50000"


def parse_sizes(text: str) -> list[int]:
    """``"1000,10k,50000"`` -> [1000, 10000, 50000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        factor = 1000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("k")) * factor))
    if not sizes or min(sizes) < 1:
        raise ValueError(f"bad --sizes {text!r}")
    return sizes


def label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def model_file(size: int, seed: int, out_dir: Path = OUT_DIR) -> Path:
    """Generate (or reuse) the benchmark model of ``size`` assets."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench-{label(size)}-s{seed}.yaml"
    text = generate.generate(size, seed)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def actm_command() -> list[str]:
    """The installed ``actm`` console script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "actm"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("actm")
    if found:
        return [found]
    return [sys.executable, "-m", "actm"]


@dataclass
class Run:
    """One finished (or killed) subprocess."""

    wall: float
    """Wall-clock seconds from start to exit."""
    peak_mb: float
    """Peak resident set size of the process, in MiB (from wait4)."""
    cpu: float
    """CPU seconds (user and system) of the process and of the worker processes it waited
    for (from wait4): on a machine of N cores, no schedule runs it in less than cpu / N."""
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def run_measured(cmd: list[str], timeout: float | None = None) -> Run:
    """Run ``cmd`` to completion; its own peak RSS comes from ``wait4`` on its pid.

    Output goes to temporary files (not pipes), so the parent never has to read while it
    waits, and a killed child still leaves whatever it printed before the timeout.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer is not None:
                timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall=wall,
            peak_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
            cpu=usage.ru_utime + usage.ru_stime,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=killed.is_set(),
        )


def cores() -> int:
    """The CPUs a run may use: ``ACTM_WORKERS`` when set (actm uses no more worker processes),
    else those this process may run on."""
    from actm.io.forked import workers

    return workers()  # actm's own reading of the variable (raises on a bad value, as actm does)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table with right-aligned columns."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(lines)


def seconds(value: float | None, timeout: float | None = None) -> str:
    if value is None:
        return f"> {timeout:.0f}" if timeout else "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def source_state() -> str:
    """The commit measured, and a digest of uncommitted changes under src/ if any."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        diff = subprocess.run(
            ["git", "diff", "HEAD", "--", "src"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    if not diff:
        return head
    return (
        f"{head} + uncommitted src/ changes (diff sha256 {hashlib.sha256(diff).hexdigest()[:12]})"
    )


def environment(state_at_start: str) -> str:
    """One line saying what was measured on what; warns if src/ changed during the run."""
    import platform

    now = source_state()
    line = (
        f"actm source: {state_at_start}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; {platform.machine()}; {calibration()}"
    )
    if now != state_at_start:
        line += f"\nWARNING: src/ changed during the run (now {now}); numbers mix two versions"
    return line


def calibration() -> str:
    """How fast this machine runs plain Python: the best of three timings of a fixed loop.
    Seconds measured on two machines compare only after scaling by this figure (the same
    commit ran the 1,000-tool hub in 5.7 s on one machine and 10 s on another)."""
    import time

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i * i
        best = min(best, time.perf_counter() - start)
    return f"calibration loop {best:.3f} s"


def machine() -> str:
    """CPU model, cores, memory and Python version, from /proc on Linux."""
    import platform

    cpu = platform.processor() or platform.machine()
    mem = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                mem = f", {int(line.split()[1]) / 1024**2:.1f} GiB RAM"
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the machine was around a measurement."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"
