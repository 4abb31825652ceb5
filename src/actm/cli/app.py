"""The ``actm`` command line: the typer app, its global options, and :func:`main`.

Thin: each command lives in its own module of this package, parses its options, calls the
API and writes what a renderer of :mod:`actm.render.formats` makes of the value. Errors
become messages and exit codes in :mod:`actm.cli.common`.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer

from actm._version import __version__
from actm.cli import (
    analyze,
    check,
    diagram,
    diff,
    discover,
    imports,
    kb,
    plan,
    schema,
    validate,
)
from actm.cli.common import guard, out
from actm.errors import EXIT_OK, EXIT_USAGE
from actm.lifetime import to_exit

__all__ = ["app", "main"]

app = typer.Typer(
    name="actm",
    help="Asset-centric threat modeling for AI and agentic systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        with guard():
            out(f"actm {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Describe your AI system as a YAML model; actm works out what an adversary can do."""


# in the order `actm --help` lists them
app.command()(validate.validate)
app.command()(schema.schema)
app.command()(analyze.analyze)
app.command()(check.check)
app.command()(diff.diff)
app.command()(plan.plan)
app.command()(diagram.diagram)
app.command(name="import")(imports.import_)
app.command()(discover.discover)
app.add_typer(kb.kb_app, name="kb")


def main() -> None:
    """Console-script entry point."""
    # A run builds one large, long-lived, acyclic structure (the model, then the facts) and
    # exits. CPython's cyclic collector would rescan it again and again for nothing: on a
    # 50,000-asset model that is most of the load time. Reference counting still frees memory.
    gc.disable()
    try:
        with to_exit():  # what the command leaves is freed by the process's end (actm.lifetime)
            app()
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, int) and code == 2 and len(sys.argv) > 1:
            raise SystemExit(EXIT_USAGE) from None
        raise
    finally:
        # The interpreter collects cycles once more as it exits, collector disabled or not:
        # over what an analysis leaves (a 1,000-tool hub: some 200,000 objects in cycles) that
        # is a few tenths of a second spent freeing memory the process is about to return
        # anyway. Frozen objects are left out of that collection; exit handlers still run.
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
