"""Precision rules on model-side entries, each with the closest real case it must keep
reporting (a probe model outside the corpus where the attack is real)."""

from __future__ import annotations

import actm

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
