"""Fuzzing the reader, the loader and the engine with broken versions of every example.

Each case mutates one example (or a file it includes) and runs it through the real entry points:
``actm.load_model_text`` or ``actm.load_model``, then ``actm.analyze`` and the JSON renderer;
for a sample, ``actm validate`` and ``actm analyze -f json``. A case passes when it ends in a
valid result or in a ModelError whose diagnostics each carry a code, a message, a hint and a
location inside the input (tests/fuzz/harness.py). See docs/robustness.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import EXAMPLES, example_files, fuzz_settings, run_cli, run_files, run_text
from hypothesis import given
from hypothesis import strategies as st
from mutations import dump_yaml, mutated_bytes, mutated_data, mutated_text

from actm.io.yaml import parse_yaml

pytestmark = pytest.mark.fuzz


@dataclass(frozen=True)
class Case:
    """An example model: its root file and every file it includes (relative names)."""

    root: str
    files: tuple[tuple[str, bytes], ...]

    @property
    def has_includes(self) -> bool:
        return len(self.files) > 1


def _cases() -> list[Case]:
    out = []
    for path in example_files():
        root = path.relative_to(EXAMPLES).as_posix()
        files = {root: path.read_bytes()}
        data = parse_yaml(path.read_bytes(), root).data
        for inc in data.get("include", []) if isinstance(data, dict) else []:
            name = Path(Path(root).parent, inc).as_posix()
            files[name] = (EXAMPLES / name).read_bytes()
        out.append(Case(root, tuple(sorted(files.items()))))
    return out


CASES = {c.root: c for c in _cases()}
ROOTS = sorted(CASES)
TEXTS = [raw.decode("utf-8") for c in CASES.values() for _, raw in c.files]


def _run(case: Case, files: dict[str, bytes]) -> None:
    if case.has_includes or b"include" in files[case.root]:
        run_files(files, case.root)
    else:
        run_text(files[case.root].decode("utf-8", "surrogatepass"), case.root)


def test_the_corpus_holds_every_example() -> None:
    roots = set(ROOTS)
    assert "customer-support-rag.yaml" in roots
    assert "shared/platform.yaml" in roots
    assert any(r.startswith("atlas-case-studies/") for r in roots)
    assert any(c.has_includes for c in CASES.values())


@fuzz_settings("text")
@given(data=st.data(), root=st.sampled_from(ROOTS))
def test_text_mutations(data: st.DataObject, root: str) -> None:
    case = CASES[root]
    files = dict(case.files)
    target = data.draw(st.sampled_from(sorted(files)), label="file")
    other = TEXTS[data.draw(st.integers(0, len(TEXTS) - 1), label="splice-from")]
    text = data.draw(mutated_text(files[target].decode("utf-8"), other), label="text")
    if case.has_includes or target != case.root or "include" in text:
        files[target] = text.encode("utf-8", "surrogatepass")
        run_files(files, case.root)
    else:
        run_text(text, case.root)


@fuzz_settings("bytes")
@given(data=st.data(), root=st.sampled_from(ROOTS))
def test_byte_mutations(data: st.DataObject, root: str) -> None:
    case = CASES[root]
    files = dict(case.files)
    target = data.draw(st.sampled_from(sorted(files)), label="file")
    files[target] = data.draw(mutated_bytes(files[target]), label="bytes")
    run_files(files, case.root)


@fuzz_settings("data")
@given(data=st.data(), root=st.sampled_from(ROOTS))
def test_data_mutations(data: st.DataObject, root: str) -> None:
    case = CASES[root]
    files = dict(case.files)
    tree = parse_yaml(files[case.root], case.root).data
    mutated = data.draw(mutated_data(tree), label="data")
    files[case.root] = dump_yaml(mutated).encode("utf-8", "surrogatepass")
    _run(case, files)


@fuzz_settings("cli")
@given(data=st.data(), root=st.sampled_from(ROOTS))
def test_cli_on_mutated_examples(data: st.DataObject, root: str) -> None:
    case = CASES[root]
    files = dict(case.files)
    target = data.draw(st.sampled_from(sorted(files)), label="file")
    text = data.draw(mutated_text(files[target].decode("utf-8"), max_ops=2), label="text")
    files[target] = text.encode("utf-8", "surrogatepass")
    run_cli(files, case.root)
