"""The agreement's signature block: every signatory stands under the party they sign for.

With five parties the second row held two parties in a three-column grid; the grid's automatic
placement put the signatures of one party under another's name. Read back from the PDF: each
signatory's line starts in the column of its party's name.
"""

from __future__ import annotations

import pytest

import pdflayout
from conftest import edit

EXTRA_PARTIES = """    - id: ostfalia
      name: Ostfalia Hochschule für angewandte Wissenschaften
      signatories:
        - {name: Rosemarie Karger, role: Präsidentin}
    - id: wobcom
      name: WOBCOM GmbH
      signatories:
        - {name: Gerd Schwarze, role: Geschäftsführer}
        - {name: Anja Bergmann, role: Prokuristin}
"""

SIGNERS = {
    "Stadt Wolfsburg": ["Klaus Mohrs"],
    "Volkswagen AG": ["Matthias Müller", "Karlheinz Blessing", "Bernd Osterloh"],
    "Land Niedersachsen": ["Olaf Lies"],
    "Ostfalia Hochschule": ["Rosemarie Karger"],
    "WOBCOM GmbH": ["Gerd Schwarze", "Anja Bergmann"],
}


def five_parties(bid):
    """The example's MoU signed by five parties."""
    mou = bid / "mou.yaml"
    text = mou.read_text(encoding="utf-8")
    at = text.index("  parties:\n") + len("  parties:\n")
    mou.write_text(text[:at] + EXTRA_PARTIES + text[at:], encoding="utf-8")
    edit(mou, "    - Mobilität\n", "    - mobilitaet\n")  # a field id, as measures name fields


@pytest.mark.slow
@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
def test_five_parties_sign_under_their_own_names(edited_draft):
    # The draft of conftest.py's `edited_draft`: five parties and the other edits it names.
    run, out = edited_draft.run, edited_draft.pdf
    assert run.code == 0, run.stderr
    pages = pdflayout.document_pages(out)
    start = next(i for i, p in enumerate(pages) if "Unterzeichner" in [line.text for line in p.lines])
    block = [(p.number, line) for p in pages[start:start + 2] for line in p.lines]

    def place(text: str) -> tuple[int, int]:
        """(page, left edge) of the one line that starts with ``text``."""
        [where] = [(number, round(line.x0)) for number, line in block if line.text.startswith(text)]
        return where

    for party, people in SIGNERS.items():
        for person in people:
            assert place(person) == place(party), f"{person} does not stand under {party}"
    assert len({place(party)[1] for party in SIGNERS}) == 3  # rows of three: the second row in columns 1 and 2
    assert "1. Mobilität" in pages[start].text
