"""Which relations may exist (relations.yaml): the ``derives`` processes, the derivations of every
model's own life and from its base model, and the shapes of ``feeds`` and ``part_of``."""

from __future__ import annotations

from dataclasses import dataclass

from actm.io.diagnose import did_you_mean
from actm.knowledge.vocabulary.context import Builder
from actm.knowledge.vocabulary.frozen import ProcessInfo, TypeSpec

__all__ = ["RelationTables", "build_processes", "build_relations"]

_EMPTY = TypeSpec(frozenset(), frozenset())


@dataclass(frozen=True)
class RelationTables:
    model_lifecycle: tuple[tuple[str, str, str], ...]
    base_model: tuple[tuple[str, str, str], ...]
    feeds_sources: TypeSpec
    feeds_targets: TypeSpec
    feeds_pipeline: str
    part_of_sources: TypeSpec
    part_of_targets: TypeSpec
    acted_on: tuple[str, str, str] | None = None


def build_processes(b: Builder) -> dict[str, ProcessInfo]:
    processes: dict[str, ProcessInfo] = {}
    for p, origin in b.merged.values("relations.yaml:processes"):
        for k, v in p.propagation.items():
            b.check_cap(k, origin, f"process {p.id} propagation")
            b.check_cap(v, origin, f"process {p.id} propagation")
        processes[p.id] = ProcessInfo(
            p.id,
            p.description,
            b.spec(p.sources, origin, f"process {p.id}"),
            b.spec(p.targets, origin, f"process {p.id}"),
            p.pipeline,
            p.persistent,
            dict(p.propagation),
        )
    return processes


def build_relations(b: Builder, processes: dict[str, ProcessInfo]) -> RelationTables:
    lifecycle = _derivations(b, "model_lifecycle", processes)
    base_model = _derivations(b, "base_model", processes)
    acted_on = _derivations(b, "acted_on", processes)
    feeds_entry = b.merged.singles.get("relations.yaml:feeds")
    part_entry = b.merged.singles.get("relations.yaml:part_of")
    if feeds_entry is None or feeds_entry[0] is None:
        b.missing("relations.yaml must define feeds")
        feeds_sources = feeds_targets = _EMPTY
        feeds_pipeline = "deployment"
    else:
        fd, origin = feeds_entry
        feeds_sources = b.spec(fd.sources, origin, "feeds")
        feeds_targets = b.spec(fd.targets, origin, "feeds")
        feeds_pipeline = fd.pipeline
    if part_entry is None or part_entry[0] is None:
        b.missing("relations.yaml must define part_of")
        part_sources = part_targets = _EMPTY
    else:
        pd, origin = part_entry
        part_sources = b.spec(pd.sources, origin, "part_of")
        part_targets = b.spec(pd.targets, origin, "part_of")
    return RelationTables(
        lifecycle,
        base_model,
        feeds_sources,
        feeds_targets,
        feeds_pipeline,
        part_sources,
        part_targets,
        acted_on[0] if acted_on else None,
    )


def _derivations(
    b: Builder, section: str, processes: dict[str, ProcessInfo]
) -> tuple[tuple[str, str, str], ...]:
    """A list of ``{from, to, process}`` entries: (from type, to type, process id)."""
    out: list[tuple[str, str, str]] = []
    entry = b.merged.singles.get(f"relations.yaml:{section}")
    if entry is None:
        return ()
    items, origin = entry
    if items is not None and not isinstance(items, list):
        items = [items]
    for item in items or []:
        b.check_type(item.from_, origin, section)
        b.check_type(item.to, origin, section)
        if item.process not in processes:
            b.bad(
                origin,
                "unknown-process",
                f"{section}: unknown process {item.process!r}",
                did_you_mean(item.process, processes),
            )
        out.append((item.from_, item.to, item.process))
    return tuple(out)
