"""Release readiness: one version, the licence in the repository and the wheel, only the
dependencies actm imports, the peer benchmark's pytm kept out of the dev tools, release tags
that will exist."""

from __future__ import annotations

import ast
import hashlib
import re
import tomllib
from importlib import metadata
from pathlib import Path

from typer.testing import CliRunner

import actm
from actm.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

# what each runtime dependency is imported as
IMPORT_NAMES = {
    "pydantic": "pydantic",
    "ruamel.yaml": "ruamel.yaml",
    "ruamel.yaml.clib": "_ruamel_yaml",
    "typer": "typer",
    "rich": "rich",
    "jinja2": "jinja2",
    "google-re2": "re2",
}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return match.group(0).lower()


def test_the_version_has_one_source_and_the_command_prints_the_installed_one() -> None:
    assert "version" not in PROJECT
    assert PROJECT["dynamic"] == ["version"]
    installed = metadata.version("actm")
    assert actm.__version__ == installed
    res = CliRunner().invoke(app, ["--version"])
    assert (res.exit_code, res.output) == (0, f"actm {installed}\n")


def test_the_licence_is_the_apache_2_0_text_and_ships_in_the_distribution() -> None:
    text = (ROOT / "LICENSE").read_bytes()
    # the text published at apache.org/licenses/LICENSE-2.0.txt, unchanged
    assert hashlib.sha256(text).hexdigest() == (
        "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
    )
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    dist = metadata.distribution("actm")
    assert dist.metadata.get_all("License-File") == ["LICENSE"]
    assert dist.metadata["License-Expression"] == "Apache-2.0"
    shipped = [f for f in dist.files or () if f.name == "LICENSE" and "licenses" in f.parts]
    assert [f.read_text(encoding="utf-8") for f in shipped] == [text.decode("utf-8")]


def test_every_runtime_dependency_is_imported_by_actm() -> None:
    declared = [_name(r) for r in PROJECT["dependencies"]]
    assert sorted(declared) == sorted(IMPORT_NAMES)
    imported: set[str] = set()
    for path in (ROOT / "src" / "actm").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
    for dist, module in IMPORT_NAMES.items():
        assert any(m == module or m.startswith(module + ".") for m in imported), dist


def test_the_dev_tools_never_pull_pytm_which_has_its_own_extra() -> None:
    extras = PROJECT["optional-dependencies"]
    assert not [r for r in extras["dev"] if _name(r) == "pytm"]
    assert extras["peer"] == ["pytm==1.4.0", "pydantic>=2.10,<2.14", "pyyaml>=6.0"]


def test_the_pre_commit_examples_pin_the_tag_of_this_version() -> None:
    tag = f"v{actm.__version__}"
    for rel in ("docs/ci.md", ".pre-commit-hooks.yaml", "README.md"):
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert set(re.findall(r"rev: (\S+)", text)) <= {tag}, rel
        assert set(re.findall(r'actm-dev/actm@(v[0-9][^\s"`]*)', text)) <= {tag}, rel
    assert "rev: " + tag in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
