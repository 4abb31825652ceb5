"""The evaluation scripts (evaluation/*.py), loaded as modules for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EVALUATION = Path(__file__).resolve().parent.parent / "evaluation"


def load_evaluation(name: str) -> ModuleType:
    """``evaluation/<name>.py`` as the module ``evaluation_<name>``."""
    spec = importlib.util.spec_from_file_location(f"evaluation_{name}", EVALUATION / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module
