"""Drafting MCP servers and the assistant that uses them: what every MCP format shares.

Client configurations, registry ``server.json`` files and MCPB manifests all describe servers
as a :class:`ServerSpec`; :func:`draft_server` turns one into model elements:

* a node of kind ``mcp_server`` (with ``mcp: {transport, authentication, package}``), on your
  machine for a local (stdio) server, on the internet and owned by the host's operator for a
  remote one;
* the package it runs (``packages:``), with whether its version floats, and its publisher as an
  owner whose trust is left to review;
* a credential asset for every secret it is given (environment variables, headers, ``docker
  -e``), with its name only, held by the server process, and contained in the configuration file
  when that file holds the value itself;
* its tools: the ones listed, with permissions read from their annotations, or one tool standing
  for the tools the input does not list, to review.

:func:`scaffold` drafts what the servers serve: the assistant (an agent model whose tools they
are), the machine it runs on, your organisation, and the model's provider.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

from actm.importers.common import INTERNET, US, add_package, ground, owner
from actm.importers.draft import DraftBuilder, Review, slug
from actm.importers.mcp.launch import Launch, PackageSpec, launch
from actm.importers.mcp.secrets import (
    bare,
    holds_value,
    is_secret_name,
    redact_args,
    secret_args,
    secret_values,
    secrets_in,
)
from actm.importers.mcp.toolperms import ToolSpec, draft_tools

__all__ = ["TRANSPORTS", "Host", "ServerSpec", "draft_server", "scaffold"]

Transport = Literal["stdio", "streamable_http", "sse"]

TRANSPORTS: Mapping[str, Transport] = MappingProxyType(
    {
        "stdio": "stdio",
        "sse": "sse",
        "http": "streamable_http",
        "streamable-http": "streamable_http",
        "streamable_http": "streamable_http",
        "streamablehttp": "streamable_http",
    }
)
"""How configurations and registry entries name a transport -> the model format's name."""

WORKSTATION = "workstation"
ASSISTANT = "assistant"
LOCAL_ZONE = "local"
INTERNET_ZONE = INTERNET
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"})


@dataclass(frozen=True, slots=True)
class Host:
    """What runs the servers: the client, the assistant model and its provider."""

    client: str
    """The client's name ("Claude Desktop", "VS Code"; "MCP client" when unknown)."""
    provider: str | None
    """The organisation whose model the client uses, when the client says (Anthropic)."""
    config_asset: str | None = None
    """The id of the configuration file's asset, when the input is a client configuration."""


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """One MCP server as an input describes it."""

    name: str
    pointer: str
    transport: Transport | None
    """None when the input does not say."""
    command: str | None = None
    args: tuple[str, ...] = ()
    url: str | None = None
    env: Mapping[str, Any] = field(default_factory=dict)
    """Variable name -> the configured value (None when only declared)."""
    headers: Mapping[str, Any] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()
    """Names the input itself marks as secret (``isSecret``, ``sensitive``)."""
    title: str | None = None
    description: str | None = None
    package: PackageSpec | None = None
    """The package, when the input names it rather than a command line."""
    tools: tuple[ToolSpec, ...] | None = None
    """The tools the input lists; None when it lists none."""
    repository: str | None = None


def scaffold(builder: DraftBuilder, host: Host) -> None:
    """The system, your organisation, your machine, the model's provider and the assistant."""
    shown = "your MCP client" if host.client == "MCP client" else host.client
    system = f"{host.client} with its MCP servers"
    zone = (LOCAL_ZONE, "Your machine", "machine")
    ground(
        builder,
        slug(host.client, "mcp-client"),
        system,
        zone,
        "name the system and say what it is for",
    )
    builder.add(
        "nodes",
        WORKSTATION,
        {
            "name": f"The machine that runs {shown}",
            "kind": "workstation",
            "zone": LOCAL_ZONE,
            "owner": US,
        },
    )
    model_review = [
        Review("exposure", "who can send it inputs? internal: only you; public: anyone")
    ]
    if host.provider is not None:
        name = host.provider
        provider = owner(builder, slug(name), name)
    else:
        name = "The model's provider"
        provider = builder.add(
            "owners",
            "model-provider",
            {"name": name, "trust": "untrusted"},
            review=[Review("name", f"which provider serves the model {shown} uses?")],
        )
        model_review.insert(0, Review("owner", "whose model is it? (a provider, or you)"))
    api = builder.add(
        "nodes",
        f"{provider}-api",
        {
            "name": f"{name} model API",
            "kind": "third_party_api",
            "zone": INTERNET_ZONE,
            "owner": provider,
        },
    )
    builder.add(
        "models",
        ASSISTANT,
        {
            "name": f"The assistant of {shown}",
            "kind": "agent",
            "owner": provider,
            "exposure": "internal",
            "deployed_on": [api],
        },
        review=model_review,
    )


def _owner_for_host(builder: DraftBuilder, host: str) -> str:
    name = re.sub(r"^(api|mcp|www)\.", "", host)
    return owner(builder, slug(name), name)


def _node_id(name: str) -> str:
    base = slug(name, "server")
    return base if "mcp" in base.split("-") else f"{base}-mcp"


def _distinct(builder: DraftBuilder, spec: ServerSpec) -> tuple[str, str, list[Review]]:
    """The node id of the server, the stem of its credentials' ids, and a review when another
    server of the same file already has its id: names that differ only in case or punctuation
    (``github`` and ``GitHub``, ``a.b`` and ``a-b``) are different servers, and merging them
    would credit one's package and secrets to the other. The second is ``-2``, then ``-3``, in
    the order of the file."""
    # the id the node gets (another section's element, such as an earlier server's package,
    # may hold the name): two servers that would get the same one are told apart, not merged
    node, stem = builder.free_id("nodes", _node_id(spec.name)), slug(spec.name, "server")
    if not builder.has("nodes", node):
        return node, stem, []
    n = 2
    while builder.has("nodes", f"{node}-{n}"):
        n += 1
    review = Review(
        "",
        f"another server of this file is also {node}: this one, {spec.name!r}, is "
        f"{node}-{n}; if they are the same server, remove one from the configuration",
    )
    return f"{node}-{n}", f"{stem}-{n}", [review]


def _transport(spec: ServerSpec) -> tuple[Transport, list[Review]]:
    if spec.transport is not None:
        return spec.transport, []
    if spec.url is None:
        return "stdio", []
    if urlsplit(spec.url).path.rstrip("/").endswith("/sse"):
        return "sse", []
    return "streamable_http", [
        Review("mcp", "the input gives a URL but no transport: streamable_http or sse?")
    ]


def _is_local(url: str | None) -> bool:
    host = urlsplit(url).hostname if url else None
    return host is None or host in _LOCAL_HOSTS


def _secrets(spec: ServerSpec, launched: Launch | None) -> list[tuple[str, str, bool]]:
    """(name, where it is given, whether the input holds the value) of each secret."""
    out: list[tuple[str, str, bool]] = []
    for name, value in spec.env.items():
        if name in spec.secrets or is_secret_name(name):
            out.append((name, "environment variable", holds_value(value)))
        elif isinstance(value, str) and (found := secrets_in([value])):  # DATABASE_URL
            out.append((name, "environment variable", any(held for _, _, held in found)))
    in_args = secret_args(spec.args)
    given = set(launched.env_names if launched else ())
    for name in launched.env_names if launched else ():  # a launcher's (docker -e NAME)
        if is_secret_name(name) and name not in spec.env:
            holds = any(n == name and h for n, h in in_args)  # docker -e NAME=VALUE
            out.append((name, "environment variable", holds))
    for name, value in spec.headers.items():
        if name in spec.secrets or is_secret_name(name):
            out.append((name, "HTTP header", holds_value(value)))
    for name, holds in in_args:
        if name not in given:
            out.append((name, "command-line argument", holds))
    for name, holds in secret_args([spec.url]) if spec.url else ():
        password = name.lower() == urlsplit(spec.url or "").scheme.lower() + "-password"
        out.append((name, "URL password" if password else "URL parameter", holds))
    return out


_KEYS = MappingProxyType(
    {
        "environment variable": "env",
        "HTTP header": "headers",
        "command-line argument": "args",
        "URL password": "url",
        "URL parameter": "url",
    }
)


def _credentials(
    builder: DraftBuilder,
    spec: ServerSpec,
    node: str,
    stem: str,
    secrets: list[tuple[str, str, bool]],
) -> tuple[list[str], list[str]]:
    """Credential assets for ``secrets``; returns all their ids and those whose value the
    input holds."""
    ids: list[str] = []
    held: list[str] = []
    for name, where, holds in secrets:
        wanted = slug(name, "secret")
        if builder.has("assets", wanted) or not where.startswith("env"):
            wanted = f"{stem}-{wanted}"
        ident = builder.add(
            "assets",
            wanted,
            {
                "type": "credential",
                "description": (
                    f"The password in the URL of the {spec.name} MCP server"
                    if where == "URL password"
                    else f"The {where} {name} of the {spec.name} MCP server"
                )
                + " (its value is not copied)",
                "resides": [{"node": node, "mode": "processed"}],
            },
            f"{spec.pointer}/{_KEYS[where]}"
            + (f"/{name}" if where in ("environment variable", "HTTP header") else ""),
            [
                Review("grants", "what does it let one read, write, delete or run? (grants:)"),
                Review("issued_by", "which owner issues it?"),
            ],
        )
        ids.append(ident)
        if holds:
            held.append(ident)
    return ids, held


def _describe(spec: ServerSpec, args: list[str], launched: Launch | None) -> str:
    """What the draft says of a server; ``args``: its arguments, redacted."""
    parts = [spec.description.strip()] if spec.description else []
    if spec.command is not None:
        line = " ".join([spec.command, *args])
        parts.append(f"Started with: {line}")
    if spec.url is not None:
        parts.append(f"Reached at {redact_args([spec.url])[0]}")
    if launched is not None and launched.local is not None:
        parts.append(f"Runs local code: {launched.local}")
    if spec.repository:
        parts.append(f"Source: {redact_args([spec.repository])[0]}")
    return ". ".join(_clipped(p.rstrip(".")) for p in parts) + "." if parts else ""


_PART_MAX = 3_000
"""The most of one quoted part of a description (a command line, a URL) the draft keeps: five
of them stay within the model's 20,000 characters of a description."""


def _clipped(part: str) -> str:
    if len(part) <= _PART_MAX:
        return part
    return f"{part[: _PART_MAX - 40]}... ({len(part) - _PART_MAX + 40:,} characters left out)"


def draft_server(builder: DraftBuilder, spec: ServerSpec, host: Host) -> str:
    """Add the server ``spec`` and what it brings; returns its node id."""
    transport, reviews = _transport(spec)
    local = transport == "stdio" or _is_local(spec.url)
    _record_secrets(builder, spec)
    # what it launches is read from the redacted line: a package named by a URL with a token,
    # or a local script after a secret flag, is quoted in the draft
    shown = redact_args(spec.args)
    launched = launch(spec.command, shown) if spec.command else None
    package = spec.package or (launched.package if launched else None)
    node, stem, distinct = _distinct(builder, spec)
    # its package is drafted first and names it: the id it will have, not one the package
    # could take (a server "notes" launching the package notes-mcp: both want notes-mcp)
    node = builder.claim("nodes", node)
    reviews.extend(distinct)
    if not spec.name.strip():  # a server named "": its node id names it in the draft
        spec = replace(spec, name=node)
    host_name = urlsplit(spec.url or "").hostname or "remote"
    owner = US if local else _owner_for_host(builder, host_name)
    mcp: dict[str, Any] = {"transport": transport}
    if transport != "stdio":
        auth = _authentication(spec)
        if auth is None:
            reviews.append(Review("mcp", "how do clients authenticate? (none | bearer | oauth)"))
        else:
            mcp["authentication"] = auth
    if package is not None:
        runs_on = [node, WORKSTATION] if transport == "stdio" else [node]
        mcp["package"] = add_package(builder, package, runs_on, spec.pointer)
    elif launched is not None and launched.local is not None:
        reviews.append(Review("", f"it runs local code ({launched.local}): who maintains it?"))
    fields: dict[str, Any] = {"name": spec.title or spec.name}
    description = _describe(spec, shown, launched)
    if description:
        fields["description"] = description
    fields |= {
        "kind": "mcp_server",
        "zone": LOCAL_ZONE if local else INTERNET_ZONE,
        "owner": owner,
        "mcp": mcp,
    }
    node = builder.add("nodes", node, fields, spec.pointer, reviews)
    credentials, held = _credentials(builder, spec, node, stem, _secrets(spec, launched))
    if held and host.config_asset is not None:
        builder.add("assets", host.config_asset, {"contains": held})
    credential = credentials[0] if len(credentials) == 1 else None
    _tools(builder, spec, node, transport == "stdio", credential)
    return node


def _record_secrets(builder: DraftBuilder, spec: ServerSpec) -> None:
    """Give the draft every secret value the input holds for the server, so that no text of
    the draft quotes one (importers/draft.py ``DraftBuilder.secret``)."""
    named = [v for n, v in spec.env.items() if n in spec.secrets or is_secret_name(n)]
    named += [v for n, v in spec.headers.items() if n in spec.secrets or is_secret_name(n)]
    values = [v for v in named if holds_value(v)]
    values += secret_values([*spec.args, *([spec.url] if spec.url else [])])
    values += secret_values([v for v in spec.env.values() if isinstance(v, str)])
    for value in values:
        builder.secret(value)
        builder.secret(bare(value))  # Bearer VALUE: the value alone too


def _authentication(spec: ServerSpec) -> str | None:
    if any(is_secret_name(h) for h in spec.headers):
        return "bearer"
    return None


def _tools(
    builder: DraftBuilder, spec: ServerSpec, node: str, stdio: bool, credential: str | None
) -> None:
    if spec.tools is None:
        fields: dict[str, Any] = {
            "description": f"The tools of the {spec.name} MCP server (the input lists none)",
            "node": node,
        }
        if credential is not None:
            fields["credential"] = credential
        review = Review(
            "permissions",
            "the input lists no tools: import the server's tools/list output, or say what "
            "they read, write, delete and run",
        )
        tool = builder.add(
            "tools", f"{node}-tools", fields, spec.pointer, [review], placeholder=True
        )
        ids = [tool]
    else:
        data = builder.add(
            "assets",
            f"{node}-data",
            {
                "type": "tool_state",
                "description": f"What the tools of the {spec.name} MCP server read and change",
                # a local server works on your machine's data; a remote one on its own
                "resides": [{"node": WORKSTATION if stdio else node, "mode": "stored"}],
            },
            spec.pointer,
            [Review("resides", "where does this data live, and what is in it? (criticality:)")],
        )
        ids = draft_tools(
            builder, spec.tools, node=node, data=data, execute_on=node, credential=credential
        )
    builder.add("models", ASSISTANT, {"tools": ids})
