"""What bills of materials and model cards share: the models they list, the data those models were
trained and tested on, the packages, and who supplied each.

A :class:`BomDraft` wraps a :class:`~actm.importers.draft.DraftBuilder` with the elements these
formats describe, each asking what the input leaves open:

* the system (the BOM's subject) and your organisation, ``us``;
* a supplier, author or publisher as an owner whose trust is asked (``trust: untrusted``
  written, the cautious value);
* a model, its kind read from its task words (the ``model_kinds`` table of ``bom.yaml``), its
  exposure asked, its evaluation results and hyperparameters as the descriptions of its
  ``validation_results`` and ``hyperparameters``;
* a dataset as a ``data`` asset, with who can write into it asked (poisoning), fed into a
  model's ``dataset`` (``trained_on``) or ``validation_results`` (``tested_on``);
* a package (library, framework, container image, the weights' distribution) whose version
  the BOM records but whose pinning and verification it does not say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from actm.importers.common import US, organisation, owner, text_of
from actm.importers.data import table
from actm.importers.draft import DraftBuilder, Review, slug

__all__ = ["US", "BomDraft", "ecosystem_of", "model_kind", "purl_name", "relation_id", "text_of"]

_NAME_MAX = 200
_WORD_SPLIT = re.compile(r"[\s_]+")


def model_kind(words: Iterable[str]) -> str | None:
    """The model kind of the first of ``words`` (tasks, purposes, types) the table lists."""
    kinds: Mapping[str, Sequence[str]] = table("bom")["model_kinds"]
    for word in words:
        key = _WORD_SPLIT.sub("-", word.strip().lower())
        for kind, listed in kinds.items():
            if key in listed:
                return kind
    return None


def ecosystem_of(purl: str | None = None, url: str | None = None) -> str:
    """The package ecosystem from a package URL's type, else a download URL's host."""
    data = table("bom")
    if purl and purl.startswith("pkg:"):
        kind = purl[4:].split("/", 1)[0].lower()
        if kind in data["purl_ecosystems"]:
            return str(data["purl_ecosystems"][kind])
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host in data["host_ecosystems"]:
            return str(data["host_ecosystems"][host])
    return "other"


def purl_name(purl: str) -> tuple[str | None, str | None]:
    """The (namespace/)name and the version of a package URL."""
    body = purl[4:].split("?", 1)[0].split("#", 1)[0]
    path = body.split("/", 1)[1] if "/" in body else ""
    name, _, version = path.partition("@")
    return (unquote(name) or None), (unquote(version) or None)


def relation_id(source: str, verb: str, target: str) -> str:
    """A relation's id from its ends: ``<source>-<verb>-<target>``, within the 128 characters
    an id may have."""
    return f"{source}-{verb}-{target}"[:128].rstrip("-_")


@dataclass(slots=True)
class BomDraft:
    """The elements a BOM or model card describes, added to ``builder``."""

    builder: DraftBuilder

    def ground(self, ident: str, name: str, description: str | None, pointer: str = "") -> None:
        """The system the file describes, and your organisation."""
        fields: dict[str, Any] = {"name": name[:_NAME_MAX]}
        if description:
            fields["description"] = description
        fields["owner"] = US
        self.builder.system(
            slug(ident, "system"),
            fields,
            pointer,
            [Review("", "name the system and say what it is for")],
        )
        organisation(self.builder)

    def owner(self, name: str, pointer: str = "", *, ident: str | None = None) -> str:
        """An organisation the input names (a supplier, an author): its trust is asked."""
        name = name[:_NAME_MAX]
        return owner(self.builder, slug(ident or name, "owner"), name, pointer)

    def model(
        self,
        name: str,
        pointer: str,
        *,
        words: Sequence[str] = (),
        owner: str | None = None,
        description: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> str:
        """A model; ``words`` (task, purpose, type) choose its kind, ``details`` describe its
        AI assets (``validation_results``, ``hyperparameters``)."""
        kind = model_kind(words)
        reviews = [Review("exposure", "who can send it inputs? internal: only you; public: anyone")]
        if kind is None:
            hint = f" (the input says {', '.join(words[:3])})" if words else ""
            reviews.insert(0, Review("kind", f"which kind of model is it?{hint}"))
        fields: dict[str, Any] = {"name": name[:_NAME_MAX]}
        if description:
            fields["description"] = description
        fields["kind"] = kind or "llm"
        if owner is not None:
            fields["owner"] = owner
        else:
            reviews.append(Review("owner", "who produced its weights? (an owner)"))
        fields["exposure"] = "internal"
        if details:
            fields["assets"] = {k: {"description": v} for k, v in details.items()}
        return self.builder.add("models", slug(name, "model"), fields, pointer, reviews)

    def deploy(self, model: str, node: str) -> None:
        """``model`` runs inference on ``node``."""
        self.builder.add("models", model, {"deployed_on": [node]})

    def base(self, model: str, base: str) -> None:
        """``model`` is fine-tuned from ``base`` (a model of the draft)."""
        if base != model:
            self.builder.add("models", model, {"base_model": base})

    def dataset(
        self,
        name: str,
        pointer: str,
        *,
        owner: str | None = None,
        description: str | None = None,
        public: bool = False,
        personal: bool = False,
    ) -> str:
        """A dataset as a conventional asset; who can write into it is asked."""
        fields: dict[str, Any] = {"name": name[:_NAME_MAX]}
        if description:
            fields["description"] = description
        fields["type"] = "personal_data" if personal else "data"
        if owner is not None:
            fields["owner"] = owner
        if public:
            fields["public"] = True
        reviews = [
            Review(
                "untrusted_sources",
                "who could have written into it? name outside sources (scraped web pages, "
                "public contributions) under untrusted_sources: poisoning starts there",
            ),
            Review("criticality", "how much do its confidentiality and integrity matter?"),
        ]
        return self.builder.add("assets", slug(name, "dataset"), fields, pointer, reviews)

    def uses(self, model: str, dataset: str, pointer: str) -> None:
        """``model`` depends on ``dataset``, the input does not say how: evaluated on it when
        its name says so (``evaluation_words``), else trained on it; asked either way."""
        words = set(dataset.split("-"))
        tested = bool(words & set(table("bom")["evaluation_words"]))
        question = "is the model trained on it, or only evaluated on it (to: .validation_results)?"
        how = self.tested_on if tested else self.trained_on
        how(model, dataset, pointer, [Review("to", question)])

    def trained_on(
        self, model: str, dataset: str, pointer: str, review: Sequence[Review] = ()
    ) -> str:
        """``model`` is trained on ``dataset``."""
        return self.builder.add(
            "relations",
            relation_id(dataset, "trains", model),
            {
                "kind": "derives",
                "from": dataset,
                "to": f"{model}.dataset",
                "process": "preprocessing",
            },
            pointer,
            review,
        )

    def tested_on(
        self, model: str, dataset: str, pointer: str, review: Sequence[Review] = ()
    ) -> str:
        """``model`` is evaluated on ``dataset``."""
        return self.builder.add(
            "relations",
            relation_id(dataset, "tests", model),
            {
                "kind": "derives",
                "from": dataset,
                "to": f"{model}.validation_results",
                "process": "evaluation",
            },
            pointer,
            review,
        )

    def package(
        self,
        name: str,
        ecosystem: str,
        pointer: str,
        *,
        version: str | None = None,
        publisher: str | None = None,
        runs_on: Sequence[str] = (),
        description: str | None = None,
    ) -> str:
        """A package the system installs; its publisher (else the ecosystem's publishers, an
        owner to review), whether it is pinned and verified, and where it runs are asked."""
        if publisher is None:
            publisher = self.owner(
                f"the publishers of the {ecosystem} packages it lists",
                ident=f"{ecosystem}-publishers",
            )
        fields: dict[str, Any] = {"name": name[:_NAME_MAX]}
        if description:
            fields["description"] = description
        fields["ecosystem"] = ecosystem
        if version:
            fields["version"] = version[:100]
        fields |= {"pinned": False, "verified": False, "publisher": publisher}
        fields["runs_on"] = list(runs_on)
        reviews = [
            Review("pinned", "the BOM records a version: is it pinned where it is installed?"),
            Review("verified", "is its signature, hash or provenance checked when installed?"),
        ]
        if not runs_on:
            reviews.append(Review("runs_on", "on which nodes does its code run?"))
        return self.builder.add("packages", slug(name, "package"), fields, pointer, reviews)
