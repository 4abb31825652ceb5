"""The renderer plugin interface: one class per output format, one table per rendered value.

A :class:`Renderer` turns one kind of value (an analysis :class:`~actm.results.model.Result`, a
:class:`~actm.results.diff.Diff`, a :class:`~actm.results.plan.Plan`, a CI gate decision, a
knowledge-base listing, a diagram view) into text or bytes. It reads nothing but the value and
the :class:`RenderOptions`: no model, no file, no clock, so the same value always gives the same
bytes. The tables of :mod:`actm.render.formats` list the renderers of each value by format name;
the command line takes its ``--format`` choices from them.

A subclass writes :meth:`Renderer.make`; callers use :meth:`Renderer.render` (or
:meth:`Renderer.chunks`), which spells out every control character of a text output
(:func:`actm.io.visible.visible`): whatever a model's names and descriptions hold, no output
moves a terminal's cursor, retitles its window or hides text. A binary format makes its text
visible before it lays it out.

A renderer whose format needs an optional package names it in :attr:`Renderer.requires` and
the extra that installs it in :attr:`Renderer.extra`; :meth:`Renderer.check_available` raises
:class:`MissingExtra` (a :class:`~actm.errors.UsageError`, exit 2) with the ``pip`` command.
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from actm.errors import UsageError
from actm.io.visible import visible, visible_bytes
from actm.io.writer import Spooled

__all__ = ["MissingExtra", "RenderOptions", "Renderer"]

V = TypeVar("V")


class MissingExtra(UsageError):
    """A format needs an optional package (an extra of actm) that is not installed."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """The few switches some formats read; every other format ignores them."""

    color: bool = False
    """text: colour the terminal output (ANSI escapes)."""
    width: int = 100
    """text: the line width."""
    model_path: str = ""
    """check: the model file as the user named it; the report's headline and the locations of
    failing threats (resolved from the file's directory) use it."""
    sarif_base: str = ""
    """sarif: the model file's directory relative to the repository root ('' when it is the
    root), '/'-separated; the results' artifact locations are relative to it."""
    sources: Mapping[str, str] | None = None
    """pdf: the text of the model's files by name (as in ``Result.system.files``), for the
    appendix; None lists the model's elements instead. Read only by renderers with
    :attr:`Renderer.uses_sources`."""
    summary: bool = False
    """kb coverage text: only the table of counts."""


class Renderer(ABC, Generic[V]):
    """One output format of one kind of value."""

    name: ClassVar[str]
    """The format name, as ``--format`` takes it."""
    description: ClassVar[str]
    """One line for help texts and the documentation."""
    binary: ClassVar[bool] = False
    """:meth:`render` returns bytes (else UTF-8 text as str); binary output is never written to
    a terminal."""
    extra: ClassVar[str | None] = None
    """The optional-dependency group of actm that installs :attr:`requires`."""
    requires: ClassVar[tuple[str, ...]] = ()
    """Importable modules the format needs beyond actm's own dependencies."""
    streams: ClassVar[bool] = False
    """:meth:`chunks` yields the output a piece at a time, from :meth:`pieces` (for outputs too
    large to hold twice); callers that write it should use :meth:`chunks` rather than
    :meth:`render`."""
    uses_sources: ClassVar[bool] = False
    """The renderer reads :attr:`RenderOptions.sources` (the caller reads the files only then)."""
    colours: ClassVar[bool] = False
    """With :attr:`RenderOptions.color` the format colours its text with terminal escape
    sequences, which :meth:`render` keeps; it must then make each piece of user text visible
    itself before colouring it."""

    def check_available(self) -> None:
        """Raise :class:`MissingExtra`, saying how to install it, when a package that the format
        needs is missing. Cheap: it looks the packages up without importing them."""
        for module in self.requires:
            if importlib.util.find_spec(module) is None:
                raise MissingExtra(
                    f"--format {self.name} needs the {module} package: "
                    f"pip install 'actm[{self.extra or module}]'"
                )

    def render(self, value: V, options: RenderOptions) -> str | bytes:
        """The output: ``bytes`` when :attr:`binary`, else ``str`` with every control
        character spelled out."""
        out = self.make(value, options)
        if isinstance(out, bytes):
            return out
        return visible(out, keep_colour=self.colours and options.color)

    @abstractmethod
    def make(self, value: V, options: RenderOptions) -> str | bytes:
        """The output as the format writes it (:meth:`render` makes its text safe to show)."""

    def warnings(self, output: str | bytes) -> list[str]:
        """What the user should know about an output this renderer made (a viewer that would
        refuse it, ...); none by default."""
        return []

    def chunks(self, value: V, options: RenderOptions) -> Iterator[bytes]:
        """The bytes of :meth:`render`, a piece at a time when the format :attr:`streams`."""
        if not self.streams:
            out = self.render(value, options)
            yield out if isinstance(out, bytes) else out.encode("utf-8")
            return
        for piece in self.pieces(value, options):
            yield piece if self.binary else visible_bytes(piece)

    def parts(self, value: V, options: RenderOptions) -> Iterator[bytes | Spooled]:
        """The bytes of :meth:`chunks` for a writer (:func:`actm.io.writer.write_pieces`): a
        format may hand part of them over as a :class:`~actm.io.writer.Spooled` range of a file
        made by a forked child, which the writer copies without reading it back."""
        yield from self.chunks(value, options)

    def pieces(self, value: V, options: RenderOptions) -> Iterator[bytes]:
        """For a format that :attr:`streams`: its output's bytes a piece at a time, each piece
        whole UTF-8 characters."""
        raise NotImplementedError(f"--format {self.name} does not stream")
