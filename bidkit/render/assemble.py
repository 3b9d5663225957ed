"""Appending PDF annexes to the rendered submission (pypdf), each with a bookmark.

The annexes are added as an incremental update: the rendered document's bytes stay as
WeasyPrint wrote them (XMP metadata, output intent, structure tree, language, embedded files,
compressed object streams), the annexes' pages follow, each with a top-level bookmark
"Anlage N: title". The file identifier stays WeasyPrint's (from the content), so the result is
as reproducible as its inputs; an update is a third of the size of a rewrite and faster.

What is appended is the copy ``bidkit.annexes.read_pdf_annex`` made of each annex — checked,
without active content — the same reading `bidkit check` judges with ANX003–ANX005.
"""

from __future__ import annotations

import io
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


def append_annexes(document: bytes, annexes: list[PdfAnnex]) -> bytes:
    """``document`` followed by the annexes' pages, with a bookmark at the start of each."""
    from pypdf import PdfReader, PdfWriter

    if not annexes:
        return document
    writer = PdfWriter(io.BytesIO(document), incremental=True)
    info = dict(writer.metadata or {})  # WeasyPrint's, which the XMP metadata repeats
    for annex in annexes:
        start = len(writer.pages)
        try:
            writer.append(PdfReader(io.BytesIO(annex.content.data)), import_outline=False)
        # read_pdf_annex has appended this copy once already; should pypdf still fail on it,
        # whatever it raises is reported for this annex, never as a traceback.
        except Exception as exc:  # noqa: BLE001
            message = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise RenderError(f"annex {annex.number} '{annex.file}' could not be appended: {message}", READ_AGAIN) from None
        writer.add_outline_item(title=annex.bookmark, page_number=start)
    writer.add_metadata(info)  # pypdf would otherwise name itself producer, unlike the XMP
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
