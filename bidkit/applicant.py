"""The kind of applicant (Stadt, Landkreis, Gemeinde, …) and the German forms that name it.

A bid is made by a Stadt, a Landkreis, a Gemeinde or another local authority; the document and
the skeleton say „Für den Landkreis …“, „Eigenanteil des Landkreises“, „Bewerbung der Stadt …“.
The kind is read from the first word(s) of the official name (``city.official_name``, else
``city.name`` when that starts with a kind, else „Stadt <name>“ as ``City.display_name`` has it).
A name whose first word is no kind bidkit knows is named neutrally as a „Kommune“: „der Kommune
Oderbruch-Verbund“ rather than a guessed article.
"""

from __future__ import annotations

import re

from bidkit.records import record

#: gender (f, m, n), genitive singular of the noun, the council (Vertretung) for the skeleton.
_NOUNS: dict[str, tuple[str, str, str]] = {
    "Stadt": ("f", "Stadt", "Rat"),
    "Gemeinde": ("f", "Gemeinde", "Gemeinderat"),
    "Samtgemeinde": ("f", "Samtgemeinde", "Samtgemeinderat"),
    "Verbandsgemeinde": ("f", "Verbandsgemeinde", "Verbandsgemeinderat"),
    "Ortsgemeinde": ("f", "Ortsgemeinde", "Ortsgemeinderat"),
    "Marktgemeinde": ("f", "Marktgemeinde", "Marktgemeinderat"),
    "Verwaltungsgemeinschaft": ("f", "Verwaltungsgemeinschaft", "Gemeinschaftsversammlung"),
    "Markt": ("m", "Marktes", "Marktgemeinderat"),
    "Landkreis": ("m", "Landkreises", "Kreistag"),
    "Kreis": ("m", "Kreises", "Kreistag"),
    "Region": ("f", "Region", "Regionalversammlung"),
    "Städteregion": ("f", "Städteregion", "Städteregionstag"),
    "Amt": ("n", "Amtes", "Amtsausschuss"),
    "Zweckverband": ("m", "Zweckverbandes", "Verbandsversammlung"),
    "Regionalverband": ("m", "Regionalverbandes", "Verbandsversammlung"),
    "Bezirk": ("m", "Bezirks", "Bezirkstag"),
}
#: Leading words before the noun that belong to the kind: „Große Kreisstadt“, „Freie und
#: Hansestadt“, and the first parts of a coordinated noun, „Hanse- und Universitätsstadt“.
_PREFIX = re.compile(r"(?:Große |Kreisfreie |Freie und |Freie )?(?:[^\W\d_][\w]*- (?:und|u\.) )*")
#: A Kreis whose official name is the noun itself: „Rhein-Sieg-Kreis“, „Hochsauerlandkreis“, „Märkischer
#: Kreis“ (an adjective, strong: „des Märkischen Kreises“) — most Kreise of Hessen, NRW and Baden-Württemberg.
_NAMED_KREIS = re.compile(r"(?:(?P<adjective>[^\W\d_][\w-]*ischer) Kreis|(?P<word>[^\W\d_][\w-]*(?:-Kreis|[a-zäöü]kreis)))")
_ARTICLES = {  # gender → nominative, genitive, dative, accusative
    "f": ("die", "der", "der", "die"),
    "m": ("der", "des", "dem", "den"),
    "n": ("das", "des", "dem", "das"),
}
#: The last part of a compound noun → the noun the kind is filed under on the cover, its gender, the
#: genitive's ending and the council: every „…stadt“ is a Stadt, every „…gemeinde“ a Gemeinde, every
#: „…verband“ (Verwaltungsverband, Gemeindeverwaltungsverband) a Verband „des …verbandes“, a
#: „…bad“ (Ostseebad, Seebad) a Gemeinde „des Ostseebades“.
_FAMILIES = {"stadt": ("Stadt", "f", "", "Rat"), "gemeinde": ("Gemeinde", "f", "", "Gemeinderat"),
             "verband": ("Verband", "m", "es", "Verbandsversammlung"), "bad": ("Gemeinde", "n", "es", "Gemeindevertretung")}
FALLBACK = "Kommune"


def _noun(word: str) -> tuple[str, tuple[str, str, str]] | None:
    """The known noun ``word`` is (its label and forms), or None."""
    if word in _NOUNS:
        return word, _NOUNS[word]
    first, hyphen, last = word.rpartition("-")
    if hyphen and first and (found := _noun(last)) is not None:  # „documenta-Stadt“, „Hanse-Stadt“
        label, (gender, genitive, council) = found
        return label, (gender, f"{first}-{genitive}", council)
    for family, (noun, gender, ending, council) in _FAMILIES.items():
        if word.endswith(family) and word[0].isupper():  # Hansestadt, Universitätsstadt, Ortsgemeinde, Verwaltungsverband
            return noun, (gender, word + ending, council)
    return None


@record(frozen=True)  # on check's path (annexes, BUD016): no dataclass compiled at import
class Applicant:
    """How the document names the applicant; ``name`` is the full name („Landkreis Märkisch-Oderland“)."""

    name: str
    kind: str  # the noun of the cover's row: Stadt, Gemeinde, Landkreis, …, or „Kommune“
    nominative: str  # „die Stadt“, „der Landkreis“ (article and noun, no name)
    genitive: str  # „der Stadt“, „des Landkreises“
    dative: str  # „der Stadt“, „dem Landkreis“
    accusative: str  # „die Stadt“, „den Landkreis“
    council: str  # the body that decides: Rat, Kreistag, Gemeinderat, …
    possessive: str  # „ihre“ / „seine“ (e.g. „die Stadt und ihre Partner“)
    full_nominative: str  # „der Landkreis Märkisch-Oderland“
    full_genitive: str  # „des Landkreises Märkisch-Oderland“
    full_dative: str  # „dem Landkreis Märkisch-Oderland“
    full_accusative: str  # „den Landkreis Märkisch-Oderland“

    @classmethod
    def of(cls, name: str, official_name: str | None = None) -> Applicant:
        """The applicant of a city ``name`` with its ``official_name`` (as in bid.yaml)."""
        if official_name and official_name.strip():
            full = " ".join(official_name.split())
        elif leading_kind(name) is not None:
            full = " ".join(name.split())
        else:
            full = f"Stadt {' '.join(name.split())}"
        if kreis := _NAMED_KREIS.fullmatch(full):
            return cls._named_kreis(full, kreis)
        prefix = _PREFIX.match(full).group()
        head, _, rest = full[len(prefix):].partition(" ")
        found = _noun(head) if rest else None
        if found is None:  # unknown kind: „die Kommune Oderbruch-Verbund“
            kind, gender, council = FALLBACK, "f", "Rat"
            words = (FALLBACK,) * 4
            rest = full
        else:
            kind, (gender, genitive, council) = found
            if prefix:  # „die Große Kreisstadt“, „der Großen Kreisstadt“ (feminine nouns only)
                oblique = prefix.replace("Große ", "Großen ").replace("Kreisfreie ", "Kreisfreien ").replace("Freie ", "Freien ") + head
                words = (prefix + head, oblique, oblique, prefix + head)
            else:
                words = (head, genitive, head, head)
        articles = _ARTICLES[gender]
        short = [f"{article} {word}" for article, word in zip(articles, words)]
        named = [f"{phrase} {rest}" for phrase in short]
        return cls(full, kind, *short, council, "ihre" if gender == "f" else "seine", *named)

    @classmethod
    def _named_kreis(cls, full: str, kreis: re.Match) -> Applicant:
        """„der Rhein-Sieg-Kreis“, „des Rhein-Sieg-Kreises“; „der Märkische Kreis“, „des Märkischen Kreises“."""
        if adjective := kreis.group("adjective"):
            weak, oblique = adjective[:-1], adjective[:-1] + "n"  # Märkischer → Märkische, Märkischen
            named = (f"der {weak} Kreis", f"des {oblique} Kreises", f"dem {oblique} Kreis", f"den {oblique} Kreis")
        else:
            named = (f"der {full}", f"des {full}es", f"dem {full}", f"den {full}")
        return cls(full, "Kreis", "der Kreis", "des Kreises", "dem Kreis", "den Kreis", "Kreistag", "seine", *named)


def leading_kind(name: str) -> str | None:
    """The rest of ``name`` when it starts with a kind of applicant („Landkreis Oder-Spree“ →
    „Oder-Spree“, „Große Kreisstadt Xy“ → „Xy“), else None."""
    text = " ".join(name.split())
    if _NAMED_KREIS.fullmatch(text):
        return text  # „Rhein-Sieg-Kreis“ names its kind itself
    prefix = _PREFIX.match(text).group()
    head, _, rest = text[len(prefix):].partition(" ")
    return rest if rest and _noun(head) is not None else None


def applicant_of(city) -> Applicant:
    """The applicant of a ``models.City`` (or a template's record of one)."""
    return Applicant.of(city.name, city.official_name)


def funding_titles(applicant: Applicant, shared: bool = False) -> dict[str, str]:
    """``models.FUNDING_TITLES`` with the applicant's own funds named as the document names the
    applicant: „Eigenmittel des Landkreises“, „Eigenmittel der Landeshauptstadt“; ``shared``: the
    sum of a joint bid's own funds, „Eigenmittel des Marktes und seiner Partnerkommunen“."""
    from bidkit.models import FUNDING_TITLES, FundingKind

    return {**FUNDING_TITLES, FundingKind.EIGENMITTEL.value: f"Eigenmittel {own_share_holders(applicant, shared)}"}


def own_share_holders(applicant: Applicant, shared: bool) -> str:
    """Whose the own share is: „der Stadt“; in a joint bid „des Marktes und seiner Partnerkommunen“."""
    if not shared:
        return applicant.genitive
    return f"{applicant.genitive} und {'ihrer' if applicant.possessive == 'ihre' else 'seiner'} Partnerkommunen"


def joint(budget) -> bool:
    """Whether partners pay part of the own share (``models.FundingSource.partner_funds``)."""
    return any(f.partner_funds for year in (budget.years if budget else []) for f in year.funding)


def partner_funds_title(name: str) -> str:
    """The title of a partner municipality's own funds in a joint bid: „Eigenmittel der Gemeinde
    Tiefenbach“; „Eigenmittel: Tiefenbach“ for a name that names no kind."""
    if leading_kind(name) is None:
        return f"Eigenmittel: {' '.join(name.split())}"
    return f"Eigenmittel {Applicant.of(name).full_genitive}"


def is_own_funds_title(text: str) -> bool:
    """Whether ``text`` (any case) is a title ``funding_titles`` or ``partner_funds_title`` can write,
    for reading an export back: „Eigenmittel des Landkreises“, „Eigenmittel der Hansestadt“, a partner
    municipality's „Eigenmittel der Gemeinde Boxberg/O.L.“ or „Eigenmittel: Tiefenbach“ (its
    `partner:` is the column „Partner“)."""
    key = " ".join(text.lower().split())
    if re.match(r"eigenmittel: \S", key):
        return True
    partner = re.fullmatch(r"eigenmittel (?:der|des) (\S+) \S.*", key)  # a named municipality's: „der Gemeinde Boxberg“
    genitives = {genitive.lower() for _, genitive, _ in _NOUNS.values()}
    if partner and (partner.group(1) in genitives or partner.group(1).endswith(
            tuple(family + ending for family, (_, _, ending, _) in _FAMILIES.items()))):
        return True
    forms = {f"{_ARTICLES[gender][1]} {genitive}".lower() for gender, genitive, _ in _NOUNS.values()}
    if key in {f"eigenmittel {form}" for form in forms | {f"der {FALLBACK.lower()}"}}:
        return True
    # every „…stadt“ and „…gemeinde“ is feminine: „der Landeshauptstadt“, „der Großen Kreisstadt“
    return re.fullmatch(r"eigenmittel der (?:großen |freien (?:und )?)?\w*(?:stadt|gemeinde)", key) is not None


def resolution_title(council: str) -> str:
    """The heading of the council's decision: „Ratsbeschluss“, „Kreistagsbeschluss“,
    „Gemeinderatsbeschluss“, „Beschluss der Verbandsversammlung“, „Beschluss des Amtsausschusses“."""
    if council == "Rat":
        return "Ratsbeschluss"
    if council.endswith(("rat", "tag")):
        return f"{council}sbeschluss"
    if council.endswith("ausschuss"):
        return f"Beschluss des {council}es"
    return f"Beschluss der {council}"


#: The head of the administration who signs for the applicant, by its council, as the skeleton asks for it.
_HEADS = {"Rat": "Oberbürgermeisterin oder Oberbürgermeister", "Kreistag": "Landrätin oder Landrat",
          "Verbandsversammlung": "Verbandsvorsitzende oder Verbandsvorsitzender",
          "Amtsausschuss": "Amtsdirektorin oder Amtsdirektor", "Regionalversammlung": "Regionspräsidentin oder Regionspräsident",
          "Städteregionstag": "Städteregionsrätin oder Städteregionsrat", "Bezirkstag": "Bezirkstagspräsidentin oder Bezirkstagspräsident",
          "Gemeinschaftsversammlung": "Gemeinschaftsvorsitzende oder Gemeinschaftsvorsitzender"}


def head_title(council: str) -> str:
    """„Oberbürgermeisterin oder Oberbürgermeister“ for a city's council, „Landrätin oder Landrat“ for a
    Kreistag, „Bürgermeisterin oder Bürgermeister“ for a municipality's (Gemeinderat, Gemeindevertretung)."""
    return _HEADS.get(council, "Bürgermeisterin oder Bürgermeister")
