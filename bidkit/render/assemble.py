"""PDF annexes for the submission: opened before the layout, appended by the final writer.

Each annex is read once (``open_annex``, so a broken file stops the build before the slow
layout); ``append_annexes`` hands the clean copies to ``bidkit.render.final``, which writes the
whole file once with pikepdf, each annex with a top-level bookmark "Anlage N: title".

What is appended is the copy ``bidkit.annexes.read_pdf_annex`` made of each annex — checked,
without active content — the same reading `bidkit check` judges with ANX003–ANX005.

The supporters' scans (register column Scan) follow the other annexes as one annex
(``ScanAnnex``, "Anlage N: Unterstützungsschreiben") with a bookmark per letter, read by
``bidkit.supporters.read_scans`` (`bidkit check` judges the same files through the annex verdicts: SUP003, SUP005).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bidkit.annexes import PdfAnnexContent, PdfAnnexError, read_pdf_annex
from bidkit.errors import RenderError
from bidkit.supporters import SCANS_TITLE, Register, read_scans



@dataclass(frozen=True)
class PdfAnnex:
    number: int
    title: str
    file: str
    content: PdfAnnexContent
    left_out = ()  # as ScanAnnex's: one file is appended whole or not at all
    claim_rule = "ANX006"  # the check's rule for a file that breaks a variant's claims

    @property
    def pages(self) -> int:
        return self.content.pages

    @property
    def bookmark(self) -> str:
        return f"Anlage {self.number}: {self.title}"  # pdfcheck.NOT_COUNTED knows the prefix

    @property
    def pieces(self) -> tuple[PdfAnnex, ...]:
        """The files the annex is made of, each judged on its own (ANX006): here, itself."""
        return (self,)


@dataclass(frozen=True)
class Letter:
    """A supporter's scan inside the scans annex: ``number`` is the annex's, ``file`` the scan's."""

    number: int
    name: str
    file: str
    content: PdfAnnexContent
    claim_rule = "SUP005"


@dataclass(frozen=True)
class ScanAnnex:
    """The supporters' scans as one annex, a bookmark per letter, in the register's order."""

    number: int
    register: str  # the register's file, as the bid names it
    letters: tuple[Letter, ...]
    left_out: tuple[str, ...]  # a draft's scans that cannot be appended, one warning each
    title: str = SCANS_TITLE

    @property
    def pages(self) -> int:
        return sum(letter.content.pages for letter in self.letters)

    @property
    def pieces(self) -> tuple[Letter, ...]:
        return self.letters

    @property
    def bookmark(self) -> str:
        return f"Anlage {self.number}: {self.title}"


def open_scans(number: int, bid_dir: Path, register: Register, *, draft: bool) -> ScanAnnex | None:
    """The scans the register names as annex ``number`` (None when it names none). A scan that
    cannot be appended stops a final build; a draft leaves it out and says so."""
    letters, left_out = [], []
    for scan in read_scans(bid_dir, register):
        supporter = scan.supporter
        if scan.content is None:
            where = f"scan of {supporter.name} ('{register.file}' {register.where} {supporter.line})"
            if not draft:
                raise RenderError(f"{where}: {scan.problem}", "Run `bidkit check` and fix the SUP003 findings.")
            left_out.append(f"{where} left out of annex {number}: {scan.problem} (SUP003)")
            continue
        letters.append(Letter(number, supporter.name, supporter.file, scan.content))
    if not letters and not left_out:
        return None
    return ScanAnnex(number, register.file, tuple(letters), tuple(left_out))


def open_annex(number: int, title: str, file: str, path: Path) -> PdfAnnex:
    """Read a PDF annex now, so a broken file stops the build before the slow layout."""
    try:
        return PdfAnnex(number, title, file, read_pdf_annex(path))
    except PdfAnnexError as exc:
        from bidkit.render.final import READ_AGAIN  # pikepdf: only now

        hint = "Hand in the file without a password." if exc.encrypted else READ_AGAIN
        raise RenderError(f"'{file}' is not a readable PDF: {exc.reason}", hint) from None


def final_annex(annex: PdfAnnex | ScanAnnex) -> AnnexPdf:
    """The annex as the final writer appends it (plain data: bytes, pages, file names)."""
    from bidkit.render.annexpdf import AnnexPdf

    files = tuple(piece.file for piece in annex.pieces)
    if isinstance(annex, ScanAnnex):
        return AnnexPdf(annex.number, annex.title, letters=tuple((letter.name, letter.content.data) for letter in annex.letters),
                        pages=annex.pages, files=files)
    return AnnexPdf(annex.number, annex.title, annex.content.data, pages=annex.pages, files=files)


def append_annexes(document: bytes, annexes: list[PdfAnnex | ScanAnnex], *, variant: str = "pdf", draft: bool = False,
                   document_variant: str | None = None) -> bytes:
    """The final file (bidkit.render.final): ``document`` followed by the annexes' clean copies,
    each with a bookmark, written once by pikepdf."""
    from bidkit.render.final import append

    return append(document, [final_annex(annex) for annex in annexes], variant=variant, draft=draft,
                  document_variant=document_variant)
