"""The formats actm imports, named without loading their importers.

``actm import --format`` lists its choices when the command line starts, and
:data:`actm.api.IMPORT_FORMATS` is part of the API, but neither needs an importer: this table
holds each format's name and description, which every importer takes its own from
(:mod:`.formats` checks that the two tables name the same formats in the same order). So
``actm analyze`` and the other commands that import nothing load no importer.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["DESCRIPTIONS", "MAX_FILES"]

DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "mcp-config": "an MCP client configuration (Claude Desktop, Claude Code, VS Code, Cursor)",
        "mcp-server": "an MCP registry server description (server.json)",
        "mcpb-manifest": "an MCP bundle manifest (MCPB / DXT manifest.json)",
        "mcp-tools": "an MCP tool listing (tools/list output, tool snapshots, tool definitions)",
        "mcp-registry": "an MCP registry listing (many server descriptions)",
        "crewai": "a crewAI configuration (agents.yaml or tasks.yaml)",
        "langgraph": "a LangGraph deployment configuration (langgraph.json)",
        "cyclonedx": "a CycloneDX bill of materials (an ML-BOM or AIBOM)",
        "spdx3": "an SPDX 3 document (AI and Dataset profiles)",
        "hf-model-card": "a Hugging Face model card (README.md with YAML front matter)",
        "otm": "an Open Threat Model (OTM) file",
        "threat-dragon": "an OWASP Threat Dragon model (version 1 or 2 JSON)",
        "threat-model-library": (
            "a threat model of the OWASP threat-model library (threat-model.schema.json)"
        ),
    }
)
"""Format name -> what its files are, completing "FILE looks like ..." (starts with an
article), in the order ``--help`` lists them."""

MAX_FILES = 10_000
"""The most files ``actm discover`` looks at in one repository (a default of the API's
``discover``, so kept where the API can name it without loading the importers)."""
