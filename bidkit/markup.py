"""Rich's console markup printed as plain text, without importing rich (15–20 ms of every run).

bidkit prints with rich markup (``[bold red]error:[/] …``); without colour the result is the
text between the tags. ``PlainConsole`` gives that text exactly as a rich ``Console`` without
colour does (a test compares them), and raises ``NeedsRich`` for the few things only rich
knows how to print — emoji codes such as ``:bus:``, tabs and control characters — so that the
caller prints with rich instead. ``escape`` is rich's ``rich.markup.escape``.
"""

from __future__ import annotations

import re

#: rich.markup.RE_TAGS: a tag, with the backslashes before it.
_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
#: What rich.markup.escape escapes.
_ESCAPABLE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
#: rich's emoji codes (rich._emoji_replace), tabs (expanded by rich) and the control codes rich strips.
_RICH_ONLY = re.compile(r":\S*?:|[\t\x07\x08\x0b\x0c\r]")


class NeedsRich(Exception):
    """The text holds something only rich prints exactly as rich does."""


def escape(markup: str) -> str:
    """Text that rich prints as it is (``rich.markup.escape``)."""
    markup = _ESCAPABLE.sub(lambda match: f"{match.group(1)}{match.group(1)}\\{match.group(2)}", markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


def plain(markup: str) -> str:
    """The text rich shows for ``markup``, without its styles (rich.markup.render)."""
    if "[" not in markup:
        return _checked(markup)
    parts, position = [], 0
    for match in _TAG.finditer(markup):
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            parts.append(_checked(markup[position:start].replace("\\[", "[")))
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            parts.append("\\" * backslashes)
            if escaped:
                parts.append(_checked(full[len(escapes):].replace("\\[", "[")))
                continue
        if tag.startswith("@") or tag.startswith("/@"):
            raise NeedsRich("a handler tag")
    if position < len(markup):
        parts.append(_checked(markup[position:].replace("\\[", "[")))
    return "".join(parts)


def _checked(text: str) -> str:
    if _RICH_ONLY.search(text):
        raise NeedsRich(text)
    return text


class PlainConsole:
    """The part of rich's Console that bidkit's reports use, printing plain text into a string."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def print(self, markup: str = "") -> None:
        self.parts.append(plain(markup) + "\n")

    def text(self) -> str:
        return "".join(self.parts)
