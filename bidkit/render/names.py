"""The bid's names stay whole: no hyphenation inside them, wherever the document prints them.

Running text is hyphenated (``hyphens: auto``), and German hyphenation would split
"Pader-born" or "Nieder-sachsen" like any other word. Every word of a name the bid holds — the
city's name and official name, the call, the partners and MoU parties, the funding sources —
and every web or e-mail address is wrapped in ``<span class="proper-name">`` (``hyphens: manual``
in templates/style.css) in the document's text; tags, attributes and the stylesheet are left as they are. A line may
still break between the words of a name, and at a hyphen the name has itself.

Where the templates print a name in an element of its own that is never hyphenated (a partner's
or funding source's name and the kind under it, a signatory and role, the supporters' register:
``_WHOLE_CLASSES``), its text is
left as it is: a span there would change nothing but cost a box per name, and WeasyPrint 70
breaks a word nested twice at the start of a line anywhere („Modellvorhabe|n“) instead of
wrapping at the space before it.
"""

from __future__ import annotations

import re

from markupsafe import escape

#: Shorter words are never hyphenated anyway.
MIN_LETTERS = 5
#: Text left as it is: not shown, never hyphenated (headings are `hyphens: manual`), or a link,
#: whose annotation must stay tagged as the Link itself (PDF/UA), not as a span inside it.
_SKIPPED = frozenset({"style", "script", "title", "a", "h1", "h2", "h3", "h4", "h5", "h6"})
#: Elements (by class) whose text is names the stylesheet never hyphenates (templates/style.css).
_WHOLE_CLASSES = frozenset({"entry-name", "source-name", "source-meta", "name", "role", "supporter-list"})
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)(?:[^>]*?\sclass=\"([^\"]*)\")?")


def name_words(bid, call) -> set[str]:
    """Capitalised words of five letters or more in the bid's names."""
    names = [bid.city.name, bid.city.official_name or "", call.name if call else "", bid.title]
    names += [partner.name for partner in bid.partners or []]
    names += [bid.party_name(party) for party in (bid.mou.parties if bid.mou else [])]
    if bid.budget:
        names += [source.name for year in bid.budget.years for source in year.funding or []]
    words = set()
    for name in names:
        for word in re.findall(r"[^\W\d_][\w]*", name):
            if len(word) >= MIN_LETTERS and word[0].isupper():
                words.add(word)
    return words


#: Web and e-mail addresses, file names with a path: a hyphen put into them at a line's end could
#: not be told from their own („statis-tik.niedersachsen.de“); they break (without one) only where
#: they must. Trailing punctuation is the sentence's. The text is escaped HTML: an address ends
#: before an entity (``&gt;`` of a written „>“, which cut as „&gt“ printed a stray „;“), and its own
#: „&“ is ``&amp;``.
_ADDRESS = r"(?:https?://|www\.)(?:[^\s<>\"&]|&amp;)*[^\s<>\".,;:!?)&]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


def keep_whole(html: str, words: set[str]) -> str:
    """``html`` with every whole-word occurrence of ``words`` and every web or e-mail address in
    its text wrapped in a proper-name span."""
    alternatives = sorted((re.escape(str(escape(word))) for word in words), key=len, reverse=True)
    names = rf"(?<![\w&-])(?:{'|'.join(alternatives)})(?![\w-])|" if alternatives else ""
    pattern = re.compile(names + _ADDRESS)
    parts = re.split(r"(<[^>]*>)", html)
    skipped: list[str] = []  # the skipped element's tag, once per level of that tag inside it
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            tag = _TAG.match(part)
            if not tag or part.endswith("/>"):
                continue
            closing, name, classes = tag.group(1), tag.group(2).lower(), tag.group(3) or ""
            if closing:
                if skipped and name == skipped[-1]:
                    skipped.pop()
            elif (skipped and name == skipped[-1]) or name in _SKIPPED or not _WHOLE_CLASSES.isdisjoint(classes.split()):
                skipped.append(name)
            continue
        if not skipped and part:
            parts[index] = pattern.sub(lambda match: f'<span class="proper-name">{match.group(0)}</span>', part)
    return "".join(parts)
