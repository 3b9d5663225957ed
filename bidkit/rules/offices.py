"""Who decides and who signs for the applicant: the council (RES005) and the head of the
administration (CON004) must be those of the applicant's kind — a Landkreis's Kreistag and
Landrat, a town's Rat and (Ober-)Bürgermeister — and the council the applicant's own.

A bid begun from another authority's bid, or from a skeleton, keeps the other's offices in
places: „Rat der Stadt Görlitz“ deciding for the Landkreis Görlitz, an „Oberbürgermeister“
signing for a Landkreis, „Rat der Stadt Musterstadt“ from a template. The applicant's kind is
read as the document reads it (``bidkit.applicant``); an applicant of a kind bidkit does not
know („Kommune …“), a Region or an association is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, rule

#: The councils of a Kreis (Landkreis, Kreis, „Rhein-Sieg-Kreis“) and of a town or municipality.
_COUNTY_COUNCILS = {"Kreistag"}
_TOWN_COUNCILS = {"Rat", "Gemeinderat", "Samtgemeinderat", "Verbandsgemeinderat", "Ortsgemeinderat", "Marktgemeinderat",
                  "Gemeindevertretung"}

#: A body's words that name a Kreis's council or committee, and those that name a town's.
_COUNTY_BODY = re.compile(r"kreistag|kreisausschuss", re.IGNORECASE)
_TOWN_BODY = re.compile(
    r"stadtrat|gemeinderat|stadtverordnet|gemeindevertret|stadtvertret|ratsversammlung|bürgerschaft|stadtparlament"
    r"|\brat\s+(?:der|des)\s+\w*(?:stadt|gemeinde|marktes|markt)\b", re.IGNORECASE)
#: The head of a town's administration, and of a Kreis's.
_TOWN_HEAD = re.compile(r"bürgermeister", re.IGNORECASE)
_COUNTY_HEAD = re.compile(r"landr(?:at|ät)", re.IGNORECASE)

#: Where a body names whose council it is: „Rat der Stadt Wolfsburg“, „Kreistag des Landkreises Görlitz“,
#: „Stadtverordnetenversammlung der Wissenschaftsstadt Darmstadt“; the name follows.
_WHOSE = re.compile(r"\b(?:der|des)\s+(?:Großen\s+|Freien\s+(?:und\s+)?)?"
                    r"(?:\w*(?:stadt|gemeinde)|Stadt|Gemeinde|Landkreises|Kreises|Marktes|Amtes)\s+(?P<name>[^\W\d_][\w.-]*)")


def _level(ctx: RuleContext) -> tuple[str, str] | None:
    """("county" or "town", the applicant's full name), or None for an applicant of another kind."""
    from bidkit.applicant import applicant_of

    if ctx.bid.city is None:
        return None
    applicant = applicant_of(ctx.bid.city)
    if applicant.council in _COUNTY_COUNCILS:
        return "county", applicant.name
    if applicant.council in _TOWN_COUNCILS:
        return "town", applicant.name
    return None


def _name_words(*names: str | None) -> set[str]:
    return {word.casefold() for name in names if name for word in re.findall(r"[^\W\d_][\w]*", name)}


@rule(
    "RES005", Severity.WARNING, "The council resolution names another authority's council",
    hint="Name the body that decided for the applicant: a Landkreis's Kreistag („Kreistag des Landkreises …“), a "
         "town's Rat („Rat der Stadt …“), with the applicant's name.",
    explanation="""
The council resolution authorises the bid for the applicant: a Landkreis's bid is decided by its
Kreistag, a town's by its council (Rat, Stadtrat, Stadtverordnetenversammlung, Gemeinderat, …).
A body of the other kind („Rat der Stadt Görlitz“ for the Landkreis Görlitz), or one named for
another authority than the applicant („Rat der Stadt Musterstadt“ left from a template or an
older bid), has not decided for this bid as the document says. (A larger German city named there
is TXT004's finding.) A town of the applicant that is a
partner of `type: kommune` decides for its own share only; its council is not the applicant's.
""",
    reads=("council_resolution", "city"),
)
def council_is_the_applicants(ctx: RuleContext) -> Iterator[Violation]:
    resolution, level = ctx.bid.council_resolution, _level(ctx)
    if resolution is None or level is None:
        return
    kind, applicant = level
    body = " ".join(resolution.body.split())
    county, town = _COUNTY_BODY.search(body), _TOWN_BODY.search(body)
    path = ("council_resolution", "body")
    if kind == "county" and town and not county:
        yield Violation(path, f"'{body}' is a town's council, but the applicant is the {applicant}: its Kreistag decides")
        return
    if kind == "town" and county and not town:
        yield Violation(path, f"'{body}' is a Kreis's council, but the applicant is the {applicant}: its own council decides")
        return
    whose = _WHOSE.search(resolution.body)
    if whose and whose.group("name")[0].isupper():  # „Rat der Stadt vom 5. Mai“ names no one
        from bidkit.rules.cities import other_cities, own_places

        first = re.match(r"[^\W\d_]\w*", whose.group("name")).group()  # „Märkisch-Oderland“: Märkisch
        if (first.casefold() not in _name_words(applicant, ctx.bid.city.name, ctx.bid.city.official_name)
                and not any(other_cities(resolution.body, ctx.bid.city.name, own_places(ctx.bid)))):  # TXT004's
            yield Violation(path, f"'{body}' names '{whose.group('name')}', but the applicant is the {applicant}",
                            text_offset=whose.start("name"))


@rule(
    "CON004", Severity.WARNING, "The legal representative's office is another kind of authority's",
    hint="Give the office of who represents the applicant: a Landkreis's Landrätin or Landrat, a town's "
         "Oberbürgermeisterin or Bürgermeister.",
    explanation="""
The legal representative signs the bid for the applicant. A Landkreis is represented by its
Landrätin or Landrat, a town or municipality by its (Ober-)Bürgermeisterin or (Ober-)Bürgermeister.
An „Oberbürgermeister“ signing for a Landkreis, or a „Landrat“ for a town, is an office copied from
another bid (most often the neighbouring town's or county's): the jury reads that the wrong
person signed. Deputies and others who may sign (Erster Kreisbeigeordneter, Dezernentin) are
not judged.
""",
    reads=("legal_representative", "city"),
)
def representative_fits_the_applicant(ctx: RuleContext) -> Iterator[Violation]:
    person, level = ctx.bid.legal_representative, _level(ctx)
    if person is None or level is None:
        return
    kind, applicant = level
    role = " ".join(person.role.split())
    if kind == "county" and _TOWN_HEAD.search(role) and not _COUNTY_HEAD.search(role):
        yield Violation(("legal_representative", "role"), f"'{role}' is a town's office, but the applicant is the {applicant}")
    elif kind == "town" and _COUNTY_HEAD.search(role) and not _TOWN_HEAD.search(role):
        yield Violation(("legal_representative", "role"), f"'{role}' is a Kreis's office, but the applicant is the {applicant}")
