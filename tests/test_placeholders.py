"""TXT001: placeholders left from a template are found, real words that contain them are not.

The list is data (bidkit/data/placeholders.yaml); each entry carries texts that must fire and
texts that must stay quiet, and every one of them is a test case here.
"""

from __future__ import annotations

import pytest

from bidkit.check import check_bid
from bidkit.rules.structure import PLACEHOLDERS_FILE, find_placeholder
from bidkit.yamlio import load_document

from conftest import edit, line_of

ENTRIES = load_document(PLACEHOLDERS_FILE).data
FIRES = [(entry["pattern"], text) for entry in ENTRIES for text in entry["fires"]]
QUIET = [(entry["pattern"], text) for entry in ENTRIES for text in entry.get("quiet", [])]


@pytest.mark.parametrize(("pattern", "text"), FIRES, ids=[t for _, t in FIRES])
def test_placeholder_fires(pattern, text):
    assert find_placeholder(text), f"{pattern} should find a placeholder in {text!r}"


@pytest.mark.parametrize(("pattern", "text"), QUIET, ids=[t for _, t in QUIET])
def test_real_text_stays_quiet(pattern, text):
    match = find_placeholder(text)
    assert match is None, f"{text!r} is no placeholder, but {match.group(0)!r} was found"


#: The placeholders issue 9 names, independent of the data file's own examples.
NAMED = ["N. N.", "NN", "[Hier Text einfügen]", "[Name]", "Platzhalter", "Musterstadt", "Mustermann",
         "k. A.", "XY", "…", "...", "TODO", "XXX", "TBD", "???", "FIXME", "Lorem ipsum"]


@pytest.mark.parametrize("placeholder", NAMED)
def test_each_named_placeholder_is_reported_at_its_line(bid, placeholder):
    edit(bid / "partners.yaml", "role: Regionaler Partner", f'role: "{placeholder}"')
    found = [f for f in check_bid(bid)[0].findings if f.rule == "TXT001"]
    assert len(found) == 1, [f.message for f in found]
    assert found[0].location.line == line_of(bid / "partners.yaml", f'role: "{placeholder}"')
    assert found[0].path[0] == "partners" and found[0].path[-1] == "role"


@pytest.mark.parametrize("text", [
    "Annahme", "Xylophon", "Ankunft", "Wind aus NNW", "Mustermannstraße 3", "Höhe 60 m ü. NN",
    "Details im [Portal der Stadt](https://www.wolfsburg.de)", "Gesamtkosten: 1.500 € (netto)",
    "Wolfsburg wird digitale Musterstadt", "Und so weiter …",
])
def test_real_words_in_a_bid_are_not_placeholders(bid, text):
    edit(bid / "partners.yaml", "role: Regionaler Partner", f'role: "{text}"')
    assert [f.message for f in check_bid(bid)[0].findings if f.rule == "TXT001"] == []


def test_placeholder_in_a_block_text_points_at_its_line(bid):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", "  Ansprechperson: N. N. Digitale Angebote richten sich")
    [finding] = [f for f in check_bid(bid)[0].findings if f.rule == "TXT001"]
    assert finding.message == "placeholder 'N. N.' in vision"
    assert finding.location.line == line_of(bid / "bid.yaml", "Ansprechperson: N. N.")
