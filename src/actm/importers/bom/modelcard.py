"""Hugging Face model cards: the YAML front matter of a model repository's README.md.

The draft holds the model the card describes (named by its ``model-index``, else the card's first
heading, else the repository directory), with:

* its kind from its ``pipeline_tag`` or tags (the ``model_kinds`` table of ``bom.yaml``);
* its ``base_model`` (a model it is fine-tuned from; a merge of several is noted);
* its ``datasets`` as datasets it is trained on, and the datasets of its ``model-index`` as
  those it is evaluated on, the reported metrics as the description of its
  ``validation_results`` (an invalid ``model-index`` is left out, with a note);
* its ``library_name`` as the package that loads it;
* its licence in its description.

The front matter is read with actm's YAML reader and its limits (duplicate keys, alias bombs
and over-deep nesting refused) after a byte-order mark, blank lines before the first ``---``
and CRLF line ends; a card whose front matter is not YAML (the Hub's template, with
``{placeholders}``) is refused at the line that breaks. When ``huggingface_hub`` is installed
(``pip install 'actm[import]'``) its own reading of ``model-index`` decides which evaluation
results are valid; it is never asked to reach the Hub.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from actm.errors import ModelError
from actm.importers.bom.common import BomDraft, text_of
from actm.importers.draft import Draft, DraftBuilder
from actm.importers.interface import Confidence, Importer, ImportOptions, refuse
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_list, as_str, is_dict, strings
from actm.io.files import FileProblem, Reading, decode_utf8, read_limited
from actm.io.yaml import YamlProblem, parse_yaml

__all__ = ["ModelCard"]

_READING = Reading(
    what="model card",
    pass_hint="pass the model card (README.md)",
    stream_hint="save the card to a file and pass that",
    binary_hint="pass the model card, a Markdown file",
    too_large_hint="raise the limit with --max-file-bytes if the card is meant to be this large",
)
_OPEN = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:[ \t]*\r?\n)*---[ \t]*\r?\n")
_CARD_KEYS = re.compile(rb"^(model-index|base_model|library_name|pipeline_tag)\s*:", re.MULTILINE)
_META_KEYS = re.compile(rb"^(license|datasets|tags|language|metrics)\s*:", re.MULTILINE)
_HEADING = re.compile(r"^#[ \t]++([^\n]*)", re.MULTILINE)
"""A first-level heading's line (no nested or overlapping repeats: a lazy title before
optional blanks and closing hashes took time cubic in the blanks of a hostile card)."""
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
"""A Markdown link: its text (without brackets) and its target (without parentheses), so a
search from each ``[`` or ``(`` stops at the next one: linear in the text."""


def _front_matter(text: str) -> tuple[str, str] | None:
    """(the front matter with every line before it blanked, so that YAML positions are the
    file's, the body after it), or None when the text has none."""
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or lines[i].strip() != "---":
        return None
    for j in range(i + 1, len(lines)):
        if lines[j].strip() in ("---", "..."):
            yaml = "\n" * (i + 1) + "".join(lines[i + 1 : j])
            return yaml, "".join(lines[j + 1 :])
    return None


def _dataset_name(value: Any) -> str | None:
    """A dataset as a card names it: an id, or a URL with Markdown around it."""
    text = text_of(value, 300)
    if text is None:
        return None
    text = _LINK.sub(r"\1", text).split(" (", 1)[0].strip()
    text = re.sub(r"^[a-z]+://", "", text).strip("/ ")
    return text[:200] or None


def _results(index: Any) -> tuple[list[tuple[str, str, str, str]], bool]:
    """The evaluation results of a ``model-index`` as (task, dataset id, dataset name, metric
    text), and whether it is valid (a result lacking its task type, dataset type or name, or
    a metric's type or value, makes the whole index invalid, as for the Hub)."""
    try:
        return _read_index(index), True
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return [], False


def _read_index(index: Any) -> list[tuple[str, str, str, str]]:
    """The results as ``huggingface_hub`` reads them, else as :func:`_own_results` does."""
    try:
        from huggingface_hub.repocard_data import model_index_to_eval_results
    except ImportError:
        return _own_results(index)
    _, found = model_index_to_eval_results(index)
    return [
        (r.task_type, str(r.dataset_type), str(r.dataset_name), f"{r.metric_type} {r.metric_value}")
        for r in found
    ]


def _own_results(index: Any) -> list[tuple[str, str, str, str]]:
    if not isinstance(index, list) or not index:
        raise ValueError("model-index must be a non-empty list")
    out = []
    for elem in index:
        for result in elem["results"]:
            task, data = result["task"]["type"], result["dataset"]
            for metric in result["metrics"]:
                out.append(
                    (
                        task,
                        str(data["type"]),
                        str(data["name"]),
                        f"{metric['type']} {metric['value']}",
                    )
                )
    return out


def _name(meta: Mapping[str, Any], body: str, path: Path) -> str:
    index = as_list(meta.get("model-index"))
    if index and is_dict(index[0]):
        named = text_of(index[0].get("name"), 200)
        if named:
            return named
    for heading in _HEADING.finditer(body):
        title = text_of(heading.group(1).rstrip().rstrip("#").rstrip(), 200)
        if title:
            return str(title)
    if path.name.lower() == "readme.md" and path.resolve().parent.name:
        return path.resolve().parent.name
    return path.stem


def _words(meta: Mapping[str, Any]) -> list[str]:
    tag = as_str(meta.get("pipeline_tag"))
    words = [tag] if tag is not None else []
    return words + _strings(meta.get("tags"))


def _strings(value: Any) -> list[str]:
    """A string, or the strings of a list (a card writes either)."""
    return [value] if isinstance(value, str) else strings(value)


def _draft(bom: BomDraft, meta: Mapping[str, Any], name: str) -> None:
    licence = text_of(meta.get("license"), 100)
    description = f"Licence: {licence}." if licence else None
    results, valid = _results(meta["model-index"]) if "model-index" in meta else ([], True)
    details = {}
    if results:
        shown = [f"{metric} on {data} ({task})" for task, _, data, metric in results]
        details["validation_results"] = "Reported: " + "; ".join(shown[:10])
    bom.ground(name, name, "A model described by its Hugging Face model card", "")
    model = bom.model(name, "", words=_words(meta), description=description, details=details)
    if not valid:
        bom.builder.note(
            "unplaced",
            "its model-index is invalid (a result lacks its task, dataset or metric)",
            "/model-index",
        )
    bases = _strings(meta.get("base_model"))
    for i, base in enumerate(bases[:1]):
        bom.base(model, bom.model(base, f"/base_model/{i}", words=_words(meta)))
    if len(bases) > 1:
        bom.builder.note(
            "info", f"a merge of {', '.join(bases)}: base_model names the first", "/base_model"
        )
    for i, ds in enumerate(_strings(meta.get("datasets"))):
        found = _dataset_name(ds)
        if found:
            bom.trained_on(model, bom.dataset(found, f"/datasets/{i}"), f"/datasets/{i}")
    for _, ident, data, _ in results:
        bom.tested_on(model, bom.dataset(ident, "/model-index", description=data), "/model-index")
    library = text_of(meta.get("library_name"), 100)
    if library:
        bom.package(library, "pypi", "/library_name", description=f"The library that loads {name}")


class ModelCard(Importer):
    name = "hf-model-card"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if not _OPEN.match(head):
            return None
        if _CARD_KEYS.search(head):
            return Confidence.CERTAIN if path.suffix.lower() == ".md" else Confidence.LIKELY
        if _META_KEYS.search(head) and path.suffix.lower() == ".md":
            return Confidence.LIKELY
        return None

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        try:
            raw = read_limited(path, options.limits.max_file_bytes, shown, _READING)
            text = decode_utf8(raw, shown, _READING)
        except FileProblem as exc:
            raise ModelError(exc.diagnostics) from None
        found = _front_matter(text)
        if found is None:
            raise refuse(
                shown,
                "it has no YAML front matter ('---' lines at the top)",
                "pass a model card whose metadata is in front matter",
            )
        yaml, body = found
        try:
            meta = parse_yaml(yaml, shown, options.limits).data
        except YamlProblem as exc:
            first = exc.diagnostics[0]
            raise refuse(
                shown,
                f"its front matter is not valid YAML: {first.message}",
                "fix the front matter (the Hub's template has {placeholders} to fill in)",
                first.location,
            ) from None
        if not isinstance(meta, dict):
            raise refuse(
                shown,
                "its front matter is not a mapping of keys",
                "pass a model card whose metadata is in front matter",
            )
        builder = DraftBuilder(shown, self.name, options.reserved)
        _draft(BomDraft(builder), meta, _name(meta, body, path))
        return builder.build()
