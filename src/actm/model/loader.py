"""Read model files: parse, follow includes, validate the schema, resolve the semantics."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from actm.errors import Diagnostic, ModelError, SourceLocation
from actm.io.diagnose import validate_document, validation_diagnostics
from actm.io.yaml import Limits, YamlDocument, YamlProblem, parse_yaml, read_yaml_file
from actm.knowledge.vocabulary import Vocabulary, builtin_vocabulary
from actm.model.resolve import SourceFile, resolve
from actm.model.schema import SECTIONS, ModelFile, TriageFile
from actm.model.system import SystemModel, TriageEntry

__all__ = ["add_triage_file", "load_model", "load_model_text", "read_files"]

MAX_INCLUDES = 256


def _display(path: Path) -> str:
    """A path as the user wrote it (normalised), so messages point where they expect."""
    return os.path.normpath(str(path))


_PLACEHOLDER_ID = "invalid-system"


def _partial(
    doc: YamlDocument, exc_locs: list[tuple[str | int, ...]]
) -> tuple[ModelFile | None, set[str], dict[str, tuple[int, ...]]]:
    """The file without the elements that failed the schema, and the ids those elements had.

    Semantic checks then run on everything that is well-formed, so a user sees schema and
    semantic problems together; references to a dropped element are not reported twice. The
    third value maps each section with dropped elements to the original index of every kept
    element, so that later diagnostics still point at the right place in the file.
    """
    data = dict(doc.data)
    bad_items: dict[str, set[int]] = {}
    bad_system: set[str] = set()
    for loc in exc_locs:
        if not loc:
            return None, set(), {}
        section = loc[0]
        if section in SECTIONS and len(loc) > 1 and isinstance(loc[1], int):
            bad_items.setdefault(str(section), set()).add(loc[1])
        elif section == "actm":
            if "actm" in data:  # a wrong version: the rest may be another format
                return None, set(), {}
            data["actm"] = 1  # missing: reported; check the rest as version 1
        elif section == "system":
            # reported already; keep checking the rest with the faulty keys left out
            bad_system.add(str(loc[1]) if len(loc) > 1 else "")
        else:
            data.pop(str(section), None)
    if bad_system:
        system = data.get("system")
        fixed = {
            k: v
            for k, v in (system.items() if isinstance(system, dict) else ())
            if k not in bad_system
        }
        fixed.setdefault("id", _PLACEHOLDER_ID)
        data["system"] = fixed
    dropped: set[str] = set()
    indices: dict[str, tuple[int, ...]] = {}
    for section, bad in bad_items.items():
        items = data.get(section)
        if not isinstance(items, list):
            data.pop(section, None)
            continue
        kept = []
        for i, item in enumerate(items):
            if i in bad:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    dropped.add(item["id"])
            else:
                kept.append(item)
        data[section] = kept
        indices[section] = tuple(i for i in range(len(items)) if i not in bad)
    try:
        return ModelFile.model_validate(data), dropped, indices
    except ValidationError:
        return None, set(), {}


TOO_MANY_ELEMENTS = "too-many-elements"


def _count_elements(doc: YamlDocument, before: int, limit: int) -> tuple[int, Diagnostic | None]:
    """The element count with ``doc``'s sections added, and a diagnostic if that passes
    ``limit``.

    ``before`` elements were counted in files read earlier. Counting looks at list lengths only,
    so it runs before any schema check, however large the file.
    """
    data = doc.data
    total = before
    for section in SECTIONS:
        items = data.get(section)
        if not isinstance(items, list):
            continue
        if total + len(items) > limit:
            return total, Diagnostic(
                TOO_MANY_ELEMENTS,
                f"the model has more than {limit:,} elements (entries of sections such as "
                "nodes, models and assets, over all its files)",
                doc.locate((section, limit - total)),
                "split the system into several models, or raise the limit with --max-elements "
                "or ACTM_MAX_ELEMENTS",
            )
        total += len(items)
    return total, None


def _unreadable(path: Path, exc: Exception, via: SourceLocation | None) -> Diagnostic:
    reason = getattr(exc, "strerror", None) or str(exc)
    return Diagnostic(
        "file-unreadable",
        f"cannot read {_display(path)!r}: {reason}",
        via,
        "check the path: it must name a readable file",
    )


class _Reader:
    """One reading of a model file and the files it includes: what has been read so far, and
    what :func:`read_files` returns."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.files: list[SourceFile] = []
        self.diags: list[Diagnostic] = []
        self.tolerated: set[str] = set()
        self.seen: set[Path] = set()
        self.shown_as: dict[Path, str] = {}  # resolved path -> the path as the user wrote it
        self.elements = 0
        self.stopped = False  # past the element limit: read nothing more

    def visit(self, path: Path, stack: tuple[Path, ...], via: SourceLocation | None) -> None:
        """Read ``path`` (included at ``via``, None for the root; ``stack`` the resolved paths
        of the files including it) and then, depth first, the files it includes."""
        if self.stopped:
            return
        real = self._admit(path, stack, via)
        if real is None:
            return
        shown = _display(path)
        doc = self._read(path, shown, via)
        if doc is None:
            return
        for i, name in self._check(doc):
            self._follow(doc, shown, i, name, (*stack, real))

    def _admit(
        self, path: Path, stack: tuple[Path, ...], via: SourceLocation | None
    ) -> Path | None:
        """The resolved ``path`` when it is to be read: None (with a diagnostic unless it was
        read already) for a path that cannot be resolved, an include cycle, a file read
        already, or one past :data:`MAX_INCLUDES`."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            # a symlink loop (RuntimeError before Python 3.13), a NUL in the path
            self.diags.append(_unreadable(path, exc, via))
            return None
        if real in stack:
            chain = " -> ".join(self.shown_as.get(p, _display(p)) for p in (*stack, real))
            self.diags.append(
                Diagnostic(
                    "include-cycle", f"include cycle: {chain}", via, "remove one of the includes"
                )
            )
            return None
        if real in self.seen:
            return None
        if len(self.seen) >= MAX_INCLUDES:
            self.diags.append(
                Diagnostic(
                    "too-many-includes",
                    f"more than {MAX_INCLUDES} files are included",
                    via,
                    "merge some of the included files",
                )
            )
            return None
        self.seen.add(real)
        self.shown_as[real] = _display(path)
        return real

    def _read(self, path: Path, shown: str, via: SourceLocation | None) -> YamlDocument | None:
        """The parsed file, a mapping within the element limit; None (with diagnostics) when it
        is not. Passing the limit stops the whole reading."""
        try:
            doc = read_yaml_file(path, self.limits)
        except YamlProblem as exc:
            for d in exc.diagnostics:
                if d.location is None and via is not None:
                    d = Diagnostic(d.code, d.message, via, d.hint)
                self.diags.append(d)
            return None
        doc.path = shown
        if not isinstance(doc.data, dict):
            self.diags.append(
                Diagnostic(
                    "not-a-mapping",
                    "a model file must be a mapping of sections (actm: 1, system: ...)",
                    doc.locate(()),
                    "start from an example in examples/",
                )
            )
            return None
        self.elements, too_many = _count_elements(doc, self.elements, self.limits.max_elements)
        if too_many is not None:
            self.diags.append(too_many)
            self.stopped = True
            return None
        return doc

    def _check(self, doc: YamlDocument) -> list[tuple[int, str]]:
        """Schema-check ``doc`` and keep what is well-formed (elements that fail are dropped,
        their ids tolerated); the includes to follow, by position. A file that cannot be
        salvaged is not kept, but the names in its ``include:`` list are still followed."""
        indices: dict[str, tuple[int, ...]] = {}
        try:
            parsed: ModelFile | None = ModelFile.model_validate(doc.data)
        except ValidationError as exc:
            self.diags.extend(validation_diagnostics(exc, ModelFile, doc))
            locs = [tuple(e["loc"]) for e in exc.errors()]
            parsed, dropped, indices = _partial(doc, locs)
            self.tolerated.update(dropped)
            if parsed is None:
                includes = doc.data.get("include")
                if not isinstance(includes, list):
                    return []
                return [(i, x) for i, x in enumerate(includes) if isinstance(x, str)]
        assert parsed is not None
        self.files.append(SourceFile(parsed, doc, indices))
        return list(enumerate(parsed.include))

    def _follow(
        self, doc: YamlDocument, shown: str, i: int, name: str, stack: tuple[Path, ...]
    ) -> None:
        """Visit the file named by entry ``i`` of ``doc``'s ``include:`` list (``name``,
        relative to ``shown``), or say why it cannot be found."""
        target = Path(os.path.join(os.path.dirname(shown), name))
        loc = doc.locate(("include", i))
        try:
            found = target.exists()
        except (OSError, ValueError) as exc:  # a name too long, a NUL ("\0" in the YAML)
            self.diags.append(_unreadable(target, exc, loc))
            return
        if not found:
            self.diags.append(
                Diagnostic(
                    "include-not-found",
                    f"included file {name!r} not found",
                    loc,
                    f"paths are relative to {shown}",
                )
            )
            return
        self.visit(target, stack, loc)


def read_files(
    root: str | os.PathLike[str], limits: Limits | None = None
) -> tuple[list[SourceFile], list[Diagnostic], set[str]]:
    """Parse and schema-check ``root`` and every file it includes, depth first, root first.

    Returns the well-formed files (with schema-invalid elements dropped), the diagnostics, and
    the ids of dropped elements. A model over ``limits.max_elements`` stops the reading: the
    diagnostics then end with a ``too-many-elements`` one.
    """
    reader = _Reader(limits or Limits())
    reader.visit(Path(root), (), None)
    return reader.files, reader.diags, reader.tolerated


def load_model(
    path: str | os.PathLike[str],
    *,
    vocabulary: Vocabulary | None = None,
    limits: Limits | None = None,
    known_attacks: Collection[str] | None = None,
) -> SystemModel:
    """Load, check and resolve the model in ``path`` and the files it includes.

    Raises :class:`~actm.errors.ModelError` listing every problem found, each with its
    ``path:line:col`` and a hint.
    """
    vocab = vocabulary or builtin_vocabulary()
    files, diags, tolerated = read_files(path, limits)
    if not files or any(d.code == TOO_MANY_ELEMENTS for d in diags):
        raise ModelError(
            diags or [Diagnostic("invalid-model", f"nothing could be read from {path}")]
        )
    if files[0].doc is None or Path(files[0].doc.path) != Path(_display(Path(path))):
        # the root itself is unusable; semantic checks on included files alone would mislead
        raise ModelError(diags)
    try:
        model = resolve(files, vocab, known_attacks=known_attacks, tolerated=tolerated)
    except ModelError as exc:
        raise ModelError([*diags, *exc.diagnostics]) from None
    if diags:
        raise ModelError(diags)
    return model


def load_model_text(
    text: str,
    *,
    path: str = "<string>",
    vocabulary: Vocabulary | None = None,
    limits: Limits | None = None,
    known_attacks: Collection[str] | None = None,
) -> SystemModel:
    """Load a model from YAML text (no includes); handy in tests and notebooks."""
    vocab = vocabulary or builtin_vocabulary()
    try:
        doc: YamlDocument = parse_yaml(text, path, limits)
    except YamlProblem as exc:
        raise ModelError(exc.diagnostics) from None
    if not isinstance(doc.data, dict):
        raise ModelError(
            [
                Diagnostic(
                    "not-a-mapping",
                    "a model must be a mapping of sections",
                    doc.locate(()),
                    "start from an example in examples/",
                )
            ]
        )
    _, too_many = _count_elements(doc, 0, (limits or Limits()).max_elements)
    if too_many is not None:
        raise ModelError([too_many])
    errors: list[Diagnostic] = []
    indices: dict[str, tuple[int, ...]] = {}
    dropped: set[str] = set()
    try:
        parsed: ModelFile | None = ModelFile.model_validate(doc.data)
    except ValidationError as exc:
        errors = validation_diagnostics(exc, ModelFile, doc)
        parsed, dropped, indices = _partial(doc, [tuple(e["loc"]) for e in exc.errors()])
    if parsed is None:
        raise ModelError(errors)
    if parsed.include:
        # without the included files, references into them would all look dangling
        raise ModelError(
            [
                *errors,
                Diagnostic(
                    "include-in-text",
                    "include: needs a model file on disk",
                    doc.locate(("include",)),
                    "use load_model(path)",
                ),
            ]
        )
    try:
        model = resolve(
            [SourceFile(parsed, doc, indices)],
            vocab,
            known_attacks=known_attacks,
            tolerated=dropped,
        )
    except ModelError as exc:
        raise ModelError([*errors, *exc.diagnostics]) from None
    if errors:
        raise ModelError(errors)
    return model


def load_models(paths: Sequence[str | os.PathLike[str]], **kwargs: object) -> list[SystemModel]:
    """Load several independent models; raises one ModelError with all their problems."""
    out: list[SystemModel] = []
    diags: list[Diagnostic] = []
    for p in paths:
        try:
            out.append(load_model(p, **kwargs))  # type: ignore[arg-type]
        except ModelError as exc:
            diags.extend(exc.diagnostics)
    if diags:
        raise ModelError(diags)
    return out


def add_triage_file(
    model: SystemModel, path: str | os.PathLike[str], *, limits: Limits | None = None
) -> SystemModel:
    """``model`` with the decisions of a triage file (``actm: 1`` and ``triage: [...]``) added
    after its own. Raises :class:`~actm.errors.ModelError` for a missing or invalid file."""
    try:
        doc = read_yaml_file(path, limits)
    except YamlProblem as exc:
        raise ModelError(exc.diagnostics) from None
    doc.path = _display(Path(path))
    limit = (limits or Limits()).max_elements
    if isinstance(doc.data, dict):
        _, too_many = _count_elements(doc, 0, limit)
        if too_many is not None:
            raise ModelError([too_many])
    spec, problems = validate_document(TriageFile, doc)
    if spec is None:
        raise ModelError(problems)
    start = len(model.triage)
    locations = dict(model.locations)
    entries = []
    for i, t in enumerate(spec.triage):
        entries.append(TriageEntry(t.id, t.status, t.justification, t.owner, t.ticket, t.expires))
        locations[f"triage[{start + i}]"] = doc.locate(("triage", i, "id"))
    return replace(model, triage=model.triage + tuple(entries), locations=locations)
