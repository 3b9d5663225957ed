"""HTML → PDF with WeasyPrint 70, through the sandboxed fetcher. The only WeasyPrint import."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from bidkit.errors import RenderError
from bidkit.render.fetcher import SandboxedFetcher

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


@dataclass(frozen=True)
class EmbeddedFile:
    path: Path
    name: str
    description: str


def layout(html: str, *, base: Path, fetcher: SandboxedFetcher):
    """Lay out the pages (the slow part); the fetcher guards every file the HTML names."""
    try:
        return weasyprint.HTML(string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=fetcher).render()
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not render the document: {exc}", "Run with --html FILE to inspect the HTML.") from exc


def write(document, *, variant: str, fetcher: SandboxedFetcher, files: list[EmbeddedFile], moment: dt.datetime) -> bytes:
    """The laid-out document as PDF bytes, tagged; ``variant`` one of build.PDF_VARIANTS (WeasyPrint
    writes what final.WEASYPRINT_VARIANT names for it, bidkit.render.final the identification);
    ``files`` embedded with the fixed date ``moment``."""
    from bidkit.render.final import WEASYPRINT_VARIANT

    attachments = [
        weasyprint.Attachment(url=f.path.as_uri(), url_fetcher=fetcher, name=f.name, description=f.description,
                              created=moment, modified=moment, relationship="Supplement")
        for f in files
    ]
    try:
        return document.write_pdf(pdf_variant=WEASYPRINT_VARIANT[variant], pdf_tags=True, attachments=attachments)
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not write the PDF: {exc}", "Run with --html FILE to inspect the HTML.") from exc
