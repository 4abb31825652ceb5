"""The vocabulary and knowledge base: loaded, validated, extensible with --knowledge."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.errors import KnowledgeError
from actm.knowledge.attacks import builtin_knowledge, load_knowledge
from actm.knowledge.vocabulary import builtin_vocabulary, load_vocabulary
from actm.model.system import SystemModel

MODEL = """
actm: 1
system: {id: kb-test}
models:
  - {id: bot, kind: llm, exposure: public}
"""

NEW_ATTACK = """
id: greeting-hijack
title: Greeting hijack
description: >
  A test pattern: whoever can type into a public language model changes how it greets people,
  which the team treats as a brand risk.
likelihood: high
steps:
  - id: type
    requires:
      - {var: m, asset: inputs, component: user_input, capability: make_arbitrary_changes}
    yields:
      - {var: m, asset: outputs, component: text, capability: make_limited_changes}
impact: {var: m, asset: outputs, class: integrity}
references:
  owasp_llm: {type: [LLM01]}
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_team_views_take_their_rules_from_rules_yaml() -> None:
    teams = {t.id: sorted(t.rules) for t in builtin_vocabulary().teams}
    assert teams == {
        "infrastructure": [
            "credential_grant",
            "credential_node",
            "credential_tool",
            "network",
            "package_code",
            "residency",
            "third_party",
            "tool_execute",
            "vulnerability",
        ],
        "ml": ["assumption", "dependency"],
        "product": [
            "feeds",
            "outside_content",
            "physical",
            "public_user",
            "tool_call",
            "tool_definition",
            "tool_delete",
            "tool_exfiltrate",
            "tool_results",
            "tool_write",
        ],
    }


def test_builtin_vocabulary_is_consistent() -> None:
    v = builtin_vocabulary()
    assert v.capabilities[:4] == ("inspect", "partially_inspect", "indirectly_inspect", "monitor")
    assert v.implied["make_arbitrary_changes"] == {
        "make_arbitrary_changes",
        "make_limited_changes",
        "contribute",
        "influence",
    }
    assert v.stronger_or_equal("contribute") == {
        "contribute",
        "make_limited_changes",
        "make_arbitrary_changes",
    }
    assert {"stored", "processed", "transmitted"} >= set(v.vulnerability_classes["rce"].grants)


def test_builtin_knowledge_entries_are_named_after_their_files() -> None:
    kb = builtin_knowledge()
    for entry in kb.attacks.values():
        assert Path(entry.source).stem == entry.id


def test_an_extra_directory_adds_an_attack(tmp_path: Path) -> None:
    write(tmp_path, "attacks/greeting-hijack.yaml", NEW_ATTACK)
    kb = load_knowledge([tmp_path])
    assert "greeting-hijack" in kb.attacks
    model = actm.load_model_text(MODEL, knowledge=kb)
    ids = {t.id for t in actm.analyze(model, knowledge=kb).threats}
    assert "greeting-hijack@bot" in ids
    assert "greeting-hijack@bot" not in {t.id for t in actm.analyze(model).threats}


def test_an_extra_directory_overrides_an_attack(tmp_path: Path) -> None:
    text = NEW_ATTACK.replace("id: greeting-hijack", "id: direct-prompt-injection")
    write(tmp_path, "attacks/direct-prompt-injection.yaml", text)
    kb = load_knowledge([tmp_path])
    assert kb.attacks["direct-prompt-injection"].title == "Greeting hijack"


def test_an_extra_directory_overrides_a_vocabulary_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        "vocabulary/severity.yaml",
        """
        likelihood:
          high: 0.5
    """,
    )
    vocab = load_vocabulary([tmp_path])
    assert vocab.severity.likelihood["high"] == 0.5
    assert vocab.severity.likelihood["low"] == 0.6  # untouched keys stay


@pytest.mark.parametrize(
    ("rel", "text", "code", "line"),
    [
        (
            "attacks/broken.yaml",
            NEW_ATTACK.replace("id: greeting-hijack", "id: broken").replace(
                "capability: make_arbitrary_changes", "capability: make_arbitary_changes"
            ),
            "unknown-capability",
            10,
        ),
        ("attacks/other-name.yaml", NEW_ATTACK, "id-not-file-name", 1),
        (
            "attacks/greeting-hijack.yaml",
            NEW_ATTACK.replace("likelihood: high", "likelyhood: high"),
            "unknown-key",
            6,
        ),
        (
            "vocabulary/propagation.yaml",
            "dependency:\n  influence: inflence\n",
            "unknown-capability",
            2,
        ),
        ("vocabulary/colours.yaml", "red: 1\n", "unknown-vocabulary-file", 1),
        (
            "vocabulary/capabilities.yaml",
            "implies:\n  - [influence, make_arbitrary_changes]\n",
            "implication-against-order",
            2,
        ),
        (
            "vocabulary/model_kinds.yaml",
            "tool_components:\n  inputs: [tool_reslts]\n",
            "unknown-component",
            2,
        ),
        (
            "vocabulary/model_kinds.yaml",
            "tool_components:\n  input: [tool_results]\n",
            "unknown-asset-type",
            2,
        ),
        (
            "vocabulary/model_kinds.yaml",
            "features:\n  - {id: web_browsing, description: x, components: {outputs: [cod]}}\n",
            "unknown-component",
            2,
        ),
        (
            "vocabulary/model_kinds.yaml",
            "placement:\n  deployed_on: {mode: processed, assets: [weights]}\n",
            "unknown-asset-type",
            2,
        ),
        (
            "vocabulary/model_kinds.yaml",
            "placement:\n  deployed_on: {mode: processed, assets: [credential]}\n",
            "not-ai-type",
            2,
        ),
        (
            "vocabulary/model_kinds.yaml",
            "placement:\n  trained_on:\n    mode: processed\n    assets: [dataset]\n"
            "    writes: [model_parameters]\n",
            "bad-placement",
            3,
        ),
        (
            "vocabulary/relations.yaml",
            "base_model:\n  - {from: weights, to: model_parameters, process: fine_tuning}\n",
            "unknown-asset-type",
            2,
        ),
        (
            "vocabulary/relations.yaml",
            "base_model:\n  - {from: model_parameters, to: model_parameters, process: tuneing}\n",
            "unknown-process",
            2,
        ),
        (
            "vocabulary/asset_types.yaml",
            "asset_types:\n  - {id: inputs, category: ai, pipeline: deployment, description: x,\n"
            "     grants_access: true}\n",
            "not-conventional",
            2,
        ),
        (
            "vocabulary/propagation.yaml",
            "agency:\n  external_trust: [hostile]\n",
            "invalid-value",
            2,
        ),
        (
            "vocabulary/rules.yaml",
            "rules:\n  - id: feeds\n    teams: [product]\n    txt: feeds {target}\n",
            "missing-key",
            2,
        ),
        (
            "vocabulary/rules.yaml",
            "rules:\n  - id: feeds\n    teams: [produce]\n    text: feeds {target}\n",
            "unknown-team",
            2,
        ),
        (
            "vocabulary/teams.yaml",
            "teams:\n  - {id: ml, title: ML, description: x, rules: [dependency]}\n",
            "unknown-key",
            2,
        ),
    ],
)
def test_a_broken_entry_stops_the_run_with_file_and_line(
    tmp_path: Path, rel: str, text: str, code: str, line: int
) -> None:
    path = write(tmp_path, rel, text)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge([tmp_path])
    diag = next(d for d in err.value.diagnostics if d.code == code)
    assert diag.location is not None
    assert diag.location.path == str(path)
    assert diag.location.line == line


def test_cli_exit_3_on_a_broken_knowledge_entry(tmp_path: Path) -> None:
    write(tmp_path, "attacks/broken.yaml", "id: broken\ntitle: x\n")
    model = write(tmp_path, "model.yaml", MODEL)
    res = CliRunner().invoke(app, ["analyze", str(model), "--knowledge", str(tmp_path)])
    assert res.exit_code == 3
    assert "broken.yaml" in res.output
    assert "Traceback" not in res.output


def test_an_unknown_subdirectory_is_an_error_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "atacks").mkdir()
    (tmp_path / "tests").mkdir()  # fixture models beside the entries are expected
    (tmp_path / ".git").mkdir()  # hidden directories are not the user's knowledge
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([tmp_path])
    problems = exc.value.diagnostics
    assert [p.message for p in problems] == [
        f"unknown knowledge subdirectory {tmp_path / 'atacks'}: its files would be ignored"
    ]
    assert problems[0].hint is not None and problems[0].hint == "did you mean 'attacks'?"


def test_a_broken_model_defaults_table_exits_3_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "vocabulary/model_kinds.yaml", "tool_components:\n  inputs: [tool_reslts]\n")
    model = write(tmp_path, "model.yaml", MODEL)
    res = CliRunner().invoke(app, ["validate", str(model), "--knowledge", str(tmp_path)])
    assert res.exit_code == 3
    assert "model_kinds.yaml:2:11" in res.output
    assert "tool_reslts" in res.output


# -- model defaults are vocabulary: an overlay changes what a model gets ---------------------

DEFAULTS_MODEL = """
actm: 1
system: {id: defaults-test}
zones:
  - {id: partner, trust: medium}
nodes:
  - {id: gpu, kind: service}
  - {id: bucket, kind: object_storage}
tools:
  - {id: send, permissions: {egress: [partner]}}
models:
  - id: base
    kind: llm
  - id: bot
    kind: llm
    features: [web_browsing]
    tools: [send]
    base_model: base
    deployed_on: [gpu]
    stored_on: [bucket]
assets:
  - {id: token, type: api_token, grants_access: [gpu]}
"""

API_TOKEN = """
asset_types:
  - id: api_token
    category: conventional
    pipeline: deployment
    description: A token a service accepts in place of a login.
    grants_access: true
"""


def _defaults_model(tmp_path: Path, files: dict[str, str]) -> SystemModel:
    write(tmp_path, "vocabulary/asset_types.yaml", API_TOKEN)
    for rel, text in files.items():
        write(tmp_path, rel, text)
    return actm.load_model_text(DEFAULTS_MODEL, knowledge=load_knowledge([tmp_path]))


def test_the_built_in_model_defaults(tmp_path: Path) -> None:
    model = _defaults_model(tmp_path, {})
    bot = {a.id: a for a in model.assets if a.model == "bot"}
    assert bot["bot.inputs"].components == (
        "system_prompt",
        "user_input",
        "tool_definitions",
        "tool_results",
    )
    assert bot["bot.outputs"].components == ("text", "tool_calls")
    assert [(r.node, r.mode, r.writes) for r in bot["bot.model_parameters"].resides] == [
        ("gpu", "processed", False),
        ("bucket", "stored", False),
    ]
    assert bot["bot.dataset"].resides == ()
    assert model.tool("send").external_egress is False
    derived = [r.id for r in model.relations if r.target == "bot.model_parameters" and r.implicit]
    assert "base.model_parameters->bot.model_parameters" in derived
    assert "base.architecture->bot.architecture" not in [r.id for r in model.relations]


def test_an_overlay_changes_what_tools_and_features_add(tmp_path: Path) -> None:
    overlay = """
        tool_components:
          inputs: [tool_results]
        features:
          - id: web_browsing
            description: The model fetches web pages.
            components: {inputs: [retrieved_context]}
    """
    model = _defaults_model(tmp_path, {"vocabulary/model_kinds.yaml": overlay})
    assert model.asset("bot.inputs").components == (
        "system_prompt",
        "user_input",
        "retrieved_context",
        "tool_results",
    )
    assert model.asset("bot.outputs").components == ("text", "tool_calls")


def test_an_overlay_changes_where_placement_puts_assets(tmp_path: Path) -> None:
    overlay = """
        placement:
          stored_on:
            mode: stored
            assets: [model_parameters, architecture, dataset]
          deployed_on:
            mode: processed
            assets: [inputs, outputs, model_parameters]
            writes: [model_parameters]
    """
    model = _defaults_model(tmp_path, {"vocabulary/model_kinds.yaml": overlay})
    assert [(r.node, r.mode) for r in model.asset("bot.dataset").resides] == [("bucket", "stored")]
    assert [(r.node, r.mode, r.writes) for r in model.asset("bot.model_parameters").resides] == [
        ("gpu", "processed", True),
        ("bucket", "stored", False),
    ]
    assert model.asset("bot.output_details").resides == ()


def test_an_overlay_changes_the_base_model_derivations_and_external_trust(
    tmp_path: Path,
) -> None:
    relations = """
        base_model:
          - {from: model_parameters, to: model_parameters, process: fine_tuning}
          - {from: architecture, to: architecture, process: packaging}
    """
    propagation = """
        agency:
          external_trust: [untrusted, low, medium]
    """
    model = _defaults_model(
        tmp_path,
        {"vocabulary/relations.yaml": relations, "vocabulary/propagation.yaml": propagation},
    )
    from_base = [
        r for r in model.relations if r.source.startswith("base.") and r.target.startswith("bot.")
    ]
    assert [(r.id, r.process, r.persistent, r.pipeline) for r in from_base] == [
        ("base.model_parameters->bot.model_parameters", "fine_tuning", True, "development"),
        ("base.architecture->bot.architecture", "packaging", True, "development"),
    ]
    assert model.tool("send").external_egress is True


def test_which_types_grant_access_is_vocabulary(tmp_path: Path) -> None:
    model = _defaults_model(tmp_path, {})
    assert model.asset("token").grants_access == ("gpu",)
    text = DEFAULTS_MODEL.replace("type: api_token", "type: data")
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text(text, knowledge=load_knowledge([tmp_path]))
    [diag] = err.value.diagnostics
    assert (diag.code, diag.message, diag.hint) == (
        "not-a-credential",
        "asset 'token': only credentials, secrets and api_tokens grant access",
        "set type: credential, or remove grants_access",
    )


@pytest.mark.parametrize(
    ("asset_types", "message", "hint"),
    [
        (
            "  - {id: secret, category: conventional, pipeline: deployment, description: x}\n",
            "asset 'token': only credentials grant access",
            "set type: credential, or remove grants_access",
        ),
        (
            "  - {id: access_policy, category: conventional, pipeline: deployment,\n"
            "     description: x, grants_access: true}\n",
            "asset 'token': only credentials, secrets and access_policies grant access",
            "set type: credential, or remove grants_access",
        ),
        (
            "  - {id: credential, category: conventional, pipeline: deployment, description: x}\n"
            "  - {id: secret, category: conventional, pipeline: deployment, description: x}\n",
            "asset 'token': no asset type grants access",
            "remove grants_access",
        ),
    ],
)
def test_the_not_a_credential_message_names_the_vocabulary_s_credential_types(
    tmp_path: Path, asset_types: str, message: str, hint: str
) -> None:
    write(tmp_path, "vocabulary/asset_types.yaml", "asset_types:\n" + asset_types)
    text = """
        actm: 1
        system: {id: creds}
        nodes: [{id: db, kind: database}]
        assets: [{id: token, type: data, grants_access: [db]}]
    """
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text(textwrap.dedent(text), knowledge=load_knowledge([tmp_path]))
    assert [(d.code, d.message, d.hint) for d in err.value.diagnostics] == [
        ("not-a-credential", message, hint)
    ]


def test_a_tool_credential_without_any_credential_type_says_so(tmp_path: Path) -> None:
    no_types = (
        "asset_types:\n"
        "  - {id: credential, category: conventional, pipeline: deployment, description: x}\n"
        "  - {id: secret, category: conventional, pipeline: deployment, description: x}\n"
    )
    write(tmp_path, "vocabulary/asset_types.yaml", no_types)
    text = """
        actm: 1
        system: {id: creds}
        assets: [{id: key, type: credential}]
        tools: [{id: mail, credential: key}]
    """
    with pytest.raises(actm.ModelError) as err:
        actm.load_model_text(textwrap.dedent(text), knowledge=load_knowledge([tmp_path]))
    assert [(d.code, d.message, d.hint) for d in err.value.diagnostics] == [
        (
            "not-a-credential",
            "'key' is a credential asset, not a credential",
            "no asset type grants access; remove credential",
        )
    ]
