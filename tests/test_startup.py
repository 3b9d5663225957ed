"""Start-up of `bidkit check` and `bidkit --help` (issue 12): what they must not import, and that
the cheaper ways they print and judge give exactly what the slower ones gave.

The ratios against the import floor are printed by benchmarks/bench_check.py (no timed tests).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bidkit import annexes
from bidkit.annexes import PdfAnnexError, pdf_annex_verdict
from bidkit.check import check_bid
from bidkit.markup import NeedsRich, PlainConsole, escape, plain
from bidkit.report.text import TextReporter

from conftest import EXAMPLE, REPO

#: Imported by `check` and `--help` before issue 12, and not needed by them.
HEAVY = ("rich", "babel", "pypdf", "pikepdf", "weasyprint", "importlib.metadata", "markupsafe")

#: The modules are printed by an exit handler: with one registered, `check` ends the usual way
#: (bidkit.launch._finish) and runs it.
PROBE = (
    "import atexit, sys, runpy\n"
    "sys.argv = ['bidkit'] + sys.argv[1:]\n"
    "atexit.register(lambda: print('MODULES ' + ' '.join(sorted(sys.modules)), file=sys.stderr))\n"
    "runpy.run_module('bidkit', run_name='__main__')\n"
)


def probe(*args: str, cache: Path) -> tuple[str, set[str]]:
    """Run the command line in a fresh process: (its output, the modules it imported)."""
    env = {**os.environ, "BIDKIT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, env=env)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("MODULES "), proc.stderr
    return proc.stdout, set(last.split()[1:])


def heavy(modules: set[str]) -> set[str]:
    return {name for name in HEAVY if name in modules}


def test_help_imports_none_of_the_heavy_libraries(tmp_path):
    for args in (["--help"], ["check", "--help"]):
        output, modules = probe(*args, cache=tmp_path)
        assert "check" in output or "--format" in output
        assert heavy(modules) == set(), args
        assert "bidkit.models" not in modules, args  # help builds no models


def test_check_imports_none_of_them_once_the_annexes_are_judged(tmp_path):
    first, modules = probe("check", str(EXAMPLE), cache=tmp_path / "cache")
    # The first check reads the two PDF annexes (pypdf) and inspects them (pikepdf) ...
    assert {"pypdf", "pikepdf"} <= modules
    assert heavy(modules) <= {"pypdf", "pikepdf", "babel"}
    assert len(list((tmp_path / "cache" / "annexes").glob("*.json"))) == 2
    # ... every later one takes the verdicts from the cache and says the same.
    again, modules = probe("check", str(EXAMPLE), cache=tmp_path / "cache")
    assert heavy(modules) <= {"babel"}  # BUD007's amount is formatted by Babel (German formats come from Babel)
    assert again == first
    assert "500.000\u00a0€" in again


def test_a_changed_annex_is_judged_again(bid, tmp_path):
    cache = tmp_path / "cache"
    probe("check", str(bid), cache=cache)
    annex = bid / "anlagen" / "unterstuetzung-ostfalia.pdf"
    annex.write_bytes(annex.read_bytes()[:-200])  # cut off: no %%EOF at its end
    output, _ = probe("check", str(bid), cache=cache)
    assert "ANX003" in output and "'anlagen/unterstuetzung-ostfalia.pdf' is not a readable PDF: the file is cut off" in output


def test_a_damaged_cache_entry_is_a_miss(tmp_path):
    cache = tmp_path / "cache"
    first, _ = probe("check", str(EXAMPLE), cache=cache)
    entries = sorted((cache / "annexes").glob("*.json"))
    entries[0].write_text('{"problem": 3}')
    entries[1].write_text("not json")
    again, modules = probe("check", str(EXAMPLE), cache=cache)
    assert again == first and "pypdf" in modules  # judged anew, and the entries replaced
    assert [json.loads(entry.read_text())["problem"] for entry in entries] == [None, None]


def test_a_verdict_of_the_moment_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    pdf = tmp_path / "annex.pdf"
    shutil.copy(EXAMPLE / "anlagen" / "unterstuetzung-ostfalia.pdf", pdf)

    def stalls(data: bytes):
        raise PdfAnnexError("reading it took longer than 30 s (it is damaged or built to stall)", transient=True)

    monkeypatch.setattr(annexes, "_clean_copy", stalls)
    annexes._read_pdf_annex.cache_clear()
    annexes._verdict.cache_clear()
    try:
        assert pdf_annex_verdict(pdf).problem.startswith("reading it took longer")
        assert not list((tmp_path / "cache").rglob("*.json"))
    finally:
        annexes._read_pdf_annex.cache_clear()
        annexes._verdict.cache_clear()


def test_cache_folder_that_cannot_be_written_is_no_cache(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(blocked))
    annexes._verdict.cache_clear()
    try:
        verdict = pdf_annex_verdict(EXAMPLE / "anlagen" / "unterstuetzung-ostfalia.pdf")
    finally:
        annexes._verdict.cache_clear()
    assert verdict.problem is None and verdict.pages >= 1


# --- plain text without rich --------------------------------------------------------------

def rich_text(print_into) -> str:
    """What a rich Console without colour prints (as TextReporter printed before issue 12)."""
    from rich.console import Console

    buffer = io.StringIO()
    print_into(Console(file=buffer, force_terminal=False, no_color=True, highlight=False, soft_wrap=True, width=120))
    return buffer.getvalue()


TRICKY = [
    "plain", "", "[", "]", "[]", "[[x]]", "a [bold] b", "[/]", "x\\", "x\\\\", "\\[bold]", "\\\\[bold]", "[red]x[/red]",
    "[link=https://example.org]x", "[@click]", "C:\\Pfad\\", "ein ] und ein [", "[#ff0000]", "[/bold]", "ümlaut „Anführung“ €",
    "\x1b[31mansi", "zwei\nZeilen", "  Einzug  ", "a[b]c", "[0]", "measures[3].cost", "[A-Z]", "[bold red]",
]
RICH_ONLY = [":bus:", "Bus :smile: und", "Uhrzeit 10:30:00", "a\tb", "a\rb", "a\x07b"]


@pytest.mark.parametrize("text", TRICKY + RICH_ONLY)
def test_plain_console_prints_what_rich_prints(text):
    from rich.markup import escape as rich_escape

    assert escape(text) == rich_escape(text)
    for markup in (escape(text), f"[bold]{escape(text)}[/]", f"  [dim]{escape(text)} |[/] {escape(text)}",
                   f"[green]hint:[/] {escape(text)}"):
        expected = rich_text(lambda console: console.print(markup))
        try:
            assert plain(markup) + "\n" == expected, markup
        except NeedsRich:
            assert any(part in text for part in (":", "\t", "\r", "\x07")), markup


@pytest.mark.parametrize("text", RICH_ONLY)
def test_what_only_rich_prints_goes_to_rich(text):
    with pytest.raises(NeedsRich):
        plain(escape(text))


def assert_plain_report_is_richs(result, where) -> None:
    """The plain report of ``result`` equals rich's, finding for finding (unless it is one that
    rich prints itself)."""
    reporter = TextReporter()
    plain_console = PlainConsole()
    try:
        reporter.print(result, plain_console)
    except NeedsRich:
        return  # rendered by rich itself
    assert plain_console.text() == rich_text(lambda console: reporter.print(result, console)), where
    assert reporter.render(result) == plain_console.text()


def test_text_report_without_colour_is_what_rich_printed():
    """Both examples; every corpus case is compared by test_rules.py's test_corpus_case, on the
    result it checks anyway (the cases were checked a second time here)."""
    for folder in (EXAMPLE, REPO / "examples" / "paderborn"):
        assert_plain_report_is_richs(check_bid(folder)[0], folder)


def test_emoji_codes_in_a_message_are_printed_by_rich(bid):
    manifest = bid / "bid.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + "\nunknown_key_with_:bus:_inside: 1\n", encoding="utf-8")
    result, _ = check_bid(bid)
    reporter = TextReporter()
    assert reporter.render(result) == rich_text(lambda console: reporter.print(result, console))


def test_a_sound_bid_makes_no_model_for_broken_ones():
    """The loader's ``Bid`` with optional sections is made for a broken bid only (a model class costs its creation)."""
    script = ("from bidkit.check import check_bid; from bidkit import loader; from pathlib import Path; "
              f"result, _ = check_bid(Path({str(EXAMPLE)!r})); "
              "print(result.complete, loader._any_sections.cache_info().currsize)")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert proc.stdout.split() == ["True", "0"], proc.stderr


def test_the_bounds_constants_cost_no_import_of_what_the_bounds_use():
    """`check` reads bidkit.limits' constants (PDF002, THM001); the deadline's and the forked
    child's modules (pickle, signal, threading, resource, select) load only when a bound is used."""
    import subprocess
    import sys

    code = ("import sys; before = set(sys.modules); import bidkit.limits; "
            "print(sorted({'pickle', 'signal', 'threading', 'resource', 'select'} & (set(sys.modules) - before)))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"

