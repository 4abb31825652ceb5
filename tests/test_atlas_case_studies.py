"""MITRE ATLAS case studies, modelled from the victim's side.

Each file in examples/atlas-case-studies/ describes the system a published ATLAS case study
attacked: its components, owners, zones and known weaknesses, but not the attack. The analysis
must find the case study's attack in scope, and the threat's chain must pass through the
elements the case study's procedure goes through, in the same order.

The expected chains were computed with ``actm analyze``, read and checked against the
procedures. When the engine or the knowledge base changes on purpose, re-run
``actm analyze examples/atlas-case-studies/<file>.yaml``, review the difference and update the
expectations here and in the directory's README.md.

The case studies in ``MODELLED`` were modelled for the recall measurement of issue 13: their
expected threats are in the README but their chains are not pinned here yet; each file is
checked to be a valid model.

The last test checks the case-study ids, titles and technique ids against the ATLAS 5.6.0
case-study table that ships with actm (``knowledge/data/reference/atlas.yaml``, generated from
the published data by docs/gen_reference_ids.py and checked against it where it is present).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import actm
from actm.results.model import ChainStep, Result, Threat
from reference_data import pinned

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "examples" / "atlas-case-studies"


@dataclass(frozen=True)
class Step:
    """What one step of a chain must show: how it was derived, on what, and through what."""

    rule: str
    target: str
    capability: str | None
    via: str | None = None
    """One of the elements the step went through (a vulnerability, relation, tool, ...)."""
    persistent: bool | None = None

    def matches(self, step: ChainStep) -> bool:
        return (
            step.rule == self.rule
            and step.target == self.target
            and step.capability == self.capability
            and (self.via is None or self.via in step.via)
            and (self.persistent is None or step.persistent == self.persistent)
        )


@dataclass(frozen=True)
class Case:
    atlas_id: str
    title: str
    file: str
    threat: str
    chain: tuple[Step, ...]
    """The procedure as chain steps: the first and last must be the chain's first and last."""
    techniques: frozenset[str]
    """Techniques of the case study's procedure that the threat cites (its entry's references
    and those its binding and chain show)."""


CASES: tuple[Case, ...] = (
    Case(
        atlas_id="AML.CS0007",
        title="GPT-2 Model Replication",
        file="cs0007-gpt2-model-replication.yaml",
        threat="model-replication@gpt2-xl",
        chain=(
            # the published code describes the withheld model's architecture
            Step("residency", "model-code", "inspect", via="published-model-code"),
            Step("part_of", "gpt2-xl.architecture", "partially_inspect"),
            # the corpus is rebuilt from the public pages it was scraped from
            Step("residency", "webtext-pages", "inspect", via="public-corpus-pages"),
            Step("part_of", "gpt2-xl.dataset", "partially_inspect"),
            # trained on the adversary's compute: an equivalent of the withheld weights
            Step(
                "attack", "gpt2-xl.model_parameters", "partially_inspect", via="model-replication"
            ),
        ),
        techniques=frozenset({"AML.T0002.001", "AML.T0002.000", "AML.T0005.000"}),
    ),
    Case(
        atlas_id="AML.CS0009",
        title="Tay Poisoning",
        file="cs0009-tay-poisoning.yaml",
        threat="online-learning-poisoning@tay",
        chain=(
            # anyone on the network writes to the bot
            Step(
                "public_user",
                "tay.inputs.user_input",
                "make_arbitrary_changes",
                via="external-user",
            ),
            # and what they write is learned, and stays learned: poisoning changes the weights
            # (make_limited_changes), which ranks it with the other integrity attacks on them
            Step(
                "attack",
                "tay.model_parameters",
                "make_limited_changes",
                via="online-learning-poisoning",
                persistent=True,
            ),
        ),
        techniques=frozenset({"AML.T0047", "AML.T0010.002", "AML.T0020", "AML.T0031"}),
    ),
    Case(
        atlas_id="AML.CS0016",
        title="Achieving Code Execution in MathGPT via Prompt Injection",
        file="cs0016-mathgpt-code-execution.yaml",
        threat="agent-code-execution@code-writer@llm-api-key",
        chain=(
            Step(
                "public_user",
                "code-writer.inputs.user_input",
                "make_arbitrary_changes",
                via="external-user",
            ),
            # "ignore the above instructions" overrides the prompt template
            Step(
                "ai_weakness",
                "code-writer.outputs",
                "make_limited_changes",
                via="instruction-override",
            ),
            # the generated program is run by the app
            Step("tool_call", "run-python.inputs", "influence", via="run-python"),
            # and prints the environment, with the API key in it
            Step("attack", "llm-api-key", "inspect", via="agent-code-execution"),
        ),
        techniques=frozenset({"AML.T0053"}),
    ),
    Case(
        atlas_id="AML.CS0019",
        title="PoisonGPT",
        file="cs0019-poisongpt.yaml",
        threat="poisoned-pretrained-model@gpt-j",
        chain=(
            # whoever publishes under the repository name supplies the weights
            Step(
                "assumption",
                "gpt-j.model_parameters",
                "make_limited_changes",
                via="hub-checkpoint",
                persistent=True,
            ),
            # and the edited fact comes out of the app's answers
            Step(
                "attack",
                "gpt-j.outputs",
                "make_limited_changes",
                via="poisoned-pretrained-model",
            ),
        ),
        techniques=frozenset({"AML.T0018.000", "AML.T0058", "AML.T0010.003"}),
    ),
    Case(
        atlas_id="AML.CS0020",
        title="Indirect Prompt Injection Threats: Bing Chat Data Pirate",
        file="cs0020-bing-chat-data-pirate.yaml",
        threat="rendered-output-exfiltration@bing-chat",
        chain=(
            # the page open in the tab is read into the context
            Step(
                "outside_content",
                "bing-chat.inputs.retrieved_context",
                "contribute",
                via="open-tab-pages",
            ),
            # its hidden instructions steer the answers
            Step("attack", "bing-chat.outputs", "influence", via="indirect-prompt-injection"),
            # a rendered link carries what the user typed to the page's author
            Step(
                "attack",
                "bing-chat.inputs",
                "partially_inspect",
                via="rendered-output-exfiltration",
            ),
        ),
        techniques=frozenset({"AML.T0051.001"}),
    ),
    Case(
        atlas_id="AML.CS0023",
        title="ShadowRay",
        file="cs0023-shadowray.yaml",
        threat="ai-infrastructure-compromise@cloud-keys",
        chain=(
            # a job submitted to the unauthenticated API reads the jobs' environment
            Step("residency", "cloud-keys", "inspect", via="ray-jobs-api-no-auth"),
        ),
        techniques=frozenset({"AML.T0055", "AML.T0025"}),
    ),
    Case(
        atlas_id="AML.CS0024",
        title="Morris II Worm: RAG-Based Attack",
        file="cs0024-morris-ii-worm.yaml",
        threat="self-replicating-prompt-injection@email-assistant@mailbox",
        chain=(
            # anyone can send the mailbox a message
            Step("outside_content", "mailbox", "contribute", via="inbound-email", persistent=True),
            # it is indexed, as it was written, into the retrieval database
            Step("dependency", "mail-rag-db", "contribute", via="index-mail", persistent=True),
            # and retrieved as context when another message is answered
            Step(
                "feeds",
                "email-assistant.inputs.retrieved_context",
                "contribute",
                via="retrieve-mail",
            ),
            # the steered assistant sends a reply that carries the prompt on
            Step("tool_call", "send-reply.inputs", "influence", via="send-reply"),
            Step(
                "attack",
                "mailbox",
                "make_limited_changes",
                via="self-replicating-prompt-injection",
                persistent=True,
            ),
        ),
        techniques=frozenset({"AML.T0061", "AML.T0051.002"}),
    ),
    Case(
        atlas_id="AML.CS0031",
        title="Malicious Models on Hugging Face",
        file="cs0031-malicious-models-hugging-face.yaml",
        threat="malicious-model-file@candidate-model",
        chain=(
            # a pickled checkpoint broken on purpose after its payload passes the hub's upload
            # scan, and the file is what the model is loaded from: its loader runs the payload
            Step(
                "residency",
                "candidate-model.architecture",
                "make_limited_changes",
                via="scanner-bypass",
                persistent=True,
            ),
            Step(
                "attack",
                "candidate-model.outputs",
                "make_arbitrary_changes",
                via="malicious-model-file",
            ),
        ),
        techniques=frozenset(
            {"AML.T0018.002", "AML.T0058", "AML.T0010", "AML.T0011.000", "AML.T0076"}
        ),
    ),
)

BY_ID = {case.atlas_id: case for case in CASES}
IDS = [case.atlas_id for case in CASES]


@dataclass(frozen=True)
class Modelled:
    """A case study modelled for the recall measurement, its chain not pinned yet."""

    atlas_id: str
    title: str
    file: str


MODELLED: tuple[Modelled, ...] = (
    Modelled(
        "AML.CS0000",
        "Evasion of Deep Learning Detector for Malware C&C Traffic",
        "cs0000-malware-cc-traffic-detector.yaml",
    ),
    Modelled(
        "AML.CS0001",
        "Botnet Domain Generation Algorithm (DGA) Detection Evasion",
        "cs0001-dga-detection-evasion.yaml",
    ),
    Modelled(
        "AML.CS0003",
        "Bypassing Cylance's AI Malware Detection",
        "cs0003-cylance-malware-detection-bypass.yaml",
    ),
    Modelled(
        "AML.CS0004",
        "Camera Hijack Attack on Facial Recognition System",
        "cs0004-camera-hijack-facial-recognition.yaml",
    ),
    Modelled(
        "AML.CS0005",
        "Attack on Machine Translation Services",
        "cs0005-machine-translation-services.yaml",
    ),
    Modelled(
        "AML.CS0006", "ClearviewAI Misconfiguration", "cs0006-clearview-misconfiguration.yaml"
    ),
    Modelled("AML.CS0008", "ProofPoint Evasion", "cs0008-proofpoint-evasion.yaml"),
    Modelled("AML.CS0011", "Microsoft Edge AI Evasion", "cs0011-edge-ai-evasion.yaml"),
    Modelled(
        "AML.CS0012",
        "Face Identification System Evasion via Physical Countermeasures",
        "cs0012-face-identification-physical-evasion.yaml",
    ),
    Modelled(
        "AML.CS0014",
        "Confusing Antimalware Neural Networks",
        "cs0014-antimalware-neural-networks.yaml",
    ),
    Modelled(
        "AML.CS0015",
        "Compromised PyTorch Dependency Chain",
        "cs0015-pytorch-dependency-chain.yaml",
    ),
    Modelled(
        "AML.CS0017",
        "Bypassing ID.me Identity Verification",
        "cs0017-idme-identity-verification.yaml",
    ),
    Modelled(
        "AML.CS0018",
        "Arbitrary Code Execution with Google Colab",
        "cs0018-colab-arbitrary-code-execution.yaml",
    ),
    Modelled(
        "AML.CS0022",
        "ChatGPT Package Hallucination",
        "cs0022-chatgpt-package-hallucination.yaml",
    ),
    Modelled(
        "AML.CS0025",
        "Web-Scale Data Poisoning: Split-View Attack",
        "cs0025-split-view-data-poisoning.yaml",
    ),
    Modelled(
        "AML.CS0027",
        "Organization Confusion on Hugging Face",
        "cs0027-hugging-face-organization-confusion.yaml",
    ),
    Modelled(
        "AML.CS0029",
        "Google Bard Conversation Exfiltration",
        "cs0029-google-bard-conversation-exfiltration.yaml",
    ),
)
MODELLED_BY_ID = {m.atlas_id: m for m in MODELLED}
MODELLED_IDS = [m.atlas_id for m in MODELLED]

_RESULTS: dict[str, Result] = {}


def _result(file: str) -> Result:
    if file not in _RESULTS:
        _RESULTS[file] = actm.analyze(actm.load_model(CASES_DIR / file))
    return _RESULTS[file]


def _threat(file: str, ident: str) -> Threat:
    by_id = {t.id: t for t in _result(file).threats}
    assert ident in by_id, f"{ident} not in scope for {file}: {sorted(by_id)}"
    return by_id[ident]


def _steps(threat: Threat) -> list[ChainStep]:
    return [s for s in threat.chain if not s.structural]


def _assert_follows(threat: Threat, expected: tuple[Step, ...]) -> None:
    """The chain goes through ``expected`` in order, starting and ending where it does."""
    steps = _steps(threat)
    shown = "\n  ".join(f"{s.rule} {s.target} {s.capability} via {s.via}" for s in steps)
    assert expected[0].matches(steps[0]), f"chain does not start at {expected[0]}:\n  {shown}"
    assert expected[-1].matches(steps[-1]), f"chain does not end at {expected[-1]}:\n  {shown}"
    i = 0
    for step in steps:
        if i < len(expected) and expected[i].matches(step):
            i += 1
    assert i == len(expected), f"chain misses {expected[i]} (in this order):\n  {shown}"


# -- every case study -------------------------------------------------------------------------


def test_every_file_is_a_case_study() -> None:
    # The directory also holds case studies modelled for measuring recall, which are scored
    # against their ATLAS procedure instead of an expected chain; each names its case study.
    on_disk = {p.name: p for p in CASES_DIR.glob("*.yaml")}
    assert {case.file for case in CASES} <= set(on_disk)
    for name, path in sorted(on_disk.items()):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        number = name.split("-")[0].removeprefix("cs")
        assert first.startswith(f"# ATLAS AML.CS{number} "), name


@pytest.mark.parametrize("atlas_id", IDS)
def test_model_names_its_case_study(atlas_id: str) -> None:
    case = BY_ID[atlas_id]
    text = (CASES_DIR / case.file).read_text(encoding="utf-8")
    assert text.startswith(f"# ATLAS {case.atlas_id} {case.title}.\n")
    model = actm.load_model(CASES_DIR / case.file)  # raises on any problem
    assert model.system.description


@pytest.mark.parametrize("atlas_id", IDS)
def test_case_study_attack_is_in_scope(atlas_id: str) -> None:
    case = BY_ID[atlas_id]
    threat = _threat(case.file, case.threat)
    _assert_follows(threat, case.chain)


@pytest.mark.parametrize("atlas_id", IDS)
def test_threat_references_the_procedure_techniques(atlas_id: str) -> None:
    case = BY_ID[atlas_id]
    threat = _threat(case.file, case.threat)
    assert case.techniques <= set(threat.references["atlas"])


def _readme_rows() -> dict[str, list[str]]:
    """The README table's rows by case-study id, as lists of cells."""
    readme = (CASES_DIR / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| AML.CS")]
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    ids = [row[0] for row in cells]
    assert ids == sorted(set(ids)), "one row per case study, in id order"
    return {row[0]: row for row in cells}


def test_readme_lists_every_case() -> None:
    rows = _readme_rows()
    on_disk = sorted(p.name for p in CASES_DIR.glob("*.yaml"))
    assert sorted(rows) == [f"AML.CS{name.split('-')[0].removeprefix('cs')}" for name in on_disk]
    for name in on_disk:
        assert rows[f"AML.CS{name.split('-')[0].removeprefix('cs')}"][2] == f"[{name}]({name})"
    for case in CASES:
        _, title, _, threat, _ = rows[case.atlas_id]
        assert title == case.title
        assert f"`{case.threat}`" in threat
        assert not threat.startswith("expected")


# -- case studies modelled for the recall measurement ------------------------------------------


@pytest.mark.parametrize("atlas_id", MODELLED_IDS)
def test_modelled_file_names_its_case_study(atlas_id: str) -> None:
    modelled = MODELLED_BY_ID[atlas_id]
    text = (CASES_DIR / modelled.file).read_text(encoding="utf-8")
    assert text.startswith(f"# ATLAS {modelled.atlas_id} {modelled.title}.\n")
    assert "\n# Sources: MITRE ATLAS 5.6.0, case study " + atlas_id in text


@pytest.mark.parametrize("atlas_id", MODELLED_IDS)
def test_modelled_file_is_a_valid_model(atlas_id: str) -> None:
    model = actm.load_model(CASES_DIR / MODELLED_BY_ID[atlas_id].file)
    assert model.system.description


# -- what else each case study shows -----------------------------------------------------------


def test_tay_conversations_are_training_data() -> None:
    # the same messages also reach the weights through the collected conversations
    threat = _threat("cs0009-tay-poisoning.yaml", "training-data-poisoning@tay")
    _assert_follows(
        threat,
        (
            Step("public_user", "tay.inputs.user_input", "make_arbitrary_changes"),
            Step("dependency", "tay.dataset", "influence", via="conversation-feedback"),
            Step("attack", "tay.model_parameters", "make_limited_changes", persistent=True),
        ),
    )


def test_mathgpt_exposes_everything_in_the_container() -> None:
    ids = {t.id for t in _result("cs0016-mathgpt-code-execution.yaml").threats}
    assert {i for i in ids if i.startswith("agent-code-execution@")} == {
        "agent-code-execution@code-writer@llm-api-key",
        "agent-code-execution@code-writer@app-source",
    }


def test_poisongpt_rests_on_the_unpinned_checkpoint() -> None:
    threat = _threat("cs0019-poisongpt.yaml", "poisoned-pretrained-model@gpt-j")
    assert threat.unjustified_assumptions == ("hub-checkpoint",)
    report = {a.id: a for a in _result("cs0019-poisongpt.yaml").assumptions}["hub-checkpoint"]
    assert report.status == "unjustified"


def test_bing_chat_page_injection() -> None:
    threat = _threat("cs0020-bing-chat-data-pirate.yaml", "indirect-prompt-injection@bing-chat")
    assert threat.adversaries == ("content-author",)
    assert "AML.T0051.001" in threat.references["atlas"]


@pytest.mark.parametrize(
    "asset",
    ["cloud-keys", "hub-token", "llm-api-token", "payments-key", "ssh-keys", "customer-records"],
)
def test_shadowray_loots_every_secret_on_the_cluster(asset: str) -> None:
    threat = _threat("cs0023-shadowray.yaml", f"ai-infrastructure-compromise@{asset}")
    assert threat.vulnerabilities == ("ray-jobs-api-no-auth",)
    _assert_follows(threat, (Step("residency", asset, "inspect", via="ray-jobs-api-no-auth"),))


def test_shadowray_hub_token_replaces_the_model() -> None:
    # a stolen hub token lets the adversary swap the published model for a malicious one
    threat = _threat("cs0023-shadowray.yaml", "malicious-model-file@support-ranker")
    _assert_follows(
        threat,
        (
            Step("residency", "hub-token", "inspect", via="ray-jobs-api-no-auth"),
            Step("credential_node", "hub-org", None, via="hub-token"),
            Step("residency", "support-ranker.architecture", "make_arbitrary_changes"),
            Step("attack", "support-ranker.outputs", "make_arbitrary_changes"),
        ),
    )


def test_morris_worm_also_leaks_the_context() -> None:
    threat = _threat("cs0024-morris-ii-worm.yaml", "context-exfiltration-via-tool@email-assistant")
    steps = _steps(threat)
    assert steps[0].rule == "outside_content" and "inbound-email" in steps[0].via
    assert any(s.rule == "tool_call" and s.via == ("send-reply",) for s in steps)


def test_malicious_model_reaches_the_notebook_credentials() -> None:
    threat = _threat(
        "cs0031-malicious-models-hugging-face.yaml",
        "ai-infrastructure-compromise@notebook-credentials",
    )
    assert threat.vulnerabilities == ("unsafe-checkpoint-loading",)


# -- against the ATLAS case-study table ---------------------------------------------------------


def test_case_studies_match_atlas() -> None:
    table = pinned("reference/atlas.yaml")
    assert table["version"] == "5.6.0"
    studies = {cs["id"]: cs for cs in table["case_studies"]}
    for case in CASES:
        assert case.atlas_id in studies, case.atlas_id
        study = studies[case.atlas_id]
        assert study["name"] == case.title
        procedure = set(study["techniques"])
        assert case.techniques <= procedure, (case.atlas_id, case.techniques - procedure)
    for atlas_id, row in _readme_rows().items():
        assert row[1] == studies[atlas_id]["name"], atlas_id


def test_aikatz_thread_poisoning_cites_the_thread_technique() -> None:
    # The planted prompt sits in the conversation's history, replayed into every later turn:
    # ATLAS's Thread sub-technique, not Memory.
    threat = _threat("cs0036-aikatz-llm-desktop-apps.yaml", "memory-poisoning@assistant")
    assert threat.references["atlas"] == ("AML.T0080", "AML.T0080.001", "AML.T0051.000")
