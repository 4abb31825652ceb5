"""The mutation-testing configuration works as docs/mutation.md says: mutmut runs the configured
tests in a copy of the tree, so every top-level directory those tests read must be copied."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]


def _test_files() -> list[Path]:
    """The configured test selection, with the helper modules and conftest files of tests/
    that any of them may import."""
    files: set[Path] = set()
    for entry in MUTMUT["pytest_add_cli_args_test_selection"]:
        path = ROOT / entry
        files.update(path.rglob("*.py") if path.is_dir() else [path])
    files.update(p for p in (ROOT / "tests").glob("*.py") if not p.name.startswith("test_"))
    return sorted(files)


def _names_read(path: Path) -> set[str]:
    """The string constants of a test file (the names it builds paths from)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is str}


def test_every_top_level_directory_the_tests_read_is_copied_into_mutmuts_tree() -> None:
    copied = {*MUTMUT["also_copy"], *(Path(p).parts[0] for p in MUTMUT["source_paths"]), "tests"}
    directories = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")}
    directories -= {"mutants", "build", "dist", "node_modules"}
    missing: dict[str, list[str]] = {}
    for path in _test_files():
        for name in _names_read(path) & directories - copied:
            missing.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert not missing, f"add to [tool.mutmut] also_copy: {missing}"


def test_the_selection_and_the_mutated_modules_exist() -> None:
    for entry in MUTMUT["pytest_add_cli_args_test_selection"]:
        assert (ROOT / entry).exists(), entry
    for module in MUTMUT["only_mutate"]:
        assert (ROOT / module).is_file(), module
