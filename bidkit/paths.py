"""Where bidkit finds its templates and the example bid, and the one door for files a bid names.

In a wheel the templates and the example live inside the package (``bidkit/templates``,
``bidkit/example``); in a source checkout or an editable install they are the top-level
``templates/`` and ``bid_data/``.

A bid folder is untrusted input. Every file bidkit reads because a bid names it or holds it —
the YAML files, a call file, theme templates, stylesheets, logos, fonts, annexes, and what
the renderer fetches — goes through ``resolve_inside``: symlinks and '..' are resolved first,
anything outside the allowed folder is refused, and so is anything that is not a regular
file (a folder, FIFO, device or socket: opening a FIFO would hang). ``read_regular`` opens
without blocking and checks again on the open file, so nothing can be swapped in between.

Being the one door, ``resolve_inside`` also keeps the list of what went through it
(``resolved_inside``): every file a bid names, found or not. The commands that write refuse an
output that is on that list (build.check_outputs), so a new kind of input is protected the
moment it is read, without a list of input kinds to keep up to date.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

#: Longer paths are refused before the file system is asked (PATH_MAX is 4096 on Linux).
MAX_PATH_CHARS = 1024

#: A single resource a document uses (image, font, stylesheet) larger than this is refused.
MAX_RESOURCE_BYTES = 64_000_000


#: Every path asked of resolve_inside that lies inside its folder, by that folder (resolved).
_RESOLVED: dict[Path, set[Path]] = {}


def resolved_inside(root: Path) -> set[Path]:
    """The paths inside ``root`` that ``resolve_inside`` was asked for in this process (whether
    or not they exist and are regular files): the files bidkit read, or would have read, because
    a bid in ``root`` names them."""
    return set(_RESOLVED.get(root.resolve(), ()))


def _packaged_or_checkout(packaged: str, checkout: str) -> Path:
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


def templates_dir() -> Path:
    return _packaged_or_checkout("templates", "templates")


def example_dir() -> Path:
    return _packaged_or_checkout("example", "bid_data")


class BidFileError(ValueError):
    """A file the bid names that bidkit will not read; ``reason`` says why:
    ``outside`` (of the allowed folder), ``missing``, ``not_regular`` (folder, FIFO, device…),
    ``invalid`` (NUL byte, too long, a symlink loop, unreadable) or ``too_large``."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason

    @property
    def outside(self) -> bool:
        return self.reason == "outside"


#: The bidirectional controls (marks, embeddings, overrides, isolates): invisible, they reorder the
#: text around them, so that a report or the PDF shows other words than the data says
#: ("\u202eedlehceV" as "Vechelde"). TXT005 reports them; reports escape them; the document drops them.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: Control characters (C0 with line breaks and tabs, DEL, C1), the line and paragraph separators,
#: the bidirectional controls that can disguise text, and lone surrogates: a file name that is not
#: UTF-8 (Latin-1 from a zip or an SMB share) reaches Python as ``os.fsdecode`` makes it, each
#: undecodable byte a surrogate (U+DC80–U+DCFF), which no UTF-8 output can hold.
_UNSAFE_CHARS = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{''.join(sorted(BIDI))}\ud800-\udfff]")


def _escaped(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # a byte of a name that is not UTF-8: shown as that byte
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1]


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\x1b``, ``\n``, ``\u202e``), so that no report
    carries a terminal escape sequence, a line of its own (a fake report line, a CI workflow
    command), text reordered for display, or a character XML forbids; the bytes of a file name
    that is not UTF-8 as ``\xff`` (any other lone surrogate as ``\ud800``), so that every
    output stays valid UTF-8. All other text (no-break spaces, umlauts) stays.

    The one function for this: every file name and every message on its way to an output
    (reports of every format, the draft's open points, the preview, the command's messages)
    passes through it, directly or through ``shown`` and ``findings.display_file``."""
    return _UNSAFE_CHARS.sub(lambda m: _escaped(m.group()), text)


def shown(file: str | os.PathLike) -> str:
    """A path as messages show it: control characters escaped, long names shortened."""
    text = printable(str(file))
    return text if len(text) <= 80 else f"{text[:50]}…{text[-20:]} ({len(str(file))} characters)"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _os_reason(exc: OSError) -> tuple[str, str]:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "missing", "does not exist"
    if exc.errno == errno.ELOOP:
        return "invalid", "is a loop of symbolic links"
    if exc.errno == errno.ENAMETOOLONG:
        return "invalid", "is a name too long for the file system"
    return "invalid", f"cannot be read ({exc.strerror or exc})"


def resolve_inside(root: Path, file: str | os.PathLike, *, folder: bool = False, place: str = "the bid folder",
                   max_bytes: int | None = None) -> Path:
    """``file`` (relative to ``root``) as a resolved path inside ``root``, of the right kind.

    Raises ``BidFileError`` for everything else; never opens the file (a FIFO would block).
    """
    text = os.fspath(file)
    what = "folder" if folder else "file"
    if "\x00" in text:
        raise BidFileError(f"{what} '{shown(text)}' contains a NUL byte", reason="invalid")
    if len(text) > MAX_PATH_CHARS:
        raise BidFileError(f"{what} '{shown(text)}' has a path longer than {MAX_PATH_CHARS} characters", reason="invalid")
    try:
        base = root.resolve()
        path = (base / text).resolve()  # follows symlinks and '..'
        if Path(text).is_absolute() or not path.is_relative_to(base):
            how = "lies" if Path(text).is_absolute() or ".." in Path(text).parts else "is a symbolic link leading"
            raise BidFileError(f"'{shown(text)}' {how} outside {place}", reason="outside")
        _RESOLVED.setdefault(base, set()).add(path)
        mode = os.stat(path).st_mode
    except BidFileError:
        raise
    except OSError as exc:
        reason, why = _os_reason(exc)
        raise BidFileError(f"{what} '{shown(text)}' {why}" + (f" in {place}" if reason == "missing" else ""), reason=reason) from None
    except RuntimeError:  # pathlib's "Symlink loop from …"
        raise BidFileError(f"{what} '{shown(text)}' is a loop of symbolic links", reason="invalid") from None
    except ValueError as exc:
        raise BidFileError(f"{what} '{shown(text)}' cannot be used ({exc})", reason="invalid") from None
    if not (stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)):
        raise BidFileError(f"'{shown(text)}' is {_kind(mode)}, not a {'folder' if folder else 'regular file'}", reason="not_regular")
    if max_bytes is not None and not folder and os.stat(path).st_size > max_bytes:
        raise BidFileError(f"'{shown(text)}' is larger than {max_bytes // 1_000_000} MB", reason="too_large")
    return path


def bid_file(bid_dir: Path, file: str, *, folder: bool = False, max_bytes: int | None = None) -> Path:
    """The file (or folder) ``file`` inside the bid folder; see ``resolve_inside``."""
    return resolve_inside(bid_dir, file, folder=folder, max_bytes=max_bytes)


def read_regular(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a regular file, opened without blocking and checked on the open descriptor."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise BidFileError(f"'{shown(path)}' {_os_reason(exc)[1]}", reason=_os_reason(exc)[0]) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise BidFileError(f"'{shown(path)}' is {_kind(mode)}, not a regular file", reason="not_regular")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise BidFileError(f"'{shown(path)}' is larger than {max_bytes // 1_000_000} MB", reason="too_large")
    return data


def cache_dir() -> Path:
    """The user's cache folder for bidkit (not created here): ``$BIDKIT_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/bidkit``, else ``~/.cache/bidkit``. It holds the rebuild cache, the annex
    verdicts of `check` and the parsed hyphenation patterns."""
    if folder := os.environ.get("BIDKIT_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache") / "bidkit"


def keep_cache_outside(bid_dir: Path) -> str | None:
    """When the user's cache folder lies inside the bid folder (``BIDKIT_CACHE_DIR`` set to a
    folder of the work tree the bid lives in), this process and the ones it starts keep their
    caches in a temporary folder instead, removed at its exit: a cache in the bid folder would
    change the folder on every run (no rebuild ever cached, a draft stamp always „mit
    Änderungen“). Returns the warning to print, or None when the cache lies outside."""
    try:
        inside = cache_dir().resolve().is_relative_to(bid_dir.resolve())
    except (OSError, RuntimeError, ValueError):
        return None
    if not inside:
        return None
    import atexit
    import shutil
    import tempfile

    named = ("BIDKIT_CACHE_DIR" if os.environ.get("BIDKIT_CACHE_DIR") or not os.environ.get("XDG_CACHE_HOME")
             else "XDG_CACHE_HOME")  # with neither, ~/.cache lies inside a bid kept at the home folder
    shown_folder = shown(cache_dir())
    folder, owner = tempfile.mkdtemp(prefix="bidkit-cache-"), os.getpid()
    os.environ["BIDKIT_CACHE_DIR"] = folder
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    return (f"the cache folder '{shown_folder}' ({named}) lies inside the bid folder; this run keeps no cache there "
            f"(nothing is cached for the next run). Set {named} to a folder outside the bid folder.")

