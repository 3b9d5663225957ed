"""The bid and the call as validated data (pydantic v2).

A bid folder holds several YAML files whose top-level keys together make one ``Bid``;
a call profile (``bidkit/calls/*.yaml`` or a file of the bid's own) makes one ``Call``.
Every model forbids unknown keys, money is ``Decimal`` and dates are real dates. The
JSON Schema that editors use is generated from these classes (``bidkit.schema``).
"""

import datetime as dt
import enum
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

#: What an id may look like; the loader explains a mismatch and suggests a transliteration.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=64),
    Field(description="Stable id (lower case letters, digits, '-') that other sections refer to."),
]

#: An amount as bidkit reads it: digits, optionally a dot and one or two decimals (cents).
AMOUNT_PATTERN = r"^(?:0|[1-9][0-9]*)(\.[0-9]{1,2})?$"  # no leading zero: YAML 1.1 tools read `0700` as octal


def plain_amount(text: str) -> str | None:
    """The plain form of an amount written with German (or English) separators, when it is clear.

    ``150.000`` → ``150000``, ``1.500.000`` → ``1500000``, ``1.500,00`` → ``1500.00``; None when
    no amount follows (``12.3456``, ``viel``).
    """
    text = re.sub(r"\s|\u00a0|€|EUR|'", "", text.strip())
    german = re.fullmatch(r"([0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,([0-9]{1,2}))?", text)  # 1.500.000,00
    english = re.fullmatch(r"([0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]{1,2}))?", text)  # 1,500,000.00
    found = german or english
    if not found:
        return None  # 12.3456, 420000.001, 1.2.3: no reading is certain
    whole, cents = found.group(1).replace(".", "").replace(",", ""), found.group(2)
    text = f"{whole}.{cents}" if cents else whole
    return text if re.fullmatch(AMOUNT_PATTERN, text) else None


#: Words that scale an amount (``0,24 Mio. €``): bidkit reads amounts in digits only, never a unit word.
_SCALES = {"mio": 10**6, "million": 10**6, "millionen": 10**6, "mrd": 10**9, "milliarde": 10**9, "milliarden": 10**9,
           "tsd": 10**3, "tausend": 10**3}
_SCALED = r"\s*(?:€\s*)?([0-9][0-9.,]*)\s*((" + "|".join(_SCALES) + r")\.?)\s*(?:€|EUR)?\s*"  # compiled when first used


def scaled_amount(text: str) -> tuple[str, Decimal | None] | None:
    """``0,24 Mio. €`` → ("Mio.", 240000): an amount written with a unit word, which bidkit does not read,
    and the amount in euros when the number before the word is clear (None: it is not); None for other text."""
    found = re.fullmatch(_SCALED, text, re.IGNORECASE)  # re's cache: compiled once, only when an amount is refused
    if not found:
        return None
    plain = plain_amount(found.group(1))
    return found.group(2), (Decimal(plain) * _SCALES[found.group(3).lower()]).quantize(Decimal("0.01")) if plain else None


def _exact_amount(value: Any) -> Any:
    """Refuse an amount that YAML or Decimal would read as another number than the team meant.

    ``150.000`` is the number 150 to YAML (a German thousands separator is a decimal point), so
    any amount with more than two decimals is refused; so is text that is not a plain number
    (``1.500.000``, ``1.500,00``). Quoted plain numbers (``"150000"``) are read like unquoted ones.
    """
    if isinstance(value, Decimal) and value.is_finite() and int(value.as_tuple().exponent) < -2:
        text = format(value, "f")
    elif isinstance(value, str) and not re.fullmatch(AMOUNT_PATTERN, value.strip()):
        text = value.strip()
    else:
        return value
    raise PydanticCustomError(
        "money_format", "'{found}' is not a plain amount in EUR", {"found": text, "plain": plain_amount(text) or ""},
    )


Money = Annotated[
    Decimal,
    # The bounds before the check of the text: pydantic-core then checks them with the number itself
    # (after `_exact_amount`, as before), not in Python validators around it; same errors, same schema.
    Field(ge=0, decimal_places=2, max_digits=17, allow_inf_nan=False, description="Amount in EUR, e.g. 500000 or 1250.50."),
    BeforeValidator(_exact_amount),
    WithJsonSchema({
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": AMOUNT_PATTERN}],
        "description": "Amount in EUR, e.g. 500000 or 1250.50: no thousands separators, at most two decimals.",
    }),
]
def _whole_number(value: Any) -> Any:
    """Refuse a decimal where a whole number belongs: YAML reads ``124.000`` as 124.0 — the dot
    is a decimal point to YAML, a thousands separator to a German reader — and pydantic would
    silently take it as 124. Text (``"124.000"``, ``0x1E460``) and true/false are no numbers either."""
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", "'{found}' is not a whole number", {"found": str(value).lower(), "plain": ""})
    if isinstance(value, (Decimal, float, str)):
        text = format(value, "f") if isinstance(value, Decimal) else value if isinstance(value, str) else repr(value)
        plain = text.replace(".", "") if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", text) else ""
        raise PydanticCustomError("whole_number", "'{found}' is not a whole number", {"found": text, "plain": plain})
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
def _calendar_day(value: Any) -> Any:
    """Only a day written as ``YYYY-MM-DD`` is a date: pydantic would take ``0`` as 1 January 1970
    and a timestamp at midnight as its day."""
    if (isinstance(value, dt.datetime) or (isinstance(value, (int, float, Decimal)) and not isinstance(value, bool))
            or (isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value))):
        # a string too: pydantic reads "1493251200" and "2017-05-29 00:00" as days
        raise PydanticCustomError("calendar_day", "'{found}' is not a date written as YYYY-MM-DD", {"found": str(value)})
    return value


Day = Annotated[dt.date, BeforeValidator(_calendar_day)]


def _exact_value(value: Any) -> Any:
    """A KPI value: refuse ``150.000`` (German 150000 or 150?) and absurd exponents; text only
    when it is a number written out (``"1e5"``, ``".5"`` are refused, as unquoted)."""
    if isinstance(value, str):
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value.strip()):
            raise PydanticCustomError("number_format", "'{found}' is not a plain number", {"found": value.strip()})
        value = Decimal(value.strip())
    if isinstance(value, Decimal) and value.is_finite():
        # 150.000: German 150000 or 150? A thousands group never follows a leading 0 (0.085 is a fraction).
        if int(value.as_tuple().exponent) == -3 and re.fullmatch(r"-?[1-9][0-9]{0,2}\.[0-9]{3}", format(value, "f")):
            raise PydanticCustomError(
                "ambiguous_number", "'{found}' is ambiguous: YAML reads the dot as a decimal point",
                {"found": format(value, "f"), "plain": format(value, "f").replace(".", "")})
        if abs(value.adjusted()) > 15:
            raise PydanticCustomError("number_range", "'{found}' is too large or too small for a figure", {"found": str(value)})
    return value


def _plain_percent(value: Any) -> Any:
    """A percentage written as digits with a decimal point at most: ``"1e1"``, ``"4_0"``, ``"-0"`` or
    digits of other scripts, which Decimal reads, are refused."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", value.strip()):
        raise PydanticCustomError("number_format", "'{found}' is not a plain number", {"found": value.strip()})
    return _exact_value(value)


Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False, description="A percentage, e.g. 35 or 62.5."),
                    BeforeValidator(_plain_percent)]
Year = Annotated[WholeNumber, Field(ge=1900, le=2200, description="A calendar or budget year, e.g. 2017.")]


def _no_items() -> list:
    """The default of a list field. Not ``default_factory=list``: pydantic asks each factory for its
    signature, which for a builtin means parsing its text signature with tokenize (~10 ms per check)."""
    return []


def _no_entries() -> dict:
    """The default of a mapping field (see ``_no_items``)."""
    return {}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False, defer_build=True)


# --- the call -------------------------------------------------------------------------

SectionName = Literal[
    "vision", "starting_situation", "goals", "mou", "partners", "measures", "budget", "council_resolution"
]

#: German headings of the sections, used in messages and the document.
SECTION_TITLES: dict[str, str] = {
    "vision": "Vision",
    "starting_situation": "Ausgangslage",
    "goals": "Ziele und Kennzahlen",
    "measures": "Maßnahmen",
    "mou": "Memorandum of Understanding",
    "partners": "Partner und Unterstützer",
    "budget": "Kosten- und Finanzierungsplan",
    "council_resolution": "Ratsbeschluss",
}


class ThematicField(Model):
    id: Id
    name: str


class PopulationRange(Model):
    population_min: WholeNumber = Field(ge=0, description="Smallest population of the range.")
    population_max: WholeNumber = Field(ge=0, description="Largest population of the range.")

    @model_validator(mode="after")
    def _ordered(self) -> "PopulationRange":
        if self.population_min > self.population_max:
            raise ValueError("population_min is larger than population_max")
        return self


class PopulationTolerance(PopulationRange):
    """What the organiser accepted in practice around the nominal range, and where that is known from."""

    source: str | None = Field(default=None, description="Where the tolerance is known from, e.g. the applicants' sizes.")


class Eligibility(PopulationRange):
    """The nominal population range the call states; outside it ELI002 warns, outside the tolerance ELI001 fails."""

    population_min: WholeNumber = Field(ge=0, description="Smallest eligible population as the call states it (nominal).")
    population_max: WholeNumber = Field(ge=0, description="Largest eligible population as the call states it (nominal).")
    tolerance: PopulationTolerance | None = Field(
        default=None,
        description="A wider range the call accepts for 'about' figures; without it the nominal range is strict.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _tolerance_contains_nominal(self) -> "Eligibility":
        wide = self.tolerance
        if wide and not (wide.population_min <= self.population_min and self.population_max <= wide.population_max):
            raise ValueError("the tolerance range must contain the nominal range")
        return self

    @property
    def accepted(self) -> PopulationRange:
        """The range outside which a city is not eligible (the tolerance, else the nominal range)."""
        # a plain range, never ``self``: a property returning its owner is a cycle to whoever walks
        # the values (the templates' plain data)
        return self.tolerance or PopulationRange(population_min=self.population_min, population_max=self.population_max)


class TextLimit(Model):
    field: str = Field(
        pattern=r"^[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)*$",
        description="Field path, '[]' for every item of a list, e.g. 'vision' or 'measures[].description'.",
    )
    max_chars: WholeNumber = Field(ge=1)


class FundingPeriod(Model):
    start: Day
    end: Day


class Requirement(Model):
    """One line of the compliance matrix: what the call asks for and which rules check it."""

    id: str = Field(pattern=r"^[A-Za-z0-9.-]+$")
    text: str
    section: str = Field(description="The part of the bid that answers it, e.g. 'budget' or 'city'.")
    rules: list[str] = Field(min_length=1, description="Codes of the rules whose findings decide the status.")


class FundingKind(str, enum.Enum):
    EIGENMITTEL = "eigenmittel"
    LAND = "land"
    BUND = "bund"
    EU = "eu"
    INDUSTRIE = "industrie"
    DRITTE = "dritte"


class Call(Model):
    """A funding competition's rules, kept as data (one YAML file per call)."""

    id: Id
    name: str
    organizer: str
    deadline: Day
    eligibility: Eligibility | None = None
    thematic_fields: list[ThematicField] = Field(min_length=1)
    required_sections: list[SectionName] = Field(min_length=1)
    page_limit: WholeNumber | None = Field(default=None, ge=1)
    own_share_min_percent: Percent | None = None
    funding_rate_percent: Percent | None = None
    funded_by: FundingKind | None = Field(
        default=None, description="The kind of funding the call's programme gives (bund for a federal programme): "
                                  "`funding_rate_percent` caps what a bid asks of it (BUD013).")
    funding_period: FundingPeriod | None = Field(
        default=None, description="When funded work may happen; without it, the budget years count."
    )
    resolution_must_commit_own_share: bool = Field(
        default=False, description="The council resolution must commit the city to its own share."
    )
    text_limits: list[TextLimit] = Field(default_factory=_no_items)
    requirements: list[Requirement] = Field(default_factory=_no_items)
    note: str | None = None

    def field_ids(self) -> list[str]:
        return [f.id for f in self.thematic_fields]


# --- the bid --------------------------------------------------------------------------


class Person(Model):
    name: str
    role: str = Field(description="Office or function, e.g. 'Oberbürgermeister'.")
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None


class PublicContact(Model):
    """The city's public address: what a public variant shows instead of the contact persons."""

    office: str = Field(description="Who answers, as an office, e.g. 'Stadt Paderborn, Der Bürgermeister'.")
    address: str = Field(description="Postal address, e.g. 'Am Abdinghof 11, 33098 Paderborn'.")
    email: str | None = Field(default=None, description="A functional address, e.g. 'info@paderborn.de' (no person's).")
    phone: str | None = Field(default=None, description="The switchboard, e.g. '+49 5251 88-0' (no person's extension).")
    web: str | None = Field(default=None, description="The city's website, e.g. 'https://www.paderborn.de'.")


class City(Model):
    name: str
    official_name: str | None = Field(
        default=None, description="The city's official name where it is named, e.g. 'Wissenschaftsstadt Darmstadt'."
    )
    state: str = Field(description="Bundesland, e.g. 'Niedersachsen'.")
    population: WholeNumber = Field(gt=0)
    population_year: Year
    population_source: str | None = None
    university: str | None = Field(default=None, description="University or college in or near the city.")
    districts: list[str] = Field(
        default_factory=_no_items,
        description="The city's own districts and places whose names other cities bear (Köln: Mülheim): "
                    "the texts may name them (TXT004).",
    )
    public_contact: PublicContact | None = Field(
        default=None, description="The city's public address, shown instead of the contact persons in a public variant.",
    )

    @property
    def display_name(self) -> str:
        """The name the document uses for the city: its official name, else 'Stadt <name>'."""
        return self.official_name or f"Stadt {self.name}"


class CouncilResolution(Model):
    """Ratsbeschluss: which body decided what, when, under which reference."""

    body: str = Field(description="e.g. 'Rat der Stadt Musterstadt'.")
    date: Day
    reference: str = Field(description="Vorlage number, e.g. 'V 2017/0196'.")
    vote: str | None = Field(default=None, description="e.g. 'einstimmig'.")
    decisions: list[str] = Field(min_length=1, description="What the council decided, one item each.")
    own_share_committed: Money | None = Field(
        default=None, description="Own share in EUR the council commits the city to (mandatory in some calls)."
    )
    file: str | None = Field(
        default=None, description="Scan of the resolution (Beschlussauszug), relative to the bid folder (an annex)."
    )


class TableFile(Model):
    """A table in a spreadsheet inside the bid folder: the loader reads its rows in place of a list
    written in YAML (layouts: README, "Spreadsheets in"). Written as the file name alone, or as
    `{file: kfp.xlsx, sheet: Kosten}` when the workbook has more than one sheet."""

    file: str = Field(description="A .xlsx or .csv file relative to the bid folder, e.g. 'kosten.xlsx'.")
    sheet: str | None = Field(
        default=None, description="The worksheet that holds the table; needed when the workbook has more than one."
    )


def _file_or_table(value: Any) -> Any:
    """``costs_file: kosten.xlsx`` is short for ``costs_file: {file: kosten.xlsx}``."""
    return {"file": value} if isinstance(value, str) else value


SheetTable = Annotated[TableFile, BeforeValidator(_file_or_table, json_schema_input_type=str | TableFile)]


def _either(items: str) -> Any:
    """JSON Schema: a list written in YAML, or the spreadsheet it comes from — not both."""

    def extra(schema: dict) -> None:
        schema["required"] = [name for name in schema.get("required", []) if name != items]
        schema.setdefault("allOf", []).append({"not": {"required": [items, f"{items}_file"]}})

    return extra


class KpiValue(Model):
    value: Annotated[Decimal, BeforeValidator(_exact_value)] = Field(allow_inf_nan=False)
    year: Year


class Kpi(Model):
    name: str
    unit: str
    baseline: KpiValue
    target: KpiValue
    source: str = Field(description="Where the value is measured, e.g. 'Statistikstelle der Stadt'.")


class Goal(Model):
    model_config = ConfigDict(json_schema_extra=_either("kpis"))

    id: Id
    title: str
    description: str | None = None
    kpis: list[Kpi] = Field(default_factory=_no_items, description="The goal's KPIs; or `kpis_file` instead.")
    kpis_file: SheetTable | None = Field(
        default=None,
        description="Read the KPIs from a spreadsheet (columns Kennzahl, Einheit, Ausgangswert, Jahr, Zielwert, "
        "Zieljahr, Quelle; with a column Ziel-ID only this goal's rows) instead of `kpis`.",
    )


class Signatory(Model):
    name: str
    role: str


class MouParty(Model):
    id: Id
    name: str | None = Field(default=None, description="Optional with `partner`: the document then shows the partner's name.")
    partner: Id | None = Field(default=None, description="Id of the partner this party is (it then takes part).")
    signatories: list[Signatory] = Field(default_factory=_no_items)

    @model_validator(mode="after")
    def _named(self) -> "MouParty":
        if self.name is None and self.partner is None:
            raise ValueError("a party needs `name:` or `partner:` (the id of a partner)")
        return self


class MouKind(str, enum.Enum):
    MOU = "mou"
    LETTER_OF_INTENT = "letter_of_intent"
    COOPERATION_AGREEMENT = "cooperation_agreement"


#: German headings of the kinds of agreement (the section title follows the document's kind).
MOU_KIND_TITLES: dict[str, str] = {
    "mou": "Memorandum of Understanding",
    "letter_of_intent": "Letter of Intent",
    "cooperation_agreement": "Kooperationsvereinbarung",
}


class Mou(Model):
    """Memorandum of Understanding / Letter of Intent between the city and its partners."""

    kind: MouKind = Field(default=MouKind.MOU, description="What the document is; the section is titled after it.")
    title: str
    signed_on: Day
    place: str | None = None
    duration_years: WholeNumber | None = Field(default=None, ge=1)
    legally_binding: bool = False
    purpose: str
    parties: list[MouParty] = Field(min_length=1)
    cooperation_fields: list[str] = Field(default_factory=_no_items)
    commitments: list[str] = Field(default_factory=_no_items)
    file: str | None = Field(default=None, description="Scan of the signed MoU, relative to the bid folder (an annex).")


class PartnerType(str, enum.Enum):
    KOMMUNE = "kommune"
    UNTERNEHMEN = "unternehmen"
    HOCHSCHULE = "hochschule"
    FORSCHUNG = "forschung"
    VEREIN = "verein"
    VERBAND = "verband"
    LAND = "land"
    BUND = "bund"
    OEFFENTLICH = "oeffentlich"  # a public body that is no municipality: AöR, Anstalt, Eigenbetrieb, Zweckverband, Kammer
    STIFTUNG = "stiftung"
    KIRCHE = "kirche"  # a church or religious community (KdöR)
    GEMEINNUETZIG = "gemeinnuetzig"  # a non-profit company or welfare organisation (gGmbH, Wohlfahrtsverband)
    SONSTIGE = "sonstige"


class LetterKind(str, enum.Enum):
    LETTER_OF_INTENT = "letter_of_intent"
    SUPPORT = "support"


#: German names of the kinds of letters, used in the document and the list of annexes.
LETTER_TITLES: dict[str, str] = {"letter_of_intent": "Absichtserklärung (LoI)", "support": "Unterstützungsschreiben"}


class Letter(Model):
    kind: LetterKind
    date: Day
    file: str | None = Field(default=None, description="Scan of the letter, relative to the bid folder (an annex).")
    public: bool = Field(default=True, description="False: the scan is left out of variants that remove private annexes.")


class Partner(Model):
    id: Id
    name: str
    type: PartnerType
    role: str
    contribution: str
    letter: Letter | None = None


class Measure(Model):
    id: Id
    title: str
    field: Id = Field(description="Id of one of the call's thematic fields.")
    description: str
    lead: str = Field(description="Who is responsible, e.g. 'Stadt Musterstadt, Referat Strategische Planung'.")
    goals: list[Id] = Field(default_factory=_no_items, description="Ids of the goals this measure serves.")
    partners: list[Id] = Field(default_factory=_no_items, description="Ids of partners taking part.")
    start: Day
    end: Day
    cost: Money | None = Field(
        default=None,
        description="Cost in EUR; when left out, the sum of the budget's cost items that name this measure.",
    )


class CostCategory(str, enum.Enum):
    PERSONALKOSTEN = "personalkosten"
    SACHKOSTEN = "sachkosten"
    INVESTITIONEN = "investitionen"


#: German names of the cost categories and funding kinds: the document, the export and the import use them.
CATEGORY_TITLES: dict[str, str] = {
    CostCategory.PERSONALKOSTEN.value: "Personalkosten",
    CostCategory.SACHKOSTEN.value: "Sachkosten",
    CostCategory.INVESTITIONEN.value: "Investitionen",
}
FUNDING_TITLES: dict[str, str] = {
    FundingKind.EIGENMITTEL.value: "Eigenmittel der Stadt",
    FundingKind.LAND.value: "Land",
    FundingKind.BUND.value: "Bund",
    FundingKind.EU.value: "Europäische Union",
    FundingKind.INDUSTRIE.value: "Industrie",
    FundingKind.DRITTE.value: "Dritte",
}


class CostItem(Model):
    title: str
    category: CostCategory
    amount: Money
    measure: Id | None = Field(default=None, description="Id of the measure this cost belongs to.")
    budget_reservation: bool = Field(
        default=False, description="Subject to approval of the city budget (Haushaltsvorbehalt)."
    )


class FundingSource(Model):
    kind: FundingKind
    name: str
    amount: Money
    secured: bool = False
    partner: Id | None = Field(default=None, description="Id of the partner who gives this money (it then takes part).")

    @property
    def partner_funds(self) -> bool:
        """A partner's own funds (``eigenmittel`` with a ``partner:``: a joint bid's municipality, whose
        council commits it), not the applicant's."""
        return self.kind is FundingKind.EIGENMITTEL and bool(self.partner)


def _year_schema(schema: dict) -> None:
    _either("costs")(schema)
    _either("funding")(schema)
    schema["allOf"].extend([{"anyOf": [{"required": [items]}, {"required": [f"{items}_file"]}]}
                            for items in ("costs", "funding")])


class BudgetYear(Model):
    """One budget year. Its cost items and funding sources are written in YAML (`costs`, `funding`) or
    read from a spreadsheet (`costs_file`, `funding_file`): the loader fills `costs` and `funding`
    with the table's rows, each value keeping its cell as its place."""

    model_config = ConfigDict(json_schema_extra=_year_schema)

    year: Year
    total: Money | None = Field(
        default=None,
        description="Total of the year's costs: computed from the items when left out; when given, must equal their sum.",
    )
    costs: list[CostItem] = Field(min_length=1, description="The year's cost items; or `costs_file` instead.")
    costs_file: SheetTable | None = Field(
        default=None,
        description="Read the cost items from a spreadsheet (columns Kostenposition, Kategorie, Betrag, optionally "
        "Maßnahme, Haushaltsvorbehalt; with a column Jahr only this year's rows) instead of `costs`.",
    )
    funding: list[FundingSource] = Field(min_length=1, description="The year's funding sources; or `funding_file` instead.")
    funding_file: SheetTable | None = Field(
        default=None,
        description="Read the funding sources from a spreadsheet (columns Finanzierungsquelle, Art, Betrag, optionally "
        "Gesichert, Partner; with a column Jahr only this year's rows) instead of `funding`.",
    )

    @model_validator(mode="after")
    def _computed_total(self) -> "BudgetYear":
        if self.total is None:
            self.total = self.cost_sum
        return self

    @property
    def cost_sum(self) -> Decimal:
        """What the cost items add up to (the stated ``total`` may differ: rule BUD001)."""
        return sum((item.amount for item in self.costs), Decimal(0))

    @property
    def funding_sum(self) -> Decimal:
        return sum((source.amount for source in self.funding), Decimal(0))


class Budget(Model):
    """Kosten- und Finanzierungsplan."""

    currency: Literal["EUR"] = "EUR"
    total: Money | None = Field(
        default=None,
        description="Grand total: computed from the year totals when left out; when given, must equal their sum.",
    )
    note: str | None = None
    years: list[BudgetYear] = Field(min_length=1)

    @model_validator(mode="after")
    def _computed_total(self) -> "Budget":
        if self.total is None:
            self.total = sum((year.total for year in self.years), Decimal(0))
        return self

    def measure_costs(self) -> dict[str, Decimal]:
        """What the cost items of all years add up to per measure they name."""
        booked: dict[str, Decimal] = {}
        for year in self.years:
            for item in year.costs:
                if item.measure:
                    booked[item.measure] = booked.get(item.measure, Decimal(0)) + item.amount
        return booked

    @property
    def cost_sum(self) -> Decimal:
        return sum((year.cost_sum for year in self.years), Decimal(0))

    @property
    def own_funds(self) -> Decimal:
        """The city's own share: all funding of kind ``eigenmittel``."""
        return sum(
            (f.amount for year in self.years for f in year.funding if f.kind is FundingKind.EIGENMITTEL), Decimal(0)
        )


SupporterKindName = Literal["citizen", "association", "company", "research", "public_body"]

#: German names of the kinds of supporters (cells of the register may use either form).
SUPPORTER_KIND_TITLES: dict[str, str] = {
    "citizen": "Bürgerinnen und Bürger",
    "association": "Vereine und Initiativen",
    "company": "Unternehmen",
    "research": "Hochschulen und Forschung",
    "public_body": "Öffentliche Stellen",
}


class SupporterRegister(Model):
    """Supporters in bulk: a CSV or XLSX register inside the bid folder, one supporter a row.

    Columns (header row, German or English names): name, kind, place, date, file (optional scan).
    """

    file: str = Field(description="The register (.csv or .xlsx) relative to the bid folder, e.g. 'unterstuetzer.csv'.")
    note: str | None = Field(default=None, description="Text printed above the list of supporters.")


class Annex(Model):
    """A file handed in with the bid: PDFs are appended to the submission, other files embedded."""

    title: str
    file: str = Field(description="Path relative to the bid folder, e.g. 'anlagen/ratsbeschluss.pdf'.")
    description: str | None = None
    public: bool = Field(
        default=True, description="False: left out of variants that remove private annexes (file, entry in the list of annexes).",
    )


Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"), Field(description="A colour, e.g. '#003a70'.")]


class FontFile(Model):
    file: str = Field(description="A .ttf, .otf or .woff file inside the bid folder.")
    weight: Literal["normal", "bold"] = "normal"
    style: Literal["normal", "italic"] = "normal"


class Theme(Model):
    """The city's look: logo, colours, fonts (files inside the bid folder), single templates replaced."""

    logo: str | None = Field(default=None, description="Logo or coat of arms for the cover (SVG, PNG or JPEG).")
    logo_alt: str | None = Field(default=None, description="Text alternative of the logo, e.g. 'Wappen der Stadt Musterstadt'.")
    primary_color: Color = "#003a70"
    accent_color: Color = "#6f8fb0"
    font_family: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9 _-]+$", description="Name under which `fonts` are used for all text."
    )
    fonts: list[FontFile] = Field(default_factory=_no_items)
    templates: str | None = Field(
        default=None, description="Folder inside the bid folder whose templates replace bidkit's of the same name."
    )
    stylesheet: str | None = Field(default=None, description="Extra CSS inside the bid folder, applied after bidkit's.")


class Removal(str, enum.Enum):
    """What a variant of the document removes (the fixed vocabulary of ``variants:``)."""

    CONTACT = "contact"  # the contact person's name, e-mail and phone
    DEPUTY_CONTACT = "deputy_contact"  # the deputy's name, e-mail and phone
    LEGAL_REPRESENTATIVE = "legal_representative"  # the name on the cover and under the council resolution
    SIGNATORIES = "signatories"  # the names of the MoU's signatories
    PRIVATE_SUPPORTERS = "private_supporters"  # citizens and supporters marked private: counts only
    PRIVATE_ANNEXES = "private_annexes"  # annexes and letters' scans marked `public: false`


#: What the predefined variant ``public`` removes: the personal data of staff and private supporters
#: (GDPR); a ``public`` of the bid's own adds to it, never takes away.
PUBLIC_REMOVALS = (Removal.CONTACT, Removal.DEPUTY_CONTACT, Removal.PRIVATE_SUPPORTERS, Removal.PRIVATE_ANNEXES)
PUBLIC_VARIANT = "public"

VariantName = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=32)]


class Variant(Model):
    """A variant of the document built from the same bid (`bidkit build --variant NAME`), and what it removes."""

    label: str = Field(description="What the document says it is, on the cover and in its metadata, e.g. 'Pressefassung'.")
    remove: list[Removal] = Field(default_factory=_no_items, description="What to remove, from a fixed vocabulary.")
    fields: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)*$")]] = Field(
        default_factory=_no_items,
        description="Further fields to remove, by path; '[]' for every item of a list, e.g. 'budget.note' or 'measures[].lead'.",
    )


class CheckSettings(Model):
    """Per-bid configuration of `bidkit check` (key `checks:` in bid.yaml)."""

    ignore: list[str] = Field(default_factory=_no_items, description="Rule codes or prefixes to ignore, e.g. PAR002 or PAR.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=_no_entries, description="New severity per rule code, e.g. {BUD004: error}."
    )


class Bid(Model):
    """A whole bid: the top-level keys of all YAML files in the bid folder together."""

    call: str = Field(description="Name of a call profile shipped with bidkit, or a path to a call YAML file.")
    title: str
    subtitle: str | None = None
    city: City
    submission_date: Day | None = Field(default=None, description="Planned date of submission.")
    legal_representative: Person
    contact: Person
    deputy_contact: Person | None = None
    vision: str | None = None
    starting_situation: str | None = None
    goals: list[Goal] | None = None
    measures: list[Measure] | None = None
    mou: Mou | None = None
    partners: list[Partner] | None = None
    budget: Budget | None = None
    council_resolution: CouncilResolution | None = None
    supporters: SupporterRegister | None = Field(default=None, description="Supporters in bulk: a CSV or XLSX register.")
    measure_order: Literal["call", "bid"] = Field(
        default="call",
        description="Order of the measures: 'call' groups them by the call's thematic fields in its order, "
        "'bid' keeps the order of the bid's measures list.",
    )
    annexes: list[Annex] | None = Field(default=None, description="Anlagen beyond the MoU scan and partners' letters.")
    theme: Theme | None = None
    checks: CheckSettings | None = None
    variants: dict[VariantName, Variant] | None = Field(
        default=None,
        description="Variants of the document by name (`bidkit build --variant NAME`); 'public' is predefined "
        "(without contact persons, private supporters' names and private annexes) and a 'public' given here adds to it.",
    )

    @model_validator(mode="after")
    def _measure_costs(self) -> "Bid":
        """A measure's cost left to bidkit: the sum of its budget lines."""
        booked = self.budget.measure_costs() if self.budget else {}
        for measure in self.measures or []:
            if measure.cost is None and measure.id in booked:
                measure.cost = booked[measure.id]
        return self

    def party_name(self, party: MouParty) -> str:
        """The name a MoU party is shown under: its own, else its partner's (else the partner id)."""
        if party.name:
            return party.name
        names = {p.id: p.name for p in self.partners or []}
        return names.get(party.partner, party.partner or party.id)

    def reference_date(self, call: Call | None) -> dt.date:
        """The date the document is 'made' on: fixed by the data, never the wall clock."""
        if self.submission_date:
            return self.submission_date
        return call.deadline if call else dt.date(2000, 1, 1)
