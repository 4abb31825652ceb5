"""The report of ``actm check``: the gate's verdict as text, JSON or GitHub workflow commands.

Locations of failing threats are shown as the user finds them from the current directory: the
result's paths (relative to the model file's directory) joined to the directory of the model
file as the user named it (:attr:`~actm.render.interface.RenderOptions.model_path`).
"""

from __future__ import annotations

import json
import os

from actm.errors import one_line
from actm.render._common import count
from actm.results.gate import Gate
from actm.results.model import Threat
from actm.terms import SEVERITIES_WORST_FIRST

__all__ = ["render_check_github", "render_check_json", "render_check_text"]

_ORDER = SEVERITIES_WORST_FIRST


def _shown(model_path: str, path: str) -> str:
    """A model file named in the result, as the user finds it from the current directory."""
    return os.path.normpath(os.path.join(os.path.dirname(model_path), path))


def _where(model_path: str, t: Threat) -> str | None:
    if not t.locations:
        return None
    loc = t.locations[0]
    return f"{_shown(model_path, loc.path)}:{loc.line}:{loc.column}"


def _why(t: Threat) -> str:
    """Why triage does not settle the threat (and whether it needs a posited weakness)."""
    if t.triage is None:
        why = "not triaged"
    elif t.triage.expired:
        why = f"{t.triage.status} until {t.triage.expires}, expired"
    else:
        why = t.triage.status
    return why + ", hypothetical" if t.hypothetical else why


def render_check_json(decision: Gate, model_path: str) -> str:
    """``passed``, ``fail_on``, the failing threats, unmatched triage and the summary."""
    result = decision.result
    doc = {
        "file": model_path,
        "fail_on": decision.fail_on,
        "passed": decision.passed,
        "failing": [
            {
                "id": t.id,
                "fingerprint": t.fingerprint,
                "severity": t.severity.level,
                "score": t.severity.score,
                "title": t.title,
                "reason": _why(t),
                "location": _where(model_path, t),
            }
            for t in decision.failing
        ],
        "triage_unmatched": [
            {
                "pattern": u.pattern,
                "status": u.status,
                "location": u.location,
                "did_you_mean": u.did_you_mean,
            }
            for u in result.triage_unmatched
        ],
        "summary": result.summary,
    }
    if decision.ignored_hypothetical:
        doc["ignored_hypothetical"] = decision.ignored_hypothetical
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _gh(text: str) -> str:
    """Escape a GitHub workflow-command message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    """Escape a GitHub workflow-command property value (a file path, a title)."""
    return _gh(value).replace(":", "%3A").replace(",", "%2C")


def render_check_github(decision: Gate, model_path: str) -> str:
    """One ``::error`` workflow command per failing threat, then the text summary."""
    lines: list[str] = []
    for t in decision.failing:
        first = t.locations[0] if t.locations else None
        place = (
            f" file={_gh_property(_shown(model_path, first.path))},"
            f"line={first.line},col={first.column},"
            if first
            else " "
        )
        msg = f"{t.id} ({t.severity.level} {t.severity.score}, {_why(t)}): {t.chain_text}"
        title = _gh_property(f"actm: {t.title}")
        lines.append(f"::error{place}title={title}::{_gh(msg)}")
    return "".join(line + "\n" for line in lines) + render_check_text(decision, model_path)


def render_check_text(decision: Gate, model_path: str) -> str:
    """The headline counts, PASS or FAIL with the failing threats, and unmatched triage."""
    result, failing, fail_on = decision.result, decision.failing, decision.fail_on
    s = result.summary
    levels = ", ".join(f"{n} {lvl}" for lvl in _ORDER if (n := s[f"severity_{lvl}"]))
    triaged = s["threats"] - s["untriaged"]
    head = f"actm check {model_path}: {count(s['threats'], 'threat')}"
    head += f" ({levels})" if levels else ""
    head += f"; {s['mitigated']} mitigated by controls; {triaged} settled by triage"
    lines = [head]
    if failing:
        lines.append(
            f"FAIL: {count(len(failing), 'threat')} at or above {fail_on} not settled by triage:"
        )
        for t in failing:
            loc = _where(model_path, t)
            lines.append(
                f"  {t.severity.level:<8} {t.severity.score:>4}  {t.id}  ({_why(t)})"
                + (f"  {loc}" if loc else "")
            )
        lines.append(
            "Fix the chain (a control), or triage the id: see docs/triage.md. "
            "Run 'actm analyze' for the chains."
        )
    else:
        lines.append(f"PASS: no threat at or above {fail_on} is left untriaged")
    if decision.ignored_hypothetical:
        lines.append(
            f"note: {count(decision.ignored_hypothetical, 'hypothetical threat')} at or above "
            f"{fail_on} left out (--ignore-hypothetical)"
        )
    if result.triage_unmatched:
        n = len(result.triage_unmatched)
        lines.append(
            f"note: {n} triage entr{'y matches' if n == 1 else 'ies match'} no threat "
            "(stale? remove or fix the id):"
        )
        lines.extend(
            f"  {u.pattern}  {u.location or ''}".rstrip()
            + (f"  (did you mean {u.did_you_mean!r}?)" if u.did_you_mean else "")
            for u in result.triage_unmatched
        )
    return "".join(one_line(line) + "\n" for line in lines)  # a file name breaks no line
