"""Likely modelling slips load with warnings: each file in ``warn/`` holds one, and the table
below is the specification of what loading it reports (code, place, part of the message).
A warning never stops the model from loading; ``actm validate --strict`` makes it an error."""

from __future__ import annotations

from pathlib import Path

import pytest

import actm

WARN = Path(__file__).parent / "warn"

EXPECTED: dict[str, tuple[str, int, int, str]] = {
    "model.unused-tool.yaml": ("unused-tool", 7, 10, "tool 'forgotten' is used by no model"),
    "model.model-without-owner.yaml": (
        "model-without-owner",
        9,
        10,
        "model 'hosted' runs on 'vendor-api', a third party's node, and has no owner",
    ),
    "model.unreached-public-model.yaml": (
        "unreached-public-model",
        4,
        10,
        "public model 'chat' is reached by no adversary",
    ),
    "model.idle-credential.yaml": ("idle-credential", 6, 10, "credential 'api-key' grants nothing"),
    "model.unused-asset.yaml": (
        "unused-asset",
        6,
        10,
        "asset 'orders': nothing reads or writes it",
    ),
    "model.third-party-without-assumption.yaml": (
        "third-party-without-assumption",
        11,
        10,
        "asset 'backups' is on 'bucket', run by host, and no assumption says what host may do",
    ),
    "model.entry-point-id.yaml": (
        "entry-point-id",
        6,
        9,
        "adversary 'insider' has the id of the built-in entry point 'insider'",
    ),
}


def test_every_warning_file_is_in_the_table() -> None:
    assert {p.name for p in WARN.glob("*.yaml")} == set(EXPECTED)
    codes = {code for code, *_ in EXPECTED.values()}
    from actm.model.resolve.warnings import WARNINGS

    assert codes == set(WARNINGS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_slip_loads_with_its_warning(name: str) -> None:
    path = WARN / name
    model = actm.load_model(path)
    code, line, column, message = EXPECTED[name]
    [warning] = model.warnings
    assert (warning.code, warning.severity) == (code, "warning")
    assert message in warning.message
    assert warning.location == actm.SourceLocation(str(path), line, column)
    assert warning.hint
    assert warning.format().startswith(f"{path}:{line}:{column}: warning[{code}]: ")


def test_a_model_without_slips_has_no_warnings() -> None:
    model = actm.load_model_text(
        """
actm: 1
system: {id: clean}
models:
  - {id: bot, kind: agent, exposure: public, tools: [search]}
assets:
  - {id: kb, type: document_store}
tools:
  - {id: search, permissions: {read: [kb]}}
"""
    )
    assert model.warnings == ()


def test_a_public_asset_on_a_third_party_node_needs_no_assumption() -> None:
    text = (WARN / "model.third-party-without-assumption.yaml").read_text(encoding="utf-8")
    model = actm.load_model_text(
        text.replace("type: business_data,", "type: business_data, public: true,")
    )
    assert model.warnings == ()


def test_a_public_model_an_adversary_holds_the_inputs_of_is_reached() -> None:
    """A declared adversary that holds a capability on a public model's inputs reaches it,
    even when the built-in external user is limited to other models."""
    base = """
actm: 1
system: {id: two}
models:
  - {id: front, kind: llm, exposure: public}
  - {id: back, kind: llm, exposure: public}
adversaries:
  - {id: external-user, reaches: [front]}
"""
    held = """  - id: partner
    reach: authenticated
    holds: [{asset: back.inputs.user_input, capability: make_arbitrary_changes}]
"""
    [warning] = actm.load_model_text(base).warnings
    assert (warning.code, "'back'" in warning.message) == ("unreached-public-model", True)
    assert actm.load_model_text(base + held).warnings == ()


@pytest.mark.parametrize("resides", ["[{node: n1}, {node: n2}]", "[{node: n2}, {node: n1}]"])
def test_the_third_party_named_is_the_same_in_any_order(resides: str) -> None:
    """An asset on the nodes of two third parties: the warning names the first node by id,
    not the first listed."""
    text = f"""\
actm: 1
system: {{id: warn, owner: acme}}
owners:
  - {{id: acme, trust: first_party}}
  - {{id: v1, trust: contracted}}
  - {{id: v2, trust: contracted}}
nodes:
  - {{id: n1, kind: database, owner: v1}}
  - {{id: n2, kind: database, owner: v2}}
assets:
  - {{id: records, type: personal_data, resides: {resides}}}
"""
    found = [
        w for w in actm.load_model_text(text).warnings if w.code == "third-party-without-assumption"
    ]
    assert [w.message for w in found] == [
        "asset 'records' is on 'n1', run by v1, and no assumption says what v1 may do with it"
    ]


def test_a_tool_or_relation_named_like_an_entry_point_is_warned_about() -> None:
    """``blocks: [internet-attacker]`` would cut the tool and the entry point alike."""
    model = actm.load_model_text(
        """
actm: 1
system: {id: demo}
models:
  - {id: bot, kind: agent, tools: [internet-attacker]}
assets:
  - {id: kb, type: document_store}
tools:
  - {id: internet-attacker, permissions: {read: [kb]}}
relations:
  - {id: network-attacker, kind: feeds, from: kb, to: bot.inputs.retrieved_context}
"""
    )
    assert sorted(w.message.split(":")[0] for w in model.warnings) == [
        "relation 'network-attacker' has the id of the built-in entry point 'network-attacker'",
        "tool 'internet-attacker' has the id of the built-in entry point 'internet-attacker'",
    ]
