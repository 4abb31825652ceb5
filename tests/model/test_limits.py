"""Every input limit refuses hostile input through the CLI with exit 2, a located error and a
hint naming the option that raises it; each refusal's time is printed (run with ``-s``), never
asserted (docs/limits.md lists measured times)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

runner = CliRunner()


def _laughs(levels: int = 10, width: int = 10) -> str:
    lines = ["actm: 1", "system: {id: demo}", "lol0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [
        f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


def _nodes(n: int) -> str:
    return "actm: 1\nsystem: {id: demo}\nnodes:\n" + "".join(
        f"  - {{id: n{i}, kind: service}}\n" for i in range(n)
    )


CASES = {
    # 10^10 values if expanded
    "billion-laughs": (_laughs(), [], "alias-bomb", "--max-alias-expansion"),
    "deep-flow": ("actm: " + "[" * 100_000 + "]" * 100_000 + "\n", [], "too-deep", "--max-depth"),
    "deep-block": ("".join(" " * i + "k:\n" for i in range(5_000)), [], "too-deep", "--max-depth"),
    "oversize": (
        "actm: 1\nsystem: {id: demo}\n" + "# padding\n" * 200,
        ["--max-file-bytes", "1000"],
        "file-too-large",
        "--max-file-bytes",
    ),
    "elements": (_nodes(2_000), ["--max-elements", "1000"], "too-many-elements", "--max-elements"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_limit_refuses_with_exit_2(tmp_path: Path, name: str) -> None:
    text, options, code, option = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    res = runner.invoke(app, ["validate", str(path), *options])
    took = time.perf_counter() - start
    print(f"{name}: refused in {took * 1000:.0f} ms ({len(text):,} bytes)")
    assert res.exit_code == 2, res.output
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"{path}:") and f"error[{code}]" in first, res.stderr
    assert option in res.stderr, res.stderr
    assert "Traceback" not in res.output


def test_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sparse.yaml"
    with path.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # 64 MiB of holes: nothing is written to disk
    start = time.perf_counter()
    res = runner.invoke(app, ["validate", str(path)])
    print(f"64 MiB file: refused in {(time.perf_counter() - start) * 1000:.0f} ms")
    assert res.exit_code == 2
    assert "error[file-too-large]" in res.stderr and "33,554,432" in res.stderr


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("billion-laughs", ["--max-alias-expansion", "10000000000"]),
        ("elements", ["--max-elements", "2000"]),
        ("oversize", ["--max-file-bytes", "4000"]),
    ],
)
def test_raising_a_limit_lets_the_file_past_it(
    tmp_path: Path, name: str, options: list[str]
) -> None:
    text = CASES[name][0]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["validate", str(path), *options])
    code = CASES[name][2]
    assert f"error[{code}]" not in res.stderr
    if name == "billion-laughs":
        # past the alias limit, the bound on values after expansion still holds
        assert res.exit_code == 2 and "error[too-many-values]" in res.stderr
    else:
        assert res.exit_code == 0, res.output


def test_element_limit_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(_nodes(20), encoding="utf-8")
    res = runner.invoke(app, ["validate", str(path)], env={"ACTM_MAX_ELEMENTS": "10"})
    assert res.exit_code == 2 and "error[too-many-elements]" in res.stderr
    res = runner.invoke(app, ["validate", str(path)], env={"ACTM_MAX_ELEMENTS": "ten"})
    assert res.exit_code == 2 and "ACTM_MAX_ELEMENTS" in res.stderr
    # the option wins over the variable
    res = runner.invoke(
        app, ["validate", str(path), "--max-elements", "20"], env={"ACTM_MAX_ELEMENTS": "10"}
    )
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("command", ["analyze", "check", "plan", "diff"])
def test_every_model_command_takes_max_elements(tmp_path: Path, command: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(_nodes(20), encoding="utf-8")
    files = [str(path), str(path)] if command == "diff" else [str(path)]
    res = runner.invoke(app, [command, *files, "--max-elements", "10"])
    assert res.exit_code == 2, res.output
    assert "error[too-many-elements]" in res.stderr


def test_element_limit_stops_reading_even_after_a_later_include_error(tmp_path: Path) -> None:
    # regression: a missing include reported after the limit was passed let reading go on
    import actm
    from actm.io.yaml import Limits

    (tmp_path / "big.yaml").write_text(
        "actm: 1\nnodes:\n" + "".join(f"  - {{id: n{i}, kind: service}}\n" for i in range(5)),
        encoding="utf-8",
    )
    (tmp_path / "more.yaml").write_text(
        "actm: 1\nnodes:\n  - {id: m1, kind: service, colour: red}\n", encoding="utf-8"
    )
    root = tmp_path / "root.yaml"
    root.write_text(
        "actm: 1\nsystem: {id: s}\ninclude: [big.yaml, missing.yaml, more.yaml]\n",
        encoding="utf-8",
    )
    with pytest.raises(actm.ModelError) as exc:
        actm.load_model(root, limits=Limits(max_elements=3))
    codes = [d.code for d in exc.value.diagnostics]
    assert "too-many-elements" in codes
    assert codes.count("too-many-elements") == 1
    assert not any("colour" in d.message for d in exc.value.diagnostics)  # more.yaml never read
