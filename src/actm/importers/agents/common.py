"""What the agent-framework drafts share: your organisation, the runtime that runs the agents,
and the providers whose models they call (the ``providers`` table of
``importers/data/agents.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from actm.importers.common import INTERNET, US, ground, owner
from actm.importers.data import table
from actm.importers.draft import DraftBuilder, Review, slug

__all__ = ["INTERNET", "RUNTIME", "US", "feeds", "frame", "provider"]

RUNTIME = "agent-runtime"
INTERNAL = "internal"


def frame(builder: DraftBuilder, ident: str, name: str, runtime: str) -> None:
    """The system, your organisation, the zones and the node the agents run on."""
    ground(
        builder, ident, name, (INTERNAL, "Your network", "network"), "say what the system is for"
    )
    builder.add(
        "nodes",
        RUNTIME,
        {"name": runtime, "kind": "service", "zone": INTERNAL, "owner": US},
        review=[Review("", "where does it run, and who can reach it?")],
    )


def _provider_row(llm: str) -> Mapping[str, Any] | None:
    prefix, _, rest = llm.partition("/")
    rows: Sequence[Mapping[str, Any]] = table("agents")["providers"]
    for row in rows:
        if rest and row["prefix"] == prefix.lower():
            return row
    name = llm.lower()
    for row in rows:
        if any(name.startswith(s) for s in row.get("starts", ())):
            return row
    return None


def provider(builder: DraftBuilder, llm: str | None, pointer: str) -> tuple[str, str, list[Review]]:
    """The owner and the node of the model ``llm`` names ("openai/gpt-4o", "claude-3-haiku"),
    and what to review; an unknown or missing name gives a provider to name."""
    row = _provider_row(llm) if llm else None
    if row is None:
        unknown = builder.add(
            "owners",
            "model-provider",
            {"name": "The models' provider", "trust": "untrusted"},
            pointer,
            [Review("name", f"which provider serves {llm or 'the models'}?")],
        )
        node = builder.add(
            "nodes",
            "model-api",
            {
                "name": "The models' API",
                "kind": "third_party_api",
                "zone": INTERNET,
                "owner": unknown,
            },
            pointer,
        )
        return unknown, node, [Review("owner", "whose model is it? (a provider, or you)")]
    name = str(row["name"])
    if row.get("local"):
        node = builder.add(
            "nodes",
            f"{slug(name)}-server",
            {"name": f"{name} server", "kind": "inference_server", "zone": INTERNAL, "owner": US},
            pointer,
        )
        return US, node, []
    who = owner(builder, slug(name), name, pointer)
    node = builder.add(
        "nodes",
        f"{slug(name)}-api",
        {"name": f"{name} model API", "kind": "third_party_api", "zone": INTERNET, "owner": who},
        pointer,
    )
    return who, node, []


def feeds(
    builder: DraftBuilder, source: str, target: str, pointer: str, reviews: list[Review]
) -> None:
    """``source``'s outputs feed ``target``'s agent messages (one agent hands work on)."""
    if source == target:
        return
    builder.add(
        "relations",
        f"{source}-to-{target}",
        {"kind": "feeds", "from": f"{source}.outputs", "to": f"{target}.inputs.agent_messages"},
        pointer,
        reviews,
    )
