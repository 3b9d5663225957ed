"""``bidkit init``: a new bid folder, copied from the example bid, with a fresh schema."""

from __future__ import annotations

import shutil
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.fileio import atomic_write
from bidkit.paths import example_dir
from bidkit.schema import SCHEMA_FILE, schema_text


def init_bid(target: Path, *, force: bool = False) -> list[Path]:
    """Write the example bid into ``target``; return the files written."""
    if target.exists() and not target.is_dir():
        raise BidkitError(f"'{target}' exists and is not a folder", "Choose a new folder name.")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise BidkitError(f"'{target}' is not empty", "Choose an empty or new folder, or add --force to overwrite bid files in it.")
    source = example_dir()
    written = []
    for path in sorted(source.rglob("*")):
        if path.is_dir() or path.name == SCHEMA_FILE or "__pycache__" in path.parts:
            continue
        destination = target / path.relative_to(source)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
        except OSError as exc:
            raise BidkitError(f"cannot write {destination}: {exc.strerror}", "Choose a folder you can write to.") from None
        written.append(destination)
    atomic_write(target / SCHEMA_FILE, schema_text().encode())
    written.append(target / SCHEMA_FILE)
    return written
