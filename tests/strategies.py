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
