"""Threat models of other tools: Open Threat Model and OWASP Threat Dragon."""
