"""Command lines and secrets of MCP servers: which package runs, pinned or floating; which
names carry secrets; which values are real; what redaction hides."""

from __future__ import annotations

import pytest

from actm.importers.mcp.launch import launch
from actm.importers.mcp.secrets import holds_value, is_secret_name, redact_args, secret_args


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        ("npx", ["-y", "@scope/pkg", "/tmp"], ("npm", "@scope/pkg", None, False, None)),
        ("npx", ["-y", "pkg@1.2.3"], ("npm", "pkg", "1.2.3", True, None)),
        ("npx", ["-y", "pkg@latest"], ("npm", "pkg", "latest", False, None)),
        ("npx", ["-p", "@s/p@2.0.0", "cmd"], ("npm", "@s/p", "2.0.0", True, None)),
        ("pnpm", ["dlx", "pkg"], ("npm", "pkg", None, False, None)),
        ("pnpx", ["tsx", "./src/server.ts"], ("npm", "tsx", None, False, "./src/server.ts")),
        ("uvx", ["mcp-server-git==0.6.2"], ("pypi", "mcp-server-git", "0.6.2", True, None)),
        ("uvx", ["mcp-server-git"], ("pypi", "mcp-server-git", None, False, None)),
        ("uv", ["tool", "run", "pkg>=1"], ("pypi", "pkg", "1", False, None)),
        (
            "uvx",
            ["--from", "git+https://github.com/o/r", "r"],
            ("github", "o/r", None, False, None),
        ),
        (
            "docker",
            ["run", "-i", "--rm", "-v", "/a:/b", "img:1.0"],
            ("oci", "img", "1.0", True, None),
        ),
        (
            "docker",
            ["run", "ghcr.io/o/i@sha256:ab"],
            ("oci", "ghcr.io/o/i", "sha256:ab", True, None),
        ),
        ("/usr/bin/docker", ["run", "o/i:latest"], ("oci", "o/i", "latest", False, None)),
        ("C:\\bin\\npx.cmd", ["-y", "pkg"], ("npm", "pkg", None, False, None)),
    ],
)
def test_packages(command: str, args: list[str], expected: tuple[object, ...]) -> None:
    got = launch(command, args)
    assert got.package is not None
    p = got.package
    assert (p.ecosystem, p.name, p.version, p.pinned, got.local) == expected


@pytest.mark.parametrize(
    ("command", "args", "local"),
    [
        ("node", ["build/index.js"], "build/index.js"),
        ("python", ["-m", "server"], "-m server"),
        ("uv", ["run", "python", "tools/server.py"], "tools/server.py"),
        ("npm", ["run", "start"], "run start"),
        ("my-server", [], "my-server"),
    ],
)
def test_local_code(command: str, args: list[str], local: str) -> None:
    got = launch(command, args)
    assert (got.package, got.local) == (None, local)


def test_docker_env_names() -> None:
    got = launch("docker", ["run", "-e", "TOKEN", "--env=OTHER=1", "-e", "A=b", "img"])
    assert got.env_names == ("TOKEN", "OTHER", "A")


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("API_KEY", True),
        ("GITHUB_PERSONAL_ACCESS_TOKEN", True),
        ("Authorization", True),
        ("--api-key", True),
        ("DB_PASSWORD", True),
        ("OPENAI_API_KEY", True),
        ("KEY_PATH", False),
        ("TOKEN_FILE", False),
        ("LOG_LEVEL", False),
        ("MONKEY", False),
        ("AUTH_MODE", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "holds"),
    [
        ("ghp_0123456789abcdef", True),
        ("${input:token}", False),
        ("$TOKEN", False),
        ("<YOUR_TOKEN>", False),
        ("Bearer ${KEY}", False),
        ("Bearer abcd1234", True),
        ("{token}", False),
        ("", False),
        (None, False),
    ],
)
def test_values(value: object, holds: bool) -> None:
    assert holds_value(value) is holds


def test_redaction_and_secret_arguments() -> None:
    args = [
        "--api-key",
        "k-123456",
        "--token=t-123456",
        "API_SECRET=s-123456",
        "postgres://u:pw123@db/x",
        "sk-abcdefghijklmnopqrstu",
        "--verbose",
    ]
    assert redact_args(args) == [
        "--api-key",
        "<redacted>",
        "--token=<redacted>",
        "API_SECRET=<redacted>",
        "postgres://u:<redacted>@db/x",
        "<redacted>",
        "--verbose",
    ]
    assert secret_args(args) == [
        ("api-key", True),
        ("token", True),
        ("API_SECRET", True),
        ("postgres-password", True),
        ("token-in-argument-6", True),
    ]
