"""Framework ids in the knowledge base are items of the pinned framework tables that ship with
actm (MITRE ATLAS 5.6.0 techniques, CoSAI risks), on every run; the tables and the ids are
checked against the published data where it is present (../shared/data or $ACTM_SHARED_DATA).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from actm.io.yaml import parse_yaml
from actm.knowledge.attacks import AttackPattern, builtin_knowledge
from reference_data import ROOT, SHARED, load_shared, pinned_text, shared

KB = builtin_knowledge()
ENTRIES = KB.sorted()
ATLAS = KB.frameworks["atlas"]
COSAI = KB.frameworks["cosai"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_atlas_ids_are_atlas_5_6_0_techniques(entry: AttackPattern) -> None:
    assert ATLAS.version == "5.6.0"
    for ident in entry.references.get("atlas", ()):
        assert ATLAS.name_of(ident), f"{ident} is not a technique of ATLAS 5.6.0"
        parent = ident.rsplit(".", 1)[0] if ident.count(".") == 2 else ident
        assert ATLAS.name_of(parent), f"{ident}: its technique {parent} is not in ATLAS 5.6.0"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_cosai_ids_are_cosai_risks(entry: AttackPattern) -> None:
    for ident in entry.references.get("cosai", ()):
        assert COSAI.name_of(ident), f"{ident} is not a CoSAI risk"


@pytest.mark.parametrize(
    ("rel", "sizes", "pattern"),
    [
        (
            "reference/atlas.yaml",
            {"tactics": 16, "mitigations": 35, "case_studies": 57},
            r"AML\.(TA|M|CS)[0-9]{4}",
        ),
        ("reference/cosai.yaml", {"controls": 35}, r"control[A-Z][A-Za-z]+"),
        ("reference/saif.yaml", {"controls": 23}, r"control[A-Z][A-Za-z]+"),
    ],
)
def test_the_reference_tables_are_well_formed(
    rel: str, sizes: dict[str, int], pattern: str
) -> None:
    """Each table reads with actm's own YAML reader; ids are unique, of the framework's form."""
    data = parse_yaml(pinned_text(rel), rel).data
    assert {k: len(v) for k, v in data.items() if isinstance(v, list)} == sizes
    for section in sizes:
        ids = [item["id"] for item in data[section]]
        assert len(set(ids)) == len(ids), section
        assert [i for i in ids if not re.fullmatch(pattern, i)] == [], section
        names = [item["name"] for item in data[section]]
        assert [n for n in names if not isinstance(n, str) or not n or n != n.strip()] == []
    for study in data.get("case_studies", ()):
        assert study["techniques"] == sorted(set(study["techniques"])), study["id"]
        assert [t for t in study["techniques"] if not ATLAS.name_of(t)] == [], study["id"]
        beyond = study["beyond_preparation"]
        assert beyond == sorted(set(beyond)) and set(beyond) <= set(study["techniques"])


# -- against the published data (skipped without it) -----------------------------------------


def test_the_shipped_tables_are_what_the_published_data_says() -> None:
    shared("atlas", "ATLAS.yaml")
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_reference_ids.py"), "--check", "--data", SHARED],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, ""), (
        done.stdout + done.stderr + "\nrun: python docs/gen_reference_ids.py --write"
    )


def test_every_atlas_id_is_current_in_the_published_atlas() -> None:
    data = load_shared("atlas", "ATLAS.yaml")
    assert data["version"] == "5.6.0"
    techniques = {t["id"]: t for m in data["matrices"] for t in m["techniques"]}
    for entry in ENTRIES:
        for ident in entry.references.get("atlas", ()):
            assert ident in techniques, f"{entry.id}: {ident} is not in ATLAS 5.6.0"
            technique = techniques[ident]
            assert not technique.get("deprecated"), f"{entry.id}: {ident} is deprecated"
            assert "deprecated" not in str(technique.get("name", "")).lower()


def test_every_cosai_id_is_in_the_published_risk_map() -> None:
    risks = {r["id"] for r in load_shared("cosai-risk-map", "yaml", "risks.yaml")["risks"]}
    for entry in ENTRIES:
        for ident in entry.references.get("cosai", ()):
            assert ident in risks, f"{entry.id}: {ident} is not a CoSAI risk"
