"""What the commands share: options, the one error-to-exit-code mapping, the analysis run with
its progress spinner, and writing output.

Exit codes: 0 clean, 1 threats at or above ``--fail-on``, 2 bad input or usage, 3 a broken
knowledge entry or an internal fault. Every error leaves through :func:`fatal`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar, cast

import typer

from actm.errors import EXIT_INTERNAL, EXIT_OK, ActmError, KnowledgeError, UsageError
from actm.io.files import is_dir
from actm.io.visible import visible
from actm.io.writer import Spooled, write_pieces
from actm.io.yaml import Limits
from actm.render.formats import (
    CHECK_FORMATS,
    COVERAGE_FORMATS,
    DIAGRAM_FORMATS,
    DIFF_FORMATS,
    FORMATS,
    KB_LIST_FORMATS,
    PLAN_FORMATS,
)
from actm.terms import LEVELS

if TYPE_CHECKING:
    from actm.knowledge.attacks import KnowledgeBase
    from actm.model.system import SystemModel
    from actm.render.interface import Renderer, RenderOptions
    from actm.results.model import Result

V = TypeVar("V")


def choices(name: str, names: Iterable[str]) -> type[StrEnum]:
    """An enum of ``names`` for typer, which needs a static list of choices: build it from a
    table (``choices("Format", FORMATS)``). Its members are ``str``; type options as ``str``."""
    return cast("type[StrEnum]", StrEnum(name, [(n, n) for n in names]))


# typer needs enums, with their choices fixed when the command is declared: they come from
# the renderer tables. Their members are str; to mypy each choice type is str.
if TYPE_CHECKING:
    Level = str
    Format = str
    CheckFormat = str
    DiffFormat = str
    PlanFormat = str
    DiagramFormat = str
    KbListFormat = str
    CoverageFormat = str
else:
    Level = choices("Level", reversed(LEVELS))
    Format = choices("Format", FORMATS)
    CheckFormat = choices("CheckFormat", CHECK_FORMATS)
    DiffFormat = choices("DiffFormat", DIFF_FORMATS)
    PlanFormat = choices("PlanFormat", PLAN_FORMATS)
    DiagramFormat = choices("DiagramFormat", DIAGRAM_FORMATS)
    KbListFormat = choices("KbListFormat", KB_LIST_FORMATS)
    CoverageFormat = choices("CoverageFormat", COVERAGE_FORMATS)


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
HypothesesOpt = Annotated[
    bool,
    typer.Option(
        "--hypotheses",
        help="Posit the typical weaknesses nobody declared (hypotheses.yaml); threats that need "
        "one are marked hypothetical. The model's analysis: {hypotheses: true} does the same.",
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
FileArg = Annotated[
    Path, typer.Argument(help="The model file.", show_default=False, metavar="FILE")
]


def output_path(value: str) -> Path:
    """``--output``: the file to write. A path that ends with a separator, or whose last part
    is ``.`` or ``..``, names a directory, which a report cannot be written to: refused here,
    since the path drops them (``-o reports/`` and ``-o reports/.`` would otherwise write a
    file named ``reports``)."""
    seps = tuple(sep for sep in (os.sep, os.altsep) if sep)
    if not value:
        raise typer.BadParameter("is empty: give the name of a file to write, or - for stdout")
    if value.endswith(seps) or os.path.basename(value) in (".", ".."):
        raise typer.BadParameter(f"{value} names a directory: give the name of a file to write")
    return Path(value)


OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to a file instead of stdout.", parser=output_path),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
CatalogueOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalogue",
        help="An MCP registry dump or server.json files to look servers up in.",
        metavar="FILE",
    ),
]


def err(text: str) -> None:
    """One message on standard error, its control characters spelled out: a diagnostic
    quotes the model (an id, a key, a file name), which must not act on the terminal."""
    sys.stderr.write(visible(text.rstrip("\n")) + "\n")


def fatal(exc: BaseException, debug: bool = False) -> NoReturn:
    """The one place errors become messages and exit codes."""
    if isinstance(exc, ActmError):
        err(str(exc))
        n = len(getattr(exc, "diagnostics", ()) or ())
        if isinstance(exc, KnowledgeError):
            err(
                f"actm: the knowledge base is invalid ({n} problem{'s' * (n != 1)}); "
                "fix the entries above"
            )
        elif n:
            err(f"actm: {n} problem{'s' * (n != 1)} found")
        raise typer.Exit(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        err("actm: interrupted")
        raise typer.Exit(130)
    if isinstance(exc, BrokenPipeError):
        # the reader went away (`actm kb list | head`): stop quietly, as other tools do
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - swallow the final flush
        raise typer.Exit(EXIT_OK)
    if debug:
        traceback.print_exception(exc)
    err(f"actm: internal error: {type(exc).__name__}: {exc}")
    err("This is a bug in actm. Run again with --debug for a traceback and report it.")
    raise typer.Exit(EXIT_INTERNAL)


@contextmanager
def guard(debug: bool = False) -> Iterator[None]:
    """Run a command's body; any error leaves through :func:`fatal`."""
    try:
        yield
    except typer.Exit:
        raise
    except (Exception, KeyboardInterrupt) as exc:
        fatal(exc, debug)


def limits(
    max_bytes: int | None = None,
    max_depth: int | None = None,
    max_alias: int | None = None,
    max_elements: int | None = None,
) -> Limits:
    """The reading limits: the options given, else the ``ACTM_MAX_*`` variables, else the
    defaults."""
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


def count(n: int, plural: str) -> str:
    """'1 model', '2 models', '1 vulnerability'."""
    if n == 1:
        return f"1 {_SINGULAR.get(plural, plural.removesuffix('s'))}"
    return f"{n} {plural}"


def _to_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def write(text: str | bytes | Iterable[bytes | Spooled], output: Path | None) -> None:
    """Write an output (text, bytes, or bytes a piece at a time) to ``output`` or stdout."""
    pieces: Iterable[bytes | Spooled] = (
        (text.encode("utf-8"),)
        if isinstance(text, str)
        else (text,)
        if isinstance(text, bytes)
        else text
    )
    if output is None or _to_stdout(output):
        with writing_stdout() as stdout:
            stdout.flush()  # anything already printed as text goes first
            write_pieces(stdout.buffer, pieces)
            stdout.flush()
        return
    if is_dir(output):
        raise UsageError(f"--output {output} is a directory", None)
    try:
        write_file(pieces, output)
    except BrokenPipeError:  # -o /dev/stdout into `| head`: as on standard output
        raise
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


@contextmanager
def writing_stdout() -> Iterator[TextIO]:
    """Standard output, to write to within the block: a closed one (``>&-``) or a failed write
    (``> /dev/full``) is the user's setup, a usage error as for ``-o``, not a bug in actm. A
    broken pipe is left to :func:`fatal`, which stops quietly."""
    stdout = sys.stdout
    if stdout is None:
        raise UsageError("cannot write standard output: it is closed")
    try:
        yield stdout
    except BrokenPipeError:
        raise
    except OSError as exc:
        with contextlib.suppress(OSError):  # what is left unwritten must not fail again at exit
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        raise UsageError(f"cannot write standard output: {exc.strerror or exc}") from None


def out(line: str) -> None:
    """One line of text on standard output (as ``typer.echo``), failures as :func:`write`'s."""
    with writing_stdout() as stdout:
        stdout.write(line + "\n")
        stdout.flush()


_DESCRIPTOR_PATH = re.compile(r"/(?:dev/fd|proc/self/fd)/([0-9]{1,9})")


def _descriptor(output: Path) -> int | None:
    """The open descriptor ``output`` names (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
    ``/proc/self/fd/N``), if it names one."""
    text = str(output)
    if text in ("/dev/stdout", "/dev/stderr"):
        return 1 if text == "/dev/stdout" else 2
    found = _DESCRIPTOR_PATH.fullmatch(text)
    return int(found.group(1)) if found is not None else None


def write_file(pieces: Iterable[bytes | Spooled], output: Path) -> None:
    """Write ``pieces`` to the file ``output`` all or nothing.

    They go to a temporary file beside it, which is flushed to disk and then renamed over
    ``output``: a renderer that fails half-way, Ctrl-C or a killed process leave the previous
    file as it was (and remove the temporary file where they can), and of two runs writing to
    one path, one complete output wins. A new file gets the usual permissions (0666 less the
    umask), a replaced one keeps its own; a symbolic link is written through. A path that
    exists but is no regular file (``/dev/null``, a pipe) is written in place.
    """
    descriptor = _descriptor(output)
    if descriptor is not None:
        # the process's own descriptor, written as it is open: opening its path again would
        # truncate what ``>> file`` appends to, and a rename would replace that file
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()  # what is printed already goes first
        with os.fdopen(os.dup(descriptor), "wb") as fh:
            write_pieces(fh, pieces)
        return
    try:
        found: os.stat_result | None = output.stat()
    except FileNotFoundError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        # opened as named: the real path of /dev/stdout on a pipe, /proc/self/fd/pipe:[N],
        # cannot be opened
        with output.open("wb") as fh:
            write_pieces(fh, pieces)
        return
    target = Path(os.path.realpath(output))
    mode = _new_file_mode() if found is None else stat.S_IMODE(found.st_mode)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _terminate_as_exit():
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                write_pieces(fh, pieces, sync=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    _sync_directory(target.parent)


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While a temporary file is written: SIGTERM (``kill``, ``timeout``, a cancelled CI job)
    raises SystemExit(143) as Ctrl-C raises KeyboardInterrupt, so the temporary file is removed
    on the way out instead of left beside the output. Only where Python lets this thread set a
    handler (the main thread) and SIGTERM had its default action; put back afterwards."""
    import signal

    try:
        previous = signal.getsignal(signal.SIGTERM)
        if previous is not signal.SIG_DFL:
            previous = None
        else:
            signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _new_file_mode() -> int:
    """0666 less the process's umask: what ``open()`` would have given a new file."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Flush the rename to disk (where the system lets a directory be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def pick(table: Mapping[str, Renderer[V]], name: str, output: Path | None) -> Renderer[V]:
    """The renderer of ``--format name``, once it is known to work here: its optional packages
    are installed, and binary output does not go to a terminal. Call it before the analysis,
    so that a missing package costs no time."""
    renderer = table[name]
    renderer.check_available()
    if renderer.binary and _to_stdout(output) and sys.stdout is not None and sys.stdout.isatty():
        raise UsageError(f"--format {name} writes a binary file: add --output FILE.{name}")
    return renderer


def emit(renderer: Renderer[V], value: V, options: RenderOptions, output: Path | None) -> None:
    """Render ``value`` and write it (a piece at a time when the renderer streams); the
    renderer's warnings about the output go to standard error first."""
    if renderer.streams:
        write(renderer.parts(value, options), output)
        return
    out = renderer.render(value, options)
    for warning in renderer.warnings(out):
        err(f"warning: {warning}")
    write(out, output)


def sarif_base(file: Path) -> str:
    """The model file's directory relative to the current directory (the repository root in
    CI), for SARIF locations."""
    base = os.path.relpath(file.resolve().parent, Path.cwd())
    return "" if base == "." else base.replace(os.sep, "/")


def read_sources(result: Result, file: Path) -> dict[str, str] | None:
    """The text of the model's files, read again from disk, by name; None when one cannot be
    read (the PDF appendix then lists the model's elements instead)."""
    sources: dict[str, str] = {}
    for name in result.system.files:
        try:
            sources[name] = (file.parent / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return sources


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        transient=True,
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("analysing", total=None)

        def observer(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"{stage}: {done:,} facts")

        yield observer


def parse_today(value: str | None) -> date | None:
    """``--today YYYY-MM-DD`` as a date (None: the current date applies)."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value!r} is not a date; write YYYY-MM-DD") from None


def load(
    file: Path,
    kb: KnowledgeBase,
    *,
    triage: list[Path] | None,
    limits: Limits,
    hypotheses: bool = False,
) -> SystemModel:
    """The model with its triage files added (and hypotheses on, if asked)."""
    from actm.api import add_triage, load_model

    model = load_model(file, knowledge=kb, limits=limits)
    for t in triage or []:
        model = add_triage(model, t, limits=limits)
    return replace(model, hypotheses=True) if hypotheses else model


def analyse(
    file: Path,
    *,
    knowledge: list[Path] | None,
    triage: list[Path] | None,
    today: str | None,
    limits: Limits,
    controls: bool = True,
    tolerance_severity: str = "high",
    progress: bool = True,
    hypotheses: bool = False,
) -> Result:
    """Load the knowledge base, the model and its triage files, and analyse (with a spinner on
    a terminal unless ``progress`` is off or ``CI`` is set)."""
    from actm.api import analyze, load_knowledge

    day = parse_today(today)
    kb = load_knowledge(knowledge or [])
    model = load(file, kb, triage=triage, limits=limits, hypotheses=hypotheses)
    gc.freeze()  # the model lives for the whole run; spare the collector from rescanning it
    show_progress = progress and sys.stderr.isatty() and os.environ.get("CI") is None
    with _progress(show_progress) as observer:
        return analyze(
            model,
            knowledge=kb,
            controls=controls,
            tolerance_severity=tolerance_severity,
            observer=observer,
            today=day,
        )
