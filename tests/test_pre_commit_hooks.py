"""The pre-commit hooks take the root model in args, and docs/ci.md configures them so."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from actm.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def _hooks() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {h["id"]: h for h in hooks}


def _documented_config() -> dict[str, dict[str, Any]]:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```yaml\n")[1:] if "# .pre-commit-config.yaml" in b)
    config = yaml.safe_load(block.split("```")[0])
    (repo,) = config["repos"]
    return {h["id"]: h for h in repo["hooks"]}


def test_hooks_are_given_the_root_model_not_the_changed_files() -> None:
    hooks = _hooks()
    assert set(hooks) == {"actm-validate", "actm-check"}
    for hook in hooks.values():
        # an include fragment or a triage file is not a model: never pass changed files
        assert hook["pass_filenames"] is False
        assert "always_run" not in hook or hook["always_run"] is False
        # ... but run whenever any YAML file changes
        files = re.compile(hook["files"])
        for changed in ("models/system.yaml", "models/shared/nodes.yml", "triage.yaml"):
            assert files.search(changed), changed
        assert not files.search("src/app.py")
        assert "types" not in hook or hook["types"] == ["yaml"]


def test_documented_configuration_names_the_root_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run each hook as pre-commit would (entry + args, no file names) on a model with an
    include fragment: validate passes, and check runs its gate."""
    hooks, config = _hooks(), _documented_config()
    assert set(config) == set(hooks)
    assert config["actm-validate"]["args"] == ["models/system.yaml"]
    assert config["actm-check"]["args"][0] == "models/system.yaml"
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(ROOT / "examples" / "ml-training-pipeline.yaml", models / "system.yaml")
    shutil.copytree(ROOT / "examples" / "shared", models / "shared")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    codes = {}
    for hook_id, hook in hooks.items():
        argv = shlex.split(hook["entry"])
        assert argv[0] == "actm"
        res = runner.invoke(app, [*argv[1:], *config[hook_id].get("args", [])])
        codes[hook_id] = res.exit_code
        assert "Usage:" not in res.output, res.output
    assert codes["actm-validate"] == 0
    assert codes["actm-check"] in (0, 1)
    # what the hook used to be handed: the fragment on its own is not a model
    fragment = runner.invoke(app, ["validate", "models/shared/platform.yaml"])
    assert fragment.exit_code == 2 and "missing-system" in fragment.output
