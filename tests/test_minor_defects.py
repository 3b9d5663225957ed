"""The red teams' minor observations (rt4, rt5): the summary line names the bid the same way with
and without errors; `check --pdf` says when the PDF is another bid's; a draft's open point names a
workbook cell; VAR002's hint on a name field; spreadsheet error values, merged cells; a URL before an
escaped bracket; the default output name of a long city name; wrong bounds in the environment."""

from __future__ import annotations

from conftest import PADERBORN, check_here, edit, run_bidkit


def test_summary_line_names_the_bid_by_its_title_with_errors_too(bid):
    clean = check_here(str(bid)).stdout.splitlines()[-1]
    assert clean.startswith("✓ #WolfsburgDigital: no errors")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 450000")
    run = check_here(str(bid))
    assert run.code == 1
    assert run.stdout.splitlines()[-1].startswith("✗ #WolfsburgDigital: 1 error(s)"), run.stdout.splitlines()[-1]


def test_check_pdf_refuses_the_pdf_of_another_bid(example_pdf):
    other = check_here(str(PADERBORN), "--pdf", str(example_pdf), "--format", "json")
    assert other.code == 1
    found = [f for f in other.json()["findings"] if f["rule"] == "PDF003"]
    assert len(found) == 1 and "#WolfsburgDigital" in found[0]["message"], found
    own = check_here("bid_data", "--pdf", str(example_pdf), "--format", "json")
    assert own.code == 0 and "PDF003" not in {f["rule"] for f in own.json()["findings"]}


def costs_workbook(bid):
    """The example's costs from a workbook whose amount is a formula openpyxl stores without its value."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Kosten"
    sheet.append(["Kostenposition", "Kategorie", "Betrag"])
    sheet.append(["Plattform", "sachkosten", "=100000*5"])  # a formula openpyxl stores without its value
    book.save(bid / "kosten.xlsx")
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    start = text.index("      costs:")
    end = text.index("      funding:", start)
    (bid / "budget.yaml").write_text(text[:start] + "      costs_file: kosten.xlsx\n" + text[end:], encoding="utf-8")


def test_a_drafts_open_point_names_the_workbook_cell(edited_draft):
    """The draft's list of open points names a spreadsheet finding by sheet and cell, as the
    command line does (`Kosten!C2`), not by a „Zeile“ that is the sheet's row."""
    # The draft of conftest.py's `edited_draft` (--html beside the PDF): these costs and the other edits it names.
    check = check_here(str(edited_draft.folder))
    assert "Kosten!C2" in check.stdout, check.stdout
    run = edited_draft.run
    assert run.code == 0, run.stderr
    assert "Datei kosten.xlsx, Zelle Kosten!C2" in edited_draft.pdf.with_suffix(".html").read_text(encoding="utf-8")


def test_var002_on_a_name_field_says_to_remove_it_too(bid):
    """A variant removing the MoU's signatories while the same person is the legal representative:
    the name is no text to rewrite, so the hint says to remove `legal_representative` too."""
    (bid / "bid.yaml").write_text((bid / "bid.yaml").read_text(encoding="utf-8")
                                  + "variants:\n  ohne-unterschriften:\n    label: Ohne Unterschriften\n    remove: [signatories]\n", encoding="utf-8")
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert found and found[0]["path"] == "legal_representative.name", found
    assert "add `legal_representative` to the variant's `remove:`" in found[0]["hint"]
    assert "Rewrite the text" not in found[0]["hint"]


def test_a_formula_error_value_is_named_as_a_failing_formula(bid):
    """A cell holding a formula's error value (#REF!, German #NV, LibreOffice's Err:502) is named as
    a failing formula in any column, not as "no amount" or "no whole number"."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Kosten"
    sheet.append(["Kostenposition", "Kategorie", "Betrag", "Jahr"])
    for row in (["A", "sachkosten", "#REF!", 2017], ["B", "sachkosten", "#DIV/0!", 2017], ["C", "sachkosten", 5, "#NV"],
                ["#NAME?", "sachkosten", 5, 2017], ["E", "sachkosten", "Err:502", 2017]):
        sheet.append(row)
    book.save(bid / "kosten.xlsx")
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    start = text.index("      costs:")
    end = text.index("      funding:", start)
    (bid / "budget.yaml").write_text(text[:start] + "      costs_file: kosten.xlsx\n" + text[end:], encoding="utf-8")
    findings = check_here(str(bid), "--format", "json").json()["findings"]
    failing = {f["cell"] for f in findings if "formula that fails" in f["message"]}
    assert failing == {"C2", "C3", "D4", "A5", "C6"}, findings


def test_a_merged_cell_in_a_required_column_is_named_as_merged(bid):
    """rt5 D11: Excel users merge equal neighbouring cells; the hidden half was „required field
    'category' is missing … Add `category:` here“."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Kosten"
    sheet.append(["Kostenposition", "Kategorie", "Betrag"])
    sheet.append(["Personal A", "personalkosten", 200000])
    sheet.append(["Personal B", None, 200000])
    sheet.append(["Sachmittel", "sachkosten", 100000])
    sheet.merge_cells("B2:B3")
    book.save(bid / "kosten.xlsx")
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    start = text.index("      costs:")
    end = text.index("      funding:", start)
    (bid / "budget.yaml").write_text(text[:start] + "      costs_file: kosten.xlsx\n" + text[end:], encoding="utf-8")
    errors = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["severity"] == "error"]
    assert len(errors) == 1 and errors[0]["cell"] == "B3", errors
    assert "part of the merged cells B2:B3" in errors[0]["message"] and "Unmerge" in errors[0]["hint"]


def test_an_address_before_an_escaped_bracket_keeps_the_text_as_written():
    """rt5 D20: „<https://autolink.example>“ printed „…example>;“: the address took „&gt“ of the
    escaped „>“ into its span, and the „;“ was left as text."""
    from bidkit.render.names import keep_whole

    for written, kept in [("&lt;https://autolink.example&gt;):", "https://autolink.example"),
                          ("&lt;b&gt;https://tag.example&lt;/b&gt; und", "https://tag.example"),
                          ("siehe https://a.example/?a=1&amp;b=2 und", "https://a.example/?a=1&amp;b=2")]:
        html = keep_whole(written, set())
        assert f'<span class="proper-name">{kept}</span>' in html, html
        assert html.replace(f'<span class="proper-name">{kept}</span>', kept) == written


def test_the_default_output_name_of_a_long_city_name_fits_a_file_system():
    """rt5: a city name of 270 characters made the default output name too long (exit 2 without -o)."""
    from types import SimpleNamespace

    from bidkit.render.build import default_output

    loaded = SimpleNamespace(bid=SimpleNamespace(city=SimpleNamespace(name="Bad Sankt " + "Langer-Ortsname " * 20)),
                             call=SimpleNamespace(id="bitkom-digitale-stadt-2017"))
    assert len(default_output(loaded, "public").name.encode()) < 128
    short = SimpleNamespace(bid=SimpleNamespace(city=SimpleNamespace(name="Märkisch-Oderland")), call=loaded.call)
    assert str(default_output(short, "public")) == "build/maerkisch-oderland-bitkom-digitale-stadt-2017-public.pdf"


def test_a_wrong_bound_in_the_environment_stops_the_build():
    """rt5: BIDKIT_LAYOUT_SECONDS=abc was ignored without a word, BIDKIT_CACHE_MB=-5 still cached,
    BIDKIT_TEMPLATE_SECONDS=-1 blamed a template."""
    for name, value in (("BIDKIT_LAYOUT_SECONDS", "abc"), ("BIDKIT_CACHE_MB", "-5"), ("BIDKIT_TEMPLATE_SECONDS", "-1")):
        run = run_bidkit("build", "bid_data", "-o", "/nonexistent/never.pdf", env={name: value})
        assert run.code == 2 and f"{name}='{value}' is not a number" in run.stderr, run.stderr


def test_a_text_where_a_mapping_belongs_names_the_keys(bid):
    """rt5: a signatory written as one text got pydantic's „Input should be a valid dictionary or
    instance of Signatory“."""
    edit(bid / "mou.yaml", "        - {name: Klaus Mohrs, role: Oberbürgermeister}", "        - Klaus Mohrs, Oberbürgermeister")
    [error] = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "SCH001"]
    assert error["message"] == "'signatories[0]': 'Klaus Mohrs, Oberbürgermeister' is one text; here belong the keys name, role"
    assert error["hint"] == "Write it as a mapping: {name: …, role: …}."


def test_a_csv_in_windows_1252_is_located_at_its_line_and_column(bid):
    """rt5: German Excel's „CSV (Trennzeichen-getrennt)“ was „not UTF-8 (byte 27)“: a byte offset."""
    (bid / "kosten.csv").write_bytes("Kostenposition;Kategorie;Betrag\nPersonal für Plattform;Personalkosten;400000\n"
                                     .encode("cp1252"))
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    start = text.index("      costs:")
    end = text.index("      funding:", start)
    (bid / "budget.yaml").write_text(text[:start] + "      costs_file: kosten.csv\n" + text[end:], encoding="utf-8")
    [error] = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["severity"] == "error"]
    assert (error["file"].endswith("kosten.csv"), error["line"], error["column"]) == (True, 2, 11), error
    assert "byte 0xFC at line 2, column 11 ('ü' in Windows-1252" in error["message"]
