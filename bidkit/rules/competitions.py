"""TXT008: the bid's title, subtitle or the council's decisions name another competition than the
call's (a bid reused from an earlier competition keeps the other's name where it says what it is)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.findings import Severity, dotted
from bidkit.rules.registry import RuleContext, Violation, rule

#: German competitions and programmes for municipalities, each as the pattern of its name's forms.
COMPETITIONS = (
    r"Digitale Stadt", r"Smart Cit(?:y|ies)", r"Zukunftsstadt", r"Digitale Modellregion(?:en)?",
    r"Digitale(?:s)? D(?:orf|örfer)", r"Smarte\.Land\.Regionen", r"Digitale Orte", r"Kulturhauptstadt(?: Europas)?",
    r"Kommunen? innovativ", r"Zukunftskommunen?", r"Heimat 2\.0", r"Region(?:en)? der Zukunft",
)
#: A name counts where the text names a competition: in quotes, or after „Wettbewerb“, „Programm“, …
_NAMED = re.compile(
    r"(?:[„\"“»‚']|\b(?:Wettbewerbs?|Programms?|Förderprogramms?|Bundesprogramms?|Landesprogramms?|Aufrufs?|Förderaufrufs?"
    r"|Modellprojekte?s?|Modellvorhabens?|Initiative)\s+[„\"“»‚']?)(?P<name>" + "|".join(COMPETITIONS) + r")(?!\w)"
    r"(?!\s+[A-ZÄÖÜ])")  # „Smart City Paderborn“, „Zukunftsstadt Ulm 2030“: a city's own strategy, named after it
#: Where the bid says what it is: its title and subtitle, and what the council decided to apply for.
FIELDS = ("title", "subtitle", "council_resolution.decisions[]")


@rule(
    "TXT008", Severity.WARNING, "The title or the council's decision names another competition",
    hint="Name the call the bid is for (`call:` in bid.yaml), or, if the bid is for that competition, choose its call.",
    explanation="""
A bid reused from an earlier competition keeps the other's name where it says what it is: the
subtitle „Bewerbung im Wettbewerb Zukunftsstadt“ on a bid for „Modellprojekte Smart Cities“, a
council deciding to apply for the other programme. The rule knows the names of German
competitions and programmes for municipalities (Digitale Stadt, Smart Cities, Zukunftsstadt,
Digitale Modellregionen, Digitale Dörfer, Smarte.Land.Regionen, Kulturhauptstadt, …) and reports
one named — in quotes or after „Wettbewerb“, „Programm“, „Aufruf“, „Modellprojekt“ — in the title,
the subtitle or the council's decisions that the call's name does not hold. The other texts may
tell of earlier competitions.
""",
    reads=(),
)
def own_competition_named(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.structure import _select

    call = f"{ctx.call.name} {ctx.call.id.replace('-', ' ')}"  # „Wettbewerb „Digitale Stadt“ 2017“, its id
    for field in FIELDS:
        for path, text in _select(ctx.data, field.split(".")):
            if not isinstance(text, str):
                continue
            for match in _NAMED.finditer(text):
                name = match.group("name")
                pattern = next(p for p in COMPETITIONS if re.fullmatch(p, name))
                if not re.search(pattern, call, re.IGNORECASE):
                    yield Violation(path, f"{dotted(path)} names the competition '{name}', but the bid is for "
                                          f"'{ctx.call.name}'", text_offset=match.start("name"))
