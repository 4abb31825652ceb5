"""Documentation that is generated from, or claims things about, the code stays true."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_vocabulary_tables_in_the_model_format_reference_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_vocabulary_tables.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (
        done.stdout + done.stderr + ("\nrun: python docs/gen_vocabulary_tables.py --write")
    )


def test_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in text.split("```sh\n")[1:3]]
    assert blocks == [
        "pip install . && actm analyze examples/customer-support-rag.yaml",
        'pip install -e ".[dev]" && python -m pytest',
    ]
    assert (ROOT / "examples" / "customer-support-rag.yaml").is_file()
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _fenced(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block, in order."""
    out = []
    parts = text.split("```")
    for i in range(1, len(parts), 2):
        lang, _, body = parts[i].partition("\n")
        out.append((lang.strip(), body))
    return out


def test_python_api_examples_print_what_the_docs_show(
    tmp_path: Path, monkeypatch: object, capsys: object
) -> None:
    """Every Python block of docs/python-api.md runs on its own (in order, each in a fresh
    namespace: the page says they run as shown), and where a text block follows, it prints
    exactly that."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    model_doc = (ROOT / "docs" / "model-format.md").read_text(encoding="utf-8")
    first_yaml = next(body for lang, body in _fenced(model_doc) if lang == "yaml")
    (tmp_path / "support-bot.yaml").write_text(first_yaml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = ROOT / "docs" / "python-api.md"
    text = doc.read_text(encoding="utf-8")
    blocks = _fenced(text)
    update = os.environ.get("ACTM_UPDATE_DOCS") == "1"
    checked = 0
    outputs: dict[int, str] = {}
    for i, (lang, body) in enumerate(blocks):
        if lang != "python":
            continue
        exec(compile(body, f"python-api.md block {i}", "exec"), {})
        printed = capsys.readouterr().out  # type: ignore[attr-defined]
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            outputs[i + 1] = printed
            if not update:
                assert printed == blocks[i + 1][1], (
                    f"block {i} prints something else (review, then rerun with "
                    "ACTM_UPDATE_DOCS=1 to rewrite the shown output)"
                )
            checked += 1
    assert checked >= 3
    if update:
        parts = text.split("```")
        for j, printed in outputs.items():
            parts[2 * j + 1] = "text\n" + printed
        doc.write_text("```".join(parts), encoding="utf-8")


def test_readme_model_validates_and_its_broken_variant_reports_as_shown(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    model = next(b for lang, b in _fenced(text) if lang == "yaml")
    good = tmp_path / "model.yaml"
    good.write_text(model, encoding="utf-8")
    ok = subprocess.run(
        [sys.executable, "-m", "actm", "validate", str(good)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    broken = model.replace("kind: agent  ", "kind: agnet  ").replace(
        "read: [customers]", "read: [customer]"
    )
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "actm", "validate", "broken.yaml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    shown = next(b for lang, b in _fenced(text) if b.startswith("$ actm validate broken.yaml"))
    assert bad.stderr == shown.split("\n", 1)[1]


def _run_actm(args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "actm", *shlex.split(args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**env, "NO_COLOR": "1"},
    )


def _out_of_scope_count_hidden(text: str) -> str:
    """The count of attacks out of scope grows with every built-in entry; the rest must not."""
    return re.sub(
        r"(?m)^attack patterns out of scope: \d+$", "attack patterns out of scope: N", text
    )


def test_writing_knowledge_worked_example_runs_as_shown(tmp_path: Path) -> None:
    """docs/writing-knowledge.md: the files of the worked example, written out, give the output
    each `$ actm ...` block shows, and its pytest file passes on its fixture."""
    blocks = _fenced((ROOT / "docs" / "writing-knowledge.md").read_text(encoding="utf-8"))
    for lang, body in blocks:
        first = body.split("\n", 1)[0]
        target = first.removeprefix("# ").strip()
        if lang in ("yaml", "python") and (
            target == "price-desk.yaml" or target.startswith("my-knowledge/")
        ):
            (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / target).write_text(body, encoding="utf-8")
        elif lang == "yaml" and first.startswith("# Why it fires"):
            fixture = tmp_path / "my-knowledge" / "tests" / "price-feed-manipulation.yaml"
            fixture.parent.mkdir(parents=True, exist_ok=True)
            fixture.write_text(body, encoding="utf-8")
    assert (tmp_path / "my-knowledge" / "attacks" / "price-feed-manipulation.yaml").is_file()
    checked = 0
    for lang, body in blocks:
        if lang != "console" or not body.startswith("$ actm "):
            continue
        command, _, shown = body.partition("\n")
        done = _run_actm(command.removeprefix("$ actm "), tmp_path)
        assert done.returncode == 0, done.stderr
        assert _out_of_scope_count_hidden(done.stdout) == _out_of_scope_count_hidden(shown), (
            f"update the block of `{command}` to:\n{done.stdout}"
        )
        checked += 1
    assert checked == 3
    bare = _run_actm("analyze price-desk.yaml -f json", tmp_path)
    assert json.loads(bare.stdout)["threats"] == []
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "my-knowledge/tests"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout


def _invocations(text: str) -> list[list[str]]:
    """Every `actm ...` command line in the fenced blocks of a document (continuations joined,
    shell variables and options' values left as written)."""
    out = []
    for lang, body in _fenced(text):
        joined = body.replace("\\\n", " ")
        for raw in joined.splitlines():
            line = raw.strip()
            if lang == "console":  # only the commands, not what they print
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            line = line.removeprefix("- ").removeprefix("run: ")
            if line.startswith("actm ") and not line.split()[1].endswith(":"):
                out.append(shlex.split(line.split(" > ")[0].split(" # ")[0]))
    return out


def test_commands_in_the_ci_planning_and_triage_docs_use_real_options() -> None:
    """Each `actm CMD --option` written in these documents is an option of that command."""
    from typer.testing import CliRunner

    from actm.cli.app import app

    runner = CliRunner()
    helps: dict[str, str] = {}
    seen = 0
    for doc in ("ci.md", "planning.md", "triage.md", "cli.md", "reports.md"):
        for argv in _invocations((ROOT / "docs" / doc).read_text(encoding="utf-8")):
            cmd = argv[1]
            if cmd.startswith(("-", "[")) or cmd == "kb":
                continue  # options of actm itself, synopsis lines, sub-apps
            if cmd not in helps:
                res = runner.invoke(app, [cmd, "--help"], terminal_width=200)
                assert res.exit_code == 0, f"{doc}: no command {cmd!r}"
                helps[cmd] = res.output
            for arg in argv[2:]:
                if arg.startswith("--") and not arg.startswith("--["):
                    assert arg.split("=")[0] in helps[cmd], f"{doc}: actm {cmd} has no {arg}"
            seen += 1
    assert seen >= 8


def test_pre_commit_hooks_name_real_commands() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"actm-validate", "actm-check"}
    for hook in hooks:
        assert hook["language"] == "python"
        argv = shlex.split(hook["entry"])
        assert argv[0] == "actm" and argv[1] in {"validate", "check"}


def test_readme_sample_output_is_what_the_first_command_prints() -> None:
    """The README's sample of `actm analyze` on the bundled example is real output: each shown
    line appears in the command's output, in the same order ("..." marks lines left out)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ actm analyze examples/customer-support-rag.yaml\n"
    sample = next(b for _lang, b in _fenced(text) if b.startswith(command))
    shown = [line for line in sample[len(command) :].splitlines() if line != "..."]
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    done = subprocess.run(
        [sys.executable, "-m", "actm", "analyze", "examples/customer-support-rag.yaml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**env, "NO_COLOR": "1", "COLUMNS": "80"},
    )
    printed = done.stdout.splitlines()
    at = 0
    for line in shown:
        assert line in printed[at:], f"README line not printed (in this order): {line!r}"
        at = printed.index(line, at) + 1


def test_python_api_result_table_names_every_field_and_what_is_not_serialised() -> None:
    """docs/python-api.md's `Result` table has a row for each field of the dataclass, says "not
    serialised" on exactly the fields the JSON leaves out, and lists every `summary` key."""
    import dataclasses

    import actm
    from actm.results.model import Result

    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    section = text.split("## The `Result`", 1)[1].split("\n### ", 1)[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"(?m)^\| `(\w+)` \| `[^|]*` \| (.*) \|$", section)
    }
    fields = dataclasses.fields(Result)
    assert list(rows) == [f.name for f in fields]
    hidden = {f.name for f in fields if f.metadata.get("serialised") is False}
    assert {name for name, cell in rows.items() if "not serialised" in cell} == hidden
    result = actm.analyze(actm.load_model(ROOT / "examples" / "customer-support-rag.yaml"))
    for key in result.summary:
        if not key.startswith("severity_"):
            assert f"`{key}`" in rows["summary"], f"summary key {key!r} is not in the table"
