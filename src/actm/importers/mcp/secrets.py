"""Secrets in MCP configurations: which names hold one, which values are real, redaction.

A configuration passes secrets to a server in environment variables, HTTP headers,
command-line arguments and its URL (a password, or a query parameter such as ``api_key``).
actm never copies a secret value into a model: it records the *name* (``GITHUB_TOKEN``),
whether the configuration file itself holds the value (a literal, rather than a placeholder
such as ``${input:token}`` or ``<API_KEY>``), and it redacts values from the command lines and
URLs it quotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from actm.importers.draft import REDACTED

__all__ = [
    "REDACTED",
    "bare",
    "holds_value",
    "is_secret_name",
    "redact_args",
    "secret_args",
    "secret_values",
    "secrets_in",
]


_SECRET_WORDS = re.compile(
    r"(^|[^a-z])(token|secret|password|passwd|passphrase|pwd|pass|pat|api[-_]?key|apikey|key|"
    r"auth|jwt|"
    r"sig|signature|authorization|credentials?|cookie|session|private|bearer|dsn|"
    r"connection[-_]?string)"
    r"([^a-z]|$)",
    re.IGNORECASE,
)
_NOT_SECRET = re.compile(
    r"(^|[_-])(path|file|dir|url|uri|host|port|id|name|region|level|mode|type|enabled|"
    r"method|provider|timeout|ttl|limit|domain|prefix|version|alg|algorithm|through|length)$"
    r"|(^|[_-])(page|next[_-]page|continuation|sort|cache|public|publishable|anon)[_-]"
    r"(token|key)$",
    re.I,
)
"""Names that hold a setting about a secret, or a value public by design, not the secret."""
_PLACEHOLDER = re.compile(r"\$\{++[^{}]*+\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]*>|(?<!\{)\{++[^{}]*+\}")
"""A placeholder: ``${...}``, ``$NAME``, ``<...>``, ``{...}``, and their doubled forms
(``{{user}}``, ``${{ secrets.X }}``: a run of opening braces is taken whole). A search never
scans past the next opening bracket of its kind, and never backs into a run of braces: linear in
the value (with ``[^}]*`` a megabyte of ``<`` or ``{`` took quadratic time)."""
_SCHEME = re.compile(r"^\s*(bearer|basic|token|apikey)\s+", re.IGNORECASE)
_KNOWN_TOKEN = re.compile(
    r"\b(sk-[A-Za-z0-9_-]{16,}+|gh[pousr]_[A-Za-z0-9]{20,}+|github_pat_[A-Za-z0-9_]{20,}+|"
    r"xox[abpr]-[A-Za-z0-9-]{10,}+|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}+|"
    r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{10,}+)"
)
"""Tokens of known services by their shape. A web token, the one shape that can fail after a
long run, starts only where no character of its alphabet precedes it, and the runs give back
nothing (``{10,}+``): tried at every ``eyJ`` of a long argument of ``eyJ-``, it took time
quadratic in the argument's length."""
_URL_PASSWORD = re.compile(
    r"(?<![a-z0-9+.-])(?P<head>[a-z][a-z0-9+.-]*+://[^/:@\s]*+:)(?P<password>[^@/\s]++)@",
    re.I,
)
"""A password in a URL. The scheme starts where no scheme character precedes it: tried at
every letter of a long argument, it took time quadratic in its length."""
_URL_START = re.compile(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*+://", re.I)
"""Where a URL starts: its scheme, where no scheme character precedes it. A URL runs to the
next blank (:func:`_urls`)."""
_BLANK = re.compile(r"\s")
_PARAMS = re.compile(r"[&;?#]")
"""What separates the parameters of a query, and of a fragment that carries some (an OAuth
``#access_token=``)."""
_FLAG_VALUE = re.compile(r"^(?P<flag>--?[A-Za-z0-9][A-Za-z0-9_.-]*)=(?P<value>.*)$", re.DOTALL)
_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$", re.DOTALL)
"""``--flag=VALUE`` and ``NAME=VALUE``; a value may run over several lines (a JSON object)."""


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
"""Where a camelCase name's words meet (``accessToken``, ``openAIKey``, ``HFToken``)."""
_HEADER_ARG = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_-]*+):[ \t]*+(?P<value>[^ \t].*)$")
"""An HTTP header given as one argument (``--header "Authorization: Bearer TOKEN"``)."""


def is_secret_name(name: str) -> bool:
    """Whether an environment variable, header, flag or URL parameter of this name carries a
    secret (``API_KEY``, ``GITHUB_PERSONAL_ACCESS_TOKEN``, ``Authorization``, ``--api-key``,
    ``accessToken``); not a name such as ``page_token`` or ``public_key``."""
    bare = _CAMEL.sub("_", name.lstrip("-"))
    return bool(_SECRET_WORDS.search(bare)) and not _NOT_SECRET.search(bare)


def bare(value: str) -> str:
    """A secret value without its scheme (``Bearer VALUE`` -> ``VALUE``)."""
    return _SCHEME.sub("", value).strip()


def holds_value(value: object) -> bool:
    """Whether a configured value is the secret itself rather than a placeholder
    (``${input:token}``, ``$TOKEN``, ``<API_KEY>``, ``{token}``, ``Bearer ${KEY}``, empty)."""
    if not isinstance(value, str):
        return False
    return len(_PLACEHOLDER.sub("", bare(value)).strip()) >= 4


def _urls(text: str) -> list[tuple[int, int]]:
    """Where the URLs of ``text`` start and end. Each search starts after the URL before, so
    the text is read once (a regex running to the blank from every ``://`` of ``a://a://...``
    would take time quadratic in it)."""
    out: list[tuple[int, int]] = []
    at = 0
    while (start := _URL_START.search(text, at)) is not None:
        blank = _BLANK.search(text, start.end())
        at = len(text) if blank is None else blank.start()
        out.append((start.start(), at))
    return out


def _query_secrets(text: str) -> list[tuple[str, str, int, int]]:
    """The parameters of the URL queries and fragments in ``text`` whose names carry a secret
    (``?api_key=VALUE``, ``&token=VALUE``, ``#access_token=VALUE``): (name, value, where the
    value starts, ends)."""
    out: list[tuple[str, str, int, int]] = []
    for start, end in _urls(text):
        url = text[start:end]
        mark = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=-1)
        if mark < 0:
            continue
        at = start + mark + 1
        for part in _PARAMS.split(url[mark + 1 :]):
            name, equals, value = part.partition("=")
            if equals and is_secret_name(unquote(name)):
                begin = at + len(name) + 1
                out.append((unquote(name), value, begin, begin + len(value)))
            at += len(part) + 1
    return out


def _json_of(arg: str) -> tuple[str, Any] | None:
    """An argument that is a JSON object or list, or ends in one after ``--flag=`` or
    ``NAME=`` (``--config '{"apiKey": ...}'``, as the Smithery CLI writes them): the text
    before the JSON and the parsed value; None for any other argument (too deep to parse
    too: it is read as text)."""
    head = ""
    split = _FLAG_VALUE.match(arg) or _ASSIGNMENT.match(arg)
    if split is not None:
        head = arg[: split.start("value")]
    body = arg[len(head) :]
    if not body.lstrip().startswith(("{", "[")):
        return None
    try:
        return head, json.loads(body)
    except (ValueError, RecursionError):
        return None


def _json_leaves(data: Any) -> list[tuple[str, str, bool]]:
    """(the key it is under, the string, whether a secret key is above it) of each string
    leaf of ``data``, read without recursion."""
    out: list[tuple[str, str, bool]] = []
    stack: list[tuple[Any, str, bool]] = [(data, "", False)]
    while stack:
        item, key, secret = stack.pop()
        if isinstance(item, str):
            out.append((key, item, secret))
        elif isinstance(item, dict):
            for k, v in item.items():
                stack.append((v, str(k), secret or is_secret_name(str(k))))
        elif isinstance(item, list):
            stack.extend((v, key, secret) for v in item)
    return out


def _jsonsecrets_in(data: Any) -> list[tuple[str, str, bool]]:
    """The secrets of a JSON argument: each string under a secret key, and what the text of
    every other string holds (a database URL with a password, a token)."""
    out: list[tuple[str, str, bool]] = []
    for key, value, secret in _json_leaves(data):
        if secret:
            out.append((key, value, holds_value(value)))
        else:
            out += secrets_in([value])
    return out


def _redact_json(head: str, data: Any) -> str:
    """A JSON argument with every string under a secret key replaced, and the others
    redacted as text; nested objects and lists are rebuilt without recursion."""
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any] | dict[str, Any], int | str, bool]] = [(data, root, 0, False)]
    while stack:
        item, parent, slot, secret = stack.pop()
        if isinstance(item, dict):
            made: dict[str, Any] = {}
            parent[slot] = made  # type: ignore[index]
            for k, v in item.items():
                made[str(k)] = None
                stack.append((v, made, str(k), secret or is_secret_name(str(k))))
        elif isinstance(item, list):
            listed: list[Any] = [None] * len(item)
            parent[slot] = listed  # type: ignore[index]
            stack.extend((v, listed, n, secret) for n, v in enumerate(item))
        elif isinstance(item, str):
            parent[slot] = _shown(item) if secret else _redact_text(item)  # type: ignore[index]
        else:
            parent[slot] = item  # type: ignore[index]
    return head + json.dumps(root[0], ensure_ascii=False, separators=(",", ":"))


_URL_PLACEHOLDER = re.compile(r"(?:\$\{[^{}]*+\}|\{\{[^{}]*+\}\}|<[^<>]*+>)++")
"""A URL password that is placeholders a client expands and nothing else: ``${DB_PASSWORD}``,
``${input:pw}``, ``{{pw}}``, ``<PASSWORD>``, ``${A}${B}``. Anything else, ``$`` inside or
short, is a password."""


def _url_password_held(password: str) -> bool:
    """Whether a URL's password is the password itself, not a placeholder."""
    return _URL_PLACEHOLDER.fullmatch(password) is None


def _password_redacted(match: re.Match[str]) -> str:
    """A URL's password replaced, unless it is a placeholder (``${DB_PASSWORD}``)."""
    password = match.group("password")
    shown = REDACTED if _url_password_held(password) else password
    return f"{match.group('head')}{shown}@"


def _shown(value: str) -> str:
    """A secret value as a draft may quote it: redacted, unless it is a placeholder."""
    return REDACTED if holds_value(value) else value


def _redact_text(text: str) -> str:
    pieces: list[str] = []
    kept = 0  # the text up to here is in pieces
    for _, value, start, end in _query_secrets(text):
        if holds_value(value):
            pieces += (text[kept:start], REDACTED)
            kept = end
    text = "".join(pieces) + text[kept:]
    text = _URL_PASSWORD.sub(_password_redacted, text)
    return _KNOWN_TOKEN.sub(REDACTED, text)


def secrets_in(args: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(a name, the value, whether the line holds it) of each secret a command line passes."""
    out: list[tuple[str, str, bool]] = []
    taken = -1  # the index of a value already counted as a secret flag's
    for i, arg in enumerate(args):
        flag = _FLAG_VALUE.match(arg)
        if flag is not None and is_secret_name(flag.group("flag")):
            value = flag.group("value")
            out.append((flag.group("flag").lstrip("-"), value, holds_value(value)))
            continue
        if arg.startswith("-") and "=" not in arg and is_secret_name(arg):
            following = args[i + 1] if i + 1 < len(args) else ""
            if not following.startswith("-"):
                out.append((arg.lstrip("-"), following, holds_value(following)))
                taken = i + 1
            continue
        if i == taken:
            continue
        assignment = _ASSIGNMENT.match(arg)
        if assignment is not None and is_secret_name(assignment.group("name")):
            value = assignment.group("value")  # env NAME=VALUE, docker -e NAME=VALUE
            out.append((assignment.group("name"), value, holds_value(value)))
            continue
        header = _HEADER_ARG.match(arg)
        if header is not None and is_secret_name(header.group("name")):
            value = header.group("value")
            out.append((header.group("name"), value, holds_value(value)))
            continue
        parsed = _json_of(arg)
        if parsed is not None:
            out += _jsonsecrets_in(parsed[1])
            continue
        for match in _URL_PASSWORD.finditer(arg):
            scheme, password = match.group("head").split(":", 1)[0], match.group("password")
            out.append((f"{scheme}-password", password, _url_password_held(password)))
        for name, value, _, _ in _query_secrets(arg):
            out.append((name, value, holds_value(value)))
        for token in _KNOWN_TOKEN.finditer(arg):
            out.append((f"token-in-argument-{i + 1}", token.group(0), True))
    return out


def secret_args(args: Sequence[str]) -> list[tuple[str, bool]]:
    """The secrets a command line passes: (a name for it, whether the line holds the value)
    for each secret flag (``--api-key VALUE``, ``--token=VALUE``), each variable assigned
    (``NAME=VALUE``, as ``env`` and ``docker -e`` take them), each header given as an
    argument (``--header "Authorization: Bearer VALUE"``), each URL with a password
    (``postgres://user:PASSWORD@host``), each secret parameter of a URL's query or fragment
    (``https://host/mcp?api_key=VALUE``) and each argument shaped like a well-known token
    (one per argument)."""
    out: list[tuple[str, bool]] = []
    for name, _, holds in secrets_in(args):
        if name.startswith("token-in-argument-") and out and out[-1][0] == name:
            continue
        out.append((name, holds))
    return out


def secret_values(args: Sequence[str]) -> list[str]:
    """The secret values a command line holds (not placeholders), as written in it."""
    return [value for _, value, holds in secrets_in(args) if holds]


def redact_args(args: Sequence[str]) -> list[str]:
    """``args`` with secret values replaced by ``<redacted>``: the value after a secret flag
    (``--api-key VALUE``, ``--token=VALUE``), ``NAME=VALUE`` with a secret name, passwords and
    secret query parameters in URLs, and strings shaped like well-known tokens."""
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            hide_next = False
            if holds_value(arg) and not arg.startswith("-"):
                out.append(REDACTED)
                continue
        flag = _FLAG_VALUE.match(arg)
        assignment = _ASSIGNMENT.match(arg)
        if flag is not None and is_secret_name(flag.group("flag")):
            value = flag.group("value")
            out.append(f"{flag.group('flag')}={_shown(value)}")
        elif assignment is not None and is_secret_name(assignment.group("name")):
            value = assignment.group("value")
            out.append(f"{assignment.group('name')}={_shown(value)}")
        elif (header := _HEADER_ARG.match(arg)) and is_secret_name(header.group("name")):
            value = header.group("value")
            out.append(f"{header.group('name')}: {_shown(value)}")
        elif (parsed := _json_of(arg)) is not None:
            out.append(_redact_json(*parsed))
        else:
            if arg.startswith("-") and "=" not in arg and is_secret_name(arg):
                hide_next = True
            out.append(_redact_text(arg))
    return out
