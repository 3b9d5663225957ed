"""Rules on partners and their letters."""

from __future__ import annotations

from collections.abc import Iterator
from collections import Counter

from bidkit.findings import Severity
from bidkit.models import LetterKind, PartnerType
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
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.type in (PartnerType.LAND, PartnerType.BUND) and partner.id in funders_only:
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
