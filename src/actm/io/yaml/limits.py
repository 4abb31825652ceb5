"""The bounds the reader enforces (:class:`Limits`), the exception that carries what it refused
(:class:`YamlProblem`), and the diagnostics for passing a bound of size or depth."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from actm.errors import Diagnostic, SourceLocation
from actm.io.files import Reading
from actm.io.files import too_large as _too_large

__all__ = ["DEPTH_CEILING", "Limits", "YamlProblem", "too_deep", "too_large"]

_LIMIT_NAMES = ("max_file_bytes", "max_depth", "max_nodes", "max_alias_expansion", "max_elements")


_LOWEST = {"max_alias_expansion": 0}
"""Smallest allowed value of a limit, where it is not 1."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that protect the reader from hostile or accidental huge input.

    Every bound can be raised by the caller (the CLI exposes them as options and environment
    variables); the defaults are generous for real models.
    """

    max_file_bytes: int = 32 * 1024 * 1024
    """Largest file accepted, in bytes."""
    max_depth: int = 64
    """Deepest nesting of mappings and sequences."""
    max_nodes: int = 10_000_000
    """Largest number of values after aliases are expanded."""
    max_alias_expansion: int = 100_000
    """Largest number of values that aliases may add beyond the nodes written in the file."""
    max_elements: int = 1_000_000
    """Most elements in a model: entries of its sections (nodes, models, assets, relations,
    ...), counted over the root file and every file it includes. Checked by the model loader
    right after each file is read, before any schema or semantic check."""

    def __post_init__(self) -> None:
        for name in _LIMIT_NAMES:
            value = getattr(self, name)
            lowest = _LOWEST.get(name, 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                raise ValueError(f"Limits.{name}={value!r}: expected a whole number >= {lowest}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``ACTM_MAX_FILE_BYTES``, ``ACTM_MAX_DEPTH``, ... if set.

        Raises ValueError naming the variable when a value is not a whole number in range.
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name in _LIMIT_NAMES:
            var = "ACTM_" + name.upper()
            raw = env.get(var)
            if raw is None:
                continue
            text = raw.strip().replace("_", "")
            lowest = _LOWEST.get(name, 1)
            digits = text.isascii() and text.isdigit() and len(text) <= 18
            if not digits or int(text) < lowest:
                raise ValueError(
                    f"{var}={raw!r}: expected a whole number of at least {lowest} "
                    "(at most 18 digits)"
                )
            values[name] = int(text)
        return cls(**values)


class YamlProblem(Exception):
    """The file could not be read at all; carries the diagnostics found so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


# The converter (convert.py) recurses in Python (two frames a level), so whatever --max-depth
# says, no more than this many levels are read; it keeps far below the interpreter's recursion
# limit.
DEPTH_CEILING = 256


READING = Reading(
    what="YAML",
    pass_hint="pass a YAML file",
    stream_hint="save the model to a file and pass that",
    binary_hint="pass the YAML model file",
    too_large_hint="split the model with include:, or raise the limit with --max-file-bytes "
    "or ACTM_MAX_FILE_BYTES",
)
"""How messages about a YAML input file name it and say to fix it."""


def too_large(shown: str, size: int, limit: int) -> Diagnostic:
    """The diagnostic for a file of ``size`` bytes over ``limit``, at its first line."""
    return _too_large(shown, size, limit, READING.too_large_hint)


def too_deep(limit: int, where: SourceLocation) -> Diagnostic:
    hint = "flatten the structure; raise --max-depth only if the nesting is intended"
    if limit >= DEPTH_CEILING:
        hint = f"flatten the structure; actm reads at most {DEPTH_CEILING} levels of nesting"
    return Diagnostic(
        "too-deep", f"nesting is deeper than the limit of {limit} levels", where, hint
    )
