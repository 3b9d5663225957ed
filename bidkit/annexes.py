"""The bid's annexes (Anlagen): every file the bid hands in besides the document itself.

Files come from four places: the scan of the signed MoU (``mou.file``), the scan of the
council resolution (``council_resolution.file``), the list ``annexes``, and partners' letters
(``partners[].letter.file``), numbered in that order.
PDF annexes are appended to the submission, other files embedded as attachments.
The check (ANX rules) and the build list them with the same function and resolve them
with ``bidkit.paths.bid_file``, so both see the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from bidkit.findings import FieldPath
from bidkit.models import LETTER_TITLES, Bid

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Annex:
    number: int
    title: str
    file: str  # as written in the bid, relative to the bid folder
    field: FieldPath  # where the bid names the file
    description: str | None = None

    @property
    def is_pdf(self) -> bool:
        return self.file.lower().endswith(".pdf")


def annexes(bid: Bid) -> list[Annex]:
    """All annexes of the bid in document order (sections that failed validation are None)."""
    found: list[tuple[str, str, FieldPath, str | None]] = []
    if bid.mou and bid.mou.file:
        found.append((f"{bid.mou.title} (unterzeichnet)", bid.mou.file, ("mou", "file"), None))
    resolution = bid.council_resolution
    if resolution and resolution.file:
        title = f"Ratsbeschluss vom {resolution.date:%d.%m.%Y}, Vorlage {resolution.reference}"
        found.append((title, resolution.file, ("council_resolution", "file"), None))
    for index, annex in enumerate(bid.annexes or []):
        found.append((annex.title, annex.file, ("annexes", index, "file"), annex.description))
    for index, partner in enumerate(bid.partners or []):
        letter = partner.letter
        if letter and letter.file:
            title = f"{LETTER_TITLES[letter.kind.value]}: {partner.name}"
            found.append((title, letter.file, ("partners", index, "letter", "file"), None))
    return [Annex(number, *entry) for number, entry in enumerate(found, start=1)]
