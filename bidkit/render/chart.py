"""Charts drawn by bidkit as SVG: horizontal bars per budget year, stacked by category or source.

Readable in print and in grey scale: the segments differ in lightness and, past the third,
in hatching; every segment large enough carries its amount, every bar its total, and the
legend repeats fill and pattern. Text is escaped; the chart comes with a text alternative.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from xml.sax.saxutils import escape, quoteattr

from bidkit.render.formatting import any_cents, money, number

#: Fills from dark to light, then hatched on white: apart in grey scale, too.
_SOLIDS = ("#1f2d3d", "#5b7087", "#a9b8c8")
_HATCHES = ('<path d="M0,6 L6,0" stroke="#1f2d3d" stroke-width="1.2"/>', '<path d="M0,0 L6,6 M0,6 L6,0" stroke="#1f2d3d" stroke-width="0.8"/>', '<circle cx="3" cy="3" r="1.1" fill="#1f2d3d"/>')

WIDTH, ROW, GAP, LEFT, TOP = 640, 30, 12, 52, 8
LEGEND_ROW = 18
#: Width of one character at font-size 11 (bold digits of DejaVu Sans are ~7.7 px wide): labels are
#: measured with it so that the totals and the axis' last label always fit inside the picture.
CHAR = 7.8


def text_width(text: str) -> float:
    return len(text) * CHAR


def axis_label(amount: Decimal, scale_max: Decimal) -> str:
    """Grid labels: whole euros up to a million, ``2,5 Mio. €`` beyond (short enough for any amount)."""
    if scale_max >= 1_000_000:
        return f"{number(amount / 1_000_000)}\u00a0Mio.\u00a0€"
    return money(amount)


@dataclass(frozen=True)
class Chart:
    svg: str
    svg_title: str
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _fill(index: int, primary: str) -> tuple[str, bool]:
    """(fill, dark) of the ``index``-th series; the first takes the theme's colour."""
    if index < len(_SOLIDS):
        return (primary if index == 0 else _SOLIDS[index]), index < 2
    return f"url(#hatch{(index - len(_SOLIDS)) % len(_HATCHES)})", False


def _nice_step(maximum: Decimal) -> Decimal:
    """A round grid step (1, 2, 2.5 or 5 × 10^k) giving 3–6 grid lines up to ``maximum``."""
    if maximum <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (maximum.adjusted() - 1)
    for factor in (1, 2, Decimal("2.5"), 5, 10, 20, 25, 50):
        step = magnitude * factor
        if maximum / step <= 6:
            return step
    return magnitude * 100


#: Series a chart tells apart: each has a fill of its own.
MAX_SERIES = len(_SOLIDS) + len(_HATCHES)


def _distinct(series: list[tuple[str, dict[int, Decimal]]], rest: str) -> list[tuple[str, dict[int, Decimal]]]:
    """``series`` with a fill each: beyond ``MAX_SERIES``, the largest keep theirs (in their order) and
    the others are one segment, ``rest`` with their number („Übrige Quellen (23)“); the tables list each."""
    if len(series) <= MAX_SERIES:
        return series
    largest = sorted(range(len(series)), key=lambda i: -sum(series[i][1].values(), Decimal(0)))[:MAX_SERIES - 1]
    merged: dict[int, Decimal] = {}
    for index, (_, values) in enumerate(series):
        if index not in largest:
            for year, amount in values.items():
                merged[year] = merged.get(year, Decimal(0)) + amount
    return [series[i] for i in sorted(largest)] + [(rest.format(len(series) - len(largest)), merged)]


def stacked_bars(years: list[int], series: list[tuple[str, dict[int, Decimal]]], *, title: str,
                 primary: str = "#003a70", font: str = "DejaVu Sans", rest: str = "Übrige ({})") -> Chart:
    """One bar per year; each series a segment of it, with a fill of its own (``_distinct``). Its
    amounts show cents alike (all with cents when one has them), as the tables of the same plan do."""
    series = _distinct(series, rest)
    totals = {y: sum((values.get(y, Decimal(0)) for _, values in series), Decimal(0)) for y in years}
    cents = any_cents([*totals.values(), *(v for _, values in series for v in values.values())])
    top = max(totals.values(), default=Decimal(0))
    step = _nice_step(top)
    # Decimal's // truncates towards zero, so -(-a // b) is no ceiling: a total just above a grid
    # line (3.210.000 € over 3 Mio.) would run past the scale and out of the picture.
    lines = max(1, int((top / step).to_integral_value(rounding=ROUND_CEILING))) if top else 1
    scale_max = step * lines
    # Room on the right for the longest total (written after its bar) and for half of the last
    # axis label (centred on the last grid line): any amount fits, none is clipped.
    right = max([text_width(money(t, cents=cents)) + 10 for t in totals.values()] + [text_width(axis_label(scale_max, scale_max)) / 2 + 4])
    plot = WIDTH - LEFT - right
    axis_y = TOP + len(years) * (ROW + GAP)
    legend_y = axis_y + 30
    legend = _legend([name for name, _ in series])
    height = legend_y + (max((row + len(lines) for row, _, lines in legend), default=0)) * LEGEND_ROW + 4

    def x(amount: Decimal) -> float:
        return LEFT + float(amount / scale_max) * plot

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
           f'font-family={quoteattr(font)} font-size="11">',
           f"<title>{escape(title)}</title><defs>"]
    out += [f'<pattern id="hatch{i}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="#ffffff"/>{shape}</pattern>' for i, shape in enumerate(_HATCHES)]
    out.append("</defs>")
    for i in range(lines + 1):  # grid and axis labels
        gx = x(step * i)
        out.append(f'<line x1="{gx:.1f}" y1="{TOP - 4}" x2="{gx:.1f}" y2="{axis_y}" stroke="#c8c8c8" stroke-width="0.6"/>')
        out.append(f'<text x="{gx:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="#444">{escape(axis_label(step * i, scale_max))}</text>')
    for row, year in enumerate(years):
        y = TOP + row * (ROW + GAP)
        out.append(f'<text x="{LEFT - 8}" y="{y + ROW / 2 + 4:.1f}" text-anchor="end" font-weight="bold">{year}</text>')
        start = Decimal(0)
        for index, (_, values) in enumerate(series):
            amount = values.get(year, Decimal(0))
            if not amount:
                continue
            x0, x1 = x(start), x(start + amount)
            fill, dark = _fill(index, primary)
            out.append(f'<rect x="{x0:.1f}" y="{y}" width="{x1 - x0:.1f}" height="{ROW}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>')
            label = money(amount, cents=cents)
            if x1 - x0 > text_width(label) + 6 and index < len(_SOLIDS):
                color = "#ffffff" if dark else "#111111"
                out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y + ROW / 2 + 4:.1f}" text-anchor="middle" fill="{color}">{escape(label)}</text>')
            start += amount
        out.append(f'<text x="{x(totals[year]) + 5:.1f}" y="{y + ROW / 2 + 4:.1f}" font-weight="bold">{escape(money(totals[year], cents=cents))}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP - 4}" x2="{LEFT}" y2="{axis_y}" stroke="#333" stroke-width="1"/>')
    for index, (row, lx, lines) in enumerate(legend):
        ly = legend_y + row * LEGEND_ROW
        fill, _ = _fill(index, primary)
        out.append(f'<rect x="{lx:.1f}" y="{ly}" width="14" height="10" fill="{fill}" stroke="#333" stroke-width="0.5"/>')
        out += [f'<text x="{lx + 20:.1f}" y="{ly + 9 + n * LEGEND_ROW}">{escape(line)}</text>' for n, line in enumerate(lines)]
    out.append("</svg>")
    return Chart("".join(out), title, _alt(title, years, series, totals, cents))


def _legend(names: list[str]) -> list[tuple[int, float, list[str]]]:
    """(row, x, lines) of each legend entry: three to a row across the width when every name fits
    its third, else two, else one to a row, a name too long for the whole width broken at its
    spaces onto lines of their own (CHAR per character overestimates these labels: never overlap)."""
    room = WIDTH - LEFT
    for columns in (3, 2, 1):
        if all(20 + text_width(name) <= room / columns - 8 for name in names):
            break
    placed, row = [], 0
    for index, name in enumerate(names):
        lines = [name] if columns > 1 else _wrapped(name, int((room - 28) // CHAR))
        placed.append((row, LEFT + (index % columns) * (room / columns), lines))
        if index % columns == columns - 1 or index == len(names) - 1:
            row += max(len(entry[2]) for entry in placed[index - index % columns:])
    return placed


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces (a longer word alone)."""
    lines: list[str] = []
    for word in text.split():
        while len(word) > width:  # no space to break at: the word's parts, not text over the edge
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _alt(title: str, years: list[int], series: list[tuple[str, dict[int, Decimal]]], totals: dict[int, Decimal],
         cents: bool) -> str:
    """The chart in words, for screen readers and text extraction."""
    parts = []
    for year in years:
        shares = [f"{name} {money(values[year], cents=cents)}" for name, values in series if values.get(year)]
        parts.append(f"{year}: {', '.join(shares)} (zusammen {money(totals[year], cents=cents)})")
    return f"{title}. " + "; ".join(parts) + "."
