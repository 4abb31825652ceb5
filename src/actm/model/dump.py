"""Writing a model back to YAML: one self-contained file, includes inlined."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

from actm.model.schema import ModelFile
from actm.model.system import SystemModel

__all__ = ["dump_model", "model_to_data"]


def model_to_data(model: SystemModel | ModelFile) -> dict[str, Any]:
    """The model as plain data, keys as written in files, defaults left out."""
    source = model.source if isinstance(model, SystemModel) else model
    if not isinstance(source, ModelFile):  # pragma: no cover - every loader sets source
        raise TypeError("this model was not built from a model file or the builder")
    data: dict[str, Any] = source.model_dump(
        mode="json", by_alias=True, exclude_defaults=True, exclude_none=True
    )
    data.pop("include", None)
    return {"actm": 1, **{k: v for k, v in data.items() if k != "actm"}}


def dump_model(model: SystemModel | ModelFile) -> str:
    """YAML text that loads back to an equal model."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buf = io.StringIO()
    yaml.dump(model_to_data(model), buf)
    return buf.getvalue()
