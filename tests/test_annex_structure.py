"""A tagged annex whose structure breaks PDF/A-3a and PDF/UA-1 (red-team trial rt6, D11): a role
map that loops, remaps a standard type or leaves a type of its own out is mended (ANX009) and
confirmed by the validator in a real build; a structure tree that reaches an element twice (a
cycle), figures without a text alternative and a page without an area are refused at the annex's
line (ANX006), and the final build refuses them."""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

import annex_samples
from conftest import EXAMPLE, check_here, edit, line_of, run_bidkit
from test_pdf_validation import qpdf_warnings, validation_failures

from bidkit.render.final import inspect_annex, repair_annex


def _changed(change) -> bytes:
    pdf = pikepdf.open(io.BytesIO(annex_samples.tagged_pdfa()))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _first_element(pdf):
    kids = pdf.Root.StructTreeRoot.K
    return kids[0] if isinstance(kids, Array) else kids


def _role_map_loop(pdf):
    pdf.Root.StructTreeRoot.RoleMap = Dictionary({"/Foo": Name.Bar, "/Bar": Name.Foo})
    _first_element(pdf).S = Name.Foo


def _standard_remapped(pdf):
    pdf.Root.StructTreeRoot.RoleMap = Dictionary({"/P": Name.Figure, "/Brief": Name.Document})


def _type_left_out(pdf):
    _first_element(pdf).S = Name("/Anschreiben")


def _cycle(pdf):
    first = _first_element(pdf)
    child = next(kid for kid in first.K if isinstance(kid, Dictionary))
    child.K = Array([*child.K, first]) if isinstance(child.K, Array) else Array([child.K, first])


def _figure_without_alt(pdf):
    first = _first_element(pdf)
    figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, P=first, K=Array()))
    first.K = Array([*first.K, figure]) if isinstance(first.K, Array) else Array([first.K, figure])


def _no_area(pdf):
    pdf.pages[0].obj.MediaBox = Array([0, 0, 0, 0])


MENDED = {"role map that loops": _role_map_loop, "standard type remapped": _standard_remapped,
          "type of its own left out of the role map": _type_left_out}
REFUSED = {"structure tree that reaches an element twice": (_cycle, "reaches one element twice"),
           "figure without a text alternative": (_figure_without_alt, "1 figure(s) without a text alternative"),
           "page without an area": (_no_area, "pages without an area to print on (an empty /MediaBox): 1")}


@pytest.mark.parametrize("name", MENDED)
def test_a_role_map_is_mended_to_lead_straight_to_standard_types(name):
    repaired, done = repair_annex(_changed(MENDED[name]))
    assert any(entry.startswith("role map mended") for entry in done)
    pdf = pikepdf.open(io.BytesIO(repaired))
    roles = {str(k): str(v) for k, v in pdf.Root.StructTreeRoot.get("/RoleMap", Dictionary()).items()}
    assert "/P" not in roles and all(v[1:] in {"Document", "NonStruct", "Div"} for v in roles.values()), roles
    assert inspect_annex(repaired).breaks("pdf/a-3a+ua-1") == []
    untouched = annex_samples.tagged_pdfa()
    assert repair_annex(untouched) == (untouched, ())  # a sound role map stays as it is


@pytest.mark.parametrize("name", REFUSED)
def test_what_cannot_be_mended_breaks_the_claims(name):
    change, reason = REFUSED[name]
    conformance = inspect_annex(repair_annex(_changed(change))[0])
    assert any(reason in why for why in conformance.breaks("pdf/a-3a+ua-1")), conformance
    assert conformance.breaks("pdf") == []


def test_an_element_reached_twice_is_named_before_anything_walks_it_forever():
    pdf = pikepdf.open(io.BytesIO(annex_samples.tagged_pdfa()))
    _first_element(pdf).T = String("Brief")
    _cycle(pdf)
    out = io.BytesIO()
    pdf.save(out)
    assert "reaches one element twice" in inspect_annex(out.getvalue()).structure


@pytest.mark.slow
def test_mended_role_maps_pass_the_validator_and_the_rest_is_refused_at_its_line(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    entries = ""
    for number, change in enumerate(MENDED.values(), start=1):
        (bid / "anlagen" / f"mended-{number}.pdf").write_bytes(_changed(change))
        entries += f"  - title: Anlage {number}\n    file: anlagen/mended-{number}.pdf\n"
    edit(bid / "bid.yaml", "annexes:\n", "annexes:\n" + entries)
    out = tmp_path / "bid.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 0, run.stderr
    assert validation_failures(out, "3a") == [] and validation_failures(out, "ua1") == []
    assert qpdf_warnings(out) == []
    for number, (change, reason) in enumerate(REFUSED.values(), start=1):
        (bid / "anlagen" / f"refused-{number}.pdf").write_bytes(_changed(change))
        edit(bid / "bid.yaml", "annexes:\n", f"annexes:\n  - title: Fehler {number}\n    file: anlagen/refused-{number}.pdf\n")
    found = {f["line"]: f["message"] for f in check_here(".", "--format", "json", cwd=bid).json()["findings"]
             if f["rule"] == "ANX006"}
    for number, (change, reason) in enumerate(REFUSED.values(), start=1):
        assert reason in found[line_of(bid / "bid.yaml", f"file: anlagen/refused-{number}.pdf")]
    run = run_bidkit("build", str(bid), "-o", str(tmp_path / "refused.pdf"))
    assert run.code == 1 and not (tmp_path / "refused.pdf").exists()


def test_a_page_box_inherited_from_the_page_tree_is_an_area():
    pdf = pikepdf.open(io.BytesIO(annex_samples.scan(2)))
    for page in pdf.pages:
        del page.obj["/MediaBox"]
    pdf.Root.Pages.MediaBox = Array([0, 0, 595, 842])
    out = io.BytesIO()
    pdf.save(out)
    assert inspect_annex(out.getvalue()).empty_pages == ()
