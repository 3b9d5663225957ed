"""Rules on the council resolution (Ratsbeschluss)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, euros, handed_in, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "RES001", ERROR, "Council resolution dated after the submission",
    hint="The council must decide before the bid is handed in; check the date.",
    explanation="""
The council resolution (Ratsbeschluss) authorises the bid. It must be dated on or before the
submission date (or, without one, the call's deadline).
""",
    reads=("council_resolution",),
)
def resolution_in_time(ctx: RuleContext) -> Iterator[Violation]:
    resolution = ctx.bid.council_resolution
    limit, named = handed_in(ctx)
    if resolution and resolution.date > limit:
        yield Violation(("council_resolution", "date"), f"resolution of {resolution.date} is after {named}")


def _applicant(ctx: RuleContext) -> str:
    """The applicant as messages name it: „Landkreis Hameln-Pyrmont“, „Stadt Wolfsburg“."""
    from bidkit.applicant import applicant_of

    return applicant_of(ctx.bid.city).name if ctx.bid.city else "the applicant"


def applicant_own_funds(budget) -> tuple[Decimal, list[str]]:
    """The own funds (``eigenmittel``) the applicant's council commits: those without a ``partner:``;
    and the partners whose own funds the budget also counts (the municipalities of a joint bid,
    each committed by its own council)."""
    own, partners = Decimal(0), {}
    for year in budget.years if budget else []:
        for source in year.funding:
            if source.partner_funds:
                partners[source.partner] = None
            elif source.kind.value == "eigenmittel":
                own += source.amount
    return own, list(partners)


@rule(
    "RES002", ERROR, "Council resolution does not commit the own share",
    hint="Add `own_share_committed:` with the amount the council commits the applicant to.",
    explanation="""
Some calls (e.g. "Modellprojekte Smart Cities") require the council resolution (of the Rat, the
Kreistag, …) to commit the applicant, the city, Landkreis or Gemeinde, to its own share
(`resolution_must_commit_own_share` in the call). The committed amount must cover the
applicant's own funds (`eigenmittel`) in the budget. In a joint bid, own funds with a `partner:`
(a partner municipality's share) are committed by that municipality's council, not by the
applicant's: they are not counted here.
""",
    reads=("council_resolution", "budget"),
)
def resolution_commits_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution = ctx.bid.council_resolution
    if not ctx.call.resolution_must_commit_own_share or resolution is None:
        return
    own, partners = applicant_own_funds(ctx.bid.budget)
    besides = f" (without the own funds of {', '.join(partners)}, committed by their councils)" if partners else ""
    if resolution.own_share_committed is None:
        yield Violation(
            ("council_resolution",), f"the resolution does not commit {_applicant(ctx)} to its own share",
            f"Add `own_share_committed: {own}` (the own funds of the budget), as the council decided it.",
        )
    elif resolution.own_share_committed < own:
        committed, short, needed = euros(resolution.own_share_committed, own - resolution.own_share_committed, own)
        yield Violation(
            ("council_resolution", "own_share_committed"),
            f"the committed own share of {committed} is {short} too low: "
            f"the budget has {needed} of own funds (`eigenmittel`){besides}",
            f"The council must commit at least {needed}: correct `own_share_committed:` to what it decided, "
            "or lower the own funds in the budget.",
        )


#: How far a committed own share may lie above the plan's own funds and still be the same amount rounded.
ROUNDING = Decimal("0.01")


@rule(
    "RES003", WARNING, "Council resolution commits more than the plan's own share",
    hint="Correct `own_share_committed:` to what the council decided, or the own funds in the budget.",
    explanation="""
The document prints the own share the council committed (`own_share_committed`) beside the own
funds of the Kosten- und Finanzierungsplan (`eigenmittel`). A committed amount above the own
funds by more than rounding (1 %) shows two different own shares, most often a typo of one digit
(12.600.000 for 1.260.000). An amount below them is RES002's. As there, own funds with a
`partner:` (a partner municipality's share) are not the applicant's.
""",
    reads=("council_resolution", "budget"),
)
def resolution_matches_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution, budget = ctx.bid.council_resolution, ctx.bid.budget
    if resolution is None or resolution.own_share_committed is None or budget is None:
        return
    committed, (own, _) = resolution.own_share_committed, applicant_own_funds(budget)
    if committed - own > max(own * ROUNDING, Decimal(1)):
        shown, more, planned = euros(committed, committed - own, own)
        yield Violation(
            ("council_resolution", "own_share_committed"),
            f"the committed own share of {shown} is {more} more than "
            f"the budget's {planned} of own funds (`eigenmittel`)",
        )


#: An amount in euros as a German text writes it: „108.427,24 €“, „180.427 Euro“, „1.260.000,00 EUR“.
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?\s?(?:€|Euro\b|EUR\b)")
#: Characters between „Eigenanteil“ and its amount at most (before it: half as many).
NEAR = 60
#: The words that make a decision's amount the own share.
_OWN_SHARE = re.compile(r"Eigenanteil|Eigenmittel|Eigenbeteiligung|Eigenleistung|Kofinanzierung", re.IGNORECASE)


@rule(
    "RES004", WARNING, "The decision's text names another own share",
    hint="Correct the decision's text or `own_share_committed:` to what the council voted on.",
    explanation="""
The decisions of the council resolution are the text the council voted on; the document prints
them and, below, the committed own share (`own_share_committed`, else the plan's own funds). A
decision that speaks of the own share (Eigenanteil, Eigenmittel, Kofinanzierung) and names an
amount other than that one shows two own shares, most often a typo in one of them
(108.427,24 € for 180.427,24 €): the reviewers cannot tell which the council committed.
""",
    reads=("council_resolution", "budget"),
)
def decision_names_the_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution = ctx.bid.council_resolution
    if resolution is None:
        return
    own = resolution.own_share_committed
    if own is None:
        own = applicant_own_funds(ctx.bid.budget)[0] if ctx.bid.budget else None
    if not own:
        return
    for index, decision in enumerate(resolution.decisions):
        words = [word.span() for word in _OWN_SHARE.finditer(decision)]
        # the amounts said of the own share: within a few words of „Eigenanteil“ (not the total costs beside it)
        near = [match for match in _AMOUNT.finditer(decision)
                if any(match.start() - end <= NEAR and start - match.end() <= NEAR // 2 for start, end in words)]
        amounts = [(match, Decimal(match.group(1).replace(".", "") + "." + (match.group(2) or "0"))) for match in near]
        if amounts and all(named != own for _, named in amounts):
            match, named = amounts[0]
            said, meant = euros(named, own)
            where = "`own_share_committed`" if resolution.own_share_committed is not None else "the plan's own funds"
            yield Violation(("council_resolution", "decisions", index),
                            f"the decision names an own share of {said}; {where}: {meant}", text_offset=match.start())
