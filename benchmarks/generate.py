"""Generate a large, realistic-shaped actm model for benchmarks.

    python benchmarks/generate.py --assets 10000 --output benchmarks/out/model-10k.yaml --seed 1

The model is a company that runs many business units. A small shared platform (corporate
zones, a source host, CI, a vault, an e-mail gateway, a public model hub and a few hosted
model vendors) is used by every unit; each unit then has its own development and production
zones, a handful of nodes in each, and a few AI models of several kinds:

* a retrieval-augmented LLM fed by the unit's document store (indexed by an embedding model),
  either fine-tuned in house from an open base model or hosted by a vendor;
* optionally an agent with tools that read, write, send data out and run code;
* optionally classical models (classifier, regression) that expose scores, a guardrail, a
  retriever or an image generator.

Conventional assets (credentials that grant access to nodes, personal data, document stores
fed by outside sources, tool state, source code, logs), relations (feeds, derives), a fraction
of vulnerable nodes and models, third-party assumptions and controls complete each unit.

"Assets" counts what ``actm validate`` counts: conventional assets, the AI assets every model
owns (7 or 8 per model, by kind) and the implicit asset of every tool. Units are added until
the count reaches ``--assets``, so the file size grows linearly with it. The output depends
only on ``--assets`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as BaseDumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as BaseDumper  # type: ignore[assignment]


class Dumper(BaseDumper):  # type: ignore[misc,valid-type]
    """Block style for sections and large elements, flow style for small leaves.

    This is how people write models by hand (see examples/): ``tools: [a, b]``,
    ``- {node: vdb, mode: stored}``, and one block per model or asset.
    """


def _scalar(value: object) -> bool:
    return not isinstance(value, dict | list)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(_scalar(v) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = len(data) <= 6 and all(_scalar(v) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


Dumper.add_representer(list, _represent_list)
Dumper.add_representer(dict, _represent_dict)

# How many AI assets a model of each kind owns (model_kinds.yaml).
AI_ASSETS = {
    "llm": 8,
    "agent": 8,
    "classifier": 8,
    "guardrail": 8,
    "regression": 8,
    "generative_image": 8,
    "embedding": 7,
    "retriever": 7,
}

LLM_VENDORS = ("openai-like", "anthropic-like", "mistral-like")
OPEN_BASES = ("llama-base", "qwen-base", "bert-base")
UNTRUSTED_SOURCES = (
    "public-web",
    "customer-uploads",
    "partner-wiki",
    "support-email",
    "shared-drive",
    "vendor-docs",
)
NODE_VULN_CLASSES = (
    "rce",
    "misconfiguration",
    "missing_authentication",
    "public_exposure",
    "credential_exposure",
    "ssrf",
    "injection",
    "privilege_escalation",
    "cleartext_transport",
    "denial_of_service",
    "logging_exposure",
    "read_access",
    "write_access",
    "side_channel",
)
LLM_FEATURES = ("streaming", "context_compression", "rate_limited", "output_filtering")
CONTROL_KINDS = ("patch", "configuration", "network", "process", "monitoring")
DOMAINS = (
    "claims",
    "billing",
    "customer support",
    "human resources",
    "legal",
    "marketing",
    "sales",
    "logistics",
    "fraud",
    "research",
    "procurement",
    "field service",
)


class Generator:
    """Builds the model as plain data, one business unit at a time."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.doc: dict[str, Any] = {
            "actm": 1,
            "system": {
                "id": "acme-ai-estate",
                "name": "ACME AI estate",
                "description": "Every AI system run by ACME's business units (generated).",
                "owner": "acme",
            },
        }
        for section in (
            "owners",
            "zones",
            "nodes",
            "models",
            "assets",
            "relations",
            "tools",
            "vulnerabilities",
            "assumptions",
            "controls",
        ):
            self.doc[section] = []
        self.asset_count = 0
        self.units = 0
        self.domain = ""

    # -- small helpers ---------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def add(self, section: str, item: dict[str, Any]) -> dict[str, Any]:
        self.doc[section].append(item)
        if section == "assets" or section == "tools":
            self.asset_count += 1
        elif section == "models":
            self.asset_count += AI_ASSETS[item["kind"]]
        return item

    def node(self, ident: str, kind: str, zone: str, name: str, **extra: Any) -> str:
        self.add("nodes", {"id": ident, "name": name, "kind": kind, "zone": zone, **extra})
        return ident

    def feeds(self, source: str, target: str) -> None:
        self.add("relations", {"kind": "feeds", "from": source, "to": target})

    def derives(self, source: str, target: str, process: str) -> None:
        self.add("relations", {"kind": "derives", "from": source, "to": target, "process": process})

    def node_vulnerability(self, ident: str, node: str, cls: str, patched: bool) -> None:
        vuln: dict[str, Any] = {
            "id": ident,
            "class": cls,
            "node": node,
            "title": f"{cls.replace('_', ' ')} on {node}",
        }
        if self.chance(0.4):
            vuln["cve"] = f"CVE-{self.rng.randint(2019, 2025)}-{self.rng.randint(1000, 99999)}"
        self.add("vulnerabilities", vuln)
        if patched:
            self.add(
                "controls",
                {
                    "id": f"fix-{ident}",
                    "name": f"Patch {ident}",
                    "kind": "patch",
                    "status": self.rng.choice(("implemented", "planned")),
                    "removes": [ident],
                },
            )

    # -- the shared platform ---------------------------------------------------------------

    def platform(self) -> None:
        self.add("owners", {"id": "acme", "name": "ACME Corp", "first_party": True})
        self.add("owners", {"id": "hubco", "name": "Public model hub"})
        self.add("owners", {"id": "embed-vendor", "name": "Embedding API vendor"})
        self.add("owners", {"id": "data-broker", "name": "Training data broker"})
        for v in LLM_VENDORS:
            self.add("owners", {"id": v, "name": f"Hosted LLM vendor {v}"})

        self.add("zones", {"id": "internet", "trust": "untrusted"})
        self.add("zones", {"id": "partner-net", "trust": "low"})
        self.add("zones", {"id": "corp", "trust": "high", "owner": "acme"})
        self.add("zones", {"id": "vendor-cloud", "trust": "low"})

        self.node("corp-git", "source_repository", "corp", "Source host", pipeline="development")
        self.node("corp-ci", "ci_runner", "corp", "CI runners", pipeline="development")
        self.node("corp-vault", "secrets_manager", "corp", "Secrets vault")
        self.node("corp-idp", "identity_provider", "corp", "Single sign-on")
        self.node("email-gw", "email_service", "corp", "Outbound e-mail gateway")
        self.node(
            "model-hub",
            "model_hub",
            "internet",
            "Public model hub",
            owner="hubco",
            pipeline="development",
        )
        self.node(
            "embed-api", "third_party_api", "vendor-cloud", "Embedding API", owner="embed-vendor"
        )
        for v in LLM_VENDORS:
            self.node(f"{v}-api", "third_party_api", "vendor-cloud", f"{v} API", owner=v)

        # Hosted foundation models and open base models that units build on.
        for v in LLM_VENDORS:
            self.add(
                "models",
                {
                    "id": f"{v}-llm",
                    "kind": "llm",
                    "owner": v,
                    "exposure": "none",
                    "deployed_on": [f"{v}-api"],
                },
            )
            self.add(
                "assumptions",
                {
                    "id": f"assume-{v}-weights",
                    "producer": v,
                    "asset": f"{v}-llm.model_parameters",
                    "capability": "make_limited_changes",
                    "justification": "Vendor contract; no attestation of training data.",
                    "status": "unjustified",
                },
            )
        for b in OPEN_BASES:
            self.add(
                "models",
                {
                    "id": b,
                    "kind": "llm",
                    "owner": "hubco",
                    "exposure": "none",
                    "stored_on": ["model-hub"],
                },
            )
            self.add(
                "assumptions",
                {
                    "id": f"assume-{b}-weights",
                    "producer": "hubco",
                    "asset": f"{b}.model_parameters",
                    "capability": "make_limited_changes",
                    "justification": "Signed provenance checked on download.",
                    "status": "justified",
                },
            )
            self.add(
                "controls",
                {
                    "id": f"verify-{b}",
                    "name": f"Verify signatures of {b}",
                    "kind": "process",
                    "justifies": [f"assume-{b}-weights"],
                },
            )
        self.add(
            "models",
            {
                "id": "shared-embed",
                "kind": "embedding",
                "owner": "embed-vendor",
                "exposure": "none",
                "deployed_on": ["embed-api"],
            },
        )

    # -- one business unit -----------------------------------------------------------------

    def unit(self) -> None:
        rng = self.rng
        u = f"bu{self.units:05d}"
        self.units += 1
        self.domain = domain = rng.choice(DOMAINS)
        dev, prod = f"{u}-dev", f"{u}-prod"
        self.add(
            "zones",
            {
                "id": dev,
                "name": f"{domain} development ({u})",
                "trust": "high",
                "owner": "acme",
            },
        )
        self.add(
            "zones",
            {
                "id": prod,
                "name": f"{domain} production ({u})",
                "trust": rng.choice(("medium", "high")),
                "owner": "acme",
            },
        )

        # development pipeline
        train = self.node(
            f"{u}-train", "gpu_cluster", dev, "Training cluster", pipeline="development"
        )
        registry = self.node(
            f"{u}-registry", "model_registry", dev, "Model registry", pipeline="development"
        )
        lake = self.node(f"{u}-lake", "object_storage", dev, "Data lake", pipeline="development")
        # deployment pipeline
        gw = self.node(f"{u}-gw", "api_gateway", prod, "API gateway")
        app = self.node(f"{u}-app", rng.choice(("service", "web_app")), prod, "Application")
        infer = self.node(f"{u}-infer", "inference_server", prod, "Inference servers")
        vdb = self.node(f"{u}-vdb", "vector_store", prod, "Vector store")
        ingest = self.node(f"{u}-ingest", "batch_job", prod, "Document ingestion")
        db = self.node(f"{u}-db", "database", prod, "Operational database")
        nodes = [train, registry, lake, gw, app, infer, vdb, ingest, db]

        # conventional assets every unit has
        sources = rng.sample(UNTRUSTED_SOURCES, rng.randint(1, 2))
        kb = f"{u}-kb"
        self.add(
            "assets",
            {
                "id": kb,
                "type": "document_store",
                "name": f"{domain} knowledge base",
                "description": f"Articles, policies and past answers of the {domain} team, "
                f"ingested nightly from {' and '.join(sources)}.",
                "components": ["documents", "embeddings"],
                "untrusted_sources": sources,
                "resides": [
                    {"node": vdb},
                    {"node": ingest, "mode": "processed", "writes": True},
                ],
            },
        )
        customers = f"{u}-customers"
        self.add(
            "assets",
            {
                "id": customers,
                "type": "personal_data",
                "name": "Customer records",
                "description": f"Names, contact details and case history of {domain} customers.",
                "criticality": {"confidentiality": "critical", "integrity": "high"},
                "resides": [{"node": db}, {"node": app, "mode": "processed"}],
            },
        )
        db_cred = f"{u}-db-cred"
        self.add(
            "assets",
            {
                "id": db_cred,
                "type": "credential",
                "name": "Database credentials",
                "description": f"Service account of the {domain} application on its database.",
                "criticality": {"confidentiality": "high"},
                "grants_access": [db],
                "resides": [{"node": "corp-vault"}, {"node": app, "mode": "processed"}],
            },
        )
        self.add(
            "assets",
            {
                "id": f"{u}-src",
                "type": "source_code",
                "name": f"{domain} application code",
                "description": "Application, prompts and pipeline definitions.",
                "components": ["ci_config", "dependencies"],
                "resides": [{"node": "corp-git"}, {"node": "corp-ci", "mode": "processed"}],
            },
        )
        logs = f"{u}-logs"
        self.add(
            "assets",
            {
                "id": logs,
                "type": "logs",
                "name": "Conversation logs",
                "description": "Prompts and answers kept 30 days for quality review.",
                "criticality": {"confidentiality": "medium"},
                "resides": [{"node": app}],
            },
        )

        # models
        embed = self.embedding(u, infer, kb)
        rag = self.rag_llm(u, train, registry, infer, gw, kb, logs)
        models = [embed, rag]
        if rng.random() < 0.55:
            models.append(self.agent(u, prod, db, app, nodes, customers, kb, rag))
        if rng.random() < 0.5:
            models.append(self.scorer(u, "classifier", train, registry, infer, lake, customers))
        if rng.random() < 0.25:
            models.append(self.scorer(u, "regression", train, registry, infer, lake, None))
        if rng.random() < 0.3:
            guard = f"{u}-guard"
            self.add(
                "models",
                {"id": guard, "kind": "guardrail", "owner": "acme", "deployed_on": [infer]},
            )
            self.feeds(f"{rag}.outputs", f"{guard}.inputs.user_input")
            models.append(guard)
        if rng.random() < 0.15:
            ret = f"{u}-retriever"
            self.add(
                "models",
                {"id": ret, "kind": "retriever", "owner": "acme", "deployed_on": [vdb]},
            )
            self.feeds(f"{ret}.outputs", f"{rag}.inputs.retrieved_context")
            models.append(ret)
        if rng.random() < 0.1:
            img = f"{u}-imagegen"
            self.add(
                "models",
                {
                    "id": img,
                    "kind": "generative_image",
                    "owner": rng.choice(LLM_VENDORS),
                    "exposure": "public",
                    "deployed_on": [f"{rng.choice(LLM_VENDORS)}-api"],
                },
            )
            models.append(img)

        # vulnerabilities on a fraction of nodes and models
        for n in nodes:
            if rng.random() < 0.15:
                cls = rng.choice(NODE_VULN_CLASSES)
                self.node_vulnerability(f"{n}-{cls}", n, cls, patched=rng.random() < 0.3)
        if rng.random() < 0.3:
            self.node_vulnerability(
                f"{ingest}-dep", ingest, "supply_chain_compromise", patched=rng.random() < 0.3
            )
        if rng.random() < 0.1:
            self.node_vulnerability(
                f"{registry}-pickle", registry, "insecure_deserialization", patched=False
            )
        for m in models:
            if m.endswith(("-rag", "-agent")) and rng.random() < 0.35:
                cls = rng.choice(
                    ("follows_injected_instructions", "jailbreakable", "leaks_system_prompt")
                )
                self.add(
                    "vulnerabilities",
                    {
                        "id": f"{m}-{cls}",
                        "class": cls,
                        "model": m,
                        "evidence": [f"https://redteam.example/{m}/{cls}"],
                    },
                )
            elif m.endswith(("-classifier", "-regression")) and rng.random() < 0.25:
                self.add(
                    "vulnerabilities",
                    {"id": f"{m}-fragile", "class": "adversarially_fragile", "model": m},
                )
        if rng.random() < 0.05:
            self.add(
                "vulnerabilities",
                {"id": f"{kb}-unvetted", "class": "unvetted_data", "asset": kb},
            )

        # unit-level controls
        if rng.random() < 0.3:
            self.add(
                "controls",
                {
                    "id": f"{u}-source-allowlist",
                    "name": "Allow-list of ingested sources",
                    "kind": rng.choice(CONTROL_KINDS),
                    "blocks": [f"source:{sources[0]}"],
                    "cost": round(rng.uniform(1, 20), 1),
                },
            )
        if rng.random() < 0.2:
            self.add(
                "controls",
                {
                    "id": f"{u}-prompt-shield",
                    "name": "Prompt injection filter",
                    "kind": "monitoring",
                    "status": "planned",
                    "breaks": [{"attack": "indirect-prompt-injection", "asset": f"{rag}.inputs"}],
                },
            )

    def embedding(self, u: str, infer: str, kb: str) -> str:
        """An embedding model that indexes the knowledge base (in house or the shared API)."""
        if self.chance(0.3):
            self.derives("shared-embed.outputs", kb, "indexing")
            return "shared-embed"
        embed = f"{u}-embed"
        self.add(
            "models",
            {"id": embed, "kind": "embedding", "owner": "acme", "deployed_on": [infer]},
        )
        self.derives(f"{embed}.outputs", kb, "indexing")
        return embed

    def rag_llm(
        self, u: str, train: str, registry: str, infer: str, gw: str, kb: str, logs: str
    ) -> str:
        """A retrieval-augmented LLM, fine-tuned in house or hosted by a vendor."""
        rng = self.rng
        rag = f"{u}-rag"
        model: dict[str, Any] = {
            "id": rag,
            "name": f"{self.domain} assistant",
            "description": f"Answers questions of {self.domain} staff and customers from the "
            "knowledge base, with citations.",
            "kind": "llm",
            "exposure": rng.choice(("public", "public", "internal")),
            "features": sorted(rng.sample(LLM_FEATURES, rng.randint(0, 2))),
            "assets": {
                "inputs": {
                    "description": "System prompt with tone and escalation rules, the user's "
                    "question and up to eight retrieved passages.",
                    "criticality": {"integrity": "high"},
                },
                "outputs": {"criticality": {"integrity": "high", "availability": "medium"}},
                "model_parameters": {
                    "description": "Weights as served; pinned by digest in the deployment.",
                    "criticality": {"confidentiality": "high", "integrity": "critical"},
                },
            },
        }
        if rng.random() < 0.5:
            base = rng.choice(OPEN_BASES)
            model.update(
                owner="acme",
                base_model=base,
                trained_on=[train],
                stored_on=[registry],
                deployed_on=[infer, gw],
            )
            model["assets"]["dataset"] = {
                "description": "Fine-tuning set built from resolved tickets.",
                "resides": [{"node": f"{u}-lake"}, {"node": train, "mode": "processed"}],
            }
            model["assets"]["validation_results"] = {
                "description": "Answer quality and red-team scores gating each release.",
                "resides": [{"node": registry}],
            }
            self.add("models", model)
            tickets = f"{u}-ticket-history"
            self.add(
                "assets",
                {
                    "id": tickets,
                    "type": "business_data",
                    "name": "Resolved tickets used for fine-tuning",
                    "description": "Question and answer pairs approved by senior agents.",
                    "resides": [{"node": f"{u}-lake"}],
                },
            )
            self.derives(tickets, f"{rag}.dataset", "preprocessing")
        else:
            vendor = rng.choice(LLM_VENDORS)
            model.update(owner=vendor, deployed_on=[f"{vendor}-api"])
            self.add("models", model)
            if rng.random() < 0.3:
                self.add(
                    "assumptions",
                    {
                        "id": f"assume-{u}-{vendor}",
                        "producer": vendor,
                        "asset": f"{rag}.model_parameters",
                        "capability": "make_limited_changes",
                        "sends": [f"{rag}.inputs", kb],
                        "status": rng.choice(("justified", "unjustified")),
                    },
                )
        self.feeds(kb, f"{rag}.inputs.retrieved_context")
        self.derives(f"{rag}.outputs", logs, "feedback")
        return rag

    def agent(
        self,
        u: str,
        prod: str,
        db: str,
        app: str,
        nodes: list[str],
        customers: str,
        kb: str,
        rag: str,
    ) -> str:
        """An agent with tools that read, write, send out and run code."""
        rng = self.rng
        agent = f"{u}-agent"
        token = f"{u}-agent-token"
        tickets = f"{u}-tickets"
        self.add(
            "assets",
            {
                "id": token,
                "type": "credential",
                "name": "Agent service token",
                "description": "OAuth client credentials the agent's tools act under.",
                "grants_access": [db],
                "resides": [{"node": app, "mode": "processed"}],
            },
        )
        self.add(
            "assets",
            {
                "id": tickets,
                "type": "tool_state",
                "name": "Ticket system",
                "description": f"Open {self.domain} tickets: status, assignee, notes.",
                "criticality": {"integrity": "high"},
                "resides": [{"node": db}],
            },
        )
        mcp = self.node(f"{u}-mcp", "mcp_server", prod, "MCP tool server")
        nodes.append(mcp)
        tools = [f"{u}-search-kb", f"{u}-update-ticket", f"{u}-crm-lookup"]
        self.add(
            "tools",
            {
                "id": tools[0],
                "description": "Full-text and semantic search over the knowledge base.",
                "node": mcp,
                "permissions": {"read": [kb]},
            },
        )
        self.add(
            "tools",
            {
                "id": tools[1],
                "description": "Change a ticket's status, assignee or notes.",
                "node": mcp,
                "permissions": {"write": [tickets]},
                "constrained": rng.random() < 0.7,
                "credential": token,
            },
        )
        self.add(
            "tools",
            {
                "id": tools[2],
                "description": "Look up a customer record by id or e-mail address.",
                "node": mcp,
                "permissions": {"read": [customers]},
                "credential": token,
            },
        )
        features = ["autonomous"] if rng.random() < 0.6 else []
        if rng.random() < 0.5:
            send = f"{u}-send-email"
            tools.append(send)
            self.add(
                "tools",
                {
                    "id": send,
                    "description": "Send an e-mail to a customer or a colleague.",
                    "node": "email-gw",
                    "permissions": {"egress": ["internet"]},
                    "human_approval": rng.random() < 0.3,
                },
            )
            if rng.random() < 0.4:
                self.add(
                    "controls",
                    {
                        "id": f"{u}-egress-allowlist",
                        "name": "Recipient allow-list",
                        "kind": "network",
                        "blocks": [f"{send}.egress"],
                    },
                )
        if rng.random() < 0.4:
            sandbox = self.node(f"{u}-sandbox", "code_sandbox", prod, "Code sandbox")
            nodes.append(sandbox)
            run = f"{u}-run-code"
            tools.append(run)
            self.add(
                "tools",
                {
                    "id": run,
                    "description": "Run Python the agent writes to analyse data.",
                    "node": sandbox,
                    "permissions": {"execute": [sandbox]},
                    "sandbox": rng.random() < 0.6,
                },
            )
            self.add(
                "assets",
                {
                    "id": f"{u}-workspace",
                    "type": "data",
                    "name": "Agent workspace",
                    "description": "Extracts and uploads the agent analyses with code.",
                    "resides": [{"node": sandbox, "mode": "processed", "writes": True}],
                },
            )
            features.append("code_interpreter")
        if rng.random() < 0.4:
            fetch = f"{u}-web-fetch"
            tools.append(fetch)
            self.add(
                "tools",
                {
                    "id": fetch,
                    "description": "Fetch a web page and return its text.",
                    "node": mcp,
                    "permissions": {"egress": ["internet"]},
                    "untrusted_results": ["public-web"],
                },
            )
            features.append("web_browsing")
        memory = rng.random() < 0.3
        if memory:
            features.append("long_term_memory")
        vendor = rng.choice(LLM_VENDORS)
        model: dict[str, Any] = {
            "id": agent,
            "name": f"{self.domain} operations agent",
            "description": f"Triages {self.domain} tickets, looks up customers and drafts "
            "replies; escalates to a person when unsure.",
            "kind": "agent",
            "owner": vendor,
            "exposure": rng.choice(("public", "internal", "internal")),
            "deployed_on": [f"{vendor}-api"],
            "tools": tools,
            "identity": token,
            "features": sorted(features),
        }
        sources: dict[str, list[str]] = {}
        if rng.random() < 0.5:
            sources["user_input"] = ["support-email"]
        if memory:
            sources["memory"] = ["customer-chats"]  # memory is written from conversations
        if sources:
            model["assets"] = {"inputs": {"component_sources": sources}}
        self.add("models", model)
        self.feeds(f"{rag}.outputs", f"{agent}.inputs.agent_messages")
        self.derives(f"{agent}.outputs", f"{u}-logs", "feedback")
        return agent

    def scorer(
        self,
        u: str,
        kind: str,
        train: str,
        registry: str,
        infer: str,
        lake: str,
        customers: str | None,
    ) -> str:
        """A classical model trained in house that returns scores."""
        rng = self.rng
        ident = f"{u}-{kind}"
        data = f"{ident}-events"
        self.add(
            "assets",
            {
                "id": data,
                "type": "business_data",
                "name": "Scored events",
                "description": f"Labelled {self.domain} events of the last two years.",
                "resides": [{"node": lake}],
            },
        )
        settings: dict[str, Any] = {
            "description": "Training and validation split of the scored events.",
            "components": ["training", "validation", "labels"],
            "resides": [{"node": lake}, {"node": train, "mode": "processed"}],
        }
        if rng.random() < 0.3:
            # a broker's feed goes into both splits
            settings["component_sources"] = {
                "training": ["partner-feed"],
                "validation": ["partner-feed"],
            }
            self.add(
                "assumptions",
                {
                    "id": f"assume-{ident}-data",
                    "producer": "data-broker",
                    "asset": f"{ident}.dataset",
                    "capability": "contribute",
                    "status": "unjustified",
                },
            )
        exposes = ["outputs", "output_details"] if rng.random() < 0.6 else ["outputs"]
        self.add(
            "models",
            {
                "id": ident,
                "name": f"{self.domain} {kind}",
                "description": f"Scores incoming {self.domain} events; decisions above the "
                "threshold go to manual review.",
                "kind": kind,
                "owner": "acme",
                "exposure": rng.choice(("public", "internal")),
                "exposes": exposes,
                "trained_on": [train],
                "stored_on": [registry],
                "deployed_on": [infer],
                "criticality": {"integrity": "high"},
                "assets": {
                    "dataset": settings,
                    "validation_results": {
                        "description": "Precision and recall per segment, checked before release.",
                        "resides": [{"node": registry}],
                    },
                    "output_details": {"criticality": {"confidentiality": "medium"}},
                },
                "features": ["rate_limited"] if rng.random() < 0.5 else [],
            },
        )
        self.derives(data, f"{ident}.dataset", "preprocessing")
        if customers is not None:
            self.derives(customers, data, "transform")
        return ident

    # -- driver ----------------------------------------------------------------------------

    def build(self, assets: int) -> dict[str, Any]:
        self.platform()
        while self.asset_count < assets:
            self.unit()
        return self.doc


def generate(assets: int, seed: int = 0) -> str:
    """The YAML text of a model with about ``assets`` assets."""
    doc = Generator(seed).build(assets)
    header = (
        f"# Generated by benchmarks/generate.py --assets {assets} --seed {seed}\n"
        "# A synthetic AI estate for benchmarks; do not edit by hand.\n"
    )
    body = yaml.dump(doc, Dumper=Dumper, sort_keys=False, width=100)
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, required=True, help="Approximate asset count.")
    parser.add_argument("--output", type=Path, required=True, help="Where to write the YAML.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
    args = parser.parse_args(argv)
    if args.assets < 1:
        parser.error("--assets must be positive")
    text = generate(args.assets, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text) / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
