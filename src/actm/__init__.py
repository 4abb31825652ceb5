"""actm: asset-centric threat modeling for AI and agentic systems.

The Python API in three calls::

    import actm
    model = actm.load_model("examples/customer-support-rag.yaml")
    result = actm.analyze(model)
    for threat in result.threats:
        print(threat.severity.level, threat.id, threat.chain_text)

``actm.ModelBuilder`` writes models in Python; see docs/python-api.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actm._version import __version__
from actm.api import (
    add_triage,
    analyze,
    import_files,
    load_knowledge,
    load_model,
    load_model_text,
)
from actm.errors import (
    ActmError,
    Diagnostic,
    KnowledgeError,
    ModelError,
    SourceLocation,
    UsageError,
)
from actm.model.builder import ModelBuilder

if TYPE_CHECKING:
    from actm.plan import make_plan

__all__ = [
    "ActmError",
    "Diagnostic",
    "KnowledgeError",
    "ModelBuilder",
    "ModelError",
    "SourceLocation",
    "UsageError",
    "__version__",
    "add_triage",
    "analyze",
    "import_files",
    "load_knowledge",
    "load_model",
    "load_model_text",
    "make_plan",
]


def __getattr__(name: str) -> Any:
    """The planner, loaded when first asked for (analysing a model does not need it)."""
    if name == "make_plan":
        from actm.plan import make_plan

        return make_plan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
