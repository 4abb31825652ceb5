"""Where a stolen credential moves the adversary (``credential-reuse-lateral-movement``): onto
the organisation's own machines, not into the third-party service the credential is made for."""

from __future__ import annotations

import textwrap

import actm
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()

# A batch job on a compromised host holds the key of a vendor's search API and the key of the
# team's own image store; each resides with data there.
KEYS = """
actm: 1
system: {id: fixture, owner: team}
owners:
  - {id: team, first_party: true}
  - {id: vendor}
nodes:
  - {id: batch, kind: batch_job, owner: team}
  - {id: search-api, kind: third_party_api, owner: vendor}
  - {id: image-store, kind: object_storage, owner: team}
assets:
  - {id: search-key, type: credential, grants_access: [search-api], resides: [{node: batch}]}
  - {id: store-key, type: credential, grants_access: [image-store], resides: [{node: batch}]}
  - {id: search-results, type: data, resides: [{node: search-api}]}
  - {id: training-images, type: data, resides: [{node: image-store}]}
vulnerabilities:
  - {id: infostealer, class: rce, node: batch}
"""


def test_a_key_moves_onto_the_own_store_and_not_into_the_vendors_service() -> None:
    model = actm.load_model_text(textwrap.dedent(KEYS), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    assert sorted(
        t.id for t in result.threats if t.id.startswith("credential-reuse-lateral-movement@")
    ) == ["credential-reuse-lateral-movement@store-key@training-images"]


# A code execution on a jump host reads an ops key whose `grants` (not `grants_access`) name
# what it opens: {grants} is the key's grants.
JUMP = """
actm: 1
system: {{id: ops, owner: me}}
owners:
  - {{id: me, first_party: true}}
nodes:
  - {{id: jump, kind: host, owner: me}}
  - {{id: payroll-db, kind: database, owner: me}}
  - {{id: builder, kind: ci_runner, owner: me}}
assets:
  - {{id: payroll, type: personal_data, criticality: {{confidentiality: critical}},
     resides: [{{node: payroll-db}}]}}
  - {{id: signing-key, type: secret, criticality: {{confidentiality: critical}},
     resides: [{{node: builder}}]}}
  - {{id: ops-key, type: credential, grants: {grants}, resides: [{{node: jump}}]}}
vulnerabilities:
  - {{id: jump-rce, class: rce, node: jump}}
"""


def _moves(grants: str) -> tuple[list[str], list[tuple[str, str]]]:
    model = actm.load_model_text(textwrap.dedent(JUMP.format(grants=grants)), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    ids = [t.id for t in result.threats if t.attack == "credential-reuse-lateral-movement"]
    return sorted(ids), sorted((d.id, d.rule) for d in result.dropped)


def test_a_key_moves_onto_the_data_its_grants_read() -> None:
    assert _moves("{read: [payroll]}") == (
        ["credential-reuse-lateral-movement@ops-key@payroll"],
        [],
    )


def test_a_key_moves_onto_the_machine_its_grants_run_code_on() -> None:
    assert _moves("{execute: [builder]}") == (
        ["credential-reuse-lateral-movement@ops-key@signing-key"],
        [],
    )


def test_what_a_reported_key_runs_code_on_restates_its_foothold() -> None:
    # the theft of the key is reported (onto payroll): what its code execution on the builder
    # then reads is that foothold again (engine/footholds.py)
    assert _moves("{read: [payroll], execute: [builder]}") == (
        ["credential-reuse-lateral-movement@ops-key@payroll"],
        [("credential-reuse-lateral-movement@ops-key@signing-key", "foothold")],
    )


def test_a_key_that_grants_nothing_moves_nowhere() -> None:
    assert _moves("{}") == ([], [])


def test_what_the_keys_own_tool_reads_is_no_lateral_move() -> None:
    """The key also authorises a payroll tool: taking payroll with it is the key's own use
    through that tool (stolen-credential-data-access), not a move onto another machine."""
    text = JUMP.format(grants="{read: [payroll], execute: [builder]}") + textwrap.dedent(
        """\
        models:
          - {id: clerk, kind: agent, tools: [payroll_read]}
        tools:
          - id: payroll_read
            node: payroll-db
            permissions: {read: [payroll]}
            credential: ops-key
        """
    )
    model = actm.load_model_text(textwrap.dedent(text), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    moves = sorted(t.id for t in result.threats if t.attack == "credential-reuse-lateral-movement")
    assert "credential-reuse-lateral-movement@ops-key@payroll" not in moves
    assert "stolen-credential-data-access@ops-key@payroll" in {t.id for t in result.threats}
