"""The outputs a command may write: never one of the bid's inputs, never other than a regular file.

Plain paths only (no models): a build taken from the rebuild cache refuses an output with the
inputs its entry recorded (bidkit.render.cache), before the bid is read; every other command
with the inputs of the bid it loaded (build.check_outputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.paths import shown


def refuse_outputs(outputs: dict[str, Path | None], bid_dir: Path, files: Iterable[Path], folders: Iterable[Path],
                   schema_file: str, example: str = "build/bid.pdf") -> None:
    """Refuse (exit 2) an output that would replace an input of the bid (one of ``files``, a file
    in one of ``folders``, a YAML file or the schema ``schema_file`` beside bid.yaml, anything in
    ``.git``), or that is no regular file. ``example``: an output the command would write, for the hints."""
    files, folders = set(files), list(folders)
    targets: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        try:
            target = path.resolve()
            exists, regular = target.exists(), target.is_file()
        except (OSError, ValueError, RuntimeError) as exc:
            raise BidkitError(f"{option} '{shown(path)}' cannot be used as output: {exc}", f"Give a plain file path, e.g. {example}.") from None
        root = bid_dir.resolve()
        if target in files or any(target.is_relative_to(folder) for folder in folders) or (
                target.parent == root and (target.suffix in (".yaml", ".yml") or target.name == schema_file)) or (
                target.is_relative_to(root) and ".git" in target.relative_to(root).parts):
            raise BidkitError(f"{option} '{shown(path)}' is an input of the bid; bidkit never overwrites its inputs",
                              f"Write the output elsewhere, e.g. {example}.")
        if exists and not regular:
            raise BidkitError(f"{option} '{shown(path)}' exists and is not a regular file", "Give the path of a new or a regular file.")
        if target in targets:
            raise BidkitError(f"{option} and {targets[target]} name the same file", "Give each output its own file.")
        targets[target] = option
