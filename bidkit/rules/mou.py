"""Rules on the Memorandum of Understanding."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.models import MOU_KIND_TITLES
from bidkit.rules.registry import RuleContext, Violation, handed_in, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "MOU001", ERROR, "MoU party without a signatory",
    hint="Add `signatories:` with name and role for the party.",
    explanation="""
A Memorandum of Understanding binds its parties through the people who sign it. Each party
needs at least one signatory with name and role (e.g. Oberbürgermeister, Vorstandsvorsitzender).
""",
    reads=("mou",), partial_ok=("mou",),
)
def mou_signatories(ctx: RuleContext) -> Iterator[Violation]:
    for index, party in enumerate(ctx.bid.mou.parties if ctx.bid.mou else []):
        if not party.signatories:
            yield Violation(("mou", "parties", index), f"party '{ctx.bid.party_name(party)}' of the agreement has no signatory")


@rule(
    "MOU002", ERROR, "MoU signed after the bid is handed in",
    hint="Check `signed_on`; an MoU signed after the bid was handed in cannot support it.",
    explanation="""
The MoU supports the bid only if it exists when the bid is handed in: its signing date must not
be after the submission date (`submission_date` in bid.yaml) or, when the bid gives none, after
the call's deadline.
""",
    reads=("mou",), partial_ok=("mou",),
)
def mou_before_deadline(ctx: RuleContext) -> Iterator[Violation]:
    mou = ctx.bid.mou
    limit, named = handed_in(ctx)
    if mou and mou.signed_on > limit:
        kind = MOU_KIND_TITLES[mou.kind.value]
        yield Violation(("mou", "signed_on"), f"{kind} signed on {mou.signed_on}, after {named}")


#: A cooperation field written as an id („datenplattform“, „it-infrastruktur“), not as a name („Mobilität“).
_ID_LIKE = re.compile(r"[a-z0-9][a-z0-9_-]*")


@rule(
    "MOU003", ERROR, "MoU cooperation field written as an id the call does not have",
    hint="Name one of the call's thematic fields by its id, or write the field as it is to be printed („Tourismus“).",
    explanation="""
The MoU's cooperation fields (`mou.cooperation_fields`) are either the ids of the call's thematic
fields (the document prints their names: `datenplattform` → „Städtische Datenplattform“) or names
of fields of one's own, printed as written („Arbeit der Zukunft“). An entry written like an id —
lower case, no spaces — that is no field of the call („tourismus“, a typo of `mobilitaet`) is
printed as it is, in lower case, beside the others' names.
""",
    reads=("mou",),
)
def cooperation_fields_known(ctx: RuleContext) -> Iterator[Violation]:
    fields = ctx.call.field_ids()
    for index, field in enumerate(ctx.bid.mou.cooperation_fields if ctx.bid.mou else []):
        if _ID_LIKE.fullmatch(field.strip()) and field.strip() not in fields:
            yield Violation(("mou", "cooperation_fields", index), f"'{field}' is no thematic field of {ctx.call.name}",
                            f"Use one of: {', '.join(fields)}; or write the field as it is to be printed.")
