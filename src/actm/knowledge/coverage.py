"""How much of each reference framework the knowledge base covers.

An item is covered when an entry names it in its own ``references`` or a mapping file ties an
entry to it. For a closed framework the report lists the items covered (with the entries that
cover each) and those not covered, with a count and a percentage; an open framework (CWE) has no
fixed list, so its report only lists the ids that entries name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from actm.errors import UsageError
from actm.io.diagnose import did_you_mean
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.frameworks import Framework, FrameworkItem

__all__ = ["CoveredItem", "FrameworkCoverage", "coverage", "select_frameworks"]


@dataclass(frozen=True, slots=True)
class CoveredItem:
    id: str
    name: str | None
    """None for an id of an open framework that its file does not list."""
    attacks: tuple[str, ...]
    """The entries that cover it, sorted."""


@dataclass(frozen=True, slots=True)
class FrameworkCoverage:
    framework: Framework
    covered: tuple[CoveredItem, ...]
    """In the framework's order, then (open frameworks) other ids sorted."""
    not_covered: tuple[FrameworkItem, ...]
    """Always empty for an open framework."""

    @property
    def total(self) -> int | None:
        """The number of items, or None for an open framework."""
        return None if self.framework.open else len(self.framework.items)

    @property
    def percent(self) -> float | None:
        """Covered items as a percentage of all items, to one decimal; None when open."""
        total = self.total
        if not total:
            return None
        return round(100 * len(self.covered) / total, 1)


def select_frameworks(kb: KnowledgeBase, wanted: Sequence[str] = ()) -> list[str]:
    """The ids in ``wanted`` (every framework when empty), sorted and without repeats.

    Raises :class:`~actm.errors.UsageError` for an id the knowledge base does not have.
    """
    for fw in wanted:
        if fw not in kb.frameworks:
            hint = did_you_mean(fw, kb.frameworks, what="frameworks")
            raise UsageError(f"no framework {fw!r}" + (f"; {hint}" if hint else ""))
    return sorted(set(wanted) if wanted else set(kb.frameworks))


def coverage(kb: KnowledgeBase, frameworks: Sequence[str] = ()) -> list[FrameworkCoverage]:
    """Coverage of each framework in ``frameworks`` (all when empty), sorted by framework id."""
    out: list[FrameworkCoverage] = []
    for fw_id in select_frameworks(kb, frameworks):
        fw = kb.frameworks[fw_id]
        found = kb.covering(fw_id)
        covered = tuple(CoveredItem(i, fw.name_of(i), ids) for i, ids in found.items())
        missing = () if fw.open else tuple(i for i in fw.items if i.id not in found)
        out.append(FrameworkCoverage(fw, covered, missing))
    return out
