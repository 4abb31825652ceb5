"""Hypothesis strategies that build random but valid system models with the ModelBuilder."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from actm.model.builder import ModelBuilder

MODEL_KINDS = ["llm", "agent", "classifier", "embedding", "guardrail"]
NODE_KINDS = [
    "service",
    "database",
    "vector_store",
    "gpu_cluster",
    "model_registry",
    "ci_runner",
    "code_sandbox",
    "mcp_server",
    "third_party_api",
]
ASSET_TYPES = [
    "credential",
    "personal_data",
    "business_data",
    "document_store",
    "source_code",
    "tool_state",
    "model_artifact",
    "configuration",
]
NODE_CLASSES = [
    "rce",
    "read_access",
    "write_access",
    "credential_exposure",
    "side_channel",
    "fault_injection",
    "supply_chain_compromise",
    "denial_of_service",
    "missing_authentication",
    "insecure_deserialization",
    "cleartext_transport",
]
CAPS = [
    "inspect",
    "partially_inspect",
    "indirectly_inspect",
    "monitor",
    "make_arbitrary_changes",
    "make_limited_changes",
    "contribute",
    "influence",
    "withhold",
]
AI_MODEL_CLASSES = [
    "follows_injected_instructions",
    "jailbreakable",
    "leaks_system_prompt",
    "memorizes_training_data",
    "known_backdoor",
    "unbounded_consumption",
    "adversarially_fragile",
]
FEATURES = [
    "context_compression",
    "streaming",
    "long_term_memory",
    "rate_limited",
    "code_interpreter",
]


@st.composite
def system_models(draw: st.DrawFn) -> dict[str, Any]:
    """A random model as builder calls: {"calls": [(method, args, kwargs), ...]}."""
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    calls.append(("owner", ("us",), {"first_party": True}))
    calls.append(("owner", ("vendor",), {}))
    n_nodes = draw(st.integers(1, 5))
    nodes = [f"n{i}" for i in range(n_nodes)]
    for n in nodes:
        calls.append(
            (
                "node",
                (n,),
                {
                    "kind": draw(st.sampled_from(NODE_KINDS)),
                    "pipeline": draw(st.sampled_from(["development", "deployment"])),
                    "owner": draw(st.sampled_from([None, None, "vendor"])),
                },
            )
        )
    n_assets = draw(st.integers(0, 5))
    assets = [f"a{i}" for i in range(n_assets)]
    for a in assets:
        resides = [
            {
                "node": draw(st.sampled_from(nodes)),
                "mode": draw(st.sampled_from(["stored", "processed", "transmitted"])),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        resides = list({r["node"] + r["mode"]: r for r in resides}.values())
        calls.append(
            (
                "asset",
                (a,),
                {
                    "type": draw(st.sampled_from(ASSET_TYPES)),
                    "resides": resides,
                    "untrusted_sources": draw(st.sampled_from([[], [], ["web"]])),
                    "criticality": {
                        "confidentiality": draw(st.sampled_from(["low", "high", "critical"])),
                        "integrity": draw(st.sampled_from(["low", "high", "critical"])),
                    },
                },
            )
        )
    n_tools = draw(st.integers(0, 4))
    tools = [f"t{i}" for i in range(n_tools)]
    for t in tools:
        calls.append(
            (
                "tool",
                (t,),
                {
                    "read": draw(st.lists(st.sampled_from(assets), max_size=2, unique=True))
                    if assets
                    else None,
                    "write": draw(st.lists(st.sampled_from(assets), max_size=2, unique=True))
                    if assets
                    else None,
                    "execute": draw(st.lists(st.sampled_from(nodes), max_size=1, unique=True)),
                    "egress": draw(st.sampled_from([[], ["internet"]])),
                    "constrained": draw(st.booleans()),
                    "human_approval": draw(st.booleans()),
                    "sandbox": draw(st.booleans()),
                    "untrusted_results": draw(st.sampled_from([[], ["web"]])),
                },
            )
        )
    credential = draw(st.booleans())
    if credential:
        calls.append(
            (
                "asset",
                ("cred0",),
                {
                    "type": "credential",
                    "resides": [{"node": draw(st.sampled_from(nodes)), "mode": "stored"}],
                    "grants_access": draw(st.lists(st.sampled_from(nodes), max_size=1)),
                },
            )
        )
    n_models = draw(st.integers(1, 4))
    models = [f"m{i}" for i in range(n_models)]
    kinds = {}
    for m in models:
        kind = draw(st.sampled_from(MODEL_KINDS))
        kinds[m] = kind
        uses = (
            draw(st.lists(st.sampled_from(tools), max_size=3, unique=True))
            if tools and kind in ("llm", "agent")
            else []
        )
        calls.append(
            (
                "model",
                (m,),
                {
                    "kind": kind,
                    "exposure": draw(st.sampled_from(["public", "internal"])),
                    "exposes": draw(st.sampled_from([["outputs"], ["outputs", "output_details"]]))
                    if kind not in ("embedding",)
                    else ["outputs"],
                    "deployed_on": draw(st.lists(st.sampled_from(nodes), max_size=1)),
                    "trained_on": draw(st.lists(st.sampled_from(nodes), max_size=1)),
                    "tools": uses,
                    "features": draw(st.lists(st.sampled_from(FEATURES), max_size=2, unique=True)),
                    "owner": draw(st.sampled_from([None, "vendor"])),
                    "identity": "cred0" if credential and uses and draw(st.booleans()) else None,
                },
            )
        )
    llms = [m for m in models if kinds[m] in ("llm", "agent")]
    for a in assets:
        if llms and draw(st.booleans()):
            calls.append(
                (
                    "relation",
                    ("feeds", a, f"{draw(st.sampled_from(llms))}.inputs.retrieved_context"),
                    {},
                )
            )
    if len(llms) > 1 and draw(st.booleans()):
        a, b = llms[0], llms[1]
        calls.append(("relation", ("feeds", f"{a}.outputs", f"{b}.inputs.agent_messages"), {}))
    for i in range(draw(st.integers(0, 3))):
        calls.append(
            (
                "vulnerability",
                (f"v{i}",),
                {"cls": draw(st.sampled_from(NODE_CLASSES)), "node": draw(st.sampled_from(nodes))},
            )
        )
    for i in range(draw(st.integers(0, 2))):
        calls.append(
            (
                "vulnerability",
                (f"w{i}",),
                {
                    "cls": draw(st.sampled_from(AI_MODEL_CLASSES)),
                    "model": draw(st.sampled_from(models)),
                },
            )
        )
    if draw(st.booleans()):
        calls.append(
            (
                "vulnerability",
                ("scraped",),
                {
                    "cls": "unvetted_data",
                    "asset": f"{draw(st.sampled_from(models))}.dataset",
                },
            )
        )
    for i in range(draw(st.integers(0, 2))):
        m = draw(st.sampled_from(models))
        calls.append(
            (
                "assumption",
                (f"as{i}",),
                {
                    "producer": "vendor",
                    "asset": f"{m}.model_parameters",
                    "capability": draw(
                        st.sampled_from(["none", "contribute", "make_limited_changes"])
                    ),
                    "status": draw(st.sampled_from(["justified", "unjustified"])),
                },
            )
        )
    return {"calls": calls, "nodes": nodes, "assets": assets, "tools": tools, "models": models}


def build(
    spec: dict[str, Any], extra: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = ()
) -> ModelBuilder:
    b = ModelBuilder("random", owner="us")
    for method, args, kwargs in [*spec["calls"], *extra]:
        getattr(b, method)(*args, **{k: v for k, v in kwargs.items() if v is not None})
    return b


@st.composite
def additions(
    draw: st.DrawFn, spec: dict[str, Any]
) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """One new vulnerability, adversary or assumption."""
    what = draw(st.sampled_from(["vulnerability", "adversary", "assumption"]))
    if what == "vulnerability":
        return [
            (
                "vulnerability",
                ("extra-v",),
                {
                    "cls": draw(st.sampled_from(NODE_CLASSES)),
                    "node": draw(st.sampled_from(spec["nodes"])),
                },
            )
        ]
    if what == "adversary":
        targets = [
            f"{m}.{t}" for m in spec["models"] for t in ("inputs", "dataset", "model_parameters")
        ]
        targets += spec["assets"]
        return [
            (
                "adversary",
                ("extra-adversary",),
                {
                    "holds": [
                        {
                            "asset": draw(st.sampled_from(targets)),
                            "capability": draw(st.sampled_from(CAPS)),
                            "persistent": draw(st.booleans()),
                        }
                    ]
                },
            )
        ]
    m = draw(st.sampled_from(spec["models"]))
    return [
        (
            "assumption",
            ("extra-assumption",),
            {
                "producer": "vendor",
                "asset": f"{m}.{draw(st.sampled_from(['model_parameters', 'dataset']))}",
                "capability": draw(st.sampled_from(CAPS)),
                "status": "unjustified",
            },
        )
    ]


@st.composite
def controls(
    draw: st.DrawFn, spec: dict[str, Any]
) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """One new control that removes, blocks or breaks something that exists."""
    attack = draw(
        st.sampled_from(
            [
                "tool-data-exfiltration",
                "indirect-prompt-injection",
                "model-backdoor",
                "direct-prompt-injection",
                "resource-exhaustion",
                "tool-data-disclosure",
            ]
        )
    )
    scoped = spec["assets"] + [f"{m}.outputs" for m in spec["models"]]
    options: list[dict[str, Any]] = [
        {"breaks": [{"attack": attack}]},
        {"breaks": [{"attack": attack, "asset": draw(st.sampled_from(scoped))}]},
    ]
    vulns = [c[1][0] for c in spec["calls"] if c[0] == "vulnerability"]
    if vulns:
        options.append({"removes": [draw(st.sampled_from(vulns))]})
    if spec["tools"]:
        t = draw(st.sampled_from(spec["tools"]))
        options.append(
            {"blocks": [draw(st.sampled_from([t, f"{t}.egress", f"{t}.write", f"{t}.read"]))]}
        )
    options.append(
        {"blocks": [draw(st.sampled_from(["external-user", "content-author", "third-party"]))]}
    )
    return [("control", ("extra-control",), draw(st.sampled_from(options)))]


# -- additions to any resolved model (the examples too) ----------------------------------------

Item = tuple[str, dict[str, Any]]
"""A section name and one element to append to it."""


def _caps(kb: Any) -> list[str]:
    return list(kb.vocabulary.capabilities)


def _classes(kb: Any, kind: str, applies_to: str | None) -> list[str]:
    return sorted(
        c.id
        for c in kb.vocabulary.vulnerability_classes.values()
        if c.kind == kind and c.applies_to == applies_to
    )


def _asset_refs(model: Any) -> list[str]:
    return sorted(a.id for a in model.assets)


@st.composite
def threat_sources(draw: st.DrawFn, model: Any, kb: Any, vendor: str) -> list[Item]:
    """One to three new vulnerabilities, adversaries or assumptions for a resolved ``model``.

    ``vendor`` is a third-party owner that new assumptions name as their producer.
    """
    out: list[Item] = []
    assets = _asset_refs(model)
    nodes = sorted(n.id for n in model.nodes)
    models = sorted(m.id for m in model.models)
    for i in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["node-vuln", "ai-vuln", "adversary", "assumption"]))
        if what == "node-vuln" and nodes:
            item = {
                "id": f"fz-v{i}",
                "class": draw(st.sampled_from(_classes(kb, "conventional", None))),
                "node": draw(st.sampled_from(nodes)),
            }
            out.append(("vulnerabilities", item))
        elif what == "ai-vuln" and (models or assets):
            on = draw(st.sampled_from(["model", "asset"] if models and assets else ["asset"]))
            target = draw(st.sampled_from(models if on == "model" else assets))
            cls = draw(st.sampled_from(_classes(kb, "ai", on)))
            out.append(("vulnerabilities", {"id": f"fz-v{i}", "class": cls, on: target}))
        elif what == "adversary" and assets:
            holds = [
                {
                    "asset": draw(st.sampled_from(assets)),
                    "capability": draw(st.sampled_from(_caps(kb))),
                    "persistent": draw(st.booleans()),
                }
                for _ in range(draw(st.integers(1, 2)))
            ]
            out.append(("adversaries", {"id": f"fz-adv{i}", "holds": holds}))
        elif assets:
            item = {
                "id": f"fz-as{i}",
                "producer": vendor,
                "asset": draw(st.sampled_from(assets)),
                "capability": draw(st.sampled_from(["none", *_caps(kb)])),
                "status": draw(st.sampled_from(["justified", "unjustified"])),
                "persistent": draw(st.booleans()),
            }
            out.append(("assumptions", item))
    return out


@st.composite
def new_controls(draw: st.DrawFn, model: Any, kb: Any) -> list[Item]:
    """One or two implemented controls (of every kind) that act on ``model``'s elements."""
    out: list[Item] = []
    caps = _caps(kb)
    tools = sorted(t.id for t in model.tools)
    relations = sorted(r.id for r in model.relations if not r.implicit)
    adversaries = sorted(a.id for a in model.adversaries)
    model_assets = sorted(a.id for a in model.assets if a.model is not None)
    options: dict[str, list[Any]] = {
        "removes": sorted(v.id for v in model.vulnerabilities),
        "blocks": [
            *relations,
            *tools,
            *(f"{t}.{p}" for t in tools for p in ("read", "write", "execute", "egress")),
            *adversaries,
            *(f"source:{s}" for a in model.assets for s in a.untrusted_sources),
        ],
        "weakens": [*relations, *(f"{t}.{p}" for t in tools for p in ("read", "write"))],
        "approves": tools,
        "sandboxes": tools,
        "hides": model_assets,
        "justifies": sorted(a.id for a in model.assumptions),
        "breaks": sorted(kb.attacks),
    }
    kinds = sorted(k for k, v in options.items() if v)
    for i in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(kinds))
        target = draw(st.sampled_from(options[kind]))
        value: Any
        if kind == "weakens":
            value = [{"edge": target, "to": draw(st.sampled_from(caps))}]
        elif kind == "breaks":
            entry: dict[str, Any] = {"attack": target}
            if draw(st.booleans()):
                entry["asset"] = draw(st.sampled_from(_asset_refs(model) or [target]))
            value = [entry]
        else:
            value = [target]
        out.append(("controls", {"id": f"fz-control{i}", kind: value}))
    return out


def brought_back(before: Any, after: set[str]) -> set[str]:
    """The threats of ``after`` that a control may bring back although ``before`` (the result
    without it) did not report them, the two documented exceptions to "a control never adds a
    threat" (docs/noise-rules.md): a threat the ``foothold`` rule dropped, once the control
    takes part of what the foothold reaches; and a person talked into handing over or changing
    an asset (``human-trust-exploitation@m@x``) that the agent's own code execution on it
    (``agent-code-execution@m@x``) said, once a control takes that code execution away."""
    restated = {d.id for d in before.dropped if d.rule == "foothold"}
    reported = {t.id for t in before.threats}
    persuaded = {
        tid
        for tid in after
        if tid.startswith("human-trust-exploitation@")
        and (executed := tid.replace("human-trust-exploitation@", "agent-code-execution@", 1))
        in reported
        and executed not in after
    }
    return restated | persuaded
