"""Rules on partners and their letters."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.models import LetterKind, PartnerType
from bidkit.rules.budget import _IN_KIND, first_by_id
from bidkit.rules.registry import RuleContext, Violation, handed_in, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def working(bid) -> set[str]:
    """Ids of the partners named by a measure or party to the MoU."""
    used = {ref for m in bid.measures or [] for ref in m.partners}
    return used | {p.partner for p in (bid.mou.parties if bid.mou else []) if p.partner}


def funding(bid) -> set[str]:
    """Ids of the partners named as `partner:` of a funding source."""
    return {f.partner for year in (bid.budget.years if bid.budget else []) for f in year.funding if f.partner}


def taking_part(bid) -> set[str]:
    """Ids of the partners who take part: named by a measure, giving money, or party to the MoU."""
    return working(bid) | funding(bid)


@rule(
    "PAR001", WARNING, "Partner takes part in nothing",
    hint="Name the partner in the `partners:` of a measure, as `partner:` of a funding source or MoU party, or remove it.",
    explanation="""
A partner listed in the bid but doing nothing in it looks like decoration. Reviewers score the
support of local actors by what they do: a partner takes part when a measure names it
(`partners:`), when it gives money (`partner: <id>` on a funding source, e.g. the Land), or when
it is a party to the MoU (`partner: <id>` on the party).
""",
    reads=("partners", "measures", "budget", "mou"), partial_ok=("partners",),
)
def partner_used(ctx: RuleContext) -> Iterator[Violation]:
    used = taking_part(ctx.bid)
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.id not in used:
            yield Violation(
                ("partners", index, "id"),
                f"partner '{partner.id}' takes part in no measure, gives no funding and is no party to the MoU",
            )


@rule(
    "REF003", ERROR, "Partner reference of a funding source or MoU party does not resolve",
    hint="Use the id of a partner in partners.yaml, or add the partner.",
    explanation="""
A funding source may name the partner who gives the money, and an MoU party the partner it is
(`partner: <id>`; the party's `name:` may then be left out and is taken from the partner). The
id must be one of the bid's partners, or the document could not name the party and a reviewer
could not see who pays.
""",
    reads=("partners", "budget", "mou"), partial_ok=("budget", "mou"),
)
def partner_references(ctx: RuleContext) -> Iterator[Violation]:
    known = {p.id for p in ctx.bid.partners or []}
    listed = f"known: {', '.join(sorted(known))}" if known else "no partners are defined"
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            if source.partner and source.partner not in known:
                yield Violation(("budget", "years", y, "funding", f, "partner"), f"unknown partner '{source.partner}'; {listed}")
    for index, party in enumerate(ctx.bid.mou.parties if ctx.bid.mou else []):
        if party.partner and party.partner not in known:
            yield Violation(("mou", "parties", index, "partner"), f"unknown partner '{party.partner}'; {listed}")


@rule(
    "PAR002", WARNING, "Partner without a letter",
    hint="Add `letter: {kind: support, date: YYYY-MM-DD}` once the letter is signed.",
    explanation="""
Each partner's support is shown by a letter: a Letter of Intent or a letter of support, with
its date. In the Bitkom call the number and quality of such letters earned up to 15 of 45
points.

A partner of type `land` or `bund` that only gives money (named as `partner:` of a funding
source, by no measure and no MoU party) needs no letter: a funding programme does not write
letters of support for itself; its grant is shown by the funding source.
""",
    reads=("partners",), partial_ok=("partners",),  # the funders among them: from what of the rest loaded
)
def partner_letter(ctx: RuleContext) -> Iterator[Violation]:
    funders_only = funding(ctx.bid) - working(ctx.bid)
    # A budget that did not load whole may hold the funding a Land or Bund gives: whether it needs a letter is not known.
    unknown = "budget" in ctx.broken or "budget" in ctx.partial
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.type in (PartnerType.LAND, PartnerType.BUND) and (partner.id in funders_only or unknown):
            continue
        if partner.letter is None:
            yield Violation(("partners", index), f"partner '{partner.name}' has no letter of intent or support")


@rule(
    "PAR003", ERROR, "Letter dated after the bid is handed in",
    hint="Check the letter's date; a letter written after the bid was handed in cannot be part of it.",
    explanation="""
A partner's letter must exist when the bid is handed in: its date may not be after the
submission date (`submission_date` in bid.yaml) or, when the bid gives none, after the deadline.
""",
    reads=("partners",), partial_ok=("partners",),
)
def letter_in_time(ctx: RuleContext) -> Iterator[Violation]:
    limit, named = handed_in(ctx)
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.letter and partner.letter.date > limit:
            yield Violation(
                ("partners", index, "letter", "date"),
                f"letter of '{partner.name}' is dated {partner.letter.date}, after {named}",
            )


@rule(
    "PAR004", INFO, "Letters of support counted",
    hint="More letters from local actors strengthen the bid.",
    explanation="""
Reports how many partners have a letter, by kind. Calls such as Bitkom "Digitale Stadt" score
the number and quality of letters of support, so the count is worth watching while the bid grows.
""",
    reads=("partners",),
)
def letters_counted(ctx: RuleContext) -> Iterator[Violation]:
    partners = ctx.bid.partners or []
    kinds = Counter(p.letter.kind for p in partners if p.letter)
    yield Violation(
        ("partners",),
        f"{sum(kinds.values())} of {len(partners)} partners have a letter: "
        f"{kinds[LetterKind.SUPPORT]} letter(s) of support, {kinds[LetterKind.LETTER_OF_INTENT]} letter(s) of intent",
    )


#: Legal forms, left out when names are compared („dSPACE“ is „dSPACE GmbH“).
_LEGAL_FORMS = frozenset({"gmbh", "ggmbh", "mbh", "ag", "kg", "kgaa", "co", "se", "eg", "ug", "ohg", "gbr", "aor", "ev",
                          "haftungsbeschraenkt"})


def _all_words(name: str) -> list[str]:
    """A name's words as a reader compares them: case, umlauts written as „oe“, ß as „ss“, accents
    and punctuation aside („Sparkasse Oess-Suesstal“ is „Sparkasse Öß-Süßtal“)."""
    from bidkit.letters import plain_letters

    text = re.sub(r"\be\.\s?v\.", " ev ", plain_letters(name.casefold()))
    return re.findall(r"[^\W_]+", text)


def _words(name: str) -> tuple[str, ...]:
    """A name's words (``_all_words``) without its legal forms."""
    return tuple(word for word in _all_words(name) if word not in _LEGAL_FORMS)


def _has_legal_form(name: str) -> bool:
    """Whether a name ends in a legal form („Deutsche Bahn AG“, „Stadtwerke GmbH“, „Förderverein e. V.“,
    „X UG (haftungsbeschränkt)“)."""
    words = _all_words(name)
    return bool(words) and words[-1] in _LEGAL_FORMS


def _within(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    return bool(short) and any(long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1))


def same_organisation(one: str, other: str) -> bool:
    """Whether two names can be one organisation's: one's words (as ``_words`` compares them) run
    within the other's („Freistaat Bayern, Förderaufruf …“ names „Freistaat Bayern“)."""
    a, b = _words(one), _words(other)
    return _within(a, b) or _within(b, a)


@rule(
    "PAR005", WARNING, "One organisation named two ways",
    hint="Give a party or source that is a partner the partner's name (a party: leave out `name:`), and link it "
         "with `partner: <id>`.",
    explanation="""
An MoU party that is one of the partners (`partner: <id>`) may give a `name:` of its own; the
document prints that name on the MoU page and the partner's name everywhere else. When the two
are not one organisation's names („Kreissparkasse Weißenstadt“ on the MoU page, „Sparkasse
Öß-Süßtal“ in the partners' list, for the same id), the document contradicts itself. Names are
compared as a reader does: case, umlauts written as „oe“, ß as „ss“, punctuation and legal forms
(GmbH, AG, e. V.) aside, and one name may say more than the other („Volkswagen AG, Vorstand“).
A funding source's name is the source's, often a programme's („Landesprogramm
Digitalisierung“ from the partner „Land Niedersachsen“): it is compared with its partner's only
when it ends in a legal form (AG, GmbH, e. V.), as an organisation's name does („Deutsche Bahn AG“
for the partner „Hamburger Hochbahn AG“).

A party or source without `partner:` whose name is a partner's name written another way
(„Sparkasse Oess-Suesstal“) is that partner, unlinked, and named two ways; the finding names the
partner's id to link it with.
""",
    reads=("partners", "mou", "budget"), partial_ok=("partners", "mou", "budget"),
)
def one_name_per_organisation(ctx: RuleContext) -> Iterator[Violation]:
    partners = first_by_id(ctx.bid.partners)
    by_words = {}
    for partner in partners.values():
        by_words.setdefault(_words(partner.name), partner)
    named = [(("mou", "parties", i), party, "MoU party") for i, party in enumerate(ctx.bid.mou.parties if ctx.bid.mou else [])]
    named += [(("budget", "years", y, "funding", f), source, "funding source")
              for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []) for f, source in enumerate(year.funding)]
    for path, item, what in named:
        if not item.name:
            continue
        # A source's name is most often a programme's; one with a legal form (AG, GmbH, e. V.) is an organisation's.
        partner = partners.get(item.partner) if item.partner and (what == "MoU party" or _has_legal_form(item.name)) else None
        if partner is not None and not same_organisation(item.name, partner.name):
            yield Violation((*path, "name"), f"{what} '{item.name}' is the partner '{partner.id}', whose name is "
                                             f"'{partner.name}': the document names one organisation two ways",
                            "Leave out `name:` (the document then shows the partner's name), or correct it or the partner's.")
        elif (item.partner is None and (twin := by_words.get(_words(item.name))) is not None
              and " ".join(item.name.split()) != " ".join(twin.name.split())):
            yield Violation((*path, "name"), f"{what} '{item.name}' is the partner '{twin.name}' written another way, "
                                             f"not linked to it: the document names one organisation two ways",
                            f"Write `partner: {twin.id}`{' and leave out `name:`' if what == 'MoU party' else ''}.")


@rule(
    "PAR007", WARNING, "A company or association typed as a municipality",
    hint="Give the partner the type of what its name says (`unternehmen`, `gemeinnuetzig`, `verein`, `stiftung`, `oeffentlich`); `kommune` is a town, "
         "a municipality or a Kreis.",
    explanation="""
A partner of `type: kommune` is a municipality: its own funds count towards the bid's own share
(BUD014 allows them), and the document lists it among the Kommunen. A name that ends in a legal
form of a company or an association („Stadtwerke Xy GmbH & Co. KG“, „Förderverein e. V.“) is
none: most often the type was copied from the line above.
""",
    reads=("partners",), partial_ok=("partners",),
)
def municipality_has_no_legal_form(ctx: RuleContext) -> Iterator[Violation]:
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.type is PartnerType.KOMMUNE and _has_legal_form(partner.name):
            yield Violation(("partners", index, "type"),
                            f"partner '{partner.name}' is typed `kommune`, but its name ends in a company's or association's legal form")


@rule(
    "PAR006", WARNING, "One organisation listed as two partners",
    hint="Keep one entry and name its id wherever the other's is named (measures, funding, the MoU).",
    explanation="""
Two entries of `partners:` whose names are one organisation's (compared as PAR005 compares them:
case, umlauts, punctuation and legal forms aside) list it twice: the directory of partners, the
funding tables and the chart's legend show it twice, and the count of partners is one too high.
It happens when a list is merged from two sources and one entry got an id of its own (`g02`).
""",
    reads=("partners",),
)
def one_entry_per_partner(ctx: RuleContext) -> Iterator[Violation]:
    first: dict[tuple[str, ...], object] = {}
    for index, partner in enumerate(ctx.bid.partners or []):
        words = _words(partner.name)
        if not words:
            continue
        if (earlier := first.get(words)) is None:
            first[words] = partner
            continue
        yield Violation(("partners", index, "name"),
                        f"partner '{partner.id}' ('{partner.name}') is the partner '{earlier.id}' ('{earlier.name}') again")


#: Money a partner spends on its own, outside the plan: „trägt eigene Kosten von …“, „investiert … in sein …“.
_OWN_SPENDING = re.compile(r"eigene[n]?\s+(?:Kosten|Mitteln?|Rechnung)|investiert|aus\s+eigenen\s+Mitteln", re.IGNORECASE)


@rule(
    "PAR008", WARNING, "A partner's contribution names money the plan does not show",
    hint="Add the partner's money to the funding (`partner: <its id>` on the source), or correct the amount in "
         "`contribution:`; money a partner spends outside the plan is said so („trägt eigene Kosten von …“).",
    explanation="""
A partner's `contribution:` that promises money („Zuschuss von 25.000 € für die Digitallotsen“,
„beteiligt sich mit 12.500 €“) says the partner pays into the project; the Kosten- und
Finanzierungsplan must then show it as funding from that partner (`partner:` on the source), over
all years or in one. A promise the plan does not hold, or holds with another amount, is one of the
two the jury cannot both believe. Amounts said to be about or at most so much, in-kind
contributions (Sachleistungen, „im Wert von“) and a partner's spending of its own („trägt eigene
Kosten von …“, „investiert … in sein Testfeld“) are not compared.
""",
    reads=("partners", "budget"),
)
def contributions_in_the_plan(ctx: RuleContext) -> Iterator[Violation]:
    from decimal import Decimal

    from bidkit.rules.resolution import _AMOUNT, _QUALIFIED, _figure

    funded: dict[str, set[Decimal]] = {}
    totals: dict[str, Decimal] = {}
    for year in ctx.bid.budget.years if ctx.bid.budget else []:
        for source in year.funding:
            if source.partner:
                funded.setdefault(source.partner, set()).add(source.amount)
                totals[source.partner] = totals.get(source.partner, Decimal(0)) + source.amount
    for partner_id, total in totals.items():
        funded[partner_id].add(total)
    for index, partner in enumerate(ctx.bid.partners or []):
        text = partner.contribution
        if not text or _IN_KIND.search(text) or "Wert von" in text or _OWN_SPENDING.search(text):
            continue
        for match in _AMOUNT.finditer(text):
            figure = _figure(match, False)
            if figure is None or _QUALIFIED.search(text, max(0, match.start() - 20), match.start()):
                continue
            value, tolerance = figure
            if any(abs(value - amount) <= tolerance for amount in funded.get(partner.id, ())):
                continue
            shown = "no funding from it" if partner.id not in funded else "other amounts from it"
            yield Violation(("partners", index, "contribution"),
                            f"'{partner.name}' promises {match.group().strip()}; the plan shows {shown}", text_offset=match.start())
            break
