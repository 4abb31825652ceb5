"""Write one architecture both as a pytm 1.4.0 script and as an actm model, for the peer benchmark.

    python benchmarks/gen_peer.py --elements 1000 --out-dir benchmarks/out

The architecture is a company with many business units, each running the same retrieval-
augmented support assistant. Every unit has a trust boundary with a web front end, an
orchestrating application, a self-hosted LLM with agent capabilities, a vector store fed by an
ingestion job from a partner's wiki, a customer database, and a mail-sending function that the
LLM calls as a tool. Two elements are shared: the Internet boundary and the customer actor.

The architecture is described once, as a list of elements (:class:`Element`), and both files
are written from that list, so they hold the same nodes, flows and data:

* ``pytm_script`` writes a Python script that builds the model with pytm's classes and, run on
  its own, hands over to pytm's command line (``python peer-100.py --report TEMPLATE``);
* ``actm_model`` writes the actm YAML model. The mapping is in docs/performance.md.

"Elements" counts every pytm object the script creates: boundaries, actors, external entities,
servers, processes, lambdas, LLMs, datastores, data and dataflows. The list is cut at exactly
``--elements``, in an order where every element comes after what it refers to, so the last
unit may be incomplete; both files are written from the same cut. The output depends only on
``--elements``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generate import Dumper

INTERNET = "internet"
CUSTOMER = "customer"

# pytm class of each element kind
PYTM_CLASS = {
    "boundary": "Boundary",
    "actor": "Actor",
    "external": "ExternalEntity",
    "server": "Server",
    "process": "Process",
    "lambda": "Lambda",
    "llm": "LLM",
    "datastore": "Datastore",
    "data": "Data",
    "flow": "Dataflow",
}
NODE_KINDS = ("server", "process", "lambda", "llm", "datastore")

# actm node kind of each pytm element kind (a datastore depends on isSQL)
ACTM_NODE_KIND = {
    "server": "web_app",
    "process": "service",
    "lambda": "serverless",
    "llm": "inference_server",
}

# pytm Classification -> actm confidentiality criticality
CRITICALITY = {
    "PUBLIC": "low",
    "RESTRICTED": "medium",
    "SENSITIVE": "high",
    "SECRET": "critical",
    "TOP_SECRET": "critical",
}


@dataclass
class Element:
    """One pytm object; ``attrs`` are its pytm attributes (``controls.x`` for controls)."""

    kind: str
    id: str
    name: str
    boundary: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    """Flows: the id of the source element."""
    sink: str | None = None
    """Flows: the id of the sink element."""
    data: list[str] = field(default_factory=list)
    """Flows: the ids of the data they carry."""
    response_to: str | None = None
    """Flows: the id of the flow this one answers (pytm's ``responseTo``)."""
    feeds: str | None = None
    """Data: the component of an LLM's inputs it enters when a flow carries it into the LLM."""


def _unit(i: int) -> list[Element]:
    """The elements of business unit ``i``, each after the elements it refers to.

    As pytm wants it, a forward flow's protocol, port and encryption are those of its sink
    (``port``, ``protocol``, ``controls.isEncrypted`` on the sink element), and a response's
    those of its source: ``tm.check()`` copies them onto the flows. The orchestrator listens
    on plain HTTP, so every flow into it, and its answer to the web front end, is cleartext.
    """
    u = f"u{i}"
    b = f"{u}-zone"
    e: list[Element] = []
    tls: dict[str, Any] = {"protocol": "HTTPS", "port": 443, "controls.isEncrypted": True}

    def node(kind: str, ident: str, name: str, attrs: dict[str, Any], boundary: str = b) -> None:
        e.append(Element(kind, f"{u}-{ident}", name, boundary, attrs))

    def data(ident: str, name: str, attrs: dict[str, Any], feeds: str | None = None) -> None:
        e.append(Element("data", f"{u}-{ident}", name, attrs=attrs, feeds=feeds))

    def flow(src: str, dst: str, name: str, carries: list[str], response_to: int = -1) -> int:
        number = sum(x.kind == "flow" for x in e)
        e.append(
            Element(
                "flow",
                f"{u}-f{number}",
                name,
                source=src if src == CUSTOMER else f"{u}-{src}",
                sink=dst if dst == CUSTOMER else f"{u}-{dst}",
                data=[f"{u}-{d}" for d in carries],
                response_to=None if response_to < 0 else f"{u}-f{response_to}",
            )
        )
        return number

    e.append(Element("boundary", b, f"Unit {i}"))
    web = {**tls, "controls.sanitizesInput": True, "controls.encodesOutput": True}
    node("server", "web", f"Web front end {i}", web)
    data("question", f"Customer question {i}", {"classification": "RESTRICTED"}, "user_input")
    ask = flow(CUSTOMER, "web", "Ask a question", ["question"])
    app = {"protocol": "HTTP", "port": 8080, "controls.isEncrypted": False}
    node("process", "app", f"Assistant orchestrator {i}", app)
    forward = flow("web", "app", "Forward question", ["question"])
    kb = {"isSQL": False, **tls, "controls.hasAccessControl": False}
    node("datastore", "kb", f"Knowledge base {i}", kb)
    docs = {"classification": "RESTRICTED", "format": "documents"}
    data("docs", f"Knowledge-base documents {i}", docs, "retrieved_context")
    flow("kb", "app", "Retrieve passages", ["docs"])
    crm = {
        "isSQL": True,
        "storesPII": True,
        **tls,
        "controls.hasAccessControl": True,
        "controls.isEncryptedAtRest": True,
    }
    node("datastore", "crm", f"Customer database {i}", crm)
    record = {"classification": "SECRET", "isPII": True}
    data("record", f"Customer record {i}", record, "retrieved_context")
    flow("crm", "app", "Look up customer", ["record"])
    llm = {
        "isThirdParty": False,
        "isSelfHosted": True,
        "hasRAG": True,
        "hasAgentCapabilities": True,
        "hasAccessToSensitiveSystems": True,
        "processesPersonalData": True,
        "processesUntrustedInput": True,
        "hasContentFiltering": False,
        **tls,
    }
    node("llm", "llm", f"Support LLM {i}", llm)
    prompt = flow("app", "llm", "Prompt with context", ["question", "docs", "record"])
    data("answer", f"Answer {i}", {"classification": "RESTRICTED"})
    flow("llm", "app", "Completion", ["answer"], response_to=prompt)
    flow("app", "web", "Answer", ["answer"], response_to=forward)
    flow("web", CUSTOMER, "Show answer", ["answer"], response_to=ask)
    node("lambda", "mailer", f"Mail sender {i}", tls)
    data("email", f"Outbound e-mail {i}", {"classification": "SENSITIVE"})
    flow("llm", "mailer", "Send e-mail (tool call)", ["email"])
    smtps = {"protocol": "SMTPS", "port": 465, "controls.isEncrypted": True}
    node("external", "partner", f"Partner wiki {i}", smtps, INTERNET)
    flow("mailer", "partner", "Deliver e-mail", ["email"])
    node("lambda", "ingest", f"Ingestion job {i}", tls)
    flow("partner", "ingest", "Crawl wiki", ["docs"])
    flow("ingest", "kb", "Index documents", ["docs"])
    return e


UNIT_SIZE = len(_unit(0))


def architecture(elements: int) -> list[Element]:
    """Exactly ``elements`` elements: the two shared ones, then units until the count is met."""
    if elements < 2:
        raise ValueError("at least 2 elements (the shared boundary and actor)")
    out = [
        Element("boundary", INTERNET, "Internet", attrs={"untrusted": True}),
        Element("actor", CUSTOMER, "Customer", INTERNET),
    ]
    i = 0
    while len(out) < elements:
        out.extend(_unit(i))
        i += 1
    return out[:elements]


# -- pytm ----------------------------------------------------------------------------------


def encrypted(flow: Element, by_id: dict[str, Element]) -> bool:
    """Whether pytm's ``check()`` leaves ``flow`` encrypted: its sink's setting (its source's
    for a response)."""
    end = by_id[(flow.source if flow.response_to else flow.sink) or ""]
    return bool(end.attrs.get("controls.isEncrypted", False))


def pytm_script(arch: list[Element]) -> str:
    """A pytm 1.4.0 script that builds ``arch`` into the module-level ``tm``."""
    by_id = {el.id: el for el in arch}
    var = {el.id: f"e{n}" for n, el in enumerate(arch)}
    lines = [
        f"# Generated by benchmarks/gen_peer.py --elements {len(arch)}; do not edit by hand.",
        "# Run alone: python THIS.py --report benchmarks/pytm_report_template.md",
        "from pytm import (",
        "    LLM, TM, Actor, Boundary, Classification, Data, Dataflow, Datastore,",
        "    ExternalEntity, Lambda, Process, Server, TLSVersion,",
        ")",
        "",
        f'tm = TM("Peer benchmark, {len(arch)} elements",'
        ' description="Support assistants of many business units (generated).")',
    ]
    for el in arch:
        v = var[el.id]
        args = [repr(el.name)]
        if el.kind == "flow":
            args = [var[el.source or ""], var[el.sink or ""], repr(el.name)]
        if el.boundary is not None:
            args.append(f"inBoundary={var[el.boundary]}")
        controls: list[tuple[str, Any]] = []
        for key, value in el.attrs.items():
            if key == "untrusted":
                continue
            if key.startswith("controls."):
                controls.append((key.split(".", 1)[1], value))
            elif key == "classification":
                args.append(f"classification=Classification.{value}")
            else:
                args.append(f"{key}={value!r}")
        if el.kind == "flow":
            args.append(f"data=[{', '.join(var[d] for d in el.data)}]")
            if el.response_to is not None:
                args.append(f"responseTo={var[el.response_to]}")
            if encrypted(el, by_id):
                args.append("tlsVersion=TLSVersion.TLSv12")
        lines.append(f"{v} = {PYTM_CLASS[el.kind]}({', '.join(args)})")
        for key, value in controls:
            lines.append(f"{v}.controls.{key} = {value!r}")
    lines += ["", 'if __name__ == "__main__":', "    tm.process()", ""]
    return "\n".join(lines)


# -- actm ----------------------------------------------------------------------------------


def actm_model(arch: list[Element]) -> dict[str, Any]:
    """The actm model of ``arch`` as plain data (see docs/performance.md for the mapping)."""
    by_id = {el.id: el for el in arch}
    flows = [el for el in arch if el.kind == "flow"]
    doc: dict[str, Any] = {
        "actm": 1,
        "system": {
            "id": "peer-benchmark",
            "name": f"Peer benchmark, {len(arch)} elements",
            "description": "Support assistants of many business units (generated).",
            "owner": "acme",
        },
        "owners": [{"id": "acme", "name": "ACME Corp", "first_party": True}],
    }
    zones: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []
    assets: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    tools: list[dict[str, Any]] = []
    vulns: list[dict[str, Any]] = []

    def model_id(llm: str) -> str:
        return f"{llm}-model"

    def tool_id(node: str) -> str:
        return f"{node}-tool"

    # the lambdas an LLM calls (a flow from the LLM to a lambda) are its tools
    tool_of: dict[str, str] = {}
    for f in flows:
        src, dst = by_id[f.source or ""], by_id[f.sink or ""]
        if src.kind == "llm" and dst.kind == "lambda":
            tool_of[dst.id] = src.id

    for el in arch:
        if el.kind == "boundary":
            trust = "untrusted" if el.attrs.get("untrusted") else "high"
            zones.append({"id": el.id, "name": el.name, "trust": trust})
        elif el.kind in NODE_KINDS:
            if el.kind == "datastore":
                kind = "database" if el.attrs.get("isSQL", True) else "vector_store"
            else:
                kind = ACTM_NODE_KIND[el.kind]
            node: dict[str, Any] = {"id": el.id, "name": el.name, "kind": kind}
            if el.boundary is not None:
                node["zone"] = el.boundary
            nodes.append(node)
            if el.kind == "datastore" and el.attrs.get("controls.hasAccessControl") is False:
                vulns.append(
                    {"id": f"{el.id}-no-auth", "class": "missing_authentication", "node": el.id}
                )
            if el.kind == "llm":
                agent = el.attrs.get("hasAgentCapabilities", False)
                model: dict[str, Any] = {
                    "id": model_id(el.id),
                    "name": el.name,
                    "kind": "agent" if agent else "llm",
                    "exposure": "public" if el.attrs.get("processesUntrustedInput") else "internal",
                    "deployed_on": [el.id],
                }
                called = sorted(tool_id(t) for t, llm in tool_of.items() if llm == el.id)
                if called:
                    model["tools"] = called
                models.append(model)
                if el.attrs.get("processesUntrustedInput") and not el.attrs.get(
                    "hasContentFiltering"
                ):
                    vulns.append(
                        {
                            "id": f"{el.id}-injectable",
                            "class": "follows_injected_instructions",
                            "model": model_id(el.id),
                        }
                    )
            if el.id in tool_of:
                egress = sorted(
                    {
                        by_id[by_id[f.sink or ""].boundary or ""].id
                        for f in flows
                        if f.source == el.id
                        and by_id[f.sink or ""].boundary is not None
                        and by_id[by_id[f.sink or ""].boundary or ""].attrs.get("untrusted")
                    }
                )
                tool: dict[str, Any] = {"id": tool_id(el.id), "name": el.name, "node": el.id}
                if egress:
                    tool["permissions"] = {"egress": egress}
                tools.append(tool)
        elif el.kind == "flow":
            node = {"id": el.id, "name": el.name, "kind": "network"}
            src = by_id[el.source or ""]
            if src.boundary is not None:
                node["zone"] = src.boundary
            nodes.append(node)
            if not encrypted(el, by_id):
                vulns.append(
                    {"id": f"{el.id}-cleartext", "class": "cleartext_transport", "node": el.id}
                )

    # data: residency from the flows that carry it, feeds into LLMs, derivation from LLMs
    for el in arch:
        if el.kind != "data":
            continue
        if el.attrs.get("isPII"):
            atype = "personal_data"
        elif el.attrs.get("isCredentials"):
            atype = "credential"
        elif el.attrs.get("format") == "documents":
            atype = "document_store"
        else:
            atype = "data"
        asset: dict[str, Any] = {"id": el.id, "name": el.name, "type": atype}
        level = CRITICALITY.get(el.attrs.get("classification", ""))
        if level is not None:
            asset["criticality"] = {"confidentiality": level}
        resides: dict[tuple[str, str], None] = {}  # (node, mode), in order, once each
        sources: list[str] = []
        for f in flows:
            if el.id not in f.data:
                continue
            resides[f.id, "transmitted"] = None
            for end in (by_id[f.source or ""], by_id[f.sink or ""]):
                if end.kind == "datastore":
                    resides[end.id, "stored"] = None
                elif end.kind in ("server", "process", "lambda"):
                    resides[end.id, "processed"] = None
                elif end.kind in ("external", "actor") and end.id == f.source:
                    sources.append(end.name)
            src, dst = by_id[f.source or ""], by_id[f.sink or ""]
            whole = f"{el.id}.documents" if atype == "document_store" else el.id
            if dst.kind == "llm" and el.feeds is not None:
                relations.append(
                    {
                        "kind": "feeds",
                        "from": whole,
                        "to": f"{model_id(dst.id)}.inputs.{el.feeds}",
                    }
                )
            if src.kind == "llm" and dst.id not in tool_of:
                relations.append(
                    {
                        "kind": "derives",
                        "from": f"{model_id(src.id)}.outputs",
                        "to": el.id,
                        "process": "feedback",
                        "persistent": False,
                    }
                )
        if resides:
            asset["resides"] = [{"node": node, "mode": mode} for node, mode in resides]
        if sources:
            asset["untrusted_sources"] = sorted(set(sources))
        assets.append(asset)

    for key, items in (
        ("zones", zones),
        ("nodes", nodes),
        ("models", models),
        ("assets", assets),
        ("relations", relations),
        ("tools", tools),
        ("vulnerabilities", vulns),
    ):
        if items:
            doc[key] = items
    return doc


def actm_yaml(arch: list[Element]) -> str:
    header = (
        f"# Generated by benchmarks/gen_peer.py --elements {len(arch)}; do not edit by hand.\n"
        "# The same architecture as the pytm script beside it (docs/performance.md).\n"
    )
    return header + yaml.dump(actm_model(arch), Dumper=Dumper, sort_keys=False, width=100)


def write_pair(elements: int, out_dir: Path) -> tuple[Path, Path]:
    """Write (or reuse) ``peer-<elements>.py`` and ``peer-<elements>.yaml`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    arch = architecture(elements)
    pairs = (
        (out_dir / f"peer-{elements}.py", pytm_script(arch)),
        (out_dir / f"peer-{elements}.yaml", actm_yaml(arch)),
    )
    for path, text in pairs:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return pairs[0][0], pairs[1][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elements", type=int, required=True, help="pytm elements to write.")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent / "out",
        help="Where to write peer-N.py and peer-N.yaml (default benchmarks/out).",
    )
    args = parser.parse_args(argv)
    if args.elements < 2:
        parser.error("--elements must be at least 2")
    script, model = write_pair(args.elements, args.out_dir)
    print(f"wrote {script} and {model}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
