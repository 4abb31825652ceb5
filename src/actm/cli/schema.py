"""``actm schema``: the JSON Schema of the model format, or of the JSON result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from actm.cli.common import KnowledgeOpt, guard, output_path, write


def schema(
    result: Annotated[
        bool, typer.Option("--result", help="Print the schema of analysis results instead.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to a file.", parser=output_path),
    ] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """Print the JSON Schema of the model format (or of the JSON result).

    The model schema lists the vocabulary's kinds, types, components, capabilities and classes
    (extended by --knowledge), so editors can complete them.
    """
    with guard():
        if result:
            from actm.render.json import result_json_schema

            data = result_json_schema()
        else:
            from actm.api import load_knowledge
            from actm.model.schema import model_json_schema

            kb = load_knowledge(knowledge or [])
            data = model_json_schema(kb.vocabulary, kb.attacks)
        write(json.dumps(data, indent=2, sort_keys=False) + "\n", output)
