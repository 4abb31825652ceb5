"""`actm check`, `actm diff` and `actm analyze --format sarif`: the CI surface, end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actm.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
RAG = ROOT / "examples" / "customer-support-rag.yaml"
runner = CliRunner()

# The provider's reading of the prompts and the system prompt's extraction rate medium: the
# most likely route to each is the public user's partial reading (the vendor reads everything,
# but an operator's route is much less likely: docs/severity.md).
HIGH_IDS = [
    "tool-data-disclosure@support-agent@customer-records",
    "tool-data-exfiltration@support-agent@customer-records",
]


def triage_file(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "triage.yaml"
    path.write_text("actm: 1\ntriage:\n" + entries, encoding="utf-8")
    return path


def check(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["check", str(RAG), *args])
    return res.exit_code, res.output


# -- check ----------------------------------------------------------------------------------------


def test_check_fails_on_untriaged_threats_and_names_them() -> None:
    code, out = check("--fail-on", "high")
    assert code == 1
    assert "FAIL: 2 threats at or above high not settled by triage:" in out
    for tid in HIGH_IDS:
        assert tid in out
    # each failing threat points at its place in the model
    assert "examples/customer-support-rag.yaml:54:9" in out


def test_check_passes_when_every_serious_threat_is_triaged(tmp_path: Path) -> None:
    decisions = "".join(
        f"  - {{id: '{tid}', status: accepted, justification: risk owner signed off}}\n"
        for tid in HIGH_IDS
    )
    code, out = check("--fail-on", "high", "--triage", str(triage_file(tmp_path, decisions)))
    assert code == 0, out
    assert "PASS: no threat at or above high is left untriaged" in out
    assert "2 settled by triage" in out


def test_open_and_in_progress_do_not_settle_and_wildcards_match(tmp_path: Path) -> None:
    path = triage_file(
        tmp_path,
        "  - {id: '*@support-agent', status: false_positive, justification: not this agent}\n"
        "  - {id: 'tool-data-*@support-agent@customer-records', status: in_progress,\n"
        "     justification: fix under way, ticket: 'https://tracker.example/SEC-1'}\n",
    )
    code, out = check("--fail-on", "high", "--triage", str(path))
    assert code == 1
    assert "FAIL: 2 threats" in out
    assert "tool-data-exfiltration@support-agent@customer-records  (in_progress)" in out


def test_an_expired_acceptance_counts_as_open_again(tmp_path: Path) -> None:
    decisions = "".join(
        f"  - {{id: '{tid}', status: accepted, justification: until the fix ships,"
        f" expires: 2026-03-31}}\n"
        for tid in HIGH_IDS
    )
    path = str(triage_file(tmp_path, decisions))
    before, _ = check("--triage", path, "--today", "2026-03-31")
    after, out = check("--triage", path, "--today", "2026-04-01")
    assert (before, after) == (0, 1)
    assert "(accepted until 2026-03-31, expired)" in out


def test_unmatched_triage_entries_are_reported_with_their_place(tmp_path: Path) -> None:
    path = triage_file(
        tmp_path,
        "  - {id: 'model-backdoor@nothing', status: accepted, justification: stale}\n",
    )
    code, out = check("--fail-on", "critical", "--triage", str(path))
    assert code == 1
    assert "note: 1 triage entry matches no threat" in out
    assert f"model-backdoor@nothing  {path}:3:10" in out


def test_a_misspelt_triage_id_gets_a_did_you_mean_in_every_output(tmp_path: Path) -> None:
    path = triage_file(
        tmp_path,
        "  - {id: 'tool-data-exfiltration@support-agent@customer-record', status: accepted,"
        " justification: typo}\n",
    )
    meant = "tool-data-exfiltration@support-agent@customer-records"
    code, out = check("--fail-on", "critical", "--triage", str(path))
    assert code == 1
    assert (
        f"  tool-data-exfiltration@support-agent@customer-record  {path}:3:10  "
        f"(did you mean '{meant}'?)"
    ) in out.splitlines()
    code, out = check("--fail-on", "critical", "--triage", str(path), "-f", "json")
    (entry,) = json.loads(out)["triage_unmatched"]
    assert entry["did_you_mean"] == meant
    md = runner.invoke(app, ["analyze", str(RAG), "-f", "markdown", "--triage", str(path)])
    assert (
        f"| `tool-data-exfiltration@support-agent@customer-record` | accepted | `{path}:3:10` "
        f"| `{meant}` |"
    ) in md.output.splitlines()
    text = runner.invoke(app, ["analyze", str(RAG), "--triage", str(path)])
    assert (
        f"tool-data-exfiltration@support-agent@customer-record: accepted ({path}:3:10); "
        f"did you mean '{meant}'?"
    ) in " ".join(text.output.split())  # as wrapped to the terminal
    res = runner.invoke(app, ["analyze", str(RAG), "-f", "json", "--triage", str(path)])
    (entry,) = json.loads(res.output)["triage_unmatched"]
    assert entry == {
        "pattern": "tool-data-exfiltration@support-agent@customer-record",
        "status": "accepted",
        "location": f"{path}:3:10",
        "did_you_mean": meant,
    }


def test_check_json_and_github_formats(tmp_path: Path) -> None:
    code, out = check("--fail-on", "critical", "-f", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["passed"] is False and doc["fail_on"] == "critical"
    assert [f["id"] for f in doc["failing"]] == [HIGH_IDS[1]]
    assert doc["failing"][0]["location"] == "examples/customer-support-rag.yaml:54:9" or doc[
        "failing"
    ][0]["location"].endswith("customer-support-rag.yaml:54:9")
    code, out = check("--fail-on", "critical", "-f", "github")
    first = out.splitlines()[0]
    assert first.startswith("::error file=")
    assert ",line=54,col=9,title=actm%3A Data exfiltration through an agent's tools::" in first


def test_check_writes_sarif_while_gating(tmp_path: Path) -> None:
    sarif = tmp_path / "out" / "actm.sarif"
    code, _ = check("--fail-on", "critical", "--sarif", str(sarif))
    assert code == 1
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    assert doc["version"] == "2.1.0" and doc["runs"][0]["results"]


def test_check_rejects_a_bad_date_and_a_broken_triage_file(tmp_path: Path) -> None:
    code, out = check("--today", "yesterday")
    assert code == 2 and "--today 'yesterday' is not a date" in out
    path = triage_file(tmp_path, "  - {id: x, status: accepted}\n")
    code, out = check("--triage", str(path))
    assert code == 2
    assert f"{path}:3:5: error[missing-key]" in out and "justification" in out


# -- diff -----------------------------------------------------------------------------------------


def edited(tmp_path: Path, old: str, new: str, name: str = "new.yaml") -> Path:
    text = RAG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_diff_of_a_model_with_itself_is_empty() -> None:
    res = runner.invoke(app, ["diff", str(RAG), str(RAG), "--fail-on-new", "info"])
    assert res.exit_code == 0, res.output
    assert "No change in threats." in res.output


def test_diff_finds_new_resolved_and_changed_threats(tmp_path: Path) -> None:
    # make the customer records less critical: threats on them change severity
    new = edited(tmp_path, "confidentiality: critical", "confidentiality: low")
    res = runner.invoke(app, ["diff", str(RAG), str(new), "-f", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    changed = {c["id"]: c for c in doc["changed_threats"]}
    exfil = changed["tool-data-exfiltration@support-agent@customer-records"]
    assert (exfil["old_severity"], exfil["new_severity"]) == ("critical", "low")
    # the reverse direction is worse: the gate fires
    res = runner.invoke(app, ["diff", str(new), str(RAG), "--fail-on-new", "high"])
    assert res.exit_code == 1
    assert "tool-data-exfiltration@support-agent@customer-records" in res.output


SMALL = """actm: 1
system: {id: small}
owners:
  - {id: us, first_party: true}
  - {id: vendor}
zones:
  - {id: corp, trust: high}
nodes:
  - {id: api, kind: service, zone: corp}
models:
  - {id: bot, kind: llm, exposure: internal, deployed_on: [api],
     assets: {inputs: {criticality: {confidentiality: high}}}}
"""

GROWN = (
    SMALL.replace("exposure: internal", "exposure: public")
    + """assumptions:
  - {id: vendor-weights, producer: vendor, asset: bot.model_parameters,
     capability: make_limited_changes}
"""
)


def test_diff_reports_new_threats_assumptions_and_crossings(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(SMALL, encoding="utf-8")
    new.write_text(GROWN, encoding="utf-8")
    res = runner.invoke(app, ["diff", str(old), str(new), "-f", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    new_ids = {t["id"] for t in doc["new_threats"]}
    assert "resource-exhaustion@bot" in new_ids  # the model went public
    assert doc["resolved_threats"] == []
    assert [(a["id"], a["change"]) for a in doc["assumptions"]] == [("vendor-weights", "new")]
    assert {
        (c["source_zone"], c["target_zone"], c["kind"], c["via"]) for c in doc["new_crossings"]
    } == {("external:public", "corp", "public_exposure", "bot")}
    # and back: the same threats are resolved, the crossing removed
    back = json.loads(runner.invoke(app, ["diff", str(new), str(old), "-f", "json"]).output)
    assert {t["id"] for t in back["resolved_threats"]} == new_ids
    assert back["removed_crossings"] == doc["new_crossings"]
    gate = runner.invoke(app, ["diff", str(old), str(new), "--fail-on-new", "low"])
    assert gate.exit_code == 1


def test_diff_of_an_assumption_status_change_and_two_new_crossings(tmp_path: Path) -> None:
    zones = "  - {id: app, name: Acme application network, trust: high}\n"
    new = RAG.read_text(encoding="utf-8")
    for old_text, new_text in (
        ("    status: justified\n", "    status: unjustified\n"),
        (zones, zones + "  - {id: partner, trust: medium}\n  - {id: backup, trust: medium}\n"),
        ("permissions: {egress: [internet]}", "permissions: {egress: [internet, partner, backup]}"),
    ):
        assert old_text in new
        new = new.replace(old_text, new_text)
    path = tmp_path / "new.yaml"
    path.write_text(new, encoding="utf-8")
    res = runner.invoke(app, ["diff", str(RAG), str(path), "--fail-on-new", "info"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "actm diff: customer-support-rag",
        "No change in threats.",
        "assumptions (1):",
        "  ~ vendor-terms: status justified -> unjustified",
        "trust-zone crossings (2):",
        "  + app -> backup: tool egress via send_email",
        "  + app -> partner: tool egress via send_email",
    ]
    doc = json.loads(runner.invoke(app, ["diff", str(path), str(RAG), "-f", "json"]).output)
    assert doc["assumptions"] == [
        {"id": "vendor-terms", "change": "status", "old": "unjustified", "new": "justified"}
    ]
    assert doc["new_crossings"] == []
    assert [(c["target_zone"], c["via"]) for c in doc["removed_crossings"]] == [
        ("backup", "send_email"),
        ("partner", "send_email"),
    ]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_reads_git_revisions_with_their_includes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "models")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "models")
    model = repo / "models" / "credential-theft.yaml"  # it includes shared/ files
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("status: planned", "status: implemented", 1), encoding="utf-8")
    monkeypatch.chdir(repo)
    res = runner.invoke(
        app, ["diff", "git:HEAD:models/credential-theft.yaml", "models/credential-theft.yaml"]
    )
    assert res.exit_code == 0, res.output
    assert "Resolved" in res.output or "resolved" in res.output
    # from a subdirectory, paths are relative to it, as everywhere on the command line
    monkeypatch.chdir(repo / "models")
    res2 = runner.invoke(app, ["diff", "git:HEAD:credential-theft.yaml", "credential-theft.yaml"])
    assert res2.output == res.output
    bad = runner.invoke(app, ["diff", "git:nope:models/credential-theft.yaml", str(model)])
    assert bad.exit_code == 2 and "'nope' names no commit" in bad.output
    malformed = runner.invoke(app, ["diff", "git:HEAD", str(model)])
    assert malformed.exit_code == 2 and "write git:REV:PATH" in malformed.output


def test_diff_applies_triage_files_to_both_sides(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(SMALL, encoding="utf-8")
    new.write_text(GROWN, encoding="utf-8")
    path = triage_file(
        tmp_path,
        "  - {id: 'resource-exhaustion@bot', status: accepted, justification: rate limited,"
        " expires: 2027-01-01}\n"
        "  - {id: 'direct-prompt-injection@bot', status: mitigated, justification: filter}\n",
    )
    base = ["diff", str(old), str(new), "--today", "2026-06-01"]
    gate = runner.invoke(app, [*base, "--fail-on-new", "medium"])
    assert gate.exit_code == 1
    assert "resource-exhaustion@bot" in gate.output
    # NEW's triage settles the accepted threat; the other medium one still fails the gate
    gate = runner.invoke(app, [*base, "--fail-on-new", "medium", "--triage", str(path)])
    assert gate.exit_code == 1
    assert "actm diff: 1 threat at or above medium new or worse: system-prompt-extraction@bot" in (
        gate.output
    )
    assert "resource-exhaustion@bot (accepted until 2027-01-01): " in gate.output
    doc = json.loads(runner.invoke(app, [*base, "-f", "json", "--triage", str(path)]).output)
    triage = {t["id"]: t["triage"] for t in doc["new_threats"]}
    assert triage["resource-exhaustion@bot"]["settled"] is True
    assert triage["system-prompt-extraction@bot"] is None
    # OLD gets the same files: a resolved threat shows the decision it had
    back = runner.invoke(app, ["diff", str(new), str(old), "-f", "json", "--triage", str(path)])
    assert back.exit_code == 0, back.output
    resolved = {t["id"]: t["triage"] for t in json.loads(back.output)["resolved_threats"]}
    assert resolved["direct-prompt-injection@bot"]["status"] == "mitigated"
    # expired: counts again
    late = runner.invoke(
        app,
        [*base[:3], "--today", "2027-01-02", "--triage", str(path), "--fail-on-new", "medium"],
    )
    assert late.exit_code == 1 and "resource-exhaustion@bot, system-prompt-extraction@bot" in (
        late.output
    )


BROKEN_ROOT = """actm: 1
include: [shared/nodes.yaml, shared/missing.yaml]
system: {id: s}
owners:
  - {id: us, first_party: true}
nodes:
  - {id: api, kind: servce}
models:
  - {id: bot, kind: llm, exposure: internal, deployed_on: [api]}
"""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_reports_problems_of_a_git_revision_at_git_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "models" / "shared").mkdir(parents=True)
    (repo / "models" / "system.yaml").write_text(BROKEN_ROOT, encoding="utf-8")
    (repo / "models" / "shared" / "nodes.yaml").write_text(
        "actm: 1\nnodes:\n  - {id: db, kind: databse}\n", encoding="utf-8"
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "broken")
    (repo / "models" / "system.yaml").write_text(SMALL, encoding="utf-8")  # fixed since
    monkeypatch.chdir(repo)
    res = runner.invoke(app, ["diff", "git:HEAD:models/system.yaml", "models/system.yaml"])
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        "git:HEAD:models/shared/nodes.yaml:3:20: error[unknown-kind]: node 'db': unknown node "
        "kind 'databse'",
        "    hint: did you mean 'database'?",
        "git:HEAD:models/system.yaml:2:30: error[include-not-found]: included file "
        "'shared/missing.yaml' not found",
        "    hint: paths are relative to git:HEAD:models/system.yaml",
        "git:HEAD:models/system.yaml:7:21: error[unknown-kind]: node 'api': unknown node kind "
        "'servce'",
        "    hint: did you mean 'service'?",
        "actm: 3 problems found",
    ]
    # from a subdirectory, as the user wrote the path; never the temporary directory
    monkeypatch.chdir(repo / "models")
    res = runner.invoke(app, ["diff", "git:HEAD:system.yaml", "system.yaml"])
    assert res.exit_code == 2
    assert "git:HEAD:shared/nodes.yaml:3:20: error[unknown-kind]" in res.output
    assert "git:HEAD:system.yaml:7:21: error[unknown-kind]" in res.output
    assert "actm-diff-" not in res.output
    # a revision given as NEW is reported the same way
    res = runner.invoke(app, ["diff", "system.yaml", "git:HEAD:system.yaml"])
    assert res.exit_code == 2 and "git:HEAD:system.yaml:7:21" in res.output
