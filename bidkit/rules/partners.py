"""Rules on partners and their letters."""

from __future__ import annotations

from collections.abc import Iterator
from collections import Counter

from bidkit.findings import Severity
from bidkit.models import LetterKind
from bidkit.rules.registry import RuleContext, Violation, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "PAR001", WARNING, "Partner takes part in no measure",
    hint="Name the partner in the `partners:` of a measure, or remove it.",
    explanation="""
A partner listed in the bid but named by no measure looks like decoration. Reviewers score the
support of local actors by what they do: show it in the measures.
""",
    reads=("partners", "measures"),
)
def partner_used(ctx: RuleContext) -> Iterator[Violation]:
    used = {ref for m in ctx.bid.measures or [] for ref in m.partners}
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.id not in used:
            yield Violation(("partners", index, "id"), f"partner '{partner.id}' takes part in no measure")


@rule(
    "PAR002", WARNING, "Partner without a letter",
    hint="Add `letter: {kind: support, date: YYYY-MM-DD}` once the letter is signed.",
    explanation="""
Each partner's support is shown by a letter: a Letter of Intent or a letter of support, with
its date. In the Bitkom call the number and quality of such letters earned up to 15 of 45
points.
""",
    reads=("partners",),
)
def partner_letter(ctx: RuleContext) -> Iterator[Violation]:
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.letter is None:
            yield Violation(("partners", index), f"partner '{partner.name}' has no letter of intent or support")


@rule(
    "PAR003", ERROR, "Letter dated after the deadline",
    hint="Check the letter's date; a letter written after the deadline cannot be part of the bid.",
    explanation="A partner's letter must exist when the bid is handed in: its date may not be after the deadline.",
    reads=("partners",),
)
def letter_in_time(ctx: RuleContext) -> Iterator[Violation]:
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.letter and partner.letter.date > ctx.call.deadline:
            yield Violation(
                ("partners", index, "letter", "date"),
                f"letter of '{partner.name}' is dated {partner.letter.date}, after the deadline {ctx.call.deadline}",
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
