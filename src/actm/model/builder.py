"""Writing models in Python: :class:`ModelBuilder`.

The builder collects the same keys a model file holds and checks them the same way, so
everything the YAML format can express can be built in code, and what ``build()`` returns is
the same :class:`~actm.model.system.SystemModel` that loading a file gives. It holds no global
state: each builder is independent.

    b = ModelBuilder("support-bot", name="Support assistant")
    b.owner("acme", first_party=True)
    b.node("api", kind="service")
    b.model("llm", kind="llm", exposure="public", deployed_on=["api"])
    model = b.build()
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from actm.errors import ModelError
from actm.io.diagnose import validation_diagnostics
from actm.knowledge.vocabulary import Vocabulary, builtin_vocabulary
from actm.model.resolve import SourceFile, resolve
from actm.model.schema import ModelFile
from actm.model.system import SystemModel

__all__ = ["ModelBuilder"]


class ModelBuilder:
    """Collects model elements; :meth:`build` checks and resolves them."""

    def __init__(
        self,
        system_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        owner: str | None = None,
    ) -> None:
        system: dict[str, Any] = {"id": system_id}
        for key, value in (("name", name), ("description", description), ("owner", owner)):
            if value is not None:
                system[key] = value
        self._data: dict[str, Any] = {"actm": 1, "system": system}

    def _add(self, section: str, ident: str | None, fields: dict[str, Any]) -> ModelBuilder:
        # a copy: later changes to the caller's lists must not leak into the model
        entry = copy.deepcopy({k: v for k, v in fields.items() if v is not None})
        if ident is not None:
            entry = {"id": ident, **entry}
        self._data.setdefault(section, []).append(entry)
        return self

    def owner(self, ident: str, **fields: Any) -> ModelBuilder:
        """Add an owner (``first_party=True`` for your organisation)."""
        return self._add("owners", ident, fields)

    def zone(self, ident: str, **fields: Any) -> ModelBuilder:
        return self._add("zones", ident, fields)

    def node(self, ident: str, **fields: Any) -> ModelBuilder:
        return self._add("nodes", ident, fields)

    def model(self, ident: str, **fields: Any) -> ModelBuilder:
        """Add an AI model; ``kind`` is required (llm, agent, embedding, classifier, ...)."""
        return self._add("models", ident, fields)

    def asset(self, ident: str, **fields: Any) -> ModelBuilder:
        """Add a conventional asset; ``type`` is required. ``resides`` takes dicts or
        ``(node, mode)`` pairs."""
        resides = fields.get("resides")
        if resides is not None:
            fields["resides"] = [
                {"node": r[0], "mode": r[1]} if isinstance(r, tuple) else r for r in resides
            ]
        return self._add("assets", ident, fields)

    def relation(self, kind: str, source: str, target: str, **fields: Any) -> ModelBuilder:
        """Add a relation: ``derives``, ``feeds`` or ``part_of`` from ``source`` to ``target``."""
        return self._add("relations", None, {"kind": kind, "from": source, "to": target, **fields})

    def tool(
        self,
        ident: str,
        *,
        read: list[str] | None = None,
        write: list[str] | None = None,
        execute: list[str] | None = None,
        egress: list[str] | None = None,
        delete: list[str] | None = None,
        **fields: Any,
    ) -> ModelBuilder:
        given = (
            ("read", read),
            ("write", write),
            ("execute", execute),
            ("egress", egress),
            ("delete", delete),
        )
        perms = {k: v for k, v in given if v is not None}
        if perms:
            fields["permissions"] = perms
        return self._add("tools", ident, fields)

    def package(self, ident: str, **fields: Any) -> ModelBuilder:
        """Add a package; ``name``, ``ecosystem`` and ``publisher`` are required."""
        return self._add("packages", ident, fields)

    def adversary(self, ident: str, **fields: Any) -> ModelBuilder:
        return self._add("adversaries", ident, fields)

    def vulnerability(self, ident: str, *, cls: str, **fields: Any) -> ModelBuilder:
        """Add a vulnerability of class ``cls`` on a ``node``, ``model`` or ``asset``."""
        return self._add("vulnerabilities", ident, {"class": cls, **fields})

    def assumption(self, ident: str, **fields: Any) -> ModelBuilder:
        return self._add("assumptions", ident, fields)

    def control(self, ident: str, **fields: Any) -> ModelBuilder:
        return self._add("controls", ident, fields)

    def triage(self, pattern: str, **fields: Any) -> ModelBuilder:
        """Record a triage decision for the threats whose id matches ``pattern``."""
        return self._add("triage", pattern, fields)

    def default_adversaries(self, enabled: bool) -> ModelBuilder:
        self._data["default_adversaries"] = enabled
        return self

    def analysis(self, *, hypotheses: bool) -> ModelBuilder:
        """The ``analysis`` section: ``hypotheses=True`` posits the weaknesses nobody declared."""
        self._data["analysis"] = {"hypotheses": hypotheses}
        return self

    def to_dict(self) -> dict[str, Any]:
        """The model as the mapping a YAML file would hold."""
        return copy.deepcopy(self._data)

    def build(
        self,
        *,
        vocabulary: Vocabulary | None = None,
        known_attacks: Collection[str] | None = None,
    ) -> SystemModel:
        """Check everything and return the resolved model; raises :class:`ModelError`."""
        try:
            parsed = ModelFile.model_validate(self._data)
        except ValidationError as exc:
            raise ModelError(validation_diagnostics(exc, ModelFile, None)) from None
        if known_attacks is None:
            from actm.knowledge.attacks import builtin_knowledge

            known_attacks = builtin_knowledge().attacks
        return resolve(
            [SourceFile(parsed, None)],
            vocabulary or builtin_vocabulary(),
            known_attacks=known_attacks,
        )
