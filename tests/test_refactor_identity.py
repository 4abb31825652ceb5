"""Temporary guard for the architecture refactor (issue 11): outputs stay byte-identical.

Every example, every ATLAS case study and a generated 10k-asset model must give the same JSON
result as before the refactor, and the bundled examples the same bytes in every text format.
The expected SHA-256 digests were recorded at commit 94e2bab, before the refactor began.
This file is deleted once the refactor is merged; behaviour changes after that are reviewed
through the goldens and the exact-id tests instead.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((Path(__file__).parent / "refactor_identity.json").read_text())
TODAY = "2026-01-01"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cli(*args: str, cwd: Path = ROOT) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "actm", *args], capture_output=True, cwd=cwd, check=False
    )
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.stdout


@pytest.mark.parametrize("key", sorted(k for k in EXPECTED if k.startswith("json:examples/")))
def test_json_identical(key: str) -> None:
    path = key.removeprefix("json:")
    assert _digest(_cli("analyze", path, "-f", "json", "--today", TODAY)) == EXPECTED[key]


@pytest.mark.parametrize("key", sorted(k for k in EXPECTED if k.startswith("fmt:")))
def test_format_identical(key: str) -> None:
    _, fmt, path = key.split(":", 2)
    assert (
        _digest(_cli("analyze", path, "-f", fmt, "--today", TODAY, "--no-color")) == (EXPECTED[key])
    )


@pytest.mark.slow
def test_generated_10k_identical(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    model = tmp_path / "model-10k.yaml"
    model.write_text(generate(10000, seed=1), encoding="utf-8")
    out = _cli("analyze", model.name, "-f", "json", "--today", TODAY, cwd=tmp_path)
    assert _digest(out) == EXPECTED["json:generated:10000:1"]
