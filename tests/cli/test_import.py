"""``actm import``: drafts that validate, additions that keep the user's text, clean refusals;
``actm validate`` on a file actm imports says which command reads it."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app

FIXTURES = Path(__file__).parent.parent / "importers" / "fixtures"
CLAUDE = FIXTURES / "claude_desktop_config.json"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "claude_desktop_config.json"
    shutil.copy(CLAUDE, path)
    return path


def test_import_to_stdout_validates(config: Path) -> None:
    code, out, err = run("import", config)
    assert code == 0
    model = actm.load_model_text(out)
    assert model.system.id == "claude-desktop"
    assert err.splitlines()[0] == (
        "drafted the model: 5 owners, 2 zones, 6 nodes, 1 model, 4 assets, 4 tools, 2 packages"
    )
    assert "tt_live_0123456789abcdef" not in out


def test_import_to_a_file_twice_is_byte_identical(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "model.yaml"
    assert run("import", config, "-o", target)[0] == 0
    first = target.read_bytes()
    assert run("import", config, "-o", target)[0] == 0
    assert target.read_bytes() == first
    assert actm.load_model(target).system.id == "claude-desktop"


USER = """\
# Our desktop assistant. Keep this comment.
actm: 1
system: {id: desk, name: "Desk", owner: acme}
owners:
  - {id: acme, name: Acme, first_party: true}   # that's us
nodes:
  - {id: laptop, kind: workstation, owner: acme}
"""


def test_into_adds_once_and_keeps_the_users_text(config: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(USER, encoding="utf-8")
    code, _, err = run("import", config, "--into", model)
    assert code == 0, err
    text = model.read_text(encoding="utf-8")
    assert text.startswith(USER[: USER.index("nodes:")])
    assert "  - {id: laptop, kind: workstation, owner: acme}\n" in text
    loaded = actm.load_model(model)
    assert loaded.system.id == "desk"
    # the drafted first-party owner is the model's own: every reference says acme
    assert "owner: us" not in text and "\n  - id: us\n" not in text
    # the image namespace ghcr.io/acme drafts an owner acme: the model's own, so it is kept
    assert err.splitlines()[:3] == [
        f"added to {model}:",
        "  owners: anthropic, acme-mcp, search-example",
        "  zones: local, internet",
    ]
    assert "already there, left as written: 2 elements" in err
    again = model.read_bytes()
    code, _, err = run("import", config, "--into", model)
    assert code == 0
    assert model.read_bytes() == again
    assert err.splitlines()[0] == f"added to {model}: nothing"


def test_validate_names_the_import_command(config: Path) -> None:
    code, out, err = run("validate", config)
    assert code == 2
    assert out == ""
    assert err.splitlines()[0] == (
        f"{config}:1:1: error[foreign-format]: {config} looks like an MCP client configuration "
        "(Claude Desktop, Claude Code, VS Code, Cursor), not an actm model; run: actm import "
        f"{config} -o model.yaml"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"hello": "world"}', "cannot import {f}: actm does not recognise its format"),
        (
            '{"mcpServers": {"a": {}, "a": {}}}',
            "duplicate key 'a' (first defined at line 1, column 17)",
        ),
        ('{"mcpServers": ' + "[" * 10_000 + "]" * 10_000 + "}", "nesting is deeper than the limit"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / ".mcp.json"
    f.write_text(text, encoding="utf-8")
    code, out, err = run("import", f)
    assert code == 2
    assert out == ""
    assert message.format(f=f) in err.splitlines()[0]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    code, _, err = run("import", tmp_path)
    assert code == 2
    assert err.splitlines()[0] == (
        f"{tmp_path}:1:1: error[cannot-import]: cannot import {tmp_path}: it is a directory"
    )


def test_unknown_format_name_is_a_usage_error(config: Path) -> None:
    assert run("import", "--format", "nope", config)[0] == 2


def test_the_api_codes(config: Path, tmp_path: Path) -> None:
    with pytest.raises(actm.ModelError) as info:
        actm.load_model(config)
    assert [d.code for d in info.value.diagnostics] == ["foreign-format"]
    unknown = tmp_path / "x.json"
    unknown.write_text("{}", encoding="utf-8")
    with pytest.raises(actm.ModelError) as info:
        actm.import_files([unknown, config])
    assert [(d.code, d.message) for d in info.value.diagnostics] == [
        ("cannot-import", f"cannot import {unknown}: actm does not recognise its format")
    ]
    # a broken actm model is not foreign: its own problems are reported
    broken = tmp_path / "model.yaml"
    broken.write_text("actm: 1\nsystem: {id: x}\nmcpServers: {}\n", encoding="utf-8")
    with pytest.raises(actm.ModelError) as info:
        actm.load_model(broken)
    assert [d.code for d in info.value.diagnostics] == ["unknown-key"]


# one small file of each format the importers read: every format in the table needs one
FOREIGN = {
    "mcp-config": "claude_desktop_config.json",
    "mcp-server": "server.json",
    "mcpb-manifest": "bundle/manifest.json",
    "mcp-tools": "tools/delete_item.snap",
    "mcp-registry": "catalogue.json",
    "crewai": "crew/config/agents.yaml",
    "langgraph": "langgraph/langgraph.json",
    "cyclonedx": "bom/ticket-router.cdx.json",
    "spdx3": "bom/sentiment.spdx3.json",
    "hf-model-card": "bom/README.md",
    "otm": "threatmodel/shop.otm.json",
    "threat-dragon": "threatmodel/shop.td.json",
    "threat-model-library": "threatmodel/shop.library.json",
}


def test_every_format_has_a_foreign_file() -> None:
    assert set(FOREIGN) == set(actm.api.IMPORT_FORMATS)


@pytest.mark.parametrize(("format", "name"), sorted(FOREIGN.items()))
def test_validate_recognises_every_format(format: str, name: str) -> None:
    path = FIXTURES / name
    with pytest.raises(actm.ModelError) as info:
        actm.load_model(path)
    (d,) = info.value.diagnostics
    assert d.code == "foreign-format"
    assert d.message == (
        f"{path} looks like {actm.api.IMPORT_FORMATS[format]}, not an actm model; run: "
        f"actm import {path} -o model.yaml"
    )


def test_output_never_overwrites_an_input(config: Path) -> None:
    before = config.read_bytes()
    code, _, err = run("import", config, "-o", config)
    assert code == 2
    assert err.strip() == f"--output {config} is one of the files imported; name another file"
    assert config.read_bytes() == before


def test_into_knows_the_elements_of_included_files(config: Path, tmp_path: Path) -> None:
    (tmp_path / "infra.yaml").write_text(
        "actm: 1\nnodes:\n  - {id: workstation, kind: workstation, owner: acme}\n",
        encoding="utf-8",
    )
    model = tmp_path / "model.yaml"
    model.write_text(
        "actm: 1\ninclude: [infra.yaml]\nsystem: {id: desk, owner: acme}\n"
        "owners:\n  - {id: acme, first_party: true}\n",
        encoding="utf-8",
    )
    code, _, err = run("import", config, "--into", model)
    assert code == 0, err
    text = model.read_text(encoding="utf-8")
    # the included file's workstation is the one the servers run on: not drafted again
    assert "- id: workstation" not in text
    assert "owner: acme" in text
    assert actm.load_model(model).system.id == "desk"
    assert (tmp_path / "infra.yaml").read_text(encoding="utf-8").count("workstation") == 2


HOSTILE_NAME = "evil\x1b[2J\x9b\u202e\u200b"
HOSTILE_ARG = "pkg\x1b]0;x\x07\U000e0041"


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("command", ["import", "discover"])
def test_a_hostile_config_drafts_a_model_that_shows_no_control(
    tmp_path: Path, command: str
) -> None:
    """A third party's MCP configuration names a server and its arguments with terminal
    escapes, a bidirectional override, a zero-width space and a tag character: the draft, read
    in a terminal or with cat, carries none of them raw (comments and strings alike), and
    reading it back gives the same strings."""
    import json

    from ruamel.yaml import YAML

    from actm.io.visible import UNSAFE

    config = tmp_path / ".mcp.json"
    server = {"command": "npx", "args": ["-y", HOSTILE_ARG]}
    config.write_text(json.dumps({"mcpServers": {HOSTILE_NAME: server}}), encoding="utf-8")
    code, out, _ = run(command, config if command == "import" else tmp_path)
    assert code == 0
    assert UNSAFE.search(out) is None
    assert not any(0xE0000 <= ord(c) <= 0xE007F for c in out)
    strings = _strings(YAML(typ="safe").load(out))
    assert HOSTILE_NAME in strings
    assert any(HOSTILE_ARG in s for s in strings)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_named_a_pipe_not_a_missing_file(tmp_path: Path) -> None:
    pipe = tmp_path / "config.json"
    os.mkfifo(pipe)
    code, _, err = run("import", pipe)
    assert code == 2
    assert "it is not a regular file (a pipe, socket or device)" in err
    assert "no such file" not in err


def test_a_knowledge_path_that_is_a_file_is_named_so(tmp_path: Path) -> None:
    code, _, err = run("kb", "list", "-k", CLAUDE)
    assert code == 2
    assert f"knowledge directory {CLAUDE} is not a directory" in err


def test_into_a_model_that_ends_with_the_document_end_marker(config: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("actm: 1\nsystem: {id: s}\n...\n# after the document\n", encoding="utf-8")
    code, _, err = run("import", config, "--into", model)
    assert code == 0, err
    text = model.read_text(encoding="utf-8")
    # the new sections go inside the document, before its end marker
    assert text.startswith("actm: 1\nsystem: {id: s}\n\nowners:\n")
    assert text.endswith("\n...\n# after the document\n")
    actm.load_model(model)
    again = model.read_bytes()
    assert run("import", config, "--into", model)[0] == 0
    assert model.read_bytes() == again


def test_into_a_crlf_model_that_ends_with_the_document_end_marker(
    config: Path, tmp_path: Path
) -> None:
    """The marker was not found before a CR LF, and the valid model was refused."""
    model = tmp_path / "model.yaml"
    model.write_bytes(b"actm: 1\r\nsystem: {id: s}\r\n...\r\n")
    code, _, err = run("import", config, "--into", model)
    assert code == 0, err
    raw = model.read_bytes()
    assert raw.endswith(b"\r\n...\r\n")
    actm.load_model(model)


def test_into_a_model_with_cr_line_breaks_keeps_them(config: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_bytes(b"actm: 1\rsystem: {id: s}\rnodes:\r  - id: n1\r    kind: service\r")
    code, _, err = run("import", config, "--into", model)
    assert code == 0, err
    raw = model.read_bytes()
    assert b"\n" not in raw
    assert raw.startswith(b"actm: 1\rsystem: {id: s}\rnodes:\r  - id: n1\r    kind: service\r")
    assert b"\r  - id: workstation\r" in raw
    actm.load_model(model)


def test_into_never_writes_a_merge_that_is_not_yaml(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actm.importers import run as importing

    real = importing.merge_into

    def broken(*args: object, **kwargs: object) -> object:
        merged = real(*args, **kwargs)  # type: ignore[arg-type]
        return replace(merged, text=merged.text + "\n...\nnodes: [\n")

    monkeypatch.setattr(importing, "merge_into", broken)
    model = tmp_path / "model.yaml"
    model.write_text("actm: 1\nsystem: {id: s}\n", encoding="utf-8")
    code, _, err = run("import", config, "--into", model)
    assert code == 2
    assert "would break its YAML" in err
    assert model.read_text(encoding="utf-8") == "actm: 1\nsystem: {id: s}\n"


def test_a_lone_surrogate_is_refused_at_its_place(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text('{"mcpServers":{"a\\ud800":{"command":"npx\\udfff"}}}', encoding="utf-8")
    code, out, err = run("import", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:1:16: error[json-syntax]: ")


@pytest.mark.parametrize(
    "section", ["nodes: 5", "nodes: true", "owners: [{id: 5, first_party: true}]"]
)
def test_into_a_model_with_a_section_of_the_wrong_type_is_no_internal_error(
    tmp_path: Path, section: str
) -> None:
    """The ids already in the model were read without looking at their types (exit 3)."""
    target = tmp_path / "m.yaml"
    target.write_text(f"actm: 1\nsystem: {{id: s}}\n{section}\n", encoding="utf-8")
    config = tmp_path / "mcp.json"
    config.write_text('{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "fs"]}}}')
    res = CliRunner().invoke(app, ["import", str(config), "--into", str(target)])
    assert res.exit_code in (0, 2), res.output
    assert "internal error" not in res.output


def test_into_lists_the_drafts_notes_it_does_not_write(tmp_path: Path) -> None:
    """A new draft ends with its notes; a model merged into does not take them, so they are
    said on standard error instead of being lost (a value read as absent, an entry left out)."""
    source = tmp_path / "mcp.json"
    source.write_text(
        '{"mcpServers": {"s": {"command": "npx", "args": 7}, "off": {"disabled": true, '
        '"command": "x"}}}',
        encoding="utf-8",
    )
    model = tmp_path / "model.yaml"
    model.write_text(USER, encoding="utf-8")
    code, _, err = run("import", source, "--into", model)
    assert code == 0, err
    assert "notes of the draft, not written into it:" in err
    assert f"  - {source}: values of another type than the format has there were read as " in err
    assert "read as absent" not in model.read_text(encoding="utf-8")
