"""A theme's stylesheet read as `check` judges it: what it references (THM003) and which of its
rules would change what the document says (THM004).

The stylesheet is untrusted input (README, Safety). The renderer's fetcher already refuses every
file it must not read; here the same references are found without rendering, so that `check`
names each at its line with the real reason (missing, not a regular file, outside the folder,
on the network, too large) and the final build cannot pass.

A theme may change how the document looks, never what it says. CSS can print text of its own,
hide it (a colour of its background, ``display``, ``opacity``), shrink it, move or cover it
(margins, ``outline``, ``position``), reorder it or change the page format, in more ways than a
list of forbidden declarations can name (rt5 D13). So THM004 is an allow-list: the properties a
theme may set (``_ALLOWED``), each value within bounds; colours only in forms read exactly, and
every text colour readable on every background (the stylesheet alone does not tell which
background lies behind which text); ``@page`` only as the call's A4 with its margin boxes, whose
``content`` may print page counters, running strings and text without digits. Everything else is
refused at its line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, read_regular, resolve_inside, shown, templates_dir
from bidkit.records import record

#: Larger stylesheets are not read by `check` (a theme's CSS is a few kilobytes; fonts belong in files).
MAX_CHECKED_BYTES = 8_000_000
MAX_IMPORTS = 20
MIN_FONT_PT = 5.0
_UNITS_PT = {"pt": 1.0, "px": 0.75, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "q": 72 / 101.6}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@record(frozen=True)
class CssFinding:
    file: Path  # the stylesheet (absolute)
    line: int
    column: int
    message: str
    kind: str  # "reference" (THM003) or "text" (THM004)


def check_stylesheet(bid_dir: Path, file: str, colours: tuple[tuple[str, str], ...] = (),
                     family: str | None = None) -> list[CssFinding]:
    """The findings of the stylesheet ``file`` (relative to ``bid_dir``) and of what it imports;
    read once for THM003 and THM004 while none of those files changes. ``colours``: the bid's
    (custom property, #rrggbb) for var(), ``family``: the theme's font family."""
    root = bid_dir.resolve()
    key = (root, file, colours, family)
    kept = _CHECKED.get(key)
    if kept is not None and kept[0] == _stamps(kept[1] | {root / file}):
        return list(kept[2])
    scan = _Scan(root)
    scan.variables.update({name: _hex(value) for name, value in colours})
    if family:
        scan.own_families.add(family.strip().lower())
    scan.stylesheet(file)
    scan.contrasts()
    scan.joint()
    named = frozenset(scan.named)
    _CHECKED.clear()  # one stylesheet at a time is enough
    _CHECKED[key] = (_stamps(named | {root / file}), named, tuple(scan.found))
    return scan.found


_CHECKED: dict[tuple, tuple[tuple, frozenset[Path], tuple[CssFinding, ...]]] = {}


def _stamps(paths) -> tuple:
    stamps = []
    for path in sorted(paths):
        try:
            info = os.stat(path)
            stamps.append((str(path), info.st_size, info.st_mtime_ns, info.st_ino))
        except (OSError, ValueError):
            stamps.append((str(path), None))
    return tuple(stamps)


class _Scan:
    """One stylesheet and what it imports: ``found`` the findings, ``named`` every file read or named."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.found: list[CssFinding] = []
        self.named: set[Path] = set()
        self.imported: set[Path] = set()
        self.families: set[str] = set()  # declared by @font-face
        self.variables: dict[str, tuple[float, float, float]] = dict(_DEFAULT_VARIABLES)
        self.texts: list = []  # (declaration, file, rgb) of every text colour
        self.backgrounds: list = []  # (declaration, file, rgb) of every background colour
        self.reference_failed = False
        self.own_families: set[str] = set()  # the theme's font_family
        self.scales: list = []  # (property, value, declaration, file) of text sizes and spacing (``joint``)

    def stylesheet(self, file: str) -> None:
        import tinycss2

        try:
            path = resolve_inside(self.root, file, max_bytes=MAX_CHECKED_BYTES)
            text = read_regular(path, max_bytes=MAX_CHECKED_BYTES).decode("utf-8", "replace")
        except BidFileError as exc:
            if exc.reason == "too_large":
                self.found.append(CssFinding(self.root / file, 1, 1, f"stylesheet '{shown(file)}' is larger than "
                                             f"{MAX_CHECKED_BYTES // 1_000_000} MB, too large to check what it changes", "text"))
            return  # otherwise THM001, or the reference that names it, says why
        if path in self.imported or len(self.imported) >= MAX_IMPORTS:
            return
        self.imported.add(path)
        self.path, self.base = path, Path(os.path.dirname(file))
        nodes = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        for node in nodes:  # a family may be used above its @font-face
            if node.type == "at-rule" and node.lower_at_keyword == "font-face" and node.content is not None:
                for item in tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True):
                    if item.type == "declaration" and item.lower_name == "font-family":
                        self.families.update(name for name in _families(_significant(item)) if name)
        self.rules(nodes, margin=False)

    def add(self, node, message: str, kind: str) -> None:
        self.found.append(CssFinding(self.path, node.source_line or 1, node.source_column or 1, message, kind))

    def rules(self, nodes, *, margin: bool) -> None:
        import tinycss2

        for node in nodes:
            if node.type == "qualified-rule":
                self.references(node.prelude)
                selectors = tinycss2.serialize(node.prelude)
                self.block(tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True), margin,
                           holds_tables=not margin and _may_hold_tables(selectors), selectors=selectors)
            elif node.type == "at-rule":
                keyword = node.lower_at_keyword
                if keyword == "import":
                    if _imports_data(node.prelude):
                        self.add(node, "@import of a stylesheet written into its address (data:) is not judged; put "
                                       "it into a file of the bid folder", "text")
                    self.references(node.prelude, imported=True)
                elif keyword == "counter-style":
                    self.add(node, "@counter-style prints list markers of its own", "text")
                elif keyword in ("charset", "namespace", "layer") and node.content is None:
                    continue
                elif node.content is not None and keyword in ("media", "supports", "layer"):
                    self.rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True), margin=margin)
                elif keyword not in ("page", "font-face", *_MARGIN_BOXES) or (keyword in _MARGIN_BOXES) != margin:
                    self.add(node, f"@{node.at_keyword} is not among the at-rules a theme may use "
                                   f"(@import, @media, @supports, @font-face, @page with its margin boxes)", "text")
                elif node.content is not None:
                    inside_page = keyword == "page" or margin
                    contents = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
                    if keyword == "font-face":
                        self.block(contents, margin=False, font_face=True)
                    else:
                        self.block(contents, margin=inside_page and keyword != "page", page=keyword == "page")

    def block(self, contents, margin: bool, page: bool = False, font_face: bool = False, holds_tables: bool = False,
              selectors: str | None = None) -> None:
        declarations = [d for d in contents if d.type == "declaration"]
        where = "font-face" if font_face else "page" if page else "margin" if margin else "rule"
        for declaration in declarations:
            before = len(self.found)
            self.references(declaration.value)
            self.reference_failed = len(self.found) > before  # THM003 says it: the build leaves the picture out
            if problem := self.judge(declaration, where) or (holds_tables and _narrows(declaration)):
                self.add(declaration, f"`{declaration.name}: {_value(declaration)}` {problem}", "text")
            elif where == "rule" and not _headings_only(selectors) and (kept := _text_scale(declaration)):
                self.scales.append((*kept, declaration, self.path))
        nested = [node for node in contents if node.type in ("qualified-rule", "at-rule")]
        if page:
            for node in nested:  # only the page's margin boxes (@top-left …) nest in @page
                if node.type != "at-rule" or node.lower_at_keyword not in _MARGIN_BOXES:
                    self.add(node, "only the page's margin boxes (@top-left, @bottom-right …) may be set inside @page", "text")
        self.rules(nested, margin=margin or page)

    def judge(self, declaration, where: str) -> str | None:
        """Why THM004 refuses ``declaration`` (in a rule, @page, a margin box or @font-face), or None;
        colours are kept for the contrast of every text colour with every background (``contrasts``)."""
        name, tokens = declaration.lower_name, _significant(declaration)
        if declaration.important and where != "font-face":
            return ("is marked !important, which would override what bidkit keeps fixed (the type of the money "
                    "tables, sized to their amounts); leave out !important")
        if where == "font-face":
            if name == "font-family":
                self.families.update(name for name in _families(tokens) if name)
            if name == "src" and any(t.type == "function" and t.lower_name not in ("url", "format", "tech")
                                     for t in tokens):
                return "names a font of the machine (local()); a theme's fonts are files of the bid folder"
            if name == "src" and _imports_data(tokens):
                return "gives a font written into its address (data:); a theme's fonts are files of the bid folder"
            return None if name in _FONT_FACE else (f"is not one of the descriptors a theme's @font-face may have "
                                                    f"({', '.join(sorted(_FONT_FACE))})")
        if where == "page":
            return _page_descriptor(name, tokens)
        if name == "content":
            if where == "margin" and all(_margin_content(t) for t in tokens):
                return None
            return ("prints text of its own" + (" (in a page margin: counter(page), counter(pages), string() and text "
                                                "without digits only)" if where == "margin" else ""))
        if len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in _GLOBAL and name in _ALLOWED:
            return None
        if where == "margin" and name not in _MARGIN_BOX:
            return (f"is not among what a page's margin box may set in a theme ({', '.join(sorted(_MARGIN_BOX))}): "
                    f"text run out of the margin lies over the page's text")
        if where == "margin" and name == "font-size" and (problem := _margin_font_size(tokens)):
            return problem
        if name in ("color", "background-color", "background"):
            return self.colour(declaration, name, tokens)
        for token in tokens:
            if token.type == "function" and not _allowed_function(name, token):
                return ("uses a function bidkit cannot judge here (calc(), var() of the theme's own, a picture…); "
                        "write the value itself")
        if name == "font-family":
            names = _families(tokens)
            unknown = [n for n in names if n is not None and n not in TEXT_FONTS | self.families | self.own_families]
            if None in names or unknown:
                return (f"names a font bidkit does not know ({', '.join(unknown) or 'a value it cannot read'}): a font can "
                        f"draw other glyphs for the digits; use the theme's fonts (`theme.fonts`, @font-face) or "
                        f"{', '.join(sorted(n for n in TEXT_FONTS if ' ' not in n))}")
        check = _ALLOWED.get(name)
        if check is None:
            return (f"is not among what a theme may set ({_ALLOWED_SHOWN}); the rest could hide, move, cover or "
                    f"print text")
        return check(tokens)

    def colour(self, declaration, name: str, tokens) -> str | None:
        """A text colour or a background: opaque colours bidkit can read (names, #hex, rgb(), hsl(),
        var(--primary), var(--accent)); kept for ``contrasts``."""
        if name == "background" and any(t.type == "url" or t.type == "function" and t.lower_name not in _COLOUR_FUNCTIONS
                                         | {"var"} for t in tokens):
            if self.reference_failed:
                return None  # THM003 names it; the build leaves the picture out
            return ("puts a picture behind text (a dark one hides dark text, a picture can show figures of its own); "
                    "a theme's picture is its logo (`theme.logo`)")
        colours = []
        for token in tokens:
            if token.type == "ident" and token.lower_value in ("none", "transparent") and name != "color":
                continue
            rgb = _opaque(token, self.variables)
            if rgb is None:
                return ("is not a colour bidkit can judge: give an opaque colour as a name, #rrggbb, rgb() or "
                        "hsl(), or var(--primary)/var(--accent)")
            colours.append(rgb)
        if name != "color":
            for rgb in colours:
                self.backgrounds.append((declaration, self.path, rgb))
            return None
        if len(colours) != 1:
            return "is not one colour"
        self.texts.append((declaration, self.path, colours[0]))
        return None

    def contrasts(self) -> None:
        """Every text colour of the theme against the white page, bidkit's backgrounds and every
        background of the theme; every background of the theme against bidkit's text colours: text
        sits on whatever background an ancestor has, which the stylesheet alone does not tell.
        Compared colour by colour (a theme has a few), each declaration named at its line."""
        variables = self.variables
        inks = {rgb: f"bidkit's text colour {name}" for name, rgb in _BIDKIT_TEXT.items()}
        inks.setdefault(variables["--primary"], "the primary colour (headings, table heads)")
        papers = {rgb: f"bidkit's background {name}" for name, rgb in _BIDKIT_GROUNDS.items()}
        for declaration, file, rgb in self.texts:
            inks.setdefault(rgb, f"`{declaration.name}: {_value(declaration)}`")
        for declaration, file, rgb in self.backgrounds:
            papers.setdefault(rgb, f"`{declaration.name}: {_value(declaration)}`")
        if len(inks) > MAX_COLOURS or len(papers) > MAX_COLOURS:
            first = (self.texts or self.backgrounds)[0]
            self.found.append(CssFinding(first[1], first[0].source_line or 1, first[0].source_column or 1,
                                         f"the stylesheet sets more than {MAX_COLOURS} different text or background "
                                         f"colours, more than bidkit compares with each other", "text"))
            return
        luminance = {rgb: _luminance(rgb) for rgb in {**inks, **papers}}
        worst_paper, worst_ink = {}, {}  # colour -> (contrast, the other colour) of its lowest contrast
        for ink in inks:
            for paper in papers:
                light, dark = sorted((luminance[ink], luminance[paper]), reverse=True)
                ratio = (light + 0.05) / (dark + 0.05)
                if ratio < worst_paper.get(ink, (MIN_CONTRAST,))[0]:
                    worst_paper[ink] = (ratio, paper)
                if ratio < worst_ink.get(paper, (MIN_CONTRAST,))[0]:
                    worst_ink[paper] = (ratio, ink)
        for kept, worst, names, word in [(self.texts, worst_paper, papers, "on"), (self.backgrounds, worst_ink, inks, "under")]:
            for declaration, file, rgb in kept:
                if rgb not in worst:
                    continue
                ratio, other = worst[rgb]
                self.found.append(CssFinding(file, declaration.source_line or 1, declaration.source_column or 1,
                                             f"`{declaration.name}: {_value(declaration)}` {word} {names[other]}: contrast "
                                             f"{ratio:.1f}, at least {MIN_CONTRAST:g} needed to read the text (text colours "
                                             f"must be readable on every background; light text on a dark box is not "
                                             f"allowed)", "text"))

    def joint(self) -> None:
        """THM004 on the combination of sizes and spacing each allowed alone (rt9b E6, E7): text inherits
        the font size, line height and letter and word spacing of different rules (html's size, p's line
        height), so the largest of each is taken together, as one line of text could have them all. Its
        line box — the font size widened by the spacing (``_widened``) times the line height — may be at
        most MAX_LINE_BOX_PT: bidkit's grids (signatures, the cover's facts) and table rows are not split
        over pages, and WeasyPrint 70 cannot lay out a document one of them outgrows (36 pt at line height
        3 does). Headings (h1–h6) are left out: a line of their own, sized on their own."""
        largest: dict[str, tuple[float, object, Path]] = {}
        for name, value, declaration, file in self.scales:
            if value > largest.get(name, (-1.0,))[0]:
                largest[name] = (value, declaration, file)
        size = largest.get("font-size", (_BODY_PT,))[0]
        height = largest.get("line-height", (_BODY_LINE_HEIGHT,))[0]
        letters = largest.get("letter-spacing", (0.0,))[0]
        words = largest.get("word-spacing", (0.0,))[0]
        box = _widened(size, letters, words) * height
        if box <= MAX_LINE_BOX_PT:
            return
        named = sorted(((d.source_line or 1, d.source_column or 1, name, d, f) for name, (_v, d, f) in largest.items()),
                       key=lambda item: (str(item[4]), item[0], item[1]))
        line, column, _name, declaration, file = named[-1]
        together = ", ".join(f"`{d.name}: {_value(d)}` (line {d.source_line})" for _l, _c, _n, d, _f in named[:-1])
        self.found.append(CssFinding(
            file, line, column,
            f"`{declaration.name}: {_value(declaration)}`" + (f" together with {together}" if together else "")
            + f" gives text lines of {box:.0f} pt ({size:g} pt, line height {height:g}, letter spacing {letters:g} em, "
            f"word spacing {words:g} em), more than the {MAX_LINE_BOX_PT:g} pt bidkit's layout holds: grids and table "
            f"rows, never split over pages, would outgrow a page (the build cannot lay them out); make one of "
            f"them smaller", "text"))

    def references(self, tokens, imported: bool = False) -> None:
        for token in tokens or ():
            if token.type == "url":
                self.reference(token, token.value, imported)
            elif token.type == "function" and token.lower_name == "url":
                value = next((t.value for t in token.arguments if t.type == "string"), None)
                if value is not None:
                    self.reference(token, value, imported)
            elif token.type == "string" and imported:
                self.reference(token, token.value, imported)
                imported = False  # only the first string of @import names a file
            elif token.type in ("function", "() block", "[] block", "{} block"):
                self.references(getattr(token, "arguments", None) or getattr(token, "content", None))

    def reference(self, token, value: str, imported: bool) -> None:
        value = value.strip()
        if value.lower().startswith("data:") and not imported:
            from bidkit.images import data_url, picture_problem

            if (data := data_url(value)) is not None and (problem := picture_problem(data)):
                self.add(token, f"url('{shown(value[:40])}…'): the picture written into the address {problem}; the build "
                                f"leaves it out", "reference")
            return
        if not value or value.startswith("#") or value.lower().startswith("data:"):
            return
        where = f"url('{shown(value)}')" if not imported else f"@import '{shown(value)}'"
        if value.startswith("//") or (_SCHEME.match(value) and not value.lower().startswith("file:")):
            self.add(token, f"{where}: no network address is fetched; only files inside the bid folder", "reference")
            return
        target = unquote(urlsplit(value).path)
        if os.path.isabs(target):
            normal = Path(os.path.normpath(target))
            if normal.is_relative_to(templates_dir().resolve()):
                return
            relative = os.path.relpath(normal, self.root)
        else:
            relative = os.path.normpath(self.base / target)
        self.named.add(self.root / relative)
        try:
            path = resolve_inside(self.root, relative, max_bytes=MAX_RESOURCE_BYTES)
            suffix = path.suffix.lower()
            if not imported and suffix != ".css":
                from bidkit.images import font_problem, picture_problem

                font = suffix in (".ttf", ".otf", ".woff", ".woff2")
                if problem := font_problem(path) if font else picture_problem(read_regular(path, max_bytes=MAX_RESOURCE_BYTES), path, self.root):
                    self.add(token, f"{where}: '{shown(relative)}' {problem}; the build leaves it out", "reference")
                    return
        except BidFileError as exc:
            if exc.reason == "too_large":
                why = f"'{shown(relative)}' is larger than {MAX_RESOURCE_BYTES // 1_000_000} MB, the most the build reads"
            elif exc.outside and "symbolic link" not in exc.message:
                why = "lies outside the bid folder"
            else:
                why = exc.message
            self.add(token, f"{where}: {why}; the build leaves it out", "reference")
            return
        if imported:
            path, base = self.path, self.base
            self.stylesheet(relative)
            self.path, self.base = path, base


def _value(declaration) -> str:
    import tinycss2

    text = tinycss2.serialize(declaration.value).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _significant(declaration) -> list:
    return [t for t in declaration.value if t.type not in ("whitespace", "comment")]


def _hex(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))


#: bidkit's own text colours (templates/style.css) and backgrounds (the white page, the facts box).
_BIDKIT_TEXT = {c: _hex(c) for c in ("#1a1a1a", "#333333", "#444444", "#555555", "#bb0000", "#aa6600")}
_BIDKIT_GROUNDS = {c: _hex(c) for c in ("#ffffff", "#f3f5f8")}
#: What var() may name, until the bid's own colours are given (check_stylesheet's ``variables``).
_DEFAULT_VARIABLES = {"--primary": _hex("#003a70"), "--accent": _hex("#6f8fb0")}
_VARS = {"font-family": {"--font"}}
_COLOUR_FUNCTIONS = {"rgb", "rgba", "hsl", "hsla"}
_GLOBAL = {"inherit", "initial", "unset", "revert"}
_MARGIN_BOXES = {"top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "bottom-left-corner",
                 "bottom-left", "bottom-center", "bottom-right", "bottom-right-corner", "left-top", "left-middle",
                 "left-bottom", "right-top", "right-middle", "right-bottom"}
_MARGIN_BOX = {"content", "color", "font-family", "font-size", "font-weight", "font-style", "text-align",
               "vertical-align", "text-transform", "letter-spacing"}
_FONT_FACE = {"font-family", "src", "font-weight", "font-style", "font-stretch", "font-display"}
#: Font families a theme may name without giving their files: generic ones and common text fonts.
TEXT_FONTS = {"serif", "sans-serif", "monospace", "system-ui", "dejavu sans", "dejavu serif", "dejavu sans mono",
                  "dejavu sans condensed", "liberation sans", "liberation serif", "liberation mono",
                  "liberation sans narrow", "arial", "helvetica", "times new roman", "times", "courier new",
                  "georgia", "verdana", "noto sans", "noto serif"}
#: Bounds, in points.
MIN_CONTRAST = 3.0
MAX_COLOURS = 200
_MM = 72 / 25.4
_FONT_FLOOR = MIN_FONT_PT / 0.9  # bidkit sets code at 0.9 em of its surroundings
_FONT_CEILING = 36.0  # the cover's title has 32 pt
_MAX_MARGIN, _MAX_PADDING, _MAX_BORDER, _MAX_INDENT = 25 * _MM, 5 * _MM, 6.0, 10 * _MM
_PAGE_MARGIN = (10 * _MM, 35 * _MM)  # A4 keeps at least 140 mm × 227 mm of text
#: bidkit's own side margins (style.css's @page: left 22 mm, right 20 mm): its tables are sized to
#: the 168 mm between them (render/tables.py CONTENT_MM), so a theme's side margins together may be
#: no wider; one side set alone keeps bidkit's other.
_SIDE_MARGINS = {"left": 22 * _MM, "right": 20 * _MM}


def _length(token, low: float, high: float, *, em: float | None = None, percent: float | None = None) -> bool:
    """Whether ``token`` is a length within [low, high] points (``em``: the most em or ex
    allowed; ``percent``: the most % allowed, as a fraction)."""
    if token.type == "number":
        return token.value == 0 and low <= 0
    if token.type == "percentage":
        return percent is not None and low <= 0 <= token.value / 100 <= percent
    if token.type != "dimension":
        return False
    unit = token.lower_unit
    if unit in _UNITS_PT:
        return low <= float(token.value) * _UNITS_PT[unit] <= high
    if unit in ("em", "rem", "ex", "ch") and em is not None:
        return low <= float(token.value) * 10 <= high and token.value <= em  # 1 em as the body's 10 pt
    return False


#: Elements of bidkit's document that hold no table: a theme may indent them (margins, padding).
_TEXT_ELEMENTS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dt", "dd", "dl", "a", "span",
                            "strong", "em", "b", "i", "sup", "sub", "small", "blockquote", "figure", "figcaption", "img",
                            "nav", "aside", "th", "td", "tr", "thead", "tbody", "tfoot", "caption", "br", "code"})


#: Classes of bidkit's templates that hold no table (the cover, the directory of partners, a measure …).
_TABLE_FREE_CLASSES = frozenset({
    "cover", "cover-logo", "cover-call", "cover-title", "cover-subtitle", "cover-facts", "cover-variant", "cover-contact",
    "cover-people", "cover-person", "toc", "toc-title", "toc-page", "toc-leader", "facts-box", "facts", "measure",
    "measure-group", "field-heading", "directory", "entry", "entry-head", "entry-name", "entry-type", "entry-body",
    "entry-meta", "annex-list", "annex", "annex-title", "annex-number", "annex-meta", "annex-description", "open-points",
    "open-point", "point-head", "point-where", "signatures", "signature", "signatory", "party-name", "lead", "note", "prose",
    "own-share", "committed", "label", "chart", "supporter-list", "scan", "nobreak", "proper-name"})


def _may_hold_tables(selectors: str) -> bool:
    """Whether one of ``selectors`` may select bidkit's tables or an element around them (html,
    body, a section, a goal's div): each selector's last element is judged by its type or a class
    of bidkit's that holds no table (`.cover`); one without either (`.section`, `#budget`, `*`) may be any."""
    for selector in selectors.split(","):
        subject = re.split(r"\s*[>+~]\s*|\s+", selector.strip())[-1]
        element = re.match(r"[A-Za-z][\w-]*", subject)
        classes = set(re.findall(r"\.([\w-]+)", subject))
        if (element is None or element.group().lower() not in _TEXT_ELEMENTS) and not classes & _TABLE_FREE_CLASSES:
            return True
    return False


_HORIZONTAL = {"margin-left", "margin-right", "padding-left", "padding-right", "margin-inline", "padding-inline",
               "margin-inline-start", "margin-inline-end", "padding-inline-start", "padding-inline-end"}


def _narrows(declaration) -> str | None:
    """Why a margin or padding at the sides of an element that may hold bidkit's tables is refused."""
    name, tokens = declaration.lower_name, _significant(declaration)
    if name in ("margin", "padding"):
        sides = [tokens[index] for index in ({1: [0], 2: [1], 3: [1], 4: [1, 3]}.get(len(tokens), []))]
    elif name in _HORIZONTAL:
        sides = tokens
    else:
        return None
    if all(token.type == "number" and token.value == 0 or token.type == "ident" and token.lower_value == "auto"
           for token in sides):
        return None
    return ("narrows an element that may hold bidkit's tables (html, body, a section, a class or id): their columns are "
            "sized to the 168 mm of text width and would run into the margin; indent text elements (p, h1–h6, li …) instead")


def _points(token) -> float:
    """A length ``_length`` accepted without em or %, in points."""
    return 0.0 if token.type == "number" else float(token.value) * _UNITS_PT[token.lower_unit]


def _each(ok, what: str):
    def check(tokens) -> str | None:
        return None if tokens and all(ok(t) for t in tokens) else f"is not {what}"
    return check


def _idents(*names: str, also=None):
    names_set = set(names)

    def ok(token) -> bool:
        return (token.type == "ident" and token.lower_value in names_set) or (also is not None and also(token))
    return ok


def _colour_token(token) -> bool:
    import tinycss2.color3

    if token.type == "function" and token.lower_name == "var":
        return _var_name(token) in ("--primary", "--accent")
    colour = tinycss2.color3.parse_color(token)
    return colour is not None and colour != "currentColor"


_BORDER_STYLES = ("none", "hidden", "solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset")
_border_width = _idents("thin", "medium", "thick", also=lambda t: _length(t, 0, _MAX_BORDER, em=0.6))
_border_style = _idents(*_BORDER_STYLES)
_margin = _idents("auto", also=lambda t: _length(t, 0, _MAX_MARGIN, em=2.5, percent=0.15))
_padding = lambda t: _length(t, 0, _MAX_PADDING, em=1.4, percent=0.05)  # noqa: E731
_breaks = _idents("auto", "avoid", "avoid-page", "avoid-column")  # forced breaks: a page per paragraph


def _font_size(tokens) -> str | None:
    if len(tokens) != 1:
        return "is not one font size"
    token = tokens[0]
    if token.type == "ident" and token.lower_value in ("medium", "large", "x-large", "xx-large", "larger"):
        return None
    if token.type == "percentage" and token.value > 300 or token.type == "dimension" and (
            token.lower_unit in ("em", "rem") and token.value > 3 or token.lower_unit in _UNITS_PT
            and token.value * _UNITS_PT[token.lower_unit] > _FONT_CEILING):
        return f"makes text larger than {_FONT_CEILING:g} pt (3 em): it runs out of its box over other text"
    if token.type == "percentage" and token.value >= 100 or (token.type == "dimension" and token.lower_unit
                                                              in ("em", "rem") and token.value >= 1):
        return None  # never smaller than its surroundings
    if token.type == "dimension" and token.lower_unit in _UNITS_PT and token.value * _UNITS_PT[token.lower_unit] >= _FONT_FLOOR:
        return None
    return (f"makes text smaller than {MIN_FONT_PT:g} pt (give sizes of at least {_FONT_FLOOR:.1f} pt, or a relative "
            f"size of at least 1 em, 100 %: relative sizes below that shrink again where they nest)")


def _margin_font_size(tokens) -> str | None:
    """A margin box's text stays within the page margin: at most 12 pt (bidkit's has 8 pt)."""
    token = tokens[0] if len(tokens) == 1 else None
    if token is not None and token.type == "dimension" and token.lower_unit in _UNITS_PT \
            and token.value * _UNITS_PT[token.lower_unit] <= 12:
        return None
    return "in a page margin: give a size in pt of at most 12 pt (larger text runs over the page's text)"


def _line_height(tokens) -> str | None:
    if len(tokens) == 1 and (tokens[0].type == "number" and 1 <= tokens[0].value <= 3
                             or tokens[0].type == "percentage" and 100 <= tokens[0].value <= 300
                             or tokens[0].type == "ident" and tokens[0].lower_value == "normal"):
        return None
    return "lays lines over each other or apart (give a number from 1 to 3, e.g. 1.4)"


def _families(tokens) -> list[str | None]:
    """The font families a font-family value names, lower case (None for a part that is no name)."""
    names, words = [], []
    for token in [*tokens, None]:
        if token is None or token.type == "literal" and token.value == ",":
            names.append(" ".join(words).lower() if words else None)
            words = []
        elif token.type == "string" and not words:
            words = [token.value]
        elif token.type == "ident":
            words.append(token.value)
        elif token.type == "function" and token.lower_name == "var" and _var_name(token) == "--font" and not words:
            words = ["serif"]  # the theme's own font_family, set by bidkit
        else:
            names.append(None)
    return names


def _font_family(tokens) -> str | None:
    return None  # judged in _Scan.judge, which knows the families of @font-face


def _spacing(most_pt: float, most_em: float, what: str):
    def check(tokens) -> str | None:
        ok = all(t.type == "ident" and t.lower_value == "normal" or _length(t, 0, most_pt, em=most_em) for t in tokens)
        return None if tokens and ok else f"{what} (from 0 to {most_em:g} em)"
    return check


#: The most a line of running text may take in height (rt9b E6): bidkit's is 10 pt × 1.45 = 14.5 pt. At
#: 36 pt the example builds with every declaration of THM004 at its bound besides (tests/test_thm9_css_bounds.py).
MAX_LINE_BOX_PT = 36.0
_BODY_PT, _BODY_LINE_HEIGHT = 10.0, 1.45  # style.css: html { font-size: 10pt; line-height: 1.45 }
#: An average letter and word of German text in em (DejaVu Sans): how far spacing widens a line.
_LETTER_EM, _WORD_EM = 0.55, 3.3
_KEYWORD_PT = {"medium": 12.0, "large": 14.4, "x-large": 18.0, "xx-large": 24.0}


def _widened(size: float, letters_em: float, words_em: float) -> float:
    """The font size in points a line of text takes the width of, with letter and word spacing."""
    return size * (1 + letters_em / _LETTER_EM + words_em / _WORD_EM)


#: Classes bidkit gives only to headings (cover.html.j2's title is an h1).
_HEADING_CLASSES = frozenset({"cover-title", "field-heading", "plain"})


def _headings_only(selectors: str | None) -> bool:
    """Whether every selector of a rule selects headings (h1–h6, or a class bidkit gives headings only)."""
    if not selectors:
        return False
    for selector in selectors.split(","):
        subject = re.split(r"\s*[>+~]\s*|\s+", selector.strip())[-1]
        if not (re.match(r"h[1-6](?![\w-])", subject, re.IGNORECASE)
                or set(re.findall(r"\.([\w-]+)", subject)) & _HEADING_CLASSES):
            return False
    return True


def _text_scale(declaration) -> tuple[str, float] | None:
    """(property, value) of a font size (pt), line height (factor) or letter or word spacing (em) that
    THM004 allowed, for the joint bound (``_Scan.joint``); relative sizes taken of the body's 10 pt."""
    name, tokens = declaration.lower_name, _significant(declaration)
    if name not in ("font-size", "line-height", "letter-spacing", "word-spacing") or len(tokens) != 1:
        return None
    token = tokens[0]
    unit = token.lower_unit if token.type == "dimension" else None
    if name == "font-size":
        if token.type == "ident":
            value = _KEYWORD_PT.get(token.lower_value, _BODY_PT * 1.2 if token.lower_value == "larger" else None)
        elif token.type == "percentage":
            value = _BODY_PT * float(token.value) / 100
        elif unit in ("em", "rem"):
            value = _BODY_PT * float(token.value)
        else:
            value = float(token.value) * _UNITS_PT[unit] if unit in _UNITS_PT else None
    elif name == "line-height":
        value = (float(token.value) if token.type == "number" else float(token.value) / 100
                 if token.type == "percentage" else 1.2 if token.type == "ident" and token.lower_value == "normal" else None)
    else:
        value = (float(token.value) if unit in ("em", "rem", "ch") else float(token.value) / 2 if unit == "ex"
                 else float(token.value) * _UNITS_PT[unit] / _BODY_PT if unit in _UNITS_PT else None)
    return (name, value) if value is not None else None


_ALLOWED = {
    "color": None, "background": None, "background-color": None,  # judged as colours
    "font-family": _font_family, "font-size": _font_size, "line-height": _line_height,
    "font-weight": _each(_idents("normal", "bold", "bolder", "lighter",
                                 also=lambda t: t.type == "number" and t.value in range(100, 1000, 100)), "a font weight"),
    "font-style": _each(_idents("normal", "italic", "oblique"), "normal, italic or oblique"),
    "font-variant": _each(_idents("normal", "small-caps"), "normal or small-caps"),
    "font-variant-numeric": _each(_idents("normal", "lining-nums", "oldstyle-nums", "tabular-nums",
                                          "proportional-nums", "slashed-zero"), "a numeral style"),
    "letter-spacing": _spacing(2.0, 0.2, "lays characters over each other or apart"),
    "word-spacing": _spacing(5.0, 0.5, "lays words over each other or apart"),
    "text-indent": _each(lambda t: _length(t, 0, _MAX_INDENT, em=3), "an indent from 0 to 10 mm"),
    "text-align": _each(_idents("left", "right", "center", "justify", "start", "end"), "left, right, center or justify"),
    "text-align-last": _each(_idents("auto", "left", "right", "center", "justify", "start", "end"), "an alignment"),
    "text-decoration": _each(_idents("none", "underline", "solid", "dotted", "dashed", "double", also=_colour_token),
                             "none or an underline (a line through text strikes it out)"),
    "text-decoration-line": _each(_idents("none", "underline"), "none or underline"),
    "text-decoration-color": _each(_colour_token, "a colour"),
    "text-decoration-style": _each(_idents("solid", "dotted", "dashed", "double", "wavy"), "a line style"),
    "text-transform": _each(_idents("none", "uppercase", "lowercase", "capitalize"), "a change of case"),
    "hyphens": _each(_idents("none", "manual", "auto"), "none, manual or auto"),
    "overflow-wrap": _each(_idents("normal", "break-word", "anywhere"), "normal or break-word"),
    "word-wrap": _each(_idents("normal", "break-word", "anywhere"), "normal or break-word"),
    "word-break": _each(_idents("normal", "break-word", "keep-all"), "normal, break-word or keep-all (break-all "
                                                                     "breaks a number across lines)"),
    "white-space": _each(_idents("normal", "pre-line", "pre-wrap"), "normal, pre-line or pre-wrap (text kept on one "
                                                                    "line runs out of its box)"),
    "vertical-align": _each(_idents("baseline", "top", "middle", "bottom", "text-top", "text-bottom", "sub", "super"),
                            "baseline, top, middle, bottom, sub or super (a length moves text out of sight)"),
    "margin": _each(_margin, "a margin from 0 to 25 mm"),
    **{f"margin-{side}": _each(_margin, "a margin from 0 to 25 mm") for side in ("top", "right", "bottom", "left")},
    "padding": _each(_padding, "a padding from 0 to 5 mm"),
    **{f"padding-{side}": _each(_padding, "a padding from 0 to 5 mm") for side in ("top", "right", "bottom", "left")},
    **{f"border{side}": _each(lambda t: _border_width(t) or _border_style(t) or _colour_token(t),
                              "a border of at most 6 pt (width, style, colour)")
       for side in ("", "-top", "-right", "-bottom", "-left")},
    **{f"border{side}-width": _each(_border_width, "a border width of at most 6 pt")
       for side in ("", "-top", "-right", "-bottom", "-left")},
    **{f"border{side}-style": _each(_border_style, "a border style") for side in ("", "-top", "-right", "-bottom", "-left")},
    **{f"border{side}-color": _each(_colour_token, "a colour") for side in ("", "-top", "-right", "-bottom", "-left")},
    **{f"border{corner}-radius": _each(lambda t: _length(t, 0, 10 * _MM, em=3, percent=0.5), "a radius up to 10 mm")
       for corner in ("", "-top-left", "-top-right", "-bottom-left", "-bottom-right")},
    "border-collapse": _each(_idents("collapse", "separate"), "collapse or separate"),
    "border-spacing": _each(lambda t: _length(t, 0, _MAX_BORDER, em=0.6), "a spacing of at most 6 pt"),
    "list-style-type": _each(_idents("disc", "circle", "square", "none", "decimal", "lower-alpha", "upper-alpha",
                                     "lower-latin", "upper-latin", "lower-roman", "upper-roman"), "a list marker style"),
    "list-style-position": _each(_idents("inside", "outside"), "inside or outside"),
    "list-style": _each(_idents("disc", "circle", "square", "none", "decimal", "lower-alpha", "upper-alpha",
                                "lower-latin", "upper-latin", "lower-roman", "upper-roman", "inside", "outside"),
                        "a list marker style and position"),
    **{name: _each(_breaks, "auto or avoid (a forced break can put each paragraph on a page of its own)") for name in ("break-before", "break-after", "break-inside",
                                                               "page-break-before", "page-break-after",
                                                               "page-break-inside")},
    "orphans": _each(lambda t: t.type == "number" and t.is_integer and 1 <= t.value <= 5, "a count from 1 to 5"),
    "widows": _each(lambda t: t.type == "number" and t.is_integer and 1 <= t.value <= 5, "a count from 1 to 5"),
    # Without `position` (refused) these do nothing.
    **{side: (lambda tokens: None) for side in ("top", "right", "bottom", "left")},
}
_COLOURED = {"text-decoration", "text-decoration-color",
             *(f"border{side}" for side in ("", "-top", "-right", "-bottom", "-left")),
             *(f"border{side}-color" for side in ("", "-top", "-right", "-bottom", "-left"))}
_ALLOWED_SHOWN = ("colours, backgrounds, font family, size, weight and style, line height, letter and word spacing, "
                  "text alignment, indent, underline, case, hyphenation, margins, padding, borders, list markers "
                  "and page breaks, within bounds")


def _imports_data(prelude) -> bool:
    """Whether an @import (or a font's src) names a data: URL: content that check would not read."""
    for token in prelude or ():
        if token.type == "url":
            value = token.value
        elif token.type == "function" and token.lower_name == "url":
            value = next((t.value for t in token.arguments if t.type == "string"), "")
        elif token.type == "string":
            value = token.value
        else:
            continue
        if value.strip().lower().startswith("data:"):
            return True
    return False


def _var_name(token) -> str | None:
    names = [t.value for t in token.arguments if t.type == "ident"]
    return names[0] if len(names) == 1 and len([t for t in token.arguments if t.type not in ("whitespace", "comment")]) == 1 else None


def _allowed_function(name: str, token) -> bool:
    if token.lower_name == "var":
        return _var_name(token) in ({"--primary", "--accent"} if name in _COLOURED else _VARS.get(name, ()))
    return name in _COLOURED and token.lower_name in _COLOUR_FUNCTIONS


def _opaque(token, variables) -> tuple[float, float, float] | None:
    """The colour of ``token`` if it is an opaque one bidkit can read, else None."""
    import tinycss2.color3

    if token.type == "function" and token.lower_name == "var":
        return variables.get(_var_name(token))
    if token.type == "function" and token.lower_name not in _COLOUR_FUNCTIONS:
        return None
    colour = tinycss2.color3.parse_color(token)
    if colour is None or colour == "currentColor" or colour.alpha < 1:
        return None
    return (colour.red, colour.green, colour.blue)


def _luminance(rgb) -> float:
    def linear(c: float) -> float:
        c = max(0.0, min(c, 1.0))
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(one, other) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_with_page(hex_colour: str) -> float:
    """How a colour of the bid (``theme.primary_color``) stands out from the white page and bidkit's backgrounds (the lowest)."""
    return min(_contrast(_hex(hex_colour), ground) for ground in _BIDKIT_GROUNDS.values())


def _page_descriptor(name: str, tokens) -> str | None:
    """What @page itself may say: the call's format (A4, portrait) and margins that keep the text area."""
    if name == "size":
        if [t.lower_value for t in tokens if t.type == "ident"] in (["a4"], ["a4", "portrait"], ["portrait", "a4"]) \
                and all(t.type == "ident" for t in tokens):
            return None
        return "changes the page size; the call's format is A4 portrait (a small page takes the build hours)"
    if name == "margin" or name.startswith("margin-") and name[7:] in ("top", "right", "bottom", "left"):
        if not (tokens and len(tokens) <= 4 and all(_length(t, *_PAGE_MARGIN) for t in tokens)):
            return "sets page margins outside 10–35 mm (the text area of the call's A4 page)"
        sides = _SIDE_MARGINS | ({name[7:]: _points(tokens[0])} if name != "margin" else
                                 {"left": _points(tokens[[0, 1, 1, 3][len(tokens) - 1]]), "right": _points(tokens[min(len(tokens) - 1, 1)])})
        if sides["left"] + sides["right"] > sum(_SIDE_MARGINS.values()) + 0.01:
            return ("leaves less than 168 mm between the left and right page margins, the width bidkit's tables are sized "
                    "to (they would run into the margin): the side margins together at most 42 mm (bidkit's: left 22, right 20)")
        return None
    return "is not among what @page may set in a theme (size: A4, margins of 10–35 mm, the margin boxes)"


def _margin_content(token) -> bool:
    if token.type == "string":
        return not any(c.isdigit() for c in token.value)
    if token.type == "function" and token.lower_name == "counter":
        arguments = [t for t in token.arguments if t.type not in ("whitespace", "comment", "literal")]
        return (arguments and arguments[0].type == "ident" and arguments[0].lower_value in ("page", "pages")
                and all(t.type == "ident" and t.lower_value == "decimal" for t in arguments[1:]))
    if token.type == "function" and token.lower_name == "string":
        arguments = [t for t in token.arguments if t.type not in ("whitespace", "comment", "literal")]
        return bool(arguments) and all(t.type == "ident" for t in arguments)
    return token.type == "ident" and token.lower_value in ("none", "normal")


def check_css(bid_dir: Path, css: str, *, declarations: bool = False) -> list[str]:
    """What CSS written into a template (a ``<style>`` element, or a ``style`` attribute's
    ``declarations``) does that THM004 refuses in the theme's stylesheet: the messages."""
    import tinycss2

    scan = _Scan(bid_dir.resolve())
    scan.path, scan.base = bid_dir.resolve(), Path(".")
    if declarations:
        scan.block(tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True), margin=False)
    else:
        scan.rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), margin=False)
    scan.contrasts()
    scan.joint()
    return [finding.message for finding in scan.found if finding.kind == "text"]
