"""The characters the document's fonts have: what `check` (TXT005) holds every printed text against.

The document sets all its text in the theme's family (``theme.font_family`` with its files
``theme.fonts``), then bidkit's ``DEFAULT_FONT`` (DejaVu Sans), then ``sans-serif``
(``bidkit.render.theme``). For a character none of these has, Pango (under WeasyPrint) falls back to
any font fontconfig knows on this machine that has it; only when no font at all has it is the
character drawn as an empty box, which the build finds in the laid-out PDF (bidkit.render.glyphs).
So a character prints exactly when one of the theme's font files or one of the machine's fonts
has it in its character map (``cmap``): that union is what is searched here, without running a
program (no ``fc-match``) and without WeasyPrint. The machine's fonts are the font files under the
folders fontconfig's configuration names (``<dir>`` of ``/etc/fonts/fonts.conf`` and the files it
includes, ``$FONTCONFIG_FILE`` when set), in the formats fontTools reads (TrueType, OpenType,
collections, WOFF/WOFF2); fontconfig's bitmap and Type 1 fonts, rare on a machine that builds
PDF/A, are not searched — a character only they have is reported, and the build would find it drawn.

Reading a font's cmap with fontTools costs tens of milliseconds; the character ranges of each font
file are kept in the cache folder (marshal data, reading it runs no code), keyed by the file's path,
size and modification time: a check reads only fonts that changed. A theme's font is a file of the
(untrusted) bid folder: it is read in a child bounded in time and memory, as THM001 reads it
(``bidkit.images.font_problem``).
"""

from __future__ import annotations

import bisect
import marshal
import os
import re
import unicodedata
from array import array
from pathlib import Path

#: The format of the kept file; raise it when its entries change.
FORMAT = 3
#: Font files fontTools reads (fontconfig's .pcf/.pfb bitmap and Type 1 fonts are left out).
SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2")
#: fontconfig's configuration when $FONTCONFIG_FILE names none.
FONTCONFIG = "/etc/fonts/fonts.conf"
#: A range's first or last code point in the kept file: bytes of an array (one object per font, not
#: one per range: reading the file back makes no object per number).
RANGE_ITEM = array("I")
#: At most this many font files are searched (a machine with a font collection of its own).
MOST_FILES = 4000
#: At most this many configuration files are read (includes of includes).
MOST_CONFIGS = 200

#: Characters no glyph is drawn for: line breaks, tab, and what Unicode calls default ignorable
#: (soft hyphen, zero-width joiners and spaces, variation selectors, bidi marks, tags): HarfBuzz
#: leaves them out of the glyph run, whatever the font.
_IGNORED = re.compile("[\t\n\r\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
                      "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
                      "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
_ASCII = bytes(range(0x80))
_PRINTABLE_ASCII = "".join(map(chr, range(0x20, 0x7f)))
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ELEMENT = re.compile(r"<(dir|include)\b([^>]*)>([^<]*)</\1>")
_PREFIX = re.compile(r"""\bprefix\s*=\s*["']([^"']*)["']""")


class Font:
    """One font file searched: its family (for messages) and the code points it has, as ranges
    (``starts`` sorted; ``ends[i]`` the last code point of the range that starts at ``starts[i]``).
    A plain class: a dataclass costs `check` the compiling of its methods on every start."""

    __slots__ = ("path", "family", "starts", "ends")

    def __init__(self, path: str, family: str, starts: array, ends: array) -> None:
        self.path, self.family, self.starts, self.ends = path, family, starts, ends

    def has(self, point: int) -> bool:
        at = bisect.bisect_right(self.starts, point) - 1
        return at >= 0 and point <= self.ends[at]


class Fonts:
    """The fonts a document may draw a character with: the theme's first, then the machine's."""

    def __init__(self, theme: list[Font], machine: list[Font]) -> None:
        self.theme, self.machine = theme, machine
        self._known: dict[str, bool] = {}

    def has(self, char: str) -> bool:
        """Whether a font has ``char`` (or every character of its decomposition, which HarfBuzz
        draws when a font lacks the composed one)."""
        known = self._known.get(char)
        if known is None:
            point = ord(char)
            known = any(font.has(point) for font in (*self.theme, *self.machine))
            if not known:
                parts = unicodedata.normalize("NFD", char)
                known = parts != char and all(self.has(part) for part in parts)
            self._known[char] = known
        return known

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` no font has, each once, in order (ignorable ones left out)."""
        if all(map(self.has, _PRINTABLE_ASCII)):  # (always) then only the others are looked at, found in C:
            # UTF-8 writes a character beyond ASCII with bytes of 0x80 and above only; ASCII's control
            # characters are TXT005's too (tab and line breaks are left out alike)
            text = text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")
        return [char for char in dict.fromkeys(text) if not self.has(char) and not _IGNORED.match(char)]

    def searched(self) -> str:
        """The fonts searched, for a hint: ``the theme's Ubuntu; this machine's 38 font files (DejaVu Sans, …)``."""
        def families(fonts: list[Font]) -> list[str]:
            return list(dict.fromkeys(font.family for font in fonts if font.family))

        from bidkit.render.theme import DEFAULT_FONT

        own = families(self.theme)
        machine = families(self.machine)
        machine.sort(key=lambda family: family != DEFAULT_FONT)  # bidkit's own font first
        shown = ", ".join(machine[:6]) + (f" and {len(machine) - 6} more" if len(machine) > 6 else "")
        theme = f"the theme's {', '.join(own)}; " if own else ""
        return f"{theme}this machine's {len(self.machine)} font files ({shown or 'none'})"


def document_fonts(bid_dir: Path, theme_files: list[str]) -> Fonts:
    """The fonts of a document whose theme gives ``theme_files`` (``theme.fonts[].file``)."""
    from bidkit.paths import BidFileError, bid_file

    kept = _Kept()
    theme = []
    for file in theme_files:
        try:
            path = bid_file(bid_dir, file)
        except BidFileError:
            continue  # THM001 says why
        if path.suffix.lower() in SUFFIXES and (font := kept.font(path, untrusted=True)):
            theme.append(font)
    machine = [font for path in kept.machine_files() if (font := kept.font(path, untrusted=False))]
    kept.write()
    return Fonts(theme, machine)


def machine_font_files() -> tuple[list[Path], list[Path]]:
    """The font files fontconfig finds on this machine (in the folders its configuration names), and
    what they were found by: the configuration files and folders consulted, those not there too."""
    consulted, folders = _font_folders()
    found: list[Path] = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            consulted.append(Path(root))  # a font added or removed changes its folder's time
            found += [Path(root, name) for name in sorted(files) if name.lower().endswith(SUFFIXES)]
            if len(found) >= MOST_FILES:
                return found[:MOST_FILES], consulted
    return found, consulted


def _font_folders() -> tuple[list[Path], list[Path]]:
    """The files and folders of fontconfig's configuration read (there or not), and the ``<dir>``
    folders it names that are there, following its ``<include>``s."""
    home = Path(os.path.expanduser("~"))
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    first = Path(os.environ.get("FONTCONFIG_FILE") or FONTCONFIG)
    if not first.is_absolute():
        first = Path(os.environ.get("FONTCONFIG_PATH") or "/etc/fonts") / first
    folders: list[Path] = []
    todo, seen = [first], []
    while todo and len(seen) < MOST_CONFIGS:
        config_file = todo.pop(0)
        if config_file in seen:
            continue
        seen.append(config_file)
        if config_file.is_dir():
            todo[:0] = sorted(p for p in config_file.glob("*.conf") if p.is_file())
            continue
        try:
            text = _COMMENT.sub("", config_file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        for kind, attributes, value in _ELEMENT.findall(text):
            value = value.strip()
            prefix = _PREFIX.search(attributes)
            if prefix and prefix.group(1) == "xdg":
                place = (data if kind == "dir" else config) / value
            elif value.startswith("~"):
                place = home / value[1:].lstrip("/")
            else:
                place = Path(value) if Path(value).is_absolute() else config_file.parent / value
            if kind == "dir":
                folders.append(place)
            else:
                todo.append(place)
    folders = list(dict.fromkeys(folders))
    return [*seen, *folders], [folder for folder in folders if folder.is_dir()]


def _environment() -> tuple:
    """What fontconfig's configuration is found by besides its files: the variables ``_font_folders`` reads."""
    return (*(os.environ.get(name) for name in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "XDG_DATA_HOME", "XDG_CONFIG_HOME")),
            os.path.expanduser("~"))


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_size, info.st_mtime_ns


class _Kept:
    """What is kept in the cache folder: ``fonts``, each font's ranges, {path: (size, mtime_ns, family,
    starts, ends)} (an unreadable font with family None: not read again until it changes); and
    ``machine``, (the environment, [(path, stamp)] of the configuration files and folders consulted,
    [font file]):
    the machine's font files, found again when one of those stamps differs."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple] = {}
        self.machine: tuple = ()
        self.changed = False
        self.used: set[str] = set()
        try:
            kept = marshal.loads(self._path().read_bytes())
            if isinstance(kept, dict) and isinstance(kept.get("fonts"), dict) and isinstance(kept.get("machine"), tuple):
                self.entries, self.machine = kept["fonts"], kept["machine"]
        except (OSError, RuntimeError, ValueError, EOFError, TypeError):  # none kept, no cache folder, damaged
            pass

    def machine_files(self) -> list[Path]:
        """``machine_font_files()``, as kept while no configuration file or font folder changed."""
        try:
            environment, stamps, files = self.machine
            if environment == _environment() and all(_stamp(path) == (tuple(stamp) if stamp is not None else None) for path, stamp in stamps) \
                    and all(type(file) is str for file in files):
                return [Path(file) for file in files]
        except (TypeError, ValueError):  # none kept, or not of this shape
            pass
        files, consulted = machine_font_files()
        self.machine = (_environment(), [(str(path), _stamp(str(path))) for path in consulted], [str(file) for file in files])
        self.changed = True
        return files

    @staticmethod
    def _path() -> Path:
        from bidkit.paths import cache_dir

        return cache_dir() / "fonts" / f"cmaps-{FORMAT}.marshal"

    def font(self, path: Path, *, untrusted: bool) -> Font | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = str(path)
        self.used.add(key)
        entry = self.entries.get(key)
        font = _font(key, entry, stat) if isinstance(entry, tuple) and len(entry) == 5 else None
        if font is None and not (isinstance(entry, tuple) and entry[:3] == (stat.st_size, stat.st_mtime_ns, None)):
            read = _read_bounded(path, stat.st_size) if untrusted else _read(path)
            entry = (stat.st_size, stat.st_mtime_ns, *(read or (None, b"", b"")))
            self.entries[key] = entry
            self.changed = True
            font = _font(key, entry, stat)
        return font

    def write(self) -> None:
        if not self.changed:
            return
        from bidkit.fileio import cache_write

        # the fonts of this check, and those of other bids' themes while the file stays small
        fonts = {key: entry for key, entry in self.entries.items() if key in self.used}
        for key, entry in self.entries.items():
            if len(fonts) >= MOST_FILES:
                break
            fonts.setdefault(key, entry)
        try:
            cache_write(self._path(), marshal.dumps({"fonts": fonts, "machine": self.machine}))
        except (OSError, RuntimeError, ValueError):  # no cache folder (no home folder: RuntimeError)
            pass


def _font(path: str, entry: tuple, stat: os.stat_result) -> Font | None:
    """The font of a kept entry when it is of the file as it is now and well formed (a font that
    could not be read is kept with family None: None)."""
    size, mtime, family, starts, ends = entry
    if (size, mtime) != (stat.st_size, stat.st_mtime_ns) or type(family) is not str:
        return None
    if type(starts) is not bytes or type(ends) is not bytes or len(starts) != len(ends) or len(starts) % RANGE_ITEM.itemsize:
        return None
    return Font(path, family, array(RANGE_ITEM.typecode, starts), array(RANGE_ITEM.typecode, ends))


def _read_bounded(path: Path, size: int) -> tuple[str, bytes, bytes] | None:
    """``_read`` of a font of the bid folder, in a child bounded as THM001's reading."""
    from bidkit.images import FONT_MEMORY, FONT_SECONDS
    from bidkit.limits import ChildFailed, in_child

    try:
        return in_child(_read, path, seconds=FONT_SECONDS, memory=FONT_MEMORY + 16 * size)
    except (ChildFailed, MemoryError, OSError):
        return None


def _read(path: Path) -> tuple[str, bytes, bytes] | None:
    """(family, starts, ends) of the code points ``path``'s character maps hold (of every font of a
    collection), their ranges' first and last code points as RANGE_ITEM's bytes; None when fontTools
    cannot read it."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = TTCollection(path, lazy=True).fonts
        else:
            fonts = [TTFont(path, lazy=True, fontNumber=0)]
        points: set[int] = set()
        family = ""
        try:
            for font in fonts:
                points.update((font.getBestCmap() or {}).keys())
                if not family and "name" in font:
                    family = font["name"].getBestFamilyName() or ""
        finally:
            for font in fonts:
                font.close()
    except Exception:  # noqa: BLE001 - fontTools raises many kinds for a damaged file: not searched
        return None
    starts: list[int] = []
    ends: list[int] = []
    for point in sorted(points):
        if ends and point == ends[-1] + 1:
            ends[-1] = point
        else:
            starts.append(point)
            ends.append(point)
    return family or path.stem, array(RANGE_ITEM.typecode, starts).tobytes(), array(RANGE_ITEM.typecode, ends).tobytes()
