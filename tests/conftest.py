"""Test-wide settings: hypothesis profiles, and ACTM_REQUIRE_BROWSER.

`ci` (the default) keeps property tests quick; `HYPOTHESIS_PROFILE=long python -m pytest
tests/engine/test_properties.py` runs many more examples when you change the engine.
`HYPOTHESIS_PROFILE=fuzz-long` is for long fuzz runs (tests/fuzz/harness.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Long fuzz runs (tests/fuzz, docs/robustness.md): random rather than derandomized examples;
# ACTM_FUZZ_EXAMPLES sets how many.
settings.register_profile(
    "fuzz-long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# ACTM_REQUIRE_BROWSER=1 (set by .ci/run, which installs the tools) turns a skip for a missing
# browser, PDF or diagram tool into a failure, so that CI cannot pass by skipping them.
_TOOL_SKIP = re.compile(
    r"chromium|playwright|pdftoppm|poppler|weasyprint|graphviz|\bdot\b", re.IGNORECASE
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[Any]:
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or os.environ.get("ACTM_REQUIRE_BROWSER", "") in ("", "0"):
        return
    if isinstance(report.longrepr, tuple) and _TOOL_SKIP.search(str(report.longrepr[2])):
        report.outcome = "failed"
        report.longrepr = f"ACTM_REQUIRE_BROWSER is set, but the test skipped: {report.longrepr[2]}"
