"""Letters as a German text writes them in plain ASCII: one table for ids, names compared and
the forms a name is searched in."""

from __future__ import annotations

import re
import unicodedata

#: Umlauts spelt out (ä → ae), and the letters that have no Unicode decomposition to a base letter
#: (ł, ø, đ, ı, æ, œ, þ: NFKD keeps them whole, so dropping accents alone would lose them: „Łęknica“
#: must fold to „Leknica“, not „eknica“). Every other accent is dropped after NFKD (é → e).
GERMAN_ASCII = {
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "İ": "I", "ħ": "h", "Ħ": "H",
    "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
}
#: The table's letters, replaced by a pattern: str.translate looks every character of a text up,
#: a cost a check of a large bid pays for each of its thousands of texts.
_REPLACED = re.compile("[" + "".join(GERMAN_ASCII) + "]")


def plain_letters(text: str) -> str:
    """``text`` in plain letters: umlauts spelt out, the letters above replaced, accents dropped
    („Łęknica“ → „Leknica“, „Müßig“ → „Muessig“); case is kept. ASCII comes back as it is."""
    if text.isascii():
        return text
    text = _REPLACED.sub(lambda match: GERMAN_ASCII[match.group()], unicodedata.normalize("NFC", text))
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
