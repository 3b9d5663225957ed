"""The PDF annexes a build appends (bidkit.render.final), as plain data: the command line's
process receives them from the worker before the layout (bidkit.render.staged) and holds them
through it, and unpickling them there imports this module only, not pikepdf (~10 MB of memory
in that process while the layout process is at its peak)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnnexPdf:
    """A PDF annex to append: its number and title (for the bookmark and alt texts) and the
    bytes to append (already checked and cleaned by bidkit.annexes). An annex collected from
    several files (the supporters' letters) has ``letters`` instead, one (name, bytes) per file:
    each gets a bookmark under the annex's and a ``/Div`` of its own."""

    number: int
    title: str
    data: bytes = b""
    letters: tuple[tuple[str, bytes], ...] = ()
    pages: int = 0
    #: The files it is made of, as the bid names them (one per letter): none when a draft lost them all.
    files: tuple[str, ...] = ()

    @property
    def bookmark(self) -> str:
        return f"Anlage {self.number}: {self.title}"  # pdfcheck.NOT_COUNTED knows the prefix
