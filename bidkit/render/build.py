"""The build: validated bid → HTML → PDF, written atomically and reproducibly."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from bidkit.errors import BidkitError, RenderError
from bidkit.fileio import atomic_write
from bidkit.loader import LoadedBid
from bidkit.paths import templates_dir
from bidkit.render.html import render_html


@dataclass(frozen=True)
class BuiltPdf:
    path: Path
    pages: int
    refused: list[str]


def default_output(loaded: LoadedBid) -> Path:
    """``build/<city>-<call>.pdf`` below the current folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{loaded.bid.city.name}-{loaded.call.id}".lower()).strip("-")
    return Path("build") / f"{slug}.pdf"


def build_datetime(loaded: LoadedBid) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set; otherwise a date taken from the bid, never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BidkitError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds", "Unset it or give a Unix timestamp.") from None
    day = loaded.bid.reference_date(loaded.call)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


@contextlib.contextmanager
def _source_date_epoch(moment: dt.datetime):
    """fontTools stamps subset fonts with SOURCE_DATE_EPOCH, else the current time."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def build_pdf(loaded: LoadedBid, output: Path, *, draft: bool, html_output: Path | None = None) -> BuiltPdf:
    moment = build_datetime(loaded)
    templates = templates_dir()
    try:
        html = render_html(loaded.bid, loaded.call, templates, draft=draft, build_date=moment)
    except Exception as exc:  # a template error is a bug in the templates, shown plainly
        raise RenderError(f"template error: {exc}", f"Check the templates in {templates}.") from exc
    if html_output:
        atomic_write(html_output, html.encode("utf-8"))

    from bidkit.render.pdf import write_pdf  # WeasyPrint is imported only here

    with _source_date_epoch(moment):
        data, pages, refused = write_pdf(html, base=templates, allowed_roots=[loaded.bid_dir, templates])
    atomic_write(output, data)
    return BuiltPdf(output, pages, refused)
