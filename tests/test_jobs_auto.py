"""`bidkit build` chooses one or two layout processes by itself (issue 12): two only when the
split pays for the idle cores measured; on one core it is the serial build; the rebuild cache
keys an automatic choice as one ("auto"), `--jobs N` given as N."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO, run_bidkit


class FixedMeter:
    """An IdleMeter that measured ``idle`` cores."""

    def __init__(self, idle: float):
        self.idle = idle

    def idle_cores(self) -> float:
        return self.idle


def _layout_kind(tmp_path: Path, html: str, idle: float) -> str:
    from bidkit.render import pdf
    from bidkit.render.fetcher import SandboxedFetcher

    document = pdf.layout(html, base=tmp_path, fetcher=SandboxedFetcher([tmp_path]), jobs=2, meter=FixedMeter(idle))
    kind = type(document).__name__
    if hasattr(document, "close"):
        document.close()
    return kind


@pytest.fixture(scope="module")
def layout_process():
    """A spawned process for the layouts below (the test process may hold foreign threads, which
    forbid the fork), one for the four cases: each spawn imported WeasyPrint again. The case that
    splits comes last: its second process forks only where no layout before left a thread."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.mark.parametrize(("sections", "idle", "kind"), [(16, 0.0, "Document"), (16, 0.5, "Document"), (2, 1.0, "Document"),
                                                       (16, 1.0, "Parts")])
def test_an_automatic_choice_splits_only_when_it_pays(layout_process, tmp_path, sections, idle, kind):
    from test_parallel import small_html

    assert layout_process.submit(_layout_kind, tmp_path, small_html(sections=sections), idle).result() == kind


def test_jobs_given_are_part_of_the_cache_key_an_automatic_choice_is_one_key(tmp_path, monkeypatch):
    from bidkit.render.cache import lookup

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    keys = {jobs: lookup(EXAMPLE, tmp_path / "out.pdf", draft=False, variant="pdf/a-3a+ua-1", bid_variant=None,
                         jobs=jobs).key for jobs in (None, 1, 2, 3)}
    assert keys[2] == keys[3]  # two parts at most
    assert len({keys[None], keys[1], keys[2]}) == 3


@pytest.fixture(scope="module")
def auto_build(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, dict]:
    """The example built as a user runs it (BIDKIT_JOBS=0: the automatic choice; conftest.py pins
    1 for the suite) into a cache folder of its own, on one core (taskset) where taskset is
    installed: (the run, the PDF, the environment). One build for the two tests below: the one-core
    build is also the first of the cache test, whose second build then chooses on all cores."""
    root = tmp_path_factory.mktemp("auto")
    out = root / "first.pdf"
    env = {**_environment(), "BIDKIT_JOBS": "0", "BIDKIT_CACHE_DIR": str(root / "cache")}
    one_core = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    proc = subprocess.run([*one_core, sys.executable, "-m", "bidkit", "build", str(EXAMPLE), "-o", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env=env)
    return proc, out, env


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("taskset"), reason="taskset (util-linux) is not installed")
def test_on_one_core_the_default_build_is_the_serial_one(example_pdf, auto_build):
    proc, out, _ = auto_build
    assert proc.returncode == 0, proc.stderr
    assert "Writing PDF (11 pages)" in proc.stderr and "2 processes" not in proc.stderr
    assert out.read_bytes() == example_pdf.read_bytes()


@pytest.mark.slow
def test_an_automatic_build_is_taken_from_the_cache_whatever_it_chose(auto_build, tmp_path):
    first, out, env = auto_build
    env = {key: env[key] for key in ("BIDKIT_JOBS", "BIDKIT_CACHE_DIR")}
    again = run_bidkit("build", str(EXAMPLE), "-o", str(tmp_path / "again.pdf"), env=env)
    assert first.returncode == 0 and again.code == 0, first.stderr + again.stderr
    assert "from the cache" in again.stdout
    assert (tmp_path / "again.pdf").read_bytes() == out.read_bytes()
    given = run_bidkit("build", str(EXAMPLE), "-o", str(tmp_path / "given.pdf"), "--jobs", "1", env=env)
    assert given.code == 0 and "from the cache" not in given.stdout  # --jobs given is another key


def _environment() -> dict:
    import os

    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update({"NO_COLOR": "1", "COLUMNS": "200"})
    return environment
