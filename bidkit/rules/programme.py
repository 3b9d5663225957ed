"""What a bid asks of the call's programme: at most the call's funding rate of its costs (BUD013)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal

from bidkit.findings import Severity
from bidkit.models import FUNDING_TITLES
from bidkit.rules.registry import RuleContext, Violation, euros, rule


@rule(
    "BUD013", Severity.ERROR, "Programme funding above the call's funding rate",
    hint="Ask the programme for at most the funding rate of the costs; cover the rest from own funds or others.",
    explanation="""
A programme funds a share of the costs: the federal "Modellprojekte Smart Cities" pays up to 65 %
(`funding_rate_percent`) of them as federal money (`funded_by: bund` in the call). A plan that asks
the programme for more is not fundable as written, even when its sums balance: the own share and
the others' funding must cover the rest. The rule adds the funding of the programme's kind over
all years and compares it with the rate of all costs; a call without `funded_by` or a funding rate
is not judged.
""",
    reads=("budget",),
)
def programme_share(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.render.formatting import percent_figure  # Babel loads only when a message needs it

    rate, kind, budget = ctx.call.funding_rate_percent, ctx.call.funded_by, ctx.bid.budget
    if rate is None or kind is None or budget is None or kind.value == "eigenmittel":  # that call is CAL002's
        return
    costs = budget.cost_sum
    sources = [(("budget", "years", y, "funding", i), source.amount) for y, year in enumerate(budget.years)
               for i, source in enumerate(year.funding) if source.kind is kind]
    asked = sum((amount for _path, amount in sources), Decimal(0))
    if not sources or not costs or asked * 100 <= rate * costs:
        return
    cap = (rate * costs / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    exact = asked * 100 / costs
    share = next((shown for digits in range(1, 7)  # the decimals that show it above the rate, never cut down to it
                  if (shown := exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)) > rate), exact)
    asked_, costs_, cap_ = euros(asked, costs, cap)
    yield Violation(sources[0][0], f"the bid asks the programme ({FUNDING_TITLES[kind.value]}) for {asked_} of "
                                   f"{costs_} costs, {percent_figure(share)}; the call funds at most "
                                   f"{percent_figure(rate)} ({cap_})")
