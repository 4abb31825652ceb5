"""Reference data for the tests: the framework id tables that ship with actm, always there, and
the published framework data (MITRE ATLAS, CoSAI, SAIF) for the cross-checks that skip without
it. The published data is looked for in ``$ACTM_SHARED_DATA``, else in ``../shared/data``
beside the repository; ``ACTM_SHARED_DATA=/nonexistent`` runs the suite as a fresh clone would.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ACTM_SHARED_DATA") or ROOT.parent / "shared" / "data")


def shared(*parts: str) -> Path:
    """A file of the published data; skips the test where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} is not available (published framework data)")
    return path


def load_shared(*parts: str) -> Any:
    return yaml.load(shared(*parts).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def pinned_text(rel: str) -> str:
    """The text of a table shipped in the package, ``knowledge/data/<rel>``."""
    return (resources.files("actm.knowledge") / "data" / rel).read_text(encoding="utf-8")


def pinned(rel: str) -> Any:
    """A table shipped in the package, ``knowledge/data/<rel>``, parsed."""
    return yaml.safe_load(pinned_text(rel))
