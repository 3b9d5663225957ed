"""Defects a sixth red team (rt6) found in a bid written from scratch: a Große Kreisstadt of
25,000 inhabitants with one partner."""

from __future__ import annotations

import re
from pathlib import Path
import shutil

import pytest

from bidkit.loader import load_bid
from bidkit.render import build
from conftest import EXAMPLE, check_here, edit


def _html(folder) -> str:
    loaded = load_bid(folder)
    _, _, entries = build._annexes(loaded, False)
    return build.document_html(loaded, draft=False, annex_list=entries, moment=build.build_datetime(loaded))


def _partners_sentence(html: str) -> str:
    return re.search(r"<p>([^<]*Partner unterst[^<]*)</p>", html).group(1)


@pytest.fixture
def copy(tmp_path):
    folder = tmp_path / "bid"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_the_partner_count_is_german_for_one_for_none_with_letters_and_for_all(copy):
    """„1 Partner unterstützen die Bewerbung; 1 davon …“ (D3)."""
    assert _partners_sentence(_html(copy)) == "5 Partner unterstützen die Bewerbung, alle mit schriftlicher Erklärung."
    text = (copy / "partners.yaml").read_text(encoding="utf-8")
    (copy / "partners.yaml").write_text(text[:text.index("  - id: ostfalia")], encoding="utf-8")
    assert _partners_sentence(_html(copy)) == "Ein Partner unterstützt die Bewerbung mit schriftlicher Erklärung."
    edit(copy / "partners.yaml", "    letter: {kind: letter_of_intent, date: 2016-12-05}\n", "")
    assert _partners_sentence(_html(copy)) == "Ein Partner unterstützt die Bewerbung."
    (copy / "partners.yaml").write_text(re.sub(r"    letter: \{kind: support[^\n]*\n", "", text), encoding="utf-8")
    assert _partners_sentence(_html(copy)) == "5 Partner unterstützen die Bewerbung, 1 davon mit schriftlicher Erklärung."
    (copy / "partners.yaml").write_text(re.sub(r"    letter: \{[^\n]*\n", "", text), encoding="utf-8")
    assert _partners_sentence(_html(copy)) == "5 Partner unterstützen die Bewerbung, keiner davon mit schriftlicher Erklärung."


def test_the_kind_under_a_funding_source_and_a_signatorys_role_hold_no_name_spans(copy):
    """„Eigenmittel der Großen Kreis|stadt“ (D2): a word in a span nested in another that starts a
    line (after the <br>) is broken anywhere by WeasyPrint 70; these lines are never hyphenated,
    so the names in them need no span."""
    edit(copy / "bid.yaml", "  name: Wolfsburg\n", "  name: Wolfsburg\n  official_name: Große Kreisstadt Wolfsburg\n")
    html = _html(copy)
    metas = re.findall(r'<span class="source-meta">(.*?)</span></th>', html)
    roles = re.findall(r'<span class="role">(.*?)</span></p>', html)
    assert metas and roles
    assert not [m for m in metas + roles if "proper-name" in m], metas + roles
    assert any(m.startswith("Eigenmittel der Großen Kreisstadt · ") for m in metas), metas
    assert '<span class="proper-name">Kreisstadt</span>' in html  # elsewhere names keep their span


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\u0085"])
def test_a_pasted_line_separator_is_named_at_its_line_and_column_as_an_editor_counts(copy, character):
    """U+2028, U+2029 and U+0085 break the line for YAML, not for an editor or grep: every later
    line number was off by one, and in a block text a false syntax error named another line (D7)."""
    from conftest import line_of

    text = (copy / "bid.yaml").read_text(encoding="utf-8")
    line = line_of(copy / "bid.yaml", "subtitle:")
    (copy / "bid.yaml").write_text(text.replace("subtitle: Bewerbung der", f"subtitle: Bewerbung{character}der", 1), encoding="utf-8")
    run = check_here(".", "--format", "json", cwd=copy)
    assert run.code == 1 and "Traceback" not in run.stderr
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "YML001"]
    assert (finding["line"], finding["column"]) == (line, len("subtitle: Bewerbung") + 1)
    assert f"U+{ord(character):04X}" in finding["message"] and "Replace it by a space" in finding["hint"]
    text_run = check_here(".", cwd=copy)
    assert "subtitle: Bewerbung\\u" in text_run.stdout or "subtitle: Bewerbung\\x85" in text_run.stdout


def test_a_cache_folder_inside_the_bid_folder_is_not_used(copy, tmp_path):
    """BIDKIT_CACHE_DIR inside the bid folder (a CI workspace cache beside a bid at the
    repository's root): Babel's and the hyphenation caches were written into the input folder, so
    every build changed it and none was ever cached (D8). bidkit warns and keeps this run's cache
    in a temporary folder, removed at its end."""
    from conftest import run_bidkit

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {"BIDKIT_CACHE_DIR": str(copy / ".cache"), "TMPDIR": str(temporary)}
    before = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    for command in (["check", "."], ["build", ".", "-o", str(tmp_path / "out.pdf")]):
        run = run_bidkit(*command, cwd=copy, env=env)
        assert run.code == 0, run.stderr
        assert "the cache folder" in run.stderr and "(BIDKIT_CACHE_DIR) lies inside the bid folder" in run.stderr
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == before
    assert not list(temporary.iterdir())  # the temporary cache is gone with the run


@pytest.mark.parametrize("damage", ["cut short", "woff2 of random bytes", "woff of random bytes"])
def test_a_damaged_theme_font_is_named(copy, damage):
    """A font cut short by a sync that stopped midway, or a WOFF2 whose data is no font: WeasyPrint
    draws with DejaVu Sans instead, without a word; `check` passed (D9)."""
    import random

    from conftest import line_of

    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").read_bytes()
    noise = random.Random(7).randbytes(20_000)
    data, name = {"cut short": (dejavu[:30_000], "S.ttf"), "woff2 of random bytes": (b"wOF2" + noise, "S.woff2"),
                  "woff of random bytes": (b"wOFF" + noise, "S.woff")}[damage]
    (copy / "theme" / name).write_bytes(data)
    (copy / "theme" / "ok.ttf").write_bytes(dejavu)
    edit(copy / "bid.yaml", '  accent_color: "#6f8fb0"\n',
         f'  accent_color: "#6f8fb0"\n  font_family: Stadtschrift\n  fonts:\n    - {{file: theme/{name}}}\n'
         f'    - {{file: theme/ok.ttf, weight: bold}}\n')
    run = check_here(".", "--format", "json", cwd=copy)
    assert run.code == 1 and "Traceback" not in run.stderr
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "THM001"]
    assert f"'theme/{name}' is a damaged font file" in finding["message"]
    assert finding["line"] == line_of(copy / "bid.yaml", f"file: theme/{name}")


PEOPLE = """contact:
  name: Gülşen Straßmüller
  role: Digitalkoordinatorin
  organisation: Stadt Wolfsburg
  email: g.strassmueller@stadt.wolfsburg.example
deputy_contact:
  name: Dr. Jürgen Öhlschläger
  role: Stellvertretung
  organisation: Stadt Wolfsburg
  email: j.oehlschlaeger@stadt.wolfsburg.example
"""


@pytest.mark.parametrize("sentence", [
    "Fragen beantwortet Herrn Öhlschläger im Hauptamt.",  # „wenden Sie sich an Herrn …“: the accusative and dative
    "Fragen beantwortet Hrn. Öhlschläger im Hauptamt.",
    "Fragen beantwortet G. Straßmüller im Hauptamt.",
    "Fragen beantwortet G.Straßmüller im Hauptamt.",
    "Fragen beantwortet Straßmüller, G. im Hauptamt.",
    "Fragen beantwortet Gülşen S. im Hauptamt.",
    "Fragen beantwortet Frau STRASSMÜLLER im Hauptamt.",  # ß is ss in any case, as in the build's final search
    "Fragen beantwortet Frau Strassmüller im Hauptamt.",
])
def test_check_finds_a_removed_person_in_the_forms_letters_use(copy, sentence):
    """rt6 D10: „Herrn Öhlschläger“ and „G. Straßmüller“ passed check and the public build;
    „Frau STRASSMÜLLER“ passed check and the build refused it."""
    from bidkit.check import check_bid

    text = (copy / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    public = "public_contact:\n    office: Stadt Wolfsburg\n    email: info@stadt.wolfsburg.example\n"
    (copy / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    edit(copy / "bid.yaml", "vision: |\n", f"vision: |\n  {sentence}\n")
    if "public_contact" not in text:
        edit(copy / "bid.yaml", "city:\n", f"city:\n  {public}")
    result, _ = check_bid(copy)
    assert [f for f in result.findings if f.rule == "VAR002" and f.path == ("vision",)], sentence


def test_names_that_only_begin_alike_are_no_removed_person(copy):
    from bidkit.check import check_bid

    text = (copy / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    (copy / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    edit(copy / "bid.yaml", "vision: |\n", "vision: |\n  Herrn Öhlschlägerstraße, G. Straßmüllerweg und die Gülşen-S.-Straße.\n")
    result, _ = check_bid(copy)
    assert [f.message for f in result.findings if f.rule == "VAR002"] == []
    # a genitive names the person („Herrn Öhlschlägers Nachfolger“): the build's search of the PDF finds it too (rt7)
    edit(copy / "bid.yaml", "Herrn Öhlschlägerstraße", "Herrn Öhlschlägers Nachfolger")
    result, _ = check_bid(copy)
    assert len([f for f in result.findings if f.rule == "VAR002"]) == 1


@pytest.mark.parametrize("form", ["text", "sarif", "github"])
def test_a_report_to_a_file_in_another_encoding_is_utf8_not_a_traceback(copy, form):
    """`bidkit check bid > bericht.txt` where the locale's encoding is cp1252 (Windows): the text
    report's ✓ and SARIF's „→“ raised UnicodeEncodeError (D17)."""
    import subprocess
    import sys

    edit(copy / "bid.yaml", "population: 124000", "population: 250000")  # a finding: CI has something to say
    env = {key: value for key, value in __import__("os").environ.items() if key != "SOURCE_DATE_EPOCH"}
    run = subprocess.run([sys.executable, "-m", "bidkit", "check", str(copy), "--format", form],
                         env={**env, "PYTHONIOENCODING": "cp1252", "NO_COLOR": "1"}, capture_output=True)
    assert run.returncode == 1 and b"Traceback" not in run.stderr, run.stderr
    text = run.stdout.decode("utf-8")  # UTF-8, whatever the locale said
    assert "ELI001" in text and ("✗" in text or form != "text")


@pytest.mark.parametrize("wrapped", [
    "<span hidden>{}</span>", "<del>{}</del>", "<s>{}</s>", "<strike>{}</strike>", "<sup><sup><small>{}</small></sup></sup>",
    '<font size="1">{}</font>', "<template>{}</template>", "<details><summary>siehe Anlage</summary>{}</details>",
    '<bdo dir="rtl">{}</bdo>', '<span dir="rtl">{}</span>', "<noscript>{}</noscript>",
])
def test_a_theme_template_cannot_hide_strike_or_shrink_a_figure_with_html(copy, wrapped):
    """THM006 compared the numbers' counts and places: HTML's own elements and attributes strike
    out (<del>), shrink (<sup><small>), hide (hidden, <template>) or reorder (<bdo>) the own share
    without a line of CSS (D18)."""
    from bidkit.check import check_bid
    from bidkit.paths import templates_dir

    own = "{{ budget.own_share | percent(below=call.own_share_min_percent) }}"
    source = (templates_dir() / "sections" / "budget.html.j2").read_text(encoding="utf-8")
    assert f"<strong>{own}</strong>" in source
    (copy / "theme" / "templates" / "sections").mkdir(parents=True)
    (copy / "theme" / "templates" / "sections" / "budget.html.j2").write_text(
        source.replace(f"<strong>{own}</strong>", f"<strong>{wrapped.format(own)}</strong>"), encoding="utf-8")
    edit(copy / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  templates: theme/templates\n')
    result, _ = check_bid(copy)
    found = [f.message for f in result.findings if f.rule == "THM006"]
    assert any("the number '100,0' inside" in message for message in found), found


def test_a_theme_template_may_wrap_a_figure_in_plain_elements(copy):
    from bidkit.check import check_bid
    from bidkit.paths import templates_dir

    own = "{{ budget.own_share | percent(below=call.own_share_min_percent) }}"
    source = (templates_dir() / "sections" / "budget.html.j2").read_text(encoding="utf-8")
    (copy / "theme" / "templates" / "sections").mkdir(parents=True)
    (copy / "theme" / "templates" / "sections" / "budget.html.j2").write_text(
        source.replace(f"<strong>{own}</strong>", f'<strong><span class="figure"><em>{own}</em></span></strong>'), encoding="utf-8")
    edit(copy / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  templates: theme/templates\n')
    result, _ = check_bid(copy)
    assert [f.message for f in result.findings if f.rule in ("THM005", "THM006")] == []


def test_a_theme_template_cannot_strike_out_words_either(copy):
    from bidkit.check import check_bid
    from bidkit.paths import templates_dir

    source = (templates_dir() / "sections" / "budget.html.j2").read_text(encoding="utf-8")
    assert "<em>in Aussicht gestellt</em>" in source
    (copy / "theme" / "templates" / "sections").mkdir(parents=True)
    (copy / "theme" / "templates" / "sections" / "budget.html.j2").write_text(
        source.replace("<em>in Aussicht gestellt</em>", "<del>in Aussicht gestellt</del>"), encoding="utf-8")
    edit(copy / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  templates: theme/templates\n')
    result, _ = check_bid(copy)
    found = [f.message for f in result.findings if f.rule == "THM006"]
    assert any("the text 'in Aussicht gestellt' inside <del>" in message for message in found), found


def _with_attachment(portfolio: bool) -> bytes:
    import io

    import pikepdf
    from pikepdf import Dictionary, Name

    import annex_samples

    pdf = pikepdf.open(io.BytesIO(annex_samples.scan(1)))
    spec = pikepdf.AttachedFileSpec(pdf, annex_samples.tagged_pdfa(), filename="schreiben-sparkasse.pdf")
    pdf.attachments["schreiben-sparkasse.pdf"] = spec
    if portfolio:
        pdf.Root.Collection = Dictionary(Type=Name.Collection, View=Name.D)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_pdf_portfolio_is_refused_and_an_embedded_file_named(copy):
    """An Acrobat portfolio's letters are its embedded files; bidkit appended its empty cover and
    dropped the letters with an info (D19)."""
    from bidkit.check import check_bid

    letter = "anlagen/unterstuetzung-ostfalia.pdf"
    (copy / letter).write_bytes(_with_attachment(portfolio=True))
    result, _ = check_bid(copy)
    [refused] = [f.message for f in result.findings if f.rule == "ANX003"]
    assert "is a PDF portfolio, whose documents (schreiben-sparkasse.pdf) are files embedded in it" in refused
    (copy / letter).write_bytes(_with_attachment(portfolio=False))
    result, _ = check_bid(copy)
    assert not [f for f in result.findings if f.rule == "ANX003"]
    [removed] = [f.message for f in result.findings if f.rule == "ANX004"]
    assert "embedded files (schreiben-sparkasse.pdf)" in removed


@pytest.mark.parametrize("official, genitive", [
    ("Hanse- und Universitätsstadt Rostock", "der Hanse- und Universitätsstadt Rostock"),
    ("Universitäts- und Hansestadt Greifswald", "der Universitäts- und Hansestadt Greifswald"),
    ("documenta-Stadt Kassel", "der documenta-Stadt Kassel"),
    ("Kur- und Kreisstadt Bad Kissingen", "der Kur- und Kreisstadt Bad Kissingen"),
    ("Große Kreisstadt Mühlstätt an der Öß", "der Großen Kreisstadt Mühlstätt an der Öß"),
    ("Freie und Hansestadt Hamburg", "der Freien und Hansestadt Hamburg"),
    ("Oderbruch-Verbund", "der Kommune Oderbruch-Verbund"),
])
def test_real_official_names_with_a_coordinated_or_hyphenated_kind(official, genitive):
    """„Bewerbung der Kommune Hanse- und Universitätsstadt Rostock“ (D14): the first parts of a
    coordinated noun and a hyphenated one („documenta-Stadt“) belong to the kind."""
    from bidkit.applicant import Applicant

    applicant = Applicant.of("x", official)
    assert applicant.full_genitive == genitive
    assert applicant.kind == ("Kommune" if genitive.startswith("der Kommune") else "Stadt")


@pytest.mark.slow
def test_a_cmyk_logo_is_embedded_as_rgb_and_the_file_stays_pdfa(copy, tmp_path):
    """A printer's CMYK JPEG logo went into the document as DeviceCMYK, which PDF/A forbids under
    an sRGB output intent (D16); an SVG logo painting in device-cmyk() is THM001."""
    from PIL import Image

    from conftest import run_bidkit
    from test_pdf_validation import validation_failures

    Image.new("CMYK", (120, 80), (0, 200, 200, 0)).save(copy / "theme" / "logo.jpg", "JPEG")
    edit(copy / "bid.yaml", "  logo: theme/logo.svg", "  logo: theme/logo.jpg")
    out = tmp_path / "bid.pdf"
    run = run_bidkit("build", str(copy), "-o", str(out), "--no-cache")
    assert run.code == 0, run.stderr
    assert validation_failures(out, "3a") == []
    (copy / "theme" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
                                             '<rect width="9" height="9" fill="device-cmyk(0 0.8 0.8 0)"/></svg>')
    edit(copy / "bid.yaml", "  logo: theme/logo.jpg", "  logo: theme/logo.svg")
    found = [f["message"] for f in check_here(str(copy), "--format", "json").json()["findings"] if f["rule"] == "THM001"]
    assert any("device-cmyk() colours, which PDF/A forbids" in message for message in found), found


def test_a_variant_without_the_kpis_searches_their_texts_not_their_single_words(copy):
    """A press variant removing `goals[].kpis` was refused because „Minuten“ (a unit) and
    „Hauptamt“ (a source) stand in other texts (D15); the KPI table embedded as a CSV annex does
    hold the removed KPIs, and is named."""
    from bidkit.check import check_bid

    edit(copy / "bid.yaml", "\ntheme:", '\nvariants:\n  press:\n    label: Pressefassung\n    fields: ["goals[].kpis"]\ntheme:')
    result, _ = check_bid(copy)
    found = [f for f in result.findings if f.rule == "VAR002"]
    assert found and {f.path for f in found} == {("annexes", 0, "file")}, [(f.path, f.message) for f in found]


def test_a_theme_may_not_mark_a_declaration_important(copy):
    from bidkit.check import check_bid

    (copy / "theme" / "extra.css").write_text("td { font-size: 11pt !important; }\n", encoding="utf-8")
    edit(copy / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')
    result, _ = check_bid(copy)
    [finding] = [f for f in result.findings if f.rule == "THM004"]
    assert "is marked !important" in finding.message and finding.location.line == 1


@pytest.mark.slow
def test_a_themes_cell_type_leaves_the_money_tables_as_they_are(copy, tmp_path, example_pdf):
    """`td { font-size: 16pt; letter-spacing: 0.2em }` — each declaration within THM004's bounds —
    made the plan's amounts overprint each other and run past the margin: the money tables' columns
    are sized to their amounts at the table's type (D12). The cells keep that type (the example
    without the stylesheet: `example_pdf`, the same file as a build of the copy)."""
    import subprocess

    from conftest import run_bidkit

    def amounts(pdf) -> list[tuple[str, float]]:
        html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
        return [(text, round(float(y1) - float(y0), 1)) for (x0, y0, x1, y1, text), after in zip(words, words[1:])
                if re.fullmatch(r"\d{1,3}(\.\d{3})+", text) and after[4] == "€"]  # amounts: in the money tables

    plain = example_pdf
    (copy / "theme" / "extra.css").write_text("td { font-size: 16pt; letter-spacing: 0.2em; word-spacing: 0.5em; }\n", encoding="utf-8")
    edit(copy / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')
    themed = tmp_path / "themed.pdf"
    run = run_bidkit("build", str(copy), "-o", str(themed), "--no-cache")
    assert run.code == 0, run.stderr
    assert amounts(themed) == amounts(plain) and amounts(plain)


def test_a_layout_process_that_swallows_its_deadline_is_ended_by_its_processor_time(monkeypatch):
    """WeasyPrint 70 catches even BaseException around an SVG image's drawing: the deadline's
    exception was swallowed and the build ran on past BIDKIT_LAYOUT_SECONDS (D13). The layout
    process has a processor-time limit as well; the kernel ends it, and the build says why."""
    from bidkit.errors import RenderError
    from bidkit.render import staged

    monkeypatch.setattr(staged, "CPU_MARGIN", -1)  # a budget of 2 × 1 s - 1 s: one second of processor time
    monkeypatch.setenv("BIDKIT_LAYOUT_SECONDS", "1")

    def spin(conn):
        staged._cpu_backstop()
        while True:
            try:
                sum(range(10_000))
            except BaseException:  # noqa: BLE001 — as WeasyPrint does
                pass

    child = staged._Child("layout process", spin)
    with pytest.raises(RenderError, match="used more processor time than the layout and the writing may take"):
        child.get()
    assert child.end() == 0.0


def test_a_raster_picture_is_embedded_from_the_checked_bytes_never_read_again_by_name(tmp_path):
    """WeasyPrint 70 reads a raster picture again from the file its response names when it writes
    the PDF, following links: the response names no file, so a link planted beside the picture (or
    swapped in after the check) can never bring in a file of the machine."""
    from PIL import Image

    from bidkit.render.fetcher import SandboxedFetcher

    Image.new("RGB", (4, 4)).save(tmp_path / "logo.png")
    (tmp_path / "logo.png#as-fetched").symlink_to("/etc/passwd")
    response = SandboxedFetcher([tmp_path]).fetch((tmp_path / "logo.png").as_uri())
    assert response.path is None and response.read().startswith(b"\x89PNG")


def test_a_text_that_names_the_own_share_rightly_one_way_names_it_rightly():
    """„Der Eigenanteil in Höhe von 10 % der förderfähigen Gesamtausgaben von 2.000.000 €“: the
    costs stated beside the share are no share, and the right percentage is the right share."""
    from decimal import Decimal

    from bidkit.rules.resolution import another_own_share

    share, costs = {Decimal(200000)}, {Decimal(10)}
    text = "Der Eigenanteil in Höhe von 10 % der förderfähigen Gesamtausgaben von 2.000.000 € wird bereitgestellt."
    assert another_own_share(text, share, costs, {Decimal(2000000)}) is None
    assert another_own_share(text.replace("10 %", "15 %"), share, costs, {Decimal(2000000)})[1:] == (Decimal(15), "percent")
    assert another_own_share("Der Eigenanteil beträgt 250.000 €.", share, costs)[1:] == (Decimal(250000), "amount")
    assert another_own_share("Der Eigenanteil beträgt mindestens 5 %.", share, costs) is None
    assert another_own_share("Der Eigenanteil beträgt gut 15 %.", share, costs) is None  # about: no statement


#: A generated bid (benchmarks/generate_bid.py: measures, cost items, partners, KPIs, years, no
#: supporters) whose last year's cost items fill the foot of page 12 so that its sum row alone
#: would not fit there: without `tfoot tr { break-before: avoid }` (templates/style.css) that row
#: stands alone under the repeated header on the next page (found in a 200-measure bid of 100
#: pages; this bid of 14 pages fails PDF/UA-1 the same way without the rule).
#: test_a_sum_row_never_stands_alone_under_a_repeated_header says when a change of the layout
#: needs other numbers.
SUM_ROW_PROBE = (6, 40, 4, 6, 4, 0)


@pytest.mark.slow
def test_a_sum_row_never_stands_alone_under_a_repeated_header(tmp_path):
    """A bid of 200 measures and 1,000 cost items (benchmarks/generate_bid.py) put „Summe 2018“
    alone on the next page under the repeated header: WeasyPrint 70 tagged that piece as a table
    of a header and a footer without a body, and the file failed PDF/UA-1 (found on day-one
    checks). The probe (SUM_ROW_PROBE) is a small bid built to the same place: the sum row went
    to the next page with the last cost item, although that item alone fitted where it stood."""
    import sys

    import pdflayout
    from conftest import REPO, run_bidkit
    from pdflayout import MARGIN_BOTTOM
    from test_pdf_validation import validation_failures

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate_bid import generate
    finally:
        sys.path.pop(0)
    folder, out = tmp_path / "bid", tmp_path / "bid.pdf"
    generate(folder, *SUM_ROW_PROBE)
    run = run_bidkit("build", str(folder), "-o", str(out), "--jobs", "1", "--no-cache")
    assert run.code == 0, run.stderr
    assert validation_failures(out, "ua1") == []
    # The probe is armed: the last year's sum row starts a page with the last item it sums only,
    # which the page before would have held (the rule moved it).
    pages = pdflayout.document_pages(out)
    [(before, page)] = [(pages[i - 1], p) for i, p in enumerate(pages) if any(r.startswith("Summe 2020 ") for r in p.rows)]
    assert [re.sub(r"\d+", "N", row) for row in page.rows[:3]] == [
        "Haushaltsjahr N Kategorie Betrag", "Kostenposition N Personalkosten N.N €", "Summe N N.N €"], (
        f"the sum row stands alone, or retune SUM_ROW_PROBE: page {page.number} begins {page.rows[:3]}")
    item = next(line for line in page.body if line.text.startswith("Kostenposition"))
    pitch = item.y0 - next(line for line in page.body if line.text == "Kategorie").y0  # a row and its spacing
    free = before.height - MARGIN_BOTTOM - before.body[-1].y1
    assert free >= pitch, f"retune SUM_ROW_PROBE: page {before.number} has {free:.0f} pt free, a cost item needs {pitch:.0f} pt"
