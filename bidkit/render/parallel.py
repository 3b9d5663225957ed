"""Parallel layout: two processes lay out the two halves of the document; pikepdf merges them.

WeasyPrint 70 INTERNALS: this module (and only this one) reaches into WeasyPrint 70.0:
``weasyprint.css.StyleFor`` (called by ``get_all_computed_styles`` with the parsed HTML and its
parsed style sheets; the sheets' cssselect2 matchers), ``weasyprint.document.build_formatting_structure``
and ``weasyprint.formatting_structure.build.element_to_box`` (its ``state``: quote depth,
counters, their scopes), ``weasyprint.layout.make_all_pages`` / ``make_margin_boxes`` (replaced
for the time of a render by the hooks below), ``LayoutContext.page_maker`` (entries
``(resume_at, next_page, right_page, page_state, remake_state)``), ``context.target_collector``
(``target_lookup_items``, ``counter_lookup_items``, ``cache_target_page_counters``; a
``TargetLookupItem``'s ``target_box``), ``context.string_set`` and ``context.style_for._sheets``
(the @page selectors). tests/test_parallel.py fails loudly when any of them changes; WeasyPrint
is pinned to 70.*. (The wait of the first part's write for the second process, at its last page
painted, is bidkit.render.pdf's ``after_painting``: tests/test_mem9_stagger.py.)

How: the split is a child of ``<body>`` that starts on a forced page break, chosen so that the
two parts are about as large (in HTML elements: both processes choose alike); the second part
lays out the cover again (page 1, so ``:first`` and "page > 1" stay as in a single build).

- Early, at the cascade (``_Part.styles``): with the HTML parsed, this process forks; each
  process replaces the other part's children of ``<body>`` by placeholders (tag and attributes,
  nothing inside: selectors see the same siblings), styles only its part, drops the
  placeholders and builds and paginates only its part, so styles, boxes and pages are made
  once, half in each process. The first part's target-counters into the second part stand in
  (``_Elsewhere``) until the second part's page numbers arrive. Refused before the fork (then
  the late split below decides): selectors of the bid's sheets that read what an element holds
  (``:has``, ``:empty``) — but for what a selector's subject holds, when it is neither <html>
  nor <body> (``dd:empty``) —, fixed or running boxes, footnotes, a counter of ``<html>``,
  ``<body>`` or its children, a bottom margin, border or padding of ``<html>`` or ``<body>``, text
  directly in ``<body>`` — read from the style sheets and from the styles of those elements,
  computed on a skeleton of them alone. Checked after it, and else laid out again in one
  process (``_Redo``): the box builder's counters and quotes where the parts meet, the second
  part's page-start state against the first part's end, page-based counters or targets of the
  first part in the second part, a target's text or non-page counter across the parts.
- Late, at the pagination (``_Part.all_pages``): this process builds the box tree once and forks
  a child that shares it copy-on-write (frozen from the garbage collector); the first part
  stops its pagination at the split, the child lays out the cover, then jumps to the split; its
  page-start state is checked against the first part's real one, else this process lays out
  the rest itself.

Then, in both: the table of contents' target counters into the second part get the second
part's page numbers (shifted by the first part's page count) through WeasyPrint's own target
collector before the TOC page is made again; margin boxes are made with the serial page numbers
("Seite X von Y") and named strings; each part is written by WeasyPrint, at the same time,
but the first part's fonts, structure tree and objects — the end of its write, its peak of
memory — only once the second process has written its part and ended (the two peaks would add
up: ~190 + ~180 MB at 100 pages); ``merge`` (bidkit.render.merge: pikepdf is loaded only then)
joins them (pages, structure tree, parent tree, named destinations, bookmarks, links, and each
font's two subsets as one font), and bidkit.render.final finishes the file as for a single build.

Anything neither can reproduce exactly (page-based counters in the second part's content, a
count of pages in the content, :left/:right/:nth or named pages, footnotes, running elements, a
split that is no page start) makes the build serial. Unless ``--jobs`` is given, the split is
made only when it pays (``pays``): the parts' sizes against the measured fixed cost of a split,
at the idle cores measured since the build started (bidkit.render.cores); on one core or a busy
machine the layout stays serial.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import os
import pickle
import signal
import sys
import tempfile
import time
from collections import defaultdict

import weasyprint.css as wcss
import weasyprint.document as wdocument
import weasyprint.formatting_structure.build as wbuild
import weasyprint.layout as wlayout

from bidkit.render.cores import IdleMeter, processes, usable_cores
from bidkit.render.staged import Conn, bookmark_starts, conn_pair

#: The fixed cost of a split, in HTML elements laid out: the fork, the second process's cover and
#: its page-start state, a second file written, the pikepdf merge (fonts joined with fontTools).
#: Measured in CPU seconds on a 2-core machine (benchmarks/bench_split_cost.py): 0.35–0.6 s,
#: against 4–7 ms per element laid out and written (the example, text-only test documents):
#: 55–150 elements; a document of two 37-element parts (7 A5 pages) gains nothing, of two
#: 77-element parts ~12 %, the example (318 + 324 elements) ~30 % on the first part's path.
#: Taken at the upper end, since an element of a cost table weighs more than one of running text.
SPLIT_COST_ELEMENTS = 150

#: Below this share of an idle core the second process would take longer than its part does here.
MIN_IDLE = 0.6


LOG = logging.getLogger("bidkit.parallel")


class Serial(Exception):
    """The document cannot be split exactly, or splitting does not pay; lay it out in one process."""


def choose_jobs(jobs: int | None) -> int:
    """The number of processes: ``jobs`` when given (1 = serial; the document is split in two
    parts at most), else 2 when this process may use two cores (whether the split pays is
    decided when the box tree is built: ``pays``), else 1."""
    if jobs is not None:
        return processes(jobs)
    return 2 if usable_cores() >= 2 else 1


def pays(first: int, second: int, idle: float) -> bool:
    """Whether two processes finish sooner than one: ``first`` and ``second`` the parts' HTML
    elements (the second with the cover it lays out again), ``idle`` the idle cores measured
    (bidkit.render.cores.IdleMeter; the second process runs at that share of a core)."""
    share = min(idle, 1.0)
    if share < MIN_IDLE:
        return False
    return max(first, second / share) + SPLIT_COST_ELEMENTS < first + second


# --- the split --------------------------------------------------------------------------------------------------------

def _body(root_box):
    for index, child in enumerate(root_box.children):
        if child.element_tag == "body":
            return index, child
    raise Serial("no body box")


def _forced(previous, box) -> bool:
    return box.style["break_before"] == "page" or previous.style["break_after"] == "page"


def _elements(child, body) -> list:
    """The HTML elements of one of body's boxes (an anonymous box's are its boxes' elements)."""
    if child.element is not None and child.element is not body.element:
        return list(child.element.iter())
    return [box.element for box in child.descendants()]


def choose_split(root_box) -> tuple[dict, int, set[int], tuple[int, int]]:
    """(the skip stack of the split, its index among body's children, ids of the HTML elements
    after it, the parts' sizes in elements: the second with the cover it lays out again). The
    elements weigh the parts (both processes choose alike)."""
    body_index, body = _body(root_box)
    children = body.children
    elements = [_elements(child, body) for child in children]
    total = sum(len(found) for found in elements)
    best, best_gap, before = None, None, 0
    for index, child in enumerate(children):
        if index >= 2 and _forced(children[index - 1], child):
            gap = abs(total - 2 * before)
            if best_gap is None or gap < best_gap:
                best, best_gap = index, gap
        before += len(elements[index])
    if best is None:
        raise Serial("no forced page break to split at")
    after = {id(element) for found in elements[best:] for element in found}
    first = sum(len(found) for found in elements[:best])
    return {body_index: {best: None}}, best, after, (first, total - first + len(elements[0]))


def _check_page_rules(sheets) -> None:
    for sheet, _origin, _specificity in sheets:
        for _rule, selectors, _declarations in sheet.page_rules:
            for _specificity, _pseudo, selector in selectors:
                if selector.side is not None or selector.blank is not None or selector.index is not None \
                        or selector.name is not None:
                    raise Serial("@page rule for left/right/blank/nth or named pages")


def _check_splittable(context, after: set[int]) -> None:
    """Refuse what the split cannot reproduce exactly (both processes decide alike)."""
    _check_page_rules(context.style_for._sheets)
    if context.footnotes:
        raise Serial("footnotes")
    # Page-based counters before the split count as in a single build (the first part's pages
    # are the document's first pages); after it they would count from the wrong page.
    for (box, _token), item in context.target_collector.counter_lookup_items.items():
        if id(box.element) in after:
            raise Serial("page-based counters after the split")
        if "pages" in item.missing_counters or any("pages" in names for names in item.missing_target_counters.values()):
            raise Serial("a count of pages in the content")


# --- the early split: each process styles, builds and lays out only its part ------------------
#
# At the cascade (``weasyprint.css.StyleFor``, called with the parsed HTML and its parsed style
# sheets) this process forks. Each process replaces the other part's children of <body> by
# placeholders (the same tag and attributes, nothing inside), so every selector matches its own
# elements as in the whole document (sibling combinators, :nth-child, :first-child … see the
# same siblings), styles only its part, then drops the placeholders before the box tree is built.
# The second part keeps the cover (page 1). What could differ is refused before the fork (from
# the style sheets and the styles of <html>, <body> and body's children, computed on a skeleton
# of those elements alone) or checked after it (the counters and quotes where the parts meet,
# page-based counters, targets across the parts); a check that fails after the fork lays the
# document out again in one process.

#: What a selector's compiled test reads below an element or after it (cssselect2 0.10's
#: ``:has()`` and ``:empty``): a placeholder holds nothing, so such a test could see it differently.
_HOLDS_READS = frozenset({"etree_children", "iter_children", "iter_subtree", "iter_next_siblings"})

_SAFE_POSITIONS = frozenset({"static", "relative", "absolute", "sticky"})


class _Redo(BaseException):
    """The parts turned out not to be exact after the fork: lay the document out in one process
    (a BaseException: WeasyPrint's broad excepts let it pass)."""


def _reads(code) -> set[str]:
    """The attribute and global names a compiled selector test uses (nested generators included)."""
    return set(code.co_names) | _nested_reads(code)


def _nested_reads(code) -> set[str]:
    """The names the test's nested generators use: cssselect2 0.10 compiles a combinator
    (``a b``, ``a > b``, ``a + b``, ``a ~ b``) into a generator that rebinds ``el`` to an
    ancestor or a sibling, and what ``:has()`` tests into one over what the subject holds; the
    lambda's own code reads the subject ``el`` alone (its ``:empty``; the elements its ``:has()``
    looks through)."""
    names = set()
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _reads(const)
    return names


def _selectors(matcher):
    """(what the selector's subject is keyed by: ("id" | "class" | "name", key) or None, the
    matcher's entry) of each selector."""
    for kind, group in (("id", matcher.id_selectors), ("class", matcher.class_selectors),
                        ("name", matcher.lower_local_name_selectors), (None, matcher.namespace_selectors)):
        for key, entries in group.items():
            for entry in entries:
                yield ((kind, key) if kind else None), entry
    for entry in (*matcher.lang_attr_selectors, *matcher.other_selectors):
        yield None, entry


def _may_be(subject, element) -> bool:
    """Whether a selector keyed by ``subject`` (``_selectors``) may match ``element`` (by its key alone)."""
    if subject is None:
        return True
    kind, key = subject
    if kind == "id":
        return element.get("id") == key
    if kind == "class":
        return key.lower() in (element.get("class") or "").lower().split()
    return element.tag.lower() == key.lower()


def _check_sheets(sheets, tops) -> None:
    """Refuse, from the style sheets alone, what parts styled apart cannot reproduce. ``tops``:
    <html> and <body>, which hold other elements in each process than in the whole document."""
    _check_page_rules(sheets)
    for sheet, origin, _specificity in sheets:
        for subject, (test, _specificity, _order, _pseudo, (declarations, _layer)) in _selectors(sheet.matcher):
            # WeasyPrint 70's own sheet has two such rules (``select:not(:has(option[selected]))
            # option:first-of-type`` and ``textarea:empty``): they style the element itself or
            # what it holds, never a sibling or <body>, and a placeholder's own style is not used.
            # A bid's sheet may read what the selector's subject holds (``dd:empty``), not what an
            # ancestor or a sibling holds (a placeholder among body's children), and only of a
            # subject that is neither <html> nor <body>: every other element holds in its own
            # process what it holds in the whole document, and a placeholder's style is not used.
            if origin != "user agent" and _reads(test.__code__) & _HOLDS_READS and (
                    _nested_reads(test.__code__) & _HOLDS_READS or any(_may_be(subject, top) for top in tops)):
                raise Serial("a selector reads what an element holds (:has, :empty)")
            for name, values, _importance in declarations:
                if name == "position" and values not in _SAFE_POSITIONS:
                    raise Serial(f"position {values!r} (fixed boxes repeat on every page, running elements)")
                if name == "float" and values not in ("left", "right", "none"):
                    raise Serial(f"float {values!r}")


def _shallow(element):
    """A placeholder: the element's tag and attributes, nothing inside (a comment is itself)."""
    if not isinstance(element.tag, str):
        return element
    placeholder = element.makeelement(element.tag, dict(element.attrib))
    placeholder.tail = element.tail
    return placeholder


def _counts(style) -> bool:
    """Whether an element's style resets, sets or increments a counter (a list item counts)."""
    increment = style["counter_increment"]
    if increment == "auto":
        increment = "list-item" in style["display"]
    return bool(style["counter_reset"] or style["counter_set"] or increment)


def _zero(value) -> bool:
    return getattr(value, "value", value) == 0


def plan_early(html, sheets, presentational_hints, font_config, style_for) -> tuple[int, int, tuple[int, int]]:
    """(the index among body's children of the cover and of the second part's start, the parts'
    sizes in elements: the second with the cover), or Serial. ``style_for`` is WeasyPrint's StyleFor: the
    styles of <html>, <body> and body's children are computed on a skeleton of these elements
    alone, which matches every selector as the whole document does (_check_sheets)."""
    from weasyprint.css.targets import TargetCollector
    import cssselect2

    root = html.etree_element
    body = root.find("body")
    if body is None:
        raise Serial("no body")
    _check_sheets(sheets, (root, body))
    skeleton = _shallow(root)
    copies = []
    for child in root:
        copied = _shallow(child)
        skeleton.append(copied)
        if child is body:
            copies = [_shallow(element) for element in body]
            copied.extend(copies)
    shallow = type("Skeleton", (), {})()
    shallow.etree_element, shallow.base_url = skeleton, html.base_url
    shallow.wrapper_element = cssselect2.ElementWrapper.from_html_root(skeleton)
    styles = style_for(shallow, sheets, presentational_hints, font_config, TargetCollector())
    for element in (skeleton, skeleton.find("body")):
        style = styles(element)
        if _counts(style):
            raise Serial(f"<{element.tag}> counts a counter")
        if not (_zero(style["padding_bottom"]) and _zero(style["border_bottom_width"]) and _zero(style["margin_bottom"])):
            raise Serial(f"<{element.tag}> has a bottom margin, border or padding (it would end the first part)")
    if (body.text or "").strip() or any((child.tail or "").strip() for child in body):
        raise Serial("text directly in <body>")
    shown = []  # (index among body's children, style) of the children that make boxes
    for index, element in enumerate(copies):
        if not isinstance(element.tag, str):
            continue
        style = styles(element)
        if _counts(style):
            raise Serial(f"a child of <body> ({element.tag}) counts a counter")
        if style["display"] == ("none",):
            continue
        if style["display"][0] != "block" or "contents" in style["display"]:  # each must be one of body's boxes
            raise Serial(f"a child of <body> ({element.tag}) is displayed {' '.join(style['display'])}")
        shown.append((index, style))
    if len(shown) < 3 or not _forced_styles(shown[0][1], shown[1][1]):
        raise Serial("no cover on a page of its own")
    sizes = [len(list(child.iter())) if isinstance(child.tag, str) else 0 for child in body]
    total = sum(sizes)
    best, best_gap = None, None
    for (_index, previous), (index, style) in zip(shown[1:], shown[2:]):
        if _forced_styles(previous, style):
            gap = abs(total - 2 * sum(sizes[:index]))
            if best_gap is None or gap < best_gap:
                best, best_gap = index, gap
    if best is None:
        raise Serial("no forced page break to split at")
    first = sum(sizes[:best])
    return shown[0][0], best, (first, total - first + sizes[shown[0][0]])


def _forced_styles(previous, style) -> bool:
    return style["break_before"] == "page" or previous["break_after"] == "page"


def _anchor_names(elements) -> set[str]:
    """The anchors WeasyPrint 70 makes of these elements' subtrees (``id``, and ``name`` of <a>)."""
    names = set()
    for top in elements:
        if not isinstance(top.tag, str):
            continue
        for element in top.iter():
            if isinstance(element.tag, str):
                if element.get("id"):
                    names.add(element.get("id"))
                if element.tag == "a" and element.get("name"):
                    names.add(element.get("name"))
    return names


class _Elsewhere:
    """The box of a target laid out by the other process: its page counters come from there
    (``_Part._inject``); any other counter or its text would be a guess, and is refused."""

    cached_counter_values: dict = {}

    def __init__(self, part):
        self.part = part

    def extract_text(self, _style):
        self.part.refused = "target-text() of an element in the other part"
        return ""


def _box_state(state):
    """The box builder's state where the parts meet: quote depth, counters and their scopes."""
    quote_depth, counter_values, counter_scopes, page_groups = state
    return (list(quote_depth), {name: list(values) for name, values in counter_values.items()},
            [sorted(scope) for scope in counter_scopes], list(page_groups))


# --- the hooks -------------------------------------------------------------------------------

def _send(conn: Conn, message) -> None:
    conn.send(message)


def _recv(conn: Conn):
    return conn.recv()  # our own child's bytes


def _plain_strings(store) -> dict:
    return {name: {page: list(values) for page, values in pages.items()} for name, pages in store.items()}


def _release() -> None:
    """Before the fork at the cascade: the HTML parser's garbage collected (the cycle collector
    is off while WeasyPrint runs: ``pdf._no_collection``) and the memory it held given back.
    tinyhtml5's tree builder leaves its elements (~40,000 objects at 100 pages, ~0.07 s to collect)
    in cycles that hold every element of the parsed tree: without this, neither process could
    free the other part's elements (``_Part._prune``), and both kept — and, touching the pages
    they share with them, copied — the whole tree (~13 MB more at the peak of 100 pages)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc: free pages of its heap to the system


class _Part:
    """The hooks of a render in two parts: this process lays out the first part; at the start
    of the pagination (the box tree built once, shared copy-on-write) it forks the child that
    lays out the second."""

    def __init__(self, meter: IdleMeter | None = None):
        self.meter = meter  # automatic: split only when it pays (``pays``), by the idle cores it measured
        self.conn, self.pid, self.child = None, 0, False
        self.split = None  # choose_split's (skip stack, index, ids of the elements after it, the parts' sizes)
        self.serial = False  # one process lays out everything, as a single build would
        self.other = None  # the second part's pages and anchors (first part)
        self.pages = None  # this part's page count (first part)
        self.shift = 0
        self.total = None
        self.exchanged = False
        self.start_sent = False
        self.tried_early = False
        self.early = None  # ids of the placeholders, when the processes forked at the cascade
        self.edge = None  # body's child where the box builder's state is taken
        self.meet_state = None  # that state (counters and quotes where the parts meet)
        self.elsewhere: set[str] = set()  # anchors of the other part
        self.wanted: set[str] = set()  # of those, the ones the first part's target-counter()s need
        self.cover: set[int] = set()  # the second part: ids of the cover's elements
        self.refused = None  # a reason found while building (the first part)
        self.hooked: dict = {}  # WeasyPrint's own functions, while hooked

    def all_pages(self, original, context, root_box, html, pages):
        if self.early is not None:
            if self.child:
                return self.early_second(original, context, root_box, html, pages)
            return self.early_first(original, context, root_box, html, pages)
        if self.split is None and not self.serial:
            try:
                self.split = choose_split(root_box)
                _check_splittable(context, self.split[2])
                if self.meter is not None:
                    idle = self.meter.idle_cores()
                    if not pays(*self.split[3], idle):
                        raise Serial(f"does not pay: parts of {self.split[3]} elements, {idle:.2f} idle cores")
                self._fork()
            except Serial as reason:
                LOG.debug("serial: %s", reason)
                self.serial = True
        if self.serial:
            return original(context, root_box, html, pages)
        if self.child:
            return self.second_pages(original, context, root_box, html, pages)
        return self.first_pages(original, context, root_box, html, pages)

    def _fork(self) -> None:
        # Python threads (the command line's progress display, a test runner's I/O thread) are
        # gone in the child, which takes none of their locks; a thread of a C library (a font
        # loader), which runs no Python code, might hold one.
        if len(os.listdir("/proc/self/task")) > len(sys._current_frames()):
            raise Serial("threads of a C library running: no fork")
        mine, theirs = conn_pair()  # (not multiprocessing's: ~1.1 MB more where the boxes live)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]  # bidkit.limits.deadline's
        if self.split is None:  # at the cascade: the parsed HTML and the sheets, no boxes yet
            _release()
        gc.freeze()  # the box tree stays shared: no collection touches it in the child
        pid = os.fork()
        if pid == 0:
            mine.close()
            self.conn, self.child = theirs, True
            if remaining:
                signal.setitimer(signal.ITIMER_REAL, remaining)
            return
        gc.unfreeze()
        theirs.close()
        self.conn, self.pid = mine, pid

    def end(self) -> None:
        if self.pid:
            _end(self.conn, self.pid)
            self.pid = 0

    # the first part ----------------------------------------------------------------------
    def first_pages(self, original, context, root_box, html, pages):
        stack = self.split[0]
        for index, page in enumerate(original(context, root_box, html, pages)):
            yield page
            entry = context.page_maker[index + 1]
            if entry[0] != stack or self.serial:
                continue
            if self.other is None and not self._meet(context, entry):
                self.serial = True  # goes on: this process lays out the rest, as a single build would
                self.end()
                continue
            context.page_maker = context.page_maker[:index + 2]
            entry[-1]["content_changed"] = False
            self.pages = index + 1
            self._inject(context)
            return

    def _meet(self, context, entry) -> bool:
        """At the split: the second part's start state must be the real one, then take its anchors."""
        try:
            start = _recv(self.conn)
            if start is None or not _same_start(start, entry) or context.reported_footnotes or context.broken_out_of_flow:
                LOG.debug("serial: the second part's start %r is not the first's end %r", start, _start_state(entry))
                _send(self.conn, None)
                return False
            self.other = _recv(self.conn)
            if self.other is None:
                LOG.debug("serial: the second part gave up")
                return False
        except (EOFError, OSError):
            LOG.debug("serial: the second part ended")
            return False
        return True

    def _inject(self, context) -> None:
        """The second part's anchors at their serial page numbers, through WeasyPrint's target
        collector (which marks the TOC page to be made again)."""
        shift = self.pages - 1  # the second part's page 1 is the cover
        collector = context.target_collector
        for name, values in self.other["anchors"].items():
            values = copy.deepcopy(values)
            values["page"] = [value + shift for value in values.get("page", [])]
            collector.cache_target_page_counters(name, values, len(context.page_maker) - 1, context.page_maker)

    # the early split (at the cascade) ------------------------------------------------------
    def styles(self, original, html, sheets, presentational_hints, font_config, target_collector):
        """WeasyPrint's StyleFor: first, when the document can be split there and that pays,
        fork and leave this process's part with placeholders for the other's; after it, the
        placeholders out of the tree."""
        if not self.tried_early and not self.serial:
            self.tried_early = True
            try:
                idle = self.meter.idle_cores() if self.meter is not None else None
                if idle is not None and idle < MIN_IDLE:  # no second core to spare: not even a plan
                    self.serial = True
                    raise Serial(f"{idle:.2f} idle cores")
                cover, best, sizes = plan_early(html, sheets, presentational_hints, font_config, original)
                if idle is not None and not pays(*sizes, idle):
                    self.serial = True
                    raise Serial(f"does not pay: parts of {sizes} elements, {idle:.2f} idle cores")
                LOG.debug("split at the cascade: parts of %s elements, %.2f s CPU", sizes, time.process_time())
                self._fork()
            except Serial as reason:
                LOG.debug("no split at the cascade: %s", reason)
            else:
                self._prune(html, target_collector, cover, best)
        style_for = original(html, sheets, presentational_hints, font_config, target_collector)
        if self.early is not None:
            body = html.etree_element.find("body")
            body[:] = [child for child in body if id(child) not in self.early]
            LOG.debug("%s part styled: %.2f s CPU", self._name(), time.process_time())
        return style_for

    def _name(self) -> str:
        return "second" if self.child else "first"

    def _prune(self, html, collector, cover: int, best: int) -> None:
        import cssselect2

        root = html.etree_element
        body = root.find("body")
        children = list(body)
        keep = {cover, *range(best, len(children))} if self.child else set(range(best))
        kept, others, tree, placeholders = [], [], [], set()
        for index, child in enumerate(children):
            if index in keep:
                kept.append(child)
                tree.append(child)
            else:
                others.append(child)
                placeholder = _shallow(child)
                placeholders.add(id(placeholder))
                tree.append(placeholder)
        body[:] = tree
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root)  # the old one holds the whole tree
        self.early = placeholders
        self.elsewhere = _anchor_names(others) - _anchor_names(kept)
        if self.child:
            self.edge = children[best]  # the box builder's state before it
            self.cover = {id(element) for element in children[cover].iter()}
            for name in self.elsewhere:  # a lookup of one stays pending, and is seen after the build
                collector.collect_anchor(name)
        else:
            self.edge = children[best - 1]  # the box builder's state after it
        wbuild.element_to_box = lambda *args: self.element_to_box(self.hooked["element_to_box"], *args)

    def element_to_box(self, original, *args):
        if args[0] is not self.edge:
            return original(*args)
        if self.child:
            self.meet_state = _box_state(args[7])
            return original(*args)
        boxes = original(*args)
        self.meet_state = _box_state(args[7])
        return boxes

    def built(self, original, *args):
        """WeasyPrint's build_formatting_structure; in an early split, the targets in the other
        part stand in (first part) and what the parts cannot reproduce is checked."""
        if self.early is None:
            return original(*args)
        collector, footnotes = args[4], args[6]
        if not self.child:
            from weasyprint.css.targets import TargetLookupItem

            for name in self.elsewhere:
                item = TargetLookupItem("up-to-date")
                item.target_box = _Elsewhere(self)
                collector.target_lookup_items[name] = item
        root_box = original(*args)
        LOG.debug("%s part built: %.2f s CPU", self._name(), time.process_time())
        reason = self.refused
        if footnotes:
            reason = "footnotes"
        for (box, _token), item in collector.counter_lookup_items.items():
            if "pages" in item.missing_counters or any("pages" in names for names in item.missing_target_counters.values()):
                reason = "a count of pages in the content"
            if self.child and id(box.element) not in self.cover:
                reason = "page-based counters in the second part"
            for name, names in item.missing_target_counters.items():
                if not self.child and name in self.elsewhere:
                    self.wanted.add(name)
                    if set(names) != {"page"}:
                        reason = f"target-counter() of {names} in the other part"
        if self.child and any(collector.target_lookup_items[name].parse_again_functions for name in self.elsewhere):
            reason = "a target in the first part"
        if self.meet_state is None:
            reason = "the parts do not meet"
        if self.child:
            _send(self.conn, None if reason else self.meet_state)
            if reason:
                raise Serial(reason)
            return root_box
        try:
            theirs = _recv(self.conn)
        except (EOFError, OSError):
            theirs = None
        if reason is None and theirs != self.meet_state:
            reason = f"counters or quotes differ where the parts meet: {theirs!r}, {self.meet_state!r}"
        if reason:
            LOG.debug("laid out again in one process: %s", reason)
            raise _Redo(reason)
        return root_box

    def early_first(self, original, context, root_box, html, pages):
        for index, page in enumerate(original(context, root_box, html, pages)):
            yield page
            entry = context.page_maker[index + 1]
            if self.other is not None or entry[0] is not None:
                continue
            LOG.debug("first part laid out: %.2f s CPU", time.process_time())
            try:  # the last page, on the first pass: the second part's start must be this end
                start = _recv(self.conn)
                self.other = _recv(self.conn) if start is not None else None
            except (EOFError, OSError):
                start = None
            if start is None or self.other is None or start != _comparable(entry[3]) or context.broken_out_of_flow \
                    or self.wanted - set(self.other["anchors"]):
                LOG.debug("laid out again in one process: the second part's start %r is not the first's end %r",
                          start, _comparable(entry[3]))
                raise _Redo("the parts do not meet")
            self.pages = index + 1
            self._inject(context)

    def early_second(self, original, context, root_box, html, pages):
        body_index, _body_box = _body(root_box)
        for index, page in enumerate(original(context, root_box, html, pages)):
            if index == 0 and not self.start_sent:
                entry = context.page_maker[1]
                self.start_sent = True
                if entry[0] != {body_index: {1: None}}:
                    _send(self.conn, None)
                    raise Serial("the cover is not a page of its own")
                _send(self.conn, _comparable(entry[3]))
            yield page

    # the second part ---------------------------------------------------------------------
    def second_pages(self, original, context, root_box, html, pages):
        stack = self.split[0]
        body_index = next(iter(stack))
        for index, page in enumerate(original(context, root_box, html, pages)):
            if index == 0:
                entry = context.page_maker[1]
                resume = entry[0]
                if not (isinstance(resume, dict) and list(resume) == [body_index]
                        and isinstance(resume[body_index], dict) and len(resume[body_index]) == 1
                        and next(iter(resume[body_index].values())) is None
                        and next(iter(resume[body_index])) <= self.split[1]):
                    raise Serial("the cover is not a page of its own")
                context.page_maker[1] = (stack, *entry[1:])
                if not self.start_sent:
                    _send(self.conn, _start_state(context.page_maker[1]))
                    self.start_sent = True
            yield page

    # both: margin boxes with the serial numbers and strings -------------------------------
    def margin_boxes(self, original, context, page, state):
        if not self.exchanged:
            self._exchange(context)
        if self.serial:
            return original(context, page, state)
        state = copy.deepcopy(state)
        counters = state[1]
        counters["page"] = [value + self.shift for value in counters.get("page", [])]
        counters["pages"] = [self.total]
        current = context.current_page
        context.current_page = current + self.shift
        try:
            return list(original(context, page, state))
        finally:
            context.current_page = current

    def _exchange(self, context) -> None:
        self.exchanged = True
        if not self.child:
            if self.pages is None and not self.serial:  # the split started no page: all was laid out here
                LOG.debug("serial: the split is no page start")
                self.serial = True
                self.end()
            if self.serial:
                return
            self.total = self.pages + self.other["pages"]
            _send(self.conn, {"offset": self.pages, "total": self.total, "strings": _plain_strings(context.string_set)})
            return
        anchors = {}
        for name, item in context.target_collector.target_lookup_items.items():
            if item.page_maker_index is not None and item.page_maker_index >= 1 and item.cached_page_counter_values:
                anchors[name] = copy.deepcopy(item.cached_page_counter_values)
        pages = len(context.page_maker) - 2  # entries: one per page and the end; the cover is not ours
        LOG.debug("second part laid out: %.2f s CPU", time.process_time())
        if any(boxes for pages in context.running_elements.values() for boxes in pages.values()):
            _send(self.conn, None)
            raise Serial("running elements")
        _send(self.conn, {"pages": pages, "anchors": anchors})
        answer = _recv(self.conn)
        if answer is None:
            raise Serial("the first part went serial")
        self.shift = answer["offset"] - 1
        self.total = answer["total"]
        strings = defaultdict(lambda: defaultdict(list))
        for name, by_page in answer["strings"].items():
            for number, values in by_page.items():
                strings[name][number] = list(values)
        for name, by_page in context.string_set.items():
            for number, values in by_page.items():
                if number >= 2:
                    strings[name][number + self.shift] = list(values)
        context.string_set = strings


def _start_state(entry):
    resume_at, next_page, _right, page_state, _remake = entry
    return resume_at, next_page, _comparable(page_state)


def _comparable(page_state):
    quote_depth, counters, scopes, groups = page_state
    counters = {name: values for name, values in counters.items() if name not in ("page", "pages")}
    return quote_depth, counters, scopes, groups


def _same_start(start, entry) -> bool:
    return start == _start_state(entry)


@contextlib.contextmanager
def _hooked(part: _Part):
    """WeasyPrint's pagination and margin boxes replaced by ``part``'s, for one render."""
    pages, margins = wlayout.make_all_pages, wlayout.make_margin_boxes
    styles, build, element = wcss.StyleFor, wdocument.build_formatting_structure, wbuild.element_to_box
    part.hooked = {"element_to_box": element}
    wlayout.make_all_pages = lambda *args: part.all_pages(pages, *args)
    wlayout.make_margin_boxes = lambda *args: part.margin_boxes(margins, *args)
    wcss.StyleFor = lambda *args: part.styles(styles, *args)
    wdocument.build_formatting_structure = lambda *args: part.built(build, *args)
    try:
        yield
    finally:
        wlayout.make_all_pages, wlayout.make_margin_boxes = pages, margins
        wcss.StyleFor, wdocument.build_formatting_structure, wbuild.element_to_box = styles, build, element


# --- the processes ---------------------------------------------------------------------------

class Parts:
    """A document laid out in two processes: the first part here, the second in a child that
    waits to write its pages. ``pages`` has one item per page of the whole document (the first
    part's pages, then None for each of the second's)."""

    def __init__(self, document, conn: Conn, pid: int, second_pages: int):
        self.document, self.conn, self.pid = document, conn, pid
        self.pages = tuple(document.pages) + (None,) * second_pages
        self.second_pages = second_pages
        self.second_starts: list[tuple[str, int]] = []
        self.early = False  # split at the cascade (each process styled and built its part), not at the pagination

    def write(self, write_first, variant: str, out, last: bool = False) -> None:
        """Both parts written (the child its own at the same time) and merged into ``out`` (a
        binary file): ``write_first(document, file)`` writes this part (with the embedded files),
        the child its own in ``variant``. Each part goes to a temporary file, which the merge reads
        as it needs it (not a copy of either part in memory). With ``last`` (no other variant will
        be written) the child ends as soon as it has written its part: its pages are not kept in
        memory through the merge."""
        first_names = {name for page in self.document.pages for name in page.anchors}
        with tempfile.NamedTemporaryFile(prefix="bidkit-", suffix=".pdf") as first, \
                tempfile.NamedTemporaryFile(prefix="bidkit-", suffix=".pdf") as second:
            _send(self.conn, ("write", variant, sorted(first_names), second.name, last))
            second_names = [name for name in _recv(self.conn) if name not in first_names]
            end = self.document.pages[-1]
            for name in second_names:  # links into the second part are kept; merge sets their place
                end.anchors[name] = (0, 0, 0, 0)
            answer = []

            def second_written() -> None:  # the child has written its part; with ``last`` it ends
                LOG.debug("first part painted, waits: %.2f s CPU", time.process_time())
                answer.append(_recv(self.conn))
                LOG.debug("second part received: %.2f s CPU", time.process_time())
                if last:
                    self.close()

            try:
                # With ``last``, this part's fonts, structure tree and objects (the end of the
                # write, its peak of memory) are made once the child has ended: the two processes'
                # peaks do not add up; the pages are painted meanwhile, as the child writes.
                with _after_painting(self.document.pages[-1], second_written) if last else contextlib.nullcontext():
                    write_first(self.document, first)
            finally:
                for name in second_names:
                    end.anchors.pop(name, None)
            LOG.debug("first part written: %.2f s CPU", time.process_time())
            ok, starts = answer[0] if answer else _recv(self.conn)
            if not ok:
                raise starts
            self.second_starts = starts
            if last:
                self.close()  # the child has ended once its part was written
            first.flush()
            from bidkit.render.merge import merge  # pikepdf: loaded only to merge

            merge(first.name, second.name, second_names, out)
        LOG.debug("parts merged: %.2f s CPU", time.process_time())

    def bookmark_starts(self) -> list[tuple[str, int]]:
        """(label, first page) of each top-level bookmark of the merged file (once written):
        the first part's, then the second's after them, as ``merge`` joins the outlines."""
        offset = len(self.document.pages)
        return bookmark_starts(self.document) + [(label, page + offset) for label, page in self.second_starts]

    def close(self) -> None:
        if self.pid:
            with contextlib.suppress(OSError):
                _send(self.conn, ("close",))
            with contextlib.suppress(OSError):
                self.conn.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0

    def __del__(self):
        self.close()


def _after_painting(page, then):
    from bidkit.render.pdf import after_painting  # (bidkit.render.pdf imports this module)

    return after_painting(page, then)


def layout(render, write_part, meter: IdleMeter | None = None):
    """``render()`` (WeasyPrint's HTML(...).render() under bidkit's deadline) in two parts:
    Parts, or a whole Document when the document cannot be split (laid out serially); with
    ``meter`` (an automatic choice) only when the split pays for the idle cores it measured."""
    part = _Part(meter)
    try:
        with _hooked(part):
            document = render()
    except _Redo:
        if not part.child:
            part.end()
            return render()
        os._exit(1)
    except BaseException as exc:
        if part.child:  # the child never returns into the caller's code
            LOG.debug("second part: %r", exc)
            with contextlib.suppress(BaseException):
                _send(part.conn, None)
            os._exit(1)
        part.end()
        raise
    if part.child:
        code = 1
        try:
            _serve(document, write_part, part.conn)
            code = 0
        finally:
            os._exit(code)
    if part.serial:
        part.end()
        return document
    parts = Parts(document, part.conn, part.pid, part.other["pages"])
    parts.early = part.early is not None
    return parts


def _end(conn: Conn, pid: int) -> None:
    with contextlib.suppress(OSError):
        conn.close()
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _serve(document, write_part, conn: Conn) -> None:
    """The child: write the second part whenever asked, until told to end or asked for the last
    time (then it ends as soon as its part is written: its pages are not kept in memory while
    the first part is still being written)."""
    own = document.copy(document.pages[1:])  # without the cover
    names = [name for page in own.pages for name in page.anchors]
    while True:
        try:
            request = _recv(conn)
        except (EOFError, OSError):
            return
        if request[0] != "write":
            return
        _kind, variant, first_names, path, last = request
        _send(conn, names)
        page = own.pages[0]
        added = [name for name in first_names if name not in set(names)]
        for name in added:
            page.anchors[name] = (0, 0, 0, 0)
        try:
            write_part(own, variant, path)
            result = (True, bookmark_starts(own))
            LOG.debug("second part written: %.2f s CPU", time.process_time())
        except BaseException as exc:  # noqa: BLE001 - handed to the parent
            result = (False, exc)
        finally:
            for name in added:
                page.anchors.pop(name, None)
        try:
            _send(conn, result)
        except (pickle.PicklingError, TypeError):
            _send(conn, (False, RuntimeError(str(result[1]))))
        if last:
            return
