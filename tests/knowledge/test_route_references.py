"""The ATLAS techniques a threat cites for the route its chain shows (``references_when``), each
condition with a model where it holds and one where it does not, asserting the exact ids."""

from __future__ import annotations

import textwrap

import pytest

import actm
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()

# A vendor's model that the system's product calls for anyone on the internet: whoever uses the
# product reaches the vendor's model through it (AI-enabled product or service).
VENDOR_MODEL = """
actm: 1
system: {id: app, owner: us}
owners:
  - {id: us, first_party: true}
  - {id: vendor}
nodes:
  - {id: vendor-api, kind: third_party_api, owner: vendor}
models:
  - {id: chat, kind: llm, owner: vendor, exposure: public, deployed_on: [vendor-api]}
"""

# The same model as the system's own, served from its inference API: queried directly.
OWN_MODEL = """
actm: 1
system: {id: app, owner: us}
owners:
  - {id: us, first_party: true}
nodes:
  - {id: api, kind: inference_server, owner: us}
models:
  - {id: chat, kind: llm, owner: us, exposure: public, deployed_on: [api]}
"""

# A classifier that returns its scores to whoever queries it, and one that returns only labels.
SCORES_RETURNED = """
actm: 1
system: {id: filter}
nodes:
  - {id: api, kind: inference_server}
models:
  - {id: spam, kind: classifier, exposure: public, exposes: [outputs, output_details],
     deployed_on: [api]}
"""
LABELS_ONLY = SCORES_RETURNED.replace("exposes: [outputs, output_details]", "exposes: [outputs]")


def _atlas(model_text: str, threat: str) -> list[str]:
    model = actm.load_model_text(textwrap.dedent(model_text), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    found = [t for t in result.threats if t.id == threat]
    assert found, f"{threat} not reported: {[t.id for t in result.threats]}"
    return list(found[0].references.get("atlas", ()))


@pytest.mark.parametrize(
    ("model_text", "product", "api"),
    [(VENDOR_MODEL, True, False), (OWN_MODEL, False, True)],
    ids=["vendor-model-in-product", "own-inference-api"],
)
def test_ai_enabled_product_for_a_vendor_model(model_text: str, product: bool, api: bool) -> None:
    cited = _atlas(model_text, "direct-prompt-injection@chat")
    assert ("AML.T0047" in cited, "AML.T0040" in cited) == (product, api)


def test_discovered_model_outputs_when_the_scores_are_returned() -> None:
    assert "AML.T0063" in _atlas(SCORES_RETURNED, "model-inversion@spam")
    assert "AML.T0063" not in _atlas(LABELS_ONLY, "model-extraction@spam")


# An app that runs what its model writes, on a server that faces the internet or one inside.
PUBLIC_APP = """
actm: 1
system: {id: app}
nodes:
  - {id: server, kind: container, exposure: internet}
models:
  - {id: coder, kind: llm, exposure: public, features: [code_interpreter], tools: [run]}
assets:
  - {id: app-data, type: business_data, resides: [{node: server}]}
tools:
  - {id: run, node: server, permissions: {execute: [server]}, sandbox: false}
"""
INTERNAL_APP = PUBLIC_APP.replace("exposure: internet", "exposure: internal")


def test_exploited_public_facing_application_when_the_code_runs_on_one() -> None:
    threat = "agent-code-execution@coder@app-data"
    assert "AML.T0049" in _atlas(PUBLIC_APP, threat)
    assert "AML.T0049" not in _atlas(INTERNAL_APP, threat)


def test_agent_tool_credential_harvesting_when_the_tool_reaches_a_credential() -> None:
    with_key = PUBLIC_APP.replace(
        "assets:\n", "assets:\n  - {id: app-key, type: credential, resides: [{node: server}]}\n"
    )
    assert "AML.T0098" in _atlas(with_key, "agent-code-execution@coder@app-key")
    assert "AML.T0098" not in _atlas(with_key, "agent-code-execution@coder@app-data")


# An agent with a shell tool on a laptop where the adversary's code runs (an RCE), and the same
# agent where only its public users reach its input.
AGENT_ON_HOST = """
actm: 1
system: {id: dev}
nodes:
  - {id: laptop, kind: workstation}
models:
  - id: coder
    kind: agent
    deployed_on: [laptop]
    tools: [shell]
assets:
  - {id: repo, type: source_code, resides: [{node: laptop}]}
tools:
  - {id: shell, node: laptop, permissions: {execute: [laptop]}}
vulnerabilities:
  - {id: rce, class: rce, node: laptop}
"""
AGENT_FOR_USERS = AGENT_ON_HOST.split("vulnerabilities:", 1)[0]
AGENT_FOR_USERS = AGENT_FOR_USERS.replace("kind: agent\n", "kind: agent\n    exposure: public\n")


def test_deploy_ai_agent_when_the_adversary_writes_the_agents_input_by_running_code() -> None:
    assert "AML.T0103" in _atlas(AGENT_ON_HOST, "direct-prompt-injection@coder")
    assert "AML.T0103" not in _atlas(AGENT_FOR_USERS, "direct-prompt-injection@coder")


# A vendor's model on its API, queried by a declared account holder of that API; support staff
# act on its answers, so evasion crafted on a copy of it matters.
API_CUSTOMER = (
    VENDOR_MODEL.replace("exposure: public, ", "").replace(
        "deployed_on: [vendor-api]}",
        "deployed_on: [vendor-api],\n     acted_on: [{by: staff, decision: operational}]}",
    )
    + """adversaries:
  - id: api-customer
    reach: authenticated
    holds: [{asset: chat.inputs.user_input, capability: make_arbitrary_changes}]
"""
)


def test_inference_api_access_by_a_declared_account_holder() -> None:
    assert "AML.T0040" in _atlas(API_CUSTOMER, "proxy-model-evasion@chat")
    on_a_desktop = API_CUSTOMER.replace("kind: third_party_api", "kind: workstation")
    assert "AML.T0040" not in _atlas(on_a_desktop, "proxy-model-evasion@chat")
