"""Rules on the rendered document: its pages (PDF001 needs a PDF: `bidkit check --pdf FILE` or
`bidkit build`) and whether it can be laid out at all (PDF002, estimated from the bid)."""

from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.limits import MAX_LAYOUT_HTML_BYTES
from bidkit.rules.registry import Violation, define, rule

PAGE_LIMIT = define(
    "PDF001", Severity.ERROR, "Document longer than the call's page limit",
    hint="Shorten the texts or move material into annexes.",
    explanation="""
The call limits the number of pages (`page_limit`). Checked on the rendered PDF, with
`bidkit check --pdf FILE` or after every `bidkit build`; the report gives the pages of each
section so you can see where to cut.
""",
)


OTHER_BID = define(
    "PDF003", Severity.ERROR, "PDF of another bid",
    hint="Give the PDF that `bidkit build` made from this bid folder (a theme whose bid.html.j2 writes "
         "another <title>: `--ignore PDF003`).",
    explanation="""
`bidkit check --pdf FILE` counts the pages of FILE against this bid's call. A PDF whose title
(as `bidkit build` writes it: the bid's `title`, then „ – “ and the `subtitle`) is not this bid's
was built from another bid folder or another version of this one, and its pages say nothing of
this bid.
""",
)

def estimated_html_bytes(ctx) -> tuple[int, dict[str, int]]:
    """About how much HTML the document will have (what the build refuses to lay out beyond
    bidkit.limits.MAX_LAYOUT_HTML_BYTES): the bid's texts plus the markup of each row, measure,
    partner and supporter, measured on bidkit's templates. Once per check (PDF002 and PDF004 ask)."""
    if "html_bytes" not in ctx.memo:
        ctx.memo["html_bytes"] = _estimated_html_bytes(ctx)
    return ctx.memo["html_bytes"]


def _estimated_html_bytes(ctx) -> tuple[int, dict[str, int]]:
    from bidkit.rules.supporters import _register

    bid = ctx.bid
    years = bid.budget.years if bid.budget else []
    rows = {  # (count, HTML bytes of each beside its texts)
        "cost items": (sum(len(year.costs or []) for year in years), 107),
        "funding sources": (sum(len(year.funding or []) for year in years), 174),
        "measures": (len(bid.measures or []), 603),
        "partners": (len(bid.partners or []), 301),
        "KPIs": (sum(len(goal.kpis or []) for goal in bid.goals or []), 214),
    }
    register = _register(ctx) if bid.supporters else None
    rows["supporters"] = (len(register.supporters) if register else 0, 60)
    # Fitted to the examples and generated bids of 46 and 120 pages: within 10 % of the real HTML.
    parts = {name: count * size for name, (count, size) in rows.items()}
    parts["texts"] = sum(len(text.encode()) for _path, text in ctx.texts)
    return 20_000 + sum(parts.values()), parts


@rule(
    "PDF002", Severity.WARNING, "Document too long to be laid out",
    hint="Summarise: group cost items by kind, keep the measures' texts short, move long lists "
         "(items, supporters) into an annex (a CSV or PDF annex is attached, not laid out).",
    explanation=f"""
A build lays out at most {MAX_LAYOUT_HTML_BYTES // 1_000_000} MB of HTML (about 450 pages) and refuses a longer
document before the layout, which would take many minutes. `check` estimates the document's size
from the bid's texts and its rows (cost items, funding sources, measures, partners, KPIs,
supporters) and warns when it comes near that bound, so that CI and the preview say so before a
build does. A call's page limit is far below it; this is about bids that paste a booking list of
thousands of items into the plan.
""",
    reads=("budget", "measures", "partners", "goals", "supporters"),
)
def too_long_to_lay_out(ctx) -> Iterator[Violation]:
    size, parts = estimated_html_bytes(ctx)
    if size > 0.9 * MAX_LAYOUT_HTML_BYTES:
        count, name = max((size, name) for name, size in parts.items())
        yield Violation((), f"the document would have about {size / 1e6:.1f} MB of HTML, about {size // 4500:,} pages "
                            f"(the {name} alone {count / 1e6:.1f} MB); the build lays out at most "
                            f"{MAX_LAYOUT_HTML_BYTES / 1e6:.0f} MB and would refuse it")


#: HTML bytes of a page at most, as estimated_html_bytes counts them (the examples and generated bids have
#: 2,800–4,500): the estimate's pages are at most the real ones.
_BYTES_PER_PAGE = 4500


@rule(
    "PDF004", Severity.WARNING, "Document far longer than the call's page limit",
    hint="Shorten the texts, summarise long lists (cost items, supporters) or move them into an annex; "
         "`bidkit build --draft` shows the pages of each section.",
    explanation="""
The page limit (PDF001) is checked on the built PDF. `check` already sees a bid that will miss
it by far: the document's size estimated from the bid (as for PDF002) gives at least so many
pages — the estimate counts fewer pages than the document gets, never more — and a bid estimated
at more than twice the call's `page_limit` will not be cut to it by a few words. The warning
names the largest part.
""",
    reads=("budget", "measures", "partners", "goals", "supporters"),
)
def far_over_the_page_limit(ctx) -> Iterator[Violation]:
    limit = ctx.call.page_limit
    if not limit:
        return
    size, parts = estimated_html_bytes(ctx)
    pages = size // _BYTES_PER_PAGE
    if pages > 2 * limit and size <= 0.9 * MAX_LAYOUT_HTML_BYTES:  # beyond, PDF002 says more
        count, name = max((size, name) for name, size in parts.items())
        yield Violation((), f"the document will have at least about {pages} pages (the {name} alone about "
                            f"{count // _BYTES_PER_PAGE}); the call allows {limit}")
