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
