"""The rebuild cache (bidkit.render.cache) and the build's own speed-ups (bidkit.render.pdf).

The command-line tests share one cold-then-warm cache of a copy of the example: two builds
started together on an empty cache, then a rebuild. The key tests compute keys in-process (no
build), so every kind of input change is covered without laying out a page each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO, edit, run_bidkit

STEP = "Taking the PDF from the cache"


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``folder``: its content digest and modification time."""
    return {str(path.relative_to(folder)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "pdf").glob("*.entry"))


def steps(stderr: str) -> list[str]:
    return [line.split(maxsplit=1)[1].rsplit(None, 1)[0].strip() for line in stderr.strip().splitlines()[1:]]


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A copy of the example built twice at once on an empty cache, then once more."""
    root = tmp_path_factory.mktemp("cached")
    bid, cache = root / "bid", root / "cache"
    shutil.copytree(EXAMPLE, bid)
    before = snapshot(bid)
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "BIDKIT_CACHE_DIR": str(cache)})
    concurrent = [subprocess.Popen([sys.executable, "-m", "bidkit", "build", str(bid), "-o", str(root / f"cold-{n}.pdf")],
                                   cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for n in (1, 2)]
    cold = [(proc.wait(timeout=600), proc.stdout.read(), proc.stderr.read()) for proc in concurrent]
    rebuilt = run_bidkit("build", str(bid), "-o", str(root / "warm.pdf"), env={"BIDKIT_CACHE_DIR": str(cache)})
    return {"root": root, "bid": bid, "cache": cache, "before": before, "cold": cold, "rebuilt": rebuilt}


@pytest.mark.slow
def test_concurrent_cold_builds_give_one_valid_entry_and_identical_files(warm):
    root = warm["root"]
    for code, stdout, stderr in warm["cold"]:
        assert code == 0, stderr
        assert "from the cache" not in stdout
    assert (root / "cold-1.pdf").read_bytes() == (root / "cold-2.pdf").read_bytes()
    assert len(entries(warm["cache"])) == 1
    assert not list((warm["cache"] / "pdf").glob("*.part"))


def test_unchanged_rebuild_comes_from_the_cache_byte_identical(warm):
    run, root = warm["rebuilt"], warm["root"]
    assert run.code == 0, run.stderr
    assert f"PDF written: {root / 'warm.pdf'} (14 pages, pdf/a-3a+ua-1, 2 PDF annex(es) appended, 1 file(s) embedded, " \
           "from the cache)" in run.stdout
    assert steps(run.stderr) == [STEP]
    assert (root / "warm.pdf").read_bytes() == (root / "cold-1.pdf").read_bytes()


def test_nothing_is_written_into_the_bid_folder(warm):
    assert snapshot(warm["bid"]) == warm["before"]


def test_cached_sections_equal_the_pages_read_from_the_file(warm):
    """The page-limit check of a cached build uses the sections the build knew from WeasyPrint's
    bookmarks; they are the ones pdfcheck reads from the file with pypdf."""
    from bidkit.pdfcheck import section_pages
    from bidkit.render.cache import BuildCache

    [entry_file] = entries(warm["cache"])
    entry = BuildCache(entry_file.parent, 10**9).load(entry_file.stem)
    assert entry is not None
    sections = [tuple(pair) for pair in entry.facts["sections"]]
    assert sections == list(section_pages(warm["root"] / "cold-1.pdf").items())  # in order: ties in PDF001 keep it
    assert len(sections) > 5 and any(title.startswith("Anlage ") for title, _ in sections)


@pytest.mark.slow
def test_page_limit_still_checked_on_a_cached_build(short_call_build, tmp_path):
    """PDF001 runs on a rebuild taken from the cache (a call of the bid folder allowing 3 pages;
    the first build is the session's, test_build.py reads it too)."""
    cache = short_call_build.folder.parent / "cache"
    again = run_bidkit("build", str(short_call_build.folder), "-o", str(tmp_path / "2.pdf"), env={"BIDKIT_CACHE_DIR": str(cache)})
    runs = [short_call_build.run, again]
    assert "from the cache" not in runs[0].stdout and "from the cache" in runs[1].stdout
    for run in runs:
        assert run.code == 1, run.stderr
        assert "PDF001: the document has " in run.stderr and "; the call allows 3 (longest: " in run.stderr
    assert runs[0].stderr.splitlines()[-1] == runs[1].stderr.splitlines()[-1]


@pytest.mark.slow
def test_yaml_edit_misses_and_the_old_text_hits_again(warm, tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(warm["bid"], bid)
    cache = tmp_path / "cache"
    shutil.copytree(warm["cache"], cache)
    env = {"BIDKIT_CACHE_DIR": str(cache)}
    edit(bid / "bid.yaml", "Rat der Stadt Wolfsburg", "Rat  der Stadt Wolfsburg")
    edited = run_bidkit("build", str(bid), "-o", str(tmp_path / "edited.pdf"), env=env)
    assert edited.code == 0, edited.stderr
    assert "from the cache" not in edited.stdout
    assert len(entries(cache)) == 2
    edit(bid / "bid.yaml", "Rat  der Stadt Wolfsburg", "Rat der Stadt Wolfsburg")
    again = run_bidkit("build", str(bid), "-o", str(tmp_path / "again.pdf"), env=env)
    assert "from the cache" in again.stdout, again.stdout
    assert (tmp_path / "again.pdf").read_bytes() == (warm["root"] / "cold-1.pdf").read_bytes()


@pytest.mark.slow
def test_no_cache_neither_reads_nor_writes(warm, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(warm["cache"], cache)
    stored = {path.name: path.read_bytes() for path in entries(cache)}
    run = run_bidkit("build", str(warm["bid"]), "-o", str(tmp_path / "fresh.pdf"), "--no-cache",
                     env={"BIDKIT_CACHE_DIR": str(cache)})
    assert run.code == 0, run.stderr
    assert "from the cache" not in run.stdout
    assert STEP not in run.stderr and "Laying out pages (WeasyPrint)" in run.stderr
    assert {path.name: path.read_bytes() for path in entries(cache)} == stored
    assert (tmp_path / "fresh.pdf").read_bytes() == (warm["root"] / "cold-1.pdf").read_bytes()


@pytest.mark.slow
def test_a_corrupt_entry_is_ignored_and_replaced(warm, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(warm["cache"], cache)
    [entry] = entries(cache)
    data = bytearray(entry.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x20  # one bit in the middle of the PDF: the digest no longer matches
    entry.write_bytes(bytes(data))
    run = run_bidkit("build", str(warm["bid"]), "-o", str(tmp_path / "out.pdf"), env={"BIDKIT_CACHE_DIR": str(cache)})
    assert run.code == 0, run.stderr
    assert "from the cache" not in run.stdout
    assert (tmp_path / "out.pdf").read_bytes() == (warm["root"] / "cold-1.pdf").read_bytes()
    assert entry.read_bytes() == (warm["cache"] / "pdf" / entry.name).read_bytes()  # replaced by a whole one


# --- the key, in-process ------------------------------------------------------------------

@pytest.fixture
def keyed(bid, tmp_path, monkeypatch):
    """The key of a `bidkit build` of the example copy ``bid`` with the given options, taken as the
    command line takes it: before the bid is read."""
    from bidkit.render.cache import lookup

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def key(draft=False, variant="pdf/a-3a+ua-1", output=tmp_path / "out.pdf", bid_variant=None, jobs=1, folder=None):
        return lookup(folder or bid, output, draft=draft, variant=variant,
                      bid_variant=bid_variant, jobs=jobs).key

    return key


def test_same_inputs_same_key_wherever_the_output_goes(keyed, bid, tmp_path, monkeypatch):
    base = keyed()
    assert keyed() == base == keyed(output=tmp_path / "elsewhere.pdf")
    (bid / "build").mkdir()
    (bid / "build" / "out.pdf").write_bytes(b"%PDF-1.7 an earlier output")
    assert keyed(output=bid / "build" / "out.pdf") == base != keyed()  # the build's own output is no input; another file is
    monkeypatch.chdir(bid)  # without -o: build/<city>-<call>.pdf below the current folder, here the bid folder
    assert keyed(folder=Path("."), output=None) == base


def test_a_file_the_key_leaves_out_is_never_an_input_of_an_entry(bid, tmp_path, monkeypatch):
    """Without -o, any PDF in ./build may be the output and is left out of the key: should the bid
    name one (an annex there), its build is neither kept nor taken."""
    from bidkit.render.cache import lookup

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    (bid / "build").mkdir()
    (bid / "build" / "anlage.pdf").write_bytes(b"%PDF-1.4 an annex")
    monkeypatch.chdir(bid)
    cache = lookup(Path("."), None, draft=True, variant="pdf", bid_variant=None, jobs=1)
    facts = cache.inputs([bid / "bid.yaml", bid / "build" / "anlage.pdf"], [], named_files=False)
    cache.keep(b"%PDF-1.7", facts, outputs=[bid / "build" / "x.pdf"])
    assert cache.store.load(cache.key) is None
    cache.store.store(cache.key, b"%PDF-1.7", facts)  # as if kept otherwise
    assert cache.store.load(cache.key) is not None and cache.load() is None
    cache.store.store(cache.key, b"%PDF-1.7", cache.inputs([bid / "bid.yaml"], [], named_files=False))
    assert cache.load() is not None


@pytest.mark.parametrize("change", ["yaml", "annex", "logo", "own_template", "new_file", "supporters_scan", "empty_folder"])
def test_any_input_change_changes_the_key(keyed, bid, change):
    before = keyed()
    if change == "yaml":
        edit(bid / "budget.yaml", "\n", "\n# a comment is an input too\n")
    elif change == "annex":
        path = bid / "anlagen" / "unterstuetzung-ostfalia.pdf"
        path.write_bytes(path.read_bytes() + b"\n%")
    elif change == "logo":
        edit(bid / "theme" / "logo.svg", "<svg", "<svg data-x='1'")
    elif change == "own_template":
        (bid / "theme" / "templates").mkdir()
        (bid / "theme" / "templates" / "cover.html.j2").write_text("<p>own</p>", encoding="utf-8")
    elif change == "new_file":
        (bid / "theme" / "bild.png").write_bytes(b"\x89PNG")
    elif change == "supporters_scan":
        (bid / "anlagen" / "scan-001.pdf").write_bytes(b"%PDF-1.4")
    elif change == "empty_folder":  # a theme's templates folder, even empty, is read
        (bid / "theme" / "templates").mkdir()
    assert keyed() != before


def test_git_is_no_input_of_a_final_build(keyed, bid):
    before = keyed()
    (bid / ".git").mkdir()
    (bid / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    assert keyed() == before


def test_version_options_environment_and_moment_change_the_key(keyed, bid, tmp_path, monkeypatch):
    import bidkit

    base = keyed()
    others = [keyed(variant="pdf/ua-1"), keyed(draft=True), keyed(bid_variant="public"), keyed(jobs=2), keyed(jobs=None)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")  # the build moment
    others.append(keyed())
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setenv("BIDKIT_TEMPLATE_SECONDS", "5")  # a bound of the build
    others.append(keyed())
    monkeypatch.delenv("BIDKIT_TEMPLATE_SECONDS")
    monkeypatch.setattr(bidkit, "__version__", "99.0")
    others.append(keyed())
    assert len({base, *others}) == len(others) + 1
    assert keyed(jobs=2) == keyed(jobs=3)  # at most two processes: the same layout, the same file


def test_a_report_naming_files_is_printed_again_only_from_where_it_was_printed(bid, tmp_path, monkeypatch):
    """The key holds no path: a copy of the bid folder elsewhere takes the entry, unless what the
    build printed named files (a check's report: relative to the current folder)."""
    from bidkit.render.cache import lookup

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "copy"
    shutil.copytree(bid, copy)

    def entry(folder):
        return lookup(folder, tmp_path / "out.pdf", draft=True, variant="pdf", bid_variant=None, jobs=1)

    for named in (False, True):
        first = entry(bid)
        first.keep(b"%PDF-1.7", {**first.inputs([bid / "bid.yaml"], [], named_files=named), "pages": 1},
                   outputs=[tmp_path / "out.pdf"])
        assert entry(copy).key == first.key
        assert (entry(copy).load() is not None) is not named
        assert entry(bid).load() is not None
        monkeypatch.chdir(bid)
        assert entry(Path(".")).key == first.key
        assert (entry(Path(".")).load() is not None) is not named
        monkeypatch.chdir(REPO)


def test_installed_libraries_change_the_key(keyed, tmp_path, monkeypatch):
    site = tmp_path / "lib" / "site-packages"
    (site / "somelib-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    before = keyed()
    (site / "somelib-1.0.dist-info").rename(site / "somelib-1.1.dist-info")  # an upgrade
    assert keyed() != before


def test_a_drafts_git_stamp_is_in_its_key(keyed, monkeypatch):
    import bidkit.gitinfo
    from bidkit.gitinfo import GitState

    states = iter([GitState("abc1234", dt.date(2026, 11, 1), False), GitState("abc1234", dt.date(2026, 11, 1), True)])
    monkeypatch.setattr(bidkit.gitinfo, "git_state", lambda folder: next(states))
    assert keyed(draft=True) != keyed(draft=True)  # a change elsewhere in the work tree: "mit Änderungen"
    monkeypatch.setattr(bidkit.gitinfo, "git_state", lambda folder: pytest.fail("a final build has no stamp"))
    keyed()


def test_an_entry_is_taken_only_while_its_inputs_outside_the_bid_folder_are_as_they_were(bid, tmp_path, monkeypatch):
    """bidkit's templates and a call file elsewhere are read once the bid is: the entry records them."""
    from bidkit.render.cache import lookup

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    call = tmp_path / "call.yaml"
    call.write_text("id: elsewhere\n", encoding="utf-8")

    def entry():
        return lookup(bid, tmp_path / "out.pdf", draft=False, variant="pdf", bid_variant=None, jobs=1)

    first = entry()
    first.keep(b"%PDF-1.7", {**first.inputs([bid / "bid.yaml", call], [templates], named_files=False), "pages": 1}, outputs=[tmp_path / "out.pdf"])
    assert entry().load() is not None
    with open(templates / "style.css", "a", encoding="utf-8") as css:
        css.write("\n/* changed */\n")
    assert entry().load() is None
    shutil.copy(REPO / "templates" / "style.css", templates / "style.css")
    assert entry().load() is not None
    call.write_text("id: changed\n", encoding="utf-8")
    assert entry().load() is None


# --- the store ----------------------------------------------------------------------------

def test_entries_are_verified(tmp_path):
    from bidkit.render.cache import BuildCache

    cache = BuildCache(tmp_path, 10**6)
    cache.store("k", b"%PDF-1.7 body", {"pages": 1})
    assert cache.load("k").data == b"%PDF-1.7 body"
    path = tmp_path / "k.entry"
    whole = path.read_bytes()
    for damaged in (whole[:-3], whole + b"x", whole.replace(b"body", b"bodY"), b"", whole.replace(b'"pages"', b'"pagez"')):
        path.write_bytes(damaged)
        assert cache.load("k") is None, damaged
    assert cache.load("missing") is None


def test_the_folder_stays_bounded_oldest_use_first(tmp_path):
    from bidkit.render.cache import BuildCache

    cache = BuildCache(tmp_path, 3500)
    for n, key in enumerate("abc"):
        cache.store(key, bytes(1000), {})
        os.utime(tmp_path / f"{key}.entry", (1000 + n, 1000 + n))
    assert cache.load("a") is not None  # a hit: "a" is now the newest
    cache.store("d", bytes(1000), {})
    assert sorted(path.stem for path in tmp_path.glob("*.entry")) == ["a", "c", "d"]
    assert sum(path.stat().st_size for path in tmp_path.iterdir()) <= 3500
    cache.store("huge", bytes(5000), {})  # larger than the whole cache: not kept, nothing evicted for it
    assert sorted(path.stem for path in tmp_path.glob("*.entry")) == ["a", "c", "d"]
    stale = tmp_path / ".left-over.part"
    stale.write_bytes(b"x")
    os.utime(stale, (1, 1))
    cache.evict()
    assert not stale.exists()


def test_where_the_cache_lives(tmp_path, monkeypatch):
    from bidkit.paths import cache_dir
    from bidkit.render.cache import BuildCache

    monkeypatch.delenv("BIDKIT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "bidkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "bidkit"
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "bid" / "cache"))
    assert BuildCache.for_bid(tmp_path / "bid") is None  # never inside the bid folder
    assert BuildCache.for_bid(tmp_path / "other").folder == (tmp_path / "bid" / "cache" / "pdf").resolve()


# --- hyphenation patterns (pyphen internals, pinned with WeasyPrint 70) ----------------------

@pytest.mark.slow
def test_hyphenation_patterns_from_the_cache_hyphenate_alike(tmp_path, monkeypatch):
    """Fails loudly should pyphen's cache (hdcache, HyphDict's attributes) change."""
    import pyphen

    from bidkit.render import pdf

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path))
    path = pyphen.LANGUAGES[pyphen.language_fallback("de")]
    monkeypatch.setattr(pyphen, "hdcache", {})
    pdf._hyphenation()  # parsed, then stored
    parsed = pyphen.hdcache[path]
    [stored] = (tmp_path / "hyphenation").glob("*.pickle")
    monkeypatch.setattr(pyphen, "hdcache", {})
    pdf._hyphenation()  # from the stored copy
    loaded = pyphen.hdcache[path]
    assert loaded is not parsed and loaded.patterns == parsed.patterns and loaded.maxlen == parsed.maxlen
    assert pyphen.Pyphen(lang="de").hd is loaded  # what WeasyPrint asks for
    words = ["Finanzierungsplan", "Unterstützerliste", "Digitalisierungsstrategie", "Ausgangslage", "Verwaltung"]
    fresh = pyphen.HyphDict(path)
    assert [loaded.positions(word) for word in words] == [fresh.positions(word) for word in words]
    stored.write_bytes(stored.read_bytes()[:-10])  # damaged: parsed again, stored whole again
    monkeypatch.setattr(pyphen, "hdcache", {})
    pdf._hyphenation()
    assert pyphen.hdcache[path].patterns == parsed.patterns
    assert pdf._read_patterns(stored) is not None


def test_the_stored_patterns_never_load_a_class(tmp_path):
    import pickle

    from bidkit.render import pdf

    payload = pickle.dumps((Path("x"), 1))
    stored = tmp_path / "evil.pickle"
    stored.write_bytes(pdf._PATTERNS_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    assert pdf._read_patterns(stored) is None


def test_no_collection_restores_the_collector():
    import gc

    from bidkit.render import pdf

    assert gc.isenabled()
    with pdf._no_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf._no_collection():
            pass
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_page_references_are_pydyfs():
    """The kept page references equal what pydyf 0.13 computes, also after a page is added."""
    import pydyf

    from bidkit.render import pdf

    document = pydyf.PDF()
    for _ in range(3):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert document.page_references == pdf._PYDYF_PAGE_REFERENCES.fget(document) == (b"3 0 R", b"4 0 R", b"5 0 R")
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert document.page_references == pdf._PYDYF_PAGE_REFERENCES.fget(document)
    assert len(document.page_references) == 4


def test_weasyprint_is_imported_with_the_library_search_restored():
    import ctypes.util

    from bidkit.render import pdf

    assert pdf.weasyprint.HTML and ctypes.util.find_library.__module__ == "ctypes.util"
