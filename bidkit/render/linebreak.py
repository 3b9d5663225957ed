"""One repair of WeasyPrint 70's line breaking: a line left holding only its first word.

WeasyPrint 70 INTERNALS: this module (and only this one) replaces
``weasyprint.layout.inline.split_first_line`` (WeasyPrint 70.0's
``weasyprint.text.line_break.split_first_line``, as the inline layout imported it) by a wrapper,
and calls ``weasyprint.text.line_break.create_layout`` and ``line_size``.
tests/test_fix9_linebreak.py fails loudly when any of them changes, and says when WeasyPrint
no longer needs the repair; WeasyPrint is pinned to 70.*.

The defect (rt9b E2): ``split_first_line`` gets the rest of a text box to fit into a line. When
Pango puts all of it on one line but its width *with the collapsible space that ends it* exceeds
the line — a text box that ends before an inline element (``… der Zukunft in <span>Wolfsburg</span>``:
the text ends in "in ") and just fits — step #3 takes the line for one that "cannot be split
earlier" and breaks after the FIRST word: hyphenated where hyphenation is on (a line holding
only „Nutzerin-“, the whole rest on the next), else the first word alone on its line. A
collapsible space at the end of a line hangs (CSS Text 3 §4.1.3): it never makes a line too wide.

The repair: when ``split_first_line`` breaks a text that ends in collapsible spaces, and the text
without them fits the width on one line, the whole text is the line — laid out again with an
unbounded width, as WeasyPrint lays out a text that fits. The inline layout then measures the
line without its trailing space, as it does for every line. A text too long to fit on one line
(more than ``_MAX_CHARS_PER_EM`` characters per em of the width) is not looked at again.
"""

from __future__ import annotations

import math

from weasyprint.layout import inline
from weasyprint.text import line_break

#: A text longer than this many characters per em of the line's width cannot fit on it (no font
#: here has letters narrower than an eighth of an em); WeasyPrint's own guess is four.
_MAX_CHARS_PER_EM = 8

_original = line_break.split_first_line


def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """WeasyPrint 70's ``split_first_line``, with a text that fits but for its trailing space kept whole."""
    result = _original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    if result[2] is None or not _hangs(text, style, max_width):
        return result
    body = text.rstrip(" ")
    layout = line_break.create_layout(body, style, context, max_width, justification_spacing)
    try:
        first_line, index = layout.get_first_line()
        fits = index is None and line_break.line_size(first_line, style)[0] <= max_width
    finally:
        layout.deactivate()
    if not fits:
        return result
    return _original(text, style, context, math.inf, justification_spacing, is_line_start, minimum)


def _hangs(text: str, style, max_width) -> bool:
    """Whether ``text`` ends in spaces that hang at a line's end and may be all that keeps it from fitting."""
    return (text.endswith(" ") and style["white_space"] in ("normal", "pre-line") and bool(style["font_size"])
            and max_width is not None and 0 < max_width < math.inf
            and len(text.rstrip(" ")) <= max_width / style["font_size"] * _MAX_CHARS_PER_EM)


def install() -> None:
    """Put the repaired function where WeasyPrint 70's inline layout calls it (once)."""
    inline.split_first_line = split_first_line


install()
