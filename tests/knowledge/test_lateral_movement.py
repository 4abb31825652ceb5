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


# A workstation holds the team's token for the team's own hosted application and its SSH key
# for the team's build host; each keeps data.
HOSTED = """
actm: 1
system: {id: fixture, owner: team}
owners:
  - {id: team, first_party: true}
nodes:
  - {id: laptop, kind: workstation, owner: team}
  - {id: app, kind: saas, owner: team}
  - {id: build, kind: host, owner: team}
assets:
  - {id: app-token, type: credential, issued_by: team, grants_access: [app],
     resides: [{node: laptop}]}
  - {id: ssh-key, type: credential, grants_access: [build], resides: [{node: laptop}]}
  - {id: app-records, type: data, resides: [{node: app}]}
  - {id: build-cache, type: data, resides: [{node: build}]}
vulnerabilities:
  - {id: infostealer, class: rce, node: laptop}
"""


def test_a_token_for_a_hosted_application_is_not_lateral_movement() -> None:
    # the application's token reads its records through the application's API, whoever runs
    # it: not a move onto another machine, as the SSH key's onto the build host is
    model = actm.load_model_text(textwrap.dedent(HOSTED), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    ids = {t.id for t in result.threats}
    assert sorted(i for i in ids if i.startswith("credential-reuse-lateral-movement@")) == [
        "credential-reuse-lateral-movement@ssh-key@build-cache"
    ]
