"""Checks on a rendered PDF: the call's page limit, the pages each section takes, and whether it is the bid's."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.findings import Finding, Location

FRONT_MATTER = "Deckblatt"
#: Bookmarks of parts that do not count against the page limit: appended annexes, a draft's open points.
NOT_COUNTED = ("Anlage ", "Offene Punkte")


def section_pages(pdf: Path) -> dict[str, int]:
    """Pages per top-level bookmark (the sections), in document order; pages before the first
    bookmark count as the cover."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(pdf)
        total = len(reader.pages)
        starts = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline if not isinstance(item, list)]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds of error on a broken file
        raise _unreadable(pdf, exc) from None
    return pages_per_section(starts, total)


def other_bid_findings(pdf: Path, bid_title: str | None) -> list[Finding]:
    """PDF003 when the PDF's title is not the one `bidkit build` writes for ``bid_title``."""
    from pypdf import PdfReader

    try:
        title = str((PdfReader(pdf).metadata or {}).get("/Title") or "")
    except Exception as exc:  # noqa: BLE001 - as above
        raise _unreadable(pdf, exc) from None

    def plain(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    if bid_title is None or plain(title) == plain(bid_title) or plain(title).startswith(plain(bid_title) + " – "):
        return []
    from bidkit.rules.document import OTHER_BID as rule

    return [Finding(rule.code, rule.severity, f"the PDF's title is '{title}'; this bid's is '{bid_title}'",
                    rule.hint, Location(pdf), ())]


def _unreadable(pdf: Path, exc: Exception) -> BidkitError:
    return BidkitError(f"cannot read PDF {pdf}: {exc or type(exc).__name__}", "Give a PDF built by `bidkit build`.")


def pages_per_section(starts: list[tuple[str, int | None]], total: int) -> dict[str, int]:
    """Pages per section of a document of ``total`` pages whose top-level bookmarks ``starts``
    (title, 0-based page) are; a build knows them without reading its file back."""
    # A bookmark that points at no page (None or -1) marks no section start.
    starts = sorted(((title, start) for title, start in starts if isinstance(start, int) and 0 <= start < total),
                    key=lambda item: item[1])
    pages: dict[str, int] = {}
    if not starts or starts[0][1] > 0:
        pages[FRONT_MATTER] = (starts[0][1] if starts else total)
    for index, (title, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else total
        pages[title] = pages.get(title, 0) + max(end - start, 0)
    return pages


def page_limit_findings(pdf: Path, page_limit: int | None, pages: dict[str, int], rule=None) -> list[Finding]:
    """PDF001 when the counted ``pages`` exceed ``page_limit``; ``rule``: the rule's code, severity
    and hint, when the caller has them at hand (a build's command line, without the rules)."""
    counted = {title: n for title, n in pages.items() if not title.startswith(NOT_COUNTED)}
    total = sum(counted.values())
    if page_limit is None or total <= page_limit:
        return []
    if rule is None:
        from bidkit.rules.document import PAGE_LIMIT as rule  # the rules (pydantic): only when needed

    longest = sorted(counted.items(), key=lambda item: -item[1])[:3]
    where = ", ".join(f"{title} {count}" for title, count in longest)
    return [Finding(
        rule.code, rule.severity,
        f"the document has {total} pages; the call allows {page_limit} (longest: {where})",
        rule.hint, Location(pdf), (),
    )]
