"""Rules on the variants of the document (``variants:``, ``bidkit build --variant``).

VAR001 and VAR002 run with every check, for ``public`` and every variant of ``variants:``;
VAR003 is reported by ``bidkit build --variant NAME``, which also turns VAR002 for that variant
into an error: a build never writes a variant that would still print what it removes.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

from bidkit.findings import Finding, Severity
from bidkit.models import Bid, Removal
from bidkit.rules.registry import RuleContext, Violation, define, rule
from bidkit.supporters import Register, read_register
from bidkit.variants import DocumentVariant, defined, field_problem, quoted, quoted_in_files, searched_words, secrets


@rule(
    "VAR001", Severity.ERROR, "Field of a variant names no field of the bid",
    hint="Write the path as in the bid's YAML, e.g. 'budget.note' or 'measures[].lead' ('[]' for every item of a list).",
    explanation="""
A variant (`variants:` in bid.yaml) may remove fields by path besides its fixed vocabulary
(`contact`, `deputy_contact`, `legal_representative`, `signatories`, `private_supporters`,
`private_annexes`). A path that names no field would remove nothing — and the variant would
print what its authors meant to leave out — so it is an error. The city, the title and the call
are what the document is about and cannot be removed, nor the submission date (the document's
own date, on the cover and in the PDF's dates). Of the texts a
path removes, all but single words of letters are searched for in what the variant keeps (VAR002):
a unit, a kind or an office („Minuten“, „land“, „Hauptamt“) stands in other texts too; names of
two words, e-mail addresses, numbers and addresses are searched.
""",
    reads=("variants",),
)
def unknown_field(ctx: RuleContext) -> Iterator[Violation]:
    for name, variant in (ctx.bid.variants or {}).items():
        for index, path in enumerate(variant.fields):
            problem = field_problem(path)
            if problem:
                yield Violation(("variants", name, "fields", index), f"variant '{name}': {problem}")


@rule(
    "VAR002", Severity.WARNING, "Text quotes a value a variant removes",
    hint="Rewrite the text without the name, e-mail or phone (e.g. name the office), or keep that value in the variant.",
    explanation="""
A variant removes values from the document: the public variant (`bidkit build --variant public`)
the contact persons' names, e-mail addresses and phone numbers, the names of private supporters
and the private annexes. A text of the bid that quotes such a value (the vision naming the contact
person, the budget note giving her e-mail) would print it all the same. `check` warns for every
variant; `build --variant NAME` refuses while a text still quotes a value NAME removes, and the
build searches the finished PDF (text, bookmarks, metadata, attachments, streams) once more.
Values of `city.public_contact` (a switchboard number a contact shares) are public and allowed.
""",
    reads=("variants", "city", "contact", "deputy_contact", "legal_representative", "supporters", "annexes", "partners", "mou"),
)
def quoted_value(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.supporters import _register

    register = _register(ctx)  # read once per check
    # With a register of hundreds of names, a person's forms are looked for only when one of the
    # name's words is in a text of the bid other than a name (the person's own `name:` holds them all).
    mentioned = None
    if register is not None and register.supporters:
        words = searched_words([text for path, text in ctx.texts if path[-1] != "name"])
        mentioned = lambda word: word in words or f"{word}s" in words  # noqa: E731 - „Kowalczyks Idee“
    # The variants' dumps reuse the bid's own (the sections a variant leaves as they are), when it is the dump
    # as model_dump makes it; the distinct strings of each section once for all variants.
    shared = None
    if ctx.raw_data is not None:
        texts = ctx.texts
        shared = (ctx.raw_data, {name: dict.fromkeys(map(itemgetter(1), texts[start:end]))
                                 for name, (start, end) in ctx.sections.items()})
    for variant in defined(ctx.bid).values():
        yield from _quotes(ctx.bid_dir, ctx.bid, variant, register, mentioned, shared)


def _quotes(bid_dir, bid: Bid, variant: DocumentVariant, register: Register | None, mentioned=None,
            shared=None) -> Iterator[Violation]:
    """The bid's texts, and the files the variant embeds, that hold a value ``variant`` removes
    (``shared``: see ``bidkit.variants.quoted``)."""
    found = secrets(bid, variant, register, mentioned)
    for path, offset, secret in quoted(bid, variant, found, shared):
        yield Violation(path, f"this text quotes {secret.what}, which the variant '{variant.name}' removes",
                        _value_hint(path, secret.what), text_offset=offset)
    for annex, secret in quoted_in_files(bid_dir, bid, variant, found):
        holds = f"holds {secret.what}" if secret else "cannot be searched (an encrypted, broken or oversized archive)"
        yield Violation(annex.field, f"the file '{annex.file}', embedded in the variant '{variant.name}', {holds}, "
                        "which the variant removes" if secret else f"the file '{annex.file}', embedded in the variant "
                        f"'{variant.name}', {holds} for the values the variant removes",
                        f"Take the value out of the file, or mark the annex `public: false` (so that '{variant.name}' "
                        "leaves it out).")


def _value_hint(path: tuple, what: str) -> str | None:
    """The hint for a quoting field that holds the value itself (a name, an e-mail address, a
    phone number), which cannot be rewritten: remove it too, or keep the value."""
    if path[-1] == "file":
        return ("The list of annexes prints the file's name: rename the file (and this `file:`), or mark the "
                "annex `public: false`.")
    if path[-1] not in ("name", "email", "phone"):
        return None  # a text: the rule's hint (rewrite it)
    shown = ".".join(str(part) for part in path if not isinstance(part, int))
    removable = {removal.value for removal in Removal}
    if path[0] in removable:
        also = f"add `{path[0]}` to the variant's `remove:`"
    else:
        parts = [f"{part}[]" if isinstance(after, int) else str(part)
                 for part, after in zip(path, [*path[1:], None]) if not isinstance(part, int)]
        also = f"add `{'.'.join(parts)}` to the variant's `fields:`"
    return f"`{shown}` is the value itself, not a text to rewrite: {also} too, or keep {what} in the variant."


NO_PUBLIC_CONTACT = define(
    "VAR003", Severity.ERROR, "No public contact for a variant without the contact persons",
    hint="Give the city's public address in bid.yaml: city.public_contact with office, address and optionally "
         "email, phone, web (no person's).",
    explanation="""
The public variant (`bidkit build --variant public`) leaves out the contact persons and their
means of contact; a published bid still needs a way to reach the city: `city.public_contact`
(office, postal address, a functional e-mail address, the switchboard, the website) is shown
instead. `build --variant` reports this for a variant that removes the contact when the bid
gives no public contact, and a final build refuses.
""",
)


def build_findings(loaded, variant: DocumentVariant) -> list[Finding]:
    """What ``bidkit build --variant`` adds to the check: VAR003, and VAR002 for ``variant`` as errors."""
    bid = loaded.bid
    findings = []
    if Removal.CONTACT in variant and bid.city.public_contact is None:
        rule_ = NO_PUBLIC_CONTACT
        findings.append(Finding(rule_.code, rule_.severity, f"the variant '{variant.name}' removes the contact persons, "
                                "and the bid gives no public address to show instead", rule_.hint,
                                loaded.sources.locate(("city",), key=True), ("city",)))
    from bidkit.rules.registry import RULES

    quoting = RULES["VAR002"]
    register = read_register(loaded.bid_dir, bid.supporters) if bid.supporters else None
    for violation in _quotes(loaded.bid_dir, bid, variant, register):
        findings.append(Finding(quoting.code, Severity.ERROR, violation.message, violation.hint or quoting.hint,
                                loaded.sources.locate(violation.path, text_offset=violation.text_offset), violation.path))
    return findings


@rule(
    "VAR004", Severity.WARNING, "A text cites an annex by a number a variant changes",
    hint="Cite the annex by its title („die Absichtserklärung der Gmina Łęknica, siehe Anlagenverzeichnis“), "
         "or keep the annexes before it in the variant.",
    explanation="""
A variant that leaves out annexes (the public variant: those marked `public: false`, the private
supporters' letters) numbers the rest without gaps: „Anlage 7“ of the full bid is „Anlage 6“ in it.
The bid's texts are the same in both documents, so a text that cites „Anlage 7“ points at
another annex in the variant, or at none. The annexes keep their titles: a text that cites the
title is right in every variant.
""",
    reads=("variants", "annexes", "partners", "mou", "council_resolution", "supporters"),
)
def cited_annex_numbers(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.variants import annex_numbers, cited_annexes

    # cited_annexes finds none in a text without „Anlage“ (most texts): those are passed over here
    cited = [(path, offset, number) for path, text in ctx.texts if "Anlage" in text
             for offset, number in cited_annexes(text)]
    if not cited:
        return
    register = read_register(ctx.bid_dir, ctx.bid.supporters) if ctx.bid.supporters else None
    full = {number: file for file, number in annex_numbers(ctx.bid, None, register).items()}
    for variant in defined(ctx.bid).values():
        numbers = annex_numbers(ctx.bid, variant, register)
        for path, offset, number in cited:
            file = full.get(number)
            if file is None or numbers.get(file) == number:
                continue
            where = f"is Anlage {numbers[file]}" if file in numbers else "is left out"
            yield Violation(path, f"the text cites Anlage {number} ('{file}'), which {where} in the variant "
                                  f"'{variant.name}'", text_offset=offset)
