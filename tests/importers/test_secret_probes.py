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

import actm
from actm.importers.discover import discover
from actm.importers.emit import render
from actm.importers.fit import fit
from actm.importers.interface import ImportOptions
from actm.importers.mcp.secrets import is_secret_name

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


def write_config(tmp_path: Path, servers: dict[str, Any]) -> Path:
    """An MCP client configuration of ``servers`` in ``tmp_path``."""
    path = tmp_path / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_secret_the_configuration_holds_is_quoted_nowhere(tmp_path: Path, case: str) -> None:
    path = write_config(tmp_path, {"srv": CASES[case]})
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


@pytest.mark.parametrize(
    "server",
    [
        {"command": "npx", "args": ["-y", "mcp-postgres", "postgresql://postgres:postgres@db/x"]},
        {"command": "neo4j-mcp", "env": {"NEO4J_PASSWORD": "password", "AUTH_PROVIDER": "github"}},
        {"command": "srv", "env": {"API_KEY": "mcp-tools"}},
    ],
)
def test_a_weak_secret_is_cut_from_texts_but_the_draft_stays_valid(
    tmp_path: Path, server: dict[str, Any]
) -> None:
    """A default password may equal a word the draft also uses for ids and references
    (``postgres``, ``password``, ``mcp-tools``): it is cut only from free text, where it
    stands as a word of its own, so every reference still resolves."""
    name = "postgres" if "mcp-postgres" in server.get("args", []) else "srv"
    path = write_config(tmp_path, {name: server})
    text = render(fit(read("mcp-config", path)))
    actm.load_model_text(text)
    if name == "postgres":  # the scheme is not cut, though it starts with the password
        assert "postgresql://postgres:<redacted>@db/x" in text


def test_a_json_config_argument_is_read_for_its_secrets(tmp_path: Path) -> None:
    """The Smithery CLI passes a server's settings as one JSON argument."""
    config = json.dumps({"apiKey": PROBE, "region": "eu", "nested": {"clientSecret": PROBE}})
    server = {"command": "npx", "args": ["-y", "@smithery/cli", "run", "x", "--config", config]}
    path = write_config(tmp_path, {"srv": server})
    draft = read("mcp-config", path)
    text = render(fit(draft))
    assert PROBE not in text
    assert '"region":"eu"' in text  # what is not secret is still shown
    assert {e.id for e in draft.section("assets")} >= {"srv-apikey", "srv-clientsecret"}


def test_discover_cuts_one_files_secret_from_another_files_text(tmp_path: Path) -> None:
    """Drafts merged from several files: a value one file holds as a secret is cut wherever
    the merged draft quotes it."""
    (tmp_path / ".mcp.json").write_text(
        json.dumps({"mcpServers": {"a": {"command": "srv", "env": {"API_KEY": PROBE}}}}),
        encoding="utf-8",
    )
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".cursor" / "mcp.json").write_text(
        json.dumps({"mcpServers": {"b": {"command": "/opt/bin/b", "args": ["--x", PROBE]}}}),
        encoding="utf-8",
    )
    found = discover(tmp_path, ImportOptions())
    assert PROBE not in render(fit(found.draft))


@pytest.mark.parametrize(
    ("dependency", "name"),
    [
        (f"git+https://oauth2:{PROBE}@gitlab.example/o/r.git", "git+https://oauth2:<redacted>@"),
        (f"mypkg @ git+https://x-access-token:{PROBE}@github.example/o/r.git", "mypkg"),
        (
            f"https://pkgs.example/p.whl?token={PROBE}",
            "https://pkgs.example/p.whl?token=<redacted>",
        ),
        (f"pkg --index-url https://u:{PROBE}@pypi.example/simple", "pkg"),
    ],
)
def test_a_packages_url_is_a_direct_reference_with_its_secret_redacted(
    tmp_path: Path, dependency: str, name: str
) -> None:
    """A LangGraph dependency given by URL names no version; a token or password in it is
    redacted from the package's name, its id and its publisher."""
    path = tmp_path / "langgraph.json"
    data = {"graphs": {"agent": "./agent.py:graph"}, "dependencies": [dependency]}
    path.write_text(json.dumps(data), encoding="utf-8")
    draft = read("langgraph", path)
    text = render(fit(draft))
    assert PROBE not in text and PROBE.lower() not in text
    [package] = draft.section("packages")
    assert str(package.get("name")).startswith(name)
    assert package.get("version") is None and package.get("pinned") is False


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        *[(n, True) for n in ("API_KEY", "accessToken", "openAIKey", "HFToken", "XAPIKey")],
        *[(n, True) for n in ("githubAPIToken", "PASSPHRASE", "--pass", "client_secret")],
        *[(n, False) for n in ("page_token", "token_type", "public_key", "SUPABASE_ANON_KEY")],
        *[(n, False) for n in ("authEnabled", "authProvider", "sessionTimeout", "tokenLimit")],
        *[(n, False) for n in ("PASS_THROUGH", "SIG_ALG", "AWS_SIGNATURE_VERSION", "bypass")],
        *[(n, False) for n in ("DATABASE_URI", "LANGSMITH_ENDPOINT", "LOG_LEVEL")],
    ],
)
def test_which_names_carry_a_secret(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    "config",
    [
        {"databaseUrl": f"postgresql://app:{PROBE}@db/prod"},
        {"endpoint": f"https://h.example/mcp?api_key={PROBE}"},
        {"auth": {"value": PROBE}},
        {"credentials": [PROBE]},
    ],
)
@pytest.mark.parametrize("form", ["separate", "equals"])
def test_every_secret_of_a_json_argument_is_cut(
    tmp_path: Path, config: dict[str, Any], form: str
) -> None:
    """A JSON argument's strings are read like any text (a URL with a password), and every
    string under a secret key is a secret, in ``--config JSON`` and ``--config=JSON`` alike."""
    text = json.dumps(config)
    args = ["--config", text] if form == "separate" else [f"--config={text}"]
    path = write_config(tmp_path, {"srv": {"command": "/opt/bin/srv", "args": args}})
    draft = read("mcp-config", path)
    assert PROBE not in render(fit(draft))
    assert any(e.get("type") == "credential" for e in draft.section("assets"))


def test_a_json_argument_too_deep_to_parse_is_read_as_text(tmp_path: Path) -> None:
    deep = "[" * 1500 + "]" * 1500  # deeper than json.loads can go: a RecursionError
    path = write_config(tmp_path, {"srv": {"command": "/opt/bin/srv", "args": [deep]}})
    actm.load_model_text(render(fit(read("mcp-config", path))))


def test_a_database_url_in_the_environment_is_a_credential(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"postgres://u:{PROBE}@db/x", "LOG_LEVEL": "debug"}
    path = write_config(tmp_path, {"srv": {"command": "srv", "env": env}})
    draft = read("mcp-config", path)
    assert "database-url" in {e.id for e in draft.section("assets")}
    assert PROBE not in render(fit(draft))


def test_a_password_that_names_something_is_left_and_noted(tmp_path: Path) -> None:
    """A password equal to a word of the draft's ids (``cypher`` beside ``mcp-neo4j-cypher``)
    shows through the id anyway: cutting it would only make names unreadable."""
    server = {"command": "uvx", "args": ["mcp-neo4j-cypher"], "env": {"NEO4J_PASSWORD": "cypher"}}
    path = write_config(tmp_path, {"neo4j": server})
    draft = read("mcp-config", path)
    text = render(fit(draft))
    assert "<redacted>" not in text
    assert any("guessable credential" in n.text for n in draft.notes)
    actm.load_model_text(text)


def test_a_long_secret_is_cut_even_inside_a_word(tmp_path: Path) -> None:
    server = {"command": "/opt/bin/srv", "args": ["--token", PROBE, f"--ws=ws{PROBE}"]}
    path = write_config(tmp_path, {"srv": server})
    assert PROBE not in render(fit(read("mcp-config", path)))


def test_an_assigned_value_with_blanks_is_redacted_whole() -> None:
    """``docker -e "AUTH_HEADER=Bearer TOKEN"``: the whole value is the secret."""
    from actm.importers.mcp.secrets import redact_args, secret_values

    assert redact_args(["-e", f"AUTH_HEADER=Bearer {PROBE}"]) == ["-e", "AUTH_HEADER=<redacted>"]
    assert secret_values([f"GPG_PASSPHRASE=a b {PROBE}"]) == [f"a b {PROBE}"]


def test_a_placeholder_password_in_a_url_is_not_held(tmp_path: Path) -> None:
    """``postgresql://app:${DB_PASSWORD}@db``: a credential, but not in the file."""
    env = {"DATABASE_URL": "postgresql://app:${DB_PASSWORD}@db.example/prod"}
    args = ["-y", "pg-mcp", "postgresql://app:${DB_PASSWORD}@db.example/prod"]
    server = {"command": "npx", "args": args, "env": env}
    path = write_config(tmp_path, {"db": server})
    draft = read("mcp-config", path)
    text = render(fit(draft))
    assert "${DB_PASSWORD}" in text  # a placeholder is shown as it is
    assert "contains:" not in text
    assert not any("guessable" in n.text for n in draft.notes)


def test_a_json_value_over_several_lines_is_read(tmp_path: Path) -> None:
    config = json.dumps({"apiKey": PROBE}, indent=2)
    server = {"command": "/opt/bin/srv", "args": [f"--config={config}"]}
    path = write_config(tmp_path, {"srv": server})
    assert PROBE not in render(fit(read("mcp-config", path)))


def test_the_guessable_note_is_given_once_and_only_for_an_exact_word(tmp_path: Path) -> None:
    servers = {
        "postgres": {"command": "srv", "env": {"DB_PASSWORD": "postgres"}},
        "other": {"command": "srv", "env": {"API_KEY": "tools_postgres_mcp_other"}},
    }
    path = write_config(tmp_path, servers)
    draft = read("mcp-config", path)
    assert [n.text for n in draft.notes].count(
        next(n.text for n in draft.notes if "guessable" in n.text)
    ) == 1
    assert "tools_postgres_mcp_other" not in render(fit(draft))


def test_a_very_long_command_line_is_clipped_and_the_draft_stays_valid(tmp_path: Path) -> None:
    """A hostile argument of tens of thousands of characters is quoted in part: the
    description stays within what the model format allows."""
    server = {"command": "/opt/bin/srv", "args": ["/x/" + "a" * 30_000, "b" * 30_000]}
    path = write_config(tmp_path, {"srv": server})
    text = render(fit(read("mcp-config", path)))
    actm.load_model_text(text)
    assert "characters left out)" in text


@pytest.mark.parametrize(
    ("password", "held"),
    [
        ("$ekretPw9Q", True),
        ("pa$SEKRETx", True),
        ("Zq7", True),
        ("${DB_PASSWORD}", False),
        ("${input:db_pw}", False),
        ("<PASSWORD>", False),
        ("${A}${B}", False),
        ("pre${X}", True),
    ],
)
def test_a_url_password_is_held_unless_it_is_a_whole_placeholder(
    tmp_path: Path, password: str, held: bool
) -> None:
    """A ``$`` is a legal character of a URL's password, which no client expands there; only a
    whole placeholder (``${...}``, ``<...>``) is not the password itself."""
    url = f"postgresql://app:{password}@db.example/prod"
    server = {"command": "npx", "args": ["-y", "pg-mcp", url], "env": {"DATABASE_URL": url}}
    path = write_config(tmp_path, {"db": server})
    draft = read("mcp-config", path)
    text = render(fit(draft))
    assert (f":{password}@" in text) is not held
    assert "database-url" in {e.id for e in draft.section("assets")}
    assert ("contains:" in text) is held
