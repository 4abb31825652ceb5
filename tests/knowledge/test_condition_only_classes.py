"""A conventional vulnerability class must grant something unless it is marked
``condition_only`` (it only matters to the attack entries that check it), and a class so marked
grants nothing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from actm.errors import KnowledgeError
from actm.knowledge.attacks import load_knowledge


def _write_class(root: Path, body: str) -> None:
    (root / "vocabulary").mkdir()
    text = "vulnerability_classes:\n" + textwrap.indent(textwrap.dedent(body), "  ")
    (root / "vocabulary" / "vulnerability_classes.yaml").write_text(text, encoding="utf-8")


def _codes(root: Path) -> list[tuple[str, str]]:
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([root])
    return [(d.code, d.message) for d in err.value.diagnostics]


def test_a_conventional_class_without_grants_is_an_error(tmp_path: Path) -> None:
    _write_class(
        tmp_path,
        """\
        - id: sleepy_admins
          kind: conventional
          title: Admins who sleep
          description: Nobody watches at night.
        """,
    )
    assert _codes(tmp_path) == [
        ("empty-class", "conventional class sleepy_admins grants nothing"),
    ]


def test_condition_only_allows_no_grants_and_forbids_them(tmp_path: Path) -> None:
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    _write_class(
        quiet,
        """\
        - id: sleepy_admins
          kind: conventional
          title: Admins who sleep
          description: Nobody watches at night.
          condition_only: true
        """,
    )
    kb = load_knowledge([quiet])
    assert kb.vocabulary.vulnerability_classes["sleepy_admins"].grants == {}
    granting = tmp_path / "granting"
    granting.mkdir()
    _write_class(
        granting,
        """\
        - id: sleepy_admins
          kind: conventional
          title: Admins who sleep
          description: Nobody watches at night.
          condition_only: true
          grants: {stored: [{capability: inspect}]}
        """,
    )
    assert _codes(granting) == [
        (
            "condition-only-grants",
            "class sleepy_admins: condition_only is for a conventional class without grants",
        ),
    ]
