"""The final file: WeasyPrint's PDF plus the PDF annexes, written once with pikepdf (qpdf).

This module owns the invariants of the file bidkit hands in, for every variant:

- written in one piece (complete cross-reference table, an end-of-line after each ``obj``),
  never as an incremental update; a file identifier ``/ID`` derived from the content
  (``deterministic_id``), so the same inputs give the same bytes;
- the XMP metadata uncompressed and claiming exactly what the variant promises
  (``CLAIMS``): PDF/A-3a + PDF/UA-1 by default, PDF/A-3u, PDF/UA-1, or nothing;
- running header, footer and draft stamp (WeasyPrint's margin boxes, whose structure elements
  WeasyPrint 70 leaves unlinked) are ``/Artifact`` with ``/Type /Pagination``, and out of the
  structure and parent trees; so is a draft's watermark (the page background);
- a line-end hyphen carries ``/ActualText`` (a soft hyphen), so extracted text and screen
  readers get whole words;
- internal links say where they lead (``/Contents`` „Ausgangslage, Seite 3“);
- two different font subsets never share a name;
- each PDF annex follows with a bookmark „Anlage N: title“ under a ``/Part`` of the structure
  tree: a tagged annex keeps its structure (structure parents renumbered, parent tree, ID tree
  and role map merged, its ``/Lang`` kept), an untagged one (a scan) becomes one ``/Figure``
  per page with the alt text „Anlage N: title, Seite k“. Annex links stay inside the annex;
- the supporters' scans follow as one annex „Anlage N: Unterstützungsschreiben“ whose bookmark
  has a child per letter (the supporter's name), each letter a ``/Div`` named so under the
  annex's ``/Part``, its pages figures with the alt text „… – name, Seite k“;
- no image asks to be interpolated (WeasyPrint's raster logo and backgrounds, and the annexes'),
  and every annotation of an annex is tagged.

What an annex holds that PDF/A or PDF/UA forbids is mended in its clean copy where the printed
page stays the same (``repair_annex``, ANX009); whether an annex can keep a claim at all is
judged before (``inspect_annex``, ``bidkit.annexes``, ANX rules).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import sys
import warnings
import zlib
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from bidkit.render.annexpdf import AnnexPdf

#: variant → (PDF/A part and conformance or None, PDF/UA part or None). The keys are
#: bidkit.render.build.PDF_VARIANTS; the first is the default.
CLAIMS: dict[str, tuple[tuple[int, str] | None, int | None]] = {
    "pdf/a-3a+ua-1": ((3, "A"), 1),
    "pdf/a-3u": ((3, "U"), None),
    "pdf/ua-1": (None, 1),
    "pdf": (None, None),
}

SOFT_HYPHEN_TEXT = b"<FEFF00AD>"  # /ActualText of a line-end hyphen: U+00AD, a soft hyphen
#: WeasyPrint's hyphenate-character; a hyphen-minus at a line end is a real one ("Kosten-\nund").
LINE_END_HYPHEN = "\u2010"


class AnnexFailure(Exception):
    """Annex ``number`` (its letter ``letter``, 0-based) could not be appended (its copy is
    damaged in a way the reading missed)."""

    def __init__(self, number: int, reason: str, letter: int | None = None):
        super().__init__(reason)
        self.number, self.reason, self.letter = number, reason, letter


READ_AGAIN = "Export the document as PDF (ideally PDF/A) again."


def append(document: bytes, annexes: list[AnnexPdf], *, variant: str = "pdf", draft: bool = False,
           document_variant: str | None = None) -> bytes:
    """``finish`` with the annexes that have files (a draft's scans annex may have lost every
    letter); an annex that cannot be appended is a RenderError naming its file."""
    from bidkit.errors import RenderError

    appended = [annex for annex in annexes if annex.files]
    try:
        return finish(document, variant=variant, annexes=appended, draft=draft, document_variant=document_variant)
    except AnnexFailure as failure:
        annex = next(a for a in appended if a.number == failure.number)
        raise RenderError(f"annex {annex.number} '{annex.files[failure.letter or 0]}' could not be appended: {failure.reason}",
                          READ_AGAIN) from None


def finish(document: bytes, *, variant: str, annexes: list[AnnexPdf] = (), draft: bool = False,
           document_variant: str | None = None) -> bytes:
    """The final file: ``document`` (WeasyPrint's PDF for ``variant``) made to keep the
    invariants above, followed by ``annexes``; in a ``draft`` the page background is the
    watermark „ENTWURF“ (templates/watermark.svg); ``document_variant`` names the variant of the
    bid (``bidkit build --variant``) in the XMP metadata."""
    with warnings.catch_warnings():
        # pikepdf warns of form fields that reach the file without their form: the annex's form
        # is drawn into its pages (``repair_annex``); what is left is named by ANX006 before.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        return _finish(document, variant, annexes, draft, document_variant)


def _finish(document: bytes, variant: str, annexes: list[AnnexPdf], draft: bool, document_variant: str | None) -> bytes:
    pdf = pikepdf.open(io.BytesIO(document))
    # WeasyPrint asks viewers to smooth raster images (logo, backgrounds) unless the CSS says
    # `image-rendering: crisp-edges`, which a theme may undo; PDF/A forbids it.
    _repair_resources(pdf, [], contents=False)
    parent_tree = _flat_parent_tree(pdf)
    root = pdf.Root.get("/StructTreeRoot")
    reachable, ids = _structure(root.K) if root is not None and "/K" in root else (set(), {})
    _margin_boxes_to_artifacts(pdf, parent_tree, reachable, watermark=draft)
    _link_contents(pdf)
    sources = []  # pikepdf copies foreign objects lazily: the annexes stay open until the save
    for annex in annexes:
        sources += _append(pdf, annex, parent_tree, ids)
    _store_parent_tree(pdf, parent_tree)
    _store_id_tree(pdf, ids)
    _unique_font_names(pdf)
    _identify(pdf, variant, document_variant)
    return _written(pdf)


def _save(pdf: pikepdf.Pdf, object_streams: pikepdf.ObjectStreamMode) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, fix_metadata_version=False, compress_streams=True,
             object_stream_mode=object_streams, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


#: How often a file is written anew before it goes without object streams (each try mends all it finds).
MENDING_TRIES = 4


def _written(pdf: pikepdf.Pdf) -> bytes:
    """The file's bytes, with no stream whose data ends in a carriage return: qpdf ends stream data
    with "\n", and "\r\n" before ``endstream`` reads as one end-of-line to a validator, which then
    finds ``/Length`` one byte too long (ISO 19005-2 6.1.7). A Flate stream's data ends in the
    low byte of its content's Adler-32 checksum, so about one stream in 256 does (in a 50-page
    bid, most files have one). Only those are mended (``_mend``), and the file is written again
    with its object streams; should one be beyond mending, the file goes without object streams."""
    data = _save(pdf, pikepdf.ObjectStreamMode.generate)
    for _ in range(MENDING_TRIES):
        bad = _streams_ending_in_cr(data)
        if not bad:
            return data
        written = pikepdf.open(io.BytesIO(data))
        if not all([_mend(written, number) for number in bad]):
            return _save(written, pikepdf.ObjectStreamMode.disable)
        data = _save(written, pikepdf.ObjectStreamMode.generate)
    return _save(pikepdf.open(io.BytesIO(data)), pikepdf.ObjectStreamMode.disable) if _streams_ending_in_cr(data) else data


def _streams_ending_in_cr(data: bytes) -> list[int]:
    """Numbers of the objects whose stream data ends in "\r" (qpdf writes "\nendstream" after each)."""
    numbers = []
    end = data.find(b"\r\nendstream")
    while end >= 0:
        start = data.rfind(b" 0 obj", 0, end)
        line = data.rfind(b"\n", 0, start) + 1
        if start > 0 and data[line:start].isdigit():
            numbers.append(int(data[line:start]))
        end = data.find(b"\r\nendstream", end + 1)
    return numbers


def _mend(written: pikepdf.Pdf, number: int) -> bool:
    """Make stream ``number`` of the ``written`` file (as qpdf wrote it) end otherwise when written
    again, keeping its meaning; False when it cannot be.

    - A Flate stream (content, font, image, …) is compressed with a PNG predictor whose single row
      is tagged "Up" (over a row of zeros: the bytes themselves): its checksum is two higher, and
      any reader decodes the same bytes.
    - An object stream (qpdf packs and compresses those anew) loses the optional ``/Type
      /StructElem`` of one structure element it holds; the cross-reference stream, of any
      element (its offsets move)."""
    stream = written.get_object((number, 0))
    if not isinstance(stream, pikepdf.Stream) or not stream.read_raw_bytes().endswith(b"\r"):
        return True  # "\r\nendstream" inside some stream's data, not at its end
    kind = stream.get("/Type")
    if kind == Name.ObjStm:
        head = stream.read_bytes()[:int(stream.First)].split()
        return _drop_element_type(written.get_object((int(n), 0)) for n in head[::2])
    if kind == Name.XRef:
        root = written.Root.get("/StructTreeRoot")
        return root is not None and "/K" in root and _drop_element_type(_elements(root.K))
    if stream.get("/Filter") != Name.FlateDecode:
        return False
    try:
        content = stream.read_bytes()  # predictors undone
    except pikepdf.PdfError:
        return False
    if not content:
        return False
    stream.write(zlib.compress(b"\x02" + content), filter=Name.FlateDecode,
                 decode_parms=Dictionary(Predictor=12, Colors=1, BitsPerComponent=8, Columns=len(content)))
    return True


def _drop_element_type(candidates) -> bool:
    for element in candidates:
        if isinstance(element, Dictionary) and element.get("/Type") == Name.StructElem:
            del element.Type
            return True
    return False


# --- structure -----------------------------------------------------------------------------

def _nums(tree) -> list[tuple[int, object]]:
    """(key, value) pairs of a number tree, flattened (a tree may use /Kids)."""
    pairs = []
    if tree is None:
        return pairs
    if "/Nums" in tree:
        nums = tree.Nums
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in tree.get("/Kids", []):
        pairs += _nums(kid)
    return pairs


def _flat_parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    root = pdf.Root.get("/StructTreeRoot")
    return dict(_nums(root.get("/ParentTree"))) if root is not None else {}


def _store_parent_tree(pdf: pikepdf.Pdf, parent_tree: dict[int, object]) -> None:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    nums = Array()
    for key in sorted(parent_tree):
        nums.append(key)
        nums.append(parent_tree[key])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = max(parent_tree, default=-1) + 1


#: The types of the /K entries that are no structure element.
_NOT_ELEMENTS = (Name.OBJR, Name.MCR)


def _elements(root):
    """Each structure element below ``root`` once, depth first (marked-content and object
    references skipped): the one walk of the structure tree that the steps below share.

    The kinds are told by pikepdf's type codes, not ``isinstance`` (whose check for pikepdf's
    classes runs in Python): the walk of a 46-page bid's ~11,000 elements is the largest part of
    the final file's time (0.31 → 0.12 s)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    array, dictionary, plain = pikepdf.ObjectType.array, pikepdf.ObjectType.dictionary, pikepdf.Object
    while stack:
        node = stack.pop()
        if type(node) is not plain:  # a number (a marked-content id) or None
            continue
        kind = node._type_code
        if kind != array and kind != dictionary:
            continue
        if node.is_indirect:  # an array too can hold itself
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if kind == array:
            stack.extend(node)
            continue
        if node.get("/Type") in _NOT_ELEMENTS:
            continue
        yield node
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)


def _structure(root) -> tuple[set[tuple[int, int]], dict[str, object]]:
    """In one walk below ``root``: the object ids of the structure elements reachable from it,
    and the elements that carry an /ID, by ID."""
    reachable, ids = set(), {}
    for element in _elements(root):
        if element.is_indirect:
            reachable.add(element.objgen)
        found = element.get("/ID") if "/ID" in element else None  # a missing key's get costs 5× the test
        if isinstance(found, String):
            ids[str(found)] = element
    return reachable, ids


def _margin_boxes_to_artifacts(pdf: pikepdf.Pdf, parent_tree: dict[int, object], reachable: set[tuple[int, int]],
                               watermark: bool) -> None:
    """Marked content whose structure element is not ``reachable`` in the tree (WeasyPrint's
    margin boxes) becomes a pagination artifact (header above the middle of the page, footer
    below); every line-end hyphen gets a soft hyphen as its actual text."""
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        mcids = parent_tree.get(int(key)) if key is not None else None
        orphans = set()
        if isinstance(mcids, Array):
            for mcid, element in enumerate(mcids):
                if isinstance(element, Dictionary) and element.objgen not in reachable:
                    orphans.add(mcid)
                    mcids[mcid] = None
        height = float(page.mediabox[3]) - float(page.mediabox[1])
        hyphens = _hyphen_glyphs(page)
        if orphans or hyphens or watermark:
            _rewrite_content(pdf, page, orphans, hyphens, height, watermark)


def _hyphen_glyphs(page) -> dict[str, bytes]:
    """Font resource name → the glyph code that WeasyPrint's ToUnicode maps to a hyphen."""
    found = {}
    fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
    for name, font in fonts.items():
        unicode_map = font.get("/ToUnicode")
        if unicode_map is None:
            continue
        text = unicode_map.read_bytes().decode("latin-1")
        for code, value in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>", text):
            if chr(int(value, 16)) == LINE_END_HYPHEN:
                found[name] = bytes.fromhex(code)
                break
    return found


#: In WeasyPrint's content streams (pydyf writes them, bidkit pins WeasyPrint 70): a marked-content
#: start with an MCID, a font selection, a positioned text's y, a glyph array with hex strings.
CONTENT_TOKEN = re.compile(rb"/(\w+)\s*<<\s*/MCID (\d+)\s*>>\s*BDC|/(\S+) [-\d.]+ Tf|(-?[\d.]+) Tm|\[([^\]]*)\]\s*TJ")
HEX_GLYPHS = re.compile(rb"<([0-9a-fA-F]*)>")


#: WeasyPrint's page background (an artifact): the whole page clipped, one image drawn.
PAGE_BACKGROUND = re.compile(rb"/Artifact\s+BMC(\s+0 0 [\d.]+ [\d.]+ re\s+W\s+n\s+/\w+ Do\s+EMC)")


def _rewrite_content(pdf, page, orphans: set[int], hyphens: dict[str, bytes], height: float, watermark: bool) -> None:
    """Orphaned marked content → pagination artifact (header or footer by where its text
    stands); a glyph array ending in a line-end hyphen → the hyphen in a span with a soft
    hyphen as actual text. Works on the content bytes (one pass, no object per operator)."""
    page.contents_coalesce()
    content = page.obj.Contents.read_bytes()
    if watermark:
        content = PAGE_BACKGROUND.sub(rb"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\1", content, count=1)
    scale_match = re.search(rb"\n([\d.]+) 0 0 ([\d.]+) 0 0 cm", content)
    scale = float(scale_match.group(2)) if scale_match else 1.0  # WeasyPrint draws in px, scaled to pt
    hyphen_hex = {name.lstrip("/").encode(): code.hex().encode() for name, code in hyphens.items()}
    out, position, font, artifact_at = [], 0, None, None
    for match in CONTENT_TOKEN.finditer(content):
        if match.group(2) is not None:
            if int(match.group(2)) not in orphans:
                continue
            out += [content[position:match.start()], b"/Artifact <</Type /Pagination /Subtype /Header>> BDC"]
            artifact_at, position = len(out) - 1, match.end()
        elif match.group(3) is not None:
            font = match.group(3)
        elif match.group(4) is not None:
            if artifact_at is not None and float(match.group(4)) * scale > height / 2:
                out[artifact_at] = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
            artifact_at = None
        elif match.group(5) is not None and font in hyphen_hex:
            glyphs = match.group(5)
            strings = list(HEX_GLYPHS.finditer(glyphs))
            if not strings or not strings[-1].group(1).lower().endswith(hyphen_hex[font].lower()):
                continue
            last = strings[-1]
            head = glyphs[:last.start()] + b"<" + last.group(1)[:-len(hyphen_hex[font])] + b">"
            out += [content[position:match.start()], b"[" + head + b"] TJ /Span <</ActualText " + SOFT_HYPHEN_TEXT + b">> BDC [<"
                    + hyphen_hex[font] + b">] TJ EMC"]
            position = match.end()
    out.append(content[position:])
    page.obj.Contents = pdf.make_stream(b"".join(out))


# --- links ---------------------------------------------------------------------------------

def _link_contents(pdf: pikepdf.Pdf) -> None:
    """Internal links (WeasyPrint writes the anchor id as /Contents) say the heading and page
    they lead to, e.g. „Ausgangslage, Seite 3“."""
    names = _named_destinations(pdf)
    page_index = {page.objgen: number for number, page in enumerate(pdf.pages)}
    headings = []  # (page, y, title) of every bookmark
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            stack.extend(item.children)
            dest = item.destination
            if isinstance(dest, Array) and len(dest) >= 4 and dest[0].objgen in page_index:
                headings.append((page_index[dest[0].objgen], _number(dest[3]), item.title))
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            target = annot.get("/Dest")
            if annot.get("/Subtype") != Name.Link or not isinstance(target, String):
                continue
            dest = names.get(str(target))
            if not isinstance(dest, Array) or dest[0].objgen not in page_index:
                continue
            number, y = page_index[dest[0].objgen], _number(dest[3]) if len(dest) > 3 else 0.0
            below = [(abs(y - hy), title) for p, hy, title in headings if p == number and hy <= y + 1]
            title = min(below)[1] if below else None
            annot.Contents = String(f"{title}, Seite {number + 1}" if title else f"Seite {number + 1}")


def _named_destinations(pdf: pikepdf.Pdf) -> dict[str, object]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {key: (value.get("/D", value) if isinstance(value, Dictionary) else value)
            for key, value in pikepdf.NameTree(names.Dests).items()}


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# --- annexes -------------------------------------------------------------------------------

def _append(pdf: pikepdf.Pdf, annex: AnnexPdf, parent_tree: dict[int, object], ids: dict[str, object]) -> list[pikepdf.Pdf]:
    """Append ``annex`` (or each of its letters) under a ``/Part`` and a bookmark of its own;
    the opened sources, to be kept open until the file is saved."""
    document = _document_element(pdf)
    part = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Part, P=document, K=Array(),
                                        T=String(annex.bookmark)))
    document.K.append(part)
    item = pikepdf.OutlineItem(annex.bookmark, len(pdf.pages))
    sources = []
    pieces = [(None, annex.data)] if not annex.letters else list(annex.letters)
    for index, (name, data) in enumerate(pieces):
        parent, label, prefix = part, annex.bookmark, f"anlage-{annex.number}-"
        if name is not None:  # one letter of a collected annex: a division named for its writer
            parent = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Div, P=part, K=Array(), T=String(name)))
            part.K.append(parent)
            label, prefix = f"{annex.bookmark} – {name}", f"anlage-{annex.number}-{index + 1}-"
            item.children.append(pikepdf.OutlineItem(name, len(pdf.pages)))
        try:
            sources.append(_append_pages(pdf, data, parent, label, prefix, parent_tree, ids))
        # The boundary to a file from outside (already read once by bidkit.annexes): whatever
        # pikepdf raises on it is a reason to refuse this annex, never a traceback.
        except Exception as exc:  # noqa: BLE001
            raise AnnexFailure(annex.number, " ".join(str(exc).split())[:120] or type(exc).__name__,
                               index if name is not None else None) from None
    with pdf.open_outline() as outline:
        outline.root.append(item)
    return sources


def _append_pages(pdf: pikepdf.Pdf, data: bytes, part, label: str, prefix: str, parent_tree: dict[int, object],
                  ids: dict[str, object]) -> pikepdf.Pdf:
    """The pages of ``data`` appended, their structure under ``part``: a tagged file's own tree,
    an untagged one (a scan) one figure per page with the alt text „``label``, Seite k“."""
    source = pikepdf.open(io.BytesIO(data))
    _resolve_named_links(source)
    _annex_link_contents(source)
    start = len(pdf.pages)
    tagged = _is_tagged(source)
    source_tree = _flat_parent_tree(source) if tagged else {}
    pdf.pages.extend(source.pages)
    pages = list(pdf.pages)[start:]
    for page in pages:  # links that leave the annex (or lost their target) go
        if "/Annots" in page.obj:
            annots = page.obj.Annots if isinstance(page.obj.Annots, Array) else Array()
            kept = Array([a for a in annots if isinstance(a, Dictionary) and _link_stays_inside(a, pages)])
            page.obj.Annots = kept
            if not kept:
                del page.obj.Annots
    offset = max(parent_tree, default=-1) + 1
    if tagged:
        _graft(pdf, source, part, source_tree, parent_tree, offset, pages, ids, prefix=prefix)
    else:
        for k, page in enumerate(pages, start=1):
            _figure_page(pdf, page, part, f"{label}, Seite {k}", max(parent_tree, default=-1) + 1, parent_tree)
    return source


def _is_tagged(source: pikepdf.Pdf) -> bool:
    mark = source.Root.get("/MarkInfo")
    return "/StructTreeRoot" in source.Root and mark is not None and bool(mark.get("/Marked", False))


def _document_element(pdf: pikepdf.Pdf):
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:  # WeasyPrint always tags (pdf_tags=True); a safety net for other input
        root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array()))
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    kids = root.K if isinstance(root.get("/K"), Array) else Array([root.K]) if "/K" in root else Array()
    root.K = kids
    for kid in kids:
        if isinstance(kid, Dictionary) and kid.get("/S") == Name.Document:
            return kid
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    kids.append(document)
    return document


def _figure_page(pdf, page, part, alt: str, key: int, parent_tree: dict[int, object]) -> None:
    """An untagged page (a scan) as one figure with alt text: its whole content is marked."""
    figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, P=part, Pg=page.obj,
                                          Alt=String(alt), K=0))
    part.K.append(figure)
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
    # The page's own streams stay as they are (not decoded): marked before and after.
    page.obj.Contents = Array([pdf.make_stream(b"/Figure <</MCID 0>> BDC\nq\n"), *streams, pdf.make_stream(b"\nQ\nEMC\n")])
    page.obj.StructParents = key
    parent_tree[key] = pdf.make_indirect(Array([figure]))
    page.obj.Tabs = Name.S
    _tag_annotations(pdf, page, part, parent_tree, untagged=True)


def _tag_annotations(pdf, page, part, parent_tree: dict[int, object], untagged: bool = False) -> None:
    """The page's links (and other annotations) that no structure element holds (in an
    ``untagged`` file: all) become structure of their own under ``part`` (PDF/UA: every
    annotation is tagged)."""
    annots = page.obj.get("/Annots")
    for annot in annots if isinstance(annots, Array) else ():
        if not isinstance(annot, Dictionary) or annot.get("/Subtype") == Name.Popup or ("/StructParent" in annot and not untagged):
            continue
        kind = {Name.Link: Name.Link, Name.Widget: Name.Form}.get(annot.get("/Subtype"), Name.Annot)
        element = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=kind, P=part, Pg=page.obj,
                                               K=Dictionary(Type=Name.OBJR, Obj=annot, Pg=page.obj)))
        part.K.append(element)
        key = max(parent_tree, default=-1) + 1
        annot.StructParent = key
        parent_tree[key] = element


def _graft(pdf, source, part, source_tree, parent_tree, offset: int, pages, ids: dict[str, object], prefix: str) -> None:
    """The annex's structure tree under ``part``: structure parents renumbered past the
    document's, its parent tree, element IDs (renamed where the document has them) and role map
    merged, its language kept."""
    root = source.Root.StructTreeRoot
    copied = pdf.copy_foreign(root)  # shares the copies of the pages appended before
    kids = copied.get("/K")
    kids = list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []
    for kid in kids:
        if isinstance(kid, Dictionary):
            kid.P = part
            if kid.get("/S") == Name.Document:  # one document: the annex's is a division of it
                kid.S = Name.Div
            part.K.append(kid)
    if "/Lang" in source.Root:
        part.Lang = _copy(pdf, source.Root.Lang)
    for key, value in source_tree.items():
        parent_tree[key + offset] = _copy(pdf, value)
    for page in pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        page.obj.Tabs = Name.S
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, Array) else ():
            if isinstance(annot, Dictionary) and "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset
        _tag_annotations(pdf, page, part, parent_tree)
    target = pdf.Root.StructTreeRoot
    for key in ("/RoleMap", "/ClassMap"):
        if key in copied:
            merged = target.get(key, Dictionary())
            for name, value in copied[key].items():
                if name not in merged:
                    merged[name] = value
            target[key] = merged
    renamed = {}
    for name, element in _ids_under(part).items():
        if name in ids:  # WeasyPrint names table headers alike in every file it writes
            renamed[name] = f"{prefix}{name}"
            element.ID = String(renamed[name])
        ids[renamed.get(name, name)] = element
    if renamed:
        _rename_headers(part, renamed)


def _ids_under(node) -> dict[str, object]:
    """Structure elements below ``node`` that carry an /ID, by ID."""
    return _structure(node)[1]


def _store_id_tree(pdf: pikepdf.Pdf, ids: dict[str, object]) -> None:
    """The ID tree that element IDs need (ISO 32000-1 14.7.2; WeasyPrint 70 writes IDs without one)."""
    if ids:
        tree = pikepdf.NameTree.new(pdf)
        for name in sorted(ids):
            tree[name] = ids[name]
        pdf.Root.StructTreeRoot.IDTree = tree.obj


def _rename_headers(part, renamed: dict[str, str]) -> None:
    """Table cells of the grafted tree refer to their headers by the headers' new IDs."""
    for element in _elements(part.K):
        attributes = element.get("/A")
        for attribute in attributes if isinstance(attributes, Array) else [attributes]:
            headers = attribute.get("/Headers") if isinstance(attribute, Dictionary) else None
            if isinstance(headers, Array):
                attribute.Headers = Array([String(renamed.get(str(h), str(h))) for h in headers])


def _copy(pdf: pikepdf.Pdf, value):
    """``value`` of another file as an object of ``pdf`` (direct containers rebuilt, indirect objects copied)."""
    if isinstance(value, (Array, Dictionary, pikepdf.Stream)) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(pdf, item) for key, item in value.items()})
    return value


def _resolve_named_links(source: pikepdf.Pdf) -> None:
    """Named destinations of the annex become explicit ones (its name tree is not copied)."""
    names = _named_destinations(source)
    for page in source.pages:
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, Array) else ():
            if not isinstance(annot, Dictionary):
                continue
            target = annot.get("/Dest")
            action = annot.get("/A")
            if target is None and isinstance(action, Dictionary) and action.get("/S") == Name.GoTo:
                target = action.get("/D")
                del annot.A
            if isinstance(target, (String, Name)):
                resolved = names.get(str(target))
                if resolved is None:
                    del annot.Dest
                else:
                    annot.Dest = resolved
            elif target is not None:
                annot.Dest = target


def _annex_link_contents(source: pikepdf.Pdf) -> None:
    """An annex's link without a text of its own (/Contents; PDF/UA: ISO 14289-1 7.18.5) says
    where it leads, as the document's do: its web address, or „Verweis auf Seite N der Anlage“. One
    whose target cannot be told is left out (``_link_stays_inside``)."""
    pages = {page.objgen: number for number, page in enumerate(source.pages, start=1)}
    for page in source.pages:
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, Array) else ():
            if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Link or _text(annot.get("/Contents")):
                continue
            action, dest = annot.get("/A"), annot.get("/Dest")
            if isinstance(action, Dictionary) and _text(action.get("/URI")):
                annot.Contents = String(str(action.URI))
            elif isinstance(dest, Array) and len(dest) > 0 and isinstance(dest[0], Dictionary) and dest[0].objgen in pages:
                annot.Contents = String(f"Verweis auf Seite {pages[dest[0].objgen]} der Anlage")


def _link_stays_inside(annot, pages) -> bool:
    if annot.get("/Subtype") != Name.Link:
        return True
    dest = annot.get("/Dest")
    if dest is None:
        return "/A" in annot  # an external link (URI); active actions were removed before
    inside = {page.obj.objgen for page in pages}
    return isinstance(dest, Array) and len(dest) > 0 and isinstance(dest[0], Dictionary) and dest[0].objgen in inside


# --- fonts ---------------------------------------------------------------------------------

def _unique_font_names(pdf: pikepdf.Pdf) -> None:
    """Two different subsets named alike (WeasyPrint derives the tag from the font, not from the
    subset) get a tag derived from their own glyph data."""
    by_name: dict[str, list] = {}
    seen = set()
    for page in pdf.pages:
        stack = [page.obj.get("/Resources")]
        while stack:
            resources = stack.pop()
            if not isinstance(resources, Dictionary):
                continue
            fonts = resources.get("/Font")
            for font in fonts.values() if isinstance(fonts, Dictionary) else ():
                if isinstance(font, Dictionary) and font.objgen not in seen and isinstance(font.get("/BaseFont"), Name):
                    seen.add(font.objgen)
                    by_name.setdefault(str(font.BaseFont), []).append(font)
            xobjects = resources.get("/XObject")
            for xobject in xobjects.values() if isinstance(xobjects, Dictionary) else ():
                if isinstance(xobject, pikepdf.Stream) and "/Resources" in xobject and xobject.objgen not in seen:
                    seen.add(xobject.objgen)
                    stack.append(xobject.Resources)
    for name, fonts in by_name.items():
        if len(fonts) < 2 or not re.match(r"^/[A-Z]{6}\+", name):
            continue
        for font in fonts[1:]:
            descriptor = _descriptor(font)
            program = b""
            if descriptor is not None:
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if isinstance(descriptor.get(key), pikepdf.Stream):
                        program = descriptor[key].read_raw_bytes()
            digest = hashlib.sha256(program + name.encode()).digest()
            tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
            renamed = Name("/" + tag + name[7:])  # name[7:] is "+DejaVu-Serif" after "/ABCDEF"
            font.BaseFont = renamed
            descendants = font.get("/DescendantFonts")
            for descendant in descendants if isinstance(descendants, Array) else ():
                if isinstance(descendant, Dictionary):
                    descendant.BaseFont = renamed
            if descriptor is not None:
                descriptor.FontName = renamed


def _descriptor(font):
    if isinstance(font.get("/FontDescriptor"), Dictionary):
        return font.FontDescriptor
    descendants = font.get("/DescendantFonts")
    for descendant in descendants if isinstance(descendants, Array) else ():
        if isinstance(descendant, Dictionary) and isinstance(descendant.get("/FontDescriptor"), Dictionary):
            return descendant.FontDescriptor
    return None


# --- identification ------------------------------------------------------------------------

def _extension(schema: str, uri: str, prefix: str, name: str, value_type: str, category: str, description: str) -> str:
    """One schema of the PDF/A extension schema container: PDF/A allows only declared XMP properties."""
    return (f"<rdf:li rdf:parseType=\"Resource\">\n<pdfaSchema:schema>{schema}</pdfaSchema:schema>\n"
            f"<pdfaSchema:namespaceURI>{uri}</pdfaSchema:namespaceURI>\n<pdfaSchema:prefix>{prefix}</pdfaSchema:prefix>\n"
            f"<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n<pdfaProperty:name>{name}</pdfaProperty:name>\n"
            f"<pdfaProperty:valueType>{value_type}</pdfaProperty:valueType>\n<pdfaProperty:category>{category}</pdfaProperty:category>\n"
            f"<pdfaProperty:description>{description}</pdfaProperty:description>\n</rdf:li></rdf:Seq></pdfaSchema:property>\n</rdf:li>")


PDFUA_SCHEMA = _extension("PDF/UA Universal Accessibility Schema", "http://www.aiim.org/pdfua/ns/id/", "pdfuaid", "part",
                          "Integer", "internal", "Indicates, which part of ISO 14289 standard is followed")
#: bidkit's own XMP property: which variant of the bid the file is (``bidkit build --variant``).
BIDKIT_NS = "http://ns.bidkit.invalid/1.0/"
BIDKIT_SCHEMA = _extension("bidkit document variant", BIDKIT_NS, "bidkit", "variant", "Text", "external",
                           "The variant of the bid this file is, e.g. public (bidkit build --variant)")


def _extensions(schemas: list[str]) -> str:
    return ('<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
            'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\n'
            f"<pdfaExtension:schemas><rdf:Bag>{''.join(schemas)}</rdf:Bag></pdfaExtension:schemas>\n</rdf:Description>")


def _identify(pdf: pikepdf.Pdf, variant: str, document_variant: str | None = None) -> None:
    """The XMP metadata claims exactly ``variant`` (uncompressed, as PDF/A wants it) and names the
    ``document_variant`` (``bidkit:variant``; the full bid names none)."""
    pdfa, pdfua = CLAIMS[variant]
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        xmp = metadata.read_bytes().decode("utf-8")
    else:
        xmp = _xmp_from_info(pdf)
    # WeasyPrint's identification goes; bidkit's replaces it.
    xmp = re.sub(r'<rdf:Description rdf:about=""\s+(?:pdfaid|pdfuaid):[^>]*/>', "", xmp)
    xmp = re.sub(r'<rdf:Description rdf:about="">\s*<pdfuaid:part>\d</pdfuaid:part>\s*</rdf:Description>', "", xmp)
    claims, schemas = [], []
    if pdfa:
        claims.append(f'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
                      f'pdfaid:part="{pdfa[0]}" pdfaid:conformance="{pdfa[1]}" />')
    if pdfua:
        claims.append(f'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="{pdfua}" />')
        schemas.append(PDFUA_SCHEMA)
    if document_variant:
        claims.append(f'<rdf:Description rdf:about="" xmlns:bidkit="{BIDKIT_NS}" bidkit:variant="{_xml(document_variant)}" />')
        schemas.append(BIDKIT_SCHEMA)
    if pdfa and schemas:
        claims.append(_extensions(schemas))
    xmp = xmp.replace("</rdf:RDF>", "".join(claims) + "</rdf:RDF>", 1)
    stream = pdf.make_stream(xmp.encode("utf-8"))
    stream.Type = Name.Metadata
    stream.Subtype = Name.XML
    pdf.Root.Metadata = stream
    if pdfua:
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def _xmp_from_info(pdf: pikepdf.Pdf) -> str:
    """Minimal XMP for a variant WeasyPrint writes without (plain PDF): the title and author."""
    info = pdf.trailer.get("/Info", Dictionary())
    title = _xml(str(info.get("/Title", "")))
    author = _xml(str(info.get("/Author", "")))
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>'
            f'<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator></rdf:Description>'
            '</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="r"?>')


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- what an annex does to the claims ------------------------------------------------------

@dataclass(frozen=True)
class AnnexConformance:
    """What bidkit.render.final needs to know of a PDF annex to keep (or not) a variant's claims."""

    unreadable: str | None  # why it could not be inspected (then no claim can be kept)
    pdfa: str | None  # its own PDF/A identification, e.g. "PDF/A-2b"
    tagged: bool
    #: Fonts not embedded that show text in a visible render mode (invisible text, as an OCR layer
    #: over a scan, may use any font: ISO 19005-2 6.2.11.4.1, ISO 14289-1 7.21.4.1).
    unembedded_fonts: tuple[str, ...]
    device_cmyk: bool  # uncalibrated CMYK colour, not usable under the sRGB output intent
    #: Annotations left after the repair (``repair_annex``) that print but have no appearance,
    #: e.g. "form field", "Highlight annotation", one entry per annotation.
    without_appearance: tuple[str, ...] = ()
    #: Fonts whose ToUnicode map gives a glyph U+0000, U+FEFF or U+FFFE: text that cannot be read out.
    no_text_fonts: tuple[str, ...] = ()
    #: What is wrong with a tagged annex's structure tree that cannot be mended (an element reached
    #: twice, a cycle, nesting beyond what a validator follows), or None.
    structure: str | None = None
    #: Pages without an area to print on (a /MediaBox that is missing, unreadable or of no width or height), as numbers.
    empty_pages: tuple[int, ...] = ()
    #: Pages smaller or larger than PDF/A allows (PAGE_SIZES), as „number (width × height)“.
    odd_sizes: tuple[str, ...] = ()
    #: Fonts whose widths (/Widths, /W) disagree with their font program and could not be mended.
    wrong_widths: tuple[str, ...] = ()
    #: Other things PDF/A forbids that cannot be mended (graphics states nested too deep, images of an unknown bit depth).
    pdfa_faults: tuple[str, ...] = ()
    #: Fonts without a ToUnicode map whose text no encoding tells either (``_unmapped``).
    unmapped_fonts: tuple[str, ...] = ()

    def breaks(self, variant: str) -> list[str]:
        """Why appending this annex would make ``variant``'s claims false (empty: it does not)."""
        pdfa, pdfua = CLAIMS[variant]
        reasons = []
        if (pdfa or pdfua) and self.unreadable:
            reasons.append(f"content that cannot be inspected ({self.unreadable})")
        if (pdfa or pdfua) and self.unembedded_fonts:
            reasons.append("fonts not embedded: " + ", ".join(self.unembedded_fonts))
        if pdfa and self.device_cmyk:
            reasons.append("DeviceCMYK colour (uncalibrated; the document's output intent is sRGB)")
        if (pdfa or pdfua) and self.no_text_fonts:
            reasons.append("fonts whose text maps to no character (U+0000, U+FEFF or U+FFFE in their ToUnicode map): "
                           + ", ".join(self.no_text_fonts))
        if ((pdfa and pdfa[1] == "A") or pdfua) and self.structure:
            reasons.append(f"a structure tree that {self.structure}")
        if pdfa and self.empty_pages:
            reasons.append(f"pages without an area to print on (an empty /MediaBox): {', '.join(map(str, self.empty_pages))}")
        if pdfa and self.odd_sizes:
            reasons.append(f"pages smaller than {PAGE_SIZES[0]} or larger than {PAGE_SIZES[1]:,} units (PDF/A's limits; "
                           f"{PAGE_SIZES[1] / 72 * 2.54:.0f} cm): " + ", ".join(self.odd_sizes))
        if (pdfa or pdfua) and self.wrong_widths:
            reasons.append("fonts whose glyph widths (/Widths) disagree with the embedded font: " + ", ".join(self.wrong_widths))
        if (pdfa or pdfua) and self.unmapped_fonts:
            reasons.append("fonts whose text cannot be read out (no ToUnicode map, no standard encoding): "
                           + ", ".join(self.unmapped_fonts))
        if pdfa and self.pdfa_faults:
            reasons.extend(self.pdfa_faults)
        if pdfa and self.without_appearance:
            from bidkit.annexes import summary

            reasons.append(f"annotations that print without a fixed appearance: {summary(self.without_appearance)}")
        return reasons

    def broken_variants(self) -> list[str]:
        return [variant for variant in CLAIMS if self.breaks(variant)]


@functools.lru_cache(maxsize=32)  # check and build inspect the same clean copies
def inspect_annex(data: bytes) -> AnnexConformance:
    """Fonts, colour spaces, PDF/A identification and tagging of an annex (its clean copy)."""
    try:
        return _inspect(pikepdf.open(io.BytesIO(data)))
    except MemoryError:  # says more of the memory bound than of the file (bidkit.annexes)
        raise
    # The boundary to a file from outside: whatever pikepdf raises on it is reported, never a traceback.
    except Exception as exc:  # noqa: BLE001
        return AnnexConformance(" ".join(str(exc).split())[:120] or type(exc).__name__, None, False, (), False)


def _inspect(pdf: pikepdf.Pdf) -> AnnexConformance:
    unembedded: dict[object, str] = {}
    no_text: set[str] = set()
    wrong_widths: set[str] = set()
    unmapped: set[str] = set()
    judged: set[tuple[int, int]] = set()
    faults: set[str] = set()
    cmyk, deepest = False, 0
    seen: set[tuple[int, int]] = set()
    stack = [(page.obj.get("/Resources"), page.obj) for page in pdf.pages]
    while stack:
        resources, owner = stack.pop()
        if isinstance(owner, pikepdf.Stream) or "/Contents" in owner:
            paints_cmyk, nesting = _paints(owner)
            cmyk = cmyk or paints_cmyk
            deepest = max(deepest, nesting)
        group = owner.get("/Group")  # a transparency group blends in its colour space
        cmyk = cmyk or (isinstance(group, Dictionary) and _is_cmyk(group.get("/CS")))
        if not isinstance(resources, Dictionary):
            continue
        for font in resources.get("/Font", Dictionary()).values():
            if not isinstance(font, Dictionary) or font.get("/Subtype") == Name.Type3:
                continue
            descriptor = _descriptor(font)
            if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded[_font_key(font)] = str(font.get("/BaseFont", "/?"))[1:]
            if _maps_to_no_text(font):
                no_text.add(str(font.get("/BaseFont", "/?"))[1:])
            elif _unmapped(font):
                unmapped.add(str(font.get("/BaseFont", "/?"))[1:])
            if font.is_indirect and font.objgen not in judged:
                judged.add(font.objgen)
                if _width_errors(font):
                    wrong_widths.add(str(font.get("/BaseFont", "/?"))[1:])
        for space in resources.get("/ColorSpace", Dictionary()).values():
            cmyk = cmyk or _is_cmyk(space)
        for xobject in resources.get("/XObject", Dictionary()).values():
            if not isinstance(xobject, pikepdf.Stream) or xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == Name.Image:
                cmyk = cmyk or _is_cmyk(xobject.get("/ColorSpace"))
                depth = xobject.get("/BitsPerComponent")
                if depth is not None and depth not in BIT_DEPTHS and xobject.get("/Filter") != Name.JPXDecode:
                    faults.add(f"images of a bit depth PDF/A does not know ({depth})")
            elif xobject.get("/Subtype") == Name.Form:
                stack.append((xobject.get("/Resources"), xobject))
    visible = _visibly_used(pdf, set(unembedded)) if unembedded else set()
    annotations = tuple(_annotation_name(annot) for page in pdf.pages for annot in page.obj.get("/Annots", ())
                        if isinstance(annot, Dictionary) and annot.get("/Subtype") not in (Name.Link, Name.Popup))
    tagged = _is_tagged(pdf)
    empty = _empty_pages(pdf)
    if deepest > MAX_STATE_NESTING:
        faults.add(f"graphics states nested {deepest} deep (PDF/A allows {MAX_STATE_NESTING})")
    return AnnexConformance(None, _pdfa_identification(pdf), tagged,
                            tuple(sorted({unembedded[font] for font in visible})), cmyk, annotations, tuple(sorted(no_text)),
                            _structure_problem(pdf) if tagged else None, empty, _odd_sizes(pdf, empty),
                            tuple(sorted(wrong_widths)), tuple(sorted(faults)), tuple(sorted(unmapped)))


#: How deep a structure tree may nest: validators follow references no deeper (page-validation: 256).
MAX_STRUCTURE_DEPTH = 200


def _structure_problem(pdf: pikepdf.Pdf) -> str | None:
    """Why a tagged file's structure tree cannot be kept: an element reached twice (a cycle, or
    one element with two parents), nesting deeper than MAX_STRUCTURE_DEPTH, figures or formulas
    without a text alternative, headings of no level, tables and lists whose parts stand where
    they may not (``PARTS``) (after ``repair_annex``: its role map leads straight to standard
    types); else None."""
    seen: set[tuple[int, int]] = set()
    roles = pdf.Root.StructTreeRoot.get("/RoleMap")
    roles = {str(k)[1:]: str(v)[1:] for k, v in roles.items()} if isinstance(roles, Dictionary) else {}
    silent, headings, misplaced = {"Figure": 0, "Formula": 0}, set(), []
    kinds: list[str] = ["Part"]  # of each element met, by index; kids[i]: the kinds of element i's kids
    kids: list[list[str]] = [[]]
    stack = [(pdf.Root.StructTreeRoot.get("/K"), 0, 0)]
    while stack:
        node, depth, parent = stack.pop()
        if isinstance(node, Array):
            if node.is_indirect:
                if node.objgen in seen:
                    return "reaches one list of elements twice (a cycle, or a list with two parents)"
                seen.add(node.objgen)
            stack.extend((kid, depth, parent) for kid in node)
            continue
        if not isinstance(node, Dictionary) or node.get("/Type") in _NOT_ELEMENTS:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                return "reaches one element twice (a cycle, or an element with two parents)"
            seen.add(node.objgen)
        if depth > MAX_STRUCTURE_DEPTH:
            return f"nests its elements more than {MAX_STRUCTURE_DEPTH} deep"
        kind = roles.get(str(node.get("/S", "/"))[1:], str(node.get("/S", "/"))[1:])
        if kind in ("Figure", "Formula") and not (_text(node.get("/Alt")) or _text(node.get("/ActualText"))):
            silent[kind] += 1  # an empty /Alt („“) says nothing either (ISO 14289-1 7.3, 7.7)
        headings.add("H" if kind == "H" else "Hn" if kind in NUMBERED_HEADINGS else None)
        if kind in PARENTS and kinds[parent] not in PARENTS[kind]:
            misplaced.append(f"{kind} in {kinds[parent]}")
        kids[parent].append(kind)
        kinds.append(kind)
        kids.append([])
        if "/K" in node:
            stack.append((node.K, depth + 1, len(kinds) - 1))
    for kind, inside in zip(kinds, kids):
        misplaced += [f"{kid} in {kind}" for kid in inside if kind in KIDS and kid not in KIDS[kind] and kid not in PARENTS]
        if kind == "Table" and ({"THead", "TFoot"} & set(inside)) and "TBody" not in inside:
            misplaced.append("a table head or foot without a body (TBody)")
        misplaced += [f"{inside.count(part)} {part} in one {kind}" for part in ONCE.get(kind, ()) if inside.count(part) > 1]
    if silent["Figure"]:
        return f"has {silent['Figure']} figure(s) without a text alternative (/Alt), which readers of the annex need"
    if silent["Formula"]:
        return f"has {silent['Formula']} formula(s) without a text alternative (/Alt), which readers of the annex need"
    if "H" in headings:  # the document's headings are numbered: a heading of unknown level (/H) among them (ISO 14289-1 7.4.4)
        return "has headings of no level (/H), which cannot stand among the document's numbered headings (H1–H6)"
    if misplaced:
        from bidkit.annexes import summary

        return f"has tables or lists whose parts stand where they may not ({summary(tuple(misplaced))})"
    return None


#: Where the parts of tables, lists and tables of contents may stand, and what they may hold
#: (ISO 32000-1 14.8.4.3; ISO 14289-1 7.2, 7.5: page-validation's PDFUA1-*-PARENT-001 and *-KIDS-001).
PARENTS = {"TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"}, "THead": {"Table"}, "TBody": {"Table"},
           "TFoot": {"Table"}, "LI": {"L"}, "LBody": {"LI"}, "TOCI": {"TOC"}}
KIDS = {"TR": {"TH", "TD"}, "Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "THead": {"TR"}, "TBody": {"TR"},
        "TFoot": {"TR"}, "L": {"L", "LI", "Caption"}, "LI": {"Lbl", "LBody"}, "TOC": {"TOC", "TOCI", "Caption"}}
#: Parts a table or list may hold once at most (PDFUA1-TABLE-*-COUNT-001).
ONCE = {"Table": ("THead", "TFoot", "Caption"), "L": ("Caption",), "TOC": ("Caption",)}


NUMBERED_HEADINGS = frozenset(f"H{level}" for level in range(1, 7))


def _text(value) -> bool:
    """Whether ``value`` is a string with something to read (not empty, not only spaces)."""
    return isinstance(value, String) and bool(str(value).strip())


def _empty_pages(pdf: pikepdf.Pdf) -> tuple[int, ...]:
    empty = []
    for number, page in enumerate(pdf.pages, start=1):
        try:
            x0, y0, x1, y1 = (float(value) for value in page.mediabox)  # inherited from the page tree where not its own
        except (TypeError, ValueError, KeyError, AttributeError, pikepdf.PdfError):
            empty.append(number)
            continue
        if abs(x1 - x0) < 1 or abs(y1 - y0) < 1:
            empty.append(number)
    return tuple(empty)


#: The page sizes PDF/A allows, in default user space units (ISO 19005-2 6.1.13; ISO 32000-1 Annex C.2).
PAGE_SIZES = (3, 14_400)


def _box(value) -> tuple[float, float, float, float] | None:
    try:
        x0, y0, x1, y1 = (float(number) for number in value)
    except (TypeError, ValueError, pikepdf.PdfError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _fits(box) -> bool:
    low, high = PAGE_SIZES
    return low <= box[2] - box[0] <= high and low <= box[3] - box[1] <= high


def _repair_page_boxes(pdf: pikepdf.Pdf, done: list[str]) -> None:
    """A crop, bleed, trim or art box larger than PDF/A allows on a page whose /MediaBox fits
    becomes its part inside the /MediaBox, which is all a viewer shows of it (ISO 32000-1 14.11.2)."""
    for page in pdf.pages:
        media = _box(page.mediabox)
        if media is None or not _fits(media):
            continue  # ANX006 (``_odd_sizes``)
        for key in ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            box = _box(page.obj.get(key)) if key in page.obj else None
            if box is None or _fits(box):
                continue
            inside = (max(box[0], media[0]), max(box[1], media[1]), min(box[2], media[2]), min(box[3], media[3]))
            if inside[2] - inside[0] >= PAGE_SIZES[0] and inside[3] - inside[1] >= PAGE_SIZES[0]:
                page.obj[key] = Array([_width(value) for value in inside])
                done.append(f"page box ({key[1:]}) larger than its page cut to the page")


def _odd_sizes(pdf: pikepdf.Pdf, empty: tuple[int, ...]) -> tuple[str, ...]:
    """Pages (not empty ones) whose boxes are smaller or larger than PDF/A allows, e.g. „14 (20000 × 1000)“."""
    odd = []
    low, high = PAGE_SIZES
    for number, page in enumerate(pdf.pages, start=1):
        if number in empty:
            continue
        for key in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            box = page.mediabox if key == "/MediaBox" else page.obj.get(key)
            try:
                x0, y0, x1, y1 = (float(value) for value in box)
            except (TypeError, ValueError, pikepdf.PdfError):
                continue  # an unreadable box other than the MediaBox: viewers use the MediaBox
            width, height = abs(x1 - x0), abs(y1 - y0)
            if not (low <= width <= high and low <= height <= high):
                odd.append(f"{number} ({width:g} × {height:g})")
                break
    return tuple(odd)


#: ToUnicode values that are no character (ISO 19005-2 6.2.11.7.2, ISO 14289-1 7.21.7).
NO_TEXT = {"0000", "feff", "fffe"}
BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)


def _maps_to_no_text(font) -> bool:
    """Whether the font's ToUnicode map gives some glyph but .notdef (code 0) a value that is no character."""
    cmap = font.get("/ToUnicode")
    if not isinstance(cmap, pikepdf.Stream):
        return False
    try:
        text = cmap.read_bytes().decode("latin-1")
    except pikepdf.PdfError:
        return False
    for block in BFCHAR.findall(text):
        for code, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            if int(code, 16) and value[:4].lower() in NO_TEXT:
                return True
    for block in BFRANGE.findall(text):
        for start, _, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            if int(start, 16) and value[:4].lower() in NO_TEXT:
                return True
    return False


def _font_key(font) -> object:
    """What tells fonts apart: the object id, or for a font written into its resources, its name."""
    return font.objgen if font.is_indirect else str(font.get("/BaseFont", "/?"))


#: Text render mode 3: neither fill nor stroke (an OCR layer over a scan).
INVISIBLE_TEXT = 3


def _visibly_used(pdf: pikepdf.Pdf, fonts: set) -> set:
    """Those of ``fonts`` (``_font_key``) that some page shows text in with a visible render mode:
    the text state followed through q/Q and into forms (which start in their caller's state)."""
    used: set = set()
    seen: set[tuple[tuple[int, int], bool]] = set()
    stack = [(page.obj, page.obj.get("/Resources"), 0) for page in pdf.pages]
    while stack:
        owner, resources, mode = stack.pop()
        if (owner.objgen, mode == INVISIBLE_TEXT) in seen or not isinstance(resources, Dictionary):
            continue
        seen.add((owner.objgen, mode == INVISIBLE_TEXT))
        font_names = resources.get("/Font", Dictionary())
        xobjects = resources.get("/XObject", Dictionary())
        states = [(mode, None)]  # (render mode, font) of each saved graphics state
        try:
            operations = pikepdf.parse_content_stream(owner, "q Q Tr Tf Tj TJ ' \" Do")
        except pikepdf.PdfError:
            continue  # nothing read, nothing shown
        for operands, operator in operations:
            op = str(operator)
            if op == "q":
                states.append(states[-1])
            elif op == "Q":
                if len(states) > 1:
                    states.pop()
            elif op == "Tr" and operands and isinstance(operands[0], int):
                states[-1] = (int(operands[0]), states[-1][1])
            elif op == "Tf" and operands:
                font = font_names.get(operands[0]) if isinstance(operands[0], Name) else None
                states[-1] = (states[-1][0], _font_key(font) if isinstance(font, Dictionary) else None)
            elif op == "Do" and operands and isinstance(operands[0], Name):
                xobject = xobjects.get(operands[0])
                if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == Name.Form:
                    stack.append((xobject, xobject.get("/Resources", resources), states[-1][0]))
            elif states[-1][0] != INVISIBLE_TEXT and states[-1][1] in fonts:
                used.add(states[-1][1])
    return used


def _is_cmyk(space) -> bool:
    return space == Name.DeviceCMYK or (isinstance(space, Array) and len(space) > 1 and space[0] in (Name.Indexed, Name.Separation, Name.DeviceN)
                                        and any(_is_cmyk(part) for part in list(space)[1:3]))


#: How deep graphics states may nest (q … Q; ISO 19005-2 6.1.13: 28).
MAX_STATE_NESTING = 28


def _paints(owner) -> tuple[bool, int]:
    """Whether ``owner``'s content paints in DeviceCMYK, and how deep it nests graphics states."""
    try:
        operations = pikepdf.parse_content_stream(owner, "k K cs CS q Q")  # only these become Python objects
    except pikepdf.PdfError:
        return False, 0
    cmyk, depth, deepest = False, 0, 0
    for operands, operator in operations:
        op = str(operator)
        if op == "q":
            depth += 1
            deepest = max(deepest, depth)
        elif op == "Q":
            depth = max(depth - 1, 0)
        elif op in ("k", "K") or (op in ("cs", "CS") and operands and operands[0] == Name.DeviceCMYK):
            cmyk = True
    return cmyk, deepest


#: The bit depths of images (ISO 32000-1 8.9.5.1); a JPEG 2000 image or a mask has its own.
BIT_DEPTHS = (1, 2, 4, 8, 16)


def _unmapped(font) -> bool:
    """Whether the text of ``font`` cannot be read out: no ToUnicode map and no encoding of known
    glyph names (PDF/A-a and PDF/UA: ISO 19005-2 6.2.11.7.2, ISO 14289-1 7.21.7). A simple font
    with a standard encoding (and known names in its /Differences) or a Type1 font's own encoding
    is read; a symbolic TrueType font or a CID font without a predefined character collection is not."""
    from fontTools import agl

    if "/ToUnicode" in font:
        return False
    kind = font.get("/Subtype")
    if kind == Name.Type0:
        kids = font.get("/DescendantFonts")
        info = kids[0].get("/CIDSystemInfo") if isinstance(kids, Array) and len(kids) and isinstance(kids[0], Dictionary) else None
        return not (isinstance(info, Dictionary) and str(info.get("/Registry", "")) == "Adobe"
                    and str(info.get("/Ordering", "")) in ("Japan1", "GB1", "CNS1", "Korea1"))
    if kind not in (Name.Type1, Name.MMType1, Name.TrueType, Name.Type3):
        return False  # not a font PDF knows: other rules name it
    descriptor = font.get("/FontDescriptor")
    symbolic = isinstance(descriptor, Dictionary) and int(descriptor.get("/Flags", 0)) & 4
    if kind == Name.TrueType and (symbolic or "/Encoding" not in font):
        return True
    return _names_unknown(font, agl)


def _names_unknown(font, agl) -> bool:
    """Whether a simple font's /Differences name a glyph no Unicode value is known for (uniXXXX and the Adobe Glyph List)."""
    encoding = font.get("/Encoding")
    differences = encoding.get("/Differences") if isinstance(encoding, Dictionary) else None
    if font.get("/Subtype") == Name.Type3 and not isinstance(differences, Array):
        return True
    return isinstance(differences, Array) and any(isinstance(entry, Name) and not agl.toUnicode(str(entry)[1:])
                                                  for entry in differences)


def _pdfa_identification(pdf: pikepdf.Pdf) -> str | None:
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return None
    xmp = metadata.read_bytes().decode("utf-8", "replace")
    part = re.search(r'pdfaid:part(?:="|>)\s*(\d)', xmp)
    level = re.search(r'pdfaid:conformance(?:="|>)\s*([ABUabu])', xmp)
    return f"PDF/A-{part.group(1)}{level.group(1).lower() if level else ''}" if part else None


# --- repairs: what PDF/A and PDF/UA forbid in an annex, mended without changing the printed page

#: Annotation flags (ISO 32000-1 12.5.3).
INVISIBLE, HIDDEN, PRINT, NO_VIEW, TOGGLE_NO_VIEW = 1, 2, 4, 32, 256
#: A reviewer's comment (a sticky note and the pop-up that shows its text): not part of a submission.
COMMENTS = (Name.Text, Name.Popup)
#: Annotations PDF/A forbids (ISO 19005-2 6.3.1) or that play media; bidkit.annexes removes most before.
MEDIA_ANNOTATIONS = (Name.Sound, Name.Movie, Name("/3D"), Name.Screen, Name.RichMedia, Name.FileAttachment)
#: Fonts with simple encodings, for which qpdf can write the appearance of a filled-in form field.
SIMPLE_FONTS = (Name.Type1, Name.TrueType, Name.MMType1)
#: An image or inline image asking viewers to smooth it (forbidden: ISO 19005-2 6.2.8.1 and 6.2.8.3).
INTERPOLATING = re.compile(rb"/I(?:nterpolate)?\s*true")
#: The rendering intents PDF/A allows (6.2.5); viewers read any other as RelativeColorimetric.
INTENTS = (Name.RelativeColorimetric, Name.AbsoluteColorimetric, Name.Perceptual, Name.Saturation)
RENDERING_INTENT = re.compile(rb"/([^\s/\[\]<>()]+)\s+ri\b")
#: XObject entries PDF/A forbids (6.2.8, 6.2.9) that point elsewhere: the XObject's own content is what prints.
PREPRESS_KEYS = {"/OPI": "prepress proxy (/OPI) removed", "/Alternates": "alternate images removed",
                 "/Ref": "reference to another file's page removed"}


def repair_annex(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The annex ``data`` (a clean copy, bidkit.annexes) with what PDF/A and PDF/UA forbid and can
    be mended without changing its printed pages mended, and what was done, one entry per item:

    - the content of a layer (optional content group) the file switches off is removed, as every
      viewer hides it: the appended pages carry no layers, and it would show;
    - a reviewer's comment (sticky note, pop-up) and an annotation that does not print (hidden, or
      not flagged for printing) is removed, and so are media annotations;
    - a form field or other annotation that prints is drawn into the page as its appearance shows
      it (flattened; a form whose viewer was to draw the fields' look gets it from qpdf first, for
      fonts of simple encoding), marked as the content of its structure element (or as an artifact
      where it has none); the form (/AcroForm) goes;
    - a link gets the print flag PDF/A asks for, and only the normal appearance;
    - images are not interpolated (/Interpolate, inline /I), and graphics states lose their
      transfer functions (/TR, /TR2 other than /Default);
    - XObjects lose what points elsewhere (/OPI, /Alternates, /Ref), and unknown rendering
      intents become RelativeColorimetric, as viewers read them;
    - in a tagged annex, painting outside the tags becomes an artifact, and its role map maps each
      type of its own straight to the standard type its chain ends in (a standard type is not
      mapped; a type the map leaves out, or whose chain loops or ends in no standard type, maps
      to NonStruct).

    What cannot be mended stays, for ``inspect_annex`` to name (an annotation that prints but has
    no appearance, a font not embedded). Unchanged data comes back as it was."""
    pdf = pikepdf.open(io.BytesIO(data))
    done: list[str] = []
    form = "/AcroForm" in pdf.Root  # kept by the clean copy for this; never appended
    done += [SIGNATURE_LOST] * _signatures(pdf)
    _remove_hidden_layers(pdf, done)
    _repair_annotations(pdf, done)
    _repair_resources(pdf, done, contents=True)
    _repair_widths(pdf, done)
    _repair_font_lists(pdf, done)
    _repair_page_boxes(pdf, done)
    for page in pdf.pages:
        if "/PresSteps" in page.obj:  # presentation steps: forbidden (ISO 19005-2 6.10), shown only in a slide show
            del page.obj["/PresSteps"]
            done.append("presentation steps removed")
    if _is_tagged(pdf):
        _repair_role_map(pdf, done)
        elements = _in_order(pdf.Root.StructTreeRoot.get("/K"))
        _repair_languages(pdf, elements, done)
        _repair_headings(pdf, elements, done)
        for page in pdf.pages:
            done += _mark_untagged_painting(pdf, page)
    if not done and not form:
        return data, ()
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue(), tuple(done)


# --- optional content (layers) ----------------------------------------------------------------

def _remove_hidden_layers(pdf: pikepdf.Pdf, done: list[str]) -> None:
    """Remove what the annex's default view hides (ISO 32000-1 8.11): marked content ``/OC … BDC``,
    XObjects and annotations whose optional content is off. The appended pages go without the
    file's /OCProperties, and a layer no configuration names is on: it would print."""
    properties = pdf.Root.get("/OCProperties")
    if "/OCProperties" in pdf.Root:
        del pdf.Root["/OCProperties"]
    off = _layers_off(properties)
    if not off:
        return
    removed = 0
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        removed += _drop_hidden_content(pdf, page.obj, page.obj.get("/Resources"), off, seen)
    # Every other stream that draws: annotations' appearances (drawn into the page by the repair),
    # forms, tiling patterns, soft masks' groups, and a Type3 font's glyphs.
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (obj.get("/Subtype") == Name.Form or obj.get("/PatternType") == 1):
            removed += _drop_hidden_content(pdf, obj, obj.get("/Resources"), off, seen)
        elif isinstance(obj, Dictionary) and obj.get("/Subtype") == Name.Type3 and isinstance(obj.get("/CharProcs"), Dictionary):
            for glyph in obj.CharProcs.values():
                if isinstance(glyph, pikepdf.Stream):
                    removed += _drop_hidden_content(pdf, glyph, obj.get("/Resources"), off, seen)
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, Array):
            kept = Array([a for a in annots if not (isinstance(a, Dictionary) and not _layer_visible(a.get("/OC"), off))])
            removed += len(annots) - len(kept)
            page.obj.Annots = kept
    if removed:
        names = sorted(str(group.get("/Name", "")) for group in _groups(properties) if group.objgen in off)
        shown = ", ".join(f"‘{' '.join(name.split())[:60]}’" for name in names[:3] if name) or "without a name"
        done.append(f"content of layers the file switches off removed ({shown}{' …' if len(names) > 3 else ''}): "
                    "the appended pages show what the file shows")


def _groups(properties) -> list:
    groups = properties.get("/OCGs") if isinstance(properties, Dictionary) else None
    return [g for g in groups if isinstance(g, Dictionary) and g.is_indirect] if isinstance(groups, Array) else []


def _layers_off(properties) -> set[tuple[int, int]]:
    """The optional content groups the default configuration (/D) switches off."""
    config = properties.get("/D") if isinstance(properties, Dictionary) else None
    if not isinstance(config, Dictionary):
        return set()

    def listed(key: str) -> set[tuple[int, int]]:
        value = config.get(key)
        return {g.objgen for g in value if isinstance(g, Dictionary) and g.is_indirect} if isinstance(value, Array) else set()

    if config.get("/BaseState") == Name.OFF:
        return {g.objgen for g in _groups(properties)} - listed("/ON")
    return listed("/OFF")


def _layer_visible(oc, off: set[tuple[int, int]], depth: int = 0) -> bool:
    """Whether content under ``oc`` (a group, or a membership dictionary with its policy or
    visibility expression) shows in the default view; anything else shows."""
    if not isinstance(oc, (Dictionary, Array)) or depth > 32:
        return True
    if isinstance(oc, Array):  # a visibility expression: [/And …], [/Or …], [/Not …]
        operator, operands = (oc[0] if len(oc) else None), [_layer_visible(x, off, depth + 1) for x in list(oc)[1:]]
        if operator == Name.Not:
            return not operands[0] if operands else True
        return (all if operator == Name.And else any)(operands) if operands else True
    if oc.get("/Type") != Name.OCMD:
        return not (oc.is_indirect and oc.objgen in off)
    if isinstance(oc.get("/VE"), Array):
        return _layer_visible(oc.VE, off, depth + 1)
    groups = oc.get("/OCGs")
    groups = [groups] if isinstance(groups, Dictionary) else [g for g in groups if isinstance(g, Dictionary)] \
        if isinstance(groups, Array) else []
    states = [_layer_visible(g, off, depth + 1) for g in groups]
    if not states:
        return True
    policy = oc.get("/P", Name.AnyOn)
    return {Name.AllOn: all(states), Name.AnyOff: not all(states), Name.AllOff: not any(states)}.get(policy, any(states))


def _drop_hidden_content(pdf: pikepdf.Pdf, owner, resources, off: set, seen: set) -> int:
    """Remove hidden marked content and hidden XObjects from ``owner``'s content (a page or a form
    XObject) and, through them, from the forms it draws; how many pieces went."""
    if owner.is_indirect:
        if owner.objgen in seen:
            return 0
        seen.add(owner.objgen)
    resources = resources if isinstance(resources, Dictionary) else Dictionary()
    properties = resources.get("/Properties") if isinstance(resources.get("/Properties"), Dictionary) else Dictionary()
    xobjects = resources.get("/XObject") if isinstance(resources.get("/XObject"), Dictionary) else Dictionary()
    hidden = {name for name, x in xobjects.items() if isinstance(x, pikepdf.Stream) and not _layer_visible(x.get("/OC"), off)}
    removed = 0
    for name, xobject in xobjects.items():
        if name not in hidden and isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == Name.Form:
            removed += _drop_hidden_content(pdf, xobject, xobject.get("/Resources"), off, seen)
    try:
        operations = pikepdf.parse_content_stream(owner)
    except pikepdf.PdfError:
        return removed
    kept, depth, dropped = [], 0, 0
    for operation in operations:
        operator = str(operation.operator)
        if depth:  # inside hidden marked content, to its EMC
            depth += 1 if operator in ("BMC", "BDC") else -1 if operator == "EMC" else 0
            continue
        operands = operation.operands
        if operator == "BDC" and len(operands) == 2 and operands[0] == Name.OC:
            group = properties.get(operands[1]) if isinstance(operands[1], Name) else operands[1]
            if not _layer_visible(group, off):
                depth, dropped = 1, dropped + 1
                continue
        if operator == "Do" and operands and isinstance(operands[0], Name) and operands[0] in hidden:
            dropped += 1
            continue
        kept.append(operation)
    if dropped:
        data = pikepdf.unparse_content_stream(kept)
        if isinstance(owner, pikepdf.Stream):
            owner.write(data)
        else:
            owner.Contents = pdf.make_stream(data)
    return removed + dropped


#: The standard structure types of ISO 32000-1 14.8.4 (PDF 1.7), which a role map may not map.
STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 L LI Lbl "
    "LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu "
    "WT WP Figure Formula Form".split())


def _repair_role_map(pdf: pikepdf.Pdf, done: list[str]) -> None:
    """The annex's role map as PDF/A-a and PDF/UA ask: each of its own types mapped straight to a
    standard type (ISO 14289-1 7.1; one the map leaves out, to NonStruct), no standard type mapped,
    no cycle."""
    root = pdf.Root.StructTreeRoot
    roles = root.get("/RoleMap")
    roles = roles if isinstance(roles, Dictionary) else Dictionary()
    mapping = {str(name)[1:]: str(value)[1:] for name, value in roles.items() if isinstance(value, Name)}
    used = {str(element.S)[1:] for element in _elements(root.get("/K")) if isinstance(element.get("/S"), Name)}
    for name in used - STANDARD_TYPES - set(mapping):  # a type of its own the map leaves out
        mapping[name] = "NonStruct"
    mended = {}
    for name in mapping:
        if name in STANDARD_TYPES:
            continue
        target, steps = mapping[name], 0
        while target not in STANDARD_TYPES and target in mapping and steps < len(mapping):
            target, steps = mapping[target], steps + 1
        mended[name] = target if target in STANDARD_TYPES else "NonStruct"
    if mended != {str(name)[1:]: str(value)[1:] for name, value in roles.items()}:
        root.RoleMap = Dictionary({f"/{name}": Name(f"/{target}") for name, target in mended.items()})
        done.append("role map mended (standard types kept as they are, every type of its own mapped to a standard one)")


#: A well-formed language tag (BCP 47 / RFC 3066 syntax: a language of 2–3 letters, or i-/x- and a
#: subtag, then subtags of 1–8 letters or digits); the empty tag and names like „deutsch!“ are none.
LANGUAGE_TAG = re.compile(r"(?:[A-Za-z]{2,3}|[IiXx](?=-))(?:-[A-Za-z0-9]{1,8})*")


def _repair_languages(pdf: pikepdf.Pdf, elements: list, done: list[str]) -> None:
    """A /Lang that is no language tag (an empty string, „deutsch!“), on the catalog or a structure
    element, goes: the text it covers takes the language around it (the document's), as PDF/A-a
    and PDF/UA need a valid tag where there is one (ISO 14289-1 7.2)."""
    for owner in [pdf.Root] + elements:
        if "/Lang" not in owner:
            continue
        lang = owner.get("/Lang")
        if isinstance(lang, String) and LANGUAGE_TAG.fullmatch(str(lang)):
            continue
        del owner["/Lang"]
        shown = str(lang) if isinstance(lang, String) else repr(lang)
        done.append(f"language „{shown[:20]}“ that is no language tag removed (its text takes the document's language)")


#: The numbered heading types and their levels.
HEADINGS = {Name(f"/H{level}"): level for level in range(1, 7)}


def _in_order(root) -> list:
    """The structure elements below ``root`` in reading order (depth first, kids in order), each
    once; told apart by pikepdf's type codes, as ``_elements`` does (a tagged annex has thousands)."""
    seen: set[tuple[int, int]] = set()
    found = []
    stack = [root]
    array, dictionary, plain = pikepdf.ObjectType.array, pikepdf.ObjectType.dictionary, pikepdf.Object
    while stack:
        node = stack.pop()
        if type(node) is not plain:
            continue
        kind = node._type_code
        if kind == array:
            stack.extend(reversed(list(node)))
            continue
        if kind != dictionary or node.get("/Type") in _NOT_ELEMENTS:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        found.append(node)
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return found


def _heading_level(element, roles: dict) -> int | None:
    kind = element.get("/S")
    return HEADINGS.get(roles.get(kind, kind)) if isinstance(kind, Name) else None


def _repair_headings(pdf: pikepdf.Pdf, elements: list, done: list[str]) -> None:
    """Numbered headings (H1–H6, also through the role map) that skip a level (H2 → H5, as a word
    processor exports „Überschrift 5“ under „Überschrift 2“) re-levelled, as PDF/UA needs
    (ISO 14289-1 7.4.2): the annex's first heading is H1 (it starts under its /Part) and each one
    is one below the nearest preceding heading of a higher original level. The order and nesting of
    the headings stay; no printed page changes."""
    root = pdf.Root.StructTreeRoot
    roles = root.get("/RoleMap")
    roles = {Name(name): value for name, value in roles.items()} if isinstance(roles, Dictionary) else {}
    open_levels: list[tuple[int, int]] = []  # (original level, new level) of the headings above
    changes = []
    if any(roles.get(element.get("/S"), element.get("/S")) == Name.H for element in elements):
        return  # headings of no level among them: not re-levelled, ANX006 (``_structure_problem``)
    for element in elements:
        level = _heading_level(element, roles)
        if level is None:
            continue
        while open_levels and open_levels[-1][0] >= level:
            open_levels.pop()
        new = open_levels[-1][1] + 1 if open_levels else 1
        open_levels.append((level, new))
        if new != level:
            changes.append((element, level, new))
    for element, level, new in changes:
        element.S = Name(f"/H{new}")
    if changes:
        skipped = sorted({f"H{level} → H{new}" for _, level, new in changes})
        done.append(f"heading levels that skip a level re-levelled ({', '.join(skipped)})")


#: What the repair reports of a digital signature (bidkit.annexes: ANX010, not ANX009): a signature
#: covers the bytes of its file, which the combined PDF cannot keep.
SIGNATURE_LOST = "digital signature that cannot be kept in the combined PDF"


def _signatures(pdf: pikepdf.Pdf) -> int:
    """Signature fields (/FT /Sig) of the annex's form that hold a signature (/V), however deep the
    field tree; the widgets go with the form (``_repair_annotations``)."""
    form = pdf.Root.get("/AcroForm")
    fields = form.get("/Fields") if isinstance(form, Dictionary) else None
    stack, seen, signed = list(fields) if isinstance(fields, Array) else [], set(), 0
    while stack:
        field = stack.pop()
        if not isinstance(field, Dictionary) or (field.is_indirect and field.objgen in seen):
            continue
        if field.is_indirect:
            seen.add(field.objgen)
        if field.get("/FT") == Name.Sig and isinstance(field.get("/V"), Dictionary):
            signed += 1
        if isinstance(field.get("/Kids"), Array):
            stack.extend(field.Kids)
    return signed


def _repair_annotations(pdf: pikepdf.Pdf, done: list[str]) -> None:
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, Dictionary) and form.get("/NeedAppearances") is True and _simple_form_fonts(form):
        try:
            pdf.generate_appearance_streams()  # the look a viewer would give the filled-in fields
        except pikepdf.PdfError:
            pass  # fields left without an appearance: inspect_annex names them
    root = pdf.Root.get("/StructTreeRoot")
    parent_tree = pikepdf.NumberTree(root.ParentTree) if _is_tagged(pdf) and isinstance(root.get("/ParentTree"), Dictionary) else None
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        kept, drawn = Array(), []
        for annot in annots:
            if not isinstance(annot, Dictionary):
                continue
            fate = _annotation_fate(pdf, page, annot, done)
            if fate is True:
                kept.append(annot)
                continue
            element = _unlink_annotation(annot, parent_tree) if parent_tree is not None else None
            if fate is not None:
                drawn.append((element, fate))
            elif element is not None and not len(element.K):
                _detach(element)  # an element that held only the annotation goes with it
        if drawn:
            _draw(pdf, page, drawn, parent_tree)
        if len(kept) != len(annots):
            if kept:
                page.obj.Annots = kept
            else:
                del page.obj.Annots
    if "/AcroForm" in pdf.Root:
        del pdf.Root.AcroForm  # the fields are drawn into the pages; what remains is named by inspect_annex


#: Annotations that cover a part of the page (a box, a stamp, an unapplied redaction): one that a
#: viewer shows but that does not print is drawn, as the annex's reader saw it, not removed.
COVERING = frozenset({Name.Square, Name.Circle, Name.Polygon, Name.Ink, Name.Stamp, Name.Redact})


def _covers(kind, annot) -> bool:
    """Whether an annotation a viewer shows may hide what lies under it: a shape, a stamp, a
    redaction, or a text box with a fill (a „whiteout“; an unfilled one is a reviewer's comment)."""
    if kind == Name.FreeText:
        fill = annot.get("/IC", annot.get("/C"))
        return isinstance(fill, Array) and len(fill) > 0
    return kind in COVERING


def _annotation_fate(pdf: pikepdf.Pdf, page, annot, done: list[str]):
    """True: the annotation stays; None: it goes; else what ``_appearance_content`` draws instead."""
    kind = annot.get("/Subtype")
    flags = annot.get("/F", 0)
    flags = int(flags) if isinstance(flags, int) else 0
    what = _annotation_name(annot)
    if kind in COMMENTS:
        if kind == Name.Text:
            done.append("review comment removed")
        return None
    if kind in MEDIA_ANNOTATIONS:
        done.append(f"{what} removed")
        return None
    if kind == Name.Link:
        if flags & (INVISIBLE | HIDDEN | NO_VIEW):
            done.append("hidden link removed")
            return None
        if flags & (PRINT | TOGGLE_NO_VIEW) != PRINT or _extra_appearances(annot):
            annot.F = (flags | PRINT) & ~TOGGLE_NO_VIEW
            done.append("link flagged for printing")
        return True
    if flags & (INVISIBLE | HIDDEN | NO_VIEW):
        done.append(f"hidden {what} removed")
        return None
    if not flags & PRINT and not _covers(kind, annot):
        done.append(f"{what} that does not print removed")
        return None
    content = _appearance_content(page, annot)
    if not flags & PRINT and content is None:
        # A viewer draws a covering box without an appearance from its colours: a filled rectangle
        # is drawn so; any other shape stays, printing, for inspect_annex to name („cover it in the file“).
        content = _filled_box(pdf, page, annot)
        if content is None:
            annot.F = flags | PRINT
            done.append(f"{what} shown on screen but not printed flagged for printing: it has no appearance to draw")
            return True
    if not flags & PRINT and content:  # the box a viewer shows over the page: kept, or what it covered would show
        done.append(f"{what} shown on screen but not printed drawn into the page, as a viewer shows it "
                    "(it may cover text: a redaction never applied?)")
        return content
    if not flags & PRINT:
        done.append(f"{what} that does not print removed")
        return None
    if content is None:
        return True  # prints, without an appearance: inspect_annex names it
    if not content:
        done.append(f"{what} that shows nothing removed")  # e.g. a check box not ticked, without an "off" look
        return None
    done.append(f"{what} drawn into the page")
    return content


def _filled_box(pdf: pikepdf.Pdf, page, annot):
    """The content drawing a Square annotation without an appearance as a viewer shows it on
    screen: its /Rect filled with its interior colour (/IC, RGB or grey); () when it is not filled
    or is see-through (/CA below 1: it hides nothing); None for any other annotation (a FreeText
    box shows text of its own: it stays, and inspect_annex names it)."""
    kind, rect = annot.get("/Subtype"), annot.get("/Rect")
    if kind != Name.Square or not isinstance(rect, Array) or len(rect) != 4:
        return None
    fill, opacity = annot.get("/IC"), annot.get("/CA", 1)
    if fill is None or (isinstance(fill, Array) and len(fill) == 0) or not isinstance(opacity, (int, Decimal)) or opacity < 1:
        return ()
    try:
        x1, y1, x2, y2 = (float(value) for value in rect)
        colour = [float(value) for value in fill]
    except (TypeError, ValueError):
        return None
    if len(colour) not in (1, 3):
        return None
    operator = "g" if len(colour) == 1 else "rg"
    width, height = abs(x2 - x1), abs(y2 - y1)
    annot.AP = Dictionary(N=pdf.make_stream(
        f"{' '.join(f'{c:.4f}' for c in colour)} {operator} 0 0 {width:.4f} {height:.4f} re f".encode(),
        Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, width, height])))
    annot.Rect = Array([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)])
    return _appearance_content(page, annot)


def _annotation_name(annot) -> str:
    kind = annot.get("/Subtype")
    if kind == Name.Widget:
        return "signature field" if annot.get("/FT") == Name.Sig else "form field"
    return f"{str(kind)[1:] if isinstance(kind, Name) else 'untyped'} annotation"


def _simple_form_fonts(form) -> bool:
    """Whether every font the form's fields may be written in has a simple encoding (qpdf writes
    the fields' text as single bytes, which a composite font would show as other glyphs)."""
    resources = form.get("/DR")
    fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
    return isinstance(fonts, Dictionary) and all(
        isinstance(font, Dictionary) and font.get("/Subtype") in SIMPLE_FONTS for font in fonts.values())


def _extra_appearances(annot) -> bool:
    appearance = annot.get("/AP")
    if isinstance(appearance, Dictionary) and (set(appearance.keys()) - {"/N"}):
        for key in set(appearance.keys()) - {"/N"}:
            del appearance[key]  # PDF/A: the normal appearance only (ISO 19005-2 6.3.3)
        return True
    return False


def _appearance_content(page, annot) -> tuple[Name, object, bytes] | tuple[()] | None:
    """(XObject name, appearance stream, content drawing it where the annotation stands), () when
    its appearance shows nothing, or None when it has no appearance."""
    appearance = annot.get("/AP")
    normal = appearance.get("/N") if isinstance(appearance, Dictionary) else None
    if isinstance(normal, Dictionary) and not isinstance(normal, pikepdf.Stream):
        state = annot.get("/AS")  # the state's look; none in the dictionary: nothing is shown
        normal = normal.get(state) if isinstance(state, Name) else None
        if normal is None:
            return ()
    if not isinstance(normal, pikepdf.Stream) or "/BBox" not in normal:
        return None
    name = Name("/BidkitAppearance%d_%d" % normal.objgen)  # the same in every page that shares the resources
    rotate = int(page.obj.get("/Rotate", 0)) if isinstance(page.obj.get("/Rotate", 0), int) else 0
    try:
        content = pikepdf.Annotation(annot).get_page_content_for_appearance(name, rotate, 0, 0)
    except pikepdf.PdfError:
        return None  # not drawn: inspect_annex names it
    return (name, normal, content) if content else ()


def _unlink_annotation(annot, parent_tree):
    """An annotation that leaves the page leaves the structure: its object reference goes from its
    structure element and the parent tree. Returns the element (to hold what is drawn instead)."""
    key = annot.get("/StructParent")
    if not isinstance(key, int):
        return None
    try:
        element = parent_tree[int(key)]
        del parent_tree[int(key)]
    except KeyError:
        return None
    if not isinstance(element, Dictionary):
        return None
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []
    element.K = Array([k for k in items if not (isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR
                                                 and isinstance(k.get("/Obj"), Dictionary) and k.Obj.objgen == annot.objgen)])
    return element


def _detach(element) -> None:
    parent = element.get("/P")
    kids = parent.get("/K") if isinstance(parent, Dictionary) else None
    if isinstance(kids, Array):
        parent.K = Array([kid for kid in kids if not (isinstance(kid, Dictionary) and kid.is_indirect
                                                      and element.is_indirect and kid.objgen == element.objgen)])
    elif isinstance(kids, Dictionary) and kids.is_indirect and element.is_indirect and kids.objgen == element.objgen:
        parent.K = Array()


def _draw(pdf: pikepdf.Pdf, page, drawn, parent_tree) -> None:
    """The appearances of ``drawn`` annotations painted on top of the page, each marked as the
    content of the annotation's structure element, or as an artifact in a tagged file where it has
    none (an untagged page becomes a figure as a whole when appended: ``_figure_page``)."""
    resources = page.obj.get("/Resources")
    if not isinstance(resources, Dictionary):
        resources = page.obj.Resources = Dictionary()
    if not isinstance(resources.get("/XObject"), Dictionary):
        resources.XObject = Dictionary()
    mcids = None
    if parent_tree is not None:
        key = page.obj.get("/StructParents")
        if not isinstance(key, int):
            key = max((k for k, _ in parent_tree.items()), default=-1) + 1
            page.obj.StructParents = key
            parent_tree[key] = pdf.make_indirect(Array())
            pdf.Root.StructTreeRoot.ParentTreeNextKey = key + 1
        mcids = parent_tree[key]
    pieces = [b"q\n", b"\nQ\n"]
    for element, (name, stream, content) in drawn:
        resources.XObject[name] = stream
        if mcids is None:
            pieces.append(content)
        elif isinstance(element, Dictionary):
            mcid = len(mcids)
            mcids.append(element)
            element.K.append(Dictionary(Type=Name.MCR, Pg=page.obj, MCID=mcid))
            if element.get("/S") in (Name.Form, Name.Annot):
                element.S = Name.Span  # what is left is text and lines on the page, no field or annotation
            pieces.append(b"/Span <</MCID %d>> BDC\n%sEMC\n" % (mcid, content))
        else:
            pieces.append(b"/Artifact BMC\n%sEMC\n" % content)
    page.contents_add(pdf.make_stream(pieces[0]), prepend=True)
    page.contents_add(pdf.make_stream(b"".join(pieces[1:])), prepend=False)


def _repair_resources(pdf: pikepdf.Pdf, done: list[str], contents: bool) -> None:
    """No image interpolated, no transfer function, in every resource the pages reach; with
    ``contents``, in inline images too (which decodes the content streams that mention one)."""
    seen: set[tuple[int, int]] = set()
    stack = []
    for page in pdf.pages:
        stack.append((page.obj.get("/Resources"), page.obj if contents else None))
        for annot in page.obj.get("/Annots", ()):
            appearance = annot.get("/AP") if isinstance(annot, Dictionary) else None
            normal = appearance.get("/N") if isinstance(appearance, Dictionary) else None
            for stream in [normal] if isinstance(normal, pikepdf.Stream) else normal.values() if isinstance(normal, Dictionary) else ():
                if isinstance(stream, pikepdf.Stream):
                    stack.append((stream.get("/Resources"), stream if contents else None))
    while stack:
        resources, owner = stack.pop()
        if owner is not None:
            done += _mend_content(pdf, owner)
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        for xobject in _values(resources.get("/XObject")):
            if not isinstance(xobject, pikepdf.Stream) or xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            for key, what in PREPRESS_KEYS.items():
                if key in xobject:
                    del xobject[key]
                    done.append(what)
            if xobject.get("/Subtype") == Name.PS:
                _empty_form(xobject)  # PostScript XObjects never render in a viewer (ISO 32000-1 8.8.2)
                done.append("PostScript XObject removed (viewers do not render it)")
                continue
            if xobject.get("/Subtype") == Name.Form and ("/PS" in xobject or xobject.get("/Subtype2") == Name.PS):
                for key in ("/PS", "/Subtype2"):
                    if key in xobject:
                        del xobject[key]
                done.append("PostScript of a form removed (viewers draw the form's own content)")
            if xobject.get("/Subtype") == Name.Image:
                for image in (xobject, xobject.get("/SMask"), xobject.get("/Mask")):
                    if isinstance(image, pikepdf.Stream) and image.get("/Interpolate") is True:
                        image.Interpolate = False
                        done.append("image interpolation switched off")
                if "/Intent" in xobject and xobject.Intent not in INTENTS:
                    xobject.Intent = Name.RelativeColorimetric
                    done.append("unknown rendering intent named as read")
            elif xobject.get("/Subtype") == Name.Form:
                stack.append((xobject.get("/Resources"), xobject if contents else None))
        for pattern in _values(resources.get("/Pattern")):
            if isinstance(pattern, pikepdf.Stream) and pattern.objgen not in seen:
                seen.add(pattern.objgen)
                stack.append((pattern.get("/Resources"), pattern if contents else None))
        for font in _values(resources.get("/Font")):
            if isinstance(font, Dictionary) and font.get("/Subtype") == Name.Type3:
                stack.append((font.get("/Resources"), None))
        for state in _values(resources.get("/ExtGState")):
            if not isinstance(state, Dictionary):
                continue
            if "/TR" in state:
                del state.TR
                done.append("transfer function removed")
            if "/TR2" in state and state.TR2 != Name.Default:
                state.TR2 = Name.Default
                done.append("transfer function removed")
            if "/BM" in state and not _standard_blend_mode(state.BM):
                state.BM = Name.Normal  # what viewers use for a blend mode they do not know (ISO 32000-1 11.6.3)
                done.append("unknown blend mode named as read (Normal)")
            if "/HTP" in state:
                del state.HTP  # a halftone phase (PDF 1.2's): for printers only, forbidden (ISO 19005-2 6.2.10)
                done.append("halftone setting removed (printers' only)")
            if "/HT" in state and not _allowed_halftone(state.HT):
                state.HT = Name.Default  # screens never use halftones; PDF/A allows types 1 and 5 only
                done.append("halftone setting removed (printers' only)")
            if "/RI" in state and state.RI not in INTENTS:
                state.RI = Name.RelativeColorimetric
                done.append("unknown rendering intent named as read")
            mask = state.get("/SMask")
            group = mask.get("/G") if isinstance(mask, Dictionary) else None
            if isinstance(group, pikepdf.Stream) and group.objgen not in seen:
                seen.add(group.objgen)
                stack.append((group.get("/Resources"), group if contents else None))


#: Operators that paint (PDF/UA: each inside tagged content or an artifact, ISO 14289-1 7.1).
PAINTING = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE"})
#: Where a run of content outside any marked content ends (marked content nests with these).
RUN_BREAKS = frozenset({"BMC", "BDC", "EMC", "BT", "ET", "q", "Q"})
WATCHED = " ".join(sorted((PAINTING - {"INLINE IMAGE"}) | RUN_BREAKS))


def _mark_untagged_painting(pdf: pikepdf.Pdf, page) -> list[str]:
    """In a tagged annex, painting outside any marked content (a line or logo the tagging program
    missed) becomes an artifact: printed as before, skipped by screen readers, as PDF/UA needs."""
    try:  # first only the operators that matter (fewer Python objects), all of them where some are out
        if not _painting_runs(pikepdf.parse_content_stream(page, WATCHED)):
            return []
        operations = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return []
    runs = _painting_runs(operations)
    starts, ends = {first for first, _ in runs}, {last for _, last in runs}
    pieces = []
    for index, operation in enumerate(operations):
        if index in starts:
            pieces.append(b"/Artifact BMC")
        pieces.append(pikepdf.unparse_content_stream([operation]))
        if index in ends:
            pieces.append(b"EMC")
    page.obj.Contents = pdf.make_stream(b"\n".join(pieces))
    return ["untagged content marked as an artifact"] * len(runs)


def _painting_runs(operations) -> list[tuple[int, int]]:
    """(first, last) index of each run of painting outside marked content, between the operators
    it must not straddle (``RUN_BREAKS``)."""
    depth, runs, run = 0, [], []
    for index, (operands, operator) in enumerate(operations):
        op = str(operator)
        if depth == 0 and op in PAINTING:
            run.append(index)
        if op in RUN_BREAKS or index == len(operations) - 1:
            if run:
                runs.append((run[0], run[-1]))
                run = []
        if op in ("BMC", "BDC"):
            depth += 1
        elif op == "EMC":
            depth = max(depth - 1, 0)
    return runs


#: The blend modes of ISO 32000-1 11.3.5 (``/Compatible`` is PDF 1.4's name for Normal), the only ones PDF/A allows.
BLEND_MODES = frozenset(Name(f"/{mode}") for mode in (
    "Normal", "Compatible", "Multiply", "Screen", "Overlay", "Darken", "Lighten", "ColorDodge", "ColorBurn", "HardLight",
    "SoftLight", "Difference", "Exclusion", "Hue", "Saturation", "Color", "Luminosity"))


def _standard_blend_mode(mode) -> bool:
    """Whether a graphics state's /BM is a standard blend mode, or a list of them (viewers take the
    first they know: a list is standard when all are)."""
    if isinstance(mode, Array):
        return len(mode) > 0 and all(entry in BLEND_MODES for entry in mode)
    return mode in BLEND_MODES


def _allowed_halftone(halftone) -> bool:
    """Whether a graphics state's /HT is one PDF/A allows (ISO 19005-2 6.2.10.5): the default, or a
    halftone of type 1 or 5 without a transfer function or a name."""
    if halftone == Name.Default:
        return True
    return (isinstance(halftone, Dictionary) and halftone.get("/HalftoneType") in (1, 5)
            and "/HalftoneName" not in halftone and "/TransferFunction" not in halftone
            and all(_allowed_halftone(part) and part.get("/HalftoneType") == 1
                    for key, part in halftone.items() if isinstance(part, Dictionary) and key != "/Type"))


def _empty_form(xobject) -> None:
    """Make ``xobject`` a form that draws nothing (what a viewer draws for it), in place, so that the
    content that invokes it stays valid."""
    for key in list(xobject.keys()):
        if key not in ("/Length", "/Type"):
            del xobject[key]
    xobject.write(b"")
    xobject.Type, xobject.Subtype, xobject.BBox = Name.XObject, Name.Form, Array([0, 0, 0, 0])


# --- glyph widths: a font's /Widths or /W as its font program has them ----------------------

#: How far a width may be from the font program's (in 1/1000 em) before PDF/A and PDF/UA reject it
#: (ISO 19005-2 6.2.11.5, ISO 14289-1 7.21.5: „consistent“; validators allow 1).
WIDTH_TOLERANCE = 1


def _program_widths(font) -> dict[int, float] | None:
    """Code (simple font) or CID (Type0) → advance width in 1/1000 em, as the embedded TrueType
    program has it, for each code the font's widths cover and the program has a glyph for (the
    glyph found as ISO 32000-1 9.6.6.4 and 9.7.4.2 say); None for other fonts (Type1, CFF, Type3)
    or a program bidkit cannot read."""
    from fontTools.ttLib import TTFont

    cid = None
    if font.get("/Subtype") == Name.Type0:
        kids = font.get("/DescendantFonts")
        cid = kids[0] if isinstance(kids, Array) and len(kids) == 1 and isinstance(kids[0], Dictionary) else None
        if cid is None or cid.get("/Subtype") != Name.CIDFontType2:
            return None
    elif font.get("/Subtype") != Name.TrueType:
        return None
    descriptor = (cid if cid is not None else font).get("/FontDescriptor")
    program = descriptor.get("/FontFile2") if isinstance(descriptor, Dictionary) else None
    if not isinstance(program, pikepdf.Stream):
        return None
    try:
        ttf = TTFont(io.BytesIO(program.read_bytes()), lazy=True)
        scale = 1000 / ttf["head"].unitsPerEm
        count = ttf["maxp"].numGlyphs
        # Glyphs named by their number: fontTools would name them from the 'post' table or all the
        # cmaps, which costs most of the time of this judgement (~4× for a large font).
        ttf.setGlyphOrder([f"g{gid}" for gid in range(count)])
        advances = _advances(ttf, count)
        if cid is not None:
            return _cid_widths(cid, count, advances, scale)
        glyphs = _simple_glyphs(font, descriptor, ttf)
    # The boundary to a font from outside: fontTools raises nearly anything on a damaged program.
    except Exception:  # noqa: BLE001
        return None
    return {code: advances[gid] * scale for code, gid in glyphs.items() if 0 <= gid < count}


def _advances(ttf, count: int) -> list[int]:
    """The advance width of each glyph, read from the raw 'hmtx' table (ISO/IEC 14496-22 5.2.4:
    numberOfHMetrics pairs of advance and side bearing; the glyphs after them share the last advance)."""
    import array

    pairs = ttf["hhea"].numberOfHMetrics
    raw = array.array("H", ttf.reader["hmtx"][:4 * pairs])
    if sys.byteorder == "little":
        raw.byteswap()
    advances = list(raw[0::2])
    if not advances:
        raise ValueError("no horizontal metrics")
    return advances + [advances[-1]] * (count - len(advances))


def _cid_widths(cid, count: int, advances: list[int], scale: float) -> dict[int, float] | None:
    gid_map = cid.get("/CIDToGIDMap", Name.Identity)
    if isinstance(gid_map, pikepdf.Stream):
        data = gid_map.read_bytes()
        gids = {c: int.from_bytes(data[2 * c:2 * c + 2], "big") for c in range(len(data) // 2)}
    elif gid_map == Name.Identity:
        gids = None
    else:
        return None
    widths = {}
    for code in _declared_widths(cid):
        gid = code if gids is None else gids.get(code)
        if gid is not None and 0 <= gid < count:
            widths[code] = advances[gid] * scale
    return widths


def _simple_glyphs(font, descriptor, ttf) -> dict[int, int]:
    """Code → glyph number of a simple TrueType font, through its cmap as ISO 32000-1 9.6.6.4 says
    (a code no cmap maps is not judged: the 'post' table's names are not read)."""
    from fontTools import agl
    from fontTools.encodings.StandardEncoding import StandardEncoding

    cmap = ttf["cmap"]
    unicode, symbol, mac = cmap.getcmap(3, 1), cmap.getcmap(3, 0), cmap.getcmap(1, 0)
    symbolic = int(descriptor.get("/Flags", 0)) & 4
    glyphs = {}
    encoding = font.get("/Encoding")
    base = encoding.get("/BaseEncoding") if isinstance(encoding, Dictionary) else encoding
    differences = {}
    if isinstance(encoding, Dictionary) and isinstance(encoding.get("/Differences"), Array):
        code = 0
        for entry in encoding.Differences:
            if isinstance(entry, int):
                code = int(entry)
            elif isinstance(entry, Name):
                differences[code] = str(entry)[1:]
                code += 1
    for code in _declared_widths(font):
        name = None
        if not symbolic and unicode is not None:
            glyph_name = differences.get(code) or _base_encoding_name(base, code, StandardEncoding)
            text = agl.toUnicode(glyph_name) if glyph_name else ""
            name = unicode.cmap.get(ord(text)) if len(text) == 1 else None
        elif symbol is not None:
            name = next((symbol.cmap[base_code + code] for base_code in (0xF000, 0, 0xF100, 0xF200)
                         if base_code + code in symbol.cmap), None)
        elif mac is not None:
            name = mac.cmap.get(code)
        elif unicode is not None:
            name = unicode.cmap.get(code)
        if name is not None:
            glyphs[code] = int(name[1:])  # "g123": named by number (``_program_widths``)
    return glyphs


def _base_encoding_name(base, code: int, standard: list[str]) -> str | None:
    """The glyph name of ``code`` in a base encoding (WinAnsi, MacRoman, else Standard)."""
    from fontTools import agl

    if base in (Name.WinAnsiEncoding, Name.MacRomanEncoding):
        try:
            text = bytes([code]).decode("cp1252" if base == Name.WinAnsiEncoding else "mac_roman")
        except UnicodeDecodeError:
            return None
        return agl.UV2AGL.get(ord(text)) or f"uni{ord(text):04X}"
    name = standard[code] if code < len(standard) else ".notdef"
    return None if name == ".notdef" else name


def _declared_widths(font) -> dict[int, float]:
    """Code → width as the font dictionary declares it: /FirstChar + /Widths, or a CIDFont's /W."""
    widths: dict[int, float] = {}
    if "/W" in font or font.get("/Subtype") in (Name.CIDFontType2, Name.CIDFontType0):
        entries = list(font.get("/W", Array()))
        index = 0
        while index + 1 < len(entries):
            first = entries[index]
            if isinstance(entries[index + 1], Array):
                for offset, width in enumerate(entries[index + 1]):
                    widths[int(first) + offset] = float(width)
                index += 2
            elif index + 2 < len(entries):
                for code in range(int(first), int(entries[index + 1]) + 1):
                    widths[code] = float(entries[index + 2])
                index += 3
            else:
                break
        return widths
    first = font.get("/FirstChar")
    if isinstance(first, int) and isinstance(font.get("/Widths"), Array):
        for offset, width in enumerate(font.Widths):
            widths[int(first) + offset] = float(width)
    return widths


def _width_errors(font) -> dict[int, tuple[float, float]] | None:
    """Code → (declared, program) width of each code whose declared width is not the program's; None
    when bidkit cannot tell (``_program_widths``)."""
    program = _program_widths(font)
    if program is None:
        return None
    declared = _declared_widths(font.DescendantFonts[0] if font.get("/Subtype") == Name.Type0 else font)
    return {code: (declared[code], width) for code, width in program.items()
            if code in declared and abs(declared[code] - width) > WIDTH_TOLERANCE}


def _repair_widths(pdf: pikepdf.Pdf, done: list[str]) -> None:
    """Fonts whose widths disagree with their embedded TrueType program (common in office output)
    get the program's widths, and the text shown in them keeps every glyph where it printed: each
    glyph is followed by the difference as a text position adjustment (``TJ``). Where that cannot be
    done exactly (text shown in a font set outside its stream, a CMap other than Identity-H) the
    widths stay, for ``inspect_annex`` to name."""
    fonts = {}
    for owner, resources in _content_owners(pdf):
        for font in _values(resources.get("/Font")):
            if isinstance(font, Dictionary) and font.is_indirect and font.objgen not in fonts:
                fonts[font.objgen] = _width_errors(font)
    wrong = {key: errors for key, errors in fonts.items() if errors}
    if not wrong:
        return
    rewritten = []
    for owner, resources in _content_owners(pdf):
        content = _compensated(owner, resources, wrong)
        if content is False:
            return  # not exactly: nothing changed
        if content is not None:
            rewritten.append((owner, content))
    for owner, content in rewritten:
        if isinstance(owner, pikepdf.Stream):
            owner.write(content)
        else:
            owner.Contents = pdf.make_stream(content)
    names = set()
    for key, errors in wrong.items():
        font = pdf.get_object(key)
        target = font.DescendantFonts[0] if font.get("/Subtype") == Name.Type0 else font
        if "/Widths" in target:
            first = int(target.FirstChar)
            target.Widths = Array([_width(errors[first + i][1]) if first + i in errors else width
                                   for i, width in enumerate(target.Widths)])
        else:
            widths = _declared_widths(target)
            widths.update({code: program for code, (_, program) in errors.items()})
            target.W = Array([item for code in sorted(widths) for item in (code, Array([_width(widths[code])]))])
        names.add(str(font.get("/BaseFont", "/?"))[1:])
    done.extend(f"glyph widths of font {name} taken from its font program (text stays where it printed)" for name in sorted(names))


def _repair_font_lists(pdf: pikepdf.Pdf, done: list[str]) -> None:
    """A font's list of the glyphs its subset holds (/CIDSet, /CharSet) goes: optional since PDF/A-2,
    and where present it must be complete (ISO 19005-2 6.2.11.4.2), which office programs often
    get wrong; no program reads it to draw."""
    seen: set[tuple[int, int]] = set()
    for _, resources in _content_owners(pdf):
        for font in _values(resources.get("/Font")):
            if not isinstance(font, Dictionary):
                continue
            for owner in [font] + list(font.get("/DescendantFonts", ()) if isinstance(font.get("/DescendantFonts"), Array) else ()):
                descriptor = owner.get("/FontDescriptor") if isinstance(owner, Dictionary) else None
                if not isinstance(descriptor, Dictionary) or (descriptor.is_indirect and descriptor.objgen in seen):
                    continue
                if descriptor.is_indirect:
                    seen.add(descriptor.objgen)
                for key in ("/CIDSet", "/CharSet"):
                    if key in descriptor:
                        del descriptor[key]
                        done.append("list of a font's glyphs (/CIDSet, /CharSet) removed (optional, and often incomplete)")


def _width(value: float):
    return int(round(value)) if abs(value - round(value)) < 0.001 else Decimal(f"{value:.3f}")


def _content_owners(pdf: pikepdf.Pdf):
    """Each page, form, pattern and annotation appearance with content, once, with its resources."""
    seen: set[tuple[int, int]] = set()
    stack = []
    for page in pdf.pages:
        stack.append((page.obj, page.obj.get("/Resources")))
        for annot in page.obj.get("/Annots", ()):
            appearance = annot.get("/AP") if isinstance(annot, Dictionary) else None
            for normal in appearance.values() if isinstance(appearance, Dictionary) else ():
                for stream in [normal] if isinstance(normal, pikepdf.Stream) else _values(normal):
                    if isinstance(stream, pikepdf.Stream):
                        stack.append((stream, stream.get("/Resources")))
    while stack:
        owner, resources = stack.pop()
        if owner.objgen in seen:
            continue
        seen.add(owner.objgen)
        resources = resources if isinstance(resources, Dictionary) else Dictionary()
        yield owner, resources
        for child in list(_values(resources.get("/XObject"))) + list(_values(resources.get("/Pattern"))):
            if isinstance(child, pikepdf.Stream) and child.get("/Subtype") != Name.Image:
                stack.append((child, child.get("/Resources")))


SHOWING = ("Tj", "TJ", "'", '"')


def _compensated(owner, resources, wrong: dict) -> bytes | None | bool:
    """``owner``'s content with text in the fonts ``wrong`` (objgen → ``_width_errors``) adjusted so
    that each glyph stays where it printed; None when it shows none; False when that cannot be done."""
    font_names = resources.get("/Font", Dictionary())
    for state in _values(resources.get("/ExtGState")):
        if isinstance(state, Dictionary) and "/Font" in state:
            return False  # a font set by a graphics state: not followed
    try:
        operations = pikepdf.parse_content_stream(owner if isinstance(owner, pikepdf.Stream) else pikepdf.Page(owner))
    except pikepdf.PdfError:
        return False
    fonts, changed, out = [None], False, []
    for operation in operations:
        op = str(operation.operator) if not isinstance(operation, pikepdf.ContentStreamInlineImage) else ""
        if op == "q":
            fonts.append(fonts[-1])
        elif op == "Q" and len(fonts) > 1:
            fonts.pop()
        elif op == "Tf" and operation.operands:
            font = font_names.get(operation.operands[0]) if isinstance(operation.operands[0], Name) else None
            fonts[-1] = font if isinstance(font, Dictionary) else None
        elif op in SHOWING:
            font = fonts[-1]
            if font is None:
                if wrong:
                    return False  # text in a font set outside this stream (a form's caller)
            elif font.is_indirect and font.objgen in wrong:
                adjusted = _adjusted(operation, font, wrong[font.objgen])
                if adjusted is None:
                    return False
                out.extend(adjusted)
                changed = True
                continue
        out.append(operation)
    return pikepdf.unparse_content_stream(out) if changed else None


def _adjusted(operation, font, errors: dict) -> list | None:
    """The text operation as ``TJ`` with each glyph followed by (program − declared) width, which
    keeps every glyph where the declared width put it (ISO 32000-1 9.4.4); None for a font whose
    codes bidkit cannot split (a CMap other than Identity-H, vertical writing)."""
    width = 1
    if font.get("/Subtype") == Name.Type0:
        if font.get("/Encoding") != Name("/Identity-H"):
            return None
        width = 2
    op, operands = str(operation.operator), list(operation.operands)
    before = []
    if op == '"':
        before = [pikepdf.ContentStreamInstruction([operands[0]], pikepdf.Operator("Tw")),
                  pikepdf.ContentStreamInstruction([operands[1]], pikepdf.Operator("Tc"))]
        operands = operands[2:]
    if op in ("'", '"'):
        before.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("T*")))
    items = list(operands[0]) if op == "TJ" else operands[:1]
    shown = Array()
    for item in items:
        if not isinstance(item, String):
            shown.append(item)
            continue
        data, run = bytes(item), b""
        for start in range(0, len(data) - len(data) % width, width):
            piece = data[start:start + width]
            code = int.from_bytes(piece, "big")
            run += piece
            if code in errors:
                shown.append(String(run))
                shown.append(_width(errors[code][1] - errors[code][0]))
                run = b""
        if run:
            shown.append(String(run))
    return before + [pikepdf.ContentStreamInstruction([shown], pikepdf.Operator("TJ"))]


def _values(dictionary):
    return dictionary.values() if isinstance(dictionary, Dictionary) else ()


def _mend_content(pdf: pikepdf.Pdf, owner) -> list[str]:
    """``owner``'s content (a page or form) with no inline image interpolated and no unknown
    rendering intent (``ri``, read as RelativeColorimetric): what was mended. Only content that
    mentions one is parsed and written anew."""
    if isinstance(owner, pikepdf.Stream):
        streams = [owner]
    else:
        contents = owner.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else [contents]
    suspect = False
    for stream in streams:
        data = stream.read_bytes() if isinstance(stream, pikepdf.Stream) else b""
        suspect = suspect or (b"BI" in data and INTERPOLATING.search(data)) or any(
            "/" + match.group(1).decode("latin-1") not in INTENTS for match in RENDERING_INTENT.finditer(data))
    if not suspect:
        return []
    pieces, mended = [], []
    try:
        operations = pikepdf.parse_content_stream(owner if isinstance(owner, pikepdf.Stream) else pikepdf.Page(owner))
    except pikepdf.PdfError:
        return []  # unreadable content is left as it is
    for operation in operations:
        if isinstance(operation, pikepdf.ContentStreamInlineImage):
            piece = pikepdf.unparse_content_stream([operation])
            head, sep, tail = piece.partition(b"\nID\n")  # pikepdf writes the dictionary on a line of its own
            head, count = INTERPOLATING.subn(b"/I false", head)
            pieces.append(head + sep + tail)
            mended += ["inline image interpolation switched off"] * count
            continue
        if str(operation.operator) == "ri" and operation.operands and operation.operands[0] not in INTENTS:
            operation = pikepdf.ContentStreamInstruction([Name.RelativeColorimetric], pikepdf.Operator("ri"))
            mended.append("unknown rendering intent named as read")
        pieces.append(pikepdf.unparse_content_stream([operation]))
    if mended:
        data = b"\n".join(pieces)
        if isinstance(owner, pikepdf.Stream):
            owner.write(data)
        else:
            owner.Contents = pdf.make_stream(data)
    return mended
