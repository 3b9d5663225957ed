"""`bidkit build` in three processes (bidkit/render/staged.py, issue 12): a worker checks the
bid and renders the HTML, a layout process imports WeasyPrint meanwhile and lays out, the command
line's process makes the final file. The same bytes as one process, the layout process without
the check's libraries, a worker's error reaching the command line as it was raised."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from bidkit.errors import EXIT_RENDER, RenderError
from conftest import EXAMPLE, REPO

def test_the_command_line_lays_out_without_the_checks_libraries_and_writes_the_one_process_bytes(example_pdf, probed_build,
                                                                                                 tmp_path):
    """conftest.py's `probed_build`: the example built by the command line, noting which of the
    check's libraries the process that lays out has loaded (test_build_memory.py reads the same build)."""
    from bidkit.check import check_bid
    from bidkit.render.build import build_pdf

    assert probed_build.run.code == 0, probed_build.run.stderr
    layout = probed_build.layout
    assert layout["loaded"] == []  # neither the bid's models, YAML, Jinja, Babel nor pypdf where the boxes live
    assert layout["apart"]  # laid out in a process of its own
    result, loaded = check_bid(EXAMPLE)
    one = build_pdf(loaded, tmp_path / "one.pdf", draft=False, findings=result.findings, jobs=1)
    assert probed_build.pdf.read_bytes() == one.path.read_bytes() == example_pdf.read_bytes()


class _Steps:
    def __init__(self):
        self.names = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def step(self, name):
        self.names.append(name)


def _refuses(step):
    step("Reading annexes")
    raise RenderError("template error in theme/templates/x.html.j2, line 3: 'y' is undefined",
                      "Fix the template at that line (theme templates live in the bid folder).")


def _breaks(step):
    raise ZeroDivisionError("a bug")


def _dies(step):
    os._exit(9)


def _stops(step):
    return 1, None  # a refused build: the worker printed why


def _run(prepare_name: str):
    """``staged.run`` with one of the prepares above, in a fresh process that may fork."""
    import test_staged_build as here
    from bidkit.render import staged

    assert staged.can_fork()
    steps = _Steps()
    try:
        return "returned", staged.run(getattr(here, prepare_name), lambda: steps), steps.names
    except BaseException as exc:  # noqa: BLE001 - what reached the command line
        return (type(exc).__name__, getattr(exc, "message", str(exc)), getattr(exc, "hint", None),
                getattr(exc, "exit_code", None), getattr(exc, "__notes__", []), steps.names)


def run_spawned(prepare_name: str):
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_run, prepare_name).result(timeout=120)


def test_an_error_in_the_worker_reaches_the_command_line_as_raised():
    kind, message, hint, code, _notes, steps = run_spawned("_refuses")
    assert (kind, code) == ("RenderError", EXIT_RENDER)
    assert message == "template error in theme/templates/x.html.j2, line 3: 'y' is undefined"
    assert hint == "Fix the template at that line (theme templates live in the bid folder)."
    assert steps == ["Reading annexes"]


def test_a_bug_in_the_worker_shows_where_it_happened():
    kind, message, _hint, _code, notes, _steps = run_spawned("_breaks")
    assert (kind, message) == ("ZeroDivisionError", "a bug")
    assert any("_breaks" in note for note in notes)


def test_a_worker_that_dies_is_a_render_error_not_a_hang():
    kind, message, _hint, code, _notes, _steps = run_spawned("_dies")
    assert (kind, code) == ("RenderError", EXIT_RENDER)
    assert "worker ended unexpectedly" in message


def test_a_refused_build_returns_the_workers_facts_and_builds_nothing():
    assert run_spawned("_stops") == ("returned", (1, None), [])


def _sections_of_two_processes(folder: str, out: str):
    from pathlib import Path

    from bidkit.check import check_bid
    from bidkit.pdfcheck import section_pages
    from bidkit.render.build import build_pdf

    result, loaded = check_bid(Path(folder))
    steps: list[str] = []
    built = build_pdf(loaded, Path(out), draft=False, findings=result.findings, jobs=2, step=steps.append)
    return built.sections, section_pages(Path(out)), steps


@pytest.mark.slow
def test_a_layout_in_two_processes_knows_its_sections_without_reading_the_file(example_pdf, tmp_path):
    from bidkit.pdfcheck import section_pages

    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        sections, read, steps = pool.submit(_sections_of_two_processes, str(EXAMPLE), str(tmp_path / "two.pdf")).result()
    assert "Writing PDF (11 pages, laid out in 2 processes)" in steps
    assert sections == read == section_pages(example_pdf)
    assert list(sections) == list(read)  # in document order


#: Runs the command line, noting when a layout process starts.
STARTS = textwrap.dedent("""
    import sys
    import bidkit.render.staged as staged

    original, noted = staged._layout_process, sys.argv[1]

    def layout_process(conn):
        with open(noted, "a", encoding="utf-8") as out:
            out.write("started\\n")
        return original(conn)

    staged._layout_process = layout_process
    sys.argv = ["bidkit", *sys.argv[2:]]
    from bidkit.cli import main

    main()
""")


def test_a_rebuild_from_the_cache_starts_no_layout_process(tmp_path):
    noted, out = tmp_path / "starts.txt", tmp_path / "out.pdf"
    env = {**os.environ, "NO_COLOR": "1", "BIDKIT_CACHE_DIR": str(tmp_path / "cache")}

    def build(*options: str) -> str:
        proc = subprocess.run([sys.executable, "-c", STARTS, str(noted), "build", str(EXAMPLE), "-o", str(out), *options],
                              cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "from the cache" not in build()
    assert noted.read_text(encoding="utf-8") == "started\n"  # no entry: laid out
    assert "from the cache" in build()
    assert noted.read_text(encoding="utf-8") == "started\n"  # WeasyPrint was not even imported


def test_the_command_line_checks_the_page_limit_with_the_rule_as_plain_data(tmp_path):
    import pickle
    import types

    from bidkit.pdfcheck import page_limit_findings
    from bidkit.rules.document import PAGE_LIMIT

    plain = pickle.loads(pickle.dumps(types.SimpleNamespace(code=PAGE_LIMIT.code, severity=PAGE_LIMIT.severity,
                                                            hint=PAGE_LIMIT.hint)))
    pages = {"Deckblatt": 1, "Maßnahmen": 9, "Kosten": 14, "Anlage 1: Brief": 40}
    found = page_limit_findings(tmp_path / "bid.pdf", 20, pages, plain)
    assert found == page_limit_findings(tmp_path / "bid.pdf", 20, pages)
    assert [(f.rule, f.message) for f in found] == [("PDF001", "the document has 24 pages; the call allows 20 "
                                                                "(longest: Kosten 14, Maßnahmen 9, Deckblatt 1)")]
