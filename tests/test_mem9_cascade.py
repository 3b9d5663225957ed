"""A bid's ``dd:empty`` (bidkit's own style.css) keeps the split at the cascade, where each of the
two layout processes styles and builds only its part (bidkit.render.parallel's ``_check_sheets``):
a selector may read what its subject holds, unless the subject may be <html> or <body>; what an
ancestor or a sibling holds is refused as before (a placeholder holds nothing)."""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET

import pytest

from test_parallel import EARLY, assert_split_equals_serial, layouts, render_cases, small_html  # noqa: F401 - fixture


FACTS = "<dl class='facts'><dt>Träger</dt><dd>Stadt</dd><dt>Frist</dt><dd></dd></dl>"


def test_a_subject_s_empty_keeps_the_split_at_the_cascade_and_its_output(layouts, tmp_path):
    """``dl.facts dd:empty::before`` (bidkit's own style.css) reads what a <dd> holds: the same in
    its own process as in the whole document. Split at the cascade, equal to one process."""
    html = small_html(EARLY + "dl.facts dd:empty::before { content: '–'; } dd:empty { color: #800; }") \
        .replace("<h2>Teil 1</h2>", "<h2>Teil 1</h2>" + FACTS).replace("<h2>Teil 6</h2>", "<h2>Teil 6</h2>" + FACTS)
    files, parallel = render_cases(layouts, tmp_path, {"": html})[""]
    assert parallel == {1: None, 2: "early"}
    assert_split_equals_serial(files, tmp_path)


def _sheet(*selectors: str):
    import cssselect2

    matcher = cssselect2.Matcher()
    for selector in selectors:
        for compiled in cssselect2.compile_selector_list(selector):
            matcher.add_selector(compiled, ([], None))
    return [(types.SimpleNamespace(matcher=matcher, page_rules=[]), "author", None)]


@pytest.mark.parametrize("selector, refused", [
    ("dl.facts dd:empty", False),  # the subject's own holdings, a <dd>
    (".cover-facts dd:empty::before", False),
    ("dd:has(strong)", False),  # what a <dd> holds: all in its process
    ("li.note:empty", False),  # keyed by a class <html> and <body> do not have
    ("section:empty + section h2", True),  # a sibling's holdings: a placeholder holds nothing
    ("section:has(table) ~ section", True),
    ("dd:has(> p:empty)", True),  # what an element below holds, read in a generator: refused too
    ("body:has(table)", True),  # <body> holds placeholders in each process
    ("html:has(.x) p", True),
    (".wide:empty", True),  # <body class="wide">
    ("#page:empty", True),  # <html id="page">
    (":empty::before", True),  # any element, <body> too
    ("[lang]:has(p)", True),
])
def test_what_a_selector_may_read_of_what_an_element_holds(selector, refused):
    from bidkit.render.parallel import Serial, _check_sheets

    html = ET.Element("html", {"id": "page"})
    body = ET.SubElement(html, "body", {"class": "main wide"})
    if refused:
        with pytest.raises(Serial, match="holds"):
            _check_sheets(_sheet(selector), (html, body))
    else:
        _check_sheets(_sheet(selector), (html, body))
