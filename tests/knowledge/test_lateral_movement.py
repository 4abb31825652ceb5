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
