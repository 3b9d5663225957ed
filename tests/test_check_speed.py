"""What makes `bidkit check` fast keeps its findings: a text repeated in the bid is judged once and
reported at each of its places (VAR002, TXT005), and the search's white space is the regular expressions'."""

from __future__ import annotations

import re
import sys

from conftest import edit, line_of

from bidkit.check import check_bid
from bidkit.variants import squeezed


def test_squeezing_drops_the_white_space_a_regular_expression_calls_white_space():
    spaces = "".join(chr(code) for code in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(code)))
    assert len(spaces) > 20 and squeezed(f"A{spaces}b\u00adC") == "abc"


def test_a_repeated_text_is_reported_at_each_place_with_each_value_it_quotes(bid):
    """The contact's e-mail and phone in the titles of two measures: four VAR002 findings, each at its title."""
    edit(bid / "bid.yaml", "  email: digital@stadt.wolfsburg.example\n",
         "  email: digital@stadt.wolfsburg.example\n  phone: 05361 28-4711\n")
    quote = "Kontakt digital@stadt.wolfsburg.example, Tel. 05361 28-4711"
    edit(bid / "measures.yaml", 'title: "Digitalisierungsstrategie und Aktionsprogramm #WolfsburgDigital"', f'title: "{quote}"')
    edit(bid / "measures.yaml", "title: Digitales Rathaus (eGovernment)", f'title: "{quote}"')
    result, _ = check_bid(bid)
    found = [(f.path, f.location.line, f.message.split(" quotes ")[1].split(",")[0])
             for f in result.findings if f.rule == "VAR002"]
    first, second = (line_of(bid / "measures.yaml", quote, nth) for nth in (1, 2))
    assert found == [
        (("measures", 0, "title"), first, "contact.email"), (("measures", 0, "title"), first, "contact.phone"),
        (("measures", 1, "title"), second, "contact.email"), (("measures", 1, "title"), second, "contact.phone"),
    ]


def test_an_unprintable_character_in_a_repeated_text_is_reported_at_each_place(bid):
    edit(bid / "measures.yaml", 'title: "Digitalisierungsstrategie und Aktionsprogramm #WolfsburgDigital"',
         'title: "Plan\\u0007 mit \\uFFFD"')
    edit(bid / "measures.yaml", "title: Digitales Rathaus (eGovernment)", 'title: "Plan\\u0007 mit \\uFFFD"')
    result, _ = check_bid(bid)
    found = [(f.path, f.message) for f in result.findings if f.rule == "TXT005"]
    named = "U+0007 (control character), U+FFFD REPLACEMENT CHARACTER in measures"
    assert found == [(("measures", 0, "title"), f"{named}[0].title"), (("measures", 1, "title"), f"{named}[1].title")]


def test_the_joined_search_finds_every_placeholder_wherever_its_text_stands():
    """Each placeholder of bidkit/data/placeholders.yaml is found by the search over all texts joined
    (``_may_hold_placeholders``) when its text stands first, between others or last, beside texts that
    end or start with a letter, a hyphen, a bracket or white space: it may find more, never less."""
    from bidkit.rules.structure import PLACEHOLDERS_FILE, _may_hold_placeholders, find_placeholder
    from bidkit.yamlio import load_document

    neighbours = ["", "Text", "Wort-", "-Wort", "ü.", "[", "]", " ", "Stadt ", "Frage?", "e", "N.", "k."]
    examples = [text for entry in load_document(PLACEHOLDERS_FILE).data for text in entry["fires"]]
    assert len(examples) > 30
    for text in examples:
        assert find_placeholder(text), text
        for before in neighbours:
            for after in neighbours:
                texts = [before, text, after] if text not in (before, after) else [text]
                held = _may_hold_placeholders([((index,), value) for index, value in enumerate(texts)])
                assert text in held, (before, text, after)


def test_texts_without_a_placeholder_are_not_searched_alone():
    from bidkit.rules.structure import _may_hold_placeholders

    texts = [(("a",), "Die Stadt plant."), (("b",), "Kosten ???"), (("c",), "Die Stadt plant."), (("d",), "Ende")]
    assert _may_hold_placeholders(texts) == ["Kosten ???"]
