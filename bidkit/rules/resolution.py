"""Rules on the council resolution (Ratsbeschluss)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, euro, rule

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
    limit = ctx.bid.submission_date or ctx.call.deadline
    if resolution and resolution.date > limit:
        yield Violation(("council_resolution", "date"), f"resolution of {resolution.date} is after the submission ({limit})")


@rule(
    "RES002", ERROR, "Council resolution does not commit the own share",
    hint="Add `own_share_committed:` with the amount the council commits the city to.",
    explanation="""
Some calls (e.g. "Modellprojekte Smart Cities") require the council resolution to commit the
city to its own share (`resolution_must_commit_own_share` in the call). The committed amount
must cover the own funds (`eigenmittel`) of the budget.
""",
    reads=("council_resolution", "budget"),
)
def resolution_commits_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution = ctx.bid.council_resolution
    if not ctx.call.resolution_must_commit_own_share or resolution is None:
        return
    own = ctx.bid.budget.own_funds if ctx.bid.budget else Decimal(0)
    if resolution.own_share_committed is None:
        yield Violation(
            ("council_resolution",), "the resolution does not commit the city to its own share",
            f"Add `own_share_committed: {own}` (the own funds of the budget), as the council decided it.",
        )
    elif resolution.own_share_committed < own:
        yield Violation(
            ("council_resolution", "own_share_committed"),
            f"the committed own share of {euro(resolution.own_share_committed)} is {euro(own - resolution.own_share_committed)} "
            f"too low: the budget has {euro(own)} of own funds (`eigenmittel`)",
            f"The council must commit at least {euro(own)}: correct `own_share_committed:` to what it decided, "
            "or lower the own funds in the budget.",
        )
