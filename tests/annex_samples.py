"""PDF annexes of the kinds a city hands in, made on the spot: a tagged PDF/A export, a scan
(an image, untagged), an office export with unembedded Helvetica in DeviceCMYK."""

from __future__ import annotations

import io
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name


def tagged_pdfa() -> bytes:
    """A tagged PDF/A-3u letter (WeasyPrint, as bidkit itself writes), with a link inside it and a
    table whose header IDs WeasyPrint names as it names the document's."""
    import weasyprint

    html = """<html lang="de"><head><title>Unterstützungsschreiben</title></head><body>
    <h1>Unterstützungsschreiben</h1><p>Wir unterstützen die Bewerbung. <a href="#ende">Zum Schluss</a></p>
    <table><thead><tr><th scope="col">Jahr</th><th scope="col">Betrag</th></tr></thead>
    <tbody><tr><th scope="row">2017</th><td>10.000 €</td></tr></tbody></table>
    <p style="break-before: page" id="ende">Mit freundlichen Grüßen</p></body></html>"""
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-3u", pdf_tags=True)


def scan(pages: int = 2) -> bytes:
    """An untagged scan: each page one grey image, nothing else."""
    pdf = pikepdf.new()
    for number in range(pages):
        pixels = bytes((x * 7 + y * 3 + number * 40) % 256 for y in range(60) for x in range(40))
        image = pdf.make_stream(zlib.compress(pixels), Type=Name.XObject, Subtype=Name.Image, Width=40, Height=60,
                                ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.FlateDecode)
        page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]),
                                       Resources=Dictionary(XObject=Dictionary(Im0=image)),
                                       Contents=pdf.make_stream(b"q 555 0 0 802 20 20 cm /Im0 Do Q")))
        pdf.pages.append(page)
    return _saved(pdf)


def office_export() -> bytes:
    """An office export: text in Helvetica (not embedded), painted in DeviceCMYK."""
    pdf = pikepdf.new()
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]),
                                   Resources=Dictionary(Font=Dictionary(F1=font)),
                                   Contents=pdf.make_stream(b"BT 0 0 0 1 k /F1 12 Tf 72 770 Td (Kostenaufstellung) Tj ET")))
    pdf.pages.append(page)
    return _saved(pdf)


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
