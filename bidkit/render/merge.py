"""The two parts of a layout in two processes (bidkit.render.parallel) joined into one file with
pikepdf, as a single WeasyPrint write gives it: pages, structure tree, parent tree, named
destinations, bookmarks, links, and each font's two subsets as one font.

A module of its own so that pikepdf (~5 MB) is loaded by the layout process only when two parts
are merged, not for every layout (a serial one, or one the automatic choice keeps serial). No
WeasyPrint internals here: only the files WeasyPrint wrote.
"""

from __future__ import annotations

import copy
import io
import logging
import re
import warnings

import pikepdf
from pikepdf import Array, Dictionary, Name, String

LOG = logging.getLogger("bidkit.parallel")



def merge(first, second, second_names, out) -> None:
    """The two parts (files, as pikepdf.open takes them) as one file, as a single WeasyPrint
    write gives it (for bidkit.render.final), written into ``out``."""
    from bidkit.render.final import _copy, _flat_parent_tree, _store_parent_tree

    first, second = pikepdf.open(first), pikepdf.open(second)
    first_count, second_count = len(first.pages), len(second.pages)
    first_tree, second_tree = _flat_parent_tree(first), _flat_parent_tree(second)
    first_annots = max(first_tree, default=first_count - 1) + 1 - first_count
    with warnings.catch_warnings():  # named destinations are merged below
        warnings.simplefilter("ignore")
        first.pages.extend(second.pages)
    pages = list(first.pages)
    # Structure parents: pages first (0..n-1), then the first part's annotations, then the second's.
    tree = {}
    for key, value in first_tree.items():
        tree[key if key < first_count else key + second_count] = value
    for key, value in second_tree.items():
        tree[key + first_count if key < second_count else key + first_count + first_annots] = _copy(first, value)
    for page in pages[:first_count]:
        for annot in _annots(page):
            if "/StructParent" in annot and int(annot.StructParent) >= first_count:
                annot.StructParent = int(annot.StructParent) + second_count
    for page in pages[first_count:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + first_count
        for annot in _annots(page):
            if "/StructParent" in annot:
                key = int(annot.StructParent)
                annot.StructParent = key + first_count if key < second_count else key + first_count + first_annots
    document = first.Root.StructTreeRoot.K[0]
    added = []
    for kid in second.Root.StructTreeRoot.K[0].K:
        copied = first.copy_foreign(kid)
        copied.P = document
        document.K.append(copied)
        added.append(copied)
    _prefix_ids(Array(added))
    _store_parent_tree(first, tree)
    _merge_dests(first, second, set(second_names))
    _merge_outline(first, second)
    _merge_fonts(first, pages[:first_count], pages[first_count:])
    # bidkit.render.final compresses and packs the whole file
    first.save(out, fix_metadata_version=False, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable,
               stream_decode_level=pikepdf.StreamDecodeLevel.none)


def _prefix_ids(added) -> None:
    """The second part's element IDs (WeasyPrint's table header cells, "N-row-column" with N
    numbered per written file, so the parts' IDs collide) and the table cells' references to
    them get the prefix "p2-": one walk over the second part's elements, none over the first's."""
    from bidkit.render.final import _elements

    for element in _elements(added):  # (a missing key's get costs 5× the test for it)
        if "/ID" in element and isinstance(element.get("/ID"), String):
            element.ID = String(f"p2-{element.ID}")
        attributes = element.get("/A") if "/A" in element else None
        for attribute in attributes if isinstance(attributes, Array) else [attributes]:
            headers = attribute.get("/Headers") if isinstance(attribute, Dictionary) else None
            if isinstance(headers, Array):
                attribute.Headers = Array([String(f"p2-{header}") for header in headers])


def _annots(page):
    annots = page.obj.get("/Annots")
    return [a for a in annots if isinstance(a, Dictionary)] if isinstance(annots, Array) else []


def _dests(pdf) -> dict:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return dict(pikepdf.NameTree(names.Dests).items())


def _merge_dests(first, second, second_names: set[str]) -> None:
    from bidkit.render.final import _copy

    dests = {name: value for name, value in _dests(first).items() if name not in second_names}
    for name, value in _dests(second).items():
        if name in second_names and name not in dests:
            dests[name] = _copy(first, value)
    if not dests:
        return
    array = Array()
    for name in sorted(dests):
        array.append(String(name))
        array.append(dests[name])
    if "/Names" not in first.Root:
        first.Root.Names = Dictionary()
    first.Root.Names.Dests = first.make_indirect(Dictionary(Names=array))


def _merge_outline(first, second) -> None:
    from bidkit.render.final import _copy

    def items(source):
        return [(item.title, item.destination, item.is_closed, items(item.children)) for item in source]

    with second.open_outline() as outline:
        theirs = items(outline.root)

    def made(title, destination, closed, children):
        item = pikepdf.OutlineItem(title, destination=_copy(first, destination))
        item.is_closed = closed
        item.children.extend(made(*child) for child in children)
        return item

    with first.open_outline() as outline:
        outline.root.extend(made(*item) for item in theirs)


def _font_resources(pages):
    """Every /Font dictionary of the pages' resources (form XObjects included)."""
    seen = set()
    stack = [page.obj.get("/Resources") for page in pages]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, Dictionary):
            continue
        if isinstance(resources.get("/Font"), Dictionary):
            yield resources.Font
        xobjects = resources.get("/XObject")
        for xobject in xobjects.values() if isinstance(xobjects, Dictionary) else ():
            if isinstance(xobject, pikepdf.Stream) and "/Resources" in xobject and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                stack.append(xobject.Resources)


def _merge_fonts(pdf, first_pages, second_pages) -> None:
    """A font both parts use is one font: its two subsets (WeasyPrint keeps glyph ids) merged
    into one program, widths and ToUnicode joined; the second part's pages use the first's."""
    found: dict[str, dict] = {}
    for fonts in _font_resources(first_pages):
        for font in fonts.values():
            if isinstance(font, Dictionary) and isinstance(font.get("/BaseFont"), Name):
                found.setdefault(str(font.BaseFont), {})[font.objgen] = font
    # A name the first part gives to two fonts is left to final._unique_font_names.
    mine = {name: next(iter(fonts.values())) for name, fonts in found.items() if len(fonts) == 1}
    merged = {}
    for fonts in _font_resources(second_pages):
        for key, font in list(fonts.items()):
            if not isinstance(font, Dictionary) or not isinstance(font.get("/BaseFont"), Name):
                continue
            name = str(font.BaseFont)
            target = mine.get(name)
            if target is None or target.objgen == font.objgen:
                continue
            if font.objgen not in merged:
                merged[font.objgen] = _join_font(pdf, target, font)
            if merged[font.objgen]:
                fonts[key] = target


def _program(font):
    descendants = font.get("/DescendantFonts")
    if font.get("/Subtype") != Name.Type0 or not isinstance(descendants, Array) or len(descendants) != 1:
        return None, None
    cid = descendants[0]
    descriptor = cid.get("/FontDescriptor")
    if cid.get("/Subtype") != Name.CIDFontType2 or not isinstance(descriptor, Dictionary) \
            or not isinstance(descriptor.get("/FontFile2"), pikepdf.Stream) or cid.get("/CIDToGIDMap") != Name.Identity:
        return None, None
    return cid, descriptor


def _join_font(pdf, target, font) -> bool:
    """Merge ``font`` into ``target`` (same BaseFont); False when their kind is not mergeable."""
    cid_a, desc_a = _program(target)
    cid_b, desc_b = _program(font)
    if cid_a is None or cid_b is None or target.get("/Encoding") != Name("/Identity-H") \
            or font.get("/Encoding") != Name("/Identity-H") or ("/ToUnicode" in target) != ("/ToUnicode" in font):
        return False
    try:
        to_unicode = _join_cmaps(target.ToUnicode.read_bytes(), font.ToUnicode.read_bytes()) if "/ToUnicode" in target else None
        program = _join_programs(desc_a.FontFile2.read_bytes(), desc_b.FontFile2.read_bytes(),
                                 set(_widths(cid_a.get("/W", Array()))), set(_widths(cid_b.get("/W", Array()))))
    # A font program or a CMap not as WeasyPrint writes them: the two subsets stay apart
    # (bidkit.render.final names them apart).
    except Exception as exc:  # noqa: BLE001
        LOG.debug("fonts not merged: %r", exc)
        return False
    if program is None:
        return False
    desc_a.FontFile2.write(program)
    widths = _widths(cid_a.get("/W", Array()))
    widths.update({cid: width for cid, width in _widths(cid_b.get("/W", Array())).items() if cid not in widths})
    cid_a.W = _widths_array(widths)
    if isinstance(desc_a.get("/FontBBox"), Array) and isinstance(desc_b.get("/FontBBox"), Array):
        desc_a.FontBBox = Array([min(desc_a.FontBBox[0], desc_b.FontBBox[0]), desc_a.FontBBox[1],
                                 max(desc_a.FontBBox[2], desc_b.FontBBox[2]), desc_a.FontBBox[3]])
    if to_unicode is not None:
        target.ToUnicode = pdf.make_stream(to_unicode)
    if "/CIDSet" in desc_a and "/CIDSet" in desc_b:
        bits_a, bits_b = desc_a.CIDSet.read_bytes(), desc_b.CIDSet.read_bytes()
        size = max(len(bits_a), len(bits_b))
        joined = bytes(x | y for x, y in zip(bits_a.ljust(size, b"\0"), bits_b.ljust(size, b"\0")))
        desc_a.CIDSet = pdf.make_stream(joined)
    return True


def _join_programs(first: bytes, second: bytes, used_first: set[int], used_second: set[int]) -> bytes | None:
    """One TrueType program with the glyphs of both subsets. WeasyPrint 70 keeps the glyph ids up
    to the highest one a part uses (what its content streams name) and appends the components
    of composite glyphs beyond that, numbered anew: those are appended again here."""
    from fontTools.ttLib import TTFont

    # The font's own bounding box and maxima stay (as in either subset): no recalculation.
    a = TTFont(io.BytesIO(first), recalcBBoxes=False, recalcTimestamp=False)
    b = TTFont(io.BytesIO(second), recalcBBoxes=False, recalcTimestamp=False)
    if max(used_second, default=0) > max(used_first, default=0):
        a, b, used_first, used_second = b, a, used_second, used_first  # the base keeps the higher ids
    if "glyf" not in a or "glyf" not in b or "hmtx" not in a or "hmtx" not in b:
        return None
    kept = max(used_second, default=0)  # b's ids up to here are the font's own
    order, names_b = list(a.getGlyphOrder()), b.getGlyphOrder()
    glyf_a, glyf_b, hmtx_a, hmtx_b = a["glyf"], b["glyf"], a["hmtx"], b["hmtx"]
    taken: dict[int, str] = {}  # b's id → the merged font's glyph name

    def take(gid: int) -> str:
        if gid in taken:
            return taken[gid]
        if gid <= kept:
            name = order[gid]
            taken[gid] = name
            if gid in used_first or glyf_a[name].numberOfContours != 0:
                return name  # the base has it (the same glyph of the same font)
            # Not in the base's subset: an empty slot of advance 0, also for a glyph without
            # contours (a space, U+00A0) that the other part draws; its glyph and width come over.
        else:
            name = f"bidkit.{len(order)}"
            order.append(name)
            taken[gid] = name
        glyph = copy.deepcopy(glyf_b[names_b[gid]])
        if glyph.isComposite():
            glyph.expand(glyf_b)
            for component in glyph.components:
                component.glyphName = take(b.getGlyphID(component.glyphName))
        glyf_a.glyphs[name] = glyph
        hmtx_a.metrics[name] = hmtx_b[names_b[gid]]
        return name

    for gid in sorted(used_second):
        if gid < len(names_b):
            take(gid)
    a.setGlyphOrder(order)
    glyf_a.glyphOrder = order
    out = io.BytesIO()
    a.save(out)
    return out.getvalue()


def _widths(array) -> dict[int, object]:
    widths, items, index = {}, list(array), 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], Array):
            for offset, width in enumerate(items[index + 1]):
                widths[first + offset] = width
            index += 2
        else:
            for cid in range(first, int(items[index + 1]) + 1):
                widths[cid] = items[index + 2]
            index += 3
    return widths


def _widths_array(widths: dict[int, object]) -> Array:
    array, run = Array(), None
    for cid in sorted(widths):
        if cid - 1 not in widths:
            run = Array()
            array.append(cid)
            array.append(run)
        run.append(widths[cid])
    return array


def _join_cmaps(first: bytes, second: bytes) -> bytes:
    """One ToUnicode CMap with the mappings of both (WeasyPrint writes bfchar/bfrange blocks)."""
    def pairs(data: bytes) -> dict[bytes, bytes]:
        found = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, flags=re.S):
            for code, value in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
                found[code.lower()] = value
        return found

    if b"beginbfrange" in first or b"beginbfrange" in second:
        raise ValueError("bfrange in ToUnicode")
    joined = pairs(second)
    joined.update(pairs(first))
    head = first[:first.index(b"beginbfchar")]
    head = re.sub(rb"\d+\s*$", b"", head.rstrip()) + b"\n"
    tail = first[first.rindex(b"endbfchar") + len(b"endbfchar"):]
    blocks = []
    codes = sorted(joined, key=lambda code: int(code, 16))
    for start in range(0, len(codes), 100):
        chunk = codes[start:start + 100]
        blocks.append(b"%d beginbfchar\n" % len(chunk) + b"".join(b"<%s> <%s>\n" % (code, joined[code]) for code in chunk)
                      + b"endbfchar\n")
    return head + b"".join(blocks) + tail.lstrip(b"\n")
