"""What makes `bidkit check` fast keeps its findings: a text repeated in the bid is judged once and
reported at each of its places (VAR002, TXT005), and the search's white space is the regular expressions'."""

from __future__ import annotations

import re
import sys

from conftest import edit, line_of

from bidkit.check import check_bid
from bidkit.variants import _squeezed


def test_squeezing_drops_the_white_space_a_regular_expression_calls_white_space():
    spaces = "".join(chr(code) for code in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(code)))
    assert len(spaces) > 20 and _squeezed(f"A{spaces}b\u00adC") == "abc"


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
