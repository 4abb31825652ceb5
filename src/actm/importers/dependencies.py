"""What a repository's dependency files say about its AI: ML and agent libraries, base images.

``requirements*.txt``, ``pyproject.toml`` (PEP 621 ``dependencies`` and optional ones, Poetry)
and ``package.json`` name the libraries the code installs; those in the ``libraries`` table of
``importers/data/discover.yaml`` (model SDKs, agent frameworks, MCP, local inference, vector
stores) become packages of the draft, pinned or floating as the requirement says, run by the
repository's code (the node ``app``), each with a note of what it implies. A ``Dockerfile``'s
``FROM`` lines name the images the code runs on. Reading never fails: a file that cannot be
parsed is reported as not placed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actm.importers.common import US, add_package
from actm.importers.data import table
from actm.importers.draft import DraftBuilder, Review
from actm.importers.mcp.launch import PackageSpec, package_spec
from actm.importers.values import as_dict, as_list, as_str, skip
from actm.io.json import JsonProblem, parse_json
from actm.io.yaml import Limits

__all__ = ["APP", "Requirement", "dependency_file", "draft_requirements", "requirements"]

APP = "app"
_REQ_FILE = re.compile(r"^requirements([-_.][A-Za-z0-9_.-]*)?\.(txt|in)$")
# possessive: a requirement string holding a newline (a TOML multi-line string) fails at
# the end, and backtracking through two adjacent \s* was quadratic in the blanks
_REQ_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*+)\s*+(\[[^\]]*\])?\s*+(.*)$")
# blanks within the line only: a leading \s* ran over every blank line after each line start,
# quadratic in the blank lines of a Dockerfile
_FROM = re.compile(
    r"^[ \t]*+FROM[ \t]++(?:--\S++[ \t]++)*(\S++)(?:[ \t]++AS[ \t]++(\S++))?",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One dependency: its package, the file and the place it is named (a JSON pointer, or
    ``L<n>`` for a line)."""

    package: PackageSpec
    file: str
    pointer: str


def dependency_file(path: Path) -> bool:
    """Whether ``path`` is a file this module reads."""
    name = path.name
    return bool(
        _REQ_FILE.match(name)
        or name in ("pyproject.toml", "package.json", "Dockerfile", "Containerfile")
        or name.endswith((".Dockerfile", ".dockerfile"))
        or name.startswith("Dockerfile.")
    )


def _python(spec: str) -> PackageSpec | None:
    match = _REQ_LINE.match(spec.strip())
    if match is None:
        return None
    name, rest = match.group(1), match.group(3).split(";", 1)[0].strip()
    exact = re.fullmatch(r"===?\s*([0-9][0-9A-Za-z.+!-]*)", rest)
    if exact is not None:
        return PackageSpec("pypi", name, exact.group(1), True)
    return PackageSpec("pypi", name, rest or None, False)


def _requirements_txt(text: str, file: str) -> Iterator[Requirement]:
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http:", "https:", ".", "/")):
            continue
        spec = _python(line)
        if spec is not None:
            yield Requirement(spec, file, f"L{n}")


def _toml(text: str) -> dict[str, Any]:
    """``text`` read as TOML; ValueError for a syntax error or nesting too deep for tomllib,
    which recurses per level (``x = [[[...]]]``) and would fail with RecursionError."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("the TOML is nested too deeply to read") from None


def _pyproject(text: str, file: str) -> Iterator[Requirement]:
    data = _toml(text)
    project = as_dict(data.get("project"))
    groups: list[tuple[str, Any]] = [("/project/dependencies", project.get("dependencies"))]
    for extra, deps in as_dict(project.get("optional-dependencies")).items():
        groups.append((f"/project/optional-dependencies/{extra}", deps))
    for where, deps in groups:
        for i, dep in enumerate(as_list(deps)):
            spec = _python(dep) if as_str(dep) is not None else None
            if spec is not None:
                yield Requirement(spec, file, f"{where}/{i}")
    poetry = as_dict(as_dict(as_dict(data.get("tool")).get("poetry")).get("dependencies"))
    for name, version in poetry.items():
        if name.lower() == "python":
            continue
        wanted = version if isinstance(version, str) else None
        if not isinstance(version, str | dict | list):  # a table or a list of constraints is
            skip("a string or an object", version)  # valid, though no version is read from it
        pinned = bool(wanted and re.fullmatch(r"=?=?\s*[0-9][0-9A-Za-z.+-]*", wanted))
        spec = PackageSpec(
            "pypi", name, wanted.lstrip("=") if pinned and wanted else wanted, pinned
        )
        yield Requirement(spec, file, f"/tool/poetry/dependencies/{name}")


def _package_json(text: str, file: str, limits: Limits | None) -> Iterator[Requirement]:
    data = parse_json(text, file, limits).data  # within the limits: a deep file is refused
    for group in ("dependencies", "devDependencies", "optionalDependencies"):
        for name, version in as_dict(as_dict(data).get(group)).items():
            wanted = as_str(version)
            spec = package_spec("npm", f"{name}@{wanted}" if wanted else name)
            yield Requirement(spec, file, f"/{group}/{name}")


def _dockerfile(text: str, file: str) -> Iterator[Requirement]:
    stages: set[str] = set()
    line, counted = 1, 0  # the line number at offset ``counted``, counted on from there
    for match in _FROM.finditer(text):
        image, stage = match.group(1), match.group(2)
        if image.lower() != "scratch" and image not in stages and "$" not in image:
            line += text.count("\n", counted, match.start())
            counted = match.start()
            yield Requirement(package_spec("oci", image), file, f"L{line}")
        if stage:
            stages.add(stage)


def requirements(
    path: Path, text: str, shown: str, limits: Limits | None = None
) -> list[Requirement]:
    """The dependencies ``path`` names; raises ValueError when it cannot be parsed (or a
    JSON file is over ``limits``)."""
    name = path.name
    try:
        if name == "pyproject.toml":
            return list(_pyproject(text, shown))
        if name == "package.json":
            return list(_package_json(text, shown, limits))
        if _REQ_FILE.match(name):
            return list(_requirements_txt(text, shown))
        return list(_dockerfile(text, shown))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(str(exc)) from None
    except JsonProblem as exc:
        first = exc.diagnostics[0]
        at = first.location
        where = f" (at line {at.line}, column {at.column})" if at is not None else ""
        raise ValueError(first.message + where) from None


def _known(package: PackageSpec) -> str | None:
    """What a library says about the code, from the libraries table; None if not listed."""
    libraries: Mapping[str, Mapping[str, Mapping[str, str]]] = table("discover")["libraries"]
    key = package.name.lower().replace("_", "-")
    found = libraries.get(package.ecosystem, {}).get(key)
    return None if found is None else str(found["what"])


def draft_requirements(builder: DraftBuilder, found: list[Requirement]) -> list[str]:
    """Add the packages of ``found`` that matter (ML and agent libraries, every base image);
    returns a line for each, for the summary."""
    lines: list[str] = []
    for req in found:
        what = _known(req.package)
        if req.package.ecosystem != "oci" and what is None:
            continue
        if not builder.has("nodes", APP):
            builder.add(
                "nodes",
                APP,
                {
                    "name": "The code in this repository",
                    "kind": "service",
                    "zone": "internal",
                    "owner": US,
                },
                review=[Review("", "where does it run? (zone:, and the kind of node)")],
            )
        what = what or "runs on this image"
        add_package(builder, req.package, [APP], req.pointer, f"The code {what}")
        lines.append(f"{req.file}#{req.pointer}: {req.package.name}: the code {what}")
    return lines
