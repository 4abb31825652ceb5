"""The bundled examples: they validate, survive a dump/load round trip, and produce the threats
a reviewer signed off on.

The expected threat ids below were computed with ``actm analyze``, read chain by chain and
agreed with before being written down. When the engine or the knowledge base changes on
purpose, re-run ``actm analyze examples/<file>.yaml``, review the difference and update the
list; never replace it with a count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.model.dump import dump_model
from actm.results.model import Result, Threat

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EXPECTED: dict[str, list[str]] = {
    "coding-assistant.yaml": [
        "agent-code-execution@coder@app-repo",
        "agent-code-execution@coder@ci-secrets",
        # fetch_url is both where injected pages come from and a way out for the context
        "context-exfiltration-via-tool@coder",
        "cross-agent-prompt-injection@planner@coder",
        # the read-only planner, steered by an issue, hands work to the coder and its tools
        "delegation-privilege-escalation@planner@coder",
        "excessive-agency-write@coder@app-repo",
        "indirect-prompt-injection@coder",
        "indirect-prompt-injection@planner",
        "provider-data-exposure@coder",
        # provider-data-exposure@planner is gone: only llm-vendor reads the planner's inputs,
        # which are processed on its own llm-api node, and an owner is never the adversary for
        # what it already holds (operator_holds)
        # no self-replication: the coder reads back only what it wrote itself, and nothing
        # declares another agent or outside content reading app-repo
        "system-prompt-eviction@coder",
        "tool-data-exfiltration@coder@app-repo",
        "tool-definition-poisoning@planner",
        # nothing pins the vendor's tool definition after review
        "tool-rug-pull@search_docs",
    ],
    "credential-theft.yaml": [
        "malicious-model-file@fraud-scorer",
        "model-backdoor@fraud-scorer",
        "model-weight-theft@fraud-scorer",
        "model-weights-tampering@fraud-scorer",
    ],
    "customer-support-rag.yaml": [
        # a poisoned help article makes the agent mail the conversation out with send_email
        "context-exfiltration-via-tool@support-agent",
        "direct-prompt-injection@support-agent",
        "excessive-agency-write@support-agent@tickets",
        "indirect-prompt-injection@support-agent",
        "provider-data-exposure@support-agent",
        # rag-data-disclosure@support-agent@help-centre is gone: the help centre is public
        # (confidentiality none), so disclosing it is no threat (no_confidentiality)
        "rag-poisoning@help-centre@support-agent",
        "system-prompt-extraction@support-agent",
        "tool-data-disclosure@support-agent@customer-records",
        "tool-data-exfiltration@support-agent@customer-records",
    ],
    "mcp-desktop-assistant.yaml": [
        # the app's configuration contains the task token: whoever reads it harvests it
        "agent-config-credential-harvest@app-config@tasks-token",
        "context-exfiltration-via-tool@assistant",
        # read_file reaches the SSH key, which opens the company's git server
        "credential-reuse-lateral-movement@ssh-key@company-repos",
        "excessive-agency-write@assistant@documents",
        # the filesystem server has no allowed directories: it writes the SSH key too
        "excessive-agency-write@assistant@ssh-key",
        "excessive-agency-write@assistant@tasks",
        "indirect-prompt-injection@assistant",
        "ml-dependency-compromise@server-filesystem",
        "provider-data-exposure@assistant",
        # documents on the user's laptop are no channel to other people; tasks are shared
        "self-replicating-prompt-injection@assistant@tasks",
        # the task token sits in clear text in the app's configuration, which read_file reads
        "stolen-credential-data-access@tasks-token@tasks",
        "stolen-credential-tool-abuse@tasks-token@tasks",
        "tool-data-exfiltration@assistant@documents",
        "tool-data-exfiltration@assistant@ssh-key",
        "tool-data-exfiltration@assistant@tasks",
        # the filesystem server reads the client configuration and the token written in it
        "tool-data-exfiltration@assistant@tasks-token",
        "tool-definition-poisoning@assistant",
        # shadowing across servers only: read_file and write_file share one server
        "tool-shadowing@read_file@create_task",
        "tool-shadowing@write_file@create_task",
    ],
    "ml-training-pipeline.yaml": [
        "membership-inference@lesion-classifier",
        "model-backdoor@lesion-classifier",
        "model-evasion@lesion-classifier",
        "model-extraction@lesion-classifier",
        "model-inversion@lesion-classifier",
        "poisoned-pretrained-model@vit-backbone",
        "property-inference@lesion-classifier",
        # the copy model-extraction yields lets an adversary craft evasions offline
        "proxy-model-evasion@lesion-classifier",
        "training-data-poisoning@lesion-classifier",
    ],
}

NAMES = sorted(EXPECTED)


def _path(name: str) -> Path:
    return EXAMPLES / name


class Results:
    """The analysis of each example, run the first time a test of this module asks for it."""

    def __init__(self) -> None:
        self._by_name: dict[str, Result] = {}

    def __call__(self, name: str) -> Result:
        if name not in self._by_name:
            self._by_name[name] = actm.analyze(actm.load_model(_path(name)))
        return self._by_name[name]

    def threat(self, name: str, ident: str) -> Threat:
        by_id = {t.id: t for t in self(name).threats}
        assert ident in by_id, f"{ident} not found in {name}"
        return by_id[ident]


@pytest.fixture(scope="module")
def results() -> Results:
    """One analysis per example, shared by the tests of this module only."""
    return Results()


def _chain(threat: Threat) -> list[str]:
    return [s.text for s in threat.chain if not s.structural]


# -- every example -------------------------------------------------------------------------


def test_every_example_has_expectations() -> None:
    on_disk = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    assert on_disk == NAMES


def test_validate_all_at_once() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["validate", *(str(_path(n)) for n in NAMES)])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("name", NAMES)
def test_validates(name: str) -> None:
    res = CliRunner().invoke(app, ["validate", str(_path(name))])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"ok: {_path(name)}")


@pytest.mark.parametrize("name", NAMES)
def test_round_trip(name: str) -> None:
    model = actm.load_model(_path(name))
    text = dump_model(model)
    again = actm.load_model_text(text)
    assert again == model
    # the dump is self-contained: dumping the reloaded model gives the same text
    assert dump_model(again) == text


@pytest.mark.parametrize("name", NAMES)
def test_threat_ids(name: str, results: Results) -> None:
    assert sorted(t.id for t in results(name).threats) == EXPECTED[name]


@pytest.mark.parametrize("name", NAMES)
def test_json_output(name: str) -> None:
    res = CliRunner().invoke(app, ["analyze", str(_path(name)), "-f", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert sorted(t["id"] for t in data["threats"]) == EXPECTED[name]


# -- what each example is there to show ----------------------------------------------------


def test_rag_headline_chain(results: Results) -> None:
    threat = results.threat(
        "customer-support-rag.yaml", "tool-data-exfiltration@support-agent@customer-records"
    )
    assert threat.severity.level == "critical"
    assert _chain(threat) == [
        "external-user holds make_arbitrary_changes on support-agent.inputs.user_input",
        "direct-prompt-injection: influence on support-agent.outputs",
        "support-agent calls tool lookup_customer: influence on lookup_customer.inputs",
        "support-agent calls tool send_email: influence on send_email.inputs",
        "tool-data-exfiltration: inspect on customer-records",
    ]


def test_rag_controls(results: Results) -> None:
    name = "customer-support-rag.yaml"
    broken = {o.attack: o.reason for o in results(name).out_of_scope}
    assert broken["resource-exhaustion"] == "broken_by_control"
    # the inherent view ignores both the implemented quota and the planned review
    inherent = actm.analyze(actm.load_model(_path(name)), controls=False)
    assert sorted(t.id for t in inherent.threats) == sorted(
        [*EXPECTED[name], "resource-exhaustion@support-agent"]
    )


def test_rag_poisoned_article_chain(results: Results) -> None:
    threat = results.threat("customer-support-rag.yaml", "rag-poisoning@help-centre@support-agent")
    assert _chain(threat) == [
        "author of outside content (community-forum) holds contribute on help-centre (persistent)",
        "feeds support-agent.inputs.retrieved_context: contribute",
        "rag-poisoning: influence on support-agent.outputs",
    ]


def test_mcp_desktop_assistant_reaches_what_its_servers_can(results: Results) -> None:
    name = "mcp-desktop-assistant.yaml"
    model = actm.load_model(_path(name))
    # no allowed directories: the filesystem tools reach every file stored on the laptop
    assert model.tool("read_file").read == (
        ("documents", None),
        ("ssh-key", None),
        ("app-config", None),
    )
    reports = {a.id: a.status for a in results(name).assumptions}
    assert reports == {
        "llm-processing": "justified",
        # npx -y: whatever the registry serves when the app starts
        "package:server-filesystem": "unjustified",
        "tasks-hosting": "justified",
    }
    stolen = results.threat(name, "stolen-credential-tool-abuse@tasks-token@tasks")
    # the steered agent reads the token out of the configuration file and sends it out
    assert "tool-data-exfiltration: inspect on tasks-token" in _chain(stolen)
    assert _chain(stolen)[-2:] == [
        "calls tool create_task with its credential: make_arbitrary_changes on create_task.inputs",
        "stolen-credential-tool-abuse: make_limited_changes on tasks (persistent)",
    ]


def test_ml_pipeline_assumptions(results: Results) -> None:
    name = "ml-training-pipeline.yaml"
    reports = {a.id: a for a in results(name).assumptions}
    assert reports["hub-checkpoint"].status == "unjustified"
    assert reports["vendor-labels"].status == "justified"
    assert reports["vendor-labels"].justified_by == ("label-audit",)
    backdoor = results.threat(name, "model-backdoor@lesion-classifier")
    # the backdoor also closes through the vendor's labels (poisoning changes the weights), so
    # it does not disappear without the checkpoint assumption: it rests on nothing
    # (counterfactually), and its routes show both suppliers, the unjustified one first
    assert backdoor.rests_on == ()
    assert backdoor.unjustified_assumptions == ()
    assert [
        (r.adversary, r.unjustified_assumptions, r.justified_assumptions) for r in backdoor.routes
    ] == [
        ("supplier:hub-publisher", ("hub-checkpoint",), ()),
        ("supplier:image-vendor", (), ("vendor-labels",)),
    ]
    assert _chain(backdoor) == [
        "assumption hub-checkpoint (unjustified): hub-publisher holds make_limited_changes "
        "on vit-backbone.model_parameters (persistent)",
        "fine_tuning vit-backbone.model_parameters -> make_limited_changes on "
        "lesion-classifier.model_parameters (persistent)",
        "model-backdoor: make_limited_changes on lesion-classifier.outputs",
    ]
    poisoning = results.threat(name, "training-data-poisoning@lesion-classifier")
    assert poisoning.assumptions == ("vendor-labels",)
    assert poisoning.unjustified_assumptions == ()


def test_ml_pipeline_includes_shared_platform() -> None:
    model = actm.load_model(_path("ml-training-pipeline.yaml"))
    assert [Path(f).name for f in model.files] == ["ml-training-pipeline.yaml", "platform.yaml"]


def test_coding_assistant_cross_agent_chain(results: Results) -> None:
    threat = results.threat("coding-assistant.yaml", "cross-agent-prompt-injection@planner@coder")
    assert _chain(threat) == [
        "author of outside content (public-issue-reporters) holds contribute on issues "
        "(persistent)",
        "tool read_issue returns it into planner.inputs.tool_results: contribute",
        "indirect-prompt-injection: influence on planner.outputs",
        "feeds coder.inputs.agent_messages: contribute",
        "cross-agent-prompt-injection: influence on coder.outputs",
    ]


def test_coding_assistant_sandbox_contains_run_code(results: Results) -> None:
    # run_code is sandboxed, so only the unsandboxed CI path is code execution
    ids = {t.id for t in results("coding-assistant.yaml").threats}
    assert {i for i in ids if i.startswith("agent-code-execution@")} == {
        "agent-code-execution@coder@app-repo",
        "agent-code-execution@coder@ci-secrets",
    }
    for ident in ids:
        if ident.startswith("agent-code-execution@"):
            steps = _chain(results.threat("coding-assistant.yaml", ident))
            assert "coder calls tool open_pull_request" in " ".join(steps)


def test_credential_theft_chain(results: Results) -> None:
    name = "credential-theft.yaml"
    threat = results.threat(name, "model-weights-tampering@fraud-scorer")
    assert threat.vulnerabilities == ("compromised-ci-action",)
    # the CI runner is internal: whoever exploits its weakness is an insider
    assert threat.adversaries == ("insider",)
    assert _chain(threat) == [
        "ci-runner: supply_chain_compromise (compromised-ci-action) grants inspect on "
        "registry-push-token",
        "registry-push-token opens model-registry: credential_exposure",
        "model-registry: credential_exposure grants make_arbitrary_changes on "
        "fraud-scorer.model_parameters (persistent)",
        "model-weights-tampering: make_arbitrary_changes on fraud-scorer.outputs",
    ]
    theft = results.threat(name, "model-weight-theft@fraud-scorer")
    assert _chain(theft)[-1] == (
        "model-registry: credential_exposure grants inspect on fraud-scorer.model_parameters"
    )
