"""Precision rules on model-side entries, each with the closest real case it must keep
reporting (a probe model outside the corpus where the attack is real)."""

from __future__ import annotations

from pathlib import Path

import actm
from actm.results.model import Result

# an open OpenAI-compatible server: a chat model and an embedding model nobody but the caller
# reads, and an embedding model whose vectors the team's search index is built from
OPEN_SERVER = """\
actm: 1
system: {id: probe}
nodes:
  - {id: gpu, kind: inference_server, exposure: internet, authentication: none}
  - {id: search, kind: vector_store}
models:
  - {id: chat, kind: llm, deployed_on: [gpu]}
  - {id: bare-embedder, kind: embedding, deployed_on: [gpu]}
  - {id: index-embedder, kind: embedding, deployed_on: [gpu]}
  - id: answerer
    kind: llm
    deployed_on: [gpu]
    acted_on: [{by: staff, decision: access}]
assets:
  - {id: kb, type: document_store, components: [documents, embeddings], resides: [{node: search}]}
relations:
  - {kind: derives, from: index-embedder.outputs, to: kb.embeddings, process: indexing}
  - {kind: feeds, from: kb.documents, to: answerer.inputs.retrieved_context}
"""


def _ids(text: str) -> set[str]:
    return {t.id for t in actm.analyze(actm.load_model_text(text)).threats}


def test_an_embedding_is_evaded_where_its_vectors_go_on() -> None:
    ids = {i for i in _ids(OPEN_SERVER) if i.startswith("model-evasion@")}
    # the vectors the index is built from decide what is retrieved; the bare endpoint's
    # vectors return to whoever asked
    assert ids == {"model-evasion@index-embedder"}


# a classifier served through a share-link relay: whoever runs the relay reads the traffic and
# may (CAP) change the answers on their way back; the public reaches the app without a login
RELAY = """\
actm: 1
system: {id: probe}
owners:
  - {id: relay-op, name: Relay operator}
nodes:
  - {id: app, kind: web_app, exposure: internet, authentication: none}
  - {id: relay, kind: network, owner: relay-op}
models:
  - id: clf
    kind: classifier
    exposure: internal
    deployed_on: [app]
    assets:
      inputs: {resides: [{node: relay, mode: transmitted}]}
      outputs: {resides: [{node: relay, mode: transmitted}]}
assumptions:
  - id: relay-traffic
    producer: relay-op
    asset: ASSET
    capability: CAP
    sends: [clf.inputs, clf.outputs]
    status: unjustified
"""


# an attack one adversary carries out alone (`one_adversary`), with the requirements of
# insecure-integrated-component: read the queries, change the answers
ONE_ADVERSARY = """\
id: relay-takeover
title: One component reads the queries and rewrites the answers
description: A knowledge file's entry for the noise rule's test.
likelihood: medium
maturity: demonstrated
one_adversary: true
steps:
  - id: intercept
    requires:
      - {var: m, asset: inputs, capability: inspect, where: {hosted_by_third_party: false}}
      - {var: m, asset: outputs, capability: make_limited_changes}
impact: {var: m, asset: inputs, class: confidentiality}
"""


def _relay(asset: str, cap: str, knowledge: Path | None = None) -> Result:
    text = RELAY.replace("ASSET", asset).replace("CAP", cap)
    if knowledge is None:
        return actm.analyze(actm.load_model_text(text))
    kb = actm.load_knowledge([knowledge])
    return actm.analyze(actm.load_model_text(text, knowledge=kb), knowledge=kb)


def test_an_attack_one_adversary_carries_out_is_not_two_adversaries_halves(
    tmp_path: Path,
) -> None:
    # the relay reads the queries and an internet user evades the classifier: two
    # adversaries, neither of which reads and rewrites the traffic alone
    (tmp_path / "attacks").mkdir()
    (tmp_path / "attacks" / "relay-takeover.yaml").write_text(ONE_ADVERSARY, encoding="utf-8")
    result = _relay("clf.outputs", "none", tmp_path)
    assert "relay-takeover@clf" not in {t.id for t in result.threats}
    assert ("relay-takeover@clf", "one_adversary") in {(d.id, d.rule) for d in result.dropped}
    # counted apart from the reported threats that need several adversaries together
    assert result.summary["one_adversary"] == 1
    assert result.summary["cooperation"] == sum(1 for t in result.threats if t.cooperation)
    # the relay that changes the answers itself closes it alone
    alone = _relay("clf.outputs", "make_limited_changes", tmp_path)
    assert "relay-takeover@clf" in {t.id for t in alone.threats}


def test_a_relay_that_only_reads_is_still_reported_reading_the_queries() -> None:
    # insecure-integrated-component is not one_adversary's: the relay alone reads the queries
    # (its impact), and no other entry reports an intermediary reading a self-hosted model's
    # traffic
    result = _relay("clf.outputs", "none")
    assert "insecure-integrated-component@clf" in {t.id for t in result.threats}
    assert result.dropped == ()


def test_a_relay_that_rewrites_answers_is_a_serving_path_compromise() -> None:
    # the closest real case: the relay itself changes the answers, all of them, some of them
    # or only the label
    for asset, cap in (
        ("clf.outputs", "make_arbitrary_changes"),
        ("clf.outputs", "make_limited_changes"),
        ("clf.outputs.label", "make_arbitrary_changes"),
    ):
        result = _relay(asset, cap)
        threat = next(t for t in result.threats if t.id == "insecure-integrated-component@clf")
        assert threat.adversaries == ("supplier:relay-op",), (asset, cap)
        assert result.dropped == ()
