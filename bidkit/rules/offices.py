"""Who decides and who signs for the applicant: the council (RES005) and the head of the
administration (CON004) must be those of the applicant's kind — a Landkreis's Kreistag and
Landrat, a town's Rat and (Ober-)Bürgermeister — and the council the applicant's own.

A bid begun from another authority's bid, or from a skeleton, keeps the other's offices in
places: „Rat der Stadt Görlitz“ deciding for the Landkreis Görlitz, an „Oberbürgermeister“
signing for a Landkreis, „Rat der Stadt Musterstadt“ from a template. The applicant's kind is
read as the document reads it (``bidkit.applicant``): a Landkreis or Kreis, a Stadt, a Gemeinde, a
Markt, a Verbandsgemeinde, Samtgemeinde or Ortsgemeinde are judged; an applicant of a kind bidkit does
not know („Kommune …“), a Region, an Amt or a Zweckverband is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, rule

#: Which councils decide for an applicant, by its council (``Applicant.council``): a Stadt's Rat may be
#: called Stadtrat, Stadtverordnetenversammlung, Bürgerschaft, … and in Baden-Württemberg Gemeinderat; an
#: association of municipalities (Verbandsgemeinde, Samtgemeinde) decides by its own council only.
_DECIDES = {"Kreistag": {"county"}, "Rat": {"stadt", "gemeinde"}, "Gemeinderat": {"gemeinde"},
            "Gemeindevertretung": {"gemeinde"}, "Verbandsgemeinderat": {"verbandsgemeinde"},
            "Samtgemeinderat": {"samtgemeinde"}, "Ortsgemeinderat": {"ortsgemeinde"}, "Marktgemeinderat": {"markt"}}
#: The councils a text names, each as the kind of authority it is the council of.
_COUNCILS = re.compile(
    r"(?P<verbandsgemeinde>verbandsgemeinderat|rat\s+der\s+verbandsgemeinde)"
    r"|(?P<samtgemeinde>samtgemeinderat|rat\s+der\s+samtgemeinde)"
    r"|(?P<ortsgemeinde>ortsgemeinderat|rat\s+der\s+ortsgemeinde)"
    r"|(?P<markt>marktgemeinderat|marktrat|rat\s+(?:der\s+marktgemeinde|des\s+marktes))"
    r"|(?P<county>kreistag|kreisausschuss)"
    r"|(?P<stadt>stadtrat|stadtverordnet|stadtvertret|ratsversammlung|bürgerschaft|stadtparlament|rat\s+der\s+\w*stadt\b)"
    r"|(?P<gemeinde>gemeinderat|gemeindevertret|rat\s+der\s+gemeinde\b)", re.IGNORECASE)
#: How messages name the kinds.
_KINDS = {"county": "a Kreis's", "stadt": "a Stadt's", "gemeinde": "a Gemeinde's", "verbandsgemeinde": "a Verbandsgemeinde's",
          "samtgemeinde": "a Samtgemeinde's", "ortsgemeinde": "an Ortsgemeinde's", "markt": "a Markt's"}
#: The head of a town's administration, and of a Kreis's; an Oberbürgermeister heads a Stadt only.
_TOWN_HEAD = re.compile(r"bürgermeister", re.IGNORECASE)
_LORD_MAYOR = re.compile(r"oberbürgermeister", re.IGNORECASE)
_COUNTY_HEAD = re.compile(r"landr(?:at|ät)", re.IGNORECASE)

#: Where a body names whose council it is: „Rat der Stadt Wolfsburg“, „Kreistag des Landkreises Görlitz“,
#: „Stadtverordnetenversammlung der Wissenschaftsstadt Darmstadt“; the name follows.
_WHOSE = re.compile(r"\b(?:der|des)\s+(?:Großen\s+|Freien\s+(?:und\s+)?)?"
                    r"(?:\w*(?:stadt|gemeinde)|Stadt|Gemeinde|Landkreises|Kreises|Marktes|Amtes)\s+(?P<name>[^\W\d_][\w.-]*)")


def _applicant(ctx: RuleContext):
    """The applicant (``bidkit.applicant.Applicant``) when it is of a kind judged here, else None."""
    from bidkit.applicant import applicant_of

    if ctx.bid.city is None:
        return None
    from bidkit.applicant import FALLBACK

    applicant = applicant_of(ctx.bid.city)
    return applicant if applicant.council in _DECIDES and applicant.kind != FALLBACK else None


def foreign_council(text: str, council: str, subject: bool = False) -> re.Match | None:
    """The first council ``text`` names when none it names is one that decides for an applicant whose
    council is ``council``, else None; ``subject``: only a council the text opens with („Der Stadtrat
    beschließt …“), as a decision names who decides — elsewhere „die Bürgerschaft beteiligen“ is the citizens."""
    named = list(_COUNCILS.finditer(text[:40] if subject else text))
    if not named or any(match.lastgroup in _DECIDES[council] for match in named):
        return None
    return named[0]


#: A word of a name: a letter, then letters or digits („Märkisch-Oderland“: Märkisch, Oderland).
LETTER_WORD = re.compile(r"[^\W\d_]\w*")


def applicant_words(*names: str | None) -> set[str]:
    """The words of the applicant's names (casefolded), that a place named in a text is compared with."""
    return {word.casefold() for name in names if name for word in LETTER_WORD.findall(name)}


@rule(
    "RES005", Severity.WARNING, "The council resolution names another authority's council",
    hint="Name the body that decided for the applicant: a Landkreis's Kreistag („Kreistag des Landkreises …“), a "
         "town's Rat („Rat der Stadt …“), with the applicant's name.",
    explanation="""
The council resolution authorises the bid for the applicant: a Landkreis's bid is decided by its
Kreistag, a town's by its council (Rat, Stadtrat, Stadtverordnetenversammlung, Gemeinderat, …).
An association of municipalities (Verbandsgemeinde, Samtgemeinde) decides by its own council, not
by the council of one of its towns. A body of another kind („Rat der Stadt Görlitz“ for the
Landkreis Görlitz, „Stadtrat der Stadt Bad Marienberg“ for the Verbandsgemeinde), a decision whose
text names such a council only („Der Stadtrat beschließt …“), or a body named for another
authority than the applicant („Rat der Stadt Musterstadt“ left from a template or an older bid)
has not decided for this bid as the document says (a larger German city named there is TXT004's
finding). A town of the applicant that is a partner of `type: kommune` decides for its own share
only; its council is not the applicant's.
""",
    reads=("council_resolution", "city"),
)
def council_is_the_applicants(ctx: RuleContext) -> Iterator[Violation]:
    resolution, applicant = ctx.bid.council_resolution, _applicant(ctx)
    if resolution is None or applicant is None:
        return
    body = " ".join(resolution.body.split())
    path = ("council_resolution", "body")
    if (other := foreign_council(resolution.body, applicant.council)) is not None:
        yield Violation(path, f"'{body}' is {_KINDS[other.lastgroup]} council, but the applicant is the {applicant.name}: "
                              f"its {applicant.council} decides", text_offset=other.start())
        return
    for index, decision in enumerate(resolution.decisions):
        if (other := foreign_council(decision, applicant.council, subject=True)) is not None:
            yield Violation(("council_resolution", "decisions", index),
                            f"the decision names {_KINDS[other.lastgroup]} council („{other.group()}“), but the applicant "
                            f"is the {applicant.name}: its {applicant.council} decides", text_offset=other.start())
    whose = _WHOSE.search(resolution.body)
    if whose and whose.group("name")[0].isupper():  # „Rat der Stadt vom 5. Mai“ names no one
        from bidkit.rules.cities import other_cities, own_places

        first = LETTER_WORD.match(whose.group("name")).group()  # „Märkisch-Oderland“: Märkisch
        if (first.casefold() not in applicant_words(applicant.name, ctx.bid.city.name, ctx.bid.city.official_name)
                and not any(other_cities(resolution.body, ctx.bid.city.name, own_places(ctx.bid)))):  # TXT004's
            yield Violation(path, f"'{body}' names '{whose.group('name')}', but the applicant is the {applicant.name}",
                            text_offset=whose.start("name"))


@rule(
    "CON004", Severity.WARNING, "The legal representative's office is another kind of authority's",
    hint="Give the office of who represents the applicant: a Landkreis's Landrätin or Landrat, a town's "
         "Oberbürgermeisterin or Bürgermeister.",
    explanation="""
The legal representative signs the bid for the applicant. A Landkreis is represented by its
Landrätin or Landrat, a town or municipality by its (Ober-)Bürgermeisterin or (Ober-)Bürgermeister;
only a Stadt has an Oberbürgermeister. An „Oberbürgermeister“ signing for a Landkreis or a
Verbandsgemeinde, or a „Landrat“ for a town, is an office copied from another bid (most often the
neighbouring town's or county's): the jury reads that the wrong person signed. Deputies and others who may sign (Erster Kreisbeigeordneter, Dezernentin) are
not judged.
""",
    reads=("legal_representative", "city"),
)
def representative_fits_the_applicant(ctx: RuleContext) -> Iterator[Violation]:
    person, applicant = ctx.bid.legal_representative, _applicant(ctx)
    if person is None or applicant is None:
        return
    role, path = " ".join(person.role.split()), ("legal_representative", "role")
    if applicant.council == "Kreistag":
        if _TOWN_HEAD.search(role) and not _COUNTY_HEAD.search(role):
            yield Violation(path, f"'{role}' is a town's office, but the applicant is the {applicant.name}")
    elif _COUNTY_HEAD.search(role) and not _TOWN_HEAD.search(role):
        yield Violation(path, f"'{role}' is a Kreis's office, but the applicant is the {applicant.name}")
    elif applicant.council != "Rat" and _LORD_MAYOR.search(role):
        yield Violation(path, f"'{role}' heads a Stadt, but the applicant is the {applicant.name}: "
                              "it is represented by its Bürgermeisterin or Bürgermeister")
