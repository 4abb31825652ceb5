"""A draft as model text: a new model file, or new elements added into an existing one.

:func:`render` writes a whole model: a header naming the sources, then each section, every
element preceded by ``# from FILE#/pointer`` and each decision the input does not make marked
``# review: ...`` on the line above the key it concerns (or at the end of the element when the
key is absent), then the notes. The same draft always gives the same bytes.

:func:`merge_into` adds a draft's elements to an existing model *as text*: the user's file is
kept byte for byte (comments, quoting, order, line ends) and the new elements are inserted at
the end of their sections (a missing section is appended). An element whose id the model
already has in the same section is left as the user wrote it; an id the model uses in another
section is renamed in the draft (with every reference to it). Importing the same files again
therefore adds nothing: the result is the same file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from actm.errors import UsageError
from actm.importers.draft import (
    SECTIONS,
    Draft,
    Element,
    Note,
    collisions,
    identity,
    renamed,
    thawed,
)
from actm.io.visible import TAGS, visible
from actm.io.yaml import YamlDocument

__all__ = ["Existing", "Merged", "merge_into", "render"]

_NOTE_HEADINGS = (
    ("threat", "Threats the input records (actm analyze finds its own):"),
    ("unplaced", "Not placed in the model:"),
    ("info", "Worth knowing when you review:"),
)
_FLOW_WIDTH = 80
_DOCUMENT_END = re.compile(r"^\.\.\.[ \t]*(?:#[^\r\n]*)?\r?$", re.MULTILINE)
"""The YAML document-end marker ``...`` on a line of its own (a comment may follow)."""


# -- one element ----------------------------------------------------------------------------


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _yaml_value(value: Any, *, block: bool = False) -> Any:
    """Plain data as ruamel round-trip types, with short lists and small mappings of scalars
    in flow style (``runs_on: [a, b]``, ``mcp: {transport: stdio}``) unless ``block``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        out = CommentedMap((_quoted_if_unsafe(k), _yaml_value(v)) for k, v in value.items())
        small = all(_scalar(v) for v in value.values()) and len(repr(dict(value))) < _FLOW_WIDTH
        if small and not block:
            out.fa.set_flow_style()
        return out
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(_yaml_value(v) for v in value)
        if all(_scalar(v) for v in value) and len(repr(list(value))) < _FLOW_WIDTH:
            seq.fa.set_flow_style()
        return seq
    return _quoted_if_unsafe(value)


def _quoted_if_unsafe(value: Any) -> Any:
    """A string holding a character :func:`_shown` spells out, double-quoted, the one style in
    which the spelling is an escape of that same character."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, str) and _shown(value) != value:
        return DoubleQuotedScalarString(value)
    return value


def _shown(line: str) -> str:
    """``line`` with its control and invisible characters spelled out as YAML escapes (a tag
    character as ``\\U000e0041``, which YAML reads back as one character; the others as
    io/visible.py spells them, which YAML reads the same way)."""
    if not line.isascii():
        line = TAGS.sub(lambda m: f"\\U{ord(m.group()):08x}", line)
    return visible(line)


def _dump(mapping: Mapping[str, Any]) -> list[str]:
    """``mapping`` as the lines of one item of a block list: ``  - id: x`` / ``    kind: y``."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    buf = io.StringIO()
    yaml.dump([_yaml_value(thawed(mapping), block=True)], buf)
    # what the emitter left raw inside those double-quoted strings (U+202E, a zero-width
    # space) is spelled out: a draft is read in a terminal before anyone validates it
    return [_shown(line) for line in buf.getvalue().splitlines()]


def _comment(text: str, indent: int) -> str:
    """A comment line: text from the input (names, paths, a server's description) on one line,
    its control and invisible characters spelled out (io/visible.py) as they would be in a
    double-quoted scalar, since a comment is shown as it is by ``cat`` or a terminal."""
    return " " * indent + "# " + _shown(" ".join(text.split()))


def element_lines(element: Element, *, with_id: bool = True) -> list[str]:
    """The lines of ``element`` as an item of its section's list (dash at column 2), with its
    origin and review comments."""
    fields = {"id": element.id, **element.fields} if with_id else dict(element.fields)
    lines = _dump(fields)
    head = [_comment(f"from {element.origin}", 2)]
    tail: list[str] = []
    keyed: dict[str, list[str]] = {}
    for r in element.review:
        if not r.key:
            head.append(_comment(f"review: {r.question}", 2))
        elif r.key in fields and r.key != "id":
            keyed.setdefault(r.key, []).append(r.question)
        else:
            tail.append(_comment(f"review: {r.key}: {r.question}", 4))
    out = head
    for line in lines:
        key = line[4:].split(":", 1)[0] if line.startswith("    ") and line[4:5] != " " else None
        for question in keyed.get(key or "", ()):
            out.append(_comment(f"review: {key}: {question}", 4))
        out.append(line)
    return out + tail


def _system_lines(system: Element) -> list[str]:
    lines = ["system:"]
    item = element_lines(system)
    # the system is a mapping, not a list item: drop the "- " and one level of indentation
    for line in item:
        if line.startswith("  - "):
            lines.append("  " + line[4:])
        elif line.startswith("    "):
            lines.append(line[2:])
        else:
            lines.append(line)
    return lines


def _note_lines(notes: Sequence[Note]) -> list[str]:
    out: list[str] = []
    for kind, heading in _NOTE_HEADINGS:
        these = [n for n in notes if n.kind == kind]
        if not these:
            continue
        out += ["", f"# {heading}"]
        out += [_comment(f"- {n.origin}: {n.text}", 0) for n in these]
    return out


def render(draft: Draft) -> str:
    """The model file of ``draft``."""
    pairs = zip(draft.sources, draft.formats, strict=True)
    sources = ", ".join(f"{s} ({f})" for s, f in pairs if f != "discover")
    lines = [
        _comment(f"Drafted by actm from {sources}.", 0),
        "# Every element says where it came from (# from FILE#/pointer). A '# review:' line marks",
        "# a decision the input does not make: answer each one, then run actm validate.",
        "actm: 1",
    ]
    if draft.system is not None:
        lines += _system_lines(draft.system)
    for section in SECTIONS:
        elements = draft.section(section)
        if not elements:
            continue
        lines += ["", f"{section}:"]
        for e in elements:
            lines += element_lines(e)
    lines += _note_lines(draft.notes)
    return "\n".join(lines) + "\n"


# -- merging into an existing model ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Existing:
    """What an existing model already holds, over its root file and every included file."""

    ids: Mapping[str, str]
    """Each element id -> its section."""
    relations: frozenset[tuple[str, ...]]
    """The identity of each relation (``("relations", kind, from, to)``)."""
    first_party: str | None
    """The model's own organisation: the system's owner, else its first-party owner."""


@dataclass(frozen=True, slots=True)
class Merged:
    """The merged text and what the merge did."""

    text: str
    added: tuple[tuple[str, str], ...]
    """(section, id) of each element added, in file order."""
    kept: tuple[tuple[str, str], ...]
    """(section, id) of each drafted element the model already had: left as it is."""
    renamed: Mapping[str, str]
    """Drafted ids the model uses in another section -> the id the element got instead."""
    reviews: int
    """How many review questions the added elements carry."""


def _first_party(draft: Draft) -> str | None:
    for e in draft.section("owners"):
        if e.get("first_party") is True or e.get("trust") == "first_party":
            return e.id
    return None


def _last_offset(node: Any) -> int:
    """The offset just past the last character of ``node``'s content."""
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return int(node.end_mark.index)


def _line_end(text: str, offset: int) -> int:
    """The offset where the line holding ``offset - 1`` ends (past its line break)."""
    if offset > 0 and text[offset - 1] == "\n":
        return offset
    nl = text.find("\n", offset)
    return len(text) if nl < 0 else nl + 1


def _shift(lines: list[str], dash: int) -> list[str]:
    """``lines`` (items with the dash at column 2) moved so that the dash is at ``dash``."""
    if dash >= 2:
        return [" " * (dash - 2) + line for line in lines]
    return [line[2 - dash :] if line.startswith("  ") else line for line in lines]


@dataclass(frozen=True, slots=True)
class _Edit:
    """Lines that replace the span ``start``..``end`` of the text."""

    start: int
    end: int
    lines: list[str]
    appended: bool = False
    """A new section at the end of the file (it goes after items added to the last section)."""


def _document_end(doc: YamlDocument, text: str) -> int:
    """Where the document ends: at its end marker ``...`` when it has one (what follows the
    marker is not part of it), else at the end of the text."""
    found = _DOCUMENT_END.search(text, _line_end(text, _last_offset(doc.root)))
    return found.start() if found is not None else len(text)


def _place(doc: YamlDocument, text: str, section: str, items: list[Element]) -> _Edit:
    """Where ``items`` go in ``text`` (the document's, with LF line breaks when it has CR
    ones only) and their lines, indented as the section's list is."""
    lines = [line for e in items for line in element_lines(e)]
    for key, value in doc.root.value:
        if not (isinstance(key, ScalarNode) and key.value == section):
            continue
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            first = value.value[0].start_mark.index
            line_start = text.rfind("\n", 0, first) + 1
            dash = text.rfind("-", line_start, first) - line_start
            end = _line_end(text, _last_offset(value))
            return _Edit(end, end, _shift(lines, max(dash, 0)))
        if isinstance(value, SequenceNode) and not value.value:  # an empty flow list: []
            return _Edit(value.start_mark.index, value.end_mark.index, ["", *lines])
        if isinstance(value, ScalarNode) and value.value == "" and not value.style:
            end = _line_end(text, key.end_mark.index)
            return _Edit(end, end, lines)
        raise UsageError(
            f"cannot add to {section}: at {doc.path}:{value.start_mark.line + 1} it is not a "
            "list written one item per line; write it as '- ...' items to import into it"
        )
    end = _document_end(doc, text)
    return _Edit(end, end, ["", f"{section}:", *lines], appended=True)


def _plan(draft: Draft, existing: Existing) -> tuple[Draft, dict[str, str]]:
    """``draft`` renamed to fit the model: its first-party owner is the model's own, and an
    id the model uses in another section gets another name."""
    names: dict[str, str] = {}
    ours = _first_party(draft)
    if ours is not None and existing.first_party is not None:
        names[ours] = existing.first_party
    draft = renamed(draft, names)
    clash = collisions(draft, existing.ids, frozenset())
    return renamed(draft, clash), clash


def merge_into(doc: YamlDocument, draft: Draft, existing: Existing, *, bom: bool = False) -> Merged:
    """The text of ``doc`` (the root file of an existing model; ``bom``: it starts with a
    byte-order mark) with the elements of ``draft`` that the model lacks inserted into it."""
    draft, clash = _plan(draft, existing)
    added: list[Element] = []
    kept: list[tuple[str, str]] = []
    for e in draft.elements:
        present = (
            identity(e) in existing.relations
            if e.section == "relations"
            else existing.ids.get(e.id) == e.section
        )
        if present:
            kept.append((e.section, e.id))
        else:
            added.append(e)
    body = doc.text  # without a byte-order mark: the offsets of the parse are into it
    # a file with CR line breaks only is edited with LF ones, put back at the end: one
    # character for another, so the offsets of the parse stay valid
    cr_only = "\r" in body and "\n" not in body
    if cr_only:
        body = body.replace("\r", "\n")
    newline = "\r\n" if "\r\n" in body else "\n"
    sections = [s for s in SECTIONS if any(e.section == s for e in added)]
    edits = [_place(doc, body, s, [e for e in added if e.section == s]) for s in sections]
    if edits and body and not body.endswith("\n"):
        last = len(body)
        body += newline
        edits = [
            replace(e, start=len(body), end=len(body)) if e.start == last else e for e in edits
        ]
    # from the end of the file back, so that earlier offsets stay valid; at one offset, the
    # items of a section before new sections, and the sections in their order
    ranked = sorted(enumerate(edits), key=lambda x: (x[1].start, x[1].appended, x[0]))
    for _, edit in reversed(ranked):
        block = newline.join(edit.lines) + newline
        body = body[: edit.start] + block + body[edit.end :]
    if cr_only:
        body = body.replace("\n", "\r")
    order = sorted(added, key=lambda e: SECTIONS.index(e.section))
    return Merged(
        text=("\ufeff" if bom else "") + body,
        added=tuple((e.section, e.id) for e in order),
        kept=tuple(kept),
        renamed=clash,
        reviews=sum(len(e.review) for e in added),
    )
