"""PDF annexes for the submission: opened before the layout, appended by the final writer.

Each annex is read once (``open_annex``, so a broken file stops the build before the slow
layout); ``append_annexes`` hands the clean copies to ``bidkit.render.final``, which writes the
whole file once with pikepdf, each annex with a top-level bookmark "Anlage N: title".

What is appended is the copy ``bidkit.annexes.read_pdf_annex`` made of each annex — checked,
without active content — the same reading `bidkit check` judges with ANX003–ANX005.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bidkit.annexes import PdfAnnexContent, PdfAnnexError, read_pdf_annex
from bidkit.errors import RenderError

READ_AGAIN = "Export the document as PDF (ideally PDF/A) again."


@dataclass(frozen=True)
class PdfAnnex:
    number: int
    title: str
    file: str
    content: PdfAnnexContent

    @property
    def pages(self) -> int:
        return self.content.pages

    @property
    def bookmark(self) -> str:
        return f"Anlage {self.number}: {self.title}"  # pdfcheck.NOT_COUNTED knows the prefix


def open_annex(number: int, title: str, file: str, path: Path) -> PdfAnnex:
    """Read a PDF annex now, so a broken file stops the build before the slow layout."""
    try:
        return PdfAnnex(number, title, file, read_pdf_annex(path))
    except PdfAnnexError as exc:
        hint = "Hand in the file without a password." if exc.encrypted else READ_AGAIN
        raise RenderError(f"'{file}' is not a readable PDF: {exc.reason}", hint) from None


def append_annexes(document: bytes, annexes: list[PdfAnnex], *, variant: str = "pdf", draft: bool = False,
                   document_variant: str | None = None) -> bytes:
    """The final file (bidkit.render.final): ``document`` followed by the annexes' clean copies,
    each with a bookmark, written once by pikepdf."""
    from bidkit.render.final import AnnexPdf, AnnexFailure, finish

    try:
        return finish(document, variant=variant, annexes=[AnnexPdf(a.number, a.title, a.content.data) for a in annexes], draft=draft,
                      document_variant=document_variant)
    except AnnexFailure as failure:
        annex = next(a for a in annexes if a.number == failure.number)
        raise RenderError(f"annex {annex.number} '{annex.file}' could not be appended: {failure.reason}", READ_AGAIN) from None
