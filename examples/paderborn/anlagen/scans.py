"""Invented scans of five letters of support, for the example (issue 10): run from anywhere,
``python examples/paderborn/anlagen/scans.py``, to write them again, byte for byte the same.

Every letter is made up, and each page says so in large letters („ERFUNDENES BEISPIEL“): a
1-bit image of an A4 page (a letterhead, lines of "text", a signature), about 1 KB, untagged as
a scanner writes it. The script also names each file in the register's Scan column.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

BID = Path(__file__).resolve().parent.parent
FOLDER = "anlagen/unterstuetzung"
#: One supporter of each kind (the register's first), by name.
SCANNED = ("Julia Koch", "Sportverein Paderborn-West", "Druckerei Paderborn-Am Bahnhof",
           "Forschungsgruppe Daten Paderborn-Neustadt", "Gesamtschule Paderborn-Am Bahnhof")

WIDTH, HEIGHT = 420, 594  # pixels of an A4 page (about 51 dpi)
GLYPHS = {  # 5×7 pixel letters, enough for the marking
    "E": "11111 10000 10000 11110 10000 10000 11111", "R": "11110 10001 10001 11110 10100 10010 10001",
    "F": "11111 10000 10000 11110 10000 10000 10000", "U": "10001 10001 10001 10001 10001 10001 01110",
    "N": "10001 11001 10101 10011 10001 10001 10001", "D": "11110 10001 10001 10001 10001 10001 11110",
    "S": "01111 10000 10000 01110 00001 00001 11110", "B": "11110 10001 10001 11110 10001 10001 11110",
    "I": "01110 00100 00100 00100 00100 00100 01110", "P": "11110 10001 10001 11110 10000 10000 10000",
    "L": "10000 10000 10000 10000 10000 10000 11111", " ": "00000 00000 00000 00000 00000 00000 00000",
}


def slug(name: str) -> str:
    text = name.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def page_image(name: str) -> bytes:
    """The page's pixels, 1 bit each (0 black), rows padded to whole bytes."""
    black = [[False] * WIDTH for _ in range(HEIGHT)]

    def box(x0: int, y0: int, x1: int, y1: int) -> None:
        for y in range(max(y0, 0), min(y1, HEIGHT)):
            for x in range(max(x0, 0), min(x1, WIDTH)):
                black[y][x] = True

    def write(text: str, x: int, y: int, scale: int) -> None:
        for char in text:
            for row, bits in enumerate(GLYPHS[char].split()):
                for column, bit in enumerate(bits):
                    if bit == "1":
                        box(x + column * scale, y + row * scale, x + (column + 1) * scale, y + (row + 1) * scale)
            x += 6 * scale

    seed = hashlib.sha256(name.encode("utf-8")).digest()
    box(40, 36, 40 + 80 + seed[0] % 80, 46)  # the letterhead
    box(40, 50, 40 + 50 + seed[1] % 60, 54)
    write("ERFUNDENES BEISPIEL", 40, 90, 3)
    y = 150
    for line in range(16):  # paragraphs of words
        x, end = 40, WIDTH - 40 - (seed[line % 32] % 120 if line % 5 == 4 else 0)
        for word in range(40):
            length = 8 + seed[(line * 7 + word) % 32] % 30
            if x + length > end:
                break
            box(x, y, x + length, y + 5)
            x += length + 6
        y += 26 if line % 5 == 4 else 16
    for step in range(90):  # the signature, a zigzag
        x, y = 60 + step, 470 + (step % 12 if step % 24 < 12 else 12 - step % 12) * 2
        box(x, y, x + 2, y + 2)
    packed = bytearray()
    for row in black:
        bits = "".join("0" if pixel else "1" for pixel in row).ljust((WIDTH + 7) // 8 * 8, "1")
        packed += int(bits, 2).to_bytes(len(bits) // 8, "big")
    return bytes(packed)


def scan_pdf(name: str) -> bytes:
    pdf = pikepdf.new()
    image = pdf.make_stream(zlib.compress(page_image(name), 9), Type=Name.XObject, Subtype=Name.Image, Width=WIDTH,
                            Height=HEIGHT, ColorSpace=Name.DeviceGray, BitsPerComponent=1, Filter=Name.FlateDecode)
    pdf.pages.append(pikepdf.Page(Dictionary(
        Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Resources=Dictionary(XObject=Dictionary(Im0=image)),
        Contents=pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"))))
    pdf.docinfo[Name.Title] = f"Erfundenes Unterstützungsschreiben (Beispiel): {name}"
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def main() -> None:
    register = BID / "unterstuetzer.csv"
    lines = register.read_text(encoding="utf-8").split("\n")
    (BID / FOLDER).mkdir(parents=True, exist_ok=True)
    for name in SCANNED:
        file = f"{FOLDER}/{slug(name)}.pdf"
        (BID / file).write_bytes(scan_pdf(name))
        [index] = [i for i, line in enumerate(lines) if line.split(";", 1)[0] == name]
        cells = lines[index].split(";")
        cells[4] = file
        lines[index] = ";".join(cells)
    register.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
