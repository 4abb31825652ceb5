"""The ``actm`` command line. Thin: it parses options, calls the API and renders results.

Exit codes: 0 clean, 1 threats at or above ``--fail-on``, 2 bad input or usage, 3 a broken
knowledge entry or an internal fault. Every error leaves through :func:`_fatal`.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from actm._version import __version__
from actm.cli.diagram import diagram as _diagram_command
from actm.errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, ActmError, KnowledgeError
from actm.io.yaml import Limits

if TYPE_CHECKING:
    from rich.console import Console

    from actm.knowledge.coverage import FrameworkCoverage
    from actm.model.system import SystemModel
    from actm.results.model import Result, Threat

app = typer.Typer(
    name="actm",
    help="Asset-centric threat modeling for AI and agentic systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
kb_app = typer.Typer(help="Browse the attack knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    sarif = "sarif"
    csv = "csv"
    stix = "stix"
    html = "html"
    pdf = "pdf"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    yaml = "yaml"


class KbFormat(StrEnum):
    text = "text"
    json = "json"


class Level(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


KnowledgeOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--knowledge",
        "-k",
        help="Directory with extra or overriding vocabulary/, attacks/, controls/, frameworks/ "
        "and mappings/ files (repeatable).",
        show_default=False,
        metavar="DIR",
    ),
]
TriageOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--triage",
        help="A triage file (actm: 1, triage: [...]) added to the model's own decisions "
        "(repeatable).",
        show_default=False,
        metavar="FILE",
    ),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="The day that decides which triage decisions have expired (YYYY-MM-DD; default: "
        "the current date).",
        show_default=False,
        metavar="DATE",
    ),
]
MaxBytesOpt = Annotated[
    int | None,
    typer.Option(
        "--max-file-bytes", min=1, metavar="N", help="Refuse model files larger than this."
    ),
]
MaxDepthOpt = Annotated[
    int | None,
    typer.Option("--max-depth", min=1, metavar="N", help="Deepest YAML nesting (at most 256)."),
]
MaxAliasOpt = Annotated[
    int | None,
    typer.Option(
        "--max-alias-expansion", min=0, metavar="N", help="Most values YAML aliases may add."
    ),
]
MaxElementsOpt = Annotated[
    int | None,
    typer.Option(
        "--max-elements",
        min=1,
        metavar="N",
        help="Most elements (nodes, models, assets, ... entries) in a model, all files together.",
    ),
]


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


def _fatal(exc: BaseException, debug: bool = False) -> NoReturn:
    """The one place errors become messages and exit codes."""
    if isinstance(exc, ActmError):
        _err(str(exc))
        n = len(getattr(exc, "diagnostics", ()) or ())
        if isinstance(exc, KnowledgeError):
            _err(
                f"actm: the knowledge base is invalid ({n} problem{'s' * (n != 1)}); "
                "fix the entries above"
            )
        elif n:
            _err(f"actm: {n} problem{'s' * (n != 1)} found")
        raise typer.Exit(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        _err("actm: interrupted")
        raise typer.Exit(130)
    if isinstance(exc, BrokenPipeError):
        # the reader went away (`actm kb list | head`): stop quietly, as other tools do
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - swallow the final flush
        raise typer.Exit(EXIT_OK)
    if debug:
        traceback.print_exception(exc)
    _err(f"actm: internal error: {type(exc).__name__}: {exc}")
    _err("This is a bug in actm. Run again with --debug for a traceback and report it.")
    raise typer.Exit(EXIT_INTERNAL)


@contextmanager
def _guard(debug: bool = False) -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise
    except (Exception, KeyboardInterrupt) as exc:
        _fatal(exc, debug)


def _limits(
    max_bytes: int | None,
    max_depth: int | None,
    max_alias: int | None,
    max_elements: int | None = None,
) -> Limits:
    from actm.errors import UsageError

    try:
        base = Limits.from_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Limits(
        max_file_bytes=max_bytes if max_bytes is not None else base.max_file_bytes,
        max_depth=max_depth if max_depth is not None else base.max_depth,
        max_nodes=base.max_nodes,
        max_alias_expansion=max_alias if max_alias is not None else base.max_alias_expansion,
        max_elements=max_elements if max_elements is not None else base.max_elements,
    )


_SINGULAR = {"vulnerabilities": "vulnerability", "assumptions": "assumption"}


def _count(n: int, plural: str) -> str:
    """'1 model', '2 models', '1 vulnerability'."""
    if n == 1:
        return f"1 {_SINGULAR.get(plural, plural.removesuffix('s'))}"
    return f"{n} {plural}"


def _write(text: str | bytes | Iterable[bytes], output: Path | None) -> None:
    """Write an output (text, bytes, or bytes a piece at a time) to ``output`` or stdout."""
    from actm.errors import UsageError

    pieces: Iterable[bytes] = (
        (text.encode("utf-8"),)
        if isinstance(text, str)
        else (text,)
        if isinstance(text, bytes)
        else text
    )
    if output is None or str(output) == "-":
        sys.stdout.flush()  # anything already printed as text goes first
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.flush()
        return
    if output.is_dir():
        raise UsageError(f"--output {output} is a directory", None)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("wb") as fh:
            for piece in pieces:
                fh.write(piece)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"actm {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Describe your AI system as a YAML model; actm works out what an adversary can do."""


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="Model files to check.", show_default=False, metavar="FILE..."),
    ],
    knowledge: KnowledgeOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Check model files: schema and semantics; every problem at once, with file:line:col."""
    from actm.api import load_knowledge, load_model
    from actm.errors import ModelError

    with _guard(debug):
        kb = load_knowledge(knowledge or [])
        limits = _limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        problems: list[ModelError] = []
        lines: list[str] = []
        for f in files:
            try:
                model = load_model(f, knowledge=kb, limits=limits)
            except ModelError as exc:
                problems.append(exc)
                continue
            counts = model.summary()
            parts = ", ".join(_count(v, k) for k, v in counts.items())
            lines.append(f"ok: {f}: {parts}")
        gc.freeze()
        for line in lines:
            typer.echo(line)
        if problems:
            diags = [d for p in problems for d in p.diagnostics]
            raise ModelError(diags)


@app.command()
def schema(
    result: Annotated[
        bool, typer.Option("--result", help="Print the schema of analysis results instead.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Print the JSON Schema of the model format (or of the JSON result).

    The model schema lists the vocabulary's kinds, types, components, capabilities and classes
    (extended by --knowledge), so editors can complete them.
    """
    with _guard():
        if result:
            from actm.render.json import result_json_schema

            data = result_json_schema()
        else:
            from actm.api import load_knowledge
            from actm.model.schema import model_json_schema

            kb = load_knowledge(knowledge or [])
            data = model_json_schema(kb.vocabulary, kb.attacks)
        _write(json.dumps(data, indent=2, sort_keys=False) + "\n", output)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), transient=True, console=_stderr_console()
    ) as progress:
        task = progress.add_task("analysing", total=None)

        def observer(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"{stage}: {done:,} facts")

        yield observer


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def _today(value: str | None) -> date | None:
    from actm.errors import UsageError

    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value!r} is not a date; write YYYY-MM-DD") from None


def _run(
    file: Path,
    *,
    knowledge: list[Path] | None,
    triage: list[Path] | None,
    today: str | None,
    limits: Limits,
    controls: bool = True,
    tolerance_severity: str = "high",
    progress: bool = True,
) -> tuple[SystemModel, Result]:
    """Load the knowledge base, the model and its triage files, and analyse."""
    from actm.api import add_triage, load_knowledge, load_model
    from actm.api import analyze as run_analysis

    day = _today(today)
    kb = load_knowledge(knowledge or [])
    model = load_model(file, knowledge=kb, limits=limits)
    for t in triage or []:
        model = add_triage(model, t, limits=limits)
    gc.freeze()  # the model lives for the whole run; spare the collector from rescanning it
    show_progress = progress and sys.stderr.isatty() and os.environ.get("CI") is None
    with _progress(show_progress) as observer:
        result = run_analysis(
            model,
            knowledge=kb,
            controls=controls,
            tolerance_severity=tolerance_severity,
            observer=observer,
            today=day,
        )
    return model, result


def _sarif(result: Result, file: Path) -> str:
    """SARIF with model paths relative to the current directory (the repository root in CI)."""
    from actm.render.sarif import render_sarif

    base = os.path.relpath(file.resolve().parent, Path.cwd())
    return render_sarif(result, base="" if base == "." else base.replace(os.sep, "/"))


@app.command()
def analyze(
    file: Annotated[
        Path, typer.Argument(help="The model file.", show_default=False, metavar="FILE")
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    knowledge: KnowledgeOpt = None,
    triage: TriageOpt = None,
    today: TodayOpt = None,
    no_controls: Annotated[
        bool, typer.Option("--no-controls", help="Ignore the model's controls (inherent view).")
    ] = False,
    tolerance_severity: Annotated[
        Level, typer.Option(help="Severity that an assumption's tolerance must keep out.")
    ] = Level.high,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the text summary.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Analyse a model: threats with chains, out-of-scope attacks, capabilities, assumptions."""
    with _guard(debug):
        _, result = _run(
            file,
            knowledge=knowledge,
            triage=triage,
            today=today,
            limits=_limits(max_file_bytes, max_depth, max_alias_expansion, max_elements),
            controls=not no_controls,
            tolerance_severity=tolerance_severity.value,
        )
        if fmt is Format.json:
            from actm.render.json import iter_json

            # a piece at a time: a 100k-asset result is half a gigabyte of text
            _write(iter_json(result), output)
            return
        if fmt is Format.sarif:
            text = _sarif(result, file)
        elif fmt is Format.csv:
            from actm.render.csv import render_csv

            text = render_csv(result)
        elif fmt is Format.stix:
            from actm.render.stix import render_stix

            text = render_stix(result)
        elif fmt is Format.markdown:
            from actm.render.markdown import render_markdown

            text = render_markdown(result)
        elif fmt is Format.html:
            from actm.render.html import render_html

            text = render_html(result)
        elif fmt is Format.pdf:
            _write(_pdf(result, file, output), output)
            return
        else:
            from actm.render.text import render_text

            use_color = (
                color
                if color is not None
                else (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
            )
            text = render_text(result, color=use_color)
        _write(text, output)


def _pdf(result: Result, file: Path, output: Path | None) -> bytes:
    """The PDF report, with the model's files (read again from disk) in its appendix; when one
    cannot be read, the appendix lists the model's elements instead."""
    from actm.errors import UsageError
    from actm.render.pdf import render_pdf

    if (output is None or str(output) == "-") and sys.stdout.isatty():
        raise UsageError("--format pdf writes a binary file: add --output FILE.pdf")
    sources: dict[str, str] = {}
    for name in result.system.files:
        try:
            sources[name] = (file.parent / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            sources = {}
            break
    return render_pdf(result, sources)


def _shown(file: Path, path: str, line: int, column: int) -> str:
    """A model location as the user finds it from the current directory."""
    return f"{os.path.normpath(os.path.join(file.parent, path))}:{line}:{column}"


@app.command()
def check(
    file: Annotated[
        Path, typer.Argument(help="The model file.", show_default=False, metavar="FILE")
    ],
    fail_on: Annotated[
        Level,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an untriaged (or expired) threat at or above this severity exists.",
        ),
    ] = Level.high,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format", "-f", help="text; json; github (workflow annotations, then the summary)."
        ),
    ] = CheckFormat.text,
    sarif: Annotated[
        Path | None,
        typer.Option("--sarif", help="Also write SARIF to this file.", metavar="FILE"),
    ] = None,
    knowledge: KnowledgeOpt = None,
    triage: TriageOpt = None,
    today: TodayOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """CI gate: exit 1 when threats at or above --fail-on are not triaged, else 0."""
    from actm.engine.severity import level_rank

    with _guard(debug):
        _, result = _run(
            file,
            knowledge=knowledge,
            triage=triage,
            today=today,
            limits=_limits(max_file_bytes, max_depth, max_alias_expansion, max_elements),
            progress=False,
        )
        if sarif is not None:
            _write(_sarif(result, file), sarif)
        floor = level_rank(fail_on.value)
        failing = [
            t
            for t in result.threats
            if level_rank(t.severity.level) >= floor and not (t.triage and t.triage.settled)
        ]
        text = _check_report(file, result, failing, fail_on.value, fmt)
        _write(text, None)
    raise typer.Exit(1 if failing else EXIT_OK)


def _check_report(
    file: Path, result: Result, failing: list[Threat], fail_on: str, fmt: CheckFormat
) -> str:
    def where(t: Threat) -> str | None:
        if not t.locations:
            return None
        loc = t.locations[0]
        return _shown(file, loc.path, loc.line, loc.column)

    def why(t: Threat) -> str:
        if t.triage is None:
            return "not triaged"
        if t.triage.expired:
            return f"{t.triage.status} until {t.triage.expires}, expired"
        return t.triage.status

    if fmt is CheckFormat.json:
        doc = {
            "file": str(file),
            "fail_on": fail_on,
            "passed": not failing,
            "failing": [
                {
                    "id": t.id,
                    "fingerprint": t.fingerprint,
                    "severity": t.severity.level,
                    "score": t.severity.score,
                    "title": t.title,
                    "reason": why(t),
                    "location": where(t),
                }
                for t in failing
            ],
            "triage_unmatched": [
                {"pattern": u.pattern, "status": u.status, "location": u.location}
                for u in result.triage_unmatched
            ],
            "summary": result.summary,
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    lines: list[str] = []
    if fmt is CheckFormat.github:
        for t in failing:
            first = t.locations[0] if t.locations else None
            place = (
                f" file={_gh_property(os.path.normpath(os.path.join(file.parent, first.path)))},"
                f"line={first.line},col={first.column},"
                if first
                else " "
            )
            msg = f"{t.id} ({t.severity.level} {t.severity.score}, {why(t)}): {t.chain_text}"
            title = _gh_property(f"actm: {t.title}")
            lines.append(f"::error{place}title={title}::{_gh(msg)}")
    s = result.summary
    levels = ", ".join(
        f"{n} {lvl}"
        for lvl in ("critical", "high", "medium", "low", "info")
        if (n := s[f"severity_{lvl}"])
    )
    triaged = s["threats"] - s["untriaged"]
    head = f"actm check {file}: {_count(s['threats'], 'threats')}"
    head += f" ({levels})" if levels else ""
    head += f"; {s['mitigated']} mitigated by controls; {triaged} settled by triage"
    lines.append(head)
    if failing:
        lines.append(
            f"FAIL: {_count(len(failing), 'threats')} at or above {fail_on} not settled by triage:"
        )
        for t in failing:
            loc = where(t)
            lines.append(
                f"  {t.severity.level:<8} {t.severity.score:>4}  {t.id}  ({why(t)})"
                + (f"  {loc}" if loc else "")
            )
        lines.append(
            "Fix the chain (a control), or triage the id: see docs/triage.md. "
            "Run 'actm analyze' for the chains."
        )
    else:
        lines.append(f"PASS: no threat at or above {fail_on} is left untriaged")
    if result.triage_unmatched:
        n = len(result.triage_unmatched)
        lines.append(
            f"note: {n} triage entr{'y matches' if n == 1 else 'ies match'} no threat "
            "(stale? remove or fix the id):"
        )
        lines.extend(f"  {u.pattern}  {u.location or ''}".rstrip() for u in result.triage_unmatched)
    return "\n".join(lines) + "\n"


def _gh(text: str) -> str:
    """Escape a GitHub workflow-command message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    """Escape a GitHub workflow-command property value (a file path, a title)."""
    return _gh(value).replace(":", "%3A").replace(",", "%2C")


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(
            help="The earlier model: a file, or git:REV:PATH.", show_default=False, metavar="OLD"
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            help="The later model: a file, or git:REV:PATH.", show_default=False, metavar="NEW"
        ),
    ],
    fail_on_new: Annotated[
        Level | None,
        typer.Option(
            "--fail-on-new",
            help="Exit 1 when a threat at or above this severity is new or rose to it, and "
            "triage (in NEW) does not settle it.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DiffFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    knowledge: KnowledgeOpt = None,
    triage: Annotated[
        list[Path] | None,
        typer.Option(
            "--triage",
            help="A triage file (actm: 1, triage: [...]) added to the decisions of both models "
            "(repeatable).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    today: TodayOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """What changed between two versions of a model: threats, assumptions, crossings."""
    import tempfile

    from actm.cli.gitsrc import is_git_spec, materialize
    from actm.errors import ModelError
    from actm.results.diff import diff_results

    worse: list[str] = []
    with _guard(debug), tempfile.TemporaryDirectory(prefix="actm-diff-") as tmp:
        limits = _limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        results = []
        for n, arg in enumerate((old, new)):
            checkout = materialize(arg, Path(tmp) / str(n)) if is_git_spec(arg) else None
            path = checkout.root if checkout is not None else Path(arg)
            try:
                # the same triage files on both sides: a decision shows on OLD's threats too
                _, result = _run(
                    path,
                    knowledge=knowledge,
                    triage=triage,
                    today=today,
                    limits=limits,
                    progress=False,
                )
            except ModelError as exc:
                if checkout is None:
                    raise
                # at git:REV:PATH:line:col, not in the temporary directory about to vanish
                raise checkout.shown_error(exc) from None
            results.append(result)
        changes = diff_results(results[0], results[1])
        _write(_render("diff", fmt.value, changes), output)
        if fail_on_new is not None:
            worse = changes.worsened_at_or_above(fail_on_new.value)
            if worse:
                _err(
                    f"actm diff: {_count(len(worse), 'threats')} at or above "
                    f"{fail_on_new.value} new or worse: {', '.join(worse)}"
                )
    raise typer.Exit(1 if worse else EXIT_OK)


@app.command()
def plan(
    file: Annotated[
        Path, typer.Argument(help="The model file.", show_default=False, metavar="FILE")
    ],
    target: Annotated[
        Level,
        typer.Option("--target", help="Take every threat at or above this severity out of scope."),
    ] = Level.high,
    fmt: Annotated[
        PlanFormat,
        typer.Option(
            "--format", "-f", help="text; json; yaml (the controls, to paste into the model)."
        ),
    ] = PlanFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    cost: Annotated[
        list[str] | None,
        typer.Option(
            "--cost",
            help="Override a catalog control's cost, e.g. --cost human-approval=1 (repeatable).",
            show_default=False,
            metavar="ID=N",
        ),
    ] = None,
    no_catalog: Annotated[
        bool,
        typer.Option("--no-catalog", help="Only the model's planned controls are candidates."),
    ] = False,
    budget: Annotated[
        int,
        typer.Option(
            "--budget",
            min=1,
            help="Search nodes per round before the exact search gives way to the heuristic.",
        ),
    ] = 200_000,
    exact_rounds: Annotated[
        int,
        typer.Option(
            "--exact-rounds",
            min=1,
            help="Rounds of the exact search (one or two analyses each) before the plan is "
            "completed greedily and reported with a lower bound and gap.",
        ),
    ] = 50,
    knowledge: KnowledgeOpt = None,
    triage: TriageOpt = None,
    today: TodayOpt = None,
    max_file_bytes: MaxBytesOpt = None,
    max_depth: MaxDepthOpt = None,
    max_alias_expansion: MaxAliasOpt = None,
    max_elements: MaxElementsOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Propose the cheapest controls that take every threat at or above --target out of scope."""
    from actm.api import add_triage, load_knowledge, load_model
    from actm.plan import make_plan

    with _guard(debug):
        limits = _limits(max_file_bytes, max_depth, max_alias_expansion, max_elements)
        kb = load_knowledge(knowledge or [])
        costs = _costs(cost or [], {c.id for c in kb.controls})
        model = load_model(file, knowledge=kb, limits=limits)
        for t in triage or []:
            model = add_triage(model, t, limits=limits)
        result = make_plan(
            model,
            kb,
            target=target.value,
            today=_today(today),
            costs=costs,
            use_catalog=not no_catalog,
            budget=budget,
            exact_rounds=exact_rounds,
        )
        _write(_render("plan", fmt.value, result), output)


def _render(module: str, fmt: str, value: object) -> str:
    """``actm.render.<module>.render_<module>_<fmt>(value)``, imported only when used."""
    import importlib

    function = getattr(importlib.import_module(f"actm.render.{module}"), f"render_{module}_{fmt}")
    return str(function(value))


def _costs(pairs: list[str], known: set[str]) -> dict[str, float]:
    from actm.errors import UsageError
    from actm.io.diagnose import did_you_mean

    out: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            number = float(value) if sep else -1.0
        except ValueError:
            number = -1.0
        if not sep or not number >= 0 or number == float("inf"):
            raise UsageError(f"--cost {pair!r}: write ID=N with N a number >= 0")
        if name not in known:
            hint = did_you_mean(name, sorted(known))
            raise UsageError(
                f"--cost {pair!r}: no catalog control {name!r}"
                + (f" ({hint})" if hint else f"; known: {', '.join(sorted(known))}")
            )
        out[name] = number
    return out


FrameworkOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--framework",
        help="A framework id such as atlas, owasp_llm or saif (repeatable).",
        show_default=False,
        metavar="F",
    ),
]


@kb_app.command("list")
def kb_list(
    knowledge: KnowledgeOpt = None,
    fmt: Annotated[KbFormat, typer.Option("--format", "-f", help="Output format.")] = KbFormat.text,
    framework: FrameworkOpt = None,
) -> None:
    """List the attack patterns and conversions of the knowledge base.

    With --framework, only the entries that cover an item of one of those frameworks (through
    their own references or a mapping file).
    """
    from actm.api import load_knowledge
    from actm.knowledge.coverage import select_frameworks

    with _guard():
        kb = load_knowledge(knowledge or [])
        entries = kb.sorted()
        if framework:
            wanted = select_frameworks(kb, framework)
            entries = [e for e in entries if any(f in kb.covers(e.id) for f in wanted)]
        if fmt is KbFormat.json:
            data = [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "title": e.title,
                    "likelihood": e.likelihood,
                    "references": {k: list(v) for k, v in e.references.items() if v},
                    "mapped": {
                        k: list(v) for k, v in kb.covers(e.id).items() if k not in e.references
                    },
                }
                for e in entries
            ]
            _write(json.dumps(data, indent=2) + "\n", None)
            return
        width = max((len(e.id) for e in entries), default=0)
        for e in entries:
            tag = "" if e.kind == "attack" else " [conversion]"
            typer.echo(f"{e.id:<{width}}  {e.title}{tag}")


@kb_app.command("coverage")
def kb_coverage(
    framework: FrameworkOpt = None,
    fmt: Annotated[KbFormat, typer.Option("--format", "-f", help="Output format.")] = KbFormat.text,
    summary: Annotated[
        bool, typer.Option("--summary", help="Only the table of counts, not the items.")
    ] = False,
    knowledge: KnowledgeOpt = None,
) -> None:
    """How much of each reference framework the knowledge base covers.

    For each framework (all, or those given with --framework): the items covered, with the
    entries that cover each, the items not covered, and the count and percentage.
    """
    from actm.api import load_knowledge
    from actm.knowledge.coverage import coverage

    with _guard():
        kb = load_knowledge(knowledge or [])
        reports = coverage(kb, framework or [])
        if fmt is KbFormat.json:
            data = {"frameworks": [r.to_dict() for r in reports]}
            _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
            return
        _write(_coverage_text(reports, summary=summary), None)


_WIDTH = 100
"""Lines of `kb coverage` wrap the entry lists at this width (when the names leave room)."""


def _coverage_text(reports: list[FrameworkCoverage], *, summary: bool) -> str:
    rows = [("framework", "title", "covered", "items", "percent")]
    for r in reports:
        rows.append(
            (
                r.framework.id,
                r.framework.label(),
                str(len(r.covered)),
                "-" if r.total is None else str(r.total),
                "-" if r.percent is None else f"{r.percent:.1f}%",
            )
        )
    w = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}  {d:>{w[3]}}  {e:>{w[4]}}".rstrip()
        for a, b, c, d, e in rows
    ]
    if summary:
        return "\n".join(lines) + "\n"
    for r in reports:
        fw = r.framework
        lines += ["", f"{fw.id}: {fw.label()}" + (f" <{fw.url}>" if fw.url else "")]
        if r.total is None:
            lines.append(f"  {len(r.covered)} ids referenced (open framework: any id is valid)")
        else:
            lines.append(f"  {len(r.covered)} of {r.total} items covered ({r.percent:.1f}%)")
        ids = [c.id for c in r.covered] + [i.id for i in r.not_covered]
        iw = max((len(i) for i in ids), default=0)
        if r.covered:
            lines.append("  covered:")
            nw = max(len(c.name or "") for c in r.covered)
            for c in r.covered:
                name = f"  {c.name or '':<{nw}}" if nw else ""
                prefix = f"    {c.id:<{iw}}{name}  <- "
                wrapped = textwrap.wrap(
                    ", ".join(c.attacks),
                    max(_WIDTH - len(prefix), 40),
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                lines.append(prefix + wrapped[0])
                lines += [" " * len(prefix) + w for w in wrapped[1:]]
        if r.not_covered:
            lines.append("  not covered:")
            lines += [f"    {i.id:<{iw}}  {i.name}" for i in r.not_covered]
    return "\n".join(lines) + "\n"


@kb_app.command("show")
def kb_show(
    attack_id: Annotated[str, typer.Argument(help="Entry id.", show_default=False, metavar="ID")],
    knowledge: KnowledgeOpt = None,
) -> None:
    """Show one knowledge-base entry: steps, impact, references."""
    from actm.api import load_knowledge
    from actm.errors import UsageError
    from actm.io.diagnose import did_you_mean

    with _guard():
        kb = load_knowledge(knowledge or [])
        entry = kb.attacks.get(attack_id)
        if entry is None:
            close = did_you_mean(attack_id, kb.attacks, what="entries") or ""
            hint = close if close.startswith("did you mean") else "run `actm kb list` for the ids"
            raise UsageError(f"no knowledge-base entry {attack_id!r}; {hint}")
        typer.echo(
            f"{entry.id}: {entry.title} ({entry.kind}, likelihood {entry.likelihood}, "
            f"{entry.maturity.replace('_', ' ')})"
        )
        typer.echo("")
        typer.echo(entry.description)
        typer.echo("")
        for step in entry.steps:
            typer.echo(f"step {step.id}:")
            for r in step.requires:
                typer.echo(f"  requires {r.describe()}")
            for y in step.yields:
                what = y.asset_type or "(the bound asset)"
                comp = f".{y.component}" if y.component else ""
                pers = " (persistent)" if y.persistent else ""
                typer.echo(f"  yields   {y.capability}{pers} on {y.var}:{what}{comp}")
        if entry.impact is not None:
            i = entry.impact
            typer.echo(
                f"impact: {'/'.join(i.classes)} of {i.var}"
                + (f":{i.asset_type}" if i.asset_type else "")
            )
        refs = [
            (
                fw,
                item,
                kb.frameworks[fw].name_of(item) if fw in kb.frameworks else None,
                item in entry.references.get(fw, ()),
            )
            for fw, items in kb.covers(entry.id).items()
            for item in items
        ]
        if refs:
            typer.echo("references:")
            fw_w = max(len(r[0]) for r in refs)
            id_w = max(len(r[1]) for r in refs)
            for fw, item, name, by_entry in refs:
                text = f"  {fw:<{fw_w}}  {item:<{id_w}}  {name or ''}"
                typer.echo(text.rstrip() + ("" if by_entry else " (mapped)"))
        if entry.controls:
            typer.echo("controls: " + ", ".join(entry.controls))
        typer.echo(f"source: {entry.source}")


app.command()(_diagram_command)


def main() -> None:
    """Console-script entry point."""
    # A run builds one large, long-lived, acyclic structure (the model, then the facts) and
    # exits. CPython's cyclic collector would rescan it again and again for nothing: on a
    # 50,000-asset model that is most of the load time. Reference counting still frees memory.
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, int) and code == 2 and len(sys.argv) > 1:
            raise SystemExit(EXIT_USAGE) from None
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
