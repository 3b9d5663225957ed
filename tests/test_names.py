"""Names stay whole (bidkit/render/names.py): every word of the bid's names is marked so that
running text never hyphenates it; markup, attributes and the stylesheet stay as they were."""

from __future__ import annotations

from bidkit.loader import load_bid
from bidkit.render.names import keep_whole, name_words
from conftest import EXAMPLE, PADERBORN


def test_words_of_the_bids_names():
    wolfsburg = name_words(load_bid(EXAMPLE).bid, load_bid(EXAMPLE).call)
    assert {"Wolfsburg", "Volkswagen", "Niedersachsen", "Ostfalia"} <= wolfsburg
    assert not {w for w in wolfsburg if len(w) < 5 or not w[0].isupper()}
    paderborn = load_bid(PADERBORN)
    assert "Paderborn" in name_words(paderborn.bid, paderborn.call)


def test_only_whole_words_of_the_text_are_marked():
    html = ('<html><head><title>Paderborn</title><style>.Paderborn { color: red }</style></head>'
            '<body class="Paderborn"><p data-x="Paderborn">Die Stadt Paderborn, Paderborner Land und '
            'Paderborn-Neustadt; Unterpaderborn.</p><a href="#Paderborn">Paderborn</a></body></html>')
    marked = keep_whole(html, {"Paderborn"})
    span = '<span class="proper-name">Paderborn</span>'
    assert marked.count(span) == 1  # "Stadt Paderborn,"; the link text stays as it is
    assert '<title>Paderborn</title>' in marked and '.Paderborn { color: red }' in marked
    assert 'class="Paderborn"' in marked and 'data-x="Paderborn"' in marked and 'href="#Paderborn"' in marked
    assert "Paderborner Land" in marked and "Paderborn-Neustadt" in marked and "Unterpaderborn" in marked
    assert keep_whole(html, set()) == html


def test_names_with_markup_characters_are_matched_as_escaped():
    assert keep_whole("<p>Müller &amp; Söhne</p>", {"Söhne"}) == '<p>Müller &amp; <span class="proper-name">Söhne</span></p>'


def test_links_and_headings_are_left_as_they_are():
    """A span inside a link would tag the link's annotation as a Span (PDF/UA wants the Link)."""
    html = '<h2>Paderborn</h2><p><a href="#x">Stadt Paderborn</a> und Paderborn</p>'
    assert keep_whole(html, {"Paderborn"}) == ('<h2>Paderborn</h2><p><a href="#x">Stadt Paderborn</a> und '
                                              '<span class="proper-name">Paderborn</span></p>')
