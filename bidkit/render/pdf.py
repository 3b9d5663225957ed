"""HTML → PDF with WeasyPrint 70, through the sandboxed fetcher. The only WeasyPrint import, with
bidkit.render.parallel (imported from here and by the build only), which lays out in two processes.

Layout and writing each run under a deadline (``BIDKIT_LAYOUT_SECONDS``, default 300 s; a
100-page bid takes about 20 s): a theme that makes WeasyPrint lay out hundreds of thousands
of boxes, or images that take long to decode, ends with exit 3 instead of a hang.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from bidkit.errors import RenderError
from bidkit.limits import deadline
from bidkit.render.fetcher import SandboxedFetcher

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


LAYOUT_SECONDS = 300.0


class _Expired(BaseException):
    """Raised into WeasyPrint by the deadline; a BaseException, so its broad excepts let it pass."""


def _seconds() -> float:
    try:
        return max(float(os.environ.get("BIDKIT_LAYOUT_SECONDS", LAYOUT_SECONDS)), 1.0)
    except ValueError:
        return LAYOUT_SECONDS


def _bounded(what: str, work):
    seconds = _seconds()
    try:
        with deadline(seconds, _Expired):
            return work()
    except _Expired:
        raise RenderError(f"WeasyPrint took longer than {seconds:g} s to {what}",
                          "Look for what makes the document huge (a theme's loops, very large images); "
                          "BIDKIT_LAYOUT_SECONDS sets the limit.") from None


def _write_part(document, variant: str) -> bytes:
    """The second part of a parallel layout, written in the child (no embedded files: the first part has them)."""
    from bidkit.render.final import WEASYPRINT_VARIANT

    return _bounded("write the PDF", lambda: document.write_pdf(pdf_variant=WEASYPRINT_VARIANT[variant], pdf_tags=True))


@dataclass(frozen=True)
class EmbeddedFile:
    path: Path
    name: str
    description: str


def layout(html: str, *, base: Path, fetcher: SandboxedFetcher, jobs: int = 1):
    """Lay out the pages (the slow part); the fetcher guards every file the HTML names. With
    ``jobs`` > 1 in two processes (bidkit.render.parallel), when the document can be split exactly."""
    def render():
        return _bounded("lay out the pages", lambda: weasyprint.HTML(
            string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=fetcher).render())

    try:
        if jobs > 1:
            from bidkit.render import parallel

            return parallel.layout(render, _write_part)
        return render()
    except RenderError:
        raise
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
    def whole(part):
        return part.write_pdf(pdf_variant=WEASYPRINT_VARIANT[variant], pdf_tags=True, attachments=attachments)

    try:
        if not isinstance(document, weasyprint.Document):  # parallel.Parts: both parts, merged
            return _bounded("write the PDF", lambda: document.write(whole, variant))
        return _bounded("write the PDF", lambda: whole(document))
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not write the PDF: {exc}", "Run with --html FILE to inspect the HTML.") from exc
