"""Characters no font could draw: found in WeasyPrint's PDF, before the final file is made.

Pango falls back to any font of the system that has a character; when none has it, WeasyPrint
draws the font's .notdef glyph (an empty box) and the file is neither PDF/A nor PDF/UA
(ISO 19005-3 6.2.11.8, ISO 14289-1 7.21.8). Which characters those are is read from the file,
not predicted: WeasyPrint 70 writes each font as a Type0 font whose glyphs are shown by 2-byte
codes; a character it has no glyph for gets a code of its own that the font's ``/Encoding`` CMap
sends to CID 0 (with ``CIDToGIDMap /Identity``: glyph 0, .notdef), and whose ``/ToUnicode``
entry still holds the character. Under ``/Identity-H`` code 0 is glyph 0 itself.

A final build refuses such a file (exit 1, like the findings of `check`: the bid's text is at fault,
not the renderer); a draft is written, warns, and claims no standard. `bidkit check` finds these
characters before any layout, at their file, line and field (TXT005, bidkit.fontcover): the build
runs it first, so this search is the last guard, for text no check sees (a theme's own templates).
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

import pikepdf
from pikepdf import Name

from bidkit.errors import BuildRefused

#: In a content stream (WeasyPrint's, written by pydyf): a text object's end or a text matrix set
#: (WeasyPrint sets one per line of a text box: where a line ends), a font selection, a glyph
#: array or a single string shown.
CONTENT_TOKEN = re.compile(rb"\bET\b|\bTm\b|/([^\s/\[\]<>()]+)\s+[-\d.]+\s+Tf\b|\[([^\]]*)\]\s*TJ|<([0-9a-fA-F\s]*)>\s*Tj")
#: An XObject drawn (an image or a form; WeasyPrint draws some boxes as forms).
DRAWN = re.compile(rb"/([^\s/\[\]<>()]+)\s+Do\b")
HEX_STRING = re.compile(rb"<([0-9a-fA-F\s]*)>")
#: A CMap's blocks of single entries, and their entries: ``<0dc8> 0`` (a code's CID, in an
#: ``/Encoding``) and ``<0dc8> <d83dde8c>`` (a code's text, in a ``/ToUnicode``; WeasyPrint
#: writes no ranges).
CID_BLOCK = re.compile(rb"begincidchar(.*?)endcidchar", re.S)
CID_CHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s+(\d+)")
BF_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
BF_CHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<((?:[0-9a-fA-F]{4})*)>")
#: How much of the line a message quotes; how many places it names (of each, bidkit.rules.characters.SHOWN
#: characters).
QUOTED = 40
SHOWN = 8

HINT = ("Remove the character from the text, or give the theme a font that has it (`theme: font_family` "
        "and `fonts`, see README \"Theme\"); `bidkit check` names the file, line and field of each such "
        "character of the bid's texts, its tables and its register (TXT005).")


@dataclass(frozen=True)
class MissingGlyph:
    """Characters drawn as .notdef on one line: its page (1-based), the characters and the line's text."""

    page: int
    text: str
    line: str


class _Font:
    """What the search needs of one font: the codes that draw .notdef, and (on demand) the text of
    each code."""

    def __init__(self, font: pikepdf.Dictionary):
        self.font = font
        self.notdef: set[bytes] = set()  # 4 lowercase hex digits each
        self._text: dict[bytes, str] | None = None
        if font.get("/Subtype") != Name.Type0:
            return  # WeasyPrint writes Type3 only for bitmap fonts, whose glyphs are there
        encoding = font.get("/Encoding")
        if isinstance(encoding, pikepdf.Stream):
            self.notdef = {code.lower() for block in CID_BLOCK.findall(encoding.read_bytes())
                           for code, cid in CID_CHAR.findall(block) if cid == b"0"}
        elif encoding == Name("/Identity-H"):
            self.notdef = {b"0000"}

    def text(self, code: bytes) -> str:
        if self._text is None:
            self._text = {}
            unicode_map = self.font.get("/ToUnicode")
            data = unicode_map.read_bytes() if isinstance(unicode_map, pikepdf.Stream) else b""
            for block in BF_BLOCK.findall(data):
                for found, value in BF_CHAR.findall(block):
                    self._text[found.lower()] = bytes.fromhex(value.decode("ascii")).decode("utf-16-be", errors="replace")
        return self._text.get(code, "")


def _codes(hex_strings: bytes) -> list[bytes]:
    """The 2-byte codes of a glyph array's (or a string's) hex strings, as lowercase hex."""
    codes = []
    for match in HEX_STRING.finditer(hex_strings):
        digits = re.sub(rb"\s", b"", match.group(1)).lower()
        codes += [digits[i:i + 4] for i in range(0, len(digits) - 3, 4)]
    return codes


def missing_glyphs(document: bytes) -> list[MissingGlyph]:
    """The characters of ``document`` (WeasyPrint's PDF) drawn as .notdef, line by line in page order."""
    pdf = pikepdf.open(io.BytesIO(document))
    fonts: dict[tuple[int, int], _Font] = {}
    found: list[MissingGlyph] = []
    for number, page in enumerate(pdf.pages, start=1):
        _search(page.obj, number, fonts, found, set())
    return found


def _search(owner, page: int, fonts: dict, found: list[MissingGlyph], forms: set, inherited=None) -> None:
    """Search the content of a page or Form XObject, and the forms it draws."""
    resources, parent = owner.get("/Resources"), owner
    while resources is None and "/Parent" in parent:  # a page may inherit its resources
        parent = parent.Parent
        resources = parent.get("/Resources")
    resources = resources if isinstance(resources, pikepdf.Dictionary) else inherited or pikepdf.Dictionary()
    content = _content(owner)
    if content is None:
        return
    own_fonts = {}
    for name, font in resources.get("/Font", pikepdf.Dictionary()).items():
        key = font.objgen if font.is_indirect else (id(font), 0)
        if key not in fonts:
            fonts[key] = _Font(font)
        own_fonts[name.encode()[1:]] = fonts[key]
    codes = frozenset().union(*(font.notdef for font in own_fonts.values()))
    if codes and _shows_any(codes).search(content):
        _search_lines(content, page, own_fonts, found)
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    for name in dict.fromkeys(DRAWN.findall(content)):
        form = xobjects.get("/" + name.decode("latin-1"))
        if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == Name.Form and form.objgen not in forms:
            forms.add(form.objgen)
            _search(form, page, fonts, found, forms, resources)


@functools.lru_cache(maxsize=64)
def _shows_any(codes: frozenset[bytes]) -> re.Pattern:
    """A quick search for a hex string holding one of ``codes`` at a code's place (every 4 digits
    from its start), whatever its font: most pages have none, and are not read token by token."""
    return re.compile(rb"<(?:[0-9a-fA-F]{4})*?(?:" + b"|".join(sorted(codes)) + rb")", re.IGNORECASE)


def _search_lines(content: bytes, page: int, own_fonts: dict, found: list[MissingGlyph]) -> None:
    font, shown, missing = None, [], []
    for match in CONTENT_TOKEN.finditer(content):
        if match.group(1) is not None:
            font = own_fonts.get(match.group(1))
        elif match.group(2) is not None or match.group(3) is not None:
            strings = match.group(2) if match.group(2) is not None else b"<" + match.group(3) + b">"
            if font is None:
                continue
            shown.append((font, strings))
            if font.notdef and any(code in strings.lower() for code in font.notdef):
                missing += [(font, code) for code in _codes(strings) if code in font.notdef]
        else:  # a line ends
            _report(page, shown, missing, found)
            shown, missing = [], []
    _report(page, shown, missing, found)


def _content(owner) -> bytes | None:
    try:
        if isinstance(owner, pikepdf.Stream):
            return owner.read_bytes()
        contents = owner.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            return b"\n".join(part.read_bytes() for part in contents)
        return contents.read_bytes() if isinstance(contents, pikepdf.Stream) else None
    except pikepdf.PdfError:
        return None


def _report(page: int, shown: list, missing: list, found: list[MissingGlyph]) -> None:
    """The text object's (a line's) missing characters, each once, with the line's text around them."""
    if not missing:
        return
    from bidkit.rules.characters import unwanted  # the rules (pydantic): only for a character missing

    texts = list(dict.fromkeys(font.text(code) or "\ufffd" for font, code in missing))
    line = "".join(font.text(code) for font, strings in shown for code in _codes(strings))
    line = " ".join("".join("\ufffd" if unwanted(c) else c for c in line).split())  # no escape sequence reaches a terminal
    found.append(MissingGlyph(page, "".join(texts), _around(line, "".join("\ufffd" if unwanted(c) else c for c in texts[0]))))


def _around(line: str, text: str) -> str:
    """``line``, or up to QUOTED characters of it from a little before ``text``, „…“ where cut."""
    if len(line) <= QUOTED:
        return line
    at = max(line.find(text), 0)
    start = max(0, at - QUOTED // 4)
    quoted = line[start:start + QUOTED]
    return ("…" if start else "") + quoted + ("…" if start + QUOTED < len(line) else "")


def described(missing: list[MissingGlyph]) -> list[str]:
    """Each line's missing characters once, with their pages and the first line they are on:
    ``U+1F68C BUS on page 7, in „Rufbus 🚌 im …“`` (``on pages 1–20`` for a running header); at
    most SHOWN places and SHOWN characters each (a paragraph in a script no font has)."""
    pages: dict[str, list[int]] = {}
    lines: dict[str, str] = {}
    for glyph in missing:
        pages.setdefault(glyph.text, [])
        if glyph.page not in pages[glyph.text]:
            pages[glyph.text].append(glyph.page)
        lines.setdefault(glyph.text, glyph.line)
    places = [f"{_characters(text)} on {_pages(pages[text])}, in „{lines[text]}“" for text in list(pages)[:SHOWN]]
    return places + ([f"and {len(pages) - SHOWN} more place(s)"] if len(pages) > SHOWN else [])


def _characters(text: str) -> str:
    from bidkit.rules.characters import named

    return named(text)


def _pages(numbers: list[int]) -> str:
    """``page 7``, ``pages 2, 5``, ``pages 1–20``."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    shown = ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)
    return f"page{'s' if len(numbers) > 1 else ''} {shown}"


def keep_claims(document: bytes, variant: str, *, draft: bool, warnings: list[str]) -> str:
    """The variant ``document`` (WeasyPrint's PDF) can claim: ``variant`` when every character has
    its glyph. Otherwise a final build is refused (BuildRefused, exit 1); a draft is kept, claims no
    standard (the variant "pdf" is returned) and ``warnings`` say why."""
    missing = missing_glyphs(document)
    if not missing:
        return variant
    one = len({c for glyph in missing for c in glyph.text}) == 1
    message = f"no font has {'this character' if one else 'these characters'}: {'; '.join(described(missing))}; " \
              "the PDF would show empty boxes"
    if not draft:
        raise BuildRefused(message + ("" if variant == "pdf" else f" and could not be {variant}"), HINT)
    claim = "" if variant == "pdf" else f" (the draft claims no PDF standard: it could not be {variant})"
    warnings.append(f"{message}{claim}. {HINT}")
    return "pdf"
