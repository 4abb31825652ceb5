"""Large values left to the end of the process instead of freed when their work is done.

A command-line run builds a very large result (a hub's 30,000 threat records), writes it and
exits. Freeing it object by object when the command returns costs the main process nearly a
tenth of a second, for memory the process returns to the system a moment later anyway. (Only
what is done with at the very end is worth leaving: a value left earlier, such as a run's
facts and joins, would stay in memory through what follows and raise the peak.) The command line
(``actm.cli.app.main``) runs its command inside :func:`to_exit`; within it, :func:`leave`
parks what it is given in a reference cycle, which the disabled collector never frees and
``main`` freezes before the interpreter's last collection. Anywhere else (a program calling
the library) :func:`leave` does nothing and everything is freed as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["leave", "to_exit"]

_leaving: list[bool] = [False]
"""Whether :func:`leave` holds what it is given (within :func:`to_exit`)."""


@contextmanager
def to_exit() -> Iterator[None]:
    """Within it, :func:`leave` holds what it is given until the process ends."""
    was = _leaving[0]
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
