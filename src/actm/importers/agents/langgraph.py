"""LangGraph deployments: ``langgraph.json``.

The file that ``langgraph dev`` and LangGraph Platform read: ``graphs`` maps each graph's name
to the code that builds it (``./src/agent.py:graph``), ``dependencies`` lists the packages and
local directories installed with it, ``env`` names a ``.env`` file (or gives variables),
``auth`` names a custom authentication handler. The draft: one agent model per graph, served
by a LangGraph server node (authenticated when ``auth`` is set, asked otherwise), the packages
it installs (floating unless pinned), and the environment's secrets (names only).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from actm.importers.agents.common import RUNTIME, frame, provider
from actm.importers.common import add_package
from actm.importers.draft import Draft, DraftBuilder, Review, slug
from actm.importers.interface import (
    Confidence,
    Importer,
    ImportOptions,
    json_like,
    read_json,
    refuse,
)
from actm.importers.mcp.launch import package_spec
from actm.importers.mcp.secrets import is_secret_name
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_dict, as_list, as_str, skip
from actm.io.json import pointer

__all__ = ["LangGraph"]

_GRAPHS = re.compile(rb'"graphs"\s*:\s*\{')
_KEYS = re.compile(rb'"(dependencies|python_version|node_version|dockerfile_lines)"\s*:')


class LangGraph(Importer):
    name = "langgraph"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        if not json_like(head) or not _GRAPHS.search(head):
            return None
        return (
            Confidence.CERTAIN
            if path.name == "langgraph.json"
            else (Confidence.LIKELY if _KEYS.search(head) else None)
        )

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_json(path, shown, options.limits)
        data = doc.data if isinstance(doc.data, dict) else {}
        graphs = data.get("graphs")
        if not isinstance(graphs, dict) or not graphs:
            raise refuse(shown, "it names no graphs", "pass a langgraph.json with 'graphs'")
        builder = DraftBuilder(shown, self.name, options.reserved)
        first = str(next(iter(graphs)))
        frame(builder, slug(first, "langgraph"), f"{first} (LangGraph)", "The LangGraph server")
        self._server(builder, data)
        owner, node, reviews = provider(builder, None, "/graphs")
        for name, target in graphs.items():
            where = (
                target
                if isinstance(target, str)
                else (target.get("path") if isinstance(target, dict) else None)
            )
            if not isinstance(target, str | dict):
                skip("a string or an object", target)
            fields: dict[str, Any] = {"name": str(name)}
            if where:
                fields["description"] = f"The graph built by {where}"
            fields |= {
                "kind": "agent",
                "owner": owner,
                "exposure": "internal",
                "deployed_on": [node],
            }
            builder.add(
                "models",
                slug(str(name), "graph"),
                fields,
                pointer(("graphs", str(name))),
                [
                    *reviews,
                    Review(
                        "exposure",
                        "who can call the graph through the server's API? "
                        "(public: anyone on the internet)",
                    ),
                    Review("tools", "which tools does the graph give the model? add them"),
                ],
            )
        self._dependencies(builder, data.get("dependencies"))
        self._env(builder, data.get("env"))
        return builder.build()

    def _server(self, builder: DraftBuilder, data: dict[str, Any]) -> None:
        handler = as_str(as_dict(data.get("auth")).get("path"))
        if handler:
            builder.add(
                "nodes",
                RUNTIME,
                {
                    "authentication": "required",
                    "description": f"Authenticates callers with {handler}",
                },
                "/auth",
            )
        else:
            builder.add(
                "nodes",
                RUNTIME,
                {},
                review=[
                    Review(
                        "authentication",
                        "no custom auth: does the deployment require an API key? (none | required)",
                    )
                ],
            )

    def _dependencies(self, builder: DraftBuilder, deps: Any) -> None:
        for i, item in enumerate(as_list(deps)):
            at = pointer(("dependencies", i))
            dep = as_str(item)
            if dep is None or not dep.strip():
                continue
            if dep.startswith((".", "/")):
                builder.note("info", f"installs local code from {dep}", at)
                continue
            add_package(builder, package_spec("pypi", dep), [RUNTIME], at)

    def _env(self, builder: DraftBuilder, env: Any) -> None:
        if isinstance(env, str) and env:
            builder.add(
                "assets",
                slug(Path(env).name) + "-file",
                {
                    "name": env,
                    "type": "secret",
                    "description": f"The environment file {env}, read by the server at start",
                    "resides": [{"node": RUNTIME, "mode": "stored"}],
                },
                "/env",
                [Review("", "which secrets does it hold? add a credential for each key")],
            )
        elif isinstance(env, dict):
            for name in env:
                if is_secret_name(str(name)):
                    builder.add(
                        "assets",
                        slug(str(name), "secret"),
                        {
                            "type": "credential",
                            "description": f"The environment variable {name} "
                            "of the LangGraph server (its value is not copied)",
                            "resides": [{"node": RUNTIME, "mode": "processed"}],
                        },
                        pointer(("env", str(name))),
                        [Review("grants", "what does it let one read, write, delete or run?")],
                    )
        elif not isinstance(env, str):
            skip("a string or an object", env)  # counted unless absent (importers/values.py)
