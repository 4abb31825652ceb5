"""Reading one knowledge file: parse it and check it against its schema, collecting problems."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from actm.errors import Diagnostic
from actm.io.diagnose import validate_document
from actm.io.yaml import YamlDocument, YamlProblem, parse_yaml

__all__ = ["read_knowledge_file"]

M = TypeVar("M", bound=BaseModel)


def read_knowledge_file(
    path: Path, shown: str, schema: type[M], errors: list[Diagnostic]
) -> tuple[YamlDocument, M] | None:
    """The document at ``path`` (named ``shown`` in messages) and its validated content, or
    None with the problems appended to ``errors``."""
    try:
        doc = parse_yaml(path.read_bytes(), shown)
    except YamlProblem as exc:
        errors.extend(exc.diagnostics)
        return None
    except OSError as exc:
        errors.append(Diagnostic("knowledge-unreadable", f"cannot read {shown}: {exc}"))
        return None
    spec, problems = validate_document(schema, doc)
    if spec is None:
        errors.extend(problems)
        return None
    return doc, spec
