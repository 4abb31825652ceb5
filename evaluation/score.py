"""Score actm's findings against the expert labels of the findings-quality corpus.

    python evaluation/score.py                 # table per system, per suite and overall
    python evaluation/score.py --details       # ... with each miss and false positive
    python evaluation/score.py --json          # the same as JSON
    python evaluation/score.py --check         # exit 1 if a score fell below baseline.json
    python evaluation/score.py --write-baseline

Each system is a model and its labels (evaluation/README.md describes the layout and the label
format). The model is analysed through the Python API, and every in-scope threat that is not
accepted risk is matched against the labels: a threat matches an item when its attack id is one
of the item's and, if the item names an asset, that asset is the threat's impacted asset, the
asset part of it (without the component), the model it belongs to, or one of the threat's bound
assets. Recall is the share of expected items some threat matches; precision the share of
reported threats that match an expected or acceptable item.

Exit codes: 0 scored, 1 a score fell below the baseline (--check), 2 a label file or the corpus
layout is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Any

if find_spec("actm") is None:  # run from a clone without `pip install -e .`: use its sources
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

try:
    from pydantic import (
        BaseModel,
        ConfigDict,
        Field,
        StringConstraints,
        ValidationError,
    )

    import actm
    from actm.errors import ActmError, Diagnostic, SourceLocation
    from actm.io.yaml import YamlProblem, read_yaml_file
    from actm.knowledge.attacks import KnowledgeBase
except ModuleNotFoundError as missing:  # actm's sources are here, its dependencies are not
    sys.exit(
        f"score.py: {missing.name!r} is missing from this Python: install actm's "
        "dependencies first (pip install -e . from the clone; evaluation/README.md)"
    )

ROOT = Path(__file__).resolve().parent
BASELINE = ROOT / "baseline.json"
SYSTEMS = "systems"
VULNERABLE_AGENTS = "vulnerable-agents"
LABELS_SUFFIX = ".labels.yaml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LabelId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


class Item(BaseModel):
    """One labelled threat: any of ``attack`` on ``asset`` (any asset when omitted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: LabelId
    attack: tuple[Text, ...] = Field(min_length=1)
    asset: Text | None = None
    why: Text


class Revision(BaseModel):
    """A change to the labels after the first analysis, to fix an objective mistake."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    item: LabelId
    change: Text
    reason: Text


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    system: Text
    sources: tuple[Text, ...] = Field(min_length=1)
    expected: tuple[Item, ...]
    acceptable: tuple[Item, ...] = ()
    not_expected: tuple[Item, ...] = ()
    revisions: tuple[Revision, ...] = ()


class CorpusError(Exception):
    """A label file or the corpus layout is invalid (exit 2)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One corpus system: where its model is and what its labels say."""

    name: str
    suite: str
    model: Path
    labels: Labels


@dataclass(frozen=True, slots=True)
class FalsePositive:
    threat: str
    attack: str
    asset: str
    not_expected: tuple[str, ...]
    """Ids of the known non-threats it is (noise the labels predicted)."""


@dataclass(frozen=True, slots=True)
class Score:
    name: str
    suite: str
    loadable: bool
    error: str | None = None
    expected: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0
    misses: tuple[Item, ...] = ()
    false_positives: tuple[FalsePositive, ...] = ()
    unknown_attacks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Totals:
    systems: int
    loadable: int
    expected: int
    found: int
    reported: int
    correct: int


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


# --- reading the corpus ----------------------------------------------------------------------


def _display(path: Path | str, root: Path = ROOT) -> str:
    """A path relative to the corpus directory when it is inside it (stable output)."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load_labels(path: Path, root: Path = ROOT) -> Labels:
    """Read and check one label file; raises :class:`CorpusError` with the location."""
    try:
        doc = read_yaml_file(path)
    except YamlProblem as exc:
        raise CorpusError("\n".join(_format(d, root) for d in exc.diagnostics)) from None
    try:
        labels = Labels.model_validate(doc.data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            at = doc.locate(loc, key=err["type"] == "extra_forbidden")
            where = ".".join(str(p) for p in loc)
            lines.append(f"{_display(at.path, root)}:{at.line}:{at.column}: {where}: {err['msg']}")
        raise CorpusError("\n".join(lines)) from None
    seen: set[str] = set()
    for section in ("expected", "acceptable", "not_expected"):
        for index, item in enumerate(getattr(labels, section)):
            if item.id in seen:
                at = doc.locate((section, index, "id"))
                raise CorpusError(
                    f"{_display(at.path, root)}:{at.line}:{at.column}: {section}.{index}.id: "
                    f"label id {item.id!r} is used twice"
                )
            seen.add(item.id)
    return labels


def _model_system_id(path: Path) -> str | None:
    """``system.id`` as written in a model file, None when the file is not a root model."""
    try:
        data = read_yaml_file(path).data
    except YamlProblem:
        return None
    system = data.get("system") if isinstance(data, dict) else None
    return str(system.get("id")) if isinstance(system, dict) else None


def _system_folders(root: Path) -> list[tuple[str, str, Path, Path]]:
    base = root / SYSTEMS
    pairs = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        model, labels = folder / "model.yaml", folder / "labels.yaml"
        for needed in (model, labels):
            if not needed.is_file():
                raise CorpusError(f"{_display(folder, root)}: missing {needed.name}")
        pairs.append((f"{SYSTEMS}/{folder.name}", SYSTEMS, model, labels))
    return pairs


def _agent_files(root: Path) -> list[tuple[str, str, Path, Path]]:
    agents = root / VULNERABLE_AGENTS
    if not agents.is_dir():
        return []
    pairs = []
    for labels in sorted(agents.rglob(f"*{LABELS_SUFFIX}")):
        model = labels.with_name(labels.name[: -len(LABELS_SUFFIX)] + ".yaml")
        if not model.is_file():
            raise CorpusError(f"{_display(labels, root)}: no model {model.name} beside it")
        name = model.relative_to(root).with_suffix("").as_posix()
        pairs.append((name, labels.parent.relative_to(root).as_posix(), model, labels))
    for model in sorted(agents.rglob("*.yaml")):
        labelled = model.with_name(model.stem + LABELS_SUFFIX)
        if model.name.endswith(LABELS_SUFFIX) or labelled.is_file():
            continue
        if _model_system_id(model) is not None:  # a root model, not an included file
            raise CorpusError(f"{_display(model, root)}: a model without {labelled.name}")
    return pairs


def discover(root: Path = ROOT) -> list[Case]:
    """Every system under ``root``/systems and ``root``/vulnerable-agents, sorted by name."""
    cases = []
    for name, suite, model, labels_path in (*_system_folders(root), *_agent_files(root)):
        labels = load_labels(labels_path, root)
        written = _model_system_id(model)
        if written is not None and written != labels.system:
            raise CorpusError(
                f"{_display(labels_path, root)}: labels are for system {labels.system!r}, "
                f"the model beside them is {written!r}"
            )
        cases.append(Case(name, suite, model, labels))
    return sorted(cases, key=lambda c: c.name)


# --- scoring -----------------------------------------------------------------------------------


def asset_names(threat: Any) -> frozenset[str]:
    """The names a label's ``asset`` may use for ``threat``: its impacted asset and its bound
    assets, each also without its component and as the model it belongs to."""
    names: set[str] = set()
    for full in (threat.severity.asset, *threat.assets):
        parts = full.split(".")
        names.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return frozenset(names)


def matches(item: Item, threat: Any, names: frozenset[str]) -> bool:
    return threat.attack in item.attack and (item.asset is None or item.asset in names)


def reported_threats(result: Any) -> list[Any]:
    """In-scope threats that are not accepted risk (``accepted`` on the threat, or listed in a
    ``Result.accepted``, whichever the engine provides)."""
    accepted = {getattr(a, "id", a) for a in getattr(result, "accepted", ()) or ()}
    return [t for t in result.threats if not getattr(t, "accepted", None) and t.id not in accepted]


def _format(diag: Diagnostic, root: Path) -> str:
    loc: SourceLocation | None = diag.location
    where = f"{_display(loc.path, root)}:{loc.line}:{loc.column}: " if loc else ""
    return f"{where}error[{diag.code}]: {diag.message}"


def _first_error(exc: ActmError, root: Path) -> str:
    diags: Sequence[Diagnostic] = getattr(exc, "diagnostics", ())
    return _format(diags[0], root) if diags else str(exc)


def judge(name: str, suite: str, labels: Labels, threats: Sequence[Any]) -> Score:
    """Match the reported ``threats`` (in-scope, not accepted) against ``labels``."""
    named = [(t, asset_names(t)) for t in threats]
    misses = tuple(
        i for i in labels.expected if not any(matches(i, t, names) for t, names in named)
    )
    wanted = (*labels.expected, *labels.acceptable)
    false_positives = [
        FalsePositive(
            t.id,
            t.attack,
            t.severity.asset,
            tuple(i.id for i in labels.not_expected if matches(i, t, names)),
        )
        for t, names in named
        if not any(matches(i, t, names) for i in wanted)
    ]
    return Score(
        name,
        suite,
        True,
        expected=len(labels.expected),
        found=len(labels.expected) - len(misses),
        reported=len(named),
        correct=len(named) - len(false_positives),
        misses=misses,
        false_positives=tuple(sorted(false_positives, key=lambda f: f.threat)),
    )


def score_case(case: Case, kb: KnowledgeBase, root: Path = ROOT) -> Score:
    """Load and analyse one system and judge its threats; not loadable if actm refuses it."""
    unknown = tuple(
        sorted({a for item in _all_items(case.labels) for a in item.attack if a not in kb.attacks})
    )
    try:
        result = actm.analyze(actm.load_model(case.model, knowledge=kb), knowledge=kb)
    except ActmError as exc:
        error = _first_error(exc, root)
        return Score(case.name, case.suite, False, error, unknown_attacks=unknown)
    score = judge(case.name, case.suite, case.labels, reported_threats(result))
    return replace(score, unknown_attacks=unknown)


def _all_items(labels: Labels) -> Iterable[Item]:
    return (*labels.expected, *labels.acceptable, *labels.not_expected)


def totals(scores: Iterable[Score]) -> Totals:
    scores = list(scores)
    ok = [s for s in scores if s.loadable]
    return Totals(
        systems=len(scores),
        loadable=len(ok),
        expected=sum(s.expected for s in ok),
        found=sum(s.found for s in ok),
        reported=sum(s.reported for s in ok),
        correct=sum(s.correct for s in ok),
    )


def score_corpus(root: Path = ROOT, only: Sequence[str] = ()) -> list[Score]:
    cases = discover(root)
    if only:
        cases = [c for c in cases if c.name in only or c.suite in only]
    kb = actm.load_knowledge()
    return [score_case(case, kb, root) for case in cases]


def by_suite(scores: Sequence[Score]) -> dict[str, Totals]:
    return {
        suite: totals(s for s in scores if s.suite == suite)
        for suite in sorted({s.suite for s in scores})
    }


# --- the baseline ------------------------------------------------------------------------------


def baseline_record(scores: Sequence[Score]) -> dict[str, Any]:
    """What baseline.json keeps: counts per system (and the totals, for readers)."""
    systems: dict[str, Any] = {}
    for s in scores:
        systems[s.name] = (
            {"suite": s.suite, "loadable": True, **_counts(s)}
            if s.loadable
            else {"suite": s.suite, "loadable": False}
        )
    return {
        "systems": systems,
        "suites": {k: _totals_json(t) for k, t in by_suite(scores).items()},
        "overall": _totals_json(totals(scores)),
    }


def _counts(s: Score | Totals) -> dict[str, int]:
    return {"expected": s.expected, "found": s.found, "reported": s.reported, "correct": s.correct}


def regressions(baseline: dict[str, Any], scores: Sequence[Score]) -> list[str]:
    """Why the scores are worse than ``baseline``: a system that loaded no longer loads, a
    system does not load that the baseline does not record as not loadable, or the recall or
    precision of a suite or of the whole corpus fell. Totals are compared over the systems the
    baseline recorded as loadable, so a system that starts to load changes nothing until the
    baseline is written again."""
    now = {s.name: s for s in scores}
    problems: list[str] = []
    kept: list[tuple[dict[str, Any], Score]] = []
    for name, then in sorted(baseline.get("systems", {}).items()):
        current = now.get(name)
        if current is None:
            problems.append(f"{name}: in the baseline but no longer in the corpus")
        elif then.get("loadable") and not current.loadable:
            problems.append(f"{name}: loaded before, now not loadable: {current.error}")
        elif then.get("loadable"):
            kept.append((then, current))
    recorded = baseline.get("systems", {})
    problems.extend(
        f"{s.name}: not loadable, and the baseline does not record it so: {s.error}"
        for s in scores
        if not s.loadable and s.name not in recorded
    )
    groups = {"overall": kept}
    for then, current in kept:
        groups.setdefault(f"suite {current.suite}", []).append((then, current))
    for label, pairs in sorted(groups.items()):
        before = {
            k: sum(t[k] for t, _ in pairs) for k in ("expected", "found", "reported", "correct")
        }
        after = _counts(totals(c for _, c in pairs))
        for what, part, whole in (
            ("recall", "found", "expected"),
            ("precision", "correct", "reported"),
        ):
            if _fell(before[part], before[whole], after[part], after[whole]):
                problems.append(
                    f"{label}: {what} fell from {before[part]}/{before[whole]} "
                    f"to {after[part]}/{after[whole]}"
                )
    return problems


def _fell(part_then: int, whole_then: int, part_now: int, whole_now: int) -> bool:
    if whole_then == 0 or whole_now == 0:
        return False
    return part_now * whole_then < part_then * whole_now


def unrecorded(baseline: dict[str, Any], scores: Sequence[Score]) -> list[str]:
    """Systems the baseline does not compare yet: new ones, and ones that now load."""
    systems = baseline.get("systems", {})
    return [
        s.name
        for s in scores
        if s.name not in systems or (s.loadable and not systems[s.name].get("loadable"))
    ]


# --- output ------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _row(name: str, t: Score | Totals) -> str:
    return (
        f"{name:<58} {t.expected:>8} {t.found:>6} {_pct(ratio(t.found, t.expected)):>7}"
        f" {t.reported:>9} {t.correct:>8} {_pct(ratio(t.correct, t.reported)):>10}"
    )


def render_text(scores: Sequence[Score], details: bool = False) -> str:
    head = (
        f"{'system':<58} {'expected':>8} {'found':>6} {'recall':>7}"
        f" {'reported':>9} {'correct':>8} {'precision':>10}"
    )
    lines = [head, "-" * len(head)]
    for s in scores:
        lines.append(_row(s.name, s) if s.loadable else f"{s.name:<58} not loadable: {s.error}")
    lines.append("-" * len(head))
    for suite, t in by_suite(scores).items():
        lines.append(_row(f"suite {suite} ({t.loadable} of {t.systems} loadable)", t))
    t = totals(scores)
    lines.append(_row(f"overall ({t.loadable} of {t.systems} loadable)", t))
    if details:
        lines.extend(_details(scores))
    return "\n".join(lines) + "\n"


def _details(scores: Sequence[Score]) -> list[str]:
    lines: list[str] = []
    for s in scores:
        if not (s.misses or s.false_positives or s.unknown_attacks):
            continue
        lines.append(f"\n{s.name}")
        for m in s.misses:
            on = f" on {m.asset}" if m.asset else ""
            lines.append(f"  miss {m.id}: {', '.join(m.attack)}{on} ({m.why})")
        for f in s.false_positives:
            noise = f"  [known non-threat {', '.join(f.not_expected)}]" if f.not_expected else ""
            lines.append(f"  false positive {f.threat} ({f.attack} on {f.asset}){noise}")
        if s.unknown_attacks:
            lines.append(f"  attack ids not in the knowledge base: {', '.join(s.unknown_attacks)}")
    return lines


def render_markdown(record: dict[str, Any]) -> str:
    """The suites and overall totals of a baseline record as a Markdown table (docs/)."""
    lines = [
        "| suite | systems | expected | found | recall | reported | correct | precision |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*sorted(record["suites"].items()), ("**overall**", record["overall"])]
    for name, t in rows:
        lines.append(
            f"| {name} | {t['loadable']} | {t['expected']} | {t['found']} | {_pct(t['recall'])}"
            f" | {t['reported']} | {t['correct']} | {_pct(t['precision'])} |"
        )
    return "\n".join(lines) + "\n"


def render_json(scores: Sequence[Score]) -> str:
    def score(s: Score) -> dict[str, Any]:
        out: dict[str, Any] = {"name": s.name, "suite": s.suite, "loadable": s.loadable}
        if not s.loadable:
            return {**out, "error": s.error, "unknown_attacks": list(s.unknown_attacks)}
        return {
            **out,
            **_counts(s),
            "recall": ratio(s.found, s.expected),
            "precision": ratio(s.correct, s.reported),
            "misses": [
                {"id": m.id, "attack": list(m.attack), "asset": m.asset, "why": m.why}
                for m in s.misses
            ],
            "false_positives": [
                {
                    "threat": f.threat,
                    "attack": f.attack,
                    "asset": f.asset,
                    "not_expected": list(f.not_expected),
                }
                for f in s.false_positives
            ],
            "unknown_attacks": list(s.unknown_attacks),
        }

    doc = {
        "systems": [score(s) for s in scores],
        "suites": {k: _totals_json(t) for k, t in by_suite(scores).items()},
        "overall": _totals_json(totals(scores)),
    }
    return json.dumps(doc, indent=2) + "\n"


def _totals_json(t: Totals) -> dict[str, Any]:
    return {
        "systems": t.systems,
        "loadable": t.loadable,
        **_counts(t),
        "recall": ratio(t.found, t.expected),
        "precision": ratio(t.correct, t.reported),
    }


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list misses and false positives")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a score fell below the baseline"
    )
    parser.add_argument(
        "--write-baseline", action="store_true", help="record the scores as the baseline"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="corpus directory (default: here)")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="baseline file")
    parser.add_argument("only", nargs="*", help="score only these systems or suites")
    args = parser.parse_args(argv)
    if args.write_baseline and args.only:
        parser.error("--write-baseline records the whole corpus; drop the system names")
    try:
        scores = score_corpus(args.root, args.only)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render_json(scores) if args.json else render_text(scores, args.details))
    if args.write_baseline:
        args.baseline.write_text(json.dumps(baseline_record(scores), indent=2) + "\n")
    if args.check:
        if not args.baseline.is_file():
            print(f"error: no baseline at {args.baseline}", file=sys.stderr)
            return 2
        problems = regressions(json.loads(args.baseline.read_text()), scores)
        for problem in problems:
            print(f"regression: {problem}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
