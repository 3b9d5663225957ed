"""The call profiles that ship with bidkit (``bidkit/calls/*.yaml``): listing, lookup, description.

``bidkit calls`` and ``bidkit calls show ID`` print what this module returns; the loader and
``bidkit init`` find shipped calls here too. A call of a bid's own (a path in ``call:``) is the
bid's business and read by the loader only.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from bidkit.errors import BidkitError
from bidkit.models import FUNDING_TITLES, SECTION_TITLES, Call
from bidkit.yamlio import load_document

CALLS_DIR = Path(__file__).parent / "calls"


def shipped_calls() -> dict[str, Path]:
    """Call profiles that ship with bidkit, by name."""
    return {p.stem: p for p in sorted(CALLS_DIR.glob("*.yaml"))}


def names_a_file(call: str) -> bool:
    """Whether ``call`` (as `call:` in bid.yaml, `calls show` and `init --call` take it) is the path
    of a call file of one's own rather than a shipped call's id."""
    return call not in shipped_calls() and (call.endswith((".yaml", ".yml")) or "/" in call or os.sep in call)


def shipped_call(call_id: str) -> Call:
    """The shipped call ``call_id``; an unknown id is a usage error naming the closest one."""
    profiles = shipped_calls()
    if call_id not in profiles:
        close = [p for p in profiles if call_id.lower() in p] or difflib.get_close_matches(call_id, profiles, n=1, cutoff=0.5)
        hint = f"Did you mean '{close[0]}'?" if close else f"Shipped calls: {', '.join(profiles)} (`bidkit calls` lists them)."
        raise BidkitError(f"no shipped call '{call_id}'", hint)
    return Call.model_validate(load_document(profiles[call_id]).data)


def own_call(name: str) -> tuple[Call, list]:
    """A call file of one's own, read as `call: ./path.yaml` reads it, with the findings of what it
    says that cannot be applied; a file that is missing or does not load is a usage error naming
    its first problem."""
    from bidkit.loader import load_call_file
    from bidkit.paths import shown

    path = Path(name)
    if not path.exists():
        raise BidkitError(f"no call file '{shown(name)}'", "Give the path of a call file of your own, or the id of a "
                          f"shipped call: {', '.join(shipped_calls())}.")
    call, findings = load_call_file(path)
    if call is None:
        first = findings[0]
        raise BidkitError(f"{first.place() or shown(name)}: {first.rule} {first.message}", first.hint)
    return call, findings


def call_problems(call: Call) -> list[tuple[tuple, str, str]]:
    """What a call says that cannot be applied or contradicts itself, as (field path, message, hint):
    a text limit on no text of the bid (it would silently limit nothing), a thematic field id or a
    requirement id used twice, a funding rate and a minimum own share that exceed 100 % together, a
    funding rate without the kind of funding it caps (``funded_by``), a funding period that ends
    before it starts or before the deadline."""
    problems: list[tuple[tuple, str, str]] = []
    if call.text_limits:
        from bidkit.variants import field_problem  # the one reader of field paths (variants name fields the same way)

        for index, limit in enumerate(call.text_limits):
            if problem := field_problem(limit.field, text=True):
                problems.append((("text_limits", index, "field"), f"text limit '{limit.field}' limits nothing: {problem}",
                                 "Name a text of the bid as in its YAML, '[]' for every item of a list, "
                                 "e.g. 'vision' or 'measures[].description'."))
    for kind, items in (("thematic field", call.thematic_fields), ("requirement", call.requirements)):
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id in first:
                key = "thematic_fields" if kind == "thematic field" else "requirements"
                problems.append(((key, index, "id"), f"{kind} id '{item.id}' is already used by {key}[{first[item.id]}]",
                                 f"Give each {kind} its own id" + (": a measure names its field by the id." if key == "thematic_fields" else ".")))
            first.setdefault(item.id, index)
    period = call.funding_period
    if period is not None and period.start > period.end:
        problems.append((("funding_period", "end"), f"the funding period ends ({period.end}) before it starts ({period.start})",
                         "Check both dates against the call's text: `start` is the first day work may be funded, `end` the last."))
    elif period is not None and call.deadline > period.end:
        problems.append((("deadline",), f"the deadline ({call.deadline}) lies after the end of the funding period ({period.end}): "
                         "no bid could be funded", "Check the deadline and the funding period against the call's text."))
    rate, own = call.funding_rate_percent, call.own_share_min_percent
    if rate is not None and own is not None and rate + own > 100:
        problems.append((("own_share_min_percent",), f"a funding rate of {_percent(rate)} and a minimum own share of {_percent(own)} make "
                         f"{_percent(rate + own)} of the costs: no bid can meet both",
                         "Check both figures against the call's text: the funding rate and the own share together are at most 100 %."))
    if call.funded_by is not None and call.funded_by.value == "eigenmittel":
        problems.append((("funded_by",), "`funded_by: eigenmittel` names the applicant's own funds as the programme's money: "
                         "the funding rate would cap the own share, and the programme's money nothing",
                         "Name the kind of funding the programme gives: `bund`, `land`, `eu`, `industrie` or `dritte`."))
    if rate is not None and call.funded_by is None:
        problems.append((("funding_rate_percent",), f"a funding rate of {_percent(rate)} of no kind of funding: "
                         "nothing can be checked against it",
                         "Name the kind of funding the programme gives, e.g. `funded_by: bund` (BUD013 then checks "
                         "what the bid asks of it)."))
    return problems


def calls_json() -> str:
    rows = [{"id": c.id, "name": c.name, "organizer": c.organizer, "deadline": c.deadline.isoformat()}
            for c in map(shipped_call, shipped_calls())]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def calls_text() -> str:
    calls = [shipped_call(name) for name in shipped_calls()]
    width = max(len(c.id) for c in calls)
    lines = [f"{c.id:<{width}}  {c.deadline.isoformat()}  {c.name} ({c.organizer})" for c in calls]
    return "\n".join(lines) + "\n\n`bidkit calls show ID` prints what a call asks for.\n"


def call_json(call: Call) -> str:
    """Everything the profile states, in the shape of `bidkit schema call`."""
    return json.dumps(call.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _people(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _percent(value) -> str:
    return f"{value.normalize():f} %".replace(".", ",")


def call_text(call: Call) -> str:
    """What a team must know about a call, as plain text (German values, English labels like the CLI)."""
    lines = [f"{call.name}  ({call.id})", f"organizer:           {call.organizer}",
             f"deadline:            {call.deadline.isoformat()}"]
    rules = call.eligibility
    if rules is None:
        lines.append("eligible population: any")
    else:
        lines.append(f"eligible population: {_people(rules.population_min)}–{_people(rules.population_max)} (nominal)")
        if rules.tolerance:
            wide = rules.tolerance
            source = f"; {wide.source}" if wide.source else ""
            lines.append(f"                     {_people(wide.population_min)}–{_people(wide.population_max)} "
                         f"accepted (outside the nominal range a warning, ELI002){source}")
        if rules.note:
            lines.append(f"                     {rules.note}")
    lines.append(f"page limit:          {f'{call.page_limit} pages' if call.page_limit else 'none'}")
    lines.append(f"own share:           {f'at least {_percent(call.own_share_min_percent)} of the costs' if call.own_share_min_percent is not None else 'no minimum'}")
    rate = call.funding_rate_percent
    funded = f" of the costs, as {FUNDING_TITLES[call.funded_by.value]} (BUD013)" if rate is not None and call.funded_by else ""
    lines.append(f"funding rate:        {_percent(rate) + funded if rate is not None else 'not stated'}")
    period = call.funding_period
    lines.append(f"funding period:      {f'{period.start.isoformat()} to {period.end.isoformat()}' if period else 'not set (the budget years count)'}")
    lines.append(f"resolution:          {'must commit the own share (own_share_committed)' if call.resolution_must_commit_own_share else 'need not commit the own share'}")
    lines += ["", "required sections (top-level keys):"]
    lines += [f"  {name:<20} {SECTION_TITLES[name]}" for name in call.required_sections]
    lines += ["", "thematic fields (the id goes into a measure's `field:`):"]
    width = max(len(f.id) for f in call.thematic_fields)
    lines += [f"  {f.id:<{width}}  {f.name}" for f in call.thematic_fields]
    if call.text_limits:
        lines += ["", "text limits:"]
        lines += [f"  {limit.field:<24} {_people(limit.max_chars)} characters" for limit in call.text_limits]
    if call.requirements:
        lines += ["", "requirements (`bidkit check --matrix`):"]
        width = max(len(r.id) for r in call.requirements)
        lines += [f"  {r.id:<{width}}  {r.text}  [{r.section}: {', '.join(r.rules)}]" for r in call.requirements]
    if call.note:
        lines += ["", f"note: {call.note}"]
    return "\n".join(lines) + "\n"


