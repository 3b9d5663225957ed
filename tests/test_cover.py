"""The cover is one page however full (rt5 D5): a logo, a three-line title and subtitle, the facts,
and a contact and a deputy with role, organisation, e-mail and phone ran onto a second page that
carried only the deputy under the running header, and the table of contents began on page 3."""

from __future__ import annotations

from conftest import edit, pdf_text


def full_cover(bid):
    """The example's cover made full: a three-line title and subtitle, contact and deputy with phones."""
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"',
         'title: "Drei Märkte, ein Netz – Smarte Grenzregion Oberpfälzer Wald im Landkreis Cham"')
    edit(bid / "bid.yaml", "subtitle: Bewerbung der Stadt Wolfsburg im Wettbewerb „Digitale Stadt“",
         "subtitle: Gemeinsame Bewerbung der Stadt Wolfsburg mit den Gemeinden Sassenburg, Calberlah und Weyhausen "
         "im Wettbewerb „Digitale Stadt“ des Bitkom e. V.")
    edit(bid / "bid.yaml", "  email: digital@stadt.wolfsburg.example",
         "  email: digital@stadt.wolfsburg.example\n  phone: +49 5361 28-1234")
    edit(bid / "bid.yaml", "  email: organisation@stadt.wolfsburg.example",
         "  email: organisation@stadt.wolfsburg.example\n  phone: +49 5361 28-5678")


def test_a_full_cover_is_one_page(edited_build):
    # The build of conftest.py's `edited_build`: this cover and the other edits it names.
    run, out = edited_build.run, edited_build.pdf
    assert run.code == 0, run.stderr
    pages = pdf_text(out)
    assert "+49 5361 28-5678" in pages[0] and "Stellvertretung" in pages[0], pages[0]
    assert "Inhalt" in pages[1], pages[1][:300]  # the table of contents on page 2
