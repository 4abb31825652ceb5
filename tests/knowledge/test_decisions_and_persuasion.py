"""Who acts on a model's outputs and what they decide, taken together (the ``acted_on``
condition), and a steered assistant that persuades its user in a browser: the exact threats and
ATLAS ids."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import actm
from actm.errors import KnowledgeError
from actm.knowledge.attacks import builtin_knowledge, load_knowledge

KB = builtin_knowledge()

# A public assistant whose answers the model file says someone acts on (ACTED stands for the
# acted_on list).
ASSISTANT = """
actm: 1
system: {id: fixture}
nodes:
  - {id: app, kind: web_app}
models:
  - id: support-assistant
    kind: llm
    exposure: public
    deployed_on: [app]
    acted_on: ACTED
"""


def _threats(model_text: str) -> dict[str, list[str]]:
    model = actm.load_model_text(textwrap.dedent(model_text), knowledge=KB)
    result = actm.analyze(model, knowledge=KB)
    return {t.id: list(t.references.get("atlas", ())) for t in result.threats}


@pytest.mark.parametrize(
    ("acted", "atlas"),
    [
        # a system pays on the answer: financial harm
        ("[{by: automation, decision: financial}]", ["AML.T0048", "AML.T0048.000"]),
        # the public takes the answers as the organisation's word: reputational harm
        ("[{by: public, decision: reputational}]", ["AML.T0048", "AML.T0048.001"]),
        # a system accepts the person as the one they claim to be: impersonation
        ("[{by: automation, decision: identity}]", ["AML.T0048", "AML.T0073"]),
        # a system only grants access on it; the payment is the customers' own decision, so no
        # financial harm is cited for the access decision
        (
            "[{by: customers, decision: financial}, {by: automation, decision: access}]",
            ["AML.T0048"],
        ),
    ],
)
def test_the_harm_cited_follows_what_those_acting_decide(acted: str, atlas: list[str]) -> None:
    threats = _threats(ASSISTANT.replace("ACTED", acted))
    assert threats["manipulated-decision-harm@support-assistant"] == atlas


@pytest.mark.parametrize(
    "acted", ["[{by: customers, decision: financial}]", "[{by: staff, decision: operational}]"]
)
def test_a_person_acting_on_an_answer_they_asked_for_is_no_manipulated_decision(acted: str) -> None:
    threats = _threats(ASSISTANT.replace("ACTED", acted))
    assert "manipulated-decision-harm@support-assistant" not in threats


# The same assistant answering from a public forum it indexes (outsiders write what it reads).
FORUM = (
    ASSISTANT
    + """
assets:
  - {id: forum-posts, type: document_store, untrusted_sources: [public-forum]}
relations:
  - {kind: feeds, from: forum-posts, to: support-assistant.inputs.retrieved_context}
"""
)


@pytest.mark.parametrize(
    ("acted", "atlas"),
    [
        ("[{by: customers, decision: financial}]", ["AML.T0048", "AML.T0048.000"]),
        ("[{by: staff, decision: medical}]", ["AML.T0048", "AML.T0048.003"]),
        ("[{by: staff, decision: legal}]", ["AML.T0048"]),
    ],
)
def test_planted_content_misleads_the_people_who_decide_on_the_answer(
    acted: str, atlas: list[str]
) -> None:
    """Staff or customers weigh the answer, but an outsider's content chose it: the harm of the
    kind of decision they take, and the indirect injection the chain shows."""
    threats = _threats(FORUM.replace("ACTED", acted))
    assert threats["misled-human-decision@support-assistant"] == [*atlas, "AML.T0051.001"]
    assert "manipulated-decision-harm@support-assistant" not in threats


def test_nobody_but_the_asker_steering_the_answer_misleads_no_decision() -> None:
    """Without content from outside, only the person who asks steers the answer they act on."""
    threats = _threats(ASSISTANT.replace("ACTED", "[{by: staff, decision: financial}]"))
    assert "misled-human-decision@support-assistant" not in threats
    # a system acting on it is the other entry, not this one
    automated = _threats(FORUM.replace("ACTED", "[{by: automation, decision: financial}]"))
    assert "misled-human-decision@support-assistant" not in automated
    assert "manipulated-decision-harm@support-assistant" in automated


def test_an_unknown_actor_in_an_acted_on_condition_is_refused(tmp_path: Path) -> None:
    entry = tmp_path / "attacks" / "paid-on-answers.yaml"
    entry.parent.mkdir()
    entry.write_text(
        textwrap.dedent(
            """\
            id: paid-on-answers
            title: Paid on answers
            description: A system pays on the answer.
            likelihood: low
            maturity: theoretical
            steps:
              - id: act
                requires:
                  - var: m
                    asset: decision
                    capability: influence
                    where: {acted_on: {by: [robots]}}
            impact: {var: m, asset: decision, class: integrity}
            """
        )
    )
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([tmp_path])
    assert [(d.code, d.message, d.hint) for d in err.value.diagnostics] == [
        (
            "unknown-actor",
            "paid-on-answers: unknown actor 'robots'",
            "valid values: automation, customers, public, staff",
        )
    ]


# A chat assistant in a browser's sidebar whose answers are built from the pages it reads, with
# the passwords the user saved in that browser.
BROWSER_ASSISTANT = """
actm: 1
system: {id: fixture}
nodes:
  - {id: sidebar, kind: browser}
  - {id: backend, kind: inference_server}
models:
  - id: sidebar-chat
    kind: llm
    deployed_on: [backend]
    assets:
      inputs: {component_sources: {retrieved_context: [web]}}
      outputs: {resides: [{node: sidebar, mode: processed}]}
assets:
  - {id: saved-passwords, type: credential, resides: [{node: NODE}]}
"""


def test_a_steered_assistant_persuades_its_user_in_a_browser() -> None:
    threats = _threats(BROWSER_ASSISTANT.replace("NODE", "sidebar"))
    assert threats["human-trust-exploitation@sidebar-chat@saved-passwords"] == [
        "AML.T0011",
        "AML.T0052.000",
        "AML.T0067",
        "AML.T0048.003",
    ]
    # the passwords are kept on the back end, not where the user reads the answers
    quiet = _threats(BROWSER_ASSISTANT.replace("NODE", "backend"))
    assert not [t for t in quiet if t.startswith("human-trust-exploitation@")]
