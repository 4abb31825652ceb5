"""Conformance of every knowledge-base entry, parametrized over the whole catalog.

Each entry ``<id>`` has a fixture ``fixtures/<id>.yaml``:

```yaml
fires:
  model: |            # a model in which the entry closes
    actm: 1
    ...
  expect: [<id>@m]    # for an attack: exactly these threat ids of this attack
quiet:
  model: |            # a close variant in which it does not
    ...
  expect: []
```

For a conversion, ``expect`` lists what it yields, as ``target capability`` strings
(``bot.inputs.system_prompt withhold``).

Adding an entry without a fixture fails ``test_every_entry_has_a_fixture``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import actm
from actm.engine.analysis import run_engine
from actm.engine.facts import Rule
from actm.knowledge.attacks import AttackPattern, builtin_knowledge
from actm.knowledge.vocabulary import builtin_vocabulary

KB = builtin_knowledge()
ENTRIES = KB.sorted()
IDS = [e.id for e in ENTRIES]
FIXTURES = Path(__file__).parent / "fixtures"


def _fixture(entry: AttackPattern) -> dict[str, Any]:
    path = FIXTURES / f"{entry.id}.yaml"
    if not path.is_file():
        pytest.fail(f"{entry.id} has no fixture: write {path.relative_to(FIXTURES.parent)}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"fires", "quiet"}, f"{path.name}: needs 'fires' and 'quiet'"
    return data


def _outcome(entry: AttackPattern, model_text: str) -> list[str]:
    model = actm.load_model_text(textwrap.dedent(model_text), knowledge=KB)
    if entry.kind == "attack":
        result = actm.analyze(model, knowledge=KB)
        return sorted(t.id for t in result.threats if t.attack == entry.id)
    out = run_engine(model, KB, assumptions=False)
    c = out.compiled
    store = out.closure.store
    found = set()
    for key, rule, via in zip(store.keys, store.rules, store.vias, strict=True):
        if rule == Rule.CONVERSION and isinstance(via, int) and c.rules[via].attack.id == entry.id:
            f = store.decode(key)
            found.add(f"{c.target_name[f.target]} {c.caps[f.capability]}")
    return sorted(found)


def test_every_entry_has_a_fixture() -> None:
    missing = [i for i in IDS if not (FIXTURES / f"{i}.yaml").is_file()]
    assert not missing, f"entries without a fixture: {missing}"
    stale = sorted(p.stem for p in FIXTURES.glob("*.yaml") if p.stem not in IDS)
    assert not stale, f"fixtures without an entry: {stale}"


def test_ids_are_unique_and_name_their_files() -> None:
    assert len(IDS) == len(set(IDS))
    for entry in ENTRIES:
        assert Path(entry.source).stem == entry.id


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_metadata(entry: AttackPattern) -> None:
    vocab = builtin_vocabulary()
    assert 3 <= len(entry.title) <= 120
    assert entry.description == " ".join(entry.description.split()), "no stray whitespace"
    assert entry.likelihood in vocab.severity.likelihood
    if entry.kind == "attack":
        assert entry.impact is not None
        assert any(entry.references.values()), "an attack names at least one framework id"


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_fires_in_its_fixture(entry: AttackPattern) -> None:
    case = _fixture(entry)["fires"]
    assert case["expect"], "the 'fires' case must expect something"
    assert _outcome(entry, case["model"]) == sorted(case["expect"])


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_stays_quiet_in_its_fixture(entry: AttackPattern) -> None:
    case = _fixture(entry)["quiet"]
    assert _outcome(entry, case["model"]) == sorted(case.get("expect") or [])


# -- references: each performed by a step, each ATLAS one in the audit --------------------------

AUDIT = Path(__file__).resolve().parents[2] / "docs" / "knowledge-audit.md"
CITED = ("kept", "added", "moved", "conditional")


def _audit_rows() -> dict[str, list[tuple[str, str, str]]]:
    """Entry -> (reference, verdict, step) of each row of the audit table."""
    rows: dict[str, list[tuple[str, str, str]]] = {}
    for line in AUDIT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) == 5 and cells[0].startswith("`"):
            rows.setdefault(cells[0].strip("`"), []).append((cells[1], cells[2], cells[3]))
    return rows


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_every_reference_is_performed_by_a_step_of_its_entry(entry: AttackPattern) -> None:
    steps = {s.id for s in entry.steps} | ({"impact"} if entry.impact is not None else set())
    assert all(r.step in steps for r in entry.cites), [
        r for r in entry.cites if r.step not in steps
    ]
    for citation in entry.citations:
        allowed = steps | ({"route"} if citation.chain is not None else set())
        assert citation.adds and all(r.step in allowed for r in citation.adds)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_every_atlas_reference_is_a_shipped_technique(entry: AttackPattern) -> None:
    atlas = KB.frameworks["atlas"]
    cited = [r.id for r in entry.every_reference() if r.framework == "atlas"]
    assert [i for i in cited if atlas.name_of(i) is None] == []


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_the_audit_justifies_every_atlas_reference(entry: AttackPattern) -> None:
    rows = _audit_rows().get(entry.id)
    assert rows, f"{entry.id}: add its rows to docs/knowledge-audit.md"
    fixed = {(r.id, r.step) for r in entry.cites if r.framework == "atlas"}
    conditional = {
        (r.id, r.step) for c in entry.citations for r in c.adds if r.framework == "atlas"
    }
    assert {(i, s) for i, v, s in rows if v in CITED and v != "conditional"} == fixed
    assert {(i, s) for i, v, s in rows if v == "conditional"} == conditional
    removed = {i for i, v, _ in rows if v == "removed"}
    assert not removed & {i for i, _ in fixed | conditional}, "a removed reference is cited again"
    assert all(v in (*CITED, "removed", "none") for _, v, _ in rows)


def test_the_audit_names_only_entries_that_exist() -> None:
    assert sorted(set(_audit_rows()) - set(IDS)) == []
