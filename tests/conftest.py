"""Test-wide settings: hypothesis profiles.

`ci` (the default) keeps property tests quick; `HYPOTHESIS_PROFILE=long python -m pytest
tests/engine/test_properties.py` runs many more examples when you change the engine.
`HYPOTHESIS_PROFILE=fuzz-long` is for long fuzz runs (tests/fuzz/harness.py).
"""

from __future__ import annotations

import os

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
