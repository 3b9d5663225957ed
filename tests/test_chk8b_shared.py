"""Issue 12 (chk8b): the shortcuts of the large bid's walks give what the direct computation gives.

Each test below computes a result the way the check now does (once per distinct word, with a
regular expression instead of ``str.translate``, shared through ``ctx.memo``) and the plain way,
on the example's texts and on texts made to break the shortcut (marks, ligatures, look-alikes,
letters around every kind of separator).
"""

from __future__ import annotations

import unicodedata

import pytest

from bidkit import variants
from bidkit.loader import load_bid
from bidkit.rules.registry import RuleContext
from conftest import EXAMPLE

#: Texts made to break a per-word shortcut: marks that NFD/NFKD move or split off, compatibility
#: characters that decompose into ASCII (ﬁ, ², ½, fullwidth letters), look-alikes, letters beside
#: every kind of ASCII separator, and non-ASCII separators.
HOSTILE = [
    "Schröder-Nguyễn", "Ｆｒａｕ Ｄｕｂｏｉｓ", "Hüseyin Çelik", "ﬁnanzierung ﬂächen", "m² ½ ³⁄₄", "Yıldırım Łukasz Øre Đorđe",
    "O’Sullivan O`Brien d´Arc", "Kai\u2011Uwe Schröder\u2013Nguyen", "Straße STRASSE ẞ", "e\u0301e\u0301 a\u0308b\u0323\u0308",
    "x\u0308_y\u0301.z\u0300@w\u0303", "Ǆemal ǅ ǆ", "İstanbul ıi", "ᾨδή ΣΊΣΥΦΟΣ ς", "\u00ad\u200bver\u00adsteckt\u200b",
    "a1b2c3 ä4ö5ü_ß", "naïve café résumé", "Ⅻ ⅻ ℌ ℍ ﬀ ﬃ", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "漢字かなカナ",
    "tab\there\nnew\u00a0line\u2028sep", *(f"a\u0308{space}\u0345b\u0301{space}ǅ" for space in map(chr, range(0x3001)) if space.isspace()),
    "", "x", "'''", "ǰ̌", "A\u030a Å Å", "ﬆ ﬅ", "ŉ", "ΐ ΰ", "a\u0345 ᾳ",
]


def _context(bid_dir) -> RuleContext:
    loaded = load_bid(bid_dir)
    return RuleContext(loaded.checked, loaded.call, loaded.bid_dir, frozenset(loaded.broken), frozenset(loaded.partial))


@pytest.fixture(scope="module")
def example_texts() -> list[str]:
    return [text for _, text in _context(EXAMPLE).texts]


def test_text_words_are_the_name_words_of_the_joined_texts(example_texts):
    for texts in (example_texts, HOSTILE, example_texts + HOSTILE, [" ".join(HOSTILE)], ["-".join(HOSTILE)]):
        assert variants.text_words(texts) == variants.name_words("\0".join(texts))
    for text in HOSTILE:  # each alone, and each beside each
        assert variants.text_words([text]) == variants.name_words(text)
        for other in HOSTILE:
            assert variants.text_words([text + other]) == variants.name_words(text + other)


def _plain_folded(text: str) -> str:
    """``variants._folded`` as it was written, with str.translate."""
    text = text.casefold().translate(str.maketrans(variants._LOOK_ALIKES))
    return text if text.isascii() else variants._MARKS.sub("", unicodedata.normalize("NFKD", text))


def _plain_ascii(text: str) -> str:
    """``variants._ascii`` as it was written, with str.translate and without the ASCII shortcut."""
    from bidkit.letters import GERMAN_ASCII

    text = unicodedata.normalize("NFC", text).translate(str.maketrans(GERMAN_ASCII))
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def test_translating_by_pattern_is_str_translate(example_texts):
    from bidkit.letters import GERMAN_ASCII

    every = "".join(variants._LOOK_ALIKES) + "".join(GERMAN_ASCII)
    for text in [*example_texts, *HOSTILE, every, every * 3 + "ÄÖÜäöüß"]:
        assert variants._folded(text) == _plain_folded(text)
        assert variants._ascii(text) == _plain_ascii(text)


def test_a_look_ahead_of_first_letters_finds_what_the_pattern_finds(example_texts):
    """TXT001's search over all texts tries a case-insensitive pattern only where one of its first letters
    stands: no other character is t, f or x to ``re`` in any case, so it finds exactly what the pattern finds."""
    import re

    from bidkit.rules import structure

    for pattern, ahead in structure._STARTS.items():
        assert pattern in structure._PATTERNS
        letters = set(re.fullmatch(r"\(\?=\[(\w+)\]\)", ahead).group(1))
        first = re.compile("(?i:[" + "".join(letters) + "])")
        assert all(chr(code) in letters for code in range(0x110000) if first.fullmatch(chr(code)))
        plain, searched = re.compile(pattern, re.MULTILINE), re.compile(ahead + pattern, re.MULTILINE)
        texts = [*example_texts, *HOSTILE, "TODO tbd Fixme xXx ToDo-Liste XXXX-Projekt ǅ ſ K ﬀ", "Ｔｏｄｏ ᵀᴼᴰᴼ"]
        joined = "\n".join(texts)
        assert [m.span() for m in searched.finditer(joined)] == [m.span() for m in plain.finditer(joined)]
        assert any(searched.search(text) for text in texts)


def test_the_own_share_words_start_where_their_look_ahead_lets_them(example_texts):
    """BUD015 and RES004 search for the own share's words only where an e or a k (in any case, as ``re``
    compares them) stands: the same matches as the words alone."""
    import re

    from bidkit.rules.resolution import OWN_SHARE_WORDS

    ahead, words = re.fullmatch(r"\(\?=\[([^\]]+)\]\)\(\?:(.+)\)", OWN_SHARE_WORDS.pattern).groups()
    letters = set(ahead.encode().decode("unicode_escape"))
    first = re.compile("(?i:[ek])")
    assert {chr(code) for code in range(0x110000) if first.fullmatch(chr(code))} == letters
    plain = re.compile(words, re.IGNORECASE)
    texts = [*example_texts, *HOSTILE, "EIGENANTEIL eigenmittel \u212aofinanzierung Kofinanzierungs Eigenleistung"]
    for text in texts:
        assert [m.span() for m in OWN_SHARE_WORDS.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert OWN_SHARE_WORDS.search("\u212aofinanzierung") and OWN_SHARE_WORDS.search("Der Eigenanteil")
