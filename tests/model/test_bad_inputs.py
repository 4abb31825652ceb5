"""Every class of broken model input gives located diagnostics with a code and a hint.

Each file in ``bad/`` holds one kind of mistake (``parts/`` holds files they include). The table
``EXPECTED`` below is the specification: for every file, the exact diagnostics that loading it
must produce, no more and no fewer: code, place (file, line, column) and a part of the message.
Every diagnostic must also carry a hint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

import actm
from actm.errors import Diagnostic
from actm.io.yaml import Limits
from actm.knowledge.attacks import KnowledgeBase

BAD = Path(__file__).parent / "bad"


@dataclass(frozen=True)
class Expect:
    code: str
    line: int
    column: int
    message: str
    """A substring of the message."""
    file: str | None = None
    """Where the diagnostic points, relative to bad/; None for the file itself."""


E = Expect

EXPECTED: dict[str, list[Expect]] = {
    # -- reading the file ------------------------------------------------------------------
    "model.empty.yaml": [E("empty-file", 1, 1, "empty")],
    "model.comments-only.yaml": [E("empty-file", 1, 1, "only comments")],
    "model.not-utf8.yaml": [E("not-utf8", 5, 12, "byte 0xe9 is not valid UTF-8")],
    "model.utf16-bom.yaml": [E("not-utf8", 1, 1, "UTF-16")],
    "model.binary.yaml": [E("binary-file", 3, 15, "NUL bytes")],
    "model.control-character.yaml": [E("control-character", 5, 13, "U+0007")],
    # -- YAML ------------------------------------------------------------------------------
    "model.duplicate-key.yaml": [
        E("duplicate-key", 6, 3, "duplicate key 'name' (first defined at line 5, column 3)")
    ],
    "model.tab-indent.yaml": [E("tab-indent", 5, 1, "tab character")],
    "model.yaml-syntax.yaml": [E("yaml-syntax", 6, 1, "did not find expected ','")],
    "model.multiple-documents.yaml": [E("multiple-documents", 4, 1, "more than one YAML document")],
    "model.unsupported-tag.yaml": [E("unsupported-tag", 5, 9, "'!!python/object:os.system'")],
    "model.too-large-number.yaml": [E("bad-number", 6, 11, "'1e999' is too large")],
    "model.alias-bomb.yaml": [E("alias-bomb", 7, 7, "beyond 100,000 extra values")],
    "model.recursive-alias.yaml": [E("recursive-alias", 4, 8, "refers to the collection")],
    "model.too-deep.yaml": [E("too-deep", 5, 71, "deeper than the limit of 64 levels")],
    "model.complex-key.yaml": [E("complex-key", 4, 3, "must be a plain string")],
    "model.not-a-mapping.yaml": [E("not-a-mapping", 2, 1, "must be a mapping of sections")],
    # -- schema ----------------------------------------------------------------------------
    "model.unknown-key.yaml": [E("unknown-key", 7, 5, "unknown key 'zoen' in nodes.0")],
    "model.missing-key.yaml": [E("missing-key", 5, 5, "missing required key 'kind' in nodes.0")],
    "model.missing-version.yaml": [E("missing-key", 2, 1, "missing required key 'actm'")],
    "model.wrong-version.yaml": [E("invalid-value", 2, 7, "actm: 2 is not one of 1")],
    "model.wrong-type.yaml": [E("wrong-type", 6, 11, "expected a string, got a list")],
    "model.invalid-enum.yaml": [E("invalid-value", 6, 12, "'hihg' is not one of")],
    "model.bad-id.yaml": [E("invalid-value", 5, 9, "'web server' is not valid here")],
    # a source is a name or {name, can, account}: a mapping gets the mapping's errors alone,
    # a value that is neither gets one error, and no path names a branch (SourceIn, str)
    "model.source-union.yaml": [
        E("invalid-value", 6, 46, "assets.0.untrusted_sources.0.can: 'rewrite' is not one of"),
        E("wrong-type", 6, 56, "assets.0.untrusted_sources.1: expected a string, got a number"),
    ],
    # -- references and ids ----------------------------------------------------------------
    "model.dangling-reference.yaml": [E("dangling-reference", 10, 11, "zone 'dzm' is not defined")],
    "model.wrong-kind-reference.yaml": [
        E("wrong-reference", 9, 11, "zone 'web' is a node, not a zone")
    ],
    "model.duplicate-id.yaml": [
        E("duplicate-id", 7, 9, "duplicate id 'web' (first defined at"),
    ],
    "model.duplicate-id-across-include.yaml": [
        E("duplicate-id", 6, 9, "duplicate id 'web'", file="parts/more-nodes.yaml"),
    ],
    "model.control-blocks-unknown.yaml": [
        E("dangling-reference", 6, 14, "blocks 'kb-feeds-bot', which is not a relation")
    ],
    # -- includes --------------------------------------------------------------------------
    "model.include-cycle.yaml": [
        E("include-cycle", 4, 5, "include cycle:", file="parts/cycle.yaml"),
    ],
    "model.include-not-found.yaml": [
        E("include-not-found", 5, 5, "'parts/no-such-file.yaml' not found")
    ],
    "model.include-with-system.yaml": [
        E("system-in-include", 3, 1, "cannot define 'system'", file="parts/with-system.yaml"),
    ],
    "model.missing-system.yaml": [E("missing-system", 2, 1, "no 'system' section")],
    "model.include-with-root-key.yaml": [
        E(
            "root-only-key",
            3,
            1,
            "cannot set 'default_adversaries'",
            file="parts/with-default-adversaries.yaml",
        ),
    ],
    # -- vocabulary ------------------------------------------------------------------------
    "model.unknown-node-kind.yaml": [E("unknown-kind", 6, 11, "unknown node kind 'web_ap'")],
    "model.unknown-model-kind.yaml": [E("unknown-kind", 6, 11, "unknown model kind 'lmm'")],
    "model.unknown-asset-type.yaml": [
        E("unknown-type", 6, 11, "'credentail' is not a conventional asset type")
    ],
    "model.ai-type-under-assets.yaml": [
        E("unknown-type", 6, 11, "'dataset' is not a conventional asset type")
    ],
    "model.unknown-component.yaml": [
        E("unknown-component", 7, 29, "document_store has no component 'passwords'")
    ],
    "model.unknown-model-asset.yaml": [
        E("unknown-asset", 8, 7, "an embedding model has no 'output_details' asset")
    ],
    "model.unknown-capability.yaml": [
        E("unknown-capability", 11, 21, "unknown capability 'inpsect'")
    ],
    "model.unknown-vulnerability-class.yaml": [E("unknown-class", 9, 12, "unknown class 'rcee'")],
    "model.unknown-process.yaml": [E("unknown-process", 14, 14, "unknown process 'trainnig'")],
    # -- relations and semantics -----------------------------------------------------------
    "model.inference-writes-dataset.yaml": [
        E("impossible-relation", 10, 9, "inference cannot write dataset")
    ],
    "model.feeds-not-inputs.yaml": [
        E("impossible-relation", 13, 9, "feeds must end at a model's inputs component")
    ],
    "model.feeds-without-component.yaml": [
        E("feeds-needs-component", 13, 9, "must name an inputs component")
    ],
    "model.impossible-persistence.yaml": [
        E("impossible-persistence", 14, 17, "its changes cannot persist")
    ],
    "model.writes-not-processed.yaml": [
        E("writes-not-processed", 13, 17, "writes applies only to mode: processed")
    ],
    "model.adversary-without-entry.yaml": [
        E("adversary-without-entry", 5, 5, "adversary 'insider' holds nothing")
    ],
    "model.bad-reference.yaml": [
        E("bad-reference", 9, 25, "'kb.documents.extra' has too many parts")
    ],
    "model.component-not-allowed.yaml": [
        E("component-not-allowed", 9, 55, "'kb.documents': name the whole asset here")
    ],
    "model.duplicate-relation.yaml": [
        E("duplicate-relation", 10, 5, "kb -> bot.inputs.retrieved_context is declared twice")
    ],
    "model.missing-process.yaml": [E("missing-process", 8, 5, "say which process derives it")],
    "model.model-not-asset.yaml": [
        E("model-not-asset", 7, 37, "read 'bot' is a model, not an asset")
    ],
    "model.not-a-credential.yaml": [
        E("not-a-credential", 7, 38, "'customers' is a personal_data asset, not a credential")
    ],
    "model.not-applicable.yaml": [
        E("not-applicable", 8, 5, "reaches applies to external-user only")
    ],
    "model.not-for-feeds.yaml": [E("not-for-feeds", 9, 63, "process applies to derives relations")],
    "model.not-for-part-of.yaml": [E("not-for-part-of", 8, 5, "apply to derives only")],
    "model.reserved-id.yaml": [E("reserved-id", 5, 10, "the name of a built-in adversary")],
    "model.self-reference.yaml": [E("self-reference", 5, 38, "'bot' is its own base model")],
    "model.self-relation.yaml": [E("self-relation", 7, 5, "stays inside one asset")],
    "model.unknown-attack.yaml": [E("unknown-attack", 6, 23, "unknown attack 'prompt-injektion'")],
    "model.unknown-feature.yaml": [E("unknown-feature", 5, 37, "unknown feature 'streamin'")],
    "model.ai-class-wrong-target.yaml": [
        E("vulnerability-target", 11, 60, "applies to a model, not to an asset"),
        E("vulnerability-target", 12, 41, "applies to an asset, not to a model"),
    ],
    "model.vulnerability-wrong-target.yaml": [
        E("vulnerability-target", 10, 5, "is an AI class: it sits on a model or an asset")
    ],
    "model.first-party-producer.yaml": [
        E("first-party-producer", 13, 15, "'acme' is a first party")
    ],
    # -- what real systems have: trust, credentials, MCP, packages, decisions ---------------
    "model.trust-conflict.yaml": [
        E("trust-conflict", 6, 12, "first_party: true and trust: contracted disagree")
    ],
    "model.approval-conflict.yaml": [
        E("approval-conflict", 8, 15, "human_approval: true and approval: once_per_session")
    ],
    "model.not-a-configuration.yaml": [
        E("not-a-configuration", 8, 47, "configured_in 'notes' is a data asset")
    ],
    "model.unknown-decision.yaml": [
        E("unknown-decision", 7, 31, "unknown kind of decision 'finacial'")
    ],
    "model.public-conflict.yaml": [
        E("public-conflict", 7, 36, "'brochure' is public, yet its confidentiality is high")
    ],
    "model.grants-not-credential.yaml": [
        E("not-a-credential", 7, 5, "'notes': grants applies to credentials and secrets")
    ],
    "model.mcp-not-applicable.yaml": [
        E("not-applicable", 6, 5, "mcp applies to nodes of kind mcp_server"),
        E("not-applicable", 9, 29, "a stdio server has no authentication of its own"),
    ],
    "model.exploited-by-unknown.yaml": [
        E("dangling-reference", 6, 59, "'internet-atacker' is not an adversary or an entry point")
    ],
    "model.encrypted-part-of.yaml": [
        E("not-for-part-of", 7, 43, "encrypted applies to derives and feeds")
    ],
    "model.include-with-analysis.yaml": [
        E("root-only-key", 2, 1, "cannot set 'analysis'", file="parts/with-analysis.yaml"),
    ],
    # -- every error at once: schema and semantic problems in one file ----------------------
    "model.several-errors.yaml": [
        E("unknown-key", 5, 3, "unknown key 'nmae' in system"),
        E("invalid-value", 8, 12, "'hihg' is not one of"),
        E("unknown-kind", 11, 11, "unknown node kind 'web_ap'"),
        E("wrong-reference", 15, 11, "zone 'web' is a node"),
        E("missing-key", 16, 5, "missing required key 'id' in nodes.2"),
        # after the node without an id was left out, the duplicate must still be placed right
        E("duplicate-id", 18, 9, "duplicate id 'web'"),
        E("dangling-reference", 23, 19, "node 'gpu' is not defined"),
        E("impossible-relation", 27, 9, "inference cannot write dataset"),
        E("dangling-reference", 31, 14, "blocks 'nothing'"),
    ],
}

HINTS: dict[str, str] = {
    # hints that must say something specific, not only be present
    "model.tab-indent.yaml": "indent with spaces",
    "model.unknown-key.yaml": "did you mean 'zone'?",
    "model.invalid-enum.yaml": "did you mean 'high'?",
    "model.dangling-reference.yaml": "did you mean 'dmz'?",
    "model.unknown-node-kind.yaml": "did you mean 'web_app'?",
    "model.unknown-model-kind.yaml": "did you mean 'llm'?",
    "model.unknown-asset-type.yaml": "did you mean 'credential'?",
    "model.ai-type-under-assets.yaml": "AI asset type, owned by a model",
    "model.unknown-capability.yaml": "did you mean 'inspect'?",
    "model.unknown-vulnerability-class.yaml": "did you mean 'rce'?",
    "model.unknown-process.yaml": "did you mean 'training'?",
    "model.inference-writes-dataset.yaml": "process: feedback",
    "model.feeds-not-inputs.yaml": "bot.inputs.retrieved_context",
    "model.feeds-without-component.yaml": "bot.inputs.retrieved_context",
    "model.missing-version.yaml": "actm: 1",
    "model.multiple-documents.yaml": "---",
    "model.alias-bomb.yaml": "--max-alias-expansion",
    "model.too-deep.yaml": "--max-depth",
    "model.unknown-decision.yaml": "did you mean 'financial'?",
    "model.exploited-by-unknown.yaml": "did you mean 'internet-attacker'?",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return actm.load_knowledge()


def _load_errors(path: Path, kb: KnowledgeBase, limits: Limits | None = None) -> list[Diagnostic]:
    with pytest.raises(actm.ModelError) as info:
        actm.load_model(path, knowledge=kb, limits=limits)
    assert info.value.diagnostics, "a ModelError must carry diagnostics"
    return list(info.value.diagnostics)


def _describe(diags: list[Diagnostic]) -> str:
    return "\n".join(d.format() for d in diags)


def test_every_bad_file_is_in_the_table() -> None:
    on_disk = {p.name for p in BAD.glob("*.yaml")}
    assert on_disk == set(EXPECTED), (
        f"files without expectations: {sorted(on_disk - set(EXPECTED))}; "
        f"expectations without files: {sorted(set(EXPECTED) - on_disk)}"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name: str, kb: KnowledgeBase) -> None:
    path = BAD / name
    diags = _load_errors(path, kb)
    expected = EXPECTED[name]
    shown = _describe(diags)
    assert len(diags) == len(expected), f"expected {len(expected)} diagnostics, got:\n{shown}"
    for want, got in zip(expected, diags, strict=True):
        assert got.code == want.code, shown
        assert want.message in got.message, shown
        assert got.location is not None, shown
        where = BAD / want.file if want.file else path
        assert Path(got.location.path).resolve() == where.resolve(), shown
        assert (got.location.line, got.location.column) == (want.line, want.column), shown
        assert got.hint, f"no hint:\n{shown}"
    if name in HINTS:
        assert HINTS[name] in (diags[0].hint or ""), shown


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_formatted_as_path_line_col(name: str, kb: KnowledgeBase) -> None:
    diags = _load_errors(BAD / name, kb)
    for d in diags:
        first, _, second = d.format().partition("\n")
        assert d.location is not None
        assert first.startswith(f"{d.location.path}:{d.location.line}:{d.location.column}: ")
        assert f"error[{d.code}]: " in first
        assert second.strip().startswith("hint: ")


# -- generated at test time ------------------------------------------------------------------


def test_file_over_size_limit(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("actm: 1\nsystem: {id: demo}\n" + "# padding\n" * 200, encoding="utf-8")
    size = path.stat().st_size
    diags = _load_errors(path, kb, Limits(max_file_bytes=1000))
    assert [(d.code, d.location) for d in diags] == [
        ("file-too-large", actm.SourceLocation(str(path), 1, 1))
    ]
    assert f"{size:,} bytes" in diags[0].message and "1,000" in diags[0].message
    assert diags[0].hint and "--max-file-bytes" in diags[0].hint
    # the same file is fine under the default limit
    assert actm.load_model(path, knowledge=kb).system.id == "demo"


def test_included_file_over_size_limit(tmp_path: Path, kb: KnowledgeBase) -> None:
    (tmp_path / "root.yaml").write_text(
        "actm: 1\nsystem: {id: demo}\ninclude: [part.yaml]\n", encoding="utf-8"
    )
    (tmp_path / "part.yaml").write_text("actm: 1\n" + "#" * 2000 + "\n", encoding="utf-8")
    diags = _load_errors(tmp_path / "root.yaml", kb, Limits(max_file_bytes=1000))
    assert [d.code for d in diags] == ["file-too-large"]
    assert diags[0].location is not None
    assert Path(diags[0].location.path).name == "part.yaml"


def test_billion_laughs_is_refused_before_expansion(tmp_path: Path, kb: KnowledgeBase) -> None:
    # 10 levels of 10 aliases: 10^10 values if expanded. Refused, not expanded (a hang or an
    # out-of-memory would fail the run long before any assertion).
    lines = ["actm: 1", "system: {id: demo}", "a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    diags = _load_errors(path, kb)
    assert [d.code for d in diags] == ["alias-bomb"]
    # even with every alias limit raised, the total number of values stays bounded
    diags = _load_errors(path, kb, Limits(max_alias_expansion=10**12, max_nodes=1_000_000))
    assert [d.code for d in diags] == ["too-many-values"]


def test_wide_alias_fan_out_is_refused(tmp_path: Path, kb: KnowledgeBase) -> None:
    body = "x: &x {" + ", ".join(f"k{i}: {i}" for i in range(1000)) + "}\n"
    body += "y: [" + ", ".join(["*x"] * 500) + "]\n"
    path = tmp_path / "fan.yaml"
    path.write_text("actm: 1\nsystem: {id: demo}\n" + body, encoding="utf-8")
    assert [d.code for d in _load_errors(path, kb)] == ["alias-bomb"]


def test_modest_aliases_are_fine(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "actm: 1\nsystem: {id: demo}\n"
        "nodes:\n  - &n {id: a, kind: host, zone: z}\n  - {id: b, kind: host, zone: z}\n"
        "zones: [{id: z, trust: low}]\n",
        encoding="utf-8",
    )
    assert len(actm.load_model(path, knowledge=kb).nodes) == 2


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        # the root mapping is the first of the 64 levels, so the 64th bracket is one too many
        ("actm: " + "[" * 100_000 + "]" * 100_000 + "\n", 1, 7 + 63),
        ("actm: " + "[" * 100_000 + "\n", 1, 7 + 63),  # never closed
        ("actm: " + "{a: " * 50_000 + "\n", 1, 7 + 4 * 63),
        ("- " * 100_000 + "x\n", 1, 1 + 2 * 64),
        ("".join(" " * i + "k:\n" for i in range(2_500)), 65, 65),
    ],
    ids=["flow-list", "flow-unclosed", "flow-map", "block-dashes", "block-indent"],
)
def test_deep_nesting_is_refused(
    tmp_path: Path, kb: KnowledgeBase, text: str, line: int, column: int
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    diags = _load_errors(path, kb)
    assert [(d.code, d.location) for d in diags] == [
        ("too-deep", actm.SourceLocation(str(path), line, column))
    ]


def test_raised_depth_limit_is_still_bounded(tmp_path: Path, kb: KnowledgeBase) -> None:
    # Asking for a huge --max-depth must not let the parser recurse until it crashes.
    path = tmp_path / "deep.yaml"
    path.write_text("".join(" " * i + "k:\n" for i in range(1_500)), encoding="utf-8")
    diags = _load_errors(path, kb, Limits(max_depth=1_000_000))
    assert [d.code for d in diags] == ["too-deep"]
    assert "256" in diags[0].message


def test_errors_in_an_included_file_and_the_root_together(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    (tmp_path / "root.yaml").write_text(
        "actm: 1\nsystem: {id: demo}\ninclude: [part.yaml]\nnodes:\n  - id: web\n    kind: hots\n",
        encoding="utf-8",
    )
    (tmp_path / "part.yaml").write_text(
        "actm: 1\nzones:\n  - id: dmz\n    trust: none\nnodes:\n  - id: db\n    kind: database\n"
        "    zone: dmzz\n",
        encoding="utf-8",
    )
    diags = _load_errors(tmp_path / "root.yaml", kb)
    got = [(Path(d.location.path).name, d.location.line, d.code) for d in diags if d.location]
    assert got == [
        ("part.yaml", 4, "invalid-value"),
        ("part.yaml", 8, "dangling-reference"),
        ("root.yaml", 6, "unknown-kind"),
    ]


def test_load_model_text_reports_schema_and_semantics_together(kb: KnowledgeBase) -> None:
    text = (BAD / "model.several-errors.yaml").read_text(encoding="utf-8")
    with pytest.raises(actm.ModelError) as info:
        actm.load_model_text(text, knowledge=kb, path="several.yaml")
    got = [(d.code, d.location.line if d.location else 0) for d in info.value.diagnostics]
    want = [(e.code, e.line) for e in EXPECTED["model.several-errors.yaml"]]
    assert got == want


def test_missing_root_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    diags = _load_errors(tmp_path / "nope.yaml", kb)
    assert [d.code for d in diags] == ["file-not-found"]
    assert diags[0].hint


def test_directory_instead_of_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    diags = _load_errors(tmp_path, kb)
    assert [d.code for d in diags] == ["file-unreadable"]
    assert diags[0].hint


# -- many errors: every one reported, located and hinted ---------------------------------------


def test_many_unknown_keys_in_one_mapping(tmp_path: Path, kb: KnowledgeBase) -> None:
    # Locating each error used to scan the whole mapping again: quadratic in the number of keys.
    n = 20_000
    path = tmp_path / "keys.yaml"
    path.write_text(
        "actm: 1\nsystem: {id: demo}\n" + "".join(f"k{i}: 1\n" for i in range(n)),
        encoding="utf-8",
    )
    diags = _load_errors(path, kb)
    assert len(diags) == n
    assert all(d.code == "unknown-key" and d.hint for d in diags)
    last = diags[-1]
    assert last.location is not None and (last.location.line, last.location.column) == (n + 2, 1)


def test_many_dangling_references(tmp_path: Path, kb: KnowledgeBase) -> None:
    # did-you-mean hints over thousands of ids for thousands of errors used to be quadratic.
    n = 5_000
    path = tmp_path / "refs.yaml"
    path.write_text(
        "actm: 1\nsystem: {id: demo}\nzones:\n"
        + "".join(f"  - {{id: zone{i}}}\n" for i in range(n))
        + "nodes:\n"
        + "".join(f"  - {{id: n{i}, kind: host, zone: zonex{i}}}\n" for i in range(n)),
        encoding="utf-8",
    )
    diags = _load_errors(path, kb)
    assert len(diags) == n
    assert all(d.code == "dangling-reference" and d.hint for d in diags)
    assert diags[0].hint is not None and diags[0].hint.startswith("did you mean")


# -- found by fuzzing (tests/fuzz, docs/robustness.md) -----------------------------------------


def test_tagged_number_too_long_to_read(kb: KnowledgeBase) -> None:
    # int() refuses more than 4,300 digits; a tagged scalar used to escape as a ValueError.
    text = "actm: 1\nsystem: {id: demo}\nnodes:\n  - {id: a, kind: !!int " + "1" * 5000 + "}\n"
    with pytest.raises(actm.ModelError) as info:
        actm.load_model_text(text, knowledge=kb, path="m.yaml")
    assert [(d.code, str(d.location)) for d in info.value.diagnostics] == [
        ("bad-number", "m.yaml:4:19")
    ]


def test_whole_number_too_large_for_a_number_field(kb: KnowledgeBase) -> None:
    # used to read "expected a number, got a number"
    text = "actm: 1\nsystem: {id: demo}\ncontrols: [{id: c, cost: " + "9" * 400 + "}]\n"
    with pytest.raises(actm.ModelError) as info:
        actm.load_model_text(text, knowledge=kb, path="m.yaml")
    (d,) = info.value.diagnostics
    assert (d.code, str(d.location)) == ("invalid-value", "m.yaml:3:26")
    assert d.message == "controls.0.cost: number " + "9" * 40 + "... is too large"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("actm: 1\nsystem: {id: [a", "m.yaml:2:16"),
        ("actm: 1\nsystem: {id: [a\r", "m.yaml:3:1"),
        ('actm: 1\nsystem: "demo', "m.yaml:2:14"),
    ],
    ids=["no-final-newline", "cr-line-end", "open-quote"],
)
def test_syntax_error_at_the_end_points_inside_the_file(
    kb: KnowledgeBase, text: str, where: str
) -> None:
    # libyaml reports an error at the end of a file without a final line break on the line
    # after the last one; the location is pulled back to the end of the last line.
    with pytest.raises(actm.ModelError) as info:
        actm.load_model_text(text, knowledge=kb, path="m.yaml")
    assert [(d.code, str(d.location)) for d in info.value.diagnostics] == [("yaml-syntax", where)]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        # a quote inside a plain scalar (it's) starts no string: the brackets after it nest
        ("a: [it's, " + "[" * 50_000 + "x" + "]" * 50_000 + ", ']\n", 10 + 63),
        ('a: [say"hi, ' + "{b: " * 50_000 + "x" + "}" * 50_000 + ', "]\n', 13 + 4 * 62),
    ],
    ids=["apostrophe", "double-quote"],
)
def test_deep_nesting_after_a_quote_in_plain_text(
    tmp_path: Path, kb: KnowledgeBase, text: str, column: int
) -> None:
    # Found by the long fuzz run: brackets after such a quote were taken for the inside of a
    # string and not counted, the file reached libyaml's recursive composer, and the process
    # died of a segmentation fault.
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    assert [(d.code, d.location) for d in _load_errors(path, kb)] == [
        ("too-deep", actm.SourceLocation(str(path), 1, column))
    ]


def test_brackets_inside_strings_do_not_count_as_nesting(kb: KnowledgeBase) -> None:
    text = (
        "actm: 1\nsystem:\n  id: demo\n"
        f"  name: '{'[' * 100}'\n  description: \"{'{' * 200}\" # {'[' * 300}\n"
    )
    assert actm.load_model_text(text, knowledge=kb).system.id == "demo"


def _nodes(n: int, start: int = 0) -> str:
    return "nodes:\n" + "".join(f"  - {{id: n{i}, kind: service}}\n" for i in range(start, n))


def test_model_over_the_element_limit(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("actm: 1\nsystem: {id: demo}\n" + _nodes(30), encoding="utf-8")
    diags = _load_errors(path, kb, Limits(max_elements=25))
    assert [(d.code, d.location) for d in diags] == [
        # the first element past the limit: nodes[25], on line 4 + 25
        ("too-many-elements", actm.SourceLocation(str(path), 29, 5))
    ]
    assert "more than 25 elements" in diags[0].message
    assert diags[0].hint and "--max-elements" in diags[0].hint
    assert len(actm.load_model(path, knowledge=kb, limits=Limits(max_elements=30)).nodes) == 30


def test_element_limit_counts_every_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    (tmp_path / "root.yaml").write_text(
        "actm: 1\nsystem: {id: demo}\ninclude: [part.yaml, other.yaml]\n" + _nodes(10),
        encoding="utf-8",
    )
    (tmp_path / "part.yaml").write_text("actm: 1\n" + _nodes(20, 10), encoding="utf-8")
    (tmp_path / "other.yaml").write_text("actm: 1\nzones: [{id: z}]\n", encoding="utf-8")
    diags = _load_errors(tmp_path / "root.yaml", kb, Limits(max_elements=15))
    # reading stops at the file that crosses the limit: no schema or semantic checks after it
    assert [(d.code, Path(d.location.path).name, d.location.line) for d in diags if d.location] == [
        ("too-many-elements", "part.yaml", 8)
    ]


def test_element_limit_in_text_and_triage_files(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(actm.ModelError) as info:
        actm.load_model_text(
            "actm: 1\nsystem: {id: demo}\n" + _nodes(5), knowledge=kb, limits=Limits(max_elements=4)
        )
    assert [d.code for d in info.value.diagnostics] == ["too-many-elements"]
    model = actm.load_model_text("actm: 1\nsystem: {id: demo}\n", knowledge=kb)
    triage = tmp_path / "triage.yaml"
    triage.write_text(
        "actm: 1\ntriage:\n"
        + "".join(f"  - {{id: t{i}, status: accepted, justification: j}}\n" for i in range(5)),
        encoding="utf-8",
    )
    with pytest.raises(actm.ModelError) as info:
        actm.add_triage(model, triage, limits=Limits(max_elements=4))
    assert [d.code for d in info.value.diagnostics] == ["too-many-elements"]
    assert len(actm.add_triage(model, triage).triage) == 5


@pytest.mark.parametrize(
    "fields",
    [{"max_depth": 0}, {"max_elements": -1}, {"max_alias_expansion": -1}, {"max_nodes": 1.5}],
)
def test_limits_refuse_values_out_of_range(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"Limits\.max_"):
        Limits(**fields)  # type: ignore[arg-type]


def test_include_whose_name_is_too_long(tmp_path: Path, kb: KnowledgeBase) -> None:
    # Path.exists() raises ENAMETOOLONG instead of returning False
    root = tmp_path / "root.yaml"
    root.write_text(
        'actm: 1\nsystem: {id: demo}\ninclude: ["' + "a" * 300 + '.yaml"]\n', encoding="utf-8"
    )
    diags = _load_errors(root, kb)
    assert [(d.code, d.location) for d in diags] == [
        ("file-unreadable", actm.SourceLocation(str(root), 3, 11))
    ]
    assert "name too long" in diags[0].message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_model_path_in_a_symlink_loop(tmp_path: Path, kb: KnowledgeBase) -> None:
    # Path.resolve() raised RuntimeError, an internal error (exit 3) in the CLI
    loop = tmp_path / "loop.yaml"
    os.symlink(loop, loop)
    diags = _load_errors(loop, kb)
    assert [d.code for d in diags] == ["file-unreadable"]
    assert diags[0].hint


def test_model_path_with_a_nul(kb: KnowledgeBase) -> None:
    diags = _load_errors(Path("model\0.yaml"), kb)
    assert [d.code for d in diags] == ["file-unreadable"]


@pytest.mark.parametrize(
    ("raw", "code", "line", "column"),
    [
        ("actm: 1\nname: 'é→x\0'\n".encode(), "binary-file", 2, 11),
        (b"actm: 1\nname: '\xc3\xa9\xe2\x86\x92x\xff'\n", "not-utf8", 2, 11),
        (b"\xef\xbb\xbfactm: 1\0\n", "binary-file", 1, 8),
    ],
    ids=["nul-after-non-ascii", "bad-byte-after-non-ascii", "nul-after-bom"],
)
def test_encoding_errors_are_located_in_characters(
    tmp_path: Path, kb: KnowledgeBase, raw: bytes, code: str, line: int, column: int
) -> None:
    # columns counted bytes, so they pointed too far right on lines with non-ASCII text
    path = tmp_path / "m.yaml"
    path.write_bytes(raw)
    assert [(d.code, d.location) for d in _load_errors(path, kb)] == [
        (code, actm.SourceLocation(str(path), line, column))
    ]


def test_a_quoted_version_is_told_to_lose_its_quotes() -> None:
    """``actm: "1"`` said "'1' is not one of 1" and suggested '1' again."""
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text('actm: "1"\nsystem: {id: s}\n')
    [d] = err.value.diagnostics
    assert d.message == "actm: '1' is not one of 1"
    assert d.hint == "write 1 without quotes: it is a number here, not text"
