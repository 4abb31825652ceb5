"""Writing drafts: a new model's text, and additions into a user's model that keep its text."""

from __future__ import annotations

import pytest

from actm.errors import UsageError
from actm.importers.draft import Draft, DraftBuilder, Review, merge
from actm.importers.emit import Existing, merge_into, render
from actm.io.yaml import parse_yaml


def small() -> Draft:
    b = DraftBuilder("in.json", "demo")
    b.system("demo", {"name": "Demo", "owner": "us"}, review=[Review("", "name the system")])
    b.add("owners", "us", {"name": "Us", "first_party": True})
    b.add(
        "owners",
        "vendor",
        {"name": "Vendor"},
        "/vendor",
        [Review("name", "the legal name?"), Review("description", "what do they do?")],
    )
    b.add("nodes", "box", {"kind": "host", "owner": "vendor"}, "/box")
    b.add(
        "assets",
        "notes",
        {
            "type": "document_store",
            "description": "a: b # not a comment",
            "resides": [{"node": "box", "mode": "stored"}],
        },
        "/notes",
        [Review("", "is it needed?")],
    )
    b.note("unplaced", "entry 'x' has no type", "/x")
    return b.build()


EXPECTED = """\
# Drafted by actm from in.json (demo).
# Every element says where it came from (# from FILE#/pointer). A '# review:' line marks
# a decision the input does not make: answer each one, then run actm validate.
actm: 1
system:
  # from in.json
  # review: name the system
  id: demo
  name: Demo
  owner: us

owners:
  # from in.json
  - id: us
    name: Us
    first_party: true
  # from in.json#/vendor
  - id: vendor
    # review: name: the legal name?
    name: Vendor
    # review: description: what do they do?

nodes:
  # from in.json#/box
  - id: box
    kind: host
    owner: vendor

assets:
  # from in.json#/notes
  # review: is it needed?
  - id: notes
    type: document_store
    description: 'a: b # not a comment'
    resides:
      - {node: box, mode: stored}

# Not placed in the model:
# - in.json#/x: entry 'x' has no type
"""


def test_render_places_origins_and_reviews() -> None:
    text = render(small())
    assert text == EXPECTED
    assert parse_yaml(text).data["assets"][0]["description"] == "a: b # not a comment"


def test_render_is_deterministic() -> None:
    assert render(small()) == render(merge([small()]))


USER = """\
# my model; hand-written
actm: 1
system: {id: demo, owner: acme}   # the system
owners:
- {id: acme, first_party: true}   # us
-   id: box
    name: "A box, but an owner"
nodes:
  - id: web   # front end
    kind: web_app
    # a trailing comment of the list

# models come later
models: []
"""


def existing(text: str) -> Existing:
    data = parse_yaml(text).data
    ids = {}
    for section in ("owners", "zones", "nodes", "models", "assets", "tools", "relations"):
        for item in data.get(section) or ():
            ids.setdefault(item.get("id"), section)
    return Existing(ids, frozenset(), data["system"].get("owner"))


def inserted(before: str, after: str) -> list[str]:
    """The lines of ``after`` that are not in ``before``; asserts the rest is ``before``,
    line for line, in order."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    added: list[str] = []
    i = 0
    for line in new:
        if i < len(old) and line == old[i]:
            i += 1
        else:
            added.append(line.rstrip("\r\n"))
    assert i == len(old), "lines of the user's file went missing"
    return added


def test_merge_keeps_the_users_text_and_adds_at_the_end_of_sections() -> None:
    doc = parse_yaml(USER, "model.yaml")
    merged = merge_into(doc, small(), existing(USER))
    added = inserted(USER, merged.text)
    # the owners list has its dashes at column 0, the nodes list at 2: each keeps its own
    assert added == [
        "# from in.json#/vendor",
        "- id: vendor",
        "  # review: name: the legal name?",
        "  name: Vendor",
        "  # review: description: what do they do?",
        # box is an owner in the user's model: the drafted node is renamed, references too
        "  # from in.json#/box",
        "  - id: box-node",
        "    kind: host",
        "    owner: vendor",
        "",
        "assets:",
        "  # from in.json#/notes",
        "  # review: is it needed?",
        "  - id: notes",
        "    type: document_store",
        "    description: 'a: b # not a comment'",
        "    resides:",
        "      - {node: box-node, mode: stored}",
    ]
    data = parse_yaml(merged.text).data
    assert [o["id"] for o in data["owners"]] == ["acme", "box", "vendor"]
    assert [n["id"] for n in data["nodes"]] == ["web", "box-node"]
    assert data["models"] == []
    assert data["assets"][0]["resides"] == [{"node": "box-node", "mode": "stored"}]
    assert merged.added == (("owners", "vendor"), ("nodes", "box-node"), ("assets", "notes"))
    # the drafted first-party owner is the model's own
    assert merged.kept == (("owners", "acme"),)
    assert dict(merged.renamed) == {"box": "box-node"}
    assert merged.reviews == 3


def test_merge_is_idempotent() -> None:
    once = merge_into(parse_yaml(USER, "m.yaml"), small(), existing(USER)).text
    twice = merge_into(parse_yaml(once, "m.yaml"), small(), existing(once))
    assert twice.text == once
    assert twice.added == ()


@pytest.mark.parametrize(
    ("text", "newline"),
    [
        ("actm: 1\r\nsystem: {id: demo}\r\nnodes:\r\n  - {id: web, kind: web_app}\r\n", "\r\n"),
        ("actm: 1\nsystem: {id: demo}\nnodes:\n  - {id: web, kind: web_app}", "\n"),
        ("actm: 1\nsystem: {id: demo}\nnodes:\n", "\n"),
    ],
)
def test_merge_keeps_line_ends(text: str, newline: str) -> None:
    merged = merge_into(parse_yaml(text, "m.yaml"), small(), existing(text)).text
    assert merged.startswith(text)
    body = merged[len(text) :]
    if newline == "\r\n":
        assert "\n" not in body.replace("\r\n", "")
    else:
        assert "\r" not in body
    assert parse_yaml(merged).data["nodes"][-1] == {"id": "box", "kind": "host", "owner": "vendor"}


def test_merge_keeps_a_byte_order_mark() -> None:
    text = "actm: 1\nsystem: {id: demo}\n"
    merged = merge_into(parse_yaml("\ufeff" + text, "m.yaml"), small(), existing(text), bom=True)
    assert merged.text.startswith("\ufeff" + text)


def test_merge_refuses_a_flow_list() -> None:
    text = "actm: 1\nsystem: {id: demo}\nnodes: [{id: web, kind: web_app}]\n"
    with pytest.raises(UsageError) as info:
        merge_into(parse_yaml(text, "m.yaml"), small(), existing(text))
    assert str(info.value) == (
        "cannot add to nodes: at m.yaml:3 it is not a list written one item per line; write it "
        "as '- ...' items to import into it"
    )
