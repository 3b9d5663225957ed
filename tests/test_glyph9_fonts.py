"""`check` finds every character no font of the document has, at its file, line and field (TXT005,
bidkit.fontcover): the bid's texts, tables read from spreadsheets, the supporters' register and the
theme's own fonts; the build's last guard refuses with exit 1 (bad input), not 3."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bidkit import fontcover
from bidkit.check import check_bid

from conftest import edit, line_of, run_bidkit

REGISTER = "\nsupporters: {file: unterstuetzer.csv}\ntheme:"


def txt005(folder):
    return [f for f in check_bid(folder)[0].findings if f.rule == "TXT005"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """A cache folder of this test's own: what is kept is what the test made."""
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))


# --- the fonts ------------------------------------------------------------------------------

def test_the_machine_fonts_are_fontconfigs_and_have_german_but_no_emoji():
    files, consulted = fontcover.machine_font_files()
    assert Path(fontcover.FONTCONFIG) in consulted
    assert any(path.name == "DejaVuSans.ttf" for path in files)  # bidkit's DEFAULT_FONT, found as fontconfig finds it
    fonts = fontcover.document_fonts(Path("/nonexistent"), [])
    assert fonts.missing("Straße – „Mobilität“ · 1.500 € ‰ … İı ǹ ☺ Ελλάδα Москва عربى") == []
    assert fonts.missing("Zoë 🌻 中文 Ｗｏｂ ᚠᚢ") == ["🌻", "中", "文", "Ｗ", "ｏ", "ｂ", "ᚠ", "ᚢ"]
    # characters no glyph is drawn for: soft hyphen, joiners, variation selector, tab and line breaks
    assert fonts.missing("Daten\u00adplattform a\u200db\u2060c\ufe0f\t\n\r") == []
    assert "DejaVu Sans" in fonts.searched() and "font files" in fonts.searched()


def test_fontconfigs_folders_follow_its_includes_prefixes_and_comments(tmp_path, monkeypatch):
    for folder in ("a", "b", "xdg/fonts", "notused", "home/.fonts"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "10-b.conf").write_text(f"<fontconfig><dir>{tmp_path}/b</dir></fontconfig>")
    (tmp_path / "fonts.conf").write_text(
        f"<fontconfig><dir>{tmp_path}/a</dir><!-- <dir>{tmp_path}/notused</dir> -->\n"
        f'<dir prefix="xdg">fonts</dir><dir>~/.fonts</dir><dir>{tmp_path}/missing</dir>\n'
        '<include ignore_missing="yes">conf.d</include></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert fontcover._font_folders()[1] == [tmp_path / "a", tmp_path / "xdg/fonts", tmp_path / "home/.fonts", tmp_path / "b"]


def test_the_character_maps_are_kept_and_read_again_only_for_a_changed_file(tmp_path, monkeypatch):
    first = fontcover.document_fonts(tmp_path, [])
    kept = list((tmp_path / "cache" / "fonts").glob("cmaps-*.marshal"))
    assert len(kept) == 1

    def unread(path):
        raise AssertionError(f"{path} read again")

    monkeypatch.setattr(fontcover, "_read", unread)
    again = fontcover.document_fonts(tmp_path, [])  # every font from the kept file
    assert [(f.path, f.starts, f.ends) for f in again.machine] == [(f.path, f.starts, f.ends) for f in first.machine]
    font = tiny_font(tmp_path / "folder" / "x.ttf", "中")
    monkeypatch.setenv("FONTCONFIG_FILE", str(write_config(tmp_path, tmp_path / "folder")))
    read = []
    monkeypatch.setattr(fontcover, "_read", lambda path: read.append(path) or ("X", *[fontcover.array("I", [0x4E2D]).tobytes()] * 2))
    fontcover.document_fonts(tmp_path, [])
    fontcover.document_fonts(tmp_path, [])
    assert read == [font]  # once: kept by its size and time
    os.utime(font, ns=(1, 1))
    fontcover.document_fonts(tmp_path, [])
    assert read == [font, font]


def test_a_damaged_kept_file_is_no_error(tmp_path):
    path = tmp_path / "cache" / "fonts" / f"cmaps-{fontcover.FORMAT}.marshal"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage")
    assert fontcover.document_fonts(tmp_path, []).missing("ä🌻") == ["🌻"]


def write_config(tmp_path: Path, folder: Path) -> Path:
    config = tmp_path / "fonts.conf"
    config.write_text(f"<fontconfig><dir>{folder}</dir></fontconfig>")
    return config


def tiny_font(path: Path, chars: str) -> Path:
    """A TrueType font with a glyph (an empty box) for each of ``chars`` besides .notdef and space."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", "space", *(f"uni{ord(c):04X}" for c in chars)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(c): f"uni{ord(c):04X}" for c in chars}})
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0)), pen.lineTo((100, 700)), pen.lineTo((600, 700)), pen.lineTo((600, 0)), pen.closePath()
    box = pen.glyph()
    builder.setupGlyf({name: box for name in names})
    builder.setupHorizontalMetrics({name: (700, 100) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Kleine Schrift", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))
    return path


# --- check: where the characters are -------------------------------------------------------

def test_an_emoji_in_the_title_and_cjk_in_a_partner_are_errors_at_their_lines(bid):
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', 'title: "#WolfsburgDigital 🚌 🚌"')
    edit(bid / "partners.yaml", "name: Volkswagen AG", "name: Volkswagen AG 中文 Ｗｏｂｃｏｍ")
    found = {f.location.file.name: f for f in txt005(bid)}
    title, partner = found["bid.yaml"], found["partners.yaml"]
    assert title.severity.value == "error" and title.path == ("title",)
    assert title.location.line == line_of(bid / "bid.yaml", "title: \"#WolfsburgDigital 🚌")
    assert title.message == "U+1F68C BUS in title: no font of the document has it"  # once per text
    assert partner.location.line == line_of(bid / "partners.yaml", "Volkswagen AG 中文")
    assert partner.message.startswith("U+4E2D CJK UNIFIED IDEOGRAPH-4E2D, U+6587 CJK UNIFIED IDEOGRAPH-6587, "
                                      "U+FF37 FULLWIDTH LATIN CAPITAL LETTER W, ")
    assert "theme.fonts" in partner.hint or "fonts:" in partner.hint
    assert "Searched: this machine's" in partner.hint and "DejaVu Sans" in partner.hint


def test_a_supporters_name_is_found_at_its_row_once_with_what_the_public_variant_does(bid):
    (bid / "unterstuetzer.csv").write_text(
        "Name;Art;Ort;Datum;Scan\nAnna Koch;Bürger;Wolfsburg;01.03.2017;\n"
        "Zoë Brandstätter 🌻🌻;Bürger;Hof 🌻;06.11.2016;\nVerein 👍🏽;Verein;Wolfsburg;01.03.2017;\n", encoding="utf-8")
    edit(bid / "bid.yaml", "\ntheme:", REGISTER)
    found = sorted(txt005(bid), key=lambda f: (f.location.line, f.message))
    assert [(f.location.file.name, f.location.line) for f in found] == [
        ("unterstuetzer.csv", 3), ("unterstuetzer.csv", 3), ("unterstuetzer.csv", 4)]
    name, place, club = sorted(found, key=lambda f: (f.location.line, "place" in f.message))
    assert name.message == ("'unterstuetzer.csv' line 3: U+1F33B SUNFLOWER in the supporter's name: no font of the "
                            "document has it (the full document prints it; the public variant leaves it out)")
    assert place.message == "'unterstuetzer.csv' line 3: U+1F33B SUNFLOWER in the supporter's place: no font of the document has it"
    assert club.message.startswith("'unterstuetzer.csv' line 4: U+1F44D THUMBS UP SIGN, U+1F3FD EMOJI MODIFIER FITZPATRICK TYPE-4 ")
    assert "public variant" not in club.message  # an association's name is printed in every variant


def test_a_table_read_from_a_workbook_is_searched_at_its_cell(bid):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Kosten"
    sheet.append(["Kostenposition", "Kategorie", "Betrag"])
    sheet.append(["Plattform 🚌", "sachkosten", 500000])
    book.save(bid / "kosten.xlsx")
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    start = text.index("      costs:")
    end = text.index("      funding:", start)
    (bid / "budget.yaml").write_text(text[:start] + "      costs_file: kosten.xlsx\n" + text[end:], encoding="utf-8")
    [finding] = txt005(bid)
    assert finding.message.startswith("U+1F68C BUS in budget.years[0].costs[0]")
    assert finding.location.file.name == "kosten.xlsx"


def test_the_theme_font_counts_and_texts_not_printed_are_not_searched(bid):
    tiny_font(bid / "theme" / "schrift.ttf", "中")
    edit(bid / "bid.yaml", "  logo: theme/logo.svg", "  logo: theme/logo.svg\n  font_family: Kleine Schrift\n"
                                                     "  fonts: [{file: theme/schrift.ttf}]\n  logo_alt: \"Logo 文\"", )
    edit(bid / "bid.yaml", '  logo_alt: "Stadt Wolfsburg – #WolfsburgDigital"\n', "")
    edit(bid / "partners.yaml", "name: Volkswagen AG", "name: Volkswagen AG 中")
    assert txt005(bid) == []  # 中 in the theme's font; logo_alt is a field of the theme, not printed as text


def test_a_character_newer_than_pythons_unicode_is_not_known_to_bidkit(bid):
    import unicodedata

    if unicodedata.category("\U0001f6dc") != "Cn":
        pytest.skip("this Python knows Unicode 15")
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', 'title: "#WolfsburgDigital \U0001f6dc"')
    [finding] = txt005(bid)
    assert finding.message == "U+1F6DC (code point not known to bidkit) in title"


def test_the_command_line_check_fails_for_an_emoji(bid):
    edit(bid / "measures.yaml", "title: Städtische Datenplattform", "title: Städtische Datenplattform 🚌 Mobilität")
    run = run_bidkit("check", str(bid))
    assert run.code == 1, run.stdout + run.stderr
    assert "TXT005" in run.stdout and "U+1F68C BUS in measures[" in " ".join(run.stdout.split())


# --- build: the last guard is bad input ----------------------------------------------------

def test_the_build_guard_refuses_with_exit_1():
    import weasyprint

    from bidkit.errors import EXIT_FINDINGS, BuildRefused
    from bidkit.render.glyphs import keep_claims

    document = weasyprint.HTML(string="<p style='font-family: DejaVu Sans'>Rufbus 🚌 fährt</p>").write_pdf()
    with pytest.raises(BuildRefused) as refused:
        keep_claims(document, "pdf/a-3a", draft=False, warnings=[])
    assert refused.value.exit_code == EXIT_FINDINGS == 1
    assert "U+1F68C BUS on page 1" in refused.value.message and "TXT005" in refused.value.hint


def test_file_names_are_searched_only_where_the_list_of_annexes_prints_them(bid):
    from bidkit.rules.characters import printed

    annex_files = {"anlagen/ratsbeschluss.pdf"}
    assert printed(("annexes", 0, "file"), "anlagen/ratsbeschluss.pdf", annex_files)
    assert not printed(("supporters", "file"), "unterstützer 🌻.csv", annex_files)
    assert not printed(("budget", "years", 0, "costs_file", "file"), "kosten 🌻.xlsx", annex_files)
    assert not printed(("theme", "logo_alt"), "Logo 🌻", annex_files)
    assert printed(("measures", 0, "title"), "Rufbus 🌻", annex_files)


def test_a_long_run_of_a_script_no_font_has_names_the_first_characters(bid):
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', 'title: "#WolfsburgDigital 沃尔夫斯堡通信有限公司"')
    [finding] = txt005(bid)
    assert finding.message.endswith("U+6709 CJK UNIFIED IDEOGRAPH-6709 and 3 more in title: no font of the document has them")


def test_the_calls_printed_name_is_searched_and_reported_at_the_bids_call(bid):
    from bidkit.call_profiles import shipped_calls

    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8")
    (bid / "call.yaml").write_text(text.replace("name: Wettbewerb „Digitale Stadt“ 2017", "name: Wettbewerb 🏙 2017"),
                                   encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: call.yaml")
    found = [f for f in txt005(bid)]
    assert [(f.path, f.message) for f in found] == [
        (("call",), "U+1F3D9 CITYSCAPE in the call's name: no font of the document has it")]
    assert found[0].location.file.name == "bid.yaml" and found[0].location.line == line_of(bid / "bid.yaml", "call: call.yaml")


def test_a_kept_entry_of_the_wrong_shape_is_read_again(tmp_path):
    import marshal

    fontcover.document_fonts(tmp_path, [])
    path = tmp_path / "cache" / "fonts" / f"cmaps-{fontcover.FORMAT}.marshal"
    kept = marshal.loads(path.read_bytes())
    kept["fonts"] = {key: (*entry[:3], ["a"], b"bbb") for key, entry in kept["fonts"].items()}
    kept["machine"] = (kept["machine"][0], kept["machine"][1], [1, 2])  # no list of file names
    path.write_bytes(marshal.dumps(kept))
    assert fontcover.document_fonts(tmp_path, []).missing("ä🌻") == ["🌻"]
    kept = marshal.loads(path.read_bytes())
    assert all(entry[3] != ["a"] for entry in kept["fonts"].values()) and kept["machine"][2] != [1, 2]


def test_the_machines_fonts_are_found_again_when_a_font_folder_changes(tmp_path, monkeypatch):
    folder = tmp_path / "folder"
    folder.mkdir()
    monkeypatch.setenv("FONTCONFIG_FILE", str(write_config(tmp_path, folder)))
    assert fontcover.document_fonts(tmp_path, []).missing("中") == ["中"]
    tiny_font(folder / "x.ttf", "中")  # the folder's time changes
    assert fontcover.document_fonts(tmp_path, []).missing("中") == []
    monkeypatch.delenv("FONTCONFIG_FILE")  # the machine's configuration again
    assert fontcover.document_fonts(tmp_path, []).missing("中") == ["中"]


def test_the_search_beyond_ascii_finds_what_the_plain_one_finds():
    fonts = fontcover.document_fonts(Path("/nonexistent"), [])
    text = "Zoë\x07 🌻 a\ud800b 中 ᚠ\tx\n" * 3
    plain = [c for c in dict.fromkeys(text) if not fonts.has(c) and not fontcover._IGNORED.match(c)]
    assert fonts.missing(text) == [c for c in plain if c >= "\x80"] == ["🌻", "\ud800", "中", "ᚠ"]
