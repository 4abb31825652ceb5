"""Hypothesis strategies that break model files: in their text, their bytes and their data.

Text mutations work on lines and characters (dropped and duplicated lines, renamed keys, wrong
values, control characters, tabs, deep brackets, anchors and aliases, truncation). Data
mutations work on the parsed tree (dropped and renamed keys, wrong types, huge values, deep
nesting, shared subtrees that the dumper writes as anchors and aliases, duplicate, dangling and
self-referencing ids, derivation cycles) and dump the result back to YAML.
"""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import yaml as pyyaml
from hypothesis import strategies as st
from ruamel.yaml import YAML

# -- values ------------------------------------------------------------------------------------

KEYS = [
    "actm",
    "system",
    "include",
    "id",
    "name",
    "kind",
    "type",
    "owner",
    "zone",
    "nodes",
    "models",
    "assets",
    "relations",
    "tools",
    "adversaries",
    "vulnerabilities",
    "assumptions",
    "controls",
    "triage",
    "from",
    "to",
    "process",
    "resides",
    "node",
    "mode",
    "criticality",
    "confidentiality",
    "integrity",
    "availability",
    "deployed_on",
    "trained_on",
    "stored_on",
    "base_model",
    "exposure",
    "exposes",
    "features",
    "permissions",
    "read",
    "write",
    "execute",
    "egress",
    "holds",
    "asset",
    "capability",
    "class",
    "model",
    "producer",
    "status",
    "removes",
    "blocks",
    "breaks",
    "attack",
    "step",
    "weakens",
    "edge",
    "justifies",
    "cost",
    "expires",
    "grants_access",
    "components",
    "untrusted_sources",
    "first_party",
    "trust",
    "pipeline",
    "<<",
    "",
    "zoen",
    "Kind",
    "id ",
]

NASTY_TEXT = [
    "",
    " ",
    "\t",
    "~",
    "null",
    "true",
    "no",
    "0",
    "-1",
    "1e999",
    "-1e-999",
    "0x" + "f" * 64,
    "0o777",
    ".nan",
    ".inf",
    "-.inf",
    "1" * 5000,
    "9" * 401,
    "1." + "0" * 500,
    "!!int " + "1" * 5000,
    "!!float 1e999",
    "!!int x",
    "!!bool maybe",
    "!!null x",
    "!!str [a]",
    "!!binary aGVsbG8=",
    "!!python/object:os.system",
    "!custom x",
    "!<tag:example.com,2000:x> y",
    "[]",
    "{}",
    "[a, [b, [c]]]",
    "{a: 1, a: 2}",
    "[",
    "{",
    "]",
    "'",
    '"',
    '"\\x07\\0\\ud800"',
    "'it''s'",
    "|\n  block",
    ">-\n  folded",
    "&anchor x",
    "*anchor",
    "*undefined",
    "&a [*a]",
    "<<: *anchor",
    "? complex",
    "- item",
    "key: value: more",
    "@at",
    "`tick",
    "%YAML 1.1",
    "---",
    "...",
    "# comment",
    "2024-01-01",
    "2024-13-45",
    "99999-01-01",
    "x" * 300,
    "y" * 30_000,
    "ä",
    "ı",
    "💥",
    "e\u0301",
    "\u202e",
    "\u200b",
    "\u2028",
    "\u0085",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\ud800",
    "\udfff",
    "\uffff",
    "\r",
    "\r\n",
    "a.b.c.d",
    "a..b",
    ".",
    "..",
    "/dev/zero",
    "/etc",
    "../../../etc/passwd",
    "fuzz.yaml",
    "source:",
    "external-user",
    "*",
    "x->y",
]


def _deep(depth: int, leaf: Any, kind: str) -> Any:
    out = leaf
    for _ in range(depth):
        out = [out] if kind == "list" else {"k": out}
    return out


@st.composite
def nasty_values(draw: st.DrawFn) -> Any:
    """A Python value that is wrong, huge, odd or deep in some way."""
    choice = draw(st.integers(0, 11))
    if choice == 0:
        return draw(st.sampled_from([t for t in NASTY_TEXT if "\n" not in t]))
    if choice == 1:
        return draw(
            st.sampled_from(
                [0, -1, 1, 2**31, 2**63, -(2**63), 10**400, 10**4000, 2**64 + 1, True, False, None]
            )
        )
    if choice == 2:
        return draw(
            st.sampled_from(
                [0.0, -0.0, 1e308, -1e308, 5e-324, float("nan"), float("inf"), float("-inf")]
            )
        )
    if choice == 3:
        return draw(st.text(max_size=20))
    if choice == 4:
        return "x" * draw(st.sampled_from([129, 201, 401, 1001, 2001, 20_001, 100_000]))
    if choice == 5:
        return draw(st.lists(st.text(max_size=5), max_size=4))
    if choice == 6:
        return draw(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
    if choice == 7:
        depth = draw(st.sampled_from([2, 10, 30, 63, 64, 65, 100]))
        return _deep(depth, "x", draw(st.sampled_from(["list", "map"])))
    if choice == 8:
        return []
    if choice == 9:
        return {}
    if choice == 10:
        return draw(st.from_regex(r"[A-Za-z0-9_.-]{0,12}", fullmatch=True))
    return draw(st.sampled_from(["id", "kind", "a.b", "a.b.c", "a.b.c.d", "-x", "x-", "_"]))


# -- text mutations ----------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#][^:#]*?):(\s|$)")
_VALUE_LINE = re.compile(r"^(\s*(?:-\s+)?[^\s:#][^:#]*?:\s+)(\S.*)$")
_ID_RE = re.compile(r"\bid:\s*([A-Za-z0-9][A-Za-z0-9_-]*)")
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

INCLUDE_PATHS = [
    "/dev/zero",
    "/dev/stdin",
    "/dev/null",
    "/proc/self/mem",
    "/etc",
    "/",
    ".",
    "..",
    "~",
    "nonexistent.yaml",
    "shared",
    "shared/platform.yaml",
    "shared//platform.yaml",
    "./shared/../shared/platform.yaml",
    "../../../../../../etc/hostname",
    "x" * 300 + ".yaml",
    "/".join(["y" * 200] * 5),
    '"a\\0b.yaml"',
    '"a\\tb.yaml"',
    "ä.yaml",
    "*.yaml",
    "[a, b]",
    "{a: b}",
]

TEXT_OPS = [
    "include",
    "drop-line",
    "dup-line",
    "swap-lines",
    "rename-key",
    "replace-value",
    "insert",
    "delete-span",
    "truncate",
    "deep-brackets",
    "deep-blocks",
    "tabs",
    "anchor-alias",
    "laughs",
    "retarget-id",
    "dup-id",
    "flip-char",
    "line-endings",
    "splice",
]


def _ids(text: str) -> list[str]:
    return sorted(set(_ID_RE.findall(text)))


@st.composite
def text_mutation(draw: st.DrawFn, text: str, other: str = "") -> str:
    """One mutation of YAML text."""
    lines = text.split("\n")
    n = len(lines)
    op = draw(st.sampled_from(TEXT_OPS))
    i = draw(st.integers(0, max(n - 1, 0)))
    if op == "include":
        # an include: entry naming something odd: a device, a directory, itself, a long name
        paths = draw(st.lists(st.sampled_from(INCLUDE_PATHS), min_size=1, max_size=3))
        entry = "include: [" + ", ".join(paths) + "]"
        at = [k for k, ln in enumerate(lines) if ln.startswith("include:")]
        if at:
            lines[at[0]] = entry
        else:
            lines.insert(draw(st.sampled_from([0, n])), entry)
    elif op == "drop-line":
        del lines[i]
    elif op == "dup-line":
        lines.insert(i, lines[i])
    elif op == "swap-lines":
        j = draw(st.integers(0, max(n - 1, 0)))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "rename-key":
        keyed = [k for k, ln in enumerate(lines) if _KEY_LINE.match(ln)] or [i]
        k = draw(st.sampled_from(keyed))
        new = draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)))
        lines[k] = _KEY_LINE.sub(lambda m: f"{m.group(1)}{new}:{m.group(3)}", lines[k], count=1)
    elif op == "replace-value":
        valued = [k for k, ln in enumerate(lines) if _VALUE_LINE.match(ln)] or [i]
        k = draw(st.sampled_from(valued))
        new = draw(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=10)))
        lines[k] = _VALUE_LINE.sub(lambda m: m.group(1) + new, lines[k], count=1)
    elif op == "insert":
        pos = draw(st.integers(0, len(text)))
        what = draw(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=6)))
        return text[:pos] + what + text[pos:]
    elif op == "delete-span":
        pos = draw(st.integers(0, len(text)))
        size = draw(st.integers(1, 200))
        return text[:pos] + text[pos + size :]
    elif op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif op == "deep-brackets":
        depth = draw(st.sampled_from([10, 63, 64, 65, 256, 3000, 50_000]))
        o, c = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("[{a: ", "}]")]))
        closed = draw(st.booleans())
        valued = [k for k, ln in enumerate(lines) if _VALUE_LINE.match(ln)] or [i]
        k = draw(st.sampled_from(valued))
        nest = o * depth + "x" + (c * depth if closed else "")
        lines[k] = _VALUE_LINE.sub(lambda m: m.group(1) + nest, lines[k], count=1)
    elif op == "deep-blocks":
        depth = draw(st.sampled_from([10, 65, 300, 2500]))
        style = draw(st.sampled_from(["map", "seq"]))
        if style == "map":
            block = [" " * d + "k:" for d in range(depth)] + [" " * depth + "x"]
        else:
            block = ["- " * depth + "x"]
        lines[i:i] = block
    elif op == "tabs":
        indented = [k for k, ln in enumerate(lines) if ln.startswith(" ")] or [i]
        k = draw(st.sampled_from(indented))
        stripped = lines[k].lstrip(" ")
        lines[k] = "\t" * draw(st.integers(1, 3)) + stripped
    elif op == "anchor-alias":
        valued = [k for k, ln in enumerate(lines) if _VALUE_LINE.match(ln)] or [i]
        a = draw(st.sampled_from(valued))
        b = draw(st.sampled_from(valued))
        name = draw(st.sampled_from(["a", "b", "x1"]))
        lines[a] = _VALUE_LINE.sub(lambda m: f"{m.group(1)}&{name} {m.group(2)}", lines[a], 1)
        alias = draw(st.sampled_from([f"*{name}", f"[*{name}, *{name}]", f"{{<<: *{name}}}"]))
        lines[b] = _VALUE_LINE.sub(lambda m: m.group(1) + alias, lines[b], count=1)
    elif op == "laughs":
        levels = draw(st.integers(2, 12))
        width = draw(st.integers(2, 12))
        block = ["lol0: &l0 [" + ", ".join(["lol"] * width) + "]"]
        block += [
            f"lol{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * width) + "]" for k in range(1, levels)
        ]
        at = draw(st.sampled_from([0, n]))
        lines[at:at] = block
    elif op in ("retarget-id", "dup-id"):
        ids = _ids(text)
        if not ids:
            return text + "\n" + draw(st.sampled_from(NASTY_TEXT))
        old = draw(st.sampled_from(ids))
        if op == "dup-id":
            new = draw(st.sampled_from(ids))  # two elements share an id
            hits = [
                k for k, ln in enumerate(lines) if re.search(rf"\bid:\s*{re.escape(old)}\b", ln)
            ]
        else:
            new = draw(st.sampled_from([*ids, old + "x", old[:-1] or "q", "external-user"]))
            hits = [
                k
                for k, ln in enumerate(lines)
                if re.search(rf"(?<![\w.-]){re.escape(old)}(?![\w-])", ln)
            ]
        k = draw(st.sampled_from(hits or [i]))
        pattern = re.compile(rf"(?<![\w.-]){re.escape(old)}(?![\w-])")
        lines[k] = pattern.sub(new, lines[k], count=1)
    elif op == "flip-char":
        if not text:
            return "x"
        pos = draw(st.integers(0, len(text) - 1))
        ch = draw(st.characters(codec="utf-8") | st.sampled_from(list(":-[]{}&*!|>'\"#%@` \t\n")))
        return text[:pos] + ch + text[pos + 1 :]
    elif op == "line-endings":
        return text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\u2028", "\x85"])))
    elif op == "splice" and other:
        olines = other.split("\n")
        j = draw(st.integers(0, len(olines) - 1))
        size = draw(st.integers(1, 20))
        lines[i:i] = olines[j : j + size]
    return "\n".join(lines)


@st.composite
def mutated_text(draw: st.DrawFn, text: str, other: str = "", max_ops: int = 3) -> str:
    for _ in range(draw(st.integers(1, max_ops))):
        text = draw(text_mutation(text, other))
    return text


BYTE_OPS = ["utf16", "bom", "invalid-utf8", "nul", "latin1", "random-bytes", "cr", "huge-line"]


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    """A mutation at the byte level: encodings, BOMs, invalid UTF-8, NUL, raw noise."""
    op = draw(st.sampled_from(BYTE_OPS))
    pos = draw(st.integers(0, len(raw)))
    if op == "utf16":
        return raw.decode("utf-8").encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))
    if op == "bom":
        return b"\xef\xbb\xbf" * draw(st.integers(1, 2)) + raw
    if op == "invalid-utf8":
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]))
        return raw[:pos] + bad + raw[pos:]
    if op == "nul":
        return raw[:pos] + b"\x00" + raw[pos:]
    if op == "latin1":
        return raw[:pos] + "é".encode("latin-1") + raw[pos:]
    if op == "random-bytes":
        return raw[:pos] + draw(st.binary(min_size=1, max_size=16)) + raw[pos:]
    if op == "cr":
        return raw.replace(b"\n", b"\r")
    return raw[:pos] + b"# " + b"x" * 1_000_000 + b"\n" + raw[pos:]


# -- data mutations ----------------------------------------------------------------------------


def _vocabulary_words() -> list[str]:
    from actm.knowledge.vocabulary import builtin_vocabulary

    v = builtin_vocabulary()
    words: set[str] = set()
    for table in (v.asset_types, v.node_kinds, v.model_kinds, v.features, v.processes):
        words.update(table)
    words.update(v.capabilities)
    words.update(v.vulnerability_classes)
    for info in v.asset_types.values():
        words.update(info.components)
    words.update(["stored", "processed", "transmitted", "none", "low", "medium", "high"])
    words.update(["critical", "public", "internal", "development", "deployment", "planned"])
    words.update(["implemented", "justified", "unjustified", "accepted", "open", "untrusted"])
    return sorted(words)


WORDS = _vocabulary_words()

DATA_OPS = [
    "swap-word",
    "ref-combo",
    "drop-key",
    "rename-key",
    "wrong-value",
    "add-key",
    "dup-item",
    "drop-item",
    "dangle",
    "self-ref",
    "retarget",
    "share",
    "derives-cycle",
    "random-relation",
    "many-items",
    "empty-section",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out.extend(_paths(v, (*prefix, k)))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


def _ids_in(data: dict[str, Any]) -> list[str]:
    out = set()
    for v in data.values():
        if isinstance(v, list):
            for item in v:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    out.add(item["id"])
    return sorted(out)


def _strings(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_strings(v, (*prefix, k)))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out.extend(_strings(v, (*prefix, k)))
    elif isinstance(node, str):
        out.append((prefix, node))
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    if not path:
        return
    _get(data, path[:-1])[path[-1]] = value


def _models(data: dict[str, Any]) -> list[str]:
    items = data.get("models")
    if not isinstance(items, list):
        return []
    return [m["id"] for m in items if isinstance(m, dict) and isinstance(m.get("id"), str)]


def _append(data: dict[str, Any], section: str, item: Any) -> None:
    items = data.get(section)
    if not isinstance(items, list):
        items = []
        data[section] = items
    items.append(item)


@st.composite
def data_mutation(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Mutate ``data`` (a parsed model) in place."""
    op = draw(st.sampled_from(DATA_OPS))
    paths = _paths(data)
    ids = _ids_in(data)
    if op == "swap-word":
        # another word of the vocabulary where one is expected: kinds, classes, modes, ...
        strings = _strings(data)
        if strings:
            path, _ = draw(st.sampled_from(strings))
            _set(data, path, draw(st.sampled_from(WORDS)))
        return
    if op == "ref-combo":
        # a reference that looks right: an id, id.word or id.word.word from real names
        strings = _strings(data)
        if strings and ids:
            path, _ = draw(st.sampled_from(strings))
            parts = [draw(st.sampled_from(ids))]
            parts += draw(st.lists(st.sampled_from(WORDS + ids), max_size=2))
            _set(data, path, ".".join(parts))
        return
    if op in ("drop-key", "rename-key", "add-key"):
        maps = [p for p in paths if isinstance(_get(data, p), dict)]
        path = draw(st.sampled_from(maps))
        node = _get(data, path)
        if op == "add-key":
            key = draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)))
            node[key] = draw(nasty_values())
            return
        if not node:
            return
        key = draw(st.sampled_from(sorted(node, key=str)))
        value = node.pop(key)
        if op == "rename-key":
            new = draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)))
            node[new] = value
    elif op == "wrong-value":
        path = draw(st.sampled_from(paths[1:] or [()]))
        _set(data, path, draw(nasty_values()))
    elif op in ("dup-item", "drop-item"):
        lists = [p for p in paths if isinstance(_get(data, p), list) and _get(data, p)]
        if not lists:
            return
        items = _get(data, draw(st.sampled_from(lists)))
        k = draw(st.integers(0, len(items) - 1))
        if op == "dup-item":
            items.insert(k, copy.deepcopy(items[k]))
        else:
            del items[k]
    elif op in ("dangle", "self-ref", "retarget"):
        refs = [(p, s) for p, s in _strings(data) if any(s.split(".")[0] == i for i in ids)]
        if not refs:
            return
        path, s = draw(st.sampled_from(refs))
        head, dot, rest = s.partition(".")
        if op == "dangle":
            new = draw(st.sampled_from([head + "x", "nope", head.upper(), head + "." + head]))
        elif op == "self-ref":
            # refer to the element that holds the reference
            owner = _get(data, path[:2]) if len(path) >= 2 else None
            own = owner.get("id") if isinstance(owner, dict) else None
            new = own if isinstance(own, str) else head
        else:
            new = draw(st.sampled_from(ids))
        _set(data, path, new + (dot + rest if dot and op != "dangle" else ""))
    elif op == "share":
        # the same object in two places: the dumper writes an anchor and an alias
        subtrees = [p for p in paths[1:] if isinstance(_get(data, p), (dict, list))]
        if len(subtrees) < 2:
            return
        a = draw(st.sampled_from(subtrees))
        b = draw(st.sampled_from(subtrees))
        if b[: len(a)] == a:
            return
        _set(data, b, _get(data, a))
    elif op == "derives-cycle":
        models = _models(data)
        if not models:
            return
        chain = draw(st.lists(st.sampled_from(models), min_size=1, max_size=4))
        asset = draw(st.sampled_from(["model_parameters", "dataset", "outputs", "inputs"]))
        process = draw(st.sampled_from(["training", "inference", "fine_tuning", "feedback"]))
        for a, b in zip(chain, [*chain[1:], chain[0]], strict=True):
            _append(
                data,
                "relations",
                {
                    "from": f"{a}.{asset}",
                    "to": f"{b}.model_parameters",
                    "kind": "derives",
                    "process": process,
                },
            )
        if draw(st.booleans()):
            m = draw(st.sampled_from(models))
            items = data["models"]
            for item in items:
                if isinstance(item, dict) and item.get("id") == m:
                    item["base_model"] = draw(st.sampled_from(models))
    elif op == "random-relation":
        targets = ids + [
            f"{m}.{a}" for m in _models(data) for a in ("inputs", "outputs", "dataset")
        ]
        if not targets:
            return
        rel: dict[str, Any] = {
            "from": draw(st.sampled_from(targets)),
            "to": draw(st.sampled_from(targets)),
            "kind": draw(st.sampled_from(["derives", "feeds", "part_of", "writes", "x"])),
        }
        if draw(st.booleans()):
            rel["process"] = draw(st.sampled_from(["training", "inference", "retrieval", "x"]))
        _append(data, "relations", rel)
    elif op == "many-items":
        section = draw(st.sampled_from(["nodes", "zones", "owners", "triage"]))
        count = draw(st.sampled_from([100, 1000]))
        kind = "service" if section == "nodes" else None
        for k in range(count):
            item: dict[str, Any] = {"id": f"gen{k}"}
            if kind:
                item["kind"] = kind
            _append(data, section, item)
    elif op == "empty-section":
        section = draw(st.sampled_from(sorted(k for k in data if isinstance(k, str)) or ["x"]))
        data[section] = draw(st.sampled_from([None, [], {}, "", 0]))


@st.composite
def mutated_data(draw: st.DrawFn, data: dict[str, Any], max_ops: int = 3) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, max_ops))):
        draw(data_mutation(data))
    return data


def dump_yaml(data: Any) -> str:
    """YAML text of plain data; a subtree used twice becomes an anchor and an alias."""
    dumper = getattr(pyyaml, "CSafeDumper", pyyaml.SafeDumper)
    try:  # libyaml's emitter is many times faster than ruamel's pure-Python one
        return str(pyyaml.dump(data, Dumper=dumper, default_flow_style=False, sort_keys=False))
    except (pyyaml.YAMLError, UnicodeError, ValueError):  # e.g. a lone surrogate
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        buf = io.StringIO()
        yaml.dump(data, buf)
        return buf.getvalue()
