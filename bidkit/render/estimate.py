"""How tall a block of the document will be, roughly, before WeasyPrint lays it out.

WeasyPrint 70 moves a block with ``break-inside: avoid`` to the next page when it does not fit
on this one, even when it does not fit on any page: most of this page stays empty (a goal with a
long KPI table, a measure with a long text). The templates keep a block together only when it
should fit on a page; this estimate decides, in lines of running text (10 pt, line height 1.45:
49 lines to an A4 page with bidkit's margins).
"""

from __future__ import annotations

import math

#: Lines of running text on a page, less room for a section heading and the block's own spacing.
PAGE_LINES = 40
#: Characters of running text on a line of the full text width (DejaVu Sans 10 pt, 168 mm).
LINE_CHARS = 95


def lines(text: str | None, width: int = LINE_CHARS) -> int:
    """Lines ``text`` takes at ``width`` characters a line (each paragraph and list item starts one)."""
    if not text:
        return 0
    return sum(max(1, math.ceil(len(part) / width)) for part in str(text).splitlines() if part.strip())


def kpi_lines(kpis: list[dict] | None) -> float:
    """Lines of running text a goal's KPI table takes (templates/sections/goals.html.j2): its
    header and each 9 pt row as tall as its tallest cell (the name's and the source's columns hold
    about 26 and 24 characters a line), padding included."""
    rows = [max(lines(kpi.get("name"), 26), lines(kpi.get("source"), 24), 1) for kpi in kpis or []]
    return (1 + sum(rows)) * 13 / 14.5 + len(rows) * 6 / 14.5 if rows else 0


def fits_page(text_lines: float) -> bool:
    """Whether a block of that many lines of running text fits on a page below a heading."""
    return text_lines <= PAGE_LINES
