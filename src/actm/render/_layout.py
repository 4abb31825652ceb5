"""Positions for drawing the system graph as nested boxes, computed in Python.

Force-directed layouts in the browser (cytoscape's ``cose``) take minutes on a graph of tens of
thousands of elements, and cytoscape's compound nodes cost seconds more to draw. The HTML
report instead places every element here, in linear time, and the browser only draws
(cytoscape's ``preset`` layout), every element as a plain node:

* every element that is the ``parent`` of others (a zone holding nodes, a node holding models,
  tools and assets) is a box; its children are packed in rows, left to right, each row as high
  as its tallest child, the rows about as wide as the packed area is high (a little wider, for
  screens);
* leaves (and parents with no children) are cells of a fixed size;
* the elements without a parent (zones, adversaries, outside destinations, elements placed
  nowhere) are packed the same way at the top level.

Children keep the graph's order (by kind, then id), so the positions are deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import sqrt
from typing import NamedTuple

from actm.results.graph import GraphElement

__all__ = ["CELL", "Box", "box_layout"]

CELL = (170, 64)
"""Width and height of a leaf's cell: the shape and a label line below it."""
PAD = 14
"""Space inside a box around its children."""
HEADER = 22
"""Space above a box's children for its label."""
GAP = 26
"""Space between sibling boxes."""
ASPECT = 1.6
"""Rows are packed to about this many times the height of the packed area."""


class Box(NamedTuple):
    """Where an element is drawn: its centre, and for a box its size (0 for a leaf)."""

    x: int
    y: int
    width: int
    height: int


def _pack(sizes: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], float, float]:
    """Shelf packing: the top-left offset of each box, and the packed width and height."""
    area = sum((w + GAP) * (h + GAP) for w, h in sizes)
    widest = max(w for w, _ in sizes)
    target = max(widest, sqrt(area * ASPECT))
    offsets: list[tuple[float, float]] = []
    x = y = row_h = width = 0.0
    for w, h in sizes:
        if x > 0 and x + w > target:
            y += row_h + GAP
            x = row_h = 0.0
        offsets.append((x, y))
        x += w + GAP
        row_h = max(row_h, h)
        width = max(width, x - GAP)
    return offsets, width, y + row_h


def box_layout(elements: Sequence[GraphElement]) -> dict[str, Box]:
    """Where every element is drawn, in pixels: a leaf's centre (its shape sits in the upper
    part of its cell, its label below), a box's centre and size."""
    ids = {e.id for e in elements}
    parent: dict[str, str | None] = {}
    for e in elements:
        parent[e.id] = e.parent if e.parent in ids and e.parent != e.id else None
    # depth of each element, breaking any cycle of parents by cutting it at the element met
    depth: dict[str, int] = {}
    for e in elements:
        path: list[str] = []
        node: str | None = e.id
        while node is not None and node not in depth and node not in path:
            path.append(node)
            node = parent[node]
        if node is not None and node in path:  # a cycle: its first element becomes a root
            parent[node] = None
            base = -1
            path = path[: path.index(node) + 1]
        else:
            base = depth[node] if node is not None else -1
        for n in reversed(path):
            base += 1
            depth[n] = base
    children: dict[str | None, list[str]] = {}
    for e in elements:  # the graph's order: by kind, then id
        children.setdefault(parent[e.id], []).append(e.id)

    size: dict[str, tuple[float, float]] = {}
    offset: dict[str, tuple[float, float]] = {}
    # deepest first, so that every child's size is known before its parent is packed
    order = [e.id for e in elements]
    for eid in sorted(order, key=lambda i: -depth[i]):
        kids = children.get(eid)
        if not kids:
            size[eid] = CELL
            continue
        offsets, w, h = _pack([size[k] for k in kids])
        for k, (dx, dy) in zip(kids, offsets, strict=True):
            offset[k] = (PAD + dx, HEADER + PAD + dy)
        size[eid] = (w + 2 * PAD, h + HEADER + 2 * PAD)
    roots = children.get(None, [])
    if roots:
        offsets, _, _ = _pack([size[r] for r in roots])
        offset.update(zip(roots, offsets, strict=True))

    corner: dict[str, tuple[float, float]] = {}
    out: dict[str, Box] = {}
    for eid in sorted(order, key=lambda i: depth[i]):  # parents first
        p = parent[eid]
        px, py = corner[p] if p is not None else (0.0, 0.0)
        dx, dy = offset[eid]
        x, y = corner[eid] = (px + dx, py + dy)
        w, h = size[eid]
        if eid in children:
            out[eid] = Box(round(x + w / 2), round(y + h / 2), round(w), round(h))
        else:
            out[eid] = Box(round(x + w / 2), round(y + h / 3), 0, 0)
    return out
