"""How chain steps read: the wording of ``vocabulary/rules.yaml``, checked against the engine.

Every :class:`~actm.engine.facts.Rule` must have an entry in rules.yaml and every entry must
name a rule; each template may use only the placeholders its rule fills in (:data:`FIELDS`),
and each rule has exactly the variants the engine picks. A wording that breaks any of this
stops the analysis with a located :class:`~actm.errors.KnowledgeError` (exit 3) before the
closure runs, never a chain with a hole in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from actm.engine.facts import Rule
from actm.errors import Diagnostic, KnowledgeError
from actm.io.diagnose import did_you_mean
from actm.knowledge.rules import ChainWording, RuleWording

__all__ = ["FIELDS", "Wording"]

_CAPABILITY = frozenset({"capability", "target", "persistent"})
"""What every step that derives a capability fills in."""
_NODE = frozenset({"node", "vulnerability_class"})
"""What every step that makes a vulnerability active on a node fills in."""

FIELDS: Mapping[Rule, Mapping[str, frozenset[str]]] = {
    Rule.ADVERSARY: {"": _CAPABILITY | {"adversary"}},
    Rule.PUBLIC_USER: {"": _CAPABILITY | {"adversary"}},
    Rule.OUTSIDE_CONTENT: {"": _CAPABILITY | {"adversary", "source"}},
    Rule.THIRD_PARTY: {"": _CAPABILITY | {"adversary", "operator", "node"}},
    Rule.ASSUMPTION: {"": _CAPABILITY | {"assumption", "status", "producer"}},
    Rule.ASSUMPTION_SENDS: {"": _CAPABILITY | {"assumption", "status", "producer"}},
    Rule.VULNERABILITY: {"": _NODE},
    Rule.RESIDENCY: {
        "": _CAPABILITY | _NODE,
        "declared": _CAPABILITY | _NODE | {"vulnerability"},
    },
    Rule.AI_WEAKNESS: {"": _CAPABILITY | {"vulnerability", "vulnerability_class"}},
    Rule.COMPONENT_UP: {"": _CAPABILITY},
    Rule.COMPONENT_DOWN: {"": _CAPABILITY},
    Rule.DEPENDENCY: {"": _CAPABILITY | {"relation", "process", "source"}},
    Rule.FEEDS: {"": _CAPABILITY | {"relation"}},
    Rule.FEEDS_BACK: {"": _CAPABILITY | {"relation", "into"}, "tool": _CAPABILITY | {"tool"}},
    Rule.PART_OF: {"": _CAPABILITY | {"relation"}},
    Rule.TOOL_CALL: {"": _CAPABILITY | {"tool", "caller"}},
    Rule.TOOL_WRITE: {"": _CAPABILITY | {"tool"}},
    Rule.TOOL_EXECUTE: {"": _NODE | {"tool"}},
    Rule.TOOL_EXFILTRATE: {
        "": _CAPABILITY | {"reader", "egress"},
        "one_tool": _CAPABILITY | {"reader", "egress"},
    },
    Rule.TOOL_RESULTS: {"": _CAPABILITY | {"tool"}},
    Rule.TOOL_DEFINITION: {"": _CAPABILITY | {"tool"}},
    Rule.CREDENTIAL_TOOL: {"": _CAPABILITY | {"tool"}},
    Rule.CREDENTIAL_NODE: {"": _NODE | {"credential"}},
    Rule.ATTACK: {"": _CAPABILITY | {"attack"}},
    Rule.CONVERSION: {"": _CAPABILITY | {"attack"}},
    Rule.TOOL_DELETE: {"": _CAPABILITY | {"tool"}},
    Rule.CREDENTIAL_GRANT: {"": _CAPABILITY | {"credential", "permission"}},
    Rule.CONTAINED: {"": _CAPABILITY | {"container"}},
    Rule.PACKAGE_CODE: {"": _NODE | {"package"}},
    Rule.NETWORK: {"": _CAPABILITY | {"adversary", "relation", "weakness"}},
    Rule.PHYSICAL: {"": _CAPABILITY | {"adversary", "model"}},
}
"""Rule -> variant ("" for ``text``) -> the placeholders the engine fills in for it."""


class Wording:
    """The templates of rules.yaml by rule number, checked; :meth:`text` fills one in."""

    def __init__(self, wording: ChainWording) -> None:
        errors = check(wording)
        if errors:
            raise KnowledgeError(errors)
        self.persistent_mark = wording.persistent_mark
        self.names: list[str] = [""] * (max(Rule) + 1)
        """Rule number -> its name as chains show it."""
        self._templates: list[Mapping[str, str]] = [{}] * (max(Rule) + 1)
        for rule in Rule:
            entry = wording.rules[rule.name.lower()]
            self.names[rule] = entry.id
            self._templates[rule] = {"": entry.text, **entry.variants}

    def text(self, rule: int, variant: str, values: Mapping[str, object]) -> str:
        """The wording of a step derived by ``rule``, filled in with ``values``."""
        return self._templates[rule][variant].format_map(values)


def check(wording: ChainWording) -> list[Diagnostic]:
    """Every problem between rules.yaml and the engine's rules, located."""
    known = {r.name.lower(): r for r in Rule}
    errors: list[Diagnostic] = []
    for name, entry in sorted(wording.rules.items()):
        rule = known.get(name)
        if rule is None:
            errors.append(
                Diagnostic(
                    "unknown-rule",
                    f"rules.yaml: the engine has no rule {name!r}",
                    entry.location,
                    did_you_mean(name, known, what="rules"),
                )
            )
            continue
        errors += _check_entry(entry, FIELDS[rule])
    for name in known:
        if name not in wording.rules:
            errors.append(
                Diagnostic(
                    "missing-rule",
                    f"rules.yaml has no entry for the engine's rule {name!r}",
                    None,
                    "add an entry with its id, teams and text",
                )
            )
    return errors


def _check_entry(entry: RuleWording, fields: Mapping[str, frozenset[str]]) -> list[Diagnostic]:
    errors: list[Diagnostic] = []
    for variant in entry.variants:
        if variant not in fields:
            named = sorted(v for v in fields if v)
            errors.append(
                Diagnostic(
                    "unknown-variant",
                    f"rule {entry.id}: the engine picks no variant {variant!r}",
                    entry.locations.get(variant, entry.location),
                    f"its variants: {', '.join(named)}" if named else "it has none: use text",
                )
            )
    for variant, allowed in fields.items():
        if variant and variant not in entry.variants:
            errors.append(
                Diagnostic(
                    "missing-variant",
                    f"rule {entry.id} lacks the variant {variant!r}",
                    entry.location,
                    f"add variants: {{{variant}: ...}}",
                )
            )
            continue
        where = entry.locations.get(variant or "text", entry.location)
        for problem, hint in _template_problems(entry.template(variant), allowed):
            what = f"variant {variant}" if variant else "text"
            errors.append(
                Diagnostic("bad-template", f"rule {entry.id} {what}: {problem}", where, hint)
            )
    return errors


def _template_problems(template: str, allowed: frozenset[str]) -> list[tuple[str, str | None]]:
    """(problem, hint) for each way ``template`` is not a plain ``{name}`` template whose
    names are all in ``allowed``."""
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:
        return [(f"{exc} in {template!r}", "write {{ or }} for a literal brace")]
    out: list[tuple[str, str | None]] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion:
            out.append((f"{{{name}}} has a conversion or format", "write just {name}"))
        if name not in allowed:
            out.append(
                (
                    f"unknown placeholder {{{name}}}",
                    did_you_mean(name, allowed, what="placeholders"),
                )
            )
    return out
