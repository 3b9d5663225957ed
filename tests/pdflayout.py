"""Reading a built PDF back as pages of text lines with their boxes (``pdftotext -bbox-layout``).

The layout tests judge what a reader sees: where each line stands on its page. Coordinates are
PDF points from the top left corner of the page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
#: The page box of templates/style.css (A4, margin 22mm 20mm 24mm 22mm).
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 22 * MM, 20 * MM, 24 * MM, 22 * MM

_NS = "{http://www.w3.org/1999/xhtml}"
#: What ends a line that breaks a word: WeasyPrint's hyphenation (bidkit.render.final gives it a
#: soft hyphen as actual text, which pdftotext reads; U+2010 where it does not) and a hyphen
#: that is part of the word ("Paderborn-", "Kosten-").
SOFT_HYPHENS = ("\u00ad", "\u2010")
HYPHENS = ("-", *SOFT_HYPHENS)


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    words: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]  # top to bottom, then left to right

    @property
    def body(self) -> list[Line]:
        """The lines inside the content box (running header and page number left out)."""
        return [line for line in self.lines if line.y0 >= MARGIN_TOP - 2 and line.y1 <= self.height - MARGIN_BOTTOM + 2]

    @property
    def rows(self) -> list[str]:
        """The body's lines joined across columns: the cells of one table row make one text."""
        rows: list[list[Line]] = []
        for line in sorted(self.body, key=lambda line: (line.y0, line.x0)):
            if rows and abs(rows[-1][0].y0 - line.y0) <= 2:
                rows[-1].append(line)
            else:
                rows.append([line])
        return [normalized(" ".join(line.text for line in sorted(row, key=lambda line: line.x0))) for row in rows]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def available() -> bool:
    return shutil.which("pdftotext") is not None


def pages(pdf: Path) -> list[Page]:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = ET.fromstring(out)
    result = []
    for number, page in enumerate(root.iter(f"{_NS}page"), start=1):
        lines = []
        for line in page.iter(f"{_NS}line"):
            words = tuple(w.text or "" for w in line.iter(f"{_NS}word"))
            box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            lines.append(Line(" ".join(words), *box, words))
        lines.sort(key=lambda line: (round(line.y0), line.x0))
        result.append(Page(number, float(page.get("width")), float(page.get("height")), lines))
    return result


def document_pages(pdf: Path) -> list[Page]:
    """The pages bidkit laid out (numbered "Seite N von M"), not the appended annexes."""
    return [page for page in pages(pdf) if re.search(r"Seite \d+ von \d+", page.text)]


def normalized(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())
