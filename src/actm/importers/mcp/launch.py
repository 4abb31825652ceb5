"""What code an MCP server's command line runs: a package from a registry, or local code.

``npx -y @modelcontextprotocol/server-filesystem /tmp`` runs the npm package
``@modelcontextprotocol/server-filesystem`` at whatever version is newest (it floats);
``uvx mcp-server-git==0.6.2`` runs a pinned PyPI package; ``docker run -i --rm -e TOKEN
ghcr.io/org/server:latest`` runs a container image that floats and passes it the variable
``TOKEN``; ``node build/index.js`` runs local code. :func:`launch` reads a command line into a
:class:`Launch`; which launchers exist and how each names its package is the table
:data:`LAUNCHERS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from types import MappingProxyType
from typing import Literal

__all__ = ["LAUNCHERS", "Launch", "PackageSpec", "launch", "package_spec"]

Ecosystem = Literal["npm", "pypi", "oci", "github", "other"]


@dataclass(frozen=True, slots=True)
class PackageSpec:
    """A package a launcher fetches and runs."""

    ecosystem: Ecosystem
    name: str
    version: str | None
    """The version or tag asked for, None when none is (the newest is taken)."""
    pinned: bool
    """The command names one exact version (or an image digest)."""
    digest: bool = False
    """An image is named by its content digest: what runs is exactly what was checked."""
    author: str | None = None
    """Who publishes it, when the input names them (a bundle's author)."""

    @property
    def publisher(self) -> str:
        """Who publishes it: the author the input names, else as far as the name says: an npm
        scope, an image's registry namespace; the package name itself otherwise."""
        if self.author is not None:
            return self.author
        if self.ecosystem == "npm" and self.name.startswith("@") and "/" in self.name:
            return self.name.split("/", 1)[0]
        if self.ecosystem == "oci":
            parts = self.name.split("/")
            return "/".join(parts[:-1]) if len(parts) > 1 else "library"
        return self.name


@dataclass(frozen=True, slots=True)
class Launch:
    """What a server's command line runs."""

    command: str
    """The program, without its directory (``npx``, ``docker``, ``node``)."""
    package: PackageSpec | None
    """The registry package it fetches and runs, if any."""
    local: str | None
    """The local script, module or project task it runs, if any (``build/index.js``)."""
    env_names: tuple[str, ...] = ()
    """Variables the command line passes on by name (``docker run -e TOKEN``)."""


@dataclass(frozen=True, slots=True)
class Launcher:
    """How one program names the package it runs."""

    ecosystem: Ecosystem
    subcommands: tuple[str, ...] = ()
    """Words that must come first (``npm exec``, ``uv tool run``, ``docker run``)."""
    value_flags: frozenset[str] = frozenset()
    """Flags followed by a separate value."""
    package_flags: frozenset[str] = frozenset()
    """Flags whose value is the package (``npx -p PKG``, ``uvx --from PKG``)."""
    env_flags: frozenset[str] = frozenset()
    """Flags whose value passes a variable on (``docker run -e NAME``)."""


_DOCKER = Launcher(
    "oci",
    ("run",),
    value_flags=frozenset(
        {
            *("-e", "--env", "-v", "--volume", "-p", "--publish", "--name", "--network"),
            *("--net", "--mount", "-w", "--workdir", "-u", "--user", "--env-file"),
            *("--entrypoint", "--platform", "--pull", "-h", "--hostname", "--add-host"),
            *("--label", "-l", "--cpus", "--memory", "-m", "--device", "--cap-add"),
            *("--cap-drop", "--security-opt", "--restart"),
        }
    ),
    env_flags=frozenset({"-e", "--env"}),
)
_NPX = Launcher(
    "npm",
    value_flags=frozenset({"--registry", "--cache"}),
    package_flags=frozenset({"-p", "--package"}),
)
_UVX = Launcher(
    "pypi",
    value_flags=frozenset({"--python", "-p", "--with", "--index-url", "--index", "-i"}),
    package_flags=frozenset({"--from"}),
)

LAUNCHERS: Mapping[str, Launcher] = MappingProxyType(
    {
        "npx": _NPX,
        "pnpx": _NPX,
        "bunx": _NPX,
        "npm": Launcher("npm", ("exec",), _NPX.value_flags, _NPX.package_flags),
        "pnpm": Launcher("npm", ("dlx",), _NPX.value_flags, _NPX.package_flags),
        "yarn": Launcher("npm", ("dlx",), _NPX.value_flags, _NPX.package_flags),
        "uvx": _UVX,
        "uv": Launcher("pypi", ("tool", "run"), _UVX.value_flags, _UVX.package_flags),
        "pipx": Launcher(
            "pypi", ("run",), frozenset({"--python", "--index-url"}), frozenset({"--spec"})
        ),
        "docker": _DOCKER,
        "podman": _DOCKER,
    }
)
"""The programs that fetch a package and run it, by the name of the program."""

_LOCAL_RUNNERS = frozenset(
    {"node", "python", "python3", "tsx", "ts-node", "deno", "bun", "uv", "npm", "pnpm", "yarn"}
)
_VCS = re.compile(
    r"^(?:git\+)?(?:https?://|ssh://git@|git@)github\.com[/:](?P<repo>[^/@#\s]+/[^/@#\s]+?)"
    r"(?:\.git)?(?:@(?P<ref>[^#\s]+))?(?:#.*)?$"
)
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_EXACT_NPM = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
_EXACT_PYPI = re.compile(r"^\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*$")


def _program(command: str) -> str:
    name = PureWindowsPath(command).name if "\\" in command else PurePosixPath(command).name
    return name.removesuffix(".exe").removesuffix(".cmd").lower()


_DIRECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*+)(?:\[[^\]]*+\])?\s*+@\s*+\S+://")
"""A Python requirement naming its package by URL (PEP 508: ``name @ git+https://...``)."""


def package_spec(ecosystem: Ecosystem, spec: str) -> PackageSpec:
    """A package named as a launcher takes it: ``pkg@1.2.3``, ``@scope/pkg``, ``pkg==1.0``,
    ``image:tag``, ``image@sha256:...``."""
    vcs = _VCS.match(spec)
    if vcs is not None:
        ref = vcs.group("ref")
        return PackageSpec("github", vcs.group("repo"), ref, bool(ref and _COMMIT.match(ref)))
    if ecosystem == "npm":
        at = spec.rfind("@")
        name, version = (spec[:at], spec[at + 1 :]) if at > 0 else (spec, None)
        return PackageSpec("npm", name, version, bool(version and _EXACT_NPM.match(version)))
    if ecosystem == "pypi":
        direct = _DIRECT.match(spec)
        first = spec.split(maxsplit=1)[0] if spec.strip() else spec
        if direct is not None or "://" in first:
            # a direct reference (name @ URL, or the URL alone): no version, nothing pinned
            return PackageSpec("pypi", direct.group(1) if direct else first, None, False)
        match = re.match(
            r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(==|@|>=|~=|<=|>|<)?\s*(.*)$", spec
        )
        if match is None:
            return PackageSpec("pypi", spec, None, False)
        name, op, version = match.group(1), match.group(2), match.group(3) or None
        if version is not None and version.startswith("-"):
            version = None  # pkg --index-url URL: options, not a version
        pinned = op in ("==", "@") and bool(version and _EXACT_PYPI.match(version))
        return PackageSpec("pypi", name, version, pinned)
    name, _, digest = spec.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    if digest:
        return PackageSpec("oci", name, digest, True, digest=True)
    if tag is not None:
        return PackageSpec("oci", name, tag, tag != "latest")
    return PackageSpec("oci", name, None, False)


def _positional(args: Sequence[str], launcher: Launcher) -> tuple[str | None, tuple[str, ...], int]:
    """The package a launcher's arguments name, the variables passed on, and the index of the
    argument after the package."""
    env: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        flag, eq, value = arg.partition("=")
        if arg == "--":
            i += 1
            break
        if flag in launcher.package_flags:
            spec = value if eq else (args[i + 1] if i + 1 < len(args) else None)
            return spec, tuple(env), i + (1 if eq else 2)
        if flag in launcher.env_flags:
            named = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            env.append(named.partition("=")[0])
            i += 1 if eq else 2
            continue
        if arg.startswith("-"):
            i += 1 if eq or flag not in launcher.value_flags else 2
            continue
        return arg, tuple(env), i + 1
    return (args[i] if i < len(args) else None), tuple(env), i + 1


def launch(command: str, args: Sequence[str]) -> Launch:
    """What ``command args...`` runs."""
    program = _program(command)
    launcher = LAUNCHERS.get(program)
    if launcher is not None and tuple(args[: len(launcher.subcommands)]) == launcher.subcommands:
        rest = args[len(launcher.subcommands) :]
        spec, env, after = _positional(rest, launcher)
        if spec and not spec.startswith((".", "/", "~")) and not _is_path(spec):
            package = package_spec(launcher.ecosystem, spec)
            local = _local_script(rest[after:]) if package.name in _LOCAL_RUNNERS else None
            return Launch(program, package, local, env)
    return Launch(program, None, _local_script(args) or (" ".join(args[:2]) or program), ())


def _is_path(spec: str) -> bool:
    return "\\" in spec or spec.endswith((".js", ".ts", ".mjs", ".cjs", ".py"))


def _local_script(args: Sequence[str]) -> str | None:
    """The first argument that names a local file (a script the runner executes)."""
    for arg in args:
        if not arg.startswith("-") and ("/" in arg or "\\" in arg or _is_path(arg)):
            return arg
    return None
