"""Rules on a theme's templates: they must render, say what bidkit's templates say and keep the
structure PDF/UA-1 judges (THM005, THM006, THM007).

Only when the theme replaces one of bidkit's templates: the document is rendered with the
theme's templates and with bidkit's from one context (bidkit.render.themetext), for the full bid
and each variant it defines, as a final build renders it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from bidkit.findings import Location, Severity
from bidkit.models import Bid
from bidkit.paths import BidFileError, bid_file, templates_dir
from bidkit.rules.registry import RuleContext, Violation, rule
from bidkit.rules.theme import named_data_files, template_problems

#: The context holds every section: the rules need the whole bid.
_WHOLE_BID = tuple(Bid.model_fields)
_FIELD = ("theme", "templates")


def _renders(ctx: RuleContext):
    """(the theme's templates that replace bidkit's, [(variant, themed HTML, plain HTML)] or the
    TemplateFailure that stopped rendering); kept on ``ctx`` for both rules."""
    kept = ctx.__dict__.get("_theme_renders")
    if kept is None:
        kept = ctx.__dict__["_theme_renders"] = _render_both(ctx)
    return kept


def _render_both(ctx: RuleContext):
    theme = ctx.bid.theme
    if not theme or not theme.templates:
        return [], []
    try:
        folder = bid_file(ctx.bid_dir, theme.templates, folder=True)
    except BidFileError:
        return [], []  # THM001
    from bidkit.render.theme import templates_folder_problem
    from bidkit.render.themetext import overrides_in_use

    used = overrides_in_use(folder, templates_dir())
    if (not used or templates_folder_problem(ctx.bid_dir, folder, named_data_files(ctx))
            or next(template_problems(ctx.bid_dir, folder), None) is not None):  # THM001 says why
        return [], []
    from bidkit.render.build import document_context
    from bidkit.render.context import AnnexEntry
    from bidkit.render.html import TemplateFailure, render_html
    from bidkit.variants import defined, kept_annexes

    day = ctx.bid.reference_date(ctx.call)
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)  # the same in both renderings
    results = []
    for name, variant in [(None, None), *defined(ctx.bid).items()]:
        # Annexes as listed (pages unknown without reading them: the same in both renderings).
        entries = [AnnexEntry(a.number, a.title, a.file, a.description, None) for a in kept_annexes(ctx.bid, variant)]
        context = document_context(ctx.bid, ctx.call, ctx.bid_dir, draft=False, annex_list=entries, moment=moment,
                                   document_variant=variant)
        try:
            themed = render_html(context, templates_dir(), bid_dir=ctx.bid_dir, overrides=folder)
            plain = render_html(context, templates_dir(), bid_dir=ctx.bid_dir)
        except TemplateFailure as failure:
            return used, failure
        results.append((name, themed, plain))
    return used, results


@rule(
    "THM005", Severity.ERROR, "Theme template cannot be rendered",
    hint="Fix the template at that line (README, Theme; the context templates get is in bidkit/render/context.py).",
    explanation="""
A theme's templates (`theme.templates`) replace bidkit's of the same name and are rendered in
Jinja's sandbox with the document's context (bidkit/render/context.py). `check` renders them as
the final build does, so that a template that does not compile, names a variable the context
does not have, calls something the sandbox refuses, or goes beyond the rendering bounds (time,
size) is found before the build: the finding names the template and its line.
""",
    reads=_WHOLE_BID,
)
def theme_template_fails(ctx: RuleContext) -> Iterator[Violation]:
    _used, results = _renders(ctx)
    if isinstance(results, list):
        return
    where = ctx.bid_dir / results.where
    yield Violation(_FIELD, f"the theme's templates cannot be rendered: {results}",
                    location=Location(where, results.line) if results.line and where.is_file() else None)


@rule(
    "THM006", Severity.ERROR, "Theme template changes what the document says",
    hint="Let the template print the context's values with bidkit's filters, as bidkit's own template does; "
         "put pictures and CSS into `theme:` (logo, stylesheet).",
    explanation="""
A theme changes how the document looks, never what it says. A template of the theme replaces
bidkit's and could print anything: an own share of 35 % where the plan has 8 %, a total with one
digit changed, a budget without its lines. `check` renders the document with the theme's
templates and with bidkit's, from the same data, for the full bid and each variant, and compares:

- every number the theme's text prints must be one bidkit's text prints, as often (amounts, shares,
  dates, counts, as formatted), and every number bidkit prints must be in the theme's text;
- a table's figure is what its row and column say: each cell with a number must stand under the
  same row and column heads (and table) as in bidkit's tables — row labels taken in another order
  keep every number's count but print the Bund's money as the city's own;
- the figures of a sentence keep their order: two numbers bidkit prints in one paragraph only as
  „a … b“ may not be printed as „b … a“ (the own share's amount and the total swapped);
- the theme's templates may not add pictures, embedded content or linked stylesheets of their
  own (the logo and the stylesheet are given in `theme:`);
- CSS written into the templates (`<style>`, `style="…"`) is judged like the theme's stylesheet
  (THM004);
- a number stands only in elements that print text as it is (`span`, `strong`, `em`, `a`, blocks
  and tables) unless bidkit's HTML has it so: HTML strikes out (`<del>`, `<s>`), shrinks (`<sup>`,
  `<small>`, `<font>`), hides (`hidden`, `<template>`, `<details>`, `<noscript>`) and reorders
  digits (`<bdo>`, `dir`) without a line of CSS; words struck out or hidden so („in Aussicht gestellt“) too.

A number the theme's templates write as a literal is located in them; otherwise the finding points
at `theme.templates`. Words outside the tables' heads are not compared (a theme may reword and
reorder its paragraphs), nor numbers written out in words: review a theme's templates like any
text you hand in.
""",
    reads=_WHOLE_BID,
)
def theme_template_changes_text(ctx: RuleContext) -> Iterator[Violation]:
    used, results = _renders(ctx)
    if not results or not isinstance(results, list):
        return  # no template replaced (nothing rendered), or THM005
    from bidkit.render.themetext import MAX_REPORTED, compare, locate

    reported: set[str] = set()
    for name, themed, plain in results:
        changes = [c for c in compare(themed, plain, ctx.bid_dir) if c.message not in reported]
        for change in changes[:MAX_REPORTED]:
            reported.add(change.message)
            where = f" (variant '{name}')" if name else ""
            place = locate(change.needle, ctx.bid_dir, used)
            yield Violation(_FIELD, change.message + where,
                            location=Location(place[0], place[1], place[2]) if place else None)
        if len(changes) > MAX_REPORTED:
            yield Violation(_FIELD, f"and {len(changes) - MAX_REPORTED} more changes of the theme's templates"
                                    f"{f' (variant {name!r})' if name else ''}")


#: Elements that, as a child of ``li``, WeasyPrint 70 tags beside the item's label instead of in
#: its body (PDF/UA-1: an LI holds only Lbl and LBody).
_LI_BLOCKS = frozenset({"p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "dl", "pre",
                        "section", "aside", "address", "header", "footer", "nav", "hr", "form"})


class _Structure:
    """What of an HTML document's structure PDF/UA-1 judges and a template decides: heading levels
    skipped (h2 → h5), list items holding a block (``<li><p>``), tables without a header cell."""

    def __init__(self, html: str) -> None:
        from html.parser import HTMLParser

        self.skips: Counter[tuple[int, int]] = Counter()  # (level before, level) of a heading that skips
        self.item_blocks: Counter[str] = Counter()  # block element directly in an li
        self.tables_without_th = 0
        level, stack, tables = 0, [], []
        structure = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                nonlocal level
                if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                    new = int(tag[1])
                    if new > level + 1 and level:
                        structure.skips[(level, new)] += 1
                    level = new
                if stack and stack[-1] == "li" and tag in _LI_BLOCKS:
                    structure.item_blocks[tag] += 1
                if tag == "table":
                    tables.append(False)
                elif tag == "th" and tables:
                    tables[-1] = True
                if tag not in _VOID:
                    stack.append(tag)

            def handle_endtag(self, tag):
                if tag == "table" and tables and not tables.pop():
                    structure.tables_without_th += 1
                if tag in stack:
                    while stack and stack.pop() != tag:
                        pass

        parser = Parser(convert_charrefs=True)
        parser.feed(html)
        parser.close()

    def added(self, plain: _Structure) -> list[tuple[str, str]]:
        """(message, what to look for in the theme's templates) of each kind the theme's HTML has more of."""
        found = []
        for (before, level), count in sorted(self.skips.items()):
            if count > plain.skips.get((before, level), 0):
                found.append((f"a heading h{level} follows an h{before}, skipping a level: PDF/UA-1 requires heading "
                              f"levels without gaps (screen readers navigate by them); use h{before + 1}, and CSS "
                              f"(`theme.stylesheet`) for a smaller look", f"<h{level}"))
        for tag, count in sorted(self.item_blocks.items()):
            if count > plain.item_blocks.get(tag, 0):
                found.append((f"a list item holds a <{tag}>: it is tagged beside the item's label, not in its body, "
                              f"which PDF/UA-1 does not allow (an LI holds only Lbl and LBody); put the text into the "
                              f"<li> itself", "<li"))
        if self.tables_without_th > plain.tables_without_th:
            found.append(("a table has no header cell (<th>): PDF/UA-1 needs the heads of a data table tagged as "
                          "such; make the first row's (or column's) cells <th>", "<table"))
        return found


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@rule(
    "THM007", Severity.ERROR, "Theme template breaks the PDF/UA structure",
    hint="Keep bidkit's structure in the template (heading levels, list items, table heads) and change the look "
         "with the theme's stylesheet.",
    explanation="""
The PDF claims PDF/UA-1 (accessible PDF): its structure — headings, lists, tables — is tagged from
the HTML the templates make. A theme's template can break what PDF/UA-1 requires while the
document reads the same: a heading that skips a level (an `<h5>` under an `<h2>`, chosen for its
smaller look), a list item holding a paragraph or another block (`<li><p>…</p></li>`: tagged beside
the item's label), a table without header cells (`<th>`). `check` renders the document with the
theme's templates and with bidkit's, for the full bid and each variant, and reports each such
structure the theme's HTML has more often than bidkit's, located at the first place the theme's
templates write the element.
""",
    reads=_WHOLE_BID,
)
def theme_template_breaks_structure(ctx: RuleContext) -> Iterator[Violation]:
    used, results = _renders(ctx)
    if not results or not isinstance(results, list):
        return
    from bidkit.render.themetext import locate

    reported: set[str] = set()
    for name, themed, plain in results:
        for message, needle in _Structure(themed).added(_Structure(plain)):
            if message in reported:
                continue
            reported.add(message)
            place = locate(needle, ctx.bid_dir, used)
            where = f" (variant '{name}')" if name else ""
            yield Violation(_FIELD, message + where, location=Location(place[0], place[1], place[2]) if place else None)
