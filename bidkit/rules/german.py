"""German titles of the rules (bidkit/data/rule_titles_de.yaml), for findings shown inside the PDF.

The command line reports in English; the draft's "Offene Punkte" are part of a German document,
so they show each finding by its German title, place and field instead of the English message.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bidkit.yamlio import load_document

TITLES_FILE = Path(__file__).resolve().parent.parent / "data" / "rule_titles_de.yaml"


@cache
def german_titles() -> dict[str, str]:
    return {str(code): str(title) for code, title in load_document(TITLES_FILE).data.items()}


def german_title(code: str) -> str:
    """The German title of rule ``code`` (every registered rule has one; a test sees to it)."""
    return german_titles()[code]
