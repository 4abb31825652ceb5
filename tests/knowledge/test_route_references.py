"""The ATLAS techniques a threat cites for the route its chain shows (``references_when``), each
condition with a model where it holds and one where it does not, asserting the exact ids."""

from __future__ import annotations

import pytest

from atlas_citations import atlas_of as _atlas

# A vendor's model that the system's product calls for anyone on the internet, with the
# product's instructions: whoever uses the product reaches the vendor's model through it
# (AI-enabled product or service).
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
assets:
  - {id: instructions, type: agent_configuration}
relations:
  - {kind: feeds, from: instructions, to: chat.inputs.system_prompt}
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
assets:
  - {id: instructions, type: agent_configuration}
relations:
  - {kind: feeds, from: instructions, to: chat.inputs.system_prompt}
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


@pytest.mark.parametrize(
    ("model_text", "product", "api"),
    [(VENDOR_MODEL, True, False), (OWN_MODEL, False, True)],
    ids=["vendor-model-in-product", "own-inference-api"],
)
def test_ai_enabled_product_for_a_vendor_model(model_text: str, product: bool, api: bool) -> None:
    cited = _atlas(model_text, "direct-prompt-injection@chat")
    assert ("AML.T0047" in cited, "AML.T0040" in cited) == (product, api)


# The labelling API of LABELS_ONLY sold to account holders rather than open to anyone: a
# declared adversary with an account writes the input and reads the labels, as a public user
# would.
ACCOUNT_HOLDER = (
    LABELS_ONLY.replace("exposure: public", "exposure: internal")
    + """
adversaries:
  - id: account-holder
    reach: authenticated
    holds: [{asset: spam.inputs.user_input, capability: make_arbitrary_changes}]
"""
)


@pytest.mark.parametrize(
    ("model_text", "returned"),
    [
        (LABELS_ONLY, True),
        (ACCOUNT_HOLDER, True),
        (LABELS_ONLY.replace("exposes: [outputs]", "exposes: []"), False),
        (ACCOUNT_HOLDER.replace("exposes: [outputs]", "exposes: []"), False),
    ],
    ids=["public-user-sees-labels", "account-holder-sees-labels", "public-blind", "holder-blind"],
)
def test_black_box_crafting_needs_the_returned_outputs(model_text: str, returned: bool) -> None:
    """Black-box optimisation and verifying the attack cite where whoever writes the input,
    a public user or a declared adversary, is given the outputs back to iterate on."""
    cited = _atlas(model_text, "model-evasion@spam")
    assert ("AML.T0043.001" in cited, "AML.T0042" in cited) == (returned, returned)
    assert "AML.T0015" in cited


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


def test_prompt_infiltrated_through_the_public_application_that_runs_the_code() -> None:
    threat = "agent-code-execution@coder@app-data"
    assert _atlas(PUBLIC_APP, threat)[-2:] == ["AML.T0049", "AML.T0093"]
    assert "AML.T0093" not in _atlas(INTERNAL_APP, threat)


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


def test_valid_accounts_when_the_declared_adversary_holds_an_account() -> None:
    assert "AML.T0012" in _atlas(API_CUSTOMER, "proxy-model-evasion@chat")
    # an insider writes the input from inside the network, with no account of the service
    insider = API_CUSTOMER.replace("reach: authenticated", "reach: insider")
    assert "AML.T0012" not in _atlas(insider, "proxy-model-evasion@chat")


# A desktop client that keeps its session token only in memory, where other processes of the
# user can read it, and the same client that also writes the token to a file it ships.
TOKEN_IN_MEMORY = """
actm: 1
system: {id: desktop}
nodes:
  - {id: laptop, kind: workstation}
assets:
  - id: session-token
    type: credential
    criticality: {confidentiality: high}
    resides: [{node: laptop, mode: processed}]
vulnerabilities:
  - {id: readable-memory, class: secret_in_client, node: laptop, assets: [session-token]}
"""


def test_os_credential_dumping_when_the_secret_is_read_from_process_memory() -> None:
    assert _atlas(TOKEN_IN_MEMORY, "secret-exposure@session-token") == [
        "AML.T0055",
        "AML.T0090",
        "AML.T0089",
    ]
    on_disk = TOKEN_IN_MEMORY.replace("mode: processed", "mode: stored")
    assert _atlas(on_disk, "secret-exposure@session-token") == ["AML.T0055"]


# A tool whose vendor can change its definition at will; below, the system's own tool on a
# host whose code execution lets an adversary rewrite it instead.
VENDOR_TOOL = """
actm: 1
system: {id: fixture, owner: us}
owners:
  - {id: us, first_party: true}
  - {id: vendor}
models:
  - {id: bot, kind: agent, tools: [weather]}
tools:
  - {id: weather, owner: vendor}
assumptions:
  - {id: vendor-defs, producer: vendor, asset: weather.definition, capability: make_limited_changes}
"""


def test_poisoned_agent_tool_run_by_its_user_when_its_publisher_wrote_it() -> None:
    assert _atlas(VENDOR_TOOL, "tool-definition-poisoning@bot") == [
        "AML.T0110",
        "AML.T0010.005",
        "AML.T0104",
        "AML.T0011.002",
    ]


def test_no_poisoned_agent_tool_when_the_adversary_rewrote_it_on_the_host() -> None:
    own_tool = """
actm: 1
system: {id: fixture, owner: us}
owners:
  - {id: us, first_party: true}
nodes:
  - {id: tools-host, kind: host, exposure: internet}
models:
  - {id: bot, kind: agent, tools: [weather]}
tools:
  - {id: weather, node: tools-host}
vulnerabilities:
  - {id: host-rce, class: rce, node: tools-host}
"""
    assert _atlas(own_tool, "tool-definition-poisoning@bot") == ["AML.T0110", "AML.T0010.005"]


# A deploy key committed to a source repository that anyone who signs up can read, and the same
# key on a developer's laptop with a world-readable home directory.
KEY_IN_REPOSITORY = """
actm: 1
system: {id: code}
nodes:
  - {id: git, kind: source_repository, exposure: internet}
assets:
  - id: deploy-key
    type: credential
    criticality: {confidentiality: high}
    resides: [{node: git}]
vulnerabilities:
  - {id: open-sign-up, class: misconfiguration, node: git, assets: [deploy-key]}
"""


def test_data_from_an_information_repository_when_the_secret_is_read_there() -> None:
    assert _atlas(KEY_IN_REPOSITORY, "secret-exposure@deploy-key") == [
        "AML.T0055",
        "AML.T0049",
        "AML.T0036",
    ]
    on_a_laptop = KEY_IN_REPOSITORY.replace("source_repository, exposure: internet", "workstation")
    assert _atlas(on_a_laptop, "secret-exposure@deploy-key") == ["AML.T0055"]


# A public assistant on its provider's API names packages a developer installs, and the same
# assistant when only the organisation's own staff can ask it.
PUBLIC_ASSISTANT = """
actm: 1
system: {id: fixture}
owners:
  - {id: name-holder}
nodes:
  - {id: api, kind: third_party_api}
  - {id: workstation, kind: workstation}
models:
  - {id: assistant, kind: agent, exposure: public, deployed_on: [api], tools: [install]}
tools:
  - {id: install, node: workstation, permissions: {execute: [workstation], write: [suggested]}}
packages:
  - {id: suggested, ecosystem: pypi, name: whatever the answer names, pinned: false,
     verified: false, publisher: name-holder, runs_on: [workstation]}
"""


def test_inference_api_access_when_the_squatter_can_ask_the_public_model() -> None:
    squat = ["AML.T0062", "AML.T0060", "AML.T0074", "AML.T0011.001"]
    # the package runs on a workstation: the harm is its user's (User Harm, after the route)
    harm = "AML.T0048.003"
    public = _atlas(PUBLIC_ASSISTANT, "package-name-squatting@suggested")
    assert public == [*squat, "AML.T0040", harm]
    staff_only = PUBLIC_ASSISTANT.replace("exposure: public", "exposure: internal")
    assert _atlas(staff_only, "package-name-squatting@suggested") == [*squat, harm]


def test_local_ai_agent_when_the_unsandboxed_tool_runs_on_the_apps_machine() -> None:
    threat = "agent-code-execution@coder@app-data"
    assert "AML.T0112.000" in _atlas(PUBLIC_APP, threat)
    in_a_function = PUBLIC_APP.replace("kind: container", "kind: serverless")
    assert "AML.T0112.000" not in _atlas(in_a_function, threat)


def test_model_ontology_when_the_adversary_queries_a_classifier_for_its_labels() -> None:
    acted_on = LABELS_ONLY.replace(
        "deployed_on: [api]}",
        "deployed_on: [api],\n     acted_on: [{by: automation, decision: access}]}",
    )
    assert _atlas(acted_on, "proxy-model-evasion@spam") == [
        "AML.T0005",
        "AML.T0043",
        "AML.T0015",
        "AML.T0043.002",
        "AML.T0005.001",
        "AML.T0042",
        "AML.T0013",
        "AML.T0040",
    ]
    # an LLM's answers are text, not the classes of an output space
    assert "AML.T0013" not in _atlas(API_CUSTOMER, "proxy-model-evasion@chat")


# An assistant in the browser's side pane reads the page the user has open, and the same
# assistant fed the page by a back end the user does not look at.
BROWSER_PANE = """
actm: 1
system: {id: pane}
nodes:
  - {id: backend, kind: service}
  - {id: sidebar, kind: browser}
models:
  - id: assistant
    kind: llm
    deployed_on: [backend]
    assets:
      inputs:
        component_sources: {retrieved_context: [open-tab-pages]}
        resides: [{node: sidebar, mode: processed}, {node: backend, mode: processed}]
vulnerabilities:
  - {id: follows-pages, class: follows_injected_instructions, model: assistant}
"""


def test_prompt_obfuscation_when_the_injection_is_on_the_page_the_user_reads() -> None:
    assert _atlas(BROWSER_PANE, "indirect-prompt-injection@assistant") == [
        "AML.T0051.001",
        "AML.T0068",
    ]
    backend_only = BROWSER_PANE.replace(
        "resides: [{node: sidebar, mode: processed}, {node: backend, mode: processed}]",
        "resides: [{node: backend, mode: processed}]",
    )
    assert _atlas(backend_only, "indirect-prompt-injection@assistant") == ["AML.T0051.001"]


# An agent's configuration on a gateway that listens on localhost only, taken over from a page
# the user's browser opens; and the same gateway serving the internet itself.
LOCAL_GATEWAY = """
actm: 1
system: {id: assistant}
nodes:
  - {id: gateway, kind: service, exposure: internal}
models:
  - {id: agent, kind: agent, tools: [exec]}
assets:
  - {id: agent-config, type: agent_configuration, resides: [{node: gateway}]}
relations:
  - {kind: feeds, from: agent-config, to: agent.inputs.system_prompt}
tools:
  - {id: exec, node: gateway, permissions: {execute: [gateway]}, sandbox: true}
vulnerabilities:
  - {id: cross-site-websocket, class: exposed_management_interface, node: gateway,
     exploited_by: [internet-attacker]}
"""


def test_exploitation_for_defense_evasion_when_an_internal_node_is_reached_from_outside() -> None:
    threat = "agent-config-tampering@agent-config@agent"
    assert _atlas(LOCAL_GATEWAY, threat) == ["AML.T0081", "AML.T0108", "AML.T0107", "AML.T0011.003"]
    facing_the_internet = LOCAL_GATEWAY.replace("exposure: internal", "exposure: internet")
    assert _atlas(facing_the_internet, threat) == ["AML.T0081", "AML.T0108", "AML.T0049"]


# An agent that can write the files its system prompt is built from, and that follows what a
# fetched page tells it; the same files written only by the person who runs it.
SELF_WRITTEN_INSTRUCTIONS = """
actm: 1
system: {id: assistant}
nodes:
  - {id: host, kind: workstation}
models:
  - {id: agent, kind: agent, features: [web_browsing], tools: [fetch, write-file]}
assets:
  - {id: workspace, type: agent_configuration, resides: [{node: host}]}
relations:
  - {kind: feeds, from: workspace, to: agent.inputs.system_prompt}
tools:
  - {id: fetch, node: host, untrusted_results: [web-pages], permissions: {egress: [internet]}}
  - {id: write-file, node: host, permissions: {write: [workspace]}, constrained: false}
vulnerabilities:
  - {id: follows-pages, class: follows_injected_instructions, model: agent}
"""


def test_thread_poisoning_when_the_steered_agent_writes_its_own_instructions() -> None:
    threat = "agent-config-tampering@workspace@agent"
    assert _atlas(SELF_WRITTEN_INSTRUCTIONS, threat) == [
        "AML.T0081",
        "AML.T0080",
        "AML.T0080.001",
    ]
    # the rewrite through a stolen gateway token is no prompting of the agent
    assert "AML.T0080" not in _atlas(LOCAL_GATEWAY, "agent-config-tampering@agent-config@agent")


def test_jailbreak_in_planted_content_only_where_the_model_is_known_to_be_jailbreakable() -> None:
    threat = "indirect-prompt-injection@agent"
    assert "AML.T0054" not in _atlas(SELF_WRITTEN_INSTRUCTIONS, threat)
    jailbreakable = SELF_WRITTEN_INSTRUCTIONS.replace(
        "  - {id: follows-pages, class: follows_injected_instructions, model: agent}",
        "  - {id: follows-pages, class: follows_injected_instructions, model: agent}\n"
        "  - {id: spoofed-control, class: jailbreakable, model: agent}",
    )
    assert _atlas(jailbreakable, threat) == [
        "AML.T0051.001",
        "AML.T0099",
        "AML.T0078",
        "AML.T0054",
    ]


# A model shared through a hub organisation that carries the company's name but that someone
# else created; and the same hub with a tampered file and no claim about who runs the namespace.
IMPERSONATED_ORG = """
actm: 1
system: {id: sharing, owner: us}
owners:
  - {id: us, first_party: true}
  - {id: org-creator, trust: untrusted}
nodes:
  - {id: hub-org, kind: model_hub, owner: org-creator}
  - {id: laptop, kind: workstation}
models:
  - id: shared
    kind: llm
    owner: us
    stored_on: [hub-org]
    assets:
      architecture: {resides: [{node: laptop, mode: processed}]}
vulnerabilities:
  - {id: look-alike-org, class: impersonated_namespace, node: hub-org}
"""


def test_impersonation_when_the_model_is_kept_under_a_namespace_posing_as_the_owners() -> None:
    assert _atlas(IMPERSONATED_ORG, "malicious-model-file@shared") == [
        "AML.T0011.000",
        "AML.T0018.002",
        "AML.T0073",
        "AML.T0010.003",
        "AML.T0074",
    ]
    assert _atlas(IMPERSONATED_ORG, "model-weights-tampering@shared") == [
        "AML.T0018.000",
        "AML.T0073",
        "AML.T0010.003",
    ]
    tampered = IMPERSONATED_ORG.replace("impersonated_namespace", "supply_chain_model_file")
    assert _atlas(tampered, "malicious-model-file@shared") == [
        "AML.T0011.000",
        "AML.T0018.002",
        "AML.T0074",
    ]


def test_masquerading_when_the_file_of_the_owners_own_model_is_replaced() -> None:
    """The file the owner's model is loaded from is rewritten: the malicious version keeps
    the model's name and place. A model a third party publishes is not disguised as anyone's
    (the organisation's creator owns it), nor one anyone may upload."""
    assert "AML.T0074" in _atlas(IMPERSONATED_ORG, "malicious-model-file@shared")
    theirs = IMPERSONATED_ORG.replace(
        "owner: us\n    stored_on", "owner: org-creator\n    stored_on"
    )
    assert "AML.T0074" not in _atlas(theirs, "malicious-model-file@shared")
    uploaded = IMPERSONATED_ORG.replace(
        "architecture: {resides: [{node: laptop, mode: processed}]}",
        "architecture: {resides: [{node: laptop, mode: processed}], untrusted_sources: [uploads]}",
    )
    uploaded = uploaded[: uploaded.index("vulnerabilities:")]
    assert "AML.T0074" not in _atlas(uploaded, "malicious-model-file@shared")


def test_corrupt_model_when_the_file_passes_the_hubs_upload_scan() -> None:
    scanned = IMPERSONATED_ORG.replace("impersonated_namespace", "model_scan_bypass")
    assert _atlas(scanned, "malicious-model-file@shared") == [
        "AML.T0011.000",
        "AML.T0018.002",
        "AML.T0010",
        "AML.T0010.003",
        "AML.T0058",
        "AML.T0076",
        "AML.T0074",
    ]


def test_escape_to_host_is_left_to_the_entry_that_knows_the_tools_settings() -> None:
    # a sandboxed code tool beside a rewritten configuration does not show that this
    # configuration sets the sandbox up: tool-safeguard-disablement cites Escape to Host where
    # the tool names the configuration that holds its settings (configured_in)
    threat = "agent-config-tampering@agent-config@agent"
    assert "AML.T0105" not in _atlas(LOCAL_GATEWAY, threat)


# A cloud classifier that scores what the vendor's product extracts on each customer's
# computer: anyone with the product reaches the model through it. And the same classifier
# scoring uploads its own service stores, with no client in between.
PRODUCT_CLIENT = """
actm: 1
system: {id: scanner}
nodes:
  - {id: customer-pc, kind: endpoint}
  - {id: scoring, kind: inference_server, exposure: internet}
models:
  - {id: detector, kind: classifier, exposure: public, exposes: [outputs], deployed_on: [scoring]}
assets:
  - {id: features, type: data, resides: [{node: customer-pc, mode: processed}]}
relations:
  - {id: submit, kind: feeds, from: features, to: detector.inputs.user_input}
"""


def test_ai_enabled_product_when_the_input_comes_through_the_products_client() -> None:
    assert _atlas(PRODUCT_CLIENT, "model-evasion@detector") == [
        "AML.T0015",
        "AML.T0043",
        "AML.T0043.001",
        "AML.T0042",
        "AML.T0040",
        "AML.T0047",
    ]
    server_side = PRODUCT_CLIENT.replace("node: customer-pc, mode", "node: scoring, mode")
    assert "AML.T0047" not in _atlas(server_side, "model-evasion@detector")


def test_ai_enabled_product_when_the_client_device_holder_writes_the_input() -> None:
    # whoever holds the customer's computer decides what the product's client sends
    holder = (
        PRODUCT_CLIENT.replace("exposure: public, ", "")
        + """adversaries:
  - id: device-holder
    reach: internet
    holds: [{asset: detector.inputs.user_input, capability: make_arbitrary_changes}]
"""
    )
    assert "AML.T0047" in _atlas(holder, "model-evasion@detector")
    server_side = holder.replace("node: customer-pc, mode", "node: scoring, mode")
    assert "AML.T0047" not in _atlas(server_side, "model-evasion@detector")


# A training set in a data lake, opened by a cloud key kept on a workstation that runs
# downloaded code, and the same data lake read directly through a flaw of its own.
KEY_OPENS_DATA_LAKE = """
actm: 1
system: {id: ml}
nodes:
  - {id: laptop, kind: workstation}
  - {id: lake, kind: data_warehouse, pipeline: development}
models:
  - id: ranker
    kind: classifier
    assets:
      dataset:
        criticality: {confidentiality: high}
        resides: [{node: lake}]
assets:
  - id: cloud-key
    type: credential
    criticality: {confidentiality: high}
    grants_access: [lake]
    resides: [{node: laptop}]
vulnerabilities:
  - {id: loads-pickles, class: insecure_deserialization, node: laptop}
"""


def test_unsecured_credentials_when_the_training_data_is_opened_by_a_stored_key() -> None:
    collect = ["AML.T0035", "AML.T0025", "AML.T0036"]
    cited = _atlas(KEY_OPENS_DATA_LAKE, "training-data-exposure@ranker")
    assert cited == [*collect, "AML.T0012", "AML.T0055"]
    lake_open = KEY_OPENS_DATA_LAKE.replace(
        "insecure_deserialization, node: laptop", "read_access, node: lake"
    )
    assert _atlas(lake_open, "training-data-exposure@ranker") == collect


# A local gateway whose control interface gives its configuration away (a flaw exploited to get
# at the credentials), and the same gateway misconfigured to serve its files (no exploit).
CONTROL_INTERFACE = """
actm: 1
system: {id: fixture}
nodes:
  - {id: gateway, kind: service, exposure: internet}
assets:
  - {id: config, type: agent_configuration, resides: [{node: gateway}], contains: [key]}
  - {id: key, type: credential, criticality: {confidentiality: high}}
vulnerabilities:
  - {id: token-leak, class: exposed_management_interface, node: gateway}
"""


def test_exploitation_for_credential_access_through_an_exposed_control_interface() -> None:
    harvest = ["AML.T0083", "AML.T0055"]
    assert _atlas(CONTROL_INTERFACE, "agent-config-credential-harvest@config@key") == [
        *harvest,
        "AML.T0106",
    ]
    misconfigured = CONTROL_INTERFACE.replace("exposed_management_interface", "misconfiguration")
    assert _atlas(misconfigured, "agent-config-credential-harvest@config@key") == [
        *harvest,
        "AML.T0049",
    ]
