"""What every fuzz case must satisfy, and the settings that bound the fuzz suites.

A fuzz case ends in one of two ways: a valid result, or a :class:`actm.ModelError` whose every
diagnostic has a stable code, a message, a hint and (for text and files) a ``path:line:col``
inside the input. Anything else (another exception, a hang, invalid JSON, exit 3 from the CLI,
a traceback in the output) fails the case.

Budget: ``ACTM_FUZZ_EXAMPLES`` (default 200) is the number of cases the whole fuzz suite runs,
shared between the targets by their weights; ``ACTM_FUZZ_COUNTS=text=45000,bytes=12000,...``
sets the count of each target named instead. ``ACTM_FUZZ_DEADLINE_MS`` (default 5000) is the
hypothesis deadline of one case; ``ACTM_FUZZ_HANG_SECONDS`` (default 30) is the hard alarm that
turns a hang into a failure. ``HYPOTHESIS_PROFILE=fuzz-long`` drops derandomization for long
runs (pass ``--hypothesis-seed=N`` to pytest to pin one); ``ACTM_FUZZ_SAVE=DIR`` keeps the input of
every failing or slow case. docs/robustness.md has the commands.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis.control import currently_in_test_context
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.errors import Diagnostic
from actm.knowledge.attacks import KnowledgeBase, builtin_knowledge
from actm.render.json import render_json
from actm.results.model import Result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KB: KnowledgeBase = builtin_knowledge()

TOTAL = int(os.environ.get("ACTM_FUZZ_EXAMPLES", "200"))
DEADLINE_MS = int(os.environ.get("ACTM_FUZZ_DEADLINE_MS", "5000"))
HANG_SECONDS = int(os.environ.get("ACTM_FUZZ_HANG_SECONDS", "30"))
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-long"

# Weights of the targets; their sum divides ACTM_FUZZ_EXAMPLES between them.
WEIGHTS = {
    "text": 30,
    "bytes": 10,
    "data": 25,
    "structured": 10,
    "cli": 5,
    "monotone-add": 8,
    "monotone-control": 8,
    "determinism": 4,
    "hash-seed": 1,
}

_CODE_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

F = TypeVar("F", bound=Callable[..., Any])


def _counts(spec: str) -> dict[str, int]:
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, count = part.partition("=")
        if name not in WEIGHTS:
            raise ValueError(
                f"ACTM_FUZZ_COUNTS: unknown target {name!r} (targets: {sorted(WEIGHTS)})"
            )
        out[name] = int(count)
    return out


# ACTM_FUZZ_COUNTS=text=45000,bytes=12000,... sets the cases of each target named (long runs).
COUNTS = _counts(os.environ.get("ACTM_FUZZ_COUNTS", ""))


def fuzz_settings(target: str) -> Callable[[F], F]:
    """Hypothesis settings for one target: its share of the budget, the deadline."""
    share = COUNTS.get(target) or max(1, round(TOTAL * WEIGHTS[target] / sum(WEIGHTS.values())))
    return settings(  # type: ignore[no-any-return]
        max_examples=share,
        deadline=DEADLINE_MS,
        derandomize=not LONG,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


class Hang(Exception):
    """A fuzz case ran past the hard alarm."""


@contextmanager
def alarm(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread if the block runs longer than ``seconds``."""

    def fire(signum: int, frame: Any) -> None:
        raise Hang(f"a fuzz case ran for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def example_files() -> list[Path]:
    """Every example model, the ATLAS case studies and the files they include."""
    return sorted(
        [*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("*/*.yaml")],
        key=lambda p: p.relative_to(EXAMPLES).as_posix(),
    )


def check_diagnostics(diags: tuple[Diagnostic, ...], paths: Any, texts: dict[str, str]) -> None:
    """Every diagnostic: a code, a message, a hint, and a location inside the input."""
    assert diags, "a ModelError without diagnostics"
    # libyaml counts \r, \r\n, NEL, LS and PS as line breaks; actm's own scans count \n
    split = {p: (_BREAKS.split(t), t.split("\n")) for p, t in texts.items()}
    for d in diags:
        shown = d.format()
        assert _CODE_RE.match(d.code), f"bad code {d.code!r}: {shown}"
        assert d.message.strip(), f"empty message: {shown}"
        assert (d.hint or "").strip(), f"no hint: {shown}"
        assert "Traceback" not in shown, shown
        if paths is None:
            continue
        assert d.location is not None, f"no location: {shown}"
        # (or in a file outside it that an include: entry names)
        inside = d.location.path in paths or os.path.isfile(d.location.path)
        assert inside, f"location outside the input {paths}: {shown}"
        if d.location.path in split:
            widths: list[int] = []
            for lines in split[d.location.path]:
                if d.location.line <= len(lines):
                    widths.append(len(lines[d.location.line - 1]))
            assert widths and d.location.line >= 1, f"line out of range: {shown}"
            assert 1 <= d.location.column <= max(widths) + 1, f"column out of range: {shown}"


def check_result(result: Result) -> str:
    """The JSON of a result, checked to be valid JSON."""
    out = render_json(result)
    json.loads(out)
    return out


SAVE = os.environ.get("ACTM_FUZZ_SAVE")
SLOW_SECONDS = float(os.environ.get("ACTM_FUZZ_SLOW_MS", "1000")) / 1000


def _event(name: str, payload: str = "") -> None:
    """Count an outcome in hypothesis' statistics (--hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(name, payload)


@contextmanager
def saved_on_failure(files: dict[str, bytes]) -> Iterator[None]:
    """With ``ACTM_FUZZ_SAVE=DIR``, keep the input of every failing case in DIR."""
    if SAVE:
        # kept until the next case: what a crash of the whole process (a segfault) leaves behind
        shutil.rmtree(Path(SAVE, "current"), ignore_errors=True)
        _write(files, Path(SAVE, "current"))
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        if SAVE:
            _save(files, "fail")
        raise
    if SAVE and time.perf_counter() - start > SLOW_SECONDS:
        _save(files, "slow")


def _save(files: dict[str, bytes], what: str) -> None:
    digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:12]
    _write(files, Path(SAVE or ".", f"{what}-{digest}"))


def _write(files: dict[str, bytes], base: Path) -> None:
    for name, raw in files.items():
        target = base / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)


def run_text(text: str, path: str = "fuzz.yaml") -> str | None:
    """Load and analyse YAML text; the result's JSON, or None for a documented ModelError."""
    files = {path: text.encode("utf-8", "surrogatepass")}
    with saved_on_failure(files), alarm():
        try:
            model = actm.load_model_text(text, knowledge=KB, path=path)
        except actm.ModelError as exc:
            check_diagnostics(exc.diagnostics, {path}, {path: text})
            _event("refused", exc.diagnostics[0].code)
            return None
        _event("analysed")
        return check_result(actm.analyze(model, knowledge=KB))


def run_files(files: dict[str, bytes], root: str) -> str | None:
    """Write ``files`` (relative name -> bytes) to a temporary directory, load ``root``."""
    with (
        saved_on_failure(files),
        tempfile.TemporaryDirectory(prefix="actm-fuzz-") as tmp,
        alarm(),
    ):
        for name, raw in files.items():
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(raw)
        shown = {os.path.normpath(os.path.join(tmp, n)): n for n in files}
        texts = {}
        for full, name in shown.items():
            with suppress(UnicodeDecodeError):
                texts[full] = files[name].decode("utf-8").removeprefix("\ufeff")
        try:
            model = actm.load_model(Path(tmp, root), knowledge=KB)
        except actm.ModelError as exc:
            # A file-unreadable or include-not-found diagnostic may point at an include entry.
            check_diagnostics(exc.diagnostics, set(shown), texts)
            _event("refused", exc.diagnostics[0].code)
            return None
        _event("analysed")
        return check_result(actm.analyze(model, knowledge=KB))


_runner = CliRunner()


def run_cli(files: dict[str, bytes], root: str) -> None:
    """``actm validate`` and ``actm analyze -f json`` on the files: exit 0 or 2, never 3."""
    with (
        saved_on_failure(files),
        tempfile.TemporaryDirectory(prefix="actm-fuzz-cli-") as tmp,
        alarm(),
    ):
        for name, raw in files.items():
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(raw)
        path = str(Path(tmp, root))
        val = _runner.invoke(app, ["validate", path])
        ana = _runner.invoke(app, ["analyze", path, "-f", "json", "--today", "2025-01-01"])
    for res in (val, ana):
        out = res.stdout + res.stderr
        assert res.exit_code in (0, 2), f"exit {res.exit_code}:\n{out}\n{res.exception!r}"
        assert "Traceback" not in out, out
        assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert val.exit_code == ana.exit_code, (val.output, ana.output)
    if ana.exit_code == 0:
        json.loads(ana.stdout)
    else:
        lines = [ln for ln in ana.stderr.splitlines() if "error[" in ln]
        assert lines, ana.stderr
        for ln in lines:
            assert re.match(r".+:\d+:\d+: error\[[a-z0-9-]+\]: .+", ln), ln
        assert "hint: " in ana.stderr, ana.stderr
