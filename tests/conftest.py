"""Shared fixtures: a fresh copy of the example bid, the real CLI, and PDF read-back."""

from __future__ import annotations

import re
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    """Run the real command line (`python -m bidkit`) in a subprocess; its rebuild cache is an
    empty folder of its own unless ``env`` names one (BIDKIT_CACHE_DIR), so runs stay independent."""
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update({"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    with tempfile.TemporaryDirectory(prefix="bidkit-cache-") as cache:
        if not (env and "BIDKIT_CACHE_DIR" in env):
            environment["BIDKIT_CACHE_DIR"] = cache
        proc = subprocess.run(
            [sys.executable, "-m", "bidkit", *args], cwd=cwd or REPO, env=environment,
            capture_output=True, text=True, timeout=300,
        )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(autouse=True, scope="session")
def _no_user_cache(tmp_path_factory):
    """Whatever else runs bidkit in the tests (in-process builds, other subprocesses) uses a
    cache folder of the session, never the user's."""
    previous = os.environ.get("BIDKIT_CACHE_DIR")
    os.environ["BIDKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("bidkit-cache"))
    yield
    if previous is None:
        os.environ.pop("BIDKIT_CACHE_DIR", None)
    else:
        os.environ["BIDKIT_CACHE_DIR"] = previous


def build_once(folder: Path, tmp_path_factory, name: str) -> tuple[Path, Run]:
    """Build ``folder`` into a fresh folder of the session: (the PDF's path, the run)."""
    out = tmp_path_factory.mktemp(name) / f"{name}.pdf"
    return out, run_bidkit("build", str(folder), "-o", str(out))


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory) -> Path:
    out, run = build_once(EXAMPLE, tmp_path_factory, "example")
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
def paderborn_pdf(tmp_path_factory) -> Path:
    """The second example, built once for all tests that read it."""
    out, run = build_once(PADERBORN, tmp_path_factory, "paderborn")
    assert run.code == 0, run.stderr
    assert f"PDF written: {out}" in run.stdout
    return out


@pytest.fixture(scope="session")
def large_bid(tmp_path_factory) -> Path:
    """The generated large bid (benchmarks/generate_bid.py with its defaults: 500 supporters, millions)."""
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
def large_pdf(large_bid, tmp_path_factory) -> Path:
    out, run = build_once(large_bid, tmp_path_factory, "large")
    # It is written, then the page limit fails on purpose (PDF001: 46 pages of 30).
    assert run.code == 0 or (run.code == 1 and "PDF001" in run.stderr and f"PDF written: {out}" in run.stdout), run.stderr
    return out


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
