"""The ATLAS impact and follow-on techniques a threat cites only where its binding shows who
bears the harm (``references_when``): each condition with a model where it holds and one where
it does not, asserting the exact ids."""

from __future__ import annotations

from atlas_citations import atlas_of as _atlas

# A classifier anyone can query, whose labels the public reads as the operator's word.
PUBLIC_LABELS = """
actm: 1
system: {id: fixture}
nodes:
  - {id: api, kind: inference_server}
models:
  - {id: labeller, kind: classifier, exposure: public, exposes: [outputs], deployed_on: [api],
     acted_on: [{by: public, decision: reputational}]}
"""
STAFF_LABELS = PUBLIC_LABELS.replace("by: public", "by: staff")


def test_eroded_model_integrity_when_the_public_takes_the_outputs_as_the_operators_word() -> None:
    evasion = ["AML.T0015", "AML.T0043", "AML.T0043.001", "AML.T0042", "AML.T0040"]
    assert _atlas(PUBLIC_LABELS, "model-evasion@labeller") == [*evasion, "AML.T0031"]
    # staff who read the labels decide for themselves: nothing shows confidence eroded
    assert _atlas(STAFF_LABELS, "model-evasion@labeller") == evasion


# A pretrained LLM from a hub whose publisher can edit its weights; the public reads its answers.
HUB_MODEL = """
actm: 1
system: {id: fixture, owner: us}
owners:
  - {id: us, first_party: true}
  - {id: hub-publisher}
nodes:
  - {id: app, kind: web_app, owner: us}
models:
  - {id: chat, kind: llm, owner: hub-publisher, deployed_on: [app],
     acted_on: [{by: public, decision: reputational}]}
assumptions:
  - {id: hub-checkpoint, producer: hub-publisher, asset: chat.model_parameters,
     capability: make_limited_changes, justification: no pinned revision, status: unjustified}
"""


def test_eroded_model_integrity_when_poisoned_weights_answer_the_public() -> None:
    poisoned = ["AML.T0058", "AML.T0018.000", "AML.T0010.003"]
    assert _atlas(HUB_MODEL, "poisoned-pretrained-model@chat") == [*poisoned, "AML.T0031"]
    operational = HUB_MODEL.replace("decision: reputational", "decision: operational")
    assert _atlas(operational, "poisoned-pretrained-model@chat") == poisoned


# A detector that blocks or allows the web pages people open, scoring what the pages' authors
# wrote; and the same detector deciding on what a signed-in customer uploads.
PAGE_GATE = """
actm: 1
system: {id: fixture}
nodes:
  - {id: scanner, kind: service}
models:
  - id: page-check
    kind: classifier
    deployed_on: [scanner]
    acted_on: [{by: automation, decision: access}]
    assets:
      inputs: {untrusted_sources: [web-page-authors]}
"""
UPLOAD_GATE = """
actm: 1
system: {id: fixture}
nodes:
  - {id: scanner, kind: inference_server}
models:
  - {id: page-check, kind: classifier, exposure: public, deployed_on: [scanner],
     acted_on: [{by: automation, decision: access}]}
"""


def test_phishing_and_user_harm_when_an_automated_gate_passes_outside_content() -> None:
    assert _atlas(PAGE_GATE, "manipulated-decision-harm@page-check") == [
        "AML.T0048",
        "AML.T0052",
        "AML.T0048.003",
    ]
    # the sender of the input is the user the decision is about, not content passed to others
    assert _atlas(UPLOAD_GATE, "manipulated-decision-harm@page-check") == ["AML.T0048"]
