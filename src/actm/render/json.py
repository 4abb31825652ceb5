"""JSON output: the canonical result, and its JSON Schema."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from actm.results.model import Result

__all__ = ["render_json", "result_json_schema", "result_to_data"]


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter[Result]:
    return TypeAdapter(Result)


def result_to_data(result: Result) -> dict[str, Any]:
    """The result as plain JSON-compatible data (timings left out: output never depends on time)."""
    data: dict[str, Any] = _adapter().dump_python(result, mode="json")
    data.pop("timings", None)
    return data


def render_json(result: Result) -> str:
    """Deterministic, pretty-printed JSON ending with a newline."""
    raw = _adapter().dump_json(result, indent=2, exclude={"timings"})
    text = raw.decode("utf-8")
    del raw  # two copies of a large result at a time, not three
    return text + "\n"


def result_json_schema() -> dict[str, Any]:
    schema = _adapter().json_schema(mode="serialization")
    schema.get("properties", {}).pop("timings", None)
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r != "timings"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://actm.dev/schema/result-v1.json"
    schema["title"] = "actm analysis result (format 1)"
    return schema
