"""rules.yaml against the engine's rules: an entry per rule both ways, overlays that reword a
rule, and broken entries that stop the run with their location."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actm
from actm.cli.app import app
from actm.engine.analysis import run_engine
from actm.engine.facts import Rule
from actm.engine.provenance import proof
from actm.engine.reader import Reader
from actm.engine.wording import FIELDS, Wording, check
from actm.errors import KnowledgeError
from actm.knowledge.attacks import KnowledgeBase
from actm.knowledge.vocabulary import builtin_vocabulary

ROOT = Path(__file__).resolve().parents[2]

MODEL = """
actm: 1
system: {id: kb-test}
models:
  - {id: bot, kind: llm, exposure: public}
"""


def overlay(root: Path, text: str) -> Path:
    path = root / "vocabulary" / "rules.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def threats(root: Path, model: str = MODEL) -> dict[str, actm.results.model.Threat]:  # type: ignore[name-defined]
    kb = actm.load_knowledge([root])
    result = actm.analyze(actm.load_model_text(model, knowledge=kb), knowledge=kb)
    return {t.id: t for t in result.threats}


def test_every_rule_has_an_entry_and_every_entry_names_a_rule() -> None:
    wording = builtin_vocabulary().wording
    assert sorted(wording.rules) == sorted(r.name.lower() for r in Rule)
    assert sorted(FIELDS) == list(Rule)
    assert check(wording) == []


def test_a_rule_without_an_entry_stops_the_analysis() -> None:
    wording = builtin_vocabulary().wording
    rules = {k: v for k, v in wording.rules.items() if k != "feeds_back"}
    with pytest.raises(KnowledgeError) as err:
        Wording(replace(wording, rules=rules))
    assert [(d.code, d.message, d.location) for d in err.value.diagnostics] == [
        ("missing-rule", "rules.yaml has no entry for the engine's rule 'feeds_back'", None)
    ]


def test_an_entry_that_names_no_rule_stops_the_analysis_at_its_line(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules:\n  - id: feed_back\n    teams: []\n    text: x\n")
    with pytest.raises(KnowledgeError) as err:
        threats(tmp_path)
    (diag,) = err.value.diagnostics
    assert (diag.code, diag.message, diag.hint) == (
        "unknown-rule",
        "rules.yaml: the engine has no rule 'feed_back'",
        "did you mean 'feeds_back'?",
    )
    assert (diag.location and (diag.location.path, diag.location.line)) == (str(path), 2)


def test_an_overlay_rewords_one_rule(tmp_path: Path) -> None:
    overlay(
        tmp_path,
        """
        rules:
          - id: public_user
            teams: [product]
            text: "{adversary} types into {target}{persistent}, gaining {capability}"
        """,
    )
    reworded = threats(tmp_path)["resource-exhaustion@bot"]
    assert reworded.chain_text == (
        "external-user types into bot.inputs.user_input, gaining make_arbitrary_changes"
        " -> resource-exhaustion: withhold on bot.outputs"
    )
    assert reworded.teams == ("product",)
    builtin = {t.id: t for t in actm.analyze(actm.load_model_text(MODEL)).threats}
    assert builtin["resource-exhaustion@bot"].chain_text == (
        "external-user holds make_arbitrary_changes on bot.inputs.user_input"
        " -> resource-exhaustion: withhold on bot.outputs"
    )


def test_an_overlay_moves_a_rule_to_another_team(tmp_path: Path) -> None:
    overlay(
        tmp_path,
        """
        rules:
          - id: public_user
            teams: [infrastructure, ml]
            text: "{adversary} holds {capability} on {target}{persistent}"
        """,
    )
    kb = actm.load_knowledge([tmp_path])
    assert {t.id: "public_user" in t.rules for t in kb.vocabulary.teams} == {
        "infrastructure": True,
        "ml": True,
        "product": False,
    }
    # bot.inputs and bot.outputs are product asset types: the view stays, two are added
    assert threats(tmp_path)["resource-exhaustion@bot"].teams == ("infrastructure", "ml", "product")


def test_the_persistent_mark_is_wording_too(tmp_path: Path) -> None:
    overlay(tmp_path, 'persistent_mark: " [kept]"\n')
    text = """
    actm: 1
    system: {id: mark}
    models:
      - {id: bot, kind: llm, exposure: public}
    assets:
      - {id: notes, type: document_store, untrusted_sources: [wiki]}
    relations:
      - {kind: feeds, from: notes, to: bot.inputs.retrieved_context}
    """
    chains = {t.id: t.chain_text for t in threats(tmp_path, textwrap.dedent(text)).values()}
    assert chains["rag-poisoning@notes@bot"].startswith(
        "author of outside content (wiki) holds contribute on notes [kept]"
        " -> feeds bot.inputs.retrieved_context: contribute"
    )


@pytest.mark.parametrize(
    ("entry", "code", "message", "hint", "line"),
    [
        (
            "  - id: feeds\n    teams: [product]\n    text: 'feeds {targte}: {capability}'\n",
            "bad-template",
            "rule feeds text: unknown placeholder {targte}",
            "did you mean 'target'?",
            4,
        ),
        (
            "  - id: feeds\n    teams: [product]\n    text: feeds {target\n",
            "bad-template",
            "rule feeds text: expected '}' before end of string in 'feeds {target'",
            "write {{ or }} for a literal brace",
            4,
        ),
        (
            "  - id: feeds\n    teams: [product]\n    text: feeds {target!r}\n",
            "bad-template",
            "rule feeds text: {target} has a conversion or format",
            "write just {name}",
            4,
        ),
        (
            "  - id: feeds\n    teams: [product]\n    text: x\n    variants: {tool: y}\n",
            "unknown-variant",
            "rule feeds: the engine picks no variant 'tool'",
            "it has none: use text",
            5,
        ),
        (
            "  - id: residency\n    teams: [infrastructure]\n    text: '{node}'\n",
            "missing-variant",
            "rule residency lacks the variant 'declared'",
            "add variants: {declared: ...}",
            2,
        ),
    ],
)
def test_a_broken_entry_stops_the_analysis_with_its_location(
    tmp_path: Path, entry: str, code: str, message: str, hint: str, line: int
) -> None:
    path = overlay(tmp_path, "rules:\n" + entry)
    with pytest.raises(KnowledgeError) as err:
        threats(tmp_path)
    assert [(d.code, d.message, d.hint) for d in err.value.diagnostics] == [(code, message, hint)]
    location = err.value.diagnostics[0].location
    assert location is not None
    assert (location.path, location.line) == (str(path), line)


def test_cli_exit_3_on_a_broken_rules_entry(tmp_path: Path) -> None:
    path = overlay(tmp_path, "rules:\n  - id: feeds\n    teams: [product]\n    text: '{targte}'\n")
    model = tmp_path / "model.yaml"
    model.write_text(MODEL, encoding="utf-8")
    res = CliRunner().invoke(app, ["analyze", str(model), "--knowledge", str(tmp_path)])
    assert res.exit_code == 3
    assert f"{path}:4:11: error[bad-template]: rule feeds text: unknown placeholder" in res.output
    assert "Traceback" not in res.output


EVERY_RULE = """
actm: 1
system: {id: every-rule}
owners:
  - {id: vendor}
nodes:
  - {id: app, kind: service}
  - {id: crm, kind: database}
  - {id: builder, kind: ci_runner}
  - {id: runner, kind: ci_runner}
models:
  - {id: bot, kind: agent, exposure: public, deployed_on: [app], tools: [lookup, mail, fetch]}
  - {id: cam, kind: classifier, exposure: physical}
assets:
  - {id: customers, type: personal_data, resides: [{node: crm}]}
  - {id: kb, type: document_store, resides: [{node: app}]}
  - {id: token, type: credential, resides: [{node: app}], grants: {delete: [kb], execute: [runner]}}
  - {id: settings, type: configuration, contains: [key]}
  - {id: key, type: secret}
relations:
  - {kind: feeds, from: customers, to: cam.inputs.user_input, encrypted: false}
tools:
  - {id: lookup, permissions: {read: [customers], delete: [customers]}}
  - {id: mail, permissions: {write: [kb]}, credential: token}
  - {id: fetch, permissions: {read: [kb], egress: [internet]}}
packages:
  - {id: lib, name: lib, ecosystem: pypi, publisher: vendor, runs_on: [builder]}
adversaries:
  - id: insider
    holds:
      - {asset: token, capability: inspect}
      - {asset: settings, capability: partially_inspect}
assumptions:
  - id: hosted
    producer: vendor
    asset: bot.model_parameters
    capability: make_limited_changes
    sends: [bot.inputs]
"""
"""Without attacks (whose yields would come first), and with the examples, it makes every rule
and variant derive a fact but ``vulnerability`` (the engine keeps that rule for a vulnerability
declared on a node, but grants over the node's residents directly)."""


FIRST_SEEN = {
    "adversary/": (
        "adversary/ adversary=insider capability=partially_inspect persistent= target=settings"
    ),
    "ai_weakness/": (
        "ai_weakness/ capability=make_limited_changes persistent= "
        "target=cc-detector.outputs vulnerability=crafted-requests-evade-detector "
        "vulnerability_class=adversarially_fragile"
    ),
    "assumption_sends/": (
        "assumption_sends/ assumption=hosted capability=inspect persistent= producer=vendor "
        "status=unjustified target=bot.inputs"
    ),
    "component_down/": ("component_down/ capability=inspect persistent= target=bot.outputs.text"),
    "component_up/": (
        "component_up/ capability=make_limited_changes persistent= target=bot.inputs"
    ),
    "credential_node/": (
        "credential_node/ credential=token node=runner vulnerability_class=code_execution"
    ),
    "credential_tool/": (
        "credential_tool/ capability=make_arbitrary_changes persistent= target=mail.inputs "
        "tool=mail"
    ),
    "dependency/": (
        "dependency/ capability=influence persistent= process=inference "
        "relation=cam.inputs->cam.output_details source=cam.inputs "
        "target=cam.output_details"
    ),
    "feeds/": (
        "feeds/ capability=withhold persistent= relation=customers->cam.inputs.user_input "
        "target=cam.inputs.user_input"
    ),
    "feeds_back/": (
        "feeds_back/ capability=partially_inspect "
        "into=email-assistant.inputs.retrieved_context persistent= relation=retrieve-mail "
        "target=mail-rag-db.documents"
    ),
    "feeds_back/tool": (
        "feeds_back/tool capability=partially_inspect persistent= target=issues tool=read_issue"
    ),
    "outside_content/": (
        "outside_content/ adversary=content-author capability=contribute persistent= "
        "(persistent) source=public-web-photos target=face-index"
    ),
    "part_of/": (
        "part_of/ capability=partially_inspect persistent= "
        "relation=published-design->cc-detector.architecture "
        "target=cc-detector.architecture"
    ),
    "residency/": (
        "residency/ capability=inspect node=builder persistent= target=lib "
        "vulnerability_class=code_execution"
    ),
    "residency/declared": (
        "residency/declared capability=inspect node=research-paper persistent= "
        "target=published-design vulnerability=public-model-design "
        "vulnerability_class=public_exposure"
    ),
    "third_party/": (
        "third_party/ adversary=third-party capability=inspect node=firewall "
        "operator=customer persistent= target=cc-detector.architecture"
    ),
    "tool_call/": (
        "tool_call/ caller=bot capability=influence persistent= target=fetch.inputs tool=fetch"
    ),
    "tool_definition/": (
        "tool_definition/ capability=contribute persistent= "
        "target=code-writer.inputs.tool_definitions tool=run-python"
    ),
    "tool_execute/": (
        "tool_execute/ node=app-container tool=run-python vulnerability_class=code_execution"
    ),
    "tool_exfiltrate/": (
        "tool_exfiltrate/ capability=inspect egress=fetch persistent= reader=lookup "
        "target=customers"
    ),
    "tool_exfiltrate/one_tool": (
        "tool_exfiltrate/one_tool capability=inspect egress=fetch persistent= reader=fetch "
        "target=kb"
    ),
    "tool_results/": (
        "tool_results/ capability=contribute persistent= target=bot.inputs.tool_results tool=fetch"
    ),
    "tool_write/": (
        "tool_write/ capability=make_limited_changes persistent= (persistent) target=kb tool=mail"
    ),
}
"""The first wording of each other propagation rule and variant, on EVERY_RULE and the examples
(attacks and conversions depend on the knowledge base, and are left out)."""


def test_every_placeholder_is_filled_in(tmp_path: Path) -> None:
    """Each template may use every placeholder of its rule: the engine fills in all of them,
    for every fact it derives."""

    def template(name: str, variant: str, fields: frozenset[str]) -> str:
        said = " ".join(f"{f}={{{f}}}" for f in sorted(fields))
        return f"'{name}/{variant} {said}'"

    lines = ["rules:"]
    for rule, variants in FIELDS.items():
        name = rule.name.lower()
        lines += [f"  - id: {name}", "    teams: []"]
        lines.append(f"    text: {template(name, '', variants[''])}")
        named = [(v, f) for v, f in variants.items() if v]
        lines += ["    variants:"] if named else []
        lines += [f"      {v}: {template(name, v, f)}" for v, f in named]
    overlay(tmp_path, "\n".join(lines) + "\n")
    kb = actm.load_knowledge([tmp_path])
    propagation = KnowledgeBase(attacks={}, vocabulary=kb.vocabulary, locations={})
    runs = [(actm.load_model_text(textwrap.dedent(EVERY_RULE), knowledge=kb), propagation)]
    examples = [*ROOT.glob("examples/*.yaml"), *ROOT.glob("examples/atlas-*/*.yaml")]
    runs += [(actm.load_model(p, knowledge=kb), kb) for p in sorted(examples)]
    seen: dict[str, str] = {}
    for model, knowledge in runs:
        out = run_engine(model, knowledge, assumptions=False)
        every = proof(out.closure.store, out.closure.store.keys)
        reader = Reader(out.compiled, out.closure.store, out.wording)
        for step in reader.chain(every):  # every fact, not only those on threat chains
            seen.setdefault(step.text.split(" ", 1)[0], step.text)
    wanted = {f"{r.name.lower()}/{v}" for r, variants in FIELDS.items() for v in variants}
    assert sorted(wanted - set(seen)) == ["vulnerability/"]
    # the other rules, each as the engine first words it: the names each one carries (tool,
    # credential, relation) and which of these facts are persistent
    assert {k: seen[k] for k in sorted(FIRST_SEEN)} == FIRST_SEEN
    assert seen["public_user/"] == (
        "public_user/ adversary=external-user capability=make_arbitrary_changes persistent= "
        "target=bot.inputs.user_input"
    )
    assert seen["assumption/"] == (
        "assumption/ assumption=hosted capability=make_limited_changes persistent= (persistent) "
        "producer=vendor status=unjustified target=bot.model_parameters"
    )
    assert seen["tool_delete/"] == (
        "tool_delete/ capability=withhold persistent= target=customers tool=lookup"
    )
    assert seen["credential_grant/"] == (
        "credential_grant/ capability=withhold credential=token permission=delete persistent= "
        "target=kb"
    )
    assert seen["contained/"] == (
        "contained/ capability=inspect container=settings persistent= target=key"
    )
    assert seen["package_code/"] == (
        "package_code/ node=builder package=lib vulnerability_class=code_execution"
    )
    assert seen["network/"] == (
        "network/ adversary=network-attacker capability=inspect persistent= "
        "relation=customers->cam.inputs.user_input target=cam.inputs.user_input "
        "weakness=not encrypted"
    )
    assert seen["physical/"] == (
        "physical/ adversary=physical-actor capability=contribute model=cam persistent= "
        "target=cam.inputs"
    )
