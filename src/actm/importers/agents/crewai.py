"""crewAI crews: ``agents.yaml`` and ``tasks.yaml``.

``agents.yaml`` maps each agent's name to its ``role``, ``goal``, ``backstory``, ``llm``,
``tools`` and ``allow_delegation``; ``tasks.yaml`` maps each task to its ``description``,
``expected_output``, the ``agent`` that does it, the tasks whose output it reads (``context``)
and more. Import both together: the agents are joined by name.

The draft: one agent model per agent, served by the provider its ``llm`` names; its tools, with
what the known crewAI tools may do (the ``crewai_tools`` table of ``importers/data/agents.yaml``);
who hands work to whom: an agent that may delegate feeds every other agent and hears back, a
task's ``context`` feeds its agent the outputs of those tasks, and without ``context`` each task
sees the previous task's output (crewAI's sequential process, asked about).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from actm.importers.agents.common import INTERNET, RUNTIME, feeds, frame, provider
from actm.importers.data import table
from actm.importers.draft import Draft, DraftBuilder, Review, name_id
from actm.importers.interface import Confidence, Importer, ImportOptions, read_yaml, refuse
from actm.importers.names import DESCRIPTIONS
from actm.importers.values import as_dict, as_str, is_dict, strings
from actm.io.json import pointer

__all__ = ["CrewAI"]

_ROLE = re.compile(rb"^[ \t]+role[ \t]*:", re.MULTILINE)
_GOAL = re.compile(rb"^[ \t]+goal[ \t]*:", re.MULTILINE)
_EXPECTED = re.compile(rb"^[ \t]+expected_output[ \t]*:", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
FILES = "crew-files"


def _line(value: Any) -> str | None:
    text = as_str(value)
    return " ".join(text.split()) or None if text is not None else None


def _strings(value: Any) -> list[str]:
    return [v for v in strings(value) if v]


def _entries(data: Any) -> dict[str, Mapping[str, Any]]:
    return {str(k): v for k, v in as_dict(data).items() if is_dict(v)}


class CrewAI(Importer):
    name = "crewai"
    description = DESCRIPTIONS[name]

    def detect(self, path: Path, head: bytes) -> Confidence | None:
        agents = _ROLE.search(head) is not None and _GOAL.search(head) is not None
        tasks = _EXPECTED.search(head) is not None
        yaml_file = path.suffix in (".yaml", ".yml")
        if not (agents or tasks) or not yaml_file or re.search(rb"^actm\s*:", head, re.M):
            return None
        named = path.name in ("agents.yaml", "tasks.yaml", "agents.yml", "tasks.yml")
        return Confidence.CERTAIN if named else Confidence.LIKELY

    def read(self, path: Path, shown: str, options: ImportOptions) -> Draft:
        doc = read_yaml(path, shown, options.limits)
        entries = _entries(doc.data)
        builder = DraftBuilder(shown, self.name, options.reserved)
        if any("role" in e or "goal" in e for e in entries.values()):
            frame(builder, "crew", "A crewAI crew", "The process that runs the crew")
            self._agents(builder, entries)
        elif any("expected_output" in e or "agent" in e for e in entries.values()):
            frame(builder, "crew", "A crewAI crew", "The process that runs the crew")
            self._tasks(builder, entries)
        else:
            raise refuse(
                shown,
                "it holds no crewAI agents (role, goal) or tasks (description, expected_output)",
                "pass a crewAI agents.yaml or tasks.yaml",
            )
        return builder.build()

    def _agents(self, builder: DraftBuilder, agents: dict[str, Mapping[str, Any]]) -> None:
        delegates: list[str] = []
        ids: list[str] = []
        for key, spec in agents.items():
            at = pointer((key,))
            llm = _line(spec.get("llm"))
            owner, node, reviews = provider(builder, llm, at)
            fields: dict[str, Any] = {"name": _line(spec.get("role")) or key}
            goal = _line(spec.get("goal"))
            if goal:
                fields["description"] = goal
            fields |= {
                "kind": "agent",
                "owner": owner,
                "exposure": "internal",
                "deployed_on": [node],
            }
            tools = [
                self._tool(builder, t, f"{at}/tools/{i}")
                for i, t in enumerate(_strings(spec.get("tools")))
            ]
            if tools:
                fields["tools"] = tools
            text = " ".join(_line(spec.get(k)) or "" for k in ("role", "goal", "backstory"))
            if _PLACEHOLDER.search(text):
                reviews.append(
                    Review(
                        "exposure",
                        "its prompt takes inputs ({...}) from whoever "
                        "starts the crew: who is that? (public: anyone)",
                    )
                )
            helper = _line(spec.get("function_calling_llm"))
            if helper:
                reviews.append(Review("", f"its tool calls are made by another model ({helper})"))
            ids.append(builder.add("models", name_id(key, "agent"), fields, at, reviews))
            if spec.get("allow_delegation") is True:
                delegates.append(ids[-1])
        for agent in delegates:
            for other in ids:
                feeds(builder, agent, other, pointer((agent, "allow_delegation")), [])
                feeds(builder, other, agent, pointer((agent, "allow_delegation")), [])

    def _tool(self, builder: DraftBuilder, name: str, at: str) -> str:
        known: Mapping[str, Any] = table("agents")["crewai_tools"].get(name, {})
        fields: dict[str, Any] = {"node": RUNTIME}
        permissions: dict[str, list[str]] = {}
        for p in known.get("permissions", ()):
            if p == "execute":
                permissions["execute"] = [RUNTIME]
            else:
                permissions.setdefault(p, []).append(FILES)
        if known.get("egress"):
            permissions["egress"] = [INTERNET]
        if permissions:
            fields["permissions"] = permissions
        if known.get("results"):
            fields["untrusted_results"] = [known["results"]]
        if any(p in ("read", "write") for p in known.get("permissions", ())):
            builder.add(
                "assets",
                FILES,
                {
                    "type": "business_data",
                    "description": "The files and data the crew's tools read and write",
                    "resides": [{"node": RUNTIME, "mode": "stored"}],
                },
                at,
                [Review("", "what is in it, and how much does it matter? (criticality:)")],
            )
        review = (
            []
            if known
            else [Review("permissions", f"what does {name} read, write, delete, run or send out?")]
        )
        return builder.add("tools", name_id(name, "tool"), fields, at, review)

    def _tasks(self, builder: DraftBuilder, tasks: dict[str, Mapping[str, Any]]) -> None:
        by_task: dict[str, str] = {}
        previous: str | None = None
        for key, spec in tasks.items():
            at = pointer((key,))
            agent = _line(spec.get("agent"))
            if agent is None:
                builder.note("unplaced", f"task {key!r} names no agent", at)
                continue
            ident = builder.add(
                "models",
                name_id(agent, "agent"),
                {"kind": "agent"},
                at,
                [Review("", "import the crew's agents.yaml with it for the agent's model")],
                placeholder=True,
            )
            by_task[key] = ident
            tools = [
                self._tool(builder, t, f"{at}/tools/{i}")
                for i, t in enumerate(_strings(spec.get("tools")))
            ]
            if tools:
                builder.add("models", ident, {"tools": tools})
            context = _strings(spec.get("context"))
            for source in context:
                if source in by_task:
                    feeds(builder, by_task[source], ident, f"{at}/context", [])
                else:
                    builder.note(
                        "unplaced",
                        f"task {key!r} reads {source!r}, not an earlier task",
                        f"{at}/context",
                    )
            if not context and previous is not None:
                feeds(
                    builder,
                    previous,
                    ident,
                    at,
                    [
                        Review(
                            "",
                            "assumes the crew runs its "
                            "tasks in order (process: sequential): each sees the previous output",
                        )
                    ],
                )
            previous = ident
            self._task_notes(builder, key, spec, at)

    def _task_notes(
        self, builder: DraftBuilder, key: str, spec: Mapping[str, Any], at: str
    ) -> None:
        if spec.get("output_file"):
            builder.note("info", f"task {key!r} writes its result to {spec['output_file']}", at)
        if spec.get("human_input") is True:
            builder.note("info", f"task {key!r} asks a person to review its result", at)
        if spec.get("guardrail"):
            builder.note("info", f"task {key!r} checks its result: {_line(spec['guardrail'])}", at)
