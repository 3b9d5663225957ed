"""A bid folder is untrusted input: one test per attack class (annex PDFs: test_hostile_annexes.py).

Each case makes a bid folder as an attacker would and asserts what bidkit guarantees: it reads
nothing outside the bid folder and its templates, writes nothing but the requested outputs,
runs no program, does not hang, and answers with a located finding or a one-line error and an
exit code — never a traceback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.loader import load_bid
from conftest import EXAMPLE, check_here, edit, line_of, run_bidkit

SECRET = "GEHEIM-7f3a9c"  # what an attacker wants in the PDF or the report


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the bid folder that must never be read."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(f"title: {SECRET}\nsecret: {SECRET}\n", encoding="utf-8")
    return path


def no_traceback(run) -> None:
    assert "Traceback" not in run.stderr + run.stdout, run.stderr


def use_theme(bid: Path, extra: str) -> None:
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', f'  accent_color: "#6f8fb0"\n{extra}')


def theme_template(bid: Path, text: str, name: str = "sections/vision.html.j2") -> Path:
    path = bid / "theme" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if "templates: theme/templates" not in (bid / "bid.yaml").read_text(encoding="utf-8"):
        use_theme(bid, "  templates: theme/templates\n")
    return path


def html_of(bid: Path) -> str:
    """The document's HTML, rendered in-process (no WeasyPrint) as the build renders it."""
    from bidkit.render.build import document_html

    return document_html(load_bid(bid), draft=True, annex_list=[])


# --- critical: templates see plain data only ---------------------------------------------------

def walk(value, path="context"):
    """Every value reachable from the template context, with where it is."""
    from bidkit.render.context import Record

    yield path, value
    if isinstance(value, (Record, dict)):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def test_template_context_holds_plain_data_only(bid):
    from bidkit.render.build import open_points
    from bidkit.render.context import PLAIN_TYPES, AnnexEntry, build_context
    from bidkit.render.theme import ThemeContext

    use_theme(bid, "  templates: theme\n  stylesheet: theme/logo.svg\n")
    loaded = load_bid(bid)
    context = build_context(
        loaded.bid, loaded.call, theme=ThemeContext.of(loaded.bid.theme, bid, "Wolfsburg"),
        annexes=[AnnexEntry(1, "MoU", "anlagen/mou.pdf", None, 2)], draft=True, stamp="x",
        open_points=open_points(loaded.findings, bid), build_date=dt.datetime(2017, 3, 14),
    )
    seen = 0
    for where, value in walk(context):
        seen += 1
        assert type(value) in (*PLAIN_TYPES, bool, dt.datetime, Decimal) or type(value).__name__ == "Markup", (where, type(value))
        assert not isinstance(value, os.PathLike) and not dataclasses.is_dataclass(value), where
    assert seen > 500  # the whole bid is in there, not a stub
    assert context["bid"].city.name == "Wolfsburg" and context["budget"].total_costs == Decimal(500000)


@pytest.mark.parametrize("payload", [
    "{{ theme.templates.joinpath('../../outside/secret.yaml').read_text() }}",
    "{{ theme.templates.joinpath('x').write_text('pwned') }}",
    "{{ bid.__class__.__mro__[-1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ bid.model_dump() }}{{ bid.budget.model_copy }}",
    "{{ build_date.__class__ }}{{ charts[0].__class__ }}",
    "{% include '../outside/secret.yaml' %}",
    "{% include '/etc/passwd' %}",
    "{{ bid.city.name.format.__globals__ }}",
])
def test_template_cannot_reach_files_or_programs(bid, tmp_path, secret, payload, monkeypatch):
    from bidkit.errors import RenderError

    theme_template(bid, payload)
    monkeypatch.chdir(tmp_path)  # restored after the test: the next test of this process may be any file's
    try:
        html = html_of(bid)
    except RenderError as exc:
        assert "theme/templates/sections/vision.html.j2, line 1" in exc.message
        html = exc.message
    assert SECRET not in html and "root:" not in html
    assert not (tmp_path / "PWNED").exists() and not (bid / "theme" / "templates" / "x").exists()


# --- critical: nothing configured by the bid folder runs -------------------------------------------

@pytest.mark.slow
def test_draft_stamp_runs_nothing_from_the_repository(drafts_in_git):
    # The repository is armed only after the commit (so setting it up ran nothing), with an
    # uncommitted change: see `drafts_in_git` in conftest.py (test_theme_and_drafts.py reads the same draft).
    bid, markers, run = drafts_in_git.dirty.folder, drafts_in_git.markers, drafts_in_git.dirty.run
    config = (bid / ".git" / "config").read_text(encoding="utf-8")
    assert all(f"touch {marker}" in config for marker in markers[:2]) and (bid / ".git/hooks/post-index-change").exists()
    assert (bid / ".gitattributes").read_text(encoding="utf-8") == "* filter=x\n"
    assert run.code == 0, run.stderr
    assert not any(marker.exists() for marker in markers)
    from conftest import pdf_text

    assert f"Commit {drafts_in_git.commit} vom 10.03.2017, mit Änderungen" in pdf_text(drafts_in_git.dirty.pdf)[0]


def test_git_state_reads_untracked_and_ignored_files_as_git_does(bid):
    from bidkit.gitinfo import git_state

    environment = {"PATH": "/usr/bin:/bin", "HOME": str(bid.parent)}
    git = ["git", "-C", str(bid), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True, env=environment)
    (bid / ".gitignore").write_text("build/\n*.tmp\n", encoding="utf-8")
    subprocess.run([*git, "add", "."], check=True, env=environment)
    subprocess.run([*git, "commit", "-q", "-m", "bid"], check=True, env=environment)
    assert git_state(bid).dirty is False
    (bid / "build").mkdir()
    (bid / "build" / "out.pdf").write_text("x")
    (bid / "notes.tmp").write_text("x")
    assert git_state(bid).dirty is False  # ignored
    os.mkfifo(bid / "anlagen" / "pipe.tmp")
    assert git_state(bid).dirty is False  # ignored, and never opened
    (bid / "anlagen" / "neu.pdf").write_text("x")
    assert git_state(bid).dirty is True  # untracked
    (bid / "anlagen" / "neu.pdf").unlink()
    edit(bid / "budget.yaml", "note", "note", 1)
    os.utime(bid / "budget.yaml", (1, 1))  # same content, other time: still clean
    assert git_state(bid).dirty is False
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")
    assert git_state(bid).dirty is True


# --- high: every file a bid names stays inside the bid folder ----------------------------------------

def test_yaml_file_linked_to_outside_is_refused(bid, secret):
    (bid / "extra.yaml").symlink_to(secret)
    run = check_here(str(bid), "--format", "json")
    no_traceback(run)
    finding = next(f for f in run.json()["findings"] if f["rule"] == "FIL002")
    assert finding["file"].endswith("extra.yaml") and "outside the bid folder" in finding["message"]
    assert SECRET not in run.stdout and run.code == 1


@pytest.mark.parametrize("call", ["../outside/secret.yaml", "{secret}", "linked-call.yaml", "loop.yaml", "fifo.yaml", "anlagen/"])
def test_call_file_must_be_a_regular_file_inside(bid, secret, call):
    (bid / "linked-call.yaml").symlink_to(secret)
    (bid / "loop.yaml").symlink_to(bid / "loop.yaml")
    os.mkfifo(bid / "fifo.yaml")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", f"call: {call.format(secret=secret)}")
    run = check_here(str(bid), "--format", "json")
    no_traceback(run)
    at_call = [f for f in run.json()["findings"] if f["path"] == "call"]
    assert [f["rule"] for f in at_call] == ["FIL002"], at_call
    assert at_call[0]["line"] == line_of(bid / "bid.yaml", "call:")
    assert SECRET not in run.stdout


def test_theme_template_linked_to_outside_is_refused(bid, tmp_path, secret):
    (bid / "theme" / "templates" / "sections").mkdir(parents=True)
    (bid / "theme" / "templates" / "sections" / "vision.html.j2").symlink_to(secret)
    use_theme(bid, "  templates: theme/templates\n")
    run = check_here(str(bid), "--format", "json")
    finding = next(f for f in run.json()["findings"] if f["rule"] == "THM001")
    assert "sections/vision.html.j2" in finding["message"] and "outside the bid folder" in finding["message"]
    out = tmp_path / "draft.pdf"
    run = run_bidkit("build", str(bid), "--draft", "-o", str(out))
    assert run.code == 3 and "theme template" in run.stderr and "outside the bid folder" in run.stderr
    no_traceback(run)
    assert SECRET not in run.stderr and not out.exists()


#: Each place the bid can name a FIFO, and its FIFO's name in the bid's theme folder.
FIFOS = {"stylesheet": "pipe-css", "svg image": "pipe-svg", "logo": "pipe-logo", "annex": "pipe-annex"}
#: The places set up in one bid, built once: the logo's FIFO replaces the SVG logo the "svg image"
#: case reads, so it is in another bid (conftest.py's `edited_draft`).
FIFO_BIDS = [("stylesheet", "svg image", "annex")]


def fifo_bid(bid: Path, where: str) -> None:
    """A FIFO named by the bid in one of the ways the renderer or loader would open it."""
    pipe = FIFOS[where]
    os.mkfifo(bid / "theme" / pipe)
    if where == "stylesheet":
        (bid / "theme" / "extra.css").write_text(f'.cover {{ background: url("{pipe}"); }}\n', encoding="utf-8")
        use_theme(bid, "  stylesheet: theme/extra.css\n")
    elif where == "svg image":
        (bid / "theme" / "logo.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
            f'<image xlink:href="{pipe}" width="10" height="10"/></svg>', encoding="utf-8")
    elif where == "logo":
        edit(bid / "bid.yaml", "logo: theme/logo.svg", f"logo: theme/{pipe}")
    elif where == "annex":
        edit(bid / "bid.yaml", "file: anlagen/kennzahlen.csv", f"file: theme/{pipe}")


@pytest.fixture(scope="module")
def fifo_drafts(tmp_path_factory, request):
    """``fifo_drafts(where)``: (the bid folder, the run of `build --draft`) of the bid of FIFO_BIDS
    that holds the FIFO at ``where`` (the logo's: conftest.py's `edited_draft`); each bid built once."""
    runs: dict[tuple, tuple] = {}

    def get(where: str):
        if where == "logo":
            draft = request.getfixturevalue("edited_draft")
            return draft.folder, draft.run
        group = next(group for group in FIFO_BIDS if where in group)
        if group not in runs:
            root = tmp_path_factory.mktemp("fifo")
            shutil.copytree(EXAMPLE, root / "bid")
            for place in group:
                fifo_bid(root / "bid", place)
            # run_bidkit times out after 300 s
            runs[group] = root / "bid", run_bidkit("build", str(root / "bid"), "--draft", "-o", str(root / "draft.pdf"))
        return runs[group]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("where", list(FIFOS))
def test_fifo_never_hangs_the_build(fifo_drafts, where):
    bid, run = fifo_drafts(where)
    pipe = FIFOS[where]
    assert (bid / "theme" / pipe).is_fifo()
    no_traceback(run)
    assert run.code == 0, run.stderr
    if where in ("logo", "annex"):
        check = run_bidkit("check", str(bid), "--format", "json")
        finding = next(f for f in check.json()["findings"] if pipe in f["message"])
        assert "FIFO" in finding["message"] and finding["rule"] in ("THM001", "ANX001")
    else:
        assert "refused to load" in run.stderr and pipe in run.stderr


# --- high: rendering is bounded -------------------------------------------------------------------

@pytest.mark.parametrize("payload, reason", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "range()"),
    ("{% for a in bid.partners %}" * 4 + "{{ 'x' * 1000000 }}" + "{% endfor %}" * 4, "HTML exceeds"),
    ("{{ 'x' * 1000000000 }}", "too large"),
    ("{{ 'x' | center(1000000000) }}", "too large"),
    ("{{ '%1000000000s' % 'x' }}", "too large"),
    ("{{ '{:>1000000000}'.format('x') }}", "too large"),
    ("{{ 99 ** 99999999 }}", "exponent"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion"),
])
def test_rendering_is_bounded_and_names_the_template_line(bid, payload, reason):
    from bidkit.errors import RenderError

    theme_template(bid, "<p>Vision</p>\n" + payload)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(_render_error(bid)), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "rendering did not stop"
    assert isinstance(result[0], RenderError), result
    assert "theme/templates/sections/vision.html.j2, line 2" in result[0].message and reason in result[0].message


def _render_error(bid):
    try:
        html_of(bid)
    except Exception as exc:  # noqa: BLE001 - returned to the test thread
        return exc
    return None


@pytest.mark.slow
def test_endless_template_stops_with_exit_3_naming_the_line(bid, tmp_path, monkeypatch):
    theme_template(bid, "<p>Vision</p>\n{% for a in bid.partners %}" * 1 + "{% for b in bid.partners %}" * 15
                   + "{% endfor %}" * 16)
    run = run_bidkit("build", str(bid), "--draft", "-o", str(tmp_path / "x.pdf"), env={"BIDKIT_TEMPLATE_SECONDS": "1"})
    no_traceback(run)
    assert run.code == 3
    assert "theme/templates/sections/vision.html.j2, line 2" in run.stderr and "longer than 1 s" in run.stderr


# --- medium: never destroy a file ---------------------------------------------------------------------

@pytest.mark.parametrize("option, target", [
    ("-o", "budget.yaml"), ("--html", "bid.yaml"), ("-o", "anlagen/mou-wolfsburgdigital.pdf"),
    ("--html", "theme/logo.svg"), ("-o", "new.yaml"), ("--html", "theme/templates/x.html"),
])
def test_outputs_never_replace_an_input(bid, option, target):
    use_theme(bid, "  templates: theme/templates\n")
    (bid / "theme" / "templates").mkdir()
    before = {p: p.read_bytes() for p in bid.rglob("*") if p.is_file()}
    args = ["build", str(bid), option, str(bid / target)] + (["-o", str(bid.parent / "x.pdf")] if option == "--html" else [])
    run = run_bidkit(*args)
    assert run.code == 2 and "input of the bid" in run.stderr, run.stderr
    no_traceback(run)
    assert {p: p.read_bytes() for p in bid.rglob("*") if p.is_file()} == before


def test_output_onto_a_link_to_an_input_or_a_fifo_is_refused(bid, tmp_path):
    (tmp_path / "link.pdf").symlink_to(bid / "budget.yaml")
    os.mkfifo(tmp_path / "pipe.pdf")
    budget = (bid / "budget.yaml").read_bytes()
    assert run_bidkit("build", str(bid), "-o", str(tmp_path / "link.pdf")).code == 2
    run = run_bidkit("build", str(bid), "-o", str(tmp_path / "pipe.pdf"))
    assert run.code == 2 and "not a regular file" in run.stderr
    assert run_bidkit("build", str(bid), "-o", "/dev/null").code == 2
    assert (bid / "budget.yaml").read_bytes() == budget and (tmp_path / "pipe.pdf").is_fifo()


@pytest.mark.slow
def test_concurrent_builds_to_one_output_leave_one_valid_pdf(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "bid.pdf"
    command = [sys.executable, "-m", "bidkit", "build", str(EXAMPLE), "-o", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
            for _ in range(2)]
    assert all(run.wait(300) == 0 for run in runs)
    assert len(PdfReader(out).pages) == 14
    assert [p.name for p in tmp_path.iterdir()] == ["bid.pdf"]  # no temporary file left behind


# --- low: no traceback, clear words -----------------------------------------------------------------

@pytest.mark.parametrize("file, words", [
    ('"anlagen/mou\\0.pdf"', "NUL byte"),
    ("anlagen/" + "x" * 300 + ".pdf", "too long"),
    ("anlagen/" + "d/" * 700 + "x.pdf", "longer than"),
    ("anlagen/loop.pdf", "loop of symbolic links"),
    ("anlagen", "is a folder"),
])
def test_odd_paths_give_located_findings(bid, file, words):
    (bid / "anlagen" / "loop.pdf").symlink_to(bid / "anlagen" / "loop.pdf")
    edit(bid / "mou.yaml", "file: anlagen/mou-wolfsburgdigital.pdf", f"file: {file}")
    edit(bid / "bid.yaml", "logo: theme/logo.svg", f"logo: {file}")
    run = check_here(str(bid), "--format", "json")
    no_traceback(run)
    assert run.code == 1
    located = {(f["rule"], Path(f["file"]).name, f["line"]) for f in run.json()["findings"] if words in f["message"]}
    assert located == {("ANX001", "mou.yaml", line_of(bid / "mou.yaml", "file:")),
                       ("THM001", "bid.yaml", line_of(bid / "bid.yaml", "logo:"))}, run.stdout


@pytest.mark.slow
def test_template_error_names_the_file_and_line(bid, tmp_path):
    theme_template(bid, "<p>eins</p>\n<p>zwei</p>\n{{ range(10000000) }}\n")
    run = run_bidkit("build", str(bid), "--draft", "-o", str(tmp_path / "x.pdf"))  # a final build: THM005 first
    no_traceback(run)
    assert run.code == 3
    assert "template error in theme/templates/sections/vision.html.j2, line 3" in run.stderr
    [finding] = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "THM005"]
    assert finding["file"].endswith("theme/templates/sections/vision.html.j2") and finding["line"] == 3, finding


def test_template_syntax_error_names_the_file_and_line(bid):
    from bidkit.errors import RenderError

    theme_template(bid, "<p>eins</p>\n{% if %}\n")
    with pytest.raises(RenderError, match=r"theme/templates/sections/vision.html.j2, line 2"):
        html_of(bid)


@pytest.mark.parametrize("field, name, content, words", [
    ("logo", "theme/logo.png", b"<html>not a png</html>", "is not a PNG image"),
    ("logo", "theme/fake.svg", b"\x89PNG\r\n\x1a\n....", "is not an SVG image"),
    ("font", "theme/font.ttf", b"<!DOCTYPE html><html>404</html>", "is not a font file"),
])
def test_files_that_are_not_what_their_name_says(bid, field, name, content, words):
    (bid / name).write_bytes(content)
    if field == "logo":
        edit(bid / "bid.yaml", "logo: theme/logo.svg", f"logo: {name}")
    else:
        use_theme(bid, f"  font_family: Haus\n  fonts: [{{file: {name}}}]\n")
    run = check_here(str(bid), "--format", "json")
    finding = next(f for f in run.json()["findings"] if f["rule"] == "THM001")
    assert words in finding["message"] and finding["line"] == line_of(bid / "bid.yaml", name)


def test_check_pdf_whose_outline_points_at_no_page(bid, tmp_path, example_pdf):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject, NullObject

    writer = PdfWriter(clone_from=PdfReader(example_pdf))
    first = writer.root_object["/Outlines"]["/First"].get_object()
    first.pop(NameObject("/A"), None)
    first[NameObject("/Dest")] = ArrayObject([NullObject(), NameObject("/Fit")])
    broken = tmp_path / "broken.pdf"
    with broken.open("wb") as stream:
        writer.write(stream)
    run = check_here(str(bid), "--pdf", str(broken), "--format", "json")
    no_traceback(run)
    assert run.code in (0, 1) and run.json()["pages"]


def test_pdf_that_is_not_a_pdf(bid, tmp_path):
    (tmp_path / "x.pdf").write_text("%PDF-1.7 nothing else")
    run = check_here(str(bid), "--pdf", str(tmp_path / "x.pdf"))
    no_traceback(run)
    assert run.code == 2 and "cannot read PDF" in run.stderr


@pytest.mark.parametrize("kind", ["--example", "--city"])
def test_init_force_never_writes_through_a_link(tmp_path, secret, kind):
    target = tmp_path / "neu"
    target.mkdir()
    (target / "bid.yaml").symlink_to(secret)  # a file link: replaced, not written through
    before = secret.read_bytes()
    args = ["--example"] if kind == "--example" else ["--city", "Paderborn", "--call", "bitkom-digitale-stadt-2017"]
    run = run_bidkit("init", str(target), "--force", *args)
    assert run.code == 0, run.stderr
    assert secret.read_bytes() == before and not (target / "bid.yaml").is_symlink()
    (tmp_path / "elsewhere").mkdir()
    linked = tmp_path / "neu2"
    linked.mkdir()
    (linked / "anlagen").symlink_to(tmp_path / "elsewhere")  # a folder link leading out: refused
    run = run_bidkit("init", str(linked), "--force", "--example")
    no_traceback(run)
    assert run.code == 2 and "leads outside" in run.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("file, old, new, words", [
    ("bid.yaml", "  date: 2017-02-22", "  date: 0", "not a date written as YYYY-MM-DD"),
    ("bid.yaml", "submission_date: 2017-03-14", "submission_date: 2017-03-14T00:00:00.000000001", "not a date"),
    ("bid.yaml", "population: 124000", 'population: "124.000"', "not a whole number"),
    ("bid.yaml", "population: 124000", "population: true", "not a whole number"),
    ("bid.yaml", "population: 124000", "population: 0x1E460", "not a whole number"),
    ("bid.yaml", "population: 124000", "population: " + "9" * 4400, "not a whole number"),
    ("budget.yaml", "  total: 500000\n  note", "  total: 0o1720440\n  note", "not a plain amount"),
    ("budget.yaml", "  total: 500000\n  note", "  total: " + "9" * 40 + "\n  note", "digits"),
])
def test_values_bidkit_cannot_read_exactly_are_errors(bid, file, old, new, words):
    edit(bid / file, old, new)
    run = check_here(str(bid), "--format", "json")
    no_traceback(run)
    found = [f for f in run.json()["findings"] if words in f["message"]]
    assert run.code == 1 and found and found[0]["rule"] == "SCH001", run.stdout[:2000]
    assert found[0]["line"] == line_of(bid / file, new.strip().splitlines()[0][:30])


def test_kpi_values_that_are_ambiguous_or_absurd(bid):
    edit(bid / "goals.yaml", "baseline: {value: 15, year: 2016}", "baseline: {value: 150.000, year: 2016}")
    edit(bid / "goals.yaml", "target: {value: 60, year: 2019}", "target: {value: 1e999999999, year: 2019}")
    run = check_here(str(bid), "--format", "json")
    no_traceback(run)
    lines = {f["line"]: f["message"] for f in run.json()["findings"] if f["rule"] == "SCH001"}
    assert "ambiguous" in lines[line_of(bid / "goals.yaml", "value: 150.000")]
    assert "too large" in lines[line_of(bid / "goals.yaml", "value: 1e999999999")]


def test_aliases_of_long_text_are_bounded(bid):
    import re

    long = "Wort " * 200_000
    decisions = "\n".join(["  decisions:", f'    - &big "{long}"', *["    - *big"] * 200])
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    block = re.search(r"  decisions:\n(    - .*\n)+", text)
    (bid / "bid.yaml").write_text(text[:block.start()] + decisions + "\n" + text[block.end():], encoding="utf-8")
    run = check_here(str(bid), "--format", "json")
    no_traceback(run)
    finding = next(f for f in run.json()["findings"] if f["rule"] == "YML001")
    assert "characters of text" in finding["message"] and finding["file"].endswith("bid.yaml")


def test_no_output_replaces_a_device_the_schema_or_the_repository(bid, tmp_path):
    assert run_bidkit("schema", "-o", "/dev/null").code == 2 and Path("/dev/null").is_char_device()
    assert run_bidkit("schema", "-o", str(bid / "bid.yaml")).code == 2
    (bid / ".git").mkdir()
    for target in (bid / ".git" / "config", bid / "bid.schema.json"):
        run = run_bidkit("build", str(bid), "-o", str(target))
        assert run.code == 2 and "input of the bid" in run.stderr, target


def test_file_names_with_control_characters_stay_out_of_reports(bid):
    import xml.dom.minidom

    os.mkfifo(bid / "a<b>&\x01\x1b[31m.yaml")
    junit = check_here(str(bid), "--format", "junit")
    xml.dom.minidom.parseString(junit.stdout.encode())  # well-formed XML, no raw \x01
    for output in ("text", "github", "json"):
        run = check_here(str(bid), "--format", output)
        assert "\x1b" not in run.stdout and "\x01" not in run.stdout and "\\x1b" in run.stdout, output


def test_csv_export_keeps_formulas_as_text(bid, tmp_path):
    edit(bid / "measures.yaml", "title: ", 'title: "=HYPERLINK(\\"http://127.0.0.1:9/\\",\\"klick\\")" #', 1)
    run = run_bidkit("export", str(bid), "--format", "csv", "-o", str(tmp_path / "csv"), "--draft")
    assert run.code == 0, run.stderr
    text = (tmp_path / "csv" / "massnahmen.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and "\n=HYPERLINK" not in text


@pytest.mark.parametrize("payload", [
    '{% set s = "x" * 100000 %}{% set big = ([s] * 20000) | join %}<p>{{ big | length }}</p>',
    '{% macro d(s, n) %}{% if n > 0 %}{{ d(s ~ s, n - 1) }}{% else %}{{ s | length }}{% endif %}{% endmacro %}{{ d("x" * 1000000, 12) }}',
])
def test_templates_cannot_build_gigabytes(bid, payload):
    from bidkit.errors import RenderError

    theme_template(bid, "<p>Vision</p>\n" + payload)
    with pytest.raises(RenderError, match=r"vision.html.j2, line 2: the template builds values larger than"):
        html_of(bid)


def test_a_prepared_git_folder_cannot_hang_the_draft(bid, tmp_path, monkeypatch):
    monkeypatch.setattr("bidkit.gitinfo.TIME_LIMIT", 1.0)  # the reading child is given up after 1 s, not 10
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    git = ["git", "-C", str(bid), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True, env=environment)
    subprocess.run([*git, "add", "."], check=True, env=environment)
    subprocess.run([*git, "commit", "-q", "-m", "bid"], check=True, env=environment)
    (bid / ".git" / "config").unlink()
    os.mkfifo(bid / ".git" / "config")
    from bidkit.gitinfo import git_state

    assert git_state(bid) is None  # bounded: the child reading .git is given up, no stamp
    elsewhere = tmp_path / "elsewhere"
    subprocess.run(["git", "init", "-q", str(elsewhere)], check=True, env=environment)
    (bid / ".git" / "config").unlink()
    shutil.rmtree(bid / ".git")
    (bid / ".git").write_text(f"gitdir: {elsewhere / '.git'}\n")
    assert git_state(bid) is None  # a pointer to a repository elsewhere is not followed


@pytest.mark.slow
def test_layout_that_never_ends_stops_with_exit_3(bid, tmp_path):
    # 30,000 paragraphs (some 660 pages): no machine lays them out in 1 s (100,000 cost ~2.5 s more CPU to render and parse)
    theme_template(bid, "{% for i in range(30000) %}<p>{{ i }}</p>{% endfor %}")
    out = tmp_path / "x.pdf"
    run = run_bidkit("build", str(bid), "--draft", "-o", str(out), env={"BIDKIT_LAYOUT_SECONDS": "1"})
    no_traceback(run)
    assert run.code == 3 and "WeasyPrint took longer than 1 s to lay out the pages" in run.stderr
    assert not out.exists()


#: Links of a theme's template: to a file, a script, the web, mail, and a relative one.
THEME_LINKS = ('<p><a href="file:///etc/passwd">Datei</a> <a href="javascript:alert(1)">Skript</a> '
               '<a href="https://example.org/a">Web</a> <a href="mailto:a@example.org">Post</a> '
               '<a href="anlage.pdf">relativ</a></p>\n')


def test_theme_links_lead_only_to_web_and_mail_addresses(themed):
    """A theme template's links to files or scripts are dropped from the PDF and named, like an
    annex's: only http(s) and mailto links (and the document's own) reach the submission."""
    import pikepdf

    # conftest.py's `themed`: the vision template of test_theme_and_drafts.own_theme with THEME_LINKS.
    run, out = themed.run, themed.pdf
    no_traceback(run)
    assert run.code == 0, run.stderr
    with pikepdf.open(out) as pdf:
        uris = {str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if "/A" in annot and "/URI" in annot.A}
    assert uris == {"https://example.org/a", "mailto:a@example.org"}
    for refused in ("file:///etc/passwd", "javascript:alert(1)"):
        assert f"refused to load {refused}" in run.stderr
