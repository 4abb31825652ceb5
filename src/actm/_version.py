"""The version of actm: the one place it is written.

pyproject.toml reads it (``dynamic = ["version"]``), so the installed metadata
(``importlib.metadata.version("actm")``) and ``actm.__version__`` cannot disagree.
"""

from __future__ import annotations

__version__ = "0.1.0"
