"""Large values left to the end of the process instead of freed when their work is done.

A command-line run builds a very large result (a hub's 30,000 threat records), writes it and
exits. Freeing it object by object when the command returns costs the main process nearly a
tenth of a second, for memory the process returns to the system a moment later anyway. (Only
what is done with at the very end is worth leaving: a value left earlier, such as a run's
facts and joins, would stay in memory through what follows and raise the peak.) The command line
(``actm.cli.app.main``) runs its command inside :func:`to_exit`; within it, :func:`leave`
parks what it is given in a reference cycle, which the disabled collector never frees and
``main`` freezes before the interpreter's last collection. Anywhere else (a program calling
the library) :func:`leave` does nothing and everything is freed as usual. A program that runs
``main`` several times holds at most the last command's values: entering :func:`to_exit` again
frees what the previous command left.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["leave", "to_exit"]

_leaving: list[bool] = [False]
"""Whether :func:`leave` holds what it is given (within :func:`to_exit`)."""

_parked: list[list[object]] = []
"""The cycles :func:`leave` made, released when :func:`to_exit` is entered again (a program
or a test that calls ``main`` several times holds at most the last command's values)."""


@contextmanager
def to_exit() -> Iterator[None]:
    """Within it, :func:`leave` holds what it is given until the process ends."""
    was = _leaving[0]
    if not was:  # a new command: what an earlier one left is freed now
        for held in _parked:
            held.clear()
        _parked.clear()
    _leaving[0] = True
    try:
        yield
    finally:
        _leaving[0] = was


def leave(*values: object) -> None:
    """Leave ``values`` to the end of the process (within :func:`to_exit`; else nothing)."""
    if not _leaving[0]:
        return
    held: list[object] = [values]
    held.append(held)
    _parked.append(held)
