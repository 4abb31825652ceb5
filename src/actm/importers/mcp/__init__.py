"""The MCP importers: client configurations, server descriptions, tool listings, and what they
share (launchers, secrets, tool permissions, drafting servers)."""
