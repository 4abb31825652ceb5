"""Drafting actm models from files other tools write: MCP configurations and server
descriptions, tool listings, agent frameworks, bills of materials, threat models.

A layer above :mod:`actm.model` (it reads the model format's schema and the vocabulary) and
below :mod:`actm.api`, which is how the command line reaches it. :mod:`.interface` is the
importer plugin interface, :mod:`.formats` the table of importers and format detection,
:mod:`.draft` the drafted elements, :mod:`.fit` fits a draft to this actm's model format, and
:mod:`.emit` writes a draft as a model file or adds it into an existing one.
"""
