"""The column grid of the money tables (costs by category, funding by kind, funding sources):
one label column, a column per year and the sum, sized so the longest amount fits.

Amounts never break inside (``white-space: nowrap``), so a fixed grid that is too narrow makes
them overlap their neighbours. The grid is computed from the amounts themselves: columns as
wide as the longest amount at the table's font size; a smaller size (down to 7.5 pt) when that
saves splitting the table; and when even that is too wide (many years, amounts in the tens
of millions), the years are split over several tables of the same grid at the largest size
that needs no more tables — the sum column in the last.
"""

from __future__ import annotations

import math

from bidkit.render.formatting import money

#: The page's content width (A4, margins 22 mm + 20 mm: templates/style.css).
CONTENT_MM = 168.0
#: The label column (categories, funding sources) keeps at least this much.
LABEL_MM = 40.0
#: Font sizes tried, largest first (pt); below the last the years are split instead.
SIZES = (9.0, 8.5, 8.0, 7.5)
#: Left + right cell padding of a money table (2 × 3 pt: templates/style.css, table.money).
PADDING_MM = 6 * 25.4 / 72
PT_MM = 25.4 / 72
#: Advance widths in em, rounded up from DejaVu Sans Bold (the totals are bold): digits and
#: "€" 0.70, separators 0.40, a no-break space 0.35, anything else 0.75.
_WIDTHS = {**dict.fromkeys("0123456789€", 0.70), **dict.fromkeys(".,–-", 0.40), "\u00a0": 0.35, " ": 0.35}


def text_em(text: str) -> float:
    return sum(_WIDTHS.get(char, 0.75) for char in text)


def money_grid(summary, lines) -> dict:
    """The grid for ``summary`` (context.BudgetSummary as plain data) and the funding ``lines``:
    ``cents`` (True when any amount has cents: then all show them, so the commas stand in one line;
    else None, the money filter's default), ``size`` (pt), ``label_mm``, ``column_mm`` and ``chunks`` (each: ``years``, ``sum``, ``width_mm``)."""
    amounts = [summary.total_costs, summary.total_funding, *summary.cost_totals.values(), *summary.funding_totals.values()]
    for rows in (summary.costs_by_category, summary.funding_by_kind):
        for per_year in rows.values():
            amounts += [*per_year.values(), sum(per_year.values())]
    for line in lines:
        amounts += [*line.per_year.values(), line.total]
    cents = any(amount != amount.to_integral_value() for amount in amounts)
    texts = [money(amount, cents=cents) for amount in amounts] + ["Summe"]
    widest = max(text_em(text) for text in texts) * 1.02  # a little room for a theme's wider font
    years = list(summary.years)
    columns = len(years) + 1
    # The largest size that needs the fewest tables: smaller type only where it saves a split.
    options = []
    for size in SIZES:
        column_mm = widest * size * PT_MM + PADDING_MM
        fit = max(int((CONTENT_MM - LABEL_MM) // column_mm), 2)
        options.append((math.ceil(columns / fit), -size, fit, column_mm))
    tables, size, _, column_mm = min(options)
    size = -size
    # Balanced: 7 columns in 3 + 2 + 2, not 3 + 3 + 1; every table as wide as the widest, so the
    # label column is one width and the years of all tables stand on one grid.
    sizes = [columns // tables + (index < columns % tables) for index in range(tables)]
    label_mm = CONTENT_MM - sizes[0] * column_mm
    chunks, start = [], 0
    for count in sizes:
        chunk = years[start:start + count]
        has_sum = start + count >= columns
        chunks.append({"years": chunk, "sum": has_sum, "width_mm": _mm(label_mm + (len(chunk) + has_sum) * column_mm)})
        start += count
    return {"cents": cents or None, "size": f"{size:g}", "label_mm": _mm(label_mm), "column_mm": _mm(column_mm), "chunks": chunks}


def _mm(value: float) -> str:
    return f"{math.floor(value * 10) / 10:.1f}"


#: The amount column of a year's cost items: 18 % of the content width, wider for longer amounts.
ITEM_AMOUNT_MM = 0.18 * CONTENT_MM


def amount_column_mm(amounts, cents: bool | None = None, size: float = 9.0) -> str:
    """The width (mm) of a table's amount column: as wide as its widest amount set bold at ``size``
    pt (the sum row is bold), never narrower than ``ITEM_AMOUNT_MM``. A fixed share of the page
    let „18.108.002,34 €“ run past the table and the page's margin."""
    widest = max((text_em(money(amount, cents=cents)) for amount in amounts), default=0) * 1.02
    return _mm(max(ITEM_AMOUNT_MM, widest * size * PT_MM + PADDING_MM + 1))

