"""Which credentials ``agent-config-credential-harvest`` collects: every credential an agent's
configuration holds (a tool's token, the model provider's key, a chat channel's token), and none
from an ordinary service configuration, which ``secret-exposure`` covers."""

from __future__ import annotations

import textwrap

import actm
from actm.knowledge.attacks import builtin_knowledge

KB = builtin_knowledge()

# A personal assistant's configuration on a readable laptop holds the key of its model provider
# and its chat channel's token besides the token of its one tool; a service's own configuration
# on the same laptop holds a database password.
CONFIGS = """
actm: 1
system: {id: fixture}
nodes:
  - {id: laptop, kind: workstation}
  - {id: provider, kind: third_party_api}
models:
  - {id: bot, kind: agent, deployed_on: [provider], tools: [crm]}
assets:
  - id: agent-config
    type: agent_configuration
    resides: [{node: laptop}]
    contains: [crm-token, provider-key, channel-token]
  - {id: crm-token, type: credential}
  - {id: provider-key, type: credential, grants_access: [provider]}
  - {id: channel-token, type: credential}
  - {id: service-config, type: configuration, resides: [{node: laptop}], contains: [db-password]}
  - {id: db-password, type: secret}
tools:
  - {id: crm, credential: crm-token}
vulnerabilities:
  - {id: readable-home, class: read_access, node: laptop}
"""


def test_every_credential_of_the_agent_configuration_and_none_of_a_service_configuration() -> None:
    model = actm.load_model_text(textwrap.dedent(CONFIGS), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    assert sorted(
        t.id for t in result.threats if t.id.startswith("agent-config-credential-harvest@")
    ) == [
        "agent-config-credential-harvest@agent-config@channel-token",
        "agent-config-credential-harvest@agent-config@crm-token",
        "agent-config-credential-harvest@agent-config@provider-key",
    ]
