"""Parallel layout (bidkit.render.parallel): a document laid out in two processes and merged
gives what a single process gives — page text, "Seite X von Y", TOC numbers, bookmarks, links,
named destinations, structure, fonts — and still passes the validators; what cannot be split
exactly is laid out serially; the WeasyPrint 70 internals it relies on are checked loudly."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import inspect
import multiprocessing
import re
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import PADERBORN, run_bidkit

VARIANT = "pdf/a-3a+ua-1"


# --- what must be equal --------------------------------------------------------------------

def page_texts(path: Path) -> list[str]:
    count = len(pikepdf.open(path).pages)
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, count + 1)]


def facts(path: Path) -> dict:
    """Everything parallel and serial output must share, read back from the file."""
    pdf = pikepdf.open(path)
    index = {page.objgen: number for number, page in enumerate(pdf.pages)}

    def place(dest):
        return index.get(dest[0].objgen), [str(value) for value in list(dest)[1:]]

    outline = []
    with pdf.open_outline() as tree:
        stack = [(item, 0) for item in reversed(list(tree.root))]
        while stack:
            item, depth = stack.pop()
            outline.append((depth, item.title, *place(item.destination)))
            stack += [(child, depth + 1) for child in reversed(list(item.children))]
    names = pdf.Root.get("/Names")
    dests = {name: place(value) for name, value in pikepdf.NameTree(names.Dests).items()} \
        if names is not None and "/Dests" in names else {}
    links = [(number, [round(float(v), 2) for v in annot.Rect], str(annot.get("/Dest", "")), str(annot.get("/Contents", "")),
              str(annot.A.get("/URI", "")) if "/A" in annot else "")
             for number, page in enumerate(pdf.pages) for annot in page.obj.get("/Annots", [])]
    roles = []
    stack = [(pdf.Root.StructTreeRoot.K, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack += [(kid, depth) for kid in reversed(list(node))]
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node and node.get("/Type") not in ("/MCR", "/OBJR"):
            roles.append((depth, str(node.S), str(node.get("/Alt", "")), str(node.get("/T", ""))))
            if "/K" in node:
                stack.append((node.K, depth + 1))
    fonts = sorted({str(font.BaseFont) for page in pdf.pages for font in page.obj.Resources.get("/Font", {}).values()})
    texts = page_texts(path)
    return {"pages": len(pdf.pages), "texts": texts,
            "footers": [re.findall(r"Seite \d+ von \d+", text) for text in texts],
            "toc": re.findall(r"^\s*(\S.*?)\s+(\d+)\s*$", texts[1], flags=re.M) if len(texts) > 1 else [],
            "outline": outline, "dests": dests, "links": links, "roles": roles, "fonts": fonts}


def assert_same(serial: Path, parallel: Path) -> None:
    expected, got = facts(serial), facts(parallel)
    for key in expected:
        assert got[key] == expected[key], key


def table_ids(path: Path) -> tuple[list[str], list[str]]:
    """(every structure element's /ID, every table cell's /Headers reference), in tree order."""
    pdf = pikepdf.open(path)
    ids, headers, stack = [], [], [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack += list(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if "/ID" in node:
                ids.append(str(node.ID))
            attributes = node.get("/A")
            for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
                if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                    headers += [str(header) for header in attribute.Headers]
            if "/K" in node:
                stack.append(node.K)
    return ids, headers


def assert_same_pixels(serial: Path, parallel: Path, tmp: Path) -> None:
    """Every page drawn alike (the merged font subsets have every glyph either part drew)."""
    for name, path in (("serial", serial), ("parallel", parallel)):
        (tmp / name).mkdir()
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp / name / "p")], check=True)
    drawn = sorted(p.name for p in (tmp / "serial").iterdir())
    assert drawn == sorted(p.name for p in (tmp / "parallel").iterdir())
    for name in drawn:
        assert (tmp / "serial" / name).read_bytes() == (tmp / "parallel" / name).read_bytes(), name


def assert_not_larger(serial: Path, parallel: Path) -> None:
    """At most 5 % larger (fonts merged, not embedded twice). final.py writes a file without
    object streams when one would end in a carriage return, so the stream data is compared too."""
    assert parallel.stat().st_size <= serial.stat().st_size * 1.05 or content_bytes(parallel) <= content_bytes(serial) * 1.05


def content_bytes(path: Path) -> int:
    """Bytes of stream data (fonts, pages, images), however the file packs its objects."""
    pdf = pikepdf.open(path)
    return sum(len(o.read_raw_bytes()) for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Type") not in ("/ObjStm", "/XRef"))


# --- the WeasyPrint internals ----------------------------------------------------------------

def test_weasyprint_internals_parallel_relies_on():
    """Fails loudly when WeasyPrint changes what bidkit.render.parallel reaches into."""
    import weasyprint
    import weasyprint.layout as wlayout
    from weasyprint.css import StyleFor
    from weasyprint.css.targets import TargetCollector, TargetLookupItem
    from weasyprint.layout import LayoutContext

    assert weasyprint.__version__.startswith("70."), "parallel.py is written against WeasyPrint 70"
    source = inspect.getsource(wlayout.layout_document)
    for needle in ("pages = list(make_all_pages(context, root_box, html, pages))",
                   "context.current_page = i + 1",
                   "state = context.page_maker[context.current_page][3]",
                   "children.extend(make_margin_boxes(context, page, state))",
                   "context.string_set[string_name][i+1].append(text)"):
        assert needle in source, needle
    assert list(inspect.signature(wlayout.make_all_pages).parameters) == ["context", "root_box", "html", "pages"]
    assert list(inspect.signature(wlayout.make_margin_boxes).parameters) == ["context", "page", "state"]
    assert "page_maker.append((\n        resume_at, next_page, right_page, page_state, remake_state))" in \
        inspect.getsource(wlayout.initialize_page_maker)
    page_source = inspect.getsource(wlayout.page.make_all_pages)
    assert "resume_at = context.page_maker[i + 1][0]" in page_source
    assert list(inspect.signature(TargetCollector.cache_target_page_counters).parameters) == [
        "self", "anchor_name", "page_counter_values", "page_maker_index", "page_maker"]
    item = TargetLookupItem()
    assert hasattr(item, "page_maker_index") and hasattr(item, "cached_page_counter_values")
    assert "self._sheets" in inspect.getsource(StyleFor)
    from weasyprint.css import PageSelectorType  # noqa: F401 - the @page selector fields read by parallel
    assert {"side", "blank", "first", "index", "name"} <= set(PageSelectorType._fields)
    for name in ("string_set", "running_elements", "footnotes", "reported_footnotes", "broken_out_of_flow", "target_collector"):
        assert name in inspect.getsource(LayoutContext.__init__), name


def test_weasyprint_internals_the_split_at_the_cascade_relies_on():
    """Fails loudly when WeasyPrint changes what the early split (parallel.py's ``styles``,
    ``built``, ``element_to_box``, ``_Elsewhere``) reaches into."""
    import cssselect2
    import weasyprint
    import weasyprint.css as wcss
    import weasyprint.document as wdocument
    import weasyprint.formatting_structure.build as wbuild
    import weasyprint.layout.page as wpage
    from weasyprint.css.targets import TargetLookupItem

    from bidkit.render import parallel

    assert "return StyleFor(html, sheets, presentational_hints, font_config, target_collector)" in \
        inspect.getsource(wcss.get_all_computed_styles)
    style_for = inspect.getsource(wcss.StyleFor.__init__)
    assert "html.etree_element, presentational_hints, html.base_url):" in style_for
    assert "for element in html.wrapper_element.iter_subtree():" in style_for
    assert "for selector in sheet.matcher.match(element):" in style_for
    assert "specificity, order, pseudo_type, (declarations, layer) = selector" in style_for
    assert "for name, values, importance in declarations:" in style_for
    attributes = inspect.getsource(wcss.find_style_attributes)
    assert "yield parse_declaration(f'-weasy-anchor:\"{id_}\"')" in attributes  # the anchors: ids and <a name>
    assert "if element.tag == 'a':" in attributes
    assert "self.wrapper_element = cssselect2.ElementWrapper.from_html_root(" in inspect.getsource(weasyprint.HTML.__init__)
    render = inspect.getsource(wdocument.Document._render)
    assert "root_box = build_formatting_structure(\n            html.etree_element, context.style_for, context.get_image_from_uri," \
        in render and "context.footnotes)" in render
    assert list(inspect.signature(wbuild.element_to_box).parameters) == [
        "element", "style_for", "get_image_from_uri", "base_url", "target_collector", "counter_style", "footnotes", "state"]
    build = inspect.getsource(wbuild.element_to_box)
    for needle in ("quote_depth, counter_values, counter_scopes, _page_groups = state",
                   "for child_element in element:\n        child_boxes = element_to_box(",
                   "target_collector.store_target(style['anchor'], counter_values, box)"):
        assert needle in build, needle
    content = inspect.getsource(wbuild.compute_content_list)
    assert "target_values = lookup_target.target_box.cached_counter_values" in content
    assert "add_text(target_box.extract_text(text_style))" in content
    assert "if resume_at is None and not reported_footnotes:" in inspect.getsource(wpage.make_all_pages)
    item = TargetLookupItem("up-to-date")
    assert item.state == "up-to-date" and hasattr(item, "target_box") and hasattr(item, "parse_again_functions")
    matcher = cssselect2.Matcher()
    for name in ("id_selectors", "class_selectors", "lower_local_name_selectors", "namespace_selectors",
                 "lang_attr_selectors", "other_selectors"):
        assert hasattr(matcher, name), name
    # A selector test's compiled code names what it reads: :has() and :empty read what an element holds.
    for selector, holds in (("p:empty", True), ("section:has(p)", True), ("section:first-child + p", False),
                            ("li:nth-child(2 of .x)", False), ("section ~ section p", False)):
        test = next(iter(cssselect2.compile_selector_list(selector))).test
        assert bool(parallel._reads(test.__code__) & parallel._HOLDS_READS) == holds, selector
    # WeasyPrint's own sheet has exactly the two such rules parallel.py's _check_sheets lets pass.
    ua = [line for line in (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text().splitlines()
          if ":has(" in line or ":empty" in line]
    assert ua == ["select[multiple] option, select:not(:has(option[selected])) option:first-of-type, "
                  "select option[selected]:not(option[selected] ~ option[selected]) { display: block; overflow: hidden }",
                  "textarea:empty { height: 3em }"]


# --- a small document, fast -----------------------------------------------------------------

SMALL = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>T</title><style>
@page { size: A5; margin: 20mm; @bottom-right { content: "Seite " counter(page) " von " counter(pages); }
        @top-right { content: string(title); } }
@page :first { @top-right { content: none; } }
h2 { string-set: title content(); } .cover { break-after: page; } .toc { break-after: page; }
.toc-page::before { content: target-counter(attr(data-target), page); }
section { break-before: page; } %s
</style></head><body>
<div class="cover"><h1 style="bookmark-level: none">Deckblatt</h1></div>
<nav class="toc"><ol>%s</ol></nav>
%s
</body></html>"""


def small_html(extra_css: str = "", sections: int = 8) -> str:
    toc = "".join(f'<li><a href="#s{n}">Teil {n}</a> <span class="toc-page" data-target="#s{n}"></span></li>'
                  for n in range(sections))
    body = "".join(
        f'<section id="s{n}"><h2>Teil {n}</h2>' + "".join(
            f"<p>Absatz {k} von Teil {n}: Ä Ö Ü ß {'Wort ' * (20 + 7 * n)} <a href='#s{(n + 3) % sections}'>siehe Teil {(n + 3) % sections}</a></p>"
            for k in range(8 + 5 * (n % 3)))
        + f"<table><thead><tr><th>Jahr</th><th>Betrag</th></tr></thead><tbody><tr><th scope='row'>{n}</th><td>{n * 100} €</td></tr></tbody></table>"
        + "</section>" for n in range(sections))
    return SMALL % (extra_css, toc, body)


@pytest.fixture(scope="module")
def layouts():
    """The process this file's layouts run in, spawned once for all its tests: the test process
    may hold threads of other tests (a validator's, an I/O thread), and a process with foreign
    threads rightly does not fork for a second layout process. (A process for each test imported
    WeasyPrint again, nine times.)"""
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def render_both(layouts, tmp_path: Path, html: str):
    """The document laid out in one process and in two (in `layouts`)."""
    files, kinds = render_cases(layouts, tmp_path, {"": html})[""]
    return files, {jobs: kind is not None for jobs, kind in kinds.items()}


def render_cases(layouts, tmp_path: Path, cases: dict[str, str]) -> dict[str, tuple[dict, dict]]:
    """Each case's HTML laid out with ``--jobs 1`` and ``--jobs 2``, in `layouts`:
    case → (jobs → PDF file, jobs → None for one process, "early" for a split at the cascade,
    "late" for a split at the pagination)."""
    return layouts.submit(_render_cases, tmp_path, cases).result()


def _render_cases(tmp_path: Path, cases: dict[str, str]):
    from bidkit.render import pdf
    from bidkit.render.fetcher import SandboxedFetcher
    from bidkit.render.parallel import Parts

    fetcher = SandboxedFetcher([tmp_path])
    moment = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
    results = {}
    for number, (case, html) in enumerate(cases.items()):
        files, kinds = {}, {}
        for jobs in (1, 2):
            document = pdf.layout(html, base=tmp_path, fetcher=fetcher, jobs=jobs)
            kinds[jobs] = ("early" if document.early else "late") if isinstance(document, Parts) else None
            path = tmp_path / f"case{number}-jobs{jobs}.pdf"
            if kinds[jobs] and number == 0:  # a first variant written (not the last): the second process stays for the next
                pdf.write(document, variant="pdf/a-3u", fetcher=fetcher, files=[], moment=moment, last=False)
            path.write_bytes(pdf.write(document, variant=VARIANT, fetcher=fetcher, files=[], moment=moment, last=True))
            if kinds[jobs]:
                document.close()
            files[jobs] = path
        results[case] = files, kinds
    return results


#: The cover, the TOC and eight sections, body without a margin: split at the cascade.
EARLY = "body { margin: 0; }"


def assert_split_equals_serial(files: dict[int, Path], tmp_path: Path) -> dict:
    """What both splits keep: the facts and pixels of one process, "Seite X von Y" on every page,
    the TOC's eight numbers, and table header ids that are unique and named by the cells. The
    parallel file's facts."""
    assert_same(files[1], files[2])
    assert_same_pixels(files[1], files[2], tmp_path)
    got = facts(files[2])
    pages = got["pages"]
    assert got["footers"] == [[f"Seite {n} von {pages}"] for n in range(1, pages + 1)]
    toc = [(title, number) for title, number in got["toc"] if "Teil" in title]
    assert len(toc) == 8 and all(number != "0" for _title, number in toc)
    got["toc"] = toc
    ids, headers = table_ids(files[2])
    assert len(ids) == len(set(ids)) and set(headers) <= set(ids)
    return got


def test_small_document_in_two_processes_equals_one(layouts, tmp_path):
    """Split at the pagination: the user agent's margin of <body> would end the first part (its
    bottom margin on that part's last page) if each process built only its part."""
    files, parallel = render_cases(layouts, tmp_path, {"": small_html()})[""]
    assert parallel == {1: None, 2: "late"}
    got = assert_split_equals_serial(files, tmp_path)
    assert any(dest for dest in got["dests"].values() if dest[0] >= got["pages"] // 2)  # targets in the second part
    # Each part names its table header cells "N-row-column" with its own N: the merge keeps
    # them apart ("p2-…"), and every cell still names headers that exist.
    ids, headers = table_ids(files[2])
    serial_ids, serial_headers = table_ids(files[1])
    assert len(ids) == len(serial_ids) and any(name.startswith("p2-") for name in ids)
    assert len(headers) == len(serial_headers)


def test_split_at_the_cascade_equals_one_process(layouts, tmp_path):
    """Each process styles, builds and lays out only its part of <body>: page text, „Seite X von
    Y“, the TOC's numbers of targets in the other part, the running headers (string-set across
    the parts), bookmarks, links, destinations, structure and pixels as in one process."""
    html = small_html(EARLY + ".section-note::after { content: ' (Teil ' attr(data-n) ')'; }") \
        .replace("<h2>Teil 7</h2>", "<h2>Teil 7</h2><p class='section-note' data-n='7'>Anmerkung</p>")
    files, parallel = render_cases(layouts, tmp_path, {"": html})[""]
    assert parallel == {1: None, 2: "early"}
    got = assert_split_equals_serial(files, tmp_path)
    assert int(got["toc"][-1][1]) > got["pages"] // 2  # a target laid out by the second process
    assert any("Teil 6" in text.splitlines()[0] for text in got["texts"][1:])  # a running header from the second part


#: What a split at the cascade cannot reproduce, each with where it goes instead: "late" (refused
#: before the fork, from the style sheets and the styles of <body>'s children: the split at the
#: pagination, on one box tree, takes it) or None (found after the fork: laid out again in one
#: process; or refused by both splits).
FALLBACKS = {
    # :has() reads what a placeholder (the other part's section, empty) would not hold.
    "has": (EARLY + "section:has(table) + section h2 { color: #800; }", "late"),
    # :empty would hold for the other part's placeholders: a sibling combinator reads them.
    "empty": (EARLY + "section:empty + section h2 { color: #800; }", "late"),
    # A counter of <body>'s children runs through both parts.
    "counter": (EARLY + "section { counter-increment: teil; } h2::before { content: counter(teil) '. '; }", "late"),
    # A fixed box is drawn on every page, the other part's too.
    "fixed": (EARLY + ".cover::after { content: 'Entwurf'; position: fixed; top: 0; }", "late"),
    # A child of <body> that is no block of its own (inline boxes of body's are wrapped together).
    "inline": (EARLY + "nav.toc { display: inline-block; }", "late"),
    # An open quote left open in the first part nests the second part's quotes one deeper.
    "quotes": (EARLY + "nav.toc::after { content: open-quote; } h2::before { content: open-quote; } "
               "h2::after { content: close-quote; }", None),
    # Page numbers in the second part's text, and a target-counter() from it into the first part.
    "page counter": (EARLY + "section:last-child p:first-of-type::after { content: ' S. ' counter(page); }", None),
    "target back": (EARLY + "section:last-child h2::after { content: ' (Inhalt ab S. ' target-counter('#s0', page) ')'; }", None),
    # The text of a target laid out by the other process.
    "target text": (EARLY + ".toc li:last-child .toc-page::after { content: ' ' target-text(attr(data-target)); }", None),
}


@pytest.mark.slow
def test_what_the_split_at_the_cascade_cannot_reproduce_goes_elsewhere(layouts, tmp_path):
    results = render_cases(layouts, tmp_path, {name: small_html(css, sections=4) for name, (css, _where) in FALLBACKS.items()})
    for name, (_css, where) in FALLBACKS.items():
        files, parallel = results[name]
        assert parallel == {1: None, 2: where}, name
        if where is None:
            assert files[1].read_bytes() == files[2].read_bytes(), name
        else:
            assert_same(files[1], files[2])


@pytest.mark.parametrize("css", ["@page :left { margin-left: 30mm; }",  # the side of a page would change
                                 "section p::after { content: counter(page); }",  # page numbers in the text
                                 "section:last-child { counter-increment: none; } p::before { content: counter(pages); }"])
def test_what_cannot_be_split_exactly_is_laid_out_serially(layouts, tmp_path, css):
    files, parallel = render_both(layouts, tmp_path, small_html(css))
    assert parallel == {1: False, 2: False}
    assert files[1].read_bytes() == files[2].read_bytes()


@pytest.mark.parametrize(("idle", "kind"), [(0.0, "Document"), (0.5, "Document"), (1.0, "Parts")])
def test_an_automatic_split_at_the_cascade_only_when_it_pays(layouts, tmp_path, idle, kind):
    """The split at the cascade asks ``pays`` as the late one does: no second core idle, one process."""
    from test_jobs_auto import _layout_kind

    assert layouts.submit(_layout_kind, tmp_path, small_html(EARLY, sections=16), idle).result() == kind


def test_jobs_given_override_the_automatic_choice(monkeypatch):
    from bidkit.render import cores, parallel

    assert parallel.choose_jobs(1) == 1
    assert parallel.choose_jobs(2) == 2
    assert parallel.choose_jobs(4) == 2  # two parts at most
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2.0)
    assert parallel.choose_jobs(None) == 2  # tentatively: ``pays`` decides at the split
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1.0)
    assert parallel.choose_jobs(None) == 1  # one core: never split
    monkeypatch.setattr(cores.os, "sched_getaffinity", lambda pid: {0})
    assert cores.usable_cores() == 1.0
    monkeypatch.setattr(cores, "_cgroup_quota", lambda: 1.5)
    monkeypatch.setattr(cores.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert cores.usable_cores() == 1.5  # a container's CPU quota bounds the cores


def test_the_split_pays_only_for_parts_larger_than_its_cost_and_an_idle_core():
    from bidkit.render.parallel import SPLIT_COST_ELEMENTS, pays

    example = (318, 324 + 43)  # the example's parts (the second with the cover it lays out again)
    assert pays(*example, idle=1.0)
    assert pays(*example, idle=3.0)
    assert not pays(*example, idle=0.0)  # the other core busy
    assert not pays(*example, idle=0.5)  # the second part would take longer than the whole
    assert not pays(37, 39, idle=1.0)  # 7 A5 pages: measured to gain nothing
    small = SPLIT_COST_ELEMENTS  # a smaller part than the split's cost saves less than it costs
    assert not pays(small, small, idle=1.0) and pays(small + 1, small + 1, idle=1.0)
    assert not pays(100, 5000, idle=1.0)  # nearly all in one part


def test_the_idle_meter_measures_idle_cores(monkeypatch):
    from bidkit.render import cores

    ticks = iter([1000, 1000 + 150])
    clock = iter([10.0, 11.0])
    monkeypatch.setattr(cores, "_idle_ticks", lambda: next(ticks))
    monkeypatch.setattr(cores.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(cores.os, "sysconf", lambda name: 100)
    assert cores.IdleMeter().idle_cores() == 1.5  # 150 idle ticks in one second at 100 ticks per core
    monkeypatch.undo()
    real = cores.IdleMeter()
    assert real.ticks is not None  # Linux: /proc/stat is read
    busy = time.perf_counter()
    while time.perf_counter() - busy < 0.3:  # this process's own work is not idle
        pass
    assert 0.0 <= real.idle_cores() <= cores.usable_cores() - 0.5


# --- the real bids, through the command line ------------------------------------------------

def build(folder: Path, out: Path, jobs: int):
    run = run_bidkit("build", str(folder), "-o", str(out), "--jobs", str(jobs))
    assert run.code == 0 or (run.code == 1 and "PDF001" in run.stderr and out.exists()), run.stderr
    return run


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, large_bid, large_pdf, paderborn_pdf):
    """(serial, parallel) builds of the large bid and of Paderborn: the serial ones are the
    session's (conftest.py's `built`, one process, as `--jobs 1` builds them)."""
    pairs = {}
    for name, folder, serial in (("large", large_bid, large_pdf), ("paderborn", PADERBORN, paderborn_pdf)):
        parallel = tmp_path_factory.mktemp(f"jobs-{name}") / "parallel.pdf"
        run = build(folder, parallel, 2)
        assert "laid out in 2 processes" in run.stderr
        pairs[name] = (serial, parallel)
    return pairs


@pytest.mark.slow
@pytest.mark.parametrize("name", ["large", "paderborn"])
def test_parallel_build_equals_serial(pairs, name, tmp_path):
    serial, parallel = pairs[name]
    assert_same(serial, parallel)
    assert_same_pixels(serial, parallel, tmp_path)
    assert_not_larger(serial, parallel)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["large", "paderborn"])
def test_parallel_build_passes_the_validators(pairs, name):
    from test_pdf_validation import qpdf_warnings, validation_failures

    parallel = pairs[name][1]
    assert qpdf_warnings(parallel) == []
    for profile in ("3a", "ua1"):
        assert validation_failures(parallel, profile) == [], profile


def test_jobs_1_is_the_serial_build(example_pdf, example_copy_build):
    """conftest.py's `example_copy_build` is built with ``--jobs 1`` (its other tests read it too)."""
    run = example_copy_build.run
    assert run.code == 0, run.stderr
    assert "laid out in 2 processes" not in run.stderr
    assert example_copy_build.pdf.read_bytes() == example_pdf.read_bytes()  # the example stays serial by default, too


def width_mismatches(path: Path) -> list[tuple[str, int, float, float]]:
    """(font, CID, advance in the embedded program, width in /W) of every glyph where they differ:
    what the PDF/A and PDF/UA validators check (…-GLYPH-WIDTH-001)."""
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    found = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != pikepdf.Name.CIDFontType2:
                continue
            descriptor = obj.get("/FontDescriptor")
            if descriptor is None or "/FontFile2" not in descriptor:
                continue
            font = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
            scale, order, hmtx = 1000 / font["head"].unitsPerEm, font.getGlyphOrder(), font["hmtx"]
            items, index, widths = list(obj.get("/W", [])), 0, {}
            while index < len(items):
                first = int(items[index])
                if isinstance(items[index + 1], pikepdf.Array):
                    widths.update({first + k: float(w) for k, w in enumerate(items[index + 1])})
                    index += 2
                else:
                    widths.update({cid: float(items[index + 2]) for cid in range(first, int(items[index + 1]) + 1)})
                    index += 3
            for cid, width in widths.items():
                advance = hmtx[order[cid]][0] * scale if cid < len(order) else None
                if advance is None or abs(advance - width) > 1:
                    found.append((str(obj.BaseFont), cid, advance, width))
    return found


def test_a_glyph_without_contours_only_the_second_part_draws_keeps_its_width(layouts, tmp_path):
    """A bold no-break space (U+00A0, no outline) drawn only after the split: the merged font
    program takes its advance from the part that drew it (it was 0, the validators refused it)."""
    # The first part draws a bold glyph of a higher id (€) than any of the second's: its subset is the base.
    html = small_html().replace("<h2>Teil 0</h2>", "<h2>Teil 0</h2><p><strong>Preise in €</strong></p>") \
        .replace("<h2>Teil 7</h2>", "<h2>Teil 7</h2><p><strong>1.000\u00a0Stück</strong></p>")
    files, parallel = render_both(layouts, tmp_path, html)
    assert parallel == {1: False, 2: True}
    assert width_mismatches(files[1]) == []
    assert width_mismatches(files[2]) == []
    assert_same(files[1], files[2])
