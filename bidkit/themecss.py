"""A theme's stylesheet read as `check` judges it: what it references (THM003) and which of its
rules would change what the document says (THM004).

The stylesheet is untrusted input (README, Safety). The renderer's fetcher already refuses every
file it must not read; here the same references are found without rendering, so that `check`
names each at its line with the real reason (missing, not a regular file, outside the folder,
on the network, too large) and the final build cannot pass.

A theme may change how the document looks, never what it says. CSS can print text of its own
(``content``, ``string-set``, a list marker or hyphen character given as a string, a
``@counter-style``), hide or shrink text (``display: none``, ``visibility``, ``opacity``, a tiny
``font-size``, a transparent or white text colour, ``clip``/``overflow``), move or reorder it
(``position``, ``transform``, a large ``text-indent``, negative spacing, a bidi override) or
change page numbers and bookmarks (``counter-*`` of ``page``, ``bookmark-*``). Each such
declaration is refused at its line. Text in the page's margin boxes (``@page { @top-left
{ content: … } }``) stays allowed when it takes running strings and counters and quotes no digit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, read_regular, resolve_inside, shown, templates_dir
from bidkit.records import record

#: Larger stylesheets are not read by `check` (a theme's CSS is a few kilobytes; fonts belong in files).
MAX_CHECKED_BYTES = 8_000_000
MAX_IMPORTS = 20
MIN_FONT_PT = 5.0
_UNITS_PT = {"pt": 1.0, "px": 0.75, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "q": 72 / 101.6}
_RELATIVE = {"em", "rem", "ex", "ch", "lh", "rlh", "cap", "ic"}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_MARGIN_CONTENT = {"string", "counter", "counters", "target-counter", "target-counters"}
_LIGHT_NAMES = {"white", "snow", "ivory", "ghostwhite", "whitesmoke", "floralwhite", "seashell", "mintcream",
                "azure", "aliceblue", "honeydew", "lavenderblush", "linen", "oldlace", "cornsilk", "beige"}
_REFUSED = {
    "transform": "moves or scales text", "position": "moves a box over other text", "z-index": "moves a box over other text",
    "clip": "cuts text away", "clip-path": "cuts text away", "mask": "hides text", "mask-image": "hides text",
    "string-set": "puts text of its own into the page headers", "bookmark-label": "changes the bookmarks",
    "bookmark-level": "changes the bookmarks (which count the pages of each section)",
    "bookmark-state": None, "font-feature-settings": "can make a font draw other glyphs",
    "hyphenate-character": "prints text of its own where a word is broken",
}


@record(frozen=True)
class CssFinding:
    file: Path  # the stylesheet (absolute)
    line: int
    column: int
    message: str
    kind: str  # "reference" (THM003) or "text" (THM004)


def check_stylesheet(bid_dir: Path, file: str) -> list[CssFinding]:
    """The findings of the stylesheet ``file`` (relative to ``bid_dir``) and of what it imports;
    read once for THM003 and THM004 while none of those files changes."""
    root = bid_dir.resolve()
    kept = _CHECKED.get((root, file))
    if kept is not None and kept[0] == _stamps(kept[1] | {root / file}):
        return list(kept[2])
    scan = _Scan(root)
    scan.stylesheet(file)
    named = frozenset(scan.named)
    _CHECKED.clear()  # one stylesheet at a time is enough
    _CHECKED[(root, file)] = (_stamps(named | {root / file}), named, tuple(scan.found))
    return scan.found


_CHECKED: dict[tuple[Path, str], tuple[tuple, frozenset[Path], tuple[CssFinding, ...]]] = {}


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
        self.rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True), margin=False)

    def add(self, node, message: str, kind: str) -> None:
        self.found.append(CssFinding(self.path, node.source_line or 1, node.source_column or 1, message, kind))

    def rules(self, nodes, *, margin: bool) -> None:
        import tinycss2

        for node in nodes:
            if node.type == "qualified-rule":
                self.references(node.prelude)
                self.block(tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True), margin)
            elif node.type == "at-rule":
                keyword = node.lower_at_keyword
                if keyword == "import":
                    self.references(node.prelude, imported=True)
                elif keyword == "counter-style":
                    self.add(node, "@counter-style prints list markers of its own", "text")
                elif node.content is not None and keyword in ("media", "supports", "layer", "document", "container", "scope"):
                    self.rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True), margin=margin)
                elif node.content is not None:
                    inside_page = keyword == "page" or margin
                    contents = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
                    if keyword == "font-face":
                        for declaration in contents:
                            if declaration.type == "declaration":
                                self.references(declaration.value)
                    else:
                        self.block(contents, margin=inside_page and keyword != "page", page=keyword == "page")

    def block(self, contents, margin: bool, page: bool = False) -> None:
        declarations = [d for d in contents if d.type == "declaration"]
        names = {d.lower_name for d in declarations}
        for declaration in declarations:
            self.references(declaration.value)
            if problem := _changes_text(declaration, margin, has_background=bool(names & {"background", "background-color"})):
                self.add(declaration, f"`{declaration.name}: {_value(declaration)}` {problem}", "text")
        nested = [node for node in contents if node.type in ("qualified-rule", "at-rule")]
        self.rules(nested, margin=margin or page)

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
            resolve_inside(self.root, relative, max_bytes=MAX_RESOURCE_BYTES)
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


def _changes_text(declaration, margin: bool, has_background: bool) -> str | None:
    """Why ``declaration`` would change what the document says, or None."""
    name, tokens = declaration.lower_name, _significant(declaration)
    idents = {t.lower_value for t in tokens if t.type == "ident"}
    if name == "content":
        if margin and all(_margin_content(t) for t in tokens):
            return None
        return ("prints text of its own" + (" (in a page margin: running strings, counters and text without digits only)"
                                            if margin else ""))
    if name in _REFUSED:
        if name == "position" and idents <= {"static"}:
            return None
        if name == "z-index" and idents <= {"auto"}:
            return None
        if name in ("transform", "clip-path", "mask", "mask-image") and idents <= {"none"}:
            return None
        return _REFUSED[name] or "changes the bookmarks"
    if name == "display" and "none" in idents:
        return "hides text"
    if name == "visibility" and idents & {"hidden", "collapse"}:
        return "hides text"
    if name in ("opacity", "fill-opacity") and any(_number(t) is not None and _number(t) < 1 for t in tokens):
        return "makes text faint or invisible"
    if name in ("overflow", "overflow-x", "overflow-y") and idents & {"hidden", "clip"}:
        return "cuts text away that does not fit"
    if name in ("unicode-bidi", "direction") and idents & {"bidi-override", "isolate-override", "rtl"}:
        return "reorders the characters of the text (digits, too)"
    if name in ("list-style", "list-style-type") and any(t.type == "string" for t in tokens):
        return "prints text of its own before each list item"
    if name == "text-overflow" and any(t.type == "string" for t in tokens):
        return "prints text of its own where a line is cut"
    if name in ("counter-reset", "counter-increment", "counter-set") and idents & {"page", "pages"}:
        return "changes the page numbers"
    if name == "font-size" and _too_small(tokens):
        return f"makes text smaller than {MIN_FONT_PT:g} pt"
    if name in ("line-height",) and any((n := _number(t)) is not None and n < 0.5 for t in tokens if t.type in ("number", "percentage")):
        return "lays lines over each other"
    if name == "text-indent" and any((pt := _points(t)) is not None and abs(pt) > 36 for t in tokens):
        return "moves text out of its box"
    if name in ("letter-spacing", "word-spacing") and any((pt := _points(t)) is not None and pt < -2 for t in tokens):
        return "lays characters over each other"
    if name in ("color", "-webkit-text-fill-color", "text-fill-color") and (why := _invisible(tokens, has_background)):
        return why
    return None


def _margin_content(token) -> bool:
    if token.type == "string":
        return not any(c.isdigit() for c in token.value)
    if token.type == "function":
        return token.lower_name in _MARGIN_CONTENT
    return token.type == "ident" and token.lower_value in ("none", "normal")


def _number(token) -> float | None:
    if token.type == "number":
        return float(token.value)
    if token.type == "percentage":
        return float(token.value) / 100
    return None


def _points(token) -> float | None:
    """A length in points; relative lengths as if 1em were 10 pt; None for anything else."""
    if token.type == "number" and token.value == 0:
        return 0.0
    if token.type != "dimension":
        return None
    unit = token.lower_unit
    if unit in _UNITS_PT:
        return float(token.value) * _UNITS_PT[unit]
    if unit in _RELATIVE:
        return float(token.value) * 10
    return None


def _too_small(tokens) -> bool:
    for token in tokens:
        if token.type == "function":
            return True  # calc(), min(), var(): not measured, so not allowed
        if token.type == "percentage" and token.value < 50:
            return True
        if token.type == "dimension" and token.lower_unit in _RELATIVE and token.value < 0.5:
            return True
        if token.type == "dimension" and token.lower_unit in _UNITS_PT and token.value * _UNITS_PT[token.lower_unit] < MIN_FONT_PT:
            return True
        if token.type == "number" and token.value == 0:
            return True
    return False


def _invisible(tokens, has_background: bool) -> str | None:
    """Why text in this colour would not be seen on the white page, or None."""
    for token in tokens:
        rgba = _rgba(token)
        if rgba is None:
            continue
        red, green, blue, alpha = rgba
        if alpha < 0.5:
            return "makes text transparent"
        if not has_background and _contrast_to_white(red, green, blue) < 1.5:
            return "makes text invisible on the white page (give the rule a background, or a darker colour)"
    return None


def _rgba(token) -> tuple[float, float, float, float] | None:
    if token.type == "ident":
        value = token.lower_value
        if value == "transparent":
            return (0, 0, 0, 0)
        return (255, 255, 255, 1) if value in _LIGHT_NAMES else None
    if token.type == "hash":
        digits = token.value
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        if len(digits) not in (6, 8) or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            return None
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha)
    if token.type == "function" and token.lower_name in ("rgb", "rgba"):
        values = [t for t in token.arguments if t.type in ("number", "percentage")]
        if len(values) < 3:
            return None
        channels = [float(t.value) * (2.55 if t.type == "percentage" else 1) for t in values[:3]]
        alpha = _number(values[3]) if len(values) > 3 else 1.0
        return (*channels, alpha if alpha is not None else 1.0)
    if token.type == "function" and token.lower_name in ("hsl", "hsla"):
        values = [t for t in token.arguments if t.type in ("number", "percentage", "dimension")]
        if len(values) < 3:
            return None
        lightness = float(values[2].value) / 100
        alpha = _number(values[3]) if len(values) > 3 else 1.0
        grey = 255 * lightness  # the lightest the colour can be: enough to judge "nearly white"
        return (grey, grey, grey, alpha if alpha is not None else 1.0)
    return None


def _contrast_to_white(red: float, green: float, blue: float) -> float:
    def linear(channel: float) -> float:
        c = max(0.0, min(channel, 255.0)) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return 1.05 / (luminance + 0.05)


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
    return [finding.message for finding in scan.found if finding.kind == "text"]
