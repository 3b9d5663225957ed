"""TXT004: the bid's own texts name another German city (a copy-paste remnant, usually).

A bid started from another city's bid keeps that city's name in places: "Wolfsburg will
digitale Modellstadt werden" in Darmstadt's bid. The names of German cities with at least
50,000 inhabitants ship as data (``bidkit/data/german-cities-50k.txt``, with its source).
Only the texts the city writes about itself are searched: title, subtitle, vision, starting
situation, goals, measures, the MoU's title, purpose and commitments, the budget note, the
council's body and decisions. Partner names, addresses and KPI sources may name other cities.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from bidkit.findings import Severity, dotted
from bidkit.records import record
from bidkit.rules.registry import RuleContext, Violation, rule
from bidkit.rules.structure import _select  # the call's text_limits use the same field paths

CITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "german-cities-50k.txt"

#: Where the bid speaks of itself: field paths, '[]' for every item of a list.
OWN_TEXTS = (
    "title", "subtitle", "vision", "starting_situation",
    "goals[].title", "goals[].description",
    "measures[].title", "measures[].description", "measures[].lead",
    "mou.title", "mou.purpose", "mou.commitments[]", "budget.note",
    "legal_representative.organisation", "council_resolution.body", "council_resolution.decisions[]",
)


@record(frozen=True)
class City:
    name: str  # the official name
    names: tuple[str, ...]  # the official name and the others it is written under
    common_word: bool  # also an everyday word: matched only as "Stadt X" or "Xer"


@cache
def german_cities() -> tuple[City, ...]:
    cities = []
    for line in CITIES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        _, entry = line.split(maxsplit=1)
        name, _, others = entry.partition("=")
        name = name.strip()
        common = name.startswith("!")
        name = name.removeprefix("!")
        aliases = tuple(a.strip() for a in others.split(",") if a.strip())
        cities.append(City(name, (name, *aliases), common))
    return tuple(cities)


@cache
def _by_name() -> dict[str, list[City]]:
    """The cities by each name they are written under."""
    by_name: dict[str, list[City]] = {}
    for city in german_cities():
        for name in city.names:
            by_name.setdefault(name, []).append(city)
    return by_name


@cache
def _pattern() -> tuple[re.Pattern, dict[str, list[City]]]:
    """One regex for every name (longest first, so "Frankfurt am Main" wins over "Frankfurt")."""
    by_name = _by_name()
    alternatives = "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
    # Hyphens join words: "Neu-Ulm" and "Lüneburg-Wolfsburg" are names of their own, not Ulm.
    return re.compile(rf"(?<![\w-])(Stadt\s+)?({alternatives})(er)?(?![\w-])"), by_name


@cache  # asked for every text of the bid
def own_names(city_name: str) -> frozenset[str]:
    """The bid's city under all its names (and names shared with it, like Frankfurt)."""
    mine = {city_name.strip()}
    for city in german_cities():
        if city_name.strip() in city.names:
            mine |= set(city.names)
    return frozenset(mine)


_WORD = re.compile(r"\w+")


@cache
def _first_words(city_name: str) -> frozenset[str] | None:
    """The first word of every other city's names (None: a name begins with no word, so any text may name it)."""
    mine = own_names(city_name)
    words = set()
    for city in german_cities():
        for name in city.names:
            if name not in mine:
                first = _WORD.match(name)
                if first is None:
                    return None
                words.add(first.group(0))
    return frozenset(words)


def _may_name_another(text: str, city_name: str) -> bool:
    """Whether a word of ``text`` begins another city's name: a match of the pattern starts with a
    whole word of the text that is the name's first word, or a one-word name with the ending 'er'.
    Most texts have none, and then the pattern of all names is not even compiled."""
    words = _first_words(city_name)
    if words is None:
        return True
    return any(word in words or (word.endswith("er") and word[:-2] in words) for word in _WORD.findall(text))


#: Words that make a city's name a place around it: "Berliner Umland", "Raum Hannover",
#: "Metropolregion Hamburg" name where a neighbouring county lies, not a copy-paste remnant.
_SURROUNDINGS = r"Umland|Raum|Region|Metropolregion|Speckgürtel|Einzugsgebiet|Großraum|Ballungsraum"
_SURROUNDINGS_AFTER = re.compile(rf"\s+(?:{_SURROUNDINGS})\b")
_SURROUNDINGS_BEFORE = re.compile(rf"\b(?:{_SURROUNDINGS})\s+$")

#: Words that make "Xer" a street's or a square's name, which every German town has: "Berliner Ring",
#: "Braunschweiger Straße", "Kasseler Str. 3", "am Kölner Platz".
_STREET_AFTER = re.compile(r"\s+(?:Straße|Strasse|Str\.|Landstraße|Heerstraße|Chaussee|Allee|Ring|Weg|Pfad|Steig|Gasse|"
                           r"Damm|Wall|Ufer|Kamp|Platz|Markt|Tor|Brücke|Promenade)(?!\w)")


def _names_surroundings(text: str, match: re.Match) -> bool:
    if match.group(1):  # "Stadt Berlin" is the city
        return False
    if match.group(3) and (_SURROUNDINGS_AFTER.match(text, match.end()) or _STREET_AFTER.match(text, match.end())):
        return True
    return bool(_SURROUNDINGS_BEFORE.search(text[max(0, match.start() - 40):match.start()]))


def other_cities(text: str, city_name: str, places: frozenset[str] = frozenset()) -> Iterator[tuple[int, str]]:
    """(offset, name as written) of every other German city ``text`` names; ``places`` are names of
    the bid's own places besides the city (a Landkreis's towns, see ``own_places``)."""
    if not _may_name_another(text, city_name):
        return
    pattern, by_name = _pattern()
    mine = own_names(city_name)
    for match in pattern.finditer(text):
        said_stadt, name, adjective = match.group(1), match.group(2), match.group(3)
        if name in mine or name in places or _names_surroundings(text, match):
            continue
        if all(c.common_word for c in by_name[name]) and not (said_stadt or adjective):
            continue
        yield match.start(2), name + (adjective or "")


def _cities_in(name: str, *, parts: bool = False) -> set[str]:
    """The listed cities a place's name names, under all their names: „Stadt Hameln“ → Hameln,
    „Stadt Bad Münder am Deister“ → any run of its words that is a city's name; with ``parts``
    each part of a hyphenated word too („Hameln-Pyrmont“ → Hameln)."""
    by_name = _by_name()
    words = name.split()
    runs = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
    if parts:
        runs |= {part for word in words for part in word.split("-")}
    return {other for run in runs & by_name.keys() for city in by_name[run] for other in city.names}


def own_places(bid) -> frozenset[str]:
    """Names of the listed cities that belong to the bid besides its city: the towns a Landkreis,
    a Region or an association of municipalities is made of. They are the municipalities among
    the partners (`type: kommune`) and the MoU's parties (its partners of that type, and parties
    named as a kind of municipality other than the applicant's: „Stadt Hameln“ in a Landkreis's
    MoU), and, for an applicant that is no Stadt or Gemeinde, the towns its own name names
    („Landkreis Hameln-Pyrmont“: Hameln)."""
    from bidkit.applicant import Applicant, applicant_of, leading_kind
    from bidkit.models import PartnerType

    kind = applicant_of(bid.city).kind if bid.city else None
    municipal = {p.id: p.name for p in bid.partners or [] if p.type is PartnerType.KOMMUNE}
    places = {place for name in municipal.values() for place in _cities_in(name)}
    for party in bid.mou.parties if bid.mou else []:
        # A party of the applicant's own kind is the applicant (or, in a copied bid, the city it was copied from).
        named_municipality = party.name and leading_kind(party.name) and Applicant.of(party.name).kind != kind
        if party.partner in municipal or named_municipality:
            places |= _cities_in(bid.party_name(party))
    if kind not in (None, "Stadt", "Gemeinde"):
        places |= _cities_in(bid.city.name, parts=True)
    places |= {" ".join(district.split()) for district in (bid.city.districts if bid.city else [])}
    return frozenset(places)


@rule(
    "TXT004", Severity.WARNING, "Another city named where the bid speaks of itself",
    hint="If your city is meant, write its name; a district of your city that bears another city's name "
         "(Köln's Mülheim) goes into `city.districts`; a town that belongs to the bid (a Landkreis's town, a "
         "co-applicant) is its own when it is a partner of `type: kommune` or a party of the MoU; if the text "
         "really speaks of the other city, add TXT004 to `checks: ignore` in bid.yaml.",
    explanation="""
A bid begun from another city's bid keeps that city's name in places a search-and-replace
missed, e.g. "Wolfsburg will digitale Modellstadt werden" in Darmstadt's bid. The jury notices.
This rule searches the texts in which the city speaks of itself (title, subtitle, vision,
starting situation, goals, measures, the MoU's title, purpose and commitments, the budget note,
the council's body and decisions) for the names of German cities with at least 50,000
inhabitants (official statistics, shipped with bidkit) other than the bid's own city. Partner
names, addresses and data sources are not searched. The bid's own places are not reported
either: the towns of a Landkreis, a Region or an association of municipalities that take part
as partners of `type: kommune` or as parties of the MoU („Stadt Hameln“ in the bid of the
Landkreis Hameln-Pyrmont), and the towns an applicant's own name names when it is no Stadt
or Gemeinde („Landkreis Hameln-Pyrmont“: Hameln), and the city's districts listed in
`city.districts` (Köln's Stadtbezirk Mülheim). A text may name another city on purpose
(a twin city, a regional partner): the rule is a warning, and `checks: ignore: [TXT004]` turns
it off for the bid.
""",
    reads=(),
)
def other_city_named(ctx: RuleContext) -> Iterator[Violation]:
    city = ctx.bid.city.name if ctx.bid.city else None
    if not city:
        return
    places: frozenset[str] | None = None  # the bid's own places, found when a text first names another city
    names_one: dict[str, bool] = {}  # per distinct text (a large bid repeats its texts): whether it names another city
    for field in OWN_TEXTS:
        for path, text in _select(ctx.data, field.split(".")):
            if not isinstance(text, str):
                continue
            if text not in names_one:
                names_one[text] = any(other_cities(text, city))
            if not names_one[text]:
                continue
            if places is None:
                places = own_places(ctx.bid)
            for offset, name in other_cities(text, city, places):
                yield Violation(
                    path, f"'{name}' in {dotted(path)}, but this is the bid of {city}", text_offset=offset,
                )
