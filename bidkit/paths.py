"""Where bidkit finds its templates and the example bid, and the files a bid names.

In a wheel they live inside the package (``bidkit/templates``, ``bidkit/example``); in a
source checkout or an editable install they are the top-level ``templates/`` and ``bid_data/``.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _packaged_or_checkout(packaged: str, checkout: str) -> Path:
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


def templates_dir() -> Path:
    return _packaged_or_checkout("templates", "templates")


def example_dir() -> Path:
    return _packaged_or_checkout("example", "bid_data")


class BidFileError(ValueError):
    """A file the bid names is not a file inside the bid folder."""

    def __init__(self, message: str, *, outside: bool) -> None:
        super().__init__(message)
        self.outside = outside


def bid_file(bid_dir: Path, file: str, *, folder: bool = False) -> Path:
    """The file (or folder) ``file`` inside the bid folder; symlinks and '..' are followed first."""
    root = bid_dir.resolve()
    path = (root / file).resolve()
    if Path(file).is_absolute() or not path.is_relative_to(root):
        raise BidFileError(f"'{file}' lies outside the bid folder", outside=True)
    if not (path.is_dir() if folder else path.is_file()):
        kind = "folder" if folder else "file"
        raise BidFileError(f"{kind} '{file}' does not exist in the bid folder", outside=False)
    return path
