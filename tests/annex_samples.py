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


# --- annexes with what PDF/A-3a and PDF/UA-1 forbid (rt5 D2–D4): bidkit repairs or refuses them -----

def letter_with_review_marks() -> bytes:
    """A tagged letter (WeasyPrint, PDF/UA-1) as it comes back from a review, each mark one that
    bidkit repairs: a scanned signature with /Interpolate true (and an inline image with /I true),
    a transfer function, a reviewer's sticky note with its pop-up, a hidden rectangle, a stamp
    „Geprüft“ that prints (with its appearance, tagged nowhere), a ticked check box tagged as a
    form field, a link without the print flag, an invisible (OCR) text line in Helvetica, which is
    not embedded, and a rule drawn outside the tagged content."""
    import weasyprint

    html = """<html lang="de"><head><title>Stellungnahme</title></head><body style="font-family: DejaVu Sans">
    <h1>Stellungnahme der Kämmerei</h1><p>Die Mittel sind im Haushalt vorgesehen.</p></body></html>"""
    pdf = pikepdf.open(io.BytesIO(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)))
    page = pdf.pages[0]
    resources = page.obj.Resources
    signature = pdf.make_stream(zlib.compress(bytes(range(0, 250, 10)) * 4), Type=Name.XObject, Subtype=Name.Image,
                                Width=10, Height=10, ColorSpace=Name.DeviceGray, BitsPerComponent=8,
                                Filter=Name.FlateDecode, Interpolate=True)
    resources.XObject = resources.get("/XObject", Dictionary())
    resources.XObject.Sig = signature
    resources.ExtGState = resources.get("/ExtGState", Dictionary())
    resources.ExtGState.Tr = Dictionary(Type=Name.ExtGState, TR=Name.Identity)
    resources.Font = resources.get("/Font", Dictionary())
    resources.Font.OCR = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    page.contents_add(pdf.make_stream(
        b"/Artifact BMC q /Tr gs 120 0 0 40 72 500 cm /Sig Do Q EMC\n"
        b"/Artifact BMC q 20 0 0 20 200 500 cm BI /W 1 /H 1 /CS /G /BPC 8 /I true ID \x80 EI Q EMC\n"
        b"/Artifact BMC BT 3 Tr /OCR 12 Tf 72 480 Td (Unterschrift Kaemmerer) Tj ET EMC\n"
        b"0 0 1 RG 72 440 m 300 440 l S\n"), prepend=False)
    box = pdf.make_stream(b"0 0 1 RG 2 w 1 1 98 28 re S", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 100, 30])
    tick = pdf.make_stream(b"0 g 1 1 8 8 re S 2 2 m 8 8 l 2 8 m 8 2 l S", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 10, 10])
    note = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=[50, 700, 70, 720],
                                        Contents=pikepdf.String("Bitte prüfen – Kämmerei")))
    popup = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Popup, Rect=[70, 600, 250, 700], Parent=note))
    note.Popup = popup
    hidden = Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=[50, 650, 70, 670], F=2)
    stamp = Dictionary(Type=Name.Annot, Subtype=Name.Stamp, Rect=[400, 700, 500, 730], F=4, Name=Name("/Approved"),
                       Contents=pikepdf.String("Geprüft"), AP=Dictionary(N=box))
    checkbox = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, T=pikepdf.String("ok"),
                                            TU=pikepdf.String("Mittel vorgesehen"), Rect=[300, 500, 310, 510], F=4,
                                            V=Name("/Ja"), AS=Name("/Ja"), AP=Dictionary(N=Dictionary(Ja=tick))))
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 450, 200, 462], Border=[0, 0, 0],
                      A=Dictionary(S=Name.URI, URI=pikepdf.String("https://www.example.org/haushalt")))
    page.obj.Annots = pdf.make_indirect(Array([note, popup, hidden, stamp, checkbox, link]))
    pdf.Root.AcroForm = Dictionary(Fields=Array([checkbox]))
    # The check box is a form field of the structure tree, as a tagging program writes it.
    root = pdf.Root.StructTreeRoot
    document = root.K[0] if isinstance(root.K, Array) else root.K
    key = int(root.get("/ParentTreeNextKey", 100))
    form = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Form, P=document, Pg=page.obj,
                                        K=Dictionary(Type=Name.OBJR, Obj=checkbox, Pg=page.obj)))
    document.K.append(form)
    checkbox.StructParent = key
    pikepdf.NumberTree(root.ParentTree)[key] = form
    root.ParentTreeNextKey = key + 1
    return _saved(pdf)


def ocr_scan() -> bytes:
    """A searchable scan: the picture of the page and over it the recognised text, invisible
    (render mode 3), in Helvetica, not embedded — as scanners' OCR writes it; stamped „Eingegangen“
    in a viewer (a stamp annotation with its appearance) and commented (a note that does not print),
    with a link."""
    pdf = pikepdf.open(io.BytesIO(scan(1)))
    page = pdf.pages[0]
    mark = pdf.make_stream(b"1 0 0 RG 3 w 2 2 116 36 re S", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 120, 40])
    page.obj.Annots = Array([
        Dictionary(Type=Name.Annot, Subtype=Name.Stamp, Rect=[400, 760, 520, 800], F=4, AP=Dictionary(N=mark, D=mark)),
        Dictionary(Type=Name.Annot, Subtype=Name.FreeText, Rect=[72, 700, 300, 720], Contents=pikepdf.String("Frist!"),
                   DA=pikepdf.String("/Helv 10 Tf 0 g")),
        # a link left over from the tagged file the scan replaced: its /StructParent means nothing here
        Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 72, 300, 90], StructParent=3,
                   A=Dictionary(S=Name.URI, URI=pikepdf.String("https://www.wolfsburg.de")))])
    page.obj.Resources.Font = Dictionary(OCR=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                                        Encoding=Name.WinAnsiEncoding))
    page.contents_add(pdf.make_stream(b"BT 3 Tr /OCR 11 Tf 72 760 Td (Memorandum of Understanding) Tj ET"), prepend=False)
    return _saved(pdf)


def form_without_appearances() -> bytes:
    """A form whose filled-in fields have no appearance of their own (the viewer is to draw them:
    /NeedAppearances true; WeasyPrint writes forms so), in a composite font qpdf cannot write, and a
    highlight without an appearance: nothing bidkit can draw as the page prints it."""
    import weasyprint

    html = """<html lang="de"><head><title>Antragsformular</title></head><body style="font-family: DejaVu Sans">
    <h1>Antrag</h1><p><label>Antragsteller <input name="antragsteller" value="Stadt Wolfsburg"></label></p>
    <p><label>Bemerkung <textarea name="bem">Keine</textarea></label></p></body></html>"""
    pdf = pikepdf.open(io.BytesIO(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_forms=True)))
    page = pdf.pages[0]
    page.obj.Annots.append(pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Highlight, F=4,
                                                        Rect=[72, 760, 200, 775], QuadPoints=[72, 775, 200, 775, 72, 760, 200, 760])))
    return _saved(pdf)


def print_shop_plan(cmyk_group: bool = False) -> bytes:
    """A site plan as prepress software writes it: a picture with a printer's proxy (/OPI) and an
    alternate, a form referring to another file's page (/Ref), rendering intents PDF/A does not
    know (in the content and a graphics state), and an interpolated inline image inside a form;
    with ``cmyk_group``, its page blends in uncalibrated DeviceCMYK (which bidkit cannot mend)."""
    pdf = pikepdf.open(io.BytesIO(scan(1)))
    page = pdf.pages[0]
    picture = page.obj.Resources.XObject.Im0
    picture.OPI = Dictionary({"/2.0": Dictionary(Type=Name.OPI, Version=2.0, F=pikepdf.String("plan-hires.tif"))})
    picture.Alternates = Array([Dictionary(Image=pdf.make_stream(b"\x80", Type=Name.XObject, Subtype=Name.Image, Width=1,
                                                                 Height=1, ColorSpace=Name.DeviceGray, BitsPerComponent=8))])
    legend = pdf.make_stream(b"0 0 1 RG 1 1 98 18 re S q 10 0 0 10 2 2 cm BI /W 1 /H 1 /CS /G /BPC 8 /Interpolate true ID \x40 EI Q",
                             Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 100, 20],
                             Ref=Dictionary(F=pikepdf.String("legende.pdf"), Page=0))
    page.obj.Resources.XObject.Legend = legend
    page.obj.Resources.ExtGState = Dictionary(Print=Dictionary(Type=Name.ExtGState, RI=Name("/Proof")))
    page.contents_add(pdf.make_stream(b"/Proof ri /Print gs q 1 0 0 1 400 40 cm /Legend Do Q"), prepend=False)
    if cmyk_group:
        page.obj.Group = Dictionary(S=Name.Transparency, CS=Name.DeviceCMYK)
    return _saved(pdf)


# --- what page-validation rejects in an appended page (rt9 D9, rt9b E8, E9): mended or ANX006 --------

def _tagged_report() -> pikepdf.Pdf:
    """A tagged report (WeasyPrint, PDF/UA-1) with headings H1, H2, H3, a figure, a formula, a
    table, a list and links (a web address, a place inside it), as an office program tags one."""
    import weasyprint

    html = """<html lang="de"><head><title>Bericht</title></head><body style="font-family: DejaVu Sans">
    <h1>Bericht</h1><h2>Ausgangslage</h2><h3>Verkehr</h3><p>Siehe <a href="https://www.example.org/">Portal</a>
    und <a href="#ende">Schluss</a>.</p><h2>Kosten</h2><h3>Bau</h3>
    <table><thead><tr><th scope="col">Jahr</th><th scope="col">Betrag</th></tr></thead>
    <tbody><tr><td>2027</td><td>10.000 €</td></tr></tbody></table>
    <ul><li>Eins</li><li>Zwei</li></ul>
    <p style="break-before: page" id="ende">Mit freundlichen Grüßen</p></body></html>"""
    return pikepdf.open(io.BytesIO(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)))


def _elements_of(pdf: pikepdf.Pdf, kind: str) -> list:
    return [o for o in pdf.objects if isinstance(o, Dictionary) and o.get("/Type") == Name.StructElem and o.get("/S") == Name(kind)]


def office_quirks() -> bytes:
    """A tagged report as office programs and old distillers write them, each quirk one that
    page-validation rejects and bidkit mends without changing a printed page: heading levels that
    skip (H3 written H5 under H2), an empty catalog /Lang and a /Lang „deutsch!“ on a paragraph,
    glyph widths (/W) that disagree with the embedded font, a PostScript XObject and an unknown blend
    mode in use, a halftone phase, presentation steps, an incomplete /CIDSet, links without /Contents
    and one that prints the file (a named action)."""
    pdf = _tagged_report()
    for heading in _elements_of(pdf, "/H3"):
        heading.S = Name("/H5")
    pdf.Root.Lang = pikepdf.String("")
    _elements_of(pdf, "/P")[0].Lang = pikepdf.String("deutsch!")
    page = pdf.pages[0]
    for font in page.obj.Resources.Font.values():
        for cid in font.get("/DescendantFonts", ()):
            cid.W = Array([item if isinstance(item, int) else Array([int(w) + 150 for w in item]) for item in cid.W])
            if "/FontDescriptor" in cid:
                cid.FontDescriptor.CIDSet = pdf.make_stream(b"\x80")
    postscript = pdf.make_stream(b"%!PS\n/Times findfont 12 scalefont setfont", Type=Name.XObject, Subtype=Name.PS)
    resources = page.obj.Resources
    resources.XObject = resources.get("/XObject", Dictionary())
    resources.XObject.PS0 = postscript
    resources.ExtGState = resources.get("/ExtGState", Dictionary())
    resources.ExtGState.GZ = Dictionary(Type=Name.ExtGState, BM=Name("/Zauber"), HTP=Array([0, 0]))
    page.contents_add(pdf.make_stream(b"/Artifact BMC q /GZ gs /PS0 Do 0 0 1 rg 500 20 20 20 re f Q EMC"), prepend=False)
    page.obj.PresSteps = Dictionary(Type=Name.NavNode)
    for annot in page.obj.get("/Annots", ()):
        if "/Contents" in annot:
            del annot.Contents
    printer = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[500, 800, 560, 812], F=4, Border=[0, 0, 0],
                                           A=Dictionary(S=Name.Named, N=Name.Print)))
    page.obj.Annots = page.obj.get("/Annots", pdf.make_indirect(Array()))
    page.obj.Annots.append(printer)
    return _saved(pdf)


def signed_letter() -> bytes:
    """A scanned letter signed with an electronic signature: a signature field (/FT /Sig) holding
    a signature (/V), its widget invisible, as e-signature tools write it."""
    pdf = pikepdf.open(io.BytesIO(scan(1)))
    signature = pdf.make_indirect(Dictionary(Type=Name.Sig, Filter=Name("/Adobe.PPKLite"), SubFilter=Name("/adbe.pkcs7.detached"),
                                             ByteRange=Array([0, 100, 200, 300]), Contents=pikepdf.String(b"\0" * 64)))
    look = pdf.make_stream(b"", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 0, 0])
    widget = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Sig, T=pikepdf.String("Signatur"),
                                          V=signature, Rect=[0, 0, 0, 0], F=132, AP=Dictionary(N=look), P=pdf.pages[0].obj))
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([widget]))
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]), SigFlags=3)
    return _saved(pdf)


def simple_truetype(widths_off: int = 0, to_unicode: bool = True) -> bytes:
    """An office export in an embedded simple TrueType font (DejaVu Sans, WinAnsiEncoding) whose
    /Widths are ``widths_off`` units off the font program's; without a ToUnicode map the font is
    read by its encoding (``to_unicode`` only adds one that agrees)."""
    from fontTools.ttLib import TTFont

    path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    ttf = TTFont(path)
    scale = 1000 / ttf["head"].unitsPerEm
    cmap = ttf.getBestCmap()
    widths = [round(ttf["hmtx"][cmap[ord(bytes([code]).decode("cp1252"))]][0] * scale) + widths_off for code in range(32, 127)]
    pdf = pikepdf.new()
    program = pdf.make_stream(open(path, "rb").read())
    descriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name("/DejaVuSans"), Flags=32, FontBBox=[-1021, -463, 1793, 1232],
                            ItalicAngle=0, Ascent=928, Descent=-236, CapHeight=729, StemV=80, FontFile2=program)
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name("/DejaVuSans"), FirstChar=32,
                                        LastChar=126, Widths=Array(widths), Encoding=Name.WinAnsiEncoding, FontDescriptor=descriptor))
    if to_unicode:
        pairs = "".join(f"<{code:02X}> <{code:04X}>\n" for code in range(32, 127))
        font.ToUnicode = pdf.make_stream(("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
                                          "1 begincodespacerange <00> <FF> endcodespacerange 95 beginbfchar\n" + pairs
                                          + "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end").encode())
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Resources=Dictionary(Font=Dictionary(F1=font)),
                                   Contents=pdf.make_stream(b"BT /F1 14 Tf 72 770 Td (Kosten und Finanzierung) Tj 0 -20 Td "
                                                            b"[(Wir) -250 (bauen)] TJ (Radwege) ' 2 1 (fertig) \" ET")))
    pdf.pages.append(page)
    return _saved(pdf)


def page_of_size(width: float, height: float) -> bytes:
    """A scan whose page is ``width`` × ``height`` units (a long CAD plan; a stamp-sized page)."""
    pdf = pikepdf.open(io.BytesIO(scan(1)))
    pdf.pages[0].obj.MediaBox = Array([0, 0, width, height])
    return _saved(pdf)


def tagged_with(fault: str) -> bytes:
    """The tagged report with one fault that cannot be mended without guessing: ``heading`` (an /H
    among H1–H6), ``empty-alt`` (a figure's /Alt „“), ``formula`` (a formula without /Alt), ``tr-kids``
    (table cells retyped /P), ``no-unicode`` (its fonts without ToUnicode map), ``nesting`` (graphics
    states 30 deep), ``bit-depth`` (an image of 3 bits per component)."""
    pdf = _tagged_report()
    page = pdf.pages[0]
    if fault == "heading":
        _elements_of(pdf, "/H1")[0].S = Name.H
    elif fault in ("empty-alt", "formula"):
        element = _elements_of(pdf, "/P")[0]
        element.S = Name.Figure if fault == "empty-alt" else Name.Formula
        if fault == "empty-alt":
            element.Alt = pikepdf.String("")
    elif fault == "tr-kids":
        for cell in _elements_of(pdf, "/TD"):
            cell.S = Name.P
    elif fault == "no-unicode":
        for font in page.obj.Resources.Font.values():
            del font["/ToUnicode"]
    elif fault == "nesting":
        page.contents_add(pdf.make_stream(b"/Artifact BMC " + b"q " * 30 + b"0 0 1 1 re f " + b"Q " * 30 + b"EMC"), prepend=False)
    elif fault == "bit-depth":
        image = pdf.make_stream(b"\xff\xff", Type=Name.XObject, Subtype=Name.Image, Width=2, Height=2, ColorSpace=Name.DeviceGray,
                                BitsPerComponent=3)
        page.obj.Resources.XObject = page.obj.Resources.get("/XObject", Dictionary())
        page.obj.Resources.XObject.Im9 = image
        page.contents_add(pdf.make_stream(b"/Artifact BMC q 10 0 0 10 500 20 cm /Im9 Do Q EMC"), prepend=False)
    else:
        raise ValueError(fault)
    return _saved(pdf)


def oversized_crop_box() -> bytes:
    """A scan of A4 whose /CropBox and /TrimBox reach 20000 units (a layout program's pasteboard):
    viewers show only the part inside the /MediaBox."""
    pdf = pikepdf.open(io.BytesIO(scan(1)))
    pdf.pages[0].obj.CropBox = Array([0, 0, 20000, 1000])
    pdf.pages[0].obj.TrimBox = Array([-100, -100, 20000, 20000])
    return _saved(pdf)
