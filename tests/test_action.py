"""The composite GitHub Action (action.yml): well-formed, every input it uses declared, and its
scripts run: the gate, the diff against the base commit, the comment that updates itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import actm
from git_repo import git, needs_git

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
RAG = ROOT / "examples" / "customer-support-rag.yaml"


def step(name: str) -> dict[str, Any]:
    return next(s for s in STEPS if s["name"] == name)


def expressions(node: object) -> list[str]:
    """Every ``${{ ... }}`` expression and ``if:`` condition under ``node``."""
    if isinstance(node, dict):
        found = [str(node["if"])] if "if" in node else []
        return found + [e for k, v in node.items() if k != "if" for e in expressions(v)]
    if isinstance(node, list):
        return [e for v in node for e in expressions(v)]
    return EXPR.findall(node) if isinstance(node, str) else []


# -- structure -------------------------------------------------------------------------------


def test_the_action_is_a_composite_action_with_the_documented_inputs() -> None:
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    assert sorted(ACTION["inputs"]) == [
        "comment",
        "fail-on",
        "fail-on-new",
        "github-token",
        "knowledge",
        "model",
        "python-version",
        "sarif",
        "triage",
    ]
    assert [k for k, v in ACTION["inputs"].items() if v.get("required")] == ["model"]
    for name, spec in ACTION["inputs"].items():
        assert spec["description"], name
        assert spec.get("required") or "default" in spec, name


def test_every_input_used_is_declared_and_every_declared_one_used() -> None:
    used = {
        m.group(1)
        for e in expressions(ACTION["runs"]) + expressions(ACTION["outputs"])
        for m in re.finditer(r"\binputs\.([A-Za-z0-9_-]+)", e)
    }
    assert used == set(ACTION["inputs"])


def test_steps_refer_only_to_earlier_steps_and_scripts_take_inputs_through_env() -> None:
    seen: set[str] = set()
    for s in STEPS:
        for e in expressions(s):
            for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", e):
                assert ref in seen, (s["name"], ref)
        if "run" in s:
            assert s["shell"] == "bash"
            # an input pasted into a script is a script injection: they go through env
            assert "${{" not in s["run"], s["name"]
        else:
            assert "uses" in s
        if "id" in s:
            seen.add(s["id"])
    for e in expressions(ACTION["outputs"]):
        assert re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.", e) == ["check"]


def test_actm_comes_from_the_actions_own_checkout_and_sarif_is_uploaded_always() -> None:
    install = step("install actm")["run"]
    assert '"$GITHUB_ACTION_PATH"' in install
    assert not re.search(r"pip install[^\n]*\bactm\b", install)
    upload = step("upload SARIF")
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"].startswith("always()")
    assert upload["with"] == {"sarif_file": "${{ steps.check.outputs.sarif }}", "category": "actm"}
    assert "github.event_name == 'pull_request'" in step("actm diff")["if"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("name", [s["name"] for s in STEPS if "run" in s])
def test_every_script_is_valid_bash(name: str) -> None:
    script = step(name)["run"]
    done = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr


# -- running the scripts ---------------------------------------------------------------------


def lookup(path: str, context: dict[str, Any]) -> str:
    value: Any = context
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else str(value)


def run_step(
    name: str, context: dict[str, Any], tmp: Path, extra_path: Path | None = None
) -> tuple[int, dict[str, str], str]:
    """Run a step's script as the runner would (bash -eo pipefail, its env expanded from
    ``context``); its exit code, the outputs it set, and what it printed."""
    s = step(name)
    out_file, summary = tmp / f"{name}.out", tmp / "summary.md"
    out_file.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [
                *([str(extra_path)] if extra_path else []),
                str(Path(sys.executable).parent),
                os.environ.get("PATH", ""),
            ]
        ),
        "GITHUB_OUTPUT": str(out_file),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp),
    }
    for key, value in s.get("env", {}).items():
        env[key] = EXPR.sub(lambda m: lookup(m.group(1), context), str(value))
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s["run"]],
        env=env,
        cwd=context["cwd"],
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines() if line
    )
    context.setdefault("steps", {})[s.get("id", name)] = {"outputs": outputs}
    return done.returncode, outputs, done.stdout + done.stderr


def inputs(**given: str) -> dict[str, str]:
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    return {**defaults, **{k.replace("_", "-"): v for k, v in given.items()}}


@needs_git
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_gate_the_sarif_and_the_diff_on_a_pull_request(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    model = repo / "models" / "rag.yaml"
    text = RAG.read_text(encoding="utf-8")
    model.write_text(text, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    model.write_text(text.replace("status: planned", "status: implemented", 1), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "a control")
    context: dict[str, Any] = {
        "cwd": repo,
        "inputs": inputs(model="models/rag.yaml", fail_on="high", fail_on_new="high"),
        "github": {"event": {"pull_request": {"base": {"sha": base}}}},
    }
    code, out, log = run_step("actm check", context, tmp_path)
    assert code == 0, log  # the step records the gate's verdict and goes on
    assert out == {"exit-code": "1", "sarif": "actm.sarif"}
    assert "::error file=" in log
    assert json.loads((repo / "actm.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    code, out, log = run_step("actm diff", context, tmp_path)
    assert code == 0, log
    assert out == {"exit-code": "0", "markdown": str(tmp_path / "actm-diff.md")}
    markdown = (tmp_path / "actm-diff.md").read_text(encoding="utf-8")
    assert markdown.startswith("## actm: threat model changes in `customer-support-rag`")
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == markdown
    code, _, log = run_step("gate", context, tmp_path)
    assert code == 1
    assert "::error::actm check exited 1" in log


@needs_git
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_model_new_in_the_pull_request_has_nothing_to_diff(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README").write_text("x\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    shutil.copy(RAG, repo / "rag.yaml")
    context: dict[str, Any] = {
        "cwd": repo,
        "inputs": inputs(model="rag.yaml"),
        "github": {"event": {"pull_request": {"base": {"sha": base}}}},
    }
    code, out, log = run_step("actm diff", context, tmp_path)
    assert (code, out) == (0, {})
    assert "::notice::rag.yaml is new in this pull request: nothing to compare with" in log


@needs_git
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("fail_on_new", ["", "high", "urgent"])
def test_a_pull_request_that_mends_a_model_broken_on_the_base(
    tmp_path: Path, fail_on_new: str
) -> None:
    """The base's model does not load: nothing to compare with, a warning, and the gate is
    left to actm check. An exit 2 of the diff for any other reason (an unknown severity, the
    base loading) still fails the gate."""
    repo = tmp_path / "repo"
    repo.mkdir()
    text = RAG.read_text(encoding="utf-8")
    broken = text if fail_on_new == "urgent" else text.replace("actm: 1", "actm: 1\nbogus: 1", 1)
    (repo / "rag.yaml").write_text(broken, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "rag.yaml").write_text(text, encoding="utf-8")
    context: dict[str, Any] = {
        "cwd": repo,
        "inputs": inputs(model="rag.yaml", fail_on_new=fail_on_new),
        "github": {"event": {"pull_request": {"base": {"sha": base}}}},
    }
    context["steps"] = {"check": {"outputs": {"exit-code": "0"}}}
    code, out, log = run_step("actm diff", context, tmp_path)
    assert code == 0, log
    if fail_on_new == "urgent":
        assert out["exit-code"] == "2"
        assert "does not load at the base" not in log
    else:
        assert out == {"exit-code": "0"}
        assert "::warning::rag.yaml does not load at the base commit" in log
    code, _, log = run_step("gate", context, tmp_path)
    assert code == (2 if fail_on_new == "urgent" else 0), log


FAKE_GH = """#!/usr/bin/env bash
# records its arguments; lists the comments in $COMMENTS for the GET call
echo "$*" >> "$GH_LOG"
if [ "$3" = "--paginate" ]; then cat "$COMMENTS"; fi
"""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("existing", ["", "101\n102\n"])
def test_the_comment_is_posted_once_then_updated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: str
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH, encoding="utf-8")
    gh.chmod(0o755)
    (tmp_path / "comments").write_text(existing, encoding="utf-8")
    diff = tmp_path / "diff.md"
    diff.write_text("## actm: threat model changes\n", encoding="utf-8")
    monkeypatch.setenv("GH_LOG", str(tmp_path / "gh.log"))
    monkeypatch.setenv("COMMENTS", str(tmp_path / "comments"))
    context: dict[str, Any] = {
        "cwd": tmp_path,
        "inputs": inputs(github_token="t0ken"),
        "github": {"repository": "o/r", "event": {"pull_request": {"number": 7}}},
        "steps": {"diff": {"outputs": {"markdown": str(diff)}}},
    }
    code, _, log = run_step("comment the diff", context, tmp_path, extra_path=bin_dir)
    assert code == 0, log
    calls = (tmp_path / "gh.log").read_text(encoding="utf-8").splitlines()
    body = tmp_path / "actm-comment.md"
    # only a comment this token wrote counts: the fake's /user gives no login, as
    # GITHUB_TOKEN's and an app's cannot, so a bot's
    assert calls[0] == "api user --jq .login"
    assert calls[1].startswith("api repos/o/r/issues/7/comments --paginate --jq ")
    assert '"" == "" and .user.type == "Bot"' in calls[1]
    assert calls[2:] == (
        [f"api --method PATCH repos/o/r/issues/comments/101 -F body=@{body}"]
        if existing
        else [f"api --method POST repos/o/r/issues/7/comments -F body=@{body}"]
    )
    assert body.read_text(encoding="utf-8") == (
        "<!-- actm-diff -->\n## actm: threat model changes\n"
    )


# -- the documentation -------------------------------------------------------------------------


def test_docs_ci_uses_the_action_at_the_release_tag_with_declared_inputs() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```yaml\n")[1:] if "# .github/workflows/" in b)
    workflow = yaml.safe_load(block.split("```")[0])
    (job,) = workflow["jobs"].values()
    (uses,) = [s for s in job["steps"] if s.get("uses", "").startswith("actm-dev/actm@")]
    assert uses["uses"] == f"actm-dev/actm@v{actm.__version__}"
    assert set(uses["with"]) <= set(ACTION["inputs"])
    assert "model" in uses["with"]
    assert workflow["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "pull-requests": "write",
    }
    assert "pip install actm" not in text
