"""Shared fixtures: a fresh copy of the example bid, the real CLI, and PDF read-back."""

from __future__ import annotations

import re
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "bid_data"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_bidkit(*args: str, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run the real command line (`python -m bidkit`) in a subprocess; its cache is a folder of its
    own unless ``env`` names one (BIDKIT_CACHE_DIR), so runs stay independent: a copy of the run's
    warm cache (`warm_copy`: no PDF in it, so every build lays out), else empty."""
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update({"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    with tempfile.TemporaryDirectory(prefix="bidkit-cache-") as cache:
        if not (env and "BIDKIT_CACHE_DIR" in env):
            environment["BIDKIT_CACHE_DIR"] = warm_copy(cache)
        proc = subprocess.run(
            [sys.executable, "-m", "bidkit", *args], cwd=cwd or REPO, env=environment,
            capture_output=True, text=True, timeout=300,
        )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def check_here(*args: str, cwd: Path | None = None) -> Run:
    """`bidkit check ARGS`, run in this process: the command line's own ``main`` (the same options,
    reporters, exit codes and messages as `run_bidkit("check", …)`) without starting Python and
    importing bidkit again (~0.7 s of CPU a run). For the tests of a rule or a report; the tests of
    the command line itself run the real command (`run_bidkit`: tests/test_cli.py and others).
    Environment, current folder, ``sys.argv`` and the cycle collector (`check` turns it off and
    freezes the objects) are as before afterwards."""
    import contextlib
    import gc
    import io

    from bidkit import cli

    stdout, stderr = io.StringIO(), io.StringIO()
    environment, argv, collecting = dict(os.environ), sys.argv, gc.isenabled()
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    os.environ.update({"NO_COLOR": "1", "COLUMNS": "200"})
    code = 0
    try:
        with tempfile.TemporaryDirectory(prefix="bidkit-cache-") as cache, contextlib.chdir(cwd or REPO), \
                contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            os.environ["BIDKIT_CACHE_DIR"] = cache
            sys.argv = ["bidkit", "check", *args]
            try:
                cli.main()
            except SystemExit as exit:
                code = 0 if exit.code is None else exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.argv = argv
        os.environ.clear()
        os.environ.update(environment)
        gc.unfreeze()
        if collecting:
            gc.enable()
    return Run(code, stdout.getvalue(), stderr.getvalue())


#: The cache folder `warm_cache` filled for this run (None until then: `run_bidkit` starts empty).
_WARM: Path | None = None


def warm_copy(folder: str) -> str:
    """``folder`` (an empty cache folder) filled with a copy of the run's warm cache, if there is one."""
    if _WARM is not None:
        shutil.copytree(_WARM, folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(autouse=True, scope="session")
def warm_cache(tmp_path_factory):
    """What any `check` or `build` keeps in the cache folder besides PDFs (the models' kept schemas,
    the compiled patterns, the read YAML files, Babel's numbers, the hyphenation patterns), made
    once per run by a check and a build of the examples: each `run_bidkit` starts from a copy,
    not from nothing (~0.2 s of CPU a check, ~0.5 s a build: the state of any second run of
    bidkit on a machine). No rebuilt PDF is in it: a build lays out as in an empty folder. The
    tests of these caches name folders of their own (BIDKIT_CACHE_DIR)."""
    global _WARM

    def warm() -> Path:
        folder = tmp_path_factory.mktemp("warm-cache")
        env = {"BIDKIT_CACHE_DIR": str(folder)}
        for args in (["check", str(EXAMPLE)], ["check", str(PADERBORN)], ["build", str(EXAMPLE), "--no-cache", "-o",
                                                                                  str(folder.parent / "warm.pdf")]):
            run = run_bidkit(*args, env=env)
            assert run.code == 0, run.stderr
        assert not (folder / "pdf").exists()
        return folder

    _WARM = shared(tmp_path_factory, "warm_cache", warm)
    yield _WARM
    _WARM = None


@pytest.fixture(autouse=True, scope="session")
def _no_user_cache(tmp_path_factory):
    """Whatever else runs bidkit in the tests (in-process builds, other subprocesses) uses a
    cache folder of the session, never the user's."""
    previous = os.environ.get("BIDKIT_CACHE_DIR")
    os.environ["BIDKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("bidkit-cache"))
    # One layout process unless a test asks for more: builds compared byte for byte stay so on
    # any machine load (`--jobs` chooses by the idle cores; tests/test_jobs_auto.py tests that).
    os.environ.setdefault("BIDKIT_JOBS", "1")
    yield
    if previous is None:
        os.environ.pop("BIDKIT_CACHE_DIR", None)
    else:
        os.environ["BIDKIT_CACHE_DIR"] = previous


@pytest.hookimpl(wrapper=True)  # around xdist's own hook, which reads the groups (`--dist loadgroup`)
def pytest_collection_modifyitems(config, items):
    """In several processes (pyproject.toml: `--dist loadgroup`) each test goes to the process
    that is free, except that the tests using a fixture their file keeps beyond one test (a build
    of scope class, module or session) form one group, run by one process, so that it is made
    once (this file's session fixtures are made once for all processes: `shared`). The slow tests
    and the groups holding one start first, each file's tests in their order: the long ones run
    at once, rather than last with the other process idle."""
    for item in items:
        module = item.nodeid.split("::")[0]
        if any(definitions[-1].scope != "function" and definitions[-1].baseid.split("::")[0] == module
               for definitions in item._fixtureinfo.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
    slow_groups = {group(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: group(item) not in slow_groups)
    yield
    if config.getoption("loadgroup", False):  # a process of the run (xdist sets this option there)
        for item in items:
            name = item.get_closest_marker("xdist_group")
            if name is not None and not item.nodeid.endswith(f"@{name.args[0]}"):
                carry_group(item, name.args[0])


def carry_group(item, name: str) -> None:
    """Give ``item``'s id the suffix ``@name`` by which xdist's scheduler keeps a group in one
    process. xdist (3.8) writes it to ``item._nodeid``, which pytest 9.2 no longer reads (its ids
    are structured: ``item._id``): every test was scheduled alone, and each process built the
    fixtures of scope module again (pytest-xdist issue 1386). The structured id stays as it was;
    only its text gets the suffix, as xdist meant. tests/test_suite8_groups.py sees when it is lost."""
    import dataclasses

    suffixed = f"{item.nodeid}@{name}"
    structured = getattr(item, "_id", None)
    if structured is None or not dataclasses.is_dataclass(structured):
        item._nodeid = suffixed  # an older pytest, whose xdist hook did not see the mark
        return
    copy = dataclasses.replace(structured)
    object.__setattr__(copy, "_str_cache", suffixed)  # NodeId is frozen; str() reads this text
    item._id = copy
    assert item.nodeid == suffixed, "pytest's node ids changed: see carry_group in tests/conftest.py"


def group(item) -> str:
    """The unit one process runs: the item's xdist group, else the item itself."""
    marker = item.get_closest_marker("xdist_group")
    return marker.args[0] if marker else item.nodeid


def shared(tmp_path_factory, name: str, make: Callable[[], T]) -> T:
    """``make()``, once per test run for all processes: the suite runs in several (pytest-xdist,
    see pyproject.toml), and a session fixture runs once in each. The first to ask makes it under
    a file lock and leaves the result (pickled: paths, runs) for the others; without xdist this
    process is the only one, and the fixture's session scope is enough."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return make()
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent / "shared"  # the run's folder, above each worker's
    root.mkdir(exist_ok=True)
    stored = root / f"{name}.pickle"
    with FileLock(root / f"{name}.lock"):
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        value = make()
        stored.write_bytes(pickle.dumps(value))
        return value


def build_once(folder: Path, tmp_path_factory, name: str) -> tuple[Path, Run]:
    """Build ``folder`` into a fresh folder of the session: (the PDF's path, the run)."""
    out = tmp_path_factory.mktemp(name) / f"{name}.pdf"
    return out, run_bidkit("build", str(folder), "-o", str(out))


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory) -> Path:
    out, run = shared(tmp_path_factory, "example_pdf", lambda: build_once(EXAMPLE, tmp_path_factory, "example"))
    assert run.code == 0, run.stderr
    assert f"PDF written: {out}" in run.stdout
    # Only infos: one line for the team building the PDF, not the reviewer's full report;
    # then the steps of the build with their times.
    lines = run.stderr.strip().splitlines()
    assert lines[0] == "check: no errors or warnings (2 info; `bidkit check` shows them)"
    assert [line.split(maxsplit=1)[1].rsplit(None, 1)[0].strip() for line in lines[1:]] == [
        "Loading WeasyPrint", "Reading annexes", "Rendering HTML", "Laying out pages (WeasyPrint)",
        "Writing PDF (11 pages)", "Writing the final file (2 PDF annex(es) appended)"]
    assert "(14 pages, pdf/a-3a+ua-1, 2 PDF annex(es) appended, 1 file(s) embedded)" in run.stdout
    return out


PADERBORN = REPO / "examples" / "paderborn"


@pytest.fixture(scope="session")
def paderborn_pdf(built) -> Path:
    """The second example, built once for all tests that read it (in-process, by `built`, whose
    layout also serves the other PDF variants in test_pdf_validation.py)."""
    from bidkit.render.build import PDF_VARIANTS

    return built("paderborn", PDF_VARIANTS[0])


@pytest.fixture(scope="session")
def large_bid(tmp_path_factory) -> Path:
    """The generated large bid (benchmarks/generate_bid.py with its defaults: 500 supporters, millions)."""
    return shared(tmp_path_factory, "large_bid", lambda: generated_bid(tmp_path_factory))


def generated_bid(tmp_path_factory) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate_bid import add_size_options, generate
    finally:
        sys.path.pop(0)
    import argparse

    parser = argparse.ArgumentParser()
    add_size_options(parser)
    sizes = parser.parse_args([])
    folder = tmp_path_factory.mktemp("large") / "bid"
    generate(folder, sizes.measures, sizes.budget_lines, sizes.partners, sizes.kpis, sizes.years, sizes.supporters,
             sizes.line_amount)
    return folder


@pytest.fixture(scope="session")
def large_pdf(built) -> Path:
    """The large bid's PDF, built in-process like `paderborn_pdf` (46 pages: over the call's
    limit of 30, which the page limit check, not the build, reports)."""
    from bidkit.render.build import PDF_VARIANTS

    return built("large", PDF_VARIANTS[0])


@pytest.fixture
def bid(tmp_path: Path) -> Path:
    """A writable copy of the example bid."""
    target = tmp_path / "bid"
    shutil.copytree(EXAMPLE, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file; fail loudly when ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based number of the ``nth`` line of ``path`` containing ``needle``."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not {nth} times in {path}"
    return hits[nth - 1]


def pdf_text(path: Path) -> list[str]:
    """Text of each page, read back from the PDF; no-break spaces read as spaces."""
    from pypdf import PdfReader

    return [page.extract_text().replace("\u00a0", " ") for page in PdfReader(path).pages]


def outline(path: Path) -> list[tuple[str, int]]:
    """Top-level bookmarks of a PDF: (title, 0-based page index)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline if not isinstance(item, list)]


def resolved(obj):
    from pypdf.generic import IndirectObject

    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def pdf_fonts(path: Path, pages: slice = slice(None)) -> dict[str, bool]:
    """Every font the ``pages`` and their form XObjects (e.g. SVG charts) use: name → embedded."""
    from pypdf import PdfReader

    found: dict[str, bool] = {}

    def walk(resources, seen):
        resources = resolved(resources) or {}
        for font in (resolved(resources.get("/Font")) or {}).values():
            font = resolved(font)
            descendants = [resolved(d) for d in font.get("/DescendantFonts", [])] or [font]
            for part in descendants:
                descriptor = resolved(part.get("/FontDescriptor")) or {}
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(font.get("/BaseFont"))] = embedded or font.get("/Subtype") == "/Type3"
        for xobject in (resolved(resources.get("/XObject")) or {}).values():
            xobject = resolved(xobject)
            if id(xobject) not in seen and "/Resources" in xobject:
                seen.add(id(xobject))
                walk(xobject["/Resources"], seen)

    for page in PdfReader(path).pages[pages]:
        walk(page.get("/Resources"), set())
    return found


def unmarked(html: str) -> str:
    """The document's HTML without the marks that keep the bid's names whole (bidkit/render/names.py)."""
    return re.sub(r'<span class="proper-name">(.*?)</span>', r"\1", html)


# --- Shared builds ------------------------------------------------------------------------------
# WeasyPrint's layout is most of the suite's time: each build below is made once per session and
# read by the tests of several files (each test still asserts what it did with a build of its own).


@dataclass
class Build:
    """A CLI build: the bid folder it read, the PDF it wrote, and the run."""

    folder: Path
    pdf: Path
    run: Run


@pytest.fixture(scope="session")
def built(request, tmp_path_factory):
    """``built(bid, variant)``: the PDF of ``bid`` in ``variant``, built in-process; each bid
    is checked and laid out once per test run and written in every variant at once (the suite
    reads them all, and the processes of a run share them: `shared`).

    Bids: "example", "paderborn", "annexes" (the example with a scan as MoU and a tagged PDF/A
    letter) and "large" (the `large_bid` fixture)."""

    def annex_bid(folder: Path) -> Path:
        import annex_samples

        shutil.copytree(EXAMPLE, folder)
        (folder / "anlagen/mou-wolfsburgdigital.pdf").write_bytes(annex_samples.scan())
        (folder / "anlagen/unterstuetzung-ostfalia.pdf").write_bytes(annex_samples.tagged_pdfa())
        return folder

    folders = {"example": lambda: EXAMPLE, "paderborn": lambda: PADERBORN,
               "annexes": lambda: annex_bid(tmp_path_factory.mktemp("annexes") / "bid"),
               "large": lambda: request.getfixturevalue("large_bid")}
    files: dict[str, dict[str, Path]] = {}

    def every_variant(bid: str) -> dict[str, Path]:
        from bidkit.check import check_bid
        from bidkit.render.build import PDF_VARIANTS, lay_out, write_variant

        result, loaded = check_bid(folders[bid]())
        assert result.complete, [f.message for f in result.findings if f.severity.value == "error"]
        laid_out = lay_out(loaded, draft=False, variant=PDF_VARIANTS[0], findings=result.findings)
        out = tmp_path_factory.mktemp("out")
        written = {}
        for variant in PDF_VARIANTS:
            written[variant] = out / f"{bid}-{variant.replace('/', '_')}.pdf"
            write_variant(laid_out, written[variant], variant)
        return written

    def build(bid: str, variant: str) -> Path:
        if bid not in files:
            files[bid] = shared(tmp_path_factory, f"built-{bid}", lambda: every_variant(bid))
        return files[bid][variant]

    return build


@pytest.fixture(scope="session")
def example_copy_build(tmp_path_factory) -> Build:
    """A copy of the example built from the folder above it: `build bid --html out/bid.html --jobs 1`,
    so to the default output path (relative to that folder), in one layout process as asked
    (test_parallel.py; test_build.py compares it with `example_pdf`)."""
    return shared(tmp_path_factory, "example_copy_build", lambda: _example_copy_build(tmp_path_factory))


def _example_copy_build(tmp_path_factory) -> Build:
    cwd = tmp_path_factory.mktemp("example-copy")
    shutil.copytree(EXAMPLE, cwd / "bid")
    run = run_bidkit("build", "bid", "--html", "out/bid.html", "--jobs", "1", cwd=cwd)
    return Build(cwd / "bid", cwd / "build" / "wolfsburg-bitkom-digitale-stadt-2017.pdf", run)


@pytest.fixture(scope="session")
def short_call_build(tmp_path_factory) -> Build:
    """A copy of the example whose call (calls/short.yaml in the bid folder) allows 3 pages, built
    once into a cache folder of its own (``cache`` beside the bid): complete, and refused after
    the build (PDF001). test_build.py reads the run; test_cache.py builds it again, from that cache."""
    return shared(tmp_path_factory, "short_call_build", lambda: _short_call_build(tmp_path_factory))


def _short_call_build(tmp_path_factory) -> Build:
    from bidkit.loader import shipped_calls

    root = tmp_path_factory.mktemp("short-call")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    call = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("page_limit: 30", "page_limit: 3").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
    (bid / "calls").mkdir()
    (bid / "calls" / "short.yaml").write_text(call, encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: calls/short.yaml")
    out = root / "long.pdf"
    return Build(bid, out, run_bidkit("build", str(bid), "-o", str(out), env={"BIDKIT_CACHE_DIR": str(root / "cache")}))


@pytest.fixture(scope="session")
def edited_build(tmp_path_factory) -> Build:
    """A copy of the example with four edits that touch different parts, built once with --html
    beside the PDF and SOURCE_DATE_EPOCH set: a joint bid (test_joint_bid.joint: a partner
    municipality pays part of the own share), a full cover (test_cover.full_cover), markup and
    template syntax in the vision (test_build.hostile_vision) and KPI values in the millions
    (test_long_blocks.large_kpi_values). Each of those files asserts on it what it asserted on a
    build of its own."""
    return shared(tmp_path_factory, "edited_build", lambda: _edited_build(tmp_path_factory))


def _edited_build(tmp_path_factory) -> Build:
    from test_build import hostile_vision
    from test_cover import full_cover
    from test_joint_bid import joint
    from test_long_blocks import large_kpi_values

    root = tmp_path_factory.mktemp("edited")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    for edit_bid in (joint, full_cover, hostile_vision, large_kpi_values):
        edit_bid(bid)
    out = root / "bid.pdf"
    return Build(bid, out, run_bidkit("build", str(bid), "-o", str(out), "--html", str(out.with_suffix(".html")),
                                      env={"SOURCE_DATE_EPOCH": "1500000000"}))


@pytest.fixture(scope="session")
def edited_draft(tmp_path_factory) -> Build:
    """A copy of the example with six edits that touch different files and pages, built once
    with `--draft --html` (the HTML beside the PDF) and `--no-cache` (no key over a 65 MB file):
    five MoU parties (test_signatures.five_parties), costs from a workbook with a formula
    (test_minor_defects.costs_workbook), an emoji no font has in a measure's title
    (test_glyphs.emoji), picture bombs named by the theme's stylesheet
    (test_image_bombs.picture_bombs), an embedded annex too large to embed
    (test_fix_files.annex_too_large) and a FIFO as the logo (test_hostile.fifo_bid). Each of
    those files asserts on it what it asserted on a draft of its own."""
    return shared(tmp_path_factory, "edited_draft", lambda: _edited_draft(tmp_path_factory))


def _edited_draft(tmp_path_factory) -> Build:
    from test_fix_files import annex_too_large
    from test_glyphs import emoji
    from test_hostile import fifo_bid
    from test_image_bombs import picture_bombs
    from test_minor_defects import costs_workbook
    from test_signatures import five_parties

    root = tmp_path_factory.mktemp("edited-draft")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    for edit_bid in (five_parties, costs_workbook, emoji, picture_bombs, annex_too_large):
        edit_bid(bid)
    fifo_bid(bid, "logo")
    out = root / "draft.pdf"
    return Build(bid, out, run_bidkit("build", str(bid), "--draft", "--no-cache", "-o", str(out),
                                      "--html", str(out.with_suffix(".html"))))


@pytest.fixture(scope="session")
def themed(tmp_path_factory) -> Build:
    """The example with the city's own colour, font, stylesheet and vision template
    (test_theme_and_drafts.own_theme), the template also holding links of every kind
    (test_hostile.THEME_LINKS); built once with --html (bid.html beside the PDF)."""
    return shared(tmp_path_factory, "themed", lambda: _themed(tmp_path_factory))


def _themed(tmp_path_factory) -> Build:
    from test_hostile import THEME_LINKS
    from test_theme_and_drafts import own_theme

    root = tmp_path_factory.mktemp("themed")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    own_theme(bid, THEME_LINKS)
    run = run_bidkit("build", str(bid), "-o", str(root / "bid.pdf"), "--html", str(root / "bid.html"))
    return Build(bid, root / "bid.pdf", run)


@dataclass
class GitDrafts:
    """Two drafts of one copy of the example in a git repository (see `drafts_in_git`)."""

    commit: str  # the short hash
    clean: Build
    dirty: Build
    markers: list[Path]  # files the armed repository's programs would create


@pytest.fixture(scope="session")
def drafts_in_git(tmp_path_factory) -> GitDrafts:
    """The example committed to git (commit date 10.03.2017) and built --draft twice: ``clean`` as
    committed; then the repository is armed (core.fsmonitor, core.pager, a required clean/smudge
    filter for every file, a post-index-change hook: each would create one of ``markers``) and
    the budget's total made wrong (BUD002, not committed), and built --draft again: ``dirty``."""
    return shared(tmp_path_factory, "drafts_in_git", lambda: _drafts_in_git(tmp_path_factory))


def _drafts_in_git(tmp_path_factory) -> GitDrafts:
    root = tmp_path_factory.mktemp("git-drafts")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(root), "GIT_COMMITTER_DATE": "2017-03-10T12:00:00"}
    git = ["git", "-C", str(bid), "-c", "user.name=Test", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True, env=environment)
    subprocess.run([*git, "add", "."], check=True, env=environment)
    subprocess.run([*git, "commit", "-q", "-m", "bid", "--date", "2017-03-10T12:00:00"], check=True, env=environment)
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=True, capture_output=True, text=True,
                            env=environment).stdout.strip()
    clean = Build(bid, root / "clean.pdf", run_bidkit("build", str(bid), "--draft", "-o", str(root / "clean.pdf")))

    markers = [root / name for name in ("fsmonitor-ran", "filter-ran", "hook-ran")]
    with (bid / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(f'[core]\n\tfsmonitor = "touch {markers[0]}"\n\tpager = "touch {markers[2]}"\n'
                     f'[filter "x"]\n\tclean = "touch {markers[1]}"\n\tsmudge = "touch {markers[1]}"\n\trequired = true\n')
    (bid / ".gitattributes").write_text("* filter=x\n", encoding="utf-8")
    hook = bid / ".git" / "hooks" / "post-index-change"
    hook.write_text(f"#!/bin/sh\ntouch {markers[2]}\n", encoding="utf-8")
    hook.chmod(0o755)
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")  # an error, not committed
    dirty = Build(bid, root / "dirty.pdf", run_bidkit("build", str(bid), "--draft", "-o", str(root / "dirty.pdf")))
    return GitDrafts(commit, clean, dirty, markers)


@pytest.fixture(scope="session")
def draft_outside_git(tmp_path_factory) -> Build:
    """A copy of the example outside any git repository, built --draft: its MoU names a missing
    file (ANX001), and its letter (annex 3) is an office export with unembedded Helvetica (ANX006)."""
    return shared(tmp_path_factory, "draft_outside_git", lambda: _draft_outside_git(tmp_path_factory))


def _draft_outside_git(tmp_path_factory) -> Build:
    import annex_samples

    root = tmp_path_factory.mktemp("draft-outside-git")
    shutil.copytree(EXAMPLE, root / "bid")
    edit(root / "bid" / "mou.yaml", "file: anlagen/mou-wolfsburgdigital.pdf", "file: anlagen/fehlt.pdf")
    (root / "bid" / "anlagen" / "unterstuetzung-ostfalia.pdf").write_bytes(annex_samples.office_export())
    run = run_bidkit("build", str(root / "bid"), "--draft", "-o", str(root / "draft.pdf"),
                     env={"GIT_CEILING_DIRECTORIES": str(root)})
    return Build(root / "bid", root / "draft.pdf", run)


#: Runs the command line (bidkit.cli's typer app) and notes what its processes hold: the layout
#: process as it starts to lay out (``layout.json``: which of the check's libraries it has loaded),
#: the command line's process as it starts the final file (``final.json``).
PROBE = textwrap.dedent("""
    import json, os, sys
    import bidkit.render.staged as staged

    render, finish, noted, command_line = staged.render, staged.finish, sys.argv[1], os.getpid()
    # (pydantic's core is there: typer's option adapters load it to read the command line)
    CHECK_MODULES = ("bidkit.models", "bidkit.check", "bidkit.rules", "yaml", "jinja2", "babel", "pypdf")

    def note(name, facts):
        with open(os.path.join(noted, name), "w", encoding="utf-8") as out:
            json.dump(facts, out)

    def noting_render(*args, **kwargs):
        note("layout.json", {"apart": os.getpid() != command_line,
                             "loaded": sorted(name for name in CHECK_MODULES if name in sys.modules)})
        return render(*args, **kwargs)

    def noting_finish(staged_, written, *args, **kwargs):
        children = set()
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children", encoding="ascii") as listed:
                children |= set(listed.read().split())
        note("final.json", {"here": os.getpid() == command_line, "pikepdf": "pikepdf" in sys.modules,
                            "children": sorted(children), "pdf": len(written.data)})
        return finish(staged_, written, *args, **kwargs)

    staged.render, staged.finish = noting_render, noting_finish
    sys.argv = ["bidkit", *sys.argv[2:]]
    from bidkit.cli import main

    main()
""")


@dataclass
class ProbedBuild:
    """The example built by `PROBE` (--no-cache --jobs 1, TMPDIR a folder of its own): the run, the
    PDF, what the layout process and the command line's process held, and that folder."""

    run: Run
    pdf: Path
    layout: dict
    final: dict
    temporary: Path


@pytest.fixture(scope="session")
def probed_build(tmp_path_factory) -> ProbedBuild:
    """One probed build for tests/test_staged_build.py and tests/test_build_memory.py (each asserted
    the same on a build of its own)."""
    return shared(tmp_path_factory, "probed_build", lambda: _probed_build(tmp_path_factory))


def _probed_build(tmp_path_factory) -> ProbedBuild:
    root = tmp_path_factory.mktemp("probed")
    noted, out, temporary = root / "noted", root / "three.pdf", root / "tmp"
    noted.mkdir()
    temporary.mkdir()
    proc = subprocess.run([sys.executable, "-c", PROBE, str(noted), "build", str(EXAMPLE), "-o", str(out), "--no-cache",
                           "--jobs", "1"], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(temporary)})
    facts = {name: json.loads((noted / f"{name}.json").read_text(encoding="utf-8")) if (noted / f"{name}.json").exists()
             else None for name in ("layout", "final")}
    return ProbedBuild(Run(proc.returncode, proc.stdout, proc.stderr), out, facts["layout"], facts["final"], temporary)
