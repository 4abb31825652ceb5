"""``git:REV:PATH``: no option injection, sizes checked before reading, includes kept inside the
revision, every problem at ``git:REV:FILE:line:col``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from actm.cli import gitsrc
from actm.cli.app import app
from actm.io.yaml import Limits
from git_repo import git, needs_git

pytestmark = needs_git
runner = CliRunner()

MODEL = """actm: 1
system: {id: small}
owners: [{id: us, first_party: true}]
zones: [{id: corp, trust: high}]
nodes: [{id: api, kind: service, zone: corp}]
models: [{id: bot, kind: llm, exposure: internal, deployed_on: [api]}]
"""

NODES = "actm: 1\nnodes:\n  - {id: db, kind: database, zone: corp}\n"


def repo_with(tmp_path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> Path:
    """A repository whose one commit holds ``files`` (path -> text) and symbolic ``links``."""
    repo = tmp_path / "repo"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    for rel, target in (links or {}).items():
        os.symlink(target, repo / rel)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "models")
    return repo


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every argv run through subprocess (the test clears it once its repository is made)."""
    seen: list[list[str]] = []
    real: Callable[..., Any] = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> Any:
        seen.append(list(argv))
        return real(argv, **kwargs)

    monkeypatch.setattr(gitsrc.subprocess, "run", spy)
    return seen


def diff(*args: str) -> tuple[int, list[str]]:
    res = runner.invoke(app, ["diff", *args])
    return res.exit_code, res.output.splitlines()


# -- the revision ----------------------------------------------------------------------------


@pytest.mark.parametrize("rev", ["--output=pwned", "-p", "--exec-path=x"])
def test_a_revision_that_looks_like_an_option_is_refused_before_git_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[list[str]], rev: str
) -> None:
    repo = repo_with(tmp_path, {"m.yaml": MODEL})
    monkeypatch.chdir(repo)
    calls.clear()
    code, out = diff(f"git:{rev}:m.yaml", "m.yaml")
    assert code == 2
    assert out == [
        f"'git:{rev}:m.yaml': a revision may not start with '-' (git would read it as an "
        "option); name such a branch in full, e.g. git:refs/heads/-x:PATH"
    ]
    assert calls == []
    assert sorted(p.name for p in repo.iterdir()) == [".git", "m.yaml"]  # no 'pwned'


def test_git_is_given_the_revision_after_end_of_options_and_then_only_object_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[list[str]]
) -> None:
    repo = repo_with(tmp_path, {"m.yaml": MODEL.replace("system:", "include: [n.yaml]\nsystem:")})
    (repo / "n.yaml").write_text(NODES, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "nodes")
    head = git(repo, "rev-parse", "HEAD")
    blobs = {name: git(repo, "rev-parse", f"HEAD:{name}") for name in ("m.yaml", "n.yaml")}
    monkeypatch.chdir(repo)
    calls.clear()
    checkout = gitsrc.materialize("git:HEAD:m.yaml", tmp_path / "out")
    assert checkout.commit == head
    batch = ["git", "cat-file", "--batch-check", "--follow-symlinks"]
    assert calls == [
        ["git", "rev-parse", "--show-prefix"],
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}"],
        batch,
        ["git", "cat-file", "blob", blobs["m.yaml"]],
        batch,
        ["git", "cat-file", "blob", blobs["n.yaml"]],
    ]
    assert (tmp_path / "out" / "n.yaml").read_text(encoding="utf-8") == NODES


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "git:nope:m.yaml",
            "'git:nope:m.yaml': 'nope' names no commit in this repository (a branch, tag or "
            "commit id, e.g. main, v1.2 or HEAD~1)",
        ),
        (
            "git:HEAD:/etc/passwd",
            "'git:HEAD:/etc/passwd': PATH is relative to the current directory, as for files "
            "(e.g. git:HEAD:models/bot.yaml)",
        ),
        ("git:HEAD:../m.yaml", "'git:HEAD:../m.yaml': ../m.yaml is outside the git repository"),
        ("git:HEAD:sub", "'git:HEAD:sub': sub is a directory in HEAD, not a model file"),
        (
            "git:HEAD:gone.yaml",
            "'git:HEAD:gone.yaml': gone.yaml does not exist in HEAD (in git:REV:PATH, PATH is "
            "relative to the current directory, as for files)",
        ),
        ("git:HEAD:m.yaml\n", "'git:HEAD:m.yaml\\n': REV and PATH may not hold control characters"),
    ],
)
def test_a_revision_or_path_that_cannot_be_read_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, message: str
) -> None:
    repo = repo_with(tmp_path, {"m.yaml": MODEL, "sub/n.yaml": NODES})
    monkeypatch.chdir(repo)
    assert diff(spec, "m.yaml") == (2, [message])


# -- sizes and limits ------------------------------------------------------------------------


def test_a_blob_over_the_limit_is_refused_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[list[str]]
) -> None:
    big = MODEL + "".join(f"# filler line {n}\n" for n in range(400))
    repo = repo_with(tmp_path, {"m.yaml": big, "small.yaml": MODEL})
    monkeypatch.chdir(repo)
    size = len(big.encode())
    calls.clear()
    code, out = diff("git:HEAD:m.yaml", "small.yaml", "--max-file-bytes", "1000")
    assert code == 2
    assert out == [
        f"git:HEAD:m.yaml:1:1: error[file-too-large]: file is {size:,} bytes, over the limit "
        "of 1,000",
        "    hint: split the model with include:, or raise the limit with --max-file-bytes or "
        "ACTM_MAX_FILE_BYTES",
        "actm: 1 problem found",
    ]
    # its size was asked for, its content never
    assert calls == [
        ["git", "rev-parse", "--show-prefix"],
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}"],
        ["git", "cat-file", "--batch-check", "--follow-symlinks"],
    ]


def test_an_include_over_the_limit_is_refused_at_its_own_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[list[str]]
) -> None:
    big = NODES + "".join(f"# filler line {n}\n" for n in range(100))
    root = MODEL.replace("system:", "include: [shared/big.yaml]\nsystem:")
    repo = repo_with(tmp_path, {"models/m.yaml": root, "models/shared/big.yaml": big})
    monkeypatch.chdir(repo / "models")
    root_blob = git(repo, "rev-parse", "HEAD:models/m.yaml")
    calls.clear()
    code, out = diff("git:HEAD:m.yaml", "m.yaml", "--max-file-bytes", "1000")
    assert code == 2
    assert out[0] == (
        f"git:HEAD:shared/big.yaml:1:1: error[file-too-large]: file is {len(big):,} bytes, over "
        "the limit of 1,000"
    )
    batch = ["git", "cat-file", "--batch-check", "--follow-symlinks"]
    assert calls[2:] == [batch, ["git", "cat-file", "blob", root_blob], batch]


def test_the_users_limits_reach_the_parser_of_a_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_with(tmp_path, {"m.yaml": MODEL})
    monkeypatch.chdir(repo)
    seen: list[Limits | None] = []
    real = gitsrc.parse_yaml

    def spy(raw: bytes | str, path: str = "<string>", limits: Limits | None = None) -> Any:
        seen.append(limits)
        return real(raw, path, limits)

    monkeypatch.setattr(gitsrc, "parse_yaml", spy)
    code, _ = diff(
        "git:HEAD:m.yaml",
        "m.yaml",
        "--max-file-bytes",
        "5000",
        "--max-depth",
        "9",
        "--max-alias-expansion",
        "7",
        "--max-elements",
        "50",
    )
    assert code == 0
    assert seen == [
        Limits(max_file_bytes=5000, max_depth=9, max_alias_expansion=7, max_elements=50)
    ]


# -- includes --------------------------------------------------------------------------------


def include(*names: str) -> str:
    listed = ", ".join(repr(n) for n in names)
    return MODEL.replace("system:", f"include: [{listed}]\nsystem:")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            [".."],
            [
                "git:HEAD:m.yaml:2:11: error[include-outside-repository]: included file '..' is "
                "outside the repository",
            ],
        ),
        (
            ["../outside.yaml"],
            [
                "git:HEAD:m.yaml:2:11: error[include-outside-repository]: included file "
                "'../outside.yaml' is outside the repository",
            ],
        ),
        (
            ["sub", "."],
            [
                "git:HEAD:m.yaml:2:11: error[include-not-a-file]: included path 'sub' is a "
                "directory in HEAD",
                "    hint: include: names YAML files; list the files of a directory one by one",
                "git:HEAD:m.yaml:2:18: error[include-not-a-file]: included path '.' is a "
                "directory in HEAD",
                "    hint: include: names YAML files; list the files of a directory one by one",
            ],
        ),
        (
            ["out.yaml"],
            [
                "git:HEAD:m.yaml:2:11: error[include-outside-repository]: included file "
                "'out.yaml' is a link to '../outside.yaml', outside the repository",
            ],
        ),
    ],
)
def test_includes_that_leave_the_revision_or_name_a_directory_are_located_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[str], expected: list[str]
) -> None:
    # a file beside the repository that would be read if includes reached the file system
    (tmp_path / "outside.yaml").write_text("actm: 1\nnodes: [{id: x, kind: bogus}]\n", "utf-8")
    repo = repo_with(
        tmp_path,
        {"m.yaml": include(*names), "sub/n.yaml": NODES},
        links={"out.yaml": "../outside.yaml"},
    )
    monkeypatch.chdir(repo)
    code, out = diff("git:HEAD:m.yaml", "m.yaml")
    assert code == 2
    hint = (
        "    hint: a model read from git:REV:PATH includes files of that revision only: name a "
        "file inside the repository, relative to the including file"
    )
    got = [line for line in out if line != hint]
    assert got == [*expected, f"actm: {len(names)} problem{'s' * (len(names) > 1)} found"]
    assert "bogus" not in "\n".join(out)


def test_an_absolute_include_is_refused_even_when_the_file_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(NODES, encoding="utf-8")
    repo = repo_with(tmp_path, {"m.yaml": include(str(outside))})
    monkeypatch.chdir(repo)
    code, out = diff("git:HEAD:m.yaml", "m.yaml")
    assert code == 2
    assert out[0] == (
        f"git:HEAD:m.yaml:2:11: error[include-outside-repository]: included file "
        f"{str(outside)!r} is outside the repository"
    )


def test_links_inside_the_revision_are_followed_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_with(
        tmp_path,
        {"m.yaml": include("nodes.yaml"), "shared/n.yaml": NODES},
        links={"nodes.yaml": "shared/n.yaml"},
    )
    (repo / "shared" / "n.yaml").write_text("broken: [", encoding="utf-8")  # the live copy
    monkeypatch.chdir(repo)
    checkout = gitsrc.materialize("git:HEAD:m.yaml", tmp_path / "out")
    assert (checkout.into / "nodes.yaml").read_text(encoding="utf-8") == NODES
    assert not (checkout.into / "nodes.yaml").is_symlink()


def test_a_missing_include_is_left_to_the_loader_and_named_in_the_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_with(tmp_path, {"models/m.yaml": include("gone.yaml")})
    (repo / "models" / "gone.yaml").write_text(NODES, encoding="utf-8")  # live, not committed
    monkeypatch.chdir(repo / "models")
    code, out = diff("git:HEAD:m.yaml", "m.yaml")
    assert code == 2
    assert out == [
        "git:HEAD:m.yaml:2:11: error[include-not-found]: included file 'gone.yaml' not found",
        "    hint: paths are relative to git:HEAD:m.yaml",
        "actm: 1 problem found",
    ]
