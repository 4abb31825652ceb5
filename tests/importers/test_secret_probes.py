"""No secret value an MCP configuration holds reaches the draft, wherever the draft would quote
the configuration: descriptions, review questions, package names and versions, owners, notes.
Each case writes a probe value where a configuration may hold a secret; the rendered draft and
everything ``actm import`` prints must not contain it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from drafting import read

from actm.importers.emit import render
from actm.importers.fit import fit

PROBE = "Zq7SEKRETprobe"

CASES: dict[str, dict[str, Any]] = {
    "flag-then-local-binary": {"command": "/opt/mcp/bin/server", "args": ["--api-key", PROBE]},
    "flag-equals": {"command": "/usr/local/bin/server", "args": [f"--token={PROBE}"]},
    "node-script-flag": {"command": "node", "args": ["build/index.js", "--token", PROBE]},
    "python-module-flag": {"command": "python", "args": ["-m", "srv", f"--api-key={PROBE}"]},
    "env-command-assignment": {"command": "env", "args": [f"API_KEY={PROBE}", "srv"]},
    "mcp-remote-query": {"command": "mcp-remote", "args": [f"https://a.example/mcp?token={PROBE}"]},
    "mcp-remote-password": {"command": "mcp-remote", "args": [f"https://u:{PROBE}@a.example/m"]},
    "mcp-remote-header": {
        "command": "npx",
        "args": [
            "-y",
            "mcp-remote",
            "https://a.example/mcp",
            "--header",
            f"Authorization: {PROBE}",
        ],
    },
    "npx-tarball-url-token": {
        "command": "npx",
        "args": ["-y", f"https://p.example/x.tgz?token={PROBE}"],
    },
    "uvx-git-password": {
        "command": "uvx",
        "args": ["--from", f"git+https://oauth2:{PROBE}@gitlab.example/o/r.git", "srv"],
    },
    "docker-env": {
        "command": "docker",
        "args": ["run", "-i", "-e", f"GITHUB_TOKEN={PROBE}", "img"],
    },
    "url-query": {"url": f"https://a.example/mcp?api_key={PROBE}"},
    "url-camel-query": {"url": f"https://a.example/mcp?accessToken={PROBE}"},
    "url-fragment": {"url": f"https://a.example/mcp#access_token={PROBE}"},
    "url-semicolon": {"url": f"https://a.example/mcp?a=1;key={PROBE}"},
    "env-value": {"command": "srv", "env": {"API_KEY": PROBE}},
    "header-value": {
        "url": "https://a.example/mcp",
        "headers": {"Authorization": f"Bearer {PROBE}"},
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_secret_the_configuration_holds_is_quoted_nowhere(tmp_path: Path, case: str) -> None:
    path = tmp_path / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": {"srv": CASES[case]}}), encoding="utf-8")
    draft = read("mcp-config", path)
    text = render(fit(draft))
    assert PROBE not in text and PROBE.lower() not in text
    assert all(PROBE not in n.text for n in draft.notes)
    # the configuration file holds the secret: it is a credential the file contains
    assert "contains:" in text


def test_a_registry_entrys_other_remotes_are_quoted_redacted(tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    entry = {
        "name": "io.example/srv",
        "version": "1.0.0",
        "remotes": [
            {"type": "streamable-http", "url": "https://a.example/mcp"},
            {"type": "sse", "url": f"https://a.example/sse?api_key={PROBE}"},
        ],
        "repository": {"url": f"https://u:{PROBE}@github.example/o/r", "source": "github"},
    }
    path.write_text(json.dumps(entry), encoding="utf-8")
    text = render(fit(read("mcp-server", path)))
    assert "it can also run as: sse at https://a.example/sse?api_key=<redacted>" in text
    assert PROBE not in text
