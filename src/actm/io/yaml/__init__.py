"""Safe, fast reading of YAML files with a source location for every node.

Model files and knowledge entries are both read here. The reader is defensive: a file that is
too large, binary, not UTF-8, empty, nested too deeply, or that expands aliases into a huge tree
is refused with a :class:`~actm.errors.Diagnostic` naming the place and the fix, never with a
traceback or a hang.

How it works: libyaml (through ``ruamel.yaml.clib``) composes the node tree in C, with a
resolver that does no work; this package then converts nodes to plain Python values in one pass,
typing plain scalars by the YAML 1.2 core schema (so ``no`` stays a string), rejecting duplicate
keys and unknown tags, and counting the expanded size so that alias bombs are caught before they
are expanded. Source locations are not stored per value: :meth:`YamlDocument.locate` walks the
node tree along a path only when a diagnostic needs one.

The modules, in the order a file goes through them: ``limits`` (the bounds, the exception, the
diagnostics for passing a bound), ``read`` (the entry points), ``text`` (checks on the raw input
before libyaml sees it), ``nodes`` (libyaml's parser and its nodes), ``syntax`` (syntax errors as
diagnostics), ``convert`` (nodes to plain values), ``document`` (the result, and locating a path
in it).
"""

from __future__ import annotations

from actm.io.yaml.document import YamlDocument
from actm.io.yaml.limits import Limits, YamlProblem, too_large
from actm.io.yaml.read import parse_yaml, read_yaml_file

__all__ = [
    "Limits",
    "YamlDocument",
    "YamlProblem",
    "parse_yaml",
    "read_yaml_file",
    "too_large",
]
