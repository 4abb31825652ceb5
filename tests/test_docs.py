"""Documentation that is generated from, or claims things about, the code stays true."""

from __future__ import annotations

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
    """Every Python block of docs/python-api.md runs (in order, sharing names), and where a
    text block follows, it prints exactly that."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    model_doc = (ROOT / "docs" / "model-format.md").read_text(encoding="utf-8")
    first_yaml = next(body for lang, body in _fenced(model_doc) if lang == "yaml")
    (tmp_path / "support-bot.yaml").write_text(first_yaml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    blocks = _fenced((ROOT / "docs" / "python-api.md").read_text(encoding="utf-8"))
    namespace: dict[str, object] = {}
    checked = 0
    for i, (lang, body) in enumerate(blocks):
        if lang != "python":
            continue
        exec(compile(body, f"python-api.md block {i}", "exec"), namespace)
        printed = capsys.readouterr().out  # type: ignore[attr-defined]
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            assert printed == blocks[i + 1][1], f"block {i} prints something else"
            checked += 1
    assert checked >= 3


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
