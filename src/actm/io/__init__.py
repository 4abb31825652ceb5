"""The ground floor: safe YAML reading with source locations, and located diagnostics.

Every layer above (model, knowledge, engine, ...) reads files through :mod:`actm.io.yaml` and
turns validation errors into :class:`~actm.errors.Diagnostic` through :mod:`actm.io.diagnose`.
This package imports nothing of actm but :mod:`actm.errors`.
"""

from __future__ import annotations

from actm.io.yaml import Limits

__all__ = ["Limits"]
