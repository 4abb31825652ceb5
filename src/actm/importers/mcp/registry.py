"""MCP registry entries, in both schema generations, and the registry as a catalogue.

The MCP registry describes a server by its name, its packages (how to run it: an npm, PyPI,
NuGet or OCI package with a transport, its arguments and environment variables) and its
remotes (URLs to reach it). Two generations of that format exist:

* 2025-07 (the registry's first format, and its seed dump of May 2025): ``packages[]`` with
  ``registry_name``, ``name``, ``version``, ``environment_variables[]`` (``name``),
  ``package_arguments[]``/``runtime_arguments[]``; ``remotes[]`` with ``transport_type``, ``url``;
  ``version_detail.version``.
* 2025-09 and later (``$schema: .../server.schema.json``, e.g. 2025-12-11): ``packages[]`` with
  ``registryType``, ``identifier``, ``version``, ``transport.type``,
  ``environmentVariables[]`` (``name``, ``isSecret``), ``runtimeArguments[]``; ``remotes[]`` with
  ``type``, ``url``, ``headers[]`` (``name``, ``isSecret``); ``version``.

:func:`server_specs` reads either into :class:`~actm.importers.mcp.servers.ServerSpec` values,
one per way to run the server. :class:`Catalogue` indexes many entries (the seed dump, a list of
``server.json`` files, a registry API answer) by server name and package, so that ``actm import
--catalogue FILE`` can fill in what a client configuration leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from actm.importers.mcp.launch import Ecosystem, PackageSpec, launch, package_spec
from actm.importers.mcp.servers import TRANSPORTS, ServerSpec
from actm.importers.values import as_dict, as_str, counting_skipped, dicts, is_dict
from actm.io.json import pointer

__all__ = ["Catalogue", "is_entry", "server_specs", "unknown_packages"]

_ECOSYSTEMS: Mapping[str, Ecosystem] = MappingProxyType(
    {"npm": "npm", "pypi": "pypi", "docker": "oci", "oci": "oci", "github": "github"}
)
_PLACEHOLDER = re.compile(r"\$\{++[^{}]*+\}|<[^<>]*>")
"""A placeholder (``${VERSION}``, ``<name>``), searched in linear time as in secrets.py."""
_ENV_ARG = re.compile(r"^(?:-e\s+)?([A-Za-z_][A-Za-z0-9_]*)(?:=|$)")


def is_entry(value: Any) -> bool:
    """Whether ``value`` looks like one registry entry (a server description)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and ("packages" in value or "remotes" in value or "version_detail" in value)
    )


def _text(value: Any) -> str | None:
    text = as_str(value)
    return text.strip() or None if text is not None else None


def _version(entry: Mapping[str, Any]) -> str | None:
    """The entry's version, None for a placeholder (``${VERSION}``)."""
    detail = entry.get("version_detail")
    raw = entry.get("version") or as_dict(detail).get("version")
    text = _text(raw)
    return None if text is None or _PLACEHOLDER.search(text) else text


def _env(package: Mapping[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """The variables a package declares (name -> None: declared, not set) and the secret
    ones, from ``environmentVariables``/``environment_variables`` and ``-e NAME=...``
    arguments."""
    env: dict[str, Any] = {}
    secret: set[str] = set()
    for var in dicts(package.get("environmentVariables") or package.get("environment_variables")):
        name = _text(var.get("name"))
        if name is not None:
            env[name] = None
            if var.get("isSecret") is True:
                secret.add(name)
    for key in ("runtimeArguments", "runtime_arguments", "packageArguments", "package_arguments"):
        for arg in dicts(package.get(key)):
            if str(arg.get("name", "")).split(" ")[0] not in ("-e", "--env"):
                continue
            match = _ENV_ARG.match(str(arg.get("value") or arg.get("value_hint") or ""))
            if match is not None:
                env[match.group(1)] = None
                variables = as_dict(arg.get("variables")).values()
                if any(is_dict(v) and v.get("isSecret") for v in variables):
                    secret.add(match.group(1))
    return env, frozenset(secret)


def _package(package: Mapping[str, Any], version: str | None) -> PackageSpec | None:
    kind = str(package.get("registryType") or package.get("registry_name") or "").lower()
    ecosystem = _ECOSYSTEMS.get(kind)
    name = _text(package.get("identifier") or package.get("name"))
    if ecosystem is None or name is None:
        return None
    wanted = _text(package.get("version")) or version
    if wanted is not None and _PLACEHOLDER.search(wanted):
        wanted = None
    if ecosystem == "oci":
        name = _PLACEHOLDER.sub("", name).rstrip(":")
        tagged = wanted is None or ":" in name.rsplit("/", 1)[-1]
        return package_spec("oci", name if tagged else f"{name}:{wanted}")
    # the version the entry describes; whether a client pins it is the client's business
    return replace(package_spec(ecosystem, name), version=wanted)


def unknown_packages(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of each package of ``entry`` from a registry actm does not
    know (NuGet, a typo): no spec is drafted from those."""
    out = []
    for i, package in enumerate(dicts(entry.get("packages"))):
        if _package(package, None) is None:
            kind = package.get("registryType") or package.get("registry_name")
            name = package.get("identifier") or package.get("name")
            out.append((pointer(("packages", i)), f"package {name!r} of registry {kind!r}"))
    return out


def server_specs(entry: Mapping[str, Any], at: Sequence[str | int] = ()) -> list[ServerSpec]:
    """The ways to run the server ``entry`` describes: one spec per package of a registry actm
    knows, then one per remote."""
    full = _text(entry.get("name")) or "server"
    name = full.rsplit("/", 1)[-1]
    repo = entry.get("repository")
    described = _text(entry.get("description"))
    common: dict[str, Any] = {
        "title": _text(entry.get("title")),
        "description": f"{described.rstrip('.') + '. ' if described else ''}Registry name {full}",
        "repository": _text(as_dict(repo).get("url")),
    }
    version = _version(entry)
    out: list[ServerSpec] = []
    for i, package in enumerate(dicts(entry.get("packages"))):
        spec = _package(package, version)
        if spec is None:
            continue
        env, secret = _env(package)
        kind = as_dict(package.get("transport")).get("type", "stdio")
        out.append(
            ServerSpec(
                name=name,
                pointer=pointer((*at, "packages", i)),
                transport=TRANSPORTS.get(str(kind), "stdio"),
                env=env,
                secrets=secret,
                package=spec,
                **common,
            )
        )
    for i, remote in enumerate(dicts(entry.get("remotes"))):
        url = _text(remote.get("url"))
        kind = str(remote.get("type") or remote.get("transport_type") or "")
        headers = {
            str(h["name"]): None for h in dicts(remote.get("headers")) if _text(h.get("name"))
        }
        secret = frozenset(
            str(h["name"]) for h in dicts(remote.get("headers")) if h.get("isSecret") is True
        )
        out.append(
            ServerSpec(
                name=name,
                pointer=pointer((*at, "remotes", i)),
                transport=TRANSPORTS.get(kind),
                url=url,
                headers=headers,
                secrets=secret,
                **common,
            )
        )
    return out


def _entries(data: Any) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    """The registry entries of a catalogue file, with their JSON paths: a list of entries (the
    seed dump), one entry (a server.json), or a registry answer ``{"servers": [...]}``."""
    if is_entry(data):
        yield (), data
    elif isinstance(data, list):
        for i, item in enumerate(data):
            if is_entry(item):
                yield (i,), item
    elif isinstance(data, dict) and isinstance(data.get("servers"), list):
        for i, item in enumerate(data["servers"]):
            server = item.get("server", item) if isinstance(item, dict) else None
            if isinstance(server, dict) and is_entry(server):
                yield ("servers", i, *(("server",) if server is not item else ())), server


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Registry entries by server name (full and last segment) and by package name."""

    file: str
    entries: Mapping[str, tuple[tuple[str | int, ...], Mapping[str, Any]]]
    size: int
    """How many entries the file holds."""

    @classmethod
    def of(cls, file: str, data: Any) -> Catalogue:
        index: dict[str, tuple[tuple[str | int, ...], Mapping[str, Any]]] = {}
        size = 0
        for at, entry in _entries(data):
            size += 1
            keys = [entry["name"].lower(), entry["name"].rsplit("/", 1)[-1].lower()]
            for package in dicts(entry.get("packages")):
                keys.append(str(package.get("identifier") or package.get("name") or "").lower())
            for key in keys:
                if key:
                    index.setdefault(key, (at, entry))
        return cls(file, index, size)

    def find(self, spec: ServerSpec) -> tuple[tuple[str | int, ...], Mapping[str, Any]] | None:
        """The entry of the server ``spec`` runs: by its package, else by its name."""
        package = spec.package
        if package is None and spec.command is not None:
            package = launch(spec.command, spec.args).package
        keys = [package.name.lower()] if package is not None else []
        keys.append(spec.name.lower())
        return next((self.entries[k] for k in keys if k in self.entries), None)

    def complete(self, spec: ServerSpec) -> ServerSpec:
        """``spec`` with what the catalogue knows and it lacks: a description, the source
        repository, the variables the server reads, and for an entry that names neither a
        command nor a URL, how to run the server."""
        found = self.find(spec)
        if found is None:
            return spec
        at, entry = found
        with counting_skipped():  # the catalogue's values are not the drafted file's
            options = server_specs(entry, at)
        if not options:
            return spec
        known = options[0]
        env = dict(spec.env)
        for name in known.env:
            env.setdefault(name, None)
        spec = replace(
            spec,
            description=spec.description or known.description,
            repository=spec.repository or known.repository,
            env=env,
            secrets=spec.secrets | known.secrets,
        )
        if spec.command is None and spec.url is None and spec.package is None:
            spec = replace(spec, package=known.package, url=known.url, transport=known.transport)
        return spec
