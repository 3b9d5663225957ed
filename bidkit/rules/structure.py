"""Rules on the bid as a whole: sections present, references, ids, texts, dates, contacts."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bidkit.findings import FieldPath, Severity, dotted
from bidkit.models import SECTION_TITLES
from bidkit.rules.registry import RuleContext, Violation, rule
from bidkit.yamlio import load_document

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "REQ001", ERROR, "Required section missing or empty",
    hint="Add the section; `bidkit init` writes an example of each.",
    explanation="""
The call lists the sections every bid must contain (`required_sections` in the call profile).
A section that is absent, or present but empty, fails this rule. For the Bitkom "Digitale
Stadt" call these are vision, starting situation, goals, measures, partners with their letters,
the MoU, the budget and the council resolution. Example: `vision: |` followed by the text.
""",
    reads=(),
)
def required_sections(ctx: RuleContext) -> Iterator[Violation]:
    for section in ctx.call.required_sections:
        if section in ctx.broken:
            continue  # its errors are reported already
        value = getattr(ctx.bid, section)
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            state = "missing" if value is None else "empty"
            yield Violation(
                (section,), f"required section '{section}' ({SECTION_TITLES[section]}) is {state}",
                f"The call '{ctx.call.name}' requires it; add `{section}:` to a file of the bid.",
            )


@rule(
    "REF001", ERROR, "Reference does not resolve",
    hint="Use the id of an existing entry, or add the entry.",
    explanation="""
Sections refer to each other by id: a measure names the goals it serves (`goals:`) and the
partners taking part (`partners:`); a budget cost item may name its measure (`measure:`). Every
such id must exist, otherwise the document would show a broken link and a reviewer could not
trace money to measures or measures to goals.
""",
    reads=("measures", "goals", "partners", "budget"),
)
def references(ctx: RuleContext) -> Iterator[Violation]:
    bid = ctx.bid
    targets = {"goal": ("goals", {g.id for g in bid.goals or []}),
               "partner": ("partners", {p.id for p in bid.partners or []}),
               "measure": ("measures", {m.id for m in bid.measures or []})}
    unresolved: dict[str, list[tuple[FieldPath, str]]] = {kind: [] for kind in targets}
    for i, measure in enumerate(bid.measures or []):
        unresolved["goal"] += [(("measures", i, "goals", j), ref) for j, ref in enumerate(measure.goals)]
        unresolved["partner"] += [(("measures", i, "partners", j), ref) for j, ref in enumerate(measure.partners)]
    for y, year in enumerate(bid.budget.years if bid.budget else []):
        unresolved["measure"] += [(("budget", "years", y, "costs", c, "measure"), item.measure)
                                  for c, item in enumerate(year.costs) if item.measure is not None]
    for kind, (section, known) in targets.items():
        wrong = [(path, ref) for path, ref in unresolved[kind] if ref not in known]
        if known:
            for path, ref in wrong:
                yield Violation(path, f"unknown {kind} '{ref}'; known: {', '.join(sorted(known))}")
        elif wrong:
            # No entry at all: one cause, so one error (at the first reference), not one per reference;
            # none when REQ001 reports the section missing (bidkit.check).
            path, ref = wrong[0]
            more = f" and {len(wrong) - 1} more reference(s)" if len(wrong) > 1 else ""
            yield Violation(path, f"unknown {kind} '{ref}'{more}; no {kind}s are defined",
                            f"Add `{section}:` with these entries to a file of the bid, or remove the references.")


@rule(
    "REF002", ERROR, "Duplicate id",
    hint="Give each entry its own id.",
    explanation="""
Ids of goals, measures, partners and MoU parties must be unique within their section, or a
reference could point at two entries. Budget years must be unique too.
""",
    reads=("goals", "measures", "partners", "mou", "budget"),
)
def duplicate_ids(ctx: RuleContext) -> Iterator[Violation]:
    bid = ctx.bid
    lists = {
        ("goals",): [g.id for g in bid.goals or []],
        ("measures",): [m.id for m in bid.measures or []],
        ("partners",): [p.id for p in bid.partners or []],
        ("mou", "parties"): [p.id for p in bid.mou.parties] if bid.mou else [],
    }
    for prefix, ids in lists.items():
        seen: set[str] = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                yield Violation((*prefix, index, "id"), f"id '{ident}' is used twice in {'.'.join(prefix)}")
            seen.add(ident)
    years = Counter(y.year for y in bid.budget.years) if bid.budget else Counter()
    for index, year in enumerate(bid.budget.years if bid.budget else []):
        if years[year.year] > 1:
            yield Violation(("budget", "years", index, "year"), f"budget year {year.year} appears {years[year.year]} times",
                            "Merge the entries of the year into one, or correct the `year:` of the one that is wrong.")


#: Placeholders as data (bidkit/data/placeholders.yaml), German first.
PLACEHOLDERS_FILE = Path(__file__).resolve().parent.parent / "data" / "placeholders.yaml"
_PATTERNS = [f"(?{'i' if entry.get('ignore_case') else ''}:{entry['pattern']})" for entry in load_document(PLACEHOLDERS_FILE).data]
#: All of them in one pattern, each with its own case rule: one search per text finds the earliest
#: placeholder (at one place, the first in the file's order), as a search per pattern would.
PLACEHOLDERS = re.compile("|".join(_PATTERNS))
#: Each of them for a search over all texts joined by line breaks, which finds the texts that may hold
#: a placeholder: ``^`` and ``$`` at every line; a line break before and after a text is what the start
#: and end of the text are to every pattern's ``\b``, look-behind and look-ahead; a leading ``\b`` is
#: left out (a search for a pattern that starts with a letter skips ahead to it; with ``\b`` it tries
#: every position). Each may find more than a placeholder, never less (tests/test_check_speed.py).
#: A case-insensitive pattern that starts with an alternation (TODO, TBD, FIXME or XXX in any case) is searched
#: only where its first letter stands, by a look-ahead: the search otherwise tries the whole pattern at every
#: position (~80 % of TXT001 on a large bid). ``re`` takes no other character for t, f or x in any case
#: (tests/test_chk8b_shared.py tries every character).
_STARTS = {"(?i:\\b(TODO|TBD|FIXME)\\b(?!-\\w)|\\bXXX+\\b)": "(?=[TtFfXx])"}
_MAY_HOLD = [re.compile(_STARTS.get(pattern, "") + (pattern.replace(":\\b", ":", 1) if pattern.startswith(("(?:\\b", "(?i:\\b"))
                                                    else pattern), re.MULTILINE) for pattern in _PATTERNS]


def find_placeholder(text: str) -> re.Match | None:
    """The first placeholder in ``text`` (the earliest in the text), or None. A run longer than any
    word (a million 'x', which `XXX+` would match) is TXT006's, not a placeholder."""
    match = PLACEHOLDERS.search(text)
    if match is None:
        return None
    from bidkit.rules.words import MAX_RUN  # here: importing words at the top would register TXT006 before TXT001

    if len(match.group(0)) > MAX_RUN:
        match = next((m for m in PLACEHOLDERS.finditer(text, match.end()) if len(m.group(0)) <= MAX_RUN), None)
    return match


def _may_hold_placeholders(texts: list[tuple[FieldPath, str]]) -> list[str]:
    """The distinct texts that may hold a placeholder; the others hold none. A large bid has thousands of
    texts, nearly all without one: each pattern searches them all joined, and a text where it finds
    something is searched alone (``find_placeholder``) while the pattern goes on after that text."""
    distinct = list(dict.fromkeys(text for _path, text in texts))  # a large bid repeats its texts
    joined = "\n".join(distinct)
    starts, offset = [], 0
    for text in distinct:
        starts.append(offset)
        offset += len(text) + 1
    found: set[int] = set()
    for pattern in _MAY_HOLD:
        position = 0
        while (hit := pattern.search(joined, position)) is not None:
            index = bisect.bisect_right(starts, hit.start()) - 1
            found.add(index)
            if index + 1 == len(distinct):
                break
            position = starts[index + 1]
    return [distinct[index] for index in sorted(found)]


@rule(
    "TXT001", ERROR, "Placeholder text left in the bid",
    hint="Replace the placeholder with the real text.",
    explanation="""
Text left from a template must not reach the jury: "N. N." or "NN" for a name still to be found,
"k. A.", "XY", bracketed blanks such as "[Hier Text einfügen]", "[Name]" or "[Datum]" (a
Markdown link `[text](https://…)` is no blank), "Platzhalter", "Musterstadt", "Mustermann", a
lone "…" as the whole value, TODO, TBD, FIXME, XXX, "???" and "Lorem ipsum". Every string
value of the bid is searched, whole words only ("Annahme" and "NNW" are not "NN"), and a word
joined by a hyphen is part of a compound ("XY-Diagramm", "NN-Höhe", "ToDo-Liste" are words).
"Platzhalter" counts where a template puts it (alone, at the start of a line, after a colon, in
brackets), not as the noun in a sentence; "???" counts as a gap, not after a word ("Rufbus???").
The list is data: bidkit/data/placeholders.yaml.
""",
    reads=(),
)
def placeholders(ctx: RuleContext) -> Iterator[Violation]:
    searched = {text: find_placeholder(text) for text in _may_hold_placeholders(ctx.texts)}
    for path, text in ctx.texts:
        match = searched.get(text)
        if match:
            yield Violation(path, f"placeholder '{match.group(0).strip()}' in {dotted(path)}", text_offset=match.start())


@rule(
    "TXT002", ERROR, "Empty text",
    hint="Write the text or remove the key if the field is optional.",
    explanation="An empty or blank string is a field someone meant to fill in and forgot.",
    reads=(),
)
def empty_text(ctx: RuleContext) -> Iterator[Violation]:
    for path, text in ctx.texts:
        if not text.strip():
            yield Violation(path, f"{dotted(path)} is empty")


@rule(
    "TXT003", ERROR, "Text longer than the call allows",
    hint="Shorten the text to the call's limit.",
    explanation="""
Calls limit the length of texts (`text_limits` in the call profile: a field path, `[]` for
every item of a list, and `max_chars`). Juries read many bids; a text over the limit may be cut
or count against the bid. Example limit: `{field: measures[].description, max_chars: 1200}`.
""",
    reads=(),
)
def text_limits(ctx: RuleContext) -> Iterator[Violation]:
    if not ctx.call.text_limits:
        return
    for limit in ctx.call.text_limits:
        for path, text in _select(ctx.data, limit.field.split(".")):
            length = len(" ".join(text.split())) if isinstance(text, str) else 0
            if length > limit.max_chars:
                from bidkit.render.formatting import number  # Babel loads only when a message needs it

                yield Violation(
                    path, f"{dotted(path)} has {number(length)} characters; the call allows {number(limit.max_chars)}",
                    f"Shorten it by {number(length - limit.max_chars)} characters.",
                )


def _select(node, parts: list[str], path: tuple = ()):
    """Values at a path like ['measures[]', 'description'] with their concrete field paths."""
    if not parts:
        yield path, node
        return
    name, each = parts[0].removesuffix("[]"), parts[0].endswith("[]")
    if not isinstance(node, dict) or name not in node:
        return
    value = node[name]
    if each:
        for index, item in enumerate(value if isinstance(value, list) else []):
            yield from _select(item, parts[1:], (*path, name, index))
    else:
        yield from _select(value, parts[1:], (*path, name))


@rule(
    "DAT002", ERROR, "Submission date after the deadline",
    hint="Plan the submission on or before the call's deadline.",
    explanation="""
`submission_date` in bid.yaml is the day the city hands the bid in. A date after the call's
deadline means the bid will not be considered.
""",
    reads=(),
)
def submission_in_time(ctx: RuleContext) -> Iterator[Violation]:
    day = ctx.bid.submission_date
    if day and day > ctx.call.deadline:
        yield Violation(("submission_date",), f"submission on {day} is after the deadline {ctx.call.deadline}")


#: A document of the bid dated more years than this before the call's deadline is a typo (1925, 2015).
OLD_YEARS = 3


@rule(
    "DAT003", WARNING, "A document dated years before the call",
    hint="Check the year (a typo such as 2015 for 2025?); a document that old is no part of this bid.",
    explanation=f"""
The documents of a bid are made for it: the MoU, the council's decision, the partners' letters;
and the bid is handed in for this call, not years before its deadline (`submission_date`).
One dated more than {OLD_YEARS} years before the call's deadline was not written for this call: most often a
typo in the year (1925, 2015 for 2025), which a jury reads as an old document reused. (Letters
after the submission are PAR003's, a decision after it RES001's.)
""",
    reads=("mou", "council_resolution", "partners"), partial_ok=("partners",),
)
def documents_of_this_call(ctx: RuleContext) -> Iterator[Violation]:
    import datetime as dt

    deadline = ctx.call.deadline
    earliest = dt.date(deadline.year - OLD_YEARS, deadline.month, min(deadline.day, 28))
    dated = []
    if ctx.bid.submission_date:  # „0001-01-01“, „2015-03-14“ for 2025: every other date is compared with it
        dated.append((("submission_date",), ctx.bid.submission_date, "the submission"))
    if ctx.bid.mou:
        dated.append((("mou", "signed_on"), ctx.bid.mou.signed_on, "the MoU"))
    if ctx.bid.council_resolution:
        dated.append((("council_resolution", "date"), ctx.bid.council_resolution.date, "the council's decision"))
    for index, partner in enumerate(ctx.bid.partners or []):
        if partner.letter:
            dated.append((("partners", index, "letter", "date"), partner.letter.date, f"the letter of '{partner.name}'"))
    for path, day, what in dated:
        if day < earliest:
            yield Violation(path, f"{what} is dated {day}, more than {OLD_YEARS} years before the deadline ({deadline})")


@rule(
    "CON001", WARNING, "Contact person cannot be reached",
    hint="Add `email:` or `phone:` to the contact.",
    explanation="""
The call's organiser must be able to reach the contact person and the deputy quickly, e.g.
to invite the city to the finalists' pitch. Each needs an e-mail address or a phone number.
""",
    reads=("contact", "deputy_contact"),
)
def contact_reachable(ctx: RuleContext) -> Iterator[Violation]:
    for key in ("contact", "deputy_contact"):
        person = getattr(ctx.bid, key)
        if person is not None and not (person.email or person.phone):
            yield Violation((key,), f"{key.replace('_', ' ')} '{person.name}' has neither e-mail nor phone")


@rule(
    "CON002", WARNING, "No deputy contact",
    hint="Name a deputy in `deputy_contact:`, another person than the contact.",
    explanation="""A bid names a contact person and a deputy, so that questions never wait for one person. A
deputy who is the contact person again (the same name, or the same e-mail address) is none.""",
    reads=("contact", "deputy_contact"),
)
def deputy_named(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.partners import _words

    contact, deputy = ctx.bid.contact, ctx.bid.deputy_contact

    def same(one: str | None, other: str | None, words=lambda text: text.casefold()) -> bool:
        """Equal, and no placeholder (a skeleton's two „TODO: E-Mail-Adresse“ are TXT001's)."""
        return bool(one and other) and not find_placeholder(one) and words(one) == words(other)

    if deputy is None:
        yield Violation(("contact",), "no deputy contact is named")
    elif contact is not None and (same(contact.name, deputy.name, _words) or same(contact.email, deputy.email)):
        yield Violation(("deputy_contact", "name"), f"the deputy contact '{deputy.name}' is the contact person again")


#: An e-mail address as a mail program takes it: one @, a domain with a dot, no spaces.
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}")


@rule(
    "CON003", WARNING, "E-mail address a mail program cannot use",
    hint="Write the address as it is typed into a mail program: name@domain.de (no „(at)“, no spaces).",
    explanation="""
The organiser writes to the contact persons and the city's public address from the document:
an address written against spam („guelsen.strassmueller(at)stadt.de“, „info [at] stadt [dot]
de“), with spaces or without its domain cannot be copied into a mail program. A submission is
no web page that harvesters read; write the address as it is.
""",
    reads=("contact", "deputy_contact", "city"),
)
def email_usable(ctx: RuleContext) -> Iterator[Violation]:
    public = ctx.bid.city.public_contact if ctx.bid.city else None
    for path, holder in ((("contact",), ctx.bid.contact), (("deputy_contact",), ctx.bid.deputy_contact),
                         (("city", "public_contact"), public)):
        email = getattr(holder, "email", None)
        if email and not _EMAIL.fullmatch(email.strip()) and find_placeholder(email) is None:  # a TODO is TXT001's
            yield Violation((*path, "email"), f"'{email}' is no e-mail address a mail program can use")


@rule(
    "REF004", WARNING, "A text cites an annex the bid does not have",
    hint="Correct the number (the Anlagenverzeichnis numbers the annexes in document order: the MoU, the council's "
         "decision, `annexes:`, the partners' letters, the supporters' scans), or add the annex.",
    explanation="""
Texts cite annexes by number („siehe Anlage 4“). bidkit numbers the annexes itself, in document
order: the signed MoU, the council's decision, the entries of `annexes:`, the partners' letters,
then the supporters' scans as one annex. A number beyond the last annex points at nothing: an
annex left out or a number from an older draft. An annex of another document („Anlage 2 der
Förderrichtlinie“) is not counted.
""",
    reads=("annexes", "partners", "mou", "council_resolution", "supporters"),
)
def cited_annex_exists(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.supporters import read_register
    from bidkit.variants import annex_numbers, cited_annexes

    cited = [(path, offset, number) for path, text in ctx.texts for offset, number in cited_annexes(text)]
    if not cited:
        return
    register = read_register(ctx.bid_dir, ctx.bid.supporters) if ctx.bid.supporters else None
    count = len(annex_numbers(ctx.bid, None, register))
    for path, offset, number in cited:
        if not 1 <= number <= count:
            yield Violation(path, f"the text cites Anlage {number}; the bid has "
                                  f"{'no annexes' if not count else f'{count} annex' + ('es' if count > 1 else '')}",
                            text_offset=offset)
