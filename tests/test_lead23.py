"""Session 23 lead fixes: each test names the finding it holds (review22 F-numbers, rt7 D-numbers)."""
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.rules.resolution import another_own_share, own_share_statements

SHARE = {Decimal(250000)}


@pytest.mark.parametrize("text", [
    "Der Eigenanteil für Maßnahme 3 250 000 € wird bereitgestellt.",
    "Der Eigenanteil von Nr. 2 250 000 Euro ist gedeckt.",
    "Eigenmittel Anlage 4 250 000 EUR",
])
def test_number_name_before_a_space_grouped_amount_reads_both_ways(text):
    """F16: „Maßnahme 3 250 000 €“ may be 3.250.000 € or measure 3's 250.000 €: neither is taken for the other."""
    assert another_own_share(text, SHARE, set()) is None
    values = [value for _, value, _ in own_share_statements(text)[0]]
    assert Decimal(250000) in values and len(values) == 2


def test_space_grouped_amount_without_a_number_name_is_one_amount():
    assert another_own_share("Der Eigenanteil beträgt 3 250 000 €.", SHARE, set())[1:] == (Decimal(3250000), "amount")
    # a wrong amount behind a number's name is still reported, as written
    assert another_own_share("Der Eigenanteil für Maßnahme 3 260 000 € steht.", SHARE, set())[1:] == (Decimal(3260000), "amount")
    # a no-break space groups thousands: one reading
    assert [v for _, v, _ in own_share_statements("Eigenanteil Maßnahme 3\u00a0250\u00a0000 €")[0]] == [Decimal(3250000)]


# --- F11: a covering box without an appearance, as a viewer draws it ---------------------------------

def _one_page_annex(*annotations):
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    pdf = pikepdf.new()
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Resources=Dictionary(),
                                   Contents=pdf.make_stream(b"0 0 1 rg 10 10 50 50 re f"),
                                   Annots=Array([pdf.make_indirect(annot) for annot in annotations])))
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _contents(pdf) -> bytes:
    from pikepdf import Array

    contents = pdf.pages[0].obj.Contents
    return b"".join(part.read_bytes() for part in contents) if isinstance(contents, Array) else contents.read_bytes()


@pytest.mark.parametrize("kind, colour", [("/Square", "/IC")])
def test_a_filled_box_without_appearance_that_does_not_print_is_drawn(kind, colour):
    """review22 F11: a whiteout box (no /AP; viewers draw it from its colour) was removed, so what it covered printed."""
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import inspect_annex, repair_annex

    box = Dictionary(Type=Name.Annot, Subtype=Name(kind), Rect=Array([50, 700, 350, 740]), F=0, **{colour[1:]: Array([1, 1, 1])})
    repaired, done = repair_annex(_one_page_annex(box))
    result = pikepdf.open(io.BytesIO(repaired))
    assert len(result.pages[0].obj.get("/Annots", Array())) == 0
    drawn = _contents(result)
    assert drawn.count(b" Do") == 1, drawn  # the box's appearance, placed over the page
    [xobject] = [x for name, x in result.pages[0].Resources.XObject.items() if name.startswith("/BidkitAppearance")]
    assert xobject.read_bytes().startswith(b"1.0000 1.0000 1.0000 rg 0 0 300.0000 40.0000 re f")
    assert any("shown on screen but not printed drawn into the page" in item for item in done)
    assert inspect_annex(repaired).without_appearance == ()


def test_a_see_through_box_without_appearance_is_removed():
    """review23 F9: a translucent box (/CA 0.3, a highlight) hides nothing; it was drawn opaque over the text."""
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import repair_annex

    box = Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array([50, 700, 350, 740]), F=0, IC=Array([1, 1, 0]), CA=0.3)
    _, done = repair_annex(_one_page_annex(box))
    assert "Square annotation that does not print removed" in done


@pytest.mark.parametrize("kind", ["/Circle", "/FreeText"])
def test_a_covering_shape_without_appearance_stays_and_is_named(kind):
    """A non-printing Circle or FreeText without /AP cannot be drawn exactly: it stays, printing, and the annex is named."""
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import inspect_annex, repair_annex

    shape = Dictionary(Type=Name.Annot, Subtype=Name(kind), Rect=Array([50, 700, 350, 740]), F=0, IC=Array([0, 0, 0]), C=Array([1, 1, 1]))
    repaired, _ = repair_annex(_one_page_annex(shape))
    result = pikepdf.open(io.BytesIO(repaired))
    [kept] = result.pages[0].obj.Annots
    assert int(kept.F) & 4
    conformance = inspect_annex(repaired)
    assert conformance.without_appearance == (f"{kind[1:]} annotation",)
    assert any("without a fixed appearance" in reason for reason in conformance.breaks("pdf/a-3a+ua-1"))


def test_an_unfilled_square_without_appearance_that_does_not_print_is_removed():
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import repair_annex

    box = Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array([50, 700, 350, 740]), F=0, C=Array([1, 0, 0]))
    _, done = repair_annex(_one_page_annex(box))
    assert "Square annotation that does not print removed" in done


# --- rt8 D8/D9/D10: a variant that empties any text leaves no shifted label, debris or refusal ------

def _text_paths(model, prefix="") -> list[str]:
    """Every path of a text field below ``model`` as `fields:` names it (`measures[].lead`)."""
    import types
    import typing

    from pydantic import BaseModel

    found = []
    for name, info in model.model_fields.items():
        annotation, path = info.annotation, f"{prefix}{name}"
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
        if typing.get_origin(annotation) is list:
            inner = typing.get_args(annotation)[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                found += _text_paths(inner, f"{path}[].")
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _text_paths(annotation, f"{path}.")
        elif annotation is str:
            found.append(path)
    return found


DEBRIS = [r"<dd>\s*</dd>", r"<dd>\s*[,;.]", r"[,;]\s*</dd>", r"\(\s*\)", r"<strong>\s*\.\s*</strong>", r":\s*</h\d>",
          r"<h\d[^>]*>\s*</h\d>", r"<p[^>]*>\s*[,.;]", r"<p[^>]*>\s*<br>", r"\s,\s", r",\s*Vorlage\s*<"]


@pytest.mark.parametrize("share", ["all", "even", "odd"])
def test_a_variant_emptying_any_text_leaves_no_debris(bid, share):
    import re

    import yaml

    from bidkit.check import check_bid
    from bidkit.loader import load_bid
    from bidkit.models import Bid
    from bidkit.render.build import stage
    from bidkit.variants import field_problem, resolve

    skip = ("call", "theme", "checks", "variants", "title")
    paths = [p for p in _text_paths(Bid) if p.split(".")[0].split("[")[0] not in skip and field_problem(p) is None]
    assert {"measures[].lead", "council_resolution.reference", "annexes[].description", "legal_representative.role",
            "partners[].role", "partners[].contribution", "city.state", "mou.title", "goals[].title"} <= set(paths)
    chosen = paths if share == "all" else paths[share == "odd"::2]
    text = (bid / "bid.yaml").read_text(encoding="utf-8")

    def variant_of(fields):
        listed = yaml.safe_dump(fields, default_flow_style=True, width=10_000).strip()
        (bid / "bid.yaml").write_text(text.replace("\ntheme:", f"\nvariants:\n  leer:\n    label: Leer\n    fields: {listed}\ntheme:"),
                                      encoding="utf-8")
        return [f for f in check_bid(bid)[0].findings if f.rule.startswith("VAR")]

    # What the bid's other texts print as well (the city's name as `legal_representative.organisation`)
    # cannot go: check says so (VAR002), and the rest must then build.
    said = variant_of(chosen)
    chosen = [p for p in chosen if not any(re.search(re.escape(p) + r"(?![\w.\[])", f.message) for f in said)]
    assert variant_of(chosen) == []
    loaded = load_bid(bid)
    variant = resolve(loaded.bid, "leer")
    staged, _ = stage(loaded, bid / "out.pdf", draft=False, variant="pdf", document_variant=variant)  # D9: no refusal
    body = staged.html[staged.html.index("<body"):]
    for pattern in DEBRIS:
        found = re.search(pattern, body)
        assert not found, (pattern, body[max(0, found.start() - 200):found.end() + 100])


def test_letters_without_a_decomposition_fold_to_their_base_letter():
    """rt8 D3: „Gmina Leknica“ was not „Gmina Łęknica“ to PAR005 (NFKD keeps ł whole), and an id from „Łęknica“ lost its L."""
    from bidkit.loader import transliterate
    from bidkit.rules.partners import same_organisation
    from bidkit.variants import name_forms

    assert same_organisation("Gmina Leknica", "Gmina Łęknica") and same_organisation("Bela Woda", "Běła Woda")
    assert same_organisation("Søren Ødegård Stiftung", "Soeren Odegard Stiftung") is False  # ø is o, not oe
    assert same_organisation("Soren Odegard Stiftung", "Søren Ødegård Stiftung")
    assert transliterate("Gmina Łęknica") == "gmina-leknica" and transliterate("Æbeltoft Œuvre") == "aebeltoft-oeuvre"
    assert "Z. Laska" in name_forms("Zofia Łaska") or "Laska" in " ".join(name_forms("Zofia Łaska"))


@pytest.mark.parametrize("value, shown", [("0.00049", "0,00049"), ("3.0005", "3,0005"), ("47.12345", "47,12345"),
                                          ("1234567.8915", "1.234.567,8915"), ("12.50", "12,5"), ("124045", "124.045")])
def test_numbers_keep_every_decimal(value, shown):
    """rt8 D12: KPI values were printed rounded to three decimals („0“ for a target of 0.00049)."""
    from bidkit.render.formatting import number

    assert number(Decimal(value)) == shown


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\x85"])
def test_a_call_name_with_a_line_break_stays_in_its_comment_and_scalar(brk):
    """rt8 D14: `init --call` wrote the call's name into a comment unescaped, so „…\\nvision: INJECTED“ became a live key."""
    import yaml

    from bidkit.call_profiles import shipped_call
    from bidkit.scaffold import skeleton_files

    call = shipped_call("bitkom-digitale-stadt-2017")
    call = call.model_copy(update={"name": f"Smart Region{brk}vision: INJECTED", "organizer": f"Amt{brk}checks: {{ignore: [TXT001]}}"})
    for name, text in skeleton_files("Görlitz", call).items():
        data = yaml.safe_load(text)
        assert "INJECTED" not in str(data.get("vision", "")) and "checks" not in data, name
        if name == "bid.yaml":
            assert data["subtitle"] == f"Bewerbung der Stadt Görlitz – Smart Region{brk}vision: INJECTED"


# --- rt8 D11: the rebuild cache reads the YAML and the files it names, not every file of the folder ------

def test_the_cache_key_bounds_what_it_reads_and_an_entry_checks_the_named_files(bid, tmp_path, monkeypatch):
    """rt8 D11: a 20 GB file beside the YAML was hashed on every rebuild (64 s a cache hit). Beyond KEY_BYTES a
    file is keyed by its stat; the files the bid names are checked by content (the entry's digest)."""
    import os

    from bidkit.render import cache as cache_module
    from bidkit.render.cache import lookup

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    big = bid / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: 3 GB that reading would take seconds to hash
    read = []
    real = os.open

    def recording(path, *args, **kwargs):
        read.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cache_module.os, "open", recording)

    def entry():
        return lookup(bid, tmp_path / "out.pdf", draft=False, variant="pdf", bid_variant=None, jobs=1)

    annex = bid / "anlagen" / "unterstuetzung-ostfalia.pdf"
    first = entry()
    assert "bid.yaml" in read and "unterstuetzung-ostfalia.pdf" in read and "big.bin" not in read
    first.keep(b"%PDF-1.7", {**first.inputs([bid / "bid.yaml", annex], [], named_files=False), "pages": 1}, outputs=[tmp_path / "out.pdf"])
    read.clear()
    assert entry().load() is not None and "big.bin" not in read
    # a named file changed behind the key's back (same size, time and inode; the key keyed it by its stat): the digest sees it
    monkeypatch.setattr(cache_module, "KEY_BYTES", 0)
    second = entry()
    second.keep(b"%PDF-1.7", {**second.inputs([bid / "bid.yaml", annex], [], named_files=False), "pages": 1}, outputs=[tmp_path / "out.pdf"])
    assert entry().load() is not None
    info = annex.stat()
    data = bytearray(annex.read_bytes())
    data[-10] ^= 1
    with open(annex, "r+b") as handle:
        handle.write(bytes(data))
    os.utime(annex, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert entry().key == second.key and entry().load() is None
    big.unlink()
    assert entry().key != second.key  # a file gone from the folder is a change of the folder


def test_a_draft_whose_annex_breaks_the_claim_claims_no_standard(draft_outside_git):
    """rt8 D17: the draft warned of annex 3's unembedded Helvetica, then claimed PDF/A-3a and PDF/UA-1 all the same."""
    import pikepdf

    run = draft_outside_git.run
    assert run.code == 0, run.stderr
    assert "the draft claims no PDF standard: its annexes could not be pdf/a-3a+ua-1 (ANX006)" in run.stderr
    assert "Draft written:" in run.stdout and "pdf/a-3a+ua-1" not in run.stdout
    with pikepdf.open(draft_outside_git.pdf) as pdf:
        xmp = str(pdf.Root.Metadata.read_bytes(), "utf-8")
    assert "pdfaid:part" not in xmp and "pdfuaid:part" not in xmp


def test_typography_leaves_addresses_file_names_and_words_as_written():
    """rt8 D18: „--“ and „...“ were replaced inside URLs, e-mail addresses and file names."""
    from bidkit.render.markdown import markdown

    html = str(markdown('Portal https://grenzportal.example/de--pl/start... und info--team@kreis-gr.example, '
                        'Datei "kfp--2025.xlsx", www.example.de/a--b; 2017--2019 -- dann... Nord--Süd 257---258'))
    for kept in ("https://grenzportal.example/de--pl/start…", "info--team@kreis-gr.example", "„kfp--2025.xlsx“",
                 "www.example.de/a--b;", "2017–2019 – dann…", "Nord–Süd", "257—258"):
        assert kept in html, (kept, html)


@pytest.mark.parametrize("css, refused", [
    ("@page { margin: 35mm; }", True), ("@page { margin: 22mm 20mm 24mm 22mm; }", False), ("@page { margin: 21mm; }", False),
    ("@page { margin: 30mm 15mm; }", False), ("@page { margin-left: 25mm; }", True), ("@page { margin: 10mm 25mm 10mm 20mm; }", True),
    ("body { margin: 0 25mm; }", True), (".section { padding: 0 5mm; }", True), ("html { margin-left: 10mm; }", True),
    ("table { margin-left: 10mm; }", True), ("* { padding: 1mm; }", True),
    ("p { margin-left: 10mm; }", False), ("ul li { padding-left: 3mm; }", False), ("body { margin: 2mm 0; }", False),
    ("body { margin: 0 auto; }", False), ("h2 { margin: 0 0 0.8em; }", False),
])
def test_a_theme_keeps_the_width_bidkits_tables_are_sized_to(bid, css, refused):
    """rt8 D22: `@page { margin: 35mm }` passed THM004, and the money tables ran 28 mm into the right margin;
    review23 F4: so did `body { margin: 0 25mm }`."""
    from bidkit.check import check_bid

    (bid / "theme" / "extra.css").write_text(css, encoding="utf-8")
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    (bid / "bid.yaml").write_text(text.replace("\ntheme:\n", "\ntheme:\n  stylesheet: theme/extra.css\n", 1), encoding="utf-8")
    found = [f for f in check_bid(bid)[0].findings if f.rule == "THM004"]
    assert bool(found) == refused, found
    if refused:
        assert "168 mm" in found[0].message and found[0].location.file.name == "extra.css"


def test_a_themes_cell_rules_do_not_reach_bidkits_tables():
    """rt8 D22: `td, th { padding: 5mm }` (accepted) broke the KPI table's headings letter by letter."""
    import re

    css = (Path(__file__).parent.parent / "templates" / "style.css").read_text(encoding="utf-8")
    pinned = css[css.index("table.money th, table.money td, table.items th"):css.index("table.items, table.kpis, table.supporter-counts")]
    for table in ("money", "items", "kpis", "supporter-counts"):
        assert f"table.{table} th" in pinned and f"table.{table} td" in pinned
    for prop in ("font-size", "letter-spacing", "word-spacing", "padding-top", "padding-bottom", "padding-left", "padding-right", "text-indent"):
        assert re.search(rf"{prop}: [^;]+ !important", pinned), prop


def test_a_kpis_number_stays_with_its_unit(bid):
    """rt8 D6: „Umkreis von 1 km“ in a KPI's name broke between „1“ and „km“ (only the long texts kept them together)."""
    from bidkit.loader import load_bid
    from bidkit.render.build import _annexes, document_html

    text = (bid / "goals.yaml").read_text(encoding="utf-8")
    first = text.index("name:", text.index("kpis:"))
    end = text.index("\n", first)
    (bid / "goals.yaml").write_text(text[:first] + "name: Anteil mit Angebot im Umkreis von 1 km und 23,4 %" + text[end:], encoding="utf-8")
    loaded = load_bid(bid)
    html = document_html(loaded, draft=False, annex_list=_annexes(loaded, False)[2])
    assert "Umkreis von 1\u00a0km und 23,4\u00a0%" in html


def test_supporters_sort_as_a_german_name_list():
    """rt8 D7: „Łaska“, „Ødegård“, „Šarić“ came after „Z“ (code point order)."""
    from bidkit.render.context import natural_key

    names = ["Zander, Anna", "Łaska, Zofia", "Ødegård, Øystein", "Šarić, Željko", "Özdemir, Ömer", "Nr. 10", "Nr. 2", "Odenthal, Otto"]
    assert sorted(names, key=natural_key) == ["Łaska, Zofia", "Nr. 2", "Nr. 10", "Ødegård, Øystein", "Odenthal, Otto",
                                              "Özdemir, Ömer", "Šarić, Željko", "Zander, Anna"]


@pytest.mark.parametrize("official, genitive, heading", [
    ("Verwaltungsverband Weißer Schöps/Neiße", "des Verwaltungsverbandes Weißer Schöps/Neiße", "Beschluss der Verbandsversammlung"),
    ("Gemeindeverwaltungsverband Elsenztal", "des Gemeindeverwaltungsverbandes Elsenztal", "Beschluss der Verbandsversammlung"),
    ("Ostseebad Binz", "des Ostseebades Binz", "Beschluss der Gemeindevertretung"),
    ("Landkreis Görlitz", "des Landkreises Görlitz", "Kreistagsbeschluss"),
    ("Gemeinde Boxberg/O.L.", "der Gemeinde Boxberg/O.L.", "Gemeinderatsbeschluss"),
    ("Amt Hüttener Berge", "des Amtes Hüttener Berge", "Beschluss des Amtsausschusses"),
    ("Stadt Wolfsburg", "der Stadt Wolfsburg", "Ratsbeschluss"),
])
def test_applicants_of_every_kind_are_named_and_decide_in_german(official, genitive, heading):
    """rt8 D13 („der Kommune Verwaltungsverband …“) and D5 (a Kreistag's decision headed „Ratsbeschluss“)."""
    from bidkit.applicant import Applicant, resolution_title

    applicant = Applicant.of("x", official)
    assert applicant.full_genitive == genitive
    assert resolution_title(applicant.council) == heading


def test_init_asks_for_the_signature_of_the_applicants_head():
    """rt8 D5: `init` asked a Landkreis for its „Oberbürgermeisterin oder Oberbürgermeister“ as the MoU's signatory."""
    from bidkit.call_profiles import shipped_call
    from bidkit.scaffold import skeleton_files

    call = shipped_call("bitkom-digitale-stadt-2017")
    assert "TODO: Landrätin oder Landrat" in skeleton_files("Landkreis Görlitz", call)["mou.yaml"]
    assert "TODO: Oberbürgermeisterin oder Oberbürgermeister" in skeleton_files("Wolfsburg", call)["mou.yaml"]
    assert "TODO: Bürgermeisterin oder Bürgermeister" in skeleton_files("Gemeinde Boxberg/O.L.", call)["mou.yaml"]


def test_a_funding_sheet_reads_a_partners_own_funds_as_the_export_writes_them():
    """rt8 D21: Art „Eigenmittel der Gemeinde Boxberg/O.L.“ (the export's own title since D1) was refused as none of „Eigenmittel der Stadt, …“."""
    from bidkit.sheets import CellError, funding_columns

    [kind] = [column for column in funding_columns() if column.name == "kind"]
    for text in ("Eigenmittel der Gemeinde Boxberg/O.L.", "Eigenmittel des Landkreises", "Eigenmittel: Tiefenbach", "Eigenmittel"):
        assert kind.read(text) == "eigenmittel"
    with pytest.raises(CellError) as refused:
        kind.read("Sponsoring")
    assert "Eigenmittel der Gemeinde …“ with its id under Partner" in str(refused.value)


@pytest.mark.parametrize("variant", [None, "public"])
def test_one_scanned_letter_is_said_in_the_singular_and_a_variant_counts_what_it_attaches(tmp_path, variant):
    """rt8 D23: „1 Schreiben liegen … sie sind“; the public variant counted the private letter it leaves out."""
    import shutil

    from bidkit.loader import load_bid
    from bidkit.render.build import _annexes, document_html
    from bidkit.variants import resolve

    bid = tmp_path / "bid"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "paderborn", bid)
    rows = (bid / "unterstuetzer.csv").read_text(encoding="utf-8").splitlines()
    kept = [row for row in rows[1:] if not row.endswith(".pdf") or row.startswith(("Julia Koch", "Sportverein Paderborn-West"))]
    (bid / "unterstuetzer.csv").write_text("\n".join([rows[0], *kept]) + "\n", encoding="utf-8")
    loaded = load_bid(bid)
    chosen = resolve(loaded.bid, variant) if variant else None
    html = document_html(loaded, draft=False, annex_list=_annexes(loaded, False, chosen)[2], document_variant=chosen)
    # two scans: a citizen's (private) and a club's; the public variant attaches the club's alone
    if variant:
        assert "1 Schreiben liegt als Scan vor (Spalte „Scan“ des Registers); es ist als Anlage" in html
    else:
        assert "2 Schreiben liegen als Scan vor (Spalte „Scan“ des Registers); sie sind als Anlage" in html


def test_a_chart_tells_every_series_apart():
    """rt8 D16: with 28 funding rows the fills repeated, and „Land“ looked like 8 Gemeinden."""
    import re

    from bidkit.render.chart import MAX_SERIES, stacked_bars

    series = [("Land", {2026: Decimal(900), 2027: Decimal(800)})] + [
        (f"Eigenmittel der Gemeinde G{i}", {2026: Decimal(10 + i)}) for i in range(27)]
    chart = stacked_bars([2026, 2027], series, title="Finanzierung", rest="Übrige Quellen ({})")
    fills = re.findall(r'<rect[^>]*fill="([^"]+)"', chart.svg)
    assert "Übrige Quellen (" in chart.svg and "Land" in chart.svg
    legend = re.findall(r"Übrige Quellen \((\d+)\)", chart.svg)
    assert legend and int(legend[0]) == 28 - (MAX_SERIES - 1)
    # every amount is still in its bar: the merged segment holds the rest
    from bidkit.render.chart import _distinct

    kept = _distinct(series, "Übrige ({})")
    assert len(kept) == MAX_SERIES and kept[0][0] == "Land"
    for year in (2026, 2027):
        assert sum((values.get(year, 0) for _, values in kept), Decimal(0)) == sum((values.get(year, 0) for _, values in series), Decimal(0))
    segment_fills = {fill for fill in fills if fill != "#ffffff"}
    assert len(segment_fills) <= MAX_SERIES


def test_a_variant_cannot_remove_who_concludes_the_mou():
    """rt8 D10: a party whose name a variant removed was signed by its id („landkreis“)."""
    from bidkit.variants import field_problem

    assert "signatories" in field_problem("mou.parties[].name")
    assert field_problem("mou.parties[].signatories[].role") is None


def test_the_named_filter_reads_only_a_title_or_a_name(bid):
    """review23 F0: `named` called getattr with the template's attribute, past the sandbox (a theme template reached os)."""
    from jinja2.sandbox import SecurityError

    from bidkit.render.html import named

    class Goal:
        title, name, secret = "Ziel", "Partner", "geheim"

    assert named(["a", "b", "unbekannt"], {"a": Goal(), "b": Goal()}, "title") == ["Ziel", "Ziel", "unbekannt"]
    for attribute in ("__class__", "__init__", "secret", "__globals__"):
        with pytest.raises(SecurityError):
            named(["a"], {"a": Goal()}, attribute)
    with pytest.raises(SecurityError):
        named(["a"], {"a": type("X", (), {"title": object()})()}, "title")
    # in a theme template of the bid folder: a located render error, nothing read
    (bid / "theme" / "templates" / "sections").mkdir(parents=True)
    (bid / "theme" / "templates" / "sections" / "vision.html.j2").write_text(
        '{{ ["x"] | named({"x": bid}, "__class__") }}', encoding="utf-8")
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    (bid / "bid.yaml").write_text(text.replace("\ntheme:\n", "\ntheme:\n  templates: theme/templates\n", 1), encoding="utf-8")
    from bidkit.errors import RenderError
    from bidkit.loader import load_bid
    from bidkit.render.build import _annexes, document_html

    loaded = load_bid(bid)
    with pytest.raises(RenderError) as refused:
        document_html(loaded, draft=True, annex_list=_annexes(loaded, True)[2])
    assert "vision.html.j2" in str(refused.value)


def test_typography_and_annex_citations_are_linear_in_a_pathological_text():
    """review23 F2: _VERBATIM's free start made „a.a.a.…“ with a „--“ quadratic (20,000 characters: 46 s).
    Each text is 400 KB; quadratic work would take hours, so the subprocess's bound is a hang guard."""
    import subprocess
    import sys

    script = (
        "from bidkit.render.markdown import markdown\n"
        "from bidkit.variants import cited_annexes\n"
        "for unit in ['a.', 'x@', 'http://a', '.', '@', 'www.', 'a--', 'Anlage 1', 'Anlagen 1 und ', 'kfp--2025.xlsx']:\n"
        "    text = unit * (400_000 // len(unit)) + ' -- Anlage 2 ...'\n"
        "    markdown(text); cited_annexes(text)\n"
        "print('done')\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parent.parent)
    assert proc.stdout.strip() == "done", proc.stderr[-2000:]


@pytest.mark.parametrize("text, numbers", [
    ("siehe Anlage 7", [7]), ("Anlagen 2 und 4", [2, 4]), ("(Anlage 9)", [9]),
    ("Anlage 12 der Förderrichtlinie", []), ("Anlage 2019", []), ("PV-Anlage 2", []), ("Anlage 1 zum Aufruf", []),
])
def test_annex_citations_are_read_whole(text, numbers):
    """review23 F3: „Anlage 12 der Förderrichtlinie“ was read as Anlage 1, „Anlage 2019“ as 201, „PV-Anlage 2“ as a citation."""
    from bidkit.variants import cited_annexes

    assert [number for _, number in cited_annexes(text)] == numbers


def test_an_unfilled_text_box_that_does_not_print_is_a_comment_and_goes():
    """A FreeText without a fill is a reviewer's comment: removed, as before review23 F9's change."""
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import repair_annex

    comment = Dictionary(Type=Name.Annot, Subtype=Name.FreeText, Rect=Array([50, 700, 350, 740]), F=0, Contents="Bitte prüfen")
    _, done = repair_annex(_one_page_annex(comment))
    assert "FreeText annotation that does not print removed" in done
